"""Template text is left-over only in prose: in code, ``[[...]]`` is what the author pasted."""

from __future__ import annotations

import pytest

from conftest import Repo
from statusgen.authoring import workspace
from statusgen.load import messages
from statusgen.markup import prose

NOW = "2025-11-10T12:00:00Z"

# What engineers paste: a TOML table, a shell test, a log line, in fences and code spans.
PASTED = """\
---
title: Workers not starting
impact: major
components: {api: partial_outage}
updates:
  - at: 2025-11-03T14:05:00Z
    status: investigating
    message: |
      Workers fail the check `[[ -f /etc/worker.toml ]]` at start.
      ```
      [[ -d /var/run/worker ]] || exit 1
      ```
  - at: 2025-11-03T15:20:00Z
    status: resolved
    message: Fixed the `[[servers]]` table. Service has worked normally since 15:10 UTC.
---
The config had a second table:

~~~toml
[[servers]]
name = "a"
[[servers]]
name = "b"
~~~

A ``code span with ` and [[ a
marker ]] across lines`` stays content too.
"""


def problems(repo: Repo, name: str) -> list[tuple[int, str]]:
    [incident] = [i for i in workspace.load(repo.root).incidents if i.path == f"incidents/{name}"]
    return [(p.line, p.message) for p in messages.left_in(incident, repo.root)]


def test_markers_in_code_build(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.incident("2025-11-03-workers.md", PASTED)
    assert problems(repo, "2025-11-03-workers.md") == []
    assert repo.build(NOW) == 0, capsys.readouterr().err
    page = repo.page("incidents/2025-11-03-workers/index.html")
    assert "<code>[[ -f /etc/worker.toml ]]</code>" in page
    assert "[[servers]]\nname = &quot;a&quot;" in page or '[[servers]]\nname = "a"' in page


@pytest.mark.parametrize(
    ("added", "line", "message"),
    [
        # Prose after a fenced block that holds markers: reported at its own line.
        ("After the fix, [[what customers see]].\n", 29, "template text left in the body: [[what customers see]]"),
        # A fence that is never closed is no code: markdown shows it as text, so its marker is prose.
        ("```\n[[unclosed]]\n", 30, "template text left in the body: [[unclosed]]"),
        # A lone backtick opens no code span.
        ("It ` [[half]] done.\n", 29, "template text left in the body: [[half]]"),
        # A marker across lines in prose, as the packaged templates write them.
        ("[[what customers\nwill notice]]\n", 29, "template text left in the body: [[what customers\nwill notice]]"),
    ],
)
def test_markers_in_prose_are_still_refused(repo: Repo, added: str, line: int, message: str) -> None:
    repo.incident("2025-11-03-workers.md", PASTED + "\n" + added)
    assert problems(repo, "2025-11-03-workers.md") == [(line, message)]


def test_a_message_marker_after_code_keeps_its_line(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    text = PASTED.replace("      ```\n---", "      ```\n      Next update by [[time]].\n---").replace(
        "      ```\n  - at: 2025-11-03T15:20:00Z",
        "      ```\n      Next update by [[time]].\n  - at: 2025-11-03T15:20:00Z",
    )
    repo.incident("2025-11-03-workers.md", text)
    assert problems(repo, "2025-11-03-workers.md") == [(13, "template text left in the message: [[time]]")]
    assert repo.build(NOW) == 1
    # The build reports a message's placeholder at its update, as it reads no file twice.
    assert capsys.readouterr().err.splitlines()[0] == (
        "incidents/2025-11-03-workers.md:6: template text left in the message: [[time]] "
        "(write the real text in place of each [[...]])"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a `[[x]]` b", "a         b"),
        ("a ``[[`x`]]`` b", "a             b"),
        ("```\n[[t]]\n```\nafter", "   \n     \n   \nafter"),
        ("  ~~~~ toml\n[[t]]\n~~~\n~~~~\nz", "           \n     \n   \n    \nz"),
        # No fence (its info string holds a backtick), but a code span of three backticks.
        ("```x`y\n[[t]]\n```", "      \n     \n   "),
        ("```\n[[t]]", "```\n[[t]]"),  # never closed
        # A fence is closed by a line of its character at least as long, past shorter ones and
        # past lines of the other character.
        ("````\n[[t]]\n```\n~~~~~\n`````\n[[u]]", "    \n     \n   \n     \n     \n[[u]]"),
        ("````\n[[t]]\n```\n~~~~", "````\n[[t]]\n```\n~~~~"),  # none closed: ~~~~ closes no backtick fence
        ("a `one\n\ntwo` b", "a `one\n\ntwo` b"),  # a code span ends with its paragraph
        ("a `one\ntwo` b", "a     \n     b"),
        ("\\`[[x]]`", "\\`[[x]]`"),  # an escaped backtick opens nothing
        ("`a` `` b `` `c", "            `c"),
    ],
)
def test_prose_blanks_code_and_keeps_every_offset(text: str, expected: str) -> None:
    assert prose(text) == expected
    assert len(prose(text)) == len(text)
