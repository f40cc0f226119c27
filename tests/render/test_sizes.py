"""Every file of the site stays bounded as the history grows: built from generated repositories
of 10,000 and 20,000 incidents over three years (bench/generate.py), each once for this module,
and the sitemap split into an index of parts when one file would pass its limits."""

from __future__ import annotations

import gzip
import importlib.util
import re
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import pytest

from conftest import PROJECT, Repo
from statusgen.cli import main
from statusgen.render import pages

NOW = "2026-11-01T12:00:00Z"  # the end of the generated histories: their 90 days are all busy
LIMIT = 1_000_000  # every file of the site
INDEX_LIMIT = 14 * 1024  # the home page, gzipped
# The home page's components and their uptime bars: 24 rows of 90 days, at most this much of it.
BARS_LIMIT = 8 * 1024
pytestmark = pytest.mark.slow


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate", PROJECT / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module", params=[10_000, 20_000], ids=["10k", "20k"])
def generated(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """A generated repository of that many incidents over three years, built at NOW."""
    count: int = request.param
    root = tmp_path_factory.mktemp(f"generated-{count}")
    generator().generate(root, count, years=3.0)
    assert main(["-C", str(root), "build", "--now", NOW, "--no-cache"]) == 0
    return root, count


def test_every_file_stays_under_1_mb(generated: tuple[Path, int]) -> None:
    root, _ = generated
    sizes = {
        p.relative_to(root / "site").as_posix(): p.stat().st_size for p in (root / "site").rglob("*") if p.is_file()
    }
    largest = max(sizes, key=sizes.__getitem__)
    assert sizes[largest] < LIMIT, f"{largest} is {sizes[largest]:,} bytes"


def test_the_home_page_stays_under_14_kb_gzipped(generated: tuple[Path, int]) -> None:
    root, _ = generated
    assert len(gzip.compress((root / "site/index.html").read_bytes())) < INDEX_LIMIT


def test_the_home_pages_bars_stay_small(generated: tuple[Path, int]) -> None:
    root, _ = generated
    index = (root / "site/index.html").read_text()
    components = re.search(r'<section aria-labelledby="components">.*?</section>', index, re.S)
    assert components is not None
    assert len(gzip.compress(components.group(0).encode())) < BARS_LIMIT
    # Of 20 components and 4 groups, each bar names at most three incidents: the newest busy days
    # in full, 30 bar-days at most, the others by status and date.
    assert index.count('<li class="u-') == 24 * 90
    assert len(re.findall(r'<a href="incidents/', components.group(0))) <= 30 * 3


def test_the_sitemap_lists_every_page_once_in_parts(generated: tuple[Path, int]) -> None:
    root, count = generated
    site = root / "site"
    index = (site / "sitemap.xml").read_text()
    parts = re.findall(r"<loc>https://status\.bench\.example/(sitemap-\d+\.xml)</loc>", index)
    assert index.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex ')
    assert parts == [f"sitemap-{n}.xml" for n in range(1, len(parts) + 1)]
    urls = [url for part in parts for url in re.findall(r"<loc>([^<]+)</loc>", (site / part).read_text())]
    assert all(len(re.findall("<url>", (site / part).read_text())) <= 50_000 for part in parts)
    # The home page, each incident, 20 components and the history's pages of 100.
    # The home page, each incident, each component, the subscribe page and each history page.
    assert len(urls) == len(set(urls)) == 1 + count + 20 + 1 + -(-count // 100)
    assert sorted(p.name for p in site.glob("sitemap*.xml")) == sorted(["sitemap.xml", *parts])
    assert (site / "robots.txt").read_text().endswith("Sitemap: https://status.bench.example/sitemap.xml\n")


def test_the_calendar_keeps_the_last_twelve_months(generated: tuple[Path, int]) -> None:
    root, _ = generated
    ends = [
        datetime.fromisoformat(end)
        for path in (root / "incidents").glob("*.md")
        for end in re.findall(r"end: (\S+)\}", path.read_text())
    ]
    kept = [end for end in ends if end > datetime(2025, 11, 1, 12, tzinfo=UTC)]
    assert len(ends) > len(kept) > 0
    calendar = (root / "site/maintenance.ics").read_bytes()
    assert calendar.count(b"BEGIN:VEVENT") == len(kept)


def test_history_pages_hold_100_incidents(generated: tuple[Path, int]) -> None:
    root, count = generated
    pages_made = sorted((root / "site/history").rglob("index.html"))
    assert len(pages_made) == -(-count // 100)
    for page in pages_made[:3]:
        assert page.read_text().count('<li class="row">') <= 100


def test_a_long_sitemap_is_an_index_of_parts_and_shrinks_back(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(6):
        repo.incident(f"2025-11-0{n + 1}-e{n}.md")
    monkeypatch.setattr(pages, "SITEMAP_URLS", 4)
    assert repo.build() == 0
    index = repo.page("sitemap.xml")
    assert index == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        "  <sitemap><loc>https://status.example.com/sitemap-1.xml</loc></sitemap>\n"
        "  <sitemap><loc>https://status.example.com/sitemap-2.xml</loc></sitemap>\n"
        "  <sitemap><loc>https://status.example.com/sitemap-3.xml</loc></sitemap>\n"
        "  <sitemap><loc>https://status.example.com/sitemap-4.xml</loc></sitemap>\n"
        "</sitemapindex>\n"
    )
    # The home page, 7 incidents, 3 components, the subscribe page, 1 history page: 13 URLs, 4 a file.
    found = [re.findall(r"<loc>([^<]+)</loc>", repo.page(f"sitemap-{n}.xml")) for n in (1, 2, 3, 4)]
    assert [len(urls) for urls in found] == [4, 4, 4, 1]
    assert found[0][:2] == ["https://status.example.com/", "https://status.example.com/incidents/2025-11-06-e5/"]
    assert found[3][-1] == "https://status.example.com/history/"
    assert repo.page("sitemap-1.xml").startswith('<?xml version="1.0" encoding="UTF-8"?>\n<urlset ')
    monkeypatch.setattr(pages, "SITEMAP_URLS", 50_000)
    assert repo.build() == 0
    assert repo.page("sitemap.xml").count("<url>") == 13
    assert sorted(p.name for p in repo.site.glob("sitemap*")) == ["sitemap.xml"]


def test_the_sitemap_splits_by_bytes_too() -> None:
    line = "  <url><loc>https://status.example.com/" + "x" * 80 + "/</loc></url>"
    size = len(line) + 1
    room = (pages.SITEMAP_BYTES - pages.SITEMAP_FRAME) // size
    parts = pages.sitemap_parts([line] * (room + 1))
    assert [len(part) for part in parts] == [room, 1]
    assert all(len(pages.sitemap_file("urlset", part)) < LIMIT for part in parts)
    assert pages.sitemap_parts([]) == [[]]
