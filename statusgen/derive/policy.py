"""The communication policy: the lapses that erode trust, found at ``path:line``.

Errors: an open incident whose last update is older than its impact's cadence; a resolved incident
that needed a postmortem and has none past its deadline. Warning: a first update that says nothing
of when the next one comes. (Template text left in a file is a validation error: it stops the build.)
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from statusgen import i18n
from statusgen.derive.timeline import is_open, published, resolved_at
from statusgen.errors import Problem
from statusgen.i18n.extract import message_template_text
from statusgen.load import messages
from statusgen.load.config import Policy
from statusgen.load.incidents import Incident
from statusgen.load.repository import Repository
from statusgen.timeutil import format_duration
from statusgen.vocabulary import Impact

_WHEN = r"(?:by|at|in|within|before|around)\b"
_NEXT_UPDATE = re.compile(
    rf"next update|updates? (?:you )?{_WHEN}|further updates? (?:\w+ ){{0,3}}{_WHEN}|"
    r"within (?:the )?(?:next )?(?:\d+|an?|one|two|half an) ?(?:minutes?|min|hours?|h)\b|"
    r"\bby \d{1,2}:\d{2}",
    re.I,
)
_POSTMORTEM_WORD = r"post-?mortem\b"
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r" {0,3}#{1,6}(?:\s|$)")


def next_update_due(incident: Incident, policy: Policy) -> datetime | None:
    """When an open incident's next update is due, if its impact has a cadence."""
    every = policy.update_every.get(incident.impact)
    if every is None or not is_open(incident):
        return None
    return incident.last_update.at + every


@dataclass(frozen=True)
class Postmortem:
    """An incident body's ``## Postmortem`` section, and what comes before it (markdown each)."""

    before: str
    section: str
    summary: str  # its first paragraph: that of its "Summary" when it opens with one


def postmortem(body: str) -> Postmortem | None:
    """The body split at its postmortem's heading (one in a fenced code block is text), if it
    has one. The section runs to the end of the body, as ``statusgen postmortem`` writes it."""
    lines = body.splitlines(keepends=True)
    for index, line in _outside_fences(lines):
        if _postmortem_heading().match(line):
            return Postmortem("".join(lines[:index]), "".join(lines[index:]), _first_paragraph(lines[index + 1 :]))
    return None


@functools.cache
def _postmortem_heading() -> re.Pattern[str]:
    """A postmortem's heading: "## Postmortem", or the heading the built-in postmortem template
    has in any language's catalog ("## Nachbetrachtung"), so that a translated incident's
    postmortem, which its translator headed in its own language, is one too."""
    template = (messages.BUILT_IN / "postmortem.md").read_text(encoding="utf-8")
    english = message_template_text(template)
    headings = {_POSTMORTEM_WORD}
    for catalog in i18n.CATALOGS:
        translated = i18n.language(catalog).gettext(english)
        first = next((line for line in translated.splitlines() if line.startswith("#")), "")
        if first.lstrip("#").strip():
            headings.add(re.escape(first.lstrip("#").strip()) + r"\s*$")
    return re.compile(r"#{1,3}\s*(?:" + "|".join(sorted(headings)) + ")", re.I)


def _outside_fences(lines: list[str]) -> Iterator[tuple[int, str]]:
    """The lines that are not inside a fenced code block, with their index."""
    fence = ""
    for index, line in enumerate(lines):
        opened = _FENCE.match(line)
        if fence:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                if not line[opened.end() :].strip():
                    fence = ""
        elif opened:
            fence = opened.group(1)
        else:
            yield index, line


def _first_paragraph(lines: list[str]) -> str:
    """The first paragraph of ``lines``, past the headings and blank lines before it."""
    shown: list[str] = []
    for line in lines:
        if not line.strip() or _HEADING.match(line):
            if shown:
                break
            continue
        shown.append(line)
    return "".join(shown).strip()


def has_postmortem(incident: Incident) -> bool:
    return postmortem(incident.body) is not None


def postmortem_text(body: str) -> str | None:
    """The markdown of the body's postmortem section below its heading, to the next heading of its
    level or above, or None without a postmortem."""
    found = postmortem(body)
    if found is None:
        return None
    heading, *lines = found.section.splitlines(keepends=True)
    for index, line in _outside_fences(lines):
        if _HEADING.match(line) and _level(line) <= _level(heading):
            lines = lines[:index]
            break
    return "".join(lines).strip("\n")


def _level(heading: str) -> int:
    stripped = heading.lstrip(" ")
    return len(stripped) - len(stripped.lstrip("#"))


def promises_next_update(message: str, language: str = "en") -> bool:
    """Whether a message says when the next update comes: in English, or in the words the site's
    language says it with on the pages and in its message templates ("Prossimo aggiornamento")."""
    if _NEXT_UPDATE.search(message):
        return True
    stems = _next_update_stems(language)
    return bool(stems) and any(stem in _words(message) for stem in stems)


def _words(text: str) -> str:
    """The text's words, folded and joined by single spaces: "Nächstes Update:" reads "nächstes update"."""
    spaced = "".join(" " if unicodedata.category(c)[0] in "PSZC" else c for c in text.casefold())
    return " " + " ".join(spaced.split()) + " "


@functools.cache
def _next_update_stems(language: str) -> tuple[str, ...]:
    words = i18n.language(language)
    if words.catalog is None:
        return ()
    stems = []
    for english in _PROMISES:
        # From the start of a word, to the end of one or not: Korean and Turkish add endings.
        said = _words(words.gettext(english).split("%(time)s")[0]).rstrip()
        if said:
            stems.append(said)
            shorter = said.rsplit(" ", 1)[0]  # "entro le": the time may be written another way
            if len(shorter.split()) >= 2:
                stems.append(shorter)
    return tuple(dict.fromkeys(stems))


# The catalog's ways of promising the next update, each followed by its time.
_PROMISES = ("Next update by %(time)s", "next update by %(time)s")


def example_promise(language: str) -> str:
    """A last sentence promising the next update, in the site's language."""
    words = i18n.language(language)
    said = words.gettext("Next update by %(time)s") % {"time": "14:30 UTC"}
    return said + "." if words.catalog is None else said


def check(repo: Repository, now: datetime) -> list[Problem]:
    """Every policy problem in the repository as of ``now``, in file order."""
    policy = repo.config.policy
    problems: list[Problem] = []
    for full in repo.incidents:
        if full.hidden:
            continue
        incident = published(full, now)
        if incident is None or incident.is_maintenance:
            continue
        due = next_update_due(incident, policy)
        if due is not None and now > due:
            every = policy.update_every[incident.impact]
            problems.append(
                Problem(
                    incident.path,
                    incident.last_update.line,
                    f"update overdue by {format_duration(now - due)}",
                    f"{incident.impact} incidents get an update every {format_duration(every)}; "
                    f"post one with: statusgen update {incident.id} --status ... --message ...",
                )
            )
        within = policy.postmortem_within.get(incident.impact)
        ended = resolved_at(incident)
        if (
            within is not None
            and ended is not None
            and incident.postmortem_due is not False
            and not has_postmortem(incident)
            and now > ended + within
        ):
            problems.append(
                Problem(
                    incident.path,
                    incident.last_update.line,
                    f"no postmortem {format_duration(now - ended)} after the incident was resolved",
                    f"{incident.impact} incidents get one within {format_duration(within)}: "
                    f"statusgen postmortem {incident.id} (or set postmortem_due: false)",
                )
            )
        first = incident.updates[0]
        language = repo.config.site.language
        if (
            incident.impact != Impact.NONE
            and not first.status.finished
            and not promises_next_update(first.message, language)
        ):
            problems.append(
                Problem(
                    incident.path,
                    first.line,
                    "the first update does not say when the next update comes",
                    f"end it with e.g. '{example_promise(language)}'",
                    warning=True,
                )
            )
    return sorted(problems)
