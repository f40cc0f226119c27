"""statusgen notify: new updates found in git history, delivered once to each target.

The targets are real servers on 127.0.0.1: one HTTP server standing in for the webhook, Slack,
Discord and Teams endpoints (it records each request and answers as a test scripts it), and an
SMTP server. The history is a real git repository with three commits.
"""

from __future__ import annotations

import asyncio
import base64
import email
import email.policy
import functools
import hashlib
import json
import logging
import os
import socket
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote, quote_plus, unquote

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from conftest import CONFIG, Repo
from statusgen import cli, i18n
from statusgen.cli import main
from statusgen.load.config import Site
from statusgen.load.incidents import Incident, Update
from statusgen.load.repository import load_repository
from statusgen.load.translations import Translation
from statusgen.notify import gitdiff, payloads, runner, transport
from statusgen.vocabulary import Impact, IncidentStatus
from tls import tls_server

# The SMTP server takes a password over plain SMTP on loopback, which it warns of each time.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
SECRET = "t0ps3cr3t-hook-token"
PASSWORD = "pa55-w0rd-smtp"
SITE = "https://status.example.com/"
PAGE_ID = hashlib.sha256(SITE.encode()).hexdigest()[:12]
TARGETS = """\
notify:
  - type: webhook
    url_env: HOOK_URL
  - type: slack
    url_env: SLACK_URL
  - type: discord
    url_env: DISCORD_URL
    components: [db]
  - type: teams
    url_env: TEAMS_URL
  - type: email
    smtp_env: SMTP_URL
    from: status@example.com
    to: [oncall@example.com]
  - type: webhook
    url_env: WEB_HOOK_URL
    components: [web]
"""
FIRST = """\
---
title: Elevated API error rates
impact: major
components:
  api: partial_outage
updates:
  - at: 2025-11-03T14:05:00Z
    status: investigating
    message: About one API request in ten fails. Next update by 15:00 UTC.
"""
IDENTIFIED = """\
  - at: 2025-11-03T14:40:00Z
    status: identified
    components: {api: degraded_performance}
    message: A faulty **rate-limiter** deploy. We are rolling it back.
"""
RESOLVED = """\
  - at: 2025-11-03T15:20:00Z
    status: resolved
    message: Error rates have been normal since 15:12 UTC.
"""
MAINTENANCE = """\
---
title: Database upgrade
kind: maintenance
window: {start: 2025-12-01T02:00:00Z, end: 2025-12-01T04:00:00Z}
components: [db, api]
updates:
  - at: 2025-11-03T14:30:00Z
    status: scheduled
    message: We will upgrade the primary database; writes pause for up to 10 minutes.
---
"""
API = "incidents/2025-11-03-api-errors.md"
DB = "incidents/2025-12-01-db-upgrade.md"
NOW = "2025-11-03T16:00:00Z"


# --- the stand-in servers -------------------------------------------------------------------


@dataclass
class Endpoints:
    """One HTTP server; the first path segment names the endpoint, the rest is the secret."""

    port: int = 0
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    idempotency_keys: list[tuple[str, str | None]] = field(default_factory=list)
    authorizations: list[tuple[str, str | None]] = field(default_factory=list)
    script: dict[str, list[tuple[int, dict[str, str], bytes]]] = field(default_factory=dict)
    hold: threading.Event = field(default_factory=threading.Event)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}/{SECRET}"

    def answer(self, name: str, *responses: tuple[int, dict[str, str], bytes]) -> None:
        self.script[name] = list(responses)

    def bodies(self, name: str) -> list[dict[str, Any]]:
        return [body for endpoint, body in self.requests if endpoint == name]

    def count(self, name: str) -> int:
        return len(self.bodies(name))


@pytest.fixture
def endpoints() -> Iterator[Endpoints]:
    state = Endpoints()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            name = self.path.split("/")[1]
            body = self.rfile.read(int(self.headers["Content-Length"]))
            assert self.headers["Content-Type"] == "application/json; charset=utf-8"
            state.requests.append((name, json.loads(body)))
            state.idempotency_keys.append((name, self.headers["Idempotency-Key"]))
            state.authorizations.append((name, self.headers["Authorization"]))
            queued = state.script.get(name)
            status, headers, reply = queued.pop(0) if queued else (200, {}, b"ok")
            if status == 0:  # never answer in time: the client gives up first
                state.hold.wait(10)
                return
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield state
    state.hold.set()
    server.shutdown()
    server.server_close()


class Mailbox:
    """Keeps each message accepted; ``replies`` scripts refusals of the next ones."""

    def __init__(self) -> None:
        self.envelopes: list[tuple[str, list[str], EmailMessage]] = []
        self.replies: list[str] = []
        self.attempts = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.attempts += 1
        if self.replies:
            return self.replies.pop(0)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"bot", PASSWORD.encode())
    return AuthResult(success=ok, handled=False)


class AnyPortController(Controller):
    def _trigger_server(self) -> None:
        assert isinstance(self.server, asyncio.Server)
        self.port = self.server.sockets[0].getsockname()[1]  # bound to port 0: learn the real one
        super()._trigger_server()  # type: ignore[no-untyped-call]  # aiosmtpd leaves it unannotated


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    controller = AnyPortController(
        box, hostname="127.0.0.1", port=0, authenticator=_authenticate, auth_required=True, auth_require_tls=False
    )
    controller.start()
    yield box, controller.port
    controller.stop()


# --- the history ----------------------------------------------------------------------------


def git(root: Path, *args: str, when: str = "2025-11-03T14:00:00Z") -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Status Bot",
        "GIT_AUTHOR_EMAIL": "bot@example.com",
        "GIT_COMMITTER_NAME": "Status Bot",
        "GIT_COMMITTER_EMAIL": "bot@example.com",
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
    }
    done = subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def commit(repo: Repo, message: str, when: str) -> str:
    git(repo.root, "add", "-A")
    git(repo.root, "commit", "-q", "-m", message, when=when)
    return git(repo.root, "rev-parse", "HEAD")


@dataclass
class History:
    repo: Repo
    commits: list[str]
    endpoints: Endpoints
    mailbox: Mailbox

    def notify(self, capsys: Any, *extra: str, since: str | None = None, now: str = NOW) -> tuple[int, list[str], str]:
        code = self.repo.run("notify", "--since", since or self.commits[0], "--now", now, *extra)
        captured = capsys.readouterr()
        assert SECRET not in captured.out + captured.err and PASSWORD not in captured.out + captured.err
        return code, captured.out.splitlines(), captured.err


@pytest.fixture(autouse=True)
def isolated_git(monkeypatch: pytest.MonkeyPatch) -> None:
    """Git ignores this machine's settings (a signing key, another default branch)."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


def no_sleep(seconds: float) -> None:
    """A Retry's sleep where no retry may happen."""
    pytest.fail(f"waited {seconds} s to retry")


@pytest.fixture(autouse=True)
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Retries record how long they would wait, instead of sleeping."""
    waited: list[float] = []
    monkeypatch.setattr(runner, "run", functools.partial(runner.run, retry=transport.Retry(sleep=waited.append)))
    return waited


@pytest.fixture
def history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, endpoints: Endpoints, mailbox: tuple[Mailbox, int]
) -> History:
    """Commit 1: an incident. 2: an update to it and a new maintenance. 3: its resolution, and a
    typo fixed in its first update."""
    box, smtp_port = mailbox
    for variable, name in (
        ("HOOK_URL", "hook"),
        ("SLACK_URL", "slack"),
        ("DISCORD_URL", "discord"),
        ("TEAMS_URL", "teams"),
        ("WEB_HOOK_URL", "web"),
    ):
        monkeypatch.setenv(variable, endpoints.url(name))
    monkeypatch.setenv("SMTP_URL", f"smtp://bot:{PASSWORD}@127.0.0.1:{smtp_port}")
    repo = Repo(tmp_path / "status")
    repo.config(CONFIG + TARGETS)
    repo.write(".gitignore", ".statusgen/\nsite/\n")
    git(tmp_path, "init", "-q", "-b", "main", str(repo.root))
    repo.write(API, FIRST + "---\n")
    first = commit(repo, "API errors", "2025-11-03T14:10:00Z")
    repo.write(API, FIRST + IDENTIFIED + "---\n")
    repo.write(DB, MAINTENANCE)
    second = commit(repo, "Identified; database upgrade planned", "2025-11-03T14:45:00Z")
    repo.write(API, FIRST.replace("in ten", "in 10") + IDENTIFIED + RESOLVED + "---\n")
    third = commit(repo, "Resolved", "2025-11-03T15:25:00Z")
    return History(repo, [first, second, third], endpoints, box)


SCHEDULED = "2025-12-01-db-upgrade 2025-11-03T14:30:00Z scheduled"
SCHEDULED_KEY = "2025-12-01-db-upgrade@2025-11-03T14:30:00Z"
IDENTIFIED_KEY = "2025-11-03-api-errors@2025-11-03T14:40:00Z"
RESOLVED_KEY = "2025-11-03-api-errors@2025-11-03T15:20:00Z"
IDENTIFIED_LINE = "2025-11-03-api-errors 2025-11-03T14:40:00Z identified"
RESOLVED_LINE = "2025-11-03-api-errors 2025-11-03T15:20:00Z resolved"
HOOK, SLACK, DISCORD = "webhook ($HOOK_URL)", "slack ($SLACK_URL)", "discord ($DISCORD_URL; components db)"
TEAMS, MAIL = "teams ($TEAMS_URL)", "email ($SMTP_URL; to oncall@example.com)"


def lines(update: str, outcome: str, *targets: str) -> list[str]:
    return [f"{update} -> {target}: {outcome}" for target in targets]


ALL_DELIVERED = (
    lines(SCHEDULED, "delivered", HOOK, SLACK, DISCORD, TEAMS, MAIL)
    + lines(IDENTIFIED_LINE, "delivered", HOOK, SLACK, TEAMS, MAIL)
    + lines(RESOLVED_LINE, "delivered", HOOK, SLACK, TEAMS, MAIL)
)


def requests_by_endpoint(history: History) -> dict[str, int]:
    return {name: history.endpoints.count(name) for name in ("hook", "slack", "discord", "teams", "web")}


def summary(history: History, counts: str, since: int = 0) -> str:
    return f"notify {history.commits[since][:12]}..{history.commits[-1][:12]}: {counts}"


def test_new_updates_are_delivered_oldest_first_once_to_each_matching_target(
    history: History,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = history.notify(capsys)
    assert (code, err) == (0, "")
    assert out == [*ALL_DELIVERED, summary(history, "13 delivered, 0 failed, 0 skipped")]
    assert [name for name, _ in history.endpoints.requests] == [
        "hook",
        "slack",
        "discord",
        "teams",
        "hook",
        "slack",
        "teams",
        "hook",
        "slack",
        "teams",
    ]

    hook = history.endpoints.bodies("hook")
    assert [
        (b["incident"]["id"], b["incident"]["status"], b["page"]["status_indicator"], b["page"]["status_description"])
        for b in hook
    ] == [
        ("2025-12-01-db-upgrade", "scheduled", "major", "Partial System Outage"),
        ("2025-11-03-api-errors", "identified", "major", "Partial System Outage"),
        ("2025-11-03-api-errors", "resolved", "none", "All Systems Operational"),
    ]
    identified = hook[1]
    assert identified["meta"] == {"unsubscribe": SITE, "documentation": SITE + "api/v2/summary.json"}
    assert identified["page"]["id"] == PAGE_ID
    incident = identified["incident"]
    assert {
        key: incident[key]
        for key in ("id", "name", "status", "impact", "shortlink", "created_at", "updated_at", "resolved_at", "page_id")
    } == {
        "id": "2025-11-03-api-errors",
        "name": "Elevated API error rates",
        "status": "identified",
        "impact": "major",
        "shortlink": SITE + "incidents/2025-11-03-api-errors/",
        "created_at": "2025-11-03T14:05:00Z",
        "updated_at": "2025-11-03T14:40:00Z",
        "resolved_at": None,
        "page_id": PAGE_ID,
    }
    assert [(u["id"], u["status"], u["body"], u["affected_components"]) for u in incident["incident_updates"]] == [
        (
            "2025-11-03-api-errors-20251103t144000z",
            "identified",
            "A faulty **rate-limiter** deploy. We are rolling it back.",
            [
                {
                    "code": "api",
                    "name": "Public API",
                    "old_status": "partial_outage",
                    "new_status": "degraded_performance",
                }
            ],
        ),
        (
            "2025-11-03-api-errors-20251103t140500z",
            "investigating",
            "About one API request in 10 fails. Next update by 15:00 UTC.",
            [{"code": "api", "name": "Public API", "old_status": "operational", "new_status": "partial_outage"}],
        ),
    ]
    assert [(c["id"], c["status"]) for c in incident["components"]] == [("api", "degraded_performance")]
    resolved = hook[2]["incident"]
    assert (resolved["resolved_at"], len(resolved["incident_updates"])) == ("2025-11-03T15:20:00Z", 3)
    assert [(c["id"], c["status"]) for c in resolved["components"]] == [("api", "operational")]
    maintenance = hook[0]["incident"]
    assert (maintenance["scheduled_for"], maintenance["scheduled_until"]) == (
        "2025-12-01T02:00:00Z",
        "2025-12-01T04:00:00Z",
    )

    link = SITE + "incidents/2025-11-03-api-errors/"
    assert history.endpoints.bodies("slack")[1] == {
        "text": "Identified: Elevated API error rates\nA faulty rate-limiter deploy. We are rolling it back.",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "Identified: Elevated API error rates"}},
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": "A faulty rate-limiter deploy. We are rolling it back."},
            },
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": f"Affected: Public API · <{link}|View incident>"}],
            },
        ],
        "unfurl_links": False,
        "unfurl_media": False,
    }

    window = "Dec 1, 2025, 3:00\u202fAM CET to 5:00\u202fAM CET"
    assert history.endpoints.bodies("discord") == [
        {
            "content": "Scheduled: Database upgrade",
            "embeds": [
                {
                    "title": "Database upgrade",
                    "url": SITE + "incidents/2025-12-01-db-upgrade/",
                    "description": "We will upgrade the primary database; writes pause for up to 10 minutes.",
                    "color": 0x1565C0,
                    "fields": [
                        {"name": "Status", "value": "Scheduled", "inline": True},
                        {"name": "Affected", "value": "Database, Public API", "inline": True},
                        {"name": "Window", "value": window, "inline": True},
                    ],
                    "timestamp": "2025-11-03T14:30:00Z",
                    "footer": {"text": "Example Status"},
                }
            ],
            "allowed_mentions": {"parse": []},
        }
    ]

    teams = history.endpoints.bodies("teams")[2]
    assert teams["type"] == "message"
    [attachment] = teams["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert (card["type"], card["version"]) == ("AdaptiveCard", "1.4")
    assert [block.get("text") for block in card["body"]] == [
        "Elevated API error rates",
        "Resolved",
        "Error rates have been normal since 15:12 UTC.",
        None,
    ]
    assert card["body"][3]["facts"] == [{"title": "Affected", "value": "Public API"}]
    assert card["actions"] == [{"type": "Action.OpenUrl", "title": "View incident", "url": link}]

    mails = history.mailbox.envelopes
    assert [(sender, to, m["Subject"]) for sender, to, m in mails] == [
        ("status@example.com", ["oncall@example.com"], "[Example Status] Scheduled: Database upgrade"),
        ("status@example.com", ["oncall@example.com"], "[Example Status] Identified: Elevated API error rates"),
        ("status@example.com", ["oncall@example.com"], "[Example Status] Resolved: Elevated API error rates"),
    ]
    assert [m["Message-ID"] for _, _, m in mails] == [
        "<2025-12-01-db-upgrade.20251103t143000z@status.example.com>",
        "<2025-11-03-api-errors.20251103t144000z@status.example.com>",
        "<2025-11-03-api-errors.20251103t152000z@status.example.com>",
    ]
    first = mails[0][2]
    assert (first["From"], first["To"], first["Date"]) == (
        "status@example.com",
        "oncall@example.com",
        "Mon, 03 Nov 2025 14:30:00 +0000",
    )
    plain = first.get_body(("plain",))
    assert plain is not None
    assert plain.get_content().replace("\r\n", "\n") == (
        "Scheduled: Database upgrade\n\nWe will upgrade the primary database; writes pause for up to 10 minutes."
        f"\n\nAffected: Database, Public API\nWindow: {window}\n{SITE}incidents/2025-12-01-db-upgrade/\n"
    )
    html_part = mails[1][2].get_body(("html",))
    assert html_part is not None
    html = html_part.get_content()
    assert "<h1>Identified: Elevated API error rates</h1>" in html
    assert "<p>A faulty <strong>rate-limiter</strong> deploy. We are rolling it back.</p>" in html
    assert f'<a href="{link}">' in html

    record = json.loads((history.repo.root / ".statusgen/delivered.json").read_text())
    every = [
        "2025-11-03-api-errors@2025-11-03T14:40:00Z",
        "2025-11-03-api-errors@2025-11-03T15:20:00Z",
        "2025-12-01-db-upgrade@2025-11-03T14:30:00Z",
    ]
    assert {target: sorted(sent) for target, sent in record["targets"].items()} == {
        "webhook:HOOK_URL": every,
        "slack:SLACK_URL": every,
        "teams:TEAMS_URL": every,
        "discord:DISCORD_URL:components=db": [every[2]],
        "email:SMTP_URL:to=oncall@example.com": every,
    }


def test_a_rerun_over_the_same_range_sends_nothing(history: History, capsys: pytest.CaptureFixture[str]) -> None:
    history.notify(capsys)
    code, out, _ = history.notify(capsys)
    assert code == 0
    assert out == [line.replace("delivered", "skipped: already delivered") for line in ALL_DELIVERED] + [
        summary(history, "0 delivered, 0 failed, 13 skipped")
    ]
    assert requests_by_endpoint(history) == {"hook": 3, "slack": 3, "discord": 1, "teams": 3, "web": 0}
    assert len(history.mailbox.envelopes) == 3


def test_a_later_range_sends_only_what_is_new(history: History, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = history.notify(capsys, since=history.commits[1])
    assert code == 0
    assert out == [
        *lines(RESOLVED_LINE, "delivered", HOOK, SLACK, TEAMS, MAIL),
        summary(history, "4 delivered, 0 failed, 0 skipped", since=1),
    ]
    code, out, _ = history.notify(capsys, since=history.commits[2])
    assert (code, out) == (0, [summary(history, "no new updates", since=2)])


def test_server_errors_are_retried_with_backoff_until_delivered(
    history: History, capsys: pytest.CaptureFixture[str], waits: list[float]
) -> None:
    history.endpoints.answer("slack", (503, {"Retry-After": "7"}, b"busy"), (502, {}, b""))
    code, out, _ = history.notify(capsys)
    assert (code, out) == (0, [*ALL_DELIVERED, summary(history, "13 delivered, 0 failed, 0 skipped")])
    slack = history.endpoints.bodies("slack")
    assert len(slack) == 5
    assert slack[0] == slack[1] == slack[2] != slack[3]
    assert waits == [7.0, 2.0]
    # Each attempt at one delivery carries the same key, so a receiver can drop a repeat sent
    # after its answer was lost; the key never changes from run to run or release to release.
    keys = [key for name, key in history.endpoints.idempotency_keys if name == "slack"]
    assert keys[:3] == ['"4b814478-8805-5fcb-b1c3-c6b51d08d5b2"'] * 3
    assert len(set(keys)) == 3
    assert len({key for _, key in history.endpoints.idempotency_keys}) == 10


def test_a_rate_limit_is_honoured_up_to_the_longest_wait(
    history: History, capsys: pytest.CaptureFixture[str], waits: list[float]
) -> None:
    history.endpoints.answer("hook", (429, {"Retry-After": "3600"}, b"slow down"))
    code, _, _ = history.notify(capsys)
    assert code == 0
    assert history.endpoints.count("hook") == 4
    assert waits == [60.0]


NOT_TRIED = "not tried: an earlier update to this target failed"


def run_with_one_target_failing(
    history: History, capsys: pytest.CaptureFixture[str], target: str, failure: str
) -> list[str]:
    """The first run, with ``target`` failing the first update it is given: the line for each
    update to it after that says it was not tried."""
    code, out, _ = history.notify(capsys)
    assert code == 1
    expected, failed = [], False
    for line in ALL_DELIVERED:
        if f"-> {target}:" in line:
            line = line.replace("delivered", NOT_TRIED if failed else f"failed: {failure}")
            failed = True
        expected.append(line)
    assert out == [*expected, summary(history, "10 delivered, 1 failed, 0 skipped, 2 not tried")]
    return out


@pytest.mark.parametrize(
    ("answers", "failure", "attempts"),
    [
        (
            [(400, {}, f"Bad payload sent to /teams/{SECRET}".encode())],
            "HTTP 400 Bad Request: Bad payload sent to ***",
            1,
        ),
        ([(503, {}, b"")] * 4, "HTTP 503 Service Unavailable (after 4 attempts)", 4),
    ],
    ids=["client error", "server errors"],
)
def test_a_failed_delivery_is_retried_by_the_next_run_to_that_target_only(
    history: History,
    capsys: pytest.CaptureFixture[str],
    answers: list[tuple[int, dict[str, str], bytes]],
    failure: str,
    attempts: int,
) -> None:
    history.endpoints.answer("teams", *answers)
    run_with_one_target_failing(history, capsys, TEAMS, failure)
    assert history.endpoints.count("teams") == attempts
    head = history.commits[2]
    assert (record_of(history)["head"], record_of(history)["held"]) == (
        head,
        {key: head for key in (SCHEDULED_KEY, IDENTIFIED_KEY, RESOLVED_KEY)},
    )

    # The next scheduled run has no new range, and sends each to the target that lacks it.
    code, out, _ = history.notify(capsys, since="HEAD")
    assert (code, out) == (
        0,
        [
            line.replace("delivered", "skipped: already delivered") if TEAMS not in line else line
            for line in ALL_DELIVERED
        ]
        + [f"notify {head[:12]}..{head[:12]}: 3 delivered, 0 failed, 10 skipped"],
    )
    assert record_of(history)["held"] == {}
    code, out, _ = history.notify(capsys, since="HEAD")
    assert (code, out) == (0, [f"notify {head[:12]}..{head[:12]}: no new updates"])
    assert [
        body["attachments"][0]["content"]["body"][1]["text"] for body in history.endpoints.bodies("teams")[attempts:]
    ] == ["Scheduled", "Identified", "Resolved"]
    keys = [key for name, key in history.endpoints.idempotency_keys if name == "teams"]
    assert len(set(keys[: attempts + 1])) == 1 and len(set(keys)) == 3
    assert requests_by_endpoint(history) == {"hook": 3, "slack": 3, "discord": 1, "teams": attempts + 3, "web": 0}
    assert len(history.mailbox.envelopes) == 3


def test_a_dead_target_costs_one_round_of_retries_and_gets_its_updates_in_order(
    history: History, capsys: pytest.CaptureFixture[str], waits: list[float]
) -> None:
    history.endpoints.answer("slack", *[(503, {}, b"down")] * 12)
    run_with_one_target_failing(history, capsys, SLACK, "HTTP 503 Service Unavailable: down (after 4 attempts)")
    assert (history.endpoints.count("slack"), waits) == (4, [1.0, 2.0, 4.0])

    history.endpoints.answer("slack")
    code, out, _ = history.notify(capsys, since="HEAD")
    assert (code, [line for line in out if "delivered" in line and "skipped" not in line]) == (
        0,
        [f"{update} -> {SLACK}: delivered" for update in (SCHEDULED, IDENTIFIED_LINE, RESOLVED_LINE)],
    )
    assert [body["blocks"][0]["text"]["text"] for body in history.endpoints.bodies("slack")[4:]] == [
        "Scheduled: Database upgrade",
        "Identified: Elevated API error rates",
        "Resolved: Elevated API error rates",
    ]


def test_connection_errors_are_retried_then_reported(
    history: History, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, waits: list[float]
) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    monkeypatch.setenv("SLACK_URL", f"http://127.0.0.1:{port}/slack/{SECRET}")
    run_with_one_target_failing(history, capsys, SLACK, "[Errno 111] Connection refused (after 4 attempts)")
    assert waits == [1.0, 2.0, 4.0]


def test_a_target_that_does_not_answer_in_time_is_retried(
    history: History, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    waits: list[float] = []
    # The timeout leaves room for a loaded machine: only the held request may run into it.
    monkeypatch.setattr(
        runner, "run", functools.partial(runner.run, retry=transport.Retry(attempts=2, timeout=1.0, sleep=waits.append))
    )
    history.endpoints.answer("hook", (0, {}, b""))
    code, out, _ = history.notify(capsys)
    assert (code, out[0]) == (0, f"{SCHEDULED} -> {HOOK}: delivered")
    assert history.endpoints.count("hook") == 4
    assert waits == [1.0]


def test_a_missing_environment_variable_fails_that_target_only(
    history: History, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TEAMS_URL")
    run_with_one_target_failing(history, capsys, TEAMS, "environment variable TEAMS_URL is not set")
    assert history.endpoints.count("hook") == 3


def test_a_crash_midway_never_causes_a_resend(
    history: History, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real_send, calls = runner.send, []

    def crashing(*args: Any) -> None:
        calls.append(args)
        if len(calls) == 6:
            raise RuntimeError("the runner was killed")
        real_send(*args)

    monkeypatch.setattr(runner, "send", crashing)
    with pytest.raises(RuntimeError):
        history.notify(capsys)
    monkeypatch.setattr(runner, "send", real_send)
    code, out, _ = history.notify(capsys)
    assert code == 0
    assert out[-1] == summary(history, "8 delivered, 0 failed, 5 skipped")
    assert requests_by_endpoint(history) == {"hook": 3, "slack": 3, "discord": 1, "teams": 3, "web": 0}
    assert len(history.mailbox.envelopes) == 3


def test_email_is_retried_on_a_temporary_refusal_and_not_on_a_permanent_one(
    history: History, capsys: pytest.CaptureFixture[str], waits: list[float]
) -> None:
    history.mailbox.replies = ["451 4.3.0 Try again later", "550 5.7.1 Relaying denied"]
    run_with_one_target_failing(history, capsys, MAIL, "SMTP 550 5.7.1 Relaying denied")
    assert (history.mailbox.attempts, len(history.mailbox.envelopes)) == (2, 0)
    assert waits == [1.0]


@pytest.mark.parametrize(
    ("url", "failure"),
    [
        (
            f"smtp://bot:{PASSWORD}@mail..example.com",
            "the SMTP server's name 'mail..example.com' is not a valid host name",
        ),
        (
            f"smtp://bot:p\u00e4ss-{PASSWORD}@127.0.0.1:{{port}}",
            "the SMTP user name or password has characters other than ASCII, which SMTP login cannot send",
        ),
        (f"smtp://bot:{PASSWORD}@127.0.0.1:99999", "the SMTP URL is malformed"),
    ],
    ids=["empty label in the host", "password not ASCII", "port out of range"],
)
def test_an_smtp_url_that_cannot_work_fails_at_once(
    history: History,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    mailbox: tuple[Mailbox, int],
    waits: list[float],
    url: str,
    failure: str,
) -> None:
    monkeypatch.setenv("SMTP_URL", url.format(port=mailbox[1]))
    out = run_with_one_target_failing(history, capsys, MAIL, failure)
    assert "p\u00e4ss" not in "\n".join(out)
    assert (waits, history.mailbox.attempts) == ([], 0)


def test_a_wrong_smtp_password_is_reported_without_it(
    history: History, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, mailbox: tuple[Mailbox, int]
) -> None:
    monkeypatch.setenv("SMTP_URL", f"smtp://bot:{PASSWORD}x@127.0.0.1:{mailbox[1]}")
    code, out, _ = history.notify(capsys)
    assert code == 1
    assert out[4] == f"{SCHEDULED} -> {MAIL}: failed: SMTP 535 5.7.8 Authentication credentials invalid"


def test_dry_run_sends_and_records_nothing(
    history: History, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TEAMS_URL")
    code, out, _ = history.notify(capsys, "--dry-run")
    assert code == 0
    assert [line for line in out if line and not line.startswith(" ")] == [
        line.replace("delivered", "would deliver") + (": $TEAMS_URL is not set here" if TEAMS in line else "")
        for line in ALL_DELIVERED
    ] + [summary(history, "dry run, nothing sent: 13 to deliver, 0 skipped")]
    start = out.index(f"{SCHEDULED} -> {HOOK}: would deliver") + 1
    end = out.index(f"{SCHEDULED} -> {SLACK}: would deliver")
    assert json.loads("\n".join(out[start:end]))["incident"]["id"] == "2025-12-01-db-upgrade"
    assert "    Subject: [Example Status] Scheduled: Database upgrade" in out
    assert history.endpoints.requests == [] and history.mailbox.attempts == 0
    assert not (history.repo.root / ".statusgen").exists()


SLOW = """\
    ---
    title: Slow dashboard
    impact: minor
    components: {web: degraded_performance}
    updates:
      - at: 2025-11-03T15:50:00Z
        status: investigating
        message: The dashboard is slow. Next update by 17:00 UTC.
      - at: 2025-11-03T17:00:00Z
        status: resolved
        message: The dashboard is fast again.
    ---
    """
SLOW_LINE = "2025-11-03-web-slow 2025-11-03T15:50:00Z investigating"
LATER_LINE = "2025-11-03-web-slow 2025-11-03T17:00:00Z resolved"
LATER_KEY = "2025-11-03-web-slow@2025-11-03T17:00:00Z"
WEB = "webhook ($WEB_HOOK_URL; components web)"


def record_of(history: History) -> dict[str, Any]:
    data = json.loads((history.repo.root / runner.RECORD).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def write_record(history: History, head: str | None, held: dict[str, str] | None = None) -> None:
    history.repo.write(runner.RECORD, json.dumps({"version": 1, "head": head, "held": held or {}, "targets": {}}))


def with_a_late_update(history: History, capsys: pytest.CaptureFixture[str]) -> str:
    """Commit 4 adds an incident whose second update is stamped 17:00, an hour after NOW; a run
    over it holds that update back. Returns commit 4."""
    history.repo.incident("2025-11-03-web-slow.md", SLOW)
    history.commits.append(commit(history.repo, "Slow dashboard", "2025-11-03T15:55:00Z"))
    code, out, _ = history.notify(capsys, since=history.commits[2])
    assert (code, out) == (
        0,
        [
            *lines(SLOW_LINE, "delivered", HOOK, SLACK, TEAMS, MAIL, WEB),
            f"{LATER_LINE}: held back: not published until 2025-11-03T17:00:00Z; kept for a later run",
            summary(history, "5 delivered, 0 failed, 0 skipped, 1 held back", since=2),
        ],
    )
    assert (record_of(history)["head"], record_of(history)["held"]) == (
        history.commits[3],
        {LATER_KEY: history.commits[3]},
    )
    return history.commits[3]


def test_an_update_stamped_ahead_is_sent_once_by_the_first_run_after_its_time(
    history: History,
    capsys: pytest.CaptureFixture[str],
) -> None:
    head = with_a_late_update(history, capsys)
    span = f"notify {head[:12]}..{head[:12]}"
    code, out, _ = history.notify(capsys, since="HEAD", now="2025-11-03T16:59:59Z")
    assert (code, out) == (
        0,
        [
            f"{LATER_LINE}: held back: not published until 2025-11-03T17:00:00Z; kept for a later run",
            f"{span}: 0 delivered, 0 failed, 0 skipped, 1 held back",
        ],
    )
    code, out, _ = history.notify(capsys, since="HEAD", now="2025-11-03T17:00:00Z")
    assert (code, out) == (
        0,
        [*lines(LATER_LINE, "delivered", HOOK, SLACK, TEAMS, MAIL, WEB), f"{span}: 5 delivered, 0 failed, 0 skipped"],
    )
    assert (record_of(history)["head"], record_of(history)["held"]) == (head, {})
    code, out, _ = history.notify(capsys, since="HEAD", now="2025-11-03T18:00:00Z")
    assert (code, out) == (0, [f"{span}: no new updates"])
    assert [(b["incident"]["status"], b["incident"]["updated_at"]) for b in history.endpoints.bodies("web")] == [
        ("investigating", "2025-11-03T15:50:00Z"),
        ("resolved", "2025-11-03T17:00:00Z"),
    ]
    assert requests_by_endpoint(history) == {"hook": 2, "slack": 2, "discord": 0, "teams": 2, "web": 2}
    assert [m["Subject"] for _, _, m in history.mailbox.envelopes] == [
        "[Example Status] Investigating: Slow dashboard",
        "[Example Status] Resolved: Slow dashboard",
    ]


def test_a_held_back_update_that_fails_stays_held_until_delivered(
    history: History, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    head = with_a_late_update(history, capsys)
    monkeypatch.delenv("TEAMS_URL")
    code, out, _ = history.notify(capsys, since="HEAD", now="2025-11-03T17:00:00Z")
    assert (code, out[2], out[-1]) == (
        1,
        f"{LATER_LINE} -> {TEAMS}: failed: environment variable TEAMS_URL is not set",
        f"notify {head[:12]}..{head[:12]}: 4 delivered, 1 failed, 0 skipped",
    )
    assert record_of(history)["held"] == {LATER_KEY: head}
    monkeypatch.setenv("TEAMS_URL", history.endpoints.url("teams"))
    code, out, _ = history.notify(capsys, since="HEAD", now="2025-11-03T17:15:00Z")
    assert (code, out[2], out[-1]) == (
        0,
        f"{LATER_LINE} -> {TEAMS}: delivered",
        f"notify {head[:12]}..{head[:12]}: 1 delivered, 0 failed, 4 skipped",
    )
    assert record_of(history)["held"] == {}
    assert requests_by_endpoint(history) == {"hook": 2, "slack": 2, "discord": 0, "teams": 2, "web": 2}


@pytest.mark.parametrize("change", ["deleted", "hidden", "restamped"])
def test_a_held_back_update_no_longer_published_is_not_sent(
    history: History, capsys: pytest.CaptureFixture[str], change: str
) -> None:
    held_in = with_a_late_update(history, capsys)
    path = history.repo.root / "incidents/2025-11-03-web-slow.md"
    if change == "deleted":
        path.unlink()
    elif change == "hidden":
        path.write_text(path.read_text().replace("title:", "hidden: true\ntitle:"))
    else:
        path.write_text(path.read_text().replace("17:00:00Z", "16:00:00Z"))
    history.commits.append(commit(history.repo, f"Slow dashboard {change}", "2025-11-03T16:30:00Z"))
    head = history.commits[4]
    code, out, _ = history.notify(capsys, since="HEAD", now="2025-11-03T17:00:00Z")
    restamped = "2025-11-03-web-slow 2025-11-03T16:00:00Z resolved"
    assert (code, out) == (
        0,
        [
            f"notify: the last run covered up to {held_in[:12]}, before {head[:12]}: starting there",
            "2025-11-03-web-slow 2025-11-03T17:00:00Z: dropped: held back earlier, no longer published",
            *(lines(restamped, "delivered", HOOK, SLACK, TEAMS, MAIL, WEB) if change == "restamped" else []),
            f"notify {held_in[:12]}..{head[:12]}: "
            + ("5 delivered, 0 failed, 0 skipped" if change == "restamped" else "no new updates"),
        ],
    )
    assert (record_of(history)["head"], record_of(history)["held"]) == (head, {})
    assert [b["incident"]["status"] for b in history.endpoints.bodies("web")] == (
        ["investigating", "resolved"] if change == "restamped" else ["investigating"]
    )


def test_a_held_back_update_is_kept_while_the_file_differs_from_head(
    history: History, capsys: pytest.CaptureFixture[str]
) -> None:
    with_a_late_update(history, capsys)
    (history.repo.root / "incidents/2025-11-03-web-slow.md").unlink()
    code, _, err = history.notify(capsys, since="HEAD", now="2025-11-03T17:00:00Z")
    assert (code, err) == (
        1,
        "error: incidents/2025-11-03-web-slow.md: the file differs from HEAD "
        "(commit or stash the change first: notify announces what HEAD holds)\n",
    )
    assert record_of(history)["held"] == {LATER_KEY: history.commits[3]}


def test_a_skipped_run_is_caught_up_from_the_last_commit_covered(
    history: History, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = history.commits[:2]
    write_record(history, first)
    code, out, _ = history.notify(capsys, since=second)
    assert (code, out) == (
        0,
        [
            f"notify: the last run covered up to {first[:12]}, before {second[:12]}: starting there",
            *ALL_DELIVERED,
            summary(history, "13 delivered, 0 failed, 0 skipped"),
        ],
    )
    assert record_of(history)["head"] == history.commits[2]
    code, out, _ = history.notify(capsys, since=second)
    assert (code, out) == (
        0,
        [
            *lines(RESOLVED_LINE, "skipped: already delivered", HOOK, SLACK, TEAMS, MAIL),
            summary(history, "0 delivered, 0 failed, 4 skipped", since=1),
        ],
    )
    assert requests_by_endpoint(history) == {"hook": 3, "slack": 3, "discord": 1, "teams": 3, "web": 0}
    assert len(history.mailbox.envelopes) == 3


@pytest.mark.parametrize("where", ["unknown", "on another branch"])
def test_a_recorded_head_outside_the_history_of_ref_is_ignored(
    history: History, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    if where == "unknown":
        recorded = "0123456789abcdef" * 2 + "01234567"
    else:  # a child of commit 1 that neither commit 2 nor HEAD descends from
        recorded = git(
            history.repo.root,
            "commit-tree",
            f"{history.commits[0]}^{{tree}}",
            "-p",
            history.commits[0],
            "-m",
            "elsewhere",
        )
    write_record(history, recorded)
    code, out, _ = history.notify(capsys, since=history.commits[1])
    assert (code, out) == (
        0,
        [
            *lines(RESOLVED_LINE, "delivered", HOOK, SLACK, TEAMS, MAIL),
            summary(history, "4 delivered, 0 failed, 0 skipped", since=1),
        ],
    )
    assert record_of(history)["head"] == history.commits[2]


def test_a_run_of_an_older_commit_leaves_what_later_runs_recorded(
    history: History, capsys: pytest.CaptureFixture[str]
) -> None:
    later = git(history.repo.root, "commit-tree", "HEAD^{tree}", "-p", "HEAD", "-m", "a later push")
    write_record(history, later, {LATER_KEY: later})
    code, out, _ = history.notify(capsys, since="HEAD", now="2025-11-03T18:00:00Z")
    assert (code, out) == (0, [summary(history, "no new updates", since=2)])
    assert (record_of(history)["head"], record_of(history)["held"]) == (later, {LATER_KEY: later})


def test_an_unreadable_record_is_reported(history: History, capsys: pytest.CaptureFixture[str]) -> None:
    history.repo.write(runner.RECORD, '{"version": 1, "head": 7, "targets": {}}')
    code, _, err = history.notify(capsys)
    assert (code, err) == (
        1,
        f"error: {runner.RECORD}: the delivery record is unreadable ('head' is not a "
        "commit id) (fix or remove it; without it, updates in the range are sent again)\n",
    )
    assert history.endpoints.requests == []


def new_since(repo: Repo, ref: str) -> list[str]:
    return [str(item) for item in runner.find(repo.root, load_repository(repo.root), ref).updates]


def test_what_counts_as_new(history: History) -> None:
    repo = history.repo
    start = history.commits[2]
    repo.write(API, (repo.root / API).read_text().replace("normal since", "back to normal since"))
    git(repo.root, "mv", DB, "incidents/2025-12-01-database-upgrade.md")
    hidden = MAINTENANCE.replace("title:", "hidden: true\ntitle:").replace("14:30", "16:30")
    repo.write("incidents/2025-12-02-cache-upgrade.md", hidden)
    commit(repo, "Edited, renamed, hidden", "2025-11-03T16:40:00Z")
    assert new_since(repo, start) == []
    repo.write("incidents/2025-12-02-cache-upgrade.md", hidden.replace("hidden: true\n", ""))
    (repo.root / API).unlink()
    commit(repo, "Unhidden; one deleted", "2025-11-03T16:50:00Z")
    assert new_since(repo, start) == ["2025-12-02-cache-upgrade 2025-11-03T16:30:00Z scheduled"]
    assert new_since(repo, history.commits[0]) == [
        "2025-12-01-database-upgrade 2025-11-03T14:30:00Z scheduled",
        "2025-12-02-cache-upgrade 2025-11-03T16:30:00Z scheduled",
    ]


def test_uncommitted_changes_to_a_changed_file_are_refused(
    history: History, capsys: pytest.CaptureFixture[str]
) -> None:
    history.repo.write(API, (history.repo.root / API).read_text().replace("normal", "fine"))
    code = history.repo.run("notify", "--since", history.commits[0])
    err = capsys.readouterr().err
    assert code == 1
    assert err == (
        f"error: {API}: the file differs from HEAD "
        "(commit or stash the change first: notify announces what HEAD holds)\n"
    )
    assert history.endpoints.requests == []


def test_an_unknown_ref_is_a_usage_error(history: History, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = history.notify(capsys, since="no-such-branch")
    assert (code, out) == (2, [])
    assert err == (
        "statusgen notify: error: unknown ref 'no-such-branch' (give a commit id, branch or tag of this repository)\n"
    )


def test_a_shallow_clone_is_told_to_fetch_more(
    history: History, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{history.repo.root}", "shallow")
    code = main(["-C", str(tmp_path / "shallow"), "notify", "--since", history.commits[0]])
    err = capsys.readouterr().err
    assert code == 2
    assert err == (
        f"statusgen notify: error: unknown ref '{history.commits[0]}' (this clone is shallow and may "
        "not reach it: fetch more history (git fetch --unshallow, or fetch-depth: 0 in the workflow's "
        "checkout))\n"
    )


def test_without_targets_there_is_nothing_to_do(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    assert repo.run("notify", "--since", "HEAD") == 0
    assert capsys.readouterr().out == "notify: statusgen.yaml has no notify targets; nothing to send\n"


def test_an_invalid_repository_sends_nothing(history: History, capsys: pytest.CaptureFixture[str]) -> None:
    history.repo.incident("2025-11-04-typo.md", "---\ntitle: X\nimpcat: major\n---\n")
    code = history.repo.run("notify", "--since", history.commits[0])
    err = capsys.readouterr().err.splitlines()
    assert (code, err[-1]) == (1, "2 error(s); nothing was sent")
    assert history.endpoints.requests == []


def test_chat_messages_stay_within_their_limits() -> None:
    site = Site(title="S" * 300, url=SITE)
    update = Update(datetime(2025, 11, 3, 14, 5, tzinfo=UTC), IncidentStatus.INVESTIGATING, "word " * 1000)
    incident = Incident(
        id="2025-11-03-x",
        path=API,
        title="*Everything* <down> & " + "T" * 2000,
        kind="incident",
        impact=Impact.CRITICAL,
        components={"api": "major_outage"},
        updates=(update,),
    )
    notice = payloads.Notice(site, incident, update, ("Public API",), {}, {})
    message = payloads.discord(notice)
    embed = message["embeds"][0]
    assert len(message["content"]) == 2000 and message["content"].startswith("Investigating: \\*Everything\\* <")
    assert embed["title"] == incident.title[:255] + "…"
    assert embed["description"] == ("word " * 819).rstrip() + "…"
    assert embed["footer"]["text"] == "S" * 255 + "…"
    assert (
        len(embed["title"] + embed["description"] + embed["footer"]["text"])
        + sum(len(f["name"] + f["value"]) for f in embed["fields"])
        <= 6000
    )
    slack = payloads.slack(notice)
    assert slack["blocks"][0]["text"]["text"] == ("Investigating: *Everything* <down> & " + "T" * 2000)[:149] + "…"
    assert slack["blocks"][1]["text"]["text"] == ("word " * 600).rstrip() + "…"
    assert payloads.slack(replace(notice, update=replace(update, message="a < b & c")))["blocks"][1] == {
        "type": "section",
        "text": {"type": "mrkdwn", "text": "a &lt; b &amp; c"},
    }


@pytest.mark.parametrize(
    "url, expected",
    [
        (
            "smtp://bot:p%40ss@mail.example.com:2525",
            transport.SmtpServer("mail.example.com", 2525, False, "bot", "p@ss"),
        ),
        ("smtps://mail.example.com", transport.SmtpServer("mail.example.com", 465, True, None, None)),
        ("smtp://relay.internal", transport.SmtpServer("relay.internal", 25, False, None, None)),
        ("https://mail.example.com", "the SMTP URL must look like smtp://user:password@host:port (or smtps://)"),
        ("smtp://bot:secret@mail.example.com:port", "the SMTP URL is malformed"),
    ],
)
def test_smtp_urls(url: str, expected: transport.SmtpServer | str) -> None:
    if isinstance(expected, str):
        with pytest.raises(transport.DeliveryFailed) as failed:
            transport.smtp_server(url)
        assert str(failed.value) == expected
    else:
        assert transport.smtp_server(url) == expected


@pytest.mark.parametrize(
    "url, expected",
    [
        ("file:///etc/passwd", "the address is not an http:// or https:// URL"),
        ("http://127.0.0.1:99999/hook", "the address is not a valid URL"),
        ("http://127.0.0.1:8/hook with spaces", "the address is not a valid URL"),
        ("hooks.example.com/services/T1", "the address is not an http:// or https:// URL"),
    ],
)
def test_webhook_addresses_that_cannot_work(url: str, expected: str) -> None:
    with pytest.raises(transport.DeliveryFailed) as failed:
        transport.post_json(url, {}, transport.Retry(sleep=no_sleep))
    assert str(failed.value) == expected


def test_redaction_blanks_the_secret_and_its_parts() -> None:
    url = "smtp://bot:pa%24%24@mail.example.com:25"
    text = f"failed for {url}: bad password pa$$ (pa%24%24)"
    assert transport.redact(text, url) == "failed for ***: bad password *** (***)"
    assert transport.redact("POST /services/T1/B2/XYZ failed", "https://hooks.example.com/services/T1/B2/XYZ") == (
        "POST *** failed"
    )


@pytest.fixture
def untrusted_tls(tmp_path: Path) -> Iterator[tuple[int, list[str]]]:
    """A TLS server on 127.0.0.1 with a certificate no client trusts: its port, and a note of
    each connection."""
    with tls_server(tmp_path) as (port, connections):
        yield port, connections


@pytest.mark.parametrize("scheme", ["https", "smtps"])
def test_a_certificate_that_does_not_verify_is_not_retried(untrusted_tls: tuple[int, list[str]], scheme: str) -> None:
    port, connections = untrusted_tls
    retry = transport.Retry(sleep=no_sleep)
    with pytest.raises(transport.DeliveryFailed) as failed:
        if scheme == "https":
            transport.post_json(f"https://127.0.0.1:{port}/hook/{SECRET}", {}, retry)
        else:
            transport.send_email(f"smtps://bot:{PASSWORD}@127.0.0.1:{port}", EmailMessage(), retry)
    assert str(failed.value).startswith(
        "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate (_ssl.c:"
    )
    assert connections == ["connected"]


def test_slack_fallback_text_is_escaped_like_the_blocks() -> None:
    update = Update(datetime(2025, 11, 3, 14, 5, tzinfo=UTC), IncidentStatus.INVESTIGATING, "Ask <@U0123> & <#C42|ops>")
    incident = Incident(
        id="2025-11-03-x",
        path=API,
        title="<!channel> API <down>",
        kind="incident",
        impact=Impact.MAJOR,
        components={"api": "major_outage"},
        updates=(update,),
    )
    message = payloads.slack(payloads.Notice(Site(title="S", url=SITE), incident, update, ("Public API",), {}, {}))
    escaped = "Ask &lt;@U0123&gt; &amp; &lt;#C42|ops&gt;"
    assert message["text"] == f"Investigating: &lt;!channel&gt; API &lt;down&gt;\n{escaped}"
    assert message["blocks"][1]["text"]["text"] == escaped


# --- renamed files ------------------------------------------------------------------------------

RENAMED_DB = "incidents/2025-12-01-database-upgrade.md"
REWRITTEN_DB = """\
---
title: Primary database moves to version 16
kind: maintenance
window: {start: 2025-12-01T01:00:00Z, end: 2025-12-01T05:00:00Z}
components: [db]
updates:
  - at: 2025-11-03T14:30:00Z
    status: scheduled
    message: |
      The primary database moves to a new major version. While the replica takes over, writes
      wait for about ten minutes; reads go on throughout.
  - at: 2025-11-03T16:10:00Z
    status: scheduled
    message: The window now starts an hour earlier, to leave time for a rollback.
---
"""
RESCHEDULED = "2025-12-01-database-upgrade 2025-11-03T16:10:00Z scheduled"


def test_a_file_renamed_and_rewritten_announces_only_its_new_updates(
    history: History, capsys: pytest.CaptureFixture[str]
) -> None:
    history.notify(capsys)
    (history.repo.root / DB).unlink()
    history.repo.write(RENAMED_DB, REWRITTEN_DB)
    history.commits.append(commit(history.repo, "Database upgrade renamed and rewritten", "2025-11-03T16:15:00Z"))
    # Too different for git to call it a rename.
    assert gitdiff.changes(history.repo.root, history.commits[2], history.commits[3]) == [
        gitdiff.Change(None, RENAMED_DB),
        gitdiff.Change(DB, None),
    ]
    recorded = (history.repo.root / runner.RECORD).read_bytes()
    code, out, _ = history.notify(capsys, "--dry-run", since=history.commits[2], now="2025-11-03T16:20:00Z")
    assert (code, [line for line in out if line and not line.startswith(" ")]) == (
        0,
        [
            *lines(RESCHEDULED, "would deliver", HOOK, SLACK, DISCORD, TEAMS, MAIL),
            summary(history, "dry run, nothing sent: 5 to deliver, 0 skipped", since=2),
        ],
    )
    assert (history.repo.root / runner.RECORD).read_bytes() == recorded
    code, out, _ = history.notify(capsys, since=history.commits[2], now="2025-11-03T16:20:00Z")
    assert (code, out) == (
        0,
        [
            *lines(RESCHEDULED, "delivered", HOOK, SLACK, DISCORD, TEAMS, MAIL),
            summary(history, "5 delivered, 0 failed, 0 skipped", since=2),
        ],
    )
    assert [b["incident"]["id"] for b in history.endpoints.bodies("hook")] == [
        "2025-12-01-db-upgrade",
        "2025-11-03-api-errors",
        "2025-11-03-api-errors",
        "2025-12-01-database-upgrade",
    ]

    # From before the file existed, it is simply new: the record knows its first update under both names.
    code, out, _ = history.notify(capsys, since=history.commits[0], now="2025-11-03T16:20:00Z")
    assert (code, out[-1]) == (0, summary(history, "0 delivered, 0 failed, 18 skipped"))
    assert requests_by_endpoint(history) == {"hook": 4, "slack": 4, "discord": 2, "teams": 4, "web": 0}
    assert len(history.mailbox.envelopes) == 4


NEW_NAME = "incidents/2025-11-03-dashboard-slow.md"
REWRITTEN_SLOW = """\
---
title: Dashboard pages load slowly
impact: minor
components:
  web: degraded_performance
updates:
  - at: 2025-11-03T15:50:00Z
    status: investigating
    message: |
      Dashboard pages take up to ten seconds to load for customers in Europe. We are looking
      into it and will post again by 17:00 UTC.
  - at: 2025-11-03T17:00:00Z
    status: resolved
    message: |
      Pages have loaded within a second since 16:52 UTC, when a cache that had been emptied by
      a configuration change was filled again.
---
"""
RENAMED_LATER_LINE = "2025-11-03-dashboard-slow 2025-11-03T17:00:00Z resolved"


def test_an_update_held_for_a_renamed_file_is_sent_under_its_new_name(
    history: History, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    held_in = with_a_late_update(history, capsys)
    monkeypatch.delenv("TEAMS_URL")
    code, _, _ = history.notify(capsys, since="HEAD", now="2025-11-03T17:00:00Z")
    assert (code, record_of(history)["held"]) == (1, {LATER_KEY: held_in})
    monkeypatch.setenv("TEAMS_URL", history.endpoints.url("teams"))
    git(history.repo.root, "mv", "incidents/2025-11-03-web-slow.md", NEW_NAME)
    head = commit(history.repo, "A better name", "2025-11-03T17:05:00Z")

    code, out, _ = history.notify(capsys, since="HEAD", now="2025-11-03T17:15:00Z")
    assert (code, out) == (
        0,
        [
            f"notify: the last run covered up to {held_in[:12]}, before {head[:12]}: starting there",
            *lines(RENAMED_LATER_LINE, "skipped: already delivered", HOOK, SLACK),
            *lines(RENAMED_LATER_LINE, "delivered", TEAMS),
            *lines(RENAMED_LATER_LINE, "skipped: already delivered", MAIL, WEB),
            f"notify {held_in[:12]}..{head[:12]}: 1 delivered, 0 failed, 4 skipped",
        ],
    )
    assert record_of(history)["held"] == {}
    assert requests_by_endpoint(history) == {"hook": 2, "slack": 2, "discord": 0, "teams": 2, "web": 2}


def test_an_update_held_for_a_file_renamed_before_the_range_is_not_dropped(
    history: History, capsys: pytest.CaptureFixture[str]
) -> None:
    held_in = with_a_late_update(history, capsys)
    (history.repo.root / "incidents/2025-11-03-web-slow.md").unlink()
    history.repo.incident(PurePosixPath(NEW_NAME).name, REWRITTEN_SLOW)
    head = commit(history.repo, "Renamed and rewritten", "2025-11-03T16:30:00Z")
    assert gitdiff.changes(history.repo.root, held_in, head) == [
        gitdiff.Change(None, NEW_NAME),
        gitdiff.Change("incidents/2025-11-03-web-slow.md", None),
    ]
    # A record that covered the rename without moving what it held, as an older release wrote it.
    record = record_of(history)
    history.repo.write(runner.RECORD, json.dumps({**record, "head": head}))

    code, out, _ = history.notify(capsys, since="HEAD", now="2025-11-03T17:00:00Z")
    assert (code, out) == (
        0,
        [
            *lines(RENAMED_LATER_LINE, "delivered", HOOK, SLACK, TEAMS, MAIL, WEB),
            f"notify {head[:12]}..{head[:12]}: 5 delivered, 0 failed, 0 skipped",
        ],
    )
    assert record_of(history)["held"] == {}


# --- receivers that echo secrets, drip their answers, and addresses with credentials ---------

TOKEN = "Zq7s3cr3t-path-segment"
QUERY_TOKEN = "k3y+val/ue=S1GNED"  # sent percent-encoded
USER, USER_PASSWORD = "hookuser", "p@ss:w0rd-basic"
FRAGMENT = "frag-s3cr3t-anchor"


def echoed_secrets() -> list[str]:
    """Every secret of the echo targets' addresses, as written, percent-decoded and -encoded."""
    plain = [
        TOKEN,
        QUERY_TOKEN,
        USER,
        USER_PASSWORD,
        FRAGMENT,
        base64.b64encode(f"{USER}:{USER_PASSWORD}".encode()).decode(),
    ]
    return sorted(
        {form for secret in plain for form in (secret, quote(secret, safe=""), quote_plus(secret), quote(secret))}
    )


@pytest.fixture
def echo() -> Iterator[tuple[int, list[int]]]:
    """A receiver that answers every POST with the status first in its list (the last one once
    the list is used up), its body holding the full request URL, decoded too, and every header."""
    statuses: list[int] = [404]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            status = statuses.pop(0) if len(statuses) > 1 else statuses[0]
            token = self.path.split("?")[0].rsplit("/", 1)[-1]
            headers = "; ".join(f"{k}: {v}" for k, v in self.headers.items())
            reply = (
                f"no webhook with token {token} (authorization {self.headers['Authorization']}). "
                f"You sent POST http://{self.headers['Host']}{self.path} ({unquote(self.path)}) with {headers}"
            ).encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server.server_address[1], statuses
    server.shutdown()
    server.server_close()


@pytest.mark.slow
@pytest.mark.parametrize("status", [404, 500])
@pytest.mark.parametrize("credentials", [True, False], ids=["with credentials", "without"])
def test_secrets_a_receiver_echoes_appear_nowhere(
    history: History,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    echo: tuple[int, list[int]],
    status: int,
    credentials: bool,
) -> None:
    port, statuses = echo
    statuses[:] = [status]
    userinfo = f"{USER}:{quote(USER_PASSWORD, safe='')}@" if credentials else ""
    for variable, name in (
        ("HOOK_URL", "hook"),
        ("SLACK_URL", "slack"),
        ("DISCORD_URL", "discord"),
        ("TEAMS_URL", "teams"),
        ("WEB_HOOK_URL", "web"),
    ):
        monkeypatch.setenv(
            variable,
            f"http://{userinfo}127.0.0.1:{port}/{name}/{TOKEN}?token={quote(QUERY_TOKEN, safe='')}&v=1#{FRAGMENT}",
        )
    caplog.set_level(logging.DEBUG)
    code = main(["-C", str(history.repo.root), "--debug", "notify", "--since", history.commits[0], "--now", NOW])
    captured = capsys.readouterr()
    out = captured.out.splitlines()
    assert code == 1
    said = "404 Not Found" if status == 404 else "500 Internal Server Error"
    tail = "" if status == 404 else " (after 4 attempts)"
    for target in (HOOK, SLACK, DISCORD, TEAMS):
        failed = next(line for line in out if f"-> {target}: failed" in line)
        assert failed.startswith(
            f"{SCHEDULED} -> {target}: failed: HTTP {said}: no webhook with token *** "
            f"(authorization {'Basic ***' if credentials else None}). "
            f"You sent POST http://127.0.0.1:{port}***?*** (***?***) with "
        )
        assert failed.endswith(tail)
    if status == 500:  # the retries were logged, with the receiver's answer
        assert [r.getMessage() for r in caplog.records if r.getMessage().startswith("attempt 3 failed")]
    record = (history.repo.root / runner.RECORD).read_text(encoding="utf-8")
    everything = "\n".join([captured.out, captured.err, caplog.text, record, *(r.getMessage() for r in caplog.records)])
    for secret in echoed_secrets():
        assert secret not in everything
        for start in range(len(secret) - 9):  # nor any piece of it, as a clipped answer would hold
            assert secret[start : start + 10] not in everything, secret[start : start + 10]


def test_dry_run_previews_never_show_the_address(
    history: History, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # An announcement whose text happens to hold the token shows it blanked in the preview.
    monkeypatch.setenv("HOOK_URL", f"https://hooks.example.com/hook/{TOKEN}")
    history.repo.write(
        "incidents/2025-11-03-web-slow.md",
        f"""\
        ---
        title: Slow dashboard
        impact: minor
        components: {{web: degraded_performance}}
        updates:
          - at: 2025-11-03T15:50:00Z
            status: investigating
            message: The dashboard is slow (see {TOKEN}).
        ---
        """,
    )
    head = commit(history.repo, "the token pasted by mistake", "2025-11-03T15:55:00Z")
    code = history.repo.run("notify", "--since", history.commits[-1], "--now", NOW, "--dry-run")
    out = capsys.readouterr().out
    assert (code, head in history.commits) == (0, False)
    assert TOKEN not in out
    assert '"body": "The dashboard is slow (see ***).",' in out


def test_credentials_in_a_webhook_address_are_sent_as_basic_auth(endpoints: Endpoints) -> None:
    url = f"http://{USER}:{quote(USER_PASSWORD, safe='')}@127.0.0.1:{endpoints.port}/hook/{SECRET}"
    assert transport.post_json(url, {"text": "hello"}, transport.Retry(sleep=no_sleep)) == 1
    assert endpoints.requests == [("hook", {"text": "hello"})]
    expected = "Basic " + base64.b64encode(f"{USER}:{USER_PASSWORD}".encode()).decode()
    assert endpoints.authorizations == [("hook", expected)]
    assert transport.post_json(endpoints.url("hook"), {}, transport.Retry(sleep=no_sleep)) == 1
    assert endpoints.authorizations[-1] == ("hook", None)


@pytest.mark.parametrize(
    "url, expected",
    [
        ("http://user:pass@127.0.0.1:port/hook", "the address is not a valid URL"),
        ("http://user:pass@/hook", "the address is not an http:// or https:// URL"),
        ("http:///hook", "the address is not an http:// or https:// URL"),
        ("ftp://127.0.0.1/hook", "the address is not an http:// or https:// URL"),
        ("http://hooks..example.com/hook", "the address's host name is not a valid host name"),
        ("http://127.0.0.1:8/hook\r\nX-Injected: 1", "the address is not a valid URL"),
        ("http://[::1/hook", "the address is not a valid URL"),
    ],
)
def test_an_address_that_cannot_work_is_a_config_error_never_retried(url: str, expected: str) -> None:
    with pytest.raises(transport.AddressInvalid) as failed:
        transport.post_json(url, {}, transport.Retry(sleep=no_sleep))
    assert str(failed.value) == expected


@dataclass
class Drip:
    """A receiver that answers 200 at once, then drips the rest of its answer a byte at a time."""

    port: int
    stop: threading.Event
    connections: list[str]


def accept_forever(listener: socket.socket, answer: Callable[[socket.socket], None]) -> None:
    """Answer each connection to ``listener`` on a thread of its own, until it is shut down."""
    while True:
        try:
            connection, _ = listener.accept()
        except OSError:
            return
        threading.Thread(target=answer, args=(connection,), daemon=True).start()


@pytest.fixture(params=["headers", "body"])
def drip(request: pytest.FixtureRequest) -> Iterator[Drip]:
    stop = threading.Event()
    listener = socket.create_server(("127.0.0.1", 0))
    connections: list[str] = []
    slow = (
        b"X-Drip: " + b"d" * 100 + b"\r\nContent-Length: 0\r\n\r\n"
        if request.param == "headers"
        else (b"Content-Length: 100\r\n\r\n" + b"b" * 100)
    )

    def answer(connection: socket.socket) -> None:
        with connection:
            received = b""
            while b"\r\n\r\n" not in received:
                more = connection.recv(65536)
                if not more:
                    return
                received += more
            connections.append("answering")
            index = len(connections) - 1
            try:
                connection.sendall(b"HTTP/1.1 200 OK\r\n")
                for byte in slow:  # 100 bytes, one each 0.05 s: 5 s in all, each within any read timeout
                    if stop.wait(0.05):
                        return
                    connection.sendall(bytes([byte]))
                connections[index] = "answered"
            except OSError:
                connections[index] = "closed by the client"

    thread = threading.Thread(target=accept_forever, args=(listener, answer), daemon=True)
    thread.start()
    yield Drip(listener.getsockname()[1], stop, connections)
    stop.set()
    listener.shutdown(socket.SHUT_RDWR)  # wakes the accept: close alone would leave it waiting
    listener.close()
    thread.join(5)


def test_a_receiver_dripping_its_answer_is_left_at_the_deadline(
    history: History, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, drip: Drip
) -> None:
    waits: list[float] = []
    monkeypatch.setattr(
        runner,
        "run",
        functools.partial(runner.run, retry=transport.Retry(attempts=2, timeout=0.5, deadline=1.0, sleep=waits.append)),
    )
    monkeypatch.setenv("SLACK_URL", f"http://127.0.0.1:{drip.port}/slack/{SECRET}")
    code, out, _ = history.notify(capsys)
    assert code == 1
    assert out[1] == f"{SCHEDULED} -> {SLACK}: failed: no complete answer within 1 s (after 2 attempts)"
    assert [line for line in out if SLACK in line][1:] == [
        f"{IDENTIFIED_LINE} -> {SLACK}: not tried: an earlier update to this target failed",
        f"{RESOLVED_LINE} -> {SLACK}: not tried: an earlier update to this target failed",
    ]
    assert out[-1] == summary(history, "10 delivered, 1 failed, 0 skipped, 2 not tried")
    assert waits == [1.0]
    assert drip.connections.count("answering") + drip.connections.count("closed by the client") == 2


def echo_forms(url: str) -> dict[str, str]:
    """What a receiver may echo of the address it was sent to, other than as written."""
    parts = url.split("/", 3)
    credentials = f"{USER}:{USER_PASSWORD}".encode()
    b64, safe = base64.b64encode, base64.urlsafe_b64encode
    forms = {
        "path upper-cased": "/" + parts[3].upper(),
        "url upper-cased": url.upper(),
        "url in base64": b64(url.encode()).decode(),
        "url in urlsafe base64 unpadded": safe(url.encode()).decode().rstrip("="),
        "url in hex": url.encode().hex(),
        "url in upper-case hex": url.encode().hex().upper(),
        "token in base64": b64(TOKEN.encode()).decode(),
        "token in hex": TOKEN.encode().hex(),
        "credentials in urlsafe base64": safe(credentials).decode(),
        "password in base64 unpadded": b64(USER_PASSWORD.encode()).decode().rstrip("="),
    }
    for offset in range(3):  # the address inside a longer text, at each byte alignment
        forms[f"url in base64 of a document, offset {offset}"] = b64(
            ("{" * offset + json.dumps({"url": url})).encode()
        ).decode()
        forms[f"token in urlsafe base64 of a document, offset {offset}"] = safe(
            ("x" * offset + f"token={TOKEN};").encode()
        ).decode()
    return forms


URL_SECRETS = (
    f"{USER}:{quote(USER_PASSWORD, safe='')}@127.0.0.1:{{port}}/json/{TOKEN}?token={quote(QUERY_TOKEN, safe='')}"
)


@pytest.mark.parametrize("form", list(echo_forms("http://" + URL_SECRETS.format(port=1))))
def test_a_secret_echoed_encoded_or_in_another_case_is_blanked(form: str) -> None:
    replies: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            url = f"http://{USER}:{quote(USER_PASSWORD, safe='')}@{self.headers['Host']}{self.path}"
            reply = f"bad request [{echo_forms(url)[form]}]".encode()
            replies.append(reply)
            self.send_response(400)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        url = "http://" + URL_SECRETS.format(port=server.server_address[1])
        with pytest.raises(transport.DeliveryFailed) as failure:
            transport.post_json(url, {"text": "hello"}, transport.Retry(attempts=1))
    finally:
        server.shutdown()
        server.server_close()
    message = str(failure.value)
    assert message.startswith("HTTP 400 Bad Request: bad request [")
    echoed = message.removeprefix("HTTP 400 Bad Request: bad request [").removesuffix("]")
    # The "?" between path and query is no secret; inside a longer text's base64, what remains
    # is the encoding of the text around the address and the few characters shared with it.
    assert "***" in echoed
    assert len(echoed.replace("***", "").replace("?", "")) <= (24 if "document" in form else 0), echoed
    assert echo_forms(url)[form] not in message and replies


@pytest.fixture(params=["greeting", "ehlo reply"])
def dripping_smtp(request: pytest.FixtureRequest) -> Iterator[tuple[int, list[str]]]:
    """An SMTP server that drips one reply a byte each 0.3 s: within any read timeout, never done."""
    stop = threading.Event()
    listener = socket.create_server(("127.0.0.1", 0))
    connections: list[str] = []
    slow = b"220-" + b"s" * 100 + b"\r\n220 ready\r\n"

    def answer(connection: socket.socket) -> None:
        with connection:
            connections.append("dripping")
            index = len(connections) - 1
            try:
                if request.param == "ehlo reply":
                    connection.sendall(b"220 ready\r\n")
                    connection.recv(65536)
                for byte in slow:
                    if stop.wait(0.3):
                        return
                    connection.sendall(bytes([byte]))
                connections[index] = "answered"
            except OSError:
                connections[index] = "closed by the client"

    threading.Thread(target=accept_forever, args=(listener, answer), daemon=True).start()
    yield listener.getsockname()[1], connections
    stop.set()
    listener.close()


def test_an_smtp_server_dripping_its_replies_is_left_at_the_deadline(dripping_smtp: tuple[int, list[str]]) -> None:
    port, connections = dripping_smtp
    waits: list[float] = []
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "status@example.com", "ops@example.com", "hi"
    retry = transport.Retry(attempts=2, timeout=5.0, deadline=1.0, sleep=waits.append)
    with pytest.raises(transport.DeliveryFailed) as failure:
        transport.send_email(f"smtp://127.0.0.1:{port}", message, retry)
    assert str(failure.value) == "no complete answer within 1 s (after 2 attempts)"
    assert waits == [1.0]
    assert len(connections) == 2 and "answered" not in connections


# --- targets in other languages ------------------------------------------------------------

LANGUAGES = CONFIG.replace("  timezone: Europe/Rome\n", "  timezone: Europe/Rome\n  languages: [it]\n")
assert LANGUAGES != CONFIG
IN_LANGUAGES = """\
notify:
  - type: webhook
    url_env: HOOK_URL
  - type: webhook
    url_env: HOOK_URL
    language: it
  - type: slack
    url_env: SLACK_URL
  - type: slack
    url_env: SLACK_URL
    language: it
  - type: email
    smtp_env: SMTP_URL
    from: status@example.com
    to: [oncall@example.com]
    language: de
"""
HOOK_IT, SLACK_IT = "webhook ($HOOK_URL; language it)", "slack ($SLACK_URL; language it)"
MAIL_DE = "email ($SMTP_URL; to oncall@example.com; language de)"
API_ID = "2025-11-03-api-errors"
ITALIAN_TITLE = "Tassi di errore elevati sulle API"
ITALIAN = Translation(
    API_ID,
    "it",
    f"incidents/{API_ID}.it.md",
    ITALIAN_TITLE,
    # Only the identified update's message: the resolution's stays English.
    messages={datetime(2025, 11, 3, 14, 40, tzinfo=UTC): "Un rilascio difettoso del **limitatore**. Lo annulliamo."},
)
IT, DE = i18n.language("it"), i18n.language("de")


def headline(words: i18n.Language, status: str, title: str) -> str:
    return words.gettext("%(status)s: %(title)s") % {"status": words.gettext(status), "title": title}


def window(words: i18n.Language, start: str, end: str) -> str:
    return words.gettext("%(start)s to %(end)s") % {"start": start, "end": end}


@pytest.fixture
def in_languages(history: History, monkeypatch: pytest.MonkeyPatch) -> History:
    """The history with targets in Italian and German, and the incident translated into Italian
    (given to the command as loaded, whatever files hold translations)."""
    history.repo.config(LANGUAGES + IN_LANGUAGES)

    def load(root: Path) -> Any:
        return replace(load_repository(root), translations={"it": {API_ID: ITALIAN}})

    monkeypatch.setattr(cli, "load_repository", load)
    return history


def test_each_target_is_sent_its_notices_in_its_language(
    in_languages: History, capsys: pytest.CaptureFixture[str]
) -> None:
    history = in_languages
    code, out, err = history.notify(capsys)
    assert (code, err) == (0, "")
    assert out == [
        *lines(SCHEDULED, "delivered", HOOK, HOOK_IT, SLACK, SLACK_IT, MAIL_DE),
        *lines(IDENTIFIED_LINE, "delivered", HOOK, HOOK_IT, SLACK, SLACK_IT, MAIL_DE),
        *lines(RESOLVED_LINE, "delivered", HOOK, HOOK_IT, SLACK, SLACK_IT, MAIL_DE),
        summary(history, "15 delivered, 0 failed, 0 skipped"),
    ]

    # Two webhook targets differing only in language: two deliveries of the same document, the
    # API's in the default language, each with its own idempotency key.
    hook = history.endpoints.bodies("hook")
    assert len(hook) == 6
    assert (hook[0], hook[2], hook[4]) == (hook[1], hook[3], hook[5])
    assert [(b["incident"]["id"], b["incident"]["name"], b["incident"]["status"]) for b in hook[1::2]] == [
        ("2025-12-01-db-upgrade", "Database upgrade", "scheduled"),
        (API_ID, "Elevated API error rates", "identified"),
        (API_ID, "Elevated API error rates", "resolved"),
    ]
    assert hook[3]["incident"]["shortlink"] == SITE + f"incidents/{API_ID}/"
    assert hook[3]["incident"]["incident_updates"][0]["body"] == (
        "A faulty **rate-limiter** deploy. We are rolling it back."
    )
    keys = [key for name, key in history.endpoints.idempotency_keys if name == "hook"]
    assert len(set(keys)) == 6

    slack = history.endpoints.bodies("slack")
    assert [b["blocks"][0]["text"]["text"] for b in slack] == [
        "Scheduled: Database upgrade",
        headline(IT, "Scheduled", "Database upgrade"),
        "Identified: Elevated API error rates",
        headline(IT, "Identified", ITALIAN_TITLE),
        "Resolved: Elevated API error rates",
        headline(IT, "Resolved", ITALIAN_TITLE),
    ]
    assert [b["blocks"][1]["text"]["text"] for b in slack[1::2]] == [
        "We will upgrade the primary database; writes pause for up to 10 minutes.",
        "Un rilascio difettoso del limitatore. Lo annulliamo.",
        "Error rates have been normal since 15:12 UTC.",  # not translated: the default's
    ]
    db_it = SITE + "it/incidents/2025-12-01-db-upgrade/"
    span = window(IT, "1 dic 2025, 03:00 CET", "05:00 CET")
    affected, view = IT.gettext("Affected"), IT.gettext("View incident")
    assert slack[1]["blocks"][2]["elements"][0]["text"] == (
        f"{affected}: Database, Public API · {IT.gettext('Window')}: {span} · <{db_it}|{view}>"
    )
    assert slack[3]["blocks"][2]["elements"][0]["text"] == (
        f"{affected}: Public API · <{SITE}it/incidents/{API_ID}/|{view}>"
    )

    mails = [m for _, _, m in history.mailbox.envelopes]
    assert [m["Subject"] for m in mails] == [
        f"[Example Status] {headline(DE, 'Scheduled', 'Database upgrade')}",
        f"[Example Status] {headline(DE, 'Identified', 'Elevated API error rates')}",
        f"[Example Status] {headline(DE, 'Resolved', 'Elevated API error rates')}",
    ]
    assert mails[0]["Message-ID"] == "<2025-12-01-db-upgrade.20251103t143000z.de@status.example.com>"
    plain, html = mails[0].get_body(("plain",)), mails[0].get_body(("html",))
    assert plain is not None and html is not None
    german = window(DE, "01.12.2025, 03:00 CET", "05:00 CET")
    # The site is not published in German: the link leads to the default pages.
    assert (
        plain.get_content()
        .replace("\r\n", "\n")
        .endswith(f"\n{DE.gettext('Window')}: {german}\n{SITE}incidents/2025-12-01-db-upgrade/\n")
    )
    page = html.get_content().replace("\r\n", "\n")
    assert page.startswith('<!DOCTYPE html>\n<html lang="de" dir="ltr">\n')
    # Its English title and message are marked as English.
    assert '<span lang="en" dir="ltr">Database upgrade</span>' in page
    assert '<div lang="en" dir="ltr"><p>We will upgrade the primary database; writes pause' in page

    record = record_of(history)
    assert sorted(record["targets"]) == [
        "email:SMTP_URL:to=oncall@example.com:language=de",
        "slack:SLACK_URL",
        "slack:SLACK_URL:language=it",
        "webhook:HOOK_URL",
        "webhook:HOOK_URL:language=it",
    ]
    code, out, _ = history.notify(capsys)
    assert code == 0
    assert out[-1] == summary(history, "0 delivered, 0 failed, 15 skipped")
    assert (len(history.endpoints.requests), len(history.mailbox.envelopes)) == (12, 3)


def test_naming_the_default_language_on_a_target_sends_it_nothing_again(
    history: History, capsys: pytest.CaptureFixture[str]
) -> None:
    history.notify(capsys)
    before = record_of(history)
    explicit = TARGETS.replace("url_env: SLACK_URL\n", "url_env: SLACK_URL\n    language: en\n")
    assert explicit != TARGETS
    history.repo.config(CONFIG + explicit)
    code, out, _ = history.notify(capsys)
    assert code == 0
    assert out == [line.replace("delivered", "skipped: already delivered") for line in ALL_DELIVERED] + [
        summary(history, "0 delivered, 0 failed, 13 skipped")
    ]
    assert requests_by_endpoint(history) == {"hook": 3, "slack": 3, "discord": 1, "teams": 3, "web": 0}
    assert record_of(history) == before


def test_dry_run_previews_each_target_in_its_language(
    in_languages: History, capsys: pytest.CaptureFixture[str]
) -> None:
    history = in_languages
    code, out, _ = history.notify(capsys, "--dry-run", since=history.commits[1])
    assert code == 0
    assert [line for line in out if line and not line.startswith(" ")] == [
        *lines(RESOLVED_LINE, "would deliver", HOOK, HOOK_IT, SLACK, SLACK_IT, MAIL_DE),
        summary(history, "dry run, nothing sent: 5 to deliver, 0 skipped", since=1),
    ]

    def preview(target: str) -> list[str]:
        start = out.index(f"{RESOLVED_LINE} -> {target}: would deliver") + 1
        # The preview's lines are indented, but for its blank ones.
        end = next(i for i in range(start, len(out)) if out[i] and not out[i].startswith("    "))
        return [line.removeprefix("    ") for line in out[start:end]]

    assert json.loads("\n".join(preview(HOOK_IT))) == json.loads("\n".join(preview(HOOK)))
    italian = json.loads("\n".join(preview(SLACK_IT)))
    assert italian["blocks"][0]["text"]["text"] == headline(IT, "Resolved", ITALIAN_TITLE)
    assert italian["blocks"][2]["elements"][0]["text"].endswith(
        f"<{SITE}it/incidents/{API_ID}/|{IT.gettext('View incident')}>"
    )
    mail = preview(MAIL_DE)
    assert mail[:5] == [
        f"Subject: [Example Status] {headline(DE, 'Resolved', 'Elevated API error rates')}",
        "From: status@example.com",
        "To: oncall@example.com",
        "",
        headline(DE, "Resolved", "Elevated API error rates"),
    ]
    assert f"{DE.gettext('Affected')}: Public API" in mail
    assert history.endpoints.requests == [] and history.mailbox.attempts == 0
