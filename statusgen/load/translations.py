"""Translations of incidents: ``incidents/ID.LANG.md`` (or ``.yaml``) beside ``incidents/ID.md``.

A translation gives an incident's text in one of ``site.languages``: its ``title``, optionally its
body, and the ``message`` of any of its updates, each named by the update's ``at:``. Everything
else (statuses, components, impact, times) comes from the incident's own file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Translation:
    """One incident's text in one language. ``messages`` are keyed by the time of the update they
    translate, as the incident's file gives it (``Update.at``)."""

    incident_id: str
    language: str
    path: str
    title: str
    body: str | None = None
    messages: dict[datetime, str] = field(default_factory=dict)
