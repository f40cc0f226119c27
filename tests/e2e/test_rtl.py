"""Right-to-left pages in a real browser: the demo built in Arabic and in Hebrew is the mirror image
of the English one, fits a phone, and passes axe-core.

Each check measures where things are on the page (which of two boxes is further left, which side a
rule is drawn on), so it fails if a side is written as a physical property (left, right) where the
reading direction should decide it: the same measurements on the English pages must come out the
other way round.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from chromium import DESKTOP, PHONE, SCHEMES, Web, axe, chromium, png_size, results_folder, serve_folder, shot, visit
from conftest import DEMO_NOW, copy_demo
from statusgen.cli import main

pytestmark = pytest.mark.browser

PAGES = {
    "index": "",
    "incident": "incidents/2026-11-23-webhook-delivery-failures/",
    "component": "components/webhooks/",
}
RTL = ("ar", "he")
# Each build also publishes another language, so that its pages carry the language switcher and,
# in that other language, the notes beside text nobody has translated yet.
BUILDS = {"ar": ["he"], "he": ["ar"], "en": ["ar"]}
ANNOUNCEMENT = "Planned **database upgrade** on 16 January"
MUTED = "rgb(89, 99, 110)"  # --muted of the light scheme

# Where things are, as a visitor sees them: null where the page has no such thing.
FACTS = """() => {
    const one = (selector) => document.querySelector(selector);
    const box = (el) => el ? el.getBoundingClientRect() : null;
    const leftOf = (a, b) => (a && b) ? box(a).right <= box(b).left + 0.5 : null;
    const side = (el, prop) => el ? getComputedStyle(el)[prop] : null;
    const bars = one('.bars');
    const legend = one('.bars-legend');
    const crumbs = document.querySelectorAll('.crumbs a');
    const languages = document.querySelectorAll('.languages li');
    const month = one('.months tbody tr');
    const skip = box(one('.skip'));
    const width = document.documentElement.clientWidth;
    const facts = {
        direction: getComputedStyle(document.documentElement).direction,
        brand_left_of_nav: leftOf(one('.masthead .brand'), one('.masthead nav')),
        first_nav_link_left_of_last: leftOf(one('.masthead nav a:first-child'), one('.masthead nav a:last-child')),
        skip_link_hidden_on: skip.right <= 0 ? 'left' : skip.left >= width ? 'right' : 'screen',
        announcement_left: side(one('.announcement'), 'borderLeftWidth'),
        announcement_right: side(one('.announcement'), 'borderRightWidth'),
        card_left: side(one('.card'), 'borderLeftWidth'),
        card_right: side(one('.card'), 'borderRightWidth'),
        status_left_of_name: leftOf(one('.components .line .status'), one('.components .line .name')),
        nested_padding_left: side(one('.group ul .line'), 'paddingLeft'),
        nested_padding_right: side(one('.group ul .line'), 'paddingRight'),
        oldest_day_left_of_today: bars ? leftOf(bars.firstElementChild, bars.lastElementChild) : null,
        days_ago_left_of_today: legend ? leftOf(legend.firstElementChild, legend.lastElementChild) : null,
        timeline_left: side(one('.timeline > li'), 'borderLeftWidth'),
        timeline_right: side(one('.timeline > li'), 'borderRightWidth'),
        home_crumb_left_of_next: crumbs.length > 1 ? leftOf(crumbs[0], crumbs[crumbs.length - 1]) : null,
        month_left_of_uptime: month ? leftOf(month.querySelector('th'), month.querySelector('td')) : null,
        month_align: month ? side(month.querySelector('th'), 'textAlign') : null,
        current_language_left_of_next: languages.length > 1 ? leftOf(languages[0], languages[1]) : null,
    };
    return Object.fromEntries(Object.entries(facts).filter(([, value]) => value !== null));
}"""
SHARED = {
    "direction": "rtl",
    "brand_left_of_nav": False,
    "first_nav_link_left_of_last": False,
    "skip_link_hidden_on": "right",
    "current_language_left_of_next": False,
}
# What an Arabic or Hebrew visitor sees, page by page.
RIGHT_TO_LEFT = {
    "index": SHARED
    | {
        "announcement_left": "1px",
        "announcement_right": "4px",
        "card_left": "1px",
        "card_right": "4px",
        "status_left_of_name": True,
        "nested_padding_left": "16px",
        "nested_padding_right": "32px",
        "oldest_day_left_of_today": False,
        "days_ago_left_of_today": False,
    },
    "incident": SHARED | {"timeline_left": "0px", "timeline_right": "3px", "home_crumb_left_of_next": False},
    "component": SHARED
    | {
        "oldest_day_left_of_today": False,
        "days_ago_left_of_today": False,
        "month_left_of_uptime": False,
        "month_align": "start",
    },
}


def mirrored(facts: dict[str, object]) -> dict[str, object]:
    """The same facts seen in a mirror: left and right swapped."""
    swap = {"left": "right", "right": "left", "rtl": "ltr", "ltr": "rtl"}
    seen: dict[str, object] = {}
    for key, value in facts.items():
        if key.endswith("_left"):
            key = key.removesuffix("_left") + "_right"
        elif key.endswith("_right"):
            key = key.removesuffix("_right") + "_left"
        if isinstance(value, bool):
            value = not value
        elif isinstance(value, str):
            value = swap.get(value, value)
        seen[key] = value
    return seen


def build(scratch: Path, language: str, others: list[str]) -> None:
    """The demo built with ``language`` as its default and ``others`` beside it, into ``scratch/language``."""
    demo = copy_demo(scratch / f"demo-{language}", languages=False)
    config = demo.root / "statusgen.yaml"
    text = config.read_text(encoding="utf-8")
    settings = {
        "  language: en\n": f"  language: {language}\n  languages: [{', '.join(others)}]\n",
        '  announcement: ""\n': f'  announcement: "{ANNOUNCEMENT}"\n',
    }
    for old, new in settings.items():
        assert text.count(old) == 1, f"the demo's statusgen.yaml no longer has {old!r}"
        text = text.replace(old, new)
    config.write_text(text, encoding="utf-8")
    site = scratch / "sites" / language
    assert main(["-C", str(demo.root), "build", "--out", str(site), "--now", DEMO_NOW, "--no-cache"]) == 0


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web]:
    """The demo in Arabic, in Hebrew and in English, each under its language's folder of one server."""
    scratch = tmp_path_factory.mktemp("rtl")
    for language, others in BUILDS.items():
        build(scratch, language, others)
    with serve_folder(scratch / "sites") as base, chromium() as browser:
        yield Web(scratch / "sites", base, browser, results_folder(tmp_path_factory))


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("language", RTL)
def test_right_to_left_pages_are_mirrored(web: Web, language: str, name: str) -> None:
    with visit(web, f"{language}/{PAGES[name]}") as seen:
        assert seen.page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == [language, "rtl"]
        assert seen.page.evaluate(FACTS) == RIGHT_TO_LEFT[name]
        assert seen.problems == []


@pytest.mark.parametrize("name", PAGES)
def test_left_to_right_pages_are_the_same_the_other_way_round(web: Web, name: str) -> None:
    with visit(web, f"en/{PAGES[name]}") as seen:
        assert seen.page.evaluate("document.documentElement.dir") == "ltr"
        assert seen.page.evaluate(FACTS) == mirrored(RIGHT_TO_LEFT[name])
        assert seen.problems == []


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("language", RTL)
def test_right_to_left_pages_fit_a_phone_and_a_desktop_without_sideways_scrolling(
    web: Web, language: str, name: str
) -> None:
    for viewport in (PHONE, DESKTOP):
        with visit(web, f"{language}/{PAGES[name]}", viewport=viewport) as seen:
            width, scroll = seen.page.evaluate(
                "[document.documentElement.clientWidth, document.documentElement.scrollWidth]"
            )
            assert (width, scroll) == (viewport["width"], viewport["width"])
            assert seen.problems == []


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("language", RTL)
def test_axe_finds_no_violations_in_right_to_left_pages(web: Web, language: str, name: str) -> None:
    for scheme in SCHEMES:
        with visit(web, f"{language}/{PAGES[name]}", scheme=scheme) as seen:
            result = axe(seen.page)
            assert result["violations"] == [], f"{language} {name} {scheme}"
            assert result["incomplete"] == [], f"{language} {name} {scheme}: left for a person to review"
            assert result["checked"] == result["rules"] == 63
            assert seen.problems == []


def test_the_arabic_home_page_is_photographed_at_a_phone_and_a_desktop_width(web: Web, tmp_path: Path) -> None:
    for device, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        with visit(web, "ar/", viewport=viewport) as seen:
            path = shot(seen.page, tmp_path, f"ar-index-{device}")
            assert seen.problems == []
        width, height = png_size(path)
        assert width == viewport["width"] and height >= viewport["height"]
        assert path.stat().st_size > 10_000


def test_the_skip_link_comes_in_from_the_start_side_when_focused(web: Web) -> None:
    with visit(web, "ar/" + PAGES["incident"], viewport=PHONE) as seen:
        skip = seen.page.locator("a.skip")
        seen.page.keyboard.press("Tab")
        assert seen.page.evaluate("document.activeElement.className") == "skip"
        shown = skip.bounding_box()
        assert shown is not None
        # 1rem in from the right edge of the 375 px wide page, its start side.
        assert shown["x"] + shown["width"] == pytest.approx(375 - 16, abs=0.5)
        assert seen.problems == []


# The language switcher: a list that wraps, the page's own language marked by more than colour.
SWITCHER = """() => [...document.querySelectorAll('.languages li')].map(li => {
    const a = li.querySelector('a');
    const style = getComputedStyle(a);
    return [a.textContent, a.getAttribute('aria-current'), style.fontWeight, style.textDecorationLine,
            style.borderTopWidth, Math.round(li.getBoundingClientRect().top)];
})"""
CURRENT = ["page", "700", "none", "1px"]
OTHER = [None, "400", "underline", "0px"]


@pytest.mark.parametrize(
    ("path", "links"),
    [
        ("ar/", [["العربية", *CURRENT], ["עברית", *OTHER]]),
        ("he/", [["עברית", *CURRENT], ["العربية", *OTHER]]),
        ("ar/he/", [["العربية", *OTHER], ["עברית", *CURRENT]]),
        ("en/", [["English", *CURRENT], ["العربية", *OTHER]]),
        ("en/ar/" + PAGES["component"], [["English", *OTHER], ["العربية", *CURRENT]]),
    ],
)
def test_the_language_switcher_marks_the_current_language_by_more_than_colour(
    web: Web, path: str, links: list[list[str | None]]
) -> None:
    with visit(web, path) as seen:
        shown = seen.page.evaluate(SWITCHER)
        assert [link[:5] for link in shown] == links
        assert len({link[5] for link in shown}) == 1, "the languages are not on one line"
        assert seen.page.evaluate("getComputedStyle(document.querySelector('.languages ul')).listStyleType") == "none"
        assert seen.problems == []


# The notes beside text shown untranslated, and that text's own direction.
NOTES = """() => [...document.querySelectorAll('.untranslated')].map(note => {
    const style = getComputedStyle(note);
    return [style.color, style.fontSize, style.fontWeight];
})"""
FALLBACK_DIRECTION = """() => [...new Set([...document.querySelectorAll('main [lang]:not(.untranslated)')]
    .map(el => el.lang + ' ' + getComputedStyle(el).direction))].sort()"""


@pytest.mark.parametrize(
    ("path", "notes", "fallback"),
    [
        ("ar/he/", 5, ["ar rtl"]),
        ("ar/he/" + PAGES["incident"], 4, ["ar rtl"]),
        ("en/ar/", 5, ["en ltr"]),
        ("en/ar/" + PAGES["incident"], 4, ["en ltr"]),
        ("he/ar/" + PAGES["incident"], 4, ["he rtl"]),
    ],
)
def test_untranslated_text_is_noted_quietly_and_keeps_its_own_direction(
    web: Web, path: str, notes: int, fallback: list[str]
) -> None:
    with visit(web, path) as seen:
        assert seen.page.evaluate(NOTES) == [[MUTED, "14.4px", "400"]] * notes
        assert seen.page.evaluate("getComputedStyle(document.querySelector('.small')).fontSize") == "14.4px"
        assert seen.page.evaluate(FALLBACK_DIRECTION) == fallback
        assert seen.problems == []


@pytest.mark.parametrize(
    "path",
    ["ar/he/", "ar/he/" + PAGES["incident"], "ar/he/" + PAGES["component"], "he/ar/history/", "en/ar/history/"],
)
def test_pages_of_another_language_than_the_default_load_the_site_stylesheet(web: Web, path: str) -> None:
    with visit(web, path) as seen:
        # The theme's files are published once, at the site's root, for every language.
        sheets = seen.page.evaluate("[...document.styleSheets].map(s => [new URL(s.href).pathname, s.cssRules.length])")
        assert [(href, rules > 50) for href, rules in sheets] == [(f"/{path.split('/')[0]}/static/style.css", True)]
        assert seen.page.evaluate("getComputedStyle(document.querySelector('.masthead')).borderBottomWidth") == "1px"
        assert seen.problems == []
