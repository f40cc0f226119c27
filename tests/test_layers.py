"""The package's layers, as the import-linter contracts in pyproject.toml write them down."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT

LINT = (
    "import sys; from importlinter.cli import lint_imports_command; "
    "sys.argv[0] = 'lint-imports'; sys.exit(lint_imports_command())"
)


def lint_imports(package_parent: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the contracts of the project's pyproject.toml over the statusgen package in ``package_parent``."""
    return subprocess.run(
        [sys.executable, "-c", LINT, str(PROJECT / "pyproject.toml"), "--no-cache", "--no-logo"],
        cwd=cwd,
        env={"PYTHONPATH": str(package_parent), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_package_keeps_its_layers(tmp_path: Path) -> None:
    done = lint_imports(PROJECT, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 3 kept, 0 broken." in done.stdout
    assert list(tmp_path.iterdir()) == []  # no cache left behind


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        # A stage that reaches up: loading taking something of the build command.
        ("load/config.py", "from statusgen.commands import build", "Each layer imports only the layers below it"),
        # Rendering reaching the output stage above it.
        ("render/feeds.py", "from statusgen.output import writer", "Each layer imports only the layers below it"),
        # The two features are independent of each other.
        (
            "notify/runner.py",
            "from statusgen.authoring import workspace",
            "Each layer imports only the layers below it",
        ),
        # A pure stage opening a socket.
        ("derive/uptime.py", "import socket", "reach no network"),
        # A stage printing through the command line.
        ("output/writer.py", "import argparse", "never reach the command line"),
    ],
)
def test_an_import_against_the_layers_is_caught(tmp_path: Path, module: str, line: str, broken: str) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(PROJECT / "statusgen", copy / "statusgen", ignore=shutil.ignore_patterns("__pycache__"))
    target = copy / "statusgen" / module
    target.write_text(target.read_text() + f"\n{line}  # noqa\n")
    done = lint_imports(copy, tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    report = done.stdout.split("Broken contracts")[1]
    assert broken in report
    # The import itself is named, from the module that made it.
    importer = "statusgen." + module.removesuffix(".py").replace("/", ".")
    assert f"{importer} -> " in report, report
