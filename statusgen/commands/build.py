"""The build command: load, derive, render, write, one build of a repository at a time."""

from __future__ import annotations

import contextlib
import dataclasses
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

from statusgen import upstream
from statusgen.derive.state import SiteState, derive
from statusgen.errors import Problem, StatusgenError
from statusgen.load.config import CONFIG_NAME
from statusgen.load.repository import Repository, load_repository
from statusgen.load.upstream import Kept, upstream_states
from statusgen.output import writer
from statusgen.output.cache import BuildCache, open_cache, untrusted
from statusgen.output.lock import TIMEOUT, build_lock
from statusgen.output.writer import Reuse
from statusgen.render.plan import isolated_templates, make_all, plan
from statusgen.theme import files
from statusgen.timeutil import iso

log = logging.getLogger(__name__)
# A rebuild that makes this few files leaves little garbage: the collector can wait till the end.
SMALL_REBUILD = 300


@dataclass(frozen=True)
class BuildResult:
    """What one build made: the figures of its summary, and the state and repository it built."""

    out: Path
    pages: int
    feeds: int
    files: int
    changed: int
    rendered: int  # files made by this build; the others were carried over from the last one
    reused: int
    parsed: int  # incident files parsed by this build; the others came from the cache
    cached: int
    seconds: float
    state: SiteState
    repo: Repository
    cache: BuildCache | None = None

    def summary(self) -> str:
        """The one line ``statusgen build`` and every rebuild of ``serve`` print. It starts with what
        the site holds, then says how much of it the cache saved; the time stays last but for the
        next change, where scripts read it."""
        upcoming = self.state.next_change
        then = f"; next change by the clock at {iso(upcoming)}" if upcoming else ""
        sources = self.parsed + self.cached
        return (
            f"built {self.out}: {self.pages} pages, {self.feeds} feeds, {self.files} files in all "
            f"({self.changed} changed), {self.rendered} rendered and {self.reused} reused, "
            f"from {sources} incident file{'' if sources == 1 else 's'} "
            f"({self.parsed} parsed, {self.cached} from the cache) in {self.seconds:.2f} s{then}"
        )


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


def build(
    root: Path,
    out: Path,
    now: datetime,
    *,
    use_cache: bool = True,
    jobs: int | None = None,
    report: Callable[[str], None] | None = None,
    lock_timeout: float = TIMEOUT,
    fetch: bool = False,
) -> BuildResult:
    """Build the site of the repository at ``root`` into ``out`` as of ``now``.

    Nothing is written unless the whole repository is valid and every file rendered. One build
    of a repository runs at a time: another waits for it, up to ``lock_timeout`` seconds.
    ``report`` hears what the user should (the wait, a cache that could not be saved, an upstream
    page that could not be fetched); without it, that is logged. With ``fetch``, the upstream pages
    are fetched first (see statusgen.upstream); without, the build shows what is kept of them.
    """
    tell = report or partial(log.warning, "%s")
    # Not a status repository (the command run in the wrong folder): loading fails, and the lock
    # would only leave a .statusgen/ folder there.
    repository = (root / CONFIG_NAME).is_file()
    with build_lock(root, tell, lock_timeout) if repository else contextlib.nullcontext():
        started = time.perf_counter()
        with _collector_paused():
            repo = load_repository(root, cache=open_cache if use_cache else None)
            repo = with_upstream(root, repo, now, tell, fetch)
            for warning in repo.warnings:
                tell(str(warning))
            dirs = files.theme_dirs(root, repo.config.site.theme)
            writer.check_output_dir(out, root, dirs)
            isolate = isolated_templates(repo.config.site.theme, dirs)
            state = derive(repo, now)
            units = plan(root, state)
            cache = repo.cache if isinstance(repo.cache, BuildCache) else None
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
    parsed, cached = (cache.parsed_count, cache.cached_count) if cache is not None else (len(repo.incidents), 0)
    return BuildResult(
        out,
        pages,
        feed_count,
        len(units),
        changed,
        rendered=len(todo),
        reused=len(reused),
        parsed=parsed,
        cached=cached,
        seconds=seconds,
        state=state,
        repo=repo,
        cache=cache,
    )


def with_upstream(root: Path, repo: Repository, now: datetime, tell: Callable[[str], None], fetch: bool) -> Repository:
    """The repository with its fetched upstream pages as fetched now (``fetch``; where that
    failed, as kept), else as kept.

    What is fetched is kept as of the build's ``now``, the instant the page shows, so that the
    page's "as of" and how long an upstream's spell lasted are on the page's own time line. A
    ``.statusgen/`` that git tracks came with a commit, from anyone: what is kept in it is then
    neither read nor written.
    """
    fetched = [u for u in repo.config.upstream if u.url is not None]
    if not fetched:
        return repo
    problem = untrusted(root)
    if problem is not None:
        tell(
            f"warning: {problem.path}: {problem.message.split(',')[0]}, so nothing kept in it of upstream pages is used"
        )
    kept: dict[str, Kept | None] | None = {} if problem is not None else None
    if fetch:
        known, warnings = upstream.refresh(root, fetched, clock=lambda: now, keep=problem is None)
        for warning in warnings:
            tell(warning)
        kept = dict(known)
    problems: list[Problem] = []
    states = {s.upstream.id: s for s in upstream_states(root, fetched, problems, kept)}
    shown = tuple(states.get(s.upstream.id, s) for s in repo.upstream)
    return dataclasses.replace(repo, upstream=shown, warnings=repo.warnings + [p for p in problems if p.warning])


def _save_cache(cache: BuildCache, out: Path, keys: dict[str, str], tell: Callable[[str], None]) -> None:
    """Save the cache, after the new site is in place: failing now only makes the next build slower,
    so it is a warning, not a failed build."""
    try:
        cache.save(out, keys)
    except (OSError, StatusgenError) as exc:
        where = exc.filename if isinstance(exc, OSError) and exc.filename else cache.folder
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        tell(
            f"warning: {where}: could not save the build cache: {reason}; the site was built, "
            "and the next build may take longer"
        )
