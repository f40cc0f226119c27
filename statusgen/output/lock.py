"""One build of a repository at a time, and one edit: locks on ``.statusgen/build.lock`` and
``.statusgen/edit.lock``.

Two builds at once (``statusgen serve`` rebuilding while someone runs ``statusgen build``) would
lay out their sites in the same spare folder, and the later's cache would describe the earlier's
files. The lock is an flock, so the system releases it when its holder exits, however it exits.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from statusgen.errors import StatusgenError

log = logging.getLogger(__name__)

LOCK_PATH = ".statusgen/build.lock"
# How long a build waits for another to finish before it gives up: far beyond any real build.
TIMEOUT = 600.0
_POLL = 0.1


@contextmanager
def build_lock(root: Path, report: Callable[[str], None], timeout: float = TIMEOUT) -> Iterator[None]:
    """Hold the repository's build lock; if another build holds it, ``report`` that and wait for
    it up to ``timeout`` seconds, then refuse with a StatusgenError."""
    path = root / LOCK_PATH
    handle = _open(path)
    if handle is None:
        yield
        return
    try:
        _acquire(handle, report, timeout)
        _write_pid(handle)
        try:
            yield
        finally:
            with contextlib.suppress(OSError):  # a waiter reading it now finds no pid rather than a stale one
                os.ftruncate(handle, 0)
    finally:
        os.close(handle)  # releases the lock


def _open(path: Path) -> int | None:
    """The lock file, open; None if the repository may not be written to."""
    try:
        handle = _open_in_state_folder(path)
    except OSError as exc:
        if exc.errno not in (errno.EROFS, errno.EACCES, errno.EPERM):
            raise _refusal(path, exc) from None
        # A repository the build may not write to (a read-only checkout built with --no-cache)
        # still builds; only then can two builds of it meet.
        log.warning("%s: cannot take the build lock (%s); building without it", path, exc.strerror)
        return None
    if not stat.S_ISREG(os.fstat(handle).st_mode):
        os.close(handle)
        raise StatusgenError(
            "cannot take the build lock: it is not a file",
            LOCK_PATH,
            0,
            f"statusgen keeps its build lock in {LOCK_PATH}: move what is in the way",
        )
    return handle


def _open_in_state_folder(path: Path) -> int:
    """``path`` opened (created if need be) in its folder, through no symlink: neither the file nor
    its folder (``.statusgen``) may be one, as either could come with the repository and lead the
    lock file, which is truncated to hold the pid, out of it."""
    try:
        path.parent.mkdir()
    except FileExistsError:
        pass
    folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        return os.open(path.name, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644, dir_fd=folder)
    finally:
        os.close(folder)


def _refusal(path: Path, exc: OSError) -> StatusgenError:
    state = LOCK_PATH.split("/")[0]
    if os.path.islink(path.parent):
        return StatusgenError(
            f"cannot take the build lock: {state} is a symlink",
            state,
            0,
            f"{state}/ holds statusgen's local state in the repository: remove the link "
            "(and, if git tracks it, 'git rm' it)",
        )
    reason = "it is a symlink" if exc.errno == errno.ELOOP else exc.strerror or str(exc)
    return StatusgenError(
        f"cannot take the build lock: {reason}",
        LOCK_PATH,
        0,
        f"statusgen keeps its build lock in {LOCK_PATH}: move what is in the way",
    )


def _write_pid(handle: int) -> None:
    """Write this process's id in the lock, for a waiting build to name; a full disk leaves it out,
    which costs only that name."""
    try:
        os.ftruncate(handle, 0)
        os.pwrite(handle, f"{os.getpid()}\n".encode(), 0)
    except OSError as exc:
        log.info("cannot write the pid into the build lock (%s); holding it all the same", exc.strerror)


def _acquire(handle: int, report: Callable[[str], None], timeout: float) -> None:
    if _try_lock(handle):
        return
    holder = _holder(handle)
    report(f"waiting for another build of this repository{f' (pid {holder})' if holder else ''} to finish")
    deadline = time.monotonic() + timeout
    while True:
        time.sleep(max(0.0, min(_POLL, deadline - time.monotonic())))
        if _try_lock(handle):
            return
        if time.monotonic() >= deadline:
            holder = _holder(handle) or holder
            raise StatusgenError(
                f"another build of this repository{f' (pid {holder})' if holder else ''} "
                f"did not finish within {timeout:g} s; nothing was written",
                LOCK_PATH,
                0,
                "wait for it to finish, or stop it, then build again",
            )


def _try_lock(handle: int) -> bool:
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError as exc:
        raise StatusgenError(
            f"cannot take the build lock: {exc.strerror or exc}",
            LOCK_PATH,
            0,
            "keep the repository on a local file system",
        ) from None
    return True


def _holder(handle: int) -> int | None:
    """The pid the lock's holder wrote, if it has written it yet."""
    text = os.pread(handle, 32, 0).decode("ascii", "replace").strip()
    return int(text) if text.isdigit() else None


LOCK_FOLDER = ".statusgen"


EDIT_LOCK = f"{LOCK_FOLDER}/edit.lock"


# How long an edit waits for another to finish: far beyond any real edit.
LOCK_TIMEOUT = 60.0


@contextlib.contextmanager
def edit_lock(root: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the repository's edit lock (``.statusgen/edit.lock``), waiting up to ``timeout``
    seconds for another edit to finish: two edits of one file at once would each write their own
    reading of it, and one would be lost.

    The lock lives outside incidents/, where it could be read as content or committed. A
    ``.statusgen`` that is a symlink (which a clone can bring) is refused, not followed.
    """
    if fcntl is None:  # no flock on this system: edits are not serialised
        yield
        return
    handle = _open_lock(root)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise StatusgenError(
                        f"another edit of this repository has held {EDIT_LOCK} for "
                        f"{timeout:.0f} s; nothing was written",
                        EDIT_LOCK,
                        0,
                        "wait for it to finish, then run the command again",
                    ) from None
                time.sleep(0.02)
        yield
    finally:
        os.close(handle)  # releases the lock


def _open_lock(root: Path) -> int:
    folder = root / LOCK_FOLDER
    hint = f"statusgen keeps its edit lock in {EDIT_LOCK}: move what is in the way"
    try:
        os.mkdir(folder)
    except FileExistsError:
        pass
    except OSError as exc:
        raise StatusgenError(
            f"cannot take the edit lock: {exc.strerror or exc}",
            EDIT_LOCK,
            0,
            "statusgen needs to write to the repository's folder",
        ) from None
    try:
        folder_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        reason = (
            "it is a symlink"
            if exc.errno in (errno.ELOOP, errno.ENOTDIR) and folder.is_symlink()
            else exc.strerror or str(exc)
        )
        raise StatusgenError(f"cannot take the edit lock: {LOCK_FOLDER} {reason}", LOCK_FOLDER, 0, hint) from None
    try:
        handle = os.open("edit.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644, dir_fd=folder_fd)
    except OSError as exc:
        reason = "it is a symlink" if exc.errno == errno.ELOOP else exc.strerror or str(exc)
        raise StatusgenError(f"cannot take the edit lock: {reason}", EDIT_LOCK, 0, hint) from None
    finally:
        os.close(folder_fd)
    if not stat.S_ISREG(os.fstat(handle).st_mode):
        os.close(handle)
        raise StatusgenError("cannot take the edit lock: it is not a file", EDIT_LOCK, 0, hint)
    return handle
