"""Maintenance follows the clock unless an update says otherwise."""

from __future__ import annotations

import pytest

from factories import maintenance as mk
from factories import t
from statusgen.derive import maintenance, timeline

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
