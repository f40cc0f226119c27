"""The rules every importer follows when it writes what it read.

Components are appended to ``statusgen.yaml`` as text, after what is there, which keeps every
byte a person wrote; incidents become one file each under ``incidents/``, named from their first
day and title, the same on every run. ``.statusgen/imported.json`` keeps a digest of each file
written, so that a rerun writes only what changed in the source and never overwrites a file that
was edited since it was imported.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from slugify import slugify

from statusgen.errors import Problem, StatusgenError, ValidationFailed
from statusgen.importers import ImportedComponent, ImportedIncident, Source
from statusgen.inputs import read_text
from statusgen.load.incidents import parse_incident
from statusgen.load.yamltext import YList, YMap, load
from statusgen.output.atomic import write_atomically
from statusgen.timeutil import iso

log = logging.getLogger(__name__)

CONFIG = "statusgen.yaml"
RECORD = ".statusgen/imported.json"
INCIDENTS = "incidents"


@dataclass
class Outcome:
    """What an import wrote (or, in a dry run, would write), left alone, and could not carry over."""

    dry_run: bool
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, why)
    components_added: list[str] = field(default_factory=list)
    new_config: bool = False
    texts: dict[str, str] = field(default_factory=dict)  # what is (or would be) written, by file
    notes: list[str] = field(default_factory=list)


def slug(name: str, fallback: str) -> str:
    """An id of ``[a-z0-9-]+`` made from a name."""
    return slugify(name, max_length=60, word_boundary=True) or fallback


def import_source(root: Path, source: Source, dry_run: bool = False) -> Outcome:
    """Write ``source`` into the status repository at ``root`` (or say what would be written).

    Everything is read and checked before the first file is written: a source or a
    statusgen.yaml that cannot be imported raises StatusgenError and leaves every file as it was.
    """
    outcome = Outcome(dry_run, notes=list(source.notes))
    original = _read(root / CONFIG)
    existing = _existing_components(original) if original is not None else []
    ids = _component_ids(source.components, existing, source.incidents)
    new = [(ids[c.name], c) for c in source.components if ids[c.name] not in {cid for cid, _ in existing}]
    seen_new = {cid for cid, _ in new}
    for name in (n for i in source.incidents for n in i.components):
        cid = ids[name]
        if cid not in {e for e, _ in existing} and cid not in seen_new:
            seen_new.add(cid)
            new.append((cid, ImportedComponent(name)))
            outcome.notes.append(f"component {name!r} is named by an incident but not listed: added as {cid!r}")
    files: dict[str, str] = {}
    if original is None:
        files[CONFIG] = _new_config(source, new)
        outcome.new_config = True
    elif new:
        files[CONFIG] = _append_components(original, new)
    outcome.components_added = [cid for cid, _ in new]
    incidents = _incident_files(source.incidents, ids)
    _validate(incidents)
    files.update(incidents)
    outcome.texts = files
    _plan(root, files, outcome)
    if not dry_run:
        _write(root, outcome)
    return outcome


def _read(path: Path) -> str | None:
    return read_text(path, path.name) if path.exists() else None


def _existing_components(text: str) -> list[tuple[str, str]]:
    """(id, name) of each component statusgen.yaml lists; the file is refused if it is no mapping."""
    data = load(text, CONFIG)
    if data is None:
        return []
    if not isinstance(data, YMap):
        raise StatusgenError("statusgen.yaml is not a mapping of keys", CONFIG, 1, "fix it, then import again")
    listed = data.get("components")
    if listed is None:
        return []
    if not isinstance(listed, YList):
        raise StatusgenError(
            "components: must be a list to add the imported ones to",
            CONFIG,
            data.lines.get("components", 1),
            "write each component as a '- id: ...' item",
        )
    found = []
    for item in listed:
        if isinstance(item, YMap) and isinstance(item.get("id"), str):
            found.append((item["id"], str(item.get("name", item["id"]))))
    return found


def _component_ids(
    components: list[ImportedComponent], existing: list[tuple[str, str]], incidents: list[ImportedIncident]
) -> dict[str, str]:
    """The id for each component name: an existing component of that name or id keeps its id."""
    by_name = {name.casefold(): cid for cid, name in existing}
    ids: dict[str, str] = {}
    taken = {cid for cid, _ in existing}
    names = [c.name for c in components] + [n for i in incidents for n in i.components]
    for name in names:
        if name in ids:
            continue
        made = slug(name, "component")
        if name.casefold() in by_name:
            ids[name] = by_name[name.casefold()]
        elif made in taken and made not in {cid for cid, _ in existing}:
            # Two names that slug alike ("API", "api!") stay two components.
            number = 2
            while f"{made}-{number}" in taken:
                number += 1
            ids[name] = f"{made}-{number}"
        else:
            ids[name] = made
        taken.add(ids[name])
    return ids


def _dump(value: Any) -> str:
    return yaml.dump(value, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)


class _Dumper(yaml.SafeDumper):
    """Text of several lines as a literal block, so that an imported message reads as written."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value and not value.startswith(" ") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def _component_entries(new: list[tuple[str, ImportedComponent]]) -> list[dict[str, str]]:
    entries = []
    for cid, component in new:
        entry = {"id": cid, "name": component.name}
        if component.description:
            entry["description"] = component.description
        if component.group:
            entry["group"] = component.group
        entries.append(entry)
    return entries


def _new_config(source: Source, new: list[tuple[str, ImportedComponent]]) -> str:
    site = {
        "title": source.site.title or "Status",
        # A placeholder the loader refuses until it is completed: feeds and the API need the real URL.
        "url": source.site.url or "https://status.example.com/",
        "description": source.site.description or f"Imported from {source.kind}",
        "timezone": source.site.timezone,
    }
    return _dump({"site": site}) + _dump({"components": _component_entries(new)})


# A top-level key: a line that starts with a name and a colon, not a comment or an item.
_TOP_KEY = re.compile(r"^[^\s#-][^:]*:")


def _append_components(original: str, new: list[tuple[str, ImportedComponent]]) -> str:
    """``original`` with the new components after the last one listed, every byte of it kept."""
    items = _dump(_component_entries(new))
    lines = original.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if re.match(r"^components\s*:", line)), None)
    if start is None:
        prefix = original if not original or original.endswith("\n") else original + "\n"
        return prefix + "components:\n" + _indent(items, "  ")
    if lines[start].split(":", 1)[1].split("#", 1)[0].strip():
        raise StatusgenError(
            "components: is written on one line, which cannot take imported components as text",
            CONFIG,
            start + 1,
            "write each component as a '- id: ...' item on lines of its own, then import again",
        )
    end = start + 1
    last = start  # the last line of the list with content
    indent = "  "
    found_indent = False
    while end < len(lines) and not _TOP_KEY.match(lines[end]):
        stripped = lines[end].lstrip(" ")
        if stripped.strip() and not stripped.startswith("#"):
            last = end
            if stripped.startswith("-") and not found_indent:
                indent = lines[end][: len(lines[end]) - len(stripped)]
                found_indent = True
        end += 1
    head = "".join(lines[: last + 1])
    if not head.endswith("\n"):
        head += "\n"
    return head + _indent(items, indent) + "".join(lines[last + 1 :])


def _indent(text: str, indent: str) -> str:
    return "".join(indent + line if line.strip() else line for line in text.splitlines(keepends=True))


def _incident_files(incidents: list[ImportedIncident], ids: dict[str, str]) -> dict[str, str]:
    """The text of each incident file by its path; names are made in source order, so a rerun
    of the same source gives every incident the same name."""
    files: dict[str, str] = {}
    for incident in sorted(incidents, key=lambda i: i.source):
        first = min(incident.updates, key=lambda u: u.at)
        stem = f"{first.at.date().isoformat()}-{slug(incident.title, 'incident')}"
        name, number = f"{INCIDENTS}/{stem}.md", 2
        while name in files:
            name, number = f"{INCIDENTS}/{stem}-{number}.md", number + 1
        files[name] = _incident_text(incident, ids)
    return files


def _incident_text(incident: ImportedIncident, ids: dict[str, str]) -> str:
    top: dict[str, Any] = {"title": incident.title, "impact": str(incident.impact)}
    if incident.components:
        top["components"] = {ids[name]: str(status) for name, status in incident.components.items()}
    if incident.hidden:
        top["hidden"] = True
    top["updates"] = [
        {"at": _Instant(iso(u.at)), "status": str(u.status), "message": u.message}
        for u in sorted(incident.updates, key=lambda u: u.at)
    ]
    body = incident.body.strip("\n")
    return "---\n" + _dump(top) + "---\n" + (body + "\n" if body else "")


class _Instant(str):
    """A time written plainly (2025-11-03T14:05:00Z), as a person writes one in an incident file."""


_Dumper.add_representer(_Instant, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:str", str(value)))


def _validate(files: dict[str, str]) -> None:
    """Every incident file is one statusgen loads; a failure here is a source this importer cannot
    carry over, reported before anything is written."""
    problems: list[Problem] = []
    for rel, text in files.items():
        parse_incident(text, rel, Path(rel).stem, None, problems)
    if problems:
        raise ValidationFailed(problems)


def digest(text: str) -> str:
    """The digest kept for a written file."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _load_record(root: Path) -> dict[str, str]:
    path = root / RECORD
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise StatusgenError(
            "the record of imported files cannot be read", RECORD, 0, "remove it to import as if for the first time"
        ) from None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        return {}
    return {str(k): str(v) for k, v in files.items()}


def _plan(root: Path, files: dict[str, str], outcome: Outcome) -> None:
    """Sort each file into written, unchanged or skipped, by what is on disk and in the record."""
    record = _load_record(root)
    for rel, text in files.items():
        if rel == CONFIG:
            # Only ever appended to: what is there stays, so a person's edits are never at stake.
            outcome.written.append(rel)
            continue
        path = root / rel
        if not path.exists():
            outcome.written.append(rel)
            continue
        current = path.read_bytes().decode("utf-8", errors="surrogateescape")
        if current == text:
            outcome.unchanged.append(rel)
        elif rel not in record:
            outcome.skipped.append((rel, "a file of that name is already there and was not written by an import"))
        elif digest(current) != record[rel]:
            outcome.skipped.append((rel, "edited since it was imported"))
        else:
            outcome.written.append(rel)  # ours and untouched: it follows the source


def _write(root: Path, outcome: Outcome) -> None:
    record = _load_record(root)
    expected = (root / CONFIG).read_bytes() if (root / CONFIG).exists() else None
    for rel in outcome.written:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, outcome.texts[rel], rel=rel, expected=expected if rel == CONFIG else None)
        if rel != CONFIG:
            record[rel] = digest(outcome.texts[rel])
    for rel in outcome.unchanged:
        record[rel] = digest(outcome.texts[rel])
    if outcome.written or outcome.unchanged:
        (root / RECORD).parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"files": dict(sorted(record.items()))}, indent=2) + "\n"
        write_atomically(root / RECORD, text, rel=RECORD)
    log.info("imported %d file(s)", len(outcome.written))
