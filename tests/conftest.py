"""Fixtures: scratch status repositories in tmp_path."""

from __future__ import annotations

import hashlib
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from statusgen.cli import main

PROJECT = Path(__file__).resolve().parent.parent


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
    return {p.relative_to(folder).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}
