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
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier, Event
from pathlib import Path
from typing import IO, Any

import pytest
import yaml

from conftest import Repo
from statusgen import inputs
from statusgen.authoring import workspace
from statusgen.errors import StatusgenError
from statusgen.load.incidents import split_front_matter
from statusgen.output import atomic

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


def run(repo: Repo, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = repo.run(*argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def messages(path: Path) -> list[str]:
    front, _, _ = split_front_matter(path.read_text(encoding="utf-8"), path.name)
    return [u["message"] for u in yaml.safe_load(front)["updates"]]


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def read_all(stream: IO[str] | None) -> str:
    assert stream is not None
    return stream.read()


def close(stream: IO[str] | None) -> None:
    assert stream is not None
    stream.close()


def _update_in_turn(
    root: str, index: int, barrier: Barrier, turns: list[Event], results: Queue[tuple[int, str]]
) -> None:
    """Read the file with every other writer, then post in turn: each one's reading is stale by
    the time it writes, as with edits made at the same moment."""
    real = inputs.read_text  # the workspace reads files with it
    calls: list[int] = []

    def stale_first(path: Path, rel: str) -> str:
        text = real(path, rel)
        if not calls:
            calls.append(1)
            barrier.wait(timeout=60)
            if index:
                turns[index - 1].wait(timeout=60)
        return text

    patch = pytest.MonkeyPatch()
    patch.setattr(workspace, "read_text", stale_first)
    try:
        workspace.add_update(
            Path(root),
            workspace.load(Path(root)),
            ID,
            status="investigating",
            at=datetime(2025, 11, 4, 10, index, tzinfo=UTC),
            components=[],
            message=f"from writer {index}",
        )
        results.put((index, "ok"))
    except Exception as exc:  # reported to the test, which shows it
        results.put((index, repr(exc)))
    finally:
        patch.undo()
        turns[index].set()


def test_edits_made_at_once_all_land(repo: Repo) -> None:
    context = multiprocessing.get_context("fork")
    barrier, turns, results = context.Barrier(6), [context.Event() for _ in range(6)], context.Queue()
    workers = [
        context.Process(target=_update_in_turn, args=(str(repo.root), i, barrier, turns, results)) for i in range(6)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert sorted(results.get(timeout=10) for _ in workers) == [(i, "ok") for i in range(6)]
    assert messages(repo.root / REL)[2:] == [f"from writer {i}" for i in range(6)]


def test_six_updates_at_once_from_the_command_line_lose_nothing(repo: Repo) -> None:
    script = shutil.which("statusgen", path=os.path.dirname(sys.executable))
    assert script
    start = datetime(2025, 11, 4, 10, 0, tzinfo=UTC)
    runs = [
        subprocess.Popen(
            [
                script,
                "-C",
                str(repo.root),
                "update",
                ID,
                "--status",
                "investigating",
                "--message",
                f"from writer {i}",
                "--now",
                (start + timedelta(minutes=i)).isoformat(),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(6)
    ]
    outcomes = [(p.wait(120), read_all(p.stderr)) for p in runs]
    for p in runs:
        close(p.stdout)
        close(p.stderr)
    landed = messages(repo.root / REL)[2:]
    posted = [f"from writer {i}" for i, (code, _) in enumerate(outcomes) if code == 0]
    # Each one either lands, or is refused for coming after a later one: none is lost silently.
    assert sorted(landed) == sorted(posted) and posted
    for code, err in outcomes:
        assert code == 0 or (code == 1 and "is not after the last update's" in err), err
    assert listing(repo.root / ".statusgen") == ["edit.lock"]
    assert listing(repo.root / "incidents") == [f"{ID}.md"]


def test_a_file_changed_after_it_was_read_is_not_overwritten(repo: Repo) -> None:
    path = repo.root / REL
    before = path.read_bytes()
    with pytest.raises(StatusgenError) as caught:
        atomic.write_atomically(path, "new text", rel=REL, expected=before + b"# what was read\n")
    assert str(caught.value) == (
        f"{REL}: the file changed while statusgen was editing it; nothing was written "
        "(look at what changed, then run the command again)"
    )
    assert path.read_bytes() == before
    assert listing(path.parent) == [f"{ID}.md"]


@pytest.mark.parametrize("target", ["folder", "file"])
def test_a_symlinked_lock_folder_is_refused(
    repo: Repo, capsys: pytest.CaptureFixture[str], tmp_path: Path, target: str
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    if target == "file":
        elsewhere = elsewhere / "plain"
        elsewhere.write_text("keep\n")
    (repo.root / ".statusgen").symlink_to(elsewhere)
    before = (repo.root / REL).read_bytes()
    code, _, err = run(
        repo, capsys, "update", ID, "--status", "investigating", "--message", "x", "--now", "2025-11-04T10:00:00Z"
    )
    assert code == 1
    assert err == (
        "error: .statusgen: cannot take the edit lock: .statusgen it is a symlink (statusgen keeps its "
        "edit lock in .statusgen/edit.lock: move what is in the way)\n"
    )
    assert (repo.root / REL).read_bytes() == before
    assert listing(tmp_path / "elsewhere") == ([] if target == "folder" else ["plain"])


def test_a_symlinked_lock_file_is_refused(repo: Repo, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (repo.root / ".statusgen").mkdir()
    victim = tmp_path / "victim"
    victim.write_text("keep\n")
    (repo.root / ".statusgen/edit.lock").symlink_to(victim)
    code, _, err = run(repo, capsys, "postmortem", ID)
    assert (code, err) == (
        1,
        "error: .statusgen/edit.lock: cannot take the edit lock: it is a symlink "
        "(statusgen keeps its edit lock in .statusgen/edit.lock: move what is in the way)\n",
    )
    assert victim.read_text() == "keep\n"


@pytest.mark.parametrize("number", [errno.ENOSPC, errno.EDQUOT])
@pytest.mark.parametrize("stage", ["write", "fsync", "replace"])
def test_a_full_disk_is_reported_with_the_file_and_leaves_it_as_it_was(
    repo: Repo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, number: int, stage: str
) -> None:
    path = repo.root / REL
    before = path.read_bytes()

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(number, os.strerror(number))

    if stage == "write":
        real = os.fdopen

        class Full(io.TextIOWrapper):
            def write(self, text: str) -> int:
                raise OSError(number, os.strerror(number))

        def fdopen(fd: int, mode: str = "r", *args: Any, **kwargs: Any) -> IO[Any]:
            if mode != "w":
                return real(fd, mode, *args, **kwargs)
            return Full(real(fd, "wb"), encoding="utf-8", newline="")

        monkeypatch.setattr(os, "fdopen", fdopen)
    else:
        monkeypatch.setattr(os, stage, full)
    code, _, err = run(
        repo,
        capsys,
        "update",
        ID,
        "--status",
        "investigating",
        "--message",
        "Still looking.",
        "--now",
        "2025-11-04T10:00:00Z",
    )
    assert code == 1
    assert err == (
        f"error: {REL}: cannot write the file: {os.strerror(number)}; nothing was written (free some "
        "space on the disk (or raise your quota) and run the command again; the file was left as it "
        "was)\n"
    )
    assert path.read_bytes() == before
    assert listing(path.parent) == [f"{ID}.md"]


def test_postmortem_on_a_full_disk_says_which_file(
    repo: Repo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = repo.root / REL
    before = path.read_bytes()

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    code, _, err = run(repo, capsys, "postmortem", ID)
    assert code == 1
    assert err.startswith(f"error: {REL}: cannot write the file: No space left on device; nothing was written")
    assert path.read_bytes() == before
    assert listing(path.parent) == [f"{ID}.md"]


@pytest.mark.parametrize(
    "argv",
    [
        ["resolve", MID, "--message", "done early", "--now", "2026-11-24T12:00:00Z"],
        ["update", MID, "--status", "completed", "--message", "done early", "--now", "2027-01-16T00:59:59Z"],
    ],
)
def test_finishing_a_maintenance_before_its_window_is_refused(
    repo: Repo, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    path = repo.incident(f"{MID}.md", MAINTENANCE)
    before = path.read_bytes()
    code, _, err = run(repo, capsys, *argv)
    assert code == 1
    now = argv[-1]
    assert err == (
        f"error: incidents/{MID}.md:7: the site would show {MID} as 'scheduled' at {now}, not "
        "'completed': the window has not started (it starts 2027-01-16T01:00:00Z); nothing was written "
        f"(to call it off, `statusgen update {MID} --status cancelled`; to start it early, "
        "`--status in_progress`)\n"
    )
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    "steps",
    [
        # What the site shows as posted: each of these is accepted.
        [("cancelled", "2026-11-24T12:00:00Z")],
        [("in_progress", "2027-01-16T00:30:00Z"), ("completed", "2027-01-16T00:50:00Z")],
        [("verifying", "2027-01-16T00:30:00Z")],
        [
            ("in_progress", "2027-01-16T01:05:00Z"),
            ("verifying", "2027-01-16T02:00:00Z"),
            ("completed", "2027-01-16T02:30:00Z"),
        ],
        [("completed", "2027-01-16T01:30:00Z")],
        [("in_progress", "2027-01-16T03:30:00Z"), ("completed", "2027-01-16T04:00:00Z")],
    ],
)
def test_maintenance_updates_the_site_shows_are_accepted(
    repo: Repo, capsys: pytest.CaptureFixture[str], steps: list[tuple[str, str]]
) -> None:
    repo.incident(f"{MID}.md", MAINTENANCE)
    for status, now in steps:
        code, _, err = run(repo, capsys, "update", MID, "--status", status, "--message", status, "--now", now)
        assert (code, err) == (0, "")


@pytest.mark.parametrize(
    "steps, shown",
    [
        ([("scheduled", "2027-01-16T01:30:00Z")], "in_progress"),
        ([("in_progress", "2027-01-16T00:30:00Z"), ("scheduled", "2027-01-16T00:40:00Z")], "in_progress"),
        ([("completed", "2027-01-16T01:30:00Z"), ("in_progress", "2027-01-16T02:00:00Z")], "completed"),
    ],
)
def test_maintenance_updates_the_site_would_not_show_are_refused(
    repo: Repo, capsys: pytest.CaptureFixture[str], steps: list[tuple[str, str]], shown: str
) -> None:
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


def _grow(path: Path, size: int) -> None:
    """Pad the file's body to ``size`` bytes."""
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "x" * (size - len(text.encode()) - 1) + "\n", encoding="utf-8")


@pytest.mark.parametrize("command", ["update", "postmortem"])
def test_an_edit_never_writes_a_file_over_the_size_limit(
    repo: Repo, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    from statusgen.inputs import MAX_FILE_BYTES

    path = repo.root / REL
    _grow(path, MAX_FILE_BYTES - 200)
    before = path.read_bytes()
    argv = (
        ["update", ID, "--status", "investigating", "--message", "word " * 60, "--now", "2025-11-04T10:00:00Z"]
        if command == "update"
        else ["postmortem", ID]
    )
    code, _, err = run(repo, capsys, *argv)
    assert code == 1
    assert err.startswith(f"error: {REL}:1: the file would be ")
    assert f"bytes, over the limit of {MAX_FILE_BYTES:,} a build reads; nothing was written (shorten" in err
    assert path.read_bytes() == before
    assert repo.build("2025-11-04T11:00:00Z") == 0  # the file still builds


def test_an_update_that_fits_exactly_is_written_and_builds(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    from statusgen.inputs import MAX_FILE_BYTES

    path = repo.root / REL
    _grow(path, MAX_FILE_BYTES - 200)
    size = len(path.read_bytes())
    item = "  - at: 2025-11-04T10:00:00Z\n    status: investigating\n    message: "
    message = "y" * (MAX_FILE_BYTES - size - len(item) - 1)
    code, _, err = run(
        repo, capsys, "update", ID, "--status", "investigating", "--message", message, "--now", "2025-11-04T10:00:00Z"
    )
    assert (code, err) == (0, "")
    assert len(path.read_bytes()) == MAX_FILE_BYTES
    assert repo.build("2025-11-04T11:00:00Z") == 0


def test_new_refuses_a_message_over_the_size_limit(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        repo,
        capsys,
        "new",
        "Huge",
        "--impact",
        "minor",
        "--message",
        "word " * 200_001,
        "--now",
        "2025-11-04T10:00:00Z",
    )
    assert code == 1
    assert "incidents/2025-11-04-huge.md:1: the file would be 1,000,1" in err
    assert listing(repo.root / "incidents") == [f"{ID}.md"]


@pytest.mark.parametrize("suffix, line", [(".md", 7), (".yaml", 6)])
def test_flow_style_updates_are_reported_at_their_line_with_a_hint(
    repo: Repo, capsys: pytest.CaptureFixture[str], suffix: str, line: int
) -> None:
    yaml_text = (
        "title: Slow\nimpact: minor\ncomponents:\n  api: degraded_performance\n\n"
        "updates: [{at: 2025-11-04T09:00:00Z, status: investigating, message: Looking.}]\n"
    )
    text = f"---\n{yaml_text}---\n" if suffix == ".md" else yaml_text
    path = repo.incident(f"2025-11-04-slow{suffix}", text)
    code, _, err = run(
        repo,
        capsys,
        "update",
        "2025-11-04-slow",
        "--status",
        "identified",
        "--message",
        "x",
        "--now",
        "2025-11-04T10:00:00Z",
    )
    assert (code, err) == (
        1,
        f"error: incidents/2025-11-04-slow{suffix}:{line}: 'updates' is written on one line "
        "as [ ... ]; statusgen can only add to a list with one '- ' item per update (write "
        "the updates as a block list, one '- at:' item per update)\n",
    )
    assert path.read_text() == text


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "---\n- just\n- a list\n---\n",
            "incidents/2025-11-04-odd.md:2: an incident file must be a mapping (key: "
            "value) (write 'key: value' lines: title, impact, components and updates (a list of '- at:' items); "
            "see statusgen new)",
        ),
        (
            "---\ntitle: Odd\nimpact: minor\nupdates:\n  - at: 2025-11-04T09:00:00Z\n    message: Looking.\n---\n",
            "incidents/2025-11-04-odd.md:5: missing 'status' update (add 'status: ' with one of: investigating, "
            "identified, monitoring, resolved)",
        ),
    ],
)
def test_a_malformed_file_is_reported_with_a_hint(
    repo: Repo, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    repo.incident("2025-11-04-odd.md", text)
    code, _, err = run(repo, capsys, "check", "--now", "2025-11-04T10:00:00Z")
    assert code == 1
    assert message in err


@pytest.mark.parametrize(
    "title, code",
    [
        ("Slow \u202eapi", "U+202E"),
        ("Slow\u0085api", "U+0085"),
        ("Slow \u2066api\u2069", "U+2066"),
        ("Slow\u200fapi", "U+200F"),
        ("Slow\x1bapi", "U+001B"),
        ("Slow\u2028api", "U+2028"),
    ],
)
def test_new_refuses_controls_and_direction_marks_in_the_title(
    repo: Repo, capsys: pytest.CaptureFixture[str], title: str, code: str
) -> None:
    status, _, err = run(
        repo, capsys, "new", title, "--impact", "minor", "--message", "Looking.", "--now", "2025-11-04T10:00:00Z"
    )
    assert status == 2
    assert "error: TITLE: " in err and code in err
    assert listing(repo.root / "incidents") == [f"{ID}.md"]


@pytest.mark.parametrize(
    "message, code",
    [("Fixed \u202eit", "U+202E"), ("a\u0085b", "U+0085"), ("a\u2067b", "U+2067"), ("a\x07b", "U+0007")],
)
@pytest.mark.parametrize("command", ["new", "update", "resolve"])
def test_messages_refuse_controls_and_direction_marks(
    repo: Repo, capsys: pytest.CaptureFixture[str], message: str, code: str, command: str
) -> None:
    argv = {
        "new": ["new", "Slow api", "--impact", "minor"],
        "update": ["update", ID, "--status", "identified"],
        "resolve": ["resolve", ID],
    }[command]
    if command == "resolve":
        repo.incident(f"{ID}.md", (repo.root / REL).read_text().replace("status: resolved", "status: identified"))
    before = (repo.root / REL).read_bytes()
    status, _, err = run(repo, capsys, *argv, "--message", message, "--now", "2025-11-04T10:00:00Z")
    assert status == 2
    assert "error: --message: " in err and code in err
    assert (repo.root / REL).read_bytes() == before
    assert listing(repo.root / "incidents") == [f"{ID}.md"]


def test_a_message_keeps_its_line_breaks_and_tabs(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        repo,
        capsys,
        "update",
        ID,
        "--status",
        "identified",
        "--message",
        "one\n\ttwo\r\nthree",
        "--now",
        "2025-11-04T10:00:00Z",
    )
    assert (code, err) == (0, "")
