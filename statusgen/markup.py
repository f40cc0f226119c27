"""Markdown from incident files, rendered and sanitized.

Incident files come by pull request from many hands, so whatever HTML the markdown produces is
cleaned with an allow-list before it reaches a page or a feed: no scripts, no event handlers, no
``javascript:`` or ``data:`` links, no styles.
"""

from __future__ import annotations

import html as html_lib
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


@lru_cache(maxsize=8192)
def render(text: str) -> Markup:
    """Markdown to safe HTML."""
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
