"""Upstream status: the providers and sibling pages a site shows beside its own components.

``upstream:`` in statusgen.yaml lists Statuspage-compatible pages (a cloud, a git host, another
statusgen site). Each build fetches their ``api/v2/summary.json`` (statusgen.upstream) and keeps
the last good document in ``.statusgen/upstream/ID.json`` with its fetch time; this module reads
the entries, checks documents against the Statuspage shape, and turns what is kept into the state
the pages show. Nothing here reaches the network.

An upstream document is someone else's content: every text is bounded and shown escaped, and a
link in it is kept only if it is an http(s) address.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from statusgen.errors import Problem, StatusgenError, did_you_mean
from statusgen.inputs import is_loopback, read_text, repository_path_problem
from statusgen.load.fields import Reader, slug_ok
from statusgen.load.yamltext import YList, YMap, line_of
from statusgen.timeutil import iso
from statusgen.vocabulary import ComponentStatus, as_component_status

KEYS = ("id", "name", "url", "document", "components", "group", "affects", "timeout")
KEPT_FOLDER = ".statusgen/upstream"
DEFAULT_TIMEOUT = 10.0  # seconds, for one upstream
MAX_TIMEOUT = 30.0  # the overall deadline of all fetches of a build (statusgen.upstream.DEADLINE)
# A kept state older than this, at the build's now, is shown as out of date: the scheduled
# publishing runs every 15 minutes, so a fresh one is never older than two runs.
STALE_AFTER = timedelta(minutes=30)
MAX_UPSTREAMS = 10  # pages in upstream:, each bounded below, so the home page stays small
MAX_TEXT = 120  # characters of an upstream's name or a component's name shown
MAX_TITLE = 200  # characters of an upstream incident's title shown
MAX_COMPONENTS = 30  # of an upstream's components shown: name the ones to show in components:
MAX_EVENTS = 5  # of an upstream's open incidents and active maintenance shown
MAX_SPELLS = 1000  # past non-operational spells kept for each upstream
# How far back a component first seen in trouble may say its trouble began.
FIRST_LOOK_BACK = timedelta(hours=24)
SUMMARY_PATH = "api/v2/summary.json"
# The times an upstream document may hold: any other is refused with the document.
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
_ID_HINT = "ids appear in the API, e.g. github or payments-team"
_OPEN_INCIDENT = ("investigating", "identified", "monitoring")
_INCIDENT_STATUSES = (*_OPEN_INCIDENT, "resolved", "postmortem")
_ACTIVE_MAINTENANCE = ("in_progress", "verifying")
_MAINTENANCE_STATUSES = ("scheduled", *_ACTIVE_MAINTENANCE, "completed")


@dataclass(frozen=True)
class Upstream:
    """One entry of ``upstream:``: where its status comes from and where it is shown.

    ``url`` is the address of its summary document (``api/v2/summary.json`` under the page
    given); ``document`` instead names such a document kept in the repository, read as it is.
    """

    id: str
    name: str | None
    url: str | None
    page: str  # the page's address as written, linked from the site
    document: str | None
    components: tuple[str, ...]
    group: str | None
    affects: tuple[str, ...]
    timeout: float
    line: int
    components_line: int


@dataclass(frozen=True)
class UpstreamComponent:
    """A component of an upstream page, as this site shows it; ``key`` is its id in this site's
    API (``UPSTREAM.THEIRS``: no component id of this site has a dot)."""

    key: str
    their_id: str
    name: str
    status: ComponentStatus
    description: str
    since: datetime | None  # when it took its status, as the upstream says


@dataclass(frozen=True)
class UpstreamEvent:
    """An open incident or an active maintenance of an upstream page."""

    name: str
    status: str
    impact: str
    url: str
    updated: datetime | None
    maintenance: bool


@dataclass(frozen=True)
class Spell:
    """A time one upstream component spent in one status other than operational, and this site's
    components that followed it then (``affects:`` while it lasted)."""

    component: str  # the upstream's id of it
    status: ComponentStatus
    start: datetime
    end: datetime | None  # None: it lasts
    followers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Summary:
    """What this site reads of a Statuspage summary document."""

    name: str
    url: str
    updated: datetime | None
    components: tuple[UpstreamComponent, ...]  # every component that is not a group, in order
    groups: dict[str, tuple[str, ...]]  # a group's name -> its components' ids
    events: tuple[UpstreamEvent, ...]


@dataclass(frozen=True)
class UpstreamState:
    """An upstream as kept: what is known of it, and as of when (None: nothing was ever fetched).

    ``failed`` when the latest fetch failed, ``error`` saying why; ``fetched`` for an upstream
    fetched from its url, whose kept state grows old (see ``stale``), unlike a document kept in
    the repository.
    """

    upstream: Upstream
    name: str
    page: str
    components: tuple[UpstreamComponent, ...] = ()
    events: tuple[UpstreamEvent, ...] = ()
    as_of: datetime | None = None
    failed: bool = False
    error: str | None = None
    spells: tuple[Spell, ...] = ()
    fetched: bool = True

    def stale(self, now: datetime) -> bool:
        """Whether a build at ``now`` shows it as out of date: never fetched, the latest fetch
        failed, or fetched longer than STALE_AFTER ago."""
        if not self.fetched:
            return False
        return self.as_of is None or self.failed or now - self.as_of > STALE_AFTER


class ShapeError(ValueError):
    """A document that is not a Statuspage summary; the text says what is wrong."""


# -- statusgen.yaml ---------------------------------------------------------------------------


def read_upstream(reader: Reader, value: object, line: int, ids: set[str], root: Path) -> list[Upstream]:
    """The ``upstream:`` list; problems reported at their lines. ``ids`` are this site's
    component ids, which ``affects:`` names."""
    if value is None:
        return []
    if not isinstance(value, YList):
        reader.error(line, "'upstream' must be a list of status pages", "each has an id and a url, e.g. - id: github")
        return []
    result: list[Upstream] = []
    seen: dict[str, int] = {}
    if len(value) > MAX_UPSTREAMS:
        reader.error(
            line_of(value, MAX_UPSTREAMS),
            f"at most {MAX_UPSTREAMS} upstream pages, not {len(value)}",
            "show the providers your customers ask about; gather many team pages on an organisation page",
        )
    for index, item in enumerate(value[:MAX_UPSTREAMS]):
        entry = reader.mapping(item, "an upstream", line_of(value, index))
        if entry is None:
            continue
        reader.keys(entry, KEYS, ("id",), "upstream")
        uid = reader.text(entry, "id")
        at = line_of(entry, "id", entry.line)
        if uid and not slug_ok(uid):
            reader.error(at, f"upstream id {uid!r} must use only a-z, 0-9 and '-'", _ID_HINT)
            continue
        if uid in seen:
            reader.error(at, f"duplicate upstream id {uid!r}", f"already used on line {seen[uid]}")
            continue
        source = _source(reader, entry, root)
        if not uid or source is None:
            continue
        seen[uid] = at
        url, page, document = source
        affects = reader.string_list(entry, "affects")
        for cid in affects:
            if cid not in ids:
                reader.error(line_of(entry, "affects"), f"unknown component {cid!r}", did_you_mean(cid, ids))
        result.append(
            Upstream(
                uid,
                reader.text(entry, "name") or None,
                url,
                page,
                document,
                tuple(reader.string_list(entry, "components")),
                reader.text(entry, "group") or None,
                tuple(affects),
                _timeout(reader, entry),
                at,
                line_of(entry, "components", at),
            )
        )
    return result


def _source(reader: Reader, entry: YMap, root: Path) -> tuple[str | None, str, str | None] | None:
    """Where an upstream's status comes from: (summary address, page address, None) for ``url:``,
    (None, page address, path) for ``document:``; None, reported, for neither or a bad one."""
    url, document = reader.text(entry, "url"), reader.text(entry, "document")
    if url and document:
        reader.error(
            line_of(entry, "document"),
            "an upstream has either a url or a document, not both",
            "url: fetches the page's status at each build; document: reads one kept in the repository",
        )
        return None
    if document:
        problem = repository_path_problem(
            root,
            document,
            "upstream document",
            "give a path inside the repository, like upstream/provider.json",
            (".json",),
            ("must be a .json file", "save the provider's api/v2/summary.json as a .json file"),
            "give the path of the .json file itself",
        )
        if problem is not None:
            reader.error(line_of(entry, "document"), *problem)
            return None
        return None, "", document
    if not url:
        reader.error(
            entry.line,
            "an upstream needs a url",
            "the address of a Statuspage-compatible page, e.g. https://www.githubstatus.com/",
        )
        return None
    problem = address_problem(url)
    if problem is not None:
        reader.error(line_of(entry, "url"), *problem)
        return None
    return summary_address(url), page_address(url), None


def address_problem(url: str) -> tuple[str, str] | None:
    """What is wrong with ``url`` as an upstream page to fetch, and a hint, if anything: it must
    be https (or http on this machine's loopback), with a host, no credentials and no query."""
    hint = "give the page's https:// address, e.g. https://www.githubstatus.com/"
    if "@" in url.split("?", 1)[0].split("#", 1)[0]:
        # Not quoted back: what is before the @ may be someone's password.
        return "upstream url must not hold a user name or password", "a status page is public: give its address alone"
    if any(c.isspace() or not c.isprintable() for c in url):
        return "upstream url must not contain spaces or control characters", hint
    if "?" in url or "#" in url:
        return "upstream url must not have a query or fragment", "a status page is public: give its address alone"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        return f"upstream url {url!r} is not a valid URL", hint
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return f"upstream url must be an http(s) address with a host, not {url!r}", hint
    if scheme == "http" and not is_loopback(parts.hostname):
        return f"upstream url must use https, not {url!r}", "plain http is read only from this machine (127.0.0.1)"
    return None


def summary_address(url: str) -> str:
    """The summary document of the page at ``url`` (or ``url`` itself if it names the document)."""
    if urlsplit(url).path.endswith("/" + SUMMARY_PATH):
        return url
    base = url.split("?", 1)[0].split("#", 1)[0]
    return (base if base.endswith("/") else base + "/") + SUMMARY_PATH


def page_address(url: str) -> str:
    """The page a reader is sent to for the upstream at ``url``."""
    base = url.split("?", 1)[0].split("#", 1)[0]
    if base.endswith("/" + SUMMARY_PATH):
        return base[: -len(SUMMARY_PATH)]
    return base if base.endswith("/") else base + "/"


def _timeout(reader: Reader, entry: YMap) -> float:
    value = entry.get("timeout")
    if value is None:
        return DEFAULT_TIMEOUT
    text = str(value).strip().lower()
    hint = f"write it in seconds, like 10s; at most {MAX_TIMEOUT:g}s"
    number = text[:-1] if text.endswith("s") else text
    try:
        seconds = float(number)
    except ValueError:
        seconds = -1.0
    if isinstance(value, bool) or not 0 < seconds <= MAX_TIMEOUT:
        reader.error(line_of(entry, "timeout"), f"unreadable upstream timeout {value!r}", hint)
        return DEFAULT_TIMEOUT
    return seconds


# -- the Statuspage summary document ----------------------------------------------------------


def parse_summary(data: object, key_prefix: str) -> Summary:
    """The parts of a Statuspage summary this site shows; ShapeError if ``data`` is not one.

    ``key_prefix`` (the upstream's id) begins each component's key in this site's API.
    """
    top = _mapping(data, "the document")
    page = _mapping(top.get("page"), "'page'")
    name = _text(page.get("name"), "page.name")
    url = _link(page.get("url"))
    components = top.get("components")
    if not isinstance(components, list):
        raise ShapeError("'components' must be a list")
    leaves: list[UpstreamComponent] = []
    members: dict[str, list[str]] = {}  # a group's id -> its components' ids
    group_names: dict[str, str] = {}
    seen: set[str] = set()
    for index, raw in enumerate(components):
        item = _mapping(raw, f"components[{index}]")
        their = _identifier(item.get("id"), f"components[{index}].id")
        label = _text(item.get("name"), f"components[{index}].name")
        key = f"{key_prefix}.{_key(their)}"
        if key in seen:  # listed twice: the first is the one shown, and the only one in the API
            continue
        seen.add(key)
        if item.get("group") is True:
            group_names[their] = label
            continue
        status = item.get("status")
        if status not in ComponentStatus.words():
            raise ShapeError(f"components[{index}].status: unknown status {_quoted(status)}")
        leaves.append(
            UpstreamComponent(
                key,
                their,
                label,
                as_component_status(status),
                _optional_text(item.get("description")),
                _time(item.get("updated_at"), f"components[{index}].updated_at"),
            )
        )
        if isinstance(item.get("group_id"), str):
            members.setdefault(item["group_id"], []).append(their)
    by_name = {group_names[g]: tuple(ids) for g, ids in members.items() if g in group_names}
    events = [*_events(top, "incidents", _INCIDENT_STATUSES, _OPEN_INCIDENT, url, False)]
    events += _events(top, "scheduled_maintenances", _MAINTENANCE_STATUSES, _ACTIVE_MAINTENANCE, url, True)
    return Summary(
        name,
        url,
        _time(page.get("updated_at"), "page.updated_at"),
        tuple(leaves),
        by_name,
        tuple(events[:MAX_EVENTS]),
    )


def _events(
    top: Mapping[str, Any], key: str, statuses: tuple[str, ...], shown: tuple[str, ...], page: str, maintenance: bool
) -> Iterable[UpstreamEvent]:
    items = top.get(key, [])
    if not isinstance(items, list):
        raise ShapeError(f"{key!r} must be a list")
    for index, raw in enumerate(items):
        item = _mapping(raw, f"{key}[{index}]")
        status = item.get("status")
        if status not in statuses:
            raise ShapeError(f"{key}[{index}].status: unknown status {_quoted(status)}")
        if status not in shown:
            continue
        their = item.get("id")
        base = page if page.endswith("/") else page + "/"
        fallback = f"{base}incidents/{their}" if page and isinstance(their, str) and their.isalnum() else page
        yield UpstreamEvent(
            _text(item.get("name"), f"{key}[{index}].name", MAX_TITLE),
            str(status),
            _impact(item.get("impact")),
            _link(item.get("shortlink")) or fallback,
            _time(item.get("updated_at"), f"{key}[{index}].updated_at"),
            maintenance,
        )


def _identifier(value: object, what: str) -> str:
    """An upstream's id of a component, as it is: it is matched, not shown."""
    if not isinstance(value, str) or not value or len(value) > 200:
        raise ShapeError(f"{what} must be a text of 1 to 200 characters")
    return value


def _key(their_id: str) -> str:
    """An upstream's component id as this site's API shows it after the upstream's: as it is if
    it is plain (letters, digits, - and _), else a digest of it, as stable."""
    if re.fullmatch(r"[A-Za-z0-9_-]{1,100}", their_id) and not re.fullmatch(r"h[0-9a-f]{16}", their_id):
        return their_id
    return "h" + hashlib.sha256(their_id.encode("utf-8")).hexdigest()[:16]


def _impact(value: object) -> str:
    return (
        value if isinstance(value, str) and value in ("none", "minor", "major", "critical", "maintenance") else "none"
    )


def _mapping(value: object, what: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise ShapeError(f"{what} must be an object")
    return value


def _text(value: object, what: str, limit: int = MAX_TEXT) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ShapeError(f"{what} must be a text")
    return _bounded(value, limit)


def _optional_text(value: object) -> str:
    return _bounded(value) if isinstance(value, str) else ""


def _bounded(value: str, limit: int = MAX_TEXT) -> str:
    text = " ".join("".join(c if c.isprintable() else " " for c in value[: limit * 4]).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _quoted(value: object) -> str:
    """``value`` as a message quotes it: its repr, at most 40 characters of it."""
    text = repr(value if isinstance(value, (str, int, float, bool, type(None))) else type(value).__name__)
    return text if len(text) <= 40 else text[:39] + "…"


def _link(value: object) -> str:
    """``value`` if it is an http(s) address to show as a link, else ""."""
    if not isinstance(value, str) or len(value) > 2000 or any(c.isspace() or not c.isprintable() for c in value):
        return ""
    try:
        parts = urlsplit(value)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
        return ""
    return value if parts.path else value + "/"


def _time(value: object, what: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ShapeError(f"{what} must be a time")
    try:
        found = datetime.fromisoformat(value[:40])
        if found.tzinfo is None:
            raise ShapeError(f"{what} has no offset: {_quoted(value)}")
        found = found.astimezone(UTC)
    except (ValueError, OverflowError):
        raise ShapeError(f"{what} must be a time, not {_quoted(value)}") from None
    if not EARLIEST <= found <= LATEST:
        raise ShapeError(f"{what} is out of range: {_quoted(value)}")
    return found


def select(summary: Summary, wanted: tuple[str, ...]) -> tuple[tuple[UpstreamComponent, ...], list[str], int]:
    """The components of ``summary`` that ``wanted`` names (by id, name, or a group's name for
    all its components; case aside), in the document's order, at most MAX_COMPONENTS of them;
    all of them when ``wanted`` is empty. Also the names in ``wanted`` that match nothing, and
    how many there were before the cut."""
    if not wanted:
        return summary.components[:MAX_COMPONENTS], [], len(summary.components)
    chosen: set[str] = set()
    missing: list[str] = []
    for name in wanted:
        folded = name.casefold()
        found = {c.their_id for c in summary.components if folded in (c.their_id.casefold(), c.name.casefold())}
        for group, ids in summary.groups.items():
            if group.casefold() == folded:
                found |= set(ids)
        if not found:
            missing.append(name)
        chosen |= found
    every = tuple(c for c in summary.components if c.their_id in chosen)
    return every[:MAX_COMPONENTS], missing, len(every)


# -- what is kept between builds ---------------------------------------------------------------


@dataclass(frozen=True)
class Kept:
    """An upstream's kept state: the last good document, when it was fetched, the last failure
    (if the latest fetch failed) and the spells its components spent in other statuses."""

    url: str
    fetched: datetime | None
    document: object = None
    failed: datetime | None = None
    error: str | None = None
    spells: tuple[Spell, ...] = field(default=())

    def as_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "fetched_at": iso(self.fetched) if self.fetched else None,
            "document": self.document,
            "failed_at": iso(self.failed) if self.failed else None,
            "error": self.error,
            "spells": [
                {
                    "component": s.component,
                    "status": str(s.status),
                    "start": iso(s.start),
                    "end": iso(s.end) if s.end else None,
                    "followers": list(s.followers),
                }
                for s in self.spells
            ],
        }


def kept_path(root: Path, upstream_id: str) -> Path:
    return root / KEPT_FOLDER / f"{upstream_id}.json"


def read_kept(root: Path, upstream: Upstream) -> Kept | None:
    """What is kept for ``upstream``, or None: nothing kept, kept for another address, or a
    kept file that cannot be read (the next good fetch replaces it). Neither ``.statusgen/``,
    its ``upstream/`` nor the file may be a link: a link could lead the read out of the repository.
    """
    path = kept_path(root, upstream.id)
    try:
        if any(os.path.islink(p) for p in (root / ".statusgen", path.parent, path)) or not path.is_file():
            return None
        if path.stat().st_size > KEPT_BYTES:
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("url") != upstream.url:
            return None
        spells = tuple(
            Spell(
                str(s["component"]),
                as_component_status(s["status"]),
                _start(s["start"]),
                _kept_time(s["end"]),
                tuple(str(f) for f in s.get("followers") or ()),
            )
            for s in data.get("spells") or []
        )
        return Kept(
            upstream.url or "",
            _kept_time(data.get("fetched_at")),
            data.get("document"),
            _kept_time(data.get("failed_at")),
            _bounded(data["error"], 300) if isinstance(data.get("error"), str) else None,
            _pruned(list(spells)),
        )
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError, OverflowError, RecursionError):
        return None


KEPT_BYTES = 4_000_000  # a kept file: a document of at most 2 MB, its spells and its times


def _start(value: object) -> datetime:
    found = _kept_time(value)
    if found is None:
        raise ValueError("a spell has no start")
    return found


def _kept_time(value: object) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("not a time")
    found = datetime.fromisoformat(value)
    if found.tzinfo is None:
        raise ValueError("no offset")
    found = found.astimezone(UTC)
    if not EARLIEST <= found <= LATEST:
        raise ValueError("out of range")
    return found


def next_spells(
    old: tuple[Spell, ...],
    components: Iterable[UpstreamComponent],
    at: datetime,
    last: datetime | None,
    followers: tuple[str, ...],
) -> tuple[Spell, ...]:
    """The spells once the components are seen as they are at ``at``, the last look having been
    at ``last`` (None: never), with ``followers`` following them from now on. Only spells that
    someone follows are kept: they are what counts in this site's uptime.

    A spell begins when a component is first seen in a status other than operational, at the
    time the upstream says it took that status, but never before the last look (which saw it
    otherwise), nor, at a first look, more than FIRST_LOOK_BACK before it; a time the upstream
    gives after ``at`` cannot be placed, and starts nothing. It ends when the component is seen
    otherwise, at the time the upstream says it changed, within the same bounds; with no such
    time, at the last look, or STALE_AFTER after it if the look before this one was that long
    ago: time no look saw is not counted. A spell of a component no longer shown, or whose
    followers changed, ends at the last look (or now, for a change of followers).
    """
    floor = last if last is not None and last <= at else at - FIRST_LOOK_BACK
    unseen_end = min(at, floor + STALE_AFTER) if last is not None else at
    spells = list(old)
    open_at = {sp.component: i for i, sp in enumerate(spells) if sp.end is None}
    seen = set()
    for component in components:
        seen.add(component.their_id)
        said = component.since
        index = open_at.get(component.their_id)
        if index is not None:
            spell = spells[index]
            if spell.status == component.status and spell.followers == followers:
                continue
            if spell.status == component.status:  # the same trouble, followed by others from now on
                spells[index] = Spell(spell.component, spell.status, spell.start, at, spell.followers)
                spells.append(Spell(spell.component, spell.status, at, None, followers))
                continue
            end = min(max(said, floor), at) if said is not None and said <= at else unseen_end
            spells[index] = Spell(spell.component, spell.status, spell.start, max(spell.start, end), spell.followers)
        if component.status == ComponentStatus.OPERATIONAL or not followers:
            continue
        if said is not None and said > at:
            continue
        start = max(said, floor) if said is not None else at
        if index is not None:
            start = max(start, spells[index].end or start)
        spells.append(Spell(component.their_id, component.status, start, None, followers))
    for their, index in open_at.items():
        if their not in seen:
            spell = spells[index]
            spells[index] = Spell(spell.component, spell.status, spell.start, max(spell.start, floor), spell.followers)
    return _pruned(spells)


def _pruned(spells: list[Spell]) -> tuple[Spell, ...]:
    """Every open spell, and the newest closed ones up to MAX_SPELLS in all."""
    closed = [s for s in spells if s.end is not None]
    drop = {id(s) for s in closed[: max(0, len(spells) - MAX_SPELLS)]}
    return tuple(s for s in spells if id(s) not in drop)


# -- the state a build shows -------------------------------------------------------------------


def upstream_states(
    root: Path, upstreams: Iterable[Upstream], problems: list[Problem], kept: Mapping[str, Kept | None] | None = None
) -> list[UpstreamState]:
    """Each upstream as kept, or as its document in the repository says. ``kept`` gives what is
    kept of each fetched upstream, by id (without, it is read from .statusgen/upstream/). A
    ``document:`` that is not a summary is an error in ``problems``; a ``components:`` name the
    upstream does not have is a warning there."""
    result = []
    for upstream in upstreams:
        if upstream.document is not None:
            state = _from_document(root, upstream, problems)
        else:
            found = kept.get(upstream.id) if kept is not None else read_kept(root, upstream)
            state = _from_kept(upstream, found, problems)
        if state is not None:
            result.append(state)
    return result


_DOCUMENT_HINT = "save the page's api/v2/summary.json as it is"


def _from_document(root: Path, upstream: Upstream, problems: list[Problem]) -> UpstreamState | None:
    rel = upstream.document or ""
    try:
        data = json.loads(read_text(root / rel, rel))
        summary = parse_summary(data, upstream.id)
    except StatusgenError as exc:
        problems.append(exc.problem)
        return None
    except json.JSONDecodeError as exc:
        problems.append(Problem(rel, exc.lineno, f"not JSON: {exc.msg}", _DOCUMENT_HINT))
        return None
    except ShapeError as exc:
        problems.append(Problem(rel, 1, f"not a Statuspage summary: {exc}", _DOCUMENT_HINT))
        return None
    except (ValueError, RecursionError) as exc:  # nested too deep, a number too long
        reason = "nested too deep" if isinstance(exc, RecursionError) else "a number too long"
        problems.append(Problem(rel, 1, f"not JSON that can be read: {reason}", _DOCUMENT_HINT))
        return None
    shown = _shown(upstream, summary, problems)
    at = summary.updated or max((c.since for c in shown if c.since), default=None)
    spells = next_spells((), shown, at, None, upstream.affects) if at is not None else ()
    return UpstreamState(
        upstream,
        upstream.name or summary.name,
        summary.url,
        shown,
        summary.events,
        at,
        spells=spells,
        fetched=False,
    )


def _from_kept(upstream: Upstream, kept: Kept | None, problems: list[Problem]) -> UpstreamState:
    name = upstream.name or upstream.id
    if kept is None or kept.fetched is None:
        error = kept.error if kept is not None else None
        return UpstreamState(upstream, name, upstream.page, failed=True, error=error or "not fetched yet")
    try:
        summary = parse_summary(kept.document, upstream.id)
    except ShapeError:
        return UpstreamState(upstream, name, upstream.page, failed=True, error="what is kept of it cannot be read")
    shown = _shown(upstream, summary, problems)
    failed = kept.failed is not None and kept.failed >= kept.fetched
    return UpstreamState(
        upstream,
        upstream.name or summary.name,
        upstream.page,
        shown,
        summary.events,
        kept.fetched,
        failed,
        kept.error if failed else None,
        kept.spells,
    )


def _shown(upstream: Upstream, summary: Summary, problems: list[Problem]) -> tuple[UpstreamComponent, ...]:
    """The components of the upstream the page shows, with a warning for each ``components:``
    name it does not have, and one if there are more than the page shows."""
    shown, missing, total = select(summary, upstream.components)
    _warn_missing(upstream, summary, missing, problems)
    if total > len(shown):
        problems.append(
            Problem(
                "statusgen.yaml",
                upstream.components_line,
                f"upstream {upstream.id!r} has {total} components; the page shows the first {len(shown)}",
                "name the ones to show in components:",
                warning=True,
            )
        )
    return shown


def _warn_missing(upstream: Upstream, summary: Summary, missing: list[str], problems: list[Problem]) -> None:
    names = [c.name for c in summary.components] + list(summary.groups)
    for name in missing:
        hint = did_you_mean(name, names) or "it has: " + ", ".join(names[:20])
        problems.append(
            Problem(
                "statusgen.yaml",
                upstream.components_line,
                f"upstream {upstream.id!r} has no component {name!r}",
                hint,
                warning=True,
            )
        )
