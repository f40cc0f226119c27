"""Parsing of timestamps, durations and "now"."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta

MIN_YEAR, MAX_YEAR = 1970, 2999
TIMESTAMP_HINT = "write it with an offset, like 2025-11-03T14:05:00Z or 2025-11-03T15:05:00+01:00"
_DURATION = re.compile(r"(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m(?:in)?)?")
_LONGEST = timedelta(days=3650)


def parse_timestamp(value: object) -> datetime:
    """An aware UTC datetime from an ISO 8601 string that carries its offset.

    A naive time is refused rather than guessed: in an outage nobody should have to wonder whether
    "14:05" meant UTC or the author's zone.
    """
    if not isinstance(value, str):
        raise ValueError(f"time must be text like 2025-11-03T14:05:00Z, not {value!r}")
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"unparsable time {value!r}") from None
    if len(text) <= 10:
        raise ValueError(f"{value!r} is a date, not a time")
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError(f"time {value!r} has no UTC offset")
    return _in_range(parsed, value)


def _in_range(moment: datetime, value: object) -> datetime:
    """``moment`` in UTC to the second; years outside 1970-2999 are refused as typos."""
    try:
        utc = moment.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"time {value!r} is out of range") from None
    if not MIN_YEAR <= utc.year <= MAX_YEAR:
        raise ValueError(f"time {value!r} is out of range (years {MIN_YEAR}-{MAX_YEAR})")
    # Sub-second precision means nothing on a status page, and would make two updates in the
    # same second distinct yet indistinguishable in ids and anchors.
    return utc.replace(microsecond=0)


def parse_duration(value: str) -> timedelta:
    """A duration written like ``30m``, ``1h``, ``2h30m`` or ``5d``."""
    match = _DURATION.fullmatch(value.strip())
    if not value.strip() or not match or not any(match.groups()):
        raise ValueError(f"unparsable duration {value!r}")
    days, hours, minutes = (int(g) if g else 0 for g in match.groups())
    try:
        result = timedelta(days=days, hours=hours, minutes=minutes)
    except OverflowError:
        result = _LONGEST * 2
    if result > _LONGEST:
        raise ValueError(f"duration {value!r} is longer than ten years")
    if not result:
        raise ValueError(f"duration {value!r} is zero")
    return result


def resolve_now(option: str | None, environ: dict[str, str] | None = None) -> datetime:
    """The instant a build is "at": ``--now``, else ``SOURCE_DATE_EPOCH``, else the clock."""
    env = os.environ if environ is None else environ
    if option:
        if re.fullmatch(r"@?\d+", option):
            return _from_epoch(option.lstrip("@"))
        return parse_timestamp(option)
    epoch = env.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        if not epoch.isdigit():
            raise ValueError(f"SOURCE_DATE_EPOCH must be whole seconds since 1970, not {epoch!r}")
        return _from_epoch(epoch)
    return datetime.now(UTC).replace(microsecond=0)


def _from_epoch(seconds: str) -> datetime:
    try:
        moment = datetime.fromtimestamp(int(seconds), UTC)
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"{seconds} seconds since 1970 is out of range") from None
    return _in_range(moment, seconds)


def iso(moment: datetime) -> str:
    """ISO 8601 with ``Z`` for UTC, seconds precision."""
    text = moment.replace(microsecond=0).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def format_duration(delta: timedelta) -> str:
    """A short human duration: ``45 min``, ``2 h 5 min``, ``3 d 4 h``."""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    return f"{max(mins, 1)} min" if delta.total_seconds() >= 30 else "under a minute"
