"""Feeds, read back the way subscribers' readers read them."""

from __future__ import annotations

import json
import time
from html import unescape

import feedparser
import pytest

from conftest import CONFIG, Repo
from statusgen import i18n

SECOND = """\
---
title: Dashboard slow
impact: minor
components: {web: degraded_performance}
updates:
  - at: 2025-11-05T09:00:00+01:00
    status: investigating
    message: Pages load slowly.
  - at: 2025-11-05T09:30:00+01:00
    status: resolved
    message: Fixed.
---
"""


@pytest.fixture
def built(repo: Repo) -> Repo:
    repo.incident("2025-11-05-dashboard-slow.md", SECOND)
    assert repo.build() == 0
    return repo


def parse(repo: Repo, rel: str) -> feedparser.FeedParserDict:
    parsed = feedparser.parse((repo.site / rel).read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


@pytest.mark.parametrize("name", ["feed.atom", "feed.rss"])
def test_site_feed_has_one_entry_per_update_newest_first(built: Repo, name: str) -> None:
    feed = parse(built, name)
    assert [e.title for e in feed.entries] == [
        "Dashboard slow: Resolved",
        "Dashboard slow: Investigating",
        "Elevated API error rates: Resolved",
        "Elevated API error rates: Investigating",
    ]
    assert [e.id for e in feed.entries] == [
        "tag:status.example.com,2025-11-05:2025-11-05-dashboard-slow/update-20251105t083000z",
        "tag:status.example.com,2025-11-05:2025-11-05-dashboard-slow/update-20251105t080000z",
        "tag:status.example.com,2025-11-03:2025-11-03-api-errors/update-20251103t152000z",
        "tag:status.example.com,2025-11-03:2025-11-03-api-errors/update-20251103t140500z",
    ]
    assert feed.entries[0].link == (
        "https://status.example.com/incidents/2025-11-05-dashboard-slow/#update-20251105t083000z"
    )
    newest = time.struct_time((2025, 11, 5, 8, 30, 0, 2, 309, 0))
    assert feed.feed.updated_parsed == newest
    assert feed.entries[0].published_parsed == newest
    self_links = [link.href for link in feed.feed.links if link.rel == "self"]
    assert self_links == [f"https://status.example.com/{name}"]
    assert feed.feed.link == "https://status.example.com/"


def test_atom_entry_content_and_changes(built: Repo) -> None:
    entry = parse(built, "feed.atom").entries[3]
    assert entry.content[0].type == "text/html"
    assert entry.content[0].value == (
        "<p>We are investigating elevated error rates on the public API. Next update by 15:00 UTC.</p>"
        "<p>Affects: Public API</p>"
        "<ul><li>Public API: Operational → Partial outage</li></ul>"
    )


def test_component_feed_only_has_its_incidents(built: Repo) -> None:
    api = parse(built, "components/api/feed.atom")
    assert [e.title for e in api.entries] == [
        "Elevated API error rates: Resolved",
        "Elevated API error rates: Investigating",
    ]
    assert api.feed.updated_parsed == time.struct_time((2025, 11, 3, 15, 20, 0, 0, 307, 0))
    db = parse(built, "components/db/feed.rss")
    assert db.entries == []
    # An empty feed is dated by the newest entry of the site, never by the build.
    assert db.feed.updated_parsed == time.struct_time((2025, 11, 5, 8, 30, 0, 2, 309, 0))


def test_json_feed(built: Repo) -> None:
    document = json.loads((built.site / "feed.json").read_text())
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert document["feed_url"] == "https://status.example.com/feed.json"
    assert [i["date_published"] for i in document["items"]] == [
        "2025-11-05T08:30:00Z",
        "2025-11-05T08:00:00Z",
        "2025-11-03T15:20:00Z",
        "2025-11-03T14:05:00Z",
    ]
    assert document["items"][0]["tags"] == ["minor", "resolved", "web"]
    assert len({i["id"] for i in document["items"]}) == 4


def test_ids_are_stable_when_the_build_changes(built: Repo) -> None:
    before = [e.id for e in parse(built, "feed.atom").entries]
    built.incident("2025-11-06-later.md", SECOND.replace("2025-11-05", "2025-11-06"))
    assert built.build("2025-12-01T00:00:00Z") == 0
    after = [e.id for e in parse(built, "feed.atom").entries]
    assert after[2:] == before
    assert len(set(after)) == len(after) == 6


def test_feed_is_capped_by_feed_entries(repo: Repo) -> None:
    repo.config(
        repo.root.joinpath("statusgen.yaml").read_text().replace("  timezone:", "  feed_entries: 3\n  timezone:")
    )
    repo.incident("2025-11-05-dashboard-slow.md", SECOND)
    assert repo.build() == 0
    assert len(parse(repo, "feed.atom").entries) == 3
    assert len(parse(repo, "components/web/feed.atom").entries) == 2


def test_updates_not_yet_due_are_not_in_feeds(built: Repo) -> None:
    assert built.build("2025-11-05T08:10:00Z") == 0
    feed = parse(built, "feed.atom")
    assert [e.title for e in feed.entries][:2] == [
        "Dashboard slow: Investigating",
        "Elevated API error rates: Resolved",
    ]
    assert feed.feed.updated_parsed == time.struct_time((2025, 11, 5, 8, 0, 0, 2, 309, 0))


@pytest.mark.parametrize("name", ["feed.atom", "feed.rss", "feed.json"])
def test_titles_with_quotes_ampersands_and_angle_brackets_read_as_written(repo: Repo, name: str) -> None:
    title = """Exports stuck in "pending" & <queued> for 'some' users"""
    repo.incident(
        "2025-11-05-exports.md",
        SECOND.replace("title: Dashboard slow", f"title: '{title.replace(chr(39), chr(39) * 2)}'"),
    )
    assert repo.build() == 0
    if name == "feed.json":
        titles = [item["title"] for item in json.loads((repo.site / name).read_text())["items"]]
    else:
        entries = parse(repo, name).entries
        # An RSS reader takes a title with markup characters for HTML (feedparser says which):
        # shown as that, it reads as written.
        titles = [unescape(e.title) if e.title_detail.type == "text/html" else e.title for e in entries]
    assert titles[:2] == [f"{title}: Resolved", f"{title}: Investigating"]
    assert "#34;" not in (repo.site / name).read_text()  # no quote escaped, once or twice


def test_rss_titles_escape_only_what_a_reader_could_take_for_markup(repo: Repo) -> None:
    repo.incident(
        "2025-11-05-exports.md", SECOND.replace("title: Dashboard slow", """title: 'Stuck in "pending" & <b>'""")
    )
    assert repo.build() == 0
    rss = (repo.site / "feed.rss").read_text()
    assert '<title>Stuck in "pending" &amp;amp; &amp;lt;b&amp;gt;: Resolved</title>' in rss


@pytest.mark.parametrize("name", ["feed.atom", "feed.rss", "feed.json"])
def test_every_entry_says_which_components_are_affected_in_its_text(repo: Repo, name: str) -> None:
    repo.config(CONFIG.replace("  timezone:", "  languages: [it]\n  timezone:"))
    repo.incident(
        "2025-11-05-dashboard-slow.md",
        SECOND.replace("{web: degraded_performance}", "{web: degraded_performance, db: partial_outage}"),
    )
    assert repo.build() == 0
    italian = i18n.language("it").gettext("Affects: %(components)s")
    for prefix, affects in (("", "Affects: %(components)s"), ("it/", italian)):
        if name == "feed.json":
            contents = [item["content_html"] for item in json.loads((repo.site / prefix / name).read_text())["items"]]
        else:
            contents = [e.content[0].value for e in parse(repo, prefix + name).entries]
        assert [c.split("</p>")[1] for c in contents] == [
            "<p>" + affects % {"components": "Dashboard, Database"},
            "<p>" + affects % {"components": "Dashboard, Database"},
            "<p>" + affects % {"components": "Public API"},
            "<p>" + affects % {"components": "Public API"},
        ]
