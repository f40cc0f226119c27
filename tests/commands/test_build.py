"""Whole builds: output tree, reproducibility, atomic replacement, the command line."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DEMO_NOW, INCIDENT, PROJECT, Repo, copy_demo, tree_digest
from statusgen import __version__


def test_build_writes_the_documented_tree(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    assert repo.build() == 0
    files = sorted(p.relative_to(repo.site).as_posix() for p in repo.site.rglob("*") if p.is_file())
    assert files == sorted(
        [
            ".statusgen-site",
            "404.html",
            "index.html",
            "robots.txt",
            "sitemap.xml",
            "static/style.css",
            "static/favicon.svg",
            "feed.atom",
            "feed.rss",
            "feed.json",
            "history/index.html",
            "subscribe/index.html",
            "embed/index.html",
            "embed.js",
            "incidents/2025-11-03-api-errors/index.html",
            *[
                f"components/{c}/{f}"
                for c in ("api", "web", "db")
                for f in ("index.html", "feed.atom", "feed.rss", "feed.json", "badge.svg", "badge.json")
            ],
            "badge.svg",
            "badge.json",
            "maintenance.ics",
            "next-change.txt",
            "api/uptime.json",
            *[
                f"api/v2/{f}.json"
                for f in (
                    "summary",
                    "status",
                    "components",
                    "incidents",
                    "incidents/unresolved",
                    "scheduled-maintenances",
                    "scheduled-maintenances/upcoming",
                    "scheduled-maintenances/active",
                )
            ],
        ]
    )
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1
    assert summary_without_time(out[0]) == (
        f"built {repo.site}: 9 pages, 12 feeds, 45 files in all (45 changed), 45 rendered and 0 reused, "
        "from 1 incident file (1 parsed, 0 from the cache)"
    )


def summary_without_time(line: str) -> str:
    """A build's summary line without its time, which must end it: ' in 0.12 s'."""
    match = re.fullmatch(r"(.*) in \d+\.\d\d s", line)
    assert match, line
    return match.group(1)


def test_the_summary_counts_what_the_cache_saved(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    # The scratch repository's 46 files; 23 are made by every build (static files, index, sitemap,
    # API, badges, next-change.txt), the 23 others only when what they show changed.
    repo.incident(
        "2025-11-04-web-slow.md",
        INCIDENT.replace("api: partial_outage", "web: degraded_performance").replace(
            "Elevated API error rates", "Slow dashboard"
        ),
    )
    head = f"built {repo.site}: 10 pages, 12 feeds, 46 files in all"
    builds = [
        ((), f"{head} (46 changed), 46 rendered and 0 reused, from 2 incident files (2 parsed, 0 from the cache)"),
        ((), f"{head} (0 changed), 23 rendered and 23 reused, from 2 incident files (0 parsed, 2 from the cache)"),
        (
            ("--no-cache",),
            f"{head} (0 changed), 46 rendered and 0 reused, from 2 incident files (2 parsed, 0 from the cache)",
        ),
    ]
    for extra, expected in builds:
        assert repo.build("2025-11-10T12:00:00Z", *extra) == 0
        assert summary_without_time(capsys.readouterr().out.strip()) == expected
    # --no-cache neither read nor wrote the cache: it still holds the second build's.
    assert repo.build() == 0
    assert summary_without_time(capsys.readouterr().out.strip()) == (
        f"{head} (0 changed), 23 rendered and 23 reused, from 2 incident files (0 parsed, 2 from the cache)"
    )
    text = (repo.root / "incidents/2025-11-04-web-slow.md").read_text()
    repo.incident("2025-11-04-web-slow.md", text.replace("back to normal", "back to normal levels"))
    assert repo.build() == 0
    # The incident's page, its component's page and three feeds, the site's three feeds, the history,
    # and the home page, which quotes the start of the incident's last update.
    assert summary_without_time(capsys.readouterr().out.strip()) == (
        f"{head} (9 changed), 32 rendered and 14 reused, from 2 incident files (1 parsed, 1 from the cache)"
    )


def test_the_summary_of_a_repository_without_incidents(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    (repo.root / "incidents/2025-11-03-api-errors.md").unlink()
    assert repo.build() == 0
    line = summary_without_time(capsys.readouterr().out.strip())
    assert line.endswith(", from 0 incident files (0 parsed, 0 from the cache)"), line


def test_two_builds_are_byte_identical(repo: Repo, tmp_path: Path) -> None:
    assert repo.build("2025-11-10T12:00:00Z", "--out", str(tmp_path / "one")) == 0
    assert repo.build("2025-11-10T12:00:00Z", "--out", str(tmp_path / "two")) == 0
    one = {k: v[0] for k, v in tree_digest(tmp_path / "one").items()}
    two = {k: v[0] for k, v in tree_digest(tmp_path / "two").items()}
    assert one == two and len(one) == 46


def test_rebuild_keeps_unchanged_files_and_their_mtime(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    assert repo.build() == 0
    first = tree_digest(repo.site)
    assert repo.build() == 0
    assert tree_digest(repo.site) == first
    assert "(0 changed)" in capsys.readouterr().out.splitlines()[-1]
    repo.incident(
        "2025-11-03-api-errors.md",
        (repo.root / "incidents/2025-11-03-api-errors.md")
        .read_text()
        .replace("back to normal", "back to normal levels"),
    )
    assert repo.build() == 0
    second = tree_digest(repo.site)
    changed = sorted(k for k in first if first[k] != second[k])
    assert "incidents/2025-11-03-api-errors/index.html" in changed
    assert "static/style.css" not in changed and "components/web/index.html" not in changed


def test_stale_files_are_removed(repo: Repo) -> None:
    assert repo.build() == 0
    # (a file put at the top by hand is refused instead: see test_output_safety.py)
    (repo.site / "incidents/leftover.html").write_text("old")
    (repo.root / "incidents/2025-11-03-api-errors.md").unlink()
    assert repo.build() == 0
    assert not (repo.site / "incidents/leftover.html").exists()
    assert not (repo.site / "incidents/2025-11-03-api-errors").exists()
    assert [p.name for p in repo.root.glob(".site.*")] == [".site.previous"]


def test_source_date_epoch_sets_now(repo: Repo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1762776000")  # 2025-11-10T12:00:00Z
    assert repo.run("build", "--out", str(tmp_path / "env")) == 0
    assert repo.build("2025-11-10T12:00:00Z", "--out", str(tmp_path / "flag")) == 0
    assert {k: v[0] for k, v in tree_digest(tmp_path / "env").items()} == {
        k: v[0] for k, v in tree_digest(tmp_path / "flag").items()
    }


@pytest.mark.parametrize(
    "argv, code, stream, text",
    [
        (["--version"], 0, "out", f"statusgen {__version__}"),
        (["--help"], 0, "out", "usage: statusgen"),
        (["build", "--help"], 0, "out", "--now TIME"),
        (["check", "--help"], 0, "out", "usage: statusgen check"),
        ([], 2, "err", "the following arguments are required: COMMAND"),
        (["frobnicate"], 2, "err", "invalid choice: 'frobnicate'"),
        (["build", "--now", "tomorrow"], 2, "err", "--now: unparsable time 'tomorrow'"),
        (["build", "--now", "2025-11-10T12:00:00"], 2, "err", "has no UTC offset"),
    ],
)
def test_command_line(
    repo: Repo, capsys: pytest.CaptureFixture[str], argv: list[str], code: int, stream: str, text: str
) -> None:
    assert repo.run(*argv) == code
    captured = capsys.readouterr()
    assert text in getattr(captured, stream)
    assert "Traceback" not in captured.err


def test_check_reports_counts(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    assert repo.run("check") == 0
    assert capsys.readouterr().out == "ok: 1 incidents and maintenance, 3 components, 0 policy error(s), 0 warning(s)\n"
    assert not repo.site.exists()


@pytest.mark.parametrize("out", [".", "..", "incidents/.."])
def test_refuses_to_replace_the_repository(repo: Repo, capsys: pytest.CaptureFixture[str], out: str) -> None:
    before = sorted(p.name for p in repo.root.iterdir())
    assert repo.build("2025-11-10T12:00:00Z", "--out", str(repo.root / out)) == 1
    assert "contains the status repository" in capsys.readouterr().err
    # Only the build lock, in statusgen's own local state folder, is new.
    assert sorted(p.name for p in repo.root.iterdir()) == sorted([*before, ".statusgen"])
    assert [p.name for p in (repo.root / ".statusgen").iterdir()] == ["build.lock"]


def test_refuses_to_replace_a_folder_it_did_not_write(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    docs = repo.root / "docs"
    docs.mkdir()
    (docs / "notes.md").write_text("mine")
    assert repo.build("2025-11-10T12:00:00Z", "--out", str(docs)) == 1
    assert "has files that statusgen did not write" in capsys.readouterr().err
    assert [p.name for p in docs.iterdir()] == ["notes.md"]
    (docs / "notes.md").unlink()
    assert repo.build("2025-11-10T12:00:00Z", "--out", str(docs)) == 0
    assert repo.build("2025-11-10T12:00:00Z", "--out", str(docs)) == 0


def test_console_script_runs(repo: Repo) -> None:
    script = shutil.which("statusgen", path=os.path.dirname(sys.executable))
    assert script, "the statusgen console script is installed next to python"
    done = subprocess.run(
        [script, "-C", str(repo.root), "build", "--now", "2025-11-10T12:00:00Z"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("built ")
    done = subprocess.run(
        [sys.executable, "-m", "statusgen", "-C", str(repo.root), "check"], capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stdout) == (
        0,
        "ok: 1 incidents and maintenance, 3 components, 0 policy error(s), 0 warning(s)\n",
    )


def test_demo_passes_check_at_its_pinned_instant(capsys: pytest.CaptureFixture[str]) -> None:
    # At the instant of its story the open incident's last update is minutes old, so nothing is
    # overdue, whatever the date today.
    assert Repo(PROJECT).run("check", "--now", DEMO_NOW) == 0
    assert capsys.readouterr().out == (
        "ok: 36 incidents and maintenance, 9 components, 0 policy error(s), 0 warning(s)\n"
    )


def test_demo_repository_builds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "demo"
    assert copy_demo(tmp_path / "repository").build(DEMO_NOW, "--out", str(out)) == 0
    assert "error" not in capsys.readouterr().err
    incidents = sorted(p.name for p in (out / "incidents").iterdir())
    assert len(incidents) == 35  # the demo's 36 incident files, one of them hidden
    index = (out / "index.html").read_text()
    assert "Webhook deliveries failing" in index
    assert "Scheduled maintenance" in index
    assert "## Postmortem" not in index
    incidents_only = [p for p in (PROJECT / "incidents").iterdir() if p.name.count(".") == 1]
    postmortems = [p for p in incidents_only if "## Postmortem" in p.read_text()]
    assert len(postmortems) == 1
