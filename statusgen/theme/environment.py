"""Themes: the packaged default, overridden template by template by ``themes/<name>/``."""

from __future__ import annotations

import difflib
import functools
import os
import re
import stat
import traceback
import unicodedata
from collections import Counter
from collections.abc import Callable, Generator
from datetime import date, datetime, time, timedelta
from itertools import islice
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from babel import Locale
from babel.dates import format_date, format_time, tokenize_pattern
from jinja2.sandbox import SecurityError
from markupsafe import Markup, escape

from statusgen import markup, timeutil
from statusgen.errors import Problem, StatusgenError, ValidationFailed
from statusgen.theme.sandbox import MAX_OUTPUT, Environment, LimitExceeded, Meter, PackagedEnvironment, ThemeEnvironment
from statusgen.derive.uptime import Period
from statusgen.load.yamltext import LINK_HINTS, link_problem

STATUS_LABELS = {
    "operational": "Operational", "degraded_performance": "Degraded performance",
    "partial_outage": "Partial outage", "major_outage": "Major outage",
    "under_maintenance": "Under maintenance", "investigating": "Investigating",
    "identified": "Identified", "monitoring": "Monitoring", "resolved": "Resolved",
    "scheduled": "Scheduled", "in_progress": "In progress", "verifying": "Verifying",
    "completed": "Completed", "cancelled": "Cancelled",
}
IMPACT_LABELS = {"none": "No impact", "minor": "Minor", "major": "Major", "critical": "Critical",
                 "maintenance": "Maintenance"}


def default_theme_dir() -> Path:
    """The default theme: inside the installed package, or at the top of a source checkout."""
    here = Path(__file__).resolve().parents[1]
    packaged = here / "themes" / "default"
    return packaged if packaged.is_dir() else here.parent / "themes" / "default"


def theme_dirs(root: Path, name: str) -> list[Path]:
    """Theme folders, most specific first."""
    dirs = []
    custom = root / "themes" / name
    if custom.is_dir():
        dirs.append(custom)
    elif name != "default":
        raise StatusgenError(f"theme {name!r} not found", "statusgen.yaml", 0,
                             f"create themes/{name}/templates/, or use theme: default")
    default = default_theme_dir()
    if default.resolve() not in [d.resolve() for d in dirs]:
        dirs.append(default)
    return dirs


class Formatter:
    """Locale- and zone-aware formatting of instants for pages.

    A site shows tens of thousands of instants, most on a few thousand days and minutes: each text
    is made once per day or minute shown (Babel takes a while for one), never per instant.
    """

    def __init__(self, zone: ZoneInfo, language: str):
        # Private, as templates get this object: they may format with it, not reach the zone
        # database or the locale data through it.
        self._zone = zone
        self._locale = Locale.parse(language.replace("-", "_"))
        self._tags: dict[tuple[datetime, str], Markup] = {}
        self._days: dict[tuple[date, str], str] = {}
        self._clocks: dict[time, str] = {}
        # A clock of the locale shows hours and minutes; were its pattern to show seconds (or
        # milliseconds), the clock would be made per second.
        shown = {token[1][0] for token in tokenize_pattern(self._locale.time_formats["short"].pattern)
                 if token[0] == "field"}
        self._by_minute = not shown & {"s", "S", "A"}

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self._zone)

    def short_date(self, moment: datetime) -> str:
        return self._day(self.local(moment).date(), "medium")

    def long_date(self, day: date) -> str:
        return self._day(day, "long")

    def short_day(self, day: date) -> str:
        return self._day(day, "medium")

    def month(self, day: date) -> str:
        return self._day(day, "LLLL y")

    def _day(self, day: date, style: str) -> str:
        key = (day, style)
        text = self._days.get(key)
        if text is None:
            text = self._days[key] = format_date(day, style, locale=self._locale)
        return text

    def clock(self, moment: datetime) -> str:
        local = self.local(moment)
        shown = local.time()
        if self._by_minute:
            shown = shown.replace(second=0, microsecond=0)
        text = self._clocks.get(shown)
        if text is None:
            text = self._clocks[shown] = format_time(shown, "short", locale=self._locale)
        return f"{text} {local.tzname()}"

    def time_tag(self, moment: datetime, style: str = "datetime") -> Markup:
        """A ``<time>`` element showing the instant in the site's zone, with the zone named."""
        key = (moment, style)
        tag = self._tags.get(key)
        if tag is None:
            tag = self._tags[key] = self._time_tag(moment, style)
        return tag

    def _time_tag(self, moment: datetime, style: str) -> Markup:
        local = self.local(moment)
        if style == "date":
            text = self.short_date(moment)
        elif style == "clock":
            text = self.clock(moment)
        else:
            text = f"{self.short_date(moment)}, {self.clock(moment)}"
        # Joined by hand: what Markup("...{}...").format(...) makes, without its formatter's cost.
        return Markup(f'<time datetime="{escape(timeutil.iso(local))}">{escape(text)}</time>')


class ThemeLoader(jinja2.FileSystemLoader):
    """Templates of one theme folder; nothing in a dot-folder or dot-file (``.git``, ``.env``)."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Any]:
        if any(part.startswith(".") for part in template.split("/")):
            raise jinja2.TemplateNotFound(template)
        return super().get_source(environment, template)

    def list_templates(self) -> list[str]:
        return [name for name in super().list_templates()
                if not any(part.startswith(".") for part in name.split("/"))]


def environment(dirs: list[Path], formatter: Formatter) -> Environment:
    """The Jinja environment of the theme: autoescaping, failing loudly on undefined names.

    Templates get only what the pages hand them, plus these filters and ``fmt``: each of them
    formats a value and returns text, and reaches neither files, nor the environment, nor state
    another page would see. A theme's templates, and with them all the default's, run in the
    sandbox (see statusgen/sandbox.py for what it allows); the packaged default templates alone,
    when a theme overrides none of them, in ``PackagedEnvironment``, whose loader reads nothing
    but the packaged folder.
    """
    options: dict[str, Any] = dict(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                                   lstrip_blocks=True, keep_trailing_newline=True,
                                   # A build reads each template once: no checking its mtime at every
                                   # render (a rebuild of ``serve`` makes a new environment).
                                   auto_reload=False)
    env: Environment
    if overrides_templates(dirs):
        env = ThemeEnvironment(loader=jinja2.ChoiceLoader([ThemeLoader(str(d / "templates")) for d in dirs]),
                               **options)
    else:
        dirs = [default_theme_dir()]
        env = PackagedEnvironment(loader=ThemeLoader(str(dirs[0] / "templates")), **options)
    # These make a short text of one value each, and are not metered (they are most of what a
    # page calls); markdown, whose cost grows with its text, is, by the length of its text. An
    # update's anchor is shown twice on its page: made once, for this build.
    env.filters.update(
        markdown=_by_length(env.meter, markup.render), inline_markdown=_by_length(env.meter, markup.render_inline),
        label=_label, impact_label=_impact_label, time=formatter.time_tag,
        duration=_duration, iso=timeutil.iso, anchor=functools.cache(update_anchor), pct=percent,
        bar=bar_class,
    )
    env.globals.update(fmt=formatter)
    env.theme_folders = [(os.path.abspath(d / "templates"), f"themes/{d.name}/templates") for d in dirs]
    return env


def _by_length(meter: Meter, render: Callable[[str], Markup]) -> Callable[[str], Markup]:
    """``render``, counted as a step for each 16 characters of its text."""
    def metered(text: str) -> Markup:
        if not isinstance(text, str):
            raise TypeError(f"markdown takes text, not {type(text).__name__}")
        meter.step(1 + len(text) // 16)
        return render(text)
    return metered


def _impact_label(impact: str) -> str:
    return IMPACT_LABELS.get(impact, impact)


def update_anchor(moment: datetime) -> str:
    """The fragment id of an update on its incident page; stable for as long as its time is."""
    return "update-" + moment.strftime("%Y%m%dT%H%M%SZ").lower()


def percent(value: float | None) -> str:
    """An uptime figure as shown everywhere: up to three decimals, as in api/uptime.json."""
    if value is None:
        return "no data"
    return f"{value:.3f}".rstrip("0").rstrip(".") + "%"


def bar_class(day: Period) -> str:
    """The colour class of one day's uptime bar."""
    if day.uptime is None:
        return "u-none"
    if day.downtime_minutes == 0:
        return "u-note" if day.incidents else "u-ok"
    if day.uptime >= 99:
        return "u-minor"
    return "u-partial" if day.uptime >= 95 else "u-major"


def _label(status: str) -> str:
    return STATUS_LABELS.get(status, status.replace("_", " ").capitalize())


def _duration(delta: timedelta) -> str:
    # A number never wraps away from its unit ("1 h 53" on one line and "min" on the next).
    return re.sub(r"(\d) ", "\\1\u00a0", timeutil.format_duration(delta))


def theme_files(dirs: list[Path]) -> list[tuple[str, bytes]]:
    """Every file of the themes a build may read, for the build cache's fingerprint.

    Files in dot-folders (a theme's ``.git``) are neither published nor includable, so left out.
    """
    files = []
    for index, folder in enumerate(dirs):
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder)
            if not any(part.startswith(".") for part in rel.parts) and path.is_file():
                files.append((printable(f"{index}/{rel.as_posix()}"), path.read_bytes()))
    return files


def overrides_templates(dirs: list[Path]) -> bool:
    """Whether a theme other than the packaged default supplies templates.

    Pages are reused between builds only with the default templates, whose inputs are known; a
    custom template may read anything, such as the build time.
    """
    default = default_theme_dir().resolve()
    return any((d / "templates").is_dir() and any((d / "templates").iterdir())
               for d in dirs if d.resolve() != default)


def static_files(dirs: list[Path]) -> dict[str, bytes]:
    """Every file under the themes' ``static/`` folders; a more specific theme wins.

    Nothing in a dot-folder or dot-file is published: a theme copied in with its ``.git``, or an
    ``.env`` left beside the stylesheet, stays on the machine that builds the site.
    """
    files: dict[str, bytes] = {}
    problems: list[Problem] = []
    for folder in reversed(dirs):
        static = folder / "static"
        if not static.is_dir():
            continue
        for path in sorted(static.rglob("*")):
            rel = path.relative_to(static)
            if any(part.startswith(".") for part in rel.parts) or not path.is_file():
                continue
            problem = _static_name_problem(f"themes/{folder.name}/static", rel.parts)
            if problem is not None:
                problems.append(problem)
                continue
            files["static/" + rel.as_posix()] = path.read_bytes()
    if problems:
        raise ValidationFailed(problems)
    return files


# Characters a file name cannot hold and still be written as it is in a URL of the site.
_NOT_IN_URLS = frozenset('#?%\\"<>^`{}|')


def url_name_problem(name: str) -> str | None:
    """Why the file name ``name`` cannot be part of a URL as it is, if it cannot."""
    if any("\udc80" <= c <= "\udcff" for c in name):
        return "file name is not UTF-8"
    for c in name:
        if unicodedata.category(c)[0] in "CZ":
            return f"file name holds {'a space' if c == ' ' else f'the character U+{ord(c):04X}'}"
        if c in _NOT_IN_URLS:
            return f"file name holds {c!r}, which cannot be part of a URL"
    return None


def printable(path: str) -> str:
    """``path`` as it can be printed: bytes that are not UTF-8 and control characters escaped."""
    text = path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(c if c.isprintable() or c == " " else ascii(c)[1:-1] for c in text)


def _static_name_problem(prefix: str, parts: tuple[str, ...]) -> Problem | None:
    for index, part in enumerate(parts):
        message = url_name_problem(part)
        if message is not None:
            if index < len(parts) - 1:
                message = message.replace("file name", "folder name")
            return Problem(printable("/".join((prefix, *parts))), 0, message,
                           "rename it with letters, digits, '-', '_' and '.'")
    return None


def theme_problems(root: Path, name: str) -> list[Problem]:
    """What is wrong with the theme ``name`` of the repository at ``root``, all at once.

    Every template is read and parsed, so that syntax errors, text that is not UTF-8 and includes
    of templates that do not exist are reported before anything is rendered; every static file
    name must be able to be a URL. The packaged default theme is not checked: it is tested.
    """
    folder = root / "themes" / name
    if not folder.is_dir() or folder.resolve() == default_theme_dir().resolve():
        return []
    dirs = theme_dirs(root, name)
    env = environment(dirs, Formatter(ZoneInfo("UTC"), "en"))
    known = set(env.list_templates())
    problems: list[Problem] = []
    templates = folder / "templates"
    for rel in ThemeLoader(str(templates)).list_templates() if templates.is_dir() else ():
        shown = printable(f"themes/{name}/templates/{rel}")
        problems += _template_problems(env, templates / rel, rel, shown, known)
    static = folder / "static"
    for path in sorted(static.rglob("*")) if static.is_dir() else ():
        parts = path.relative_to(static).parts
        if not any(part.startswith(".") for part in parts) and path.is_file():
            problem = _static_name_problem(f"themes/{name}/static", parts)
            if problem is not None:
                problems.append(problem)
    return problems


def _template_problems(env: Environment, path: Path, rel: str, shown: str, known: set[str]) -> list[Problem]:
    # Looked at before it is opened: reading a FIFO waits for a writer forever, a device never ends.
    if not stat.S_ISREG(path.stat().st_mode):
        return [Problem(shown, 0, "a template must be a regular file, not a FIFO, socket or device",
                        "replace it with a text file")]
    data = path.read_bytes()
    try:
        source = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return [Problem(shown, line, f"template is not UTF-8 text (byte 0x{data[exc.start]:02x})",
                        "save the file as UTF-8")]
    try:
        tree = env.parse(source, rel, str(path))
    except jinja2.TemplateSyntaxError as exc:
        return [Problem(shown, exc.lineno, f"template syntax error: {exc.message}", _SYNTAX_HINT)]
    except (RecursionError, MemoryError):
        return [Problem(shown, 0, "template is nested too deeply to be read",
                        "split long expressions and deeply nested brackets into {% set %} steps")]
    found = []
    for node in tree.find_all((jinja2.nodes.Include, jinja2.nodes.Import, jinja2.nodes.FromImport,
                               jinja2.nodes.Extends)):
        target = getattr(node, "template", None)
        if isinstance(target, jinja2.nodes.Const) and isinstance(target.value, str) \
                and target.value not in known and not getattr(node, "ignore_missing", False):
            found.append(Problem(shown, node.lineno, f"template {target.value!r} not found",
                                 _close_name(target.value, known) or _NOT_FOUND_HINT))
    return found


_RUNTIME_HINTS: dict[type, tuple[str, str]] = {
    SecurityError: ("not allowed in a theme", "templates format what the pages hand them; they "
                                   "cannot reach Python's internals, files or the environment"),
    jinja2.UndefinedError: ("undefined in the template", "check the spelling: the pages hand templates what "
                            "the default theme's templates use"),
    RecursionError: ("the template calls itself without end",
                     "a macro, block or include that calls itself needs a condition that stops it"),
    UnicodeDecodeError: ("a template it uses is not UTF-8 text", "save the file as UTF-8"),
    Exception: ("the template failed", "fix the template at this line"),
}
def _close_name(name: str, known: set[str]) -> str | None:
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.8)
    return f"did you mean {close[0]!r}?" if close else None


_SYNTAX_HINT = "templates are Jinja2: see https://jinja.palletsprojects.com/templates/"
_NOT_FOUND_HINT = "templates are looked up in the theme's templates/ folder, then in the default theme"


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
                stream.throw(LimitExceeded(f"the template's output is over {MAX_OUTPUT // 2**20} MiB",
                                           "every file of the site stays under 1 MB: look for a loop "
                                           "that does not end"))
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
        message, hint = f"template syntax error: {exc.message}", _SYNTAX_HINT
    elif isinstance(exc, jinja2.TemplateNotFound):
        message, hint = f"template {exc.name!r} not found", _NOT_FOUND_HINT
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
            return printable(label + "/" + full[len(folder) + 1:].replace(os.sep, "/"))
    return None


def _template_line(env: Environment, exc: BaseException) -> tuple[str | None, int]:
    """The template file and line ``exc`` was raised at: for a syntax error its own, otherwise the
    innermost template frame of the traceback (Jinja puts the templates' lines there)."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        shown = _shown(env, exc.filename)
        if shown is not None:
            return shown, exc.lineno
    found = [(shown, frame.lineno or 0) for frame in traceback.extract_tb(exc.__traceback__)
             if (shown := _shown(env, frame.filename)) is not None]
    if not found:
        return None, 0
    if isinstance(exc, RecursionError):
        # The innermost frame may be the entry of a block or macro; the line that recurses is the
        # one the traceback holds over and over.
        return Counter(found).most_common(1)[0][0]
    return found[-1]


def link_problems(root: Path, folder: str) -> list[Problem]:
    """Symlinks at or under the repository's theme ``folder`` that the build must not follow.

    A theme's templates and static files are published, and a template may include any file below
    its folder, through links to folders too. So every link there must lead to a file or folder of
    the repository: not out of it (a pull request could point one at a file of the machine that
    builds the site), not into ``.git`` (whose config holds the checkout's credentials), not in a
    loop, and not to a folder that holds it, which would take a template through the whole
    repository and this walk with it.
    """
    real_root = root.resolve()
    found: list[Problem] = []
    walked: set[str] = set()
    pending = [root / folder]
    while pending:
        path = pending.pop()
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            problem = _theme_link_problem(path, root, real_root)
            if problem is not None:
                message, hint = problem
                if rel == folder and message == "symlink points outside the repository":
                    hint = "copy the folder into the repository"
                found.append(Problem(rel, 0 if path.is_dir() else 1, message, hint))
                continue
        real = os.path.realpath(path)
        if real in walked or not path.is_dir():
            continue
        walked.add(real)
        try:
            entries = [Path(entry.path) for entry in os.scandir(path)]
        except OSError:  # a folder the build cannot read, it cannot publish either
            continue
        # Depth first, in name order: popped from the end, so pushed in reverse.
        pending += sorted(entries, reverse=True)
    return found


def _theme_link_problem(path: Path, root: Path, real_root: Path) -> tuple[str, str] | None:
    """What is wrong with the symlink ``path`` in a theme, and the hint, if anything (see link_problems)."""
    problem = link_problem(path, root)
    if problem is not None:
        return problem, LINK_HINTS[problem]
    target = path.resolve()
    if target.relative_to(real_root).parts[:1] == (".git",):
        return "symlink points into .git", "link to files of the working tree only"
    if target.is_dir() and Path(os.path.realpath(path.parent)).is_relative_to(target):
        return ("symlink loop: it points to a folder that holds it",
                "link to the folder it should show, not one that holds it")
    return None
