"""Fixtures: scratch status repositories in tmp_path."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir

from statusgen.cli import main

PROJECT = Path(__file__).resolve().parent.parent

# Hypothesis keeps no example database, and what else it stores (caches of Unicode data and of the
# constants in the code under test) goes to a folder of its own, removed at the end of the run: a
# test run writes nothing into the checkout.
settings.register_profile("statusgen", database=None)
settings.load_profile("statusgen")
HYPOTHESIS_HOME = Path(tempfile.mkdtemp(prefix="statusgen-hypothesis-"))
set_hypothesis_home_dir(HYPOTHESIS_HOME)


def pinned_now(root: Path = PROJECT) -> str:
    """The instant in ``root``'s pinned-now.txt, the only place the demo's "now" is written."""
    lines = [line.strip() for line in (root / "pinned-now.txt").read_text(encoding="utf-8").splitlines()]
    (instant,) = [line for line in lines if line and not line.startswith("#")]
    return instant


# The demo is built at the instant of its story, like ./scripts/demo and the publish workflow do.
DEMO_NOW = pinned_now()

CONFIG = """\
site:
  title: Example Status
  url: https://status.example.com/
  description: Status of Example services
  timezone: Europe/Rome
components:
  - id: api
    name: Public API
    group: Platform
  - id: web
    name: Dashboard
    group: Platform
  - id: db
    name: Database
"""

INCIDENT = """\
---
title: Elevated API error rates
impact: major
components:
  api: partial_outage
updates:
  - at: 2025-11-03T14:05:00Z
    status: investigating
    message: We are investigating elevated error rates on the public API. Next update by 15:00 UTC.
  - at: 2025-11-03T15:20:00Z
    status: resolved
    message: Error rates are back to normal.
---
"""


@dataclass
class Repo:
    """A scratch status repository."""

    root: Path

    def write(self, name: str, text: str) -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def config(self, text: str = CONFIG) -> Path:
        return self.write("statusgen.yaml", text)

    def incident(self, name: str, text: str = INCIDENT) -> Path:
        return self.write(f"incidents/{name}", text)

    def run(self, *argv: str) -> int:
        return main(["-C", str(self.root), *argv])

    def build(self, now: str = "2025-11-10T12:00:00Z", *extra: str) -> int:
        return self.run("build", "--now", now, *extra)

    @property
    def site(self) -> Path:
        return self.root / "site"

    def page(self, rel: str) -> str:
        return (self.site / rel).read_text(encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    """A valid repository with three components and one resolved incident."""
    scratch = Repo(tmp_path / "status")
    scratch.config()
    scratch.incident("2025-11-03-api-errors.md")
    return scratch


def tree_digest(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file under ``folder`` with its sha256 and mtime (ns)."""
    return {
        p.relative_to(folder).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# The demo's own files: what a copy of it needs to build as the checkout would.
DEMO_FILES = ("statusgen.yaml", "pinned-now.txt")
DEMO_FOLDERS = ("incidents", "upstream")


def copy_demo(target: Path, languages: bool = True) -> Repo:
    """A copy of this repository's demo at ``target``, to build without writing into the checkout;
    without ``languages``, in its default language alone (no other language, no translations)."""
    target.mkdir(parents=True)
    for name in DEMO_FILES:
        shutil.copy(PROJECT / name, target / name)
    for name in DEMO_FOLDERS:
        shutil.copytree(PROJECT / name, target / name)
    if not languages:
        config = target / "statusgen.yaml"
        config.write_text(re.sub(r"(?m)^  languages: .*\n", "", config.read_text(encoding="utf-8")), encoding="utf-8")
        for translation in (target / "incidents").glob("*.*.*"):
            translation.unlink()
    return Repo(target)


@pytest.fixture
def demo(tmp_path: Path) -> Repo:
    """A copy of the demo status repository (statusgen.yaml, incidents/) in tmp_path."""
    return copy_demo(tmp_path / "demo")


# --- A test run leaves the checkout as it found it ----------------------------------------------
# What a run may leave: the environment the tests run in, pytest's own cache (--lf, --ff) and the
# interpreter's bytecode, which any import writes. Anything else is a test writing into the checkout.
_ALLOWED_LEFT = (".venv/", "tests/tools/node_modules", ".pytest_cache/")
_BEFORE = pytest.StashKey[set[str] | None]()


def checkout_state(root: Path = PROJECT) -> set[str] | None:
    """``git status --porcelain --ignored`` of ``root``, less what a run may leave; None outside git."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--ignored", "--untracked-files=all"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return {
        line
        for line in done.stdout.splitlines()
        if not any(line[3:].startswith(allowed) for allowed in _ALLOWED_LEFT) and "__pycache__/" not in line[3:]
    }


def pytest_sessionstart(session: pytest.Session) -> None:
    session.stash[_BEFORE] = checkout_state()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(HYPOTHESIS_HOME, ignore_errors=True)
    before = session.stash.get(_BEFORE, None)
    after = checkout_state()
    if before is None or after is None:
        return
    left = sorted(after - before)
    if left:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        message = "the test run left these in the checkout (tests must write under tmp_path):\n" + "\n".join(
            f"  {line}" for line in left
        )
        if reporter is not None:
            reporter.write_line(message, red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
