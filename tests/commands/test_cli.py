"""The command line's parser: every command's help, and notify's, which points to its documentation."""

from __future__ import annotations

import pytest

from conftest import PROJECT, Repo
from statusgen import cli

COMMANDS = [
    "init",
    "build",
    "check",
    "new",
    "update",
    "resolve",
    "postmortem",
    "serve",
    "notify",
    "templates",
    "import",
]


def test_the_help_lists_every_command_in_order(
    repo: Repo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # one line a command
    assert repo.run("--help") == 0
    lines = capsys.readouterr().out.splitlines()
    start = lines.index("  COMMAND") + 1
    listed = [line.split()[0] for line in lines[start : lines.index("", start)]]
    assert listed == COMMANDS
    assert sorted(cli.COMMANDS) == sorted(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_has_its_help(repo: Repo, capsys: pytest.CaptureFixture[str], command: str) -> None:
    assert repo.run(command, "--help") == 0
    captured = capsys.readouterr()
    assert captured.out.startswith(f"usage: statusgen {command} [-h]")
    assert captured.err == ""


def test_notify_help_says_what_to_type_and_links_the_rest(
    repo: Repo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    assert repo.run("notify", "--help") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == "https://github.com/statusgen/statusgen/blob/main/docs/notify.md"
    assert lines[-2] == "How delivery, retries and the record in .statusgen/delivered.json work:"
    description = lines[2 : lines.index("options:") - 1]
    assert len(description) == 5
    assert " ".join(description).endswith("a rerun sends nothing twice. Exit 1 if any delivery failed.")
    assert all(option in "\n".join(lines) for option in ("--since REF", "--dry-run", "--now TIME"))


def test_the_notify_documentation_linked_is_in_the_repository() -> None:
    path = cli.NOTIFY_DOCS.split("/blob/main/", 1)[1]
    text = (PROJECT / path).read_text(encoding="utf-8")
    assert text.startswith("# Notifications\n")
    for section in (
        "## Targets",
        "## Running it",
        "## Which updates are new",
        "## Delivery",
        "## The record: `.statusgen/delivered.json`",
    ):
        assert f"\n{section}\n" in text
