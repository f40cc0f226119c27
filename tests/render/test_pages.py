"""The HTML pages, read back as a visitor's browser or a crawler would."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel import Locale
from babel.dates import format_date, format_skeleton, format_time, parse_pattern
from markupsafe import Markup

from conftest import Repo
from factories import MAINT, ONGOING, collect, internal_links_checked
from statusgen.theme.formatter import Formatter
from statusgen.timeutil import iso


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", " ".join(collect(html).text))


def test_index_shows_overall_and_component_status(repo: Repo) -> None:
    repo.incident("2025-11-10-dashboard.md", ONGOING)
    repo.incident("2025-11-01-db-upgrade.md", MAINT)
    assert repo.build("2025-11-10T12:00:00Z") == 0
    text = text_of(repo.page("index.html"))
    assert "Major Service Outage" in text
    for line in (
        "Platform Major outage",
        "Public API Degraded performance",
        "Dashboard Major outage",
        "Database Operational",
    ):
        assert line in text
    assert "Active incidents Dashboard unavailable Critical Investigating" in text
    assert "Scheduled maintenance Database upgrade Maintenance Scheduled" in text
    assert "November 3, 2025 Elevated API error rates Major Resolved" in text
    # The twelve quiet days of the last fourteen, in the two runs the incidents leave.
    assert text.count("No incidents reported") == 2
    assert "No incidents reported from Nov 4 to Nov 9" in text
    assert "No incidents reported from Oct 28 to Nov 2" in text


def test_times_are_in_the_site_zone_with_the_zone_named(repo: Repo) -> None:
    assert repo.build("2025-11-10T12:00:00Z") == 0
    times = collect(repo.page("incidents/2025-11-03-api-errors/index.html")).times
    assert ("2025-11-03T15:05:00+01:00", "Nov 3, 2025, 3:05\u202fPM CET") in times
    assert ("2025-11-03T16:20:00+01:00", "Nov 3, 2025, 4:20\u202fPM CET") in times


def test_incident_page_has_timeline_changes_and_duration(repo: Repo) -> None:
    assert repo.build() == 0
    text = text_of(repo.page("incidents/2025-11-03-api-errors/index.html"))
    # The duration is an element of its own, which never wraps.
    assert "Resolved Nov 3, 2025, 4:20 PM CET (after 1 hour, 15 minutes )" in text
    assert text.index("Error rates are back to normal.") < text.index("We are investigating")
    assert "Public API: Operational → Partial outage" in text
    assert "Public API: Partial outage → Operational" in text


def test_during_maintenance_the_component_is_under_maintenance(repo: Repo) -> None:
    repo.incident("2025-11-01-db-upgrade.md", MAINT)
    assert repo.build("2025-11-20T03:00:00Z") == 0
    text = text_of(repo.page("index.html"))
    assert "Service Under Maintenance" in text
    assert "Maintenance in progress Database upgrade Maintenance In progress" in text
    assert "Database Under maintenance" in text
    assert repo.build("2025-11-20T05:00:00Z") == 0
    text = text_of(repo.page("index.html"))
    assert "All Systems Operational" in text and "Database Operational" in text
    assert "Database upgrade Maintenance Completed" in text


def test_hidden_incidents_and_future_updates_are_not_published(repo: Repo) -> None:
    repo.incident("2025-11-04-test.md", ONGOING.replace("impact: critical", "impact: minor\nhidden: true"))
    repo.incident("2025-11-10-dashboard.md", ONGOING)
    assert repo.build("2025-11-05T00:00:00Z") == 0
    assert sorted(p.name for p in (repo.site / "incidents").iterdir()) == ["2025-11-03-api-errors"]
    assert "Dashboard unavailable" not in repo.page("history/index.html")
    assert "All Systems Operational" in text_of(repo.page("index.html"))


def test_every_internal_link_resolves(repo: Repo) -> None:
    repo.incident("2025-11-10-dashboard.md", ONGOING)
    repo.incident("2025-11-01-db-upgrade.md", MAINT)
    assert repo.build("2025-11-10T12:00:00Z") == 0
    checked = internal_links_checked(repo.site)
    assert checked == 98


def test_history_is_paginated_by_hundreds(repo: Repo) -> None:
    for n in range(205):
        day = f"2025-{1 + n // 28:02d}-{1 + n % 28:02d}"
        repo.incident(
            f"{day}-event-{n}.md",
            ONGOING.replace("2025-11-10T10:00:00Z", f"{day}T10:00:00Z").replace("investigating", "resolved"),
        )
    assert repo.build("2025-12-01T00:00:00Z") == 0
    first = repo.page("history/index.html")
    second = repo.page("history/page/2/index.html")
    third = repo.page("history/page/3/index.html")
    assert not (repo.site / "history/page/4").exists()
    assert [page.count('class="row"') for page in (first, second, third)] == [100, 100, 6]
    assert "Page 1 of 3" in first and 'href="../history/page/2/"' in first
    assert 'href="../../../history/"' in second and 'href="../../../history/page/3/"' in second
    assert '<h2 id="m-2025-11">November 2025</h2>' in first


def test_404_uses_the_site_path(repo: Repo) -> None:
    repo.config(
        repo.root.joinpath("statusgen.yaml")
        .read_text()
        .replace("https://status.example.com/", "https://example.github.io/status")
    )
    assert repo.build() == 0
    page = repo.page("404.html")
    assert 'href="/status/static/style.css?v=' in page
    assert 'href="/status/history/"' in page


def test_sitemap_and_robots(repo: Repo) -> None:
    assert repo.build() == 0
    sitemap = repo.page("sitemap.xml")
    locs = re.findall(r"<loc>(.*?)</loc>", sitemap)
    assert locs == [
        "https://status.example.com/",
        "https://status.example.com/incidents/2025-11-03-api-errors/",
        "https://status.example.com/components/api/",
        "https://status.example.com/components/web/",
        "https://status.example.com/components/db/",
        "https://status.example.com/subscribe/",
        "https://status.example.com/history/",
    ]
    assert "<lastmod>2025-11-03</lastmod>" in sitemap
    assert repo.page("robots.txt") == ("User-agent: *\nAllow: /\nSitemap: https://status.example.com/sitemap.xml\n")


def test_theme_overrides_one_template(repo: Repo) -> None:
    repo.config(repo.root.joinpath("statusgen.yaml").read_text().replace("  timezone:", "  theme: brand\n  timezone:"))
    repo.write(
        "themes/brand/templates/404.html",
        "{% extends 'base.html' %}{% block main %}Lost? {{ site.title }}{% endblock %}",
    )
    repo.write("themes/brand/static/logo.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>")
    assert repo.build() == 0
    assert "Lost? Example Status" in repo.page("404.html")
    assert "Elevated API error rates" in repo.page("index.html")
    assert (repo.site / "static/logo.svg").is_file() and (repo.site / "static/style.css").is_file()


def test_pages_stay_small(tmp_path: Path, demo: Repo) -> None:
    import gzip

    from conftest import DEMO_NOW

    out = tmp_path / "site"
    assert demo.build(DEMO_NOW, "--out", str(out)) == 0
    for rel in ["index.html", "incidents/2026-06-10-database-failover/index.html"]:
        assert len(gzip.compress((out / rel).read_bytes())) < 14 * 1024, rel


# Instants a minute apart and a second apart, across the end of summer time in Rome and Sydney.
INSTANTS = [datetime(2025, 10, 26, 0, 0, tzinfo=UTC) + timedelta(seconds=s) for s in range(0, 4 * 3600, 599)] + [
    datetime(2025, 4, 5, 15, 59, second, tzinfo=UTC) for second in (0, 1, 59)
]


@pytest.mark.parametrize("language", ["en", "de", "ar", "ja", "fi"])
@pytest.mark.parametrize("zone", ["Europe/Rome", "Australia/Sydney", "UTC"])
def test_dates_and_clocks_are_babels_for_every_instant(language: str, zone: str) -> None:
    """Made once per day or minute shown: the same text as Babel's for the exact instant."""
    fmt = Formatter(ZoneInfo(zone), language)
    locale = Locale.parse(language)
    for moment in INSTANTS * 2:  # the second time round, from what was kept
        local = moment.astimezone(ZoneInfo(zone))
        clock = f"{format_time(local.time(), 'short', locale=locale)} {local.tzname()}"
        day = format_date(local.date(), "medium", locale=locale)
        assert (fmt.clock(moment), fmt.short_date(moment)) == (clock, day)
        both = str(locale.datetime_formats["medium"]).format(clock, day)  # "{1}, {0}": the date, then the clock
        assert fmt.time_tag(moment) == Markup('<time datetime="{}">{}</time>').format(iso(local), both)
        assert fmt.time_tag(moment, "clock") == Markup('<time datetime="{}">{}</time>').format(iso(local), clock)
        assert fmt.long_date(local.date()) == format_date(local.date(), "long", locale=locale)
        assert fmt.month(local.date()) == format_skeleton("yMMMM", local.date(), locale=locale)


def test_a_clock_that_shows_seconds_is_made_per_second(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(Locale.parse("en").time_formats._data, "short", parse_pattern("H:mm:ss"))
    fmt = Formatter(ZoneInfo("UTC"), "en")
    assert [fmt.clock(datetime(2025, 4, 5, 15, 59, s, tzinfo=UTC)) for s in (0, 1)] == ["15:59:00 UTC", "15:59:01 UTC"]
