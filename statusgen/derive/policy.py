"""The communication policy: the lapses that erode trust, found at ``path:line``.

Errors: an open incident whose last update is older than its impact's cadence; a resolved incident
that needed a postmortem and has none past its deadline. Warning: a first update that says nothing
of when the next one comes. (Template text left in a file is a validation error: it stops the build.)
"""

from __future__ import annotations

import re
from datetime import datetime

from statusgen.derive.timeline import is_open, published, resolved_at
from statusgen.errors import Problem
from statusgen.load.config import Policy
from statusgen.load.incidents import Incident
from statusgen.load.repository import Repository
from statusgen.timeutil import format_duration
from statusgen.vocabulary import Impact

_WHEN = r"(?:by|at|in|within|before|around)\b"
_NEXT_UPDATE = re.compile(
    rf"next update|updates? (?:you )?{_WHEN}|further updates? (?:\w+ ){{0,3}}{_WHEN}|"
    r"within (?:the )?(?:next )?(?:\d+|an?|one|two|half an) ?(?:minutes?|min|hours?|h)\b|"
    r"\bby \d{1,2}:\d{2}",
    re.I,
)
_POSTMORTEM = re.compile(r"^#{1,3}\s*post-?mortem\b", re.I | re.M)


def next_update_due(incident: Incident, policy: Policy) -> datetime | None:
    """When an open incident's next update is due, if its impact has a cadence."""
    every = policy.update_every.get(incident.impact)
    if every is None or not is_open(incident):
        return None
    return incident.last_update.at + every


def has_postmortem(incident: Incident) -> bool:
    return bool(_POSTMORTEM.search(incident.body))


def promises_next_update(message: str) -> bool:
    return bool(_NEXT_UPDATE.search(message))


def check(repo: Repository, now: datetime) -> list[Problem]:
    """Every policy problem in the repository as of ``now``, in file order."""
    policy = repo.config.policy
    problems: list[Problem] = []
    for full in repo.incidents:
        if full.hidden:
            continue
        incident = published(full, now)
        if incident is None or incident.is_maintenance:
            continue
        due = next_update_due(incident, policy)
        if due is not None and now > due:
            every = policy.update_every[incident.impact]
            problems.append(
                Problem(
                    incident.path,
                    incident.last_update.line,
                    f"update overdue by {format_duration(now - due)}",
                    f"{incident.impact} incidents get an update every {format_duration(every)}; "
                    f"post one with: statusgen update {incident.id} --status ... --message ...",
                )
            )
        within = policy.postmortem_within.get(incident.impact)
        ended = resolved_at(incident)
        if (
            within is not None
            and ended is not None
            and incident.postmortem_due is not False
            and not has_postmortem(incident)
            and now > ended + within
        ):
            problems.append(
                Problem(
                    incident.path,
                    incident.last_update.line,
                    f"no postmortem {format_duration(now - ended)} after the incident was resolved",
                    f"{incident.impact} incidents get one within {format_duration(within)}: "
                    f"statusgen postmortem {incident.id} (or set postmortem_due: false)",
                )
            )
        first = incident.updates[0]
        if incident.impact != Impact.NONE and not first.status.finished and not promises_next_update(first.message):
            problems.append(
                Problem(
                    incident.path,
                    first.line,
                    "the first update does not say when the next update comes",
                    "end it with e.g. 'Next update by 14:30 UTC.'",
                    warning=True,
                )
            )
    return sorted(problems)
