"""Untrusted content: incident files come from many hands and must never become live markup."""

from __future__ import annotations

import base64
import html as html_lib
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Dialog, Route

from chromium import chromium, serve_folder
from conftest import CONFIG, Repo
from statusgen.theme import files
from xss_payloads import EVALUATED, PAYLOADS, TEMPLATES, Payload

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


_NEVER = {
    "script",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "style",
    "base",
    "form",
    "input",
    "button",
    "textarea",
    "select",
    "img",
    "image",
    "video",
    "audio",
    "source",
    "track",
    "noscript",
    "template",
    "math",
    "foreignobject",
    "animate",
    "set",
    "portal",
    "marquee",
}
# The style elements the default theme writes itself: the embed page's rules, and the accent's
# colours (from a validated setting: #rrggbb only). Any other is live markup.
THEME_STYLES = {
    block.strip()
    for block in re.findall(
        r"<style>(.*?)</style>", (files.default_theme_dir() / "templates/embed.html").read_text(), re.S
    )
}
ACCENT_STYLE = re.compile(
    r":root\{--link:#[0-9a-f]{6};--accent:#[0-9a-f]{6}\}"
    r"@media \(prefers-color-scheme:dark\)\{:root\{--link:#[0-9a-f]{6};--accent:#[0-9a-f]{6}\}\}"
)
_HEAD_ONLY = {"meta": {"charset", "name", "content"}, "link": {"rel", "href", "type", "title"}}
# What sanitized markdown (and the list of status changes under it) may hold in a feed.
_CONTENT_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "dl",
    "dt",
    "em",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
_CONTENT_ATTRIBUTES = {"href", "title", "rel", "align", "start"}
_URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "poster",
    "background",
    "cite",
    "codebase",
    "lowsrc",
    "dynsrc",
    "ping",
    "srcset",
    "manifest",
    "icon",
    "values",
    "to",
    "from",
    "by",
}
_SAFE_SCHEMES = {"http", "https", "mailto", "webcal"}
_URL_NOISE = re.compile(r"[\x00-\x20\x7f-\x9f]")
_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):")


def unsafe_url(value: str) -> bool:
    """Whether a URL, as a browser reads it (entities decoded, blanks and controls dropped), could run
    or embed something: anything but a relative URL or an http, https, mailto or webcal one."""
    cleaned = _URL_NOISE.sub("", html_lib.unescape(value)).lower()
    scheme = _SCHEME.match(cleaned)
    return scheme is not None and scheme.group(1) not in _SAFE_SCHEMES


class LiveMarkup(HTMLParser):
    """Collects anything in HTML that could run script, load something or restyle the page.

    ``page`` is a whole page of the theme, whose head has its own meta and link elements and whose
    body has the icon sprite; anything else is a fragment of sanitized content, held to the
    sanitizer's allow-list.
    """

    def __init__(self, page: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.in_head = False
        self.in_style = False
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "head":
            self.in_head = True
        if tag == "style" and self.page and self.in_head and not attrs:
            self.in_style = True  # the theme's own rules: checked by what they say, below
        elif tag in _NEVER:
            self.found.append(f"<{tag}>")
        elif tag in _HEAD_ONLY and not (self.page and self.in_head and {name for name, _ in attrs} <= _HEAD_ONLY[tag]):
            self.found.append(f"<{tag} {attrs}>")
        elif not self.page and tag not in _CONTENT_TAGS:
            self.found.append(f"<{tag}> outside the allow-list")
        for name, value in attrs:
            if name.startswith("on") or name in ("style", "srcdoc", "http-equiv", "formaction"):
                self.found.append(f"{tag}[{name}]")
            elif not self.page and name not in _CONTENT_ATTRIBUTES:
                self.found.append(f"{tag}[{name}] outside the allow-list")
            if name in _URL_ATTRIBUTES and value and unsafe_url(value):
                self.found.append(f"{tag}[{name}={value!r}]")
            if name == "href" and tag == "use" and not (value or "").startswith("#"):
                self.found.append(f"use[href={value!r}]")

    def handle_data(self, data: str) -> None:
        if self.in_style and data.strip() not in THEME_STYLES and not ACCENT_STYLE.fullmatch(data):
            self.found.append(f"<style>{data[:80]}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self.in_head = False
        if tag == "style":
            self.in_style = False


def live_markup(html: str, page: bool = False) -> list[str]:
    """What in ``html`` could be live; ``page`` for a whole page of the theme."""
    parser = LiveMarkup(page)
    parser.feed(html)
    parser.close()
    return parser.found


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def text_in(element: ET.Element) -> str:
    """The text of an XML element that must have some."""
    assert element.text is not None, element.tag
    return element.text


def text_of(html: str) -> str:
    """The text a reader sees in ``html`` (entities decoded), with each element's text apart."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return "\x00".join(parser.parts)


def test_hostile_content_is_inert_everywhere(repo: Repo) -> None:
    repo.incident("2025-11-03-api-errors.md", HOSTILE)
    assert repo.build() == 0
    pages = list(repo.site.rglob("*.html"))
    assert len(pages) == 9
    for page in pages:
        html = page.read_text()
        assert live_markup(html, page=True) == [], page
        assert "49" not in html, "template syntax in content was evaluated"
    incident = repo.page("incidents/2025-11-03-api-errors/index.html")
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt; {{ 7*7 }} {% raw %}" in incident
    # Raw HTML is text, shown as written, its URL a link like any other bare URL.
    assert (
        '&lt;a href="<a href="https://example.com/" rel="nofollow noopener noreferrer">https://example.com/</a>" '
        'onclick="alert(\'click\')" style="color:red"&gt;fine link&lt;/a&gt;'
    ) in incident
    assert (
        '<a href="https://example.com/ok?&lt;script&gt;alert(&#39;ref&#39;)&lt;/script&gt;" rel="nofollow noopener">'
    ) in incident

    for feed in ("feed.atom", "components/api/feed.atom"):
        root = ET.parse(repo.site / feed).getroot()
        contents = [text_in(e) for e in root.iter("{http://www.w3.org/2005/Atom}content")]
        assert len(contents) == 2
        for html in contents:
            assert live_markup(html) == []
            assert "javascript:" not in html.lower()
    rss = ET.parse(repo.site / "feed.rss").getroot()
    html_fields = [text_in(e) for e in rss.iter("{http://purl.org/rss/1.0/modules/content/}encoded")]
    # RSS readers render titles and descriptions as HTML too.
    html_fields += [text_in(e) for e in rss.iter("description")] + [text_in(e) for e in rss.iter("title")]
    assert len(html_fields) == 2 + 3 + 3
    for html in html_fields:
        assert live_markup(html) == [], html
        assert "<script" not in html.lower()
    items = json.loads((repo.site / "feed.json").read_text())["items"]
    for item in items:
        assert live_markup(item["content_html"]) == []
    # A summary is plain text (JSON Feed's own rule): the author's words as written, tags and all,
    # and its HTML twin shows them as text.
    resolved = next(item for item in items if item["summary"].startswith("Resolved."))
    assert resolved["summary"] == "Resolved. <SCRIPT SRC=//evil.example/x.js></SCRIPT>"
    assert "Resolved. &lt;SCRIPT SRC=//evil.example/x.js&gt;&lt;/SCRIPT&gt;" in resolved["content_html"]


def test_hostile_config_strings_are_escaped(repo: Repo) -> None:
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
        assert live_markup(page.read_text(), page=True) == [], page
    index = repo.page("index.html")
    assert (
        'Read <a title="ann" rel="nofollow noopener noreferrer">this</a>) &lt;img src=x onerror=alert(1)&gt; '
        "<strong>now</strong>"
    ) in index
    assert "&lt;b onmouseover=alert(&#39;name&#39;)&gt;API&lt;/b&gt;" in index


def test_authors_cannot_set_element_ids(repo: Repo) -> None:
    repo.incident(
        "2025-11-03-api-errors.md",
        HOSTILE.replace("Body <script>", "## Root cause {#main}\n\n### Again {#i-operational}\n\nBody <script>"),
    )
    assert repo.build() == 0
    page = repo.page("incidents/2025-11-03-api-errors/index.html")
    # Attribute lists are not read: what an author writes in braces is text, never an attribute.
    assert "<h2>Root cause {#main}</h2>" in page and "<h3>Again {#i-operational}</h3>" in page
    assert page.count('id="main"') == 1 and page.count('id="i-operational"') == 1


def test_escaped_markup_in_text_stays_text_in_rss(repo: Repo) -> None:
    repo.incident(
        "2025-11-03-api-errors.md",
        HOSTILE.replace(
            "Fixed.", "Seen `<img src=x onerror=alert(1)>` in logs &lt;script&gt;alert(2)&lt;/script&gt;"
        ).replace(
            '"Resolved. <SCRIPT SRC=//evil.example/x.js></SCRIPT>"',
            '"Seen `<img src=x onerror=alert(1)>` in logs &lt;script&gt;alert(2)&lt;/script&gt;"',
        ),
    )
    assert repo.build() == 0
    rss = ET.parse(repo.site / "feed.rss").getroot()
    newest = next(rss.iter("item"))
    found = newest.find("description")
    assert found is not None
    description = text_in(found)
    assert live_markup(description) == []
    assert "&lt;img src=x onerror=alert(1)&gt;" in description
    assert "&lt;script&gt;" in description


# --- The payload corpus: every payload in every kind of place, in one build ----------------------

CORPUS_NOW = "2025-11-20T12:00:00Z"
ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT_ENCODED = "{http://purl.org/rss/1.0/modules/content/}encoded"
_TEMPLATE_SPAN = re.compile(r"tpl(\d\d) (.*?) tpl\1", re.S)
# Payloads go three by three: each trio makes one incident and one component.
TRIOS = [PAYLOADS[n : n + 3] for n in range(0, len(PAYLOADS), 3)]


def joined(payloads: tuple[Payload, ...]) -> str:
    """Payloads side by side, for a place that holds one line of text."""
    return " ".join(p.text for p in payloads)


def incident_id(n: int, trio: tuple[Payload, ...]) -> str:
    return f"{date(2025, 10, 1) + timedelta(days=n)}-p-{trio[0].id.lower()}"


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's escapes are YAML's)."""
    return json.dumps(text)


def _corpus_config() -> str:
    lines = [
        "site:",
        f"  title: {_q(joined(PAYLOADS))}",
        "  url: https://status.example.com/",
        f"  description: {_q(joined(PAYLOADS))}",
        "  timezone: UTC",
        f"  announcement: {_q(chr(10).join(p.text for p in PAYLOADS))}",
        "components:",
    ]
    for n, trio in enumerate(TRIOS):
        lines += [
            f"  - id: c{n:02d}",
            f"    name: {_q(joined(trio))}",
            f"    description: {_q(joined(trio))}",
            f"    group: {_q(joined(trio))}",
        ]
    lines += ["policy: {update_every: {}, postmortem_within: {}}", ""]
    return "\n".join(lines)


def _corpus_incident(n: int, trio: tuple[Payload, ...]) -> str:
    """Incident ``n``: the trio is its title; each payload is the message of one update, a part of
    the body (the last one the postmortem) and a reference."""
    cid, day = f"c{n:02d}", incident_id(n, trio)[:10]
    # Every third incident stays open, to be shown as active on the home page.
    last = "monitoring" if n % 3 == 0 else "resolved"
    references = ", ".join(_q("https://example.com/ref?q=" + p.text) for p in trio)
    front = (
        f"title: {_q(joined(trio))}\nimpact: major\ncomponents: {{{cid}: partial_outage}}\n"
        f"references: [{references}]\nupdates:\n"
    )
    for hour, status, payload in zip(("10", "11", "12"), ("investigating", "identified", last), trio, strict=False):
        changes = f"    components: {{{cid}: degraded_performance}}\n" if status == "identified" else ""
        front += f"  - at: {day}T{hour}:00:00Z\n    status: {status}\n{changes}    message: {_q(payload.text)}\n"
    body = "\n\n".join(p.text for p in trio[:-1])
    return f"---\n{front}---\n{body}\n\n## Postmortem\n\n{trio[-1].text}\n"


def _corpus_maintenance(title: str, message: str, start: str, end: str) -> str:
    return (
        f"---\ntitle: {_q(title)}\nkind: maintenance\nwindow: {{start: {start}, end: {end}}}\n"
        f"components: [c00]\nupdates:\n  - at: 2025-11-18T10:00:00Z\n    status: scheduled\n"
        f"    message: {_q(message)}\n---\n"
    )


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built site of a repository holding every payload in every place (see TRIOS)."""
    repo = Repo(tmp_path_factory.mktemp("corpus"))
    repo.write("statusgen.yaml", _corpus_config())
    for n, trio in enumerate(TRIOS):
        repo.write(f"incidents/{incident_id(n, trio)}.md", _corpus_incident(n, trio))
    # One maintenance in progress and one upcoming, for the home page's lists of them.
    repo.write(
        "incidents/2025-11-20-active.md",
        _corpus_maintenance(joined(TRIOS[0]), TRIOS[1][0].text, "2025-11-20T10:00:00Z", "2025-11-20T14:00:00Z"),
    )
    repo.write(
        "incidents/2025-11-25-upcoming.md",
        _corpus_maintenance(joined(TRIOS[2]), TRIOS[3][0].text, "2025-11-25T10:00:00Z", "2025-11-25T14:00:00Z"),
    )
    assert repo.build(CORPUS_NOW) == 0
    return repo.site


def _feed_html(site: Path) -> list[str]:
    """Every piece of every feed that a feed reader renders as HTML."""
    found: list[str] = []
    for path in sorted(site.rglob("feed.atom")):
        root = ET.parse(path).getroot()
        for element in root.iter(f"{ATOM}content"):
            assert element.get("type") == "html"
            found.append(element.text or "")
        for name in ("title", "subtitle", "summary"):  # Atom text constructs: shown as text
            assert all(e.get("type") in (None, "text") for e in root.iter(f"{ATOM}{name}"))
    for path in sorted(site.rglob("feed.rss")):
        root = ET.parse(path).getroot()
        # RSS readers take titles and descriptions for HTML too.
        for name in ("title", "description", CONTENT_ENCODED):
            found += [e.text or "" for e in root.iter(name)]
    for path in sorted(site.rglob("feed.json")):
        found += [item["content_html"] for item in json.loads(path.read_text())["items"]]
    return found


def strings(value: object) -> set[str]:
    """Every string value in a JSON document, but the HTML of JSON Feed items."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*(strings(v) for k, v in value.items() if k != "content_html"))
    return set().union(*(strings(v) for v in value)) if isinstance(value, list) else set()


def test_corpus_is_large_and_every_payload_names_itself() -> None:
    assert len(PAYLOADS) == 105 and len(TRIOS) == 35
    assert len({p.id for p in PAYLOADS}) == len(PAYLOADS)
    for payload in PAYLOADS:
        assert payload.text == payload.text.strip() and "[[" not in payload.text
        named = payload.text
        if "base64," in payload.text:
            encoded = re.search(r"base64,([A-Za-z0-9+/=]+)", payload.text)
            assert encoded is not None, payload.id
            named = base64.b64decode(encoded.group(1)).decode()
        assert (payload.id in named) or (f"tpl{payload.id[1:]}" in named), payload.id


# Payloads that are live only inside an attribute or in markup of another kind: the checker cannot
# see them as HTML, and needs not (the browser test loads them where they land).
CONTEXTUAL = {"X29", "X58", "X59", "X71", "X72", "X85"}


def test_the_checker_sees_each_payload_unsanitized() -> None:
    import markdown

    for payload in PAYLOADS:
        unsanitized = markdown.markdown(payload.text, extensions=["extra", "sane_lists"])
        flagged = bool(live_markup(payload.text) or live_markup(unsanitized))
        assert flagged == (payload.id[0] == "X" and payload.id not in CONTEXTUAL), payload.id


def test_corpus_leaves_no_live_markup_in_pages_feeds_or_badges(corpus: Path) -> None:
    pages = sorted(corpus.rglob("*.html"))
    # A page per incident and per component, the two maintenance pages, home, history, 404, the
    # subscribe page and the embed page.
    assert len(pages) == 2 * len(TRIOS) + 7
    for page in pages:
        assert live_markup(page.read_text(encoding="utf-8"), page=True) == [], page
    fragments = _feed_html(corpus)
    # Three updates an incident, each in the site's and its component's Atom, RSS and JSON feeds;
    # and the entry of each of the 35 postmortems, its five pieces (an Atom content, an RSS title,
    # description and content, a JSON Feed content) where the feeds' newest 100 hold it.
    assert (len(PAYLOADS), len(fragments)) == (105, 1105 + 35 * 5)
    for fragment in fragments:
        assert live_markup(fragment) == [], fragment
    badges = sorted(corpus.rglob("badge.svg"))
    assert len(badges) == len(TRIOS) + 1
    for badge in badges:
        root = ET.parse(badge).getroot()
        assert {e.tag.split("}")[1] for e in root.iter()} <= {
            "svg",
            "title",
            "linearGradient",
            "stop",
            "clipPath",
            "rect",
            "g",
            "text",
        }, badge
        assert not [a for e in root.iter() for a in e.attrib if a.lower().startswith("on")], badge


def test_corpus_titles_and_names_are_shown_as_the_text_written(corpus: Path) -> None:
    index = text_of((corpus / "index.html").read_text(encoding="utf-8")).split("\x00")
    assert joined(PAYLOADS) in index  # the site's title
    for n, trio in enumerate(TRIOS):
        incident = text_of((corpus / f"incidents/{incident_id(n, trio)}/index.html").read_text(encoding="utf-8"))
        assert joined(trio) in incident.split("\x00"), trio[0].id  # the h1, as one text node
        for payload in trio:
            assert f"https://example.com/ref?q={payload.text}" in incident.split("\x00"), payload.id
        component = text_of((corpus / f"components/c{n:02d}/index.html").read_text(encoding="utf-8"))
        assert joined(trio) in component.split("\x00"), trio[0].id
        assert joined(trio) in index, trio[0].id  # the group's name


def test_corpus_reaches_the_api_as_inert_text(corpus: Path) -> None:
    incidents = strings(json.loads((corpus / "api/v2/incidents.json").read_text()))
    components = strings(json.loads((corpus / "api/v2/components.json").read_text()))
    for trio in TRIOS:
        assert joined(trio) in incidents, trio[0].id  # the incident's name
        assert joined(trio) in components, trio[0].id  # the component's name and its group's
        for payload in trio:
            assert payload.text in incidents, payload.id  # an update's body
    summary = json.loads((corpus / "api/v2/summary.json").read_text())
    assert summary["page"]["name"] == joined(PAYLOADS)


_CODE = re.compile(r"<pre><code>.*?</code></pre>", re.S)


def _unemphasized(text: str) -> str:
    return text.replace("*", "").replace("_", "")


def test_template_syntax_in_content_is_never_evaluated(corpus: Path) -> None:
    literal = {p.id[1:]: p.text.split(" ", 1)[1].rsplit(" ", 1)[0] for p in TEMPLATES}
    seen: dict[str, int] = dict.fromkeys(literal, 0)
    # The subscribe page's snippets are HTML to copy: what they quote is escaped for the snippet,
    # and the snippet for the page, so they are read as code, not as text.
    texts = [text_of(_CODE.sub("", p.read_text(encoding="utf-8"))) for p in sorted(corpus.rglob("*.html"))]
    texts += [text_of(fragment) for fragment in _feed_html(corpus)]
    texts += [t for p in sorted(corpus.rglob("*.json")) for t in strings(json.loads(p.read_text()))]
    for text in texts:
        for number, inner in _TEMPLATE_SPAN.findall(text.replace("\x00", "")):
            # Shown as written, but for the * and _ that markdown reads as emphasis.
            assert _unemphasized(inner) == _unemphasized(literal[number]), (number, inner)
            assert not any(result in inner for result in EVALUATED), (number, inner)
            seen[number] += 1
    # Each is on every page (the site's title; the subscribe and embed pages too), on its
    # incident's and component's pages several times over, in the feeds (the components an entry
    # affects among them) and in the API; three of them in more places than the rest (the newest
    # incidents' last updates, quoted on the home page among them); the four that are a
    # postmortem's first paragraph in the summary at the top of its incident's page and in its
    # postmortem's feed entries.
    assert seen == {**dict.fromkeys(literal, 367), "03": 376, "06": 376, "07": 384, "08": 384, "09": 394, "12": 376}


def test_line_break_in_the_site_title_builds(repo: Repo) -> None:
    repo.config(CONFIG.replace("  title: Example Status", '  title: "Example\\nStatus"'))
    repo.incident(
        "2025-11-20-db.md",
        _corpus_maintenance("Upgrade", "Soon.", "2025-11-20T10:00:00Z", "2025-11-20T14:00:00Z").replace("c00", "db"),
    )
    assert repo.build() == 0
    assert "X-WR-CALNAME:Example\\nStatus: maintenance" in repo.page("maintenance.ics")


# --- In a browser --------------------------------------------------------------------------------

# After load: fire the events a visitor's pointer and keyboard would, on every element, then let two
# frames pass so anything queued (autofocus, toggle, animation events) has had its turn.
_VISIT = """async () => {
  for (const element of document.querySelectorAll('*')) {
    for (const kind of ['mouseover', 'mouseenter', 'pointerover']) {
      element.dispatchEvent(new MouseEvent(kind, {bubbles: true}));
    }
    element.dispatchEvent(new FocusEvent('focus'));
    element.dispatchEvent(new FocusEvent('focusin', {bubbles: true}));
  }
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  const live = [];
  const urls = ['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'poster'];
  const safe = ['http:', 'https:', 'mailto:', 'webcal:'];
  for (const element of document.querySelectorAll('*')) {
    for (const attribute of element.attributes) {
      const name = attribute.name.toLowerCase();
      if (name.startsWith('on') || name === 'style' || name === 'srcdoc') {
        live.push(`${element.localName}[${name}]`);
      }
      if (urls.includes(name)) {
        let protocol = 'invalid:';
        try { protocol = new URL(attribute.value, document.baseURI).protocol; } catch (e) {}
        if (!safe.includes(protocol)) live.push(`${element.localName}[${name}=${attribute.value}]`);
      }
    }
  }
  // A style in the head is the theme's own (live_markup checks it says only what the theme wrote).
  const embedded = document.querySelectorAll('script, iframe, object, embed, form, base, img, body style');
  live.push(...[...embedded].map(e => `<${e.localName}>`));
  return {xss: window.__xss === undefined ? null : window.__xss, live};
}"""


@dataclass
class Visit:
    """What loading pages did: dialogs shown, requests that left the machine, markers pushed."""

    dialogs: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    pages: dict[str, dict[str, list[str] | None]] = field(default_factory=dict)


def visit(browser: Browser, urls: list[str]) -> Visit:
    """Load each URL in a fresh document whose ``window.__xss`` starts empty, as a visitor would."""
    seen = Visit()
    context = browser.new_context()
    context.add_init_script("window.__xss = [];")

    def route(handler_route: Route) -> None:
        url = handler_route.request.url
        if urlsplit(url).hostname == "127.0.0.1":
            handler_route.continue_()
        else:
            seen.outside.append(url)
            handler_route.abort()

    context.route("**/*", route)
    page = context.new_page()

    def dialog(shown: Dialog) -> None:
        seen.dialogs.append(shown.message)
        shown.dismiss()

    page.on("dialog", dialog)
    try:
        for url in urls:
            page.goto(url, wait_until="load")
            seen.pages[url] = page.evaluate(_VISIT)
    finally:
        context.close()
    return seen


def _reader_page(fragments: list[str]) -> str:
    """A page showing feed entries as a feed reader without a sanitizer of its own would."""
    articles = "\n".join(f"<article>{fragment}</article>" for fragment in fragments)
    return f"<!doctype html>\n<html lang=en><meta charset=utf-8><title>reader</title><body>{articles}</body></html>\n"


CONTROL = (
    "<script>window.__xss.push('control')</script><img src=x onerror=\"alert('control')\">"
    '<a href="javascript:alert(1)">x</a><img src="http://evil.example/control.png">'
)


@pytest.mark.browser
def test_corpus_runs_nothing_in_a_browser(corpus: Path, tmp_path: Path) -> None:
    reader = tmp_path / "reader"
    reader.mkdir()
    (reader / "control.html").write_text(_reader_page([CONTROL]), encoding="utf-8")
    (reader / "feeds.html").write_text(_reader_page(_feed_html(corpus)), encoding="utf-8")
    pages = sorted(p.relative_to(corpus).as_posix() for p in corpus.rglob("*.html"))
    with chromium() as browser, serve_folder(reader) as reader_url, serve_folder(corpus) as site_url:
        # The harness sees a payload that does run, in each of the ways it looks.
        control = visit(browser, [reader_url + "control.html"])
        assert control.dialogs == ["control"]
        assert control.outside == ["http://evil.example/control.png"]
        assert control.pages[reader_url + "control.html"] == {
            "xss": ["control"],
            "live": ["img[onerror]", "a[href=javascript:alert(1)]", "<script>", "<img>", "<img>"],
        }

        seen = visit(browser, [site_url + page for page in pages] + [reader_url + "feeds.html"])
    assert seen.dialogs == []
    assert seen.outside == []
    assert {url: found for url, found in seen.pages.items() if found != {"xss": [], "live": []}} == {}
    assert (
        len(seen.pages) == 2 * len(TRIOS) + 7 + 1
    )  # every page (the subscribe and embed pages too), and the feeds' page
