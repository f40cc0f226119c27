"""Incidents for tests: model objects made in one line, and incident files to write into a repository."""

from __future__ import annotations

from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

from statusgen.load.incidents import Incident, Update, Window
from statusgen.vocabulary import as_impact, as_update_status

# An update as the factories take it: (time, status) or (time, status, {component: status}).
UpdateSpec = tuple[str, str] | tuple[str, str, dict[str, str]]


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def incident(iid: str, components: dict[str, str], *updates: UpdateSpec, impact: str = "major") -> Incident:
    """updates: (time, status[, {component: status}])"""
    return Incident(
        id=iid,
        path=f"incidents/{iid}.md",
        title=iid,
        kind="incident",
        impact=as_impact(impact),
        components=components,
        updates=tuple(Update(t(u[0]), as_update_status(u[1]), "m", u[2] if len(u) > 2 else {}) for u in updates),
    )


def maintenance(
    iid: str, start: str, end: str, *updates: tuple[str, str], components: tuple[str, ...] = ("db",)
) -> Incident:
    return Incident(
        id=iid,
        path=f"incidents/{iid}.md",
        title=iid,
        kind="maintenance",
        impact=as_impact("maintenance"),
        components={c: "under_maintenance" for c in components},
        updates=tuple(Update(t(u[0]), as_update_status(u[1]), "m") for u in updates),
        window=Window(t(start), t(end)),
    )


ONGOING = """\
---
title: Dashboard unavailable
impact: critical
components: {web: major_outage, api: degraded_performance}
updates:
  - at: 2025-11-10T10:00:00Z
    status: investigating
    message: The dashboard does not load. Next update by 10:30 UTC.
---
"""


MAINT_FILE = """\
---
title: Upgrade {n}
kind: maintenance
window: {{start: {start}, end: {end}}}
components: [db]
updates:
  - at: 2025-11-01T09:00:00Z
    status: scheduled
    message: Upgrade.
{extra}---
"""


# A maintenance window on the database, announced on 2025-11-01.
MAINT = """\
---
title: Database upgrade
kind: maintenance
window: {start: 2025-11-20T02:00:00Z, end: 2025-11-20T04:00:00Z}
components: [db]
updates:
  - at: 2025-11-01T09:00:00Z
    status: scheduled
    message: We will upgrade the database.
---
"""


class Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.times: list[tuple[str, str]] = []
        self._time: str | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "a" and "href" in attributes:
            self.links.append(attributes["href"] or "")  # a bare href is the empty URL
        if tag == "time":
            self._time = attributes["datetime"]

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._time:
            self.times.append((self._time, data))
            self._time = None


def collect(html: str) -> Collector:
    parser = Collector()
    parser.feed(html)
    return parser


def internal_links_checked(site: Path) -> int:
    """How many links of the site's pages (404.html aside, as it is served anywhere) lead into the
    site; each one is asserted to lead to a file that exists."""
    checked = 0
    for page in site.rglob("*.html"):
        if page.name == "404.html":
            continue
        for href in collect(page.read_text()).links:
            if href.startswith(("https://", "http://", "#", "mailto:", "webcal://")):
                continue
            target = (page.parent / href.split("#")[0].split("?")[0]).resolve()
            if target.is_dir():
                target = target / "index.html"
            assert target.is_file(), f"{page.relative_to(site)} links to missing {href}"
            checked += 1
    return checked
