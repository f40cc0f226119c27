"""Editing commands under pressure: edits at once, a full disk, maintenance posted out of its window."""

from __future__ import annotations

import errno
import io
import multiprocessing
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from conftest import Repo
from statusgen import authoring, edit
from statusgen.errors import StatusgenError
from statusgen.incidents import split_front_matter

ID = "2025-11-03-api-errors"
REL = f"incidents/{ID}.md"
MAINTENANCE = """\
---
title: Database upgrade
kind: maintenance
window: {start: 2027-01-16T01:00:00Z, end: 2027-01-16T03:00:00Z}
components: [db]
updates:
  - at: 2026-11-20T10:00:00Z
    status: scheduled
    message: We will upgrade the database.
---
"""
MID = "2026-11-20-database-upgrade"


def run(repo: Repo, capsys, *argv: str) -> tuple[int, str, str]:
    code = repo.run(*argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def messages(path: Path) -> list[str]:
    front, _, _ = split_front_matter(path.read_text(encoding="utf-8"), path.name)
    return [u["message"] for u in yaml.safe_load(front)["updates"]]


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def _update_in_turn(root: str, index: int, barrier, turns, results) -> None:
    """Read the file with every other writer, then post in turn: each one's reading is stale by
    the time it writes, as with edits made at the same moment."""
    real = authoring.read_text
    calls = []

    def stale_first(path, rel):
        text = real(path, rel)
        if not calls:
            calls.append(1)
            barrier.wait(timeout=60)
            if index:
                turns[index - 1].wait(timeout=60)
        return text

    authoring.read_text = stale_first
    try:
        authoring.add_update(Path(root), authoring.load(Path(root)), ID, status="investigating",
                             at=datetime(2025, 11, 4, 10, index, tzinfo=UTC), components=[],
                             message=f"from writer {index}")
        results.put((index, "ok"))
    except Exception as exc:  # reported to the test, which shows it
        results.put((index, repr(exc)))
    finally:
        turns[index].set()


def test_edits_made_at_once_all_land(repo: Repo):
    context = multiprocessing.get_context("fork")
    barrier, turns, results = context.Barrier(6), [context.Event() for _ in range(6)], context.Queue()
    workers = [context.Process(target=_update_in_turn, args=(str(repo.root), i, barrier, turns, results))
               for i in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert sorted(results.get(timeout=10) for _ in workers) == [(i, "ok") for i in range(6)]
    assert messages(repo.root / REL)[2:] == [f"from writer {i}" for i in range(6)]


def test_six_updates_at_once_from_the_command_line_lose_nothing(repo: Repo):
    script = shutil.which("statusgen", path=os.path.dirname(sys.executable))
    assert script
    start = datetime(2025, 11, 4, 10, 0, tzinfo=UTC)
    runs = [subprocess.Popen([script, "-C", str(repo.root), "update", ID, "--status", "investigating",
                              "--message", f"from writer {i}", "--now", (start + timedelta(minutes=i)).isoformat()],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(6)]
    outcomes = [(p.wait(120), p.stderr.read()) for p in runs]
    for p in runs:
        p.stdout.close()
        p.stderr.close()
    landed = messages(repo.root / REL)[2:]
    posted = [f"from writer {i}" for i, (code, _) in enumerate(outcomes) if code == 0]
    # Each one either lands, or is refused for coming after a later one: none is lost silently.
    assert sorted(landed) == sorted(posted) and posted
    for code, err in outcomes:
        assert code == 0 or (code == 1 and "is not after the last update's" in err), err
    assert listing(repo.root / ".statusgen") == ["edit.lock"]
    assert listing(repo.root / "incidents") == [f"{ID}.md"]


def test_a_file_changed_after_it_was_read_is_not_overwritten(repo: Repo):
    path = repo.root / REL
    before = path.read_bytes()
    with pytest.raises(StatusgenError) as caught:
        edit.write_atomically(path, "new text", rel=REL, expected=before + b"# what was read\n")
    assert str(caught.value) == (f"{REL}: the file changed while statusgen was editing it; nothing was written "
                                 "(look at what changed, then run the command again)")
    assert path.read_bytes() == before
    assert listing(path.parent) == [f"{ID}.md"]


@pytest.mark.parametrize("target", ["folder", "file"])
def test_a_symlinked_lock_folder_is_refused(repo: Repo, capsys, tmp_path, target):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    if target == "file":
        elsewhere = elsewhere / "plain"
        elsewhere.write_text("keep\n")
    (repo.root / ".statusgen").symlink_to(elsewhere)
    before = (repo.root / REL).read_bytes()
    code, _, err = run(repo, capsys, "update", ID, "--status", "investigating", "--message", "x",
                       "--now", "2025-11-04T10:00:00Z")
    assert code == 1
    assert err == ("error: .statusgen: cannot take the edit lock: .statusgen it is a symlink (statusgen keeps its "
                   "edit lock in .statusgen/edit.lock: move what is in the way)\n")
    assert (repo.root / REL).read_bytes() == before
    assert listing(tmp_path / "elsewhere") == ([] if target == "folder" else ["plain"])


def test_a_symlinked_lock_file_is_refused(repo: Repo, capsys, tmp_path):
    (repo.root / ".statusgen").mkdir()
    victim = tmp_path / "victim"
    victim.write_text("keep\n")
    (repo.root / ".statusgen/edit.lock").symlink_to(victim)
    code, _, err = run(repo, capsys, "postmortem", ID)
    assert (code, err) == (1, "error: .statusgen/edit.lock: cannot take the edit lock: it is a symlink "
                              "(statusgen keeps its edit lock in .statusgen/edit.lock: move what is in the way)\n")
    assert victim.read_text() == "keep\n"


@pytest.mark.parametrize("number", [errno.ENOSPC, errno.EDQUOT])
@pytest.mark.parametrize("stage", ["write", "fsync", "replace"])
def test_a_full_disk_is_reported_with_the_file_and_leaves_it_as_it_was(repo: Repo, capsys, monkeypatch, number,
                                                                       stage):
    path = repo.root / REL
    before = path.read_bytes()

    def full(*args, **kwargs):
        raise OSError(number, os.strerror(number))
    if stage == "write":
        real = os.fdopen

        class Full(io.TextIOWrapper):
            write = full

        def fdopen(fd, mode="r", *args, **kwargs):
            if mode != "w":
                return real(fd, mode, *args, **kwargs)
            return Full(real(fd, "wb"), encoding="utf-8", newline="")
        monkeypatch.setattr(os, "fdopen", fdopen)
    else:
        monkeypatch.setattr(os, stage, full)
    code, _, err = run(repo, capsys, "update", ID, "--status", "investigating", "--message", "Still looking.",
                       "--now", "2025-11-04T10:00:00Z")
    assert code == 1
    assert err == (f"error: {REL}: cannot write the file: {os.strerror(number)}; nothing was written (free some "
                   "space on the disk (or raise your quota) and run the command again; the file was left as it "
                   "was)\n")
    assert path.read_bytes() == before
    assert listing(path.parent) == [f"{ID}.md"]


def test_postmortem_on_a_full_disk_says_which_file(repo: Repo, capsys, monkeypatch):
    path = repo.root / REL
    before = path.read_bytes()

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(os, "fsync", full)
    code, _, err = run(repo, capsys, "postmortem", ID)
    assert code == 1
    assert err.startswith(f"error: {REL}: cannot write the file: No space left on device; nothing was written")
    assert path.read_bytes() == before
    assert listing(path.parent) == [f"{ID}.md"]


@pytest.mark.parametrize("argv", [
    ["resolve", MID, "--message", "done early", "--now", "2026-11-24T12:00:00Z"],
    ["update", MID, "--status", "completed", "--message", "done early", "--now", "2027-01-16T00:59:59Z"],
])
def test_finishing_a_maintenance_before_its_window_is_refused(repo: Repo, capsys, argv):
    path = repo.incident(f"{MID}.md", MAINTENANCE)
    before = path.read_bytes()
    code, _, err = run(repo, capsys, *argv)
    assert code == 1
    now = argv[-1]
    assert err == (f"error: incidents/{MID}.md:7: the site would show {MID} as 'scheduled' at {now}, not "
                   "'completed': the window has not started (it starts 2027-01-16T01:00:00Z); nothing was written "
                   f"(to call it off, `statusgen update {MID} --status cancelled`; to start it early, "
                   "`--status in_progress`)\n")
    assert path.read_bytes() == before


@pytest.mark.parametrize("steps", [
    # What the site shows as posted: each of these is accepted.
    [("cancelled", "2026-11-24T12:00:00Z")],
    [("in_progress", "2027-01-16T00:30:00Z"), ("completed", "2027-01-16T00:50:00Z")],
    [("verifying", "2027-01-16T00:30:00Z")],
    [("in_progress", "2027-01-16T01:05:00Z"), ("verifying", "2027-01-16T02:00:00Z"),
     ("completed", "2027-01-16T02:30:00Z")],
    [("completed", "2027-01-16T01:30:00Z")],
    [("in_progress", "2027-01-16T03:30:00Z"), ("completed", "2027-01-16T04:00:00Z")],
])
def test_maintenance_updates_the_site_shows_are_accepted(repo: Repo, capsys, steps):
    repo.incident(f"{MID}.md", MAINTENANCE)
    for status, now in steps:
        code, _, err = run(repo, capsys, "update", MID, "--status", status, "--message", status, "--now", now)
        assert (code, err) == (0, "")


@pytest.mark.parametrize("steps, shown", [
    ([("scheduled", "2027-01-16T01:30:00Z")], "in_progress"),
    ([("in_progress", "2027-01-16T00:30:00Z"), ("scheduled", "2027-01-16T00:40:00Z")], "in_progress"),
    ([("completed", "2027-01-16T01:30:00Z"), ("in_progress", "2027-01-16T02:00:00Z")], "completed"),
])
def test_maintenance_updates_the_site_would_not_show_are_refused(repo: Repo, capsys, steps, shown):
    path = repo.incident(f"{MID}.md", MAINTENANCE)
    for status, now in steps[:-1]:
        assert run(repo, capsys, "update", MID, "--status", status, "--message", status, "--now", now)[0] == 0
    before = path.read_bytes()
    status, now = steps[-1]
    code, _, err = run(repo, capsys, "update", MID, "--status", status, "--message", status, "--now", now)
    assert code == 1
    assert f"the site would show {MID} as '{shown}' at {now}, not '{status}': nothing was written" in err
    assert f"post the status the maintenance has at {now}: '{shown}'" in err
    assert path.read_bytes() == before
