"""Maintenance follows the clock unless an update says otherwise."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from factories import maintenance as mk
from factories import t
from statusgen.derive import maintenance, timeline
from statusgen.load.incidents import Window

WINDOW = ("2025-12-01T02:00", "2025-12-01T04:00")
ANNOUNCED = ("2025-11-20T10:00", "scheduled")


@pytest.mark.parametrize(
    "updates, moment, expected",
    [
        ([ANNOUNCED], "2025-11-25T00:00", "scheduled"),
        ([ANNOUNCED], "2025-12-01T01:59", "scheduled"),
        ([ANNOUNCED], "2025-12-01T02:00", "in_progress"),
        ([ANNOUNCED], "2025-12-01T03:59", "in_progress"),
        ([ANNOUNCED], "2025-12-01T04:00", "completed"),
        ([ANNOUNCED], "2026-01-01T00:00", "completed"),
        # Started early by an update.
        ([ANNOUNCED, ("2025-12-01T01:45", "in_progress")], "2025-12-01T01:50", "in_progress"),
        # Finished early.
        (
            [ANNOUNCED, ("2025-12-01T02:00", "in_progress"), ("2025-12-01T03:00", "completed")],
            "2025-12-01T03:10",
            "completed",
        ),
        ([ANNOUNCED, ("2025-12-01T03:00", "verifying")], "2025-12-01T03:10", "verifying"),
        # Overran: still in progress after the window until completed.
        (
            [ANNOUNCED, ("2025-12-01T04:00", "in_progress"), ("2025-12-01T05:00", "completed")],
            "2025-12-01T04:30",
            "in_progress",
        ),
        (
            [ANNOUNCED, ("2025-12-01T04:00", "in_progress"), ("2025-12-01T05:00", "completed")],
            "2025-12-01T05:00",
            "completed",
        ),
        # Cancelled before it began.
        ([ANNOUNCED, ("2025-11-28T09:00", "cancelled")], "2025-11-27T00:00", "scheduled"),
        ([ANNOUNCED, ("2025-11-28T09:00", "cancelled")], "2025-11-28T09:00", "cancelled"),
        ([ANNOUNCED, ("2025-11-28T09:00", "cancelled")], "2025-12-01T03:00", "cancelled"),
        # Cancelled, then put back on: the latest word decides.
        (
            [ANNOUNCED, ("2025-11-25T09:00", "cancelled"), ("2025-11-27T09:00", "scheduled")],
            "2025-12-01T03:00",
            "in_progress",
        ),
        (
            [ANNOUNCED, ("2025-11-25T09:00", "cancelled"), ("2025-11-27T09:00", "scheduled")],
            "2025-11-26T00:00",
            "cancelled",
        ),
        # Not yet announced.
        ([("2025-11-30T10:00", "scheduled")], "2025-11-29T00:00", "scheduled"),
    ],
)
def test_status_at(updates: list[tuple[str, str]], moment: str, expected: str) -> None:
    assert maintenance.status_at(mk("2025-12-01-m", *WINDOW, *updates), t(moment)) == expected


@pytest.mark.parametrize(
    "updates, expected",
    [
        ([ANNOUNCED], ("2025-12-01T02:00", "2025-12-01T04:00")),
        ([ANNOUNCED, ("2025-12-01T01:45", "in_progress")], ("2025-12-01T01:45", "2025-12-01T04:00")),
        ([ANNOUNCED, ("2025-12-01T03:00", "completed")], ("2025-12-01T02:00", "2025-12-01T03:00")),
        ([ANNOUNCED, ("2025-12-01T04:10", "in_progress")], ("2025-12-01T02:00", None)),
        (
            [ANNOUNCED, ("2025-12-01T04:10", "in_progress"), ("2025-12-01T05:00", "completed")],
            ("2025-12-01T02:00", "2025-12-01T05:00"),
        ),
        ([ANNOUNCED, ("2025-11-28T09:00", "cancelled")], None),
        ([ANNOUNCED, ("2025-12-01T02:30", "cancelled")], ("2025-12-01T02:00", "2025-12-01T02:30")),
    ],
)
def test_active_interval(updates: list[tuple[str, str]], expected: tuple[str, str | None] | None) -> None:
    active = maintenance.active_interval(mk("2025-12-01-m", *WINDOW, *updates))
    if expected is None:
        assert active is None
    else:
        assert active is not None
        assert (active.start, active.end) == (t(expected[0]), t(expected[1]) if expected[1] else None)


def test_maintenance_before_during_after_sets_components() -> None:
    m = mk("2025-12-01-m", *WINDOW, ANNOUNCED, components=("db", "api"))
    spans = timeline.spans_by_component([m])
    assert [
        timeline.status_at(spans["db"], t(x))
        for x in ("2025-12-01T01:00", "2025-12-01T02:00", "2025-12-01T03:00", "2025-12-01T04:00")
    ] == ["operational", "under_maintenance", "under_maintenance", "operational"]
    assert timeline.status_at(spans["api"], t("2025-12-01T03:00")) == "under_maintenance"


@pytest.mark.parametrize(
    ("end", "leaves"),
    [
        ("2024-11-10T12:00:00+00:00", "2025-11-10T12:00:00+00:00"),
        # The same instant, whatever the offset the window was written in.
        ("2024-11-10T13:30:00+01:30", "2025-11-10T12:00:00+00:00"),
        ("2024-12-31T23:30:00-01:00", "2026-01-01T00:30:00+00:00"),
        # 29 February has no same day a year later: the window stays until 1 March.
        ("2028-02-29T08:00:00+00:00", "2029-03-01T08:00:00+00:00"),
        ("2027-02-28T08:00:00+00:00", "2028-02-28T08:00:00+00:00"),
    ],
)
def test_a_window_leaves_the_calendar_a_year_after_it_ends(end: str, leaves: str) -> None:
    item = mk("m", "2024-01-01T00:00", "2024-01-01T01:00", ("2023-12-01T00:00", "scheduled"))
    item = replace(item, window=Window(datetime.fromisoformat(end) - timedelta(hours=2), datetime.fromisoformat(end)))
    assert maintenance.leaves_calendar(item) == datetime.fromisoformat(leaves)
    assert maintenance.leaves_calendar(item).utcoffset() == timedelta(0)
