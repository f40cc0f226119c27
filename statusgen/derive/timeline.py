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

SEVERITY = {"operational": 0, "under_maintenance": 1, "degraded_performance": 2,
            "partial_outage": 3, "major_outage": 4}
_IMPACT_LEVEL = {"none": 0, "minor": 1, "major": 2, "critical": 3, "maintenance": 0}
_STATUS_LEVEL = {"operational": 0, "under_maintenance": 0, "degraded_performance": 1,
                 "partial_outage": 2, "major_outage": 3}
INDICATORS = (("none", "All Systems Operational"), ("minor", "Minor Service Outage"),
              ("major", "Partial System Outage"), ("critical", "Major Service Outage"))
MAINTENANCE_INDICATOR = ("maintenance", "Service Under Maintenance")


@dataclass(frozen=True)
class Span:
    """A component held at ``status`` by one incident from ``start`` until ``end`` (None: still)."""

    component: str
    start: datetime
    end: datetime | None
    status: str
    incident: str


def published(incident: Incident, now: datetime) -> Incident | None:
    """The incident as readers see it at ``now``: only updates due by then; None if none are."""
    if incident.updates[-1].at <= now:
        return incident
    updates = tuple(u for u in incident.updates if u.at <= now)
    return replace(incident, updates=updates) if updates else None


def component_states(incident: Incident) -> list[dict[str, str]]:
    """For each update of an incident, the status it holds each component at from then on.

    A resolved incident holds nothing; a later update reopens it with the statuses it had.
    """
    states: list[dict[str, str]] = []
    held: dict[str, str] = {}
    for index, update in enumerate(incident.updates):
        if index == 0:
            held = dict(incident.components)
        held.update(update.components)
        resolved = update.status == "resolved"
        states.append({} if resolved else {c: s for c, s in held.items() if s != "operational"})
    return states


def update_changes(incident: Incident) -> list[dict[str, tuple[str, str]]]:
    """For each update, the components whose status it changed: ``{id: (old, new)}``."""
    if incident.is_maintenance:
        return [{} for _ in incident.updates]
    changes = []
    before: dict[str, str] = {}
    for update, after in zip(incident.updates, component_states(incident), strict=True):
        touched = dict.fromkeys([*before, *after, *update.components])
        changes.append({c: (before.get(c, "operational"), after.get(c, "operational"))
                        for c in touched if before.get(c, "operational") != after.get(c, "operational")})
        before = after
    return changes


def spans(incident: Incident) -> list[Span]:
    """The spans during which the incident holds its components at a non-operational status."""
    if incident.is_maintenance:
        active = maint.active_interval(incident)
        if active is None:
            return []
        return [Span(c, active.start, active.end, "under_maintenance", incident.id)
                for c in incident.components]
    result: list[Span] = []
    open_at: dict[str, tuple[datetime, str]] = {}
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


def status_at(component_spans: Iterable[Span], moment: datetime) -> str:
    """The worst status any span gives the component at ``moment``; else operational."""
    worst = "operational"
    for span in component_spans:
        if span.start <= moment and (span.end is None or moment < span.end):
            if SEVERITY[span.status] > SEVERITY[worst]:
                worst = span.status
    return worst


def is_open(incident: Incident) -> bool:
    """An incident is open until its latest update says resolved."""
    return not incident.is_maintenance and incident.last_update.status != "resolved"


def resolved_at(incident: Incident) -> datetime | None:
    return None if is_open(incident) or incident.is_maintenance else incident.last_update.at


def current_status(incident: Incident, now: datetime) -> str:
    """The incident's status (or maintenance's, by the clock) at ``now``."""
    if incident.is_maintenance:
        return maint.status_at(incident, now)
    return incident.last_update.status


def overall(statuses: dict[str, str], open_incidents: Iterable[Incident]) -> tuple[str, str]:
    """Statuspage's overall ``(indicator, description)`` from component statuses and open incidents."""
    level = max([_STATUS_LEVEL[s] for s in statuses.values()]
                + [_IMPACT_LEVEL[i.impact] for i in open_incidents], default=0)
    if level == 0 and "under_maintenance" in statuses.values():
        return MAINTENANCE_INDICATOR
    return INDICATORS[level]
