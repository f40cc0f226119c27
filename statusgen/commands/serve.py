"""``statusgen serve``: build, serve on localhost, rebuild on change, reload open tabs.

The site is served from the output folder, which every build replaces in one step, so a request
never sees a half-written site. A build that fails, for whatever reason, keeps the last good site
online (or, before any build has succeeded, a page showing the error) and shows its errors in
the terminal and over every open page; the next good build clears them by itself.

The server is bounded: a request's head must arrive within ``Limits.timeout`` (however slowly
its bytes drip in), at most ``Limits.connections`` are handled at once (more wait briefly, then
get a 503), and open tabs waiting for the next build hold at most ``Limits.waits`` of those.
A visitor who leaves mid-answer or sends a malformed request costs a log line at debug level.
"""

from __future__ import annotations

import errno
import html
import io
import json
import logging
import os
import re
import signal
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from statusgen.commands.build import build
from statusgen.errors import StatusgenError, ValidationFailed
from statusgen.output.writer import spare_dir

log = logging.getLogger(__name__)

DEBOUNCE_SECONDS = 0.1
EVENTS_PATH = "/__statusgen/wait"
# A folder a language of the site is published in, as the first part of a path: /it/, /pt-BR/.
_FOLDER = re.compile(r"[A-Za-z0-9_-]{2,16}")
# Injected into HTML in serve mode only: waits for the next build, then reloads or shows errors.
RELOAD_SCRIPT = b"""<script>
(function () {
  var seen = %d;
  function overlay(text) {
    var box = document.getElementById("statusgen-errors");
    if (!text) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("pre");
      box.id = "statusgen-errors";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;margin:0;padding:1rem;" +
        "background:#a40e26;color:#fff;font:14px/1.4 monospace;white-space:pre-wrap;z-index:99999";
      document.body.appendChild(box);
    }
    box.textContent = "statusgen: the last build failed; this is the last good site.\\n\\n" + text;
  }
  function wait() {
    fetch("%s?since=" + seen).then(function (r) { if (!r.ok) throw r; return r.json(); }).then(function (s) {
      if (s.generation !== seen && !s.error) { location.reload(); return; }
      seen = s.generation; overlay(s.error); wait();
    }).catch(function () { setTimeout(wait, 1000); });
  }
  wait();
})();
</script>
"""
BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
    b"Content-Length: 5\r\nRetry-After: 1\r\nConnection: close\r\n\r\nbusy\n"
)


@dataclass(frozen=True)
class Limits:
    """How much the server gives each visitor.

    ``timeout``: seconds a request's head (request line and headers) may take to arrive in all,
    and each later read or write. ``connections``: requests handled at once; one more waits up
    to ``queue_seconds`` for a free slot, then gets a 503. ``waits``: how many of those may be
    open pages waiting for the next build, each for up to ``wait_seconds``.
    """

    timeout: float = 10.0
    connections: int = 32
    queue_seconds: float = 0.5
    waits: int = 16
    wait_seconds: float = 25.0


LIMITS = Limits()


class BuildState:
    """The latest build's outcome, which request threads wait on."""

    def __init__(self) -> None:
        self.generation = 0
        self.error = ""
        self.waiting = 0  # request threads waiting for the next build
        self.changed = threading.Condition()

    def record(self, error: str) -> None:
        with self.changed:
            self.generation += 1
            self.error = error
            self.changed.notify_all()

    def wait(self, since: int, timeout: float) -> tuple[int, str]:
        """The generation and error once the build after ``since`` is done, or after ``timeout``."""
        with self.changed:
            self.waiting += 1
            self.changed.notify_all()
            try:
                self.changed.wait_for(lambda: self.generation != since, timeout=timeout)
            finally:
                self.waiting -= 1
            return self.generation, self.error

    def wait_for_waiting(self, count: int, timeout: float) -> bool:
        """Wait until ``count`` request threads wait for the next build; False after ``timeout``."""
        with self.changed:
            return self.changed.wait_for(lambda: self.waiting >= count, timeout=timeout)


class _HeadDeadline(io.RawIOBase):
    """The connection as read by a request handler: while ``until`` is set, every read waits at
    most until then, so a request head dripping in a byte at a time cannot hold a thread."""

    def __init__(self, connection: socket.socket, timeout: float, clock: Callable[[], float] = time.monotonic):
        super().__init__()
        self.connection = connection
        self.timeout = timeout
        self.clock = clock
        self.until: float | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.until is not None:
            left = self.until - self.clock()
            if left <= 0:
                raise TimeoutError("the request head did not arrive in time")
            self.connection.settimeout(min(left, self.timeout))
        return self.connection.recv_into(buffer)


class BadRequest(Exception):
    """A request no file can answer; the text says why."""


class Handler(SimpleHTTPRequestHandler):
    """Serves the output folder, adds the reload script to HTML, answers the build-wait endpoint."""

    state: BuildState
    site: Path
    limits: Limits
    waiting: threading.BoundedSemaphore
    _answered = False

    def setup(self) -> None:
        super().setup()  # with the socket timeout the class's ``timeout`` says (limits.timeout)
        self.rfile.close()  # read through the deadline below instead
        self._head = _HeadDeadline(self.connection, self.limits.timeout)
        self.rfile = io.BufferedReader(self._head)

    def handle_one_request(self) -> None:
        # The deadline covers the wait for a request too: an idle kept-alive connection is closed.
        self._head.until = self._head.clock() + self.limits.timeout
        self._answered = False
        super().handle_one_request()

    def parse_request(self) -> bool:
        ok = super().parse_request()
        self._head.until = None
        self.connection.settimeout(self.limits.timeout)
        return ok

    def handle(self) -> None:
        try:
            super().handle()
        except (ConnectionError, TimeoutError) as exc:  # the visitor left, or stalled
            log.debug("%s: connection dropped: %s", self.address_string(), exc)
            self.close_connection = True

    def finish(self) -> None:
        try:
            super().finish()
        except (ConnectionError, TimeoutError) as exc:
            log.debug("%s: connection dropped: %s", self.address_string(), exc)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        log.debug("%s " + format, self.address_string(), *args)

    def do_GET(self) -> None:  # noqa: N802 - the base class's name
        try:
            self._answer()
        except (ConnectionError, TimeoutError):
            raise  # handle() notes it; no answer can reach the visitor now
        except BadRequest as exc:
            self._send(HTTPStatus.BAD_REQUEST, "text/plain; charset=utf-8", f"Bad request: {exc}\n".encode())
        except Exception as exc:  # a bug must cost one request, not the visitor's connection
            log.debug("%s: answering %r failed", self.address_string(), self.path, exc_info=True)
            log.warning("answering %s failed: %s: %s", self.path[:200], type(exc).__name__, exc)
            if not self._answered:
                self._send(HTTPStatus.INTERNAL_SERVER_ERROR, "text/plain; charset=utf-8", b"Server error\n")
            self.close_connection = True

    def do_HEAD(self) -> None:  # noqa: N802 - the base class's name
        self.do_GET()

    def _answer(self) -> None:
        parts = urlsplit(self.path)
        if parts.path == EVENTS_PATH:
            self._wait(parts.query)
            return
        target = self._file(parts.path)
        if target is None and self.state.error and not (self.site / "index.html").is_file():
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, "text/html; charset=utf-8", self._error_page())
            return
        if target is None:
            not_found = self._not_found_page(parts.path)
            body = not_found.read_bytes() if not_found.is_file() else b"Not found"
            self._send(HTTPStatus.NOT_FOUND, "text/html; charset=utf-8", self._inject(body))
            return
        body = target.read_bytes()
        kind = self.guess_type(str(target))
        if kind == "text/html":
            kind, body = "text/html; charset=utf-8", self._inject(body)
        # The API is read by scripts of other sites (embed.js, status widgets), as a host of the
        # site must allow too: any origin may read it; it holds nothing the page does not show.
        shared = target.relative_to(self.site.resolve()).parts[:1] == ("api",) and target.suffix == ".json"
        self._send(HTTPStatus.OK, kind, body, shared=shared)

    def _not_found_page(self, path: str) -> Path:
        """The 404 page of the language the path is in (``/it/...``: ``it/404.html``), else the site's."""
        first = unquote(path).lstrip("/").split("/", 1)[0]
        if _FOLDER.fullmatch(first) and (self.site / first / "404.html").is_file():
            return self.site / first / "404.html"
        return self.site / "404.html"

    def _wait(self, query: str) -> None:
        """Answer once the build after ``since`` is done, or after ``wait_seconds`` anyway."""
        value = parse_qs(query).get("since", ["-1"])[0] or "-1"
        try:
            since = int(value)
        except ValueError:
            raise BadRequest(f"since must be a whole number, not {value[:40]!r}") from None
        if not self.waiting.acquire(blocking=False):
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, "text/plain; charset=utf-8", b"busy\n", retry_after=1)
            return
        try:
            generation, error = self.state.wait(since, self.limits.wait_seconds)
        finally:
            self.waiting.release()
        self._send(HTTPStatus.OK, "application/json", json.dumps({"generation": generation, "error": error}).encode())

    def _file(self, url_path: str) -> Path | None:
        """The file for a URL path, never outside the output folder; None for no such file
        (including names the file system cannot hold, such as a segment over 255 bytes)."""
        relative = unquote(url_path).lstrip("/")
        if "\x00" in relative:
            raise BadRequest("the path holds a NUL character")
        site = self.site.resolve()
        try:
            candidate = (site / relative).resolve()
            if not candidate.is_relative_to(site):
                return None
            if candidate.is_dir():
                candidate = candidate / "index.html"
            return candidate if candidate.is_file() else None
        except (OSError, ValueError):
            return None

    def _error_page(self) -> bytes:
        text = html.escape(self.state.error)
        page = (
            '<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>statusgen: the build '
            f"failed</title></head>\n<body>\n<h1>The build failed</h1>\n<p>No build has succeeded yet; this "
            f"page reloads once one does.</p>\n<pre>{text}</pre>\n</body>\n</html>\n"
        )
        return self._inject(page.encode("utf-8"))

    def _inject(self, body: bytes) -> bytes:
        script = RELOAD_SCRIPT % (self.state.generation, EVENTS_PATH.encode())
        at = body.rfind(b"</body>")
        return body[:at] + script + body[at:] if at != -1 else body + script

    def _send(
        self, status: HTTPStatus, kind: str, body: bytes, retry_after: int | None = None, shared: bool = False
    ) -> None:
        self._answered = True
        self.send_response(status)
        self.send_header("Content-Type", kind)
        if shared:
            self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        if retry_after is not None:
            self.send_header("Retry-After", str(retry_after))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class SiteServer(ThreadingHTTPServer):
    """A threading server that handles at most ``limits.connections`` requests at once."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[Handler], limits: Limits):
        self.limits = limits
        self.slots = threading.BoundedSemaphore(limits.connections)
        self.active = 0
        self.handing: set[int] = set()  # requests whose thread has not yet taken their slot
        self.idle = threading.Condition()
        super().__init__(address, handler)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def process_request(self, request: Any, client_address: Any) -> None:
        # Waiting here holds the next connections in the listen queue: that is the brief queue.
        if not self.slots.acquire(timeout=self.limits.queue_seconds):
            log.debug("%s: refused, %d requests in progress", client_address[0], self.limits.connections)
            self._refuse(request)
            return
        with self.idle:
            self.active += 1
            self.handing.add(id(request))
        try:
            super().process_request(request, client_address)
        except BaseException:
            # Ctrl-C can land while the thread is being started: the slot is released once, by
            # whichever of the two holds it, so the interrupt is not lost to a double release.
            with self.idle:
                ours = id(request) in self.handing
                self.handing.discard(id(request))
            if ours:
                self._done()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        with self.idle:
            self.handing.discard(id(request))
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._done()

    def _done(self) -> None:
        self.slots.release()
        with self.idle:
            self.active -= 1
            self.idle.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no request is being handled; False if some still are after ``timeout``."""
        with self.idle:
            return self.idle.wait_for(lambda: self.active == 0, timeout=timeout)

    def _refuse(self, request: socket.socket) -> None:
        try:
            request.setblocking(False)
            request.send(BUSY)
            # Read what the client sent already: closing with it unread would reset the
            # connection, and the client could lose the answer.
            for _ in range(16):
                if not request.recv(65536):
                    break
        except OSError:
            pass
        self.shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # The base class prints a traceback to stderr; a visitor's dropped connection is no news.
        log.debug("%s: request failed", client_address[0] if client_address else "?", exc_info=True)


class Pending(Protocol):
    """A build scheduled to run later, which a newer change cancels."""

    def cancel(self) -> None: ...


def _timer(delay: float, run: Callable[[], None]) -> Pending:
    timer = threading.Timer(delay, run)
    timer.daemon = True
    timer.start()
    return timer


class Rebuilder(FileSystemEventHandler):
    """Rebuilds shortly after the last change, one build at a time.

    ``later(delay, run)`` schedules ``run`` after ``delay`` seconds and returns what cancels it (a
    timer thread by default); each change cancels the build the one before it scheduled.
    """

    def __init__(
        self,
        run: Callable[[], None],
        ignored: list[Path],
        appeared: Callable[[str], None] | None = None,
        later: Callable[[float, Callable[[], None]], Pending] = _timer,
    ):
        self.run = run
        self.ignored = [str(p) for p in ignored]
        self.appeared = appeared  # told of each folder created or moved into place
        self.later = later
        self.timer: Pending | None = None
        self.lock = threading.Lock()

    def relevant(self, path: str) -> bool:
        """Not the output, the cache, or an editor's or statusgen's own dot-file."""
        if not path or path.rsplit("/", 1)[-1].startswith("."):
            return False
        return not any(path == p or path.startswith(p + "/") for p in self.ignored)

    def changes(self, event: FileSystemEvent) -> bool:
        """Whether ``event`` changes what a build reads (and so calls for a new build)."""
        # Only changes count: a build reads every file, and reading must not start another build.
        if event.event_type not in ("created", "modified", "deleted", "moved"):
            return False
        if event.is_directory and event.event_type == "modified":
            return False
        return any(self.relevant(p) for p in _paths(event))

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory and event.event_type in ("created", "moved") and self.appeared is not None:
            self.appeared(_paths(event)[-1])
        if not self.changes(event):
            return
        with self.lock:
            if self.timer is not None:
                self.timer.cancel()
            self.timer = self.later(DEBOUNCE_SECONDS, self.run)


def _paths(event: FileSystemEvent) -> list[str]:
    """The path an event is about, and the one it moved to, if it did."""
    moved_to = str(getattr(event, "dest_path", "") or "")
    return [str(event.src_path), moved_to] if moved_to else [str(event.src_path)]


def _failure(exc: BaseException) -> tuple[str, str]:
    """What a failed build shows over the pages, and the line said in the terminal before the
    note of what is being served."""
    if isinstance(exc, ValidationFailed):
        text = "\n".join(str(p) for p in exc.problems)
        return text, f"{text}\n{len(exc.problems)} error(s)"
    if isinstance(exc, StatusgenError):
        return str(exc), f"error: {exc}"
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        text = f"{where}{exc.strerror or exc}"
        return text, f"error: {text}"
    text = f"{type(exc).__name__}: {exc}".strip()
    return text, f"error: {text} (--debug shows where)"


# The folders a build reads besides the root's own files, each watched with all it holds
# (upstream/: where upstream status documents kept in the repository go).
WATCHED_FOLDERS = ("incidents", "templates", "themes", "upstream")


class LiveSite:
    """A running ``serve``: the server, the watcher and the builds; ``stop`` ends them.

    ``observer`` makes what watches the folders (watchdog's Observer) and ``later`` schedules a
    build after a change (see Rebuilder): both are given only to drive the site without a clock.
    """

    def __init__(
        self,
        root: Path,
        out: Path,
        report: Callable[[str], None],
        clock: Callable[[], datetime],
        observer: Callable[[], Any] = Observer,
        later: Callable[[float, Callable[[], None]], Pending] = _timer,
    ):
        self.root, self.out, self.report, self.clock = root, out, report, clock
        self.state = BuildState()
        self.building = threading.Lock()
        self.fetched = False
        self.server: SiteServer | None = None
        self.make_observer, self.later = observer, later
        self.observer: Any = None
        self.watcher: Rebuilder | None = None
        self._watches: dict[str, Any] = {}  # each watched folder's watch, by its absolute path

    def rebuild(self) -> None:
        """Build once; whatever goes wrong is reported, and the next change builds again."""
        with self.building:
            # The first good build fetches the upstream pages; rebuilds on each edit show what is kept.
            try:
                result = build(self.root, self.out, self.clock(), jobs=1, report=self.report, fetch=not self.fetched)
            except Exception as exc:  # any failure, expected or a bug, must leave the server running
                if not isinstance(exc, StatusgenError):
                    log.debug("the build failed", exc_info=True)
                text, line = _failure(exc)
                kept = (
                    "still serving the last good site"
                    if (self.out / "index.html").is_file()
                    else "serving a page showing the error until a build succeeds"
                )
                self.report(f"{line}; {kept}")
                self.state.record(text)
            else:
                self.fetched = True
                self.report(result.summary())
                self.state.record("")

    def start(self, host: str, port: int, limits: Limits) -> SiteServer:
        """Build, listen and watch; the caller runs ``serve_forever`` on what is returned."""
        self.rebuild()
        handler = type(
            "SiteHandler",
            (Handler,),
            {
                "state": self.state,
                "site": self.out,
                "limits": limits,
                "timeout": limits.timeout,
                "waiting": threading.BoundedSemaphore(limits.waits),
            },
        )
        try:
            self.server = SiteServer((host, port), handler, limits)
        except (socket.gaierror, OverflowError, ValueError, TypeError) as exc:  # no address; a NUL
            raise StatusgenError(
                f"cannot listen on {host}:{port}: {getattr(exc, 'strerror', None) or exc}", "", 0, _HOST_HINT
            ) from None
        except OSError as exc:
            hint = _HOST_HINT if exc.errno == errno.EADDRNOTAVAIL else "choose another --port"
            raise StatusgenError(f"cannot listen on {host}:{port}: {exc.strerror or exc}", "", 0, hint) from None
        self.observer = self.make_observer()
        out = self.out.absolute()
        watcher = Rebuilder(
            self.rebuild,
            [out, spare_dir(out), (self.root / ".statusgen").absolute()],
            appeared=lambda path: self._watch(watcher, path),
            later=self.later,
        )
        self.watcher = watcher
        self.observer.schedule(watcher, str(self.root.absolute()), recursive=False)
        for name in WATCHED_FOLDERS:
            self._watch(watcher, str((self.root / name).absolute()))
        self.observer.start()
        return self.server

    def _watch(self, watcher: Rebuilder, path: str) -> None:
        """Watch the folder at ``path`` afresh if it is one of WATCHED_FOLDERS and exists.

        A watch ends with its folder: once ``incidents/`` is deleted and made again (a checkout
        does that), edits in it would go unnoticed. The root's watch sees the folder appear and
        calls this; the rebuild that follows reads whatever was written before the new watch.
        """
        if path not in {str((self.root / name).absolute()) for name in WATCHED_FOLDERS}:
            return
        old = self._watches.pop(path, None)
        if old is not None:
            try:
                self.observer.unschedule(old)
            except KeyError:  # already gone with its folder
                pass
        if os.path.isdir(path):
            try:
                self._watches[path] = self.observer.schedule(watcher, path, recursive=True)
            except OSError as exc:  # removed again before it could be watched: its next creation is
                log.debug("cannot watch %s: %s", path, exc)

    def stop(self) -> None:
        """Stop watching and listening (after ``serve_forever`` has returned)."""
        if self.observer is not None:
            self.observer.stop()
        if self.server is not None:
            self.server.server_close()
        if self.observer is not None:
            self.observer.join(timeout=2)


_HOST_HINT = "give --host an address of this machine, e.g. 127.0.0.1"


def serve(
    root: Path,
    out: Path,
    host: str,
    port: int,
    report: Callable[[str], None],
    now: Callable[[], datetime] | None = None,
    limits: Limits = LIMITS,
) -> None:
    """Serve until interrupted; ``report`` prints a line to the terminal."""
    site = LiveSite(root, out, report, now or (lambda: datetime.now(UTC).replace(microsecond=0)))
    server = site.start(host, port, limits)
    report(f"serving {out} at http://{host}:{server.port}/ (Ctrl-C to stop)")
    # The server runs in a thread of its own and this one only waits, so Ctrl-C (or a SIGTERM)
    # always lands here, never in the middle of the server's handing a request to its thread.
    failed: list[BaseException] = []

    def run() -> None:
        try:
            server.serve_forever(poll_interval=0.2)
        except BaseException as exc:  # handed to the waiting thread, which raises it
            failed.append(exc)

    thread = threading.Thread(target=run, name="statusgen-server", daemon=True)
    terminate = _on_sigterm()
    thread.start()
    try:
        while thread.is_alive():
            thread.join(0.5)
    except KeyboardInterrupt:
        report("stopped")
    finally:
        server.shutdown()
        site.stop()
        if terminate is not None:
            signal.signal(signal.SIGTERM, terminate)
    if failed:
        raise failed[0]


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _on_sigterm() -> Any:
    """Make SIGTERM stop the server as Ctrl-C does; the handler it replaced, or None off the main
    thread (where signals cannot be handled)."""
    if threading.current_thread() is not threading.main_thread():
        return None
    previous = signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, _interrupt)
    return signal.SIG_DFL if previous is None else previous
