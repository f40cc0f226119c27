"""A read-only Statuspage v2 API: the same files, field names and value sets, so existing
clients and widgets work unchanged.

Ids are stable across builds: a component's id is its ``id``, a group's is ``group-`` and its
slugified name, an incident's is its file stem, and an update's is the incident's id and the
update's time. Cancelled maintenance is left out: Statuspage has no such state, and calendar
subscribers hear of it through ``maintenance.ics``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, time
from typing import Any

from statusgen.derive import timeline
from statusgen.derive.groups import groups
from statusgen.derive.maintenance import edges
from statusgen.derive.state import ShownUpstream, SiteState
from statusgen.derive.uptime import ComponentUptime, Period, Verdict
from statusgen.load.config import Component
from statusgen.load.incidents import Incident
from statusgen.load.upstream import UpstreamComponent
from statusgen.theme.environment import update_stamp
from statusgen.timeutil import iso
from statusgen.vocabulary import IncidentStatus, MaintenanceStatus

LIST_LIMIT = 50


def group_id(name: str) -> str:
    return "group-" + (re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "unnamed")


def _unique(gid: str, used: set[str]) -> str:
    """``gid``, or, if a group listed before has it (their names differ only in punctuation, as
    "Platform" and "Platform!"), it with the first free number after it."""
    found, number = gid, 2
    while found in used:
        found, number = f"{gid}-{number}", number + 1
    used.add(found)
    return found


class Api:
    """Builds the API documents from the site state."""

    def __init__(self, state: SiteState):
        self.state = state
        site = state.config.site
        self.page_id = hashlib.sha256(site.url.encode()).hexdigest()[:12]
        self.page = {
            "id": self.page_id,
            "name": site.title,
            "url": site.url.rstrip("/"),
            "time_zone": site.timezone,
            "updated_at": iso(self._updated_at()),
        }
        self.first_seen = self._first_seen()
        self.components = self._components()
        # The summary is this page's own: another page reading it (an organisation's gathering its
        # teams') must not take the providers this one shows for its own components.
        self.own = self._components(upstream=False) if self.state.upstream else self.components
        self.by_id = {c["id"]: c for c in self.components}

    def _updated_at(self) -> datetime:
        """When the page last changed: the newest update, or a maintenance starting or ending."""
        moments = [i.last_update.at for i in self.state.incidents]
        for m in self.state.incidents:
            if m.is_maintenance:
                moments += [x for x in edges(m) if x <= self.state.now]
        return max(moments, default=self.state.now)

    def _first_seen(self) -> datetime:
        return min((i.started for i in self.state.incidents), default=self.state.now)

    def _created(self, component: Component) -> datetime:
        if component.since is not None:
            local = datetime.combine(component.since, time(), tzinfo=self.state.config.site.zone)
            return local.astimezone(UTC)
        return self.first_seen

    def _changed(self, component_id: str, created: datetime) -> datetime:
        """The last instant by ``now`` at which the component's status changed."""
        now = self.state.now
        edges = [created]
        for span in self.state.spans.get(component_id, ()):
            edges += [m for m in (span.start, span.end) if m is not None and m <= now]
        return max(edges)

    def _components(self, upstream: bool = True) -> list[dict[str, Any]]:
        """Every component and group, in the page's order; with ``upstream``, an upstream page's
        components follow this site's in their group, their ids ``UPSTREAM.THEIRS``, described as
        third-party."""
        result: list[dict[str, Any]] = []
        position = 1
        used: set[str] = set()
        for group in groups(self.state, upstream=upstream):
            gid = _unique(group_id(group.name), used) if group.name else None
            theirs = [(u, c) for u in group.upstream for c in u.state.components]
            if group.status is None or not (group.components or theirs):
                continue  # upstream pages not known yet: nothing to list
            if group.name is not None:
                made = [self._created(c) for c in group.components] + [self._seen(u, c) for u, c in theirs]
                changed = [self._changed(c.id, self._created(c)) for c in group.components]
                result.append(
                    self._component(
                        gid or "",
                        group.name,
                        group.status,
                        min(made, default=self.state.now),
                        max(changed + [self._seen(u, c) for u, c in theirs], default=self.state.now),
                        position,
                        None,
                        None,
                        None,
                        True,
                        [c.id for c in group.components] + [c.key for _, c in theirs],
                    )
                )
                position += 1
            for component in group.components:
                created = self._created(component)
                result.append(
                    self._component(
                        component.id,
                        component.name,
                        self.state.components[component.id],
                        created,
                        self._changed(component.id, created),
                        position,
                        component.description or None,
                        component.since.isoformat() if component.since else None,
                        gid,
                        False,
                        None,
                    )
                )
                position += 1
            for shown, theirs_one in theirs:
                seen = self._seen(shown, theirs_one)
                where = f"{shown.state.name}, {shown.state.page}" if shown.state.page else shown.state.name
                result.append(
                    self._component(
                        theirs_one.key,
                        theirs_one.name,
                        theirs_one.status,
                        seen,
                        seen,
                        position,
                        f"Third-party: {where}",
                        None,
                        gid,
                        False,
                        None,
                    )
                )
                position += 1
        return result

    def _seen(self, upstream: ShownUpstream, component: UpstreamComponent) -> datetime:
        """When an upstream's component took its status, as the upstream says, else when it was
        fetched: never later than now."""
        return min(component.since or upstream.state.as_of or self.state.now, self.state.now)

    def _component(
        self,
        cid: str,
        name: str,
        state: str,
        created: datetime,
        updated: datetime,
        position: int,
        description: str | None,
        start_date: str | None,
        gid: str | None,
        is_group: bool,
        members: list[str] | None,
    ) -> dict[str, Any]:
        item: dict[str, Any] = {
            "id": cid,
            "name": name,
            "status": state,
            "created_at": iso(created),
            "updated_at": iso(updated),
            "position": position,
            "description": description,
            "showcase": not is_group,
            "start_date": start_date,
            "group_id": gid,
            "page_id": self.page_id,
            "group": is_group,
            "only_show_if_degraded": False,
        }
        if members is not None:
            item["components"] = members
        return item

    def incident(self, incident: Incident) -> dict[str, Any]:
        site = self.state.config.site
        names = self.state.config.by_id
        state = self.state.status_of[incident.id]
        changes = self.state.changes[incident.id]
        updates = []
        for update, changed in reversed(list(zip(incident.updates, changes, strict=True))):
            updates.append(
                {
                    "id": f"{incident.id}-{update_stamp(update.at)}",
                    "status": update.status,
                    "body": update.message,
                    "incident_id": incident.id,
                    "created_at": iso(update.at),
                    "updated_at": iso(update.at),
                    "display_at": iso(update.at),
                    "affected_components": [
                        {"code": cid, "name": names[cid].name, "old_status": old, "new_status": new}
                        for cid, (old, new) in changed.items()
                    ]
                    or None,
                    "deliver_notifications": True,
                    "custom_tweet": None,
                    "tweet_id": None,
                }
            )
        monitoring = next((u.at for u in incident.updates if u.status == IncidentStatus.MONITORING), None)
        ended = self.state.ended(incident)
        window = incident.window
        return {
            "id": incident.id,
            "name": incident.title,
            "status": state,
            "created_at": iso(incident.started),
            "updated_at": iso(incident.last_update.at),
            "monitoring_at": iso(monitoring) if monitoring else None,
            "resolved_at": iso(ended) if ended else None,
            "impact": incident.impact,
            "shortlink": f"{site.url}incidents/{incident.id}/",
            "started_at": iso(window.start if window else incident.started),
            "page_id": self.page_id,
            "incident_updates": updates,
            "components": [self.by_id[cid] for cid in incident.component_ids],
            "scheduled_for": iso(window.start) if window else None,
            "scheduled_until": iso(window.end) if window else None,
            "scheduled_remind_prior": False if window else None,
            "scheduled_auto_in_progress": True if window else None,
            "scheduled_auto_completed": True if window else None,
        }

    def status(self) -> dict[str, str]:
        return {"indicator": self.state.indicator, "description": self.state.description}

    def documents(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """Every API document by its path under the site."""
        state = self.state
        incidents = [i for i in state.incidents if not i.is_maintenance]
        incidents.sort(key=lambda i: (i.started, i.id), reverse=True)
        maintenance = [
            m for m in state.incidents if m.is_maintenance and state.status_of[m.id] != MaintenanceStatus.CANCELLED
        ]
        maintenance.sort(key=lambda m: (m.when, m.id), reverse=True)
        unresolved = [i for i in incidents if timeline.is_open(i)]
        upcoming = [self.incident(m) for m in state.upcoming_maintenance]
        active = [self.incident(m) for m in state.active_maintenance]
        page = self.page
        yield (
            "api/v2/summary.json",
            {
                "page": page,
                "components": self.own,
                "incidents": [self.incident(i) for i in unresolved],
                "scheduled_maintenances": active + upcoming,
                "status": self.status(),
            },
        )
        yield "api/v2/status.json", {"page": page, "status": self.status()}
        yield "api/v2/components.json", {"page": page, "components": self.components}
        yield "api/v2/incidents.json", {"page": page, "incidents": [self.incident(i) for i in incidents[:LIST_LIMIT]]}
        yield "api/v2/incidents/unresolved.json", {"page": page, "incidents": [self.incident(i) for i in unresolved]}
        yield (
            "api/v2/scheduled-maintenances.json",
            {"page": page, "scheduled_maintenances": [self.incident(m) for m in maintenance[:LIST_LIMIT]]},
        )
        yield "api/v2/scheduled-maintenances/upcoming.json", {"page": page, "scheduled_maintenances": upcoming}
        yield "api/v2/scheduled-maintenances/active.json", {"page": page, "scheduled_maintenances": active}


def _verdict(verdict: Verdict | None) -> dict[str, Any] | None:
    if verdict is None:
        return None
    return {"target": verdict.target, "met": verdict.met, "missed_by": verdict.missed_by, "final": verdict.final}


def _periods(
    name: str, label: Callable[[Period], str], periods: tuple[Period, ...], target: bool
) -> list[dict[str, Any]]:
    """Months, quarters or years, each labelled under ``name``; with a ``target``, each with its
    verdict against it (null for a period without data)."""
    found = []
    for period in periods:
        item: dict[str, Any] = {
            name: label(period),
            "uptime": period.uptime,
            "downtime_minutes": period.downtime_minutes,
        }
        if target:
            item["sla"] = _verdict(period.verdict)
        found.append(item)
    return found


def _component_uptime(figures: ComponentUptime) -> dict[str, Any]:
    target = figures.sla is not None
    document: dict[str, Any] = {"uptime_90d": figures.uptime_90d}
    if target:
        document["sla_target"] = figures.sla
    document["days"] = [
        {"date": d.start.isoformat(), "uptime": d.uptime, "downtime_minutes": d.downtime_minutes} for d in figures.days
    ]
    document["months"] = _periods("month", lambda p: p.month, figures.months, target)
    document["quarters"] = _periods("quarter", lambda p: p.quarter, figures.quarters, target)
    document["years"] = _periods("year", lambda p: p.year, figures.years, target)
    return document


def uptime_document(state: SiteState) -> dict[str, Any]:
    """``api/uptime.json``: the figures the pages show, rounded the same way. A component with an
    uptime target (``sla``) has it as ``sla_target``, and each of its months, quarters and years
    its verdict as ``sla``; the others have neither."""
    return {
        "timezone": state.config.site.timezone,
        "components": {cid: _component_uptime(figures) for cid, figures in state.uptime.items()},
    }


def encode(document: dict[str, Any], indent: int | None = 2) -> bytes:
    """The bytes of a JSON file of the site: UTF-8, not escaped to ASCII, ending in a newline."""
    return (json.dumps(document, indent=indent, ensure_ascii=False) + "\n").encode("utf-8")


def all_files(state: SiteState) -> Iterator[tuple[str, bytes]]:
    for path, document in Api(state).documents():
        yield path, encode(document)
    yield "api/uptime.json", encode(uptime_document(state))
