"""statusgen serve, driven for real: a server process, HTTP requests, and file edits."""

from __future__ import annotations

import http.client
import json
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from conftest import Repo


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(port: int, path: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def until(check, timeout: float = 15.0):
    """Poll ``check`` until it returns something true; bounded in time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = check()
        except OSError:
            result = None
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError("timed out")


def _interruptible() -> None:
    # A test run started in the background inherits SIGINT as ignored; Ctrl-C is what is tested.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture
def server(repo: Repo) -> Iterator[tuple[int, subprocess.Popen[str]]]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "statusgen", "-C", str(repo.root), "serve", "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=_interruptible)
    try:
        until(lambda: get(port, "/")[0] == 200)
        yield port, process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def test_serve_rebuilds_shows_errors_and_recovers(repo: Repo, server: tuple[int, subprocess.Popen[str]]) -> None:
    port, process = server
    status, page = get(port, "/incidents/2025-11-03-api-errors/")
    assert status == 200 and "Error rates are back to normal." in page
    assert "/__statusgen/wait" in page  # the reload script, in serve mode only
    generation = json.loads(get(port, "/__statusgen/wait?since=-1")[1])["generation"]

    # Left alone, the server stays idle: reading files for a build does not set off another one.
    time.sleep(1.0)
    settled = json.loads(get(port, "/__statusgen/wait?since=-1")[1])["generation"]
    time.sleep(1.0)
    assert json.loads(get(port, "/__statusgen/wait?since=-1")[1])["generation"] == settled
    generation = settled

    path = repo.root / "incidents/2025-11-03-api-errors.md"
    good = path.read_text()
    started = time.monotonic()
    path.write_text(good.replace("back to normal.", "back to normal, for real."))
    until(lambda: "for real" in get(port, "/incidents/2025-11-03-api-errors/")[1])
    assert time.monotonic() - started < 5
    state = json.loads(get(port, f"/__statusgen/wait?since={generation}")[1])
    assert state["error"] == "" and state["generation"] > generation

    path.write_text(good.replace("status: resolved", "status: resolvd"))
    def failed():
        found = json.loads(get(port, "/__statusgen/wait?since=-1")[1])
        return found if "resolvd" in found["error"] else None
    state = until(failed)
    expected = "incidents/2025-11-03-api-errors.md:11: unknown status 'resolvd' (did you mean 'resolved'?)"
    assert expected in state["error"]
    assert "for real" in get(port, "/incidents/2025-11-03-api-errors/")[1]  # the last good site

    path.write_text(good)
    until(lambda: json.loads(get(port, "/__statusgen/wait?since=-1")[1])["error"] == "")
    until(lambda: "for real" not in get(port, "/incidents/2025-11-03-api-errors/")[1])

    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=10)
    assert process.returncode == 0
    assert "Traceback" not in err
    assert "unknown status 'resolvd'" in err
    assert out.splitlines()[-1] == "stopped"
    assert f"at http://127.0.0.1:{port}/ (Ctrl-C to stop)" in out  # localhost unless --host says otherwise


@pytest.mark.parametrize("path", ["/../statusgen.yaml", "/%2e%2e/statusgen.yaml", "/..%2fstatusgen.yaml",
                                  "/incidents/../../incidents/2025-11-03-api-errors.md"])
def test_serve_refuses_paths_outside_the_site(server: tuple[int, subprocess.Popen[str]], path: str) -> None:
    port, _ = server
    status, body = get(port, path)
    assert status == 404
    assert "title: Elevated API error rates" not in body


def test_port_in_use_is_a_clear_error(repo: Repo, server: tuple[int, subprocess.Popen[str]]) -> None:
    port, _ = server
    done = subprocess.run([sys.executable, "-m", "statusgen", "-C", str(repo.root), "serve", "--port", str(port)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr and "Traceback" not in done.stderr
