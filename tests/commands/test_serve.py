"""statusgen serve, driven for real: a server process, HTTP requests, and file edits it sees through
watchdog. Each wait is on the server's build-wait endpoint, which answers once a build is done."""

from __future__ import annotations

import http.client
import json
import re
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from conftest import CONFIG, Repo

pytestmark = pytest.mark.slow  # each test starts statusgen serve in its own process


def get(port: int, path: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def state(port: int, since: int = -1) -> dict[str, Any]:
    """The build state; with ``since``, once the build after that generation is done (the server
    answers when it is, or after its wait of 25 s)."""
    found = json.loads(get(port, f"/__statusgen/wait?since={since}")[1])
    assert isinstance(found, dict)
    return found


def build_until(port: int, since: int, done: Callable[[], bool]) -> int:
    """The generation of the first build after ``since`` once ``done`` holds; an editor's write
    may come as more than one change, and so more than one build."""
    for _ in range(5):
        found = state(port, since)
        assert found["generation"] > since, "no build followed the change"
        since = found["generation"]
        if done():
            return since
    raise AssertionError("no build showed the change")


def _interruptible() -> None:
    # A test run started in the background inherits SIGINT as ignored; Ctrl-C is what is tested.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@dataclass
class Served:
    port: int
    process: subprocess.Popen[str]
    said: list[str]  # what it printed before serving


@pytest.fixture
def server(repo: Repo) -> Iterator[Served]:
    """``statusgen serve`` in its own process, on a port of its choosing, once it serves."""
    process = subprocess.Popen(
        [sys.executable, "-m", "statusgen", "-C", str(repo.root), "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_interruptible,
    )
    try:
        assert process.stdout is not None
        said = []
        for line in process.stdout:  # it says where it serves once it listens
            said.append(line)
            if serving := re.search(r" at http://127\.0\.0\.1:(\d+)/ \(Ctrl-C to stop\)$", line):
                break
        else:
            raise AssertionError(f"serve ended without serving: {said}")
        yield Served(int(serving[1]), process, said)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def test_serve_rebuilds_shows_errors_and_recovers(repo: Repo, server: Served) -> None:
    port, process = server.port, server.process
    assert server.said[0].startswith(f"built {repo.site}: ")
    status, page = get(port, "/incidents/2025-11-03-api-errors/")
    assert status == 200 and "Error rates are back to normal." in page
    assert "/__statusgen/wait" in page  # the reload script, in serve mode only
    generation = state(port)["generation"]
    assert generation == 1  # the first build; that reading files starts no build is tested in test_serve_watch.py

    path = repo.root / "incidents/2025-11-03-api-errors.md"
    good = path.read_text()
    path.write_text(good.replace("back to normal.", "back to normal, for real."))
    generation = build_until(port, generation, lambda: "for real" in get(port, "/incidents/2025-11-03-api-errors/")[1])
    assert state(port)["error"] == ""

    path.write_text(good.replace("status: resolved", "status: resolvd"))
    generation = build_until(port, generation, lambda: "resolvd" in state(port)["error"])
    expected = "incidents/2025-11-03-api-errors.md:11: unknown status 'resolvd' (did you mean 'resolved'?)"
    assert expected in state(port)["error"]
    assert "for real" in get(port, "/incidents/2025-11-03-api-errors/")[1]  # the last good site

    path.write_text(good)
    build_until(
        port,
        generation,
        lambda: state(port)["error"] == "" and "for real" not in get(port, "/incidents/2025-11-03-api-errors/")[1],
    )

    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=10)
    assert process.returncode == 0
    assert "Traceback" not in err
    assert "unknown status 'resolvd'" in err
    assert out.splitlines()[-1] == "stopped"
    assert server.said[-1].endswith(f" at http://127.0.0.1:{port}/ (Ctrl-C to stop)\n")  # localhost by default


def test_sigterm_stops_it_as_ctrl_c_does(server: Served) -> None:
    assert get(server.port, "/")[0] == 200
    server.process.send_signal(signal.SIGTERM)
    out, err = server.process.communicate(timeout=10)
    assert server.process.returncode == 0
    assert out.splitlines()[-1] == "stopped"
    assert err == ""


@pytest.mark.parametrize(
    "path",
    [
        "/../statusgen.yaml",
        "/%2e%2e/statusgen.yaml",
        "/..%2fstatusgen.yaml",
        "/incidents/../../incidents/2025-11-03-api-errors.md",
    ],
)
def test_serve_refuses_paths_outside_the_site(server: Served, path: str) -> None:
    port = server.port
    status, body = get(port, path)
    assert status == 404
    assert "title: Elevated API error rates" not in body


def test_port_in_use_is_a_clear_error(repo: Repo, server: Served) -> None:
    port = server.port
    done = subprocess.run(
        [sys.executable, "-m", "statusgen", "-C", str(repo.root), "serve", "--port", str(port)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr and "Traceback" not in done.stderr


@pytest.fixture
def bilingual(repo: Repo) -> Repo:
    repo.config(CONFIG.replace("  timezone:", "  languages: [it]\n  timezone:"))
    return repo


def test_a_missing_page_of_a_language_gets_that_languages_404(bilingual: Repo, server: Served) -> None:
    status, body = get(server.port, "/it/incidents/nowhere/")
    assert status == 404
    assert '<html lang="it" dir="ltr">' in body and "<title>Pagina non trovata · Example Status</title>" in body
    status, body = get(server.port, "/incidents/nowhere/")
    assert status == 404 and '<html lang="en" dir="ltr">' in body
    status, body = get(server.port, "/xx/nowhere")
    assert status == 404 and '<html lang="en" dir="ltr">' in body


def test_serve_lets_any_origin_read_the_api_and_nothing_else(server: Served) -> None:
    """embed.js and status widgets on other sites read the API across origins."""

    def allowed(path: str) -> tuple[int, str | None]:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        try:
            connection.request("GET", path, headers={"Origin": "http://127.0.0.2:8000"})
            response = connection.getresponse()
            response.read()
            return response.status, response.getheader("Access-Control-Allow-Origin")
        finally:
            connection.close()

    assert allowed("/api/v2/summary.json") == (200, "*")
    assert allowed("/api/v2/incidents/unresolved.json") == (200, "*")
    assert allowed("/api/uptime.json") == (200, "*")
    assert allowed("/") == (200, None)
    assert allowed("/feed.atom") == (200, None)
    assert allowed("/api/v2/missing.json") == (404, None)
