"""A site in several languages: each under its folder with its pages, feeds, calendar and badges,
linked to the others by hreflang and a plain list of links; the API once, in the default language.
And CLDR's dates, durations, numbers and plurals in each language."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import pytest
from icalendar import Calendar

from conftest import CONFIG, DEMO_NOW, Repo, copy_demo
from factories import MAINT, ONGOING, collect, internal_links_checked
from statusgen import i18n
from statusgen.derive.state import derive
from statusgen.load.repository import load_repository
from statusgen.load.translations import Translation
from statusgen.render.languages import Localized, editions
from statusgen.theme.formatter import Formatter

MULTI = CONFIG.replace("  timezone:", "  languages: [it, ar]\n  timezone:")
EDITIONS = ("", "it/", "ar/")


@pytest.fixture
def multi(repo: Repo) -> Repo:
    repo.config(MULTI)
    repo.incident("2025-11-10-dashboard.md", ONGOING)
    repo.incident("2025-11-01-db-upgrade.md", MAINT)
    assert repo.build("2025-11-10T12:00:00Z") == 0
    return repo


def test_each_language_has_the_whole_site_under_its_folder(multi: Repo) -> None:
    files = {str(p.relative_to(multi.site)) for p in multi.site.rglob("*") if p.is_file() and p.name[0] != "."}
    default = {f for f in files if not f.startswith(("it/", "ar/"))}
    per_language = {f for f in default if not f.startswith(("api/", "static/"))} - {
        "sitemap.xml",
        "robots.txt",
        "next-change.txt",
        "embed.js",
    }
    assert "index.html" in per_language and "maintenance.ics" in per_language and "badge.svg" in per_language
    assert "components/api/feed.atom" in per_language and "incidents/2025-11-03-api-errors/index.html" in per_language
    for prefix in ("it/", "ar/"):
        assert {f[len(prefix) :] for f in files if f.startswith(prefix)} == per_language
    # One API, one stylesheet, one sitemap, one embed.js for the whole site.
    assert not any(f.startswith(("it/api/", "ar/api/", "it/static/", "ar/static/")) for f in files)
    assert len(files) == len(default) + 2 * len(per_language)


def test_pages_say_their_language_and_direction(multi: Repo) -> None:
    for prefix, html in (("", '<html lang="en" dir="ltr">'), ("it/", '<html lang="it" dir="ltr">')):
        assert multi.page(f"{prefix}index.html").startswith(f"<!doctype html>\n{html}")
    assert multi.page("ar/index.html").startswith('<!doctype html>\n<html lang="ar" dir="rtl">')
    assert "<span>Tutti i sistemi sono operativi</span>" not in multi.page("it/index.html")  # an incident is open
    assert '<h2 id="components">Componenti</h2>' in multi.page("it/index.html")
    assert '<h2 id="components">Components</h2>' in multi.page("index.html")


def test_every_page_names_its_other_languages_with_hreflang(multi: Repo) -> None:
    page = "incidents/2025-11-03-api-errors/"
    expected = [
        ("en", f"https://status.example.com/{page}"),
        ("it", f"https://status.example.com/it/{page}"),
        ("ar", f"https://status.example.com/ar/{page}"),
        ("x-default", f"https://status.example.com/{page}"),
    ]
    for prefix in EDITIONS:
        html = multi.page(f"{prefix}{page}index.html")
        assert re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html) == expected
        assert f'<link rel="canonical" href="https://status.example.com/{prefix}{page}">' in html


def test_the_language_switcher_is_plain_links_to_the_same_page(multi: Repo) -> None:
    html = multi.page("it/components/api/index.html")
    nav = html[html.index('<nav class="languages"') : html.index("</nav>", html.index('<nav class="languages"'))]
    assert re.findall(r'<a href="([^"]+)"( aria-current="page")?[^>]*>([^<]+)</a>', nav) == [
        ("../../../components/api/", "", "English"),
        ("../../../it/components/api/", ' aria-current="page"', "Italiano"),
        ("../../../ar/components/api/", "", "العربية"),
    ]
    assert "<script" not in html
    assert 'aria-label="Lingue"' in nav
    # The home page of the default language links to itself as ./, as it has no folder of its own.
    assert '<a href="./" aria-current="page" lang="en">English</a>' in multi.page("index.html")
    assert '<a href="it/" hreflang="it" lang="it">Italiano</a>' in multi.page("index.html")


def test_a_single_language_site_has_no_switcher_and_no_hreflang(repo: Repo) -> None:
    assert repo.build() == 0
    html = repo.page("index.html")
    assert 'class="languages"' not in html and "hreflang" not in html


def test_every_internal_link_of_every_language_resolves(multi: Repo) -> None:
    checked = internal_links_checked(multi.site)
    # Each language's 9 pages (404 and the embed page aside) link as the single-language site's do,
    # and to the three languages of the page.
    assert checked == 3 * (98 + 9 * 3)
    links = collect(multi.page("it/index.html")).links
    assert links[:4] == ["#main", "", "", "history/"]
    assert links[-4:] == ["subscribe/", "../", "../it/", "../ar/"]
    assert 'href="../static/style.css?v=' in multi.page("it/index.html")
    assert "webcal://status.example.com/it/maintenance.ics" in collect(multi.page("it/subscribe/index.html")).links


def test_the_404_page_of_a_language_links_absolutely(multi: Repo) -> None:
    html = multi.page("it/404.html")
    assert f'<a href="/it/">{i18n.language("it").gettext("current status")}</a>' in html
    assert f'<a href="/it/history/">{i18n.language("it").gettext("incident history")}</a>' in html
    assert 'href="/static/style.css' in html and 'href="/it/feed.atom"' in html
    assert "<title>Pagina non trovata · Example Status</title>" in html


def test_feeds_calendar_and_badges_are_in_their_language(multi: Repo) -> None:
    feed = feedparser.parse(multi.site / "it/feed.atom")
    assert feed.bozo == 0
    assert feed.feed.language == "it"
    assert [e.link for e in feed.entries][:1] == [
        "https://status.example.com/it/incidents/2025-11-10-dashboard/#update-20251110t100000z"
    ]
    words = i18n.language("it")
    assert feed.entries[0].title == f"Dashboard unavailable: {words.gettext('Investigating')}"
    assert words.gettext("Investigating") != "Investigating"
    english = feedparser.parse(multi.site / "feed.atom")
    assert english.feed.language == "en" and english.entries[0].title == "Dashboard unavailable: Investigating"
    # The same updates, each entry of its own in each language (its text is another).
    assert [e.id for e in feed.entries] == [e.id.replace("/update-", "/it/update-") for e in english.entries]
    assert english.entries[0].id == "tag:status.example.com,2025-11-10:2025-11-10-dashboard/update-20251110t100000z"

    calendar = Calendar.from_ical((multi.site / "it/maintenance.ics").read_bytes())
    (event,) = calendar.walk("VEVENT")
    assert str(event["uid"]) == "2025-11-01-db-upgrade.it@status.example.com"
    assert str(event["summary"]) == words.gettext("Maintenance: %(title)s") % {"title": "Database upgrade"}
    assert str(event["url"]) == "https://status.example.com/it/incidents/2025-11-01-db-upgrade/"
    (default_event,) = Calendar.from_ical((multi.site / "maintenance.ics").read_bytes()).walk("VEVENT")
    assert str(default_event["uid"]) == "2025-11-01-db-upgrade@status.example.com"

    badge = json.loads((multi.site / "it/badge.json").read_text())
    assert badge["label"] == words.gettext("status") and badge["label"] != "status"
    assert json.loads((multi.site / "badge.json").read_text())["label"] == "status"


def test_the_api_is_one_in_the_default_language_with_statuspages_words(multi: Repo) -> None:
    summary = json.loads((multi.site / "api/v2/summary.json").read_text())
    assert summary["status"]["description"] in ("Partial System Outage", "Major Service Outage", "Minor Service Outage")
    assert summary["page"]["url"] == "https://status.example.com"
    assert not (multi.site / "it/api").exists()


def test_the_sitemap_lists_every_languages_pages(multi: Repo) -> None:
    sitemap = (multi.site / "sitemap.xml").read_text()
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert locs[:3] == [
        "https://status.example.com/",
        "https://status.example.com/it/",
        "https://status.example.com/ar/",
    ]
    # The index, three incidents, three components, the subscribe page and the history, in each
    # language (the embed page is for frames, not for search engines).
    assert len(locs) == 3 * len(set(loc.replace("/it/", "/").replace("/ar/", "/") for loc in locs)) == 3 * 9
    # The pages name their alternates themselves: the sitemap grows with the languages, not their square.
    assert "xhtml:link" not in sitemap
    assert not (multi.site / "it/sitemap.xml").exists() and not (multi.site / "it/robots.txt").exists()


# --- Translations of incidents, as pages show them ------------------------------------------------


def test_translated_text_replaces_the_default_and_the_rest_is_marked(repo: Repo) -> None:
    repo.config(MULTI)
    loaded = load_repository(repo.root)
    incident = loaded.incidents[0]
    first, last = incident.updates
    translation = Translation(
        incident.id,
        "it",
        "incidents/2025-11-03-api-errors.it.md",
        "Tassi di errore elevati",
        None,
        {first.at: "Stiamo indagando."},
    )
    state = derive(loaded, datetime(2025, 11, 10, 12, tzinfo=UTC))
    state = type(state)(**{**state.__dict__, "translations": {"it": {incident.id: translation}}})
    it, ar = editions(state.config.site)[1:]
    localized = Localized(state, it, "en")
    shown = localized.state.incidents[0]
    assert shown.title == "Tassi di errore elevati"
    assert [u.message for u in shown.updates] == ["Stiamo indagando.", "Error rates are back to normal."]
    assert localized.untranslated(shown) is None
    assert localized.untranslated(shown, shown.updates[0]) is None
    assert localized.untranslated(shown, shown.updates[1]) == "en"
    assert localized.untranslated(shown, "body") is None  # the incident has no body
    assert shown.digest != incident.digest
    # Arabic has no translation: all of it is the default language's, marked so.
    other = Localized(state, ar, "en")
    assert other.state.incidents[0].title == incident.title
    assert other.untranslated(other.state.incidents[0]) == "en"
    # The default language is never marked.
    default = Localized(state, editions(state.config.site)[0], "en")
    assert default.untranslated(incident) is None and default.state is state


# --- CLDR formatting ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "language, minutes, text",
    [
        ("en", 113, "1 hour, 53 minutes"),
        ("en", 1, "1 minute"),
        ("en", 60 * 24 * 3 + 60, "3 days, 1 hour"),
        ("ru", 1, "1 минута"),
        ("ru", 2, "2 минуты"),
        ("ru", 5, "5 минут"),
        ("ru", 21, "21 минута"),
        ("ru", 113, "1 час 53 минуты"),
        ("pl", 2, "2 minuty"),
        ("pl", 5, "5 minut"),
        ("cs", 3, "3 minuty"),
        ("ar", 2, "دقيقتان"),
        ("ar", 113, "ساعة و53 دقيقة"),
        ("fr", 113, "1 heure 53 minutes"),
        ("de", 113, "1 Stunde, 53 Minuten"),
        ("zh", 113, "1小时53分钟"),
        ("ja", 113, "1 時間 53 分"),
    ],
)
def test_durations_are_words_of_the_language_with_its_plurals(language: str, minutes: int, text: str) -> None:
    formatter = Formatter(ZoneInfo("UTC"), language)
    assert formatter.duration(timedelta(minutes=minutes)).replace("\xa0", " ") == text


def test_a_duration_under_half_a_minute_is_said_in_words() -> None:
    assert Formatter(ZoneInfo("UTC"), "en").duration(timedelta(seconds=10)) == "under a minute"
    it = Formatter(ZoneInfo("UTC"), "it").duration(timedelta(seconds=10))
    assert it == i18n.language("it").gettext("under a minute") and it != "under a minute"


@pytest.mark.parametrize(
    "language, value, text",
    [
        ("en", 99.98, "99.98%"),
        ("en", 100.0, "100%"),
        ("en", 99.9876, "99.988%"),
        ("fr", 99.98, "99,98\u00a0%"),
        ("de", 99.98, "99,98\u00a0%"),
        ("tr", 99.98, "%99,98"),
        ("ar", 99.5, "99.5%"),
        ("hi", 99.98, "99.98%"),
    ],
)
def test_percentages_are_written_as_the_language_writes_them(language: str, value: float, text: str) -> None:
    assert Formatter(ZoneInfo("UTC"), language).percent(value) == text


def test_numbers_minutes_and_relative_times_follow_the_language() -> None:
    now = datetime(2025, 11, 3, 12, tzinfo=UTC)
    fr, ru, en = (Formatter(ZoneInfo("Europe/Paris"), code) for code in ("fr", "ru", "en"))
    assert fr.minutes(1440.0) == "1\u202f440 minutes"
    assert ru.minutes(12.5) == "12,5 минуты"
    assert en.minutes(1.0) == "1 minute"
    assert en.ago(now - timedelta(hours=2), now) == "2 hours ago"
    assert ru.ago(now - timedelta(hours=2), now) == "2 часа назад"
    assert ru.ago(now - timedelta(hours=5), now) == "5 часов назад"
    assert fr.ago(now + timedelta(minutes=25), now) == "dans 25 minutes"
    assert en.number(1234) == "1,234" and fr.number(1234) == "1\u202f234"


def test_a_date_and_time_are_joined_as_the_language_joins_them() -> None:
    moment = datetime(2025, 11, 3, 14, 5, tzinfo=UTC)
    texts = {
        code: re.sub(r"<[^>]+>", "", str(Formatter(ZoneInfo("Europe/Rome"), code).time_tag(moment)))
        for code in ("en", "de", "ja", "zh")
    }
    assert texts == {
        "en": "Nov 3, 2025, 3:05\u202fPM CET",
        "de": "03.11.2025, 15:05 CET",
        "ja": "2025/11/03 15:05 CET",
        "zh": "2025年11月3日 15:05 CET",
    }


def test_the_zone_is_named_in_the_language() -> None:
    assert Formatter(ZoneInfo("Europe/Rome"), "en").zone_name() == "Central European Time"
    assert Formatter(ZoneInfo("Europe/Rome"), "de").zone_name() == "Mitteleuropäische Zeit"
    assert Formatter(ZoneInfo("UTC"), "ja").zone_name() == "UTC"
    assert Formatter(ZoneInfo("Etc/UTC"), "fr").zone_name() == "UTC"


def test_pages_show_relative_times_at_the_build(multi: Repo) -> None:
    assert re.findall(r"\(([^()]* ago)\)", multi.page("index.html")) == ["2 hours ago", "9 days ago"]
    assert re.findall(r"\(([^()]*)\) ·", multi.page("it/index.html")) == ["2 ore fa"]


def test_the_demo_is_published_in_italian_with_its_translated_incidents(tmp_path: Path) -> None:
    demo = copy_demo(tmp_path / "demo")
    out = tmp_path / "site"
    assert demo.build(DEMO_NOW, "--out", str(out)) == 0
    page = (out / "it/incidents/2026-11-23-webhook-delivery-failures/index.html").read_text(encoding="utf-8")
    assert "<h1>Consegna dei webhook non riuscita</h1>" in page
    assert "Un nodo della nostra coda di eventi ha esaurito lo spazio su disco" in page
    assert 'lang="en"' not in page.split("<main", 1)[1].split("</main>")[0]
    home = (out / "it/index.html").read_text(encoding="utf-8")
    assert '<html lang="it" dir="ltr">' in home
    assert ">Consegna dei webhook non riuscita</a>" in home
    english = (out / "incidents/2026-11-23-webhook-delivery-failures/index.html").read_text(encoding="utf-8")
    assert "<h1>Webhook deliveries failing</h1>" in english


def test_the_announcement_is_marked_as_the_default_languages(repo: Repo) -> None:
    repo.config(MULTI.replace("  timezone:", '  announcement: "We are **moving** today."\n  timezone:'))
    assert repo.build() == 0
    assert '<p lang="en">We are <strong>moving</strong> today.</p>' in repo.page("ar/index.html")
    assert "<p>We are <strong>moving</strong> today.</p>" in repo.page("index.html")


@pytest.mark.parametrize(
    "language, heading",
    [("en", "November 2025"), ("ja", "2025年11月"), ("ko", "2025년 11월"), ("ru", "ноябрь 2025\u202fг.")],
)
def test_month_headings_are_written_as_the_language_writes_them(repo: Repo, language: str, heading: str) -> None:
    repo.config(CONFIG.replace("  timezone:", f"  language: {language}\n  timezone:"))
    assert repo.build() == 0
    assert f'<h2 id="m-2025-11">{heading}</h2>' in repo.page("history/index.html")


@pytest.mark.parametrize("written", ["en-gb", "EN-GB", "pt-br", "PT_br", "de-de"])
def test_a_language_code_is_read_whatever_its_letter_case(repo: Repo, written: str) -> None:
    repo.config(CONFIG.replace("  timezone:", f"  language: {written}\n  timezone:"))
    assert repo.build() == 0
    assert f'<html lang="{written.replace("_", "-")}" dir="ltr">' in repo.page("index.html")


def test_a_themes_templates_translate_with_any_variable_names(repo: Repo) -> None:
    """Jinja's own i18n syntax, with values named as the gettext functions' own arguments."""
    repo.write(
        "themes/own/templates/404.html",
        '{% extends "base.html" %}{% block main %}'
        "<p>{% trans n=3 %}one{% pluralize %}{{ n }} many{% endtrans %}</p>"
        '<p>{{ _("Say %(message)s", message="<hi>") }}</p>'
        '<p>{{ ngettext("%(num)s day", "%(num)s days", 2, plural="x") }}</p>'
        '<p>{{ _("Page not found") }}</p>{% endblock %}',
    )
    repo.config(CONFIG.replace("  timezone:", "  theme: own\n  language: de\n  timezone:"))
    assert repo.build() == 0
    page = repo.page("404.html")
    assert "<p>3 many</p><p>Say &lt;hi&gt;</p><p>2 days</p>" in page
    assert f"<p>{i18n.language('de').gettext('Page not found')}</p>" in page
