"""What customers read, in a real browser: the postmortem's summary at the top of its incident's
page and the link down to it, an open incident's duration and next update (on time, and overdue),
durations that never break across lines, and the home page's quiet days, at 375 and 1280 pixels,
light and dark, with axe-core and a screenshot of each.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, ViewportSize

from chromium import DESKTOP, PHONE, SCHEMES, Scheme, Web, axe, chromium, png_size, results_folder, serve_folder, visit
from chromium import shot as screenshot
from conftest import DEMO_NOW, copy_demo
from statusgen.cli import main

pytestmark = pytest.mark.browser

# The demo at its instant, and two hours on, when the open incident's update is overdue.
LATE = "2026-11-23T11:00:00Z"
POSTMORTEM = "now/incidents/2026-06-10-database-failover/"
OPEN = "now/incidents/2026-11-23-webhook-delivery-failures/"
OVERDUE = "late/incidents/2026-11-23-webhook-delivery-failures/"
PAGES = {
    "postmortem": POSTMORTEM,
    "open": OPEN,
    "overdue": OVERDUE,
    "home": "now/",
    "home-overdue": "late/",
    "history": "now/history/",
}
VIEWPORTS: dict[str, ViewportSize] = {"phone": PHONE, "desktop": DESKTOP}
COMBINATIONS = [(scheme, device) for scheme in SCHEMES for device in VIEWPORTS]


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web]:
    scratch = tmp_path_factory.mktemp("reading")
    sites = scratch / "sites"
    demo = copy_demo(scratch / "demo")
    for name, now in (("now", DEMO_NOW), ("late", LATE)):
        assert main(["-C", str(demo.root), "build", "--out", str(sites / name), "--now", now, "--no-cache"]) == 0
    with serve_folder(sites) as base, chromium() as browser:
        yield Web(sites, base, browser, results_folder(tmp_path_factory))


def shot(web: Web, page: Page, name: str) -> Path:
    path = screenshot(page, web.results / "screenshots", f"reading-{name}")
    assert png_size(path)[0] == page.viewport_size["width"]  # type: ignore[index]
    return path


def fits(page: Page) -> list[str]:
    """The elements wider than the viewport (none, on a page with no sideways scrolling)."""
    wide: list[str] = page.evaluate("""() => {
        const width = document.documentElement.clientWidth;
        const wide = [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().width > width)
            .map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''));
        if (document.documentElement.scrollWidth > width) wide.push('page');
        return wide;
    }""")
    return wide


@pytest.mark.parametrize(("scheme", "device"), COMBINATIONS)
def test_the_postmortem_summary_is_above_the_timeline_and_links_to_it(web: Web, scheme: Scheme, device: str) -> None:
    with visit(web, POSTMORTEM, scheme=scheme, viewport=VIEWPORTS[device]) as seen:
        page = seen.page
        box = page.locator(".postmortem-box").bounding_box()
        timeline = page.locator(".timeline").bounding_box()
        assert box is not None and timeline is not None
        assert box["y"] + box["height"] <= timeline["y"]
        assert page.locator(".postmortem-box h2").inner_text() == "Postmortem published"
        assert (
            page.locator(".postmortem-box .summary")
            .inner_text()
            .startswith("At 13:02 UTC the storage volume of our primary PostgreSQL server, db-1, stopped responding.")
        )
        shot(web, page, f"postmortem-{scheme}-{device}")
        page.get_by_role("link", name="Read the postmortem").click()
        assert page.evaluate("location.hash") == "#postmortem"
        heading = page.evaluate("""() => {
            const h = document.querySelector('#postmortem > h2');
            return [h.textContent, Math.round(h.getBoundingClientRect().top)];
        }""")
        assert heading[0] == "Postmortem"
        assert -1 <= heading[1] <= 1, "the link scrolls the postmortem's heading to the top"
        shot(web, page, f"postmortem-jumped-{scheme}-{device}")
        assert fits(page) == []
        assert seen.problems == []


@pytest.mark.parametrize(("scheme", "device"), COMBINATIONS)
def test_an_open_incident_says_how_long_and_when_the_next_update_comes(web: Web, scheme: Scheme, device: str) -> None:
    with visit(web, OPEN, scheme=scheme, viewport=VIEWPORTS[device]) as seen:
        page = seen.page
        assert page.locator(".ongoing").inner_text() == "Ongoing for 48\xa0minutes, as of 10:00\u202fAM CET"
        assert page.locator(".next-update").inner_text() == "Next update by 10:55\u202fAM CET"
        assert page.locator(".overdue").count() == 0
        shot(web, page, f"open-{scheme}-{device}")
        assert fits(page) == []
        assert seen.problems == []
    with visit(web, OVERDUE, scheme=scheme, viewport=VIEWPORTS[device]) as seen:
        page = seen.page
        assert (
            page.locator(".ongoing").inner_text() == "Ongoing for 2\xa0hours,\xa048\xa0minutes, as of 12:00\u202fPM CET"
        )
        warning = page.locator(".next-update.overdue")
        assert warning.inner_text() == "Update overdue: the next update was due by 10:55\u202fAM CET"
        # Said by an icon and a rule too, not by colour alone.
        assert warning.locator("svg.icon").is_visible()
        assert (
            page.evaluate(
                "parseFloat(getComputedStyle(document.querySelector('.next-update.overdue')).borderInlineStartWidth)"
            )
            == 4
        )
        shot(web, page, f"overdue-{scheme}-{device}")
        assert fits(page) == []
        assert seen.problems == []
    with visit(web, "late/", scheme=scheme, viewport=VIEWPORTS[device]) as seen:
        assert seen.page.locator(".card strong.overdue").inner_text() == "update overdue (due by 10:55\u202fAM CET)"
        shot(web, seen.page, f"home-overdue-{scheme}-{device}")
        assert seen.problems == []


LINES = """() => [...document.querySelectorAll('.nowrap')].map(el => {
    const rects = el.getClientRects();
    const line = parseFloat(getComputedStyle(el).lineHeight);
    return [el.textContent, rects.length, Math.round(el.getBoundingClientRect().height) <= Math.ceil(line)];
})"""


@pytest.mark.parametrize("name", ["postmortem", "open", "overdue", "history"])
def test_durations_stay_on_one_line_on_a_phone(web: Web, name: str) -> None:
    with visit(web, PAGES[name], viewport=PHONE) as seen:
        # A narrow column, so that a duration that could wrap would.
        seen.page.add_style_tag(
            content=".facts dd, .ongoing, .row-meta span { max-width: 9rem; display: inline-block; }"
        )
        durations = seen.page.evaluate(LINES)
        assert durations, "the page shows a duration"
        assert [d for d in durations if d[1:] != [1, True]] == []
        assert seen.problems == []


@pytest.mark.parametrize(("scheme", "device"), COMBINATIONS)
def test_the_home_page_collapses_quiet_days(web: Web, scheme: Scheme, device: str) -> None:
    with visit(web, "now/", scheme=scheme, viewport=VIEWPORTS[device]) as seen:
        page = seen.page
        assert page.locator("#past ~ .quiet, section[aria-labelledby=past] .quiet").all_inner_texts() == [
            "No incidents reported from Nov 10 to Nov 22"
        ]
        assert page.locator("section[aria-labelledby=past] h3.day").all_inner_texts() == ["November 23, 2026"]
        excerpt = page.locator("section[aria-labelledby=past] .excerpt").inner_text()
        assert excerpt.startswith("One node of our event queue ran out of disk space") and excerpt.endswith("…")
        page.locator("#past").scroll_into_view_if_needed()
        shot(web, page, f"home-{scheme}-{device}")
        assert fits(page) == []
        assert seen.problems == []


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_violations(web: Web, name: str) -> None:
    for scheme in SCHEMES:
        with visit(web, PAGES[name], scheme=scheme) as seen:
            result = axe(seen.page)
            assert result["violations"] == [], f"{name} {scheme}"
            assert result["incomplete"] == [], f"{name} {scheme}: left for a person to review"
            assert seen.problems == []
