"""Components as the site lists them: by group, in config order, each group at its worst status."""

from __future__ import annotations

from dataclasses import dataclass

from statusgen.derive.state import SiteState
from statusgen.derive.uptime import ComponentUptime, combine
from statusgen.load.config import Component
from statusgen.vocabulary import ComponentStatus


@dataclass(frozen=True)
class Group:
    """A row of the component list: a named group of components, or one ungrouped component."""

    name: str | None
    components: tuple[Component, ...]
    status: ComponentStatus
    uptime: ComponentUptime | None = None


def groups(state: SiteState) -> list[Group]:
    """Components by group in config order; a group shows its components' worst status."""
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
