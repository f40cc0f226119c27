"""Atom, RSS and JSON Feed: one entry per published update, site-wide and per component."""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from urllib.parse import urlsplit

from markupsafe import escape

from statusgen import markup, timeutil
from statusgen.derive.policy import has_postmortem, postmortem_text
from statusgen.derive.state import SiteState
from statusgen.load.config import Site
from statusgen.load.incidents import Incident, Update
from statusgen.render.api import encode
from statusgen.render.languages import Edition, editions
from statusgen.render.units import Unit, key
from statusgen.theme.environment import update_anchor
from statusgen.vocabulary import ComponentStatus

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Entry:
    """One entry of a feed: an update of an incident, or (``postmortem``, with the incident's last
    update and no changes) the incident's postmortem."""

    incident: Incident
    update: Update
    changes: dict[str, tuple[ComponentStatus, ComponentStatus]]
    postmortem: bool = False

    @property
    def at(self) -> datetime:
        """When the entry was published."""
        return postmortem_time(self.incident) if self.postmortem else self.update.at


def postmortem_time(incident: Incident) -> datetime:
    """When the incident's postmortem was published: its ``postmortem_at``, else its last update."""
    return incident.postmortem_at or incident.last_update.at


def _newest(incident: Incident) -> datetime:
    """The time of the incident's newest entry: its last update, or its postmortem if that came
    later (an incident reopened after its postmortem was published has updates after it)."""
    last = incident.last_update.at
    return max(last, postmortem_time(incident)) if has_postmortem(incident) else last


def entry_id(site: Site, incident: Incident, update: Update, edition: Edition | None = None) -> str:
    """A ``tag:`` URI naming one update; it never changes for as long as the update's time does.
    In a language other than the default, the entry is another one (its text is), named so."""
    host = urlsplit(site.url).hostname or "localhost"
    language = f"/{edition.code}" if edition is not None and not edition.default else ""
    return f"tag:{host},{incident.id[:10]}:{incident.id}{language}/{update_anchor(update.at)}"


def postmortem_id(site: Site, incident: Incident, edition: Edition | None = None) -> str:
    """The ``tag:`` URI of the incident's postmortem entry: beside its updates', and like no
    update's, whose names all start with ``update-``."""
    host = urlsplit(site.url).hostname or "localhost"
    language = f"/{edition.code}" if edition is not None and not edition.default else ""
    return f"tag:{host},{incident.id[:10]}:{incident.id}{language}/postmortem"


def _id(site: Site, edition: Edition, entry: Entry) -> str:
    if entry.postmortem:
        return postmortem_id(site, entry.incident, edition)
    return entry_id(site, entry.incident, entry.update, edition)


def entries(state: SiteState, incidents: Iterable[Incident], limit: int) -> list[Entry]:
    """The newest ``limit`` entries of ``incidents``, newest first: each published update, and
    each postmortem published by ``now`` (one dated later is not out yet)."""
    now = state.now
    # No incident has an entry newer than its newest one, so the newest entries all come from
    # the ``limit`` incidents with the newest: only those are looked at, whatever the history's size.
    latest = heapq.nlargest(limit, incidents, key=lambda i: (_shown_newest(i, now), i.id))
    result = [
        Entry(incident, update, changes)
        for incident in latest
        for update, changes in zip(incident.updates, state.changes[incident.id], strict=True)
    ]
    result += [
        Entry(i, i.last_update, {}, postmortem=True) for i in latest if has_postmortem(i) and postmortem_time(i) <= now
    ]
    # At one instant a postmortem follows the update it comes after.
    result.sort(key=lambda e: (e.at, e.incident.id, e.postmortem), reverse=True)
    return result[:limit]


def _shown_newest(incident: Incident, now: datetime) -> datetime:
    newest = _newest(incident)
    return newest if newest <= now else incident.last_update.at


def all_feeds(state: SiteState, edition: Edition | None = None) -> Iterator[Unit]:
    """The site-wide feeds and each component's, keyed on the entries they hold."""
    site = state.config.site
    edition = edition or editions(site)[0]
    every = entries(state, state.incidents, site.feed_entries)
    newest = every[0].at if every else _EPOCH
    words = edition.language
    yield from _feed_files(state, edition, "", site.title, site.description or site.title, every, newest)
    for component in state.config.components:
        chosen = entries(state, state.by_component[component.id], site.feed_entries)
        title = f"{component.name} · {site.title}"
        yield from _feed_files(
            state,
            edition,
            f"components/{component.id}/",
            title,
            words.gettext("Incidents and maintenance affecting %(component)s") % {"component": component.name},
            chosen,
            chosen[0].at if chosen else newest,
        )


def _feed_files(
    state: SiteState,
    edition: Edition,
    prefix: str,
    title: str,
    description: str,
    chosen: Sequence[Entry],
    updated: datetime,
) -> Iterator[Unit]:
    site = state.config.site
    chosen = chosen[: site.feed_entries]
    inputs = [
        edition.language.tag,
        prefix,
        title,
        description,
        updated,
        [(e.incident.id, e.incident.digest, e.at, e.postmortem) for e in chosen],
    ]
    args = (state, edition, prefix, title, description, chosen)
    yield Unit(f"{prefix}feed.atom", key("atom", inputs), partial(_xml, *args, updated, "atom"))
    yield Unit(f"{prefix}feed.rss", key("rss", inputs), partial(_xml, *args, updated, "rss"))
    yield Unit(f"{prefix}feed.json", key("json", inputs), partial(json_feed, *args))


def _title(edition: Edition, entry: Entry) -> str:
    if entry.postmortem:
        # TRANSLATORS: the title of a feed entry that brings an incident's postmortem, as in
        # "Postmortem: Saving changes failed after a database failover".
        return edition.language.gettext("Postmortem: %(title)s") % {"title": entry.incident.title}
    status = edition.language.gettext(entry.update.status.label)
    # TRANSLATORS: a feed entry's title: the incident's title and its update's status.
    return edition.language.gettext("%(title)s: %(status)s") % {"title": entry.incident.title, "status": status}


def _text(entry: Entry) -> str:
    """The markdown an entry brings: its update's message, or the postmortem section."""
    if entry.postmortem:
        return postmortem_text(entry.incident.body) or ""
    return entry.update.message


def _content(state: SiteState, edition: Edition, entry: Entry) -> str:
    html = str(markup.render(_text(entry)))
    names = state.config.by_id
    words = edition.language
    if entry.incident.component_ids:
        # Readers show an entry's text, seldom its categories: the components are said in it.
        affected = ", ".join(names[c].name for c in entry.incident.component_ids)
        html += f"<p>{escape(words.gettext('Affects: %(components)s') % {'components': affected})}</p>"
    if entry.changes:  # a postmortem has none
        items = "".join(
            f"<li>{escape(names[c].name)}: {escape(words.gettext(old.label))} → {escape(words.gettext(new.label))}</li>"
            for c, (old, new) in entry.changes.items()
        )
        html += f"<ul>{items}</ul>"
    return html


def _as_html(text: str) -> str:
    """Text for an RSS title or description, which readers take for HTML: only what a reader could
    take for markup is escaped (``&``, ``<``, ``>``), so quotes reach it as written, not as
    ``&#34;``. The XML around it is escaped once more by the feed's writer."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _link(site: Site, edition: Edition, entry: Entry) -> str:
    page = f"{site.url}{edition.prefix}incidents/{entry.incident.id}/"
    return f"{page}#postmortem" if entry.postmortem else f"{page}#{update_anchor(entry.update.at)}"


def _xml(
    state: SiteState,
    edition: Edition,
    prefix: str,
    title: str,
    description: str,
    chosen: Sequence[Entry],
    updated: datetime,
    kind: str,
) -> bytes:
    from feedgen.feed import FeedGenerator  # loads only when a feed is made

    site = state.config.site
    feed = FeedGenerator()
    prefix = edition.prefix + prefix
    feed.id(site.url + prefix)
    feed.title(_as_html(title) if kind == "rss" else title)
    feed.subtitle(_as_html(description) if kind == "rss" else description)
    feed.author({"name": site.title})
    # feedgen gives RSS the last link added, so the page link goes last.
    feed.link(href=f"{site.url}{prefix}feed.{kind}", rel="self")
    feed.link(href=site.url + prefix, rel="alternate")
    feed.language(edition.language.tag)
    feed.generator("statusgen")
    feed.updated(updated)
    feed.lastBuildDate(updated)
    for entry in chosen:
        item = feed.add_entry(order="append")
        item.id(_id(site, edition, entry))
        item.guid(_id(site, edition, entry), permalink=False)
        # RSS readers take titles and descriptions for HTML; Atom says what type each one is.
        item.title(_as_html(_title(edition, entry)) if kind == "rss" else _title(edition, entry))
        item.link(href=_link(site, edition, entry))
        item.published(entry.at)
        item.updated(entry.at)
        item.content(_content(state, edition, entry), type="html")
        if kind == "rss":
            item.description(str(markup.render(_text(entry))))
        else:
            item.summary(markup.plain(_text(entry)))
        item.category(term=entry.incident.impact, label=edition.language.gettext(entry.incident.impact.label))
    made: bytes = feed.atom_str(pretty=True) if kind == "atom" else feed.rss_str(pretty=True)
    return made


def json_feed(
    state: SiteState, edition: Edition, prefix: str, title: str, description: str, chosen: Sequence[Entry]
) -> bytes:
    """JSON Feed 1.1."""
    site = state.config.site
    prefix = edition.prefix + prefix
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": title,
        "home_page_url": site.url + prefix,
        "feed_url": f"{site.url}{prefix}feed.json",
        "description": description,
        "language": edition.language.tag,
        "authors": [{"name": site.title}],
        "items": [
            {
                "id": _id(site, edition, e),
                "url": _link(site, edition, e),
                "title": _title(edition, e),
                "content_html": _content(state, edition, e),
                "summary": markup.plain(_text(e)),
                "date_published": timeutil.iso(e.at),
                "date_modified": timeutil.iso(e.at),
                "tags": [
                    e.incident.impact,
                    "postmortem" if e.postmortem else e.update.status,
                    *e.incident.component_ids,
                ],
            }
            for e in chosen
        ],
    }
    return encode(document)
