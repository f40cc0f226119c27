"""Themes: the packaged default, overridden template by template by ``themes/<name>/``."""

from __future__ import annotations

import os
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2
from babel import Locale
from babel.dates import format_date, format_time
from markupsafe import Markup

from statusgen import markup, timeutil
from statusgen.errors import Problem, StatusgenError
from statusgen.uptime import Period
from statusgen.yamlload import LINK_HINTS, link_problem

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
    here = Path(__file__).resolve().parent
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
    """Locale- and zone-aware formatting of instants for pages."""

    def __init__(self, zone: ZoneInfo, language: str):
        self.zone = zone
        self.locale = Locale.parse(language.replace("-", "_"))
        self._tags: dict[tuple[datetime, str], Markup] = {}

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    def short_date(self, moment: datetime) -> str:
        return format_date(self.local(moment).date(), "medium", locale=self.locale)

    def long_date(self, day: date) -> str:
        return format_date(day, "long", locale=self.locale)

    def short_day(self, day: date) -> str:
        return format_date(day, "medium", locale=self.locale)

    def month(self, day: date) -> str:
        return format_date(day, "LLLL y", locale=self.locale)

    def clock(self, moment: datetime) -> str:
        local = self.local(moment)
        return f"{format_time(local.time(), 'short', locale=self.locale)} {local.tzname()}"

    def time_tag(self, moment: datetime, style: str = "datetime") -> Markup:
        """A ``<time>`` element showing the instant in the site's zone, with the zone named."""
        key = (moment, style)
        if key not in self._tags:
            self._tags[key] = self._time_tag(moment, style)
        return self._tags[key]

    def _time_tag(self, moment: datetime, style: str) -> Markup:
        local = self.local(moment)
        if style == "date":
            text = self.short_date(moment)
        elif style == "clock":
            text = self.clock(moment)
        else:
            text = f"{self.short_date(moment)}, {self.clock(moment)}"
        return Markup('<time datetime="{}">{}</time>').format(timeutil.iso(local), text)


def environment(dirs: list[Path], formatter: Formatter) -> jinja2.Environment:
    """A Jinja environment that autoescapes and fails loudly on undefined names."""
    loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(d / "templates")) for d in dirs])
    env = jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(
        markdown=markup.render, inline_markdown=markup.render_inline, label=_label,
        impact_label=lambda i: IMPACT_LABELS.get(i, i), time=formatter.time_tag,
        duration=_duration, iso=timeutil.iso, anchor=update_anchor, pct=percent,
        bar=bar_class,
    )
    env.globals.update(fmt=formatter)
    return env


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
    """Every file of the themes, for the build cache's fingerprint."""
    return [(f"{index}/{path.relative_to(folder).as_posix()}", path.read_bytes())
            for index, folder in enumerate(dirs) for path in sorted(folder.rglob("*")) if path.is_file()]


def overrides_templates(dirs: list[Path]) -> bool:
    """Whether a theme other than the packaged default supplies templates.

    Pages are reused between builds only with the default templates, whose inputs are known; a
    custom template may read anything, such as the build time.
    """
    default = default_theme_dir().resolve()
    return any((d / "templates").is_dir() and any((d / "templates").iterdir())
               for d in dirs if d.resolve() != default)


def static_files(dirs: list[Path]) -> dict[str, bytes]:
    """Every file under the themes' ``static/`` folders; a more specific theme wins."""
    files: dict[str, bytes] = {}
    for folder in reversed(dirs):
        static = folder / "static"
        if not static.is_dir():
            continue
        for path in sorted(static.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                files["static/" + path.relative_to(static).as_posix()] = path.read_bytes()
    return files


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
