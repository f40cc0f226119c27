"""Editing incident files in place without disturbing what the engineer wrote.

Updates are appended as text, right after the last existing update, so comments, key order,
quoting and the markdown body keep their bytes. Every edit is checked by parsing the result back
before it is written, and written atomically (a temporary file renamed over the original).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml

from statusgen.errors import StatusgenError
from statusgen.load import yamltext
from statusgen.load.incidents import layout
from statusgen.timeutil import iso

log = logging.getLogger(__name__)

# Characters a literal block cannot hold as they are: controls, and what YAML takes for line breaks.
_NOT_LITERAL = re.compile("^\t|[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


@dataclass(frozen=True)
class NewUpdate:
    at: datetime
    status: str
    message: str
    components: dict[str, str]


def edit_target(root: Path, path: Path, rel: str) -> Path:
    """The file an edit of ``rel`` (at ``path``) writes to: the file itself, or, when it is a
    symlink, the file the link points to, so that the link stays a link. A target outside the
    repository, or inside its ``.git``, is refused."""
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        raise StatusgenError(
            "cannot follow this symlink: it is broken or loops",
            rel,
            1,
            "point the link at a file in the repository, or replace it with the file",
        ) from None
    base = root.resolve()
    if not target.is_relative_to(base):
        raise StatusgenError(
            f"this is a symlink to {target}, outside the repository; nothing was written",
            rel,
            1,
            "statusgen edits only files in the repository: copy the file in instead of linking it",
        )
    inside = target.relative_to(base)
    if ".git" in inside.parts:
        raise StatusgenError(
            f"this is a symlink into git's own folder ({inside.as_posix()}); nothing was written",
            rel,
            1,
            "point the link at a file outside .git, or replace it with the file",
        )
    return target


def scalar(text: str, indent: int) -> str:
    """``text`` as a YAML value for a ``key: `` at ``indent``.

    Multi-line text becomes a literal block, which reads like the message itself; text a literal
    block cannot hold exactly (control characters, tabs or spaces at a line's start or end) is
    written double-quoted, with escapes.
    """
    body = text.strip("\n")
    lines = body.split("\n")
    literal = len(lines) > 1 and not any(_NOT_LITERAL.search(line) or line != line.rstrip() for line in lines)
    if not literal:
        plain = len(lines) == 1 and not _NOT_LITERAL.search(body)
        dumped = yaml.safe_dump(body, allow_unicode=True, width=2**20, default_style=None if plain else '"')
        return dumped.removesuffix("\n...\n").rstrip("\n")
    indicator = "|2" if lines[0].startswith(" ") else "|"
    pad = " " * (indent + 2)
    return indicator + "\n" + "\n".join(pad + line if line else "" for line in lines)


def render_update(update: NewUpdate, dash: int, content: int, newline: str = "\n") -> str:
    """A sequence item for ``update``: the dash at column ``dash``, keys at column ``content``."""
    pad = " " * content
    lines = [f"{' ' * dash}-{' ' * (content - dash - 1)}at: {iso(update.at)}", f"{pad}status: {update.status}"]
    if update.components:
        pairs = ", ".join(f"{cid}: {status}" for cid, status in update.components.items())
        lines.append(f"{pad}components: {{{pairs}}}")
    lines.append(f"{pad}message: {scalar(update.message, content)}".replace("\n", newline))
    return newline.join(lines) + newline


def compose(text: str, rel: str, first_line: int) -> yaml.Node | None:
    """The YAML node tree of ``text``, read by the parser the build reads it with (libyaml, or
    the pure-Python parser for text that could nest deeply), so that what a build accepts an
    edit can read too: the two parsers disagree on tabs after values, a BOM at a line's start,
    and more."""
    loader = (yamltext._SafeLoader if yamltext._may_nest_deeply(text) else yamltext._Loader)(text)
    try:
        return loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + (mark.line if mark else 0)
        raise StatusgenError(f"invalid YAML: {exc.problem or exc}", rel, line, "run statusgen check") from None
    except (yaml.YAMLError, RecursionError) as exc:
        raise StatusgenError(f"invalid YAML: {exc}", rel, first_line, "run statusgen check") from None
    finally:
        loader.dispose()


def _end_of(node: yaml.Node) -> yaml.Mark:
    """Where a node's own text ends (block collections end at the next token, after comments)."""
    if isinstance(node, yaml.MappingNode) and not node.flow_style and node.value:
        return _end_of(node.value[-1][1])
    if isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
        return _end_of(node.value[-1])
    return node.end_mark


def line_ending(text: str, rel: str) -> str:
    """The file's line ending, taken from its first line; old Mac files (CR alone) are refused."""
    if "\r" in text.replace("\r\n", ""):
        raise StatusgenError(
            "the file ends lines with a lone CR; statusgen can only edit LF or CRLF files",
            rel,
            1,
            "save it with LF line endings",
        )
    return "\r\n" if text.split("\n", 1)[0].endswith("\r") else "\n"


def _dash_column(front: str, item: yaml.Node) -> int:
    """The column of the '-' that opens a sequence item."""
    dash = front.rindex("-", 0, item.start_mark.index)
    return dash - (front.rfind("\n", 0, dash) + 1)


def render_entry(at: str, message: str, dash: int, content: int, newline: str = "\n") -> str:
    """A translation's sequence item: the ``at`` of the update it translates, written as the
    incident's file writes it, and its ``message``."""
    pad = " " * content
    # Written as the incident's file writes it: the loader reads a time as text, quoted or not.
    written = at if _PLAIN_TIME.fullmatch(at) else scalar(at, content)
    lines = [f"{' ' * dash}-{' ' * (content - dash - 1)}at: {written}"]
    lines.append(f"{pad}message: {scalar(message, content)}".replace("\n", newline))
    return newline.join(lines) + newline


_PLAIN_TIME = re.compile(r"[0-9][0-9Tt:.,+\-Zz ]*[0-9Zz]")
# Renders an item of a list at (dash column, content column, line ending).
ItemRenderer = Callable[[int, int, str], str]


def append_update(text: str, rel: str, update: NewUpdate) -> str:
    """The file's text with ``update`` appended to its ``updates`` list."""
    return _append_item(text, rel, lambda dash, content, newline: render_update(update, dash, content, newline))


def append_entry(text: str, rel: str, at: str, message: str) -> str:
    """The text of a translation's file with an entry for the update at ``at`` appended to its
    ``updates`` list, which is added after its last key if it has none."""
    return _append_item(
        text, rel, lambda dash, content, newline: render_entry(at, message, dash, content, newline), create=True
    )


def _append_item(text: str, rel: str, render: ItemRenderer, create: bool = False) -> str:
    """The file's text with the item ``render`` makes appended to its ``updates`` list (with
    ``create``, a list made for it when the file has none)."""
    newline = line_ending(text, rel)
    parts = layout(text, rel)  # exactly the YAML the build parses
    start, end = parts.start, parts.end
    front = text[start:end]
    first_line = text.count("\n", 0, start) + 1
    root = compose(front, rel, first_line)
    updates = next((value for key, value in getattr(root, "value", []) if key.value == "updates"), None)
    if updates is None and create and isinstance(root, yaml.MappingNode) and not root.flow_style:
        before = front if not front or front.endswith("\n") else front + newline
        item = "updates:" + newline + render(2, 4, newline)
        return text[:start] + before + item + text[end:]
    if not isinstance(updates, yaml.SequenceNode) or not updates.value:
        raise StatusgenError("no updates list to add to", rel, 1)
    if updates.flow_style:
        raise StatusgenError(
            "'updates' is written on one line as [ ... ]; statusgen can only add to a "
            "list with one '- ' item per update",
            rel,
            first_line + updates.start_mark.line,
            "write the updates as a block list, one '- at:' item per update",
        )
    first = updates.value[0]
    dash = _dash_column(front, first)
    content = max(first.start_mark.column, dash + 2)
    last_end = _end_of(updates.value[-1])
    # At a line's start as an editor sees lines: YAML also breaks lines at U+0085, U+2028, U+2029.
    if last_end.index == 0 or front[last_end.index - 1] == "\n":
        cut = last_end.index
    else:
        following = front.find("\n", last_end.index)
        cut = len(front) if following == -1 else following + 1
    before = front[:cut]
    if before and not before.endswith("\n"):
        before += newline
    item = render(dash, content, newline)
    return text[:start] + before + item + front[cut:] + text[end:]
