"""How the editing commands write: atomically, durably, to a symlink's target, cleaning up after
writes that were killed, and never touching a file a person made."""

from __future__ import annotations

import fcntl
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import INCIDENT, Repo
from statusgen.authoring import yamledit
from statusgen.errors import StatusgenError
from statusgen.output import atomic

NOW = "2025-11-10T14:05:00Z"
TARGET = "2025-11-03-api-errors.md"
UPDATE = ("update", "2025-11-03-api-errors", "--status", "investigating", "--message", "Back again.", "--now", NOW)


def run(repo: Repo, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = repo.run(*argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def aged(path: Path, seconds: float = 3600) -> Path:
    """``path``, last modified ``seconds`` ago (without following a symlink)."""
    then = time.time() - seconds
    os.utime(path, (then, then), follow_symlinks=False)
    return path


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_stale_temporary_files_are_removed_and_look_alikes_kept(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    folder = repo.root / "incidents"
    stale = [f".{TARGET}.k3j_9xq2.tmp", ".2025-11-04-other.md.abcdefgh.tmp", ".statusgen.yaml.0a1b2c3d.tmp"]
    look_alikes = [
        f".{TARGET}.tmp",
        f".{TARGET}.abcdefg.tmp",
        f".{TARGET}.abcdefghi.tmp",
        f".{TARGET}.ABCDEFGH.tmp",
        f".{TARGET}.abcd-fgh.tmp",
        f"{TARGET}.abcdefgh.tmp",
        f".{TARGET}.abcdefgh.tmp.bak",
        f".{TARGET}.abcdefgh.TMP",
        "..abcdefgh.tmp",
        "notes.tmp",
        ".abcdefgh.tmp",
    ]
    for name in stale + look_alikes:
        aged(repo.write(f"incidents/{name}", "someone's text\n"))
    # Matching the pattern, but recent; a folder; a symlink: all kept.
    repo.write(f"incidents/.{TARGET}.recent12.tmp", "being written\n")
    (folder / ".folder.md.abcdefgh.tmp").mkdir()
    aged(folder / ".folder.md.abcdefgh.tmp")
    (folder / ".link.md.abcdefgh.tmp").symlink_to(TARGET)
    aged(folder / ".link.md.abcdefgh.tmp")
    before = {name: (folder / name).read_bytes() for name in look_alikes}

    code, _, err = run(repo, capsys, *UPDATE)
    assert code == 0, err
    assert names(folder) == sorted(
        [TARGET, *look_alikes, f".{TARGET}.recent12.tmp", ".folder.md.abcdefgh.tmp", ".link.md.abcdefgh.tmp"]
    )
    assert {name: (folder / name).read_bytes() for name in look_alikes} == before


def test_a_temporary_file_locked_by_a_living_writer_is_kept(repo: Repo) -> None:
    folder = repo.root / "incidents"
    temp = aged(repo.write(f"incidents/.{TARGET}.live1234.tmp", "half"))
    with open(temp, "rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        assert atomic.remove_stale_temporaries(folder) == []
        assert temp.exists()
    assert atomic.remove_stale_temporaries(folder) == [temp]
    assert names(folder) == [TARGET]


KILLED_WRITER = """
import os, signal, sys
from pathlib import Path
from statusgen.output import atomic
os.replace = lambda *args: os.kill(os.getpid(), signal.SIGKILL)
atomic.write_atomically(Path(sys.argv[1]), "the new text\\n")
"""


def test_a_write_killed_midway_leaves_the_original_and_its_temporary_file_is_cleaned_up(
    repo: Repo,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = repo.root / "incidents"
    path = folder / TARGET
    done = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(path)], capture_output=True)
    assert done.returncode == -9
    assert path.read_text() == INCIDENT
    [left] = [p for p in folder.iterdir() if p.name != TARGET]
    assert left.name.startswith(f".{TARGET}.") and left.name.endswith(".tmp") and len(left.name) == len(TARGET) + 14
    assert left.read_text() == "the new text\n"
    code, _, err = run(repo, capsys, *UPDATE)
    assert code == 0, err
    assert left.exists()  # too recent to tell from a write going on
    aged(left)
    code, _, err = run(
        repo, capsys, "resolve", "2025-11-03-api-errors", "--message", "Fixed.", "--now", "2025-11-10T15:00:00Z"
    )
    assert code == 0, err
    assert names(folder) == [TARGET]
    assert path.read_text().startswith(INCIDENT.removesuffix("---\n"))


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o664, 0o444])
def test_an_edit_keeps_the_file_mode(repo: Repo, capsys: pytest.CaptureFixture[str], mode: int) -> None:
    path = repo.root / "incidents" / TARGET
    path.chmod(mode)
    code, _, err = run(repo, capsys, *UPDATE)
    assert code == 0, err
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert "Back again." in path.read_text()


def test_writes_sync_the_file_and_its_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[str] = []
    real = os.fsync

    def record(fd: int) -> None:
        synced.append("folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file")
        real(fd)

    monkeypatch.setattr(os, "fsync", record)
    atomic.write_atomically(tmp_path / "a.md", "one\n")
    assert synced == ["file", "folder"]
    synced.clear()
    atomic.create_exclusively(tmp_path / "b.md", "two\n")
    assert synced == ["file", "folder"]
    synced.clear()
    atomic.write_atomically(tmp_path / "c.json", "three\n", durable=False)  # a cache: can be made again
    assert synced == []
    assert [(tmp_path / name).read_text() for name in ("a.md", "b.md", "c.json")] == ["one\n", "two\n", "three\n"]
    assert names(tmp_path) == ["a.md", "b.md", "c.json"]


KILLED_CREATOR = """
import os, signal, sys
from pathlib import Path
from statusgen.output import atomic
os.link = lambda *args: os.kill(os.getpid(), signal.SIGKILL)
atomic.create_exclusively(Path(sys.argv[1]), "the whole text\\n")
"""


def test_a_new_file_appears_whole_or_not_at_all(tmp_path: Path) -> None:
    path = tmp_path / "2025-11-10-new.md"
    done = subprocess.run([sys.executable, "-c", KILLED_CREATOR, str(path)], capture_output=True)
    assert done.returncode == -9
    assert not path.exists()
    [left] = tmp_path.iterdir()
    assert left.read_text() == "the whole text\n"
    atomic.create_exclusively(path, "x\n")
    assert path.read_text() == "x\n"
    with pytest.raises(FileExistsError):
        atomic.create_exclusively(path, "y\n")
    assert path.read_text() == "x\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@pytest.mark.parametrize("command", [UPDATE, ("postmortem", "2025-11-03-linked")])
def test_a_symlinked_incident_is_edited_at_its_target(
    repo: Repo, capsys: pytest.CaptureFixture[str], command: tuple[str, ...] | tuple[str, str]
) -> None:
    target = repo.write("shared/2025-11-03-linked.md", INCIDENT)
    link = repo.root / "incidents" / "2025-11-03-linked.md"
    link.symlink_to("../shared/2025-11-03-linked.md")
    (repo.root / "incidents" / TARGET).unlink()
    argv = [word.replace("2025-11-03-api-errors", "2025-11-03-linked") for word in command]
    code, out, err = run(repo, capsys, *argv)
    assert code == 0, err
    assert out.startswith("incidents/2025-11-03-linked.md: added")
    assert link.is_symlink() and os.readlink(link) == "../shared/2025-11-03-linked.md"
    text = target.read_text()
    assert text.startswith(INCIDENT.removesuffix("---\n")) and text != INCIDENT
    assert names(repo.root / "incidents") == ["2025-11-03-linked.md"]
    assert names(repo.root / "shared") == ["2025-11-03-linked.md"]


def test_a_symlink_into_git_is_refused(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    target = repo.write(".git/2025-11-03-linked.md", INCIDENT)
    link = repo.root / "incidents" / "2025-11-03-linked.md"
    link.symlink_to("../.git/2025-11-03-linked.md")
    code, _, err = run(repo, capsys, "resolve", "2025-11-03-linked", "--message", "x", "--now", NOW)
    # The loader refuses the link before the edit looks at it, as it does for every command.
    assert (code, err) == (
        1,
        "incidents/2025-11-03-linked.md:1: symlink points into .git (link to files of the "
        "working tree only)\n1 error(s); nothing was written\n",
    )
    assert link.is_symlink() and target.read_text() == INCIDENT


def test_a_symlink_out_of_the_repository_is_refused_at_its_path(
    repo: Repo, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere.md"
    outside.write_text(INCIDENT)
    link = repo.root / "incidents" / "2025-11-03-linked.md"
    link.symlink_to(outside)
    code, _, err = run(repo, capsys, "resolve", "2025-11-03-linked", "--message", "x", "--now", NOW)
    assert code == 1
    assert err == (
        "incidents/2025-11-03-linked.md:1: symlink points outside the repository (copy the file into "
        "the repository instead)\n1 error(s); nothing was written\n"
    )
    assert link.is_symlink() and outside.read_text() == INCIDENT


def test_edit_target_refuses_what_leaves_the_repository(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "incidents").mkdir(parents=True)
    (tmp_path / "out.md").write_text("x")
    link = root / "incidents" / "a.md"
    link.symlink_to(tmp_path / "out.md")
    with pytest.raises(StatusgenError) as caught:
        yamledit.edit_target(root, link, "incidents/a.md")
    assert str(caught.value) == (
        f"incidents/a.md:1: this is a symlink to {tmp_path / 'out.md'}, outside the "
        "repository; nothing was written (statusgen edits only files in the repository: "
        "copy the file in instead of linking it)"
    )
    plain = root / "incidents" / "b.md"
    plain.write_text("y")
    assert yamledit.edit_target(root, plain, "incidents/b.md") == plain.resolve()
