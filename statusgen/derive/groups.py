"""Components as the site lists them: by group, in config order, each group at its worst status."""

from __future__ import annotations

from dataclasses import dataclass

from statusgen.derive.state import ShownUpstream, SiteState
from statusgen.derive.uptime import ComponentUptime, combine
from statusgen.load.config import Component
from statusgen.vocabulary import ComponentStatus


@dataclass(frozen=True)
class Group:
    """A row of the component list: a named group of components, or one ungrouped component."""

    name: str | None
    components: tuple[Component, ...]
    status: ComponentStatus | None  # None: a group of upstream pages none of which is known yet
    uptime: ComponentUptime | None = None
    upstream: tuple[ShownUpstream, ...] = ()  # other status pages shown in it, after its components


def groups(state: SiteState, upstream: bool = False) -> list[Group]:
    """Components by group in config order; a group shows its components' worst status.

    With ``upstream``, each upstream page joins the group it names (or its own, after the rest):
    an upstream's components never change a group of this site's own components, whose status
    stays theirs; a group of upstream pages alone shows their worst.
    """
    ours = _ours(state)
    if not upstream:
        return ours
    index = {g.name: i for i, g in enumerate(ours) if g.name is not None}
    for shown in state.upstream:
        name = shown.group
        if name not in index:
            index[name] = len(ours)
            ours.append(Group(name, (), ComponentStatus.OPERATIONAL))
        old = ours[index[name]]
        ours[index[name]] = Group(old.name, old.components, old.status, old.uptime, (*old.upstream, shown))
    return [_upstream_status(g) if not g.components else g for g in ours]


def _upstream_status(group: Group) -> Group:
    statuses = [c.status for u in group.upstream for c in u.state.components]
    status = max(statuses, key=lambda s: s.severity, default=None)
    return Group(group.name, (), status, None, group.upstream)


def _ours(state: SiteState) -> list[Group]:
    result: list[Group] = []
    index: dict[str, int] = {}
    for component in state.config.components:
        if component.group is None:
            result.append(Group(None, (component,), state.components[component.id]))
        elif component.group in index:
            old = result[index[component.group]]
            result[index[component.group]] = Group(old.name, old.components + (component,), old.status)
        else:
            index[component.group] = len(result)
            # A group's status is its worst component's, set once all its components are in.
            result.append(Group(component.group, (component,), ComponentStatus.OPERATIONAL))
    return [
        g
        if g.name is None
        else Group(
            g.name, g.components, worst(state, g.components), combine([state.uptime[c.id] for c in g.components])
        )
        for g in result
    ]


def worst(state: SiteState, components: tuple[Component, ...]) -> ComponentStatus:
    """The worst status of ``components`` (see ComponentStatus.severity)."""
    return max((state.components[c.id] for c in components), key=lambda s: s.severity)
