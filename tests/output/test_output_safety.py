"""The output folder: what a build may replace, one build at a time, and failures that leave the
previous site as it was and name their path."""

from __future__ import annotations

import errno
import fcntl
import os
import re
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from conftest import CONFIG, Repo, tree_digest
from statusgen.commands import build as build_module
from statusgen.commands.build import build
from statusgen.errors import StatusgenError
from statusgen.load.repository import load_repository
from statusgen.output import writer
from statusgen.output.cache import BuildCache
from statusgen.output.lock import LOCK_PATH, build_lock
from statusgen.theme.files import default_theme_dir

NOW = "2025-11-10T12:00:00Z"
WHEN = datetime(2025, 11, 10, 12, tzinfo=UTC)
HINT = "build into a folder of its own, such as site/"


def contents(folder: Path) -> dict[str, str]:
    return {k: v[0] for k, v in tree_digest(folder).items()}


def everything(root: Path) -> dict[str, str]:
    """Every file under ``root`` but the build lock, with its bytes' digest."""
    return {k: v for k, v in contents(root).items() if k != LOCK_PATH}


def edit_incident(repo: Repo, old: str = "back to normal", new: str = "back to normal levels") -> None:
    path = repo.root / "incidents/2025-11-03-api-errors.md"
    path.write_text(path.read_text().replace(old, new))


def clean_build(repo: Repo, tmp_path: Path, name: str = "clean") -> dict[str, str]:
    """What a build from scratch makes of the repository as it is now."""
    assert repo.build(NOW, "--no-cache", "--out", str(tmp_path / name)) == 0
    return contents(tmp_path / name)


# --- What --out may name --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["statusgen.yaml", "incidents/2025-11-03-api-errors.md"])
def test_a_file_named_by_out_is_refused(repo: Repo, capsys: pytest.CaptureFixture[str], name: str) -> None:
    assert repo.build() == 0
    before = everything(repo.root)
    out = repo.root / name
    assert repo.build(NOW, "--out", str(out)) == 1
    assert capsys.readouterr().err == (
        f"error: {out}: output directory {out} is a file; refusing to replace it ({HINT})\n"
    )
    assert everything(repo.root) == before
    # The next build still finds the file in place: the incident is published.
    assert repo.build() == 0
    assert "Elevated API error rates" in repo.page("incidents/2025-11-03-api-errors/index.html")


@pytest.mark.parametrize(
    "name, shown",
    [
        ("incidents", "incidents/"),
        ("incidents/site", "incidents/"),
        ("themes/site", "themes/"),
        ("templates", "templates/"),
        (".git/site", ".git/"),
        (".github/pages", ".github/"),
        (".statusgen", ".statusgen/"),
        (".statusgen/cache/site", ".statusgen/"),
    ],
)
def test_out_inside_a_folder_of_the_repository_is_refused(
    repo: Repo, capsys: pytest.CaptureFixture[str], name: str, shown: str
) -> None:
    (repo.root / "templates").mkdir()
    (repo.root / ".git").mkdir()
    before = sorted(p.relative_to(repo.root).as_posix() for p in repo.root.rglob("*"))
    out = repo.root / name
    assert repo.build(NOW, "--out", str(out)) == 1
    place = "is" if name == shown.rstrip("/") else "is inside"
    assert capsys.readouterr().err == (
        f"error: {out}: output directory {out} {place} {shown}; refusing to write there "
        f"(build into a folder of its own outside {shown}, such as site/)\n"
    )
    after = sorted(p.relative_to(repo.root).as_posix() for p in repo.root.rglob("*"))
    assert [p for p in after if p not in (".statusgen", LOCK_PATH)] == before


def test_out_inside_the_packaged_theme_is_refused(
    repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    theme = tmp_path / "package/themes/default"  # a copy: were it not refused, the build would write there
    shutil.copytree(default_theme_dir(), theme)
    monkeypatch.setattr("statusgen.theme.files.default_theme_dir", lambda: theme)
    out = theme / "site"
    assert repo.build(NOW, "--out", str(out)) == 1
    assert capsys.readouterr().err == (
        f"error: {out}: output directory {out} is inside {theme}; refusing to write "
        f"there (build into a folder of its own outside {theme}, such as site/)\n"
    )
    assert not out.exists()


def test_spare_folder_of_a_person_is_left_alone(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    assert repo.build() == 0
    site = tree_digest(repo.site)
    spare = repo.root / ".site.previous"
    spare.mkdir()
    (spare / "notes.md").write_text("mine\n")
    edit_incident(repo)
    assert repo.build() == 1
    assert capsys.readouterr().err == (
        f"error: {spare}: the spare output folder has files that statusgen did not write; refusing to replace it "
        "(statusgen keeps the build before the current one in .site.previous: move this folder away, "
        "or build into another folder with --out)\n"
    )
    assert tree_digest(repo.site) == site
    assert [p.name for p in spare.iterdir()] == ["notes.md"] and (spare / "notes.md").read_text() == "mine\n"
    shutil.rmtree(spare)
    assert repo.build() == 0
    assert "back to normal levels" in repo.page("incidents/2025-11-03-api-errors/index.html")


@pytest.mark.parametrize("name", ["CNAME", ".nojekyll", "google1234.html", "notes"])
@pytest.mark.parametrize("where", ["site", ".site.previous"])
def test_a_file_put_at_the_top_of_a_built_folder_is_kept_and_refused(
    repo: Repo, capsys: pytest.CaptureFixture[str], name: str, where: str
) -> None:
    assert repo.build() == 0
    assert repo.build() == 0  # both folders are statusgen's now
    folder = repo.root / where
    person = folder / name
    if name == "notes":
        person.mkdir()
        (person / "todo.txt").write_text("mine\n")
    else:
        person.write_text("status.example.com\n")
    before = {k: v for k, v in tree_digest(repo.root).items() if k != LOCK_PATH}
    capsys.readouterr()
    for _ in range(2):
        assert repo.build() == 1
        assert capsys.readouterr().err == (
            f"error: {person}: {folder} holds {name}, which statusgen did not write; a build would remove it "
            f"(move it out of {where}/: every build replaces the whole folder)\n"
        )
    assert {k: v for k, v in tree_digest(repo.root).items() if k != LOCK_PATH} == before
    shutil.rmtree(person) if person.is_dir() else person.unlink()
    assert repo.build() == 0


def test_the_marker_names_what_the_build_wrote_at_the_top(repo: Repo) -> None:
    assert repo.build() == 0
    lines = (repo.site / writer.MARKER).read_text().splitlines()
    assert lines[1:] == sorted(p.name for p in repo.site.iterdir() if p.name != writer.MARKER)
    assert {"index.html", "incidents", "api", "static", "feed.atom"} <= set(lines[1:])


def test_a_folder_of_an_older_build_whose_marker_names_nothing_is_taken(repo: Repo) -> None:
    assert repo.build() == 0
    (repo.site / writer.MARKER).write_bytes(writer.marker_text([]))  # as builds before names were kept
    (repo.site / "stray.txt").write_text("x\n")
    assert repo.build() == 0
    assert not (repo.site / "stray.txt").exists()


@pytest.mark.parametrize("kind", ["file", "symlink", "dangling symlink"])
def test_spare_path_that_is_not_a_folder_is_refused(
    repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    spare = repo.root / ".site.previous"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    if kind == "file":
        spare.write_text("my file\n")
    else:
        spare.symlink_to(elsewhere if kind == "symlink" else tmp_path / "nothing")
    assert repo.build() == 1
    what = "file" if kind == "file" else "symlink"
    assert capsys.readouterr().err == (
        f"error: {spare}: the spare output folder is a {what}; refusing to replace it "
        f"(statusgen keeps the build before the current one in .site.previous: move this {what} away, "
        "or build into another folder with --out)\n"
    )
    assert not repo.site.exists() and list(elsewhere.iterdir()) == []
    if kind == "file":
        assert spare.read_text() == "my file\n"
    else:
        assert spare.is_symlink()


def test_empty_spare_folder_is_taken_and_both_folders_carry_the_marker(repo: Repo) -> None:
    spare = repo.root / ".site.previous"
    spare.mkdir()
    assert repo.build() == 0
    assert (repo.site / writer.MARKER).is_file() and not spare.exists()
    assert repo.build() == 0
    assert (repo.site / writer.MARKER).is_file() and (spare / writer.MARKER).is_file()
    edit_incident(repo)
    assert repo.build() == 0


# --- One build at a time ----------------------------------------------------------------------------


def test_a_second_build_waits_for_the_first(repo: Repo, tmp_path: Path) -> None:
    """A build in another process waits, saying so, while this one holds the repository's lock."""
    with build_lock(repo.root, lambda line: None):
        other = subprocess.Popen(
            [sys.executable, "-m", "statusgen", "-C", str(repo.root), "build", "--now", NOW],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        first = ""
        assert other.stderr is not None
        try:
            first = other.stderr.readline()
            assert first == f"waiting for another build of this repository (pid {os.getpid()}) to finish\n"
            assert not repo.site.exists()
        finally:
            if other.returncode is None and not first:
                other.kill()
    out, err = other.communicate(timeout=120)
    assert (other.returncode, err) == (0, "")
    assert out.startswith(f"built {repo.site}: 9 pages")
    assert contents(repo.site) == clean_build(repo, tmp_path)


def test_a_build_that_cannot_get_the_lock_in_time_refuses(repo: Repo) -> None:
    heard: list[str] = []
    with build_lock(repo.root, heard.append):
        with pytest.raises(StatusgenError) as failed:
            build(repo.root, repo.site, WHEN, report=heard.append, lock_timeout=0)
    assert str(failed.value) == (
        f"{LOCK_PATH}: another build of this repository (pid {os.getpid()}) did not finish within 0 s; "
        "nothing was written (wait for it to finish, or stop it, then build again)"
    )
    assert heard == [f"waiting for another build of this repository (pid {os.getpid()}) to finish"]
    assert not repo.site.exists()


def test_a_folder_that_is_not_a_repository_gets_no_lock(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert Repo(tmp_path).build() == 1
    assert capsys.readouterr().err.startswith(f"error: {tmp_path}/statusgen.yaml: no statusgen.yaml here")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("kind", ["symlink", "folder"])
def test_a_lock_file_that_is_not_a_file_is_refused(
    repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    (repo.root / ".statusgen").mkdir()
    if kind == "symlink":
        (repo.root / LOCK_PATH).symlink_to(victim)  # as a pull request could bring it
    else:
        (repo.root / LOCK_PATH).mkdir()
    assert repo.build() == 1
    reason = "it is a symlink" if kind == "symlink" else "Is a directory"
    assert capsys.readouterr().err == (
        f"error: {LOCK_PATH}: cannot take the build lock: {reason} "
        f"(statusgen keeps its build lock in {LOCK_PATH}: move what is in the way)\n"
    )
    assert victim.read_text() == "keep me\n" and not repo.site.exists()


STATE_LINK = (
    ".statusgen: cannot take the build lock: .statusgen is a symlink (.statusgen/ holds statusgen's "
    "local state in the repository: remove the link (and, if git tracks it, 'git rm' it))"
)


@pytest.mark.parametrize("target", ["../victim", "victim-gone", ".git"])
def test_a_state_folder_that_is_a_symlink_is_refused(
    repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str], target: str
) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "build.lock").write_text("keep me\n")
    (repo.root / ".git").mkdir()
    (repo.root / ".statusgen").symlink_to(target)  # as a commit could bring it
    assert repo.build() == 1
    assert capsys.readouterr().err == f"error: {STATE_LINK}\n"
    assert [p.name for p in victim.iterdir()] == ["build.lock"] and (victim / "build.lock").read_text() == "keep me\n"
    assert list((repo.root / ".git").iterdir()) == [] and not repo.site.exists()


@pytest.mark.parametrize("call", ["pwrite", "ftruncate"])
def test_a_full_disk_that_keeps_the_pid_out_of_the_lock_does_not_fail_the_build(
    repo: Repo, monkeypatch: pytest.MonkeyPatch, call: str
) -> None:

    def full(*args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, call, full)
    assert repo.build() == 0
    monkeypatch.undo()
    assert repo.page("index.html").count("Example Status") == 5
    assert (repo.root / LOCK_PATH).read_bytes() == b""


def test_the_lock_is_held_from_loading_to_saving_the_cache(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    held: dict[str, bool] = {}

    def locked() -> bool:
        handle = os.open(repo.root / LOCK_PATH, os.O_RDWR)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(handle)
        return False

    def watch(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def watched(*args: Any, **kwargs: Any) -> Any:
            held[name] = locked()
            return function(*args, **kwargs)

        return watched

    monkeypatch.setattr(build_module, "load_repository", watch("load", load_repository))
    monkeypatch.setattr(writer, "write_tree", watch("write", writer.write_tree))
    monkeypatch.setattr(BuildCache, "save", watch("save", BuildCache.save))
    (repo.root / ".statusgen").mkdir()
    (repo.root / LOCK_PATH).touch()
    build(repo.root, repo.site, WHEN)
    assert held == {"load": True, "write": True, "save": True}
    assert not locked()


def test_a_build_meanwhile_neither_mixes_the_site_nor_poisons_the_cache(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process starts building a different configuration while this build is between
    swapping its site in and saving its cache: it waits, and builds what it finds after."""
    intruder = CONFIG.replace("Example Status", "Intruder Status")
    assert repo.build() == 0
    save = BuildCache.save
    heard: list[str] = []
    other: list[subprocess.Popen[str]] = []

    def save_meanwhile(self: BuildCache, out: Path, keys: dict[str, str]) -> None:
        repo.config(intruder)
        other.append(
            subprocess.Popen(
                [sys.executable, "-m", "statusgen", "-C", str(repo.root), "build", "--now", NOW],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
        stderr = other[0].stderr
        assert stderr is not None
        heard.append(stderr.readline())  # the line saying it waits, or nothing once it is done
        repo.config()
        save(self, out, keys)

    monkeypatch.setattr(BuildCache, "save", save_meanwhile)
    edit_incident(repo)
    build(repo.root, repo.site, WHEN)
    monkeypatch.setattr(BuildCache, "save", save)
    _, err = other[0].communicate(timeout=120)
    assert other[0].returncode == 0, err
    assert heard == [f"waiting for another build of this repository (pid {os.getpid()}) to finish\n"]
    assert repo.build() == 0
    pages = {p: (repo.site / p).read_text() for p in contents(repo.site) if p.endswith(".html")}
    assert len(pages) == 9
    assert [p for p, text in pages.items() if "Intruder Status" in text] == []
    assert contents(repo.site) == clean_build(repo, tmp_path)


# --- Failing to write: the old site stays, the path is named, nothing is left -----------------------


def no_space_at(monkeypatch: pytest.MonkeyPatch, call: int, code: int = errno.ENOSPC) -> list[str]:
    """Make the writer's ``call``-th file write fail as a full disk does: at write, with no path."""
    written: list[str] = []
    real = writer._write_bytes

    def write(data: bytes, path: str) -> None:
        written.append(path)
        if len(written) == call:
            raise OSError(code, os.strerror(code))
        real(data, path)

    monkeypatch.setattr(writer, "_write_bytes", write)
    return written


def target_of(temp: str) -> str:
    """The file a temporary ``.NAME.PID.tmp`` was to become."""
    folder, name = os.path.split(temp)
    return f"{folder}/{name[1:].rsplit('.', 2)[0]}"


@pytest.mark.parametrize(
    "first_build, call, code",
    [
        (True, 1, errno.ENOSPC),
        (True, 20, errno.ENOSPC),
        (False, 1, errno.ENOSPC),
        (False, 1, errno.EDQUOT),
    ],
)
def test_full_disk_names_the_path_and_leaves_nothing(
    repo: Repo,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    first_build: bool,
    call: int,
    code: int,
) -> None:
    if not first_build:
        assert repo.build() == 0 and repo.build() == 0  # a spare folder exists: the build before
        edit_incident(repo)
    site = tree_digest(repo.site) if repo.site.exists() else None
    written = no_space_at(monkeypatch, call, code)
    capsys.readouterr()
    assert repo.build() == 1
    failed = target_of(written[-1])
    assert failed.startswith(f"{repo.root}/.site.previous/")
    assert capsys.readouterr().err == (
        f"error: {failed}: cannot write the new site: {os.strerror(code)} "
        f"(free some space on the disk that holds {repo.root}; {repo.site} was left as it was)\n"
    )
    assert (tree_digest(repo.site) if repo.site.exists() else None) == site
    assert sorted(p.name for p in repo.root.iterdir()) == [
        ".statusgen",
        "incidents",
        *(["site"] if site else []),
        "statusgen.yaml",
    ]
    monkeypatch.undo()
    assert repo.build() == 0
    assert contents(repo.site) == clean_build(repo, tmp_path)


@pytest.mark.parametrize("operation", ["mkdir", "link", "replace", "scandir"])
def test_every_write_error_is_reported_at_its_path(repo: Repo, monkeypatch: pytest.MonkeyPatch, operation: str) -> None:
    """Whatever the writer does to the disk, a failure names the file and leaves the site."""
    assert repo.build() == 0  # the next build lays out a new spare folder, linking unchanged files
    edit_incident(repo)
    (repo.root / "incidents/2025-11-04-more.md").write_text(
        (repo.root / "incidents/2025-11-03-api-errors.md").read_text()
    )
    site = tree_digest(repo.site)
    spare = f"{repo.root}/.site.previous"
    real = getattr(os, operation)
    hits: list[str] = []

    def failing(*args: Any, **kwargs: Any) -> Any:
        paths = [os.fspath(a) for a in args[:2] if isinstance(a, (str, os.PathLike))]
        changed = paths[-1] if paths and operation in ("link", "replace") else paths[0] if paths else ""
        if changed.startswith(spare + "/"):
            hits.append(changed)
            raise OSError(errno.EIO, os.strerror(errno.EIO), *paths[:1], None, *paths[1:])  # as the call would
        return real(*args, **kwargs)

    monkeypatch.setattr(os, operation, failing)
    with pytest.raises(StatusgenError) as failed:
        build(repo.root, repo.site, WHEN)
    monkeypatch.undo()
    assert hits
    problem = failed.value.problem
    expected = target_of(hits[0]) if operation == "link" else hits[0]
    assert (problem.path, problem.message, problem.hint) == (
        expected,
        "cannot write the new site: Input/output error",
        f"{repo.site} was left as it was",
    )
    assert tree_digest(repo.site) == site
    assert not os.path.lexists(spare)


def test_failure_to_swap_leaves_the_site(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    assert repo.build() == 0
    edit_incident(repo)
    site = tree_digest(repo.site)
    monkeypatch.setattr(writer, "_RENAME_EXCHANGE", 1 << 30)  # not a flag renameat2 knows: the fallback runs
    real = os.rename

    def rename(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
        if os.fspath(source).endswith("/.site.previous"):
            raise OSError(errno.EXDEV, os.strerror(errno.EXDEV), os.fspath(source), None, os.fspath(target))
        return real(source, target)

    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(StatusgenError) as failed:
        build(repo.root, repo.site, WHEN)
    monkeypatch.undo()
    assert str(failed.value) == (
        f"{repo.root}/.site.previous: cannot write the new site: Invalid cross-device link "
        f"({repo.site} was left as it was)"
    )
    assert tree_digest(repo.site) == site
    assert sorted(p.name for p in repo.root.iterdir()) == [".statusgen", "incidents", "site", "statusgen.yaml"]


# --- After the swap, only warnings ----------------------------------------------------------------


def test_a_cache_folder_that_cannot_be_written_is_a_warning(
    repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo.root / ".statusgen").mkdir()
    (repo.root / ".statusgen/cache").write_text("in the way\n")
    assert repo.build() == 0
    captured = capsys.readouterr()
    assert captured.err == (
        f"warning: {repo.root}/.statusgen/cache: could not save the build cache: File exists; "
        "the site was built, and the next build may take longer\n"
    )
    assert captured.out.startswith(f"built {repo.site}: 9 pages")
    assert contents(repo.site) == clean_build(repo, tmp_path)
    assert (repo.root / ".statusgen/cache").read_text() == "in the way\n"


def test_a_cache_file_that_cannot_be_saved_is_a_warning(
    repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(repo.root / ".statusgen/cache/pages.json"))

    monkeypatch.setattr("statusgen.output.cache.write_atomically", refuse)
    assert repo.build() == 0
    assert capsys.readouterr().err == (
        f"warning: {repo.root}/.statusgen/cache/pages.json: could not save the build cache: Permission denied; "
        "the site was built, and the next build may take longer\n"
    )
    monkeypatch.undo()
    assert contents(repo.site) == clean_build(repo, tmp_path)


# --- A read-only old site -------------------------------------------------------------------------


@pytest.fixture
def permissions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Folders' write bits obeyed as an unprivileged user's system call obeys them, also when the
    tests run as root, for whom the system ignores them: what changes a folder's entries (making,
    linking, renaming, removing a file in it) is refused when its owner may not write to it."""
    if os.geteuid() != 0:
        return

    def check(path: object, dir_fd: int | None = None) -> None:
        if not isinstance(path, (str, os.PathLike)):
            return
        path = os.fspath(path)
        if dir_fd is not None and not os.path.isabs(path):
            path = os.path.join(os.readlink(f"/proc/self/fd/{dir_fd}"), path)
        if not os.stat(os.path.dirname(os.path.abspath(path))).st_mode & stat.S_IWUSR:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)

    def guard(name: str, changed: tuple[int, ...]) -> None:
        real = getattr(os, name)

        def guarded(*args: Any, **kwargs: Any) -> Any:
            for index in changed:
                if index < len(args):
                    check(args[index], kwargs.get("dir_fd", kwargs.get("dst_dir_fd")))
            return real(*args, **kwargs)

        monkeypatch.setattr(os, name, guarded)

    for name, changed in [
        ("mkdir", (0,)),
        ("rmdir", (0,)),
        ("unlink", (0,)),
        ("remove", (0,)),
        ("link", (1,)),
        ("rename", (0, 1)),
        ("replace", (0, 1)),
    ]:
        guard(name, changed)
    write = writer._write_bytes

    def write_bytes(data: bytes, path: str) -> None:
        check(path)
        write(data, path)

    monkeypatch.setattr(writer, "_write_bytes", write_bytes)


def read_only(folder: Path) -> None:
    """``chmod -R a-w folder``"""
    for path in [folder, *folder.rglob("*")]:
        path.chmod(stat.S_IMODE(path.lstat().st_mode) & ~0o222)


def test_the_permission_check_refuses_as_the_system_does(tmp_path: Path, permissions: None) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    (folder / "file").write_text("x")
    read_only(folder)
    attempts: list[Callable[[], None]] = [
        lambda: os.mkdir(folder / "new"),
        lambda: os.unlink(folder / "file"),
        lambda: os.replace(tmp_path / "nothing", folder / "file"),
        lambda: shutil.rmtree(folder),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionError):
            attempt()
    assert sorted(p.name for p in folder.iterdir()) == ["file"]
    folder.chmod(0o755)


@pytest.mark.parametrize("change", [False, True])
def test_a_read_only_old_site_does_not_stop_later_builds(
    repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str], permissions: None, change: bool
) -> None:
    assert repo.build() == 0
    read_only(repo.site)
    assert repo.build() == 0  # the read-only site becomes the spare folder
    if change:
        edit_incident(repo)
        (repo.root / "incidents/2025-11-04-more.md").write_text(
            (repo.root / "incidents/2025-11-03-api-errors.md").read_text()
        )
        (repo.root / "incidents/2025-11-03-api-errors.md").unlink()
    capsys.readouterr()
    assert repo.build() == 0
    assert capsys.readouterr().err == ""
    assert contents(repo.site) == clean_build(repo, tmp_path)
    assert repo.build() == 0
    assert contents(repo.site) == clean_build(repo, tmp_path, "again")


def test_a_spare_folder_that_cannot_be_made_writable_is_reported(
    repo: Repo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert repo.build() == 0 and repo.build() == 0
    edit_incident(repo)
    site = tree_digest(repo.site)
    tried: list[str] = []
    real = getattr(writer, "_make_writable", lambda top: None)

    def make_writable(top: str) -> None:
        tried.append(top)
        real(top)

    def refuse(data: bytes, path: str) -> None:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)

    monkeypatch.setattr(writer, "_make_writable", make_writable, raising=False)
    monkeypatch.setattr(writer, "_write_bytes", refuse)
    capsys.readouterr()
    assert repo.build() == 1
    spare = repo.root / ".site.previous"
    # The first file the edit changed: the home page, which quotes the start of the edited update.
    assert capsys.readouterr().err == (
        f"error: {spare}/index.html: cannot write the new site: Permission denied "
        f"(make {spare} writable (chmod -R u+w, chattr -R -i) or remove it: it holds only the build before the "
        f"current one; {repo.site} was left as it was)\n"
    )
    assert tried == [str(spare)]
    assert tree_digest(repo.site) == site and not spare.exists()


def _chattr(path: Path, flag: str) -> bool:
    return (
        shutil.which("chattr") is not None
        and subprocess.run(["chattr", flag, str(path)], capture_output=True, check=False).returncode == 0
    )


def test_an_immutable_spare_folder_is_reported(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    assert repo.build() == 0 and repo.build() == 0
    edit_incident(repo)
    site = tree_digest(repo.site)
    spare = repo.root / ".site.previous"
    if not _chattr(spare, "+i"):
        pytest.skip("chattr +i is not available here")
    try:
        capsys.readouterr()
        assert repo.build() == 1
        err = capsys.readouterr().err
    finally:
        _chattr(spare, "-i")
    assert re.fullmatch(
        rf"error: {re.escape(str(spare))}/[^/]+: cannot write the new site: Operation not permitted "
        rf"\(make {re.escape(str(spare))} writable \(chmod -R u\+w, chattr -R -i\) or remove it: it holds only "
        rf"the build before the current one; {re.escape(str(repo.site))} was left as it was\)",
        err.splitlines()[-1],
    )
    assert tree_digest(repo.site) == site
    assert repo.build() == 0
    assert "back to normal levels" in repo.page("incidents/2025-11-03-api-errors/index.html")
