"""Uptime per component: per day over the last 90 days, and per calendar month over the last ten years.

Downtime is minutes in ``major_outage`` plus 0.3 x minutes in ``partial_outage``. A component's
status at each instant is the worst any incident gives it, so overlapping incidents are merged,
never summed; maintenance and degraded performance are not downtime. Days are cut at midnight in
the site's zone, so a DST day has 23 or 25 hours. Days before a component's ``since`` have no data.

Months start at the component's ``since``, else at the month of the site's first incident, and go back at most
MONTHS months: a status page is read for its recent record, and a ``since:`` decades back, or one
incident filed in 1970, must not fill the component pages and ``api/uptime.json`` with empty months.

Quarters and years cover the same stretch, from the same minutes: a quarter's uptime is that of its
minutes, not an average of its months. The first quarter and year count from where the months
start (the component's ``since``), so they may be partial, like the current ones, which count the
time elapsed so far. With an ``sla`` (an uptime target), each month, quarter and year carries its
verdict: met or missed, and by how much, final once the period is over.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from statusgen.derive.timeline import Span
from statusgen.vocabulary import ComponentStatus

DAYS = 90
RECENT_DAYS = 30
MONTHS = 120  # ten years, the current month included
_BY_SEVERITY = sorted(ComponentStatus, key=lambda s: s.severity)


@dataclass(frozen=True)
class Verdict:
    """A period's uptime against the component's target: met or not, by how many percentage
    points it fell short (three decimals), and whether the period is over (``final``) or the
    verdict is so far."""

    target: float
    met: bool
    missed_by: float | None
    final: bool


@dataclass(frozen=True)
class Period:
    """A day, month, quarter or year: uptime in percent (None without data) and downtime in
    minutes, rounded; whether it is over; its verdict against the target, if there is one; for a
    day, the incidents touching it and the worst status it had at any moment."""

    start: date
    uptime: float | None
    downtime_minutes: float
    incidents: tuple[str, ...] = ()
    complete: bool = True
    verdict: Verdict | None = None
    worst: ComponentStatus = ComponentStatus.OPERATIONAL

    @property
    def month(self) -> str:
        return self.start.isoformat()[:7]

    @property
    def quarter(self) -> str:
        """The quarter it starts in, like ``2025-Q4``."""
        return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"

    @property
    def year(self) -> str:
        return str(self.start.year)


@dataclass(frozen=True)
class ComponentUptime:
    days: tuple[Period, ...]
    months: tuple[Period, ...]
    uptime_90d: float | None
    quarters: tuple[Period, ...] = ()
    years: tuple[Period, ...] = ()
    sla: float | None = None
    # The last RECENT_DAYS days' uptime: what a narrow screen shows of the bars.
    uptime_30d: float | None = None


def worst_segments(spans: Iterable[Span], until: datetime) -> list[tuple[datetime, datetime, ComponentStatus]]:
    """The component's merged timeline up to ``until``: (start, end, worst status), non-operational."""
    events: list[tuple[datetime, int, int]] = []
    for span in spans:
        end = until if span.end is None else min(span.end, until)
        if span.start < end:
            events.append((span.start, 1, span.status.severity))
            events.append((end, -1, span.status.severity))
    events.sort()
    counts = [0] * len(_BY_SEVERITY)
    levels = range(len(_BY_SEVERITY) - 1, 0, -1)
    segments: list[tuple[datetime, datetime, ComponentStatus]] = []
    current, since = 0, None
    for moment, delta, level in events:
        counts[level] += delta
        worst = next((lv for lv in levels if counts[lv] > 0), 0)
        if worst != current:
            if current and since is not None and since < moment:
                segments.append((since, moment, _BY_SEVERITY[current]))
            current, since = worst, moment
    return segments


def midnight(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant of local midnight starting ``day``."""
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def _days_between(start: datetime, end: datetime, zone: ZoneInfo) -> Iterator[tuple[date, datetime, datetime]]:
    """Local days overlapping [start, end), each with the part of the interval inside it."""
    day = start.astimezone(zone).date()
    while True:
        lo, hi = midnight(day, zone), midnight(day + timedelta(days=1), zone)
        if lo >= end:
            return
        yield day, max(lo, start), min(hi, end)
        day += timedelta(days=1)


def daily_downtime(segments: Iterable[tuple[datetime, datetime, ComponentStatus]], zone: ZoneInfo) -> dict[date, float]:
    """Weighted downtime minutes per local day."""
    per_day: dict[date, float] = defaultdict(float)
    for start, end, status in segments:
        weight = status.weight
        if weight:
            for day, lo, hi in _days_between(start, end, zone):
                per_day[day] += weight * (hi - lo).total_seconds() / 60
    return per_day


def daily_worst(
    segments: Iterable[tuple[datetime, datetime, ComponentStatus]], zone: ZoneInfo
) -> dict[date, ComponentStatus]:
    """The worst status on each local day that had any other than operational."""
    per_day: dict[date, ComponentStatus] = {}
    for start, end, status in segments:
        for day, _, _ in _days_between(start, end, zone):
            if day not in per_day or status.severity > per_day[day].severity:
                per_day[day] = status
    return per_day


def day_incidents(spans: Iterable[Span], first: date, now: datetime, zone: ZoneInfo) -> dict[date, list[str]]:
    """The incidents touching the component on each local day from ``first`` on."""
    result: dict[date, list[str]] = defaultdict(list)
    floor = midnight(first, zone)
    for span in spans:
        end = now if span.end is None else min(span.end, now)
        if end <= floor or span.start >= now:
            continue
        for day, _, _ in _days_between(max(span.start, floor), max(end, span.start + timedelta(seconds=1)), zone):
            if span.incident not in result[day]:
                result[day].append(span.incident)
    return result


def percent(downtime: float, minutes: float) -> float | None:
    if minutes <= 0:
        return None
    return round(max(0.0, 100.0 * (1 - downtime / minutes)), 3)


def verdict(uptime: float | None, target: float | None, complete: bool) -> Verdict | None:
    """``uptime`` (as shown, to three decimals) against ``target``; None without either."""
    if uptime is None or target is None:
        return None
    met = uptime >= target
    return Verdict(target, met, None if met else round(target - uptime, 3), complete)


def component_uptime(
    spans: list[Span],
    now: datetime,
    zone: ZoneInfo,
    since: date | None,
    history_start: date,
    sla: float | None = None,
) -> ComponentUptime:
    """Uptime of one component as of ``now``, with each month's, quarter's and year's verdict
    against ``sla``, its uptime target in percent, if it has one.

    ``history_start`` is the first month shown when the component has no ``since``.
    """
    today = now.astimezone(zone).date()
    segments = worst_segments(spans, now)
    per_day = daily_downtime(segments, zone)
    worst_of = daily_worst(segments, zone)
    first_day = today - timedelta(days=DAYS - 1)
    incidents = day_incidents(spans, first_day, now, zone)

    def minutes_with_data(lo_day: date, hi_day: date) -> float:
        """Minutes with data from local midnight of lo_day to that of hi_day, stopping at now."""
        if since is not None:
            lo_day = max(lo_day, since)
        lo, hi = midnight(lo_day, zone), min(midnight(hi_day, zone), now)
        return max(0.0, (hi - lo).total_seconds() / 60)

    days = []
    total_down = total_minutes = recent_down = recent_minutes = 0.0
    for offset in range(DAYS):
        day = first_day + timedelta(days=offset)
        minutes = minutes_with_data(day, day + timedelta(days=1))
        down = per_day.get(day, 0.0) if minutes else 0.0
        total_down += down
        total_minutes += minutes
        if offset >= DAYS - RECENT_DAYS:
            recent_down += down
            recent_minutes += minutes
        over = midnight(day + timedelta(days=1), zone) <= now
        worst = worst_of.get(day, ComponentStatus.OPERATIONAL) if minutes else ComponentStatus.OPERATIONAL
        days.append(
            Period(day, percent(down, minutes), round(down, 1), tuple(incidents.get(day, ())), over, worst=worst)
        )

    first = max((since or history_start).replace(day=1), _months_before(today.replace(day=1), MONTHS - 1))
    kept = {day: down for day, down in per_day.items() if day >= first and (since is None or day >= since)}

    def periods(start_of: Callable[[date], date], after: Callable[[date], date]) -> tuple[Period, ...]:
        """The periods from the one holding ``first`` to the one holding today, each counted from
        ``first`` at the earliest (and from ``since``, by minutes_with_data)."""
        downtime: dict[date, float] = defaultdict(float)
        for day, down in kept.items():
            downtime[start_of(day)] += down
        found = []
        start = start_of(first)
        while start <= today:
            following = after(start)
            shown = percent(downtime.get(start, 0.0), minutes_with_data(max(start, first), following))
            complete = midnight(following, zone) <= now
            found.append(
                Period(start, shown, round(downtime.get(start, 0.0), 1), (), complete, verdict(shown, sla, complete))
            )
            start = following
        return tuple(found)

    return ComponentUptime(
        tuple(days),
        periods(_month_of, _next_month),
        percent(total_down, total_minutes),
        periods(_quarter_of, _next_quarter),
        periods(_year_of, _next_year),
        sla,
        percent(recent_down, recent_minutes),
    )


def _month_of(day: date) -> date:
    return day.replace(day=1)


def _next_month(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1)


def _quarter_of(day: date) -> date:
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def _next_quarter(quarter: date) -> date:
    return date(quarter.year + 1, 1, 1) if quarter.month == 10 else date(quarter.year, quarter.month + 3, 1)


def _year_of(day: date) -> date:
    return date(day.year, 1, 1)


def _next_year(year: date) -> date:
    return date(year.year + 1, 1, 1)


def _months_before(month: date, count: int) -> date:
    """The first day of the month ``count`` months before ``month`` (a first of the month)."""
    index = month.year * 12 + month.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


def _worst_period(periods: tuple[Period, ...]) -> Period:
    """The worst of the members' figures for one period; a group has no target, so no verdict."""
    with_data = [p for p in periods if p.uptime is not None]
    worst = min(with_data, key=lambda p: p.uptime or 0.0) if with_data else periods[0]
    incidents = tuple(dict.fromkeys(i for p in periods for i in p.incidents))
    status = max((p.worst for p in periods), key=lambda s: s.severity)
    return Period(worst.start, worst.uptime, worst.downtime_minutes, incidents, worst.complete, worst=status)


def _worst_by_start(members: Iterable[tuple[Period, ...]]) -> tuple[Period, ...]:
    by_start: dict[date, list[Period]] = defaultdict(list)
    for periods in members:
        for period in periods:
            by_start[period.start].append(period)
    return tuple(_worst_period(tuple(by_start[start])) for start in sorted(by_start))


def combine(members: list[ComponentUptime]) -> ComponentUptime:
    """A group's uptime: on each day, month, quarter and year, its worst component's figures."""
    days = tuple(_worst_period(ps) for ps in zip(*(m.days for m in members), strict=True))
    figures = [m.uptime_90d for m in members if m.uptime_90d is not None]
    recent = [m.uptime_30d for m in members if m.uptime_30d is not None]
    return ComponentUptime(
        days,
        _worst_by_start(m.months for m in members),
        min(figures) if figures else None,
        _worst_by_start(m.quarters for m in members),
        _worst_by_start(m.years for m in members),
        uptime_30d=min(recent) if recent else None,
    )
