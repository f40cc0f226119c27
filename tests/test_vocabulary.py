"""The status vocabulary: every word with what it means, written out here by hand, and the words
the API's schemas allow, so that a status cannot be half-added."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conftest import PROJECT
from statusgen.vocabulary import (
    INCIDENT_COMPONENT_STATUSES,
    INCIDENT_IMPACTS,
    ComponentStatus,
    Impact,
    IncidentStatus,
    Indicator,
    MaintenanceStatus,
    UpdateStatus,
    as_component_status,
    as_impact,
    as_update_status,
    status_label,
)

COMMON = PROJECT / "schemas" / "api" / "v2" / "common.schema.json"


@pytest.mark.parametrize(
    "status, label, severity, level, weight, colour, colour_name",
    [
        (ComponentStatus.OPERATIONAL, "Operational", 0, 0, 0.0, "#1a7f37", "brightgreen"),
        (ComponentStatus.UNDER_MAINTENANCE, "Under maintenance", 1, 0, 0.0, "#0969da", "blue"),
        (ComponentStatus.DEGRADED_PERFORMANCE, "Degraded performance", 2, 1, 0.0, "#9a6700", "yellow"),
        (ComponentStatus.PARTIAL_OUTAGE, "Partial outage", 3, 2, 0.3, "#bc4c00", "orange"),
        (ComponentStatus.MAJOR_OUTAGE, "Major outage", 4, 3, 1.0, "#cf222e", "red"),
    ],
)
def test_component_statuses(
    status: ComponentStatus, label: str, severity: int, level: int, weight: float, colour: str, colour_name: str
) -> None:
    assert (status.label, status.severity, status.level, status.weight, status.colour, status.colour_name) == (
        label,
        severity,
        level,
        weight,
        colour,
        colour_name,
    )


def test_component_statuses_in_order_of_files_and_hints_and_severity() -> None:
    assert ComponentStatus.words() == (
        "operational",
        "degraded_performance",
        "partial_outage",
        "major_outage",
        "under_maintenance",
    )
    assert INCIDENT_COMPONENT_STATUSES == ("operational", "degraded_performance", "partial_outage", "major_outage")
    worst_last = sorted(ComponentStatus, key=lambda s: s.severity)
    assert worst_last == ["operational", "under_maintenance", "degraded_performance", "partial_outage", "major_outage"]


@pytest.mark.parametrize(
    "impact, label, level, status, colour",
    [
        (Impact.NONE, "No impact", 0, "operational", 0x546E7A),
        (Impact.MINOR, "Minor", 1, "degraded_performance", 0xF9A825),
        (Impact.MAJOR, "Major", 2, "partial_outage", 0xEF6C00),
        (Impact.CRITICAL, "Critical", 3, "major_outage", 0xC62828),
        (Impact.MAINTENANCE, "Maintenance", 0, "under_maintenance", 0x1565C0),
    ],
)
def test_impacts(impact: Impact, label: str, level: int, status: str, colour: int) -> None:
    assert (impact.label, impact.level, impact.component_status, impact.notify_colour) == (label, level, status, colour)
    # And back: the impact a component's status implies for an incident that gives no impact.
    assert as_component_status(status).impact is impact


def test_impacts_an_incident_may_have() -> None:
    assert INCIDENT_IMPACTS == ("none", "minor", "major", "critical")


@pytest.mark.parametrize(
    "status, label, running, finished",
    [
        (IncidentStatus.INVESTIGATING, "Investigating", False, False),
        (IncidentStatus.IDENTIFIED, "Identified", False, False),
        (IncidentStatus.MONITORING, "Monitoring", False, False),
        (IncidentStatus.RESOLVED, "Resolved", False, True),
        (MaintenanceStatus.SCHEDULED, "Scheduled", False, False),
        (MaintenanceStatus.IN_PROGRESS, "In progress", True, False),
        (MaintenanceStatus.VERIFYING, "Verifying", True, False),
        (MaintenanceStatus.COMPLETED, "Completed", False, True),
        (MaintenanceStatus.CANCELLED, "Cancelled", False, True),
    ],
)
def test_update_statuses(status: UpdateStatus, label: str, running: bool, finished: bool) -> None:
    assert (status.label, status.running, status.finished) == (label, running, finished)
    assert as_update_status(str(status)) is status
    assert status_label(str(status)) == label


@pytest.mark.parametrize(
    "indicator, description, status",
    [
        (Indicator.NONE, "All Systems Operational", "operational"),
        (Indicator.MINOR, "Minor Service Outage", "degraded_performance"),
        (Indicator.MAJOR, "Partial System Outage", "partial_outage"),
        (Indicator.CRITICAL, "Major Service Outage", "major_outage"),
        (Indicator.MAINTENANCE, "Service Under Maintenance", "under_maintenance"),
    ],
)
def test_indicators(indicator: Indicator, description: str, status: str) -> None:
    assert (indicator.description, indicator.status) == (description, status)


def test_indicator_of_each_level() -> None:
    assert [Indicator.at_level(level) for level in range(4)] == ["none", "minor", "major", "critical"]


def test_members_are_their_words() -> None:
    word: str = "major_outage"  # plain text: the member is equal to the word it stands for
    assert ComponentStatus.MAJOR_OUTAGE == word
    assert {"resolved": 1}[IncidentStatus.RESOLVED] == 1
    assert f"{Impact.CRITICAL}-{MaintenanceStatus.IN_PROGRESS}" == "critical-in_progress"
    assert json.dumps({"status": ComponentStatus.PARTIAL_OUTAGE}) == '{"status": "partial_outage"}'
    assert type(IncidentStatus.words()[0]) is str  # argparse quotes its choices with repr


def test_lookups_of_other_words() -> None:
    assert status_label("postmortem") is None
    assert status_label("none") is None  # an impact's word, not a status
    with pytest.raises(KeyError):
        as_impact("huge")
    with pytest.raises(KeyError):
        as_update_status("operational")  # a component's status, not an update's
    with pytest.raises(KeyError):
        as_component_status("resolved")


# --- the words the API's schemas allow ---------------------------------------------------------


def _defs() -> dict[str, Any]:
    defs: dict[str, Any] = json.loads(COMMON.read_text())["$defs"]
    return defs


def _enum(*path: str) -> list[str]:
    node: Any = _defs()
    for key in path:
        node = node[key]
    words: list[str] = node["enum"]
    return words


def test_component_statuses_are_those_of_the_schema() -> None:
    assert _enum("component_status") == list(ComponentStatus)


def test_update_statuses_are_those_of_the_schema() -> None:
    assert _enum("incident_update", "properties", "status") == [*IncidentStatus, *MaintenanceStatus]


def test_incident_statuses_are_those_of_the_schema() -> None:
    # Statuspage's "postmortem" is its own; statusgen writes the postmortem in the body instead.
    assert [s for s in _enum("incident", "properties", "status") if s != "postmortem"] == list(IncidentStatus)


def test_maintenance_statuses_are_those_of_the_schema() -> None:
    # Cancelled maintenance is left out of the API (see render/api.py): only the calendar has it.
    assert _enum("scheduled_maintenance", "properties", "status") == [
        s for s in MaintenanceStatus if s != MaintenanceStatus.CANCELLED
    ]


def test_impacts_are_those_of_the_schema() -> None:
    assert _enum("incident", "properties", "impact") == list(INCIDENT_IMPACTS)
    assert _defs()["scheduled_maintenance"]["properties"]["impact"]["const"] == Impact.MAINTENANCE


def test_indicators_are_those_of_the_schema() -> None:
    assert _enum("status", "properties", "indicator") == list(Indicator)
    assert _enum("status", "properties", "description") == [i.description for i in Indicator]
