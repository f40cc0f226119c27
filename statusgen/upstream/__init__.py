"""Fetching the status of upstream pages at build time, and keeping the last good one.

Each build (but ``--offline`` ones and ``check``) fetches every ``upstream:`` page's summary
document at once, each within its timeout and all within one overall deadline. A good document
replaces what is kept in ``.statusgen/upstream/ID.json``, with its fetch time; any failure keeps
the last good one, notes the failure beside it (the page shows the upstream as out of date), and
is a warning: a provider that is down or slow never fails the build.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from statusgen import net
from statusgen.load.upstream import (
    KEPT_FOLDER,
    Kept,
    ShapeError,
    Upstream,
    kept_path,
    next_spells,
    parse_summary,
    read_kept,
    select,
)
from statusgen.output.atomic import write_atomically
from statusgen.timeutil import iso

log = logging.getLogger(__name__)
DEADLINE = 30.0  # seconds for all upstreams of a build together
MAX_BYTES = 2_000_000  # of one summary document
Fetcher = Callable[[Sequence[tuple[str, str, float]], float], dict[str, "bytes | net.FetchFailed"]]


def _clock() -> datetime:  # what a fetch is kept as of, unless told
    return datetime.now(UTC).replace(microsecond=0)


def _fetch_all(requests: Sequence[tuple[str, str, float]], deadline: float) -> dict[str, bytes | net.FetchFailed]:
    return net.fetch_all(requests, deadline, max_bytes=MAX_BYTES)


def refresh(
    root: Path,
    upstreams: Sequence[Upstream],
    *,
    deadline: float = DEADLINE,
    clock: Callable[[], datetime] = _clock,
    fetch: Fetcher = _fetch_all,
    keep: bool = True,
) -> tuple[dict[str, Kept], list[str]]:
    """Fetch every upstream that has a url: what is now known of each (the new document, or the
    last good one with the failure noted), by id, and the warnings to show. With ``keep``, each is
    also kept in .statusgen/upstream/ for the next build; a failure to keep is a warning too."""
    wanted = [u for u in upstreams if u.url is not None]
    if not wanted:
        return {}, []
    answers = fetch([(u.id, u.url or "", min(u.timeout, deadline)) for u in wanted], deadline)
    at = clock()
    warnings: list[str] = []
    known: dict[str, Kept] = {}
    folder = root / KEPT_FOLDER
    keep = keep and _state_folder(root, folder, warnings)
    for upstream in wanted:
        old = read_kept(root, upstream) if keep else None
        # Kept by a build at a later "now" (a preview of the past): this build neither builds on
        # it nor replaces it.
        later = old is not None and any(t is not None and t > at for t in (old.fetched, old.failed))
        if later:
            old = None
        answer = answers.get(upstream.id, net.FetchFailed("no answer"))
        try:
            kept = _kept(upstream, old, answer, at)
        except _Refused as exc:
            kept = _failed(upstream, old, str(exc), at)
            warnings.append(_warning(upstream, kept, at))
        known[upstream.id] = kept
        if not keep or later:
            continue
        try:
            write_atomically(
                kept_path(root, upstream.id), json.dumps(kept.as_json(), ensure_ascii=False), durable=False
            )
        except OSError as exc:
            warnings.append(
                f"warning: {folder}: cannot keep the status of upstream {upstream.id!r}: {exc.strerror or exc}"
            )
    return known, warnings


class _Refused(Exception):
    """A fetch that gave no usable document; the text says why, fit to show."""


def _kept(upstream: Upstream, old: Kept | None, answer: bytes | net.FetchFailed, at: datetime) -> Kept:
    if isinstance(answer, net.FetchFailed):
        raise _Refused(str(answer))
    try:
        document = json.loads(answer)
    except RecursionError:
        raise _Refused("the answer is not JSON that can be read (nested too deep)") from None
    except json.JSONDecodeError as exc:
        raise _Refused(f"the answer is not JSON ({exc})") from None
    except (ValueError, UnicodeDecodeError):
        raise _Refused("the answer is not JSON that can be read (not UTF-8, or a number too long)") from None
    try:
        summary = parse_summary(document, upstream.id)
    except ShapeError as exc:
        raise _Refused(f"the answer is not a Statuspage summary: {exc}") from None
    except RecursionError:
        raise _Refused("the answer is not a Statuspage summary: nested too deep") from None
    shown, _, _ = select(summary, upstream.components)
    spells = old.spells if old is not None else ()
    last = old.fetched if old is not None else None
    return Kept(upstream.url or "", at, document, spells=next_spells(spells, shown, at, last, upstream.affects))


def _failed(upstream: Upstream, old: Kept | None, reason: str, at: datetime) -> Kept:
    if old is None:
        return Kept(upstream.url or "", None, failed=at, error=reason)
    return Kept(old.url, old.fetched, old.document, at, reason, old.spells)


def _warning(upstream: Upstream, kept: Kept, at: datetime) -> str:
    where = f"upstream {upstream.id!r} ({upstream.url})"
    if kept.fetched is None:
        shown = "nothing is known of it yet; the page says so"
    else:
        minutes = max(0, int((at - kept.fetched).total_seconds() // 60))
        shown = f"the page shows what was fetched at {iso(kept.fetched)} ({minutes} min ago), marked out of date"
    return f"warning: {where}: {kept.error}; {shown}"


def _state_folder(root: Path, folder: Path, warnings: list[str]) -> bool:
    """Whether ``folder`` (under .statusgen/) is a real folder of the repository, made if need be:
    a link there, which could come with the repository, could lead the writes out of it."""
    for path in (root / ".statusgen", folder):
        if os.path.islink(path) or (os.path.lexists(path) and not path.is_dir()):
            warnings.append(f"warning: {path}: not a folder; the status of upstream pages is not kept")
            return False
        try:
            path.mkdir(exist_ok=True)
        except OSError as exc:
            warnings.append(f"warning: {path}: cannot keep the status of upstream pages: {exc.strerror or exc}")
            return False
    return True
