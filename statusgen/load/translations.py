"""Translations of incidents: ``incidents/ID.LANG.md`` (or ``.yaml``) beside ``incidents/ID.md``.

A translation gives an incident's text in one of ``site.languages``: its ``title``, optionally its
body, and the ``message`` of any of its updates, each named by the update's ``at:``. Everything
else (statuses, components, impact, times) comes from the incident's own file.

Translation files are read afresh by every build (the build cache holds incidents only): what a
page shows in a language is never older than its file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from statusgen.errors import Problem, StatusgenError, did_you_mean
from statusgen.inputs import read_text
from statusgen.load.config import Config
from statusgen.load.fields import Reader
from statusgen.load.incidents import (
    FLATTEN_HINT,
    INCIDENT_DIR,
    INCIDENT_SUFFIXES,
    Incident,
    TranslationFile,
    read_document,
    yaml_body_line,
)
from statusgen.load.yamltext import YList, YMap, line_of
from statusgen.timeutil import iso

TRANSLATION_KEYS = ("title", "updates", "body")
ENTRY_KEYS = ("at", "message")
# Keys of an incident's file that a translation may not give: they are the same in every language.
_FROM_MAIN = (
    "kind",
    "impact",
    "components",
    "window",
    "references",
    "hidden",
    "postmortem_due",
    "postmortem_at",
    "status",
)
_WHAT = "a translation gives only title, updates (each with at and message) and the body"
# How many of an incident's update times an error about an unknown `at` lists.
_TIMES_SHOWN = 5


@dataclass(frozen=True)
class Translation:
    """One incident's text in one language. ``messages`` are keyed by the time of the update they
    translate, as the incident's file gives it (``Update.at``).

    ``lines`` has the line of each translated update's entry in the translation's file, and
    ``body_line`` the line its body starts on: where a problem of that text is reported."""

    incident_id: str
    language: str
    path: str
    title: str
    body: str | None = None
    messages: dict[datetime, str] = field(default_factory=dict)
    lines: dict[datetime, int] = field(default_factory=dict, compare=False)
    body_line: int = field(default=0, compare=False)


def translation_rel(incident: Incident, language: str) -> str:
    """Where the translation of ``incident`` to ``language`` is written: beside its file, with
    the same suffix (``incidents/ID.it.md``)."""
    suffix = incident.path[incident.path.rindex(".") :]
    return f"{INCIDENT_DIR}/{incident.id}.{language}{suffix}"


def load_translations(
    root: Path, files: Iterable[TranslationFile], incidents: Iterable[Incident], config: Config, problems: list[Problem]
) -> dict[str, dict[str, Translation]]:
    """Read the translation files ``files`` of the incidents loaded, every problem appended.

    Returns each of ``site.languages`` (every one, translated or not) with its translations by
    incident id. A translation of an incident whose own file did not load is passed over: that
    file's problems are reported already, and its updates are not known.
    """
    by_id = {i.id: i for i in incidents}
    found: dict[str, dict[str, Translation]] = {code: {} for code in config.site.languages}
    seen: dict[tuple[str, str], str] = {}
    for item in files:
        if not _named_well(item, config, by_id, problems, root):
            continue
        key = (item.incident_id, item.language)
        if key in seen:
            problems.append(
                Problem(
                    item.rel,
                    1,
                    f"{item.incident_id} is translated to {item.language} twice",
                    f"{seen[key]} is the same translation; keep one of them",
                )
            )
            continue
        seen[key] = item.rel
        try:
            text = read_text(item.path, item.rel)
            translation = parse_translation(text, item.rel, by_id[item.incident_id], item.language, problems)
        except StatusgenError as exc:
            problems.append(exc.problem)
            continue
        if translation is not None:
            found[item.language][item.incident_id] = translation
    return found


def _named_well(
    item: TranslationFile, config: Config, by_id: dict[str, Incident], problems: list[Problem], root: Path
) -> bool:
    """Whether ``item`` names a language of the site and an incident that loaded; problems of
    its name appended."""
    site = config.site
    others = ", ".join(site.languages)
    if item.language not in site.languages:
        if item.language == site.language:
            message = f"{item.language!r} is the site's default language: the incident's own file holds that text"
            hint = (
                f"name the file for one of the other languages ({others})"
                if others
                else "list the other languages under site.languages in statusgen.yaml"
            )
        else:
            message = f"{item.language!r} is not one of the site's languages"
            listed = f", or name the file for one of them: {others}" if others else f": it has only {site.language} now"
            hint = did_you_mean(item.language, site.languages) or f"add it to site.languages in statusgen.yaml{listed}"
        problems.append(Problem(item.rel, 1, message, hint))
        return False
    if item.incident_id in by_id:
        return True
    if any((root / INCIDENT_DIR / f"{item.incident_id}{suffix}").is_file() for suffix in INCIDENT_SUFFIXES):
        return False  # its incident's file has errors, reported on their own
    problems.append(
        Problem(
            item.rel,
            1,
            f"no incident {item.incident_id!r} to translate",
            did_you_mean(item.incident_id, by_id)
            or f"a translation is named after its incident's file: {INCIDENT_DIR}/ID.{item.language}.md",
        )
    )
    return False


def parse_translation(
    text: str, rel: str, incident: Incident, language: str, problems: list[Problem]
) -> Translation | None:
    """Parse the text of the translation ``rel`` of ``incident``; problems are appended, and
    StatusgenError raised for text that is no such file (no front matter, bad YAML)."""
    data, body, body_line = read_document(text, rel)
    reader = Reader(rel, problems)
    top = reader.mapping(
        data, "a translation", 1, "write 'key: value' lines: title and updates (a list of '- at:' items)"
    )
    if top is None:
        return None
    before = len(problems)
    markdown = rel.endswith(".md")
    # A markdown file's 'body' key is refused below, as in an incident's file.
    _keys(reader, top, TRANSLATION_KEYS[:2] if markdown else TRANSLATION_KEYS, "", ("body",) if markdown else ())
    if markdown and "body" in top:
        reader.error(
            line_of(top, "body"), "'body' is only for .yaml files", "write the body as markdown after the closing '---'"
        )
    if not markdown:
        body, body_line = reader.text(top, "body"), yaml_body_line(text, top)
    if top.get("title") is None:
        reader.error(
            line_of(top, "title") if "title" in top else top.line, "missing 'title'", "give the title in this language"
        )
    title = reader.text(top, "title")
    if isinstance(top.get("title"), str) and not title:
        reader.error(line_of(top, "title"), "title is empty", "give the title in this language")
    messages, lines = _entries(reader, top, incident)
    first = body_line - (len(body) - len(body.lstrip("\n")))
    texts = [(m, lines[at], False) for at, m in messages.items()] + [(body, first, True)]
    reader.markup(texts, FLATTEN_HINT)
    if len(problems) > before:
        return None
    body = body.strip("\n")
    return Translation(
        incident_id=incident.id,
        language=language,
        path=rel,
        title=title,
        body=body if body.strip() else None,
        messages=messages,
        lines=lines,
        body_line=body_line,
    )


def _keys(reader: Reader, mapping: YMap, allowed: tuple[str, ...], where: str, passed: tuple[str, ...] = ()) -> None:
    """Report keys a translation may not have (but those ``passed``, reported elsewhere): those of
    the incident's own file as such."""
    place = f" in {where}" if where else ""
    for key in mapping:
        if key in allowed or key in passed:
            continue
        if key in _FROM_MAIN:
            reader.error(line_of(mapping, key), f"{str(key)!r}{place} comes from the incident's own file", _WHAT)
        else:
            hint = did_you_mean(str(key), allowed) or "allowed: " + ", ".join(allowed)
            reader.error(line_of(mapping, key), f"unknown key {str(key)!r}{place}", hint)


def _entries(reader: Reader, top: YMap, incident: Incident) -> tuple[dict[datetime, str], dict[datetime, int]]:
    """The translated messages by the ``at`` of the incident's update each names, and the line of
    each entry."""
    messages: dict[datetime, str] = {}
    lines: dict[datetime, int] = {}
    value = top.get("updates")
    if value is None:
        return messages, lines
    if not isinstance(value, YList):
        reader.error(
            line_of(top, "updates"), "'updates' must be a list", "each item has the at: of an update and its message:"
        )
        return messages, lines
    # Times are read as instants: 15:05+01:00 names the update the incident's file gives at 14:05Z.
    times = {u.at for u in incident.updates}
    for index, item in enumerate(value):
        entry = reader.mapping(item, "an update", line_of(value, index), "each item has at: and message:")
        if entry is None:
            continue
        _keys(reader, entry, ENTRY_KEYS, "update")
        for key in ENTRY_KEYS:
            if entry.get(key) is None:
                reader.error(
                    line_of(entry, key) if key in entry else entry.line,
                    f"missing {key!r} in the update",
                    "each item has the at: of an update of the incident, and its message: in this language",
                )
        at = reader.timestamp(entry, "at")
        message = reader.text(entry, "message")
        if isinstance(entry.get("message"), str) and not message:
            reader.error(line_of(entry, "message"), "message is empty", "translate the update's message")
        if at is None:
            continue
        if at not in times:
            reader.error(line_of(entry, "at"), f"{incident.path} has no update at {iso(at)}", _nearest(incident, at))
            continue
        if at in lines:
            reader.error(
                line_of(entry, "at"),
                "two entries for the same update",
                f"the entry on line {lines[at]} has the same time",
            )
            continue
        lines[at] = line_of(value, index)
        if message:
            messages[at] = message
    return messages, lines


def _nearest(incident: Incident, at: datetime) -> str:
    """A hint naming the times of the incident's updates, nearest to ``at`` first."""
    times = sorted((u.at for u in incident.updates), key=lambda t: (abs((t - at).total_seconds()), t))
    more = len(times) - _TIMES_SHOWN
    listed = ", ".join(iso(t) for t in times[:_TIMES_SHOWN]) + (f" and {more} more" if more > 0 else "")
    return f"its updates are at {listed}; give one of those times"
