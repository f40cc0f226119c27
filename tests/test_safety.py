"""Untrusted content: incident files come from many hands and must never become live markup."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

from conftest import Repo

HOSTILE = """\
---
title: "<script>alert('title')</script> {{ 7*7 }} {% raw %}"
impact: major
components: {api: partial_outage}
references: ["https://example.com/ok?<script>alert('ref')</script>"]
updates:
  - at: 2025-11-03T14:05:00Z
    status: investigating
    message: |
      Hello <script>alert('message')</script> and [click me](javascript:alert('link'))
      <img src=x onerror="alert('img')"> <a href="data:text/html,<script>alert(1)</script>">data</a>
      <svg onload="alert('svg')"></svg> <iframe src="https://evil.example"></iframe>
      <a href="https://example.com/" onclick="alert('click')" style="color:red">fine link</a>
      {{ config }} {{ 7*7 }}
  - at: 2025-11-03T15:00:00Z
    status: resolved
    message: "Resolved. <SCRIPT SRC=//evil.example/x.js></SCRIPT>"
---
Body <script>alert('body')</script> [x](JavaScript:alert('body-link'))
<style>body{display:none}</style>
"""


class LiveMarkup(HTMLParser):
    """Collects anything in HTML that could run or load script."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "iframe", "object", "embed", "style", "img"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in ("style", "srcdoc"):
                self.found.append(f"{tag}[{name}]")
            if name in ("href", "src", "action", "formaction", "xlink:href") and value:
                if value.strip().lower().startswith(("javascript:", "data:", "vbscript:")):
                    self.found.append(f"{tag}[{name}={value}]")


def live_markup(html: str) -> list[str]:
    parser = LiveMarkup()
    parser.feed(html)
    return parser.found


def test_hostile_content_is_inert_everywhere(repo: Repo):
    repo.incident("2025-11-03-api-errors.md", HOSTILE)
    assert repo.build() == 0
    pages = list(repo.site.rglob("*.html"))
    assert len(pages) == 7
    for page in pages:
        html = page.read_text()
        assert live_markup(html) == [], page
        assert "49" not in html, "template syntax in content was evaluated"
    incident = repo.page("incidents/2025-11-03-api-errors/index.html")
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt; {{ 7*7 }} {% raw %}" in incident
    assert '<a href="https://example.com/" rel="nofollow noopener noreferrer">fine link</a>' in incident
    assert ('<a href="https://example.com/ok?&lt;script&gt;alert(&#39;ref&#39;)&lt;/script&gt;" '
            'rel="nofollow noopener">') in incident

    for feed in ("feed.atom", "components/api/feed.atom"):
        root = ET.parse(repo.site / feed).getroot()
        contents = [e.text for e in root.iter("{http://www.w3.org/2005/Atom}content")]
        assert len(contents) == 2
        for html in contents:
            assert live_markup(html) == []
            assert "javascript:" not in html.lower()
    rss = ET.parse(repo.site / "feed.rss").getroot()
    html_fields = [e.text for e in rss.iter("{http://purl.org/rss/1.0/modules/content/}encoded")]
    # RSS readers render titles and descriptions as HTML too.
    html_fields += [e.text for e in rss.iter("description")] + [e.text for e in rss.iter("title")]
    assert len(html_fields) == 2 + 3 + 3
    for html in html_fields:
        assert live_markup(html) == [], html
        assert "<script" not in html.lower()
    for item in json.loads((repo.site / "feed.json").read_text())["items"]:
        assert live_markup(item["content_html"]) == []
        assert "<script" not in item["summary"].lower()


def test_hostile_config_strings_are_escaped(repo: Repo):
    repo.config("""\
site:
  title: "Acme <script>alert('site')</script>"
  url: https://status.example.com/
  description: "\\"><script>alert('desc')</script>"
  announcement: "Read [this](javascript:alert('ann')) <img src=x onerror=alert(1)> **now**"
components:
  - id: api
    name: "<b onmouseover=alert('name')>API</b>"
    description: "<script>alert('cdesc')</script>"
    group: "<script>alert('group')</script>"
  - id: web
    name: Web
  - id: db
    name: DB
""")
    assert repo.build() == 0
    for page in repo.site.rglob("*.html"):
        assert live_markup(page.read_text()) == [], page
    index = repo.page("index.html")
    assert ('Read <a title="ann" rel="nofollow noopener noreferrer">this</a>)  <strong>now</strong>'
            in index)
    assert "&lt;b onmouseover=alert(&#39;name&#39;)&gt;API&lt;/b&gt;" in index


def test_authors_cannot_set_element_ids(repo: Repo):
    repo.incident("2025-11-03-api-errors.md", HOSTILE.replace(
        "Body <script>", "## Root cause {#main}\n\n### Again {#i-operational}\n\nBody <script>"))
    assert repo.build() == 0
    page = repo.page("incidents/2025-11-03-api-errors/index.html")
    assert "<h2>Root cause</h2>" in page and "<h3>Again</h3>" in page
    assert page.count('id="main"') == 1 and page.count('id="i-operational"') == 1


def test_escaped_markup_in_text_stays_text_in_rss(repo: Repo):
    repo.incident("2025-11-03-api-errors.md", HOSTILE.replace(
        "Fixed.", "Seen `<img src=x onerror=alert(1)>` in logs &lt;script&gt;alert(2)&lt;/script&gt;").replace(
        '"Resolved. <SCRIPT SRC=//evil.example/x.js></SCRIPT>"',
        '"Seen `<img src=x onerror=alert(1)>` in logs &lt;script&gt;alert(2)&lt;/script&gt;"'))
    assert repo.build() == 0
    rss = ET.parse(repo.site / "feed.rss").getroot()
    newest = next(rss.iter("item"))
    description = newest.find("description").text
    assert live_markup(description) == []
    assert "&lt;img src=x onerror=alert(1)&gt;" in description
    assert "&lt;script&gt;" in description
