"""The editing commands' arguments and what they print: usage errors named by the argument,
component statuses, hints for unquoted text and bad times, warnings for other files' problems."""

from __future__ import annotations

import pytest

from conftest import INCIDENT, Repo
from statusgen import cli
from statusgen.authoring import workspace
from statusgen.timeutil import resolve_now

NOW = "2025-11-10T14:05:00Z"
TARGET = "incidents/2025-11-03-api-errors.md"
OPEN = INCIDENT.replace(
    "  - at: 2025-11-03T15:20:00Z\n    status: resolved\n    message: Error rates are back to normal.\n", ""
)
TYPO = """\
---
titel: Slow search
updates:
  - at: 2025-11-04T10:00:00Z
    status: investigating
    message: Search is slow.
---
"""
STATUSES = "operational, degraded_performance, partial_outage, major_outage"


def run(repo: Repo, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = repo.run(*argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def files(repo: Repo) -> dict[str, bytes]:
    return {p.relative_to(repo.root).as_posix(): p.read_bytes() for p in sorted(repo.root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(
    "argv, err",
    [
        (
            ["update", "2025-11-03", "--status", "monitoring", "--component", "api", "--message", "x", "--now", NOW],
            "statusgen update: error: --component api: give the status the component has from this update on "
            f"(e.g. --component api=operational; one of: {STATUSES})\n",
        ),
        (
            ["update", "2025-11-03", "--status", "identified", "--component", "api=", "--message", "x", "--now", NOW],
            "statusgen update: error: --component api=: give the status the component has from this update on "
            f"(e.g. --component api=operational; one of: {STATUSES})\n",
        ),
        (
            ["new", "X", "--impact", "major", "--component", "web=", "--message", "x", "--now", NOW],
            "statusgen new: error: --component web=: give the status the component has from this update on "
            f"(e.g. --component web=operational; one of: {STATUSES})\n",
        ),
        (
            ["new", "X", "--impact", "minor", "--component", "wbe", "--message", "x", "--now", NOW],
            "statusgen new: error: --component wbe: unknown component (did you mean 'web'?)\n",
        ),
        (
            [
                "update",
                "2025-11-03",
                "--status",
                "identified",
                "--component",
                "apj=major_outage",
                "--message",
                "x",
                "--now",
                NOW,
            ],
            "statusgen update: error: --component apj: unknown component (did you mean 'api'?)\n",
        ),
        (
            ["new", "X", "--impact", "minor", "--component", "zzz", "--message", "x", "--now", NOW],
            "statusgen new: error: --component zzz: unknown component (the components are: api, web, db)\n",
        ),
        (
            [
                "new",
                "X",
                "--impact",
                "minor",
                "--component",
                "api=major_outage",
                "--component",
                "api",
                "--message",
                "x",
                "--now",
                NOW,
            ],
            "statusgen new: error: --component api: 'api' is given more than once (give each component once)\n",
        ),
        (
            ["new", "X", "--impact", "minor", "--component", "api=major_outgae", "--message", "x", "--now", NOW],
            "statusgen new: error: --component api=major_outgae: unknown component status 'major_outgae' (did you mean "
            "'major_outage'?)\n",
        ),
        (
            [
                "new",
                "X",
                "--maintenance",
                "--start",
                "2025-12-01T02:00:00Z",
                "--end",
                "2025-12-01T04:00:00Z",
                "--component",
                "db=major_outage",
                "--now",
                NOW,
            ],
            "statusgen new: error: --component db=major_outage: maintenance puts its components under maintenance; "
            "give only the id (--component db)\n",
        ),
        (
            [
                "new",
                "X",
                "--maintenance",
                "--start",
                "2025-12-01T04:00:00Z",
                "--end",
                "2025-12-01T02:00:00Z",
                "--now",
                NOW,
            ],
            "statusgen new: error: --end: the maintenance window ends before it starts (2025-12-01T02:00:00Z <= "
            "2025-12-01T04:00:00Z) (check the dates, and the offset of each time)\n",
        ),
        (
            ["new", " ", "--impact", "minor", "--message", "x", "--now", NOW],
            "statusgen new: error: TITLE: the title is empty (say what customers notice, e.g. 'Slow dashboard')\n",
        ),
        (
            ["update", "2025-11-03", "--status", "identified", "--message", " \n", "--now", NOW],
            "statusgen update: error: --message: the message is empty (say what is happening and when the next update "
            "comes)\n",
        ),
        (
            ["resolve", "2025-11-03", "--template", "resolvd", "--now", NOW],
            "statusgen resolve: error: --template resolvd: no template 'resolvd' (did you mean 'resolved'?)\n",
        ),
    ],
)
def test_argument_errors_name_the_argument_and_exit_2(
    repo: Repo, capsys: pytest.CaptureFixture[str], argv: list[str], err: str
) -> None:
    repo.incident("2025-11-03-api-errors.md", OPEN)
    before = files(repo)
    assert run(repo, capsys, *argv) == (2, "", err)
    assert files(repo) == before


def test_new_takes_a_components_status_from_the_impact_and_says_so(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        repo,
        capsys,
        "new",
        "Slow",
        "--impact",
        "major",
        "--component",
        "api",
        "--component",
        "web=major_outage",
        "--message",
        "Slow.",
        "--now",
        NOW,
    )
    assert code == 0, err
    assert "components:\n  api: partial_outage\n  web: major_outage\n" in (repo.root / out.strip()).read_text()
    assert repo.run("new", "--help") == 0
    shown = " ".join(capsys.readouterr().out.split())
    defaults = ", ".join(f"{impact}: {status}" for impact, status in workspace.DEFAULT_STATUS.items())
    assert f"ID alone takes the impact's default status ({defaults}); with --maintenance, give ids only" in shown


def test_update_with_component_status_applies_it(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.incident("2025-11-03-api-errors.md", OPEN)
    code, _, err = run(
        repo,
        capsys,
        "update",
        "2025-11-03",
        "--status",
        "monitoring",
        "--component",
        "api=operational",
        "--message",
        "Watching.",
        "--now",
        NOW,
    )
    assert code == 0, err
    assert (
        (repo.root / TARGET)
        .read_text()
        .endswith(
            f"  - at: {NOW}\n    status: monitoring\n    components: {{api: operational}}\n"
            "    message: Watching.\n---\n"
        )
    )


@pytest.mark.parametrize(
    "argv, hint",
    [
        (
            ["new", "Title", "--message", "a", "bad", "deploy", "--impact", "major"],
            "unrecognized arguments: bad deploy (quote text that has spaces, so that it is one argument: "
            "--message 'a bad deploy')",
        ),
        (
            ["new", "Title", "--message=a", "bad", "deploy", "--impact", "major"],
            "unrecognized arguments: bad deploy (quote text that has spaces, so that it is one argument: "
            "--message 'a bad deploy')",
        ),
        (
            ["update", "latest", "--status", "identified", "--message", "It's", "the", "cache"],
            "unrecognized arguments: the cache (quote text that has spaces, so that it is one argument: "
            "--message 'It'\"'\"'s the cache')",
        ),
        (
            ["new", "Slow", "dashboard", "--impact", "minor"],
            "unrecognized arguments: dashboard (quote text that has spaces, so that it is one argument: "
            "'Slow dashboard')",
        ),
        (
            ["resolve", "latest", "--template", "resolved", "now"],
            "unrecognized arguments: now (quote text that has spaces, so that it is one argument)",
        ),
        (
            ["resolve", "latest", "--template", "resolved", "--mesage", "x"],
            "unrecognized arguments: --mesage x (see 'statusgen resolve --help')",
        ),
        (["build", "now"], "unrecognized arguments: now"),
    ],
)
def test_unquoted_text_gets_a_hint_to_quote_it(
    repo: Repo, capsys: pytest.CaptureFixture[str], argv: list[str], hint: str
) -> None:
    before = files(repo)
    code, out, err = run(repo, capsys, *argv)
    assert (code, out) == (2, "")
    assert err.endswith(f"statusgen: error: {hint}\n")
    assert files(repo) == before


EXAMPLE = "write it like 2026-12-01T14:05:00+01:00, 2026-12-01T13:05:00Z or @1796130300"


@pytest.mark.parametrize(
    "argv, err",
    [
        (
            ["new", "X", "--maintenance", "--start", "tomorrow", "--end", "2025-12-01T04:00:00Z"],
            f"statusgen new: error: argument --start: unparsable time 'tomorrow'; {EXAMPLE}",
        ),
        (
            ["new", "X", "--maintenance", "--start", "2025-12-01T02:00:00Z", "--end", "2025-12-01T04:00"],
            f"statusgen new: error: argument --end: time '2025-12-01T04:00' has no UTC offset; {EXAMPLE}",
        ),
        (
            ["new", "X", "--impact", "minor", "--now", "2025-11-10"],
            f"statusgen new: error: argument --now: '2025-11-10' is a date, not a time; {EXAMPLE}",
        ),
        (
            ["update", "latest", "--status", "identified", "--message", "x", "--now", "14:05"],
            f"statusgen update: error: argument --now: unparsable time '14:05'; {EXAMPLE}",
        ),
        (
            ["resolve", "latest", "--message", "x", "--now", ""],
            f"statusgen resolve: error: argument --now: no time given; {EXAMPLE}",
        ),
    ],
)
def test_a_bad_time_argument_shows_what_parses(
    repo: Repo, capsys: pytest.CaptureFixture[str], argv: list[str], err: str
) -> None:
    code, out, got = run(repo, capsys, *argv)
    assert (code, out) == (2, "")
    assert got.endswith(err + "\n")


def test_the_time_examples_parse_and_are_one_instant(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    examples = cli.TIME_EXAMPLE.replace(" or ", ", ").split(", ")
    assert {resolve_now(e, {}) for e in examples} == {resolve_now("2026-12-01T13:05:00Z", {})}
    code, out, err = run(
        repo,
        capsys,
        "new",
        "Upgrade",
        "--maintenance",
        "--start",
        "@1796130300",
        "--end",
        "2026-12-01T16:05:00+01:00",
        "--message",
        "We upgrade.",
        "--now",
        "@1763000000",
    )
    assert code == 0, err
    text = (repo.root / out.strip()).read_text()
    assert "window:\n  start: 2026-12-01T13:05:00Z\n  end: 2026-12-01T15:05:00Z\n" in text
    assert "  - at: 2025-11-13T02:13:20Z\n" in text


def test_a_broken_unrelated_file_only_warns(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.incident("2025-11-03-api-errors.md", OPEN)
    repo.incident("2025-11-04-typo.md", TYPO)
    repo.write("incidents/notes.txt", "not an incident\n")
    warnings = (
        "warning: incidents/2025-11-04-typo.md:2: missing 'title'\n"
        "warning: incidents/2025-11-04-typo.md:2: unknown key 'titel' (did you mean 'title'?)\n"
        "warning: incidents/notes.txt:1: not an incident file: 'notes.txt' (incident files end in .md "
        "(markdown with front matter) or .yaml)\n"
    )
    assert run(
        repo,
        capsys,
        "update",
        "2025-11-03-api-errors",
        "--status",
        "identified",
        "--message",
        "Found it.",
        "--now",
        NOW,
    ) == (0, f"{TARGET}: added 'identified' update\n", warnings)
    assert run(repo, capsys, "new", "Slow search", "--impact", "minor", "--message", "Slow.", "--now", NOW) == (
        0,
        "incidents/2025-11-10-slow-search.md\n",
        warnings,
    )
    assert run(
        repo, capsys, "resolve", "2025-11-03-api-errors", "--message", "Fixed.", "--now", "2025-11-10T15:00:00Z"
    ) == (0, f"{TARGET}: added 'resolved' update\n", warnings)
    assert run(repo, capsys, "postmortem", "2025-11-03-api-errors") == (
        0,
        f"{TARGET}: added a postmortem skeleton; fill in each [[...]]\n",
        warnings,
    )


@pytest.mark.parametrize("ident", ["2025-11-04-typo", "2025-11-04"])
def test_the_broken_file_itself_is_refused_with_its_problems(
    repo: Repo, capsys: pytest.CaptureFixture[str], ident: str
) -> None:
    repo.incident("2025-11-04-typo.md", TYPO)
    before = files(repo)
    assert run(repo, capsys, "update", ident, "--status", "identified", "--message", "x", "--now", NOW) == (
        1,
        "",
        "incidents/2025-11-04-typo.md:2: missing 'title'\n"
        "incidents/2025-11-04-typo.md:2: unknown key 'titel' (did you mean 'title'?)\n"
        "2 error(s); nothing was written\n",
    )
    assert files(repo) == before


def test_a_broken_configuration_blocks_every_edit(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.write("statusgen.yaml", (repo.root / "statusgen.yaml").read_text() + "colour: blue\n")
    before = files(repo)
    code, _, err = run(repo, capsys, "new", "X", "--impact", "minor", "--message", "x", "--now", NOW)
    assert code == 1 and err == (
        "statusgen.yaml:15: unknown key 'colour' (allowed: components, notify, policy, "
        "site, upstream)\n1 error(s); nothing was written\n"
    )
    assert files(repo) == before


def test_latest_is_refused_while_a_broken_file_may_be_newer(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.incident("2025-11-03-api-errors.md", OPEN)
    repo.incident("2025-11-02-old-typo.md", TYPO)
    code, out, err = run(repo, capsys, "update", "latest", "--status", "identified", "--message", "x", "--now", NOW)
    assert (code, out) == (0, f"{TARGET}: added 'identified' update\n")
    repo.incident("2025-11-03-new-typo.md", TYPO)
    before = files(repo)
    code, _, err = run(
        repo, capsys, "update", "latest", "--status", "monitoring", "--message", "x", "--now", "2025-11-10T15:00:00Z"
    )
    assert code == 1
    assert err.endswith(
        "error: incidents/2025-11-03-new-typo.md: cannot tell which incident is the latest: this "
        "file has errors, and may be the newest (give the incident's id, or fix the file first "
        "('statusgen check' shows its errors))\n"
    )
    assert files(repo) == before


def test_new_never_takes_the_name_of_a_broken_file(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.incident("2025-11-10-slow-search.md", TYPO)
    code, out, _ = run(repo, capsys, "new", "Slow search", "--impact", "minor", "--message", "Slow.", "--now", NOW)
    assert (code, out) == (0, "incidents/2025-11-10-slow-search-2.md\n")
    assert (repo.root / "incidents/2025-11-10-slow-search.md").read_text() == TYPO
