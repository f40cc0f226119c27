"""statusgen check --format github: every problem as a workflow command on its file and line."""

from __future__ import annotations

import pytest

from conftest import Repo
from statusgen.cli import workflow_command
from statusgen.errors import Problem

LATE = """\
---
title: Checkout failing
impact: critical
components: {web: major_outage}
updates:
  - at: 2025-11-10T10:00:00Z
    status: investigating
    message: "Checkout fails for everyone, 100% of requests."
---
"""
BROKEN = """\
---
title: X
impcat: major
components:
  apj: partial_outage
updates:
  - at: 2025-11-03T14:05:00
    status: investigating
    message: Looking into it.
---
"""


def run(repo: Repo, capsys, *argv: str) -> tuple[int, list[str], list[str]]:
    code = repo.run("check", "--now", "2025-11-10T10:42:00Z", *argv)
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err.splitlines()


def test_validation_errors_become_error_commands(repo: Repo, capsys, monkeypatch):
    monkeypatch.chdir(repo.root)
    repo.incident("2025-11-03-x.md", BROKEN)
    code, out, err = run(repo, capsys, "--format", "github")
    name = "incidents/2025-11-03-x.md"
    assert code == 1
    assert out == [
        f"::error file={name},line=3,title=statusgen::unknown key 'impcat' (did you mean 'impact'?)",
        f"::error file={name},line=5,title=statusgen::unknown component 'apj' (did you mean 'api'?)",
        f"::error file={name},line=7,title=statusgen::time '2025-11-03T14:05:00' has no UTC offset "
        "(write it with an offset, like 2025-11-03T14:05:00Z or 2025-11-03T15:05:00+01:00)",
    ]
    assert err == ["3 error(s)"]


def test_policy_problems_become_error_and_warning_commands(repo: Repo, capsys, monkeypatch):
    monkeypatch.chdir(repo.root)
    repo.incident("2025-11-10-checkout.md", LATE)
    code, out, err = run(repo, capsys, "--format", "github")
    name = "incidents/2025-11-10-checkout.md"
    assert code == 1
    assert out == [
        f"::warning file={name},line=6,title=statusgen::the first update does not say when the next update comes "
        "(end it with e.g. 'Next update by 14:30 UTC.')",
        f"::error file={name},line=6,title=statusgen::update overdue by 12 min (critical incidents get an update "
        "every 30 min; post one with: statusgen update 2025-11-10-checkout --status ... --message ...)",
        "checked: 2 incidents and maintenance, 3 components, 1 policy error(s), 1 warning(s)",
    ]
    assert err == []


def test_text_format_is_the_default(repo: Repo, capsys, monkeypatch):
    monkeypatch.chdir(repo.root)
    repo.incident("2025-11-10-checkout.md", LATE)
    default = run(repo, capsys)
    assert run(repo, capsys, "--format", "text") == default
    assert default[2][1].startswith("incidents/2025-11-10-checkout.md:6: update overdue by 12 min")


def test_files_are_named_from_the_working_folder(repo: Repo, capsys, monkeypatch):
    monkeypatch.chdir(repo.root.parent)
    repo.incident("2025-11-10-checkout.md", LATE)
    _, out, _ = run(repo, capsys, "--format", "github")
    assert out[1].startswith("::error file=status/incidents/2025-11-10-checkout.md,line=6,title=statusgen::")


def test_a_missing_configuration_is_one_error(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(Repo(tmp_path), capsys, "--format", "github")
    assert (code, err) == (1, ["1 error(s)"])
    assert out == ["::error file=statusgen.yaml,title=statusgen::no statusgen.yaml here "
                   "(run statusgen in a status repository, or create one with 'statusgen init DIR')"]


@pytest.mark.parametrize("problem, path, expected", [
    (Problem("a.md", 4, "bad"), "a.md", "::error file=a.md,line=4,title=statusgen::bad"),
    (Problem("a.md", 4, "odd", "a hint", warning=True), "a.md",
     "::warning file=a.md,line=4,title=statusgen::odd (a hint)"),
    (Problem("a.md", 0, "whole file"), "a.md", "::error file=a.md,title=statusgen::whole file"),
    (Problem("", 0, "nowhere"), "", "::error title=statusgen::nowhere"),
    (Problem("x", 2, "50% of\nrequests\r: a, b", "100%"), "dir,a:b/x%.md",
     "::error file=dir%2Ca%3Ab/x%25.md,line=2,title=statusgen::50%25 of%0Arequests%0D: a, b (100%25)"),
])
def test_workflow_command_escaping(problem: Problem, path: str, expected: str):
    assert workflow_command(problem, path) == expected
