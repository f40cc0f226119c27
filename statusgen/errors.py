"""Problems found in a status repository, and the exceptions that carry them."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

# Characters that must not reach a terminal or a CI log as themselves: C0 and C1 controls and DEL
# (line breaks start a new log line, which a CI runner may read as a command; ESC drives the
# terminal), the line and paragraph separators, the bidirectional controls that make text read in
# another order than it is written, and lone surrogates (a file name that is not UTF-8).
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# GitHub Actions reads a line as a workflow command when it starts with "::" after any leading
# space, and in the legacy form when "##[" appears anywhere in it.
_COMMAND_START = re.compile(r"^(\s*):(?=:)")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def printable(text: str) -> str:
    """``text`` made safe to print as one line of a terminal or CI log.

    Control characters, line separators, bidirectional controls and lone surrogates are written as
    visible escapes (``\\n``, ``\\x1b``, ``\\u202e``), and what a CI runner would take for a
    workflow command (a leading ``::``, a ``##[`` anywhere) has its first mark escaped too.
    """
    text = _UNPRINTABLE.sub(_escape, text)
    text = text.replace("##[", "##\\x5b")
    return _COMMAND_START.sub(lambda m: m.group(1) + "\\x3a", text)


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
        # Paths, messages and hints quote file names and file content, which may hold anything.
        return printable(f"{text} ({self.hint})" if self.hint else text)


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
    """A hint listing every choice, in order: ``one of: a, b, c``."""
    return "one of: " + ", ".join(choices)
