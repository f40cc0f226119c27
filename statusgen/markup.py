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


@lru_cache(maxsize=8192)
def render(text: str) -> Markup:
    """Markdown to safe HTML."""
    fast = plain_paragraphs(text)
    if fast is not None:
        return Markup(fast)
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
