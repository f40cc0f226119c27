"""A build: load, derive, render, write."""

from __future__ import annotations

import contextlib
import gc
import itertools
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path

from statusgen.load import messages
from statusgen.output import writer
from statusgen.render import api, badges, feeds, isolation
from statusgen.theme import environment
from statusgen.output.cache import BuildCache, fingerprint, key, untrusted
from statusgen.load.config import CONFIG_NAME, Config, load_config, theme_path_problems
from statusgen.errors import Problem, StatusgenError, ValidationFailed
from statusgen.load.incidents import load_incidents
from statusgen.output.lock import TIMEOUT, build_lock
from statusgen.render.pages import Pages
from statusgen.derive.state import Repository, SiteState, derive
from statusgen.timeutil import iso
from statusgen.output.writer import Reuse, Unit

log = logging.getLogger(__name__)
# Below this many pages to make, starting worker processes costs more than it saves.
PARALLEL_FROM = 300
# A rebuild that makes this few files leaves little garbage: the collector can wait till the end.
SMALL_REBUILD = 300


@dataclass(frozen=True)
class BuildResult:
    out: Path
    pages: int
    feeds: int
    files: int
    changed: int
    rendered: int
    seconds: float
    state: SiteState
    repo: Repository

    def summary(self) -> str:
        upcoming = self.state.next_change
        then = f"; next change by the clock at {iso(upcoming)}" if upcoming else ""
        return (f"built {self.out}: {self.pages} pages, {self.feeds} feeds, {self.files} files in all "
                f"({self.changed} changed) in {self.seconds:.2f} s{then}")


def open_cache(root: Path, config: Config, enabled: bool = True) -> BuildCache:
    """The build cache of the repository at ``root``; one that git tracks is neither read nor
    written, and says so in its ``problems``."""
    dirs = environment.theme_dirs(root, config.site.theme)
    try:
        config_bytes = (root / CONFIG_NAME).read_bytes()
    except OSError:
        config_bytes = b""
    distrust = untrusted(root) if enabled else None
    store = BuildCache(root, fingerprint(config_bytes, environment.theme_files(dirs)), enabled and distrust is None,
                       components=config.by_id)
    if distrust is not None:
        log.info("%s", distrust.message)
        store.problems.append(distrust)
    return store


def load_repository(root: Path, publishing: bool = True, cache: bool = False) -> Repository:
    """Load and validate a status repository; raise ValidationFailed with every problem found.

    ``publishing`` adds the checks that only matter for what goes live (template text left in a
    file); the editing commands leave them out, so a half-written incident can still be edited.
    With ``cache``, files parsed by an earlier build are not parsed again.
    """
    problems: list[Problem] = []
    config = load_config(root, problems)
    # The theme is read (into the cache's fingerprint, then checked) only once the links on the
    # way to it and under it are known to stay in the repository; load_config reported the former.
    name = config.site.theme if config is not None else None
    reachable = name is not None and not theme_path_problems(root, name)
    links = environment.link_problems(root, f"themes/{name}") if reachable and (publishing or cache) else []
    problems += links
    store = open_cache(root, config) if cache and config is not None and not problems else None
    incidents = load_incidents(root, config, problems, store)
    for incident in incidents if publishing else ():
        if not incident.hidden:  # cached or not: what is published is checked every time
            problems += messages.left_in(incident)
    if publishing and name is not None and reachable and not links:
        problems += environment.theme_problems(root, name)
    if problems or config is None:
        raise ValidationFailed(problems)
    return Repository(config, tuple(incidents), store)


def plan(root: Path, state: SiteState) -> list[Unit]:
    """Every output file of the site, as units to make or carry over."""
    site = state.config.site
    dirs = environment.theme_dirs(root, site.theme)
    formatter = environment.Formatter(site.zone, site.language)
    static = environment.static_files(dirs)
    pages = Pages(environment.environment(dirs, formatter), state, formatter, static.get("static/style.css", b""))
    units = [Unit(path, None, partial(bytes, data)) for path, data in static.items()]
    units += pages.units()
    units += feeds.all_feeds(state)
    units += [Unit(path, None, partial(bytes, data)) for path, data in api.all_files(state)]
    maintenance = [(m.id, m.digest, len(m.updates)) for m in state.incidents if m.is_maintenance]
    units.append(Unit("maintenance.ics", key("ics", maintenance), partial(_calendar, state)))
    units += [Unit(path, None, partial(bytes, data)) for path, data in badges.all_badges(state)]
    next_change = (iso(state.next_change) + "\n").encode() if state.next_change else b""
    units.append(Unit("next-change.txt", None, partial(bytes, next_change)))
    if environment.overrides_templates(dirs):
        units = [Unit(u.path, None, u.make) for u in units]
    return units


def _calendar(state: SiteState) -> bytes:
    from statusgen.render import calendar

    return calendar.calendar(state)


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


def _isolated_templates(name: str, dirs: list[Path]) -> str | None:
    """The folder of the theme's own templates, when the build renders any: those run isolated."""
    return f"themes/{name}/templates" if environment.overrides_templates(dirs) else None


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Loading makes many objects and no garbage cycles; the cyclic collector only slows it down."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def build(root: Path, out: Path, now: datetime, *, use_cache: bool = True, jobs: int | None = None,
          report: Callable[[str], None] | None = None, lock_timeout: float = TIMEOUT) -> BuildResult:
    """Build the site of the repository at ``root`` into ``out`` as of ``now``.

    Nothing is written unless the whole repository is valid and every file rendered. One build
    of a repository runs at a time: another waits for it, up to ``lock_timeout`` seconds.
    ``report`` hears what the user should (the wait, a cache that could not be saved); without
    it, that is logged.
    """
    tell = report or partial(log.warning, "%s")
    # Not a status repository (the command run in the wrong folder): loading fails, and the lock
    # would only leave a .statusgen/ folder there.
    repository = (root / CONFIG_NAME).is_file()
    with build_lock(root, tell, lock_timeout) if repository else contextlib.nullcontext():
        started = time.perf_counter()
        with _collector_paused():
            repo = load_repository(root, cache=use_cache)
            dirs = environment.theme_dirs(root, repo.config.site.theme)
            writer.check_output_dir(out, root, dirs)
            isolate = _isolated_templates(repo.config.site.theme, dirs)
            state = derive(repo, now)
            units = plan(root, state)
            cache = repo.cache
            reused: dict[str, Reuse] = {}
            for unit in units:
                if unit.key is not None and cache is not None:
                    inode = cache.reusable(out, unit.path, unit.key)
                    if inode is not None:
                        reused[unit.path] = Reuse(inode)
            todo = [u for u in units if u.path not in reused]
        # One process unless asked: on the 2-core machine the benchmark runs on, rendering on two
        # processes did not beat one, as writing the files, not rendering them, bounds a cold build.
        made = make_all(todo, 1 if jobs is None else jobs, isolate)
        with _collector_paused() if len(todo) < SMALL_REBUILD else contextlib.nullcontext():
            changed = writer.write_tree(out, itertools.chain(reused.items(), made))
            if cache is not None:
                _save_cache(cache, out, {u.path: u.key for u in units if u.key is not None}, tell)
        seconds = time.perf_counter() - started
    pages = sum(1 for u in units if u.path.endswith(".html"))
    feed_count = sum(1 for u in units if u.path.rsplit("/", 1)[-1].startswith("feed."))
    return BuildResult(out, pages, feed_count, len(units), changed, len(todo), seconds, state, repo)


def _save_cache(cache: BuildCache, out: Path, keys: dict[str, str], tell: Callable[[str], None]) -> None:
    """Save the cache, after the new site is in place: failing now only makes the next build slower,
    so it is a warning, not a failed build."""
    try:
        cache.save(out, keys)
    except (OSError, StatusgenError) as exc:
        where = exc.filename if isinstance(exc, OSError) and exc.filename else cache.folder
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        tell(f"warning: {where}: could not save the build cache: {reason}; the site was built, "
             "and the next build may take longer")
