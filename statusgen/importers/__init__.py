"""Moving in from another status page: what every importer reads a history into.

An importer (one module per source, like :mod:`statusgen.importers.cstate`) reads the other page's
files into a :class:`Source`; :mod:`statusgen.importers.write` turns that into ``statusgen.yaml``
components and incident files by the same rules for every source. What a source holds that
statusgen cannot represent is written into ``Source.notes``, never dropped in silence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from statusgen.vocabulary import ComponentStatus, Impact, IncidentStatus


@dataclass(frozen=True)
class ImportedComponent:
    """A component as the source names it; its id is made from the name when it is written."""

    name: str
    description: str = ""
    group: str = ""


@dataclass
class ImportedUpdate:
    """One update of an incident, at an aware instant that keeps the offset it was read with."""

    at: datetime
    status: IncidentStatus
    message: str


@dataclass
class ImportedIncident:
    """One incident of the source; ``components`` maps component names to their status."""

    source: str  # the file it came from, relative to the source's folder
    title: str
    impact: Impact
    components: dict[str, ComponentStatus]
    updates: list[ImportedUpdate]
    body: str = ""
    hidden: bool = False


@dataclass(frozen=True)
class SiteSettings:
    """What the source says of the site as a whole, for a new statusgen.yaml."""

    title: str = ""
    url: str = ""
    description: str = ""
    timezone: str = "UTC"


@dataclass
class Source:
    """Everything read from another status page, ready to be written by the shared rules."""

    kind: str
    site: SiteSettings
    components: list[ImportedComponent]
    incidents: list[ImportedIncident]
    notes: list[str] = field(default_factory=list)  # what could not be carried over, and why
