"""Reading the repository's input files safely.

Only regular files, under the size limit, in UTF-8, and through symlinks that stay in the
repository and out of its ``.git``: every stage that reads a file of the repository (config,
incidents, message templates, themes) reads it through here.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Collection
from ipaddress import ip_address
from pathlib import Path, PurePosixPath

from statusgen.errors import StatusgenError

MAX_FILE_BYTES = 1_000_000


_TOO_BIG_HINT = "move long material elsewhere and link to it"


def link_problem(path: Path, root: Path) -> str | None:
    """What is wrong with the symlink ``path`` in the repository at ``root``, if anything: it leads
    in a loop, to nothing, out of the repository (where a pull request could point it at a file
    of the machine that builds the site), or into its ``.git`` (whose config holds the checkout's
    credentials in CI)."""
    try:
        target = path.resolve(strict=True)
    except RuntimeError:  # how Python 3.11 reports a loop
        return "symlink loop"
    except OSError as exc:
        return "symlink loop" if exc.errno == errno.ELOOP else "broken symlink: what it points to is missing"
    real_root = root.resolve()
    if not target.is_relative_to(real_root):
        return "symlink points outside the repository"
    if target.relative_to(real_root).parts[:1] == (".git",):
        return "symlink points into .git"
    return None


LINK_HINTS = {
    "symlink loop": "point the link at a file, or remove it",
    "broken symlink: what it points to is missing": "restore its target, or remove the link",
    "symlink points outside the repository": "copy the file into the repository instead",
    "symlink points into .git": "link to files of the working tree only",
}


_KINDS = {
    stat.S_IFDIR: "a folder",
    stat.S_IFIFO: "a named pipe",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a device",
    stat.S_IFBLK: "a device",
}


def not_a_file(mode: int) -> str | None:
    """What a file of ``mode`` (from stat) is if it is not a regular file: "a named pipe", ..."""
    return None if stat.S_ISREG(mode) else _KINDS.get(stat.S_IFMT(mode), "not a regular file")


def read_text(path: Path, rel: str) -> str:
    """The text of the source file ``rel`` (relative to the repository) at ``path``, refusing what
    no status repository should hold: a symlink out of the repository or into its .git, what is not
    a regular file (a named pipe would block the build forever), a file over 1 MB, text that is
    not UTF-8."""
    try:
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            problem = link_problem(path, path.parents[rel.count("/")])
            if problem:
                raise StatusgenError(problem, rel, 1, LINK_HINTS[problem])
            info = os.stat(path)
        _check_regular(info, rel)
        data = _read_regular(path, rel)
    except OSError as exc:
        raise StatusgenError(f"cannot read the file: {exc.strerror or exc}", rel, 1) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise StatusgenError("not UTF-8 text", rel, line, "save the file as UTF-8") from None


def read_bytes(path: Path, rel: str, limit: int, hint: str) -> bytes:
    """The bytes of the source file ``rel`` at ``path``, refused as ``read_text`` refuses a file,
    and over ``limit`` bytes, with ``hint`` saying what to do then (a logo, say, far smaller than
    a text may be)."""
    try:
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            problem = link_problem(path, path.parents[rel.count("/")])
            if problem:
                raise StatusgenError(problem, rel, 1, LINK_HINTS[problem])
            info = os.stat(path)
        _check_regular(info, rel, limit, hint)
        return _read_regular(path, rel, limit, hint)
    except OSError as exc:
        raise StatusgenError(f"cannot read the file: {exc.strerror or exc}", rel, 1) from None


def _check_regular(info: os.stat_result, rel: str, limit: int = MAX_FILE_BYTES, hint: str = _TOO_BIG_HINT) -> None:
    kind = not_a_file(info.st_mode)
    if kind is not None:
        raise StatusgenError(f"{kind}, not a file", rel, 0, "remove it, or put a plain text file in its place")
    if info.st_size > limit:
        raise StatusgenError(f"file is {info.st_size:,} bytes; the limit is {limit:,}", rel, 1, hint)


def _read_regular(path: Path, rel: str, limit: int = MAX_FILE_BYTES, hint: str = _TOO_BIG_HINT) -> bytes:
    """The bytes of ``path``, checked a regular file once open too: what was checked before it was
    opened may have been swapped since. O_NONBLOCK keeps the open of a named pipe from waiting."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as handle:
        _check_regular(os.fstat(fd), rel, limit, hint)
        data = handle.read(limit + 1)
    if len(data) > limit:  # it grew after it was measured
        raise StatusgenError(f"file is over {limit:,} bytes, the limit", rel, 1, hint)
    return data


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address) is this machine: 127.0.0.0/8, ::1 or localhost."""
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return host.lower() == "localhost"


def repository_path_problem(
    root: Path,
    value: str,
    what: str,
    hint: str,
    suffixes: Collection[str],
    wrong_kind: tuple[str, str],
    not_file_hint: str,
) -> tuple[str, str] | None:
    """What is wrong with ``value``, a setting naming a file in the repository at ``root`` (the
    ``what``), if anything, and a hint: it must be a relative path that stays in the repository
    (no ``..``, no link out of it, not in .git), end in one of ``suffixes`` (else ``wrong_kind``:
    the message's end and its hint), and name a regular file."""
    if not value or "\\" in value or any(not c.isprintable() for c in value):
        return f"{what} must be a path inside the repository, not {value!r}", hint
    path = PurePosixPath(value)
    if path.is_absolute() or ".." in path.parts or "://" in value:
        return f"{what} must be a path inside the repository, not {value!r}", hint
    if any(part.lower() == ".git" for part in path.parts):
        return f"{what} must not be in .git: {value!r}", hint
    if path.suffix.lower() not in suffixes:
        found = path.suffix or "a file without an extension"
        return f"{what} {wrong_kind[0]}, not {found!r}", wrong_kind[1]
    full = root / value
    if not os.path.lexists(full):
        return f"{what} file {value!r} not found", "add the file to the repository, or fix the path"
    # Any folder on the way may be a link too: the whole path must stay in the repository.
    problem = link_problem(full, root)
    if problem is not None:
        return f"{what} {value!r}: {problem}", LINK_HINTS[problem]
    try:
        kind = not_a_file(os.stat(full).st_mode)
    except OSError as exc:
        return f"{what} {value!r}: cannot read the file: {exc.strerror or exc}", hint
    if kind is not None:
        return f"{what} {value!r} is {kind}, not a file", not_file_hint
    return None
