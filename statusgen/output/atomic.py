"""Files written whole or not at all: a temporary file beside the target, renamed over it.

A person's file is never half-written, and never replaced by something else without notice: a
change made to it while an edit was being prepared is detected, and the temporary files an
interrupted writer leaves behind are recognised and removed once they are stale.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import re
import stat
import tempfile
import time
from pathlib import Path

from statusgen.errors import StatusgenError

try:
    import fcntl
except ImportError:  # Windows has no fcntl: there, only a temporary file's age tells that it is stale
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)


# The names write_atomically gives its temporary files: tempfile.mkstemp puts 8 characters from
# this alphabet between the prefix ".NAME." and the suffix ".tmp".
_TEMP_NAME = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")


# How long a temporary file must lie untouched before it counts as left behind. A living writer
# holds a lock on its file, so this only covers the instant between creating and locking it, and
# systems without locks.
STALE_AFTER = 60.0


def write_atomically(
    path: Path, text: str, *, durable: bool = True, rel: str | None = None, expected: bytes | None = None
) -> None:
    """Replace ``path`` with ``text`` so that readers see the old file or the new, never half.

    The file keeps its mode, and both it and its folder are synced before this returns, so that a
    crash or power loss leaves the old text or the new one on disk; ``durable=False`` leaves out
    the syncs, for files that can be made again (a cache), where a lost write costs only time.
    Temporary files that earlier writes left behind when they were killed are removed first.

    With ``expected``, the file must still hold exactly those bytes right before it is replaced:
    an edit never overwrites what someone saved after it read the file. With ``rel`` (the file as
    the user knows it), a failure to write is a StatusgenError naming it; the file is left as it was.
    """
    try:
        _replace(path, text, durable, rel, expected)
    except OSError as exc:
        if rel is None:
            raise
        raise StatusgenError(
            f"cannot write the file: {exc.strerror or exc}; nothing was written", rel, 0, _write_hint(exc)
        ) from None


def _write_hint(exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return (
            "free some space on the disk (or raise your quota) and run the command again; the file was left as it was"
        )
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "check that you may write to the file and its folder; the file was left as it was"
    return "the file was left as it was; run the command again once the cause is fixed"


def _replace(path: Path, text: str, durable: bool, rel: str | None, expected: bytes | None) -> None:
    folder = path.parent
    remove_stale_temporaries(folder)
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = _new_file_mode()
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        _claim(handle)
        os.chmod(temp, mode)
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            if durable:
                os.fsync(out.fileno())
            if expected is not None and _current_bytes(path) != expected:
                raise StatusgenError(
                    "the file changed while statusgen was editing it; nothing was written",
                    rel or str(path),
                    0,
                    "look at what changed, then run the command again",
                )
            # Renamed while still locked: a cleaner never takes a file being written for stale.
            os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    if durable:
        _sync_folder(folder)


def _current_bytes(path: Path) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def create_exclusively(path: Path, text: str) -> None:
    """Write a new file, failing rather than overwriting one that appeared meanwhile.

    The text is written to a temporary file and linked into place, so that the file appears
    whole or not at all.
    """
    folder = path.parent
    remove_stale_temporaries(folder)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        _claim(handle)
        os.chmod(temp, _new_file_mode())
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
            try:
                os.link(temp, path)  # fails if the name is taken, as open(path, "x") would
            except FileExistsError:
                raise FileExistsError(errno.EEXIST, "the file already exists", str(path)) from None
            except OSError:  # a file system without hard links: create the name exclusively
                _copy_exclusively(temp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
    _sync_folder(folder)


def _copy_exclusively(temp: str, path: Path) -> None:
    data = Path(temp).read_bytes()
    with open(path, "xb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


def _new_file_mode() -> int:
    """The mode ``open()`` gives a new file: read and write for all, less the umask."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def _claim(handle: int) -> None:
    """Lock a temporary file for as long as it is being written: what tells a cleaner that its
    writer is still alive (the system drops the lock when the process dies, however it dies)."""
    if fcntl is not None:
        fcntl.flock(handle, fcntl.LOCK_EX)


def _sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable: the new name is in the folder only once it is synced."""
    try:
        handle = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:  # some systems cannot open a folder; the rename stands, only its durability waits
        return
    try:
        os.fsync(handle)
    except OSError:
        log.debug("cannot sync folder %s", folder)
    finally:
        os.close(handle)


def remove_stale_temporaries(folder: Path, now: float | None = None) -> list[Path]:
    """Remove the temporary files that writes killed midway left in ``folder``; return them.

    Only a name write_atomically makes (``.NAME.XXXXXXXX.tmp``, the 8 characters from
    tempfile.mkstemp) is considered, and only a regular file of this user, untouched for
    STALE_AFTER seconds and not locked by a living writer. Anything else is a person's file.
    """
    now = time.time() if now is None else now
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        if _TEMP_NAME.fullmatch(entry.name) and _remove_if_stale(Path(entry.path), now):
            log.info("removed %s, left by a write that did not finish", entry.path)
            removed.append(Path(entry.path))
    return removed


def _remove_if_stale(path: Path, now: float) -> bool:
    try:
        info = os.lstat(path)
    except OSError:
        return False
    if not stat.S_ISREG(info.st_mode) or now - info.st_mtime < STALE_AFTER:
        return False
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        return False
    try:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return False
    try:
        if fcntl is not None:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:  # its writer is alive and holds the lock
                return False
        opened, current = os.fstat(handle), os.lstat(path)
        # Still the very file that was checked, not one that took its name meanwhile.
        if (opened.st_dev, opened.st_ino) != (info.st_dev, info.st_ino) or (current.st_dev, current.st_ino) != (
            info.st_dev,
            info.st_ino,
        ):
            return False
        os.unlink(path)
        return True
    except OSError:
        return False
    finally:
        os.close(handle)
