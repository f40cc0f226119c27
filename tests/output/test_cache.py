"""The incremental cache never changes what a build produces."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import DEMO_NOW, PROJECT, Repo, tree_digest

NOW = DEMO_NOW


def contents(folder) -> dict[str, str]:
    return {k: v[0] for k, v in tree_digest(folder).items()}


def copy_demo(tmp_path: Path) -> Repo:
    import shutil
    root = tmp_path / "demo"
    root.mkdir()
    shutil.copy(PROJECT / "statusgen.yaml", root)
    shutil.copytree(PROJECT / "incidents", root / "incidents")
    return Repo(root)


def test_cached_rebuilds_equal_a_build_without_cache(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
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


def test_unchanged_rebuild_reuses_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = copy_demo(tmp_path)
    assert repo.build(NOW) == 0
    first = tree_digest(repo.site)
    assert repo.build(NOW) == 0
    assert "(0 changed)" in capsys.readouterr().out
    assert tree_digest(repo.site) == first


def test_a_tampered_output_file_is_not_reused(tmp_path: Path) -> None:
    repo = copy_demo(tmp_path)
    assert repo.build(NOW) == 0
    page = repo.site / "incidents/2025-06-17-search-results-incomplete/index.html"
    page.write_text("defaced")
    assert repo.build(NOW) == 0
    assert "Incomplete search results" in page.read_text()


def test_a_damaged_or_foreign_cache_is_ignored(tmp_path: Path) -> None:
    repo = copy_demo(tmp_path)
    assert repo.build(NOW) == 0
    cache = repo.root / ".statusgen/cache"
    for shard in cache.glob("incidents-*.json"):
        shard.write_text("{not json")
    (cache / "pages.json").write_text(json.dumps({"fingerprint": "x", "entries": {}}))
    assert repo.build(NOW) == 0
    assert repo.build(NOW, "--no-cache", "--out", str(tmp_path / "fresh")) == 0
    assert contents(repo.site) == contents(tmp_path / "fresh")


def test_a_theme_change_rebuilds_everything(tmp_path: Path) -> None:
    repo = copy_demo(tmp_path)
    assert repo.build(NOW) == 0
    repo.config((repo.root / "statusgen.yaml").read_text().replace("  theme: default", "  theme: brand"))
    repo.write("themes/brand/templates/incident.html",
               "{% extends 'base.html' %}{% block main %}Custom {{ incident.title }}{% endblock %}")
    assert repo.build(NOW) == 0
    assert "Custom Incomplete search results" in repo.page("incidents/2025-06-17-search-results-incomplete/index.html")


def test_parallel_and_serial_builds_agree(tmp_path: Path) -> None:
    repo = copy_demo(tmp_path)
    assert repo.build(NOW, "--no-cache", "--jobs", "1", "--out", str(tmp_path / "one")) == 0
    from statusgen.render import plan
    limit = plan.PARALLEL_FROM
    plan.PARALLEL_FROM = 1
    try:
        assert repo.build(NOW, "--no-cache", "--jobs", "2", "--out", str(tmp_path / "two")) == 0
    finally:
        plan.PARALLEL_FROM = limit
    assert contents(tmp_path / "one") == contents(tmp_path / "two")


SHADOW_NH3 = '''
import importlib.util, sys
_spec = importlib.util.spec_from_file_location("nh3_real", {init!r}, submodule_search_locations=[{folder!r}])
_real = importlib.util.module_from_spec(_spec)
sys.modules["nh3_real"] = _real
_spec.loader.exec_module(_real)
globals().update({{k: v for k, v in vars(_real).items() if not k.startswith("__")}})

def clean(html, *args, **kwargs):
    return _real.clean(html, *args, **kwargs) + " [shadowed]"
'''


def build_in_process(root, out, *extra, pythonpath=None):
    """A build in a fresh interpreter, as CI runs one, with ``pythonpath`` before the libraries."""
    import os
    import subprocess
    import sys
    env = {**os.environ, "PYTHONPATH": str(pythonpath) if pythonpath else ""}
    return subprocess.run([sys.executable, "-m", "statusgen", "-C", str(root), "build", "--now", NOW,
                           "--out", str(out), *extra], env=env, capture_output=True, text=True)


def test_a_shadowing_sanitizer_on_the_path_rebuilds_everything(tmp_path: Path) -> None:
    from pathlib import Path

    import nh3
    repo = copy_demo(tmp_path)
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


def test_another_dependency_version_or_python_rebuilds_everything(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import re
    import sys
    from importlib import metadata

    import nh3

    from statusgen.output import cache
    repo = copy_demo(tmp_path)
    monkeypatch.setattr(cache, "runtime_digest", cache.runtime_digest.__wrapped__)
    assert repo.build(NOW) == 0
    real_distribution, real_clean = metadata.distribution, nh3.clean

    class Upgraded:
        """nh3 as if upgraded in place: a new version that cleans differently."""

        def read_text(self, name: str) -> str | None:
            text = real_distribution("nh3").read_text(name)
            return re.sub(r"(?m)^Version: .*$", "Version: 99.0", text) if name == "METADATA" and text else text

    def marked(html, *args, **kwargs):
        return real_clean(html, *args, **kwargs) + " [upgraded]"

    monkeypatch.setattr(metadata, "distribution",
                        lambda name: Upgraded() if name == "nh3" else real_distribution(name))
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
