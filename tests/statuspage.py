"""Statuspage summary documents, written from the public API's shape, and a local server that
serves them (and misbehaves on request) on 127.0.0.1, for the upstream status tests."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PAGE_ID = "kctbh9vrtdwd"


def component(
    cid: str,
    name: str,
    status: str = "operational",
    updated: str = "2025-11-10T08:00:00.000Z",
    group_id: str | None = None,
    position: int = 1,
) -> dict[str, Any]:
    """A component as api/v2/summary.json lists it."""
    return {
        "id": cid,
        "name": name,
        "status": status,
        "created_at": "2017-01-31T20:05:05.370Z",
        "updated_at": updated,
        "position": position,
        "description": None,
        "showcase": True,
        "start_date": None,
        "group_id": group_id,
        "page_id": PAGE_ID,
        "group": False,
        "only_show_if_degraded": False,
    }


def group(cid: str, name: str, members: list[str], status: str = "operational") -> dict[str, Any]:
    found = component(cid, name, status)
    found.update(group=True, showcase=False, components=members)
    return found


def incident(iid: str, name: str, status: str = "investigating", impact: str = "minor") -> dict[str, Any]:
    return {
        "id": iid,
        "name": name,
        "status": status,
        "created_at": "2025-11-10T11:20:00.000Z",
        "updated_at": "2025-11-10T11:40:00.000Z",
        "monitoring_at": None,
        "resolved_at": None,
        "impact": impact,
        "shortlink": f"https://stspg.example/{iid}",
        "started_at": "2025-11-10T11:20:00.000Z",
        "page_id": PAGE_ID,
        "incident_updates": [],
        "components": [],
    }


def summary(
    components: list[dict[str, Any]] | None = None,
    incidents: list[dict[str, Any]] | None = None,
    maintenances: list[dict[str, Any]] | None = None,
    name: str = "GitHub",
) -> dict[str, Any]:
    """A summary document: GitHub's page, with its Git Operations and API Requests by default."""
    if components is None:
        components = [
            component("8l4ygp009s5s", "Git Operations", position=1),
            component("brv1bkgrwx7q", "API Requests", position=2),
            component("4230lsnqdsld", "Webhooks", position=3),
        ]
    return {
        "page": {
            "id": PAGE_ID,
            "name": name,
            "url": "https://www.githubstatus.com",
            "time_zone": "Etc/UTC",
            "updated_at": "2025-11-10T11:45:00.000Z",
        },
        "components": components,
        "incidents": incidents or [],
        "scheduled_maintenances": maintenances or [],
        "status": {"indicator": "none", "description": "All Systems Operational"},
    }


@dataclass
class Answer:
    """What the server answers at one path: a status, headers and a body, or ``behave``, which
    writes the whole answer itself (slowly, endlessly, or not at all)."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})
    behave: Callable[[BaseHTTPRequestHandler, threading.Event], None] | None = None


def document(data: object) -> Answer:
    return Answer(body=json.dumps(data).encode("utf-8"))


def silent(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
    """Never answer, until the server stops."""
    stop.wait(60)


def drip(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
    """Send the head, then a byte of the body every 0.2 s, never the end."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", "1000000")
    handler.end_headers()
    while not stop.wait(0.2):
        try:
            handler.wfile.write(b" ")
            handler.wfile.flush()
        except OSError:
            return


class Server:
    """A local server of Statuspage documents: ``answers`` maps a path to what it answers; every
    request's path is recorded in ``asked``."""

    def __init__(self) -> None:
        self.answers: dict[str, Answer] = {}
        self.asked: list[str] = []
        self.stop = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.asked.append(self.path)
                answer = owner.answers.get(self.path, Answer(404, b"not found", {"Content-Type": "text/plain"}))
                if answer.behave is not None:
                    answer.behave(self, owner.stop)
                    return
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def page(self, name: str, data: object) -> str:
        """Serve ``data`` as the summary of the page ``/NAME/``; the page's address."""
        self.answers[f"/{name}/api/v2/summary.json"] = document(data)
        return f"{self.base}/{name}/"

    def answer(self, name: str, answer: Answer) -> str:
        self.answers[f"/{name}/api/v2/summary.json"] = answer
        return f"{self.base}/{name}/"


@contextmanager
def serving() -> Iterator[Server]:
    server = Server()
    thread = threading.Thread(target=server.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stop.set()
        server.httpd.shutdown()
        server.httpd.server_close()
        thread.join(5)
