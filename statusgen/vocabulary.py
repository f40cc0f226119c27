"""The words of a status page, each defined once with what it means: statuses, impacts and the
overall indicator, their labels, severities, downtime weights and colours.

Members are ``StrEnum``s: each compares equal to, hashes like and formats as the word written in
incident files, the API and the pages, so ``status == "resolved"`` holds for a member and a
member can key a table of strings. A member's ``repr`` is not its word's: messages that quote a
status with ``!r`` quote ``str(status)``.
"""

from __future__ import annotations

from enum import StrEnum

from statusgen.i18n import N_


class _Word(StrEnum):
    """A word of the vocabulary."""

    @classmethod
    def words(cls) -> tuple[str, ...]:
        """Every member as plain text, in definition order: for argparse's ``choices``, whose
        messages quote each choice with ``repr``."""
        return tuple(str(member) for member in cls)


class ComponentStatus(_Word):
    """A component's status. ``severity`` orders them for "the worst status" (under_maintenance
    is worse than operational, better than any outage); ``level`` is the overall indicator's level
    the status raises the page to (maintenance raises none); ``weight`` is the share of each
    minute counted as downtime; ``colour`` fills a badge (white text on it reads at 4.5:1), and
    ``colour_name`` is the nearest shields.io colour."""

    label: str
    severity: int
    level: int
    weight: float
    colour: str
    colour_name: str

    def __new__(
        cls, word: str, label: str, severity: int, level: int, weight: float, colour: str, colour_name: str
    ) -> ComponentStatus:
        member = str.__new__(cls, word)
        member._value_ = word
        member.label, member.severity, member.level, member.weight = label, severity, level, weight
        member.colour, member.colour_name = colour, colour_name
        return member

    # TRANSLATORS: a component's status, as status pages in the language word it.
    OPERATIONAL = "operational", N_("Operational"), 0, 0, 0.0, "#1a7f37", "brightgreen"
    # TRANSLATORS: a component's status: it works, but slowly or with some errors.
    DEGRADED_PERFORMANCE = "degraded_performance", N_("Degraded performance"), 2, 1, 0.0, "#9a6700", "yellow"
    # TRANSLATORS: a component's status: part of it is down.
    PARTIAL_OUTAGE = "partial_outage", N_("Partial outage"), 3, 2, 0.3, "#bc4c00", "orange"
    # TRANSLATORS: a component's status: it is down.
    MAJOR_OUTAGE = "major_outage", N_("Major outage"), 4, 3, 1.0, "#cf222e", "red"
    # TRANSLATORS: a component's status during planned work.
    UNDER_MAINTENANCE = "under_maintenance", N_("Under maintenance"), 1, 0, 0.0, "#0969da", "blue"

    @property
    def impact(self) -> Impact:
        """The impact whose default component status this is (see ``Impact.component_status``)."""
        return _IMPACT_OF[self]


class Impact(_Word):
    """An incident's impact (or ``maintenance``, a maintenance's). ``level`` is the overall
    indicator's level an open incident of this impact raises the page to; ``component_status``
    is the status a component it affects has unless the file says otherwise; ``notify_colour``
    is the colour of a chat notice about it."""

    label: str
    level: int
    component_status: ComponentStatus
    notify_colour: int

    def __new__(
        cls, word: str, label: str, level: int, component_status: ComponentStatus, notify_colour: int
    ) -> Impact:
        member = str.__new__(cls, word)
        member._value_ = word
        member.label, member.level, member.component_status = label, level, component_status
        member.notify_colour = notify_colour
        return member

    # TRANSLATORS: an incident's impact, shown as a tag beside its title.
    NONE = "none", N_("No impact"), 0, ComponentStatus.OPERATIONAL, 0x546E7A
    # TRANSLATORS: an incident's impact (a minor incident), shown as a tag beside its title.
    MINOR = "minor", N_("Minor"), 1, ComponentStatus.DEGRADED_PERFORMANCE, 0xF9A825
    # TRANSLATORS: an incident's impact (a major incident), shown as a tag beside its title.
    MAJOR = "major", N_("Major"), 2, ComponentStatus.PARTIAL_OUTAGE, 0xEF6C00
    # TRANSLATORS: an incident's impact (a critical incident), shown as a tag beside its title.
    CRITICAL = "critical", N_("Critical"), 3, ComponentStatus.MAJOR_OUTAGE, 0xC62828
    # TRANSLATORS: the tag of a planned maintenance, in place of an incident's impact.
    MAINTENANCE = "maintenance", N_("Maintenance"), 0, ComponentStatus.UNDER_MAINTENANCE, 0x1565C0


class IncidentStatus(_Word):
    """The status an incident's update gives it. ``finished``: the incident is over (resolved);
    ``running`` is a maintenance's word, never an incident's."""

    label: str
    finished: bool
    running: bool

    def __new__(cls, word: str, label: str, finished: bool) -> IncidentStatus:
        member = str.__new__(cls, word)
        member._value_ = word
        member.label, member.finished, member.running = label, finished, False
        return member

    # TRANSLATORS: the status of an incident's update: the cause is being looked for.
    INVESTIGATING = "investigating", N_("Investigating"), False
    # TRANSLATORS: the status of an incident's update: the cause is known.
    IDENTIFIED = "identified", N_("Identified"), False
    # TRANSLATORS: the status of an incident's update: a fix is in place and being watched.
    MONITORING = "monitoring", N_("Monitoring"), False
    # TRANSLATORS: an incident update's status (the incident is over); also labels the time it was resolved.
    RESOLVED = "resolved", N_("Resolved"), True


class MaintenanceStatus(_Word):
    """The status of a maintenance. ``running``: its work is under way (its components are
    under maintenance); ``finished``: it is over, done or called off."""

    label: str
    finished: bool
    running: bool

    def __new__(cls, word: str, label: str, running: bool, finished: bool) -> MaintenanceStatus:
        member = str.__new__(cls, word)
        member._value_ = word
        member.label, member.running, member.finished = label, running, finished
        return member

    # TRANSLATORS: the status of a planned maintenance that has not started.
    SCHEDULED = "scheduled", N_("Scheduled"), False, False
    # TRANSLATORS: the status of a maintenance under way.
    IN_PROGRESS = "in_progress", N_("In progress"), True, False
    # TRANSLATORS: the status of a maintenance whose work is done and being checked.
    VERIFYING = "verifying", N_("Verifying"), True, False
    # TRANSLATORS: the status of a finished maintenance.
    COMPLETED = "completed", N_("Completed"), False, True
    # TRANSLATORS: the status of a maintenance that was called off.
    CANCELLED = "cancelled", N_("Cancelled"), False, True


UpdateStatus = IncidentStatus | MaintenanceStatus


class Indicator(_Word):
    """The page's overall indicator, as Statuspage names it, with its ``description``. An
    indicator other than ``maintenance`` stands for the impact level of the same name."""

    description: str

    def __new__(cls, word: str, description: str) -> Indicator:
        member = str.__new__(cls, word)
        member._value_ = word
        member.description = description
        return member

    # TRANSLATORS: the banner at the top of the page: the whole service's state.
    NONE = "none", N_("All Systems Operational")
    # TRANSLATORS: the banner at the top of the page: the whole service's state.
    MINOR = "minor", N_("Minor Service Outage")
    # TRANSLATORS: the banner at the top of the page: the whole service's state.
    MAJOR = "major", N_("Partial System Outage")
    # TRANSLATORS: the banner at the top of the page: the whole service's state.
    CRITICAL = "critical", N_("Major Service Outage")
    # TRANSLATORS: the banner at the top of the page: the whole service's state.
    MAINTENANCE = "maintenance", N_("Service Under Maintenance")

    @property
    def status(self) -> ComponentStatus:
        """The component status a badge of this indicator is coloured as."""
        return _IMPACTS[str(self)].component_status

    @classmethod
    def at_level(cls, level: int) -> Indicator:
        """The indicator of an impact ``level`` (0 to 3)."""
        return next(i for i in cls if i is not cls.MAINTENANCE and _IMPACTS[str(i)].level == level)


_IMPACT_OF = {impact.component_status: impact for impact in Impact}

# The impacts an incident may have, and the component statuses an incident may give (maintenance
# alone puts components under maintenance), mildest first.
INCIDENT_IMPACTS = tuple(i for i in Impact if i is not Impact.MAINTENANCE)
INCIDENT_COMPONENT_STATUSES = tuple(s for s in ComponentStatus if s is not ComponentStatus.UNDER_MAINTENANCE)

_STATUSES: dict[str, ComponentStatus | IncidentStatus | MaintenanceStatus] = {
    str(s): s for kind in (ComponentStatus, IncidentStatus, MaintenanceStatus) for s in kind
}
_UPDATE_STATUSES: dict[str, UpdateStatus] = {str(s): s for kind in (IncidentStatus, MaintenanceStatus) for s in kind}
_COMPONENT_STATUSES: dict[str, ComponentStatus] = {str(s): s for s in ComponentStatus}
_IMPACTS: dict[str, Impact] = {str(i): i for i in Impact}


def status_label(word: str) -> str | None:
    """The label of any status (a component's, an incident's or a maintenance's); None for a word
    that is none of them."""
    status = _STATUSES.get(word)
    return status.label if status is not None else None


def as_update_status(word: str) -> UpdateStatus:
    """The incident or maintenance status ``word`` names; KeyError if none."""
    return _UPDATE_STATUSES[word]


def as_component_status(word: str) -> ComponentStatus:
    """The component status ``word`` names; KeyError if none."""
    return _COMPONENT_STATUSES[word]


def as_impact(word: str) -> Impact:
    """The impact ``word`` names; KeyError if none."""
    return _IMPACTS[word]
