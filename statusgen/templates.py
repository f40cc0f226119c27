"""Message templates: built-in ones per impact and per stage, overridable in ``templates/``.

A template is a markdown file. ``$name`` fields are filled in when it is used (``$next_update``,
``$title``, ``$components``, ``$window``, ``$timeline``); ``[[...]]`` marks what the engineer
still has to write, and a build refuses to publish a file that still has one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from string import Template

from statusgen.errors import Problem, StatusgenError, did_you_mean
from statusgen.incidents import Incident
from statusgen.yamlload import read_text

BUILT_IN = Path(__file__).resolve().parent / "messages"
REPO_DIR = "templates"
PLACEHOLDER = re.compile(r"\[\[.*?\]\]", re.S)


@dataclass(frozen=True)
class MessageTemplate:
    name: str
    source: str
    text: str

    @property
    def summary(self) -> str:
        return next((line.strip() for line in self.text.splitlines() if line.strip()), "")


def available(root: Path) -> dict[str, MessageTemplate]:
    """Every template by name; one in the repository's ``templates/`` wins over the built-in one."""
    found: dict[str, MessageTemplate] = {}
    for folder, source in ((BUILT_IN, "built-in"), (root / REPO_DIR, REPO_DIR)):
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.md")):
            rel = f"{source}/{path.name}" if source == REPO_DIR else f"built-in {path.name}"
            found[path.stem] = MessageTemplate(path.stem, rel, read_text(path, rel))
    return found


def get(root: Path, name: str) -> MessageTemplate:
    templates = available(root)
    if name not in templates:
        raise StatusgenError(f"no template {name!r}", "", 0,
                             did_you_mean(name, templates) or "see 'statusgen templates'")
    return templates[name]


def left_in(incident: Incident) -> list[Problem]:
    """Template text (``[[...]]``) still in an incident's messages or body: never to be published."""
    found = []
    hint = "write the real text in place of each [[...]]"
    for update in incident.updates:
        match = PLACEHOLDER.search(update.message)
        if match:
            found.append(Problem(incident.path, update.line, f"template text left in the message: {match.group(0)}",
                                 hint))
    match = PLACEHOLDER.search(incident.body)
    if match:
        line = incident.body_line + incident.body.count("\n", 0, match.start())
        found.append(Problem(incident.path, line, f"template text left in the body: {match.group(0)}", hint))
    return found


def fill(template: MessageTemplate, **fields: str) -> str:
    """The template's text with its ``$fields`` filled in; unknown fields are left as written."""
    return Template(template.text).safe_substitute(fields).strip() + "\n"
