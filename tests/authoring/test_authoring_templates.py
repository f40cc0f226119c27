"""Template text left in an incident: every [[...]] reported, each at its own line."""

from __future__ import annotations

import pytest

from conftest import Repo
from statusgen.authoring import workspace
from statusgen.errors import Problem
from statusgen.load import messages

HALF_WRITTEN = """\
---
title: Checkout errors
impact: major
updates:
  - at: 2025-11-03T14:05:00Z
    status: investigating
    message: |
      Since [[time]] some [[share]] of checkouts fail.
      We are looking into it.
      Next update by [[time]].
  - at: 2025-11-03T15:05:00Z
    status: resolved
    message: "Fixed: [[what we did]]."
---
Intro.

## Postmortem

[[Summary]] and [[impact]].

- [[...]]
"""


def problems(found: list[Problem]) -> list[tuple[int, str]]:
    return [(p.line, p.message) for p in found]


def test_each_placeholder_is_reported_at_its_line(repo: Repo) -> None:
    repo.incident("2025-11-03-checkout.md", HALF_WRITTEN)
    [incident] = [i for i in workspace.load(repo.root).incidents if i.id == "2025-11-03-checkout"]
    assert problems(messages.left_in(incident, repo.root)) == [
        (8, "template text left in the message: [[time]]"),
        (8, "template text left in the message: [[share]]"),
        (10, "template text left in the message: [[time]]"),
        (13, "template text left in the message: [[what we did]]"),
        (19, "template text left in the body: [[Summary]]"),
        (19, "template text left in the body: [[impact]]"),
        (21, "template text left in the body: [[...]]"),
    ]
    # Without the file's text, a message's placeholders are placed at their update.
    assert problems(messages.left_in(incident))[:4] == [
        (5, "template text left in the message: [[time]]"),
        (5, "template text left in the message: [[share]]"),
        (5, "template text left in the message: [[time]]"),
        (11, "template text left in the message: [[what we did]]"),
    ]


def test_a_placeholder_in_a_comment_does_not_mislead_the_lines(repo: Repo) -> None:
    text = HALF_WRITTEN.replace('message: "Fixed: [[what we did]]."', 'message: "Fixed: [[what we did]]."  # [[x]]')
    repo.incident("2025-11-03-checkout.md", text)
    [incident] = [i for i in workspace.load(repo.root).incidents if i.id == "2025-11-03-checkout"]
    assert problems(messages.left_in(incident, repo.root))[3] == (
        13,
        "template text left in the message: [[what we did]]",
    )


def test_a_half_written_postmortem_reports_every_placeholder(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    assert repo.run("postmortem", "2025-11-03-api-errors") == 0
    capsys.readouterr()
    assert repo.run("check", "--now", "2025-11-10T12:00:00Z") == 1
    err = capsys.readouterr().err
    text = (repo.root / "incidents/2025-11-03-api-errors.md").read_text().splitlines()
    expected = [
        f"incidents/2025-11-03-api-errors.md:{number}: template text left in the body: "
        f"{line.removeprefix('- ')} (write the real text in place of each [[...]])"
        for number, line in enumerate(text, 1)
        if "[[" in line
    ]
    assert len(expected) == 6
    assert [line for line in err.splitlines() if "template text" in line] == expected
