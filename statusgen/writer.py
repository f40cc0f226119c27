"""The one place that touches the output directory.

A build is laid out in a spare folder beside the output and then swapped into place in one step,
so readers (and the server in ``statusgen serve``) never see a half-written site, and a failed
build leaves the old one as it was. Files whose bytes did not change are carried over as they
were, mtime included.
"""

from __future__ import annotations

import ctypes
import itertools
import logging
import os
import shutil
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from statusgen.errors import StatusgenError

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class Reuse:
    """Stands for "the file at this path in the current output, as it is"; ``inode`` when known."""

    inode: tuple[int, int] | None = None



@dataclass(frozen=True)
class Unit:
    """One output file: its path, a key over everything it is made from (None: always make it),
    and the function that makes its bytes."""

    path: str
    key: str | None
    make: Callable[[], bytes]


MARKER = ".statusgen-site"
NAME_MAX = 255  # bytes in one file name, on the file systems sites are built on
_MARKER_TEXT = b"This folder is written by 'statusgen build' and replaced whole by every build.\n"


def check_output_dir(out: Path, root: Path) -> None:
    """Refuse an output directory whose replacement would destroy the repository itself."""
    if out.is_symlink():
        # The build swaps whole folders by renaming them, which would move the link, not write
        # where it points; and a link committed to the repository could point anywhere.
        raise StatusgenError(f"output directory {out} is a symlink; refusing to write through it", str(out), 0,
                             "build into a real folder, or give --out the folder the link points to")
    out, root = out.resolve(), root.resolve()
    if out == root or root.is_relative_to(out):
        raise StatusgenError(f"output directory {out} contains the status repository", str(out), 0,
                             "build into a folder of its own, such as site/")
    for marker in ("statusgen.yaml", ".git"):
        if (out / marker).exists():
            raise StatusgenError(f"output directory {out} holds {marker}; refusing to replace it",
                                 str(out), 0, "build into a folder of its own, such as site/")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise StatusgenError(f"output directory {out} has files that statusgen did not write; "
                             "refusing to replace it", str(out), 0,
                             "remove the folder, or build into a folder of its own, such as site/")


def safe_relative(name: str) -> str:
    """An output path that stays inside the output directory, as given.

    Output paths are made from validated ids, so an unsafe one is a bug, not bad input; an id
    longer than a file name may be is the input's.
    """
    parts = name.split("/")
    if (not name or name.startswith((".", "/")) or any(p in ("", ".", "..") for p in parts)
            or "\0" in name or "\\" in name):
        raise ValueError(f"unsafe output path {name!r}")
    longest = max(parts, key=lambda p: len(p.encode()))
    if len(longest.encode()) > NAME_MAX:
        raise StatusgenError(f"the output file name {longest[:40]}... is {len(longest.encode())} bytes long; "
                             f"file names have at most {NAME_MAX}", name, 0, "shorten the id it is made from")
    return name


def spare_dir(out: Path) -> Path:
    """The folder the next build is laid out in: the build before the current one."""
    return out.with_name(f".{out.name}.previous")


def write_tree(out: Path, files: Iterable[tuple[str, bytes | Reuse]] | Iterable[tuple[str, bytes]]) -> int:
    """Make ``out`` hold exactly ``files``, all at once; return how many files changed or are new.

    The new tree is laid out in a spare folder beside ``out`` (the build before the current one,
    brought up to date in place, so a rebuild creates only what changed), then the two folders
    are exchanged in one step. A ``Reuse`` in place of bytes carries the current file over unread.
    """
    out = out.absolute()
    spare = spare_dir(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if spare.is_symlink() or spare.is_file():
        spare.unlink()  # the spare folder is ours: a link there would have the build write elsewhere
    elif spare.exists() and not (spare / MARKER).is_file():
        shutil.rmtree(spare)
    spare.mkdir(exist_ok=True)
    changed = 0
    wanted: set[str] = set()
    made: set[str] = set()
    spare_root, out_root = str(spare), str(out)
    for name, data in itertools.chain([(MARKER, _MARKER_TEXT)], files):
        rel = MARKER if name == MARKER else safe_relative(name)
        wanted.add(rel)
        target, current = f"{spare_root}/{rel}", f"{out_root}/{rel}"
        parent = os.path.dirname(target)
        if parent not in made:
            _make_dir(parent, spare_root, made)
        if isinstance(data, Reuse) or _same_bytes(current, data):
            if not _same_file(target, current, data.inode if isinstance(data, Reuse) else None):
                _replace(target, partial(os.link, current))
            continue
        assert isinstance(data, bytes)
        _replace(target, partial(_write_bytes, data))
        changed += name != MARKER
    keep = set()
    for folder in made:
        while folder.startswith(spare_root + "/") and folder not in keep:
            keep.add(folder)
            folder = os.path.dirname(folder)
    _remove_others(spare_root, wanted, keep)
    _exchange(spare, out)
    return changed


def _write_bytes(data: bytes, path: str) -> None:
    with open(path, "wb") as out:
        out.write(data)


def _make_dir(folder: str, top: str, made: set[str]) -> None:
    """Make ``folder`` under ``top`` a real folder, with real folders all the way down from ``top``,
    and add each to ``made``.

    What stands in the way is replaced: a file, or a symlink, which would have the files below
    it written wherever it points.
    """
    if folder == top or folder in made:
        return
    _make_dir(os.path.dirname(folder), top, made)
    if not os.path.isdir(folder) or os.path.islink(folder):
        if os.path.lexists(folder):
            os.unlink(folder)
        os.mkdir(folder)
    made.add(folder)


def _same_file(a: str, b: str, b_inode: tuple[int, int] | None = None) -> bool:
    try:
        first = os.stat(a, follow_symlinks=False)
        if b_inode is None:
            second = os.stat(b)
            b_inode = (second.st_ino, second.st_dev)
    except OSError:
        return False
    return (first.st_ino, first.st_dev) == b_inode


def _replace(target: str, fill: Callable[[str], object]) -> None:
    """Put a new file at ``target`` by making it under a temporary name and renaming it over."""
    if os.path.isdir(target) and not os.path.islink(target):
        shutil.rmtree(target)
    temp = f"{os.path.dirname(target)}/.{os.path.basename(target)}.{os.getpid()}.tmp"
    try:
        fill(temp)
        os.replace(temp, target)
    except BaseException:
        if os.path.lexists(temp):
            os.unlink(temp)
        raise


def _remove_others(spare: str, wanted: set[str], kept_dirs: set[str]) -> None:
    """Delete whatever the spare folder holds beyond the wanted files and their folders."""
    pending = [(spare, "")]
    while pending:
        folder, prefix = pending.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                rel = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    if entry.path in kept_dirs:
                        pending.append((entry.path, rel + "/"))
                    else:
                        shutil.rmtree(entry.path, ignore_errors=True)
                elif rel not in wanted:
                    os.unlink(entry.path)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(spare: Path, out: Path) -> None:
    """Swap the two folders in one step where the system allows it (Linux renameat2)."""
    if not out.exists():
        os.rename(spare, out)
        return
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is not None:
        if renameat2(_AT_FDCWD, os.fsencode(spare), _AT_FDCWD, os.fsencode(out), _RENAME_EXCHANGE) == 0:
            return
        log.debug("renameat2 failed with errno %d; swapping in two steps", ctypes.get_errno())
    aside = out.with_name(f".{out.name}.swap-{os.getpid()}")
    os.rename(out, aside)
    os.rename(spare, out)
    os.rename(aside, spare)


def _same_bytes(path: str, data: bytes) -> bool:
    try:
        info = os.stat(path, follow_symlinks=False)
        if info.st_size != len(data) or not stat.S_ISREG(info.st_mode):
            return False
        with open(path, "rb") as current:
            return current.read() == data
    except OSError:
        return False
