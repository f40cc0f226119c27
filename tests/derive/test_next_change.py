"""next-change.txt: the next instant the site changes by the clock alone."""

from __future__ import annotations

import pytest

from conftest import Repo
from factories import MAINT_FILE

LATER = """\
---
title: Planned notice
impact: none
updates:
  - at: 2025-11-03T09:00:00Z
    status: investigating
    message: Heads up.
  - at: 2025-11-12T09:00:00Z
    status: resolved
    message: Written ahead, published when due.
---
"""


@pytest.mark.parametrize(
    "now, expected",
    [
        ("2025-11-01T00:00:00Z", "2025-11-01T09:00:00Z"),  # the maintenance is announced
        ("2025-11-02T00:00:00Z", "2025-11-03T09:00:00Z"),  # the notice's first update falls due
        ("2025-11-05T00:00:00Z", "2025-11-06T02:00:00Z"),  # the window starts
        ("2025-11-06T02:00:00Z", "2025-11-06T04:00:00Z"),  # ... and ends
        ("2025-11-07T00:00:00Z", "2025-11-12T09:00:00Z"),  # the notice's resolution falls due
        ("2025-11-12T09:00:00Z", None),
    ],
)
def test_next_change(repo: Repo, capsys: pytest.CaptureFixture[str], now: str, expected: str | None) -> None:
    repo.incident("2025-11-03-notice.md", LATER)
    repo.incident(
        "2025-11-01-m1.md", MAINT_FILE.format(n=1, start="2025-11-06T02:00:00Z", end="2025-11-06T04:00:00Z", extra="")
    )
    assert repo.build(now) == 0
    summary = capsys.readouterr().out
    text = (repo.site / "next-change.txt").read_text()
    if expected is None:
        assert text == ""
        assert "next change" not in summary
    else:
        assert text == expected + "\n"
        assert summary.rstrip().endswith(f"; next change by the clock at {expected}")


def test_hidden_incidents_do_not_schedule_changes(repo: Repo) -> None:
    repo.incident("2025-11-03-notice.md", LATER.replace("impact: none", "impact: none\nhidden: true"))
    assert repo.build("2025-11-05T00:00:00Z") == 0
    assert (repo.site / "next-change.txt").read_text() == ""
