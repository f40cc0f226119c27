"""YAML loading that remembers the line of every value.

Mappings come back as :class:`YMap` and sequences as :class:`YList`; both know the line they start
on and the line of each of their items, so every later check can point at ``path:line``.
Timestamps are left as strings (we parse them ourselves, and refuse naive ones), duplicate keys are
errors rather than silently overwritten, and aliases are refused: incident files never need them
and they are how "billion laughs" documents blow up.
"""

from __future__ import annotations

from typing import Any

import yaml

from statusgen.errors import StatusgenError

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # type: ignore[assignment]
MAX_DEPTH = 50


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader that leaves timestamps as plain strings."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}


class YMap(dict):  # type: ignore[type-arg]
    """A mapping that knows its own line and the line of each key."""

    line: int
    lines: dict[Any, int]


class YList(list):  # type: ignore[type-arg]
    """A sequence that knows its own line and the line of each item."""

    line: int
    lines: list[int]


def line_of(value: Any, key: Any = None, default: int = 0) -> int:
    """The line of ``value`` (a YMap or YList), or of its item ``key``."""
    if key is not None:
        lines = getattr(value, "lines", None)
        if isinstance(lines, dict) and key in lines:
            return lines[key]
        if isinstance(lines, list) and isinstance(key, int) and 0 <= key < len(lines):
            return lines[key]
    return getattr(value, "line", default)


def load(text: str, path: str, first_line: int = 1) -> Any:
    """Parse one YAML document; ``first_line`` is the file line the text starts on."""
    offset = first_line - 1
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 + offset) if mark else first_line
        column = f", column {mark.column + 1}" if mark else ""
        problem = exc.problem or exc.context or "invalid YAML"
        raise StatusgenError(f"invalid YAML: {problem}{column}", path, line,
                             "check indentation, and quote text that contains ': ' or starts with a symbol") from None
    except yaml.YAMLError as exc:
        raise StatusgenError(f"invalid YAML: {exc}", path, first_line) from None
    finally:
        loader.dispose()
    if node is None:
        return None
    return _convert(node, loader, path, offset, set(), 0)


def _convert(node: yaml.Node, loader: yaml.SafeLoader, path: str, offset: int,
             seen: set[int], depth: int) -> Any:
    line = node.start_mark.line + 1 + offset
    if id(node) in seen:
        raise StatusgenError("YAML anchors and aliases (&name, *name) are not supported", path, line,
                             "write the value out in full")
    if depth > MAX_DEPTH:
        raise StatusgenError(f"YAML nested more than {MAX_DEPTH} levels deep", path, line)
    seen.add(id(node))
    if isinstance(node, yaml.ScalarNode):
        if node.tag not in _SCALAR_TAGS:
            raise StatusgenError(f"unsupported YAML tag {node.tag!r}", path, line,
                                 "remove the '!' tag; plain values are enough")
        try:
            return loader.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError) as exc:
            raise StatusgenError(f"invalid YAML value: {exc}", path, line) from None
    if isinstance(node, yaml.SequenceNode):
        items = YList()
        items.line, items.lines = line, []
        for child in node.value:
            items.append(_convert(child, loader, path, offset, seen, depth + 1))
            items.lines.append(child.start_mark.line + 1 + offset)
        return items
    if isinstance(node, yaml.MappingNode):
        mapping = YMap()
        mapping.line, mapping.lines = line, {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1 + offset
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise StatusgenError("YAML merge keys (<<) are not supported", path, key_line,
                                     "write the keys out in full")
            if not isinstance(key_node, yaml.ScalarNode):
                raise StatusgenError("a mapping key must be plain text", path, key_line)
            key = _convert(key_node, loader, path, offset, seen, depth + 1)
            if key in mapping:
                raise StatusgenError(f"duplicate key {key!r}", path, key_line,
                                     f"it is already set on line {mapping.lines[key]}")
            mapping[key] = _convert(value_node, loader, path, offset, seen, depth + 1)
            mapping.lines[key] = key_line
        return mapping
    raise StatusgenError("unsupported YAML node", path, line)  # pragma: no cover
