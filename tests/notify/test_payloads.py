"""What each kind of notify target is sent for an update: the exact Slack, Discord, Teams and
webhook JSON and the email's fields, for an incident's updates and a maintenance, written by hand."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

import pytest

from conftest import Repo
from statusgen.load.config import NotifyTarget
from statusgen.load.repository import Repository, load_repository
from statusgen.notify import payloads
from statusgen.notify.runner import NewUpdate, _Notices

CONFIG = """\
site:
  title: Example Status
  url: https://status.example.com/
  description: Status of Example services
  timezone: Europe/Rome
components:
  - id: api
    name: Public API
  - id: web
    name: Dashboard
  - id: db
    name: Database
notify:
  - type: email
    smtp_env: STATUS_SMTP_URL
    from: status@example.com
    to: [oncall@example.com, team@example.com]
"""
OUTAGE = """\
---
title: Elevated API error rates
impact: major
components:
  api: partial_outage
updates:
  - at: 2025-11-03T14:05:00Z
    status: investigating
    message: We are investigating **elevated** error rates & timeouts.
  - at: 2025-11-03T14:40:00Z
    status: identified
    components: {api: degraded_performance, web: degraded_performance}
    message: A faulty deploy. Rolling back.
  - at: 2025-11-03T15:20:00Z
    status: resolved
    message: Error rates are back to normal.
---
"""
# Text meant to ping everyone or to format a chat message: shown as written, pinging no one.
LOUD = """\
---
title: "Search *down* | <!here> #ops"
impact: critical
components:
  web: major_outage
updates:
  - at: 2025-11-05T09:00:00+01:00
    status: investigating
    message: "Ping @everyone ~now~ <!channel> [status](https://status.example.com/)"
---
"""
MAINTENANCE = """\
---
title: Database upgrade
kind: maintenance
window: {start: 2025-12-01T02:00:00Z, end: 2025-12-01T04:00:00Z}
components: [db]
updates:
  - at: 2025-11-20T10:00:00Z
    status: scheduled
    message: We will upgrade the primary database.
---
"""
OUTAGE_LINK = "https://status.example.com/incidents/2025-11-03-api-errors/"
LOUD_LINK = "https://status.example.com/incidents/2025-11-05-search/"
MAINTENANCE_LINK = "https://status.example.com/incidents/2025-11-20-db-upgrade/"
# 3:00 and 5:00 in Rome (CET, UTC+1) are 02:00Z and 04:00Z; Babel puts a narrow no-break space before AM.
WINDOW = "Dec 1, 2025, 3:00\u202fAM CET to 5:00\u202fAM CET"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Repository:
    """The scratch repository of the three, loaded."""
    repo = Repo(tmp_path_factory.mktemp("payloads"))
    repo.config(CONFIG)
    repo.incident("2025-11-03-api-errors.md", OUTAGE)
    repo.incident("2025-11-05-search.md", LOUD)
    repo.incident("2025-11-20-db-upgrade.md", MAINTENANCE)
    return load_repository(repo.root)


@pytest.fixture(scope="module")
def notices(loaded: Repository) -> dict[tuple[str, str], payloads.Notice]:
    """The notice of every update of the three, by (incident id, update status)."""
    make = _Notices(loaded)
    return {(i.id, u.status): make(NewUpdate(i, u)) for i in loaded.incidents for u in i.updates}


@pytest.fixture(scope="module")
def target(loaded: Repository) -> NotifyTarget:
    """The email target of CONFIG."""
    (email,) = loaded.config.notify
    assert (email.type, email.sender, email.to) == (
        "email",
        "status@example.com",
        ("oncall@example.com", "team@example.com"),
    )
    return email


def test_every_update_has_its_notice(notices: dict[tuple[str, str], payloads.Notice]) -> None:
    assert sorted(notices) == [
        ("2025-11-03-api-errors", "identified"),
        ("2025-11-03-api-errors", "investigating"),
        ("2025-11-03-api-errors", "resolved"),
        ("2025-11-05-search", "investigating"),
        ("2025-11-20-db-upgrade", "scheduled"),
    ]


# --- Slack -------------------------------------------------------------------------------------


def slack(headline: str, text: str, message: str, context: str) -> dict[str, Any]:
    return {
        "text": text,
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": headline}},
            {"type": "section", "text": {"type": "mrkdwn", "text": message}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": context}]},
        ],
        "unfurl_links": False,
        "unfurl_media": False,
    }


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (
            ("2025-11-03-api-errors", "investigating"),
            slack(
                "Investigating: Elevated API error rates",
                "Investigating: Elevated API error rates\nWe are investigating elevated error rates &amp; timeouts.",
                "We are investigating elevated error rates &amp; timeouts.",
                f"Affected: Public API · <{OUTAGE_LINK}|View incident>",
            ),
        ),
        (
            ("2025-11-03-api-errors", "identified"),
            slack(
                "Identified: Elevated API error rates",
                "Identified: Elevated API error rates\nA faulty deploy. Rolling back.",
                "A faulty deploy. Rolling back.",
                f"Affected: Public API, Dashboard · <{OUTAGE_LINK}|View incident>",
            ),
        ),
        (
            ("2025-11-05-search", "investigating"),
            slack(
                "Investigating: Search *down* | <!here> #ops",
                "Investigating: Search *down* | &lt;!here&gt; #ops\nPing @everyone ~now~ &lt;!channel&gt; status",
                "Ping @everyone ~now~ &lt;!channel&gt; status",
                f"Affected: Dashboard · <{LOUD_LINK}|View incident>",
            ),
        ),
        (
            ("2025-11-20-db-upgrade", "scheduled"),
            slack(
                "Scheduled: Database upgrade",
                "Scheduled: Database upgrade\nWe will upgrade the primary database.",
                "We will upgrade the primary database.",
                f"Affected: Database · Window: {WINDOW} · <{MAINTENANCE_LINK}|View incident>",
            ),
        ),
    ],
    ids=["first update", "more components", "mentions", "maintenance"],
)
def test_slack(notices: dict[tuple[str, str], payloads.Notice], key: tuple[str, str], expected: dict[str, Any]) -> None:
    assert payloads.slack(notices[key]) == expected


# --- Discord -----------------------------------------------------------------------------------


def discord(
    content: str, title: str, link: str, description: str, colour: int, fields: list[tuple[str, str]], at: str
) -> dict[str, Any]:
    return {
        "content": content,
        "embeds": [
            {
                "title": title,
                "url": link,
                "description": description,
                "color": colour,
                "fields": [{"name": name, "value": value, "inline": True} for name, value in fields],
                "timestamp": at,
                "footer": {"text": "Example Status"},
            }
        ],
        "allowed_mentions": {"parse": []},
    }


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (
            ("2025-11-03-api-errors", "investigating"),
            discord(
                "Investigating: Elevated API error rates",
                "Elevated API error rates",
                OUTAGE_LINK,
                "We are investigating elevated error rates & timeouts.",
                0xEF6C00,  # major: orange
                [("Status", "Investigating"), ("Affected", "Public API")],
                "2025-11-03T14:05:00Z",
            ),
        ),
        (
            ("2025-11-03-api-errors", "resolved"),
            discord(
                "Resolved: Elevated API error rates",
                "Elevated API error rates",
                OUTAGE_LINK,
                "Error rates are back to normal.",
                0x2E7D32,  # done: green, whatever the impact
                [("Status", "Resolved"), ("Affected", "Public API, Dashboard")],
                "2025-11-03T15:20:00Z",
            ),
        ),
        (
            ("2025-11-05-search", "investigating"),
            discord(
                "Investigating: Search \\*down\\* \\| <!here\\> \\#ops",
                "Search *down* | <!here> #ops",
                LOUD_LINK,
                "Ping @everyone ~now~ <!channel> status",
                0xC62828,  # critical: red
                [("Status", "Investigating"), ("Affected", "Dashboard")],
                "2025-11-05T08:00:00Z",
            ),
        ),
        (
            ("2025-11-20-db-upgrade", "scheduled"),
            discord(
                "Scheduled: Database upgrade",
                "Database upgrade",
                MAINTENANCE_LINK,
                "We will upgrade the primary database.",
                0x1565C0,  # maintenance: blue
                [("Status", "Scheduled"), ("Affected", "Database"), ("Window", WINDOW)],
                "2025-11-20T10:00:00Z",
            ),
        ),
    ],
    ids=["first update", "resolved", "mentions", "maintenance"],
)
def test_discord(
    notices: dict[tuple[str, str], payloads.Notice], key: tuple[str, str], expected: dict[str, Any]
) -> None:
    assert payloads.discord(notices[key]) == expected


# --- Teams -------------------------------------------------------------------------------------


def teams(
    title: str, status: str, colour: str, message: str, facts: list[tuple[str, str]], link: str
) -> dict[str, Any]:
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {"type": "TextBlock", "text": title, "weight": "Bolder", "size": "Medium", "wrap": True},
            {"type": "TextBlock", "text": status, "weight": "Bolder", "spacing": "None", "color": colour},
            {"type": "TextBlock", "text": message, "wrap": True},
            {"type": "FactSet", "facts": [{"title": name, "value": value} for name, value in facts]},
        ],
        "actions": [{"type": "Action.OpenUrl", "title": "View incident", "url": link}],
    }
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}
        ],
    }


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (
            ("2025-11-03-api-errors", "identified"),
            teams(
                "Elevated API error rates",
                "Identified",
                "Attention",
                "A faulty deploy. Rolling back.",
                [("Affected", "Public API, Dashboard")],
                OUTAGE_LINK,
            ),
        ),
        (
            ("2025-11-03-api-errors", "resolved"),
            teams(
                "Elevated API error rates",
                "Resolved",
                "Good",
                "Error rates are back to normal.",
                [("Affected", "Public API, Dashboard")],
                OUTAGE_LINK,
            ),
        ),
        (
            ("2025-11-20-db-upgrade", "scheduled"),
            teams(
                "Database upgrade",
                "Scheduled",
                "Default",
                "We will upgrade the primary database.",
                [("Affected", "Database"), ("Window", WINDOW)],
                MAINTENANCE_LINK,
            ),
        ),
    ],
    ids=["major", "resolved", "maintenance"],
)
def test_teams(notices: dict[tuple[str, str], payloads.Notice], key: tuple[str, str], expected: dict[str, Any]) -> None:
    assert payloads.teams(notices[key]) == expected


# --- The webhook: Statuspage's document --------------------------------------------------------


def test_webhook_carries_the_page_and_the_incident_as_statuspage_sends_them(
    notices: dict[tuple[str, str], payloads.Notice],
) -> None:
    document = payloads.webhook(notices[("2025-11-03-api-errors", "identified")])
    assert sorted(document) == ["incident", "meta", "page"]
    assert document["meta"] == {
        "unsubscribe": "https://status.example.com/",
        "documentation": "https://status.example.com/api/v2/summary.json",
    }
    page_id = document["page"]["id"]
    assert document["page"] == {
        "id": page_id,
        "status_indicator": "major",
        "status_description": "Partial System Outage",
    }
    incident = document["incident"]
    assert {
        k: incident[k]
        for k in (
            "id",
            "name",
            "status",
            "impact",
            "shortlink",
            "created_at",
            "updated_at",
            "started_at",
            "monitoring_at",
            "resolved_at",
            "page_id",
        )
    } == {
        "id": "2025-11-03-api-errors",
        "name": "Elevated API error rates",
        "status": "identified",
        "impact": "major",
        "shortlink": OUTAGE_LINK,
        "created_at": "2025-11-03T14:05:00Z",
        "updated_at": "2025-11-03T14:40:00Z",
        "started_at": "2025-11-03T14:05:00Z",
        "monitoring_at": None,
        "resolved_at": None,
        "page_id": page_id,
    }
    # Updates as published then, newest first, with the component changes each made.
    assert [(u["id"], u["status"], u["body"], u["affected_components"]) for u in incident["incident_updates"]] == [
        (
            "2025-11-03-api-errors-20251103t144000z",
            "identified",
            "A faulty deploy. Rolling back.",
            [
                {
                    "code": "api",
                    "name": "Public API",
                    "old_status": "partial_outage",
                    "new_status": "degraded_performance",
                },
                {"code": "web", "name": "Dashboard", "old_status": "operational", "new_status": "degraded_performance"},
            ],
        ),
        (
            "2025-11-03-api-errors-20251103t140500z",
            "investigating",
            "We are investigating **elevated** error rates & timeouts.",
            [{"code": "api", "name": "Public API", "old_status": "operational", "new_status": "partial_outage"}],
        ),
    ]
    assert [(c["id"], c["status"]) for c in incident["components"]] == [
        ("api", "degraded_performance"),
        ("web", "degraded_performance"),
    ]


def test_webhook_of_a_resolution_says_the_page_is_operational_again(
    notices: dict[tuple[str, str], payloads.Notice],
) -> None:
    document = payloads.webhook(notices[("2025-11-03-api-errors", "resolved")])
    assert document["page"]["status_indicator"] == "none"
    assert document["page"]["status_description"] == "All Systems Operational"
    assert (document["incident"]["status"], document["incident"]["resolved_at"]) == ("resolved", "2025-11-03T15:20:00Z")
    assert [(c["id"], c["status"]) for c in document["incident"]["components"]] == [
        ("api", "operational"),
        ("web", "operational"),
    ]


def test_webhook_of_a_maintenance_carries_its_window(notices: dict[tuple[str, str], payloads.Notice]) -> None:
    incident = payloads.webhook(notices[("2025-11-20-db-upgrade", "scheduled")])["incident"]
    assert {k: incident[k] for k in ("status", "impact", "scheduled_for", "scheduled_until", "started_at")} == {
        "status": "scheduled",
        "impact": "maintenance",
        "scheduled_for": "2025-12-01T02:00:00Z",
        "scheduled_until": "2025-12-01T04:00:00Z",
        "started_at": "2025-12-01T02:00:00Z",
    }


# --- Email -------------------------------------------------------------------------------------


def parts(message: EmailMessage) -> list[tuple[str, str]]:
    return [(part.get_content_type(), part.get_content()) for part in message.iter_parts()]


@pytest.mark.parametrize(
    ("key", "headers", "text", "html_body"),
    [
        (
            ("2025-11-03-api-errors", "investigating"),
            {
                "Subject": "[Example Status] Investigating: Elevated API error rates",
                "Date": "Mon, 03 Nov 2025 14:05:00 +0000",
                "Message-ID": "<2025-11-03-api-errors.20251103t140500z@status.example.com>",
                "References": "<2025-11-03-api-errors@status.example.com>",
            },
            "Investigating: Elevated API error rates\n\nWe are investigating elevated error rates & timeouts.\n\n"
            f"Affected: Public API\n{OUTAGE_LINK}\n",
            "<h1>Investigating: Elevated API error rates</h1>\n"
            "<p>We are investigating <strong>elevated</strong> error rates &amp; timeouts.</p>\n"
            "<p><strong>Affected:</strong> Public API</p>\n",
        ),
        (
            ("2025-11-20-db-upgrade", "scheduled"),
            {
                "Subject": "[Example Status] Scheduled: Database upgrade",
                "Date": "Thu, 20 Nov 2025 10:00:00 +0000",
                "Message-ID": "<2025-11-20-db-upgrade.20251120t100000z@status.example.com>",
                "References": "<2025-11-20-db-upgrade@status.example.com>",
            },
            f"Scheduled: Database upgrade\n\nWe will upgrade the primary database.\n\nAffected: Database\n"
            f"Window: {WINDOW}\n{MAINTENANCE_LINK}\n",
            "<h1>Scheduled: Database upgrade</h1>\n<p>We will upgrade the primary database.</p>\n"
            f"<p><strong>Affected:</strong> Database</p>\n<p><strong>Window:</strong> {WINDOW}</p>\n",
        ),
    ],
    ids=["incident", "maintenance"],
)
def test_email(
    notices: dict[tuple[str, str], payloads.Notice],
    target: NotifyTarget,
    key: tuple[str, str],
    headers: dict[str, str],
    text: str,
    html_body: str,
) -> None:
    message = payloads.email(notices[key], target)
    assert dict(message.items()) == {
        **headers,
        "From": "status@example.com",
        "To": "oncall@example.com, team@example.com",
        "MIME-Version": "1.0",
        "Content-Type": "multipart/alternative",
    }
    headline = headers["Subject"].removeprefix("[Example Status] ")
    link = OUTAGE_LINK if key[0] == "2025-11-03-api-errors" else MAINTENANCE_LINK
    assert parts(message) == [
        ("text/plain", text),
        (
            "text/html",
            f'<!DOCTYPE html>\n<html lang="en" dir="ltr">\n<head><meta charset="utf-8"><title>{headline}</title>'
            f'</head>\n<body>\n{html_body}<p><a href="{link}">{link}</a></p>\n</body>\n</html>\n',
        ),
    ]


def test_every_update_of_an_incident_threads_under_one_reference(
    notices: dict[tuple[str, str], payloads.Notice], target: NotifyTarget
) -> None:
    sent = [
        payloads.email(notices[("2025-11-03-api-errors", status)], target)
        for status in ("investigating", "identified", "resolved")
    ]
    assert [m["Message-ID"] for m in sent] == [
        "<2025-11-03-api-errors.20251103t140500z@status.example.com>",
        "<2025-11-03-api-errors.20251103t144000z@status.example.com>",
        "<2025-11-03-api-errors.20251103t152000z@status.example.com>",
    ]
    assert {m["References"] for m in sent} == {"<2025-11-03-api-errors@status.example.com>"}
