"""HTML pages, sitemap and robots.txt: pure functions of the site state."""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from functools import partial
from itertools import groupby
from typing import Any, NamedTuple
from xml.sax.saxutils import escape as xml_escape

from statusgen import markup
from statusgen.derive.groups import groups
from statusgen.derive.policy import next_update_due, postmortem
from statusgen.derive.timeline import is_open
from statusgen.derive.uptime import ComponentUptime, Period
from statusgen.load.config import Component
from statusgen.load.incidents import Incident
from statusgen.render.languages import Edition, Localized
from statusgen.render.units import Unit, key
from statusgen.theme.environment import render_page
from statusgen.theme.formatter import Formatter
from statusgen.theme.sandbox import Environment

HISTORY_PAGE_SIZE = 100
COMPONENT_INCIDENTS = 50
RECENT_DAYS = 14
# A sitemap lists at most 50,000 URLs (the protocol's limit) and, as every file of the site, stays
# under 1 MB; the frame is what a sitemap holds besides its URLs.
SITEMAP_URLS = 50_000
SITEMAP_BYTES = 1_000_000
SITEMAP_FRAME = 120
# Incidents a day of the uptime bars names; the others are "and N more", linked to the day in the
# history. A busy history must not fill the home page's 90 days x every bar with links.
BAR_INCIDENTS = 3
# Days with incidents the home page's bars tell in full (figures and incidents), newest first over
# all its bars; older ones say their status alone, which is all a home page of 24 bars x 90 busy
# days can say in 14 KB. A component's page, 90 days of one bar, tells every day in full.
BAR_DETAILS = 30


class Alternate(NamedTuple):
    """The page in one of the site's languages: for ``hreflang`` links and the language switcher."""

    tag: str
    name: str
    url: str
    href: str
    current: bool


class Pages:
    """Renders every page of the site."""

    def __init__(
        self,
        env: Environment,
        localized: Localized,
        formatter: Formatter,
        css: bytes,
        editions: list[Edition] | None = None,
    ):
        self.env = env
        self.localized = localized
        self.edition = localized.edition
        self.editions = editions or [self.edition]
        state = self.state = localized.state
        self.fmt = formatter
        self.words = self.edition.language
        self.site = state.config.site
        self.css_version = hashlib.sha256(css).hexdigest()[:10]
        self.groups = groups(state)
        self.titles = {i.id: i.title for i in state.incidents}
        self._summaries: dict[str, list[object]] = {}
        self._history_days: tuple[list[date], dict[date, int]] | None = None

    def due(self, incident: Incident) -> datetime | None:
        """When the open incident's next update is due by the communication policy."""
        return next_update_due(incident, self.state.config.policy)

    def render(self, template: str, path: str, **context: Any) -> bytes:
        """The page ``path`` of this edition, made from ``template``; a theme's error is raised at
        its line. ``root`` leads from the page to its language's home, ``site_root`` to the site's."""
        prefix = self.edition.prefix
        shown = path[: -len("index.html")] if path.endswith("index.html") else path
        if path == "404.html":  # served at any depth: its links are absolute
            site_root = self.site.base_path
            root = site_root + prefix
        else:
            site_root = "../" * (prefix + path).count("/")
            root = "../" * path.count("/")
        alternates = [
            Alternate(
                e.language.tag,
                e.language.name,
                self.site.url + e.prefix + shown,
                (site_root + e.prefix + shown) or "./",
                e is self.edition,
            )
            for e in self.editions
        ]
        html = render_page(
            self.env,
            template,
            f"{prefix}{path}",
            dict(
                site=self.site,
                lang=self.edition.language.tag,
                dir=self.edition.language.direction,
                alternates=alternates if len(self.editions) > 1 else [],
                untranslated=self.localized.untranslated,
                translating=not self.edition.default,
                site_root=site_root,
                state=self.state,
                root=root,
                canonical=self.site.url + prefix + shown,
                css_version=self.css_version,
                groups=self.groups,
                components=self.state.config.by_id,
                titles=self.titles,
                due=self.due,
                bar_incidents=BAR_INCIDENTS,
                history_day=self.history_day,
                bars_brief_before=self.bars_brief_before() if template == "index.html" else None,
                **context,
            ),
        )
        return html.encode("utf-8")

    def _summary(self, incident: Incident) -> list[object]:
        """What a list row or page of the incident shows beyond its file: its state at now."""
        if incident.id not in self._summaries:
            self._summaries[incident.id] = [
                incident.id,
                incident.digest,
                len(incident.updates),
                self.state.status_of[incident.id],
                self.state.ended(incident),
                self.due(incident),
            ]
        return self._summaries[incident.id]

    def units(self) -> Iterator[Unit]:
        """Every page. Pages of incidents and history are keyed on what they show, so a later
        build can carry them over unchanged; the rest depend on the clock and are always made."""
        yield Unit("index.html", None, self.index)
        for incident in self.state.incidents:
            # An open incident's page says how long it has been going on, and whether its next
            # update is overdue, as of the build: it is made at every build.
            now = self.state.now if self._ongoing(incident) else None
            yield Unit(
                f"incidents/{incident.id}/index.html",
                key("incident", self._summary(incident), now),
                partial(self.incident, incident),
            )
        for component in self.state.config.components:
            shown = self.state.by_component[component.id][:COMPONENT_INCIDENTS]
            figures = self.state.uptime[component.id]
            linked = self._bars_links(figures)
            yield Unit(
                f"components/{component.id}/index.html",
                key(
                    "component",
                    component.id,
                    self.state.components[component.id],
                    self.state.reasons.get(component.id),
                    figures,
                    linked,
                    len(self.state.by_component[component.id]),
                    [self._summary(i) for i in shown],
                ),
                partial(self.component, component),
            )
        incidents = self.state.incidents
        pages = history_pages(len(incidents))
        for number in range(1, pages + 1):
            chunk = incidents[(number - 1) * HISTORY_PAGE_SIZE : number * HISTORY_PAGE_SIZE]
            yield Unit(
                history_path(number),
                key("history", number, pages, [self._summary(i) for i in chunk]),
                partial(self.history, number, pages, chunk),
            )
        yield Unit("subscribe/index.html", key("subscribe", self._listed()), self.subscribe)
        yield Unit("embed/index.html", key("embed", *self._embedded()), self.embed)
        yield Unit(
            "404.html",
            key("404"),
            partial(self.render, "404.html", "404.html", page_title=self.words.gettext("Page not found")),
        )
        if self.edition.default:  # one of each for the whole site
            for path, data in self.sitemaps():
                yield Unit(path, None, partial(bytes, data))
            yield Unit("robots.txt", key("robots"), self.robots)

    def _ongoing(self, incident: Incident) -> bool:
        return not incident.is_maintenance and is_open(incident)

    def index(self) -> bytes:
        today = self.fmt.local(self.state.now).date()
        recent = [
            i
            for i in self.state.incidents
            if self.fmt.local(i.when).date() > today - timedelta(days=RECENT_DAYS) and i.when <= self.state.now
        ]
        by_day = {day: list(items) for day, items in groupby(recent, key=lambda i: self.fmt.local(i.when).date())}
        days = [(today - timedelta(days=n), by_day.get(today - timedelta(days=n), [])) for n in range(RECENT_DAYS)]
        return self.render(
            "index.html",
            "index.html",
            page_title=None,
            past=past_days(days),
            excerpt=excerpt,
            webcal=self.webcal(),
            shown_groups=groups(self.state, upstream=True),
        )

    def webcal(self) -> str:
        """The maintenance calendar's address for a calendar app to subscribe to."""
        return "webcal://" + self.site.url.split("://", 1)[1] + self.edition.prefix + "maintenance.ics"

    def _listed(self) -> list[object]:
        """What the subscribe page shows beyond the site's settings: the components, by group."""
        return [(g.name, [(c.id, c.name) for c in g.components]) for g in self.groups]

    def subscribe(self) -> bytes:
        """Every way to follow the site: its feeds, each component's, the calendar, chat, email,
        and the badge and embed snippets, with the site's absolute addresses filled in."""
        return self.render(
            "subscribe.html",
            "subscribe/index.html",
            page_title=self.words.gettext("Subscribe to updates"),
            home=self.site.url + self.edition.prefix,
            webcal=self.webcal(),
        )

    def _embedded(self) -> tuple[object, ...]:
        """What the embed page shows: the overall status and what is open now."""
        state = self.state
        shown = [(i.id, i.title) for i in (*state.open_incidents, *state.active_maintenance)]
        return state.indicator, state.description, shown

    def embed(self) -> bytes:
        """A small page for an iframe on another site: the overall status, the open incident."""
        state = self.state
        return self.render(
            "embed.html",
            "embed/index.html",
            page_title=self.words.gettext("Current status"),
            home=self.site.url + self.edition.prefix,
            shown=(state.open_incidents or state.active_maintenance)[:1],
        )

    def incident(self, incident: Incident) -> bytes:
        updates = list(zip(incident.updates, self.state.changes[incident.id], strict=True))
        updates.reverse()
        return self.render(
            "incident.html",
            f"incidents/{incident.id}/index.html",
            page_title=incident.title,
            incident=incident,
            updates=updates,
            next_update=self.due(incident),
            ongoing=self.state.duration(incident) if self._ongoing(incident) else None,
            postmortem=postmortem(incident.body),
        )

    def component(self, component: Component) -> bytes:
        incidents = self.state.by_component[component.id]
        return self.render(
            "component.html",
            f"components/{component.id}/index.html",
            page_title=component.name,
            component=component,
            incidents=incidents[:COMPONENT_INCIDENTS],
            more=len(incidents) > COMPONENT_INCIDENTS,
        )

    def _bars_links(self, figures: ComponentUptime) -> list[object]:
        """What the links of a component's uptime bars show: each day's incidents with their
        titles, and where a day's "and N more" leads, which moves as the history grows."""
        linked: list[object] = [(i, self.titles.get(i)) for day in figures.days for i in day.incidents]
        linked += [
            self.history_day(day.start)
            for day in figures.days
            if sum(i in self.titles for i in day.incidents) > BAR_INCIDENTS
        ]
        return linked

    def bars_brief_before(self) -> date | None:
        """The first day the home page's bars tell in full: of all its bars' days with incidents,
        the newest BAR_DETAILS at most, whole days at a time; None when every day fits."""
        shown = [g.uptime for g in self.groups if g.uptime is not None]
        shown += [self.state.uptime[c.id] for c in self.state.config.components]
        # A column a day, oldest first, of every bar's Period of that day.
        columns: list[tuple[Period, ...]] = list(zip(*(figures.days for figures in shown), strict=True))
        told = 0
        for index in range(len(columns) - 1, -1, -1):
            told += sum(1 for day in columns[index] if any(i in self.titles for i in day.incidents))
            if told > BAR_DETAILS:
                # This day is one too many: those after it are told in full, and today always.
                return columns[min(index + 1, len(columns) - 1)][0].start
        return None

    def history_day(self, day: date) -> str:
        """Where ``day`` is in the history, from the root of the language: the page and anchor of
        the incidents that started on it, else of the nearest older day's (where those that
        touched it began), else the history's first page."""
        if self._history_days is None:
            self._history_days = history_days(self.state.incidents, self.fmt)
        anchored, page_of = self._history_days
        index = bisect.bisect_right(anchored, day)
        if index == 0:
            return history_dir(1)
        found = anchored[index - 1]
        return f"{history_dir(page_of[found])}#{day_anchor(found)}"

    def history(self, number: int, pages: int, chunk: tuple[Incident, ...]) -> bytes:
        months = [
            (month, list(items))
            for month, items in groupby(chunk, key=lambda i: self.fmt.local(i.when).date().replace(day=1))
        ]
        return self.render(
            "history.html",
            history_path(number),
            page_title=self.words.gettext("History"),
            months=months,
            number=number,
            pages=pages,
            history_dir=history_dir,
            by_day=partial(by_day, self.fmt),
            day_anchor=day_anchor,
        )

    def sitemaps(self) -> list[tuple[str, bytes]]:
        """``sitemap.xml``, every page of the site; when that would pass a sitemap's limits (or
        the 1 MB every file stays under), ``sitemap.xml`` is an index of ``sitemap-N.xml`` files."""
        entries: list[tuple[str, date | None]] = [("", None)]
        entries += [(f"incidents/{i.id}/", self.fmt.local(i.last_update.at).date()) for i in self.state.incidents]
        entries += [(f"components/{c.id}/", None) for c in self.state.config.components]
        entries.append(("subscribe/", None))
        pages = history_pages(len(self.state.incidents))
        entries += [(history_dir(n), None) for n in range(1, pages + 1)]
        # Each language's page is listed; the pages name their other languages themselves
        # (hreflang), so the sitemap grows with the languages, not with their square.
        urls = [
            f"  <url><loc>{xml_escape(self.site.url + edition.prefix + path)}</loc>"
            + (f"<lastmod>{lastmod.isoformat()}</lastmod>" if lastmod else "")
            + "</url>"
            for path, lastmod in entries
            for edition in self.editions
        ]
        parts = sitemap_parts(urls)
        if len(parts) == 1:
            return [("sitemap.xml", sitemap_file("urlset", parts[0]))]
        names = [f"sitemap-{n}.xml" for n in range(1, len(parts) + 1)]
        listed = [f"  <sitemap><loc>{xml_escape(self.site.url + name)}</loc></sitemap>" for name in names]
        files = [("sitemap.xml", sitemap_file("sitemapindex", listed))]
        return files + [(name, sitemap_file("urlset", part)) for name, part in zip(names, parts, strict=True)]

    def robots(self) -> bytes:
        return f"User-agent: *\nAllow: /\nSitemap: {self.site.url}sitemap.xml\n".encode()


def by_day(fmt: Formatter, incidents: list[Incident]) -> list[tuple[date, list[Incident]]]:
    """``incidents``, in their order, grouped by the local day each started on."""
    return [(day, list(items)) for day, items in groupby(incidents, key=lambda i: fmt.local(i.when).date())]


def day_anchor(day: date) -> str:
    """The fragment id of a day's incidents in the history: ``d-2025-11-03``."""
    return f"d-{day.isoformat()}"


def history_days(incidents: tuple[Incident, ...], fmt: Formatter) -> tuple[list[date], dict[date, int]]:
    """The local days incidents started on, oldest first, and for each the first history page
    (the newest of them) that lists one of them."""
    page_of: dict[date, int] = {}
    for index, incident in enumerate(incidents):
        page_of.setdefault(fmt.local(incident.when).date(), index // HISTORY_PAGE_SIZE + 1)
    return sorted(page_of), page_of


def sitemap_parts(urls: list[str]) -> list[list[str]]:
    """``urls`` (lines of a sitemap) in as few sitemaps as hold them, in order: each of at most
    SITEMAP_URLS lines and SITEMAP_BYTES bytes, the limits of the sitemap protocol and of a file of
    the site; always one, even empty."""
    parts: list[list[str]] = [[]]
    size = SITEMAP_FRAME
    for url in urls:
        length = len(url.encode()) + 1
        if parts[-1] and (len(parts[-1]) == SITEMAP_URLS or size + length > SITEMAP_BYTES):
            parts.append([])
            size = SITEMAP_FRAME
        parts[-1].append(url)
        size += length
    return parts


def sitemap_file(root: str, lines: list[str]) -> bytes:
    """A sitemap (``urlset``) or sitemap index (``sitemapindex``) of ``lines``."""
    head = ['<?xml version="1.0" encoding="UTF-8"?>', f'<{root} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    return "\n".join([*head, *lines, f"</{root}>\n"]).encode()


def history_pages(incidents: int) -> int:
    """How many pages the history of this many incidents takes: at least one, even when empty."""
    return max(1, -(-incidents // HISTORY_PAGE_SIZE))


def history_path(number: int) -> str:
    return "history/index.html" if number == 1 else f"history/page/{number}/index.html"


def history_dir(number: int) -> str:
    return history_path(number)[: -len("index.html")]


# The home page's "Past incidents" shows at most this many incidents of its 14 days, newest first:
# the others of a day are "and N more", linked to it in the history, so that a busy fortnight
# keeps the page small.
PAST_INCIDENTS = 20


class PastDays(NamedTuple):
    """Days of the home page's "Past incidents", newest first: one day with the incidents it
    shows and how many more it had, or a run of quiet days from ``first`` to ``last`` (the same
    day for one)."""

    first: date
    last: date
    incidents: list[Incident]
    more: int = 0


def past_days(days: list[tuple[date, list[Incident]]], limit: int = PAST_INCIDENTS) -> list[PastDays]:
    """``days`` (newest first) with each run of days without incidents made one entry, and no
    more than ``limit`` incidents shown in all."""
    shown: list[PastDays] = []
    left = limit
    for day, incidents in days:
        if not incidents and shown and not shown[-1].incidents and not shown[-1].more:
            shown[-1] = shown[-1]._replace(first=day)
        else:
            listed = incidents[:left]
            left -= len(listed)
            shown.append(PastDays(day, day, listed, len(incidents) - len(listed)))
    return shown


EXCERPT_LENGTH = 160


def excerpt(message: str, length: int = EXCERPT_LENGTH) -> str:
    """The start of a message as plain text, for a list: its text as the page shows it (markup
    rendered, sanitized and dropped), whole when short, else cut at the last word that fits and
    ended with "…". Text of a language written without spaces is cut at ``length``."""
    text = " ".join(markup.plain(message).split())
    if len(text) <= length:
        return text
    cut = text[: length + 1]
    space = cut.rfind(" ")
    # A word as long as half the excerpt (a URL) is cut where it stands.
    cut = cut[:space] if space > length // 2 else text[:length]
    return cut.rstrip(" ,;:.-–—") + "…"
