"""The state of the whole site at one instant: what every page, feed and file is rendered from."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from statusgen.derive import timeline
from statusgen.derive.maintenance import active_interval, edges, leaves_calendar
from statusgen.derive.policy import has_postmortem, next_update_due
from statusgen.derive.uptime import ComponentUptime, component_uptime
from statusgen.load.config import Config, Policy
from statusgen.load.incidents import Incident
from statusgen.load.repository import Repository
from statusgen.load.translations import Translation
from statusgen.load.upstream import STALE_AFTER, UpstreamState, next_spells
from statusgen.vocabulary import ComponentStatus, Indicator, MaintenanceStatus, UpdateStatus


class Changes:
    """Each incident's per-update status changes, worked out when first asked for."""

    def __init__(self, incidents: dict[str, Incident]):
        self._incidents = incidents
        self._known: dict[str, list[dict[str, tuple[ComponentStatus, ComponentStatus]]]] = {}

    def __getitem__(self, incident_id: str) -> list[dict[str, tuple[ComponentStatus, ComponentStatus]]]:
        if incident_id not in self._known:
            self._known[incident_id] = timeline.update_changes(self._incidents[incident_id])
        return self._known[incident_id]


@dataclass(frozen=True)
class ShownUpstream:
    """An upstream page as the build at its now shows it: ``stale`` when the page marks it out of
    date (its last fetch failed, or it is old), ``expired`` once it is older than STALE_AFTER,
    when this site's components stop following it."""

    state: UpstreamState
    stale: bool
    expired: bool = False

    @property
    def id(self) -> str:
        return self.state.upstream.id

    @property
    def group(self) -> str:
        """The group of the component list it is shown in, as statusgen.yaml says: its group,
        else its name, else its id (never what the upstream calls itself, which may change)."""
        return self.state.upstream.group or self.state.upstream.name or self.state.upstream.id


def shown_upstream(state: UpstreamState, now: datetime) -> ShownUpstream:
    """``state`` as a build at ``now`` shows it. What was kept by a build at a later time than
    ``now`` is not known at ``now``; a document in the repository is as of ``now`` at the latest."""
    if state.as_of is not None and state.as_of > now:
        if state.fetched:
            state = UpstreamState(state.upstream, state.name, state.page, failed=True, error="kept at a later time")
        else:
            state = dataclasses.replace(state, as_of=now)
    if not state.fetched and state.as_of is None:  # a document that gives no time: as of now
        spells = next_spells((), state.components, now, None, state.upstream.affects)
        state = dataclasses.replace(state, as_of=now, spells=spells)
    expired = state.fetched and (state.as_of is None or now - state.as_of > STALE_AFTER)
    return ShownUpstream(state, state.stale(now), expired)


@dataclass(frozen=True)
class Reason:
    """Why a component is at ``status``: the upstream components at it, each as "GitHub Git
    Operations" (the upstream's name, then the component's)."""

    status: ComponentStatus
    causes: tuple[str, ...]


@dataclass(frozen=True)
class SiteState:
    """Derived state at ``now``. Incidents are as published by ``now``, hidden ones left out."""

    now: datetime
    config: Config
    incidents: tuple[Incident, ...]
    status_of: dict[str, UpdateStatus]
    changes: Changes
    components: dict[str, ComponentStatus]
    indicator: Indicator
    description: str
    open_incidents: tuple[Incident, ...]
    active_maintenance: tuple[Incident, ...]
    upcoming_maintenance: tuple[Incident, ...]
    spans: dict[str, list[timeline.Span]]
    by_component: dict[str, tuple[Incident, ...]]
    uptime: dict[str, ComponentUptime]
    next_change: datetime | None
    # Each language's translations of incidents, by incident id (see statusgen.load.translations).
    translations: dict[str, dict[str, Translation]] = field(default_factory=dict)
    # The other status pages shown beside the components, each with whether it is out of date.
    upstream: tuple[ShownUpstream, ...] = ()
    # Why a component follows an upstream's status now: the worst status its upstreams give it,
    # and the upstream components at that status ("GitHub Git Operations"), by component id.
    reasons: dict[str, Reason] = field(default_factory=dict)

    def ended(self, incident: Incident) -> datetime | None:
        """When the incident was resolved or the maintenance finished; None while it goes on."""
        if incident.is_maintenance:
            if not self.status_of[incident.id].finished:
                return None
            interval = active_interval(incident)
            if interval is None or interval.end is None:
                return incident.last_update.at
            return min(interval.end, self.now)
        return timeline.resolved_at(incident)

    def duration(self, incident: Incident) -> timedelta:
        start = incident.window.start if incident.window else incident.started
        return (self.ended(incident) or self.now) - start


def derive(repo: Repository, now: datetime) -> SiteState:
    """Compute the site's state at ``now``."""
    visible = []
    for incident in repo.incidents:
        if incident.hidden:
            continue
        shown = timeline.published(incident, now)
        if shown is not None:
            visible.append(shown)
    visible.sort(key=lambda i: (i.when, i.id), reverse=True)
    status_of = {i.id: timeline.current_status(i, now) for i in visible}
    spans = timeline.spans_by_component(visible)
    upstreams = tuple(shown_upstream(u, now) for u in repo.upstream)
    reasons = _follow(upstreams, spans, now, {c.id for c in repo.config.components})
    components = {c.id: timeline.status_at(spans.get(c.id, ()), now) for c in repo.config.components}
    open_incidents = tuple(i for i in visible if timeline.is_open(i))
    maintenance = [i for i in visible if i.is_maintenance]
    active = tuple(m for m in maintenance if status_of[m.id].running)
    upcoming = tuple(
        sorted(
            (m for m in maintenance if status_of[m.id] == MaintenanceStatus.SCHEDULED),
            key=lambda m: (m.window.start, m.id),  # type: ignore[union-attr]
        )
    )
    indicator, description = timeline.overall(components, open_incidents)
    zone = repo.config.site.zone
    history_start = min((i.started for i in visible), default=now).astimezone(zone).date()
    by_component: dict[str, list[Incident]] = {c.id: [] for c in repo.config.components}
    for incident in visible:
        for cid in incident.component_ids:
            by_component[cid].append(incident)
    return SiteState(
        now=now,
        config=repo.config,
        incidents=tuple(visible),
        status_of=status_of,
        changes=Changes({i.id: i for i in visible}),
        components=components,
        indicator=indicator,
        description=description,
        open_incidents=open_incidents,
        active_maintenance=active,
        upcoming_maintenance=upcoming,
        spans=spans,
        by_component={k: tuple(v) for k, v in by_component.items()},
        uptime={
            c.id: component_uptime(spans.get(c.id, []), now, zone, c.since, history_start, c.sla)
            for c in repo.config.components
        },
        next_change=min(
            (m for m in (next_change(repo.incidents, visible, now, repo.config.policy), _goes_stale(upstreams)) if m),
            default=None,
        ),
        translations=repo.translations,
        upstream=upstreams,
        reasons=reasons,
    )


def _goes_stale(shown: tuple[ShownUpstream, ...]) -> datetime | None:
    """When the first fetched upstream not yet out of date by its age becomes so, by the clock
    alone: the page then marks it, and stops following it."""
    return min(
        (u.state.as_of + STALE_AFTER for u in shown if u.state.fetched and not u.expired and u.state.as_of),
        default=None,
    )


UPSTREAM_SPAN = "upstream:"  # how a span that follows an upstream names its cause


def _follow(
    shown: tuple[ShownUpstream, ...], spans: dict[str, list[timeline.Span]], now: datetime, ours: set[str]
) -> dict[str, Reason]:
    """Add to ``spans`` the times this site's components (``ours``) followed an upstream's, and
    return why each follows one now.

    A spell counts for the components that followed it while it lasted (``affects:`` then), and
    once over it stays counted, even if its component is no longer shown; one that goes on counts
    for those still listed. A failed fetch keeps the last good state followed; once an upstream
    is older than STALE_AFTER, what it last said counts up to then, not on by guess; a component
    no longer shown counts up to the last look.
    """
    reasons: dict[str, Reason] = {}
    touched: set[str] = set()
    for upstream in shown:
        state = upstream.state
        names = {c.their_id: f"{state.name} {c.name}" for c in state.components}
        listed = set(state.upstream.affects)
        for spell in state.spells:
            end, followers = spell.end, [f for f in spell.followers if f in ours]
            if end is None:
                followers = [f for f in followers if f in listed]
                if spell.component not in names:
                    end = state.as_of
                elif upstream.expired:
                    end = state.as_of + STALE_AFTER if state.as_of else None
                    if end is None:
                        continue
            if not followers or (end is not None and end <= spell.start):
                continue
            touched.update(followers)
            for cid in followers:
                spans.setdefault(cid, []).append(
                    timeline.Span(cid, spell.start, end, spell.status, UPSTREAM_SPAN + upstream.id)
                )
            if spell.component in names and spell.start <= now and (end is None or end > now):
                for cid in followers:
                    reasons[cid] = _worse(reasons.get(cid), spell.status, names[spell.component])
    for cid in touched:
        spans[cid].sort(key=lambda s: (s.start, s.incident))
    return reasons


def _worse(reason: Reason | None, status: ComponentStatus, cause: str) -> Reason:
    if reason is None or status.severity > reason.status.severity:
        return Reason(status, (cause,))
    if status == reason.status and cause not in reason.causes:
        return Reason(status, (*reason.causes, cause))
    return reason


def next_change(
    incidents: tuple[Incident, ...], visible: list[Incident], now: datetime, policy: Policy
) -> datetime | None:
    """The next instant after ``now`` at which the site changes by the clock alone.

    That is when an update written with a later time falls due, when a maintenance starts or
    ends, when a maintenance leaves the calendar a year after its window (see
    ``leaves_calendar``), when a postmortem's ``postmortem_at`` comes and its feed entry with it,
    or when an open incident's next update falls due by the ``policy``: from then on its pages
    say the update is overdue.
    """
    moments = [u.at for i in incidents if not i.hidden for u in i.updates if u.at > now]
    for incident in visible:
        if incident.is_maintenance:
            moments += [m for m in edges(incident) if m > now]
            if incident.window is not None and leaves_calendar(incident) > now:
                moments.append(leaves_calendar(incident))
        else:
            due = next_update_due(incident, policy)
            if due is not None and due > now:
                moments.append(due)
            # postmortem_at is looked at first: most incidents have none, and the body's
            # postmortem section is only looked for in those that do.
            at = incident.postmortem_at
            if at is not None and at > now and has_postmortem(incident):
                moments.append(at)
    return min(moments, default=None)
