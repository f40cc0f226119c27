"""A plain ``pip install`` of the wheel carries the default theme and builds a site; the wheel and
the sdist carry the license and the project's metadata."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

from conftest import CONFIG, PROJECT, Repo
from statusgen import __version__, i18n

pytestmark = pytest.mark.slow  # builds and installs the distributions

URL = "https://github.com/statusgen/statusgen"


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist and the wheel, built as the release workflow builds them: the wheel from the sdist."""
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(PROJECT)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return out


@pytest.fixture(scope="module")
def wheel(dist: Path) -> Path:
    (built,) = dist.glob("statusgen-*.whl")
    return built


def test_release_builds_exactly_one_sdist_and_one_wheel(dist: Path) -> None:
    assert sorted(p.name for p in dist.iterdir()) == [
        f"statusgen-{__version__}-py3-none-any.whl",
        f"statusgen-{__version__}.tar.gz",
    ]


def test_wheel_metadata_names_the_license_authors_and_links(wheel: Path) -> None:
    archive = zipfile.ZipFile(wheel)
    info = f"statusgen-{__version__}.dist-info"
    metadata = Parser().parsestr(archive.read(f"{info}/METADATA").decode("utf-8"))
    assert (metadata["Name"], metadata["Version"]) == ("statusgen", __version__)
    assert metadata["License-Expression"] == "MIT"
    assert metadata.get_all("License-File") == ["LICENSE"]
    assert metadata["Author"] == "the statusgen authors"
    urls = metadata.get_all("Project-URL")
    assert urls is not None
    assert sorted(urls) == [f"Homepage, {URL}", f"Issues, {URL}/issues", f"Repository, {URL}"]
    assert metadata["Requires-Python"] == ">=3.11"
    classifiers = metadata.get_all("Classifier")
    assert classifiers is not None
    for expected in (
        "Programming Language :: Python :: 3.11",
        "Environment :: Console",
        "Operating System :: OS Independent",
        "Topic :: System :: Monitoring",
    ):
        assert expected in classifiers
    # PEP 639: the license expression replaces the license classifiers.
    assert [c for c in classifiers if c.startswith("License ::")] == []
    assert archive.read(f"{info}/licenses/LICENSE") == (PROJECT / "LICENSE").read_bytes()
    assert (PROJECT / "LICENSE").read_text(encoding="utf-8").splitlines()[:3] == [
        "MIT License",
        "",
        "Copyright (c) the statusgen authors",
    ]


def test_sdist_carries_the_license_and_the_same_metadata(dist: Path) -> None:
    (sdist,) = dist.glob("statusgen-*.tar.gz")
    top = f"statusgen-{__version__}"
    with tarfile.open(sdist) as archive:
        names = set(archive.getnames())
        license_file = archive.extractfile(f"{top}/LICENSE")
        assert license_file is not None and license_file.read() == (PROJECT / "LICENSE").read_bytes()
        info = archive.extractfile(f"{top}/PKG-INFO")
        assert info is not None
        metadata = Parser().parsestr(info.read().decode("utf-8"))
    assert (metadata["License-Expression"], metadata.get_all("License-File")) == ("MIT", ["LICENSE"])
    assert f"{top}/themes/default/templates/base.html" in names


def test_installed_wheel_builds_without_the_checkout(repo: Repo, tmp_path: Path, wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for template in (
        "base.html",
        "index.html",
        "incident.html",
        "component.html",
        "history.html",
        "404.html",
        "_macros.html",
        "_icons.html",
    ):
        assert f"statusgen/themes/default/templates/{template}" in names
    assert "statusgen/themes/default/static/style.css" in names
    for shipped in (
        "messages/critical.md",
        "messages/postmortem.md",
        "skeleton/publish.yml",
        "skeleton/statusgen.yaml",
        "skeleton/example.md",
    ):
        assert f"statusgen/{shipped}" in names

    target = tmp_path / "installed"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    probe = subprocess.run(
        [sys.executable, "-c", "import statusgen.theme.files as t; print(t.__file__); print(t.default_theme_dir())"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert probe[0].startswith(str(target)) and probe[1].startswith(str(target))
    done = subprocess.run(
        [sys.executable, "-m", "statusgen", "-C", str(repo.root), "build", "--now", "2025-11-10T12:00:00Z"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Elevated API error rates" in repo.page("index.html")
    fresh = tmp_path / "fresh"
    steps = (
        ["init", str(fresh)],
        ["-C", str(fresh), "new", "Slow", "--impact", "minor", "--message", "Slow."],
        ["-C", str(fresh), "build"],
    )
    for argv in steps:
        done = subprocess.run(
            [sys.executable, "-m", "statusgen", *argv],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr


def test_the_wheel_ships_every_catalog_compiled(repo: Repo, tmp_path: Path, wheel: Path) -> None:
    """Each language's .po is in the wheel as a .mo, and an installed site reads its words from it."""
    names = set(zipfile.ZipFile(wheel).namelist())
    compiled = sorted(n for n in names if n.endswith(".mo"))
    assert compiled == sorted(f"statusgen/locale/{c}/LC_MESSAGES/statusgen.mo" for c in i18n.CATALOGS)
    target = tmp_path / "installed"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    # Without its source, the catalog can only be read compiled.
    (target / "statusgen/locale/it/LC_MESSAGES/statusgen.po").unlink()
    repo.config(CONFIG.replace("  timezone:", "  language: it\n  timezone:"))
    done = subprocess.run(
        [sys.executable, "-m", "statusgen", "-C", str(repo.root), "build", "--now", "2025-11-10T12:00:00Z"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(target)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    page = repo.page("index.html")
    assert '<html lang="it" dir="ltr">' in page
    assert "<span>Tutti i sistemi sono operativi</span>" in page
