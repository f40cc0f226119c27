"""The Jinja environment a theme renders in: its loader, its filters, and its errors at their line."""

from __future__ import annotations

import functools
import os
import traceback
from collections import Counter
from collections.abc import Callable, Generator
from datetime import datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any, Protocol

import jinja2
from jinja2.exceptions import SecurityError
from markupsafe import Markup, escape

from statusgen import i18n, markup, timeutil
from statusgen.errors import Problem, ValidationFailed
from statusgen.theme.files import ThemeLoader, default_theme_dir, overrides_templates, printable
from statusgen.theme.formatter import Formatter
from statusgen.theme.sandbox import MAX_OUTPUT, Environment, LimitExceeded, Meter, PackagedEnvironment, ThemeEnvironment
from statusgen.vocabulary import ComponentStatus, as_impact, status_label


def environment(dirs: list[Path], formatter: Formatter) -> Environment:
    """The Jinja environment of the theme: autoescaping, failing loudly on undefined names.

    Templates get only what the pages hand them, plus these filters and ``fmt``: each of them
    formats a value and returns text, and reaches neither files, nor the environment, nor state
    another page would see. A theme's templates, and with them all the default's, run in the
    sandbox (see statusgen/theme/sandbox.py for what it allows); the packaged default templates alone,
    when a theme overrides none of them, in ``PackagedEnvironment``, whose loader reads nothing
    but the packaged folder.
    """
    options: dict[str, Any] = dict(
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # A build reads each template once: no checking its mtime at every
        # render (a rebuild of ``serve`` makes a new environment).
        auto_reload=False,
    )
    env: Environment
    if overrides_templates(dirs):
        loader: jinja2.BaseLoader = jinja2.ChoiceLoader([ThemeLoader(str(d / "templates")) for d in dirs])
        env = ThemeEnvironment(loader=loader, bytecode_cache=_COMPILED[ThemeEnvironment], **options)
    else:
        dirs = [default_theme_dir()]
        loader = ThemeLoader(str(dirs[0] / "templates"))
        env = PackagedEnvironment(loader=loader, bytecode_cache=_COMPILED[PackagedEnvironment], **options)
    language = i18n.language(formatter.language_code)
    # The words of the interface, from the language's catalog. A translation is text like any
    # other: escaped, so a catalog can no more add markup to a page than an incident file can;
    # what a message places in it (a link) is passed as a value.
    words = _Words(language)
    env.newstyle_gettext = True  # type: ignore[union-attr]
    env.globals.update(
        _=words.gettext,
        gettext=words.gettext,
        ngettext=words.ngettext,
        pgettext=words.pgettext,
        npgettext=words.npgettext,
    )
    # These make a short text of one value each, and are not metered (they are most of what a
    # page calls); markdown, whose cost grows with its text, is, by the length of its text. An
    # update's anchor is shown twice on its page: made once, for this build.
    env.filters.update(
        markdown=_by_length(env.meter, markup.render),
        inline_markdown=_by_length(env.meter, markup.render_inline),
        label=functools.partial(_label, language),
        impact_label=functools.partial(_impact_label, language),
        time=formatter.time_tag,
        duration=functools.partial(_duration, formatter),
        minutes=formatter.minutes,
        downtime=formatter.downtime,
        number=formatter.number,
        iso=timeutil.iso,
        anchor=functools.cache(update_anchor),
        pct=formatter.percent,
        bar=bar_class,
    )
    # The statuses a day of the uptime bars can have, in the order the bars' key names them.
    env.globals.update(fmt=formatter, component_statuses=tuple(ComponentStatus))
    env.theme_folders = [(os.path.abspath(d / "templates"), f"themes/{d.name}/templates") for d in dirs]
    return env


class _Compiled(jinja2.BytecodeCache):
    """Templates compiled once for every language of a build (each has an environment of its
    own, with its words and formats), and for every rebuild of ``serve``. Jinja keys each on the
    template's file and checks it against the template's text, so a changed template is compiled
    again; the code of one kind of environment is never given to the other."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_COMPILED: dict[type, _Compiled] = {ThemeEnvironment: _Compiled(), PackagedEnvironment: _Compiled()}


def _by_length(meter: Meter, render: Callable[[str], Markup]) -> Callable[[str], Markup]:
    """``render``, counted as a step for each 16 characters of its text."""

    def metered(text: str) -> Markup:
        if not isinstance(text, str):
            raise TypeError(f"markdown takes text, not {type(text).__name__}")
        meter.step(1 + len(text) // 16)
        return render(text)

    return metered


class _Words:
    """A language's gettext functions for templates, as Jinja's i18n extension makes them in its
    "newstyle" (``_("Page %(n)s", n=2)`` formats the translation with the values, escaped), but with
    each translation escaped as well, and kept: a page calls them dozens of times, each page of a
    build with the same few messages."""

    def __init__(self, language: i18n.Language):
        self._words = language.words
        self._known: dict[tuple[str, ...], Markup] = {}

    def gettext(self, message: str, /, **variables: Any) -> Markup:
        known = self._known.get((message,))
        if known is None:
            known = self._known[(message,)] = escape(self._words.gettext(message))
        # Always formatted, as Jinja's are, so that "%%" is "%" with values or without.
        return known % variables

    def ngettext(self, singular: str, plural: str, n: int, /, **variables: Any) -> Markup:
        variables.setdefault("num", n)
        return escape(self._words.ngettext(singular, plural, n)) % variables

    def pgettext(self, context: str, message: str, /, **variables: Any) -> Markup:
        variables.setdefault("context", context)
        known = self._known.get((context, message))
        if known is None:
            known = self._known[(context, message)] = escape(self._words.pgettext(context, message))
        return known % variables

    def npgettext(self, context: str, singular: str, plural: str, n: int, /, **variables: Any) -> Markup:
        variables.setdefault("context", context)
        variables.setdefault("num", n)
        return escape(self._words.npgettext(context, singular, plural, n)) % variables


def _impact_label(language: i18n.Language, impact: str) -> str:
    try:
        return language.gettext(as_impact(impact).label)
    except KeyError:  # a theme may label any text
        return impact


def update_stamp(moment: datetime) -> str:
    """An update's time as the update's ids are made of it (its anchor, its API id, its email's
    Message-ID): ``20251103t140500z``."""
    return moment.strftime("%Y%m%dt%H%M%Sz")


def update_anchor(moment: datetime) -> str:
    """The fragment id of an update on its incident page; stable for as long as its time is."""
    return "update-" + update_stamp(moment)


class Day(Protocol):
    """What the ``bar`` filter reads of one day of uptime."""

    @property
    def uptime(self) -> float | None: ...
    @property
    def downtime_minutes(self) -> float: ...
    @property
    def worst(self) -> ComponentStatus: ...


def bar_class(day: Day) -> str:
    """The class of one day's uptime bar, which gives it its colour and shape: its worst status's
    (``u-partial_outage``), or ``u-none`` for a day without data."""
    return "u-none" if day.uptime is None else f"u-{day.worst}"


def _label(language: i18n.Language, status: str) -> str:
    label = status_label(status)
    return language.gettext(label) if label is not None else status.replace("_", " ").capitalize()


def _duration(formatter: Formatter, delta: timedelta) -> str:
    # A duration never wraps ("1 hour, 53" on one line and "minutes" on the next).
    return formatter.duration(delta).replace(" ", "\u00a0")


_RUNTIME_HINTS: dict[type, tuple[str, str]] = {
    SecurityError: (
        "not allowed in a theme",
        "templates format what the pages hand them; they cannot reach Python's internals, files or the environment",
    ),
    jinja2.UndefinedError: (
        "undefined in the template",
        "check the spelling: the pages hand templates what the default theme's templates use",
    ),
    RecursionError: (
        "the template calls itself without end",
        "a macro, block or include that calls itself needs a condition that stops it",
    ),
    UnicodeDecodeError: ("a template it uses is not UTF-8 text", "save the file as UTF-8"),
    Exception: ("the template failed", "fix the template at this line"),
}


SYNTAX_HINT = "templates are Jinja2: see https://jinja.palletsprojects.com/templates/"
NOT_FOUND_HINT = "templates are looked up in the theme's templates/ folder, then in the default theme"


def render_page(env: Environment, template: str, out: str, context: dict[str, Any]) -> str:
    """The text of the file ``out``, made from ``template`` within the sandbox's limits.

    Every error a theme can cause is raised as a ValidationFailed at the template's file and line.
    """
    meter = env.meter
    meter.start_file()
    try:
        stream: Generator[str, None, None] = env.get_template(template).generate(**context)  # type: ignore[assignment]
        parts: list[str] = []
        size = 0
        while batch := list(islice(stream, 256)):
            # Pieces are counted in batches: cheap, and bounded, as the pieces a batch holds are
            # either measured when made or the template's own text, shared, not copied.
            size += sum(map(len, batch))
            if size > MAX_OUTPUT:
                # Thrown into the template where it stands, so the error names that line.
                stream.throw(
                    LimitExceeded(
                        f"the template's output is over {MAX_OUTPUT // 2**20} MiB",
                        "every file of the site stays under 1 MB: look for a loop that does not end",
                    )
                )
            parts += batch
        meter.end_file()
    except Exception as exc:
        raise template_error(env, exc, template, out) from exc
    return "".join(parts)


def template_error(env: Environment, exc: BaseException, template: str, out: str) -> ValidationFailed:
    """``exc``, raised while making ``out`` from ``template``, as the theme's error at its line."""
    where, line = _template_line(env, exc)
    if where is None:
        where = _shown(env, _filename(env, template)) or f"themes/default/templates/{template}"
    if isinstance(exc, jinja2.TemplateSyntaxError):
        message, hint = f"template syntax error: {exc.message}", SYNTAX_HINT
    elif isinstance(exc, jinja2.TemplateNotFound):
        message, hint = f"template {exc.name!r} not found", NOT_FOUND_HINT
    elif isinstance(exc, LimitExceeded):
        message, hint = str(exc), exc.hint
    else:
        kind = next((k for k in _RUNTIME_HINTS if isinstance(exc, k)), Exception)
        prefix, hint = _RUNTIME_HINTS[kind]
        detail = str(exc).rstrip(".") if kind is not Exception else f"{type(exc).__name__}: {exc}"
        message = f"{prefix}: {detail}"
        if kind in (RecursionError, UnicodeDecodeError):
            message = prefix
    return ValidationFailed([Problem(where, line, f"{message}, making {out}", hint)])


def _filename(env: Environment, template: str) -> str | None:
    try:
        return env.get_template(template).filename
    except Exception:  # the template that failed to load is not what this error is about
        return None


def _shown(env: Environment, filename: str | None) -> str | None:
    """A template's path as the repository names it, like themes/brand/templates/404.html."""
    if filename is None:
        return None
    full = os.path.abspath(filename)
    for folder, label in env.theme_folders:
        if full.startswith(folder + os.sep):
            return printable(label + "/" + full[len(folder) + 1 :].replace(os.sep, "/"))
    return None


def _template_line(env: Environment, exc: BaseException) -> tuple[str | None, int]:
    """The template file and line ``exc`` was raised at: for a syntax error its own, otherwise the
    innermost template frame of the traceback (Jinja puts the templates' lines there)."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        shown = _shown(env, exc.filename)
        if shown is not None:
            return shown, exc.lineno
    found = [
        (shown, frame.lineno or 0)
        for frame in traceback.extract_tb(exc.__traceback__)
        if (shown := _shown(env, frame.filename)) is not None
    ]
    if not found:
        return None, 0
    if isinstance(exc, RecursionError):
        # The innermost frame may be the entry of a block or macro; the line that recurses is the
        # one the traceback holds over and over.
        return Counter(found).most_common(1)[0][0]
    return found[-1]
