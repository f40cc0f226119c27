"""`statusgen import statuspage`: a page served on 127.0.0.1 in the shapes of Statuspage's public
v2 API and management API v1, imported, built and read back."""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from conftest import Repo
from statusgen.importers import statuspage
from statusgen.load.repository import load_repository

KEY = "sk-7f3a9c-do-not-print"
PAGE = "pg42"

GROUP = {
    "id": "g1",
    "name": "Core",
    "status": "operational",
    "group": True,
    "group_id": None,
    "components": ["c1", "c2"],
    "description": None,
}
COMPONENTS = [
    GROUP,
    {
        "id": "c1",
        "name": "API",
        "status": "operational",
        "group": False,
        "group_id": "g1",
        "description": "The public API.",
    },
    {"id": "c2", "name": "Gateway", "status": "operational", "group": False, "group_id": "g1", "description": None},
    {"id": "c3", "name": "Website", "status": "operational", "group": False, "group_id": None, "description": None},
]


def _update(status: str, body: str, at: str, *affected: tuple[str, str]) -> dict[str, Any]:
    return {
        "id": f"u-{at}",
        "status": status,
        "body": body,
        "created_at": at,
        "display_at": at,
        "affected_components": [
            {"code": name.lower(), "name": name, "old_status": "operational", "new_status": new}
            for name, new in affected
        ]
        or None,
    }


def _incident(
    ident: str,
    name: str,
    status: str,
    impact: str,
    updates: list[dict[str, Any]],
    components: list[str],
    postmortem: str | None = None,
) -> dict[str, Any]:
    resolved = updates[0]["created_at"] if status == "resolved" else None
    return {
        "id": ident,
        "name": name,
        "status": status,
        "impact": impact,
        "created_at": updates[-1]["created_at"],
        "resolved_at": resolved,
        "shortlink": f"https://stspg.io/{ident}",
        "incident_updates": updates,  # newest first, as the API lists them
        "components": [c for c in COMPONENTS if c["name"] in components],
        "postmortem_body": postmortem,
    }


INCIDENTS = [
    _incident(
        "i5",
        "Website errors",
        "monitoring",
        "critical",
        [
            _update("monitoring", "A fix is out.", "2025-06-20T09:30:00.000-05:00", ("Website", "partial_outage")),
            _update("investigating", "The site fails.", "2025-06-20T09:00:00.000-05:00", ("Website", "major_outage")),
        ],
        ["Website"],
    ),
    _incident(
        "i4",
        "Gateway down",
        "resolved",
        "major",
        [
            _update("resolved", "Back for good.", "2025-06-01T12:00:00.000Z", ("Gateway", "operational")),
            _update("investigating", "Down again.", "2025-06-01T11:00:00.000Z", ("Gateway", "major_outage")),
        ],
        ["Gateway"],
    ),
    _incident(
        "i3",
        "Login issues",
        "resolved",
        "none",
        [
            _update("resolved", "Logins work.", "2025-05-10T08:20:00.000Z"),
            _update("investigating", "Some logins fail.", "2025-05-10T08:00:00.000Z"),
        ],
        ["API"],
    ),
    _incident(
        "i2",
        "Slow API",
        "resolved",
        "minor",
        [
            _update("resolved", "Fast again.", "2025-04-02T09:15:00.000Z", ("API", "operational")),
            _update("investigating", "Requests are slow.", "2025-04-02T08:00:00.000Z", ("API", "degraded_performance")),
        ],
        ["API"],
    ),
    _incident(
        "i1",
        "Gateway down",
        "resolved",
        "major",
        [
            _update("resolved", "The gateway is back.", "2025-03-01T11:30:00.000Z"),
            _update("identified", "A bad deploy.", "2025-03-01T10:30:00.000Z", ("API", "partial_outage")),
            _update(
                "investigating",
                "The gateway does not answer.",
                "2025-03-01T10:00:00.000Z",
                ("Gateway", "major_outage"),
                ("API", "degraded_performance"),
            ),
        ],
        ["Gateway", "API"],
        postmortem="A deploy broke the gateway's routing.",
    ),
]
MAINTENANCE = {
    **_incident(
        "m1",
        "Database upgrade",
        "completed",
        "maintenance",
        [
            _update("completed", "Done.", "2025-05-20T04:00:00.000Z"),
            _update("scheduled", "We will upgrade the database.", "2025-05-13T10:00:00.000Z"),
        ],
        ["API"],
    ),
    "scheduled_for": "2025-05-20T02:00:00.000Z",
    "scheduled_until": "2025-05-20T04:00:00.000Z",
}
PER_PAGE = 2  # five incidents and a maintenance: three pages


class Server:
    """Statuspage's two APIs on 127.0.0.1, recording every request and the keys it was sent."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str | None]] = []
        self.throttled = False
        self.http = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http.server_address[1]}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                parts = urlsplit(self.path)
                server.requests.append((self.path, self.headers.get("Authorization")))
                status, body, headers = server.answer(parts.path, parse_qs(parts.query), self.headers)
                data = json.dumps(body).encode("utf-8")
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def answer(self, path: str, query: dict[str, list[str]], headers: Any) -> tuple[int, Any, dict[str, str]]:
        page = {"id": PAGE, "name": "Acme Status", "url": "https://status.acme.test", "time_zone": "Etc/UTC"}
        public = {
            "/api/v2/components.json": {"page": page, "components": COMPONENTS},
            # The public API has no postmortem bodies.
            "/api/v2/incidents.json": {
                "page": page,
                "incidents": [{k: v for k, v in i.items() if k != "postmortem_body"} for i in INCIDENTS],
            },
            "/api/v2/scheduled-maintenances.json": {"page": page, "scheduled_maintenances": [MAINTENANCE]},
        }
        if path in public:
            return 200, public[path], {}
        if headers.get("Authorization") != f"OAuth {KEY}":
            return 401, {"error": "Could not authenticate"}, {}
        number = int(query.get("page", ["1"])[0])
        per_page = int(query.get("per_page", ["100"])[0])
        lists: dict[str, list[dict[str, Any]]] = {
            f"/v1/pages/{PAGE}/components": [c for c in COMPONENTS if not c["group"]],
            f"/v1/pages/{PAGE}/component-groups": [
                {"id": "g1", "name": "Core", "components": ["c1", "c2"], "description": "The core."}
            ],
            f"/v1/pages/{PAGE}/incidents": [*INCIDENTS[:3], MAINTENANCE, *INCIDENTS[3:]],
        }
        if path not in lists:
            return 404, {"error": "Not found"}, {}
        if path.endswith("/incidents") and number == 2 and not self.throttled:
            self.throttled = True
            return 429, {"error": "Rate limited"}, {"Retry-After": "0"}
        return 200, lists[path][(number - 1) * per_page : number * per_page], {}


@pytest.fixture
def server() -> Iterator[Server]:
    running = Server()
    yield running
    running.http.shutdown()
    running.http.server_close()


@pytest.fixture
def target(tmp_path: Path) -> Repo:
    repo = Repo(tmp_path / "status")
    repo.root.mkdir()
    return repo


@pytest.fixture(autouse=True)
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(statuspage, "PER_PAGE", PER_PAGE)
    monkeypatch.setenv("STATUSPAGE_API_KEY", KEY)
    monkeypatch.delenv("STATUSPAGE_API_URL", raising=False)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _z(text: str) -> str:
    return datetime.fromisoformat(text).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# What the source says of each incident, in the built API's terms: newest first.
EXPECTED = sorted(
    (
        i["name"],
        i["status"],
        i["impact"],
        [(u["status"], _z(u["display_at"]), u["body"]) for u in i["incident_updates"]],
    )
    for i in INCIDENTS
)
FILES = [
    "2025-03-01-gateway-down.md",
    "2025-04-02-slow-api.md",
    "2025-05-10-login-issues.md",
    "2025-06-01-gateway-down.md",
    "2025-06-20-website-errors.md",
]


def _built(target: Repo) -> list[tuple[str, str, str, list[tuple[str, str, str]]]]:
    assert target.build("2025-07-01T00:00:00Z") == 0
    listed = json.loads(target.page("api/v2/incidents.json"))["incidents"]
    return sorted(
        (
            i["name"],
            i["status"],
            i["impact"],
            [(u["status"], u["created_at"], u["body"]) for u in i["incident_updates"]],
        )
        for i in listed
    )


def _no_key(target: Repo, *outputs: str) -> None:
    for text in outputs:
        assert KEY not in text
    for path in target.root.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path


def test_the_public_api_imported_and_built_lists_the_same_incidents(
    server: Server, target: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    assert target.run("import", "statuspage", "--url", server.url + "/") == 0
    out = capsys.readouterr().out
    assert "the public API lists only the 50 most recent incidents and the 50 most recent maintenances" in out
    assert "maintenance 'Database upgrade' (2025-05-20T02:00:00.000Z): maintenances are not imported" in out
    assert "import statuspage: 6 wrote, 0 unchanged, 0 skipped" in out
    assert "times without an offset" not in out
    assert sorted(p.name for p in (target.root / "incidents").iterdir()) == FILES
    repo = load_repository(target.root)
    assert [(c.id, c.name, c.group, c.description) for c in repo.config.components] == [
        ("api", "API", "Core", "The public API."),
        ("gateway", "Gateway", "Core", ""),
        ("website", "Website", None, ""),
    ]
    assert repo.config.site.title == "Acme Status"
    assert _built(target) == EXPECTED
    first = (target.root / "incidents" / "2025-03-01-gateway-down.md").read_text(encoding="utf-8")
    # The worst each update said: the gateway down, the API partial (after degraded).
    assert "components:\n  gateway: major_outage\n  api: partial_outage\n" in first
    assert "## Postmortem" not in first  # the public API publishes none
    website = (target.root / "incidents" / "2025-06-20-website-errors.md").read_text(encoding="utf-8")
    assert "2025-06-20T09:00:00-05:00" in website  # the offset it was given is kept
    login = (target.root / "incidents" / "2025-05-10-login-issues.md").read_text(encoding="utf-8")
    assert "components:\n  api: operational\n" in login  # named, with no status: the impact none's


def test_the_management_api_paged_through_a_429_lists_the_same_incidents(
    server: Server, target: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    assert target.run("import", "statuspage", "--page-id", PAGE, "--api-url", server.url) == 0
    captured = capsys.readouterr()
    assert server.throttled
    incident_pages = [p for p, _ in server.requests if p.startswith(f"/v1/pages/{PAGE}/incidents")]
    assert incident_pages == [
        f"/v1/pages/{PAGE}/incidents?page=1&per_page=2",
        f"/v1/pages/{PAGE}/incidents?page=2&per_page=2",  # 429, Retry-After: 0
        f"/v1/pages/{PAGE}/incidents?page=2&per_page=2",
        f"/v1/pages/{PAGE}/incidents?page=3&per_page=2",
        f"/v1/pages/{PAGE}/incidents?page=4&per_page=2",  # page 3 was full: page 4 is empty
    ]
    assert {auth for p, auth in server.requests} == {f"OAuth {KEY}"}
    assert "fetched page 2 of incidents (4 so far)\nfetched page 3 of incidents (6 so far)\n" in captured.err
    assert "maintenance 'Database upgrade'" in captured.out
    assert "50 most recent" not in captured.out
    assert sorted(p.name for p in (target.root / "incidents").iterdir()) == FILES
    assert [(c.id, c.group) for c in load_repository(target.root).config.components] == [
        ("api", "Core"),
        ("gateway", "Core"),
        ("website", None),
    ]
    first = (target.root / "incidents" / "2025-03-01-gateway-down.md").read_text(encoding="utf-8")
    assert first.endswith("---\n## Postmortem\n\nA deploy broke the gateway's routing.\n")
    assert _built(target) == EXPECTED
    _no_key(target, captured.out, captured.err)


def test_the_api_url_may_come_from_the_environment(
    server: Server, target: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STATUSPAGE_API_URL", server.url)
    assert target.run("import", "statuspage", "--page-id", PAGE, "--dry-run") == 0
    assert server.requests and not (target.root / "incidents").exists()


def test_a_rerun_writes_nothing_and_names_stay(
    server: Server, target: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    assert target.run("import", "statuspage", "--url", server.url) == 0
    before = snapshot(target.root / "incidents")
    capsys.readouterr()
    assert target.run("import", "statuspage", "--page-id", PAGE, "--api-url", server.url) == 0
    out = capsys.readouterr().out
    # Through the other API the postmortem arrives: only that file follows.
    assert "wrote incidents/2025-03-01-gateway-down.md" in out
    assert "import statuspage: 1 wrote, 4 unchanged, 0 skipped" in out  # no new component: statusgen.yaml as it was
    after = snapshot(target.root / "incidents")
    assert sorted(after) == sorted(before)
    assert {k for k in after if after[k] != before[k]} == {"2025-03-01-gateway-down.md"}


@pytest.mark.parametrize(
    ("key", "env"),
    [("wrong-key-123", "STATUSPAGE_API_KEY"), ("wrong-key-456", "MY_KEY")],
)
def test_a_refused_key_is_a_clear_error_that_writes_nothing(
    server: Server,
    target: Repo,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    key: str,
    env: str,
) -> None:
    monkeypatch.setenv(env, key)
    target.config()
    before = snapshot(target.root)
    assert target.run("import", "statuspage", "--page-id", PAGE, "--api-url", server.url, "--api-key-env", env) == 1
    captured = capsys.readouterr()
    assert captured.err == (
        f"error: GET {server.url}/v1/pages/{PAGE}/components: the API key was refused (HTTP 401) "
        "(check the key and the page id)\n"
    )
    assert key not in captured.out + captured.err
    assert snapshot(target.root) == before


def test_no_key_in_the_environment(
    target: Repo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STATUSPAGE_API_KEY")
    assert target.run("import", "statuspage", "--page-id", PAGE, "--api-url", "http://127.0.0.1:9") == 1
    assert capsys.readouterr().err.startswith("error: no API key in the environment variable STATUSPAGE_API_KEY (")
    assert snapshot(target.root) == {}


@pytest.mark.parametrize(
    "argv",
    [
        ["statuspage"],
        ["statuspage", "--url", "https://status.example.com/", "--page-id", PAGE],
        ["statuspage", "somewhere", "--url", "https://status.example.com/"],
        ["cstate", "--url", "https://status.example.com/"],
    ],
)
def test_options_that_do_not_fit_the_source(target: Repo, capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    assert target.run("import", *argv) == 1
    assert capsys.readouterr().err.startswith("error: import ")
    assert snapshot(target.root) == {}


def test_a_429_that_never_ends_gives_up_after_a_few_tries(
    server: Server, target: Repo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    waits: list[float] = []
    monkeypatch.setattr(statuspage.Client, "sleep", staticmethod(waits.append))
    monkeypatch.setattr(Server, "answer", lambda self, path, query, headers: (429, {}, {"Retry-After": "3600"}))
    assert target.run("import", "statuspage", "--url", server.url) == 1
    assert capsys.readouterr().err == (
        f"error: GET {server.url}/api/v2/components.json: "
        "still rate limited after 5 tries (HTTP 429) (try again later)\n"
    )
    assert waits == [60.0, 60.0, 60.0, 60.0]  # an hour asked for, a minute waited
    assert snapshot(target.root) == {}


def test_the_key_is_not_sent_on_to_another_address(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    other = Server()
    try:
        original = Server.answer

        def answer(
            self: Server, path: str, query: dict[str, list[str]], headers: Any
        ) -> tuple[int, Any, dict[str, str]]:
            if self is server and path.endswith("/component-groups"):
                return 302, {}, {"Location": f"{other.url}{path}"}
            if self is other:
                return 200, [], {}
            return original(self, path, query, headers)

        monkeypatch.setattr(Server, "answer", answer)
        source = statuspage.read_managed(PAGE, KEY, server.url)
        assert [auth for _, auth in other.requests] == [None]
        assert [c.group for c in source.components] == ["", "", ""]
    finally:
        other.http.shutdown()
        other.http.server_close()


def test_bad_documents_name_the_request(
    server: Server, target: Repo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = copy.deepcopy(INCIDENTS)
    broken[0]["incident_updates"][0]["display_at"] = "yesterday"
    monkeypatch.setattr(
        Server,
        "answer",
        lambda self, path, query, headers: (
            200,
            {"incidents": broken} if "incidents" in path else {"components": [], "scheduled_maintenances": []},
            {},
        ),
    )
    assert target.run("import", "statuspage", "--url", server.url) == 1
    assert capsys.readouterr().err == (
        "error: incident i5 (Website errors): unreadable time 'yesterday' "
        "(the API gives ISO 8601 times with an offset)\n"
    )
    assert snapshot(target.root) == {}
