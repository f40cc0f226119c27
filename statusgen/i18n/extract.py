"""Babel's extractor for the built-in message templates (``statusgen/messages/*.md``).

Each template is one message of the catalogs, its whole text: a translator sees the template as an
engineer fills it in, and keeps its ``$fields`` and ``[[...]]`` marks (the catalog test checks).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from pathlib import PurePath
from typing import IO, Any


def message_template_text(text: str) -> str:
    """A template's message in the catalogs: its text without the newline that ends the file."""
    return text.rstrip("\n")


def message_templates(
    fileobj: IO[bytes], keywords: Mapping[str, Any], comment_tags: Collection[str], options: Mapping[str, Any]
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """One message per template file (Babel's extraction method interface)."""
    name = PurePath(getattr(fileobj, "name", "template.md")).stem
    text = message_template_text(fileobj.read().decode("utf-8"))
    comment = (
        f"The built-in message template '{name}', as an engineer starts an update from it. Keep each "
        "$field as it is (it is filled in), and keep the [[...]] marks around what the engineer still has to "
        "write; translate the words inside them."
    )
    yield 1, None, text, [comment]
