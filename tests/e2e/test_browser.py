"""The demo site in a real browser: clean loads, both colour schemes, a phone, the keyboard, axe-core.

Screenshots go to ``screenshots/`` for a person to look at, and the rule counts axe-core checked to
``axe.json``, in the folder STATUSGEN_TEST_RESULTS names, else in ``test-results/`` in pytest's
temporary folder of the run (/tmp/pytest-of-USER/pytest-N/): a test run writes nothing into the checkout.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, ViewportSize

from chromium import (
    DESKTOP,
    PHONE,
    PNG_SIGNATURE,
    SCHEMES,
    Scheme,
    Web,
    axe,
    chromium,
    results_folder,
    serve_folder,
    visit,
)
from chromium import shot as screenshot
from conftest import DEMO_NOW, copy_demo
from statusgen.cli import main

pytestmark = pytest.mark.browser

NOW = DEMO_NOW
PAGES = {
    "index": "",
    "open-incident": "incidents/2026-11-23-webhook-delivery-failures/",
    "postmortem": "incidents/2026-06-10-database-failover/",
    "component": "components/webhooks/",
    "history": "history/",
    "not-found": "404.html",
}
FOCUSABLE = 'a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])'


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web]:
    scratch = tmp_path_factory.mktemp("browser")
    site = scratch / "site"
    results = results_folder(tmp_path_factory)
    (results / "axe.json").unlink(missing_ok=True)
    demo = copy_demo(scratch / "demo")
    assert main(["-C", str(demo.root), "build", "--out", str(site), "--now", NOW, "--no-cache"]) == 0
    with serve_folder(site) as base, chromium() as browser:
        yield Web(site, base, browser, results)


def shot(web: Web, page: Page, name: str) -> Path:
    return screenshot(page, web.results / "screenshots", name)


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_cleanly_in_both_schemes_and_on_a_phone(web: Web, name: str) -> None:
    for scheme in SCHEMES:
        for device, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            with visit(web, PAGES[name], scheme=scheme, viewport=viewport) as seen:
                background = seen.page.evaluate("getComputedStyle(document.body).backgroundColor")
                assert background == ("rgb(255, 255, 255)" if scheme == "light" else "rgb(13, 17, 23)")
                path = shot(web, seen.page, f"{name}-{scheme}-{device}")
                assert seen.problems == [], f"{name} {scheme} {device}"
            assert path.read_bytes()[:8] == PNG_SIGNATURE


@pytest.mark.parametrize("name", PAGES)
def test_page_fits_a_phone_without_sideways_scrolling(web: Web, name: str) -> None:
    with visit(web, PAGES[name], viewport=PHONE) as seen:
        width, scroll, wide = seen.page.evaluate("""() => {
            const width = document.documentElement.clientWidth;
            const wide = [...document.querySelectorAll('body *')]
                .filter(el => el.getBoundingClientRect().width > width)
                .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : ''));
            return [width, document.documentElement.scrollWidth, wide];
        }""")
        assert (width, scroll, wide) == (375, 375, [])
        assert seen.problems == []


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_violations_in_either_scheme(web: Web, name: str) -> None:
    record_path = web.results / "axe.json"
    record = json.loads(record_path.read_text()) if record_path.is_file() else {}
    for scheme in SCHEMES:
        with visit(web, PAGES[name], scheme=scheme) as seen:
            result = axe(seen.page)
            assert result["violations"] == [], f"{name} {scheme}"
            assert result["incomplete"] == [], f"{name} {scheme}: left for a person to review"
            assert result["checked"] == result["rules"]
            assert result["rules"] == 63  # of axe-core as pinned in tests/tools/package-lock.json
            assert seen.problems == []
            record[f"{name}-{scheme}"] = result["checked"]
    record_path.parent.mkdir(parents=True, exist_ok=True)
    record_path.write_text(json.dumps(dict(sorted(record.items())), indent=2) + "\n")


TAB_STOP = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    const index = window.focusables.indexOf(el);
    const before = index < 0 ? null : window.unfocused[index];
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    const visible = before !== null && (
        (outline && (before.outline !== style.outlineStyle + ' ' + style.outlineWidth + ' ' + style.outlineColor))
        || style.boxShadow !== before.shadow);
    return {index, label: el.tagName.toLowerCase() + ' ' + (el.textContent || '').trim().slice(0, 40),
            visible, left: box.left, right: box.right, width: box.width, height: box.height,
            viewport: document.documentElement.clientWidth};
}"""
FOCUSABLES = """(selector) => {
    // What the page shows: on a phone the home page's bars hide their first 60 days, links and all.
    window.focusables = [...document.querySelectorAll(selector)].filter(el => el.checkVisibility());
    window.unfocused = window.focusables.map(el => {
        const style = getComputedStyle(el);
        return {outline: style.outlineStyle + ' ' + style.outlineWidth + ' ' + style.outlineColor,
                shadow: style.boxShadow};
    });
    return window.focusables.length;
}"""


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize(("scheme", "viewport"), [("light", DESKTOP), ("dark", PHONE)], ids=["desktop", "phone"])
def test_keyboard_reaches_every_link_with_a_visible_focus(
    web: Web, name: str, scheme: Scheme, viewport: ViewportSize
) -> None:
    with visit(web, PAGES[name], scheme=scheme, viewport=viewport) as seen:
        count = seen.page.evaluate(FOCUSABLES, FOCUSABLE)
        stops = []
        for _ in range(count):
            seen.page.keyboard.press("Tab")
            stops.append(seen.page.evaluate(TAB_STOP))
        assert [stop["index"] for stop in stops] == list(range(count)), "Tab skips a link or leaves the order"
        assert [stop["label"] for stop in stops if not stop["visible"]] == []
        assert [
            stop["label"]
            for stop in stops
            if not (
                0 <= stop["left"] and stop["right"] <= stop["viewport"] and stop["width"] > 0 and stop["height"] > 0
            )
        ] == [], "a focused link is off screen"
        assert stops[0]["label"] == "a Skip to content"
        assert seen.problems == []


def test_the_skip_link_appears_on_focus_and_skips_to_the_content(web: Web) -> None:
    with visit(web, PAGES["open-incident"], viewport=PHONE) as seen:
        skip = seen.page.locator("a.skip")
        hidden = skip.bounding_box()
        assert hidden is not None and hidden["x"] + hidden["width"] <= 0
        seen.page.keyboard.press("Tab")
        shown = skip.bounding_box()
        assert shown is not None and shown["x"] >= 0 and shown["y"] >= 0
        assert seen.page.evaluate("document.activeElement.className") == "skip"
        shot(web, seen.page, "open-incident-skip-link-focused")
        seen.page.keyboard.press("Enter")
        seen.page.keyboard.press("Tab")
        assert seen.page.evaluate("location.hash") == "#main"
        assert seen.page.evaluate("document.activeElement.closest('main') !== null")
        assert seen.page.evaluate("document.activeElement.textContent") == "Current status"
        assert seen.problems == []
