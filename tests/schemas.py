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


# The schemas the API files name, and the one they share.
SCHEMA_FILES = sorted([*FILES.values(), "v2/common.schema.json"])


def schema_paths() -> list[str]:
    """Every schema file under schemas/api/, relative to it: exactly SCHEMA_FILES, or the test fails."""
    found = sorted(p.relative_to(SCHEMAS).as_posix() for p in SCHEMAS.rglob("*.schema.json"))
    assert found == SCHEMA_FILES, f"schemas/api/ holds {found}"
    return found


def registry() -> Registry:
    """Every schema of the API, by its $id, so that their references resolve offline."""
    documents = [json.loads((SCHEMAS / rel).read_text()) for rel in schema_paths()]
    return Registry().with_resources([(document["$id"], Resource.from_contents(document)) for document in documents])
