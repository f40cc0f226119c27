"""The Jinja sandbox themes render in, and the limits every rendered file is held to.

A theme arrives by pull request like any other file, and pull-request builds run it. So a
template may only format what the pages hand it: it runs in Jinja's immutable sandbox (no
attributes that start with ``_``, no Python internals, no changes to lists or dicts), may not
reach modules, classes or time zone data through an attribute, calls only the methods of ``str``
that cannot blow a text up, and every file it renders is metered:

- at most ``MAX_OUTPUT`` characters of output (a site's files stay under 1 MB; this leaves room);
- at most ``MAX_PRODUCED`` characters of text made along the way (bounds memory: a loop that
  builds a string in a variable is refused as it grows, not once it fills the machine);
- at most ``MAX_STEPS`` steps: a turn of a loop, a call, or an item a filter makes or goes
  through (bounds time: Jinja's own sandbox caps one ``range`` at 100,000 items, but loops in
  loops would multiply that). The whole build, in each process, gets ``BUILD_STEPS`` more for
  each page, so a theme cannot make every one of 10,000 pages take its full allowance either.

The default theme takes a small fraction of each (see tests/test_theme_safety.py).

The templates packaged with statusgen are part of statusgen, reviewed and tested with its code.
When a theme overrides none of them, they render in ``PackagedEnvironment``: Jinja's own,
without the sandbox and the meter, with the same autoescaping and strict undefined names, so the
same bytes. That is sound because its loader reads the packaged folder and nothing else: no
template text a pull request can change is ever compiled there, and what the pages hand the
templates (titles, messages, the configuration) is only ever data they format, escaped, never
evaluated. As soon as a theme supplies any template, even one partial the default's templates
include, every template of that build, the default's too, renders in ``ThemeEnvironment``: a
packaged template that includes, imports or extends an overridden one would otherwise run the
override without the sandbox.
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable, Iterable, Iterator, Sized
from datetime import tzinfo
from string import Formatter
from typing import Any

import jinja2
from jinja2 import nodes, pass_eval_context
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.runtime import Macro, markup_join, str_join
from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedEscapeFormatter, SandboxedFormatter
from markupsafe import Markup, soft_str

MAX_OUTPUT = 8 * 1024 * 1024
MAX_PRODUCED = 64 * 1024 * 1024
MAX_STEPS = 1_000_000
BUILD_STEPS = 20_000
# The largest integer a template may compute with, in bits: far beyond any count a page shows,
# far below a number whose arithmetic takes seconds.
MAX_INT_BITS = 256
# What a value shown in a loop counts as made, at the least, each time round: so that no loop
# can pile up values in a buffer uncounted, whatever they are.
SHOWN_VALUE = 64
_COUNT = "statusgen_count"
_CONCAT = "statusgen_concat"
_DIGITS = re.compile(r"\d+")

# Methods of str a template may call. Left out: those that make a text many times longer than
# their arguments (expandtabs, translate, maketrans) or that make bytes (encode).
_STR_METHODS = frozenset(
    """
capitalize casefold center count endswith find format format_map index isalnum isalpha isascii
escape isdecimal isdigit isidentifier islower isnumeric isprintable isspace istitle isupper join ljust
lower lstrip partition removeprefix removesuffix replace rfind rindex rjust rpartition rsplit rstrip
split splitlines startswith strip striptags swapcase title unescape upper zfill
""".split()
)
# What a template may read of a time zone.
_ZONE_ATTRIBUTES = frozenset({"key", "utcoffset", "tzname", "dst"})


class LimitExceeded(jinja2.TemplateRuntimeError):
    """A rendered file went over one of the limits; ``hint`` says what to look for."""

    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.hint = hint


_LOOP_HINT = "look for a loop or a recursive macro that does not end, or loops nested in loops"


class Meter:
    """What rendering one file has cost so far."""

    def __init__(self) -> None:
        self.steps = 0
        self.produced = 0
        self.build_steps = 0
        self.build_allowance = 0

    def start_file(self) -> None:
        """Start a new file: its own allowance, and its share of the build's."""
        self.steps = 0
        self.produced = 0
        self.build_allowance += BUILD_STEPS

    def step(self, count: int = 1) -> None:
        """Count ``count`` steps. The text made is checked here too: whatever piles up does so a
        step at a time, as a loop goes round or a macro is called."""
        self.steps += count
        if self.steps > MAX_STEPS or self.produced > MAX_PRODUCED:
            self.check()

    def produce(self, size: int) -> None:
        """Count ``size`` characters of text made; refuse a text over the output limit on its own."""
        self.produced += size
        if size > MAX_OUTPUT:
            raise LimitExceeded(
                f"the template made a text of more than {MAX_OUTPUT // 2**20} MiB",
                "every file of the site stays under 1 MB: " + _LOOP_HINT,
            )
        if self.produced > MAX_PRODUCED:
            self.check()

    def check(self) -> None:
        if self.produced > MAX_PRODUCED:
            raise LimitExceeded(
                f"the template made more than {MAX_PRODUCED // 2**20} MiB of text for one file", _LOOP_HINT
            )
        if self.steps > MAX_STEPS:
            raise LimitExceeded(
                f"the template took more than {MAX_STEPS:,} steps (loop turns, calls and items filtered) for one file",
                _LOOP_HINT,
            )

    def end_file(self) -> None:
        self.build_steps += self.steps
        if self.build_steps > self.build_allowance + MAX_STEPS:
            raise LimitExceeded(
                f"the theme took more than {BUILD_STEPS:,} steps a page on average",
                "the default theme takes a small part of that: " + _LOOP_HINT,
            )


# Filters whose text is short, or costs a step for each few characters: what they show needs no
# measuring (see _Generator).
TEXT_FILTERS = frozenset(
    {
        "label",
        "impact_label",
        "time",
        "duration",
        "iso",
        "anchor",
        "pct",
        "bar",
        "minutes",
        "downtime",
        "number",
        "markdown",
        "inline_markdown",
    }
)
_PLAIN = CodeGenerator._FinalizeInfo(None, None)


class _Generator(CodeGenerator):
    """Jinja's code generator, measuring each value shown (``finalize``) unless it is a constant or
    the text of one of ``TEXT_FILTERS``: most of what a page shows, and each measure costs a call."""

    def _output_child_pre(self, node: nodes.Expr, frame: Frame, finalize: CodeGenerator._FinalizeInfo) -> None:
        super()._output_child_pre(node, frame, finalize if _measured(node) else _PLAIN)

    def _output_child_post(self, node: nodes.Expr, frame: Frame, finalize: CodeGenerator._FinalizeInfo) -> None:
        super()._output_child_post(node, frame, finalize if _measured(node) else _PLAIN)


def _measured(node: nodes.Expr) -> bool:
    return not (isinstance(node, nodes.Const) or isinstance(node, nodes.Filter) and node.name in TEXT_FILTERS)


class ThemeEnvironment(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, with the policy and metering described in the module."""

    intercepted_binops = frozenset({"*", "**", "%", "+"})
    code_generator_class = _Generator

    def __init__(self, **options: Any):
        meter = self.meter = Meter()

        def finalize(value: Any) -> Any:
            """Every ``{{ value }}`` shown: made text here, so that its size is counted."""
            if type(value) is not str and type(value) is not Markup:
                value = Markup(value.__html__()) if hasattr(value, "__html__") else str(value)
            meter.produced += len(value)  # checked at the next step, which comes before the next value
            return value

        super().__init__(finalize=finalize, **options)
        # A status page needs no lorem ipsum, and lipsum(10**9) would fill the memory before any check.
        del self.globals["lipsum"]
        self.filters = {name: metered_filter(self.meter, name, f) for name, f in self.filters.items()}
        self.filters[_COUNT] = self._count
        self.filters[_CONCAT] = self._concat_operands
        self._verdicts: dict[tuple[type, str, type], bool] = {}
        # (folder of templates, as the repository names it), most specific first; set by the theme.
        self.theme_folders: list[tuple[str, str]] = []

    # -- what a template may reach --------------------------------------------------------------

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if not super().is_safe_attribute(obj, attr, value):
            return False
        if isinstance(value, (types.ModuleType, type)):
            return False
        if isinstance(obj, str):
            return attr in _STR_METHODS
        if isinstance(obj, tzinfo):
            return attr in _ZONE_ATTRIBUTES
        return True

    def getattr(self, obj: Any, attribute: str) -> Any:
        # The same answer as the sandbox's, with each verdict kept per type: a page reads
        # hundreds of attributes, and the checks are the same for every object of a type.
        try:
            value = getattr(obj, attribute)
        except AttributeError:
            try:
                return obj[attribute]
            except (TypeError, LookupError):
                return self.undefined(obj=obj, name=attribute)
        verdict_key = (type(obj), attribute, type(value))
        verdict = self._verdicts.get(verdict_key)
        if verdict is None:
            verdict = self._verdicts[verdict_key] = (
                not isinstance(obj, jinja2.Undefined)
                and self.wrap_str_format(value) is None
                and self.is_safe_attribute(obj, attribute, value)
            )
        if verdict:
            return value
        if isinstance(obj, jinja2.Undefined):
            # Its own attributes, such as __class__, are not the template's to see: it fails as undefined.
            return obj._fail_with_undefined_error()
        wrapped = self.wrap_str_format(value)
        if wrapped is not None and self.is_safe_attribute(obj, attribute, value):
            return wrapped
        return self.unsafe_undefined(obj, attribute)

    def unsafe_undefined(self, obj: Any, attribute: str) -> Any:
        # Raised at once, not handed on as an undefined value: a list or a test of one would
        # otherwise pass it by quietly.
        raise SecurityError(f"access to attribute {attribute!r} of {type(obj).__name__!r} object is unsafe")

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """``str.format`` and ``format_map``, sandboxed, with widths and precisions bounded."""
        if (
            not isinstance(value, (types.MethodType, types.BuiltinMethodType))
            or value.__name__ not in ("format", "format_map")
            or not isinstance(value.__self__, str)
        ):
            return None
        text: str = value.__self__
        formatter: Formatter = (
            _BoundedEscapeFormatter(self, escape=text.escape) if isinstance(text, Markup) else _BoundedFormatter(self)
        )
        is_map = value.__name__ == "format_map"

        def bounded_format(*args: Any, **kwargs: Any) -> str:
            if is_map:
                if kwargs or len(args) != 1:
                    raise TypeError("format_map() takes exactly one argument")
                kwargs = args[0]
                args = ()
            _check_widths(text)
            return type(text)(formatter.vformat(text, args, kwargs))

        return bounded_format

    # -- what it may cost -----------------------------------------------------------------------

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        meter = __self.meter
        meter.steps += 1
        if meter.steps > MAX_STEPS or meter.produced > MAX_PRODUCED:
            meter.check()
        if type(__obj) is Macro:
            # The call most made, and safe: what a macro makes is counted as it is shown.
            return __context.call(__obj, *args, **kwargs)
        if not __self.is_safe_callable(__obj):
            raise SecurityError(f"{__obj!r} is not safely callable")
        if isinstance(__obj, (types.BuiltinMethodType, types.MethodType)) and isinstance(__obj.__self__, str):
            _check_str_call(__obj.__self__, __obj.__name__, args, kwargs)
        result = __context.call(__obj, *args, **kwargs)
        _measure(meter, result)
        return result

    def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
        self.meter.step()
        _check_binop(operator_, left, right)
        result = self.binop_table[operator_](left, right)
        _measure(self.meter, result)
        return result

    @pass_eval_context
    def _concat_operands(self, eval_ctx: Any, operands: list[Any]) -> str:
        """``a ~ b``: measured before the join, like a buffer."""
        texts = [soft_str(o) for o in operands]
        self.meter.produce(sum(map(len, texts)))
        return markup_join(texts) if eval_ctx.autoescape else str_join(texts)

    def _count(self, iterable: Iterable[Any], text: int) -> Iterator[Any]:
        """The items of a ``{% for %}``, one step each, and the loop's own ``text`` counted as made.

        With that and each value shown counted, what a buffer (a macro's, a ``{% set %}`` block's)
        holds is counted as it grows, and needs no measuring when joined.
        """
        meter = self.meter
        for item in iterable:
            meter.steps += 1
            meter.produced += text
            if meter.steps > MAX_STEPS or meter.produced > MAX_PRODUCED:
                meter.check()
            yield item

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        """The template's tree, with every loop counted and every ``~`` measured."""
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):
            text = sum(
                len(data.data) if isinstance(data, nodes.TemplateData) else SHOWN_VALUE
                for part in (*loop.body, *loop.else_)
                for output in (part, *part.find_all(nodes.Output))
                if isinstance(output, nodes.Output)
                for data in output.nodes
            )
            loop.iter = nodes.Filter(
                loop.iter, _COUNT, [nodes.Const(text, lineno=loop.lineno)], [], None, None, lineno=loop.lineno
            )
        for parent in tree.find_all(nodes.Node):
            for field_name, child in parent.iter_fields():
                if isinstance(child, nodes.Concat):
                    setattr(parent, field_name, _measured_concat(child))
                elif isinstance(child, list):
                    child[:] = [_measured_concat(c) if isinstance(c, nodes.Concat) else c for c in child]
        return tree


class PackagedEnvironment(jinja2.Environment):
    """Jinja's own environment, for the packaged default templates alone (see the module).

    It has a ``meter`` and ``theme_folders`` as ``ThemeEnvironment`` does, so that pages render
    and errors are placed the same way in both; nothing is counted, as nothing can grow here but
    with the data, whose size the loader bounds.
    """

    def __init__(self, **options: Any):
        super().__init__(**options)
        # The same names as in the sandbox: a packaged template that worked here would fail there.
        del self.globals["lipsum"]
        self.meter = Meter()
        self.theme_folders: list[tuple[str, str]] = []


# The environment a site's templates render in.
Environment = ThemeEnvironment | PackagedEnvironment


def _measured_concat(node: nodes.Concat) -> nodes.Filter:
    return nodes.Filter(nodes.List(node.nodes, lineno=node.lineno), _CONCAT, [], [], None, None, lineno=node.lineno)


class _BoundedFormatter(SandboxedFormatter):
    def format_field(self, value: Any, format_spec: str) -> Any:
        _check_widths(format_spec)  # a width may come from an argument: "{:{}}".format(x, n)
        return super().format_field(value, format_spec)


class _BoundedEscapeFormatter(SandboxedEscapeFormatter):
    def format_field(self, value: Any, format_spec: str) -> Any:
        _check_widths(format_spec)
        return super().format_field(value, format_spec)


def _too_big(what: str) -> LimitExceeded:
    return LimitExceeded(
        f"{what} would make a text of more than {MAX_OUTPUT // 2**20} MiB", "every file of the site stays under 1 MB"
    )


def _check_widths(text: str) -> None:
    """Refuse a format string with a width or precision that would make a text over the limit."""
    if any(len(run) > 7 and int(run) > MAX_OUTPUT for run in _DIGITS.findall(text)):
        raise _too_big("a format width or precision")


def _check_width(what: str, value: Any) -> None:
    """Refuse a width that would make a text over the limit."""
    if isinstance(value, int) and value > MAX_OUTPUT:
        raise _too_big(what)


def _check_star_widths(text: str, args: Iterable[Any]) -> None:
    """``%*d`` takes its width from the arguments."""
    if "*" in text:
        for value in args:
            _check_width("a format width", value)


def _check_str_call(text: str, method: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Refuse a call of a str method whose result would be over the limit, before it is made."""
    if method == "replace" and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
        grows = len(args[1]) - len(args[0])
        if grows > 0 and len(text) + grows * (text.count(args[0]) if args[0] else len(text) + 1) > MAX_OUTPUT:
            raise _too_big("this replace()")
    elif method in ("center", "ljust", "rjust", "zfill") and args:
        _check_width(f"this {method}()", args[0])
    elif method == "join" and args:
        items = args[0]
        if isinstance(items, Sized) and len(text) * len(items) > MAX_OUTPUT:
            raise _too_big("this join()")
        # Items that are not counted yet: each costs a step as it comes, so at most MAX_STEPS.
        if not isinstance(items, Sized) and len(text) * MAX_STEPS > MAX_OUTPUT:
            raise LimitExceeded(
                f"this join() of items that are not a list, with a separator of "
                f"{len(text):,} characters, could make a text of more than "
                f"{MAX_OUTPUT // 2**20} MiB",
                "make a list of the items first, with the list filter",
            )


def _check_binop(operator_: str, left: Any, right: Any) -> None:
    """Refuse ``*``, ``**``, ``%`` and ``+`` whose result would be over the limits, before it is made."""
    if operator_ == "*":
        for seq, times in ((left, right), (right, left)):
            if isinstance(seq, (str, list, tuple)) and type(times) is int and len(seq) * times > MAX_OUTPUT:
                raise _too_big("this multiplication")
        if type(left) is int and type(right) is int and left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise _too_big_number()
    elif operator_ == "**":
        if (
            type(left) is int
            and type(right) is int
            and right > 0
            and (right > MAX_INT_BITS or left.bit_length() * right > MAX_INT_BITS)
        ):
            raise _too_big_number()
    elif operator_ == "%" and isinstance(left, str):
        _check_widths(left)
        _check_star_widths(left, right if isinstance(right, tuple) else (right,))
    elif operator_ == "+" and isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
        if len(left) + len(right) > MAX_OUTPUT:
            raise _too_big("this addition")


def _too_big_number() -> LimitExceeded:
    return LimitExceeded(
        f"the template computed a number of more than {MAX_INT_BITS} bits",
        "templates format what pages hand them; they do not compute large numbers",
    )


def _measure(meter: Meter, result: Any) -> None:
    if type(result) is Markup or isinstance(result, str):
        meter.produce(len(result))
    elif isinstance(result, Sized) and not isinstance(result, (range, dict, types.MappingProxyType)):
        # What was made: a range is made as it is gone through, and counted then.
        meter.step(len(result))


def _counted(meter: Meter, items: Iterator[Any]) -> Iterator[Any]:
    for item in items:
        meter.step()
        yield item


def metered_filter(meter: Meter, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` with its arguments bounded and what it makes counted."""
    check = _FILTER_CHECKS.get(name)

    def metered(*args: Any, **kwargs: Any) -> Any:
        meter.step()
        if check is not None:
            check(*_plain(args), **kwargs)
        result = function(*args, **kwargs)
        if isinstance(result, Iterator) and not isinstance(result, str):
            return _counted(meter, result)
        _measure(meter, result)
        return result

    # Jinja passes the context first to filters marked for it; the mark must stay on the wrapper.
    for mark in ("jinja_pass_arg",):
        if hasattr(function, mark):
            setattr(metered, mark, getattr(function, mark))
    metered.__name__ = getattr(function, "__name__", name)
    metered.__doc__ = function.__doc__
    return metered


def _plain(args: tuple[Any, ...]) -> tuple[Any, ...]:
    # Filters marked to take the environment or context get it first; the checks look past it.
    return tuple(
        a for a in args if not isinstance(a, (jinja2.Environment, jinja2.runtime.Context, jinja2.nodes.EvalContext))
    )


def _text_len(value: Any) -> int:
    return len(value) if isinstance(value, str) else len(str(value)) if isinstance(value, int) else 0


def _check_replace(value: Any = "", old: Any = "", new: Any = "", count: Any = None, *_: Any, **__: Any) -> None:
    if isinstance(value, str) and isinstance(old, str) and isinstance(new, str):
        _check_str_call(value, "replace", (old, new), {})


def _check_indent(value: Any = "", width: Any = 4, first: Any = False, blank: Any = False, *_: Any, **__: Any) -> None:
    size = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
    text = value if isinstance(value, str) else ""
    if size and len(text) + size * (text.count("\n") + 1) > MAX_OUTPUT:
        raise _too_big("this indent")


def _check_wordwrap(
    value: Any = "", width: Any = 79, break_long_words: Any = True, wrapstring: Any = None, *_: Any, **__: Any
) -> None:
    text = value if isinstance(value, str) else ""
    # Wrapping takes time that grows with the square of the text: bounded by bounding the text.
    if len(text) > 100_000:
        raise LimitExceeded(
            "this wordwrap of a text of more than 100,000 characters would take too long",
            "wrap short texts, such as one message",
        )
    joint = len(wrapstring) if isinstance(wrapstring, str) else 1
    if isinstance(width, int) and width > 0 and len(text) + joint * (len(text) // width + 1) > MAX_OUTPUT:
        raise _too_big("this wordwrap")


def _check_format(value: Any = "", *args: Any, **kwargs: Any) -> None:
    if isinstance(value, str):
        _check_widths(value)
        _check_star_widths(value, args)


def _check_center(value: Any = "", width: Any = 80, *_: Any, **__: Any) -> None:
    _check_width("this center", width)


def _check_join(value: Any = (), d: Any = "", attribute: Any = None, *_: Any, **__: Any) -> None:
    if isinstance(value, Sized) and isinstance(d, str) and len(d) * len(value) > MAX_OUTPUT:
        raise _too_big("this join")
    if not isinstance(value, Sized) and isinstance(d, str):
        _check_str_call(d, "join", (value,), {})


def _check_fill(value: Any = (), count: Any = 1, fill_with: Any = None, *_: Any, **__: Any) -> None:
    if fill_with is not None and isinstance(count, int) and count * (1 + _text_len(fill_with)) > MAX_OUTPUT:
        raise _too_big("this fill")


_FILTER_CHECKS: dict[str, Callable[..., None]] = {
    "replace": _check_replace,
    "indent": _check_indent,
    "wordwrap": _check_wordwrap,
    "format": _check_format,
    "center": _check_center,
    "join": _check_join,
    "batch": _check_fill,
    "slice": _check_fill,
}
