"""Uptime by quarter and by year, and verdicts against a target, with figures computed by hand.

A quarter's or a year's uptime is 1 - its downtime / its minutes with data: not an average of its
months. Each figure below says how it was worked out.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from statusgen.derive.timeline import Span
from statusgen.derive.uptime import ComponentUptime, Period, Verdict, combine, component_uptime, verdict
from statusgen.vocabulary import as_component_status

UTC_ZONE = ZoneInfo("UTC")
ROME = ZoneInfo("Europe/Rome")
NOW = datetime(2025, 11, 10, 12, 0, tzinfo=UTC)


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def span(start: str, end: str, status: str) -> Span:
    return Span("api", t(start), t(end), as_component_status(status), "i")


def figures(periods: tuple[Period, ...], label: str) -> dict[str, tuple[float | None, float, bool]]:
    return {getattr(p, label): (p.uptime, p.downtime_minutes, p.complete) for p in periods}


def verdicts(periods: tuple[Period, ...], label: str) -> dict[str, Verdict | None]:
    return {getattr(p, label): p.verdict for p in periods}


# since 2025-02-15; 60 minutes of major outage on 1 March, 2 hours of partial outage on 10 May (36).
SPANS = [
    span("2025-03-01T00:00", "2025-03-01T01:00", "major_outage"),
    span("2025-05-10T10:00", "2025-05-10T12:00", "partial_outage"),
]


def test_quarters_and_years_count_their_own_minutes_from_the_components_first_day() -> None:
    result = component_uptime(SPANS, NOW, UTC_ZONE, date(2025, 2, 15), date(2020, 1, 1))
    assert figures(result.quarters, "quarter") == {
        # 15 Feb - 1 Apr: 14 + 31 days = 64,800 minutes; 1 - 60 / 64,800 = 99.9074 %
        "2025-Q1": (99.907, 60.0, True),
        # 91 days = 131,040 minutes; 1 - 36 / 131,040 = 99.97253 %
        "2025-Q2": (99.973, 36.0, True),
        "2025-Q3": (100.0, 0.0, True),
        # so far: 1 Oct - 10 Nov 12:00
        "2025-Q4": (100.0, 0.0, False),
    }
    # 15 Feb - 10 Nov 12:00: 268.5 days = 386,640 minutes; 1 - 96 / 386,640 = 99.97517 %.
    # (The average of the quarters would be 99.970, of the months another figure again.)
    assert figures(result.years, "year") == {"2025": (99.975, 96.0, False)}
    # The months are what they were: February from the 15th (20,160 minutes), March 1 - 60 / 44,640.
    assert figures(result.months, "month")["2025-02"] == (100.0, 0.0, True)
    assert figures(result.months, "month")["2025-03"] == (99.866, 60.0, True)
    assert len(result.months) == 10
    assert result.sla is None
    assert all(p.verdict is None for p in result.months + result.quarters + result.years)


def test_without_since_the_first_quarter_counts_from_the_first_month_shown() -> None:
    spans = [span("2025-05-20T10:00", "2025-05-20T11:00", "major_outage")]
    result = component_uptime(spans, NOW, UTC_ZONE, None, date(2025, 5, 20))
    assert figures(result.quarters, "quarter") == {
        # 1 May - 1 Jul: 61 days = 87,840 minutes; 1 - 60 / 87,840 = 99.93169 %
        "2025-Q2": (99.932, 60.0, True),
        "2025-Q3": (100.0, 0.0, True),
        "2025-Q4": (100.0, 0.0, False),
    }
    # 1 May - 10 Nov 12:00: 193.5 days = 278,640 minutes; 1 - 60 / 278,640 = 99.97847 %
    assert figures(result.years, "year") == {"2025": (99.978, 60.0, False)}


def test_quarters_and_years_stop_where_the_ten_years_of_months_start() -> None:
    spans = [
        span("2015-11-20T10:00", "2015-11-20T11:00", "major_outage"),  # before the first month shown
        span("2015-12-02T10:00", "2015-12-02T11:00", "major_outage"),
    ]
    result = component_uptime(spans, NOW, UTC_ZONE, date(2010, 1, 1), date(2010, 1, 1))
    assert result.months[0].month == "2015-12"
    assert len(result.months) == 120
    # Q4 2015 from 1 Dec, then 9 years of 4, and the 4 quarters of 2025.
    assert len(result.quarters) == 1 + 36 + 4
    assert [p.year for p in result.years] == [str(y) for y in range(2015, 2026)]
    # December alone: 31 days = 44,640 minutes; 1 - 60 / 44,640 = 99.86559 %
    assert figures(result.quarters, "quarter")["2015-Q4"] == (99.866, 60.0, True)
    assert figures(result.years, "year")["2015"] == (99.866, 60.0, True)
    assert figures(result.years, "year")["2016"] == (100.0, 0.0, True)


def test_a_quarter_with_a_daylight_saving_change_has_an_hour_less() -> None:
    # Q1 2025 in Rome: 90 days less the hour of 30 March = 129,540 minutes. A downtime of 129.54
    # minutes is then exactly 0.1 %: 99.9 %, which meets a target of 99.9.
    start = t("2025-02-01T00:00")
    spans = [Span("api", start, start + timedelta(seconds=129.54 * 60), as_component_status("major_outage"), "i")]
    result = component_uptime(spans, NOW, ROME, date(2025, 1, 1), date(2025, 1, 1), 99.9)
    q1 = result.quarters[0]
    assert (q1.quarter, q1.uptime, q1.downtime_minutes) == ("2025-Q1", 99.9, 129.5)
    assert q1.verdict == Verdict(99.9, True, None, True)
    assert verdicts(result.months, "month")["2025-02"] == Verdict(99.9, False, 0.221, True)  # 1 - 129.54 / 40,320


def test_each_period_is_judged_against_the_target() -> None:
    result = component_uptime(SPANS, NOW, UTC_ZONE, date(2025, 2, 15), date(2020, 1, 1), 99.9)
    assert result.sla == 99.9
    assert verdicts(result.quarters, "quarter") == {
        "2025-Q1": Verdict(99.9, True, None, True),
        "2025-Q2": Verdict(99.9, True, None, True),
        "2025-Q3": Verdict(99.9, True, None, True),
        "2025-Q4": Verdict(99.9, True, None, False),  # so far
    }
    months = verdicts(result.months, "month")
    assert months["2025-03"] == Verdict(99.9, False, 0.034, True)  # 99.9 - 99.866
    assert months["2025-05"] == Verdict(99.9, True, None, True)  # 1 - 36 / 44,640 = 99.919 %
    assert months["2025-11"] == Verdict(99.9, True, None, False)
    assert verdicts(result.years, "year") == {"2025": Verdict(99.9, True, None, False)}
    # A stricter target: the year so far, 99.975, falls short of 99.99 by 0.015.
    strict = component_uptime(SPANS, NOW, UTC_ZONE, date(2025, 2, 15), date(2020, 1, 1), 99.99)
    assert verdicts(strict.years, "year") == {"2025": Verdict(99.99, False, 0.015, False)}
    assert verdicts(strict.quarters, "quarter")["2025-Q2"] == Verdict(99.99, False, 0.017, True)


def test_a_verdict_needs_figures_and_a_target() -> None:
    assert verdict(None, 99.9, True) is None
    assert verdict(99.5, None, True) is None
    assert verdict(99.9, 99.9, True) == Verdict(99.9, True, None, True)
    assert verdict(99.899, 99.9, False) == Verdict(99.9, False, 0.001, False)
    assert verdict(0.0, 50.0, True) == Verdict(50.0, False, 50.0, True)


def test_a_group_shows_its_worst_components_quarters_and_years_without_a_verdict() -> None:
    worse = component_uptime(SPANS, NOW, UTC_ZONE, date(2025, 2, 15), date(2020, 1, 1), 99.9)
    clean = component_uptime([], NOW, UTC_ZONE, date(2025, 1, 1), date(2020, 1, 1))
    group: ComponentUptime = combine([clean, worse])
    assert figures(group.quarters, "quarter") == {
        "2025-Q1": (99.907, 60.0, True),
        "2025-Q2": (99.973, 36.0, True),
        "2025-Q3": (100.0, 0.0, True),
        "2025-Q4": (100.0, 0.0, False),
    }
    assert figures(group.years, "year") == {"2025": (99.975, 96.0, False)}
    assert group.sla is None
    assert all(p.verdict is None for p in group.quarters + group.years + group.months)
