"""statusgen init: a new repository that builds straight away, and never overwrites."""

from __future__ import annotations

import yaml

from conftest import Repo
from statusgen import __version__
from statusgen.cli import main


def test_init_creates_a_repository_that_builds(tmp_path, capsys):
    target = tmp_path / "status"
    assert main(["init", str(target)]) == 0
    out = capsys.readouterr().out
    files = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    (example,) = [f for f in files if f.startswith("incidents/")]
    assert files == [".github/workflows/publish.yml", ".gitignore", "README.md", example, "requirements.txt",
                     "statusgen.yaml"]
    assert f"created {target / 'statusgen.yaml'}" in out
    assert (target / ".gitignore").read_text().splitlines()[1:] == ["site/", ".site.previous/", ".statusgen/"]
    requirements = (target / "requirements.txt").read_text().splitlines()
    assert requirements[-1] == f"statusgen=={__version__}" and all(line.startswith("#") for line in requirements[:-1])
    workflow = yaml.safe_load((target / ".github/workflows/publish.yml").read_text())
    assert list(workflow["jobs"]) == ["build", "deploy", "notify"]
    assert workflow["permissions"] == {}
    assert "python -m pip install -r requirements.txt" in [s.get("run") for s in workflow["jobs"]["build"]["steps"]]
    scratch = Repo(target)
    assert scratch.run("check") == 0
    assert scratch.build() == 0
    assert "All Systems Operational" in scratch.page("index.html")
    assert "slow API responses" not in scratch.page("history/index.html")  # the example is hidden
    assert "No incidents reported yet." in scratch.page("history/index.html")


def test_init_refuses_to_overwrite(tmp_path, capsys):
    target = tmp_path / "status"
    target.mkdir()
    (target / "statusgen.yaml").write_text("mine\n")
    assert main(["init", str(target)]) == 1
    assert "already exists; nothing was written" in capsys.readouterr().err
    assert [p.name for p in target.iterdir()] == ["statusgen.yaml"]
    assert (target / "statusgen.yaml").read_text() == "mine\n"


def test_init_into_a_folder_with_other_files(tmp_path):
    target = tmp_path / "status"
    target.mkdir()
    (target / "LICENSE").write_text("MIT\n")
    assert main(["init", str(target)]) == 0
    assert (target / "LICENSE").read_text() == "MIT\n"
