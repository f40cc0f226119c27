"""Following and embedding the page in a real browser: embed.js on a host page of another origin,
the embed/ page in an iframe, and the subscribe/ page; at 375 and 1280 pixels, light and dark.

Screenshots go to ``screenshots/`` of the results folder (see tests/chromium.py)."""

from __future__ import annotations

import gzip
import http.server
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize

from chromium import DESKTOP, PHONE, SCHEMES, Scheme, axe, chromium, results_folder, serve_folder, shot
from conftest import CONFIG, DEMO_NOW, INCIDENT, Repo, copy_demo
from statusgen.cli import main

pytestmark = pytest.mark.browser

DEVICES: dict[str, ViewportSize] = {"phone": PHONE, "desktop": DESKTOP}


class _StatusHost(http.server.SimpleHTTPRequestHandler):
    """A static host of a status site that lets any origin read its API, as the README asks."""

    def end_headers(self) -> None:
        if self.path.startswith("/api/"):
            self.send_header("Access-Control-Allow-Origin", "*")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    with serve_folder(folder, _StatusHost) as url:
        yield url


@dataclass
class Sites:
    browser: Browser
    outage: str  # the demo: an incident open
    calm: str  # all systems operational
    broken: str  # embed.js with no API beside it
    host: Path  # where host pages are written, served on its own origin
    host_base: str
    results: Path


HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark"><title>Host</title><link rel="icon" href="data:,">
<style>body {{ font-family: sans-serif; margin: 1rem; }}
@media (prefers-color-scheme: dark) {{ body {{ background: #222; color: #eee; }} }}</style>
</head><body>
<main><h1>A customer's dashboard</h1>
{body}
</main></body></html>
"""


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sites]:
    scratch = tmp_path_factory.mktemp("embed")
    demo = copy_demo(scratch / "demo", languages=False)
    assert main(["-C", str(demo.root), "build", "--out", str(scratch / "outage"), "--now", DEMO_NOW, "--no-cache"]) == 0
    calm = Repo(scratch / "calm")
    calm.config(CONFIG)
    calm.incident("2025-11-03-api-errors.md", INCIDENT)
    assert calm.build() == 0
    broken = scratch / "broken"
    broken.mkdir()
    (broken / "embed.js").write_bytes((calm.site / "embed.js").read_bytes())
    host = scratch / "host"
    host.mkdir()
    with (
        serve(scratch / "outage") as outage,
        serve(calm.site) as calm_base,
        serve(broken) as broken_base,
        serve(host) as host_base,
        chromium() as browser,
    ):
        yield Sites(browser, outage, calm_base, broken_base, host, host_base, results_folder(tmp_path_factory))


@contextmanager
def open_host(
    sites: Sites, name: str, body: str, scheme: Scheme = "light", viewport: ViewportSize = DESKTOP
) -> Iterator[tuple[Page, list[str]]]:
    """A host page on its own origin, with what went wrong in it (script errors, console messages
    other than a failed load the test asked for)."""
    (sites.host / f"{name}.html").write_text(HOST_PAGE.format(body=body), encoding="utf-8")
    context = sites.browser.new_context(viewport=viewport, color_scheme=scheme)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}"))
    try:
        with page.expect_response(lambda r: r.url.endswith("/api/v2/summary.json")):
            page.goto(f"{sites.host_base}{name}.html", wait_until="load")
        yield page, problems
    finally:
        context.close()


def script(base: str, mode: str | None = None) -> str:
    extra = f' data-mode="{mode}"' if mode else ""
    return f'<script src="{base}embed.js"{extra} async></script>'


def test_pill_says_all_is_well_on_a_calm_site(sites: Sites) -> None:
    with open_host(sites, "calm-pill", f"<p>Status: {script(sites.calm)}</p>") as (page, problems):
        pill = page.locator("[data-statusgen] .pill")
        pill.wait_for()
        assert pill.inner_text() == "All Systems Operational"
        assert pill.get_attribute("href") == sites.calm
        assert page.locator("[data-statusgen] svg.c-none").count() == 1
        assert problems == []


def test_pill_and_banner_show_the_open_incident(sites: Sites) -> None:
    body = '<div data-statusgen="banner"></div><p>Status: <span data-statusgen="pill"></span></p>'
    with open_host(sites, "outage", body + script(sites.outage)) as (page, problems):
        pill = page.locator("[data-statusgen] .pill")
        pill.wait_for()
        assert pill.inner_text() == "Major Service Outage"
        banner = page.locator("[data-statusgen=banner] .banner")
        assert banner.count() == 1
        assert banner.get_attribute("role") == "status"
        link = banner.locator("a")
        assert link.inner_text() == "Webhook deliveries failing"
        assert link.get_attribute("href") == f"{sites.outage}incidents/2026-11-23-webhook-delivery-failures/"
        assert banner.locator(".st").inner_text() == "Identified"
        assert problems == []


def test_banner_shows_nothing_when_all_is_well(sites: Sites) -> None:
    body = f'<div data-statusgen="banner"></div><p><span data-statusgen="pill"></span></p>{script(sites.calm)}'
    with open_host(sites, "calm-banner", body) as (page, problems):
        # Both are made at once from one answer: once the pill is there, the banner had its turn.
        page.locator("[data-statusgen] .pill").wait_for()
        assert page.locator("[data-statusgen=banner] .banner").count() == 0
        assert page.evaluate("document.querySelector('[data-statusgen=banner]').shadowRoot") is None
        assert problems == []


def test_banner_mode_of_the_script_alone_puts_the_banner_first_in_the_page(sites: Sites) -> None:
    with open_host(sites, "outage-banner", f"<p>Hello.</p>{script(sites.outage, 'banner')}") as (page, problems):
        page.locator("[data-statusgen=banner] .banner").wait_for()
        assert page.evaluate("document.body.firstElementChild.getAttribute('data-statusgen')") == "banner"
        assert problems == []


def test_script_fails_silently_without_the_api(sites: Sites) -> None:
    with open_host(sites, "broken", f"<p>Status: {script(sites.broken)}</p>") as (page, problems):
        page.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
        assert page.locator("[data-statusgen]").count() == 0
        # The browser itself notes the failed load; the script adds nothing to it.
        assert [p for p in problems if "Failed to load resource" not in p] == []


def test_embed_js_is_under_3_kb_gzipped(sites: Sites) -> None:
    data = (sites.host.parent / "outage" / "embed.js").read_bytes()
    assert len(gzip.compress(data, 9)) < 3072


def _no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("device", DEVICES)
def test_host_page_with_pill_and_banner_reads_in_both_schemes(sites: Sites, scheme: Scheme, device: str) -> None:
    body = (
        f'<div data-statusgen="banner"></div><p>Our status: <span data-statusgen="pill"></span></p>'
        f'<iframe src="{sites.outage}embed/" title="Acme Status" width="320" height="60" style="border: 0"></iframe>'
        f"{script(sites.outage)}"
    )
    with open_host(sites, f"host-{scheme}-{device}", body, scheme, DEVICES[device]) as (page, problems):
        page.locator("[data-statusgen] .pill").wait_for()
        page.frame_locator("iframe").locator(".pill").wait_for()
        shot(page, sites.results / "screenshots", f"embed-host-{scheme}-{device}")
        _no_sideways_scroll(page)
        assert problems == []
        # (axe-core's messages to the frame of another origin are its own business.)
        assert axe(page)["violations"] == []


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("base", ["outage", "calm"])
def test_embed_page_fits_a_small_frame_and_passes_axe(sites: Sites, scheme: Scheme, base: str) -> None:
    context = sites.browser.new_context(viewport={"width": 320, "height": 60}, color_scheme=scheme)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: problems.append(m.text))
    try:
        page.goto(getattr(sites, base) + "embed/", wait_until="load")
        fits = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
        assert fits[0] <= 320 and fits[1] <= 60, fits
        colour = page.evaluate("getComputedStyle(document.querySelector('main')).backgroundColor")
        assert colour == ("rgb(255, 255, 255)" if scheme == "light" else "rgb(13, 17, 23)")
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgba(0, 0, 0, 0)"
        shot(page, sites.results / "screenshots", f"embed-{base}-{scheme}")
        assert page.locator("script").count() == 0
        assert problems == []
        assert axe(page)["violations"] == []
    finally:
        context.close()


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("device", DEVICES)
def test_subscribe_page_reads_in_both_schemes_without_sideways_scrolling(
    sites: Sites, scheme: Scheme, device: str
) -> None:
    context = sites.browser.new_context(viewport=DEVICES[device], color_scheme=scheme)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: problems.append(m.text))
    try:
        page.goto(sites.outage + "subscribe/", wait_until="load")
        shot(page, sites.results / "screenshots", f"subscribe-{scheme}-{device}")
        _no_sideways_scroll(page)
        assert page.locator("#c-webhooks").inner_text().startswith("Webhooks")
        assert axe(page)["violations"] == []
        assert problems == []
    finally:
        context.close()
