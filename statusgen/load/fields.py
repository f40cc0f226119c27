"""Reading typed fields out of line-tracked YAML, collecting every problem on the way."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any, TypeVar, cast, overload

from statusgen import markup, timeutil
from statusgen.errors import Problem, did_you_mean, one_of
from statusgen.load.yamltext import YList, YMap, line_of

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_T = TypeVar("_T")
_TYPE_NAMES: dict[type, str] = {
    str: "text",
    bool: "true or false",
    int: "a whole number",
    list: "a list",
    dict: "a mapping (key: value)",
}


class Reader:
    """Reads values from one file and collects the problems it finds in them."""

    def __init__(self, path: str, problems: list[Problem]):
        self.path = path
        self.problems = problems

    def error(self, line: int, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(self.path, line, message, hint))

    def mapping(self, value: Any, what: str, line: int, hint: str | None = None) -> YMap | None:
        if isinstance(value, YMap):
            return value
        self.error(line_of(value, default=line), f"{what} must be a mapping (key: value)", hint)
        return None

    def keys(
        self,
        mapping: YMap,
        allowed: Collection[str],
        required: Iterable[str] = (),
        where: str = "",
        hints: Mapping[str, str] | None = None,
    ) -> None:
        """Report unknown keys (with a did-you-mean) and missing required ones."""
        for key in mapping:
            if key not in allowed:
                place = f" in {where}" if where else ""
                hint = did_you_mean(str(key), allowed) or "allowed: " + ", ".join(sorted(allowed))
                self.error(line_of(mapping, key), f"unknown key {str(key)!r}{place}", hint)
        for key in required:
            if key not in mapping or mapping[key] is None:
                place = f" {where}" if where else ""
                self.error(
                    line_of(mapping, key) if key in mapping else mapping.line,
                    f"missing {key!r}{place}",
                    (hints or {}).get(key),
                )

    @overload
    def typed(self, mapping: YMap, key: str, kind: type[_T]) -> _T | None: ...

    @overload
    def typed(self, mapping: YMap, key: str, kind: type[_T], default: _T) -> _T: ...

    def typed(self, mapping: YMap, key: str, kind: type[_T], default: _T | None = None) -> _T | None:
        """``mapping[key]`` if it is of ``kind``; else report it and return ``default``."""
        if key not in mapping or mapping[key] is None:
            return default
        value = mapping[key]
        ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
        if kind is str and isinstance(value, (int, float)) and not isinstance(value, bool):
            return cast(_T, str(value))  # a number written where text belongs is read as its text
        if not ok:
            self.error(
                line_of(mapping, key), f"{key!r} must be {_TYPE_NAMES.get(kind, kind.__name__)}, not {_describe(value)}"
            )
            return default
        return cast(_T, value)

    def text(self, mapping: YMap, key: str, default: str = "") -> str:
        value = self.typed(mapping, key, str, default)
        return value.strip() if isinstance(value, str) else default

    def choice(
        self, mapping: YMap, key: str, choices: Collection[str], what: str, default: str | None = None
    ) -> str | None:
        value: str | None = self.typed(mapping, key, str)
        if value is None:
            return default
        if value not in choices:
            hint = did_you_mean(value, choices) or one_of(choices)
            self.error(line_of(mapping, key), f"unknown {what} {value!r}", hint)
            return default
        return value

    def markup(self, texts: list[tuple[str, int, bool]], nested_hint: str) -> None:
        """Refuse markdown, given as (text, line, whether the text's lines are the file's from that
        line on), that would nest deeper than the renderer can, or take it too long to render (see
        markup.cost): each text nested too deep at its line, or else, if they cost too much
        together, the costliest, at the line of its costliest shape, saying what that shape is."""
        deep = []
        for text, line, lined in texts:
            depth, at = markup.deepest(text)
            if depth > markup.MAX_NESTING:
                deep.append(line + at if lined else line)
        for line in deep:
            self.error(line, f"markdown nested more than {markup.MAX_NESTING} levels deep", nested_hint)
        if deep:
            return
        costs = [(markup.estimate(text), line, lined) for text, line, lined in texts]
        if sum(cost.total for cost, _, _ in costs) > markup.MAX_COST:
            cost, line, lined = max(costs, key=lambda c: c[0].total)
            self.error(
                line + cost.line if lined else line, f"too much markup to render: {cost.shape.what}", cost.shape.hint
            )

    def timestamp(self, mapping: YMap, key: str) -> datetime | None:
        value = mapping.get(key)
        if value is None:
            return None
        try:
            return timeutil.parse_timestamp(value)
        except ValueError as exc:
            self.error(line_of(mapping, key), str(exc), timeutil.TIMESTAMP_HINT)
            return None

    def day(self, mapping: YMap, key: str) -> date | None:
        """A calendar day written YYYY-MM-DD, in the years timestamps may have (1970-2999)."""
        value = mapping.get(key)
        if value is None:
            return None
        text = str(value).strip()
        try:
            # fromisoformat also takes 20250131 and 2025-W05-5; a date here is written one way.
            day = date.fromisoformat(text) if _DAY.fullmatch(text) else None
        except ValueError:
            day = None
        if day is None:
            self.error(line_of(mapping, key), f"{key!r} must be a date like 2025-01-31, not {value!r}")
        elif not timeutil.MIN_YEAR <= day.year <= timeutil.MAX_YEAR:
            self.error(
                line_of(mapping, key),
                f"{key!r} must be a day from {timeutil.MIN_YEAR}-01-01 to {timeutil.MAX_YEAR}-12-31, not {text}",
                "write the first day the component was in service",
            )
            day = None
        return day

    def duration(self, mapping: YMap, key: str) -> timedelta | None:
        value = mapping.get(key)
        try:
            return timeutil.parse_duration(str(value))
        except ValueError as exc:
            self.error(line_of(mapping, key), str(exc), "write it like 30m, 1h, 4h or 5d")
            return None

    def string_list(self, mapping: YMap, key: str) -> list[str]:
        value = mapping.get(key)
        if value is None:
            return []
        if not isinstance(value, YList) or not all(isinstance(v, str) for v in value):
            self.error(line_of(mapping, key), f"{key!r} must be a list of text values")
            return []
        return list(value)


def slug_ok(value: str) -> bool:
    return re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", value) is not None


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (list, YList)):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    return repr(value)
