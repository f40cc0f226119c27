"""statusgen check --format github: every problem as a workflow command on its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Repo
from statusgen.commands.check import workflow_command
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


def run(repo: Repo, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], list[str]]:
    code = repo.run("check", "--now", "2025-11-10T10:42:00Z", *argv)
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err.splitlines()


def test_validation_errors_become_error_commands(
    repo: Repo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
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


def test_policy_problems_become_error_and_warning_commands(
    repo: Repo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
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


def test_text_format_is_the_default(
    repo: Repo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo.root)
    repo.incident("2025-11-10-checkout.md", LATE)
    default = run(repo, capsys)
    assert run(repo, capsys, "--format", "text") == default
    assert default[2][1].startswith("incidents/2025-11-10-checkout.md:6: update overdue by 12 min")


def test_files_are_named_from_the_working_folder(
    repo: Repo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo.root.parent)
    repo.incident("2025-11-10-checkout.md", LATE)
    _, out, _ = run(repo, capsys, "--format", "github")
    assert out[1].startswith("::error file=status/incidents/2025-11-10-checkout.md,line=6,title=statusgen::")


def test_a_missing_configuration_is_one_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(Repo(tmp_path), capsys, "--format", "github")
    assert (code, err) == (1, ["1 error(s)"])
    assert out == [
        "::error file=statusgen.yaml,title=statusgen::no statusgen.yaml here "
        "(run statusgen in a status repository, or create one with 'statusgen init DIR')"
    ]


@pytest.mark.parametrize(
    "problem, path, expected",
    [
        (Problem("a.md", 4, "bad"), "a.md", "::error file=a.md,line=4,title=statusgen::bad"),
        (
            Problem("a.md", 4, "odd", "a hint", warning=True),
            "a.md",
            "::warning file=a.md,line=4,title=statusgen::odd (a hint)",
        ),
        (Problem("a.md", 0, "whole file"), "a.md", "::error file=a.md,title=statusgen::whole file"),
        (Problem("", 0, "nowhere"), "", "::error title=statusgen::nowhere"),
        (
            Problem("x", 2, "50% of\nrequests\r: a, b", "100%"),
            "dir,a:b/x%.md",
            "::error file=dir%2Ca%3Ab/x%25.md,line=2,title=statusgen::50%25 of%0Arequests%0D: a, b (100%25)",
        ),
    ],
)
def test_workflow_command_escaping(problem: Problem, path: str, expected: str) -> None:
    assert workflow_command(problem, path) == expected


LOOP_HINT = "symlink loop (point the link at a file, or remove it)"


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_an_incident_linked_to_itself_is_reported_on_its_file(
    repo: Repo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    monkeypatch.chdir(repo.root.parent)
    (repo.root / "incidents/2025-01-01-loop.md").symlink_to("2025-01-01-loop.md")
    (repo.root / "incidents/2025-01-02-a.md").symlink_to("2025-01-02-b.md")
    (repo.root / "incidents/2025-01-02-b.md").symlink_to("2025-01-02-a.md")
    code, out, err = run(repo, capsys, "--format", fmt)
    names = [
        "status/incidents/2025-01-01-loop.md",
        "status/incidents/2025-01-02-a.md",
        "status/incidents/2025-01-02-b.md",
    ]
    assert code == 1
    if fmt == "github":
        assert (out, err) == (
            [f"::error file={name},line=1,title=statusgen::{LOOP_HINT}" for name in names],
            ["3 error(s)"],
        )
    else:
        assert (out, err) == (
            [],
            [f"{name.removeprefix('status/')}:1: {LOOP_HINT}" for name in names] + ["3 error(s); nothing was written"],
        )


def test_the_repository_folder_may_be_reached_through_links(
    repo: Repo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "via").symlink_to(repo.root)
    monkeypatch.chdir(tmp_path / "via")
    repo.incident("2025-11-03-x.md", BROKEN)
    code, out, _ = run(repo, capsys, "--format", "github")
    assert (code, out[0]) == (
        1,
        "::error file=incidents/2025-11-03-x.md,line=3,title=statusgen::unknown key 'impcat' (did you mean 'impact'?)",
    )


HOSTILE = "2025-01-01-a##[error]pwn\x1b[2J\u202e"
BAD_NAME = "file name must be YYYY-MM-DD-slug with a lowercase slug (e.g. incidents/2025-11-03-api-errors.md)"
SHOWN = "2025-01-01-a##\\x5berror]pwn\\x1b[2J\\u202e"


@pytest.mark.parametrize(
    "problem, path, expected",
    [
        (
            Problem("x", 1, "a\x1b[2Jb\u202ec\x85d\u2028e\tf\x00g"),
            "x",
            "::error file=x,line=1,title=statusgen::a\\x1b[2Jb\\u202ec\\x85d\\u2028e\\tf\\x00g",
        ),
        (
            Problem("x", 1, "see ##[error]now", "##[group]"),
            "a##[b\u2066.md",
            "::error file=a##\\x5bb\\u2066.md,line=1,title=statusgen::see ##\\x5berror]now (##\\x5bgroup])",
        ),
        (
            Problem("x", 1, "::error::x\n::warning::y"),
            "x",
            "::error file=x,line=1,title=statusgen::\\x3a:error::x%0A\\x3a:warning::y",
        ),
    ],
)
def test_workflow_commands_show_control_characters_as_escapes(problem: Problem, path: str, expected: str) -> None:
    assert workflow_command(problem, path) == expected


@pytest.mark.parametrize("command", [("check", "--format", "github"), ("check",), ("build",)])
def test_a_hostile_file_name_is_printed_escaped(
    repo: Repo,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    command: tuple[str, str, str] | tuple[str],
) -> None:
    monkeypatch.chdir(repo.root)
    repo.incident(f"{HOSTILE}.md", BROKEN)
    assert repo.run(*command, "--now", "2025-11-10T10:42:00Z") == 1
    captured = capsys.readouterr()
    printed = captured.out + captured.err
    assert "\x1b" not in printed and "\u202e" not in printed and "##[" not in printed
    first = (captured.out if "github" in command else captured.err).splitlines()[0]
    if "github" in command:
        assert first == f"::error file=incidents/{SHOWN}.md,line=1,title=statusgen::{BAD_NAME}"
    else:
        assert first == f"incidents/{SHOWN}.md:1: {BAD_NAME}"


def test_template_names_and_first_lines_are_printed_escaped(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.write("templates/x##[error]\x1b[2J.md", "\u202e##[warning]first\x07 line\n\nmore\n")
    capsys.readouterr()
    assert repo.run("templates") == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out and "##[" not in out
    line = next(line for line in out.splitlines() if line.startswith("x##"))
    assert line.split()[0] == "x##\\x5berror]\\x1b[2J"
    assert line.endswith("\\u202e##\\x5bwarning]first\\x07 line")
