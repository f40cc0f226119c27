"""The incremental cache never changes what a build produces."""

from __future__ import annotations

import json

from conftest import DEMO_NOW, PROJECT, Repo, tree_digest

NOW = DEMO_NOW


def contents(folder) -> dict[str, str]:
    return {k: v[0] for k, v in tree_digest(folder).items()}


def copy_demo(tmp_path) -> Repo:
    import shutil
    root = tmp_path / "demo"
    root.mkdir()
    shutil.copy(PROJECT / "statusgen.yaml", root)
    shutil.copytree(PROJECT / "incidents", root / "incidents")
    return Repo(root)


def test_cached_rebuilds_equal_a_build_without_cache(tmp_path, capsys):
    repo = copy_demo(tmp_path)
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


def test_unchanged_rebuild_reuses_files(tmp_path, capsys):
    repo = copy_demo(tmp_path)
    assert repo.build(NOW) == 0
    first = tree_digest(repo.site)
    assert repo.build(NOW) == 0
    assert "(0 changed)" in capsys.readouterr().out
    assert tree_digest(repo.site) == first


def test_a_tampered_output_file_is_not_reused(tmp_path):
    repo = copy_demo(tmp_path)
    assert repo.build(NOW) == 0
    page = repo.site / "incidents/2025-06-17-search-results-incomplete/index.html"
    page.write_text("defaced")
    assert repo.build(NOW) == 0
    assert "Incomplete search results" in page.read_text()


def test_a_damaged_or_foreign_cache_is_ignored(tmp_path):
    repo = copy_demo(tmp_path)
    assert repo.build(NOW) == 0
    cache = repo.root / ".statusgen/cache"
    for shard in cache.glob("incidents-*.json"):
        shard.write_text("{not json")
    (cache / "pages.json").write_text(json.dumps({"fingerprint": "x", "entries": {}}))
    assert repo.build(NOW) == 0
    assert repo.build(NOW, "--no-cache", "--out", str(tmp_path / "fresh")) == 0
    assert contents(repo.site) == contents(tmp_path / "fresh")


def test_a_theme_change_rebuilds_everything(tmp_path):
    repo = copy_demo(tmp_path)
    assert repo.build(NOW) == 0
    repo.config((repo.root / "statusgen.yaml").read_text().replace("  theme: default", "  theme: brand"))
    repo.write("themes/brand/templates/incident.html",
               "{% extends 'base.html' %}{% block main %}Custom {{ incident.title }}{% endblock %}")
    assert repo.build(NOW) == 0
    assert "Custom Incomplete search results" in repo.page("incidents/2025-06-17-search-results-incomplete/index.html")


def test_parallel_and_serial_builds_agree(tmp_path):
    repo = copy_demo(tmp_path)
    assert repo.build(NOW, "--no-cache", "--jobs", "1", "--out", str(tmp_path / "one")) == 0
    from statusgen import build as build_module
    limit = build_module.PARALLEL_FROM
    build_module.PARALLEL_FROM = 1
    try:
        assert repo.build(NOW, "--no-cache", "--jobs", "2", "--out", str(tmp_path / "two")) == 0
    finally:
        build_module.PARALLEL_FROM = limit
    assert contents(tmp_path / "one") == contents(tmp_path / "two")
