"""The JSON Schemas of the API files, as a client validating them would load them."""

from __future__ import annotations

import json

from referencing import Registry, Resource

from conftest import PROJECT

SCHEMAS = PROJECT / "schemas" / "api"
FILES = {
    "api/v2/summary.json": "v2/summary.schema.json",
    "api/v2/status.json": "v2/status.schema.json",
    "api/v2/components.json": "v2/components.schema.json",
    "api/v2/incidents.json": "v2/incidents.schema.json",
    "api/v2/incidents/unresolved.json": "v2/incidents-unresolved.schema.json",
    "api/v2/scheduled-maintenances.json": "v2/scheduled-maintenances.schema.json",
    "api/v2/scheduled-maintenances/upcoming.json": "v2/scheduled-maintenances-upcoming.schema.json",
    "api/v2/scheduled-maintenances/active.json": "v2/scheduled-maintenances-active.schema.json",
    "api/uptime.json": "uptime.schema.json",
}


def registry() -> Registry:
    """Every schema of the API, by its $id, so that their references resolve offline."""
    resources = [(json.loads(p.read_text())["$id"], Resource.from_contents(json.loads(p.read_text())))
                 for p in SCHEMAS.rglob("*.schema.json")]
    return Registry().with_resources(resources)
