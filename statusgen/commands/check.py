"""The check command: validate a repository and its communication policy, building nothing, and
name what is not translated yet to each of the site's other languages (warnings).

Problems are reported as ``path:line: message`` by the command line, or as GitHub Actions workflow
commands (see ``annotate``), which mark each problem on its file and line in a run.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from statusgen.commands.build import with_upstream
from statusgen.derive import policy
from statusgen.derive.timeline import published
from statusgen.errors import Problem, StatusgenError, ValidationFailed, printable
from statusgen.load.incidents import Incident
from statusgen.load.repository import Repository, load_repository
from statusgen.load.translations import Translation, translation_rel

# How many times of untranslated updates a warning names; the rest are counted.
TIMES_NAMED = 6


@dataclass(frozen=True)
class Checked:
    """A valid repository's figures and the policy problems found in it."""

    incidents: int
    components: int
    problems: list[Problem]

    @property
    def errors(self) -> int:
        return sum(not p.warning for p in self.problems)

    @property
    def warnings(self) -> int:
        return len(self.problems) - self.errors

    def failed(self, strict: bool) -> bool:
        """Whether the check fails: on a policy error, and with ``strict`` on a warning too."""
        return bool(self.errors or (self.warnings and strict))

    def summary(self) -> str:
        """The line that ends a check's report."""
        return (
            f"{'ok' if not self.problems else 'checked'}: {self.incidents} incidents and maintenance, "
            f"{self.components} components, {self.errors} policy error(s), {self.warnings} warning(s)"
        )


def check(root: Path, now: datetime) -> Checked:
    """Load the repository at ``root`` and check its communication policy as of ``now``.

    A repository that does not load raises, as a build would: ValidationFailed with every problem,
    or a StatusgenError (see ``load_problems``).
    """
    repo = load_repository(root)
    repo = with_upstream(root, repo, now, lambda line: None, fetch=False)  # as kept: a check never fetches
    problems = sorted(policy.check(repo, now) + missing_translations(repo, now) + repo.warnings)
    return Checked(len(repo.incidents), len(repo.config.components), problems)


def missing_translations(repo: Repository, now: datetime) -> list[Problem]:
    """A warning for each incident published by ``now`` and each of ``site.languages`` that it is
    not translated to, or whose translation lacks a published update's message or the body."""
    found = []
    for full in repo.incidents:
        incident = None if full.hidden else published(full, now)
        if incident is None:
            continue
        for language in repo.config.site.languages:
            translation = repo.translations.get(language, {}).get(incident.id)
            missing = _missing(incident, translation)
            if not missing:
                continue
            rel = translation_rel(incident, language) if translation is None else translation.path
            if translation is None:
                hint = f"write {rel}: statusgen new TITLE --lang {language} --for {incident.id}"
            elif any(u.at not in translation.messages for u in incident.updates):
                hint = (
                    f"add what is missing to {rel}; statusgen update {incident.id} --lang {language} "
                    "--at TIME adds an update's entry"
                )
            else:
                hint = f"add the body to {rel}"
            message = f"not translated to {language}: {', '.join(missing)}"
            found.append(Problem(incident.path, 0, message, hint, warning=True))
    return found


def _missing(incident: Incident, translation: Translation | None) -> list[str]:
    """What of ``incident`` as published ``translation`` lacks (None: there is none), named."""
    parts = ["the title"] if translation is None else []
    messages = {} if translation is None else translation.messages
    untranslated = [u.at for u in incident.updates if u.at not in messages]
    if untranslated:
        total = len(incident.updates)
        parts.append(
            f"{len(untranslated)} of {total} update{'s' if total != 1 else ''} ({_times(incident, untranslated)})"
        )
    if incident.body and (translation is None or translation.body is None):
        parts.append("the body")
    return parts


def _times(incident: Incident, times: list[datetime]) -> str:
    """``times`` in UTC as an engineer finds them among the incident's ``at:``, its day too when
    its updates are not all of one day."""
    days = {u.at.astimezone(UTC).date() for u in incident.updates}
    shape = "%H:%M" if len(days) == 1 else "%Y-%m-%d %H:%M"
    named = ", ".join(t.astimezone(UTC).strftime(shape) for t in times[:TIMES_NAMED])
    more = len(times) - TIMES_NAMED
    return named + (f" and {more} more" if more > 0 else "") + " UTC"


def load_problems(exc: StatusgenError) -> list[Problem]:
    """The problems a failed load raised, one or many."""
    return exc.problems if isinstance(exc, ValidationFailed) else [exc.problem]


# The line breaks of a workflow command's message, as the runner decodes them.
_BREAKS = {"\r": "%0D", "\n": "%0A"}


def workflow_command(problem: Problem, path: str) -> str:
    """``problem`` as a GitHub Actions workflow command that annotates ``path`` at its line."""

    def data(text: str) -> str:
        # Control and bidirectional characters as visible escapes, and "##[" defused, as anywhere
        # else statusgen prints content; then what the runner decodes, %-encoded.
        pieces = re.split(r"(\r|\n)", text)
        return "".join(_BREAKS.get(piece) or printable(piece).replace("%", "%25") for piece in pieces)

    def prop(text: str) -> str:
        return data(text).replace(":", "%3A").replace(",", "%2C")

    where = [f"file={prop(path)}"] if path else []
    where += [f"line={problem.line}"] if path and problem.line else []
    message = f"{problem.message} ({problem.hint})" if problem.hint else problem.message
    return f"::{'warning' if problem.warning else 'error'} {','.join([*where, 'title=statusgen'])}::{data(message)}"


def annotate(root: Path, problems: list[Problem], workspace: Path) -> list[str]:
    """The workflow command of each of ``problems`` of the repository at ``root``, in a job that
    runs in the folder ``workspace``."""
    # Annotations name files from the folder the job runs in (the workspace), which is not the
    # status repository's when it is a subfolder given with -C.
    here = _real(workspace)
    lines = []
    for problem in problems:
        path = problem.path
        if path:
            # The repository's folder is resolved, not the file: the file may be the very link
            # (a loop, one out of the repository) that the problem is about.
            full = _real(root) / path
            path = full.relative_to(here).as_posix() if full.is_relative_to(here) else full.as_posix()
        lines.append(workflow_command(problem, path))
    return lines


def _real(path: Path) -> Path:
    """``path`` with its links resolved, as far as they lead anywhere; never raises on a loop."""
    try:
        return Path(os.path.realpath(path))
    except (OSError, RuntimeError, ValueError):
        return Path(os.path.abspath(path))
