"""Dates, times and durations as the site's readers see them, in the site's zone and language."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time, tokenize_pattern
from markupsafe import Markup, escape

from statusgen import timeutil


class Formatter:
    """Locale- and zone-aware formatting of instants for pages.

    A site shows tens of thousands of instants, most on a few thousand days and minutes: each text
    is made once per day or minute shown (Babel takes a while for one), never per instant.
    """

    def __init__(self, zone: ZoneInfo, language: str):
        # Private, as templates get this object: they may format with it, not reach the zone
        # database or the locale data through it.
        self._zone = zone
        self._locale = Locale.parse(language.replace("-", "_"))
        self._tags: dict[tuple[datetime, str], Markup] = {}
        self._days: dict[tuple[date, str], str] = {}
        self._clocks: dict[time, str] = {}
        # A clock of the locale shows hours and minutes; were its pattern to show seconds (or
        # milliseconds), the clock would be made per second.
        shown = {
            token[1][0] for token in tokenize_pattern(self._locale.time_formats["short"].pattern) if token[0] == "field"
        }
        self._by_minute = not shown & {"s", "S", "A"}

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self._zone)

    def short_date(self, moment: datetime) -> str:
        return self._day(self.local(moment).date(), "medium")

    def long_date(self, day: date) -> str:
        return self._day(day, "long")

    def short_day(self, day: date) -> str:
        return self._day(day, "medium")

    def month(self, day: date) -> str:
        return self._day(day, "LLLL y")

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
            text = f"{self.short_date(moment)}, {self.clock(moment)}"
        # Joined by hand: what Markup("...{}...").format(...) makes, without its formatter's cost.
        return Markup(f'<time datetime="{escape(timeutil.iso(local))}">{escape(text)}</time>')
