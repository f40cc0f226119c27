"""Incident and maintenance files: the model and its loading."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from statusgen import timeutil
from statusgen.errors import Problem, StatusgenError, did_you_mean, one_of
from statusgen.inputs import link_problem, read_text
from statusgen.load.config import Config
from statusgen.load.fields import Reader
from statusgen.load.yamltext import NOT_TEXT, YList, YMap, line_of, load
from statusgen.vocabulary import (
    INCIDENT_COMPONENT_STATUSES,
    INCIDENT_IMPACTS,
    ComponentStatus,
    Impact,
    IncidentStatus,
    MaintenanceStatus,
    UpdateStatus,
    as_component_status,
    as_impact,
    as_update_status,
)

INCIDENT_DIR = "incidents"
INCIDENT_SUFFIXES = (".md", ".yaml", ".yml")

_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})-[a-z0-9]+(?:-[a-z0-9]+)*")
# What the end of a file name ``ID.LANG`` looks like when LANG is meant for a language code, well
# written or not (it, pt-BR, pt_br, zh-Hant): such a file is read as a translation, never an incident.
_LANGUAGE_LIKE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*")
_COMMON_KEYS = ("title", "kind", "components", "updates", "references", "hidden", "body")
_INCIDENT_KEYS = _COMMON_KEYS + ("impact", "postmortem_due", "postmortem_at")
_MAINTENANCE_KEYS = _COMMON_KEYS + ("window",)
_UPDATE_KEYS = ("at", "status", "message", "components")
_INCIDENT_STATUSES = tuple(IncidentStatus)
_MAINTENANCE_STATUSES = tuple(MaintenanceStatus)


@dataclass(frozen=True)
class Update:
    """One published update; ``components`` holds the status changes it makes (component
    statuses, as written: derive.timeline reads them as ComponentStatus)."""

    at: datetime
    status: UpdateStatus
    message: str
    components: dict[str, str] = field(default_factory=dict)
    line: int = 0

    def __post_init__(self) -> None:
        # Whoever makes an update (the loader, the build cache, a test) may name its status as
        # text: the model holds the vocabulary's member, which carries what the status means.
        object.__setattr__(self, "status", as_update_status(self.status))


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Incident:
    """An incident or a maintenance, as written in its file; updates oldest first."""

    id: str
    path: str
    title: str
    kind: str
    impact: Impact
    components: dict[str, str]
    updates: tuple[Update, ...]
    body: str = ""
    window: Window | None = None
    postmortem_due: bool | None = None
    postmortem_at: datetime | None = None
    references: tuple[str, ...] = ()
    hidden: bool = False
    body_line: int = 0
    digest: str = ""

    def __post_init__(self) -> None:
        # As for Update: the impact and the statuses become the vocabulary's members.
        object.__setattr__(self, "impact", as_impact(self.impact))

    @property
    def is_maintenance(self) -> bool:
        return self.kind == "maintenance"

    @property
    def started(self) -> datetime:
        return self.updates[0].at

    @property
    def when(self) -> datetime:
        """The instant the incident is filed under: its start, or a maintenance's window start."""
        return self.window.start if self.window else self.updates[0].at

    @property
    def last_update(self) -> Update:
        return self.updates[-1]

    @property
    def component_ids(self) -> tuple[str, ...]:
        """Every component the incident touches, in first-mention order."""
        seen = dict.fromkeys(self.components)
        for update in self.updates:
            seen.update(dict.fromkeys(update.components))
        return tuple(seen)


@dataclass(frozen=True)
class TranslationFile:
    """A file of incidents/ named ``ID.LANG`` (``rel``, at ``path``): the translation of incident
    ``incident_id`` to ``language``, as its name writes them; load.translations reads it."""

    rel: str
    path: Path
    incident_id: str
    language: str


def translation_name(stem: str, languages: Collection[str]) -> tuple[str, str] | None:
    """(incident id, language) when a file stem names a translation, ``ID.LANG``: LANG one of
    ``languages``, or any language-like code after an incident's id (which load.translations
    then refuses, naming the languages there are); None for any other stem."""
    head, dot, tail = stem.rpartition(".")
    if not dot or not head:
        return None
    if tail in languages or (valid_id(head) and _LANGUAGE_LIKE.fullmatch(tail)):
        return head, tail
    return None


class ParseCache(Protocol):
    def incident(self, rel: str, sha: str) -> Incident | None: ...
    def parsed(self, rel: str, sha: str, incident: Incident) -> None: ...


def load_incidents(
    root: Path,
    config: Config | None,
    problems: list[Problem],
    cache: ParseCache | None = None,
    translations: list[TranslationFile] | None = None,
) -> list[Incident]:
    """Load every incident file under ``root/incidents``, in id order.

    With a ``cache``, a file whose bytes were parsed before is not parsed again. Translation files
    (``ID.LANG.md``, see translation_name) are no incidents: they are added to ``translations``,
    when given, for load.translations to read, and otherwise left alone.
    """
    languages = config.site.all_languages if config is not None else ()
    folder = root / INCIDENT_DIR
    if not folder.is_dir():
        if folder.exists() or folder.is_symlink():
            problems.append(
                Problem(INCIDENT_DIR, 0, "incidents is not a folder", "incident files go in a folder named incidents/")
            )
        return []
    linked = link_problem(folder, root) if folder.is_symlink() else None  # a folder: no loop, not broken
    if linked is not None:
        problems.append(Problem(INCIDENT_DIR, 0, linked, "keep the incident files in the repository"))
        return []
    incidents: list[Incident] = []
    seen: dict[str, str] = {}
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        path = Path(entry.path)
        # Path.is_dir, unlike the entry's, takes a symlink loop for a file, which read_text reports.
        if passed_over(entry.name) or path.is_dir():
            continue
        rel = f"{INCIDENT_DIR}/{path.name}"
        if path.suffix not in INCIDENT_SUFFIXES:
            problems.append(
                Problem(
                    rel,
                    1,
                    f"not an incident file: {path.name!r}",
                    "incident files end in .md (markdown with front matter) or .yaml",
                )
            )
            continue
        incident_id = path.stem
        translated = None if valid_id(incident_id) else translation_name(incident_id, languages)
        if translated is not None:
            if translations is not None:
                translations.append(TranslationFile(rel, path, *translated))
            continue
        if not valid_id(incident_id):
            problems.append(
                Problem(
                    rel,
                    1,
                    "file name must be YYYY-MM-DD-slug with a lowercase slug",
                    "e.g. incidents/2025-11-03-api-errors.md",
                )
            )
            continue
        if incident_id in seen:
            problems.append(
                Problem(
                    rel,
                    1,
                    f"duplicate incident id {incident_id!r}",
                    f"{seen[incident_id]} has the same name; rename one of them",
                )
            )
            continue
        seen[incident_id] = rel
        try:
            text = read_text(path, rel)
            sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
            incident = cache.incident(rel, sha) if cache is not None else None
            if incident is not None and (incident.id, incident.path, incident.digest) != (incident_id, rel, sha):
                incident = None  # an id is a path of the output: only the file's own name may be one
            if incident is None:
                incident = parse_incident(text, rel, incident_id, config, problems)
                incident = replace(incident, digest=sha) if incident is not None else None
        except StatusgenError as exc:
            problems.append(exc.problem)
            continue
        if incident is not None:
            incidents.append(incident)
            if cache is not None:
                cache.parsed(rel, sha, incident)
    return incidents


def passed_over(name: str) -> bool:
    """Whether a file named ``name`` in incidents/ is left alone: a hidden file, or a README."""
    return name.startswith(".") or name.lower().startswith("readme")


def is_incident_path(rel: str) -> bool:
    """Whether ``rel``, a path relative to the repository, names a file the loader reads as an
    incident: directly in incidents/, with an incident file's suffix, and not passed over."""
    path = PurePosixPath(rel)
    return (
        len(path.parts) == 2
        and path.parts[0] == INCIDENT_DIR
        and path.suffix in INCIDENT_SUFFIXES
        and not passed_over(path.name)
    )


def valid_id(incident_id: str) -> bool:
    """Whether ``incident_id`` (a file name without its suffix) is an incident's id: a real day,
    then words of lowercase letters and digits joined by hyphens."""
    return _NAME.fullmatch(incident_id) is not None and _valid_day(incident_id[:10])


def _valid_day(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Layout:
    """Where the parts of an incident file's text are: its YAML is ``text[start:end]``, and a
    markdown file's body ``text[body:]``, from line ``body_line`` (a .yaml file has none: 0)."""

    start: int
    end: int
    body: int
    body_line: int


def layout(text: str, rel: str) -> Layout:
    """The layout of the text of the incident file ``rel``, after any byte order mark."""
    start = len(text) - len(text.lstrip("\ufeff"))
    if not rel.endswith(".md"):
        return Layout(start, len(text), len(text), 0)
    return _front_matter(text, start, rel)


def _front_matter(text: str, start: int, rel: str) -> Layout:
    """The layout of markdown with front matter from ``text[start:]``: the lines between a first
    line '---' and the next line '---' or '...'."""
    lines = text[start:].splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise StatusgenError(
            "missing front matter", rel, 1, "start the file with a line '---', the YAML keys, then another '---'"
        )
    offset = start + len(lines[0])
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return Layout(start + len(lines[0]), offset, offset + len(lines[index]), index + 2)
        offset += len(lines[index])
    raise StatusgenError("front matter is not closed", rel, 1, "end the YAML keys with a line '---'")


def split_front_matter(text: str, rel: str) -> tuple[str, str, int]:
    """(front matter, body, line the body starts on) of a markdown incident file."""
    parts = _front_matter(text, 0, rel)
    return text[parts.start : parts.end], text[parts.body :], parts.body_line


def read_document(text: str, rel: str) -> tuple[Any, str, int]:
    """The YAML of an incident file's text (or of a translation's), and for markdown its body and
    the line the body's text starts on (a .yaml file's body is a key of its YAML: "", 0).

    Raises StatusgenError for text that is no such file: no front matter, bad YAML.
    """
    parts = layout(text, rel)
    if not rel.endswith(".md"):
        return load(text[parts.start :], rel), "", 0
    body, body_line = text[parts.body :], parts.body_line
    check_characters(body, rel, body_line)
    body_line += len(body) - len(body.lstrip("\n"))
    return load(text[parts.start : parts.end], rel, first_line=2), body, body_line


def parse_incident(
    text: str, rel: str, incident_id: str, config: Config | None, problems: list[Problem]
) -> Incident | None:
    """Parse the text of one incident file; problems are appended, not raised."""
    data, body, body_line = read_document(text, rel)
    reader = Reader(rel, problems)
    top = reader.mapping(
        data,
        "an incident file",
        1,
        "write 'key: value' lines: title, impact, components and updates (a list of '- at:' items); see statusgen new",
    )
    if top is None:
        return None
    before = len(problems)
    kind = reader.choice(top, "kind", ("incident", "maintenance"), "kind", "incident")
    maintenance = kind == "maintenance"
    reader.keys(top, _MAINTENANCE_KEYS if maintenance else _INCIDENT_KEYS, ("title", "updates"))
    if not rel.endswith(".md"):
        body = reader.text(top, "body")
        body_line = yaml_body_line(text, top)
    elif "body" in top:
        reader.error(
            line_of(top, "body"), "'body' is only for .yaml files", "write the body as markdown after the closing '---'"
        )
    known = set(config.by_id) if config else None
    components = (
        _maintenance_components(reader, top, known)
        if maintenance
        else _incident_components(reader, top, "components", top.get("components"), known)
    )
    window = _window(reader, top) if maintenance else None
    updates = _updates(reader, top, maintenance, known)
    impact: str | None = Impact.MAINTENANCE if maintenance else reader.choice(top, "impact", INCIDENT_IMPACTS, "impact")
    if impact is None:  # the worst impact whose default status the components are given
        impact = max(
            (as_component_status(s).impact for s in components.values()), key=lambda i: i.level, default=Impact.NONE
        )
    title = reader.text(top, "title")
    if "title" in top and not title:
        reader.error(line_of(top, "title"), "title is empty")
    postmortem_due = top.get("postmortem_due")
    if postmortem_due is not None:
        postmortem_due = reader.typed(top, "postmortem_due", bool)
    postmortem_at = _postmortem_at(reader, top, updates)
    references = _references(reader, top)
    first = body_line - (len(body) - len(body.lstrip("\n")))  # the line the body's text starts on
    reader.markup([(u.message, u.line, False) for u in updates] + [(body, first, True)], FLATTEN_HINT)
    if len(problems) > before or not updates:
        return None
    return Incident(
        id=incident_id,
        path=rel,
        title=title,
        kind=kind or "incident",
        impact=as_impact(impact),
        components=components,
        updates=tuple(updates),
        body=body.strip("\n"),
        window=window,
        postmortem_due=postmortem_due,
        postmortem_at=postmortem_at,
        references=references,
        hidden=bool(reader.typed(top, "hidden", bool, False)),
        body_line=body_line,
    )


FLATTEN_HINT = "flatten the nested lists and quotes"


def check_characters(body: str, rel: str, first_line: int) -> None:
    """Refuse in a markdown body the control characters that YAML refuses in front matter."""
    bad = NOT_TEXT.search(body)
    if bad:
        line = first_line + body.count("\n", 0, bad.start())
        raise StatusgenError(
            f"character U+{ord(bad.group()):04X} is not allowed", rel, line, "remove the control character"
        )


def yaml_body_line(text: str, top: YMap) -> int:
    """The file line where a .yaml incident's body text begins (0 without a body)."""
    if not isinstance(top.get("body"), str):
        return 0
    line = line_of(top, "body")
    after_key = text.splitlines()[line - 1].split(":", 1)[-1].strip()
    raw = top["body"]
    leading = len(raw) - len(raw.lstrip("\n"))
    return line + 1 + leading if after_key[:1] in ("|", ">") else line


def _postmortem_at(reader: Reader, top: YMap, updates: list[Update]) -> datetime | None:
    """When the postmortem was published: never before the incident's first update, when it
    began. It may be before a later update: an incident can be reopened after its postmortem."""
    at = reader.timestamp(top, "postmortem_at")
    if at is not None and updates and at < updates[0].at:
        reader.error(
            line_of(top, "postmortem_at"),
            f"postmortem_at is before the incident's first update ({timeutil.iso(updates[0].at)})",
            "write the time the postmortem was published, which is after the incident began",
        )
        return None
    return at


def _references(reader: Reader, top: YMap) -> tuple[str, ...]:
    refs = reader.string_list(top, "references")
    for index, ref in enumerate(refs):
        if not ref.lower().startswith(("https://", "http://")):
            reader.error(
                line_of(top["references"], index),
                f"reference {ref!r} is not a web link",
                "references are http:// or https:// links to tickets, pull requests or pages",
            )
    return tuple(refs)


def _check_component(reader: Reader, line: int, cid: Any, known: set[str] | None) -> bool:
    if not isinstance(cid, str):
        reader.error(line, f"component id must be text, not {cid!r}")
        return False
    if known is not None and cid not in known:
        reader.error(
            line, f"unknown component {cid!r}", did_you_mean(cid, known) or "components are listed in statusgen.yaml"
        )
        return False
    return True


def _incident_components(reader: Reader, owner: YMap, key: str, value: Any, known: set[str] | None) -> dict[str, str]:
    if value is None:
        return {}
    line = line_of(owner, key)
    if isinstance(value, YList):
        reader.error(
            line, f"{key!r} of an incident maps each component to its status", "e.g. components: {api: partial_outage}"
        )
        return {}
    table = reader.mapping(value, f"{key!r}", line)
    if table is None:
        return {}
    result: dict[str, str] = {}
    for cid, status in table.items():
        item_line = line_of(table, cid)
        if not _check_component(reader, item_line, cid, known):
            continue
        if status == ComponentStatus.UNDER_MAINTENANCE:
            reader.error(
                item_line,
                "under_maintenance is set by maintenance windows, not incidents",
                "write a maintenance file with kind: maintenance",
            )
        elif status not in INCIDENT_COMPONENT_STATUSES:
            reader.error(
                item_line,
                f"unknown component status {status!r}",
                did_you_mean(str(status), INCIDENT_COMPONENT_STATUSES) or one_of(INCIDENT_COMPONENT_STATUSES),
            )
        else:
            result[cid] = status
    return result


def _maintenance_components(reader: Reader, top: YMap, known: set[str] | None) -> dict[str, str]:
    value = top.get("components")
    if value is None:
        return {}
    if not isinstance(value, YList):
        reader.error(
            line_of(top, "components"), "'components' of a maintenance is a list of ids", "e.g. components: [db, api]"
        )
        return {}
    return {
        cid: ComponentStatus.UNDER_MAINTENANCE
        for index, cid in enumerate(value)
        if _check_component(reader, line_of(value, index), cid, known)
    }


def _window(reader: Reader, top: YMap) -> Window | None:
    if top.get("window") is None:
        reader.error(top.line, "missing 'window'", "maintenance needs window: {start: ..., end: ...}")
        return None
    window = reader.mapping(top["window"], "'window'", line_of(top, "window"))
    if window is None:
        return None
    reader.keys(window, ("start", "end"), ("start", "end"), "window")
    start, end = reader.timestamp(window, "start"), reader.timestamp(window, "end")
    if start is None or end is None:
        return None
    if end <= start:
        reader.error(
            line_of(window, "end"),
            "maintenance window ends before it starts",
            "check the date, and the offset of each time",
        )
        return None
    return Window(start, end)


def _updates(reader: Reader, top: YMap, maintenance: bool, known: set[str] | None) -> list[Update]:
    value = top.get("updates")
    if value is None:
        return []
    if not isinstance(value, YList) or not value:
        reader.error(
            line_of(top, "updates"),
            "'updates' must be a list with at least one update",
            "each update has at, status and message",
        )
        return []
    statuses = _MAINTENANCE_STATUSES if maintenance else _INCIDENT_STATUSES
    other = _INCIDENT_STATUSES if maintenance else _MAINTENANCE_STATUSES
    updates: list[Update] = []
    seen: dict[datetime, int] = {}
    for index, item in enumerate(value):
        entry = reader.mapping(item, "an update", line_of(value, index))
        if entry is None:
            continue
        reader.keys(
            entry,
            _UPDATE_KEYS,
            ("at", "status", "message"),
            "update",
            {"status": "add 'status: ' with " + one_of(statuses)},
        )
        at = reader.timestamp(entry, "at")
        status = entry.get("status")
        if isinstance(status, str) and status in other:
            kind, fix = (
                ("an incident", "remove 'kind: maintenance' or use ")
                if maintenance
                else ("a maintenance", "add 'kind: maintenance' or use ")
            )
            reader.error(
                line_of(entry, "status"),
                f"{status!r} is a status for {kind}, not this {'maintenance' if maintenance else 'incident'}",
                fix + one_of(statuses),
            )
            status = None
        else:
            status = reader.choice(entry, "status", statuses, "status")
        message = reader.text(entry, "message")
        if "message" in entry and not message:
            reader.error(
                line_of(entry, "message"), "message is empty", "say what is happening and when the next update comes"
            )
        changes: dict[str, str] = {}
        if entry.get("components") is not None:
            if maintenance:
                reader.error(
                    line_of(entry, "components"),
                    "a maintenance update cannot change component statuses",
                    "the window sets components under maintenance",
                )
            else:
                changes = _incident_components(reader, entry, "components", entry["components"], known)
        if at is not None and at in seen:
            reader.error(
                line_of(entry, "at"),
                "two updates at the same instant",
                f"the update on line {seen[at]} has the same time",
            )
        elif at is not None and status and message:
            seen[at] = line_of(entry, "at")
            updates.append(Update(at, as_update_status(status), message, changes, line_of(value, index)))
    updates.sort(key=lambda u: u.at)
    return updates
