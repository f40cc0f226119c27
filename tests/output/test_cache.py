"""The incremental cache: what it saves a build, and that it never changes what a build produces."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import DEMO_NOW, Repo, copy_demo, tree_digest
from statusgen.commands import build as build_command
from statusgen.load import incidents
from statusgen.render import plan as render_plan
from statusgen.render.units import Unit

NOW = DEMO_NOW
COMPONENTS = ("api", "web", "auth", "db", "search", "storage", "webhooks", "email", "docs")
# The demo's 115 files in its default language alone, and those of them that every build makes
# afresh, cache or not: what they say is made before the cache is asked (static files, the API,
# badges) or changes with any incident (the index and the sitemap, whose key would be all of them).
FILES = 115
ALWAYS_MADE = frozenset(
    {
        "static/favicon.svg",
        "static/style.css",
        "embed.js",
        "index.html",
        "sitemap.xml",
        "next-change.txt",
        "badge.svg",
        "badge.json",
        "api/uptime.json",
        *(
            f"api/v2/{name}.json"
            for name in (
                "summary",
                "status",
                "components",
                "incidents",
                "incidents/unresolved",
                "scheduled-maintenances",
                "scheduled-maintenances/upcoming",
                "scheduled-maintenances/active",
            )
        ),
        *(f"components/{c}/badge.{ext}" for c in COMPONENTS for ext in ("svg", "json")),
    }
)
SUMMARY = re.compile(
    r"built \S+: (?P<pages>\d+) pages, (?P<feeds>\d+) feeds, (?P<files>\d+) files in all \((?P<changed>\d+) changed\), "
    r"(?P<rendered>\d+) rendered and (?P<reused>\d+) reused, from (?P<sources>\d+) incident files? "
    r"\((?P<parsed>\d+) parsed, (?P<cached>\d+) from the cache\) in \d+\.\d\d s(; next change by the clock at \S+)?"
)


def contents(folder: Path) -> dict[str, str]:
    return {k: v[0] for k, v in tree_digest(folder).items()}


def counted_build(
    repo: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[dict[str, int], set[str]]:
    """Build ``repo`` at NOW from the command line: the figures its summary line gives, and the
    paths of the files it rendered (those it handed to the renderer rather than carried over).
    The summary's count of parsed files is checked against the files the parser was handed."""
    rendered: list[str] = []
    parsed: list[str] = []
    parse = incidents.parse_incident

    def parsing(text: str, rel: str, *args: Any, **kwargs: Any) -> Any:
        parsed.append(rel)
        return parse(text, rel, *args, **kwargs)

    make_all = render_plan.make_all  # what the build command calls, by its name there

    def recording(units: list[Unit], *args: Any, **kwargs: Any) -> Iterator[tuple[str, bytes]]:
        rendered.extend(unit.path for unit in units)
        return make_all(units, *args, **kwargs)

    monkeypatch.setattr(build_command, "make_all", recording)
    monkeypatch.setattr(incidents, "parse_incident", parsing)
    assert repo.build(NOW, *extra) == 0
    line = capsys.readouterr().out.splitlines()[0]
    match = SUMMARY.fullmatch(line)
    assert match, line
    figures = {name: int(value) for name, value in match.groupdict().items()}
    assert len(rendered) == len(set(rendered))
    assert figures["parsed"] == len(parsed) == len(set(parsed)), parsed
    return figures, set(rendered)


def everything(rendered: int, reused: int, parsed: int, cached: int, changed: int) -> dict[str, int]:
    """The figures of a demo build's summary."""
    return {
        "pages": 49,
        "feeds": 30,
        "files": FILES,
        "changed": changed,
        "rendered": rendered,
        "reused": reused,
        "sources": 36,
        "parsed": parsed,
        "cached": cached,
    }


def site_files(repo: Repo) -> set[str]:
    return {p.relative_to(repo.site).as_posix() for p in repo.site.rglob("*") if p.is_file()} - {".statusgen-site"}


def test_a_cold_build_renders_every_file_and_parses_every_incident(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = copy_demo(tmp_path / "demo", languages=False)
    figures, rendered = counted_build(repo, monkeypatch, capsys)
    assert figures == everything(rendered=115, reused=0, parsed=36, cached=0, changed=115)
    assert rendered == site_files(repo) and len(rendered) == FILES


def test_an_unchanged_rebuild_reuses_every_reusable_file_and_parses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = copy_demo(tmp_path / "demo", languages=False)
    counted_build(repo, monkeypatch, capsys)
    figures, rendered = counted_build(repo, monkeypatch, capsys)
    assert figures == everything(rendered=35, reused=80, parsed=0, cached=36, changed=0)
    assert rendered == ALWAYS_MADE and len(ALWAYS_MADE) == 35


def component_pages(*components: str) -> set[str]:
    """The page and the feeds of each of ``components``."""
    names = ("index.html", "feed.atom", "feed.rss", "feed.json")
    return {f"components/{c}/{name}" for c in components for name in names}


TOP_FEEDS = {"feed.atom", "feed.rss", "feed.json"}
# An incident file whose title changes, and the pages that show it: its own, its components' pages
# and feeds, the site's feeds while they hold one of its updates (the newest 100), the history
# page of its month; for maintenance, the calendar.
SHOWN_ON = {
    "2025-06-17-search-results-incomplete": {*component_pages("search"), *TOP_FEEDS, "history/index.html"},
    "2026-04-08-database-connection-errors": {*component_pages("db", "api", "web"), *TOP_FEEDS, "history/index.html"},
    "2024-11-05-dashboard-slow-page-loads": {*component_pages("web"), "history/index.html"},  # older than the feeds
    "2026-03-02-storage-migration": {*component_pages("storage"), *TOP_FEEDS, "history/index.html", "maintenance.ics"},
}


@pytest.mark.parametrize("ident", list(SHOWN_ON))
def test_one_changed_incident_renders_the_pages_that_show_it_and_parses_it_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], ident: str
) -> None:
    repo = copy_demo(tmp_path / "demo", languages=False)
    counted_build(repo, monkeypatch, capsys)
    path = repo.root / f"incidents/{ident}.md"
    path.write_text(path.read_text().replace("\ntitle: ", "\ntitle: Edited ", 1))
    figures, rendered = counted_build(repo, monkeypatch, capsys)
    shown = {f"incidents/{ident}/index.html", *SHOWN_ON[ident]}
    assert rendered == ALWAYS_MADE | shown
    assert figures["rendered"] == 35 + len(shown) and figures["reused"] == FILES - 35 - len(shown)
    assert (figures["parsed"], figures["cached"]) == (1, 35)
    assert "Edited " in repo.page(f"incidents/{ident}/index.html")
    assert repo.build(NOW, "--no-cache", "--out", str(tmp_path / "fresh")) == 0
    assert contents(repo.site) == contents(tmp_path / "fresh")


def test_a_config_change_renders_and_parses_everything_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = copy_demo(tmp_path / "demo", languages=False)
    counted_build(repo, monkeypatch, capsys)
    config = (repo.root / "statusgen.yaml").read_text()
    repo.config(
        config.replace(
            "  description: Live and historical status of Acme services",
            "  description: Live and past status of Acme services",
        )
    )
    figures, rendered = counted_build(repo, monkeypatch, capsys)
    assert figures == everything(rendered=115, reused=0, parsed=36, cached=0, changed=51)
    assert rendered == site_files(repo)
    assert "Live and past status of Acme services" in repo.page("index.html")


def test_a_build_without_the_cache_renders_and_parses_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = copy_demo(tmp_path / "demo", languages=False)
    counted_build(repo, monkeypatch, capsys)
    figures, rendered = counted_build(repo, monkeypatch, capsys, "--no-cache")
    assert figures == everything(rendered=115, reused=0, parsed=36, cached=0, changed=0)
    assert rendered == site_files(repo)


def test_a_theme_with_templates_reuses_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = copy_demo(tmp_path / "demo", languages=False)
    repo.config((repo.root / "statusgen.yaml").read_text().replace("  theme: default", "  theme: brand"))
    repo.write(
        "themes/brand/templates/incident.html",
        "{% extends 'base.html' %}{% block main %}Custom {{ incident.title }}{% endblock %}",
    )
    counted_build(repo, monkeypatch, capsys)
    figures, rendered = counted_build(repo, monkeypatch, capsys)
    # Every page renders in the sandbox, so none is carried over; the incidents still come from the cache.
    assert figures == everything(rendered=115, reused=0, parsed=0, cached=36, changed=0)
    assert rendered == site_files(repo)


def test_a_theme_of_static_files_only_keeps_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = copy_demo(tmp_path / "demo", languages=False)
    repo.config((repo.root / "statusgen.yaml").read_text().replace("  theme: default", "  theme: brand"))
    repo.write("themes/brand/static/logo.txt", "brand")
    counted_build(repo, monkeypatch, capsys)
    figures, rendered = counted_build(repo, monkeypatch, capsys)
    assert {k: figures[k] for k in ("files", "rendered", "reused", "parsed", "cached")} == {
        "files": FILES + 1,
        "rendered": 36,
        "reused": 80,
        "parsed": 0,
        "cached": 36,
    }
    assert rendered == ALWAYS_MADE | {"static/logo.txt"}


def test_cached_rebuilds_equal_a_build_without_cache(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = copy_demo(tmp_path / "demo", languages=False)
    assert repo.build(NOW) == 0
    assert (repo.root / ".statusgen/cache/pages.json").is_file()
    # Change one incident, then rebuild with the cache and without it.
    path = repo.root / "incidents/2025-06-17-search-results-incomplete.md"
    path.write_text(path.read_text().replace("Search results have been complete", "Results have been complete"))
    assert repo.build(NOW) == 0
    assert repo.build(NOW, "--no-cache", "--out", str(tmp_path / "fresh")) == 0
    assert contents(repo.site) == contents(tmp_path / "fresh")
    page = repo.page("incidents/2025-06-17-search-results-incomplete/index.html")
    assert "Results have been complete" in page
    # A later "now" changes clock-driven pages; the cache must follow.
    assert repo.build("2027-01-16T02:00:00Z") == 0
    assert repo.build("2027-01-16T02:00:00Z", "--no-cache", "--out", str(tmp_path / "later")) == 0
    assert contents(repo.site) == contents(tmp_path / "later")
    assert "Maintenance in progress" in repo.page("index.html")


def test_unchanged_rebuild_reuses_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = copy_demo(tmp_path / "demo", languages=False)
    assert repo.build(NOW) == 0
    first = tree_digest(repo.site)
    assert repo.build(NOW) == 0
    assert "(0 changed)" in capsys.readouterr().out
    assert tree_digest(repo.site) == first


def test_a_tampered_output_file_is_not_reused(tmp_path: Path) -> None:
    repo = copy_demo(tmp_path / "demo", languages=False)
    assert repo.build(NOW) == 0
    page = repo.site / "incidents/2025-06-17-search-results-incomplete/index.html"
    page.write_text("defaced")
    assert repo.build(NOW) == 0
    assert "Incomplete search results" in page.read_text()


def test_a_damaged_or_foreign_cache_is_ignored(tmp_path: Path) -> None:
    repo = copy_demo(tmp_path / "demo", languages=False)
    assert repo.build(NOW) == 0
    cache = repo.root / ".statusgen/cache"
    for shard in cache.glob("incidents-*.json"):
        shard.write_text("{not json")
    (cache / "pages.json").write_text(json.dumps({"fingerprint": "x", "entries": {}}))
    assert repo.build(NOW) == 0
    assert repo.build(NOW, "--no-cache", "--out", str(tmp_path / "fresh")) == 0
    assert contents(repo.site) == contents(tmp_path / "fresh")


def test_a_theme_change_rebuilds_everything(tmp_path: Path) -> None:
    repo = copy_demo(tmp_path / "demo", languages=False)
    assert repo.build(NOW) == 0
    repo.config((repo.root / "statusgen.yaml").read_text().replace("  theme: default", "  theme: brand"))
    repo.write(
        "themes/brand/templates/incident.html",
        "{% extends 'base.html' %}{% block main %}Custom {{ incident.title }}{% endblock %}",
    )
    assert repo.build(NOW) == 0
    assert "Custom Incomplete search results" in repo.page("incidents/2025-06-17-search-results-incomplete/index.html")


def test_parallel_and_serial_builds_agree(tmp_path: Path) -> None:
    repo = copy_demo(tmp_path / "demo", languages=False)
    assert repo.build(NOW, "--no-cache", "--jobs", "1", "--out", str(tmp_path / "one")) == 0
    from statusgen.render import plan

    limit = plan.PARALLEL_FROM
    plan.PARALLEL_FROM = 1
    try:
        assert repo.build(NOW, "--no-cache", "--jobs", "2", "--out", str(tmp_path / "two")) == 0
    finally:
        plan.PARALLEL_FROM = limit
    assert contents(tmp_path / "one") == contents(tmp_path / "two")


SHADOW_NH3 = """
import importlib.util, sys
_spec = importlib.util.spec_from_file_location("nh3_real", {init!r}, submodule_search_locations=[{folder!r}])
_real = importlib.util.module_from_spec(_spec)
sys.modules["nh3_real"] = _real
_spec.loader.exec_module(_real)
globals().update({{k: v for k, v in vars(_real).items() if not k.startswith("__")}})

def clean(html, *args, **kwargs):
    return _real.clean(html, *args, **kwargs) + " [shadowed]"
"""


def build_in_process(
    root: Path, out: Path, *extra: str, pythonpath: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """A build in a fresh interpreter, as CI runs one, with ``pythonpath`` before the libraries."""
    import os
    import sys

    env = {**os.environ, "PYTHONPATH": str(pythonpath) if pythonpath else ""}
    return subprocess.run(
        [sys.executable, "-m", "statusgen", "-C", str(root), "build", "--now", NOW, "--out", str(out), *extra],
        env=env,
        capture_output=True,
        text=True,
    )


def test_a_shadowing_sanitizer_on_the_path_rebuilds_everything(tmp_path: Path) -> None:
    from pathlib import Path

    import nh3

    repo = copy_demo(tmp_path / "demo", languages=False)
    shadow = tmp_path / "shadow"
    (shadow / "nh3").mkdir(parents=True)
    real = Path(nh3.__file__)
    (shadow / "nh3/__init__.py").write_text(SHADOW_NH3.format(init=str(real), folder=str(real.parent)))
    assert build_in_process(repo.root, repo.site).returncode == 0
    cached = build_in_process(repo.root, repo.site, pythonpath=shadow)
    assert cached.returncode == 0, cached.stderr
    fresh = build_in_process(repo.root, tmp_path / "fresh", "--no-cache", pythonpath=shadow)
    assert fresh.returncode == 0, fresh.stderr
    assert contents(repo.site) == contents(tmp_path / "fresh")
    assert "[shadowed]" in repo.page("components/auth/feed.json")


def test_another_dependency_version_or_python_rebuilds_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import re
    import sys
    from importlib import metadata

    import nh3

    from statusgen.output import cache

    repo = copy_demo(tmp_path / "demo", languages=False)
    monkeypatch.setattr(cache, "runtime_digest", cache.runtime_digest.__wrapped__)
    assert repo.build(NOW) == 0
    real_distribution, real_clean = metadata.distribution, nh3.clean

    class Upgraded:
        """nh3 as if upgraded in place: a new version that cleans differently."""

        def read_text(self, name: str) -> str | None:
            text = real_distribution("nh3").read_text(name)
            return re.sub(r"(?m)^Version: .*$", "Version: 99.0", text) if name == "METADATA" and text else text

    def marked(html: str, *args: Any, **kwargs: Any) -> str:
        return real_clean(html, *args, **kwargs) + " [upgraded]"

    monkeypatch.setattr(
        metadata,
        "distribution",  # the module the cache reads versions with
        lambda name: Upgraded() if name == "nh3" else real_distribution(name),
    )
    monkeypatch.setattr(nh3, "clean", marked)
    assert repo.build(NOW, "--no-cache", "--out", str(tmp_path / "fresh")) == 0
    assert repo.build(NOW) == 0
    assert contents(repo.site) == contents(tmp_path / "fresh")
    assert "[upgraded]" in repo.page("components/auth/feed.json")
    # Only the Python running changes.
    monkeypatch.setattr(metadata, "distribution", real_distribution)
    monkeypatch.setattr(nh3, "clean", real_clean)
    assert repo.build(NOW) == 0
    assert "[upgraded]" not in repo.page("components/auth/feed.json")
    monkeypatch.setattr(sys, "version", sys.version + " patched")
    monkeypatch.setattr(nh3, "clean", marked)
    assert repo.build(NOW) == 0
    assert contents(repo.site) == contents(tmp_path / "fresh")


@pytest.mark.parametrize(
    ("postmortem_at", "kept"),
    [
        ("2025-11-03T14:05:00+00:00", True),  # when the incident began
        ("2025-11-05T09:00:00+00:00", True),  # between its resolution and its reopening
        ("2025-11-03T14:04:59+00:00", False),  # before it began: the loader refuses that too
    ],
)
def test_the_cache_takes_postmortem_at_as_the_loader_does(postmortem_at: str, kept: bool) -> None:
    from dataclasses import replace
    from datetime import datetime

    from factories import incident
    from statusgen.output import cache

    reopened = incident(
        "2025-11-03-api",
        {"api": "partial_outage"},
        ("2025-11-03T14:05", "investigating"),
        ("2025-11-03T15:20", "resolved"),
        ("2025-11-06T08:00", "investigating"),
        ("2025-11-06T09:30", "resolved"),
    )
    # As loaded: each update on a line of its own file.
    updates = tuple(replace(u, line=8 + 3 * n) for n, u in enumerate(reopened.updates))
    reopened = replace(reopened, updates=updates, postmortem_at=datetime.fromisoformat(postmortem_at), digest="0" * 64)
    data = json.loads(json.dumps(cache.incident_to_json(reopened)))
    if kept:
        assert cache.incident_from_json(data, reopened.path, "0" * 64, {"api"}) == reopened
    else:
        with pytest.raises(ValueError, match="postmortem_at"):
            cache.incident_from_json(data, reopened.path, "0" * 64, {"api"})
