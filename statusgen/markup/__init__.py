"""Markdown from incident files, rendered and sanitized.

Incident files come by pull request from many hands, so whatever HTML the markdown produces is
cleaned with an allow-list before it reaches a page or a feed: no scripts, no event handlers, no
``javascript:`` or ``data:`` links, no styles.
"""

from __future__ import annotations

import html as html_lib
import logging
import re
from functools import lru_cache

import markdown
import nh3
from markupsafe import Markup

from statusgen.markup import cost
from statusgen.markup.cost import FREE, MAX_COST, MAX_NESTING, Cost, Shape, deepest, nesting
from statusgen.markup.extensions import PlainFences, PlainHtml

__all__ = ["MAX_COST", "MAX_NESTING", "Cost", "Shape", "deepest", "estimate", "nesting", "renderable"]

log = logging.getLogger(__name__)

_TAGS = {
    "a",
    "b",
    "blockquote",
    "br",
    "code",
    "del",
    "em",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "td": {"align"},
    "th": {"align"},
    "ol": {"start"},
}
_CLASSES = {"ul": {"task-list"}, "ol": {"task-list"}, "li": {"task-list-item"}}
_SCHEMES = {"http", "https", "mailto"}


# What incident authors write and see in their git host's preview: tables, fenced code, lists that
# keep their kind and numbering, ~~strikethrough~~, bare URLs and addresses as links, and task lists.
# Footnotes, abbreviations, definition lists, attribute lists and markdown inside HTML elements are
# left out: git hosts show them as text, and each brings a shape of text that is slow to render.
# Raw HTML is text but for a few formatting tags (see markup.extensions).
EXTENSIONS = ["tables", "sane_lists", "pymdownx.tilde", "pymdownx.magiclink", "pymdownx.tasklist"]
_SETTINGS = {
    "tables": {"use_align_attribute": True},  # the sanitizer keeps align, never a style
    "pymdownx.tilde": {"subscript": False},  # ~x~ is text, as on git hosts
    "pymdownx.magiclink": {"repo_url_shortener": False, "social_url_shortener": False},
}


def _new_converter() -> markdown.Markdown:
    extensions: list[str | markdown.extensions.Extension] = [*EXTENSIONS, PlainFences(), PlainHtml()]
    return markdown.Markdown(extensions=extensions, extension_configs=_SETTINGS, output_format="html")


_converter = _new_converter()


# Text with none of these characters, no URL, and no line that could start a list, quote, heading or
# code block, is plain paragraphs; most status updates are, and they skip the markdown parser.
_MARKUP_CHARS = re.compile(r"[\\`*_{}\[\]<>#+!|~&@\t\r]|://|www\.", re.I)
_BLOCK_START = re.compile(r"^(?:[ ]|[-=:]|\d+[.)])", re.M)
_TRAILING_SPACE = re.compile(r"[ \t]$", re.M)


def _is_plain(text: str) -> bool:
    body = text.strip("\n")
    if _MARKUP_CHARS.search(body) or _BLOCK_START.search(body) or _TRAILING_SPACE.search(body):
        return False
    return all(line.isprintable() and line == line.strip() for line in body.split("\n"))


def plain_paragraphs(text: str) -> str | None:
    """The HTML markdown would make of ``text`` if it is plain paragraphs; else None."""
    if not _is_plain(text):
        return None
    body = text.strip("\n")
    paragraphs = [p for p in re.split(r"\n(?:[ ]*\n)+", body) if p]
    # As the sanitizer serializes HTML: a no-break space becomes an entity.
    return "\n".join(f"<p>{p}</p>" for p in paragraphs).replace("\xa0", "&nbsp;")


def estimate(text: str) -> Cost:
    """What rendering ``text`` costs (see markup.cost): nothing for plain paragraphs."""
    return FREE if _is_plain(text) else cost.estimate(text)


def renderable(text: str) -> bool:
    """Whether ``text`` renders quickly and without recursing too deeply."""
    return estimate(text).renderable and nesting(text) <= MAX_NESTING


@lru_cache(maxsize=8192)
def render(text: str) -> Markup:
    """Markdown to safe HTML.

    Text too costly or too deeply nested to render is shown as text: loading refuses it in incident
    files and settings, but a theme may render any text.
    """
    global _converter
    fast = plain_paragraphs(text)
    if fast is not None:
        return Markup(fast)
    # Not plain (checked just above), so estimated as it is. Loading refuses such text: a theme's
    # own text may be any.
    if not (cost.estimate(text).renderable and nesting(text) <= MAX_NESTING):
        log.warning("markdown too costly to render, shown as text: %.60r...", text)
        return _as_text(text)
    try:
        # One converter, reset between documents: building one costs more than converting a message.
        html = _converter.reset().convert(text)
    except RecursionError:  # a shape of nesting that nesting() does not know
        _converter = _new_converter()  # the failed one keeps the state it was in, and reset() leaves it
        log.warning("markdown nested too deeply to render, shown as text: %.60r...", text)
        return _as_text(text)
    return Markup(clean(_ticked(html)))


_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


# A task list's boxes are shown as ballot boxes, not form controls: nothing on a status page can be
# ticked, a box needs no label to be read aloud, and feed readers show it as it is.
_BOXES = {'<input type="checkbox" disabled checked/>': "\u2611", '<input type="checkbox" disabled/>': "\u2610"}


def _ticked(html: str) -> str:
    if "<input" in html:
        for box, mark in _BOXES.items():
            html = html.replace(box, mark)
    return html


def _as_text(text: str) -> Markup:
    return Markup(
        "\n".join(f"<p>{html_lib.escape(part, quote=False)}</p>" for part in _PARAGRAPH_BREAK.split(text.strip("\n")))
    )


def render_inline(text: str) -> Markup:
    """Markdown for a one-line setting such as the announcement, without the outer paragraph."""
    html = str(render(text))
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return Markup(html)


# Characters no page or feed may hold, which an entity such as &#1; still writes: each becomes U+FFFD.
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def clean(html: str) -> str:
    """Sanitize HTML against the allow-list."""
    cleaned = nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_SCHEMES,
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
        allowed_classes=_CLASSES,
    )
    return _NOT_TEXT.sub("\ufffd", cleaned)


def plain(text: str) -> str:
    """Markdown reduced to plain text, for summaries and titles."""
    return _NOT_TEXT.sub("\ufffd", html_lib.unescape(nh3.clean(str(render(text)), tags=set()))).strip()


_FENCE_OPEN = re.compile(r"^[ \t]*(`{3,}|~{3,})[^\n]*$", re.M)
_FENCE_CLOSE = re.compile(r"^[ \t]*(`{3,}|~{3,})[ \t]*$", re.M)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_BACKTICKS = re.compile(r"(?<!\\)`+")


def prose(text: str) -> str:
    """``text`` with its code blanked out: fenced code blocks and code spans become spaces (line
    breaks kept), so that offsets and lines in the result are those of ``text``.

    Code is what an author pasted (a TOML table, a shell test, a log line): what is in it is the
    content, never markup of ours. A fence that is never closed, or a run of backticks with no run
    of the same length after it in its paragraph, is no code: markdown shows it as text too.
    Linear in the text's size, and free for text with no backtick or tilde.
    """
    if "`" not in text and "~" not in text:
        return text
    chars = list(text)
    for start, end in _fences(text):
        _blank(chars, start, end)
    masked = "".join(chars)
    for start, end in _code_spans(masked):
        _blank(chars, start, end)
    return "".join(chars)


def _blank(chars: list[str], start: int, end: int) -> None:
    for i in range(start, end):
        if chars[i] != "\n":
            chars[i] = " "


def _fences(text: str) -> list[tuple[int, int]]:
    """The spans of fenced code blocks, from the opening fence's line to the closing fence's.

    The lines that could close a fence are found once, by character; each opening looks along
    those after it for the first at least its length, unless none after it is that long (known from
    the longest ahead of each). What an opening looks past, it closes past: this stays linear.
    """
    closers: dict[str, list[tuple[int, int, int]]] = {"`": [], "~": []}  # (start, end, length)
    for m in _FENCE_CLOSE.finditer(text):
        closers[m.group(1)[0]].append((m.start(), m.end(), len(m.group(1))))
    longest_ahead = {}
    for char, found_closers in closers.items():
        ahead = [0] * (len(found_closers) + 1)
        for i in range(len(found_closers) - 1, -1, -1):
            ahead[i] = max(ahead[i + 1], found_closers[i][2])
        longest_ahead[char] = ahead
    later = {"`": 0, "~": 0}
    found = []
    position = 0
    while (opening := _FENCE_OPEN.search(text, position)) is not None:
        fence = opening.group(1)
        position = opening.end()
        if fence[0] == "`" and "`" in text[opening.end(1) : opening.end()]:
            continue  # a backtick fence's info string holds no backtick: not a fence
        these, ahead = closers[fence[0]], longest_ahead[fence[0]]
        i = later[fence[0]]
        while i < len(these) and these[i][0] < position:
            i += 1
        later[fence[0]] = i
        if ahead[i] < len(fence):
            continue  # never closed
        while these[i][2] < len(fence):
            i += 1
        found.append((opening.start(), these[i][1]))
        position = these[i][1]
    return found


def _code_spans(text: str) -> list[tuple[int, int]]:
    """The spans of inline code: a run of backticks to the next run of the same length in the same
    paragraph. Runs are found once and looked up by length, so this stays linear."""
    breaks = [m.start() for m in _BLANK_LINE.finditer(text)]
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(text)]
    later: dict[int, list[int]] = {}
    for index in range(len(runs) - 1, -1, -1):
        later.setdefault(runs[index][1] - runs[index][0], []).append(index)
    found = []
    covered = 0
    paragraph = 0
    for start, end in runs:
        same = later[end - start]
        same.pop()  # this run itself: the lists hold the runs still ahead, nearest last
        if start < covered:
            continue
        while paragraph < len(breaks) and breaks[paragraph] < start:
            paragraph += 1
        limit = breaks[paragraph] if paragraph < len(breaks) else len(text)
        if same and runs[same[-1]][0] < limit:
            close = runs[same[-1]]
            found.append((start, close[1]))
            covered = close[1]
    return found
