"""The built demo read back by the tools its readers use: the Nu HTML Checker, a link checker,
feedparser, JSON Schema and icalendar."""

from __future__ import annotations

import json
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
import icalendar
import pytest
from jsonschema import Draft202012Validator

from chromium import nu_check
from conftest import DEMO_NOW, copy_demo
from schemas import FILES as API_SCHEMAS
from schemas import SCHEMAS, registry
from statusgen.cli import main
from statusgen.render import pages

NOW = DEMO_NOW
SITE = "https://status.example.com/"
COMPONENTS = ["api", "web", "auth", "db", "search", "storage", "webhooks", "email", "docs"]
# 143 updates are published by NOW; the site's feeds keep the newest 100.
# The database failover's postmortem is an entry of its own, in the feeds of the five components
# it touched (api, web, auth, db, webhooks).
FEED_ENTRIES = {
    "": 100,
    "components/api/": 53,
    "components/web/": 49,
    "components/auth/": 31,
    "components/db/": 20,
    "components/search/": 31,
    "components/storage/": 16,
    "components/webhooks/": 24,
    "components/email/": 14,
    "components/docs/": 7,
}


def build(out: Path) -> Path:
    """The demo, copied beside ``out``, built into ``out``."""
    demo = copy_demo(out.parent / "demo")
    assert main(["-C", str(demo.root), "build", "--out", str(out), "--now", NOW, "--no-cache"]) == 0
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("valid") / "site")


@pytest.fixture(scope="module")
def paged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo with ten incidents a history page: 35 incidents make four pages with a pager."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pages, "HISTORY_PAGE_SIZE", 10)
        out = build(tmp_path_factory.mktemp("paged") / "site")
    assert sorted(p.relative_to(out).as_posix() for p in (out / "history").rglob("*.html")) == [
        "history/index.html",
        "history/page/2/index.html",
        "history/page/3/index.html",
        "history/page/4/index.html",
    ]
    return out


# --- The Nu HTML Checker -------------------------------------------------------------------------

CANARY = "<!doctype html>\n<html lang=en>\n<title>canary</title>\n<p><div>a div in a paragraph</div></p>\n"


@pytest.mark.validator
def test_every_page_passes_the_nu_html_checker(site: Path, paged: Path, tmp_path: Path) -> None:
    # A page with a known error goes through the same run, to show the checker reads what it is given.
    (tmp_path / "canary").mkdir()
    (tmp_path / "canary" / "index.html").write_text(CANARY)
    checked = [*site.rglob("*.html"), *(paged / "history").rglob("*.html")]
    assert len(checked) == 2 * 49 + 4  # the demo in English and in Italian, and the pager's pages
    assert len(list(site.rglob("*.svg"))) == 1 + 2 * 10 and len(list(site.rglob("*.css"))) == 1

    messages = nu_check(site, paged / "history", tmp_path / "canary")

    def where(message: dict[str, str]) -> str:
        return message.get("url", "?").split("/site/", 1)[-1].split("/canary/", 1)[-1]

    # Where, what, and the text it is about (the checker's line numbers are off by one when it
    # also checks CSS).
    def say(message: dict[str, str]) -> str:
        return f"{where(message)}: {message['message']} ({message.get('extract', '').strip()!r})"

    errors = [say(m) for m in messages if m["type"] != "info"]
    warnings = [say(m) for m in messages if m["type"] == "info" and m.get("subType") == "warning"]
    assert errors == [
        "index.html: No “p” element in scope but a “p” end tag seen. ('div>a div in a paragraph</div></p>')"
    ]
    assert warnings == []


# --- Links ---------------------------------------------------------------------------------------


class References(HTMLParser):
    """The URLs an HTML page refers to, and the ids it defines."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src", "xlink:href", "action", "poster") and value is not None:
                self.urls.append(value)
            if name == "id" and value:
                self.ids.add(value)


def read_html(path: Path) -> References:
    parser = References()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


class Checker:
    """Resolves URLs of the site to files of the output, fragments included."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.ids: dict[Path, set[str]] = {}
        self.internal: Counter[str] = Counter()
        self.external: set[str] = set()

    def check(self, url: str, source: str) -> str | None:
        """None if ``url`` (absolute) is outside the site or resolves; else what is wrong."""
        if url.startswith("webcal://"):
            url = "https://" + url[len("webcal://") :]
        if url.rstrip("/") + "/" == SITE:
            url = SITE
        if not url.startswith(SITE):
            if urlsplit(url).scheme not in ("http", "https", "mailto"):
                return f"{source}: unexpected URL {url}"
            self.external.add(url)
            return None
        self.internal[source.split(":", 1)[0]] += 1
        parts = urlsplit(url[len(SITE) :])
        path = parts.path
        target = self.out / (path + "index.html" if path == "" or path.endswith("/") else path)
        if not target.is_file():
            return f"{source}: {url} is not a file of the site"
        if parts.fragment:
            if target.suffix != ".html":
                return f"{source}: {url} has a fragment on a file that is not a page"
            if target not in self.ids:
                self.ids[target] = read_html(target).ids
            if parts.fragment not in self.ids[target]:
                return f"{source}: {url}: no element with id {parts.fragment!r}"
        return None


SITE_URL = re.compile(r"(?:https|webcal)://status\.example\.com[^\s\"'<>&\\)]*")


def references(out: Path) -> list[tuple[str, str]]:
    """(source, absolute URL) for every reference to a URL in the output's pages, feeds,
    sitemap, robots.txt, API, badges and calendar."""
    found: list[tuple[str, str]] = []
    for path in sorted(out.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(out).as_posix()
        kind = "page" if path.suffix == ".html" else path.name if path.parent == out else path.suffix
        if path.suffix == ".html":
            base = SITE + rel
            found += [(f"{kind}:{rel}", urljoin(base, url)) for url in read_html(path).urls]
        elif path.suffix == ".ics":
            unfolded = path.read_bytes().decode("utf-8").replace("\r\n ", "")
            found += [(f"{kind}:{rel}", url) for url in SITE_URL.findall(unfolded)]
        elif path.suffix in (".xml", ".txt", ".atom", ".rss", ".json"):
            found += [(f"{kind}:{rel}", url) for url in SITE_URL.findall(path.read_text(encoding="utf-8"))]
    return found


def check_links(out: Path) -> tuple[list[str], Checker]:
    checker = Checker(out)
    problems = [problem for source, url in references(out) if (problem := checker.check(url, source))]
    return problems, checker


def test_every_reference_to_the_site_resolves(site: Path, paged: Path) -> None:
    problems, checker = check_links(site)
    assert problems == []
    counts = checker.internal
    # The index, incidents, components, subscribe page and history, in each language.
    assert counts["sitemap.xml"] == 2 * (1 + 35 + 9 + 1 + 1)
    assert counts["robots.txt"] == 1
    assert {kind for kind in counts} == {
        "page",
        "sitemap.xml",
        "robots.txt",
        "feed.atom",
        "feed.rss",
        "feed.json",
        ".atom",
        ".rss",
        ".json",
        "maintenance.ics",
        ".ics",
    }
    # Each language's pages link as one language's did (1177: the postmortem's summary to the
    # postmortem among them, and the uptime bars' incidents, of their 30 newest busy days in full on
    # the home page), and each of the 98 pages to its two languages in the switcher and by hreflang
    # (with x-default): 2 * 1177 + 98 * (2 + 3); and the icon of each verdict against a
    # target, of 37 periods (25 months, 9 quarters, 3 years) of the two components with one, in
    # both languages: 2 * 2 * 37; and the status icons of the provider's group and its two
    # components shown, in both languages: 2 * 3. The feeds are linked from the subscribe page alone; the JSON
    # Feeds' items include the 10 postmortem entries (the site's feed and five components', in two
    # languages). The calendar, too, is named on the subscribe pages alone (its webcal link and its
    # address to copy).
    assert (
        counts["page"] == 2 * 1177 + 98 * (2 + 3) + 2 * 2 * 37 + 2 * 3
        and counts[".json"] == 664 + 10
        and counts["maintenance.ics"] == 3 * 2
        and counts[".ics"] == 3 * 2
    )
    # References and links in the demo's messages, and the provider's page and its open incident.
    assert len(checker.external) == 15 + 2
    assert {
        "https://status.nimbus.example/",
        "https://status.nimbus.example/incidents/w4x8k2m9p1qz",
    } <= checker.external

    problems, checker = check_links(paged)
    assert problems == []
    assert checker.internal["sitemap.xml"] == 2 * (1 + 35 + 9 + 1 + 4)  # with four history pages


def test_the_link_checker_finds_missing_files_and_fragments(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text(
        '<p id="here"><a href="../b/">b</a> <a href="#gone">x</a>'
        ' <a href="#here">y</a> <a href="https://elsewhere.example/">z</a>'
    )
    (tmp_path / "feed.json").write_text(
        '{"url": "https://status.example.com/a/#here", "next": "https://status.example.com/c.json"}'
    )
    problems, checker = check_links(tmp_path)
    assert problems == [
        "page:a/index.html: https://status.example.com/b/ is not a file of the site",
        "page:a/index.html: https://status.example.com/a/index.html#gone: no element with id 'gone'",
        "feed.json:feed.json: https://status.example.com/c.json is not a file of the site",
    ]
    assert checker.external == {"https://elsewhere.example/"}


# --- Feeds ---------------------------------------------------------------------------------------

# JSON Feed 1.1 (jsonfeed.org/version/1.1), which feedparser does not read.
JSON_FEED = {
    "type": "object",
    "required": ["version", "title", "items"],
    "properties": {
        "version": {"const": "https://jsonfeed.org/version/1.1"},
        "title": {"type": "string", "minLength": 1},
        "home_page_url": {"type": "string", "format": "uri"},
        "feed_url": {"type": "string", "format": "uri"},
        "description": {"type": "string"},
        "language": {"type": "string"},
        "authors": {"type": "array", "items": {"$ref": "#/$defs/author"}},
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id"],
                "anyOf": [{"required": ["content_html"]}, {"required": ["content_text"]}],
                "properties": {
                    "id": {"type": "string", "minLength": 1},
                    "url": {"type": "string", "format": "uri"},
                    "title": {"type": "string"},
                    "content_html": {"type": "string"},
                    "content_text": {"type": "string"},
                    "summary": {"type": "string"},
                    "date_published": {"type": "string", "format": "date-time"},
                    "date_modified": {"type": "string", "format": "date-time"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "authors": {"type": "array", "items": {"$ref": "#/$defs/author"}},
                },
                "additionalProperties": False,
            },
        },
    },
    "additionalProperties": False,
    "$defs": {
        "author": {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": False,
            "properties": {
                "name": {"type": "string"},
                "url": {"type": "string", "format": "uri"},
                "avatar": {"type": "string", "format": "uri"},
            },
        }
    },
}


def errors_of(schema: dict[str, Any], document: object) -> list[str]:
    validator = Draft202012Validator(schema, registry=registry(), format_checker=Draft202012Validator.FORMAT_CHECKER)
    return [f"{e.message} at {list(e.absolute_path)}" for e in validator.iter_errors(document)]


def test_feeds_parse_with_the_expected_entries(site: Path) -> None:
    for prefix, count in FEED_ENTRIES.items():
        atom = feedparser.parse(str(site / prefix / "feed.atom"))
        rss = feedparser.parse(str(site / prefix / "feed.rss"))
        assert (atom.bozo, atom.version, len(atom.entries)) == (0, "atom10", count), prefix
        assert (rss.bozo, rss.version, len(rss.entries)) == (0, "rss20", count), prefix
        assert atom.feed.link == rss.feed.link == SITE + prefix
        entries = [(e.id, e.link, e.title, e.updated_parsed) for e in atom.entries]
        assert [(e.id, e.link, e.title, e.published_parsed) for e in rss.entries] == entries
        assert len({e.id for e in atom.entries}) == count and all(e.id.startswith("tag:") for e in atom.entries)

        document = json.loads((site / prefix / "feed.json").read_text())
        assert errors_of(JSON_FEED, document) == [], prefix
        assert document["feed_url"] == SITE + prefix + "feed.json"
        assert [(i["id"], i["url"], i["title"]) for i in document["items"]] == [e[:3] for e in entries]


def test_the_formats_are_checked() -> None:
    assert errors_of(
        JSON_FEED,
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": "t",
            "items": [{"id": "1", "content_text": "x", "date_published": "2026-11-23T09:00:00", "url": "incidents/x/"}],
        },
    ) == [
        "'incidents/x/' is not a 'uri' at ['items', 0, 'url']",
        "'2026-11-23T09:00:00' is not a 'date-time' at ['items', 0, 'date_published']",
    ]


# --- JSON: the API and the badges ----------------------------------------------------------------

# A shields.io endpoint document (shields.io/badges/endpoint-badge).
BADGE = {
    "type": "object",
    "required": ["schemaVersion", "label", "message"],
    "properties": {
        "schemaVersion": {"const": 1},
        "label": {"type": "string"},
        "message": {"type": "string", "minLength": 1},
        "color": {
            "type": "string",
            "pattern": r"^(brightgreen|green|yellowgreen|yellow|orange|red|blue|"
            r"lightgrey|grey|[0-9a-f]{3}|[0-9a-f]{6})$",
        },
        "labelColor": {"type": "string"},
        "isError": {"type": "boolean"},
        "namedLogo": {"type": "string"},
        "logoColor": {"type": "string"},
        "style": {"enum": ["flat", "flat-square", "plastic", "for-the-badge", "social"]},
        "cacheSeconds": {"type": "integer", "minimum": 300},
    },
    "additionalProperties": False,
}


def test_every_json_file_matches_its_schema(site: Path) -> None:
    api = sorted(p.relative_to(site).as_posix() for p in (site / "api").rglob("*.json"))
    assert api == sorted(API_SCHEMAS)
    for rel, schema in API_SCHEMAS.items():
        assert errors_of(json.loads((SCHEMAS / schema).read_text()), json.loads((site / rel).read_text())) == [], rel

    badges = sorted(p.relative_to(site).as_posix() for p in site.rglob("badge.json"))
    one = ["badge.json", *(f"components/{c}/badge.json" for c in COMPONENTS)]
    assert badges == sorted([*one, *(f"it/{rel}" for rel in one)])
    for rel in badges:
        assert errors_of(BADGE, json.loads((site / rel).read_text())) == [], rel
    assert json.loads((site / "components/webhooks/badge.json").read_text()) == {
        "schemaVersion": 1,
        "label": "Webhooks",
        "message": "major outage",
        "color": "red",
    }
    # Italian badges keep their words' own case.
    assert json.loads((site / "it/components/webhooks/badge.json").read_text()) == {
        "schemaVersion": 1,
        "label": "Webhooks",
        "message": "Interruzione grave",
        "color": "red",
    }
    assert json.loads((site / "it/badge.json").read_text())["label"] == "stato"


# --- The maintenance calendar --------------------------------------------------------------------


def test_the_calendar_has_the_demo_maintenance_windows(site: Path) -> None:
    calendar = icalendar.Calendar.from_ical((site / "maintenance.ics").read_bytes())
    assert not calendar.errors
    events = [
        (
            str(e["uid"]),
            e.decoded("dtstart").isoformat(),
            e.decoded("dtend").isoformat(),
            str(e["status"]),
            e.decoded("sequence"),
            str(e["url"]),
        )
        for e in calendar.walk("VEVENT")
    ]
    incident = SITE + "incidents/{}/"
    # The calendar keeps the last twelve months: the demo's database upgrade of September 2025,
    # over a year before its now, is on its page and in the history, no longer in the calendar.
    assert events == [
        (
            "2026-03-02-storage-migration@status.example.com",
            "2026-03-14T23:00:00+00:00",
            "2026-03-15T02:00:00+00:00",
            "CANCELLED",
            1,
            incident.format("2026-03-02-storage-migration"),
        ),
        (
            "2026-08-18-search-cluster-upgrade@status.example.com",
            "2026-08-25T01:00:00+00:00",
            "2026-08-25T02:30:00+00:00",
            "CONFIRMED",
            0,
            incident.format("2026-08-18-search-cluster-upgrade"),
        ),
        (
            "2026-11-20-database-major-upgrade@status.example.com",
            "2027-01-16T01:00:00+00:00",
            "2027-01-16T03:00:00+00:00",
            "CONFIRMED",
            0,
            incident.format("2026-11-20-database-major-upgrade"),
        ),
    ]
    assert str(calendar["x-wr-calname"]) == "Acme Status: maintenance"
