"""Editing reads a file with the YAML parser the build reads it with: what a build accepts, an
edit accepts too, and what it refuses, an edit refuses the same way."""

from __future__ import annotations

import pytest

from conftest import INCIDENT, Repo
from statusgen.authoring import workspace

NOW = "2025-11-10T14:05:00Z"
LAST = "    message: Error rates are back to normal.\n"


def run(repo: Repo, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = repo.run(*argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# Inputs on which libyaml, which the build uses, and PyYAML's pure-Python parser disagree, or
# where line breaks other than LF could mislead an edit.
ACCEPTED = {
    "tab after a value": INCIDENT.replace("rates\n", "rates\t\n"),
    "tab before a comment": INCIDENT.replace("impact: major\n", "impact: major\t# paged at 13:52\n"),
    "tab after a nested value": INCIDENT.replace("api: partial_outage\n", "api: partial_outage\t\n"),
    "tab after the last message": INCIDENT.replace(LAST, LAST.replace(".\n", ".\t\n")),
    "tab after a quoted value": INCIDENT.replace(
        "title: Elevated API error rates\n", 'title: "Elevated API error rates"\t\n'
    ),
    "tab between key and value": INCIDENT.replace("impact: major\n", "impact:\tmajor\n"),
    "tab in a flow mapping": INCIDENT.replace(
        "components:\n  api: partial_outage\n", "components: {api: partial_outage,\tweb: degraded_performance}\n"
    ),
    "BOM at the file's start": "\ufeff" + INCIDENT,
    "CRLF and tabs": INCIDENT.replace("rates\n", "rates\t\n").replace("\n", "\r\n"),
    "U+2028 in the last message": INCIDENT.replace(LAST, '    message: "Back to\u2028normal."\n'),
    "U+0085 in the last message": INCIDENT.replace(LAST, '    message: "Back to\x85normal."\n'),
    "U+2028 ending the last message's block": INCIDENT.replace(LAST, "    message: |\n      Back.\u2028\n"),
    # YAML ends the block at the U+2028; an editor shows the comment on the same line.
    "U+2028, then a comment, ending the last message": INCIDENT.replace(
        LAST, "    message: |\n      Back.\u2028    # checked\n"
    ),
    "a very long line": INCIDENT.replace(LAST, "    message: " + "Back to normal. " * 4000 + "\n"),
}


@pytest.mark.parametrize("text", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_what_the_build_accepts_takes_an_update(repo: Repo, capsys: pytest.CaptureFixture[str], text: str) -> None:
    path = repo.root / "incidents/2025-11-03-api-errors.md"
    path.write_bytes(text.encode())
    assert repo.build("2025-11-10T12:00:00Z") == 0, capsys.readouterr().err
    capsys.readouterr()
    code, _, err = run(
        repo,
        capsys,
        "update",
        "2025-11-03-api-errors",
        "--status",
        "investigating",
        "--message",
        "It is back.",
        "--now",
        NOW,
    )
    assert (code, err) == (0, "")
    after = path.read_bytes().decode()
    closing = "---\r\n" if "\r\n" in text else "---\n"
    assert after.startswith(text.removesuffix(closing))
    assert after.endswith(closing)
    [incident] = workspace.load(repo.root).incidents
    assert [(u.status, u.message) for u in incident.updates][-1] == ("investigating", "It is back.")
    assert len(incident.updates) == 3
    assert repo.build("2025-11-10T15:00:00Z") == 0


def test_a_yaml_file_with_a_bom_and_tabs_takes_an_update(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    text = (
        "\ufefftitle: Queue delays\t# yaml file\nimpact: critical\t\nupdates:\n- at: 2025-11-09T10:00:00Z\n"
        "  status: investigating\n  message: Delays.\t\n"
    )
    path = repo.root / "incidents/2025-11-09-queue.yaml"
    path.write_bytes(text.encode())
    code, _, err = run(repo, capsys, "resolve", "2025-11-09-queue", "--message", "Fixed.", "--now", NOW)
    assert (code, err) == (0, "")
    assert path.read_text() == text + f"- at: {NOW}\n  status: resolved\n  message: Fixed.\n"


# Text that could nest deeply goes through the pure-Python parser, in the build as in an edit, and
# that parser refuses a tab after a value.
DEEP = '  - at: 2025-11-03T16:00:00Z\n    status: resolved\n    message: "' + "- " * 300 + '"\n'
REFUSED = {
    "tab where the pure-Python parser reads": INCIDENT.replace("rates\n", "rates\t\n").replace(LAST, LAST + DEEP),
    # libyaml refuses a BOM at a line's start; the pure-Python parser took it for part of the key.
    "BOM at the start of the updates key": INCIDENT.replace("updates:\n", "\ufeffupdates:\n"),
}


@pytest.mark.parametrize("text", REFUSED.values(), ids=REFUSED.keys())
def test_what_the_build_refuses_an_edit_refuses_the_same_way(
    repo: Repo, capsys: pytest.CaptureFixture[str], text: str
) -> None:
    path = repo.root / "incidents/2025-11-03-api-errors.md"
    path.write_text(text)
    assert repo.run("check") == 1
    built = capsys.readouterr().err
    code, _, err = run(
        repo, capsys, "update", "2025-11-03-api-errors", "--status", "investigating", "--message", "x", "--now", NOW
    )
    assert code == 1
    assert "Traceback" not in err
    [problem] = [line for line in built.splitlines() if line.startswith("incidents/")]
    assert "invalid YAML: " in problem
    assert err == problem + "\n1 error(s); nothing was written\n"
    assert path.read_text() == text
