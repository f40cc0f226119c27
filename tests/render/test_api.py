"""The JSON API: every file against its schema, and the right incidents at the right instants."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from conftest import DEMO_NOW, Repo
from factories import MAINT_FILE
from schemas import FILES, SCHEMA_FILES, SCHEMAS, registry, schema_paths

DEMO_INSTANTS = [
    "2024-12-03T15:00:00Z",
    "2025-09-14T01:30:00Z",
    "2026-06-10T13:00:00Z",
    "2026-11-23T10:00:00Z",
    "2027-01-16T02:00:00Z",
]


def validate(site: Path) -> int:
    reg = registry()
    checked = 0
    for rel, schema_name in FILES.items():
        schema = json.loads((SCHEMAS / schema_name).read_text())
        validator = Draft202012Validator(schema, registry=reg, format_checker=Draft202012Validator.FORMAT_CHECKER)
        errors = sorted(validator.iter_errors(json.loads((site / rel).read_text())), key=str)
        assert not errors, f"{rel}: {errors[0].message} at {list(errors[0].absolute_path)}"
        checked += 1
    return checked


def test_schemas_are_valid_schemas() -> None:
    checked = [Draft202012Validator.check_schema(json.loads((SCHEMAS / rel).read_text())) for rel in schema_paths()]
    assert len(checked) == len(SCHEMA_FILES) == 10


def test_every_schema_is_in_the_registry_by_its_id() -> None:
    ids = sorted(json.loads((SCHEMAS / rel).read_text())["$id"] for rel in SCHEMA_FILES)
    assert len(set(ids)) == 10
    reg = registry()
    assert all(reg.contents(uri)["$id"] == uri for uri in ids)


@pytest.mark.parametrize("now", DEMO_INSTANTS)
def test_demo_api_matches_schemas(tmp_path: Path, demo: Repo, now: str) -> None:
    out = tmp_path / "site"
    assert demo.build(now, "--out", str(out)) == 0
    assert validate(out) == 9


def test_schemas_reject_wrong_values(tmp_path: Path, demo: Repo) -> None:
    out = tmp_path / "site"
    assert demo.build(DEMO_NOW, "--out", str(out)) == 0
    summary = json.loads((out / "api/v2/summary.json").read_text())
    summary["components"][1]["status"] = "down"
    (out / "api/v2/summary.json").write_text(json.dumps(summary))
    with pytest.raises(AssertionError, match="'down' is not one of"):
        validate(out)


def test_summary_reads_back_the_statuses_the_index_shows(tmp_path: Path, demo: Repo) -> None:
    out = tmp_path / "site"
    assert demo.build(DEMO_NOW, "--out", str(out)) == 0
    summary = json.loads((out / "api/v2/summary.json").read_text())
    index = (out / "index.html").read_text()
    shown = dict(
        re.findall(
            r'<div class="line">(?:<a class="name"[^>]*>|<span class="name">)([^<]+)</(?:a|span)>'
            r'<span class="status s-([a-z_]+)">',
            index,
        )
    )
    assert len(shown) == 15  # 9 components in 3 groups, and a provider's 2 in a group of their own
    # The summary is the page's own: the provider's components are in components.json alone.
    theirs = {"Third-party", "Object Storage", "Compute"}
    assert {c["name"]: c["status"] for c in summary["components"]} == {
        k: v for k, v in shown.items() if k not in theirs
    }
    assert shown["Webhooks"] == "major_outage" and shown["Delivery"] == "major_outage"
    # File storage follows the provider's Object Storage; the provider's Compute counts for nothing here.
    assert (shown["File storage"], shown["Object Storage"], shown["Compute"]) == (
        "degraded_performance",
        "degraded_performance",
        "operational",
    )
    assert summary["status"] == {"indicator": "critical", "description": "Major Service Outage"}
    assert [i["id"] for i in summary["incidents"]] == ["2026-11-23-webhook-delivery-failures"]
    assert [m["id"] for m in summary["scheduled_maintenances"]] == ["2026-11-20-database-major-upgrade"]


def test_groups_list_their_components(tmp_path: Path, demo: Repo) -> None:
    out = tmp_path / "site"
    assert demo.build(DEMO_NOW, "--out", str(out)) == 0
    components = json.loads((out / "api/v2/components.json").read_text())["components"]
    groups = {c["id"]: c["components"] for c in components if c["group"]}
    assert groups == {
        "group-platform": ["api", "web", "auth"],
        "group-data": ["db", "search", "storage"],
        "group-delivery": ["webhooks", "email"],
        "group-third-party": ["nimbus.p3objstore01a", "nimbus.r1compute003c"],
    }
    assert {c["id"]: c["group_id"] for c in components if not c["group"]} == {
        "nimbus.p3objstore01a": "group-third-party",
        "nimbus.r1compute003c": "group-third-party",
        "api": "group-platform",
        "web": "group-platform",
        "auth": "group-platform",
        "db": "group-data",
        "search": "group-data",
        "storage": "group-data",
        "webhooks": "group-delivery",
        "email": "group-delivery",
        "docs": None,
    }
    assert [c["position"] for c in components] == list(range(1, 16))


OPEN = """\
---
title: Search down
impact: major
components: {db: partial_outage}
updates:
  - at: 2025-11-05T10:00:00Z
    status: investigating
    message: Search is down.
  - at: 2025-11-05T10:30:00Z
    status: identified
    components: {db: degraded_performance}
    message: Found it.
  - at: 2025-11-05T11:00:00Z
    status: resolved
    message: Fixed.
---
"""


@pytest.fixture
def timeline(repo: Repo) -> Repo:
    repo.incident("2025-11-05-search.md", OPEN)
    repo.incident(
        "2025-11-01-m1.md", MAINT_FILE.format(n=1, start="2025-11-06T02:00:00Z", end="2025-11-06T04:00:00Z", extra="")
    )
    repo.incident(
        "2025-11-01-m2.md", MAINT_FILE.format(n=2, start="2025-11-08T02:00:00Z", end="2025-11-08T04:00:00Z", extra="")
    )
    repo.incident(
        "2025-11-01-m3.md",
        MAINT_FILE.format(
            n=3,
            start="2025-11-07T02:00:00Z",
            end="2025-11-07T04:00:00Z",
            extra="  - at: 2025-11-02T09:00:00Z\n    status: cancelled\n    message: Not needed.\n",
        ),
    )
    return repo


def ids(repo: Repo, rel: str, key: str) -> list[str]:
    return [item["id"] for item in json.loads((repo.site / rel).read_text())[key]]


@pytest.mark.parametrize(
    "now, unresolved, upcoming, active, statuses",
    [
        (
            "2025-11-03T14:30:00Z",
            ["2025-11-03-api-errors"],
            ["2025-11-01-m1", "2025-11-01-m2"],
            [],
            ("scheduled", "scheduled"),
        ),
        (
            "2025-11-05T10:15:00Z",
            ["2025-11-05-search"],
            ["2025-11-01-m1", "2025-11-01-m2"],
            [],
            ("scheduled", "scheduled"),
        ),
        ("2025-11-06T03:00:00Z", [], ["2025-11-01-m2"], ["2025-11-01-m1"], ("scheduled", "in_progress")),
        ("2025-11-07T03:00:00Z", [], ["2025-11-01-m2"], [], ("scheduled", "completed")),
        ("2025-11-08T02:00:00Z", [], [], ["2025-11-01-m2"], ("in_progress", "completed")),
        ("2025-11-09T00:00:00Z", [], [], [], ("completed", "completed")),
    ],
)
def test_lists_at_instants(
    timeline: Repo, now: str, unresolved: list[str], upcoming: list[str], active: list[str], statuses: tuple[str, str]
) -> None:
    assert timeline.build(now) == 0
    assert ids(timeline, "api/v2/incidents/unresolved.json", "incidents") == unresolved
    assert ids(timeline, "api/v2/scheduled-maintenances/upcoming.json", "scheduled_maintenances") == upcoming
    assert ids(timeline, "api/v2/scheduled-maintenances/active.json", "scheduled_maintenances") == active
    every = json.loads((timeline.site / "api/v2/scheduled-maintenances.json").read_text())["scheduled_maintenances"]
    assert [(m["id"], m["status"]) for m in every] == [("2025-11-01-m2", statuses[0]), ("2025-11-01-m1", statuses[1])]
    summary = json.loads((timeline.site / "api/v2/summary.json").read_text())
    assert [i["id"] for i in summary["incidents"]] == unresolved
    assert [m["id"] for m in summary["scheduled_maintenances"]] == active + upcoming
    assert validate(timeline.site) == 9


def test_incident_fields_follow_statuspage(timeline: Repo) -> None:
    assert timeline.build("2025-11-10T00:00:00Z") == 0
    incidents = json.loads((timeline.site / "api/v2/incidents.json").read_text())["incidents"]
    assert [i["id"] for i in incidents] == ["2025-11-05-search", "2025-11-03-api-errors"]
    search = incidents[0]
    assert {
        k: search[k]
        for k in (
            "name",
            "status",
            "impact",
            "created_at",
            "updated_at",
            "resolved_at",
            "monitoring_at",
            "started_at",
            "shortlink",
        )
    } == {
        "name": "Search down",
        "status": "resolved",
        "impact": "major",
        "created_at": "2025-11-05T10:00:00Z",
        "updated_at": "2025-11-05T11:00:00Z",
        "resolved_at": "2025-11-05T11:00:00Z",
        "monitoring_at": None,
        "started_at": "2025-11-05T10:00:00Z",
        "shortlink": "https://status.example.com/incidents/2025-11-05-search/",
    }
    assert [(u["status"], u["affected_components"]) for u in search["incident_updates"]] == [
        (
            "resolved",
            [{"code": "db", "name": "Database", "old_status": "degraded_performance", "new_status": "operational"}],
        ),
        (
            "identified",
            [{"code": "db", "name": "Database", "old_status": "partial_outage", "new_status": "degraded_performance"}],
        ),
        (
            "investigating",
            [{"code": "db", "name": "Database", "old_status": "operational", "new_status": "partial_outage"}],
        ),
    ]
    assert search["incident_updates"][0]["id"] == "2025-11-05-search-20251105t110000z"
    assert [c["id"] for c in search["components"]] == ["db"]


def test_ids_are_stable_across_builds(timeline: Repo) -> None:
    def all_ids() -> set[str]:
        found: set[str] = set()
        for path in (timeline.site / "api").rglob("*.json"):
            text = path.read_text()
            found.update(re.findall(r'"id": "([^"]+)"', text))
        return found

    assert timeline.build("2025-11-06T03:00:00Z") == 0
    first = all_ids()
    assert timeline.build("2025-11-10T00:00:00Z") == 0
    assert first <= all_ids()
    assert "group-platform" in first and "2025-11-05-search-20251105t100000z" in first


def test_page_updated_at_is_the_last_change_not_the_build(timeline: Repo) -> None:
    assert timeline.build("2025-11-06T03:00:00Z") == 0
    page = json.loads((timeline.site / "api/v2/status.json").read_text())["page"]
    assert page["updated_at"] == "2025-11-06T02:00:00Z"
    assert page["url"] == "https://status.example.com"
    assert timeline.build("2025-11-20T00:00:00Z") == 0
    page = json.loads((timeline.site / "api/v2/status.json").read_text())["page"]
    assert page["updated_at"] == "2025-11-08T04:00:00Z"
