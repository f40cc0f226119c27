"""Maintenance follows the clock: when it is active, and what state it is in at an instant."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from statusgen.load.incidents import Incident
from statusgen.vocabulary import MaintenanceStatus


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
    early = next((u for u in updates if u.status.running and u.at < start), None)
    if early is not None:
        start = early.at
    before = [u for u in updates if u.at <= start]
    if before and before[-1].status == MaintenanceStatus.CANCELLED:
        return None
    finish = next((u for u in updates if u.status.finished and u.at > start), None)
    if finish is not None and finish.at < window.end:
        return Active(start, finish.at)
    overrun = [u for u in updates if u.status.running and u.at >= window.end]
    if not overrun:
        return Active(start, window.end)
    after = next((u for u in updates if u.status.finished and u.at > overrun[-1].at), None)
    return Active(start, after.at if after else None)


def edges(maintenance: Incident) -> tuple[datetime, ...]:
    """The instants the maintenance starts and stops holding its components, by its window and
    updates: none if it is never active, and no end while an overrun has none yet."""
    interval = active_interval(maintenance)
    if interval is None:
        return ()
    return (interval.start,) if interval.end is None else (interval.start, interval.end)


def status_at(maintenance: Incident, moment: datetime) -> MaintenanceStatus:
    """``scheduled``, ``in_progress``, ``verifying``, ``completed`` or ``cancelled`` at ``moment``.

    Only updates published by ``moment`` count.
    """
    published = tuple(u for u in maintenance.updates if u.at <= moment)
    if not published:
        return MaintenanceStatus.SCHEDULED
    interval = active_interval(replace(maintenance, updates=published))
    if interval is None or published[-1].status == MaintenanceStatus.CANCELLED:
        return MaintenanceStatus.CANCELLED
    if moment < interval.start:
        return MaintenanceStatus.SCHEDULED
    if interval.end is None or moment < interval.end:
        verifying = published[-1].status == MaintenanceStatus.VERIFYING
        return MaintenanceStatus.VERIFYING if verifying else MaintenanceStatus.IN_PROGRESS
    return MaintenanceStatus.COMPLETED


def leaves_calendar(maintenance: Incident) -> datetime:
    """When the maintenance leaves ``maintenance.ics``, which keeps the windows that ended in the
    last twelve months: the same instant in UTC a year after its window ends (a window that ends
    on 29 February stays until 1 March). Until then the calendar holds it; from then on it does not.
    """
    window = maintenance.window
    assert window is not None
    end = window.end.astimezone(UTC)
    try:
        return end.replace(year=end.year + 1)
    except ValueError:
        return end.replace(year=end.year + 1, month=3, day=1)
