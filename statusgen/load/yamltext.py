"""YAML loading that remembers the line of every value.

Mappings come back as :class:`YMap` and sequences as :class:`YList`; both know the line they start
on and the line of each of their items, so every later check can point at ``path:line``.
Timestamps are left as strings (we parse them ourselves, and refuse naive ones), duplicate keys are
errors rather than silently overwritten, and aliases are refused: incident files never need them
and they are how "billion laughs" documents blow up.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from statusgen.errors import StatusgenError

_FastLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_DEPTH = 50
# libyaml builds nested collections by recursing in C without a limit, and a document nested some
# ten thousand levels deep (a 200 KB line of "- - - ...", or of "[[[...") crashes the process.
# Text that could nest deeper than this goes through the pure-Python parser, whose recursion
# Python bounds.
_SUSPICIOUS_NESTING = 200
_BLOCK_INDICATOR = re.compile(r"[-?:](?=[ \t]|$)")
_YAML_ONLY_BREAKS = re.compile("[\x85\u2028\u2029]")
# What YAML lets a file hold as characters; its escapes ("\x01", "\uD800") can write anything else,
# which no page, feed or calendar can carry.
NOT_TEXT = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SYNTAX_HINT = "check indentation, and quote text that contains ': ' or starts with a symbol"


def _without_timestamps(base: type[yaml.SafeLoader]) -> type[yaml.SafeLoader]:
    """A loader class that leaves timestamps as plain strings."""
    resolvers = {
        first: [(tag, regexp) for tag, regexp in items if tag != "tag:yaml.org,2002:timestamp"]
        for first, items in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return type("Loader", (base,), {"yaml_implicit_resolvers": resolvers})


_Loader = _without_timestamps(_FastLoader)
_SafeLoader = _without_timestamps(yaml.SafeLoader)

_STR = "tag:yaml.org,2002:str"
_SCALAR_TAGS = {
    _STR,
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_TAG_HINT = "remove the '!' tag; plain values are enough"
# The longest text read as a number. PyYAML turns "0x" and a thousand digits, or "1:00:00..."
# (sexagesimal), into an integer in time that grows with the square of its length, and Python
# refuses to print one of over 4,300 digits; no value of a status repository is longer.
MAX_NUMBER_CHARS = 100
_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")


class YMap(dict[Any, Any]):
    """A mapping that knows its own line and the line of each key."""

    line: int
    lines: dict[Any, int]


class YList(list[Any]):
    """A sequence that knows its own line and the line of each item."""

    line: int
    lines: list[int]


def line_of(value: object, key: object = None, default: int = 0) -> int:
    """The line of ``value`` (a YMap or YList), or of its item ``key``."""
    if isinstance(value, YMap):
        return value.lines[key] if key is not None and key in value.lines else value.line
    if isinstance(value, YList):
        if isinstance(key, int) and 0 <= key < len(value.lines):
            return value.lines[key]
        return value.line
    return default


class _Lines:
    """Turns the parser's 0-based line numbers into the file's, as an editor counts them.

    YAML also breaks lines at U+0085, U+2028 and U+2029, which editors show inline.
    """

    def __init__(self, text: str, first_line: int):
        self.offset = first_line
        self.table: list[int] | None = None
        if _YAML_ONLY_BREAKS.search(text):
            self.table = []
            real = 0
            for piece in re.split(r"(\r\n|\n|\r|[\x85\u2028\u2029])", text)[1::2]:
                self.table.append(real)
                if piece not in ("\x85", "\u2028", "\u2029"):
                    real += 1
            self.table.append(real)

    def __call__(self, parser_line: int) -> int:
        if self.table is not None and parser_line < len(self.table):
            return self.table[parser_line] + self.offset
        return parser_line + self.offset


def _may_nest_deeply(text: str) -> bool:
    """Whether ``text`` could nest more than _SUSPICIOUS_NESTING levels: in flow style by its
    brackets, in block style by a line's indentation and the indicators ("- ", "? ", ": ") on it."""
    if text.count("[") + text.count("{") > _SUSPICIOUS_NESTING and _flow_depth(text) > _SUSPICIOUS_NESTING:
        return True
    # No line holds more indicators than the text has '-', '?' and ':', nor more indentation than its
    # longest run of spaces: counting those costs far less than reading it line by line, and clears
    # ordinary files.
    indicators = text.count("-") + text.count("?") + text.count(":")
    if indicators <= _SUSPICIOUS_NESTING and " " * (_SUSPICIOUS_NESTING + 1 - indicators) not in text:
        return False
    for line in text.splitlines():
        if len(line) > _SUSPICIOUS_NESTING:
            body = line.lstrip(" ")
            if len(line) - len(body) + len(_BLOCK_INDICATOR.findall(body)) > _SUSPICIOUS_NESTING:
                return True
    return False


def _flow_depth(text: str) -> int:
    depth = deepest = 0
    for char in text:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth = max(0, depth - 1)
    return deepest


def load(text: str, path: str, first_line: int = 1) -> Any:
    """Parse one YAML document; ``first_line`` is the file line the text starts on."""
    lines = _Lines(text, first_line)
    loader = None
    try:
        # The pure-Python loader reads the whole text, and may refuse a character, as it starts.
        loader = (_SafeLoader if _may_nest_deeply(text) else _Loader)(text)
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, path, lines, first_line) from None
    except yaml.reader.ReaderError as exc:
        line = lines(text[: exc.position].count("\n"))
        raise StatusgenError(
            f"invalid YAML: character U+{exc.character:04X} is not allowed", path, line, "remove the control character"
        ) from None
    except RecursionError:
        raise StatusgenError(f"YAML nested more than {MAX_DEPTH} levels deep", path, first_line) from None
    except yaml.YAMLError as exc:
        raise StatusgenError(f"invalid YAML: {exc}", path, first_line) from None
    finally:
        if loader is not None:
            loader.dispose()
    if node is None:
        return None
    return _convert(node, loader, path, lines, set(), 0)


def _syntax_error(exc: yaml.MarkedYAMLError, path: str, lines: _Lines, first_line: int) -> StatusgenError:
    problem = exc.problem or "invalid YAML"
    mark = exc.problem_mark
    # An unclosed quote or bracket is found at the end of the text; where it was opened is more use.
    opened = exc.context or ""
    if exc.context_mark is not None and (
        mark is None or "end of stream" in problem or "flow" in opened or "quoted" in opened
    ):
        mark = exc.context_mark
    context = f"{exc.context}, " if exc.context else ""
    if mark is None:
        return StatusgenError(f"invalid YAML: {context}{problem}", path, first_line, _SYNTAX_HINT)
    return StatusgenError(
        f"invalid YAML: {context}{problem}, column {mark.column + 1}", path, lines(mark.line), _SYNTAX_HINT
    )


def _convert(node: yaml.Node, loader: yaml.SafeLoader, path: str, lines: _Lines, seen: set[int], depth: int) -> Any:
    line = lines(node.start_mark.line)
    if id(node) in seen:
        raise StatusgenError(
            "YAML anchors and aliases (&name, *name) are not supported", path, line, "write the value out in full"
        )
    if depth > MAX_DEPTH:
        raise StatusgenError(f"YAML nested more than {MAX_DEPTH} levels deep", path, line)
    seen.add(id(node))
    if isinstance(node, yaml.ScalarNode):
        if node.tag not in _SCALAR_TAGS:
            raise StatusgenError(f"unsupported YAML tag {node.tag!r}", path, line, _TAG_HINT)
        if node.tag in _NUMBER_TAGS and len(node.value) > MAX_NUMBER_CHARS:
            raise StatusgenError(
                f"a number of {len(node.value):,} characters; the limit is {MAX_NUMBER_CHARS}",
                path,
                line,
                "quote it if it is text",
            )
        if node.tag != _STR:
            try:
                return loader.construct_object(node, deep=True)
            except Exception:  # the constructors raise KeyError, ValueError... for a bad explicit tag
                raise StatusgenError(
                    f"invalid value {node.value!r} for YAML tag {node.tag!r}", path, line, "remove the '!!' tag"
                ) from None
        # The reader refuses these characters written as themselves; only a double-quoted
        # scalar's escapes can write them.
        bad = NOT_TEXT.search(node.value) if node.style == '"' else None
        if bad:
            raise StatusgenError(
                f"character U+{ord(bad.group()):04X} is not allowed in text",
                path,
                line,
                "remove the escape that writes it",
            )
        return node.value  # what the string constructor would return, at a fraction of its cost
    if isinstance(node, yaml.CollectionNode) and node.tag not in (_SEQ, _MAP):
        # !!set, !!omap, !!python/object/new:... and local tags all build something else than
        # plain lists and mappings; refused, like a scalar's tags, rather than silently dropped.
        raise StatusgenError(f"unsupported YAML tag {node.tag!r}", path, line, _TAG_HINT)
    if isinstance(node, yaml.SequenceNode):
        items = YList()
        items.line, items.lines = line, []
        for child in node.value:
            items.append(_convert(child, loader, path, lines, seen, depth + 1))
            items.lines.append(lines(child.start_mark.line))
        return items
    if isinstance(node, yaml.MappingNode):
        mapping = YMap()
        mapping.line, mapping.lines = line, {}
        for key_node, value_node in node.value:
            key_line = lines(key_node.start_mark.line)
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise StatusgenError(
                    "YAML merge keys (<<) are not supported", path, key_line, "write the keys out in full"
                )
            if not isinstance(key_node, yaml.ScalarNode):
                raise StatusgenError("a mapping key must be plain text", path, key_line)
            key = _convert(key_node, loader, path, lines, seen, depth + 1)
            if key in mapping:
                raise StatusgenError(
                    f"duplicate key {key!r}", path, key_line, f"it is already set on line {mapping.lines[key]}"
                )
            mapping[key] = _convert(value_node, loader, path, lines, seen, depth + 1)
            mapping.lines[key] = key_line
        return mapping
    raise StatusgenError("unsupported YAML node", path, line)  # pragma: no cover
