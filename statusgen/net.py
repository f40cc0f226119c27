"""Talking HTTP within bounds: watched connections that an overall deadline shuts, and a GET
that fetches a document from another site safely.

A server can stall a client in two ways: say nothing (a per-read ``timeout`` ends that) or drip
its answer a byte at a time, each byte within any per-read timeout. Only an overall deadline
ends the second, and only by shutting the socket from another thread: a ``Deadline`` watches
every socket the connections below open and shuts them all when it passes.

``fetch`` reads what other sites publish, so it trusts none of it: only ``https://`` (or
``http://`` to this machine), a few redirects each checked like the first address, a size limit,
and one exception, ``FetchFailed``, whose text never shows an address's user name, password or
query.
"""

from __future__ import annotations

import http.client
import logging
import queue
import socket
import ssl
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, urljoin, urlsplit

from statusgen import __version__
from statusgen.inputs import is_loopback

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 2_000_000
MAX_PARALLEL = 8  # fetches under way at once in fetch_all
REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024
_REASON_CHARS = 100  # of a server's reason phrase: it is the server's text, shown to people


class Deadline:
    """The end of one attempt: once it passes, every socket being watched is shut down, so a
    read waiting on a receiver that drips its answer a byte at a time returns at once."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.at = time.monotonic() + seconds
        self.expired = False
        self._sockets: list[Callable[[], socket.socket | None]] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self.expire)
        self._timer.daemon = True

    def __enter__(self) -> Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()

    def left(self) -> float:
        """Seconds until the deadline; TimeoutError once it has passed."""
        left = self.at - time.monotonic()
        if left <= 0 or self.expired:
            self.expired = True
            raise TimeoutError("the deadline passed")
        return left

    def passed(self) -> bool:
        """Whether the deadline has passed (without raising, unlike ``left``)."""
        return self.expired or time.monotonic() >= self.at

    def watch(self, current: Callable[[], socket.socket | None]) -> None:
        """Shut down the socket ``current`` returns when the deadline passes (at once if it has)."""
        with self._lock:
            self._sockets.append(current)
            if not self.expired:
                return
        self._shut(current)

    def expire(self) -> None:
        """End it now (the timer calls this when the time is up): every watched socket is shut."""
        with self._lock:
            self.expired = True
            watched = list(self._sockets)
        for current in watched:
            self._shut(current)

    @staticmethod
    def _shut(current: Callable[[], socket.socket | None]) -> None:
        sock = current()
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # closed already


def bounded(timeout: Any, deadline: Deadline) -> float:
    """A connection's timeout, no later than the deadline: connecting is a single wait."""
    return min(timeout if isinstance(timeout, (int, float)) else deadline.seconds, deadline.left())


def _connect_watched(connection: WatchedConnection | WatchedTLSConnection, connect: Callable[[], None]) -> None:
    """Connect within the deadline, and have it shut the socket however far the exchange got."""
    deadline = connection.deadline
    connection.timeout = bounded(connection.timeout, deadline)
    deadline.watch(lambda: connection.sock)  # the socket being connected, or the TLS handshake
    connect()
    # urllib lets go of connection.sock once the headers are in (the response reads the body
    # through a file of its own), so the socket itself is watched too: it is what a body drips on.
    opened = connection.sock
    deadline.watch(lambda: opened)


class WatchedConnection(http.client.HTTPConnection):
    """An HTTP connection whose socket ``deadline`` shuts."""

    deadline: Deadline  # set on a subclass made for each attempt

    def connect(self) -> None:
        _connect_watched(self, super().connect)


class WatchedTLSConnection(http.client.HTTPSConnection):
    """An HTTPS connection whose socket ``deadline`` shuts."""

    deadline: Deadline  # set on a subclass made for each attempt

    def connect(self) -> None:
        _connect_watched(self, super().connect)


class WatchedHTTP(urllib.request.HTTPHandler):
    """urllib's handler of http:// with every connection watched by ``deadline``."""

    def __init__(self, deadline: Deadline):
        super().__init__()
        self.deadline = deadline

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        until = self.deadline

        class Watched(WatchedConnection):
            deadline = until

        return self.do_open(Watched, req)


class WatchedHTTPS(urllib.request.HTTPSHandler):
    """urllib's handler of https:// with every connection watched by ``deadline``."""

    def __init__(self, deadline: Deadline):
        super().__init__()
        self.deadline = deadline

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        until = self.deadline

        class Watched(WatchedTLSConnection):
            deadline = until

        return self.do_open(Watched, req, context=self._context)  # type: ignore[attr-defined]


class NoRedirects(urllib.request.HTTPRedirectHandler):
    """Hands a redirect back as an HTTPError: following one is the caller's decision (a webhook
    that redirects is misconfigured, and a fetch checks each new address before going there)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def opener(deadline: Deadline) -> urllib.request.OpenerDirector:
    """A urllib opener whose connections ``deadline`` watches and which follows no redirect."""
    # urllib still reads proxy settings from the environment; only the connections are watched.
    return urllib.request.build_opener(NoRedirects(), WatchedHTTP(deadline), WatchedHTTPS(deadline))


# --- fetching --------------------------------------------------------------------------------


class FetchFailed(Exception):
    """A document could not be fetched; ``reason`` is short, and safe to show: no user name,
    password or query of any address is in it. ``status`` is the HTTP status of an answer that
    was an error (None when there was no answer), and ``retry_after`` its Retry-After header."""

    def __init__(self, reason: str, status: int | None = None, retry_after: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after = retry_after


def shown(url: str) -> str:
    """``url`` as it is safe to show: scheme://host:port/path, without user name, password,
    query or fragment."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(an address that is not a valid URL)"
    try:
        port = parts.port
    except ValueError:  # shown without it
        port = None
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if port is not None:
        host += f":{port}"
    if not parts.scheme:
        return _printable(parts.path)
    if not parts.netloc and parts.scheme not in ("http", "https", "file", "ftp"):
        return f"{parts.scheme}:"  # data:, mailto: and the like: everything after is content
    return f"{parts.scheme}://{host}{_printable(parts.path)}"


def _printable(text: str, limit: int = 200) -> str:
    """``text`` without control characters, and cut at ``limit``: it is someone else's text."""
    clean = "".join(c if c.isprintable() else "?" for c in text)
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


@dataclass(frozen=True)
class _Address:
    url: str
    parts: SplitResult


def _checked(url: str, *, redirect_from: _Address | None = None) -> _Address:
    """``url`` when fetch may go there; FetchFailed (before any connection) when not."""
    what = "the redirect to" if redirect_from is not None else "the address"
    try:
        parts = urlsplit(url)
    except ValueError:
        raise FetchFailed(f"{what} {shown(url)} is not a valid URL") from None
    try:
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        raise FetchFailed(f"{what} {shown(url)} has a port that is not valid") from None
    if any(c.isspace() or not c.isprintable() for c in url):
        raise FetchFailed(f"{what} {shown(url)} is not a valid URL")
    host = parts.hostname or ""
    scheme = parts.scheme.lower()
    if not (scheme == "https" or (scheme == "http" and is_loopback(host))):
        raise FetchFailed(f"refused {what} {shown(url)} (only https://, or http:// to this machine, is fetched)")
    if not host:
        raise FetchFailed(f"{what} {shown(url)} names no host")
    if parts.username is not None or parts.password is not None:
        # Public status documents need none, and a redirect must not carry them elsewhere.
        raise FetchFailed(f"refused {what} {shown(url)} (it holds a user name or password, which a fetch never sends)")
    if redirect_from is not None and is_loopback(host) and not is_loopback(redirect_from.parts.hostname or ""):
        # Another site's say-so must not reach the services of the machine running the build.
        raise FetchFailed(f"refused {what} {shown(url)} (a site elsewhere may not send a fetch to this machine)")
    try:
        host.encode("idna")
    except UnicodeError:
        raise FetchFailed(f"{what} {shown(url)} has a host name that is not valid") from None
    return _Address(url, parts)


def fetch(
    url: str,
    *,
    timeout: float,
    deadline: Deadline | float,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_redirects: int = 3,
    accept: str = "application/json",
    headers: Mapping[str, str] | None = None,
) -> bytes:
    """GET ``url`` and return its body; FetchFailed for every way that can fail.

    Only ``https://`` is fetched, or ``http://`` to this machine (127.0.0.0/8, ::1, localhost),
    and each of at most ``max_redirects`` redirects is checked the same way before it is
    followed. It gives up after ``timeout`` seconds without a byte, and once ``deadline`` passes
    (seconds from now, or a running ``Deadline`` shared with other fetches) whatever is under
    way: connecting, redirects, reading. A body over ``max_bytes`` is refused, unread when its
    Content-Length says so. ``headers`` are sent to ``url``'s scheme, host and port only: a
    redirect elsewhere never carries them (they may hold a key).
    """
    extra = dict(headers or {})
    if isinstance(deadline, Deadline):
        return _fetch(url, timeout, deadline, max_bytes, max_redirects, accept, extra)
    with Deadline(deadline) as own:
        return _fetch(url, timeout, own, max_bytes, max_redirects, accept, extra)


def overall_text(deadline: Deadline) -> str:
    """What a fetch cut off by ``deadline`` failed with."""
    return f"no answer within {deadline.seconds:g} s in all"


def _fetch(
    url: str, timeout: float, deadline: Deadline, max_bytes: int, max_redirects: int, accept: str, extra: dict[str, str]
) -> bytes:
    address = _checked(url)
    plain = {"User-Agent": f"statusgen/{__version__}", "Accept": accept}
    for hop in range(max_redirects + 1):
        same_origin = (address.parts.scheme, address.parts.netloc) == (urlsplit(url).scheme, urlsplit(url).netloc)
        headers = {**plain, **extra} if same_origin else plain
        if deadline.passed():
            raise FetchFailed(overall_text(deadline))
        try:
            location = _get(address, headers, timeout, deadline, max_bytes)
        except FetchFailed as failed:
            if hop == 0 or deadline.passed():
                raise
            raise FetchFailed(
                f"{failed.reason} (at {shown(address.url)}, redirected from {shown(url)})",
                failed.status,
                failed.retry_after,
            ) from None
        if isinstance(location, bytes):
            return location
        address = _checked(urljoin(address.url, location), redirect_from=address)
    raise FetchFailed(f"more than {max_redirects} redirects from {shown(url)}")


def _get(address: _Address, headers: dict[str, str], timeout: float, deadline: Deadline, max_bytes: int) -> bytes | str:
    """One request: the body, or the location a redirect names."""
    request = urllib.request.Request(address.url, headers=headers, method="GET")
    try:
        with opener(deadline).open(request, timeout=timeout) as response:
            return _body(response, timeout, deadline, max_bytes)
    except urllib.error.HTTPError as exc:
        with exc:
            status = f"HTTP {exc.code} {_printable(str(exc.reason), _REASON_CHARS)}".rstrip()
            if exc.code not in REDIRECTS:
                raise FetchFailed(status, exc.code, exc.headers.get("Retry-After")) from None
            location = exc.headers.get("Location")
            if not location:
                raise FetchFailed(f"{status} without a Location to go to") from None
            return str(location)
    except FetchFailed:
        raise
    except Exception as exc:
        raise _failure(exc, address, timeout, deadline, "no answer within") from None


def _body(response: http.client.HTTPResponse, timeout: float, deadline: Deadline, max_bytes: int) -> bytes:
    """The body of ``response``, at most ``max_bytes`` of it."""
    length = response.length  # None when the server sends no Content-Length (chunked, or until close)
    if length is not None and length > max_bytes:
        raise FetchFailed(f"the document is {length} bytes, over the limit of {max_bytes}")
    chunks: list[bytes] = []
    size = 0
    while True:
        try:
            chunk = response.read(min(_CHUNK, max_bytes + 1 - size))
        except Exception as exc:
            raise _failure(exc, None, timeout, deadline, "nothing more received for") from None
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if size > max_bytes:
            raise FetchFailed(f"the document is over the limit of {max_bytes} bytes")
    # A socket shut down at the deadline reads as the end of the body, which may look whole.
    if deadline.expired:
        raise FetchFailed(overall_text(deadline))
    return b"".join(chunks)


def _failure(exc: Exception, address: _Address | None, timeout: float, deadline: Deadline, quiet: str) -> FetchFailed:
    """The FetchFailed that says what ``exc`` (from urllib, http.client, socket or ssl) means."""
    cause: object = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if deadline.passed():
        return FetchFailed(overall_text(deadline))
    where = ""
    if address is not None:
        host, port = address.parts.hostname or "", address.parts.port
        where = f"[{host}]" if ":" in host else host
        where += f":{port}" if port is not None else ""
    if isinstance(cause, TimeoutError):
        return FetchFailed(f"{quiet} {timeout:g} s")
    if isinstance(cause, socket.gaierror):
        return FetchFailed(f"cannot look up the host {where}: {cause.strerror}")
    if isinstance(cause, ConnectionRefusedError):
        return FetchFailed(f"{where} refused the connection")
    if isinstance(cause, ssl.SSLCertVerificationError):
        return FetchFailed(f"the TLS certificate of {where} does not verify: {cause.verify_message}")
    if isinstance(cause, ssl.SSLError):
        return FetchFailed(f"the TLS handshake with {where} failed: {cause.reason or cause}")
    if isinstance(cause, (ValueError, http.client.InvalidURL)):  # http.client's checks of what it is to send
        return FetchFailed("the address is not a valid URL")
    if isinstance(cause, http.client.IncompleteRead):
        return FetchFailed("the connection closed before the whole document arrived")
    if isinstance(cause, http.client.HTTPException):
        return FetchFailed(f"the answer is not valid HTTP: {_printable(str(cause) or type(cause).__name__, 100)}")
    if isinstance(cause, OSError):
        return FetchFailed(f"the connection failed: {cause.strerror or type(cause).__name__}")
    log.debug("unexpected failure of a fetch", exc_info=exc)
    return FetchFailed(f"the fetch failed: {type(cause).__name__}")


def fetch_all(
    requests: Sequence[tuple[str, str, float]],
    deadline: float,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> dict[str, bytes | FetchFailed]:
    """Fetch each (key, url, timeout) of ``requests`` at once (at most ``MAX_PARALLEL`` at a
    time), each within its ``timeout`` in all and all within ``deadline`` seconds: the body or the
    FetchFailed of each key, in the order given. It returns by the deadline; a fetch unfinished
    then failed with the overall deadline."""
    keys = [key for key, _, _ in requests]
    if len(set(keys)) != len(keys):
        raise ValueError("each request needs a key of its own")
    pending: queue.SimpleQueue[tuple[str, str, float]] = queue.SimpleQueue()
    for request in requests:
        pending.put(request)
    results: dict[str, bytes | FetchFailed] = {}
    crashed: list[BaseException] = []
    finished = threading.Condition()

    def work(overall: Deadline) -> None:
        while True:
            try:
                key, url, timeout = pending.get_nowait()
            except queue.Empty:
                return
            try:
                # Each fetch has its timeout for all it does, within what is left of the whole: that
                # deadline ends it, before any wait for a single read could.
                left = overall.at - time.monotonic()
                if left <= 0:
                    value: bytes | FetchFailed = FetchFailed(overall_text(overall))
                else:
                    own: Deadline | float = timeout if timeout < left else overall
                    value = fetch(url, timeout=timeout + 1, deadline=own, max_bytes=max_bytes)
            except FetchFailed as failed:
                value = failed
            except BaseException as exc:  # a bug: raised again by the caller's thread
                crashed.append(exc)
                value = FetchFailed(f"the fetch failed: {type(exc).__name__}")
            with finished:
                results[key] = value
                finished.notify_all()

    with Deadline(deadline) as overall:
        for _ in range(min(MAX_PARALLEL, len(requests))):
            # Daemonic, so that a fetch the deadline could not stop never holds up the program's exit.
            threading.Thread(target=work, args=(overall,), daemon=True, name="statusgen-fetch").start()
        with finished:
            finished.wait_for(lambda: len(results) == len(keys), timeout=max(0.0, overall.at - time.monotonic()))
            done = dict(results)
        overall.expire()  # shuts what is still open now, not whenever the timer's thread gets its turn
    if crashed:
        raise crashed[0]
    late = FetchFailed(overall_text(overall))
    return {key: done[key] if key in done else late for key in keys}
