"""The check at the end of every test run: what it sees as left in a checkout, and what it allows."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import PROJECT, checkout_state, copy_demo


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A git repository with one committed file and a .gitignore like the project's."""
    root = tmp_path / "checkout"
    root.mkdir()
    (root / ".gitignore").write_text((PROJECT / ".gitignore").read_text(encoding="utf-8"), encoding="utf-8")
    (root / "statusgen.yaml").write_text("site: {}\n", encoding="utf-8")
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "start"], check=True)
    return root


def test_a_clean_checkout_shows_nothing(checkout: Path) -> None:
    assert checkout_state(checkout) == set()


@pytest.mark.parametrize(
    ("made", "seen"),
    [
        (".statusgen/cache/incidents-00.json", "!! .statusgen/cache/incidents-00.json"),
        (".hypothesis/examples/a", "?? .hypothesis/examples/a"),
        (".mypy_cache/3.11/x.json", "!! .mypy_cache/3.11/x.json"),
        ("site/index.html", "!! site/index.html"),
        ("test-results/axe.json", "!! test-results/axe.json"),
        ("tests/stray.txt", "?? tests/stray.txt"),
    ],
)
def test_a_file_left_behind_is_seen_ignored_by_git_or_not(checkout: Path, made: str, seen: str) -> None:
    (checkout / made).parent.mkdir(parents=True, exist_ok=True)
    (checkout / made).write_text("x", encoding="utf-8")
    assert checkout_state(checkout) == {seen}


def test_a_changed_tracked_file_is_seen(checkout: Path) -> None:
    (checkout / "statusgen.yaml").write_text("site: {title: x}\n", encoding="utf-8")
    assert checkout_state(checkout) == {" M statusgen.yaml"}


def test_the_environment_pytests_cache_and_bytecode_are_allowed(checkout: Path) -> None:
    for made in (
        ".venv/bin/python",
        ".pytest_cache/v/cache/nodeids",
        "tests/tools/node_modules/x/index.js",
        "statusgen/__pycache__/cli.cpython-311.pyc",
        "tests/__pycache__/conftest.cpython-311.pyc",
    ):
        (checkout / made).parent.mkdir(parents=True, exist_ok=True)
        (checkout / made).write_text("x", encoding="utf-8")
    assert checkout_state(checkout) == set()


def test_outside_a_git_checkout_there_is_nothing_to_compare(tmp_path: Path) -> None:
    assert checkout_state(tmp_path) is None


def test_the_demo_copy_builds_without_touching_the_checkout(tmp_path: Path) -> None:
    demo = copy_demo(tmp_path / "demo")
    assert sorted(p.name for p in demo.root.iterdir()) == ["incidents", "pinned-now.txt", "statusgen.yaml", "upstream"]
    assert demo.build("2026-11-23T09:00:00Z", "--out", str(tmp_path / "site")) == 0
    assert (demo.root / ".statusgen/build.lock").is_file()
    assert (tmp_path / "site/index.html").is_file()


def test_hypothesis_stores_nothing_in_the_checkout() -> None:
    from hypothesis import settings
    from hypothesis.configuration import storage_directory

    assert settings.default is not None
    assert settings.default.database is None
    stored = storage_directory("unicode_data", intent_to_write=False).path.resolve()
    assert not stored.is_relative_to(PROJECT)
