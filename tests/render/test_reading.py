"""What customers read: the next update's promise, an open incident's duration, the postmortem at
the top of its incident's page, and the home page's past incidents."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from conftest import CONFIG, Repo
from factories import incident, internal_links_checked
from statusgen.render.pages import PastDays, excerpt, past_days

OPEN = """\
---
title: Slow dashboard
impact: {impact}
components: {{web: degraded_performance}}
updates:
  - at: {at}
    status: investigating
    message: The dashboard is slow. We are looking into it.
---
"""


class Texts(HTMLParser):
    """The text of every element that has a given class, as a reader sees it (spaces folded)."""

    def __init__(self, wanted: str) -> None:
        super().__init__()
        self.wanted = wanted
        self.found: list[str] = []
        self._open: list[tuple[str, int | None]] = []  # (tag, index in found or None)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"br", "img", "input", "meta", "link", "use"}:
            return
        classes = (dict(attrs).get("class") or "").split()
        index = None
        if self.wanted in classes:
            index = len(self.found)
            self.found.append("")
        self._open.append((tag, index))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pass  # <use/>: nothing to open or close

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        for _, index in self._open:
            if index is not None:
                self.found[index] += data


def texts(html: str, wanted: str) -> list[str]:
    parser = Texts(wanted)
    parser.feed(html)
    return [" ".join(text.split()) for text in parser.found]


def raw(html: str, wanted: str) -> list[str]:
    """Each element's text with its no-break spaces kept, other runs of spaces folded."""
    parser = Texts(wanted)
    parser.feed(html)
    return [re.sub(r"[ \t\n]+", " ", text).strip(" ") for text in parser.found]


def open_incident(repo: Repo, at: str, impact: str = "major") -> str:
    repo.incident("2025-11-10-slow.md", OPEN.format(at=at, impact=impact))
    return "incidents/2025-11-10-slow/index.html"


# --- Next update by -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "impact, at, now, page, card",
    [
        # major: every hour. Due at 12:00 CET, built at 11:30 CET the same day: the clock alone.
        (
            "major",
            "2025-11-10T10:00:00Z",
            "2025-11-10T10:30:00Z",
            "Next update by 12:00\u202fPM CET",
            "next update by 12:00\u202fPM CET",
        ),
        # minor: every 4 hours. Posted at 22:30 CET, due at 2:30 CET on the next day: with its date.
        (
            "minor",
            "2025-11-10T21:30:00Z",
            "2025-11-10T21:40:00Z",
            "Next update by Nov 11, 2025, 2:30\u202fAM CET",
            "next update by Nov 11, 2025, 2:30\u202fAM CET",
        ),
        # Past due: overdue, in words.
        (
            "major",
            "2025-11-10T10:00:00Z",
            "2025-11-10T11:01:00Z",
            "Update overdue: the next update was due by 12:00\u202fPM CET",
            "update overdue (due by 12:00\u202fPM CET)",
        ),
        # Past due, and the day after: overdue, with the date it was due on.
        (
            "major",
            "2025-11-10T10:00:00Z",
            "2025-11-11T08:00:00Z",
            "Update overdue: the next update was due by Nov 10, 2025, 12:00\u202fPM CET",
            "update overdue (due by Nov 10, 2025, 12:00\u202fPM CET)",
        ),
    ],
)
def test_next_update_says_the_day_when_not_today_and_overdue_once_past(
    repo: Repo, impact: str, at: str, now: str, page: str, card: str
) -> None:
    rel = open_incident(repo, at, impact)
    assert repo.build(now) == 0
    html = repo.page(rel)
    assert raw(html, "next-update") == [page]
    assert ("overdue" in page) == ('class="next-update overdue"' in html)
    home = repo.page("index.html")
    (posted,) = [line for line in raw(home, "small") if line.startswith("Posted")]
    assert posted.endswith(" · " + card)
    assert ("overdue" in card) == ('<strong class="overdue">' in home)


DE_CONFIG = CONFIG.replace("  timezone: Europe/Rome\n", "  timezone: Europe/Rome\n  language: de\n")


@pytest.mark.parametrize(
    "at, now, shown, overdue",
    [
        ("2025-11-10T10:00:00Z", "2025-11-10T10:30:00Z", "12:00 CET", False),
        ("2025-11-10T22:30:00Z", "2025-11-10T22:40:00Z", "11.11.2025, 00:30 CET", False),
        ("2025-11-10T10:00:00Z", "2025-11-11T08:00:00Z", "10.11.2025, 12:00 CET", True),
    ],
)
def test_next_update_in_german(repo: Repo, at: str, now: str, shown: str, overdue: bool) -> None:
    repo.config(DE_CONFIG)
    rel = open_incident(repo, at)
    assert repo.build(now) == 0
    html = repo.page(rel)
    (block,) = re.findall(r'<p class="next-update[^"]*">.*?</p>', html, re.S)
    assert re.findall(r"<time datetime=\"[^\"]+\">([^<]+)</time>", block) == [shown]
    assert ("overdue" in block) == overdue
    if not overdue:
        assert raw(html, "next-update") == [f"Nächstes Update bis {shown}"]


def test_the_next_update_due_is_the_next_change(repo: Repo) -> None:
    """The build when the next update falls due makes the page say it is overdue."""
    rel = open_incident(repo, "2025-11-10T10:00:00Z")
    assert repo.build("2025-11-10T10:30:00Z") == 0
    assert (repo.site / "next-change.txt").read_text() == "2025-11-10T11:00:00Z\n"
    assert repo.build("2025-11-10T11:00:01Z") == 0
    assert raw(repo.page(rel), "next-update") == ["Update overdue: the next update was due by 12:00\u202fPM CET"]
    assert (repo.site / "next-change.txt").read_text() == ""


TEMPLATED = """\
site:
  title: Example Status
  url: https://status.example.com/
  timezone: {zone}
components:
  - id: api
    name: Public API
  - id: web
    name: Dashboard
policy:
  update_every: {{{impact}: {every}}}
"""


@pytest.mark.parametrize(
    "zone, impact, every, at",
    [
        ("Europe/Rome", "major", "1h", "2025-11-10T14:05:40Z"),
        ("America/New_York", "critical", "30m", "2025-11-10T04:45:00Z"),  # 23:45 the day before
        ("Asia/Kolkata", "minor", "4h", "2025-11-10T16:00:00Z"),  # 21:30, due at 1:30 the next day
        ("UTC", "major", "45m", "2025-11-10T23:50:00Z"),
        ("Australia/Sydney", "minor", "12h", "2025-10-04T12:00:00Z"),  # 22:00 AEST, due 11:00 AEDT the next day
    ],
)
def test_the_message_update_writes_promises_the_time_the_page_shows(
    repo: Repo, capsys: pytest.CaptureFixture[str], zone: str, impact: str, every: str, at: str
) -> None:
    repo.config(TEMPLATED.format(zone=zone, impact=impact, every=every))
    repo.write(f"templates/{impact}.md", "The dashboard is slow. Next update by $next_update.\n")
    repo.write("templates/words.md", "We know more now. Next update by $next_update.\n")
    assert repo.run("new", "Slow", "--impact", impact, "--component", "web", "--now", at) == 0
    assert repo.build(at) == 0
    rel = capsys.readouterr().out.splitlines()[0]
    page = f"incidents/{rel.removeprefix('incidents/').removesuffix('.md')}/index.html"
    (shown,) = raw(repo.page(page), "next-update")
    assert shown.startswith("Next update by ")
    assert f"{shown}." in (repo.root / rel).read_text()
    # And for a later update, by `statusgen update`.
    later = at.replace(":00Z", ":30Z") if at.endswith(":00Z") else at.replace(":40Z", ":50Z")
    assert repo.run("update", "latest", "--status", "identified", "--template", "words", "--now", later) == 0
    assert repo.build(later) == 0
    (shown,) = raw(repo.page(page), "next-update")
    assert f"We know more now. {shown}." in (repo.root / rel).read_text()


# --- The incident page ----------------------------------------------------------------------------

POSTMORTEM = """\
---
title: Checkout failing
impact: critical
components: {{api: major_outage}}
references:
  - https://example.com/tickets/1
updates:
  - at: 2025-11-03T14:05:00Z
    status: investigating
    message: Checkout fails. Next update by 14:35 UTC.
  - at: 2025-11-03T15:20:00Z
    status: resolved
    message: Checkout works again.
---
Checkout failed for an hour.

```
## Postmortem (a heading in a code block is text)
```

## Postmortem

{summary}

### Root cause

A bad deploy.
"""


def positions(html: str, *needles: str) -> list[int]:
    return [html.index(needle) for needle in needles]


def test_the_postmortem_is_summarised_at_the_top_and_linked(repo: Repo) -> None:
    repo.incident("2025-11-03-checkout.md", POSTMORTEM.format(summary="### Summary\n\nA deploy broke *checkout*."))
    assert repo.build() == 0
    html = repo.page("incidents/2025-11-03-checkout/index.html")
    assert texts(html, "postmortem-box") == ["Postmortem published A deploy broke checkout. Read the postmortem"]
    assert '<div class="summary"><p>A deploy broke <em>checkout</em>.</p></div>' in html
    assert '<p><a href="#postmortem">Read the postmortem</a></p>' in html
    # The anchor is on the section the heading opens; the code block's "heading" stays in the text before.
    assert '<section id="postmortem"><h2>Postmortem</h2>\n<h3>Summary</h3>' in html
    assert html.count('id="postmortem"') == 1
    box, timeline, before, section, references = positions(
        html,
        'class="postmortem-box"',
        'class="timeline"',
        "<p>Checkout failed for an hour.</p>",
        '<section id="postmortem">',
        "<h2>References</h2>",
    )
    assert box < timeline < before < section < references
    assert "<code>## Postmortem (a heading in a code block is text)\n</code>" in html[before:section]


def test_a_postmortem_without_a_summary_is_summed_up_by_its_first_paragraph(repo: Repo) -> None:
    repo.incident("2025-11-03-checkout.md", POSTMORTEM.format(summary="We shipped a bad deploy.\nIt took an hour."))
    assert repo.build() == 0
    html = repo.page("incidents/2025-11-03-checkout/index.html")
    assert texts(html, "summary") == ["We shipped a bad deploy. It took an hour."]


def test_without_a_postmortem_there_is_no_box_and_the_body_precedes_the_references(repo: Repo) -> None:
    text = POSTMORTEM.format(summary="").split("```")[0]
    repo.incident("2025-11-03-checkout.md", text)
    assert repo.build() == 0
    html = repo.page("incidents/2025-11-03-checkout/index.html")
    assert "postmortem" not in html
    assert html.index("<p>Checkout failed for an hour.</p>") < html.index("<h2>References</h2>")


def test_the_translated_postmortem_is_summarised_in_its_language(repo: Repo) -> None:
    repo.config(CONFIG.replace("  timezone: Europe/Rome\n", "  timezone: Europe/Rome\n  languages: [it]\n"))
    repo.incident("2025-11-03-checkout.md", POSTMORTEM.format(summary="### Summary\n\nA deploy broke checkout."))
    repo.incident(
        "2025-11-03-checkout.it.md",
        "---\ntitle: Pagamenti non riusciti\n---\n"
        "## Postmortem\n\n### Riepilogo\n\nUn rilascio ha rotto i pagamenti.\n",
    )
    assert repo.build() == 0
    html = repo.page("it/incidents/2025-11-03-checkout/index.html")
    assert texts(html, "summary") == ["Un rilascio ha rotto i pagamenti."]
    assert '<section id="postmortem"><h2>Postmortem</h2>\n<h3>Riepilogo</h3>' in html


def test_an_open_incident_says_how_long_it_has_gone_on_at_every_build(repo: Repo) -> None:
    rel = open_incident(repo, "2025-11-10T10:00:00Z")
    assert repo.build("2025-11-10T12:10:00Z") == 0
    assert raw(repo.page(rel), "ongoing") == ["Ongoing for 2\xa0hours,\xa010\xa0minutes, as of 1:10\u202fPM CET"]
    # Nothing in the file changed: the page is made again all the same, as what it says did.
    assert repo.build("2025-11-10T12:55:30Z") == 0
    assert raw(repo.page(rel), "ongoing") == ["Ongoing for 2\xa0hours,\xa055\xa0minutes, as of 1:55\u202fPM CET"]
    # Once resolved, it says how long it lasted instead, and is carried over by later builds.
    path = repo.root / "incidents/2025-11-10-slow.md"
    text = path.read_text().removesuffix("---\n")
    path.write_text(text + "  - at: 2025-11-10T13:00:00Z\n    status: resolved\n    message: Fixed.\n---\n")
    assert repo.build("2025-11-10T13:30:00Z") == 0
    assert raw(repo.page(rel), "ongoing") == []
    made = (repo.site / rel).stat().st_mtime_ns
    assert repo.build("2025-11-10T14:30:00Z") == 0
    assert (repo.site / rel).stat().st_mtime_ns == made


def test_durations_are_one_piece_that_never_wraps(repo: Repo) -> None:
    assert repo.build() == 0
    html = repo.page("incidents/2025-11-03-api-errors/index.html")
    assert re.findall(r'<span class="nowrap">([^<]*)</span>', html) == ["1\xa0hour,\xa015\xa0minutes"]
    home = repo.page("history/index.html")
    assert re.findall(r'<span class="nowrap">([^<]*)</span>', home) == ["1\xa0hour,\xa015\xa0minutes"]


# --- Past incidents on the home page ------------------------------------------------------------


def resolved(title: str, day: str, message: str = "Fixed.") -> str:
    return f"""\
---
title: {title}
impact: minor
components: {{web: degraded_performance}}
updates:
  - at: {day}T09:00:00Z
    status: investigating
    message: The dashboard is slow. Next update by 13:00 UTC.
  - at: {day}T10:20:00Z
    status: resolved
    message: |
      {message}
---
"""


@pytest.mark.parametrize(
    "days, quiet",
    [
        ((), ["No incidents reported from Oct 28 to Nov 10"]),  # 14 quiet days
        (
            ("2025-11-10", "2025-11-08"),
            ["No incidents reported on Nov 9", "No incidents reported from Oct 28 to Nov 7"],
        ),
        (
            ("2025-11-10", "2025-11-07", "2025-10-28"),
            ["No incidents reported from Nov 8 to Nov 9", "No incidents reported from Oct 29 to Nov 6"],
        ),
        (("2025-11-09",), ["No incidents reported on Nov 10", "No incidents reported from Oct 28 to Nov 8"]),
    ],
)
def test_quiet_days_collapse_into_one_line(
    tmp_path_factory: pytest.TempPathFactory, days: tuple[str, ...], quiet: list[str]
) -> None:
    repo = Repo(tmp_path_factory.mktemp("quiet") / "status")
    repo.config()
    for day in days:
        repo.incident(f"{day}-slow.md", resolved("Slow", day))
    assert repo.build("2025-11-10T12:00:00Z") == 0
    home = repo.page("index.html")
    assert texts(home, "quiet") == quiet
    assert texts(home, "day") == [
        {
            "2025-11-10": "November 10, 2025",
            "2025-11-09": "November 9, 2025",
            "2025-11-08": "November 8, 2025",
            "2025-11-07": "November 7, 2025",
            "2025-10-28": "October 28, 2025",
        }[day]
        for day in days
    ]


def test_quiet_dates_are_time_elements(repo: Repo) -> None:
    assert repo.build("2025-11-10T12:00:00Z") == 0
    home = repo.page("index.html")
    assert (
        '<p class="quiet">No incidents reported from <time datetime="2025-11-04">Nov 4</time> to '
        '<time datetime="2025-11-10">Nov 10</time></p>'
    ) in home


def test_past_days_runs() -> None:
    from datetime import date

    d = [date(2025, 11, n) for n in range(10, 0, -1)]
    marker = [incident("x", {}, ("2025-11-10T09:00:00", "investigating"))]
    days = [(d[0], marker), (d[1], []), (d[2], []), (d[3], marker), (d[4], []), (d[5], marker), (d[6], marker)]
    assert past_days(days) == [
        PastDays(d[0], d[0], marker),
        PastDays(d[2], d[1], []),
        PastDays(d[3], d[3], marker),
        PastDays(d[4], d[4], []),
        PastDays(d[5], d[5], marker),
        PastDays(d[6], d[6], marker),
    ]
    assert past_days([]) == []


LONG = (
    "We moved **every** connection pool to the new [primary database](https://example.com/db) by hand, "
    "and no saved data was lost. Delayed webhooks are being delivered in order, oldest first. "
    "We will publish a postmortem here within five days."
)


@pytest.mark.parametrize(
    "message, shown",
    [
        ("Fixed.", "Fixed."),
        ("Error rates are *back* to normal.\n\nWe are `watching`.", "Error rates are back to normal. We are watching."),
        (
            LONG,
            "We moved every connection pool to the new primary database by hand, and no saved data was lost. "
            "Delayed webhooks are being delivered in order, oldest first. We…",
        ),
        ("<script>alert(1)</script> Safe &amp; sound.", "<script>alert(1)</script> Safe & sound."),
        ("x" * 200, "x" * 160 + "…"),
        ("通知" * 100, "通知" * 80 + "…"),
        ("- one\n- two\n", "one two"),
    ],
)
def test_excerpt(message: str, shown: str) -> None:
    assert excerpt(message) == shown
    assert len(shown) <= 161


def test_each_past_incident_shows_its_impact_resolution_and_an_excerpt(repo: Repo) -> None:
    repo.incident("2025-11-09-slow.md", resolved("Slow dashboard", "2025-11-09", message=LONG))
    repo.incident("2025-11-08-db.md", resolved("Short", "2025-11-08", message="**Back** to <em>normal</em>."))
    assert repo.build("2025-11-10T12:00:00Z") == 0
    home = repo.page("index.html")
    past = home[home.index('id="past"') :]
    rows = texts(past, "row")
    assert rows[0] == (
        "Slow dashboard Minor Resolved Resolved Nov 9, 2025, 11:20 AM CET · lasted 1 hour, 20 minutes "
        "We moved every connection pool to the new primary database by hand, and no saved data was lost. "
        "Delayed webhooks are being delivered in order, oldest first. We…"
    )
    assert (
        rows[1] == "Short Minor Resolved Resolved Nov 8, 2025, 11:20 AM CET · lasted 1 hour, 20 minutes Back to normal."
    )
    # Text, never markup: the message's markup is gone.
    assert '<p class="excerpt">Back to normal.</p>' in past


def test_past_days_show_at_most_the_limit_and_count_the_rest() -> None:
    from datetime import date

    d = [date(2025, 11, n) for n in range(10, 5, -1)]
    one = incident("x", {}, ("2025-11-10T09:00:00", "investigating"))
    days = [(d[0], [one] * 3), (d[1], []), (d[2], [one] * 4), (d[3], [one] * 2), (d[4], [])]
    assert past_days(days, limit=5) == [
        PastDays(d[0], d[0], [one] * 3),
        PastDays(d[1], d[1], []),
        PastDays(d[2], d[2], [one] * 2, more=2),
        PastDays(d[3], d[3], [], more=2),
        PastDays(d[4], d[4], []),  # a quiet day is not joined to a day of incidents not shown
    ]


def test_a_busy_fortnight_shows_twenty_incidents_and_links_to_the_others(repo: Repo) -> None:
    for n in range(15):
        repo.incident(f"2025-11-09-slow-{n:02}.md", resolved(f"Slow dashboard {n:02}", "2025-11-09"))
    for n in range(10):
        repo.incident(f"2025-11-08-db-{n:02}.md", resolved(f"Short {n:02}", "2025-11-08"))
    assert repo.build("2025-11-10T12:00:00Z") == 0
    home = repo.page("index.html")
    past = home[home.index('id="past"') :]
    assert len(texts(past, "row")) == 20
    # Nov 9: all 15 shown; Nov 8: 5 of 10, then the others, linked to the day in the history; Nov 3
    # (the scratch repository's own incident): none of its one.
    assert re.findall(r'<p class="more"><a href="([^"]+)">([^<]+)</a></p>', past) == [
        ("history/#d-2025-11-08", "and 5 more"),
        ("history/#d-2025-11-03", "and 1 more"),
    ]
    assert 'id="d-2025-11-08"' in repo.page("history/index.html")
    assert internal_links_checked(repo.site) > 0


@pytest.mark.parametrize(
    ("language", "heading", "text"),
    [("de", "## Nachbetrachtung", "Ein fehlerhafter Deploy."), ("ko", "## 사후 분석", "잘못된 배포.")],
)
def test_a_translated_postmortem_under_the_languages_own_heading_is_one(
    repo: Repo, language: str, heading: str, text: str
) -> None:
    import feedparser

    repo.config(
        (repo.root / "statusgen.yaml")
        .read_text(encoding="utf-8")
        .replace("timezone:", f"languages: [{language}]\n  timezone:")
    )
    repo.incident(
        "2025-11-09-slow.md", resolved("Slow dashboard", "2025-11-09") + "\n## Postmortem\n\nA faulty deploy.\n"
    )
    repo.incident(
        "2025-11-09-slow.de.md" if language == "de" else f"2025-11-09-slow.{language}.md",
        f"---\ntitle: Translated\n---\n{heading}\n\n{text}\n",
    )
    assert repo.build("2025-11-10T12:00:00Z") == 0
    page = repo.page(f"{language}/incidents/2025-11-09-slow/index.html")
    assert texts(page, "summary") == [text]
    assert f'<section id="postmortem"><h2>{heading[3:]}</h2>' in page
    entries = feedparser.parse((repo.site / f"{language}/feed.atom").read_bytes()).entries
    postmortems = [e for e in entries if e.id.endswith(f"/{language}/postmortem")]
    assert len(postmortems) == 1 and text in postmortems[0].summary
