"""An incident's postmortem is an entry of its own in every feed, dated when it was published."""

from __future__ import annotations

import json

import feedparser
import pytest

from conftest import Repo

POSTMORTEM = """\
---
title: Elevated API error rates
impact: major
components:
  api: partial_outage
{extra}updates:
  - at: 2025-11-03T14:05:00Z
    status: investigating
    message: We are investigating elevated error rates on the public API. Next update by 15:00 UTC.
  - at: 2025-11-03T15:20:00Z
    status: resolved
    message: Error rates are back to normal.
---
The rate limiter failed.

## Postmortem

### Root cause

A *faulty* deploy of the rate limiter.

### Actions

- Canary every deploy.

## Afterword

Not part of the postmortem.
"""
ENTRY_ID = "tag:status.example.com,2025-11-03:2025-11-03-api-errors/postmortem"
LINK = "https://status.example.com/incidents/2025-11-03-api-errors/#postmortem"
TITLE = "Postmortem: Elevated API error rates"


def write(repo: Repo, extra: str = "postmortem_at: 2025-11-05T10:00:00+01:00\n") -> None:
    repo.incident("2025-11-03-api-errors.md", POSTMORTEM.format(extra=extra))


def parse(repo: Repo, rel: str) -> feedparser.FeedParserDict:
    parsed = feedparser.parse((repo.site / rel).read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


@pytest.mark.parametrize("rel", ["feed.atom", "feed.rss", "components/api/feed.atom", "components/api/feed.rss"])
def test_postmortem_is_the_newest_entry_dated_at_postmortem_at(repo: Repo, rel: str) -> None:
    write(repo)
    assert repo.build() == 0
    feed = parse(repo, rel)
    first = feed.entries[0]
    assert [e.title for e in feed.entries] == [
        TITLE,
        "Elevated API error rates: Resolved",
        "Elevated API error rates: Investigating",
    ]
    assert first.id == ENTRY_ID
    assert first.link == LINK
    assert first.published_parsed[:6] == (2025, 11, 5, 9, 0, 0)
    assert feed.feed.updated_parsed[:6] == (2025, 11, 5, 9, 0, 0)
    # The postmortem section alone, sanitized as the page shows it: not the body around it.
    html = first.content[0].value if "content" in first else first.description
    assert "<h3>Root cause</h3>" in html
    assert "<em>faulty</em>" in html
    assert "<li>Canary every deploy.</li>" in html
    assert "rate limiter failed" not in html
    assert "Afterword" not in html


def test_json_feed_carries_the_postmortem_entry(repo: Repo) -> None:
    write(repo)
    assert repo.build() == 0
    for rel in ("feed.json", "components/api/feed.json"):
        items = json.loads((repo.site / rel).read_text(encoding="utf-8"))["items"]
        first = items[0]
        assert first["id"] == ENTRY_ID
        assert first["title"] == TITLE
        assert first["url"] == LINK
        assert first["date_published"] == first["date_modified"] == "2025-11-05T09:00:00Z"
        assert first["tags"] == ["major", "postmortem", "api"]
        assert first["summary"].startswith("Root cause")
        assert len({item["id"] for item in items}) == len(items) == 3


def test_postmortem_without_postmortem_at_is_dated_at_the_last_update(repo: Repo) -> None:
    write(repo, extra="")
    assert repo.build() == 0
    feed = parse(repo, "feed.atom")
    assert [(e.id, e.published_parsed[:6]) for e in feed.entries] == [
        (ENTRY_ID, (2025, 11, 3, 15, 20, 0)),
        (
            "tag:status.example.com,2025-11-03:2025-11-03-api-errors/update-20251103t152000z",
            (2025, 11, 3, 15, 20, 0),
        ),
        (
            "tag:status.example.com,2025-11-03:2025-11-03-api-errors/update-20251103t140500z",
            (2025, 11, 3, 14, 5, 0),
        ),
    ]


def test_postmortem_id_is_stable_across_builds(repo: Repo) -> None:
    write(repo)
    assert repo.build() == 0
    before = parse(repo, "feed.atom").entries[0].id
    # A later incident, and a build without the cache, change nothing of the entry's id.
    repo.incident(
        "2025-11-07-web.md",
        "---\ntitle: Dashboard slow\nimpact: minor\ncomponents: {web: degraded_performance}\nupdates:\n"
        "  - at: 2025-11-07T09:00:00Z\n    status: resolved\n    message: Fixed.\n---\n",
    )
    assert repo.build("2025-11-10T12:00:00Z", "--no-cache") == 0
    entries = parse(repo, "feed.atom").entries
    assert [e.title for e in entries][:2] == ["Dashboard slow: Resolved", TITLE]
    assert entries[1].id == before == ENTRY_ID


def test_postmortem_published_after_now_is_not_in_the_feeds_yet(repo: Repo) -> None:
    write(repo, extra="postmortem_at: 2025-11-20T10:00:00Z\n")
    assert repo.build("2025-11-10T12:00:00Z") == 0
    feed = parse(repo, "feed.atom")
    assert [e.title for e in feed.entries] == [
        "Elevated API error rates: Resolved",
        "Elevated API error rates: Investigating",
    ]
    assert feed.feed.updated_parsed[:6] == (2025, 11, 3, 15, 20, 0)
    assert repo.build("2025-11-21T00:00:00Z") == 0
    assert parse(repo, "feed.atom").entries[0].id == ENTRY_ID


def test_no_postmortem_section_no_entry(repo: Repo) -> None:
    repo.incident("2025-11-03-api-errors.md", POSTMORTEM.format(extra="").replace("## Postmortem", "## Details"))
    assert repo.build() == 0
    assert [e.title for e in parse(repo, "feed.atom").entries] == [
        "Elevated API error rates: Resolved",
        "Elevated API error rates: Investigating",
    ]


def test_postmortem_is_only_in_the_feeds_of_its_components(repo: Repo) -> None:
    write(repo)
    assert repo.build() == 0
    assert parse(repo, "components/web/feed.atom").entries == []
    assert parse(repo, "components/api/feed.atom").entries[0].id == ENTRY_ID


def test_translated_feed_names_its_own_postmortem_entry(repo: Repo) -> None:
    repo.config(
        (repo.root / "statusgen.yaml").read_text(encoding="utf-8").replace("timezone:", "languages: [it]\n  timezone:")
    )
    write(repo)
    assert repo.build() == 0
    italian = parse(repo, "it/feed.atom").entries[0]
    assert italian.id == "tag:status.example.com,2025-11-03:2025-11-03-api-errors/it/postmortem"
    assert italian.link == "https://status.example.com/it/incidents/2025-11-03-api-errors/#postmortem"


@pytest.mark.parametrize(
    ("extra", "line", "message"),
    [
        (
            "postmortem_at: 2025-11-01T15:00:00Z\n",
            6,
            "postmortem_at is before the incident's first update (2025-11-03T14:05:00Z)",
        ),
        # The same instant written in another zone is still before the incident began.
        (
            "postmortem_at: 2025-11-03T15:04:59+01:00\n",
            6,
            "postmortem_at is before the incident's first update (2025-11-03T14:05:00Z)",
        ),
        ("postmortem_at: 2025-11-05T10:00:00\n", 6, "time '2025-11-05T10:00:00' has no UTC offset"),
        ("postmortem_at: 2025-11-05\n", 6, "'2025-11-05' is a date, not a time"),
    ],
)
def test_bad_postmortem_at_is_refused_at_its_line(
    repo: Repo, capsys: pytest.CaptureFixture[str], extra: str, line: int, message: str
) -> None:
    write(repo, extra=extra)
    assert repo.run("check") == 1
    err = capsys.readouterr().err
    assert f"incidents/2025-11-03-api-errors.md:{line}: {message}" in err
    assert "Traceback" not in err
    assert repo.build() == 1
    assert not repo.site.exists()


def test_bad_postmortem_at_says_how_to_fix_it(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo, extra="postmortem_at: 2025-11-01T15:00:00Z\n")
    assert repo.run("check") == 1
    assert "write the time the postmortem was published, which is after the incident began" in capsys.readouterr().err


def test_postmortem_at_at_the_last_update_is_allowed(repo: Repo) -> None:
    write(repo, extra="postmortem_at: 2025-11-03T16:20:00+01:00\n")
    assert repo.build() == 0
    assert parse(repo, "feed.atom").entries[0].published_parsed[:6] == (2025, 11, 3, 15, 20, 0)


@pytest.mark.parametrize(
    ("at", "published"),
    [
        ("2025-11-03T14:05:00Z", (2025, 11, 3, 14, 5, 0)),  # the instant the incident began
        ("2025-11-03T16:00:00+01:00", (2025, 11, 3, 15, 0, 0)),  # before its resolution
    ],
)
def test_postmortem_at_from_the_first_update_on_is_allowed(repo: Repo, at: str, published: tuple[int, ...]) -> None:
    write(repo, extra=f"postmortem_at: {at}\n")
    assert repo.run("check") == 0
    assert repo.build() == 0
    entries = parse(repo, "feed.atom").entries
    assert [(e.title, e.published_parsed[:6]) for e in entries if e.id == ENTRY_ID] == [(TITLE, published)]


REOPENED = "  - at: 2025-11-06T08:00:00Z\n    status: investigating\n    message: Errors are back.\n" + (
    "  - at: 2025-11-06T09:30:00Z\n    status: resolved\n    message: Fixed again.\n"
)


def reopen(repo: Repo, extra: str = "postmortem_at: 2025-11-05T10:00:00+01:00\n") -> None:
    """The incident, reopened and resolved again after its postmortem was published."""
    text = POSTMORTEM.format(extra=extra).replace("---\nThe rate limiter", REOPENED + "---\nThe rate limiter")
    repo.incident("2025-11-03-api-errors.md", text)


def test_an_incident_reopened_after_its_postmortem_builds(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    reopen(repo)
    assert repo.run("check") == 0
    assert repo.build() == 0
    feed = parse(repo, "feed.atom")
    # The postmortem keeps its own time, among the updates: not moved to the last one.
    assert [(e.title, e.published_parsed[:6]) for e in feed.entries] == [
        ("Elevated API error rates: Resolved", (2025, 11, 6, 9, 30, 0)),
        ("Elevated API error rates: Investigating", (2025, 11, 6, 8, 0, 0)),
        (TITLE, (2025, 11, 5, 9, 0, 0)),
        ("Elevated API error rates: Resolved", (2025, 11, 3, 15, 20, 0)),
        ("Elevated API error rates: Investigating", (2025, 11, 3, 14, 5, 0)),
    ]
    assert feed.entries[2].id == ENTRY_ID
    assert feed.feed.updated_parsed[:6] == (2025, 11, 6, 9, 30, 0)
    items = json.loads((repo.site / "feed.json").read_text(encoding="utf-8"))["items"]
    assert [(i["id"], i["date_published"]) for i in items if "postmortem" in i["tags"]] == [
        (ENTRY_ID, "2025-11-05T09:00:00Z")
    ]
    capsys.readouterr()
    # The next build reads the incident back from the cache, postmortem_at and all.
    assert repo.build("2025-11-10T12:30:00Z") == 0
    assert "(0 parsed, 1 from the cache)" in capsys.readouterr().out
    assert parse(repo, "feed.atom").entries[2].id == ENTRY_ID


def test_a_reopened_incident_is_among_the_newest_by_its_last_update(repo: Repo) -> None:
    """With room for one incident's entries, the incident reopened after its postmortem is
    newer than one resolved between its postmortem and its reopening."""
    repo.config(
        (repo.root / "statusgen.yaml")
        .read_text(encoding="utf-8")
        .replace("  timezone:", "  feed_entries: 1\n  timezone:")
    )
    reopen(repo)
    repo.incident(
        "2025-11-05-web.md",
        "---\ntitle: Dashboard slow\nimpact: minor\ncomponents: {web: degraded_performance}\nupdates:\n"
        "  - at: 2025-11-05T12:00:00Z\n    status: resolved\n    message: Fixed.\n---\n",
    )
    assert repo.build() == 0
    assert [(e.title, e.published_parsed[:6]) for e in parse(repo, "feed.atom").entries] == [
        ("Elevated API error rates: Resolved", (2025, 11, 6, 9, 30, 0)),
    ]


def test_postmortem_at_is_not_a_key_of_maintenance(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.incident(
        "2025-11-20-db-upgrade.md",
        "---\ntitle: Database upgrade\nkind: maintenance\n"
        "window: {start: 2025-11-20T02:00:00Z, end: 2025-11-20T04:00:00Z}\ncomponents: [db]\n"
        "postmortem_at: 2025-11-21T00:00:00Z\nupdates:\n"
        "  - at: 2025-11-10T10:00:00Z\n    status: scheduled\n    message: We will upgrade the database.\n---\n",
    )
    assert repo.run("check") == 1
    assert "incidents/2025-11-20-db-upgrade.md:6: unknown key 'postmortem_at'" in capsys.readouterr().err


def test_translation_cannot_give_postmortem_at(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.config(
        (repo.root / "statusgen.yaml").read_text(encoding="utf-8").replace("timezone:", "languages: [it]\n  timezone:")
    )
    write(repo)
    repo.incident(
        "2025-11-03-api-errors.it.md",
        "---\ntitle: Errori delle API\npostmortem_at: 2025-11-06T10:00:00Z\n---\n",
    )
    assert repo.run("check") == 1
    err = capsys.readouterr().err
    assert "incidents/2025-11-03-api-errors.it.md:3: 'postmortem_at' comes from the incident's own file" in err


def test_postmortem_at_comes_back_from_the_build_cache(repo: Repo) -> None:
    write(repo)
    assert repo.build() == 0
    first = (repo.site / "feed.atom").read_bytes()
    # The second build reads the incident from the cache: its postmortem_at with it.
    assert repo.build("2025-11-10T12:30:00Z") == 0
    assert (repo.site / "feed.atom").read_bytes() == first
    assert parse(repo, "feed.atom").entries[0].published_parsed[:6] == (2025, 11, 5, 9, 0, 0)
