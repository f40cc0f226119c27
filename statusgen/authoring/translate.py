"""Writing translations of incidents: ``new --lang`` starts ``incidents/ID.LANG.md`` with the
title and the first update's message, ``update --lang`` adds the message of another update.

As every edit here, the result is parsed back as a build reads it before it is written, written
atomically, and never changes a byte of what is in the file already.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from statusgen.authoring import yamledit
from statusgen.authoring.workspace import (
    ArgumentError,
    Workspace,
    check_size,
    check_text,
    compose_message,
    find,
)
from statusgen.errors import Problem, StatusgenError, ValidationFailed, did_you_mean
from statusgen.inputs import read_text
from statusgen.load.config import Config
from statusgen.load.incidents import INCIDENT_DIR, INCIDENT_SUFFIXES, Incident, Update, read_document
from statusgen.load.translations import Translation, parse_translation, translation_rel
from statusgen.load.yamltext import YList, YMap
from statusgen.output.atomic import create_exclusively, write_atomically
from statusgen.output.lock import edit_lock
from statusgen.timeutil import iso, parse_timestamp


@dataclass(frozen=True)
class WrittenTranslation:
    """A translation written: its file, what it holds, and the update whose entry was added."""

    path: Path
    translation: Translation
    incident: Incident
    update: Update
    warnings: tuple[Problem, ...] = ()


def other_language(config: Config, code: str) -> str:
    """``--lang CODE``, checked: one of the site's other languages, as statusgen.yaml writes it."""
    site = config.site
    argument = f"--lang {code}"
    if code in site.languages:
        return code
    listed = ", ".join(site.languages)
    if code == site.language:
        raise ArgumentError(
            argument,
            f"{code} is the site's default language: write its text in the incident's own file",
            f"the other languages are {listed}" if listed else "list other languages under site.languages",
        )
    raise ArgumentError(
        argument,
        "not one of the site's languages",
        did_you_mean(code, site.languages)
        or (f"the other languages are {listed}" if listed else "list other languages under site.languages first"),
    )


def translation_file(root: Path, incident: Incident, language: str) -> str | None:
    """The translation of ``incident`` to ``language`` that the repository has, if any."""
    for suffix in INCIDENT_SUFFIXES:
        rel = f"{INCIDENT_DIR}/{incident.id}.{language}{suffix}"
        if (root / rel).is_file() or (root / rel).is_symlink():
            return rel
    return None


def new_translation(
    root: Path,
    ws: Workspace,
    title: str,
    *,
    language: str,
    ident: str,
    message: str | None = None,
    template: str | None = None,
) -> WrittenTranslation:
    """Write ``incidents/ID.LANG.md`` (the suffix of the incident's file) with the title and the
    entry of the incident's first update; never over a translation there is."""
    config = ws.config
    language = other_language(config, language)
    incident = find(ws, ident)
    rel = translation_rel(incident, language)
    warnings = ws.check(rel)
    title = _title(title)
    there = translation_file(root, incident, language)
    if there is not None:
        raise StatusgenError(
            f"{incident.id} has a translation to {language} already",
            there,
            0,
            f"add an update's message to it with: statusgen update {incident.id} --lang {language}",
        )
    first = incident.updates[0]
    default = "maintenance" if incident.is_maintenance else str(incident.impact)
    text = _message(root, config, incident, first, title, language, message, template, default)
    at = written_times(root, incident).get(first.at, iso(first.at))
    lines = [f"title: {yamledit.scalar(title, 0)}", "updates:"]
    yaml = "\n".join(lines) + "\n" + yamledit.render_entry(at, text, 2, 4)
    body = f"---\n{yaml}---\n" if rel.endswith(".md") else yaml
    translation = _validated(body, rel, incident, language)  # a mistake touches nothing
    with edit_lock(root):
        there = translation_file(root, incident, language)
        if there is not None:
            raise StatusgenError(f"{incident.id} has a translation to {language} already", there, 0)
        create_exclusively(root / rel, body)
    return WrittenTranslation(root / rel, translation, incident, first, warnings)


def add_translated_update(
    root: Path,
    ws: Workspace,
    ident: str,
    *,
    language: str,
    at: datetime | None = None,
    message: str | None = None,
    template: str | None = None,
) -> WrittenTranslation:
    """Add to the translation of ``ident`` to ``language`` the entry of the incident's latest
    update, or of the one at ``at``; refused when the file has that entry already."""
    config = ws.config
    language = other_language(config, language)
    incident = find(ws, ident)
    rel = translation_file(root, incident, language)
    if rel is None:
        raise StatusgenError(
            f"{incident.id} has no translation to {language} yet",
            translation_rel(incident, language),
            0,
            f"start it with: statusgen new TITLE --lang {language} --for {incident.id}",
        )
    warnings = ws.check(rel)
    update = _update_at(incident, at)
    written = written_times(root, incident).get(update.at, iso(update.at))
    path = yamledit.edit_target(root, root / rel, rel)

    def attempt(text: str) -> tuple[str, Translation]:
        translation = _validated(text, rel, incident, language)
        if update.at in translation.lines:
            raise StatusgenError(
                f"the update at {iso(update.at)} is translated already; nothing was written",
                rel,
                translation.lines[update.at],
                "edit the entry in the file to change it",
            )
        body = _message(
            root, config, incident, update, translation.title, language, message, template, str(update.status)
        )
        new_text = yamledit.append_entry(text, rel, written, body)
        updated = _validated(new_text, rel, incident, language)
        if updated.messages.get(update.at) != body.strip() or updated.title != translation.title:
            raise StatusgenError("the entry could not be added without changing its meaning", rel, 0, "add it by hand")
        return new_text, updated

    attempt(read_text(path, rel))  # a mistake in the command touches nothing
    with edit_lock(root):
        text = read_text(path, rel)
        new_text, updated = attempt(text)
        write_atomically(path, new_text, rel=rel, expected=text.encode("utf-8"))
    return WrittenTranslation(root / rel, updated, incident, update, warnings)


def written_times(root: Path, incident: Incident) -> dict[datetime, str]:
    """Each update's ``at:`` of the incident as its file writes it, by the instant it names: a
    translation names an update the way its incident's file does."""
    try:
        data, _, _ = read_document(read_text(root / incident.path, incident.path), incident.path)
    except StatusgenError:
        return {}
    items = data.get("updates") if isinstance(data, YMap) else None
    found: dict[datetime, str] = {}
    for item in items if isinstance(items, YList) else ():
        value = item.get("at") if isinstance(item, YMap) else None
        if isinstance(value, str):
            try:
                found.setdefault(parse_timestamp(value), value.strip())
            except ValueError:
                continue
    return found


def _title(title: str) -> str:
    if not title.strip():
        raise ArgumentError("TITLE", "the title is empty", "give the incident's title in this language")
    if "\n" in title.strip() or "\r" in title:
        raise ArgumentError("TITLE", "the title must be one line")
    check_text("TITLE", title.strip(), multiline=False)
    return title.strip()


def _update_at(incident: Incident, at: datetime | None) -> Update:
    """The update ``--at`` names (by its instant), or the latest."""
    if at is None:
        return incident.last_update
    for update in incident.updates:
        if update.at == at:
            return update
    nearest = sorted(incident.updates, key=lambda u: (abs((u.at - at).total_seconds()), u.at))
    raise ArgumentError(
        f"--at {iso(at)}",
        f"{incident.id} has no update at that time",
        "its updates are at " + ", ".join(iso(u.at) for u in nearest[:5]),
    )


def _message(
    root: Path,
    config: Config,
    incident: Incident,
    update: Update,
    title: str,
    language: str,
    message: str | None,
    template: str | None,
    default: str,
) -> str:
    """The translated message of ``update``: as given, or its template in the language, filled
    in as ``new`` and ``update`` fill one."""
    return compose_message(
        root,
        config,
        message,
        template or (None if message is not None else default),
        title=title,
        impact=incident.impact,
        components=dict(incident.components),
        at=update.at,
        window=(incident.window.start, incident.window.end) if incident.window else None,
        language=language,
    )


def _validated(text: str, rel: str, incident: Incident, language: str) -> Translation:
    """The translation ``text`` holds, checked exactly as a build reads the file: a file that
    would not load is never written."""
    check_size(text, rel)
    problems: list[Problem] = []
    try:
        translation = parse_translation(text, rel, incident, language, problems)
    except StatusgenError as exc:
        problems.append(exc.problem)
        translation = None
    if translation is None or problems:
        raise ValidationFailed(problems)
    return translation
