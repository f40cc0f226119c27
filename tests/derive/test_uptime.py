"""Uptime, with expected figures computed by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from statusgen.derive.timeline import Span
from statusgen.derive.uptime import ComponentUptime, component_uptime, worst_segments
from statusgen.vocabulary import as_component_status

ROME = ZoneInfo("Europe/Rome")


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def span(start: str, end: str | None, status: str, incident: str = "i") -> Span:
    return Span("api", t(start), t(end) if end else None, as_component_status(status), incident)


def by_day(result: ComponentUptime) -> dict[str, tuple[float | None, float]]:
    return {d.start.isoformat(): (d.uptime, d.downtime_minutes) for d in result.days}


# (case, spans, now, since, {day: (uptime, downtime)}, uptime_90d, {month: (uptime, downtime)})
CASES = [
    (
        "outage-crossing-midnight",
        # 23:30 -> 01:30 local (CET): 30 minutes on the 3rd, 90 on the 4th.
        [span("2025-11-03T22:30", "2025-11-04T00:30", "major_outage")],
        "2025-11-10T12:00",
        None,
        {
            "2025-11-02": (100.0, 0.0),
            "2025-11-03": (97.917, 30.0),
            "2025-11-04": (93.75, 90.0),
            "2025-11-10": (100.0, 0.0),
        },
        # 90 days: 89 whole days of 1440 minutes (one of them 25 hours: 26 Oct) plus 13 h today.
        round(100 * (1 - 120 / (88 * 1440 + 1500 + 780)), 3),
        # November so far: 9 days and 13 hours = 13,740 minutes.
        {"2025-11": (99.127, 120.0), "2025-10": (100.0, 0.0)},
    ),
    (
        "overlapping-major-and-partial",
        # partial 10-12, major 11:00-11:30: 30 major + 90 partial x 0.3 = 57, not summed.
        [
            span("2025-11-05T10:00", "2025-11-05T12:00", "partial_outage", "a"),
            span("2025-11-05T11:00", "2025-11-05T11:30", "major_outage", "b"),
        ],
        "2025-11-10T12:00",
        None,
        {"2025-11-05": (96.042, 57.0)},
        None,
        {},
    ),
    (
        "duplicate-overlapping-outages",
        [
            span("2025-11-05T10:00", "2025-11-05T11:00", "major_outage", "a"),
            span("2025-11-05T10:00", "2025-11-05T11:00", "major_outage", "b"),
        ],
        "2025-11-10T12:00",
        None,
        {"2025-11-05": (95.833, 60.0)},
        None,
        {},
    ),
    (
        "outage-across-dst-end",
        # 26 Oct 2025 in Rome has 25 hours (1,500 minutes); 4 h of partial outage = 72 minutes.
        [span("2025-10-25T22:00", "2025-10-26T02:00", "partial_outage")],
        "2025-11-10T12:00",
        None,
        {"2025-10-25": (100.0, 0.0), "2025-10-26": (95.2, 72.0), "2025-10-27": (100.0, 0.0)},
        None,
        {},
    ),
    (
        "whole-dst-start-day",
        # 30 Mar 2025 in Rome has 23 hours: 23:00Z on the 29th to 22:00Z on the 30th.
        [span("2025-03-29T23:00", "2025-03-30T22:00", "major_outage")],
        "2025-04-15T12:00",
        None,
        {"2025-03-29": (100.0, 0.0), "2025-03-30": (0.0, 1380.0), "2025-03-31": (100.0, 0.0)},
        None,
        {"2025-03": (round(100 * (1 - 1380 / (31 * 1440 - 60)), 3), 1380.0)},
    ),
    (
        "maintenance-inside-an-outage",
        # The outage outranks the maintenance inside it; maintenance alone is not downtime.
        [
            span("2025-11-05T10:00", "2025-11-05T14:00", "partial_outage", "a"),
            span("2025-11-05T11:00", "2025-11-05T12:00", "under_maintenance", "m"),
            span("2025-11-06T01:00", "2025-11-06T03:00", "under_maintenance", "m2"),
            span("2025-11-07T01:00", "2025-11-07T03:00", "degraded_performance", "d"),
        ],
        "2025-11-10T12:00",
        None,
        {"2025-11-05": (95.0, 72.0), "2025-11-06": (100.0, 0.0), "2025-11-07": (100.0, 0.0)},
        None,
        {},
    ),
    (
        "component-with-since",
        # No data before 8 Nov; then 2 days and 13 h today = 3,660 minutes with one hour of outage.
        [
            span("2025-11-01T10:00", "2025-11-01T11:00", "major_outage"),
            span("2025-11-09T10:00", "2025-11-09T11:00", "major_outage"),
        ],
        "2025-11-10T12:00",
        date(2025, 11, 8),
        {
            "2025-11-07": (None, 0.0),
            "2025-11-08": (100.0, 0.0),
            "2025-11-09": (95.833, 60.0),
            "2025-11-10": (100.0, 0.0),
            "2025-08-13": (None, 0.0),
        },
        98.361,
        {"2025-11": (98.361, 60.0)},
    ),
    (
        "open-outage-counts-until-now",
        [span("2025-11-10T11:00", None, "major_outage")],
        "2025-11-10T12:00",
        None,
        # Today so far: 13 hours (780 minutes) of which 60 down.
        {"2025-11-10": (92.308, 60.0)},
        None,
        {},
    ),
]


@pytest.mark.parametrize("spans, now, since, days, uptime_90d, months", [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_uptime(
    spans: list[Span],
    now: str,
    since: date | None,
    days: dict[str, tuple[float | None, float]],
    uptime_90d: float | None,
    months: dict[str, tuple[float | None, float]],
) -> None:
    result = component_uptime(spans, t(now), ROME, since, date(2025, 1, 1))
    assert len(result.days) == 90
    assert result.days[-1].start == t(now).astimezone(ROME).date()
    got = by_day(result)
    for day, expected in days.items():
        assert got[day] == expected, day
    if uptime_90d is not None:
        assert result.uptime_90d == uptime_90d
    got_months = {m.month: (m.uptime, m.downtime_minutes) for m in result.months}
    for month, expected in months.items():
        assert got_months[month] == expected, month


def test_months_run_from_since_or_history_start_to_now() -> None:
    result = component_uptime([], t("2025-11-10T12:00"), ROME, None, date(2025, 8, 17))
    assert [m.month for m in result.months] == ["2025-08", "2025-09", "2025-10", "2025-11"]
    assert all(m.uptime == 100.0 for m in result.months)
    result = component_uptime([], t("2025-11-10T12:00"), ROME, date(2025, 10, 15), date(2024, 1, 1))
    assert [m.month for m in result.months] == ["2025-10", "2025-11"]


def test_day_lists_its_incidents() -> None:
    spans = [
        span("2025-11-03T22:30", "2025-11-04T00:30", "major_outage", "x"),
        span("2025-11-04T09:00", "2025-11-04T09:30", "degraded_performance", "y"),
    ]
    result = component_uptime(spans, t("2025-11-10T12:00"), ROME, None, date(2025, 10, 1))
    days = {d.start.isoformat(): d.incidents for d in result.days}
    assert days["2025-11-03"] == ("x",)
    assert days["2025-11-04"] == ("x", "y")
    assert days["2025-11-05"] == ()


def test_worst_segments_merge_by_severity() -> None:
    segments = worst_segments(
        [
            span("2025-11-05T10:00", "2025-11-05T12:00", "partial_outage"),
            span("2025-11-05T11:00", "2025-11-05T11:30", "major_outage"),
        ],
        t("2026-01-01T00:00"),
    )
    assert [(a.hour, a.minute, b.hour, b.minute, s) for a, b, s in segments] == [
        (10, 0, 11, 0, "partial_outage"),
        (11, 0, 11, 30, "major_outage"),
        (11, 30, 12, 0, "partial_outage"),
    ]


def test_each_day_has_its_worst_status_and_a_group_its_worst_members() -> None:
    """A day's worst status is the worst any moment of it had, maintenance and degraded days
    included (they are no downtime); a day a span crosses into has it too, in the site's zone."""
    from statusgen.derive.uptime import combine

    spans = [
        span("2025-11-03T10:00", "2025-11-03T11:00", "degraded_performance", "a"),
        span("2025-11-03T10:30", "2025-11-03T10:40", "partial_outage", "b"),
        span("2025-11-05T02:00", "2025-11-05T04:00", "under_maintenance", "m"),
        # 23:30 on the 6th to 00:10 on the 7th in Rome.
        span("2025-11-06T22:30", "2025-11-06T23:10", "major_outage", "c"),
        span("2025-11-08T09:00", "2025-11-08T09:05", "degraded_performance", "d"),
        span("2025-11-08T09:01", "2025-11-08T09:02", "under_maintenance", "m2"),
    ]
    api = component_uptime(spans, t("2025-11-10T12:00"), ROME, None, date(2025, 1, 1))
    worst = {d.start.isoformat(): str(d.worst) for d in api.days if str(d.worst) != "operational"}
    assert worst == {
        "2025-11-03": "partial_outage",
        "2025-11-05": "under_maintenance",
        "2025-11-06": "major_outage",
        "2025-11-07": "major_outage",
        "2025-11-08": "degraded_performance",
    }
    # Before a component's since: no data, and no status.
    late = component_uptime(spans, t("2025-11-10T12:00"), ROME, date(2025, 11, 6), date(2025, 1, 1))
    assert [(d.start.day, d.uptime, str(d.worst)) for d in late.days[-8:-4]] == [
        (3, None, "operational"),
        (4, None, "operational"),
        (5, None, "operational"),
        (6, 97.917, "major_outage"),
    ]
    quiet = component_uptime([], t("2025-11-10T12:00"), ROME, None, date(2025, 1, 1))
    group = combine([quiet, api])
    assert [str(d.worst) for d in group.days[-8:]] == [
        "partial_outage",
        "operational",
        "under_maintenance",
        "major_outage",
        "major_outage",
        "degraded_performance",
        "operational",
        "operational",
    ]


def test_the_last_30_days_have_their_own_uptime() -> None:
    # 60 major minutes 40 days before now, 30 within the last 30 days (the 1st of November).
    spans = [
        span("2025-10-01T10:00", "2025-10-01T11:00", "major_outage", "a"),
        span("2025-11-01T10:00", "2025-11-01T10:30", "major_outage", "b"),
    ]
    api = component_uptime(spans, t("2025-11-10T12:00"), ROME, None, date(2025, 1, 1))
    # The last 30 days, 12 October on: 29 whole days (26 October of 25 hours) and 13 hours of today.
    assert api.uptime_30d == round(100 * (1 - 30 / (28 * 1440 + 1500 + 780)), 3) == 99.93
    assert api.uptime_90d == round(100 * (1 - 90 / (88 * 1440 + 1500 + 780)), 3)
