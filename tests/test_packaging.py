"""A plain ``pip install`` of the wheel carries the default theme and builds a site."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

from conftest import PROJECT, Repo


def test_installed_wheel_builds_without_the_checkout(repo: Repo, tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(wheels),
                    str(PROJECT)], check=True, capture_output=True)
    (wheel,) = wheels.glob("statusgen-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for template in ("base.html", "index.html", "incident.html", "component.html", "history.html",
                     "404.html", "_macros.html", "_icons.html"):
        assert f"statusgen/themes/default/templates/{template}" in names
    assert "statusgen/themes/default/static/style.css" in names
    for shipped in ("messages/critical.md", "messages/postmortem.md", "skeleton/publish.yml",
                    "skeleton/statusgen.yaml", "skeleton/example.md"):
        assert f"statusgen/{shipped}" in names

    target = tmp_path / "installed"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target",
                    str(target), str(wheel)], check=True, capture_output=True)
    env = {**os.environ, "PYTHONPATH": str(target)}
    probe = subprocess.run(
        [sys.executable, "-c", "import statusgen.theme as t; print(t.__file__); print(t.default_theme_dir())"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=True).stdout.split()
    assert probe[0].startswith(str(target)) and probe[1].startswith(str(target))
    done = subprocess.run([sys.executable, "-m", "statusgen", "-C", str(repo.root), "build", "--now",
                           "2025-11-10T12:00:00Z"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "Elevated API error rates" in repo.page("index.html")
    fresh = tmp_path / "fresh"
    steps = (["init", str(fresh)], ["-C", str(fresh), "new", "Slow", "--impact", "minor", "--message", "Slow."],
             ["-C", str(fresh), "build"])
    for argv in steps:
        done = subprocess.run([sys.executable, "-m", "statusgen", *argv], cwd=tmp_path, env=env,
                              capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
