"""``maintenance.ics``: the maintenance windows as a subscribable iCalendar (RFC 5545) feed.

It holds the windows to come and those that ended in the last twelve months, not every window
ever: a calendar app shows what is planned and what happened lately, and a history of years would
grow the file without end. icalendar is imported when a calendar is made, so that a build whose
calendars are all carried over never loads it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from statusgen import markup
from statusgen.derive.maintenance import leaves_calendar
from statusgen.derive.state import SiteState
from statusgen.load.incidents import Incident
from statusgen.render.languages import Edition, editions
from statusgen.vocabulary import MaintenanceStatus

if TYPE_CHECKING:
    from icalendar import Calendar


def kept(state: SiteState) -> list[Incident]:
    """The maintenance the calendar holds, oldest first: each whose window has not yet left it
    by the build's "now" (see ``leaves_calendar``). Which those are changes with the clock alone."""
    now = state.now
    return sorted(
        (m for m in state.incidents if m.is_maintenance and m.window is not None and now < leaves_calendar(m)),
        key=lambda m: (m.when, m.id),
    )


def calendar(state: SiteState, edition: Edition | None = None) -> bytes:
    """One event per maintenance window kept (see ``kept``), in UTC.

    Nothing else depends on the build time: DTSTAMP is the newest update of the maintenance, and
    SEQUENCE counts its updates after the first, so every update bumps it.
    """
    from icalendar import Calendar, Event, vText

    site = state.config.site
    edition = edition or editions(site)[0]
    words = edition.language
    host = urlsplit(site.url).hostname or "localhost"
    cal = Calendar()
    cal.add("prodid", f"-//statusgen//maintenance calendar//{edition.language.tag.upper()}")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    # How often a calendar app should look again (RFC 7986, and Outlook's own property).
    cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vText("PT1H"))
    # Extension properties are not known to be text, so icalendar escapes them only when told.
    cal.add("x-wr-calname", vText(words.gettext("%(site)s: maintenance") % {"site": site.title}))
    cal.add("x-wr-caldesc", vText(words.gettext("Scheduled maintenance of %(site)s") % {"site": site.title}))
    names = state.config.by_id
    for item in kept(state):
        assert item.window is not None
        cancelled = item.last_update.status == MaintenanceStatus.CANCELLED
        link = f"{site.url}{edition.prefix}incidents/{item.id}/"
        affected = ", ".join(names[c].name for c in item.component_ids)
        event = Event()
        # Each language's calendar is a calendar of its own: its events are not the same events.
        language = "" if edition.default else f".{edition.code}"
        event.add("uid", f"{item.id}{language}@{host}")
        event.add("dtstamp", item.last_update.at)
        event.add("last-modified", item.last_update.at)
        event.add("created", item.started)
        event.add("sequence", len(item.updates) - 1)
        event.add("dtstart", item.window.start)
        event.add("dtend", item.window.end)
        event.add("summary", words.gettext("Maintenance: %(title)s") % {"title": item.title})
        # Only what updates say goes in the event, so it changes exactly when SEQUENCE goes up.
        affects = words.gettext("Affects: %(components)s") % {"components": affected}
        event.add("description", f"{markup.plain(item.last_update.message)}\n\n{affects}\n{link}")
        event.add("url", link)
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return serialized(cal)


def serialized(cal: Calendar) -> bytes:
    """``cal.to_ical()``: the same bytes, sooner. icalendar folds every line a character at a time,
    which took most of the calendar's time; a line under the 75 bytes a line may hold is left as
    it is by the folding, so only the longer ones go through it."""
    lines = []
    for line in cal.content_lines():
        if line:
            data = line.encode("utf-8")
            lines.append(data if len(data) < 75 else line.to_ical())
    return b"\r\n".join(lines) + b"\r\n"
