"""The uptime bars as pages show them: downtime in words, each day's status, the key, at most three
incidents a day and a link to the rest in the right page of the history."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest

from conftest import CONFIG, Repo
from factories import MAINT
from statusgen.render import pages
from statusgen.theme.formatter import Formatter

# Minutes of downtime and how a page writes them: CLDR's short units, at most two, rounded half
# up to the smallest unit shown (to the second under a minute, to the minute up to a day, then to
# the hour).
DOWNTIME = [
    (0, "0 min", "0 Min."),
    (0.3, "18 sec", "18 Sek."),
    (6.5, "7 min", "7 Min."),
    (7.2, "7 min", "7 Min."),
    (45, "45 min", "45 Min."),
    (59.6, "1 hr", "1 Std."),
    (65, "1 hr, 5 min", "1 Std., 5 Min."),
    (1440, "24 hr", "24 Std."),
    (1445, "1 day", "1 Tg."),
    (1500, "1 day, 1 hr", "1 Tg., 1 Std."),
    (10954.7, "7 days, 15 hr", "7 Tg., 15 Std."),
]


@pytest.mark.parametrize(("minutes", "english", "german"), DOWNTIME)
def test_downtime_in_words(minutes: float, english: str, german: str) -> None:
    assert Formatter(ZoneInfo("UTC"), "en").downtime(minutes) == english
    assert Formatter(ZoneInfo("UTC"), "de").downtime(minutes) == german


def test_downtime_in_a_language_that_joins_units_with_a_word() -> None:
    italian = Formatter(ZoneInfo("UTC"), "it")
    assert [italian.downtime(m) for m in (45, 65, 10954.7)] == ["45 min", "1 h e 5 min", "7 giorni e 15 h"]


@dataclass
class Bars:
    """A page's ``ol.bars``, each a list of its days as (class, text, [(href, link text)]), and
    its key to the bars as (swatch class, text)."""

    sets: list[list[tuple[str, str, list[tuple[str, str]]]]]
    key: list[tuple[str, str]]


def text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


def bars(html: str) -> Bars:
    sets = [
        [
            (cls, text(tip), [(href, text(inner)) for href, inner in re.findall(r'<a href="([^"]*)">(.*?)</a>', tip)])
            for cls, tip in re.findall(r'<li class="([^"]+)"><span class="tip">(.*?)</span></li>', body, re.S)
        ]
        for body in re.findall(r'<ol class="bars"[^>]*>(.*?)</ol>', html, re.S)
    ]
    key = [
        (cls, text(label))
        for keys in re.findall(r'<ul class="bars-key"[^>]*>(.*?)</ul>', html, re.S)
        for cls, label in re.findall(r'<li><span class="swatch ([^"]+)" aria-hidden="true"></span>(.*?)</li>', keys)
    ]
    return Bars(sets, key)


def write(
    repo: Repo, name: str, start: datetime, minutes: int, status: str = "partial_outage", cid: str = "api"
) -> None:
    end = start + timedelta(minutes=minutes)
    repo.incident(
        f"{name}.md",
        f"""\
        ---
        title: Incident {name}
        impact: major
        components: {{{cid}: {status}}}
        updates:
          - at: {start.isoformat().replace("+00:00", "Z")}
            status: investigating
            message: Looking into it.
          - at: {end.isoformat().replace("+00:00", "Z")}
            status: resolved
            message: Fixed.
        ---
        """,
    )


def test_each_day_says_its_worst_status_in_words_colour_and_shape(repo: Repo) -> None:
    write(repo, "2025-11-05-slow", datetime(2025, 11, 5, 9, tzinfo=UTC), 90, "degraded_performance")
    write(repo, "2025-11-06-down", datetime(2025, 11, 6, 9, tzinfo=UTC), 65, "major_outage")
    repo.incident("2025-11-01-db.md", MAINT.replace("2025-11-20", "2025-11-07"))
    assert repo.build("2025-11-10T12:00:00Z") == 0
    found = bars(repo.page("index.html"))
    # Platform (api, web), api, web, then db alone.
    platform, api, web, db = found.sets
    assert [len(s) for s in found.sets] == [90, 90, 90, 90]
    assert api[-8] == (
        "u-partial_outage",
        "Nov 3, 2025: Partial outage, 98.438% uptime, 23 min down, Elevated API error rates",
        [("incidents/2025-11-03-api-errors/", "Elevated API error rates")],
    )
    assert api[-6] == (
        "u-degraded_performance",
        "Nov 5, 2025: Degraded performance, 100% uptime, Incident 2025-11-05-slow",
        [("incidents/2025-11-05-slow/", "Incident 2025-11-05-slow")],
    )
    assert api[-5][:2] == (
        "u-major_outage",
        "Nov 6, 2025: Major outage, 95.486% uptime, 1 hr, 5 min down, Incident 2025-11-06-down",
    )
    assert api[-1] == ("u-operational", "Nov 10, 2025: 100% uptime", [])
    assert db[-4][:2] == ("u-under_maintenance", "Nov 7, 2025: Under maintenance, 100% uptime, Database upgrade")
    # A group's day is its worst component's.
    assert [day[0] for day in platform[-8:-4]] == [day[0] for day in api[-8:-4]]
    assert web[-8][0] == "u-operational"
    # One key on the page, naming each colour and shape.
    assert found.key == [
        ("u-operational", "Operational"),
        ("u-degraded_performance", "Degraded performance"),
        ("u-partial_outage", "Partial outage"),
        ("u-major_outage", "Major outage"),
        ("u-under_maintenance", "Under maintenance"),
        ("u-none", "No data"),
    ]
    component = repo.page("components/api/index.html")
    assert bars(component).key == found.key and len(bars(component).sets) == 1
    # The month table says downtime the same way: 22.5 + 65 minutes in November.
    assert re.findall(r"<td>([^<]+)</td></tr>", component) == ["1 hr, 28 min"] * 3  # its year, quarter, month


def test_the_legend_has_the_90_and_the_30_day_figures(repo: Repo) -> None:
    # 22.5 minutes down on 3 November, 30 on 1 October, 40 days before now.
    write(repo, "2025-10-01-old", datetime(2025, 10, 1, 9, tzinfo=UTC), 100)
    assert repo.build("2025-11-10T12:00:00Z") == 0
    legend = re.findall(r'<p class="bars-legend">(.*?)</p>', repo.page("components/api/index.html"))
    # 90 days: 52.5 of 88 x 1440 + 1500 (26 October) + 780 minutes; 30 days: 22.5 of 28 x 1440 + 1500 + 780.
    assert legend == [
        '<span class="d90">90 days ago</span><span class="d30">30 days ago</span>'
        '<span class="d90">99.959% uptime</span><span class="d30">99.947% uptime</span><span>Today</span>'
    ]
    assert round(100 * (1 - 52.5 / (88 * 1440 + 1500 + 780)), 3) == 99.959
    assert round(100 * (1 - 22.5 / (28 * 1440 + 1500 + 780)), 3) == 99.947


def many(repo: Repo, day: datetime, count: int, prefix: str, cid: str = "api") -> list[str]:
    names = [f"{day.date().isoformat()}-{prefix}-{n:03d}" for n in range(count)]
    for n, name in enumerate(names):
        write(repo, name, day + timedelta(minutes=10 * n), 5, cid=cid)
    return names


def test_a_day_names_three_incidents_then_links_to_the_rest_on_its_history_page(repo: Repo) -> None:
    # Six incidents on 5 November, then 120 newer ones: the 5th is on the history's second page.
    busy = many(repo, datetime(2025, 11, 5, 8, tzinfo=UTC), 6, "busy")
    many(repo, datetime(2025, 11, 6, 8, tzinfo=UTC), 60, "later")
    many(repo, datetime(2025, 11, 7, 8, tzinfo=UTC), 60, "later")
    assert repo.build("2025-11-10T12:00:00Z") == 0
    for page in ("index.html", "components/api/index.html"):
        sets = bars(repo.page(page)).sets
        root = "" if page == "index.html" else "../../"
        api = sets[1] if page == "index.html" else sets[0]
        cls, text, links = api[-6]
        assert cls == "u-partial_outage"
        # The day's first three, in the order they began.
        shown = [f"{root}incidents/{name}/" for name in busy[:3]]
        assert links == [(href, f"Incident {href.split('/')[-2]}") for href in shown] + [
            (f"{root}history/page/2/#d-2025-11-05", "and 3 more")
        ]
        # 7 November: 60 incidents, 57 more; its day is on the first page.
        assert api[-4][2][-1] == (f"{root}history/#d-2025-11-07", "and 57 more")
    # The group's bars have the same limit.
    platform = bars(repo.page("index.html")).sets[0]
    assert platform[-4][2][-1] == ("history/#d-2025-11-07", "and 57 more")
    first, second = repo.page("history/index.html"), repo.page("history/page/2/index.html")
    assert re.findall(r'id="(d-[0-9-]+)"', first) == ["d-2025-11-07", "d-2025-11-06"]
    # 6 November's 60 are split across the two pages: its list is on both, and links go to the first.
    assert re.findall(r'id="(d-[0-9-]+)"', second) == ["d-2025-11-06", "d-2025-11-05", "d-2025-11-03"]
    assert bars(repo.page("index.html")).sets[1][-5][2][-1] == ("history/#d-2025-11-06", "and 57 more")
    # The list of 5 November holds its six incidents, and only those.
    day = second.split('id="d-2025-11-05"', 1)[1].split("</ul>", 1)[0]
    assert re.findall(r'href="\.\./\.\./\.\./incidents/([^/]+)/"', day) == busy[::-1]


def test_a_day_whose_incidents_began_earlier_links_to_the_day_they_began(repo: Repo) -> None:
    # Four incidents from the evening of 4 November (Rome) into the 5th; none begins on the 5th.
    for n in range(4):
        write(repo, f"2025-11-04-long-{n}", datetime(2025, 11, 4, 20, n, tzinfo=UTC), 600)
    assert repo.build("2025-11-10T12:00:00Z") == 0
    api = bars(repo.page("index.html")).sets[1]
    assert [links[-1] for _, _, links in api[-7:-5]] == [
        ("history/#d-2025-11-04", "and 1 more"),
        ("history/#d-2025-11-04", "and 1 more"),
    ]


def test_older_busy_days_of_the_home_page_say_their_status_and_date(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The home page tells its 3 newest days with incidents in full (3 days of api, Platform).
    monkeypatch.setattr(pages, "BAR_DETAILS", 3)
    write(repo, "2025-11-05-a", datetime(2025, 11, 5, 9, tzinfo=UTC), 60)
    write(repo, "2025-11-07-b", datetime(2025, 11, 7, 9, tzinfo=UTC), 60, "major_outage")
    write(repo, "2025-11-08-c", datetime(2025, 11, 8, 9, tzinfo=UTC), 60, cid="db")
    assert repo.build("2025-11-10T12:00:00Z") == 0
    platform, api, _, db = bars(repo.page("index.html")).sets
    # The 8th (db) and the 7th (api, Platform) are three: the 5th and the 3rd are brief.
    assert [text for _, text, _ in api[-8:-2]] == [
        "Partial outage on Nov 3, 2025",
        "Nov 4, 2025: 100% uptime",
        "Partial outage on Nov 5, 2025",
        "Nov 6, 2025: 100% uptime",
        "Nov 7, 2025: Major outage, 95.833% uptime, 1 hr down, Incident 2025-11-07-b",
        "Nov 8, 2025: 100% uptime",
    ]
    assert platform[-6][1] == "Partial outage on Nov 5, 2025"
    assert db[-3][1] == "Nov 8, 2025: Partial outage, 98.75% uptime, 18 min down, Incident 2025-11-08-c"
    # The component's own page tells every day.
    own = bars(repo.page("components/api/index.html")).sets[0]
    assert own[-6][1] == "Nov 5, 2025: Partial outage, 98.75% uptime, 18 min down, Incident 2025-11-05-a"


def test_the_home_page_tells_every_day_in_full_when_they_fit(repo: Repo) -> None:
    write(repo, "2025-08-20-a", datetime(2025, 8, 20, 9, tzinfo=UTC), 60)
    assert repo.build("2025-11-10T12:00:00Z") == 0
    texts = [text for s in bars(repo.page("index.html")).sets for _, text, _ in s]
    assert not [text for text in texts if " on " in text]
    assert "Aug 20, 2025: Partial outage, 98.75% uptime, 18 min down, Incident 2025-08-20-a" in texts


def test_the_bars_speak_the_pages_language(repo: Repo) -> None:
    repo.config(CONFIG.replace("  timezone: Europe/Rome\n", "  timezone: Europe/Rome\n  language: de\n"))
    assert repo.build("2025-11-10T12:00:00Z") == 0
    found = bars(repo.page("index.html"))
    assert found.sets[1][-8][1].startswith("03.11.2025: ")
    assert "23 Min." in found.sets[1][-8][1]
