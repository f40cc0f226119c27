"""The code stays lint-clean, formatted and type-checked."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT

pytestmark = pytest.mark.slow


def test_ruff_finds_nothing() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "statusgen", "tests", "bench"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_code_is_formatted() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "--no-cache", "statusgen", "tests", "bench"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("folders", [("statusgen", "bench"), ("tests",)])
def test_mypy_strict_finds_nothing(tmp_path: Path, folders: tuple[str, ...]) -> None:
    # The settings (strict, and the few libraries without types) are pyproject.toml's [tool.mypy];
    # its cache goes to tmp_path so that a test run leaves the checkout as it was.
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "mypy"), *folders],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("Success: no issues found"), done.stdout
