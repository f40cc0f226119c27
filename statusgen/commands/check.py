"""The check command: validate a repository and its communication policy, building nothing.

Problems are reported as ``path:line: message`` by the command line, or as GitHub Actions workflow
commands (see ``annotate``), which mark each problem on its file and line in a run.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from statusgen.derive import policy
from statusgen.errors import Problem, StatusgenError, ValidationFailed, printable
from statusgen.load.repository import load_repository


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
    return Checked(len(repo.incidents), len(repo.config.components), policy.check(repo, now))


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
