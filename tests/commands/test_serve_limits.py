"""statusgen serve in this process, against raw sockets: hostile and half-sent requests, visitors
who leave mid-answer, the bound on connections, and builds that fail in every way.

Nothing here sleeps: each test waits on a socket, the server or the build state, with a timeout.
No file system watcher runs either: a test tells the site's watcher of each change it makes, as
watchdog would, and the build that change calls for runs at once (tests/commands/test_serve.py
watches for real).
"""

from __future__ import annotations

import http.client
import json
import logging
import re
import shutil
import socket
import socketserver
import struct
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileSystemEvent,
)

from conftest import CONFIG, Repo
from statusgen.commands import serve
from statusgen.commands.build import build

NOW = datetime(2025, 11, 10, 12, 0, tzinfo=UTC)
WAIT = 10.0  # the longest any step may take before the test fails
QUICK = serve.Limits(timeout=0.5, wait_seconds=WAIT)  # half-sent requests are closed after 0.5 s


@dataclass
class Running:
    site: serve.LiveSite
    server: serve.SiteServer
    reports: list[str] = field(default_factory=list)

    @property
    def port(self) -> int:
        return self.server.port

    def get(self, path: str, method: str = "GET") -> tuple[int, str, http.client.HTTPResponse]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=WAIT)
        try:
            connection.request(method, path)
            response = connection.getresponse()
            return response.status, response.read().decode("utf-8", "replace"), response
        finally:
            connection.close()

    def state(self, since: int = -1) -> dict[str, Any]:
        """The build state; with ``since``, once the build after that generation is done."""
        status, body, _ = self.get(f"/__statusgen/wait?since={since}")
        assert status == 200
        found = json.loads(body)
        assert isinstance(found, dict)
        return found

    def next_build(self, since: int) -> dict[str, Any]:
        found = self.state(since)
        assert found["generation"] == since + 1, "not one build followed the change"
        return found

    @property
    def watches(self) -> Watches:
        assert isinstance(self.site.observer, Watches)
        return self.site.observer

    def changed(self, *events: FileSystemEvent) -> None:
        """Tell the site's watcher of ``events``, as watchdog would; each build they call for runs now."""
        assert self.site.watcher is not None
        for event in events:
            self.site.watcher.dispatch(event)


class Watches:
    """Stands in for watchdog's Observer: keeps what is watched; the test tells of each change."""

    def __init__(self) -> None:
        self.active: dict[int, tuple[str, bool]] = {}  # watch -> (folder, recursive)
        self.made = 0

    def schedule(self, handler: object, path: str, recursive: bool = False) -> int:
        self.made += 1
        self.active[self.made] = (path, recursive)
        return self.made

    def unschedule(self, watch: int) -> None:
        del self.active[watch]

    def folders(self) -> dict[str, bool]:
        return dict(self.active.values())

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def join(self, timeout: float | None = None) -> None:
        pass


class Done:
    """A build that already ran, so nothing is left to cancel."""

    def cancel(self) -> None:
        pass


def at_once(delay: float, run: Callable[[], None]) -> Done:
    run()
    return Done()


@pytest.fixture
def start(repo: Repo) -> Iterator[Callable[..., Running]]:
    started: list[tuple[Running, threading.Thread]] = []

    def run(limits: serve.Limits = QUICK) -> Running:
        reports: list[str] = []
        site = serve.LiveSite(
            repo.root, repo.root / "site", reports.append, lambda: NOW, observer=Watches, later=at_once
        )
        server = site.start("127.0.0.1", 0, limits)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        running = Running(site, server, reports)
        started.append((running, thread))
        return running

    yield run
    for running, thread in started:
        running.server.shutdown()
        running.site.stop()
        thread.join(WAIT)


@pytest.fixture
def quiet(capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """The test's server prints nothing and logs nothing above debug level, no traceback at all."""
    caplog.set_level(logging.DEBUG, logger="statusgen")
    yield
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", "")
    assert [r.getMessage() for r in caplog.records if r.levelno > logging.DEBUG] == []


def raw(port: int, timeout: float = WAIT) -> socket.socket:
    client = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    return client


def closed_by_server(client: socket.socket) -> bool:
    """Whether the server closes the connection (within the socket's timeout) without a word."""
    try:
        return client.recv(1000) == b""
    except TimeoutError:
        return False


def reset(client: socket.socket) -> None:
    """Leave like a browser tab closed mid-download: the connection is reset, not closed."""
    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    client.close()


# --- requests no file can answer -----------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "status", "says"),
    [
        ("/%00", 400, "Bad request: the path holds a NUL character"),
        ("/incidents/%00/index.html", 400, "Bad request: the path holds a NUL character"),
        ("/index.html%00.txt", 400, "Bad request: the path holds a NUL character"),
        ("/__statusgen/wait?since=abc", 400, "Bad request: since must be a whole number, not 'abc'"),
        ("/__statusgen/wait?since=1.5", 400, "Bad request: since must be a whole number, not '1.5'"),
        ("/" + "a" * 256, 404, "<!doctype html>"),
        ("/incidents/" + "%C3%A9" * 128 + "/index.html", 404, "<!doctype html>"),
        ("/" + "b/" * 3000, 404, "<!doctype html>"),
    ],
    ids=[
        "nul",
        "nul in a folder",
        "nul before a suffix",
        "since not a number",
        "since a fraction",
        "segment of 256 bytes",
        "segment of 256 bytes in UTF-8",
        "path of 6000 bytes",
    ],
)
def test_requests_no_file_can_answer_get_a_clean_answer(
    start: Callable[..., Running], quiet: None, path: str, status: int, says: str
) -> None:
    running = start()
    found, body, _ = running.get(path)
    assert found == status
    assert body.startswith(says)
    assert running.get("/")[0] == 200  # and the server goes on


def test_a_visitor_leaving_mid_answer_costs_nothing(start: Callable[..., Running], quiet: None, repo: Repo) -> None:
    running = start()
    (repo.site / "big.bin").write_bytes(b"x" * 16_000_000)  # more than any socket buffer holds
    for _ in range(30):
        client = raw(running.port)
        client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        client.sendall(b"GET /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n")
        assert client.recv(100).startswith(b"HTTP/1.0 200 OK")  # the answer is under way
        reset(client)
    assert running.server.wait_idle(WAIT)
    assert running.get("/")[0] == 200


def test_a_page_left_while_it_waits_for_a_build_costs_nothing(start: Callable[..., Running], quiet: None) -> None:
    running = start()
    generation = running.state()["generation"]
    client = raw(running.port)
    client.sendall(f"GET /__statusgen/wait?since={generation} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
    assert running.site.state.wait_for_waiting(1, WAIT)
    reset(client)
    running.site.state.record("")  # the answer goes out to a connection that is gone
    assert running.server.wait_idle(WAIT)
    assert running.state()["generation"] == generation + 1


# --- slow and idle connections ---------------------------------------------------------------


@pytest.mark.parametrize(
    "sent",
    [b"", b"GET / HTTP/1.1\r\n", b"GET / HTTP/1.1\r\nHost: localhost\r\n", b"GE"],
    ids=["nothing", "request line", "some headers", "part of a line"],
)
def test_a_half_sent_request_is_closed_after_the_timeout(
    start: Callable[..., Running], quiet: None, sent: bytes
) -> None:
    running = start()
    client = raw(running.port)
    client.sendall(sent)
    assert closed_by_server(client)
    assert running.server.wait_idle(WAIT)


def test_a_request_dripping_in_is_closed_at_the_deadline_however_often_bytes_come(
    start: Callable[..., Running], quiet: None
) -> None:
    running = start(serve.Limits(timeout=0.5))
    client = raw(running.port, timeout=0.1)  # a byte every 0.1 s: each read would see one in time
    client.sendall(b"GET / HTTP/1.1\r\n")
    header = b"X-Drip: " + b"d" * 200
    for byte in header:  # 20 s of bytes, if the server let them come
        try:
            if client.recv(1000) == b"":
                break
        except TimeoutError:
            client.sendall(bytes([byte]))
    else:
        pytest.fail("the dripping request was never closed")
    assert running.server.wait_idle(WAIT)


def test_connections_beyond_the_bound_are_refused_until_one_is_free(start: Callable[..., Running], quiet: None) -> None:
    running = start(serve.Limits(timeout=WAIT * 3, connections=2, queue_seconds=0.05))
    held = [raw(running.port) for _ in range(2)]
    for client in held:
        client.sendall(b"GET / HTTP/1.1\r\n")  # and nothing more
    extra = raw(running.port)
    answer = b"".join(iter(lambda: extra.recv(1000), b""))
    assert answer == serve.BUSY
    assert answer.startswith(b"HTTP/1.1 503 Service Unavailable\r\n")
    for client in held:
        client.close()
    assert running.server.wait_idle(WAIT)
    assert running.get("/")[0] == 200


def test_ctrl_c_while_a_request_is_handed_to_its_thread_is_not_lost(
    start: Callable[..., Running], quiet: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    running = start(serve.Limits(timeout=WAIT, connections=2))
    running.server.shutdown()  # its loop stops; this test takes the requests itself
    handed = socketserver.ThreadingMixIn.process_request

    def interrupted(server: Any, request: Any, client_address: Any) -> None:
        handed(server, request, client_address)  # the thread is started
        assert server.wait_idle(WAIT)  # and has answered and freed its slot
        raise KeyboardInterrupt  # when Ctrl-C lands, before the call returns

    monkeypatch.setattr(socketserver.ThreadingMixIn, "process_request", interrupted)
    client = raw(running.port)
    client.sendall(b"GET / HTTP/1.0\r\n\r\n")
    with pytest.raises(KeyboardInterrupt):
        running.server._handle_request_noblock()  # type: ignore[attr-defined]
    assert b"".join(iter(lambda: client.recv(65536), b"")).startswith(b"HTTP/1.0 200 OK\r\n")
    client.close()
    # Both slots are free again, and no more than both.
    assert running.server.slots.acquire(timeout=0) and running.server.slots.acquire(timeout=0)
    assert not running.server.slots.acquire(timeout=0)


def test_pages_waiting_for_a_build_are_bounded_and_wait_a_bounded_time(
    start: Callable[..., Running], quiet: None
) -> None:
    running = start(serve.Limits(timeout=WAIT, waits=1, wait_seconds=0.2))
    generation = running.state()["generation"]
    # Nothing changes: the wait ends after wait_seconds with the same generation.
    assert running.state(generation) == {"generation": generation, "error": ""}

    running = start(serve.Limits(timeout=WAIT, waits=1, wait_seconds=WAIT * 3))
    generation = running.state()["generation"]
    first: list[dict[str, Any]] = []
    waiter = threading.Thread(target=lambda: first.append(running.state(generation)))
    waiter.start()
    assert running.site.state.wait_for_waiting(1, WAIT)
    status, body, response = running.get(f"/__statusgen/wait?since={generation}")
    assert (status, body, response.getheader("Retry-After")) == (503, "busy\n", "1")
    assert running.get("/")[0] == 200  # pages are still served
    running.site.state.record("")
    waiter.join(WAIT)
    assert first == [{"generation": generation + 1, "error": ""}]


# --- builds that fail -------------------------------------------------------------------------

BROKEN = "{% if %}\n"


def unstamped(page: str) -> str:
    """A page without the build generation its reload script waits after."""
    return re.sub(r"var seen = \d+;", "", page)


THEMED = CONFIG.replace("site:\n", "site:\n  theme: x\n")


def test_a_theme_broken_at_start_shows_the_error_and_a_fix_rebuilds(
    start: Callable[..., Running], quiet: None, repo: Repo
) -> None:
    repo.config(THEMED)
    template = repo.write("themes/x/templates/index.html", BROKEN)
    running = start()
    assert len(running.reports) == 1
    assert "Expected an expression" in running.reports[0]  # the template's own error, in one line
    assert running.reports[0].endswith("; serving a page showing the error until a build succeeds")
    state = running.state()
    assert "Expected an expression" in state["error"]
    status, page, _ = running.get("/")
    assert status == 503
    assert "<h1>The build failed</h1>" in page and "/__statusgen/wait" in page
    assert running.get("/incidents/2025-11-03-api-errors/")[0] == 503

    template.unlink()  # the theme falls back to the default template
    running.changed(FileDeletedEvent(str(template)))
    state = running.next_build(state["generation"])
    assert state["error"] == ""
    status, page, _ = running.get("/")
    assert status == 200 and "Example Status" in page
    good = page

    template.write_text(BROKEN, encoding="utf-8")  # broken again: the last good site stays
    running.changed(FileCreatedEvent(str(template)), FileModifiedEvent(str(template)))
    state = running.state()
    assert state["generation"] == 4  # one build for each change
    assert state["error"] != ""
    assert running.reports[-1].endswith("; still serving the last good site")
    status, page, _ = running.get("/")
    assert (status, unstamped(page)) == (200, unstamped(good))

    template.unlink()
    running.changed(FileDeletedEvent(str(template)))
    state = running.next_build(state["generation"])
    assert state["error"] == ""
    assert running.reports[-1].startswith(f"built {repo.site}")
    assert running.get("/")[0] == 200


@pytest.mark.parametrize(
    ("failure", "shown", "line"),
    [
        (
            RuntimeError("the renderer broke"),
            "RuntimeError: the renderer broke",
            "error: RuntimeError: the renderer broke (--debug shows where); still serving the last good site",
        ),
        (
            PermissionError(13, "Permission denied", "site/index.html"),
            "site/index.html: Permission denied",
            "error: site/index.html: Permission denied; still serving the last good site",
        ),
        (
            KeyError("component"),
            "KeyError: 'component'",
            "error: KeyError: 'component' (--debug shows where); still serving the last good site",
        ),
    ],
    ids=["a bug", "an OSError", "a KeyError"],
)
def test_any_failure_of_a_rebuild_is_reported_and_the_next_change_rebuilds(
    start: Callable[..., Running],
    quiet: None,
    caplog: pytest.LogCaptureFixture,
    repo: Repo,
    monkeypatch: pytest.MonkeyPatch,
    failure: Exception,
    shown: str,
    line: str,
) -> None:
    running = start()
    generation = running.state()["generation"]
    real = build
    calls: list[Path] = []

    def failing(root: Path, *args: Any, **kwargs: Any) -> Any:
        calls.append(root)
        if len(calls) == 1:
            raise failure
        return real(root, *args, **kwargs)

    monkeypatch.setattr(serve, "build", failing)
    incident = repo.root / "incidents/2025-11-03-api-errors.md"
    text = incident.read_text(encoding="utf-8")
    incident.write_text(text.replace("back to normal.", "back to normal, really."), encoding="utf-8")
    running.changed(FileModifiedEvent(str(incident)))
    state = running.next_build(generation)
    assert state["error"] == shown
    assert running.reports[-1] == line
    assert "really" not in running.get("/incidents/2025-11-03-api-errors/")[1]
    assert [r.exc_info[0] for r in caplog.records if r.exc_info] == [type(failure)]

    incident.write_text(text.replace("back to normal.", "back to normal, truly."), encoding="utf-8")
    running.changed(FileModifiedEvent(str(incident)))
    state = running.next_build(state["generation"])
    assert state["error"] == ""
    assert "truly" in running.get("/incidents/2025-11-03-api-errors/")[1]


@pytest.mark.parametrize("how", ["deleted and made again", "moved away and back", "moved into place"])
def test_edits_are_seen_after_the_incidents_folder_is_replaced(
    start: Callable[..., Running], quiet: None, repo: Repo, tmp_path: Path, how: str
) -> None:
    """A watch ends with its folder (a checkout deletes and makes folders again): the root's watch
    sees the folder appear, and the new folder is watched afresh."""
    running = start()
    root, page = str(repo.root), "/incidents/2025-11-03-api-errors/"
    incidents = repo.root / "incidents"
    assert running.watches.folders() == {root: False, str(incidents): True}
    first = running.watches.made
    since = running.state()["generation"]
    saved = tmp_path / "saved"
    shutil.copytree(incidents, saved)
    shutil.rmtree(incidents)
    if how == "deleted and made again":
        running.changed(DirDeletedEvent(str(incidents)))
    else:  # moved out of the repository, or aside within it
        running.changed(
            DirMovedEvent(
                str(incidents), str(tmp_path / "away") if how == "moved away and back" else root + "/incidents.old"
            )
        )
    since = running.next_build(since)["generation"]
    assert running.get(page)[0] == 404
    if how == "moved into place":  # an incidents.new made beside it, then renamed over
        shutil.copytree(saved, repo.root / "incidents.new")
        running.changed(DirCreatedEvent(root + "/incidents.new"))
        since = running.next_build(since)["generation"]
        (repo.root / "incidents.new").rename(incidents)
        running.changed(DirMovedEvent(root + "/incidents.new", str(incidents)))
    else:
        shutil.copytree(saved, incidents)
        running.changed(DirCreatedEvent(str(incidents)))
    since = running.next_build(since)["generation"]
    assert running.get(page)[0] == 200
    assert running.watches.folders() == {root: False, str(incidents): True}
    assert max(running.watches.active) > first  # the folder's watch is a new one

    path = incidents / "2025-11-03-api-errors.md"
    path.write_text(path.read_text().replace("Elevated API error rates", "Renamed after the checkout"))
    running.changed(FileModifiedEvent(str(path)))
    since = running.next_build(since)["generation"]
    assert "Renamed after the checkout" in running.get(page)[1]


def test_a_theme_folder_made_after_start_is_watched(start: Callable[..., Running], quiet: None, repo: Repo) -> None:
    repo.config(THEMED)
    running = start()
    root = str(repo.root)
    assert running.watches.folders() == {root: False, root + "/incidents": True}
    since = running.state()["generation"]
    template = repo.write("themes/x/templates/index.html", BROKEN)
    running.changed(DirCreatedEvent(root + "/themes"))
    assert running.watches.folders() == {root: False, root + "/incidents": True, root + "/themes": True}
    since = running.next_build(since)["generation"]
    assert "Expected an expression" in running.state()["error"]
    template.write_text("fixed theme page", encoding="utf-8")
    running.changed(FileModifiedEvent(str(template)))
    running.next_build(since)
    assert "fixed theme page" in running.get("/")[1]
