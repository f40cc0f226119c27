"""Markdown from incident files, rendered and sanitized.

Incident files come by pull request from many hands, so whatever HTML the markdown produces is
cleaned with an allow-list before it reaches a page or a feed: no scripts, no event handlers, no
``javascript:`` or ``data:`` links, no styles.
"""

from __future__ import annotations

import html as html_lib
import re
from functools import lru_cache

import markdown
import nh3
from markupsafe import Markup

_TAGS = {"a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h2", "h3",
         "h4", "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table",
         "tbody", "td", "th", "thead", "tr", "ul"}
_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"},
               "ol": {"start"}}
_SCHEMES = {"http", "https", "mailto"}


_converter = markdown.Markdown(extensions=["extra", "sane_lists"], output_format="html")


# Text with none of these characters, and no line that could start a list, quote, heading or
# code block, is plain paragraphs; most status updates are, and they skip the markdown parser.
_MARKUP_CHARS = re.compile(r"[\\`*_{}\[\]<>#+!|~&\t\r]")
_BLOCK_START = re.compile(r"^(?:[ ]|[-=:]|\d+[.)])", re.M)
_TRAILING_SPACE = re.compile(r"[ \t]$", re.M)


def plain_paragraphs(text: str) -> str | None:
    """The HTML markdown would make of ``text`` if it is plain paragraphs; else None."""
    body = text.strip("\n")
    if _MARKUP_CHARS.search(body) or _BLOCK_START.search(body) or _TRAILING_SPACE.search(body):
        return None
    if not all(line.isprintable() and line == line.strip() for line in body.split("\n")):
        return None
    paragraphs = [p for p in re.split(r"\n(?:[ ]*\n)+", body) if p]
    # As the sanitizer serializes HTML: a no-break space becomes an entity.
    return "\n".join(f"<p>{p}</p>" for p in paragraphs).replace("\xa0", "&nbsp;")


# Python-Markdown reads each '[' and '<' by scanning the rest of its paragraph for what closes it,
# and each abbreviation by scanning the whole text, so a text of thousands of brackets in one
# paragraph takes time by the square of its length: a 1 MB message of '[' would take hours. The
# cost below bounds that scanning; incident files above the limit are refused when loaded.
MAX_COST = 4_000_000
_SCANNED = re.compile(r"(?<!\\)[\[<]")
_ABBREVIATION = re.compile(r"^ {0,3}\*\[", re.M)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def cost(text: str) -> int:
    """About how many characters rendering ``text`` scans: each unescaped '[' or '<' its
    paragraph's length, each abbreviation definition the whole text's. Ordinary messages cost
    nothing to a few thousand; MAX_COST takes well under a second."""
    if "[" not in text and "<" not in text:
        return 0
    return (sum(len(_SCANNED.findall(part)) * len(part) for part in _PARAGRAPH_BREAK.split(text))
            + len(_ABBREVIATION.findall(text)) * len(text))


@lru_cache(maxsize=8192)
def render(text: str) -> Markup:
    """Markdown to safe HTML."""
    fast = plain_paragraphs(text)
    if fast is not None:
        return Markup(fast)
    if cost(text) > MAX_COST:
        # Only text written to stall a build gets here, from a caller that did not check it first.
        return Markup("\n".join(f"<p>{html_lib.escape(part, quote=False)}</p>"
                                 for part in _PARAGRAPH_BREAK.split(text.strip("\n"))))
    # One converter, reset between documents: building one costs more than converting a message.
    html = _converter.reset().convert(text)
    return Markup(clean(html))


def render_inline(text: str) -> Markup:
    """Markdown for a one-line setting such as the announcement, without the outer paragraph."""
    html = str(render(text))
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return Markup(html)


def clean(html: str) -> str:
    """Sanitize HTML against the allow-list."""
    return nh3.clean(html, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes=_SCHEMES,
                     link_rel="nofollow noopener noreferrer", strip_comments=True)


def plain(text: str) -> str:
    """Markdown reduced to plain text, for summaries and titles."""
    return html_lib.unescape(nh3.clean(str(render(text)), tags=set())).strip()
