"""Derived state: component statuses over time, per-update changes, the overall indicator.

Everything here is a pure function of the model and an instant.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from statusgen.derive import maintenance as maint
from statusgen.load.incidents import Incident
from statusgen.vocabulary import ComponentStatus, Indicator, UpdateStatus, as_component_status

OPERATIONAL = ComponentStatus.OPERATIONAL


@dataclass(frozen=True)
class Span:
    """A component held at ``status`` by one incident from ``start`` until ``end`` (None: still)."""

    component: str
    start: datetime
    end: datetime | None
    status: ComponentStatus
    incident: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", as_component_status(self.status))  # given as text, too


def published(incident: Incident, now: datetime) -> Incident | None:
    """The incident as readers see it at ``now``: only updates due by then; None if none are."""
    if incident.updates[-1].at <= now:
        return incident
    updates = tuple(u for u in incident.updates if u.at <= now)
    return replace(incident, updates=updates) if updates else None


def component_states(incident: Incident) -> list[dict[str, ComponentStatus]]:
    """For each update of an incident, the status it holds each component at from then on.

    A resolved incident holds nothing; a later update reopens it with the statuses it had.
    """
    states: list[dict[str, ComponentStatus]] = []
    held: dict[str, ComponentStatus] = {}
    for index, update in enumerate(incident.updates):
        if index == 0:
            held = {c: as_component_status(s) for c, s in incident.components.items()}
        held.update((c, as_component_status(s)) for c, s in update.components.items())
        states.append({} if update.status.finished else {c: s for c, s in held.items() if s != OPERATIONAL})
    return states


def update_changes(incident: Incident) -> list[dict[str, tuple[ComponentStatus, ComponentStatus]]]:
    """For each update, the components whose status it changed: ``{id: (old, new)}``."""
    if incident.is_maintenance:
        return [{} for _ in incident.updates]
    changes = []
    before: dict[str, ComponentStatus] = {}
    for update, after in zip(incident.updates, component_states(incident), strict=True):
        touched = dict.fromkeys([*before, *after, *update.components])
        changes.append(
            {
                c: (before.get(c, OPERATIONAL), after.get(c, OPERATIONAL))
                for c in touched
                if before.get(c, OPERATIONAL) != after.get(c, OPERATIONAL)
            }
        )
        before = after
    return changes


def spans(incident: Incident) -> list[Span]:
    """The spans during which the incident holds its components at a non-operational status."""
    if incident.is_maintenance:
        active = maint.active_interval(incident)
        if active is None:
            return []
        return [
            Span(c, active.start, active.end, ComponentStatus.UNDER_MAINTENANCE, incident.id)
            for c in incident.components
        ]
    result: list[Span] = []
    open_at: dict[str, tuple[datetime, ComponentStatus]] = {}
    for update, state in zip(incident.updates, component_states(incident), strict=True):
        for component, (start, status) in list(open_at.items()):
            if state.get(component) != status:
                result.append(Span(component, start, update.at, status, incident.id))
                del open_at[component]
        for component, status in state.items():
            if component not in open_at:
                open_at[component] = (update.at, status)
    result.extend(Span(c, start, None, s, incident.id) for c, (start, s) in open_at.items())
    return result


def spans_by_component(incidents: Iterable[Incident]) -> dict[str, list[Span]]:
    """Every span of every incident, grouped by component and sorted by start."""
    grouped: dict[str, list[Span]] = defaultdict(list)
    for incident in incidents:
        for span in spans(incident):
            grouped[span.component].append(span)
    for items in grouped.values():
        items.sort(key=lambda s: (s.start, s.incident))
    return dict(grouped)


def status_at(component_spans: Iterable[Span], moment: datetime) -> ComponentStatus:
    """The worst status any span gives the component at ``moment``; else operational."""
    worst = OPERATIONAL
    for span in component_spans:
        if span.start <= moment and (span.end is None or moment < span.end):
            if span.status.severity > worst.severity:
                worst = span.status
    return worst


def is_open(incident: Incident) -> bool:
    """An incident is open until its latest update says resolved."""
    return not incident.is_maintenance and not incident.last_update.status.finished


def resolved_at(incident: Incident) -> datetime | None:
    return None if is_open(incident) or incident.is_maintenance else incident.last_update.at


def current_status(incident: Incident, now: datetime) -> UpdateStatus:
    """The incident's status (or maintenance's, by the clock) at ``now``."""
    if incident.is_maintenance:
        return maint.status_at(incident, now)
    return incident.last_update.status


def overall(statuses: dict[str, ComponentStatus], open_incidents: Iterable[Incident]) -> tuple[Indicator, str]:
    """Statuspage's overall ``(indicator, description)`` from component statuses and open incidents."""
    level = max(
        [as_component_status(s).level for s in statuses.values()] + [i.impact.level for i in open_incidents], default=0
    )
    indicator = Indicator.at_level(level)
    if level == 0 and ComponentStatus.UNDER_MAINTENANCE in statuses.values():
        indicator = Indicator.MAINTENANCE
    return indicator, indicator.description
