"""The helpers that find Chromium and the npm checkers: a missing one fails the test with the
install step to run, not with FileNotFoundError."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import chromium


def test_a_missing_npm_checker_names_the_install_step(tmp_path: Path) -> None:
    with pytest.raises(pytest.fail.Exception) as failed:
        chromium.tool(chromium.TOOLS / "vnu-jar" / "missing.jar")
    assert str(failed.value) == (
        "tests/tools/node_modules/vnu-jar/missing.jar is missing: the npm checkers are not "
        "installed (run ./scripts/test, which installs what the tests need, or: npm ci "
        "--prefix tests/tools)"
    )


def test_an_installed_checker_is_given_back() -> None:
    assert chromium.tool(chromium.TOOLS.parent / "package.json") == chromium.TOOLS.parent / "package.json"


def test_a_missing_chromium_names_the_install_step(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(chromium, "CHROMIUM", tmp_path / "chromium")
    with pytest.raises(pytest.fail.Exception) as failed, chromium.chromium():
        pass
    assert str(failed.value) == (
        f"{tmp_path}/chromium is missing (run ./scripts/test, which installs what the "
        "tests need, or: apt-get install chromium)"
    )


def test_a_missing_java_names_the_install_step(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)  # the module chromium looks Java up with
    with pytest.raises(pytest.fail.Exception) as failed:
        chromium.java()
    assert str(failed.value) == (
        "no Java runtime for the Nu HTML Checker (run ./scripts/test, which installs what "
        "the tests need, or: apt-get install default-jre-headless)"
    )
