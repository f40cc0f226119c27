"""The demo with the team's logo, accent and links (and its components' uptime targets) in a real
browser, at a phone's and a desktop's width, light and dark: the header shows the logo, the links
take the accent's colours, axe-core finds nothing, nothing scrolls sideways; and the Nu HTML
Checker passes the pages that carry them. Screenshots go to the results folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from chromium import (
    DESKTOP,
    PHONE,
    SCHEMES,
    Web,
    axe,
    chromium,
    nu_check,
    png_size,
    results_folder,
    serve_folder,
    shot,
    visit,
)
from conftest import DEMO_NOW, copy_demo
from statusgen.cli import main

pytestmark = pytest.mark.browser

LOGO = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 32" width="120" height="32">'
    '<rect width="32" height="32" rx="7" fill="#0b5fff"/>'
    '<path d="M8 24 16 8l8 16" fill="none" stroke="#fff" stroke-width="3" stroke-linejoin="round"/>'
    '<text x="40" y="23" font-family="sans-serif" font-size="18" font-weight="700" fill="#0b5fff">ACME</text></svg>\n'
)
BRAND = (
    "  logo: assets/logo.svg\n"
    '  accent: "#0b5fff"\n'
    "  links:\n"
    "    home: https://www.acme.example/\n"
    "    support: https://acme.example/support\n"
    "    contact: mailto:support@acme.example\n"
)
PAGES = {
    "index": "",
    "component": "components/api/",
    "incident": "incidents/2026-11-23-webhook-delivery-failures/",
}
LINK_COLOUR = {"light": "rgb(11, 95, 255)", "dark": "rgb(55, 124, 255)"}  # #0b5fff, and #377cff derived
FACTS = """() => {
    const logo = document.querySelector('.masthead .brand img.logo');
    const box = logo.getBoundingClientRect();
    const link = document.querySelector('main a') || document.querySelector('.footer a');
    return {
        logo_loaded: logo.complete && logo.naturalWidth > 0,
        logo_height: Math.round(box.height),
        logo_width: Math.round(box.width),
        title: document.querySelector('.masthead .brand').textContent.trim(),
        home: document.querySelector('.masthead .home-link').textContent,
        footer_links: [...document.querySelectorAll('.footer .links a')].map(a => a.textContent),
        link_colour: getComputedStyle(link).color,
        width: document.documentElement.clientWidth,
        scroll: document.documentElement.scrollWidth,
    };
}"""


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web]:
    scratch = tmp_path_factory.mktemp("brand")
    demo = copy_demo(scratch / "demo")
    (demo.root / "assets").mkdir()
    (demo.root / "assets" / "logo.svg").write_text(LOGO, encoding="utf-8")
    config = demo.root / "statusgen.yaml"
    text = config.read_text(encoding="utf-8")
    assert text.count("  feed_entries: 100\n") == 1
    config.write_text(text.replace("  feed_entries: 100\n", "  feed_entries: 100\n" + BRAND), encoding="utf-8")
    site = scratch / "site"
    assert main(["-C", str(demo.root), "build", "--out", str(site), "--now", DEMO_NOW, "--no-cache"]) == 0
    with serve_folder(site) as base, chromium() as browser:
        yield Web(site, base, browser, results_folder(tmp_path_factory))


@pytest.mark.parametrize("name", PAGES)
def test_the_brand_shows_in_both_schemes_at_both_widths(web: Web, name: str) -> None:
    for scheme in SCHEMES:
        for device, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
            with visit(web, PAGES[name], scheme=scheme, viewport=viewport) as seen:
                facts = seen.page.evaluate(FACTS)
                path = shot(seen.page, web.results / "screenshots", f"brand-{name}-{scheme}-{device}")
                assert seen.problems == []
            assert facts == {
                "logo_loaded": True,
                "logo_height": 32,
                "logo_width": 120,
                "title": "Acme Status",
                "home": "Back to acme.example",
                "footer_links": ["Support", "Contact us", "acme.example"],
                "link_colour": LINK_COLOUR[scheme],
                "width": viewport["width"],
                "scroll": viewport["width"],
            }, f"{name} {scheme} {device}"
            width, height = png_size(path)
            assert width == viewport["width"] and height >= viewport["height"]


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_violations_on_branded_pages(web: Web, name: str) -> None:
    for scheme in SCHEMES:
        for viewport in (PHONE, DESKTOP):
            with visit(web, PAGES[name], scheme=scheme, viewport=viewport) as seen:
                result = axe(seen.page)
                assert result["violations"] == [], f"{name} {scheme} {viewport['width']}"
                assert result["incomplete"] == [], f"{name} {scheme}: left for a person to review"
                assert seen.problems == []


def test_the_verdicts_are_read_in_words_and_fit_a_phone(web: Web) -> None:
    with visit(web, PAGES["component"], viewport=PHONE) as seen:
        cells = seen.page.evaluate(
            """() => [...document.querySelectorAll('table.periods td.verdict')].map(td => td.textContent.trim())"""
        )
        overflowing = seen.page.evaluate(
            """() => [...document.querySelectorAll('table.periods')]
                .filter(t => t.scrollWidth > t.clientWidth).length"""
        )
    assert "Missed by 0.013%" in cells and "Met" in cells
    assert overflowing == 0


@pytest.mark.validator
def test_branded_pages_pass_the_nu_html_checker(web: Web) -> None:
    checked = [web.site / "index.html", web.site / "components" / "api" / "index.html", web.site / "static"]
    messages = nu_check(*checked, skip_non_html=False)
    assert [f"{Path(m.get('url', '?')).name}: {m['message']}" for m in messages if m["type"] != "info"] == []
    assert [m["message"] for m in messages if m.get("subType") == "warning"] == []
