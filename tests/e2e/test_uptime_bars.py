"""The uptime bars in a real browser: 30 days on a phone's home page and 90 on a desktop's, 90 on a
component's page at any width; a key naming each colour and shape; a degraded day's bar in the
colour of the "Degraded performance" label, in both colour schemes; each bar's text shown when the
keyboard reaches it; no axe violations, no sideways scrolling; screenshots of each."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from chromium import DESKTOP, PHONE, SCHEMES, Web, axe, chromium, png_size, results_folder, serve_folder, shot, visit
from conftest import CONFIG, Repo
from factories import MAINT, ONGOING

pytestmark = pytest.mark.browser

NOW = "2025-11-10T12:00:00Z"
# The dashboard down since 10:00 and the API degraded (ONGOING), a partial outage of the API on
# 3 November (the repo's own incident: 22.5 minutes down, 99.947% over 30 days of 42,600 minutes,
# 99.983% over 90 of 129,000), a maintenance of the database on 7 November.
PAGES = {"index": "", "component": "components/api/"}
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}

VISIBLE_BARS = """() => [...document.querySelectorAll('ol.bars')].map(
    bars => [...bars.children].filter(day => day.offsetParent !== null && day.getBoundingClientRect().width > 0)
        .length)"""
LEGEND = """() => [...document.querySelectorAll('.bars-legend')].map(
    legend => [...legend.children].filter(part => part.offsetParent !== null).map(part => part.textContent))"""
KEY = """() => [...document.querySelectorAll('.bars-key li')].map(item => {
    const swatch = item.querySelector('.swatch').getBoundingClientRect();
    return [item.textContent, item.offsetParent !== null, Math.round(swatch.height) > 0];
})"""
# Today's bar of the API (the last of its row) and the API's status label, as the browser paints them.
COLOURS = """(row) => {
    const bars = document.querySelectorAll('ol.bars')[row];
    const today = bars.lastElementChild;
    const label = [...document.querySelectorAll('.status.s-degraded_performance')].find(el => el.offsetParent !== null);
    return {
        day: today.className,
        bar: getComputedStyle(today, '::before').backgroundColor,
        label: getComputedStyle(label).color,
        bar_height: parseFloat(getComputedStyle(today, '::before').height),
        column_height: today.getBoundingClientRect().height,
    };
}"""
HEIGHTS = """() => Object.fromEntries([...document.querySelectorAll('.bars-key .swatch')].map(
    swatch => [swatch.classList[1], Math.round(swatch.getBoundingClientRect().height * 10) / 10]))"""


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web]:
    scratch = Repo(tmp_path_factory.mktemp("bars") / "status")
    scratch.config(CONFIG)
    scratch.incident("2025-11-03-api-errors.md")
    scratch.incident("2025-11-10-dashboard-down.md", ONGOING)
    scratch.incident("2025-11-01-db-upgrade.md", MAINT.replace("2025-11-20", "2025-11-07"))
    assert scratch.build(NOW) == 0
    with serve_folder(scratch.site) as base, chromium() as browser:
        yield Web(scratch.site, base, browser, results_folder(tmp_path_factory))


@pytest.mark.parametrize("device", VIEWPORTS)
def test_the_home_page_shows_30_days_on_a_phone_and_90_on_a_desktop(web: Web, device: str) -> None:
    days = 30 if device == "phone" else 90
    with visit(web, "", viewport=VIEWPORTS[device]) as seen:
        # Platform, its API and dashboard, then the database alone.
        assert seen.page.evaluate(VISIBLE_BARS) == [days] * 4
        assert seen.page.evaluate(LEGEND)[1] == [
            f"{days} days ago",
            "99.947% uptime" if days == 30 else "99.983% uptime",
            "Today",
        ]
        assert seen.problems == []


@pytest.mark.parametrize("device", VIEWPORTS)
def test_a_component_page_always_shows_90_days(web: Web, device: str) -> None:
    with visit(web, PAGES["component"], viewport=VIEWPORTS[device]) as seen:
        assert seen.page.evaluate(VISIBLE_BARS) == [90]
        assert seen.page.evaluate(LEGEND) == [["90 days ago", "99.983% uptime", "Today"]]
        assert seen.problems == []


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("name", PAGES)
def test_the_key_names_each_colour_and_shape(web: Web, name: str, scheme: str) -> None:
    for viewport in VIEWPORTS.values():
        with visit(web, PAGES[name], viewport=viewport, scheme=scheme) as seen:  # type: ignore[arg-type]
            assert seen.page.evaluate(KEY) == [
                [label, True, True]
                for label in (
                    "Operational",
                    "Degraded performance",
                    "Partial outage",
                    "Major outage",
                    "Under maintenance",
                    "No data",
                )
            ]
            # Not by colour alone: the worse a day, the shorter its bar (1.1rem = 17.6 px in the key).
            assert seen.page.evaluate(HEIGHTS) == {
                "u-operational": 17.6,
                "u-degraded_performance": 13.2,
                "u-partial_outage": 9.7,
                "u-major_outage": 6.2,
                "u-under_maintenance": 17.6,
                "u-none": 2.6,
            }
            assert seen.problems == []


# The light and the dark scheme's --degraded_performance.
DEGRADED = {"light": "rgb(154, 103, 0)", "dark": "rgb(210, 153, 34)"}


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("name", PAGES)
def test_a_degraded_day_has_the_colour_of_the_degraded_label(web: Web, name: str, scheme: str) -> None:
    row = 1 if name == "index" else 0  # on the home page, the API's row follows Platform's
    with visit(web, PAGES[name], scheme=scheme) as seen:  # type: ignore[arg-type]
        found = seen.page.evaluate(COLOURS, row)
        assert found["day"] == "u-degraded_performance"
        assert found["bar"] == found["label"] == DEGRADED[scheme]
        assert found["bar_height"] == pytest.approx(0.75 * found["column_height"], abs=0.5)
        assert seen.problems == []


def test_the_keyboard_shows_a_days_text(web: Web) -> None:
    """A day with an incident has its link; when the keyboard reaches it, the day's text shows."""
    with visit(web, PAGES["component"]) as seen:
        link = seen.page.locator("ol.bars li.u-partial_outage a").first
        tip = seen.page.locator("ol.bars li.u-partial_outage .tip").first
        assert tip.bounding_box() is not None and tip.bounding_box()["width"] <= 1  # type: ignore[index]
        link.focus()
        shown = tip.bounding_box()
        assert shown is not None and shown["width"] > 100 and shown["height"] > 10
        assert tip.inner_text() == "Nov 3, 2025: Partial outage, 98.438% uptime, 23 min down, Elevated API error rates"
        assert seen.problems == []


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_violations_and_nothing_scrolls_sideways(web: Web, name: str, scheme: str, tmp_path: Path) -> None:
    for device, viewport in VIEWPORTS.items():
        with visit(web, PAGES[name], scheme=scheme, viewport=viewport) as seen:  # type: ignore[arg-type]
            result = axe(seen.page)
            assert result["violations"] == [], f"{name} {device} {scheme}"
            assert result["incomplete"] == [], f"{name} {device} {scheme}: left for a person to review"
            width, scroll = seen.page.evaluate(
                "[document.documentElement.clientWidth, document.documentElement.scrollWidth]"
            )
            assert (width, scroll) == (viewport["width"], viewport["width"])
            path = shot(seen.page, web.results, f"bars-{name}-{device}-{scheme}")
            assert seen.problems == []
        assert png_size(path)[0] == viewport["width"]
