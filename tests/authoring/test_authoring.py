"""new, update, resolve, postmortem and templates, run as an engineer would."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from conftest import Repo
from statusgen.load.incidents import split_front_matter
from statusgen.output import atomic

NOW = "2025-11-10T14:05:00Z"


def run(repo: Repo, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = repo.run(*argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_round_trip_keeps_every_earlier_byte(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        repo,
        capsys,
        "new",
        "API errors: 502s on /v1",
        "--impact",
        "major",
        "--component",
        "api=partial_outage",
        "--component",
        "web",
        "--now",
        NOW,
        "--message",
        "Since 13:50 UTC one API request in ten fails. Next update by 15:00 UTC.",
    )
    assert code == 0
    rel = out.strip()
    assert rel == "incidents/2025-11-10-api-errors-502s-on-v1.md"
    path = repo.root / rel
    # The engineer edits the file by hand: a comment, odd quoting, a body.
    original = path.read_text().replace("impact: major\n", "impact: major   # paged at 13:52\n")
    original += "Internal notes: *the load balancer* logs are in the ticket.\n"
    path.write_text(original)
    steps = [
        (
            "update",
            "latest",
            "--status",
            "identified",
            "--component",
            "api=degraded_performance",
            "--message",
            "A bad deploy.\nWe are rolling back: ETA 10 minutes.",
            "--now",
            "2025-11-10T14:40:00Z",
        ),
        (
            "update",
            "2025-11-10-api",
            "--status",
            "monitoring",
            "--message",
            "Rolled back; watching.",
            "--now",
            "2025-11-10T15:00:00Z",
        ),
        (
            "resolve",
            "2025-11-10-api-errors-502s-on-v1",
            "--message",
            "Service has been normal since 15:05 UTC after the rollback.",
            "--now",
            "2025-11-10T15:20:00Z",
        ),
        ("postmortem", "latest-is-closed-so-use-id"),
    ]
    before = path.read_text()
    for step in steps[:3]:
        code, out, err = run(repo, capsys, *step)
        assert code == 0, err
        after = path.read_text()
        front_before, _, _ = split_front_matter(before, rel)
        front_after, _, _ = split_front_matter(after, rel)
        assert front_after.startswith(front_before), "earlier lines keep their bytes"
        assert after.endswith("Internal notes: *the load balancer* logs are in the ticket.\n")
        before = after
    code, out, err = run(repo, capsys, "postmortem", "2025-11-10-api-errors")
    assert code == 0, err
    final = path.read_text()
    assert final.startswith(before)
    assert "## Postmortem" in final and "### Root cause" in final
    assert "- Nov 10, 2025, 3:05\u202fPM CET: Investigating. Since 13:50 UTC" in final

    front, body, _ = split_front_matter(final, rel)
    data = yaml.safe_load(front)
    assert [u["status"] for u in data["updates"]] == ["investigating", "identified", "monitoring", "resolved"]
    assert data["updates"][1] == {
        "at": datetime(2025, 11, 10, 14, 40, tzinfo=UTC),
        "status": "identified",
        "components": {"api": "degraded_performance"},
        "message": "A bad deploy.\nWe are rolling back: ETA 10 minutes.\n",
    }
    assert data["title"] == "API errors: 502s on /v1"
    assert "# paged at 13:52" in front
    # The skeleton's placeholders are refused until someone writes the postmortem.
    code, _, err = run(repo, capsys, "build", "--now", "2025-11-10T16:00:00Z")
    assert code == 1 and "template text left in the body: [[Two or three sentences" in err
    assert not repo.site.exists()
    path.write_text(re.sub(r"\[\[.*?\]\]", "Written.", final, flags=re.S))
    assert repo.build("2025-11-10T16:00:00Z") == 0
    page = repo.page("incidents/2025-11-10-api-errors-502s-on-v1/index.html")
    assert "We are rolling back: ETA 10 minutes." in page and "<h2>Postmortem</h2>" in page


def test_console_script_round_trip(repo: Repo) -> None:
    script = shutil.which("statusgen", path=os.path.dirname(sys.executable))
    assert script
    base = [script, "-C", str(repo.root)]
    done = subprocess.run(
        [*base, "new", "Slow dashboard", "--impact", "minor", "--component", "web", "--now", NOW],
        capture_output=True,
        text=True,
        check=True,
    )
    rel = done.stdout.strip()
    text = (repo.root / rel).read_text()
    assert "  web: degraded_performance\n" in text
    assert "Next update by 7:05\u202fPM CET." in text  # minor: every 4 h
    assert "[[the symptom]]" in text
    subprocess.run(
        [*base, "resolve", "latest", "--message", "Fixed.", "--now", "2025-11-10T15:00:00Z"],
        check=True,
        capture_output=True,
    )
    done = subprocess.run([*base, "build", "--now", "2025-11-10T15:30:00Z"], capture_output=True, text=True)
    assert done.returncode == 1
    assert "template text left in the message: [[the symptom]]" in done.stderr
    path = repo.root / rel
    path.write_text(re.sub(r"\[\[.*?\]\]", "something", path.read_text()))
    done = subprocess.run([*base, "build", "--now", "2025-11-10T15:30:00Z"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_new_never_overwrites(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    paths = []
    for _ in range(3):
        code, out, _ = run(
            repo,
            capsys,
            "new",
            "Search down",
            "--impact",
            "critical",
            "--now",
            NOW,
            "--message",
            "Search is down. Next update by 14:35 UTC.",
        )
        assert code == 0
        paths.append(out.strip())
    assert paths == [
        "incidents/2025-11-10-search-down.md",
        "incidents/2025-11-10-search-down-2.md",
        "incidents/2025-11-10-search-down-3.md",
    ]


def test_new_maintenance(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        repo,
        capsys,
        "new",
        "Database upgrade",
        "--maintenance",
        "--start",
        "2025-12-01T02:00:00Z",
        "--end",
        "2025-12-01T04:00:00Z",
        "--component",
        "db",
        "--now",
        NOW,
    )
    assert code == 0, err
    text = (repo.root / out.strip()).read_text()
    assert "kind: maintenance\nwindow:\n  start: 2025-12-01T02:00:00Z\n  end: 2025-12-01T04:00:00Z\n" in text
    assert "components: [db]\n" in text
    assert "on Dec 1, 2025, 3:00\u202fAM CET – Dec 1, 2025, 5:00\u202fAM CET." in text
    assert repo.run("check", "--now", NOW) == 1  # the template's placeholders are still there


@pytest.mark.parametrize(
    "argv, code, message",
    [
        (["update", "nope", "--status", "identified", "--message", "x"], 1, "no incident 'nope'"),
        (
            ["update", "2025-11-03-api-erors", "--status", "identified", "--message", "x"],
            1,
            "no incident '2025-11-03-api-erors' (did you mean '2025-11-03-api-errors'?)",
        ),
        (
            ["update", "2025-11-03-api-errors", "--status", "scheduled", "--message", "x"],
            2,
            "statusgen update: error: --status scheduled: not a status for incident 2025-11-03-api-errors",
        ),
        (
            [
                "update",
                "2025-11-03-api-errors",
                "--status",
                "identified",
                "--message",
                "x",
                "--now",
                "2025-11-03T15:00:00Z",
            ],
            1,
            "the update's time 2025-11-03T15:00:00Z is not after the last update's (2025-11-03T15:20:00Z)",
        ),
        (
            ["resolve", "2025-11-03-api-errors", "--message", "x", "--now", NOW],
            1,
            "2025-11-03-api-errors is already resolved (since 2025-11-03T15:20:00Z)",
        ),
        (["resolve", "latest", "--message", "x", "--now", NOW], 1, "there is no open incident"),
        (
            [
                "update",
                "2025-11-03-api-errors",
                "--status",
                "identified",
                "--component",
                "apj=major_outage",
                "--message",
                "x",
                "--now",
                NOW,
            ],
            2,
            "--component apj: unknown component (did you mean 'api'?)",
        ),
        (
            [
                "update",
                "2025-11-03-api-errors",
                "--status",
                "identified",
                "--component",
                "api=down",
                "--message",
                "x",
                "--now",
                NOW,
            ],
            2,
            "--component api=down: unknown component status 'down'",
        ),
        (
            ["update", "2025-11-03-api-errors", "--status", "identified"],
            2,
            "one of the arguments --message --template is required",
        ),
        (["update", "2025-11-03-api-errors", "--status", "fixed", "--message", "x"], 2, "invalid choice: 'fixed'"),
        (["new", "X", "--now", NOW], 2, "--impact is required"),
        (["new", "X", "--maintenance", "--start", "2025-12-01T02:00:00Z", "--now", NOW], 2, "needs --start and --end"),
        (
            ["new", "X", "--impact", "minor", "--template", "nope", "--now", NOW],
            2,
            "statusgen new: error: --template nope: no template 'nope'",
        ),
        (
            ["new", "X", "--impact", "minor", "--component", "db=under_maintenance", "--message", "x", "--now", NOW],
            2,
            "--component db=under_maintenance: under_maintenance is set by maintenance windows",
        ),
        (["postmortem", "nope"], 1, "no incident 'nope'"),
    ],
)
def test_refusals(repo: Repo, capsys: pytest.CaptureFixture[str], argv: list[str], code: int, message: str) -> None:
    before = {p.name: p.read_bytes() for p in (repo.root / "incidents").iterdir()}
    got, _, err = run(repo, capsys, *argv)
    assert got == code
    assert message in err
    assert "Traceback" not in err
    assert {p.name: p.read_bytes() for p in (repo.root / "incidents").iterdir()} == before


def test_reopen_by_update(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        repo,
        capsys,
        "update",
        "2025-11-03",
        "--status",
        "investigating",
        "--component",
        "api=major_outage",
        "--message",
        "It is back.",
        "--now",
        "2025-11-03T16:00:00Z",
    )
    assert code == 0, err
    assert repo.build("2025-11-03T16:30:00Z") == 0
    assert "Active incidents" in repo.page("index.html")


def test_maintenance_updates(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    run(
        repo,
        capsys,
        "new",
        "Upgrade",
        "--maintenance",
        "--start",
        "2025-12-01T02:00:00Z",
        "--end",
        "2025-12-01T04:00:00Z",
        "--component",
        "db",
        "--message",
        "We upgrade.",
        "--now",
        NOW,
    )
    code, _, err = run(
        repo,
        capsys,
        "update",
        "2025-11-10-upgrade",
        "--status",
        "identified",
        "--message",
        "x",
        "--now",
        "2025-11-11T00:00:00Z",
    )
    assert code == 2 and "--status identified: not a status for maintenance 2025-11-10-upgrade" in err
    code, _, err = run(
        repo,
        capsys,
        "update",
        "2025-11-10-upgrade",
        "--status",
        "in_progress",
        "--component",
        "db=major_outage",
        "--message",
        "x",
        "--now",
        "2025-12-01T02:00:00Z",
    )
    assert code == 2 and "--component: a maintenance update cannot change component statuses" in err
    code, out, err = run(
        repo, capsys, "resolve", "2025-11-10-upgrade", "--message", "Done early.", "--now", "2025-12-01T03:00:00Z"
    )
    assert code == 0 and out == "incidents/2025-11-10-upgrade.md: added 'completed' update\n"


def test_update_from_a_stage_template(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    run(
        repo,
        capsys,
        "new",
        "Slow",
        "--impact",
        "critical",
        "--message",
        "Slow. Next update by 14:35 UTC.",
        "--now",
        NOW,
    )
    code, _, err = run(
        repo,
        capsys,
        "update",
        "latest",
        "--status",
        "identified",
        "--template",
        "identified",
        "--now",
        "2025-11-10T14:30:00Z",
    )
    assert code == 0, err
    text = (repo.root / "incidents/2025-11-10-slow.md").read_text()
    assert "We have found the cause: [[the cause, in plain words]]" in text
    assert "Next update by 4:00\u202fPM CET." in text  # critical: every 30 minutes


def test_templates_list_and_override(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.write("templates/major.md", "Our own words. Next update by $next_update.\n")
    code, out, _ = run(repo, capsys, "templates")
    assert code == 0
    rows = {line.split()[0]: line for line in out.splitlines()}
    assert sorted(rows) == [
        "cancelled",
        "completed",
        "critical",
        "identified",
        "in_progress",
        "investigating",
        "maintenance",
        "major",
        "minor",
        "monitoring",
        "none",
        "postmortem",
        "resolved",
        "verifying",
    ]
    assert "templates/major.md" in rows["major"] and "built-in critical.md" in rows["critical"]
    code, out, _ = run(repo, capsys, "new", "Down", "--impact", "major", "--now", NOW)
    assert "Our own words. Next update by 4:05\u202fPM CET." in (repo.root / out.strip()).read_text()


def test_yaml_incident_gets_updates_and_postmortem(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.write(
        "incidents/2025-11-09-queue.yaml",
        """\
        title: Queue delays   # yaml file
        impact: critical
        updates:
        - at: 2025-11-09T10:00:00Z
          status: investigating
          message: "Delays. Next update by 10:30 UTC."
        """,
    )
    code, _, err = run(
        repo,
        capsys,
        "resolve",
        "2025-11-09-queue",
        "--message",
        "Fixed: the\nconsumer restarted.",
        "--now",
        "2025-11-09T11:00:00Z",
    )
    assert code == 0, err
    code, _, err = run(repo, capsys, "postmortem", "2025-11-09-queue")
    assert code == 0, err
    data = yaml.safe_load((repo.root / "incidents/2025-11-09-queue.yaml").read_text())
    assert data["updates"][-1]["message"] == "Fixed: the\nconsumer restarted.\n"
    assert data["body"].startswith("## Postmortem\n")
    assert repo.build("2025-11-09T12:00:00Z") == 1
    err = capsys.readouterr().err
    assert "incidents/2025-11-09-queue.yaml:17: template text left in the body: [[Two or three" in err


def test_flow_style_updates_are_refused_not_mangled(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.write(
        "incidents/2025-11-09-q.md",
        "---\ntitle: Q\nupdates: [{at: 2025-11-09T10:00:00Z, status: investigating, message: x}]\n---\n",
    )
    before = (repo.root / "incidents/2025-11-09-q.md").read_bytes()
    code, _, err = run(repo, capsys, "resolve", "2025-11-09-q", "--message", "y", "--now", NOW)
    assert code == 1 and "written on one line" in err
    assert (repo.root / "incidents/2025-11-09-q.md").read_bytes() == before


def test_crlf_files_stay_crlf(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    path = repo.root / "incidents/2025-11-03-api-errors.md"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    before = path.read_bytes()
    code, _, err = run(
        repo,
        capsys,
        "update",
        "2025-11-03-api-errors",
        "--status",
        "investigating",
        "--message",
        "Back.\nAgain.",
        "--now",
        NOW,
    )
    assert code == 0, err
    after = path.read_bytes()
    assert b"\n" not in after.replace(b"\r\n", b"")
    assert after.startswith(before[: before.index(b"---\r\n", 4)])


def test_failed_write_keeps_the_original(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    path = repo.root / "incidents/2025-11-03-api-errors.md"
    before = path.read_bytes()

    def broken(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError):
        atomic.write_atomically(path, "new text")
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["2025-11-03-api-errors.md"]


@pytest.mark.parametrize(
    "message",
    [
        "plain",
        "it's: quoted # not a comment",
        "- starts like a list",
        "two\nlines",
        "  leading spaces\nsecond",
        "tab\there",
        "'quotes' \"both\"",
        "ends with colon:",
        "unicode ✓ ünïcödé",
        "@at sign",
        "{braces}",
        "yes",
    ],
)
def test_any_message_round_trips(repo: Repo, capsys: pytest.CaptureFixture[str], message: str) -> None:
    code, _, err = run(
        repo, capsys, "update", "2025-11-03-api-errors", "--status", "investigating", "--message", message, "--now", NOW
    )
    assert code == 0, err
    front, _, _ = split_front_matter((repo.root / "incidents/2025-11-03-api-errors.md").read_text(), "x.md")
    assert yaml.safe_load(front)["updates"][-1]["message"].strip() == message.strip()


@pytest.mark.parametrize(
    "layout",
    [
        "updates: !!seq\n  - at: 2025-11-03T14:05:00Z\n    status: investigating\n    message: x\n",
        "updates: &u\n  - at: 2025-11-03T14:05:00Z\n    status: investigating\n    message: x\n",
        "updates:\n  -\n   at: 2025-11-03T14:05:00Z\n   status: investigating\n   message: x\n",
        "updates:\n- at: 2025-11-03T14:05:00Z\n  status: investigating\n  message: |+\n    kept\n\n",
    ],
)
def test_unusual_layouts_take_an_update(repo: Repo, capsys: pytest.CaptureFixture[str], layout: str) -> None:
    path = repo.write("incidents/2025-11-03-odd.md", "---\ntitle: Odd\n" + layout + "---\nBody.\n")
    before = path.read_text()
    code, _, err = run(repo, capsys, "resolve", "2025-11-03-odd", "--message", "Done.", "--now", NOW)
    assert code == 0, err
    after = path.read_text()
    assert after.startswith(before.split("---\nBody")[0])
    front, _, _ = split_front_matter(after, "x.md")
    assert yaml.safe_load(front)["updates"][-1]["message"] == "Done."


@pytest.mark.parametrize(
    "message",
    [
        "a\u00adb\nc",
        "one\u2028two\nthree",
        "\tcode\nx",
        "line one\n   \nline three",
        "trailing  \nspaces",
        "3:05\u202fPM CET\nnext",
    ],
)
def test_awkward_multiline_messages_round_trip(repo: Repo, capsys: pytest.CaptureFixture[str], message: str) -> None:
    code, _, err = run(
        repo, capsys, "update", "2025-11-03-api-errors", "--status", "investigating", "--message", message, "--now", NOW
    )
    assert code == 0, err
    front, _, _ = split_front_matter((repo.root / "incidents/2025-11-03-api-errors.md").read_text(), "x.md")
    assert yaml.safe_load(front)["updates"][-1]["message"].strip() == message.strip()


def test_a_control_character_in_a_message_is_refused(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    path = repo.root / "incidents/2025-11-03-api-errors.md"
    before = path.read_bytes()
    code, _, err = run(
        repo,
        capsys,
        "update",
        "2025-11-03-api-errors",
        "--status",
        "investigating",
        "--message",
        "a\x07b",
        "--now",
        NOW,
    )
    assert (code, err) == (
        2,
        "statusgen update: error: --message: the message holds character U+0007, which pages "
        "and feeds cannot carry (remove it and run the command again)\n",
    )
    assert path.read_bytes() == before


def test_old_mac_line_endings_are_refused_clearly(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    path = repo.root / "incidents/2025-11-03-api-errors.md"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r"))
    before = path.read_bytes()
    code, _, err = run(
        repo, capsys, "update", "2025-11-03-api-errors", "--status", "investigating", "--message", "x", "--now", NOW
    )
    assert code == 1 and "lone CR" in err and "Traceback" not in err
    assert path.read_bytes() == before


def test_mixed_line_endings_follow_the_first_line(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    path = repo.root / "incidents/2025-11-03-api-errors.md"
    path.write_bytes(path.read_bytes().replace(b"impact: major\n", b"impact: major\r\n"))
    run(repo, capsys, "update", "2025-11-03-api-errors", "--status", "investigating", "--message", "x", "--now", NOW)
    assert path.read_bytes().count(b"\r\n") == 1


def test_bad_folders_are_errors_not_tracebacks(repo: Repo, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    shutil.rmtree(repo.root / "incidents")
    (repo.root / "incidents").write_text("not a folder")
    code, _, err = run(repo, capsys, "new", "X", "--impact", "minor", "--message", "m", "--now", NOW)
    assert code == 1 and "incidents is not a folder" in err
    assert repo.build() == 1
    assert "incidents: incidents is not a folder" in capsys.readouterr().err
    for target in (str(repo.root / "statusgen.yaml" / "sub"), "/proc/statusgen-test"):
        code, _, err = run(repo, capsys, "init", target)
        assert code == 1 and err.startswith("error: ") and "Traceback" not in err


def test_latest_skips_hidden_incidents(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from statusgen.cli import main

    assert main(["init", str(tmp_path / "s")]) == 0
    assert main(["-C", str(tmp_path / "s"), "resolve", "latest", "--message", "x"]) == 1
    assert "there is no open incident" in capsys.readouterr().err


def test_new_rejects_a_multi_line_title(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(repo, capsys, "new", "Two\nlines", "--impact", "minor", "--message", "m", "--now", NOW)
    assert (code, err) == (2, "statusgen new: error: TITLE: the title must be one line\n")


def test_new_says_to_fill_in_the_template(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(repo, capsys, "new", "Slow", "--impact", "minor", "--now", NOW)
    assert code == 0
    assert "fill in each [[...]] before you commit" in err
