"""``statusgen serve``: build, serve on localhost, rebuild on change, reload open tabs.

The site is served from the output folder, which every build replaces in one step, so a request
never sees a half-written site. A build that fails keeps the last good site online and shows its
errors in the terminal and over every open page; the next good build clears them by itself.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from statusgen.build import build
from statusgen.errors import StatusgenError, ValidationFailed
from statusgen.writer import spare_dir

log = logging.getLogger(__name__)

DEBOUNCE_SECONDS = 0.1
WAIT_SECONDS = 25
EVENTS_PATH = "/__statusgen/wait"
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
    fetch("%s?since=" + seen).then(function (r) { return r.json(); }).then(function (s) {
      if (s.generation !== seen && !s.error) { location.reload(); return; }
      seen = s.generation; overlay(s.error); wait();
    }).catch(function () { setTimeout(wait, 1000); });
  }
  wait();
})();
</script>
"""


class BuildState:
    """The latest build's outcome, which request threads wait on."""

    def __init__(self) -> None:
        self.generation = 0
        self.error = ""
        self.changed = threading.Condition()

    def record(self, error: str) -> None:
        with self.changed:
            self.generation += 1
            self.error = error
            self.changed.notify_all()

    def wait(self, since: int, timeout: float) -> tuple[int, str]:
        with self.changed:
            self.changed.wait_for(lambda: self.generation != since, timeout=timeout)
            return self.generation, self.error


class Handler(SimpleHTTPRequestHandler):
    """Serves the output folder, adds the reload script to HTML, answers the build-wait endpoint."""

    state: BuildState
    site: Path

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        log.debug("%s " + format, self.address_string(), *args)

    def do_GET(self) -> None:  # noqa: N802 - the base class's name
        parts = urlsplit(self.path)
        if parts.path == EVENTS_PATH:
            since = int(parse_qs(parts.query).get("since", ["-1"])[0] or -1)
            generation, error = self.state.wait(since, WAIT_SECONDS)
            self._send(HTTPStatus.OK, "application/json", json.dumps(
                {"generation": generation, "error": error}).encode())
            return
        target = self._file(parts.path)
        if target is None:
            not_found = self.site / "404.html"
            body = not_found.read_bytes() if not_found.is_file() else b"Not found"
            self._send(HTTPStatus.NOT_FOUND, "text/html; charset=utf-8", self._inject(body))
            return
        body = target.read_bytes()
        kind = self.guess_type(str(target))
        if kind == "text/html":
            kind, body = "text/html; charset=utf-8", self._inject(body)
        self._send(HTTPStatus.OK, kind, body)

    def do_HEAD(self) -> None:  # noqa: N802 - the base class's name
        self.do_GET()

    def _file(self, url_path: str) -> Path | None:
        """The file for a URL path, never outside the output folder."""
        site = self.site.resolve()
        candidate = (site / unquote(url_path).lstrip("/")).resolve()
        if not candidate.is_relative_to(site):
            return None
        if candidate.is_dir():
            candidate = candidate / "index.html"
        return candidate if candidate.is_file() else None

    def _inject(self, body: bytes) -> bytes:
        script = RELOAD_SCRIPT % (self.state.generation, EVENTS_PATH.encode())
        at = body.rfind(b"</body>")
        return body[:at] + script + body[at:] if at != -1 else body + script

    def _send(self, status: HTTPStatus, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class Rebuilder(FileSystemEventHandler):
    """Rebuilds shortly after the last change, one build at a time."""

    def __init__(self, run: Callable[[], None], ignored: list[Path]):
        self.run = run
        self.ignored = [str(p) for p in ignored]
        self.timer: threading.Timer | None = None
        self.lock = threading.Lock()

    def relevant(self, path: str) -> bool:
        """Not the output, the cache, or an editor's or statusgen's own dot-file."""
        if not path or path.rsplit("/", 1)[-1].startswith("."):
            return False
        return not any(path == p or path.startswith(p + "/") for p in self.ignored)

    def on_any_event(self, event: FileSystemEvent) -> None:
        # Only changes count: a build reads every file, and reading must not start another build.
        if event.event_type not in ("created", "modified", "deleted", "moved"):
            return
        if event.is_directory and event.event_type == "modified":
            return
        paths = [str(event.src_path), str(getattr(event, "dest_path", "") or "")]
        if not any(self.relevant(p) for p in paths):
            return
        with self.lock:
            if self.timer is not None:
                self.timer.cancel()
            self.timer = threading.Timer(DEBOUNCE_SECONDS, self.run)
            self.timer.daemon = True
            self.timer.start()


def serve(root: Path, out: Path, host: str, port: int, report: Callable[[str], None],
          now: Callable[[], datetime] | None = None) -> None:
    """Serve until interrupted; ``report`` prints a line to the terminal."""
    clock = now or (lambda: datetime.now(UTC).replace(microsecond=0))
    state = BuildState()
    building = threading.Lock()

    def rebuild() -> None:
        with building:
            try:
                result = build(root, out, clock(), jobs=1)
            except ValidationFailed as exc:
                text = "\n".join(str(p) for p in exc.problems)
                report(text + f"\n{len(exc.problems)} error(s); still serving the last good site")
                state.record(text)
            except StatusgenError as exc:
                report(f"error: {exc}; still serving the last good site")
                state.record(str(exc))
            else:
                report(result.summary())
                state.record("")

    rebuild()
    handler = type("SiteHandler", (Handler,), {"state": state, "site": out})
    try:
        server = ThreadingHTTPServer((host, port), handler)
    except OSError as exc:
        raise StatusgenError(f"cannot listen on {host}:{port}: {exc.strerror or exc}", "", 0,
                             "choose another --port") from None
    server.daemon_threads = True
    observer = Observer()
    watcher = Rebuilder(rebuild, [out.absolute(), spare_dir(out.absolute()), (root / ".statusgen").absolute()])
    for folder, recursive in ((root, False), (root / "incidents", True), (root / "templates", True),
                              (root / "themes", True)):
        if folder.is_dir():
            observer.schedule(watcher, str(folder.absolute()), recursive=recursive)
    observer.start()
    report(f"serving {out} at http://{host}:{server.server_address[1]}/ (Ctrl-C to stop)")
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        report("stopped")
    finally:
        observer.stop()
        server.server_close()
        observer.join(timeout=2)

