"""Whether git tracks anything at a path: asked of git, else read from the index itself.

Local state such as the build cache is only trusted when it is not part of the content: a file
that git tracks arrived with a commit, from whoever wrote it.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

# `git ls-files` answers in milliseconds; a git that hangs (a lock, a network file system) must
# not hold up a build.
GIT_TIMEOUT = 5.0
# Far above the index of any status repository (10,000 incidents: about 1 MB).
MAX_INDEX_BYTES = 256 * 1024 * 1024
# Variables that make git use another repository or index than the one found from the folder.
_GIT_ENVIRONMENT = frozenset(("GIT_DIR", "GIT_INDEX_FILE", "GIT_WORK_TREE", "GIT_COMMON_DIR"))


class Unknown(Exception):
    """Neither git nor its index could tell."""


def tracks(root: Path, rel: str) -> bool:
    """Whether git tracks ``root/rel`` or anything under it; False outside a git repository.

    The index is read directly, which takes a millisecond where starting git takes tens; git is
    asked when its environment points elsewhere or the index is in a form not read here. Raises
    Unknown when neither can tell.
    """
    if not _GIT_ENVIRONMENT.isdisjoint(os.environ):
        return _ask_git(root, rel)
    top = _repository_top(root)
    if top is None:
        return False
    prefix = root.resolve().relative_to(top).as_posix()
    try:
        return index_tracks(_git_dir(top) / "index", rel if prefix == "." else f"{prefix}/{rel}")
    except Unknown:
        return _ask_git(root, rel)


def _ask_git(root: Path, rel: str) -> bool:
    try:
        done = subprocess.run(
            ["git", "ls-files", "-z", "--", rel],
            cwd=root,
            capture_output=True,
            stdin=subprocess.DEVNULL,
            timeout=GIT_TIMEOUT,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
        )
    except (OSError, subprocess.SubprocessError) as exc:  # no git here, or it hangs
        raise Unknown(f"git: {exc}") from None
    if done.returncode != 0:
        raise Unknown(f"git: {done.stderr.decode('utf-8', 'replace').strip()[:200]}")
    return bool(done.stdout)


def _repository_top(root: Path) -> Path | None:
    here = root.resolve()
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    return None


def _git_dir(top: Path) -> Path:
    dot_git = top / ".git"
    if dot_git.is_dir():
        return dot_git
    # A worktree or submodule: ".git" is a file naming the real folder.
    try:
        text = dot_git.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise Unknown(f"unreadable {dot_git}") from exc
    if not text.startswith("gitdir:"):
        raise Unknown(f"{dot_git} names no git folder")
    return top / text[len("gitdir:") :].strip()


def index_tracks(index: Path, rel: str) -> bool:
    """Whether the git index file ``index`` (format 2, 3 or 4) holds ``rel`` or a path under it."""
    try:
        with open(index, "rb") as file:
            data = file.read(MAX_INDEX_BYTES + 1)
    except FileNotFoundError:
        return False  # a repository without a commit or a staged file yet
    except OSError as exc:
        raise Unknown(f"unreadable {index}") from exc
    try:
        return _index_tracks(data, rel.encode("utf-8"))
    except (IndexError, ValueError) as exc:
        raise Unknown(f"unreadable {index}") from exc


def _index_tracks(data: bytes, target: bytes) -> bool:
    if len(data) > MAX_INDEX_BYTES or data[:4] != b"DIRC":
        raise ValueError("not a git index")
    version, count = int.from_bytes(data[4:8], "big"), int.from_bytes(data[8:12], "big")
    if version not in (2, 3, 4):
        raise ValueError(f"index format {version}")
    pos, previous = 12, b""
    for _ in range(count):
        flags = int.from_bytes(data[pos + 60 : pos + 62], "big")
        start = pos + 62 + (2 if version >= 3 and flags & 0x4000 else 0)
        if version == 4:  # each path drops some bytes of the one before and adds its own
            strip, start = _varint(data, start)
            end = data.index(b"\0", start)
            if strip > len(previous):
                raise ValueError("bad path compression")
            path = previous[: len(previous) - strip] + data[start:end]
            pos = end + 1
        else:  # then one to eight NULs, to a multiple of eight bytes
            end = data.index(b"\0", start)
            path = data[start:end]
            pos += (end - pos) // 8 * 8 + 8
        if path == target or path.startswith(target + b"/"):
            return True
        previous = path
    # A split index keeps most entries in another file.
    while pos + 8 <= len(data) - 20:
        if data[pos : pos + 4] == b"link":
            raise ValueError("split index")
        pos += 8 + int.from_bytes(data[pos + 4 : pos + 8], "big")
    return False


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    """A number in git's offset encoding: seven bits a byte, most significant first; a set high bit
    means more follow, and each byte that follows also adds one."""
    byte = data[pos]
    value = byte & 0x7F
    while byte & 0x80:
        pos += 1
        byte = data[pos]
        value = ((value + 1) << 7) | (byte & 0x7F)
    return value, pos + 1
