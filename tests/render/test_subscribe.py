"""Following the page: the subscribe page, the embed page, embed.js, and links that lead to them."""

from __future__ import annotations

import gzip
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from conftest import DEMO_NOW, Repo
from schemas import FILES, SCHEMAS, registry


class Parsed(HTMLParser):
    """The links, ids, code blocks and elements of a page."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []  # (href, text)
        self.ids: dict[str, str] = {}  # id: tag
        self.code: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self._link: list[str] | None = None
        self._href = ""
        self._code: list[str] | None = None
        self._in_pre = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.append((tag, found))
        if found.get("id"):
            self.ids[str(found["id"])] = tag
        if tag == "a" and found.get("href") is not None:
            self._link, self._href = [], str(found["href"])
        if tag == "pre":
            self._in_pre = True
        if tag == "code" and self._in_pre:
            self._code = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._link is not None:
            self.links.append((self._href, " ".join("".join(self._link).split())))
            self._link = None
        if tag == "code" and self._code is not None:
            self.code.append("".join(self._code))
            self._code = None
        if tag == "pre":
            self._in_pre = False

    def handle_data(self, data: str) -> None:
        if self._link is not None:
            self._link.append(data)
        if self._code is not None:
            self._code.append(data)


def parsed(repo: Repo, rel: str) -> Parsed:
    return Parsed(repo.page(rel))


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Repo:
    from conftest import copy_demo

    demo = copy_demo(tmp_path_factory.mktemp("follow") / "demo")
    assert demo.build(DEMO_NOW, "--no-cache") == 0
    return demo


def test_subscribe_page_lists_every_feed_with_its_address(demo_site: Repo) -> None:
    page = parsed(demo_site, "subscribe/index.html")
    links = dict(page.links)
    assert links["../feed.atom"] == "Atom"
    assert links["../feed.rss"] == "RSS"
    assert links["../feed.json"] == "JSON Feed"
    text = demo_site.page("subscribe/index.html")
    for kind in ("atom", "rss", "json"):
        assert f"<code>https://status.example.com/feed.{kind}</code>" in text
    assert "one per postmortem: the newest 100." in text


def test_subscribe_page_has_each_components_feeds_under_its_anchor(demo_site: Repo) -> None:
    page = parsed(demo_site, "subscribe/index.html")
    config = (demo_site.root / "statusgen.yaml").read_text(encoding="utf-8")
    ids = [c["id"] for c in yaml.safe_load(config)["components"]]
    assert ids == ["api", "web", "auth", "db", "search", "storage", "webhooks", "email", "docs"]
    assert [i for i in page.ids if i.startswith("c-")] == [f"c-{i}" for i in ids]
    hrefs = [href for href, _ in page.links]
    for cid in ids:
        for kind in ("atom", "rss", "json"):
            assert f"../components/{cid}/feed.{kind}" in hrefs


def test_subscribe_page_gives_calendar_chat_email_and_snippets_with_absolute_urls(demo_site: Repo) -> None:
    page = parsed(demo_site, "subscribe/index.html")
    assert ("webcal://status.example.com/maintenance.ics", "Subscribe to the maintenance calendar") in page.links
    assert {"calendar", "slack", "teams", "email", "badge", "embed", "feeds", "components"} <= set(page.ids)
    assert page.code == [
        "https://status.example.com/maintenance.ics",
        "/feed subscribe https://status.example.com/feed.rss",
        "https://status.example.com/feed.rss",
        "https://status.example.com/feed.atom",
        '<a href="https://status.example.com/"><img src="https://status.example.com/badge.svg"'
        ' alt="Status of Acme Status"></a>',
        '<iframe src="https://status.example.com/embed/" title="Acme Status" width="320" height="60"'
        ' style="border: 0"></iframe>',
        '<script src="https://status.example.com/embed.js" data-mode="pill" async></script>',
        '<div data-statusgen="banner"></div>\n<script src="https://status.example.com/embed.js" async></script>',
    ]
    # No script of its own: the page works as it is.
    assert [t for t, _ in page.tags if t == "script"] == []


def test_snippets_escape_what_the_site_title_holds(repo: Repo) -> None:
    config = (repo.root / "statusgen.yaml").read_text(encoding="utf-8")
    repo.config(config.replace("title: Example Status", 'title: "Tom & Jerry <\\"Status\\">"'))
    assert repo.build() == 0
    page = parsed(repo, "subscribe/index.html")
    # What a reader copies is valid HTML: the title escaped inside the attribute.
    assert page.code[4] == (
        '<a href="https://status.example.com/"><img src="https://status.example.com/badge.svg"'
        ' alt="Status of Tom &amp; Jerry &lt;&#34;Status&#34;&gt;"></a>'
    )
    assert all(tag != "iframe" for tag, _ in page.tags)


def test_subscribe_page_in_each_language_uses_its_own_feeds(demo_site: Repo) -> None:
    page = parsed(demo_site, "it/subscribe/index.html")
    assert "/feed subscribe https://status.example.com/it/feed.rss" in page.code
    assert "webcal://status.example.com/it/maintenance.ics" in [href for href, _ in page.links]
    assert "https://status.example.com/subscribe/" in demo_site.page("sitemap.xml")


FEED_OR_CALENDAR = re.compile(r"\.(atom|rss|ics)$|(^|/)feed\.json$|^webcal:")


def test_no_page_but_subscribe_links_to_a_feed_or_the_calendar(demo_site: Repo) -> None:
    checked = 0
    for path in sorted(demo_site.site.rglob("*.html")):
        rel = path.relative_to(demo_site.site).as_posix()
        links = [href for href, _ in Parsed(path.read_text(encoding="utf-8")).links]
        bad = [href for href in links if FEED_OR_CALENDAR.search(href.split("#")[0])]
        if rel.endswith("subscribe/index.html"):
            assert bad, rel
        else:
            assert bad == [], rel
            assert not [h for h in links if h.endswith("api/v2/summary.json")], rel
        checked += 1
    assert checked == 2 * 49  # every page, in English and in Italian


def test_nav_footer_component_and_maintenance_lines_lead_to_subscribe(demo_site: Repo) -> None:
    index = parsed(demo_site, "index.html")
    assert index.links.count(("subscribe/", "Subscribe")) == 1
    assert ("subscribe/", "Subscribe to updates") in index.links
    assert ("subscribe/#calendar", "Subscribe to the maintenance calendar") in index.links
    component = parsed(demo_site, "components/webhooks/index.html")
    assert ("../../subscribe/#c-webhooks", "Follow this component") in component.links
    italian = parsed(demo_site, "it/components/db/index.html")
    assert any(href == "../../subscribe/#c-db" for href, _ in italian.links)
    # Feed readers still find the feeds through the head.
    head = demo_site.page("components/webhooks/index.html").split("</head>")[0]
    assert '<link rel="alternate" type="application/atom+xml" title="Webhooks (Atom)" href="feed.atom">' in head


def test_embed_page_shows_the_open_incident_and_status_without_script(demo_site: Repo) -> None:
    text = demo_site.page("embed/index.html")
    page = Parsed(text)
    assert ("https://status.example.com/", "Major Service Outage") in page.links
    assert (
        "https://status.example.com/incidents/2026-11-23-webhook-delivery-failures/",
        "Webhook deliveries failing",
    ) in page.links
    anchors = [attrs for tag, attrs in page.tags if tag == "a"]
    assert all(a.get("target") == "_blank" and a.get("rel") == "noopener" for a in anchors)
    assert ("meta", {"name": "robots", "content": "noindex"}) in page.tags
    assert [t for t, _ in page.tags if t in ("script", "link") and t != "link"] == []
    assert not any(t == "link" and a.get("rel") == "stylesheet" for t, a in page.tags)
    assert "prefers-color-scheme: dark" in text
    assert len(gzip.compress(text.encode())) < 2048


def test_embed_page_when_all_is_well_shows_only_the_status(repo: Repo) -> None:
    assert repo.build() == 0
    page = parsed(repo, "embed/index.html")
    assert page.links == [("https://status.example.com/", "All Systems Operational")]
    assert ("p", {"class": "pill s-operational"}) in page.tags


def test_embed_js_is_at_the_site_top_small_and_builds_no_markup_from_text(demo_site: Repo) -> None:
    script = demo_site.site / "embed.js"
    assert not (demo_site.site / "static" / "embed.js").exists()
    data = script.read_bytes()
    assert len(gzip.compress(data, 9)) < 3072
    source = data.decode()
    for forbidden in ("innerHTML", "outerHTML", "eval(", "new Function", "insertAdjacentHTML", "document.write"):
        assert forbidden not in source
    assert 'base + "api/v2/summary.json"' in source


def _widget_reads(site: Path) -> dict[str, object]:
    """What @statuspage/status-widget reads: /api/v2/summary.json at the origin's root, and of it
    status.indicator (its colour class) and status.description (its text)."""
    summary = json.loads((site / "api" / "v2" / "summary.json").read_text(encoding="utf-8"))
    schema = json.loads((SCHEMAS / FILES["api/v2/summary.json"]).read_text(encoding="utf-8"))
    validator = Draft202012Validator(schema, registry=registry())
    assert sorted(validator.iter_errors(summary), key=str) == []
    status = summary["status"]
    assert isinstance(status, dict)
    return status


def test_status_widget_finds_the_fields_it_reads(demo_site: Repo, repo: Repo) -> None:
    assert _widget_reads(demo_site.site) == {"indicator": "critical", "description": "Major Service Outage"}
    assert repo.build() == 0
    assert _widget_reads(repo.site) == {"indicator": "none", "description": "All Systems Operational"}
