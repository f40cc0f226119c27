"""Editing incident files in place without disturbing what the engineer wrote.

Updates are appended as text, right after the last existing update, so comments, key order,
quoting and the markdown body keep their bytes. Every edit is checked by parsing the result back
before it is written, and written atomically (a temporary file renamed over the original).
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml

from statusgen.errors import StatusgenError
from statusgen.timeutil import iso

# Characters a literal block cannot hold as they are: controls, and what YAML takes for line breaks.
_NOT_LITERAL = re.compile("^\t|[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


@dataclass(frozen=True)
class NewUpdate:
    at: datetime
    status: str
    message: str
    components: dict[str, str]


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` so that readers see the old file or the new, never half."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise


def create_exclusively(path: Path, text: str) -> None:
    """Write a new file, failing rather than overwriting one that appeared meanwhile."""
    with open(path, "x", encoding="utf-8", newline="") as out:
        out.write(text)


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


def _front_matter_span(text: str, markdown: bool) -> tuple[int, int]:
    """Start and end offsets of the YAML in the file."""
    if not markdown:
        return 0, len(text)
    first = text.index("\n") + 1
    offset = first
    for line in text[first:].splitlines(keepends=True):
        if line.rstrip() in ("---", "..."):
            return first, offset
        offset += len(line)
    raise StatusgenError("front matter is not closed", "", 1)


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
        raise StatusgenError("the file ends lines with a lone CR; statusgen can only edit LF or CRLF files",
                             rel, 1, "save it with LF line endings")
    return "\r\n" if text.split("\n", 1)[0].endswith("\r") else "\n"


def _dash_column(front: str, item: yaml.Node) -> int:
    """The column of the '-' that opens a sequence item."""
    dash = front.rindex("-", 0, item.start_mark.index)
    return dash - (front.rfind("\n", 0, dash) + 1)


def append_update(text: str, rel: str, update: NewUpdate) -> str:
    """The file's text with ``update`` appended to its ``updates`` list."""
    newline = line_ending(text, rel)
    start, end = _front_matter_span(text, rel.endswith(".md"))
    front = text[start:end]
    root = yaml.compose(front, Loader=yaml.SafeLoader)
    updates = next((value for key, value in getattr(root, "value", []) if key.value == "updates"), None)
    if not isinstance(updates, yaml.SequenceNode) or not updates.value:
        raise StatusgenError("no updates list to add to", rel, 1)
    if updates.flow_style:
        raise StatusgenError("'updates' is written on one line as [ ... ]; statusgen can only add to a "
                             "list with one '- ' item per update", rel, updates.start_mark.line + 2)
    first = updates.value[0]
    dash = _dash_column(front, first)
    content = max(first.start_mark.column, dash + 2)
    last_end = _end_of(updates.value[-1])
    if last_end.column == 0:
        cut = last_end.index
    else:
        following = front.find("\n", last_end.index)
        cut = len(front) if following == -1 else following + 1
    before = front[:cut]
    if before and not before.endswith("\n"):
        before += newline
    item = render_update(update, dash, content, newline)
    return text[:start] + before + item + front[cut:] + text[end:]
