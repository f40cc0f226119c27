"""The render plan: every output file of the site as a unit, and the making of their bytes."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path

from statusgen.derive.state import SiteState
from statusgen.load.config import Site
from statusgen.render import api, badges, calendar, feeds, isolation
from statusgen.render.languages import Edition, Localized, editions
from statusgen.render.pages import Pages
from statusgen.render.units import Unit, key
from statusgen.theme import files
from statusgen.theme.environment import environment
from statusgen.theme.formatter import Formatter
from statusgen.timeutil import iso

# Below this many pages to make, starting worker processes costs more than it saves.
PARALLEL_FROM = 300
# Static files of a theme published at the site's top rather than under static/.
TOP_FILES = ("embed.js",)


def plan(root: Path, state: SiteState) -> list[Unit]:
    """Every output file of the site, as units to make or carry over: the pages, feeds, calendar
    and badges in each of the site's languages (the others under /CODE/), and the rest once."""
    site = state.config.site
    dirs = files.theme_dirs(root, site.theme)
    static = files.static_files(dirs) | _logo(site)
    css = static.get("static/style.css", b"")
    # embed.js is included by other sites from the site's top, where it finds the API beside it.
    top = {name: static.pop(f"static/{name}") for name in TOP_FILES if f"static/{name}" in static}
    units = [Unit(path, None, partial(bytes, data)) for path, data in (*static.items(), *top.items())]
    every = editions(site)
    default_tag = every[0].language.tag
    for edition in every:
        units += _edition(dirs, state, edition, every, default_tag, css)
    units += [Unit(path, None, partial(bytes, data)) for path, data in api.all_files(state)]
    next_change = (iso(state.next_change) + "\n").encode() if state.next_change else b""
    units.append(Unit("next-change.txt", None, partial(bytes, next_change)))
    if files.overrides_templates(dirs):
        units = [Unit(u.path, None, u.make) for u in units]
    return units


def _logo(site: Site) -> dict[str, bytes]:
    """The team's logo (site.logo, checked when loaded) at its place in ``static/``: it replaces
    a theme's file of that name, as the site's settings come before its theme's."""
    return {site.logo.published: site.logo.data} if site.logo is not None else {}


def _edition(
    dirs: list[Path], state: SiteState, edition: Edition, every: list[Edition], default_tag: str, css: bytes
) -> list[Unit]:
    """The files of the site in one language, under its folder."""
    localized = Localized(state, edition, default_tag)
    shown = localized.state
    formatter = Formatter(state.config.site.zone, edition.code)
    pages = Pages(environment(dirs, formatter), localized, formatter, css, every)
    units = list(pages.units())
    units += feeds.all_feeds(shown, edition)
    # Over the windows the calendar holds, which the clock changes as a window leaves the year.
    maintenance = [(m.id, m.digest, len(m.updates)) for m in calendar.kept(shown)]
    units.append(
        Unit("maintenance.ics", key("ics", edition.code, maintenance), partial(calendar.calendar, shown, edition))
    )
    units += [Unit(path, None, partial(bytes, data)) for path, data in badges.all_badges(shown, edition)]
    return [Unit(edition.prefix + u.path, u.key, u.make) for u in units]


def make_all(units: list[Unit], jobs: int, isolate: str | None = None) -> Iterator[tuple[str, bytes]]:
    """The bytes of each unit, made on ``jobs`` processes when there are enough of them.

    With ``isolate`` (the folder of a theme's own templates, as the repository names it), they
    are made in limited worker processes even on one job: see statusgen.render.isolation.
    """
    if isolate is not None and isolation.fork_available():
        yield from isolation.make_isolated(units, jobs, isolate)
        return
    if jobs <= 1 or len(units) < PARALLEL_FROM or not isolation.fork_available():
        for unit in units:
            yield unit.path, unit.make()
        return
    yield from isolation.make_isolated(units, jobs, "the default theme")


def isolated_templates(name: str, dirs: list[Path]) -> str | None:
    """The folder of the theme's own templates, when the build renders any: those run isolated."""
    return f"themes/{name}/templates" if files.overrides_templates(dirs) else None
