"""How long Python-Markdown will take to render a text, estimated before rendering it.

Most markdown renders in time that grows with its length, but a few shapes of text make the parser
scan the rest of a paragraph, or of the whole text, once for each of their characters: a few
kilobytes shaped so would stall a build for hours. Incident files come by pull request from many
hands, so each text is estimated when it is loaded, and one estimated above MAX_COST is refused at
the line of its costliest shape, named with a hint.

The estimate is a sum of terms, one for each thing the parser does, each a count of what the text
holds times a weight: the nanoseconds one unit of it takes on the reference machine (two cores,
Python 3.11, the pinned Python-Markdown), rounded up. Linear shapes are charged linearly: a log in a
fenced block, a table or a list costs in proportion to its size. bench/markup_cost.py times each
shape at several sizes and prints the weights its times imply beside these, so that they can be
derived again when the renderer changes.

Counting is linear in the text's size: regular expressions and ``str.count`` find what is there,
and Python loops only over the characters that matter (brackets, backticks, '<', '>' and quotes) and
over the lines that start a heading, a list item or a nested quote.
"""

from __future__ import annotations

import enum
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice

from statusgen.markup.extensions import FORMATTING

# What a text may cost: half a second of rendering on the reference machine.
MAX_COST = 500_000_000
# Lists and quotes nest by recursion, some Python frames a level: deeper text is refused outright.
MAX_NESTING = 50


class Shape(enum.Enum):
    """A shape of markdown the estimate charges, with what to tell the author who wrote it."""

    LENGTH = ("so much markdown that it takes too long to render", "move long material elsewhere and link to it")
    INLINE = (
        "text thick with inline markup (links, emphasis, code, escapes, entities, URLs)",
        "use less of it, split long paragraphs with blank lines, or put logs and code between ``` lines",
    )
    BRACKETS = (
        "'[' with its ']' far away or missing, in a long paragraph",
        "close each '[' soon, write \\[ for a bracket that opens nothing, or put logs between ``` lines",
    )
    CODE_SPANS = (
        "runs of backticks that no run as long closes, in a long paragraph",
        "close each code span with as many backticks as open it, or put the code between ``` lines",
    )
    SPLITS = ("headings or rules inside one long block of lines", "put a blank line after each heading and rule")
    FENCES = (
        "fences that are never closed, or a great many fenced blocks",
        "close each fenced block with a line of the same fence, and join small ones",
    )
    NESTING = ("long text inside deeply nested lists or quotes", "flatten the nested lists and quotes")
    LIST_ITEM = (
        "a list item that goes on for a great many lines",
        "end the list with a blank line before the text that follows it",
    )
    TABLE_ROW = ("a table row with many '|' and backticks", "split the row, or write \\| for a '|' inside code")

    def __init__(self, what: str, hint: str) -> None:
        self.what = what
        self.hint = hint


class Term(enum.Enum):
    """One thing the parser does, with its weight: nanoseconds per unit on the reference machine."""

    # Work in proportion to the text:
    CHAR = (450, Shape.LENGTH, "a character outside fenced code, read by each inline pattern")
    CODE_CHAR = (110, Shape.LENGTH, "a character in a fenced code block, copied and escaped once")
    LINE = (1_500, Shape.LENGTH, "a line outside fenced code, split, tested and joined again")
    HEADING_CHAR = (280, Shape.LENGTH, "a character of a heading, read by its pattern one at a time")
    PIPE = (1_000, Shape.LENGTH, "a '|', split on in Python by the table test of each block it may start")
    BLOCK = (5_000, Shape.LENGTH, "a block between blank lines, tested by each block processor")
    UNIT = (45_000, Shape.LENGTH, "a paragraph, list item, table cell or heading, given to each inline pattern")
    TRY = (6_000, Shape.INLINE, "a character that may start inline markup ('[', '*', '`', '&', a URL...), tried")
    MATCH = (24_000, Shape.INLINE, "an inline match (a link, emphasis, code span, entity, URL...), made into HTML")
    # Work that grows with the square of some count, per pair or per character scanned:
    BLOCK_PAIR = (0.4, Shape.LENGTH, "a pair of blocks: each is taken off the front of the list of those left")
    # Copies are charged per byte of the text as Python holds it: 1, 2 or 4 a character, by the widest.
    ADDRESS_CHAR = (1_000, Shape.INLINE, "a character of a word with an '@', read by the address pattern")
    COPY = (0.35, Shape.INLINE, "a character of a paragraph copied again by each inline match in it")
    ITEM_COPY = (0.06, Shape.LIST_ITEM, "a character of a list item copied again for each line added to it")
    NEST_SCAN = (20, Shape.INLINE, "a character inside emphasis, read again by the patterns at each level it is nested")
    BRACKET_SCAN = (450, Shape.BRACKETS, "a character read from a '[' to its ']' (or a '](' to its ')'), in Python")
    TICK_SCAN = (110, Shape.CODE_SPANS, "a character read from a run of backticks to the next run as long, in Python")
    SPLIT = (70, Shape.SPLITS, "a character of a block searched again after each heading or rule split off it")
    REF_SPLIT = (250, Shape.SPLITS, "a character of a block tested again after each link definition split off it")
    FENCE = (70_000, Shape.FENCES, "a fenced block, found, escaped and stashed")
    FENCE_COPY = (0.3, Shape.FENCES, "a character of the text copied again for each fenced block")
    FENCE_SCAN = (60, Shape.FENCES, "a character searched from a fence that is never closed to the end")
    LEVEL_LINE = (2_200, Shape.NESTING, "a line inside nested lists or quotes, parsed again at each level")
    LEVEL_CHAR = (100, Shape.NESTING, "a character inside nested lists or quotes, read again at each level")
    ROW_PAIR = (15, Shape.TABLE_ROW, "a '|' and a backtick in one table row, checked against each other in Python")

    def __init__(self, weight: float, shape: Shape, unit: str) -> None:
        self.weight = weight
        self.shape = shape
        self.unit = unit


@dataclass(frozen=True)
class Cost:
    """The estimated time to render a text, in nanoseconds on the reference machine, with the shape
    that costs most and the line of the text (from 0) where that shape's costliest instance begins."""

    total: int
    shape: Shape = Shape.LENGTH
    line: int = 0

    @property
    def renderable(self) -> bool:
        return self.total <= MAX_COST


FREE = Cost(0)


@dataclass
class _Tally:
    """How many units of each term a text holds, and where each shape's costliest instance is."""

    width: int = 1  # bytes a character of the text takes in memory: what a copy costs by
    units: dict[Term, float] = field(default_factory=dict)
    worst: dict[Shape, tuple[float, int]] = field(default_factory=dict)

    def add(self, term: Term, units: float, at: int) -> None:
        if units <= 0:
            return
        if term in _COPIES:
            units *= self.width
        elif term in _READS:  # patterns read wide text more slowly too, if not in proportion
            units *= 1 + (self.width - 1) / 6
        self.units[term] = self.units.get(term, 0) + units
        amount = units * term.weight
        if amount > self.worst.get(term.shape, (0.0, 0))[0]:
            self.worst[term.shape] = (amount, at)

    def cost(self, text: str, origin: _Origin) -> Cost:
        by_shape: dict[Shape, float] = {}
        for term, units in self.units.items():
            by_shape[term.shape] = by_shape.get(term.shape, 0.0) + units * term.weight
        if not by_shape:
            return FREE
        shape = max(by_shape, key=lambda s: by_shape[s])
        line = text.count("\n", 0, origin.of(self.worst[shape][1]))
        return Cost(int(sum(by_shape.values())), shape, line)


@dataclass
class _Origin:
    """Maps offsets in the text the estimate reads back to offsets in the text as written."""

    starts: list[int] = field(default_factory=lambda: [0])  # where each piece starts in the read text
    shifts: list[int] = field(default_factory=lambda: [0])  # and what to add to it there

    then: _Origin | None = None  # the map to apply after this one

    def of(self, offset: int) -> int:
        offset += self.shifts[bisect_right(self.starts, offset) - 1]
        return offset if self.then is None else self.then.of(offset)

    @staticmethod
    def after(first: _Origin, then: _Origin) -> _Origin:
        first.then = then
        return first


_COPIES = frozenset({Term.COPY, Term.ITEM_COPY, Term.FENCE_COPY})
_READS = frozenset({Term.CHAR, Term.UNIT, Term.TRY, Term.MATCH})
_WIDE = re.compile(r"[^\x00-\xff]")
_WIDEST = re.compile(r"[^\x00-\uffff]")


def estimate(text: str) -> Cost:
    """The estimated cost of rendering ``text`` as markdown (see MAX_COST), with its costliest shape."""
    text, origin, tally = _count(text)
    return tally.cost(text, origin)


def breakdown(text: str) -> dict[Term, float]:
    """How many units of each term rendering ``text`` does."""
    return dict(_count(text)[2].units)


@lru_cache(maxsize=8192)  # the build estimates a text when it loads it, then again when it renders it
def _count(text: str) -> tuple[str, _Origin, _Tally]:
    if "\r" in text:  # the parser reads '\r\n' and '\r' as '\n', and so do line numbers
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x02" in text or "\x03" in text:  # the parser deletes these first (it marks its placeholders so)
        text = text.replace("\x02", "").replace("\x03", "")
    tally = _Tally(width=1 if text.isascii() or not _WIDE.search(text) else 2 if not _WIDEST.search(text) else 4)
    prose, origin = _fenced_code(text, tally)
    if "<!--" in prose:  # comments are taken out next, joining what they span
        prose, comments = _without_comments(prose)
        origin = _Origin.after(comments, origin)
    spans = [m.span() for m in _BLOCK.finditer(prose)]
    _blocks(prose, spans, tally)
    _brackets_and_ticks(prose, spans, tally)
    _nesting(prose, spans, tally)
    return text, origin, tally


# A fence as markup.extensions reads one: at the start of a line, three or more backticks or
# tildes and an optional language, then the code, then a line of the same fence.
_FENCE_OPEN = re.compile(r"^(~{3,}|`{3,})[ ]*\.?[\w#.+-]*[ ]*\n", re.M)
_FENCE_CLOSE = re.compile(r"^(~{3,}|`{3,})[ ]*$", re.M)


def _without_comments(text: str) -> tuple[str, _Origin]:
    """``text`` with its HTML comments taken out as markup.extensions takes them out, and the map
    from offsets in it back to ``text``."""
    origin = _Origin()
    kept = []
    length = 0
    position = 0
    while (start := text.find("<!--", position)) >= 0:
        end = text.find("-->", start + 4)
        if end < 0:
            break
        kept.append(text[position:start])
        length += start - position
        position = end + 3
        origin.starts.append(length)
        origin.shifts.append(position - length)
    kept.append(text[position:])
    return "".join(kept), origin


def _fenced_code(text: str, tally: _Tally) -> tuple[str, _Origin]:
    """The text with each fenced code block replaced by one short line, as the parser does before it
    reads the rest, and the map from offsets in it back to ``text``."""
    if "```" not in text and "~~~" not in text:
        return text, _Origin()
    closers: dict[str, list[int]] = {}
    for m in _FENCE_CLOSE.finditer(text):
        closers.setdefault(m.group(1), []).append(m.start())
    seen = dict.fromkeys(closers, 0)
    whole = len(text)
    pieces: list[str] = []
    origin = _Origin()
    kept = 0  # where the text not yet copied to pieces begins
    length = 0  # of the pieces so far
    position = 0
    while (opening := _FENCE_OPEN.search(text, position)) is not None:
        fence = opening.group(1)
        ends = closers.get(fence, [])
        index = seen.get(fence, 0)
        while index < len(ends) and ends[index] < opening.end():
            index += 1
        seen[fence] = index
        here = length + opening.start() - kept  # where the fence is in the text returned
        if index == len(ends):  # never closed: searched to the end, then read as text
            tally.add(Term.FENCE_SCAN, whole - opening.start(), here)
            position = opening.end()
            continue
        close_end = text.find("\n", ends[index])
        close_end = whole if close_end < 0 else close_end
        tally.add(Term.CODE_CHAR, close_end - opening.start(), here)
        tally.add(Term.FENCE, 1, here)
        tally.add(Term.FENCE_COPY, whole, here)
        pieces.append(text[kept : opening.start()])
        length += opening.start() - kept
        pieces.append("\x02")  # the placeholder, on a line of its own
        length += 1
        kept = close_end
        origin.starts.append(length)
        origin.shifts.append(kept - length)
        position = close_end
    if not pieces:
        return text, origin
    pieces.append(text[kept:])
    return "".join(pieces), origin


# A block: lines up to a blank one. Lines of only quote marks are blank inside a quote.
_BLOCK = re.compile(r"(?:^[^\n]*[^ \t\n>][^\n]*(?:\n|\Z))+", re.M)
# A heading, a rule or a link reference definition, which the parser finds anywhere in a block and
# splits it at; and a line under another, which makes it a heading when it is the block's second line.
_SPLIT = re.compile(r"^[ >]*(?:#|(?:[-*_][ ]{0,2}){3,}$|[=-]+[ ]*$|\[[^\]\n]+\]:)", re.M)
_HEADING = re.compile(r"[ >]*#")
# A list item's first line, at any depth.
_ITEM = re.compile(r"^[ \t>]*(?:[-*+]|\d{1,9}[.)])[ \t]", re.M)
_ITEM_FIRST = re.compile(r"[ >]{0,3}(?:[-*+]|\d{1,9}[.)])[ \t]")
_TABLE_HEAD = re.compile(r"[^\n|]*\|[^\n]*\n[ >]*\|?[ ]*:?-+:?[ ]*(?:\|[ ]*:?-+:?[ ]*)*\|?[ ]*(?:\n|\Z)")
# What may start inline markup: each is tried by the patterns, and each match rebuilds the paragraph.
_STARTS = re.compile(r"`+|[\[<\\*_~&@]|://|www\.|  \n")
_TICKS = re.compile(r"`+")
_ADDRESS = re.compile(r"[^\s@]*@\S*")


# A line that may start a heading, rule, list item, table row or link reference definition: the
# blocks that hold one are looked at line by line; the others are paragraphs.
_SPECIAL = re.compile(r"^[ >]*(?:[#=+*_|:-]|\d{1,9}[.)]|\[[^\]\n]+\]:)", re.M)


def _blocks(prose: str, spans: list[tuple[int, int]], tally: _Tally) -> None:
    """Charge the text for its length, lines, blocks, units and inline matches; each match copies the
    unit it is in (a paragraph, list item, table cell or heading), and no unit is longer than the
    longest. Blocks with headings, rules, lists or tables are looked at line by line, and only they:
    the rest are paragraphs, one unit each, counted all at once."""
    starts = [start for start, _ in spans]
    code = _indented_code(prose, spans, starts)
    in_code = 0
    for index in code:
        start, end = spans[index]
        tally.add(Term.CODE_CHAR, end - start, start)
        in_code += end - start
    tally.add(Term.CHAR, len(prose) + 3 * prose.count("\t") - in_code, 0)
    tally.add(Term.LINE, prose.count("\n") + 1, 0)
    chunks = prose.count("\n\n") + 1  # the parser splits on each blank line: empty blocks count too
    tally.add(Term.BLOCK, chunks, 0)
    tally.add(Term.BLOCK_PAIR, chunks**2, 0)
    tally.add(Term.PIPE, prose.count("|"), 0)
    units = 0
    longest = (0, 0)  # the longest unit's length, and where it starts
    looked = set()
    position = 0
    while (found := _SPECIAL.search(prose, position)) is not None:
        index = bisect_right(starts, found.start()) - 1
        start, end = spans[index] if index >= 0 else (0, 0)
        position = max(end, found.end())
        if found.start() >= end:  # in the blank lines between blocks
            continue
        count, unit = _block(prose[start:end], start, tally)
        units += count
        longest = max(longest, unit)
        looked.add(index)
    looked |= code
    units += len(spans) - len(looked)
    paragraphs = ((end - start, start) for i, (start, end) in enumerate(spans) if i not in looked)
    longest = max(longest, max(paragraphs, default=(0, 0)))
    if "`" in prose:  # a code span becomes a placeholder of some fourteen characters, read by later patterns
        position = 0
        while (tick := prose.find("`", position)) >= 0:
            index = bisect_right(starts, tick) - 1
            start, end = spans[index] if index >= 0 else (0, 0)
            position = max(end, tick + 1)
            if tick < end and index not in looked:
                longest = max(longest, (end - start + 7 * prose.count("`", start, end), start))
    tally.add(Term.UNIT, units, 0)
    if code:  # what the inline patterns read: the text but for its code blocks
        prose = "".join(prose[a:b] for i, (a, b) in enumerate(spans) if i not in code)
    tries = _STARTS.findall(prose)
    if tries:
        # Where the markup is: at the middle one of the marks, which lies in the densest stretch.
        middle = next(islice(_STARTS.finditer(prose), len(tries) // 2, None)).start()
        tally.add(Term.TRY, len(tries), middle)
        matches = _matches(prose, len(_TICKS.findall(prose)) if "`" in prose else 0)
        tally.add(Term.MATCH, matches, middle)
        if "@" in prose:  # an address's characters are each tried by the address pattern, in turn
            tally.add(Term.ADDRESS_CHAR, sum(map(len, _ADDRESS.findall(prose))), middle)
        tally.add(Term.COPY, matches * longest[0], longest[1])


# A block whose every line is indented four spaces or a tab is code, unless it goes on a list.
_INDENTED_START = re.compile(r"^(?: {4}|\t)", re.M)
_ALL_INDENTED = re.compile(r"(?:(?: {4}|\t)[^\n]*(?:\n|\Z))+")


def _indented_code(prose: str, spans: list[tuple[int, int]], starts: list[int]) -> set[int]:
    """The blocks of indented code: all their lines indented, and no list before them that they
    would go on (with only other indented blocks between)."""
    code: set[int] = set()
    indented: set[int] = set()
    for found in _INDENTED_START.finditer(prose):
        index = bisect_right(starts, found.start()) - 1
        if index >= 0 and spans[index][0] == found.start() and _ALL_INDENTED.fullmatch(prose, *spans[index]):
            indented.add(index)
    for index in sorted(indented):
        before = index - 1
        if before in indented:  # as the indented block before it went: on a list, or code
            if before in code:
                code.add(index)
        elif before < 0 or not _ITEM_FIRST.match(prose, spans[before][0]):
            code.add(index)
    return code


def _block(text: str, start: int, tally: _Tally) -> tuple[int, tuple[int, int]]:
    """Charge a block for the headings and rules in it, which split it into paragraphs, lists and
    tables, and for its table rows; the units in it, and its longest unit's length and start."""
    found = list(_SPLIT.finditer(text))
    splits = [m.start() for m in found]
    if splits:  # the rest of the block is searched again after each
        rests = [(len(text) - m.start(), m.group().endswith(":")) for m in found]
        tally.add(Term.SPLIT, sum(rest for rest, definition in rests if not definition), start + splits[0])
        tally.add(Term.REF_SPLIT, sum(rest for rest, definition in rests if definition), start + splits[0])
        for at in splits:
            if _HEADING.match(text, at):
                end = text.find("\n", at)
                tally.add(Term.HEADING_CHAR, (len(text) if end < 0 else end) - at, start + at)
    ticks = "`" in text
    units = 0
    longest = (0, 0)
    bounds = [0, *splits, len(text)]
    for a, b in zip(bounds, bounds[1:], strict=False):
        if a == b:
            continue
        if _ITEM_FIRST.match(text, a):
            edges = [m.start() for m in _ITEM.finditer(text, a, b)] + [b]
            units += len(edges) - 1
            if text.count("\n", a, b) > len(edges):  # some item goes on over lines: each is added to it
                for x, y in zip(edges, edges[1:], strict=False):
                    tally.add(Term.ITEM_COPY, text.count("\n", x, y) * (y - x) // 2, start + x)
        elif _TABLE_HEAD.match(text, a):
            edges = [m.start() for m in _ROW.finditer(text, a, b)] + [b]
            units += max(len(edges) - 1, text.count("|", a, b) - len(edges) + 1)  # the cells
            if ticks:
                for row, after in zip(edges, edges[1:], strict=False):
                    tally.add(Term.ROW_PAIR, text.count("|", row, after) * text.count("`", row, after), start + row)
        else:
            edges = [a, b]
            units += 1
        pairs = zip(edges, edges[1:], strict=False)
        if ticks:
            longest = max(longest, max((y - x + 7 * text.count("`", x, y), start + x) for x, y in pairs))
        else:
            longest = max(longest, max((y - x, start + x) for x, y in pairs))
    return units, longest


_ROW = re.compile(r"^(?=.)", re.M)
_REFERENCE = re.compile(r"^[ >]*\[[^\]\n]+\]:", re.M)
_ENTITY = re.compile(r"&(?:#[0-9]+|#x[0-9a-fA-F]+|[a-zA-Z0-9]+);")


# What a '<' may start: a formatting tag (see markup.extensions), or an autolink to a URL or address.
_HTML = re.compile(r"</?(?i:" + "|".join(FORMATTING) + r")[ \t]*/?>|<[A-Za-z][A-Za-z0-9+.-]*://|<[^<> !]+@")


def _matches(text: str, ticks: int) -> int:
    """At most how many inline matches ``text``, with ``ticks`` runs of backticks, makes: a '['
    makes one only when it is a link (or may be a reference defined somewhere), emphasis and code
    take two marks each."""
    links = text.count("](") + text.count("][")
    if "]:" in text and _REFERENCE.search(text):
        links = text.count("[")
    pairs = text.count("*") + text.count("_") + ticks + text.count("~~")
    entities = len(_ENTITY.findall(text)) if "&" in text else 0
    others = (len(_HTML.findall(text)) if "<" in text else 0) + text.count("\\") + text.count("  \n")
    urls = text.count("://") + text.count("www.") + text.count("@")
    return links + pairs // 2 + entities + others + urls


_BRACKETS_OR_TICKS = re.compile(r"[\[\]()]|`+|\*+|_+|~~")
_BRACKET_OR_TICK = re.compile(r"[\[`*_~]")


def _brackets_and_ticks(prose: str, spans: list[tuple[int, int]], tally: _Tally) -> None:
    """Charge each '[' for the reading to its ']', each '](' to its ')', and each run of backticks
    that opens a code span to the run that closes it: the rest of the block when none does; and
    the text inside emphasis for each level it is nested (unclosed emphasis costs nothing more)."""
    starts = [start for start, _ in spans]
    position = 0
    while (found := _BRACKET_OR_TICK.search(prose, position)) is not None:
        index = bisect_right(starts, found.start()) - 1
        base, stop = spans[index] if index >= 0 else (0, 0)
        position = max(stop, found.end())
        if found.start() >= stop:
            continue
        text = prose[base:stop]
        end = len(text)
        brackets: list[int] = []  # the '[' still open
        parens: list[tuple[int, bool]] = []  # the '(' still open, and whether each follows a ']'
        runs: list[tuple[int, int]] = []
        emphasis: dict[str, list[int]] = {"*": [], "_": [], "~": []}  # the emphasis still open, by its mark
        scanned = nested = 0
        worst = nest_worst = (0, 0)
        for m in _BRACKETS_OR_TICKS.finditer(text):
            c, at = m.group()[0], m.start()
            if c in emphasis:
                opened_by = emphasis[c]
                if opened_by and at > 0 and not text[at - 1].isspace():  # closes the last one opened
                    opened = opened_by.pop()
                    nested += at - opened
                    nest_worst = max(nest_worst, (at - opened, -opened))
                elif m.end() < end and not text[m.end()].isspace():
                    opened_by.append(at)
            elif c == "[":
                brackets.append(at)
            elif c == "]":
                if brackets:
                    opened = brackets.pop()
                    scanned += at - opened
                    worst = max(worst, (at - opened, -opened))
            elif c == "(":
                parens.append((at, at > 0 and text[at - 1] == "]"))
            elif c == ")":
                if parens:
                    opened, link = parens.pop()
                    if link:
                        scanned += at - opened
                        worst = max(worst, (at - opened, -opened))
            else:
                runs.append((at, m.end() - at))
        for opened in brackets + [at for at, link in parens if link]:
            scanned += end - opened
            worst = max(worst, (end - opened, -opened))
        if scanned:
            tally.add(Term.BRACKET_SCAN, scanned, base - worst[1])
        if nested:
            tally.add(Term.NEST_SCAN, nested, base - nest_worst[1])
        if runs:
            _ticks(runs, end, base, tally)


def _ticks(runs: list[tuple[int, int]], end: int, base: int, tally: _Tally) -> None:
    """A run of backticks is read up to the next run as long (a code span), or to the block's end;
    the runs inside a span are skipped. Runs are looked up by length, so this is linear."""
    later: dict[int, list[int]] = {}
    for index in range(len(runs) - 1, -1, -1):
        later.setdefault(runs[index][1], []).append(index)
    covered = 0
    scanned = 0
    worst = (0, 0)
    for at, length in runs:
        same = later[length]
        same.pop()  # this run itself: the lists hold the runs still ahead, nearest last
        if at < covered:
            continue
        close = runs[same[-1]][0] if same else end
        scanned += close - at
        worst = max(worst, (close - at, -at))
        if same:
            covered = close + length
    tally.add(Term.TICK_SCAN, scanned, base - worst[1])


# A line's leading indentation, quote marks and list markers: each level nests once more.
_NESTED_LINE = re.compile(r"^(?:[ \t>]|(?:[-*+]|\d{1,9}[.)])[ \t]){2,}[^\n]*", re.M)
_PREFIX = re.compile(r"(?:[ \t>]|(?:[-*+]|\d{1,9}[.)])[ \t])*")
_MARKER = re.compile(r"(?:[-*+]|\d{1,9}[.)])[ \t]")


def _nesting(prose: str, spans: list[tuple[int, int]], tally: _Tally) -> None:
    """Charge each line inside nested lists or quotes for being parsed again at each level; and
    the lines that go on a nested quote without quote marks of their own, at the quote's depth."""
    starts = [start for start, _ in spans]
    quoted: dict[int, tuple[int, int]] = {}  # by block: the deepest quote line's depth and end
    for m in _NESTED_LINE.finditer(prose):
        line = m.group()
        depth = _depth(line)
        if depth > 1:
            tally.add(Term.LEVEL_LINE, depth, m.start())
            tally.add(Term.LEVEL_CHAR, depth * len(line), m.start())
            if ">" in line:
                index = bisect_right(starts, m.start()) - 1
                quoted[index] = max(quoted.get(index, (0, 0)), (depth, m.end()))
    for index, (depth, after) in quoted.items():
        end = spans[index][1]
        tally.add(Term.LEVEL_LINE, depth * prose.count("\n", after, end), after)
        tally.add(Term.LEVEL_CHAR, depth * (end - after), after)


def _depth(line: str) -> int:
    prefix = _PREFIX.match(line)
    if prefix is None:
        return 0
    rest, markers = _MARKER.subn("", prefix.group().replace("> ", ">"))
    return markers + rest.count(">") + (rest.count(" ") + 4 * rest.count("\t")) // 4


def nesting(text: str) -> int:
    """About how many levels deep the parser recurses to render ``text``, when that could be more
    than MAX_NESTING; less (often 0) for shallower text."""
    return deepest(text)[0]


@lru_cache(maxsize=8192)  # loading measures a text, and rendering it measures it again
def deepest(text: str) -> tuple[int, int]:
    """``nesting(text)``, and the line (from 0) of the line nested that deep."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    found = (0, 0)
    for m in _DEEP_LINE.finditer(text):
        found = max(found, (_depth(m.group()), -m.start()))
    return found[0], text.count("\n", 0, -found[1])


# A line with enough indentation, quote marks and list markers to nest deeply.
_DEEP_LINE = re.compile(r"^(?:[ \t>]|(?:[-*+]|\d{1,9}[.)])[ \t])" + f"{{{MAX_NESTING},}}", re.M)
