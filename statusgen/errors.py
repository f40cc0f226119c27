"""Problems found in a status repository, and the exceptions that carry them."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, located at ``path:line``."""

    path: str
    line: int
    message: str
    hint: str | None = None
    warning: bool = False

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        text = f"{'warning: ' if self.warning else ''}{self.message}"
        text = f"{where}: {text}" if where else text
        return f"{text} ({self.hint})" if self.hint else text


class StatusgenError(Exception):
    """Base of every error that is the user's to fix; the CLI prints it and exits 1."""

    def __init__(self, message: str, path: str = "", line: int = 0, hint: str | None = None):
        super().__init__(message)
        self.problem = Problem(path, line, message, hint)

    def __str__(self) -> str:
        return str(self.problem)


class ValidationFailed(StatusgenError):
    """The repository has one or more errors; ``problems`` lists them all, in file order."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(problems)
        super().__init__(f"{len(self.problems)} error(s)")

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A hint naming the closest choice to a misspelt ``word``, if one is close."""
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def one_of(choices: Iterable[str]) -> str:
    return "one of: " + ", ".join(choices)
