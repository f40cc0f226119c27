"""Dates, times and durations as the site's readers see them, in the site's zone and language."""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_skeleton, format_time, format_timedelta, get_timezone_name, tokenize_pattern
from babel.numbers import format_decimal, format_percent
from babel.units import format_unit
from markupsafe import Markup, escape

from statusgen import i18n, timeutil

# Zones that are UTC by another name, which CLDR names as an "unknown region".
_UNIVERSAL = frozenset(
    {"UTC", "Etc/UTC", "Etc/UCT", "Etc/Universal", "Etc/Zulu", "Etc/GMT", "GMT", "UCT", "Universal", "Zulu"}
)


class Formatter:
    """Locale- and zone-aware formatting of instants for pages.

    A site shows tens of thousands of instants, most on a few thousand days and minutes: each text
    is made once per day or minute shown (Babel takes a while for one), never per instant.
    """

    def __init__(self, zone: ZoneInfo, language: str):
        # Private, as templates get this object: they may format with it, not reach the zone
        # database or the locale data through it.
        self._zone = zone
        self._language = i18n.language(language)
        self._locale = self._language.locale
        self._durations: dict[int, str] = {}
        self._percents: dict[float, str] = {}
        self._minutes: dict[float, str] = {}
        self._downtimes: dict[float, str] = {}
        # A percentage's pattern with up to three decimals: "#,##0.###%", "#,##0.### %" (fr), "%#,##0.###" (tr).
        pattern = self._locale.percent_formats[None].pattern.split(";")[0]
        # How the language joins a date and a time: "{1}, {0}" (en), "{1} {0}" (ja), "{1}، {0}" (ar).
        self._joined = str(self._locale.datetime_formats["medium"]).replace("'", "")
        self._percent_pattern = re.sub(r"0(?![0#.])", "0.###", pattern, count=1)
        self._tags: dict[tuple[datetime, str], Markup] = {}
        self._days: dict[tuple[date, str], str] = {}
        self._clocks: dict[time, str] = {}
        # A clock of the locale shows hours and minutes; were its pattern to show seconds (or
        # milliseconds), the clock would be made per second.
        shown = {
            token[1][0] for token in tokenize_pattern(self._locale.time_formats["short"].pattern) if token[0] == "field"
        }
        self._by_minute = not shown & {"s", "S", "A"}

    @property
    def language_code(self) -> str:
        """The language as the site writes it: ``it``, ``pt-BR``."""
        return self._language.code

    def zone_name(self) -> str:
        """The display zone's name in the language: ``Central European Time``, ``UTC``."""
        key = self._zone.key
        if key in _UNIVERSAL:
            return "UTC"
        return get_timezone_name(self._zone, "long", locale=self._locale)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self._zone)

    def short_date(self, moment: datetime) -> str:
        return self._day(self.local(moment).date(), "medium")

    def long_date(self, day: date) -> str:
        return self._day(day, "long")

    def short_day(self, day: date) -> str:
        return self._day(day, "medium")

    def month(self, day: date) -> str:
        """A month and its year as the language writes them: ``November 2025``, ``2025年11月``."""
        key = (day.replace(day=1), "month")
        text = self._days.get(key)
        if text is None:
            text = self._days[key] = format_skeleton("yMMMM", key[0], locale=self._locale)
        return text

    def quarter(self, day: date) -> str:
        """The quarter holding ``day`` as the language writes it: ``Q4 2025``, ``T4 2025`` (fr), ``2025/Q4`` (ja)."""
        return self._skeleton(date(day.year, (day.month - 1) // 3 * 3 + 1, 1), "yQQQ")

    def year(self, day: date) -> str:
        """The year of ``day`` as the language writes it: ``2025``, ``2025年`` (ja)."""
        return self._skeleton(date(day.year, 1, 1), "y")

    def _skeleton(self, day: date, skeleton: str) -> str:
        key = (day, skeleton)
        text = self._days.get(key)
        if text is None:
            text = self._days[key] = format_skeleton(skeleton, day, locale=self._locale)
        return text

    def _day(self, day: date, style: str) -> str:
        key = (day, style)
        text = self._days.get(key)
        if text is None:
            text = self._days[key] = format_date(day, style, locale=self._locale)
        return text

    def clock(self, moment: datetime) -> str:
        local = self.local(moment)
        shown = local.time()
        if self._by_minute:
            shown = shown.replace(second=0, microsecond=0)
        text = self._clocks.get(shown)
        if text is None:
            text = self._clocks[shown] = format_time(shown, "short", locale=self._locale)
        return f"{text} {local.tzname()}"

    def date_time(self, moment: datetime) -> str:
        """The instant's day and clock, joined as the language joins them: ``Nov 3, 2025, 3:05 PM CET``."""
        return self._joined.format(self.clock(moment), self.short_date(moment))

    def due_style(self, moment: datetime, now: datetime) -> str:
        """How a promised instant is shown as of ``now``: ``clock`` alone when it falls on now's day
        in the site's zone, else ``datetime``, with its date (the ``time`` filter's styles)."""
        return "clock" if self.local(moment).date() == self.local(now).date() else "datetime"

    def due(self, moment: datetime, now: datetime) -> str:
        """A promised instant as text written at ``now`` says it: ``10:55 AM CET`` on now's day,
        ``Nov 24, 2026, 2:00 AM CET`` on another."""
        return self.clock(moment) if self.due_style(moment, now) == "clock" else self.date_time(moment)

    def day_month(self, day: date) -> str:
        """A day of a recent month, without its year, as the language writes it: ``Nov 18``,
        ``18 nov``, ``18. Nov.``."""
        key = (day, "day-month")
        text = self._days.get(key)
        if text is None:
            text = self._days[key] = format_skeleton("MMMd", day, locale=self._locale)
        return text

    def day_tag(self, day: date) -> Markup:
        """A ``<time>`` element showing a day as ``day_month`` does."""
        return Markup(f'<time datetime="{day.isoformat()}">{escape(self.day_month(day))}</time>')

    def time_tag(self, moment: datetime, style: str = "datetime") -> Markup:
        """A ``<time>`` element showing the instant in the site's zone, with the zone named."""
        key = (moment, style)
        tag = self._tags.get(key)
        if tag is None:
            tag = self._tags[key] = self._time_tag(moment, style)
        return tag

    def _time_tag(self, moment: datetime, style: str) -> Markup:
        local = self.local(moment)
        if style == "date":
            text = self.short_date(moment)
        elif style == "clock":
            text = self.clock(moment)
        else:
            text = self.date_time(moment)
        # Joined by hand: what Markup("...{}...").format(...) makes, without its formatter's cost.
        return Markup(f'<time datetime="{escape(timeutil.iso(local))}">{escape(text)}</time>')

    def duration(self, delta: timedelta) -> str:
        """How long something lasted, in words of the language with its plural rules, to the
        minute and in at most two units: ``1 hour, 53 minutes``, ``1 час 53 минуты``, ``3 days``."""
        minutes = int(delta.total_seconds() // 60)
        if delta.total_seconds() < 30:
            return self._language.gettext("under a minute")
        minutes = max(minutes, 1)
        text = self._durations.get(minutes)
        if text is None:
            text = self._durations[minutes] = self._duration(minutes)
        return text

    def _duration(self, minutes: int) -> str:
        days, rest = divmod(minutes, 1440)
        hours, mins = divmod(rest, 60)
        if days:
            parts = [(days, "duration-day"), (hours, "duration-hour")]
        elif hours:
            parts = [(hours, "duration-hour"), (mins, "duration-minute")]
        else:
            parts = [(mins, "duration-minute")]
        words = [format_unit(n, unit, length="long", locale=self._locale) for n, unit in parts if n]
        return words[0] if len(words) == 1 else self._pair(words[0], words[1])

    def _pair(self, first: str, second: str, styles: tuple[str, ...] = ("unit", "unit-short", "unit-narrow")) -> str:
        # Babel's format_list repeats the last item for some locales' unit lists (ar), and fails on
        # others whose narrow lists CLDR leaves to the short ones (de): the pattern for two is used
        # directly, the first of ``styles`` the locale has, else its "and".
        patterns = self._locale.list_patterns
        for style in (*styles, "standard"):
            pattern = patterns[style].get("2") if style in patterns else None
            if pattern:
                return str(pattern).format(first, second)
        return f"{first} {second}"

    def minutes(self, count: float) -> str:
        """A number of minutes in words: ``1,440 minutes``, ``12,5 минуты``."""
        text = self._minutes.get(count)
        if text is None:
            value = Decimal(f"{count:.1f}").normalize()
            text = self._minutes[count] = format_unit(value, "duration-minute", length="long", locale=self._locale)
        return text

    def downtime(self, minutes: float) -> str:
        """Downtime as people read it, in CLDR's short units and at most two of them, joined as
        the language joins units: ``45 min``, ``1 hr, 5 min``, ``24 hr``, ``7 days, 15 hr`` (en),
        ``1 h e 5 min`` (it), ``1小时5分钟`` (zh).

        Rounded half up to its smallest unit shown: under a minute, to the second (``18 sec``,
        never below one second); up to 24 hours, to the minute, in hours and minutes; beyond, to the
        hour, in days and hours. A whole day down reads ``24 hr``, as a day's bar would say it.
        """
        text = self._downtimes.get(minutes)
        if text is None:
            text = self._downtimes[minutes] = self._downtime(minutes)
        return text

    def _downtime(self, minutes: float) -> str:
        if minutes <= 0:
            parts = [(0, "duration-minute")]
        elif minutes < 1:
            parts = [(max(1, _half_up(minutes * 60)), "duration-second")]
        elif (whole := _half_up(minutes)) <= 1440:
            hours, mins = divmod(whole, 60)
            parts = [(hours, "duration-hour"), (mins, "duration-minute")] if hours else [(mins, "duration-minute")]
        else:
            days, hours = divmod(_half_up(minutes / 60), 24)
            parts = [(days, "duration-day"), (hours, "duration-hour")]
        words = [format_unit(n, unit, length="short", locale=self._locale) for n, unit in parts if n or len(parts) == 1]
        if len(words) == 1:
            return words[0]
        return self._pair(words[0], words[1], ("unit-short", "unit"))

    def number(self, value: int | float) -> str:
        """A number as the language writes it: ``1,234`` (en), ``1 234`` (fr)."""
        return format_decimal(value, locale=self._locale)

    def percent(self, value: float | None) -> str:
        """An uptime figure: up to three decimals, as the language writes a percentage
        (``99.98%``, ``99,98 %`` in fr, ``%99,98`` in tr); ``no data`` for a day without any."""
        if value is None:
            return self._language.gettext("no data")
        text = self._percents.get(value)
        if text is None:
            shown = i18n.percent_number(value) / 100
            text = self._percents[value] = format_percent(shown, self._percent_pattern, locale=self._locale)
        return text

    def ago(self, moment: datetime, now: datetime) -> str:
        """How long before ``now`` (the build's time) ``moment`` was, or how long after: ``2 hours
        ago``, ``in 25 minutes``, with CLDR's plural rules."""
        return format_timedelta(moment - now, threshold=1.5, add_direction=True, locale=self._locale)


def _half_up(value: float) -> int:
    """``value`` to the nearest whole number, halves up (``round`` takes 6.5 to 6, the even one)."""
    return math.floor(value + 0.5)
