"""Derived state at chosen instants: statuses, per-update changes, reopen, the overall indicator."""

from __future__ import annotations

import pytest

from factories import incident, maintenance, t
from statusgen.derive import timeline
from statusgen.vocabulary import ComponentStatus, as_component_status

OUTAGE = incident(
    "2025-11-03-a",
    {"api": "major_outage", "web": "degraded_performance"},
    ("2025-11-03T10:00", "investigating"),
    ("2025-11-03T11:00", "identified", {"api": "partial_outage"}),
    ("2025-11-03T12:00", "monitoring", {"api": "operational", "db": "degraded_performance"}),
    ("2025-11-03T13:00", "resolved"),
)
OVERLAP = incident(
    "2025-11-03-b",
    {"api": "degraded_performance"},
    ("2025-11-03T10:30", "investigating"),
    ("2025-11-03T11:30", "identified", {"api": "major_outage"}),
    ("2025-11-03T14:00", "resolved"),
    impact="critical",
)
REOPENED = incident(
    "2025-11-04-c",
    {"web": "partial_outage"},
    ("2025-11-04T08:00", "investigating"),
    ("2025-11-04T09:00", "resolved"),
    ("2025-11-04T10:00", "investigating"),
    ("2025-11-04T10:30", "identified", {"web": "major_outage"}),
    ("2025-11-04T11:00", "resolved"),
)
MAINT = maintenance(
    "2025-11-05-m", "2025-11-05T02:00", "2025-11-05T04:00", ("2025-11-01T09:00", "scheduled"), components=("db", "api")
)


@pytest.mark.parametrize(
    "moment, expected",
    [
        ("2025-11-03T09:59", {"api": "operational", "web": "operational", "db": "operational"}),
        ("2025-11-03T10:00", {"api": "major_outage", "web": "degraded_performance", "db": "operational"}),
        ("2025-11-03T10:45", {"api": "major_outage", "web": "degraded_performance", "db": "operational"}),
        ("2025-11-03T11:00", {"api": "partial_outage", "web": "degraded_performance", "db": "operational"}),
        ("2025-11-03T11:30", {"api": "major_outage", "web": "degraded_performance", "db": "operational"}),
        ("2025-11-03T12:00", {"api": "major_outage", "web": "degraded_performance", "db": "degraded_performance"}),
        ("2025-11-03T13:00", {"api": "major_outage", "web": "operational", "db": "operational"}),
        ("2025-11-03T14:00", {"api": "operational", "web": "operational", "db": "operational"}),
        ("2025-11-04T08:30", {"api": "operational", "web": "partial_outage", "db": "operational"}),
        ("2025-11-04T09:30", {"api": "operational", "web": "operational", "db": "operational"}),
        ("2025-11-04T10:00", {"api": "operational", "web": "partial_outage", "db": "operational"}),
        ("2025-11-04T10:45", {"api": "operational", "web": "major_outage", "db": "operational"}),
        ("2025-11-04T11:00", {"api": "operational", "web": "operational", "db": "operational"}),
        ("2025-11-05T01:59", {"api": "operational", "web": "operational", "db": "operational"}),
        ("2025-11-05T02:00", {"api": "under_maintenance", "web": "operational", "db": "under_maintenance"}),
        ("2025-11-05T04:00", {"api": "operational", "web": "operational", "db": "operational"}),
    ],
)
def test_component_status_at(moment: str, expected: dict[str, str]) -> None:
    spans = timeline.spans_by_component([OUTAGE, OVERLAP, REOPENED, MAINT])
    assert {c: timeline.status_at(spans.get(c, ()), t(moment)) for c in expected} == expected


def test_an_outage_outranks_maintenance() -> None:
    spans = timeline.spans_by_component(
        [MAINT, incident("2025-11-05-x", {"db": "partial_outage"}, ("2025-11-05T03:00", "investigating"))]
    )
    assert timeline.status_at(spans["db"], t("2025-11-05T03:30")) == "partial_outage"
    assert timeline.status_at(spans["db"], t("2025-11-05T02:30")) == "under_maintenance"
    assert timeline.status_at(spans["api"], t("2025-11-05T03:30")) == "under_maintenance"


def test_per_update_changes() -> None:
    assert timeline.update_changes(OUTAGE) == [
        {"api": ("operational", "major_outage"), "web": ("operational", "degraded_performance")},
        {"api": ("major_outage", "partial_outage")},
        {"api": ("partial_outage", "operational"), "db": ("operational", "degraded_performance")},
        {"web": ("degraded_performance", "operational"), "db": ("degraded_performance", "operational")},
    ]


def test_reopen_restores_and_changes_statuses() -> None:
    assert timeline.update_changes(REOPENED) == [
        {"web": ("operational", "partial_outage")},
        {"web": ("partial_outage", "operational")},
        {"web": ("operational", "partial_outage")},
        {"web": ("partial_outage", "major_outage")},
        {"web": ("major_outage", "operational")},
    ]
    assert [(s.start.hour, s.end.hour if s.end else None, s.status) for s in timeline.spans(REOPENED)] == [
        (8, 9, "partial_outage"),
        (10, 10, "partial_outage"),
        (10, 11, "major_outage"),
    ]
    assert not timeline.is_open(REOPENED)


def test_open_incident_span_has_no_end() -> None:
    ongoing = incident("2025-11-06-o", {"api": "partial_outage"}, ("2025-11-06T10:00", "investigating"))
    assert timeline.spans(ongoing) == [
        timeline.Span("api", t("2025-11-06T10:00"), None, ComponentStatus.PARTIAL_OUTAGE, "2025-11-06-o")
    ]
    assert timeline.is_open(ongoing)


def test_published_hides_updates_not_yet_due() -> None:
    assert timeline.published(OUTAGE, t("2025-11-03T09:00")) is None
    shown = timeline.published(OUTAGE, t("2025-11-03T11:30"))
    assert shown is not None
    assert [u.status for u in shown.updates] == ["investigating", "identified"]
    assert timeline.published(OUTAGE, t("2025-11-04T00:00")) is OUTAGE


@pytest.mark.parametrize(
    "statuses, impacts, expected",
    [
        ({"api": "operational"}, [], ("none", "All Systems Operational")),
        ({"api": "degraded_performance"}, [], ("minor", "Minor Service Outage")),
        ({"api": "partial_outage", "web": "degraded_performance"}, [], ("major", "Partial System Outage")),
        ({"api": "major_outage"}, [], ("critical", "Major Service Outage")),
        ({"api": "under_maintenance"}, [], ("maintenance", "Service Under Maintenance")),
        ({"api": "under_maintenance", "web": "degraded_performance"}, [], ("minor", "Minor Service Outage")),
        ({"api": "operational"}, ["minor"], ("minor", "Minor Service Outage")),
        ({"api": "degraded_performance"}, ["critical"], ("critical", "Major Service Outage")),
        ({"api": "operational"}, ["none"], ("none", "All Systems Operational")),
    ],
)
def test_overall_indicator(statuses: dict[str, str], impacts: list[str], expected: tuple[str, str]) -> None:
    opened = [
        incident(f"2025-01-0{n}-i", {}, ("2025-01-01T00:00", "investigating"), impact=i)
        for n, i in enumerate(impacts, 1)
    ]
    assert timeline.overall({c: as_component_status(s) for c, s in statuses.items()}, opened) == expected
