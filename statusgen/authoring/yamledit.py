"""Editing incident files in place without disturbing what the engineer wrote.

Updates are appended as text, right after the last existing update, so comments, key order,
quoting and the markdown body keep their bytes. Every edit is checked by parsing the result back
before it is written, and written atomically (a temporary file renamed over the original).
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
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml

from statusgen.load import yamltext
from statusgen.errors import StatusgenError
from statusgen.load.incidents import split_front_matter
from statusgen.timeutil import iso

try:
    import fcntl
except ImportError:  # Windows has no fcntl: there, only a temporary file's age tells that it is stale
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

# Characters a literal block cannot hold as they are: controls, and what YAML takes for line breaks.
_NOT_LITERAL = re.compile("^\t|[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
# The names write_atomically gives its temporary files: tempfile.mkstemp puts 8 characters from
# this alphabet between the prefix ".NAME." and the suffix ".tmp".
_TEMP_NAME = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")
# How long a temporary file must lie untouched before it counts as left behind. A living writer
# holds a lock on its file, so this only covers the instant between creating and locking it, and
# systems without locks.
STALE_AFTER = 60.0
LOCK_FOLDER = ".statusgen"
EDIT_LOCK = f"{LOCK_FOLDER}/edit.lock"
# How long an edit waits for another to finish: far beyond any real edit.
LOCK_TIMEOUT = 60.0


@dataclass(frozen=True)
class NewUpdate:
    at: datetime
    status: str
    message: str
    components: dict[str, str]


def write_atomically(path: Path, text: str, *, durable: bool = True, rel: str | None = None,
                     expected: bytes | None = None) -> None:
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
        raise StatusgenError(f"cannot write the file: {exc.strerror or exc}; nothing was written", rel, 0,
                             _write_hint(exc)) from None


def _write_hint(exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return ("free some space on the disk (or raise your quota) and run the command again; "
                "the file was left as it was")
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
                raise StatusgenError("the file changed while statusgen was editing it; nothing was written",
                                     rel or str(path), 0, "look at what changed, then run the command again")
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
                    raise StatusgenError(f"another edit of this repository has held {EDIT_LOCK} for "
                                         f"{timeout:.0f} s; nothing was written", EDIT_LOCK, 0,
                                         "wait for it to finish, then run the command again") from None
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
        raise StatusgenError(f"cannot take the edit lock: {exc.strerror or exc}", EDIT_LOCK, 0,
                             "statusgen needs to write to the repository's folder") from None
    try:
        folder_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        reason = "it is a symlink" if exc.errno in (errno.ELOOP, errno.ENOTDIR) and folder.is_symlink() \
            else exc.strerror or str(exc)
        raise StatusgenError(f"cannot take the edit lock: {LOCK_FOLDER} {reason}", LOCK_FOLDER, 0, hint) from None
    try:
        handle = os.open("edit.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644,
                         dir_fd=folder_fd)
    except OSError as exc:
        reason = "it is a symlink" if exc.errno == errno.ELOOP else exc.strerror or str(exc)
        raise StatusgenError(f"cannot take the edit lock: {reason}", EDIT_LOCK, 0, hint) from None
    finally:
        os.close(folder_fd)
    if not stat.S_ISREG(os.fstat(handle).st_mode):
        os.close(handle)
        raise StatusgenError("cannot take the edit lock: it is not a file", EDIT_LOCK, 0, hint)
    return handle


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
        if (opened.st_dev, opened.st_ino) != (info.st_dev, info.st_ino) or \
                (current.st_dev, current.st_ino) != (info.st_dev, info.st_ino):
            return False
        os.unlink(path)
        return True
    except OSError:
        return False
    finally:
        os.close(handle)


def edit_target(root: Path, path: Path, rel: str) -> Path:
    """The file an edit of ``rel`` (at ``path``) writes to: the file itself, or, when it is a
    symlink, the file the link points to, so that the link stays a link. A target outside the
    repository, or inside its ``.git``, is refused."""
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        raise StatusgenError("cannot follow this symlink: it is broken or loops", rel, 1,
                             "point the link at a file in the repository, or replace it with the file") from None
    base = root.resolve()
    if not target.is_relative_to(base):
        raise StatusgenError(f"this is a symlink to {target}, outside the repository; nothing was written", rel, 1,
                             "statusgen edits only files in the repository: copy the file in instead of linking it")
    inside = target.relative_to(base)
    if ".git" in inside.parts:
        raise StatusgenError(f"this is a symlink into git's own folder ({inside.as_posix()}); nothing was written",
                             rel, 1, "point the link at a file outside .git, or replace it with the file")
    return target


def scalar(text: str, indent: int) -> str:
    """``text`` as a YAML value for a ``key: `` at ``indent``.

    Multi-line text becomes a literal block, which reads like the message itself; text a literal
    block cannot hold exactly (control characters, tabs or spaces at a line's start or end) is
    written double-quoted, with escapes.
    """
    body = text.strip("\n")
    lines = body.split("\n")
    literal = len(lines) > 1 and not any(_NOT_LITERAL.search(line) or line != line.rstrip() for line in lines)
    if not literal:
        plain = len(lines) == 1 and not _NOT_LITERAL.search(body)
        dumped = yaml.safe_dump(body, allow_unicode=True, width=2**20, default_style=None if plain else '"')
        return dumped.removesuffix("\n...\n").rstrip("\n")
    indicator = "|2" if lines[0].startswith(" ") else "|"
    pad = " " * (indent + 2)
    return indicator + "\n" + "\n".join(pad + line if line else "" for line in lines)


def render_update(update: NewUpdate, dash: int, content: int, newline: str = "\n") -> str:
    """A sequence item for ``update``: the dash at column ``dash``, keys at column ``content``."""
    pad = " " * content
    lines = [f"{' ' * dash}-{' ' * (content - dash - 1)}at: {iso(update.at)}", f"{pad}status: {update.status}"]
    if update.components:
        pairs = ", ".join(f"{cid}: {status}" for cid, status in update.components.items())
        lines.append(f"{pad}components: {{{pairs}}}")
    lines.append(f"{pad}message: {scalar(update.message, content)}".replace("\n", newline))
    return newline.join(lines) + newline


def _front_matter_span(text: str, rel: str) -> tuple[int, int]:
    """Start and end offsets of the YAML in the file: exactly the text the build parses."""
    bom = len(text) - len(text.lstrip("\ufeff"))
    if not rel.endswith(".md"):
        return bom, len(text)
    front, _, _ = split_front_matter(text[bom:], rel)
    start = bom + len(text[bom:].splitlines(keepends=True)[0])
    return start, start + len(front)


def compose(text: str, rel: str, first_line: int) -> yaml.Node | None:
    """The YAML node tree of ``text``, read by the parser the build reads it with (libyaml, or
    the pure-Python parser for text that could nest deeply), so that what a build accepts an
    edit can read too: the two parsers disagree on tabs after values, a BOM at a line's start,
    and more."""
    loader = (yamltext._SafeLoader if yamltext._may_nest_deeply(text) else yamltext._Loader)(text)
    try:
        return loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + (mark.line if mark else 0)
        raise StatusgenError(f"invalid YAML: {exc.problem or exc}", rel, line, "run statusgen check") from None
    except (yaml.YAMLError, RecursionError) as exc:
        raise StatusgenError(f"invalid YAML: {exc}", rel, first_line, "run statusgen check") from None
    finally:
        loader.dispose()


def _end_of(node: yaml.Node) -> yaml.Mark:
    """Where a node's own text ends (block collections end at the next token, after comments)."""
    if isinstance(node, yaml.MappingNode) and not node.flow_style and node.value:
        return _end_of(node.value[-1][1])
    if isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
        return _end_of(node.value[-1])
    return node.end_mark


def line_ending(text: str, rel: str) -> str:
    """The file's line ending, taken from its first line; old Mac files (CR alone) are refused."""
    if "\r" in text.replace("\r\n", ""):
        raise StatusgenError("the file ends lines with a lone CR; statusgen can only edit LF or CRLF files",
                             rel, 1, "save it with LF line endings")
    return "\r\n" if text.split("\n", 1)[0].endswith("\r") else "\n"


def _dash_column(front: str, item: yaml.Node) -> int:
    """The column of the '-' that opens a sequence item."""
    dash = front.rindex("-", 0, item.start_mark.index)
    return dash - (front.rfind("\n", 0, dash) + 1)


def append_update(text: str, rel: str, update: NewUpdate) -> str:
    """The file's text with ``update`` appended to its ``updates`` list."""
    newline = line_ending(text, rel)
    start, end = _front_matter_span(text, rel)
    front = text[start:end]
    first_line = text.count("\n", 0, start) + 1
    root = compose(front, rel, first_line)
    updates = next((value for key, value in getattr(root, "value", []) if key.value == "updates"), None)
    if not isinstance(updates, yaml.SequenceNode) or not updates.value:
        raise StatusgenError("no updates list to add to", rel, 1)
    if updates.flow_style:
        raise StatusgenError("'updates' is written on one line as [ ... ]; statusgen can only add to a "
                             "list with one '- ' item per update", rel, first_line + updates.start_mark.line,
                             "write the updates as a block list, one '- at:' item per update")
    first = updates.value[0]
    dash = _dash_column(front, first)
    content = max(first.start_mark.column, dash + 2)
    last_end = _end_of(updates.value[-1])
    # At a line's start as an editor sees lines: YAML also breaks lines at U+0085, U+2028, U+2029.
    if last_end.index == 0 or front[last_end.index - 1] == "\n":
        cut = last_end.index
    else:
        following = front.find("\n", last_end.index)
        cut = len(front) if following == -1 else following + 1
    before = front[:cut]
    if before and not before.endswith("\n"):
        before += newline
    item = render_update(update, dash, content, newline)
    return text[:start] + before + item + front[cut:] + text[end:]
