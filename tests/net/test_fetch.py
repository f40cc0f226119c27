"""Fetching documents of other sites: statusgen.net.fetch and fetch_all against a server on
127.0.0.1 that answers well, slowly, a byte at a time, with errors, too much, or redirects."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from statusgen import __version__, net
from statusgen.net import FetchFailed, fetch, fetch_all
from tls import tls_server

GOOD = json.dumps({"status": {"indicator": "none", "description": "All Systems Operational"}}).encode("utf-8")
LIMIT = 1000  # the max_bytes of the tests about size
LOOPBACK_NAMES = {"127.0.0.1", "localhost", "::1"}
ONLY = "(only https://, or http:// to this machine, is fetched)"


@dataclass
class Upstream:
    """The stand-in server: each request's path, and the headers of the last good one."""

    port: int = 0
    paths: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    stop: threading.Event = field(default_factory=threading.Event)
    drip: list[str] = field(default_factory=list)  # how each drip-fed answer ended
    in_flight: int = 0
    most_in_flight: int = 0
    arrived: threading.Condition = field(default_factory=threading.Condition)
    release: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def _routes(state: Upstream) -> dict[str, Callable[[BaseHTTPRequestHandler], None]]:
    def send(handler: BaseHTTPRequestHandler, status: int, body: bytes, **headers: str) -> None:
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name.replace("_", "-"), value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def redirect(status: int, location: str) -> Callable[[BaseHTTPRequestHandler], None]:
        return lambda handler: send(handler, status, b"", Location=location)

    def good(handler: BaseHTTPRequestHandler) -> None:
        state.headers = {name: handler.headers[name] for name in ("User-Agent", "Accept")}
        send(handler, 200, GOOD, Content_Type="application/json")

    def slow(handler: BaseHTTPRequestHandler) -> None:
        state.stop.wait(30)  # says nothing until the test is over

    def drip(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", "100")
        handler.end_headers()
        try:
            for _ in range(100):  # a byte each 0.2 s: 20 s in all, each well within any read timeout
                if state.stop.wait(0.2):
                    return
                handler.wfile.write(b"x")
            state.drip.append("answered")
        except OSError:
            state.drip.append("closed by the client")

    def announced_huge(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(LIMIT * 5))
        handler.end_headers()
        state.stop.wait(30)  # the body never comes: a client that waited for it would time out

    def chunked(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        try:
            while not state.stop.is_set():  # without end, until the client hangs up
                handler.wfile.write(b"64\r\n" + b"c" * 100 + b"\r\n")
        except OSError:
            pass

    def until_close(handler: BaseHTTPRequestHandler) -> None:
        handler.close_connection = True
        handler.send_response(200)
        handler.send_header("Connection", "close")
        handler.end_headers()  # no length: the body ends when the connection does
        try:
            while not state.stop.is_set():
                handler.wfile.write(b"u" * 100)
        except OSError:
            pass

    def held(handler: BaseHTTPRequestHandler) -> None:
        with state.arrived:
            state.in_flight += 1
            state.most_in_flight = max(state.most_in_flight, state.in_flight)
            state.arrived.notify_all()
        state.release.wait(30)
        with state.arrived:
            state.in_flight -= 1
        send(handler, 200, GOOD)

    return {
        "/good": good,
        "/slow": slow,
        "/drip": drip,
        "/error": lambda handler: send(handler, 500, b"oops"),
        "/missing": lambda handler: send(handler, 404, b"no such page"),
        "/teapot": lambda handler: send(handler, 418, b""),
        "/empty": lambda handler: send(handler, 204, b""),
        "/announced-huge": announced_huge,
        "/chunked-huge": chunked,
        "/until-close-huge": until_close,
        "/exactly-the-limit": lambda handler: send(handler, 200, b"e" * LIMIT),
        "/loop": redirect(302, "/loop?again=1"),
        "/moved": redirect(301, f"http://127.0.0.1:{state.port}/see-other?token=s3cret"),
        "/see-other": redirect(303, "temporary"),
        "/temporary": redirect(307, "/good"),
        "/to-missing": redirect(302, "/missing?token=s3cret"),
        "/to-file": redirect(302, "file:///etc/passwd"),
        "/to-example": redirect(302, "http://example.com/"),
        "/to-ftp": redirect(308, "ftp://127.0.0.1/summary.json"),
        "/to-credentials": redirect(302, f"http://bot:hunter2@127.0.0.1:{state.port}/good"),
        "/nowhere": lambda handler: send(handler, 302, b""),
        "/held": held,
    }


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    state = Upstream()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # for the chunked answer

        def do_GET(self) -> None:
            state.paths.append(self.path)
            routes[self.path.partition("?")[0]](self)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.port = server.server_address[1]
    routes = _routes(state)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield state
    state.stop.set()
    state.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def lookups(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every name looked up other than this machine's: each is refused, so no test reaches the
    network, and a test can tell that a refused address was never even looked up."""
    looked_up: list[str] = []
    real = socket.getaddrinfo

    def only_loopback(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host in LOOPBACK_NAMES:
            return real(host, *args, **kwargs)
        looked_up.append(str(host))
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", only_loopback)
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    return looked_up


def failure(url: str, **options: Any) -> str:
    """The reason fetch gives for ``url``."""
    options.setdefault("timeout", 5.0)
    options.setdefault("deadline", 10.0)
    with pytest.raises(FetchFailed) as failed:
        fetch(url, **options)
    assert str(failed.value) == failed.value.reason
    return failed.value.reason


def test_a_good_document_is_fetched_as_sent_with_statusgens_name(upstream: Upstream) -> None:
    assert fetch(upstream.url("/good"), timeout=5, deadline=10) == GOOD
    assert upstream.headers == {"User-Agent": f"statusgen/{__version__}", "Accept": "application/json"}
    assert fetch(upstream.url("/good"), timeout=5, deadline=10, accept="application/vnd.x+json") == GOOD
    assert upstream.headers["Accept"] == "application/vnd.x+json"
    assert fetch(upstream.url("/empty"), timeout=5, deadline=10) == b""
    assert fetch(upstream.url("/exactly-the-limit"), timeout=5, deadline=10, max_bytes=LIMIT) == b"e" * LIMIT


def test_localhost_and_a_running_deadline_serve_as_well(upstream: Upstream) -> None:
    with net.Deadline(10) as deadline:
        assert fetch(f"http://localhost:{upstream.port}/good", timeout=5, deadline=deadline) == GOOD


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/error", "HTTP 500 Internal Server Error"),
        ("/missing", "HTTP 404 Not Found"),
        ("/missing?token=s3cret", "HTTP 404 Not Found"),
        ("/teapot", "HTTP 418 I'm a Teapot"),
    ],
)
def test_an_error_status_names_its_code_and_reason(upstream: Upstream, path: str, reason: str) -> None:
    assert failure(upstream.url(path)) == reason


def test_a_server_that_says_nothing_is_left_after_the_timeout(upstream: Upstream) -> None:
    assert failure(upstream.url("/slow"), timeout=0.3) == "no answer within 0.3 s"


def test_a_server_dripping_its_answer_is_left_at_the_overall_deadline(upstream: Upstream) -> None:
    started = time.monotonic()
    reason = failure(upstream.url("/drip"), timeout=5.0, deadline=1.0)
    took = time.monotonic() - started
    assert reason == "no answer within 1 s in all"
    assert 1.0 <= took < 4.0  # 20 s for the whole body; each byte well within the timeout
    upstream.stop.set()


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/announced-huge", f"the document is {LIMIT * 5} bytes, over the limit of {LIMIT}"),
        ("/chunked-huge", f"the document is over the limit of {LIMIT} bytes"),
        ("/until-close-huge", f"the document is over the limit of {LIMIT} bytes"),
    ],
)
def test_a_document_over_the_limit_is_refused(upstream: Upstream, path: str, reason: str) -> None:
    # The announced one sends no body at all: had it been waited for, the timeout would end it.
    assert failure(upstream.url(path), max_bytes=LIMIT) == reason


@pytest.mark.parametrize(("limit", "requests"), [(3, 4), (1, 2), (0, 1)])
def test_a_redirect_loop_ends_at_the_limit(upstream: Upstream, limit: int, requests: int) -> None:
    reason = failure(upstream.url("/loop?token=s3cret"), max_redirects=limit)
    assert reason == f"more than {limit} redirects from {upstream.url('/loop')}"
    assert upstream.paths == ["/loop?token=s3cret"] + ["/loop?again=1"] * (requests - 1)


def test_redirects_to_a_good_document_are_followed(upstream: Upstream) -> None:
    assert fetch(upstream.url("/moved"), timeout=5, deadline=10) == GOOD
    assert upstream.paths == ["/moved", "/see-other?token=s3cret", "/temporary", "/good"]


def test_a_failure_after_a_redirect_says_where(upstream: Upstream) -> None:
    assert failure(upstream.url("/to-missing")) == (
        f"HTTP 404 Not Found (at {upstream.url('/missing')}, redirected from {upstream.url('/to-missing')})"
    )
    assert failure(upstream.url("/nowhere")) == "HTTP 302 Found without a Location to go to"


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/to-file", f"refused the redirect to file:///etc/passwd {ONLY}"),
        ("/to-example", f"refused the redirect to http://example.com/ {ONLY}"),
        ("/to-ftp", f"refused the redirect to ftp://127.0.0.1/summary.json {ONLY}"),
        (
            "/to-credentials",
            "refused the redirect to http://127.0.0.1:{port}/good "
            "(it holds a user name or password, which a fetch never sends)",
        ),
    ],
)
def test_a_redirect_that_may_not_be_followed_is_refused_before_going_there(
    upstream: Upstream, lookups: list[str], path: str, reason: str
) -> None:
    assert failure(upstream.url(path)) == reason.format(port=upstream.port)
    assert upstream.paths == [path]
    assert lookups == []


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", f"refused the address file:///etc/passwd {ONLY}"),
        ("ftp://user:pw@example.com/summary.json?k=1", f"refused the address ftp://example.com/summary.json {ONLY}"),
        ("data:application/json,{}", f"refused the address data: {ONLY}"),
        (
            "http://example.com/api/v2/summary.json?key=s3cret",
            f"refused the address http://example.com/api/v2/summary.json {ONLY}",
        ),
        ("http://10.0.0.7:8080/summary.json", f"refused the address http://10.0.0.7:8080/summary.json {ONLY}"),
        (
            "status.example.com/api/v2/summary.json",
            f"refused the address status.example.com/api/v2/summary.json {ONLY}",
        ),
        (
            "https://bot:hunter2@status.example.com/api/v2/summary.json?token=s3cret",
            "refused the address https://status.example.com/api/v2/summary.json "
            "(it holds a user name or password, which a fetch never sends)",
        ),
        ("https://status.example.com:99999/", "the address https://status.example.com/ has a port that is not valid"),
        ("https://[::1/summary.json", "the address (an address that is not a valid URL) is not a valid URL"),
        ("https:///api/v2/summary.json", "the address https:///api/v2/summary.json names no host"),
        ("https://status.example.com/a b", "the address https://status.example.com/a b is not a valid URL"),
    ],
)
def test_an_address_that_may_not_be_fetched_is_refused_before_any_connection(
    lookups: list[str], url: str, reason: str
) -> None:
    assert failure(url) == reason
    assert lookups == []


def test_a_host_that_cannot_be_looked_up(lookups: list[str]) -> None:
    assert failure("https://status.invalid/api/v2/summary.json?token=s3cret") == (
        "cannot look up the host status.invalid: Name or service not known"
    )
    assert lookups == ["status.invalid"]


def test_a_closed_port_refuses_the_connection() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again at once: nothing listens there
    assert failure(f"http://127.0.0.1:{port}/api/v2/summary.json") == f"127.0.0.1:{port} refused the connection"


def test_a_remote_site_may_not_redirect_to_this_machine() -> None:
    # Checked before going there: another site's answer must not reach this machine's services.
    remote = net._checked("https://status.example.com/api/v2/summary.json")
    with pytest.raises(FetchFailed) as failed:
        net._checked("http://127.0.0.1:8080/admin?x=1", redirect_from=remote)
    assert failed.value.reason == (
        "refused the redirect to http://127.0.0.1:8080/admin (a site elsewhere may not send a fetch to this machine)"
    )
    local = net._checked("http://127.0.0.1:8080/summary.json")
    assert (
        net._checked("http://localhost:8081/other.json", redirect_from=local).url == "http://localhost:8081/other.json"
    )


@pytest.fixture
def untrusted_tls(tmp_path: Path) -> Iterator[int]:
    """A TLS server on 127.0.0.1 with a certificate no client trusts; yields its port."""
    with tls_server(tmp_path) as (port, _):
        yield port


def test_a_certificate_that_does_not_verify_is_a_failure(untrusted_tls: int) -> None:
    assert failure(f"https://127.0.0.1:{untrusted_tls}/api/v2/summary.json") == (
        f"the TLS certificate of 127.0.0.1:{untrusted_tls} does not verify: self-signed certificate"
    )


def reasons(results: dict[str, bytes | FetchFailed]) -> dict[str, bytes | str]:
    return {key: value.reason if isinstance(value, FetchFailed) else value for key, value in results.items()}


def test_fetch_all_returns_what_came_within_the_one_deadline(upstream: Upstream) -> None:
    started = time.monotonic()
    results = fetch_all(
        [
            ("slow", upstream.url("/slow"), 30.0),  # only the overall deadline ends it
            ("good", upstream.url("/good"), 5.0),
            ("failing", upstream.url("/missing"), 5.0),
            ("drip", upstream.url("/drip"), 30.0),
        ],
        deadline=2.0,  # time enough for the good one on a busy machine
    )
    took = time.monotonic() - started
    assert reasons(results) == {
        "slow": "no answer within 2 s in all",
        "good": GOOD,
        "failing": "HTTP 404 Not Found",
        "drip": "no answer within 2 s in all",
    }
    assert list(results) == ["slow", "good", "failing", "drip"]
    assert 2.0 <= took < 6.0


def test_fetch_all_of_nothing_is_nothing() -> None:
    assert fetch_all([], deadline=1.0) == {}


def test_fetch_all_gives_each_key_its_own_failure(upstream: Upstream) -> None:
    results = fetch_all(
        [("a", "file:///etc/passwd", 5.0), ("b", upstream.url("/error"), 5.0), ("c", upstream.url("/good"), 5.0)],
        deadline=10.0,
    )
    assert reasons(results) == {
        "a": f"refused the address file:///etc/passwd {ONLY}",
        "b": "HTTP 500 Internal Server Error",
        "c": GOOD,
    }


def test_fetch_all_fetches_at_most_eight_at_once(upstream: Upstream) -> None:
    before = set(threading.enumerate())
    outcome: list[dict[str, bytes | FetchFailed]] = []
    count = net.MAX_PARALLEL + 3
    requests = [(f"u{n}", upstream.url(f"/held?n={n}"), 10.0) for n in range(count)]
    caller = threading.Thread(target=lambda: outcome.append(fetch_all(requests, deadline=20.0)), daemon=True)
    caller.start()
    with upstream.arrived:
        assert upstream.arrived.wait_for(lambda: upstream.in_flight == net.MAX_PARALLEL, timeout=10)
    # Every worker is started before any request is made: more than eight would all be here.
    workers = [t for t in set(threading.enumerate()) - before if t.name == "statusgen-fetch"]
    assert len(workers) == net.MAX_PARALLEL
    assert all(worker.daemon for worker in workers)
    upstream.release.set()
    caller.join(15)
    assert reasons(outcome[0]) == {f"u{n}": GOOD for n in range(count)}
    assert upstream.most_in_flight == net.MAX_PARALLEL
    assert sorted(upstream.paths) == sorted(f"/held?n={n}" for n in range(count))


def test_fetch_all_wants_a_key_for_each() -> None:
    with pytest.raises(ValueError, match="each request needs a key of its own"):
        fetch_all([("a", "https://a.example/", 1.0), ("a", "https://b.example/", 1.0)], deadline=1.0)
