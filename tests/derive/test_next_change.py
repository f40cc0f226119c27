"""next-change.txt: the next instant the site changes by the clock alone."""

from __future__ import annotations

from datetime import datetime, timedelta

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
        ("2025-11-12T09:00:00Z", "2026-11-06T04:00:00Z"),  # the window leaves the calendar
        ("2026-11-06T04:00:00Z", None),
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


POSTMORTEM = """\
---
title: Database down
impact: critical
components:
  db: major_outage
{extra}updates:
  - at: 2025-11-03T14:05:00Z
    status: investigating
    message: The database is down.
  - at: 2025-11-03T15:20:00Z
    status: resolved
    message: The database is back.
---
The disk filled up.
{postmortem}"""
SECTION = "\n## Postmortem\n\nThe disk filled up because logs were never rotated.\n"


def next_change_file(repo: Repo) -> str:
    return (repo.site / "next-change.txt").read_text()


def test_a_postmortem_published_later_is_the_next_change(repo: Repo) -> None:
    repo.incident(
        "2025-11-03-db.md", POSTMORTEM.format(extra="postmortem_at: 2025-11-15T12:00:00+01:00\n", postmortem=SECTION)
    )
    assert repo.build("2025-11-10T11:00:00Z") == 0
    assert next_change_file(repo) == "2025-11-15T11:00:00Z\n"
    # Then the feed gains the postmortem's entry, and nothing else is due.
    assert repo.build("2025-11-15T10:59:59Z") == 0
    assert "/postmortem</id>" not in (repo.site / "feed.atom").read_text()
    assert repo.build("2025-11-15T11:00:00Z") == 0
    assert "/postmortem</id>" in (repo.site / "feed.atom").read_text()
    assert next_change_file(repo) == ""


def test_an_update_before_the_postmortem_comes_first(repo: Repo) -> None:
    later = POSTMORTEM.format(extra="postmortem_at: 2025-11-15T11:00:00Z\n", postmortem=SECTION).replace(
        "---\nThe disk",
        "  - at: 2025-11-12T09:00:00Z\n    status: resolved\n    message: Root cause found.\n---\nThe disk",
    )
    repo.incident("2025-11-03-db.md", later)
    assert repo.build("2025-11-10T11:00:00Z") == 0
    assert next_change_file(repo) == "2025-11-12T09:00:00Z\n"
    assert repo.build("2025-11-12T09:00:00Z") == 0
    assert next_change_file(repo) == "2025-11-15T11:00:00Z\n"


@pytest.mark.parametrize(
    ("extra", "postmortem"),
    [
        ("postmortem_at: 2025-11-05T10:00:00Z\n", SECTION),  # already published
        ("postmortem_at: 2025-11-15T11:00:00Z\n", ""),  # no postmortem to publish
        ("postmortem_at: 2025-11-15T11:00:00Z\nhidden: true\n", SECTION),  # not published at all
        ("", SECTION),  # dated at its last update, long past
    ],
)
def test_postmortems_that_change_nothing_later(repo: Repo, extra: str, postmortem: str) -> None:
    repo.incident("2025-11-03-db.md", POSTMORTEM.format(extra=extra, postmortem=postmortem))
    assert repo.build("2025-11-10T11:00:00Z") == 0
    assert next_change_file(repo) == ""


@pytest.mark.parametrize(
    ("end", "now", "leaves"),
    [
        # Ended 11 months and 30 days before "now": it leaves the calendar the next day.
        ("2024-12-11T04:00:00Z", "2025-12-10T04:00:00Z", "2025-12-11T04:00:00Z"),
        # An end written in another offset leaves at the same instant a year on, in UTC.
        ("2024-12-11T05:30:00+01:30", "2025-12-10T04:00:00Z", "2025-12-11T04:00:00Z"),
        # 29 February's window leaves on 1 March.
        ("2028-02-29T04:00:00Z", "2029-02-27T00:00:00Z", "2029-03-01T04:00:00Z"),
    ],
)
def test_a_maintenance_leaving_the_calendar_is_the_next_change(repo: Repo, end: str, now: str, leaves: str) -> None:
    start = end.replace("T04:00", "T02:00").replace("T05:30", "T03:30")
    repo.incident(
        f"{end[:10]}-m1.md",
        MAINT_FILE.format(n=1, start=start, end=end, extra="").replace("2025-11-01T09", "2024-01-01T09"),
    )
    assert repo.build(now) == 0
    assert next_change_file(repo) == leaves + "\n"
    assert "UID:" in (repo.site / "maintenance.ics").read_text()
    # The calendar holds the window until that instant, and from then on does not.
    before = (datetime.fromisoformat(leaves) - timedelta(seconds=1)).isoformat()
    assert repo.build(before) == 0
    assert "UID:" in (repo.site / "maintenance.ics").read_text()
    assert repo.build(leaves) == 0
    assert "UID:" not in (repo.site / "maintenance.ics").read_text()
    assert next_change_file(repo) == ""
