"""The one place that touches the output directory.

A build is laid out in a spare folder beside the output and then swapped into place in one step,
so readers (and the server in ``statusgen serve``) never see a half-written site, and a failed
build leaves the old one as it was, and removes the spare folder. Files whose bytes did not change
are carried over as they were, mtime included. Both folders carry ``MARKER``: a folder without it
(and not empty), a file or a symlink where either should be is a person's, and is refused, never
replaced.
"""

from __future__ import annotations

import ctypes
import errno
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


MARKER = ".statusgen-site"
NAME_MAX = 255  # bytes in one file name, on the file systems sites are built on
_MARKER_TEXT = b"This folder is written by 'statusgen build' and replaced whole by every build.\n"
# Folders of a status repository that the build reads, or that hold what people keep there.
INPUT_DIRS = ("incidents", "themes", "templates", ".git", ".github", ".statusgen")
_OWN_FOLDER = "build into a folder of its own, such as site/"


def check_output_dir(out: Path, root: Path, inputs: Iterable[Path] = ()) -> None:
    """Refuse an output directory, or a spare folder beside it, that statusgen may not replace.

    The output must be new, empty, or written by statusgen (it carries ``MARKER``); so must the
    spare folder ``spare_dir(out)``. It may not be the repository, hold it, or lie inside a
    folder the build reads (``INPUT_DIRS`` and ``inputs``).
    """
    try:
        _check_output_dir(out, root, inputs)
        check_spare(spare_dir(out.absolute()))
    except OSError as exc:
        raise _failure(exc, exc.filename or out, out, "cannot inspect the output directory") from None


def _check_output_dir(out: Path, root: Path, inputs: Iterable[Path]) -> None:
    where = str(out)
    if out.is_symlink():
        # The build swaps whole folders by renaming them, which would move the link, not write
        # where it points; and a link committed to the repository could point anywhere.
        raise StatusgenError(
            f"output directory {out} is a symlink; refusing to write through it",
            where,
            0,
            "build into a real folder, or give --out the folder the link points to",
        )
    if os.path.lexists(out) and not out.is_dir():
        raise StatusgenError(f"output directory {out} is a file; refusing to replace it", where, 0, _OWN_FOLDER)
    resolved, top = out.resolve(), root.resolve()
    if resolved == top or top.is_relative_to(resolved):
        raise StatusgenError(f"output directory {out} contains the status repository", where, 0, _OWN_FOLDER)
    for folder in [top / name for name in INPUT_DIRS] + list(inputs):
        folder = folder.resolve()
        if resolved.is_relative_to(folder):
            shown = folder.relative_to(top).as_posix() + "/" if folder.is_relative_to(top) else str(folder)
            place = "is" if resolved == folder else "is inside"
            raise StatusgenError(
                f"output directory {out} {place} {shown}; refusing to write there",
                where,
                0,
                f"build into a folder of its own outside {shown}, such as site/",
            )
    for marker in ("statusgen.yaml", ".git"):
        if (out / marker).exists():
            raise StatusgenError(
                f"output directory {out} holds {marker}; refusing to replace it", where, 0, _OWN_FOLDER
            )
    if out.is_dir() and not _is_ours(out) and any(out.iterdir()):
        raise StatusgenError(
            f"output directory {out} has files that statusgen did not write; refusing to replace it",
            where,
            0,
            "remove the folder, or build into a folder of its own, such as site/",
        )
    if out.is_dir():
        check_strangers(out)


def check_spare(spare: Path) -> bool:
    """Whether the spare folder exists; refuse it if it is not statusgen's (or empty)."""
    try:
        info = os.lstat(spare)
    except FileNotFoundError:
        return False
    if stat.S_ISDIR(info.st_mode) and (_is_ours(spare) or not any(spare.iterdir())):
        check_strangers(spare)
        return True
    kind = "symlink" if stat.S_ISLNK(info.st_mode) else "folder" if stat.S_ISDIR(info.st_mode) else "file"
    what = "has files that statusgen did not write" if kind == "folder" else f"is a {kind}"
    raise StatusgenError(
        f"the spare output folder {what}; refusing to replace it",
        str(spare),
        0,
        f"statusgen keeps the build before the current one in {spare.name}: move this "
        f"{kind} away, or build into another folder with --out",
    )


def marker_text(tops: Iterable[str]) -> bytes:
    """The marker's bytes: what it is, then each name the build wrote at the top, one a line."""
    return _MARKER_TEXT + "".join(f"{name}\n" for name in sorted(tops)).encode()


def check_strangers(folder: Path) -> None:
    """Refuse a folder statusgen wrote that now holds, at its top, something it did not write.

    A build replaces the whole folder, so a file put there by hand (a CNAME, a verification
    file) would be lost. Markers of older builds name nothing; their folders are not checked.
    """
    try:
        names = (folder / MARKER).read_bytes()[len(_MARKER_TEXT) :].decode("utf-8", "replace").splitlines()
        present = sorted(entry.name for entry in os.scandir(folder))
    except OSError:
        return
    if not names:
        return
    known = set(names) | {MARKER}
    strangers = [name for name in present if name not in known]
    if strangers:
        shown = ", ".join(strangers[:5]) + (f" and {len(strangers) - 5} more" if len(strangers) > 5 else "")
        raise StatusgenError(
            f"{folder} holds {shown}, which statusgen did not write; a build would remove it",
            str(folder / strangers[0]),
            0,
            f"move it out of {folder.name}/: every build replaces the whole folder",
        )


def _is_ours(folder: Path) -> bool:
    """The folder carries the marker every build writes (a file, not a link to one)."""
    try:
        return stat.S_ISREG(os.lstat(folder / MARKER).st_mode)
    except OSError:
        return False


def safe_relative(name: str) -> str:
    """An output path that stays inside the output directory, as given.

    Output paths are made from validated ids, so an unsafe one is a bug, not bad input; an id
    longer than a file name may be is the input's.
    """
    parts = name.split("/")
    if (
        not name
        or name.startswith((".", "/"))
        or any(p in ("", ".", "..") for p in parts)
        or "\0" in name
        or "\\" in name
    ):
        raise ValueError(f"unsafe output path {name!r}")
    longest = max(parts, key=lambda p: len(p.encode()))
    if len(longest.encode()) > NAME_MAX:
        raise StatusgenError(
            f"the output file name {longest[:40]}... is {len(longest.encode())} bytes long; "
            f"file names have at most {NAME_MAX}",
            name,
            0,
            "shorten the id it is made from",
        )
    return name


def spare_dir(out: Path) -> Path:
    """The folder the next build is laid out in: the build before the current one."""
    return out.with_name(f".{out.name}.previous")


def write_tree(out: Path, files: Iterable[tuple[str, bytes | Reuse]] | Iterable[tuple[str, bytes]]) -> int:
    """Make ``out`` hold exactly ``files``, all at once; return how many files changed or are new.

    The new tree is laid out in a spare folder beside ``out`` (the build before the current one,
    brought up to date in place, so a rebuild creates only what changed), then the two folders
    are exchanged in one step. A ``Reuse`` in place of bytes carries the current file over unread.
    Whatever fails, fails before the exchange: ``out`` is then as it was, the spare folder is
    removed, and a failure to write is a StatusgenError naming the path.
    """
    out = out.absolute()
    spare = spare_dir(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        if not check_spare(spare):
            spare.mkdir()
    except OSError as exc:
        raise _failure(exc, exc.filename or spare, out) from None
    layout = _Layout(str(spare), str(out))
    try:
        changed = layout.fill(files)
        layout.current = str(spare)
        _exchange(spare, out)
    except BaseException as exc:
        # The spare folder is statusgen's (checked above): a half-updated one is worth nothing,
        # and on a full disk it holds the space the next build needs.
        _discard(spare)
        if isinstance(exc, OSError):
            raise _failure(exc, _culprit(exc, out) or layout.current, out) from None
        raise
    return changed


def _culprit(exc: OSError, out: Path) -> str | None:
    """The path an error names, unless it is a temporary file or a file carried over from
    ``out``: then the file being written says more."""
    name = exc.filename
    if not isinstance(name, str) or name.startswith(f"{out}/") or name.endswith(f".{os.getpid()}.tmp"):
        return None
    return name


class _Layout:
    """Brings the spare folder up to date, file by file, from the current output and new bytes."""

    def __init__(self, spare: str, out: str):
        self.spare, self.out = spare, out
        self.current = spare  # what is being written, for the error if it fails
        self.made: set[str] = set()
        self.unlocked = False

    def fill(self, files: Iterable[tuple[str, bytes | Reuse]] | Iterable[tuple[str, bytes]]) -> int:
        changed = 0
        wanted: set[str] = set()
        tops: set[str] = set()
        for name, data in files:
            rel = safe_relative(name)
            wanted.add(rel)
            tops.add(rel.split("/", 1)[0])
            changed += self._put_unlocking(rel, data)
        # The marker, written last, names what this build put at the top of the folder, so the
        # next build can tell a file someone put there from one of its own.
        wanted.add(MARKER)
        self._put_unlocking(MARKER, marker_text(tops))
        keep = set()
        for folder in self.made:
            while folder.startswith(self.spare + "/") and folder not in keep:
                keep.add(folder)
                folder = os.path.dirname(folder)
        try:
            self._remove_others(wanted, keep)
        except PermissionError:
            if not self._unlock():
                raise
            self._remove_others(wanted, keep)
        return changed

    def _put_unlocking(self, rel: str, data: bytes | Reuse) -> bool:
        try:
            return self._put(rel, data)
        except PermissionError:
            if not self._unlock():
                raise
            return self._put(rel, data)

    def _put(self, rel: str, data: bytes | Reuse) -> bool:
        """Put one file in the spare folder; whether its bytes are new."""
        target, current = f"{self.spare}/{rel}", f"{self.out}/{rel}"
        self.current = target
        parent = os.path.dirname(target)
        if parent not in self.made:
            _make_dir(parent, self.spare, self.made)
        if isinstance(data, Reuse) or _same_bytes(current, data):
            if not _same_file(target, current, data.inode if isinstance(data, Reuse) else None):
                _replace(target, partial(os.link, current))
            return False
        _replace(target, partial(_write_bytes, data))
        return True

    def _unlock(self) -> bool:
        """Make the spare folder's folders writable, once: it is the site of an earlier build,
        which may have been made read-only while it was the output. Whether it was tried now."""
        if self.unlocked:
            return False
        self.unlocked = True
        log.info("making %s writable again", self.spare)
        _make_writable(self.spare)
        return True

    def _remove_others(self, wanted: set[str], kept_dirs: set[str]) -> None:
        """Delete whatever the spare folder holds beyond the wanted files and their folders."""
        pending = [(self.spare, "")]
        while pending:
            folder, prefix = pending.pop()
            with os.scandir(folder) as entries:
                for entry in entries:
                    rel = prefix + entry.name
                    self.current = entry.path
                    if entry.is_dir(follow_symlinks=False):
                        if entry.path in kept_dirs:
                            pending.append((entry.path, rel + "/"))
                        else:
                            # Not ignoring errors: a folder left here would be published.
                            shutil.rmtree(entry.path)
                    elif rel not in wanted:
                        os.unlink(entry.path)


def _make_writable(top: str) -> None:
    """Give the owner full access to every folder under ``top``, ``top`` included.

    Only folders: the files may be hard links shared with the current output, whose modes are
    not the spare folder's to change, and replacing or removing a file needs only its folder.
    """
    pending = [top]
    while pending:
        folder = pending.pop()
        mode = os.lstat(folder).st_mode
        if mode & stat.S_IRWXU != stat.S_IRWXU:
            os.chmod(folder, stat.S_IMODE(mode) | stat.S_IRWXU)
        with os.scandir(folder) as entries:
            pending += [entry.path for entry in entries if entry.is_dir(follow_symlinks=False)]


def _discard(spare: Path) -> None:
    """Remove the spare folder after a failed build, making it writable first if need be."""
    for attempt in range(2):
        try:
            if attempt:
                _make_writable(str(spare))
            shutil.rmtree(spare)
            return
        except FileNotFoundError:
            return
        except OSError as exc:
            failure = exc
    log.warning("could not remove %s after the failed build: %s", spare, failure.strerror or failure)


def _failure(
    exc: OSError, path: str | os.PathLike[str], out: Path, doing: str = "cannot write the new site"
) -> StatusgenError:
    """A StatusgenError for ``exc`` at ``path``, with a hint suited to its cause."""
    path = os.fspath(path)
    spare = str(spare_dir(out))
    reason = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        hint = f"free some space on the disk that holds {out.parent}"
    elif exc.errno in (errno.EACCES, errno.EPERM) and (path + "/").startswith(spare + "/"):
        hint = (
            f"make {spare} writable (chmod -R u+w, chattr -R -i) or remove it: "
            "it holds only the build before the current one"
        )
    elif exc.errno in (errno.EACCES, errno.EPERM):
        hint = "make it writable for the user running statusgen, or build elsewhere with --out"
    elif exc.errno == errno.EROFS:
        hint = "the file system is read-only: build onto a writable one with --out"
    else:
        hint = None
    unchanged = f"{out} was left as it was"
    return StatusgenError(f"{doing}: {reason}", path, 0, f"{hint}; {unchanged}" if hint else unchanged)


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


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(spare: Path, out: Path) -> None:
    """Swap the two folders in one step where the system allows it (Linux renameat2).

    Raises only while ``out`` is as it was.
    """
    if not os.path.lexists(out):
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
    try:
        os.rename(spare, out)
    except OSError:
        os.rename(aside, out)
        raise
    try:
        os.rename(aside, spare)
    except OSError as exc:
        # The new site is in place: what is left aside is only the previous one.
        log.warning("the previous site was left in %s: %s", aside, exc.strerror or exc)


def _same_bytes(path: str, data: bytes) -> bool:
    try:
        info = os.stat(path, follow_symlinks=False)
        if info.st_size != len(data) or not stat.S_ISREG(info.st_mode):
            return False
        with open(path, "rb") as current:
            return current.read() == data
    except OSError:
        return False
