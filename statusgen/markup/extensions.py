"""Two changes to Python-Markdown that keep every text's render time linear in its size.

HTML in incident markdown: a few formatting tags, comments hidden, the rest shown as text.
Python-Markdown hands raw HTML to an HTML parser that reads the rest of the text again for many of
the tags and comments it meets, so a few kilobytes of tags can take it minutes; and whatever HTML it
lets through, the sanitizer then cuts down to an allow-list anyway. So the parser never sees HTML:
a comment is dropped (as a git host's preview hides it), one of the formatting tags below without
attributes (``<br>``, ``<sub>``, ``<kbd>``...) is kept, and every other ``<`` is text, shown as
written. Each of these is found in time linear in the text's size.
"""

from __future__ import annotations

import re

from markdown import Markdown
from markdown.extensions import Extension
from markdown.extensions.fenced_code import FencedBlockPreprocessor
from markdown.inlinepatterns import HtmlInlineProcessor
from markdown.preprocessors import Preprocessor

# Tags that format a few words and need no attribute, each as an opening or closing tag (or <br/>).
FORMATTING = ("b", "br", "code", "del", "em", "i", "kbd", "s", "strong", "sub", "sup")
_TAG = r"(</?(?i:" + "|".join(FORMATTING) + r")[ \t]*/?>)"
TAG = re.compile(_TAG)


def without_comments(text: str) -> str:
    """``text`` with its HTML comments taken out; a ``<!--`` that nothing closes stays, as text."""
    if "<!--" not in text:
        return text
    kept = []
    position = 0
    while (start := text.find("<!--", position)) >= 0:
        end = text.find("-->", start + 4)
        if end < 0:
            break  # no comment closes after this one: none further can either
        kept.append(text[position:start])
        position = end + 3
    kept.append(text[position:])
    return "".join(kept)


class _Comments(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        return without_comments("\n".join(lines)).split("\n")


class PlainHtml(Extension):
    """Raw HTML as text, but for the formatting tags; comments dropped."""

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (the name Python-Markdown calls)
        md.preprocessors.deregister("html_block")
        md.preprocessors.register(_Comments(md), "html_comments", 20)
        md.inlinePatterns.deregister("html")
        md.inlinePatterns.register(HtmlInlineProcessor(_TAG, md), "formatting_html", 90)


class _Fences(FencedBlockPreprocessor):
    # A fence as the fenced_code extension reads one, without its {attributes} and hl_lines= (which
    # only syntax highlighting uses): a line of three or more backticks or tildes and an optional
    # language, the code, and a line of the same fence. hl_lines= let the search of one fence read
    # the rest of the text once for each quote after it. The empty groups are those run() reads.
    FENCED_BLOCK_RE = re.compile(
        r"(?P<fence>^(?:~{3,}|`{3,}))[ ]*(?P<attrs>)(?:\.?(?P<lang>[\w#.+-]*)[ ]*)?(?P<quot>)(?P<hl_lines>)\n"
        r"(?P<code>.*?)(?<=\n)(?P=fence)[ ]*$",
        re.MULTILINE | re.DOTALL,
    )


class PlainFences(Extension):
    """Fenced code blocks, with a language but no attributes."""

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (the name Python-Markdown calls)
        md.registerExtension(self)
        md.preprocessors.register(_Fences(md, {"lang_prefix": "language-"}), "fenced_code_block", 25)
