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

log = logging.getLogger(__name__)

_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "dl",
    "dt",
    "em",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
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
_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}, "ol": {"start"}}
_SCHEMES = {"http", "https", "mailto"}


def _new_converter() -> markdown.Markdown:
    return markdown.Markdown(extensions=["extra", "sane_lists"], output_format="html")


_converter = _new_converter()


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


# Python-Markdown takes time by the square of a text's length on some shapes of text, and a text
# of a few kilobytes shaped for it would stall a build for hours. cost() sums what it does in those
# cases, in units of one character scanned by its link patterns (about 0.1 microsecond), so that
# MAX_COST bounds a render to well under a second; incident files above it are refused when loaded:
# - each '[' (a link, image or footnote) scans its paragraph up to the ']' that closes it and the ')'
#   after that, or to its end, in a paragraph lengthened by escapes and code spans, which it reads as
#   placeholders of some 16 characters and whose brackets it does not see;
# - each '<' (a tag or autolink) scans its paragraph, and the HTML reader the whole text, for the
#   '>' that closes it;
# - each inline match (a link, emphasis, escape, code, entity) copies its paragraph, and costs some
#   ten microseconds besides;
# - a block that loses one line at a time (headings, rules) is split into its lines again each time;
# - the parser takes blocks off the front of a list, and its fenced-code finder scans the whole text
#   from each fence;
# - each abbreviation is looked for in the whole text, and each word may be one;
# - each footnote reference is numbered by counting those before it.
# Every term is weighted by its time per unit measured against the link scan's.
MAX_COST = 4_000_000
# Lists, definition lists and markdown-in-HTML nest by recursion, two to four Python frames a level.
MAX_NESTING = 50
_PLACEHOLDER = 16
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
# A '[' and the ']' that closes it, with nothing between that could hide a bracket from the link
# patterns (an escape, a code span, a tag) or nest another; then no '(', or a '(' closed as plainly.
_CLOSED_BRACKETS = re.compile(r"\[[^\[\]\\`<]*\](?:\([^()\[\]\\`<'\"]*\)|(?!\())")
# A tag or autolink closed by the next '>', with no quotes between that could hide it from the HTML
# reader; comments and declarations ('<!', '<?') are read to their own ends.
_CLOSED_TAG = re.compile(r"<[A-Za-z/][^<>'\"]*>")
_FENCE = re.compile(r"^(?:`{3}|~{3})", re.M)
# An HTML element marked markdown="1" has its content read as one paragraph, blank lines and all.
_MARKDOWN_IN_HTML = re.compile(r"markdown", re.I)
_BLOCK_MARKUP = frozenset(" \t>-*+:0123456789")
# A line's leading indentation, quote marks and list markers, when there are enough to nest deeply.
_DEEP_PREFIX = re.compile(r"(?:[ \t>]|(?:[-*+:]|\d{1,9}[.)])[ \t])" + f"{{{MAX_NESTING},}}")
_LIST_MARKER = re.compile(r"(?:[-*+:]|\d{1,9}[.)])[ \t]")
_DEFINITION = re.compile(r" {0,3}:[ \t]")


def cost(text: str) -> int:
    """About how many characters' worth of scanning rendering ``text`` takes (see MAX_COST).

    Ordinary messages cost nothing to a few thousand; MAX_COST takes well under a second.
    """
    if not (
        "[" in text
        or "<" in text
        or "\\" in text
        or "`" in text
        or "*" in text
        or "_" in text
        or "&" in text
        or "!" in text
        or "~" in text
        or "\t" in text
        or "\r" in text
    ):
        # Lines of words, as most updates are: at most what the full count gives, and as good when small.
        lines = text.count("\n")
        bound = lines * len(text) // 8 + (lines + 1) ** 2 // 32
        if bound < MAX_COST // 256:
            return bound
    return _cost(text)


@lru_cache(maxsize=8192)  # the build checks a text when it loads it, then renders it
def _cost(text: str) -> int:
    whole = len(text)
    parts = [text] if "<" in text and _MARKDOWN_IN_HTML.search(text) else _PARAGRAPH_BREAK.split(text)
    abbreviations = text.count("*[")  # definitions, at a line's start once quote marks are taken off
    tags = text.count("<")
    total = (
        len(parts) ** 2 // 32
        + abbreviations * whole
        + 8 * text.count("[^") ** 2
        + (text.count("&") + len(_FENCE.findall(text))) * whole // 256
    )
    if tags:
        total += (tags - len(_CLOSED_TAG.findall(text))) * whole // 4
    for part in parts:
        length = len(part)
        stashed = part.count("\\") + part.count("`")
        scanned = length + 3 * part.count("\t") + _PLACEHOLDER * stashed
        opened, tags = part.count("["), part.count("<")
        matches = 2 * opened + tags + stashed + part.count("*") + part.count("_") + part.count("&") + part.count("!")
        lines = part.count("\n") + part.count("\r")
        total += 128 * matches + matches * scanned // 256 + lines * scanned // 8
        for count, pattern in ((opened, _CLOSED_BRACKETS), (tags, _CLOSED_TAG)):
            if count:  # those that close soon are scanned that far, the others to the end
                closed = pattern.findall(part)
                total += (count - len(closed)) * scanned + 2 * sum(map(len, closed)) * scanned // length
        if abbreviations:
            total += scanned * scanned // 512
    return total


def nesting(text: str) -> int:
    """About how many levels deep the markdown parser nests to render ``text``, when that could be
    more than MAX_NESTING; less (often 0) for shallower text."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    deepest = definitions = 0
    start, end = 0, len(text)
    while start < end:  # line by line, looking closer only at those that start with block markup
        stop = text.find("\n", start)
        stop = end if stop < 0 else stop
        if stop == start or (text[start] in " \t" and text[start:stop].isspace()):
            definitions = 0  # a blank line ends a definition list
        elif text[start] in _BLOCK_MARKUP:
            prefix = _DEEP_PREFIX.match(text, start, stop)
            if prefix:
                rest, markers = _LIST_MARKER.subn("", prefix.group().replace("> ", ">"))
                deepest = max(deepest, markers + rest.count(">") + (rest.count(" ") + 4 * rest.count("\t")) // 4)
            if _DEFINITION.match(text, start, stop):
                definitions += 1  # each definition in a list recurses once more
                deepest = max(deepest, definitions)
        start = stop + 1
    return max(deepest, len(_MARKDOWN_IN_HTML.findall(text)) if "<" in text else 0)


def renderable(text: str) -> bool:
    """Whether ``text`` renders quickly and without recursing too deeply."""
    return cost(text) <= MAX_COST and nesting(text) <= MAX_NESTING


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
    if not renderable(text):
        log.warning("markdown too costly to render, shown as text: %.60r...", text)
        return _as_text(text)
    try:
        # One converter, reset between documents: building one costs more than converting a message.
        html = _converter.reset().convert(text)
    except RecursionError:  # a shape of nesting that nesting() does not know
        _converter = _new_converter()  # the failed one keeps the state it was in, and reset() leaves it
        log.warning("markdown nested too deeply to render, shown as text: %.60r...", text)
        return _as_text(text)
    return Markup(clean(html))


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


def clean(html: str) -> str:
    """Sanitize HTML against the allow-list."""
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_SCHEMES,
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    )


def plain(text: str) -> str:
    """Markdown reduced to plain text, for summaries and titles."""
    return html_lib.unescape(nh3.clean(str(render(text)), tags=set())).strip()


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

    The lines that could close a fence are found once; each opening looks along them for the
    first of its character and at least its length.
    """
    closers = [(m.start(), m.end(), m.group(1)) for m in _FENCE_CLOSE.finditer(text)]
    found = []
    position = 0
    later = 0
    while (opening := _FENCE_OPEN.search(text, position)) is not None:
        fence = opening.group(1)
        position = opening.end()
        if fence[0] == "`" and "`" in text[opening.end(1) : opening.end()]:
            continue  # a backtick fence's info string holds no backtick: not a fence
        while later < len(closers) and closers[later][0] < position:
            later += 1
        close = next(
            (
                closers[i]
                for i in range(later, len(closers))
                if closers[i][2][0] == fence[0] and len(closers[i][2]) >= len(fence)
            ),
            None,
        )
        if close is not None:
            found.append((opening.start(), close[1]))
            position = close[1]
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
