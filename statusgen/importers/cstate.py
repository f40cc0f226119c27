"""Reading a cState site (a Hugo theme): config.yml's systems and categories, content/issues/*.md.

cState writes times without an offset; they are read in the site's configured time zone (Hugo's
``timeZone``), else in UTC. An issue's updates are the paragraphs its body stamps with the
``{{< track "DATE" >}}`` shortcode, written after the text they stamp, newest first; a leading
``*Monitoring* -`` names the update's status.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from statusgen.errors import StatusgenError, did_you_mean, one_of
from statusgen.importers import (
    ImportedComponent,
    ImportedIncident,
    ImportedUpdate,
    SiteSettings,
    Source,
)
from statusgen.inputs import read_text
from statusgen.load.incidents import split_front_matter
from statusgen.load.yamltext import YList, YMap, line_of, load
from statusgen.vocabulary import ComponentStatus, Impact, IncidentStatus

CONFIG_NAMES = ("config.yml", "config.yaml")
ISSUES = "content/issues"

# The one table from cState's severities to statusgen's words (the README's "Moving in" shows it).
SEVERITY = {
    "down": (ComponentStatus.MAJOR_OUTAGE, Impact.MAJOR),
    "disrupted": (ComponentStatus.PARTIAL_OUTAGE, Impact.MINOR),
    "notice": (ComponentStatus.DEGRADED_PERFORMANCE, Impact.NONE),
}
# Front matter carried over, and front matter of cState's (or Hugo's) that statusgen has no place
# for: the latter is named in the report. Any other key is a typo, and an error.
_MAPPED = ("title", "date", "resolved", "resolvedWhen", "severity", "affected", "section", "informational", "draft")
_NOT_MAPPED = ("pin", "automated", "id", "lastmod", "description", "tags", "aliases", "weight", "slug", "url")
_SYSTEM_KEYS = ("name", "description", "category", "link")
_CATEGORY_KEYS = ("name", "description", "untitled", "closed")
_TRACK = re.compile(r"""\{\{[<%]\s*track\s+(?:"([^"]*)"|'([^']*)'|([^\s>%]+))\s*[>%]\}\}""")
_RULE = re.compile(r"^[ \t]*(?:-{3,}|\*{3,}|_{3,})[ \t]*$", re.M)
_LABEL = re.compile(r"^[ \t]*(\*\*|\*|__|_)([A-Za-z][A-Za-z -]{0,30}?)\1[ \t]*[-\u2013\u2014:]?[ \t]*")
_LABELS = {
    "investigating": IncidentStatus.INVESTIGATING,
    "identified": IncidentStatus.IDENTIFIED,
    "monitoring": IncidentStatus.MONITORING,
    "resolved": IncidentStatus.RESOLVED,
}
_CARRY = ("update", "updated", "update 2", "status update")
RESOLVED_MESSAGE = "This incident has been resolved."


def read_site(folder: Path) -> Source:
    """The cState site in ``folder``, read whole; StatusgenError at the first thing that is wrong."""
    config_name = next((n for n in CONFIG_NAMES if (folder / n).is_file()), None)
    if config_name is None or not (folder / ISSUES).is_dir():
        missing = ISSUES + "/" if config_name is not None else "config.yml"
        raise StatusgenError(
            f"not a cState site: no {missing}",
            str(folder),
            0,
            "give the folder of the cState site, the one with config.yml and content/issues/",
        )
    config = load(read_text(folder / config_name, config_name), config_name)
    if not isinstance(config, YMap):
        raise StatusgenError("config.yml is not a mapping of keys", config_name, 1)
    zone, zone_name = _zone(config, config_name)
    params = config.get("params")
    params = params if isinstance(params, YMap) else YMap()
    notes: list[str] = []
    groups = _categories(params, config_name, notes)
    components = _systems(params, config_name, groups)
    site = SiteSettings(
        title=_text(config.get("title")),
        url=_text(config.get("baseURL") or config.get("baseurl")),
        description=_text(params.get("description")),
        timezone=zone_name,
    )
    incidents = []
    for path in sorted((folder / ISSUES).glob("*.md")):
        if path.name.startswith("_"):  # Hugo's _index.md is the section's page, not an issue
            continue
        incident = _issue(path, f"{ISSUES}/{path.name}", zone, notes)
        if incident is not None:
            incidents.append(incident)
    return Source("cstate", site, components, incidents, notes)


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _zone(config: YMap, rel: str) -> tuple[tzinfo, str]:
    # Hugo reads its keys in any case: timeZone, timezone.
    key = next((k for k in config if isinstance(k, str) and k.lower() == "timezone"), None)
    if key is None:
        return UTC, "UTC"
    name = config[key]
    try:
        if not isinstance(name, str) or not name.strip():
            raise ValueError
        return ZoneInfo(name.strip()), name.strip()
    except (ValueError, ZoneInfoNotFoundError):
        raise StatusgenError(
            f"unknown time zone {name!r}", rel, line_of(config, key), "give an IANA name like Europe/Rome, or UTC"
        ) from None


def _check_keys(mapping: YMap, allowed: tuple[str, ...], rel: str, what: str) -> None:
    for key in mapping:
        if key not in allowed:
            raise StatusgenError(
                f"unknown key {key!r} in {what}", rel, line_of(mapping, key), did_you_mean(str(key), allowed)
            )


def _categories(params: YMap, rel: str, notes: list[str]) -> dict[str, str]:
    """Each category's name and the group its systems get ("" for an untitled one)."""
    groups: dict[str, str] = {}
    listed = params.get("categories")
    for index, item in enumerate(listed if isinstance(listed, YList) else []):
        if not isinstance(item, YMap) or not isinstance(item.get("name"), str):
            raise StatusgenError(
                "a category must have a name", rel, line_of(listed, index), "write it as '- name: Category'"
            )
        _check_keys(item, _CATEGORY_KEYS, rel, "a category")
        name = item["name"]
        groups[name] = "" if item.get("untitled") is True else name
        if item.get("untitled") is True:
            notes.append(f"category {name!r} is untitled: its systems have no group")
        if item.get("description"):
            notes.append(f"category {name!r}: its description is not carried over (groups have none)")
        if item.get("closed") is True:
            notes.append(f"category {name!r}: 'closed' is not carried over (groups are always shown open)")
    return groups


def _systems(params: YMap, rel: str, groups: dict[str, str]) -> list[ImportedComponent]:
    listed = params.get("systems")
    if not isinstance(listed, YList):
        raise StatusgenError(
            "config.yml lists no systems", rel, line_of(params, "systems", 1), "list them under params.systems"
        )
    components = []
    for index, item in enumerate(listed):
        if isinstance(item, str):
            components.append(ImportedComponent(item))
            continue
        if not isinstance(item, YMap) or not isinstance(item.get("name"), str):
            raise StatusgenError("a system must have a name", rel, line_of(listed, index), "write '- name: API'")
        _check_keys(item, _SYSTEM_KEYS, rel, "a system")
        category = item.get("category")
        if category is not None and category not in groups:
            raise StatusgenError(
                f"system {item['name']!r} is in category {category!r}, which params.categories does not list",
                rel,
                line_of(item, "category"),
                did_you_mean(str(category), groups) or "add the category, or correct its name",
            )
        group = groups.get(category, "") if isinstance(category, str) else ""
        components.append(ImportedComponent(item["name"], _text(item.get("description")), group))
    return components


def parse_time(value: object, zone: tzinfo, rel: str, line: int) -> datetime:
    """A cState time: with its own offset if it has one, else in ``zone``; to the second."""
    text = value.strip() if isinstance(value, str) else ""
    try:
        if not text:
            raise ValueError
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise StatusgenError(
            f"unreadable time {value!r}", rel, line, "write it like 2025-11-03 14:05:00 or 2025-11-03T14:05:00Z"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.replace(microsecond=0)


def _issue(path: Path, rel: str, zone: tzinfo, notes: list[str]) -> ImportedIncident | None:
    front, body, body_line = split_front_matter(read_text(path, rel), rel)
    top = load(front, rel, first_line=2)
    if not isinstance(top, YMap):
        raise StatusgenError("the front matter is not a mapping of keys", rel, 1, "write 'key: value' lines")
    _check_keys(top, _MAPPED + _NOT_MAPPED, rel, "the front matter")
    for key in top:
        if key in _NOT_MAPPED:
            notes.append(f"{rel}: '{key}' is not carried over")
    title = _text(top.get("title"))
    if not title:
        raise StatusgenError("the issue has no title", rel, line_of(top, "title", 1), "give it a title: line")
    if "date" not in top:
        raise StatusgenError("the issue has no date", rel, 1, "give it a date: line")
    date = parse_time(top["date"], zone, rel, line_of(top, "date"))
    section = top.get("section")
    if section is not None and section != "issue":
        notes.append(f"{rel}: section {section!r} read as an issue")
    informational = top.get("informational") is True
    resolved = top.get("resolved") is True
    severity = top.get("severity")
    if informational:
        component_status, impact = ComponentStatus.OPERATIONAL, Impact.NONE
    elif severity in SEVERITY:
        component_status, impact = SEVERITY[str(severity)]
    else:
        raise StatusgenError(
            f"severity {severity!r} is not one of cState's", rel, line_of(top, "severity", 1), one_of(SEVERITY)
        )
    affected = top.get("affected") or []
    if not isinstance(affected, list) or not all(isinstance(a, str) for a in affected):
        raise StatusgenError("affected must be a list of system names", rel, line_of(top, "affected"))
    updates, rest = _updates(body, body_line, date, zone, rel, title)
    if informational or resolved:
        _resolve(updates, top, zone, rel, informational, notes)
    else:
        for update in updates:
            if update.status is IncidentStatus.RESOLVED:
                update.status = IncidentStatus.MONITORING
                notes.append(f"{rel}: an update says Resolved but the issue is not: imported as monitoring")
    if informational:
        notes.append(f"{rel}: informational post imported as a resolved notice, no component status")
    return ImportedIncident(
        source=rel,
        title=title,
        impact=impact,
        components={name: component_status for name in affected},
        updates=updates,
        body=rest,
        hidden=top.get("draft") is True,
    )


def _updates(
    body: str, body_line: int, date: datetime, zone: tzinfo, rel: str, title: str
) -> tuple[list[ImportedUpdate], str]:
    """The updates of an issue's body, oldest first, and the text that belongs to no update."""
    stamped: list[tuple[datetime, str]] = []
    rest: list[str] = []
    start = 0
    for match in _TRACK.finditer(body):
        line = body_line + body[: match.start()].count("\n")
        when = parse_time(next(g for g in match.groups() if g is not None), zone, rel, line)
        chunk = body[start : match.start()]
        rules = list(_RULE.finditer(chunk))
        if rules:  # text above a rule (a post-mortem written first) is the issue's, not this update's
            rest.append(chunk[: rules[-1].start()].strip())
            chunk = chunk[rules[-1].end() :]
        stamped.append((when, chunk.strip()))
        start = match.end()
    tail = body[start:].strip()
    if not stamped:
        stamped.append((date, tail or title))  # a post with no text says what its title says
    elif tail:
        rest.append(tail)
    updates = _statuses(stamped)
    return updates, "\n\n".join(r for r in rest if r)


def _statuses(stamped: list[tuple[datetime, str]]) -> list[ImportedUpdate]:
    """Oldest first, each with the status its label names, else the one before it; updates
    stamped with the same second are one update."""
    merged: dict[datetime, str] = {}
    for when, text in sorted(stamped, key=lambda s: s[0]):
        merged[when] = f"{merged[when]}\n\n{text}" if when in merged else text
    updates = []
    status = IncidentStatus.INVESTIGATING
    for when, text in merged.items():
        message = text
        label = _LABEL.match(text)
        if label:
            word = label.group(2).strip().lower()
            if word in _LABELS or word in _CARRY:
                status = _LABELS.get(word, status)
                message = text[label.end() :].strip() or text
        updates.append(ImportedUpdate(when, status, message))
    return updates


def _resolve(
    updates: list[ImportedUpdate], top: YMap, zone: tzinfo, rel: str, informational: bool, notes: list[str]
) -> None:
    """Close a resolved issue at resolvedWhen: its newest update resolves it, or a new one does."""
    newest = updates[-1]
    when = top.get("resolvedWhen")
    at = parse_time(when, zone, rel, line_of(top, "resolvedWhen")) if when and not informational else None
    if at is not None and at > newest.at:
        updates.append(ImportedUpdate(at, IncidentStatus.RESOLVED, RESOLVED_MESSAGE))
        notes.append(f"{rel}: resolvedWhen has no update of its own: added one saying {RESOLVED_MESSAGE!r}")
        return
    if at is not None and at < newest.at:
        notes.append(f"{rel}: resolvedWhen {when} is before the newest update: resolved at the newest update")
    newest.status = IncidentStatus.RESOLVED
