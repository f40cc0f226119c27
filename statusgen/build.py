"""A build: load, derive, render, write."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from statusgen import api, badges, feeds, ics, templates, theme, writer
from statusgen.config import load_config
from statusgen.errors import Problem, ValidationFailed
from statusgen.incidents import load_incidents
from statusgen.pages import Pages
from statusgen.state import Repository, SiteState, derive
from statusgen.timeutil import iso

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildResult:
    out: Path
    pages: int
    feeds: int
    files: int
    changed: int
    seconds: float
    state: SiteState
    repo: Repository

    def summary(self) -> str:
        upcoming = self.state.next_change
        then = f"; next change by the clock at {iso(upcoming)}" if upcoming else ""
        return (f"built {self.out}: {self.pages} pages, {self.feeds} feeds, {self.files} files in all "
                f"({self.changed} changed) in {self.seconds:.2f} s{then}")


def load_repository(root: Path, publishing: bool = True) -> Repository:
    """Load and validate a status repository; raise ValidationFailed with every problem found.

    ``publishing`` adds the checks that only matter for what goes live (template text left in a
    file); the editing commands leave them out, so a half-written incident can still be edited.
    """
    problems: list[Problem] = []
    config = load_config(root, problems)
    incidents = load_incidents(root, config, problems)
    for incident in incidents if publishing else ():
        if not incident.hidden:
            problems += templates.left_in(incident)
    if problems or config is None:
        raise ValidationFailed(problems)
    return Repository(config, tuple(incidents))


def render(root: Path, state: SiteState) -> dict[str, bytes]:
    """Every output file of the site, by path."""
    site = state.config.site
    dirs = theme.theme_dirs(root, site.theme)
    formatter = theme.Formatter(site.zone, site.language)
    files = theme.static_files(dirs)
    pages = Pages(theme.environment(dirs, formatter), state, formatter,
                  files.get("static/style.css", b""))
    files.update(pages.all())
    files.update([pages.sitemap(), pages.robots()])
    files.update(feeds.all_feeds(state))
    files.update(api.all_files(state))
    files["maintenance.ics"] = ics.calendar(state)
    files.update(badges.all_badges(state))
    files["next-change.txt"] = (iso(state.next_change) + "\n").encode() if state.next_change else b""
    return files


def build(root: Path, out: Path, now: datetime) -> BuildResult:
    """Build the site of the repository at ``root`` into ``out`` as of ``now``.

    Nothing is written unless the whole repository is valid and every file rendered.
    """
    started = time.perf_counter()
    repo = load_repository(root)
    writer.check_output_dir(out, root)
    state = derive(repo, now)
    files = render(root, state)
    changed = writer.write_tree(out, sorted(files.items()))
    pages = sum(1 for name in files if name.endswith(".html"))
    feed_count = sum(1 for name in files if name.rsplit("/", 1)[-1].startswith("feed."))
    return BuildResult(out, pages, feed_count, len(files), changed,
                       time.perf_counter() - started, state, repo)
