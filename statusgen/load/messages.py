"""Message templates: built-in ones per impact and per stage, overridable in ``templates/``, in
each language of the site (the built-in ones through the catalogs, a repository's own in
``templates/LANGUAGE/``).

A template is a markdown file. ``$name`` fields are filled in when it is used (``$next_update``,
``$title``, ``$components``, ``$window``, ``$timeline``); ``[[...]]`` marks what the engineer
still has to write, and a build refuses to publish a file that still has one.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from pathlib import Path
from string import Template

from statusgen import i18n, markup
from statusgen.errors import Problem, StatusgenError, did_you_mean
from statusgen.i18n.extract import message_template_text
from statusgen.inputs import read_text
from statusgen.load.incidents import Incident, split_front_matter
from statusgen.load.translations import Translation
from statusgen.load.yamltext import YList, YMap, line_of, load

BUILT_IN = Path(__file__).resolve().parents[1] / "messages"
REPO_DIR = "templates"
PLACEHOLDER = re.compile(r"\[\[.*?\]\]", re.S)
_OPEN = re.compile(r"\[\[")


@dataclass(frozen=True)
class MessageTemplate:
    name: str
    source: str
    text: str

    @property
    def summary(self) -> str:
        return next((line.strip() for line in self.text.splitlines() if line.strip()), "")


def available(root: Path, language: str = "en", default: bool = True) -> dict[str, MessageTemplate]:
    """Every template in ``language`` by name: the built-in ones in that language (as far as its
    catalog translates them), and the repository's own, which win over them: ``templates/NAME.md``
    for the site's ``default`` language, ``templates/LANGUAGE/NAME.md`` for another one (a default
    language's template does not stand in for another language's)."""
    words = i18n.language(language)
    found: dict[str, MessageTemplate] = {}
    if BUILT_IN.is_dir():
        for path in sorted(BUILT_IN.glob("*.md")):
            found[path.stem] = _built_in(path, words)
    folder, source = (root / REPO_DIR, REPO_DIR) if default else (root / REPO_DIR / language, f"{REPO_DIR}/{language}")
    if folder.is_dir():
        for path in sorted(folder.glob("*.md")):
            rel = f"{source}/{path.name}"
            found[path.stem] = MessageTemplate(path.stem, rel, read_text(path, rel))
    return found


def _built_in(path: Path, words: i18n.Language) -> MessageTemplate:
    """A built-in template in a language: its catalog's translation of the template's text (see
    i18n.extract), and the newline that ends the file; English where the catalog has none."""
    rel = f"built-in {path.name}"
    text = read_text(path, rel)
    message = message_template_text(text)
    translated = words.gettext(message)
    if words.catalog is not None and translated == message:
        rel += " (not translated)"
    return MessageTemplate(path.stem, rel, translated + text[len(message) :])


def get(root: Path, name: str, language: str = "en", default: bool = True) -> MessageTemplate:
    """The template ``name`` in ``language`` (see ``available``)."""
    templates = available(root, language, default)
    if name not in templates:
        raise StatusgenError(
            f"no template {name!r}", "", 0, did_you_mean(name, templates) or "see 'statusgen templates'"
        )
    return templates[name]


def left_in(incident: Incident, root: Path | None = None) -> list[Problem]:
    """Template text (``[[...]]``) still in the prose of an incident's messages or body: never to
    be published. In code (a fenced block, a code span) it is content: a pasted ``[[servers]]``
    TOML table or a shell ``[[ -f x ]]`` test.

    Each occurrence is its own problem, at its own line. A placeholder in the body is placed from
    the body's text; one in a message from the file's text when ``root`` (the repository) is
    given, and otherwise at the line its update starts on.
    """
    texts = [(u.message, u.line) for u in incident.updates]
    return _left_in(incident.path, texts, incident.body, incident.body_line, root)


def left_in_translation(translation: Translation, root: Path | None = None) -> list[Problem]:
    """Template text still in a translation's messages or body, as ``left_in`` finds it in an
    incident's."""
    texts = [(message, translation.lines.get(at, 0)) for at, message in sorted(translation.messages.items())]
    return _left_in(translation.path, texts, translation.body or "", translation.body_line, root)


def _left_in(rel: str, texts: list[tuple[str, int]], body: str, body_line: int, root: Path | None) -> list[Problem]:
    """Template text in the messages ``texts`` (each with the line its update starts on) and the
    body of the file ``rel``."""
    hint = "write the real text in place of each [[...]]"
    found = []
    located: dict[int, list[int]] | None = None
    for message, update_line in texts:
        matches = list(PLACEHOLDER.finditer(markup.prose(message))) if "[[" in message else []
        if matches and located is None:
            located = _message_placeholder_lines(root / rel, rel) if root else {}
        # The file's text has the message's every "[[", code or not, in order: the n-th is the
        # line of the placeholder that starts at the message's n-th "[[".
        lines = (located or {}).get(update_line, [])
        opens = [m.start() for m in _OPEN.finditer(message)]
        for match in matches:
            nth = bisect.bisect_left(opens, match.start())
            line = lines[nth] if len(lines) == len(opens) else (lines[0] if lines else update_line)
            text = message[match.start() : match.end()]
            found.append(Problem(rel, line, f"template text left in the message: {text}", hint))
    for match in PLACEHOLDER.finditer(markup.prose(body)) if "[[" in body else ():
        line = body_line + body.count("\n", 0, match.start())
        text = body[match.start() : match.end()]
        found.append(Problem(rel, line, f"template text left in the body: {text}", hint))
    return found


_LINE_BREAK = re.compile(r"\r\n|\n|\r")


def _message_placeholder_lines(path: Path, rel: str) -> dict[int, list[int]]:
    """For each update (by the line it starts on), the line of each ``[[`` in its message's text.

    A message's text runs from its key to the next key or item of the file; for an update whose
    message cannot be placed the list holds just the message's own line.
    """
    try:
        text = read_text(path, rel).lstrip("\ufeff")
        if rel.endswith(".md"):
            front, _, _ = split_front_matter(text, rel)
            top, first = load(front, rel, 2), 2
        else:
            front, first = text, 1
            top = load(front, rel)
    except StatusgenError:
        return {}
    updates = top.get("updates") if isinstance(top, YMap) else None
    if not isinstance(updates, YList):
        return {}
    marks = sorted(_landmarks(top))
    file_lines = _LINE_BREAK.split(front)
    located = {}
    for index, entry in enumerate(updates):
        if not isinstance(entry, YMap) or "message" not in entry:
            continue
        start = line_of(entry, "message")
        end = next((mark for mark in marks if mark > start), first + len(file_lines))
        raw = "\n".join(file_lines[start - first : end - first])
        lines = [start + raw.count("\n", 0, m.start()) for m in _OPEN.finditer(raw)]
        message = entry["message"] if isinstance(entry["message"], str) else ""
        located[line_of(updates, index)] = lines if len(lines) == len(_OPEN.findall(message)) else [start]
    return located


def _landmarks(value: object) -> list[int]:
    """The line of every key and item in a loaded YAML document."""
    lines: list[int] = []
    if isinstance(value, YMap):
        lines += value.lines.values()
        for item in value.values():
            lines += _landmarks(item)
    elif isinstance(value, YList):
        lines += value.lines
        for item in value:
            lines += _landmarks(item)
    return lines


def fill(template: MessageTemplate, **fields: str) -> str:
    """The template's text with its ``$fields`` filled in; unknown fields are left as written."""
    return Template(template.text).safe_substitute(fields).strip() + "\n"
