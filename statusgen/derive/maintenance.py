"""Maintenance follows the clock: when it is active, and what state it is in at an instant."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from statusgen.load.incidents import Incident

_RUNNING = ("in_progress", "verifying")
_FINISHED = ("completed", "cancelled")


@dataclass(frozen=True)
class Active:
    """When components are under maintenance; ``end`` is None while an overrun has no end yet."""

    start: datetime
    end: datetime | None


def active_interval(maintenance: Incident) -> Active | None:
    """The span during which the maintenance holds its components, from its window and updates.

    The window rules unless an update says otherwise: an ``in_progress`` update before the start
    starts it early, a ``completed`` or ``cancelled`` inside the window ends it early, and an
    ``in_progress`` or ``verifying`` update after the end keeps it running until it is completed.
    A maintenance whose latest word before its start is ``cancelled`` is never active; a later
    ``scheduled`` update reinstates it.
    """
    window = maintenance.window
    assert window is not None
    updates = maintenance.updates
    start = window.start
    early = next((u for u in updates if u.status in _RUNNING and u.at < start), None)
    if early is not None:
        start = early.at
    before = [u for u in updates if u.at <= start]
    if before and before[-1].status == "cancelled":
        return None
    finish = next((u for u in updates if u.status in _FINISHED and u.at > start), None)
    if finish is not None and finish.at < window.end:
        return Active(start, finish.at)
    overrun = [u for u in updates if u.status in _RUNNING and u.at >= window.end]
    if not overrun:
        return Active(start, window.end)
    after = next((u for u in updates if u.status in _FINISHED and u.at > overrun[-1].at), None)
    return Active(start, after.at if after else None)


def status_at(maintenance: Incident, moment: datetime) -> str:
    """``scheduled``, ``in_progress``, ``verifying``, ``completed`` or ``cancelled`` at ``moment``.

    Only updates published by ``moment`` count.
    """
    published = tuple(u for u in maintenance.updates if u.at <= moment)
    if not published:
        return "scheduled"
    interval = active_interval(replace(maintenance, updates=published))
    if interval is None or published[-1].status == "cancelled":
        return "cancelled"
    if moment < interval.start:
        return "scheduled"
    if interval.end is None or moment < interval.end:
        return "verifying" if published[-1].status == "verifying" else "in_progress"
    return "completed"

