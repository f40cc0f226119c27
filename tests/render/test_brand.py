"""The team's brand and promises on the built site: the logo and favicon, the accent colours, the
team's links, and each period's verdict against a component's uptime target, on the component
page and in api/uptime.json."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

from jsonschema import Draft202012Validator

from conftest import CONFIG, Repo
from schemas import SCHEMAS, registry

LOGO = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 96 32">'
    '<rect width="32" height="32" rx="6" fill="#0b5fff"/></svg>\n'
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + (64).to_bytes(4, "big") + (32).to_bytes(4, "big") + b"\x08\x06"
BRAND = (
    "  logo: brand/logo.svg\n"
    '  accent: "#0b5fff"\n'
    "  links:\n"
    "    home: https://www.example.com/\n"
    "    support: https://example.com/support\n"
    "    contact: mailto:help@example.com\n"
)
# An hour of major outage in September, on top of the 75 minutes of partial outage (22.5 minutes
# of downtime) of the fixture's incident on 3 November.
SEPTEMBER = """\
---
title: API down
impact: critical
components:
  api: major_outage
updates:
  - at: 2025-09-10T10:00:00Z
    status: investigating
    message: The API does not answer. Next update by 10:30 UTC.
  - at: 2025-09-10T11:00:00Z
    status: resolved
    message: The API answers again.
---
"""


def branded(repo: Repo) -> None:
    repo.write("brand/logo.svg", LOGO)
    config = CONFIG.replace("  timezone:", BRAND + "  timezone:")
    config = config.replace("    group: Platform\n", "    group: Platform\n    since: 2025-09-01\n    sla: 99.9\n", 1)
    repo.config(config)
    repo.incident("2025-09-10-api-down.md", SEPTEMBER)


class Tables(HTMLParser):
    """Every table of a page by its caption: its rows, each a list of its cells' text."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self._caption: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._rows = []
        elif tag == "caption":
            self._caption = []
        elif tag == "tr":
            self._rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption" and self._caption is not None:
            self.tables["".join(self._caption).strip()] = self._rows
            self._caption = None
        elif tag in ("td", "th") and self._cell is not None:
            self._rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        for part in (self._caption, self._cell):
            if part is not None:
                part.append(data)


def tables(html: str) -> dict[str, list[list[str]]]:
    parser = Tables()
    parser.feed(html)
    return parser.tables


def test_the_logo_is_published_and_shown_in_the_header_and_as_the_favicon(repo: Repo) -> None:
    branded(repo)
    assert repo.build() == 0
    assert (repo.site / "static" / "logo.svg").read_bytes() == LOGO.encode()
    assert (repo.site / "static" / "favicon.svg").is_file()
    for page, up in (("index.html", ""), ("components/api/index.html", "../../"), ("history/index.html", "../")):
        html = repo.page(page)
        assert f'<link rel="icon" href="{up}static/logo.svg" type="image/svg+xml">' in html
        assert "favicon.svg" not in html
        assert (
            f'<a class="brand" href="{up}"><img class="logo" src="{up}static/logo.svg" alt="">Example Status</a>'
        ) in html
    html = repo.page("404.html")  # served at any depth: from the site's path
    assert '<link rel="icon" href="/static/logo.svg" type="image/svg+xml">' in html


def test_a_png_logo_is_the_png_favicon(repo: Repo) -> None:
    repo.root.joinpath("logo.png").write_bytes(PNG)
    repo.config(CONFIG.replace("  timezone:", "  logo: logo.png\n  timezone:"))
    assert repo.build() == 0
    assert (repo.site / "static" / "logo.png").read_bytes() == PNG
    assert not (repo.site / "static" / "logo.svg").exists()
    html = repo.page("index.html")
    assert '<link rel="icon" href="static/logo.png" type="image/png">' in html
    assert '<img class="logo" src="static/logo.png" alt="">' in html


def test_a_changed_logo_is_published_by_the_next_cached_build_as_a_fresh_build_would(repo: Repo) -> None:
    branded(repo)
    assert repo.build() == 0
    other = LOGO.replace('viewBox="0 0 96 32"', 'viewBox="0 0 32 32" width="32" height="32"')
    repo.write("brand/logo.svg", other)
    assert repo.build() == 0
    assert (repo.site / "static" / "logo.svg").read_text() == other
    fresh = repo.root.parent / "fresh"
    assert repo.run("build", "--now", "2025-11-10T12:00:00Z", "--no-cache", "--out", str(fresh)) == 0
    cached = {p.relative_to(repo.site): p.read_bytes() for p in repo.site.rglob("*") if p.is_file()}
    made = {p.relative_to(fresh): p.read_bytes() for p in fresh.rglob("*") if p.is_file()}
    assert cached == made


def test_without_a_logo_the_favicon_and_the_header_stay(repo: Repo) -> None:
    assert repo.build() == 0
    html = repo.page("index.html")
    assert '<link rel="icon" href="static/favicon.svg" type="image/svg+xml">' in html
    assert '<a class="brand" href="">Example Status</a>' in html
    assert "<style>" not in html and "home-link" not in html and 'class="links"' not in html
    assert sorted(p.name for p in (repo.site / "static").iterdir()) == ["favicon.svg", "style.css"]


def test_the_accent_sets_the_link_colours_of_both_schemes(repo: Repo) -> None:
    branded(repo)
    assert repo.build() == 0
    style = (
        "<style>:root{--link:#0b5fff;--accent:#0b5fff}"
        "@media (prefers-color-scheme:dark){:root{--link:#377cff;--accent:#377cff}}</style>"
    )
    for page in ("index.html", "incidents/2025-11-03-api-errors/index.html", "404.html"):
        assert re.findall(r"<style>.*?</style>", repo.page(page)) == [style]


def test_the_teams_links_are_in_the_header_and_footer(repo: Repo) -> None:
    branded(repo)
    assert repo.build() == 0
    html = repo.page("components/web/index.html")
    assert '<a class="home-link" href="https://www.example.com/" rel="noopener">Back to example.com</a>' in html
    footer = html[html.index('<ul class="links">') : html.index("</ul>", html.index('<ul class="links">'))]
    assert re.findall(r'<a href="([^"]*)" rel="noopener">([^<]*)</a>', footer) == [
        ("https://example.com/support", "Support"),
        ("mailto:help@example.com", "Contact us"),
        ("https://www.example.com/", "example.com"),
    ]


def test_only_the_links_given_are_shown(repo: Repo) -> None:
    repo.config(CONFIG.replace("  timezone:", "  links: {support: 'https://example.com/help?x=1&y=2'}\n  timezone:"))
    assert repo.build() == 0
    html = repo.page("index.html")
    assert "home-link" not in html
    assert re.findall(r'<ul class="links">\s*(.*?)\s*</ul>', html, re.S) == [
        '<li><a href="https://example.com/help?x=1&amp;y=2" rel="noopener">Support</a></li>'
    ]


def test_the_component_page_shows_each_period_against_the_target(repo: Repo) -> None:
    branded(repo)
    assert repo.build() == 0
    shown = tables(repo.page("components/api/index.html"))
    assert re.search(r'<p class="sla-target">Uptime target: 99.9%</p>', repo.page("components/api/index.html"))
    heading = ["Uptime", "Downtime", "Target 99.9%"]
    # September: 1 - 60 / 43,200 = 99.861 %. 1-10 November 12:00 UTC (from midnight in Rome):
    # 13,740 minutes, 1 - 22.5 / 13,740 = 99.836 %. Q4 so far: 58,440 minutes, 99.961 %. The
    # year so far, from 1 September: 101,640 minutes, 1 - 82.5 / 101,640 = 99.919 %.
    assert shown["Uptime by year"] == [
        ["Year", *heading],
        ["2025", "99.919%", "1 hr, 23 min", "Met so far"],
    ]
    assert shown["Uptime by quarter"] == [
        ["Quarter", *heading],
        ["Q4 2025", "99.961%", "23 min", "Met so far"],
        ["Q3 2025", "99.861%", "1 hr", "Missed by 0.039%"],
    ]
    assert shown["Uptime by month"] == [
        ["Month", *heading],
        ["November 2025", "99.836%", "23 min", "Below the target by 0.064% so far"],
        ["October 2025", "100%", "0 min", "Met"],
        ["September 2025", "99.861%", "1 hr", "Missed by 0.039%"],
    ]


def test_a_component_without_a_target_shows_its_periods_without_verdicts(repo: Repo) -> None:
    branded(repo)
    assert repo.build() == 0
    html = repo.page("components/web/index.html")
    shown = tables(html)
    assert "sla-target" not in html
    assert shown["Uptime by year"] == [["Year", "Uptime", "Downtime"], ["2025", "100%", "0 min"]]
    assert shown["Uptime by quarter"] == [
        ["Quarter", "Uptime", "Downtime"],
        ["Q4 2025", "100%", "0 min"],
        ["Q3 2025", "100%", "0 min"],
    ]


def test_the_target_words_are_translated(repo: Repo) -> None:
    branded(repo)
    repo.config(repo.root.joinpath("statusgen.yaml").read_text().replace("  timezone:", "  language: it\n  timezone:"))
    assert repo.build() == 0
    shown = tables(repo.page("components/api/index.html"))
    # The words, numbers and dates are Italian.
    assert shown["Disponibilità per trimestre"][:3] == [
        ["Trimestre", "Disponibilità", "Tempo di inattività", "Obiettivo 99,9%"],
        ["T4 2025", "99,961%", "23 min", "Finora raggiunto"],
        ["T3 2025", "99,861%", "1 h", "Mancato di 0,039%"],
    ]


def test_uptime_json_carries_the_target_quarters_years_and_verdicts(repo: Repo) -> None:
    branded(repo)
    assert repo.build() == 0
    document = json.loads((repo.site / "api" / "uptime.json").read_text())
    schema = json.loads((SCHEMAS / "uptime.schema.json").read_text())
    Draft202012Validator(schema, registry=registry()).validate(document)
    api = document["components"]["api"]
    assert api["sla_target"] == 99.9
    assert api["quarters"] == [
        {
            "quarter": "2025-Q3",
            "uptime": 99.861,
            "downtime_minutes": 60.0,
            "sla": {"target": 99.9, "met": False, "missed_by": 0.039, "final": True},
        },
        {
            "quarter": "2025-Q4",
            "uptime": 99.961,
            "downtime_minutes": 22.5,
            "sla": {"target": 99.9, "met": True, "missed_by": None, "final": False},
        },
    ]
    assert api["years"] == [
        {
            "year": "2025",
            "uptime": 99.919,
            "downtime_minutes": 82.5,
            "sla": {"target": 99.9, "met": True, "missed_by": None, "final": False},
        }
    ]
    assert [m["sla"] for m in api["months"]] == [
        {"target": 99.9, "met": False, "missed_by": 0.039, "final": True},
        {"target": 99.9, "met": True, "missed_by": None, "final": True},
        {"target": 99.9, "met": False, "missed_by": 0.064, "final": False},
    ]
    web = document["components"]["web"]
    assert "sla_target" not in web
    assert web["years"] == [{"year": "2025", "uptime": 100.0, "downtime_minutes": 0.0}]
    assert all("sla" not in m for m in web["months"] + web["quarters"])


def test_the_schema_requires_a_verdict_where_there_is_a_target(repo: Repo) -> None:
    branded(repo)
    assert repo.build() == 0
    document = json.loads((repo.site / "api" / "uptime.json").read_text())
    del document["components"]["api"]["quarters"][0]["sla"]
    schema = json.loads((SCHEMAS / "uptime.schema.json").read_text())
    errors = list(Draft202012Validator(schema, registry=registry()).iter_errors(document))
    assert [e.message for e in errors] == ["'sla' is a required property"]
