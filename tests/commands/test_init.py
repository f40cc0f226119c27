"""statusgen init: a new repository that builds straight away, pins the statusgen that is running,
starts its uptime on the day it was made, is a git repository, and never overwrites."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from datetime import date
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

from conftest import PROJECT, Repo
from statusgen import __version__
from statusgen.cli import main
from statusgen.commands import init
from statusgen.timeutil import parse_timestamp

COMMIT = "4f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39"
SHA256 = "5d41402abc4b2a76b9719d911017c592" * 2
RELEASE = f"statusgen=={__version__}"


@pytest.fixture
def direct_url(monkeypatch: pytest.MonkeyPatch) -> Callable[[dict[str, object] | str | None], None]:
    """Set what pip recorded of where statusgen came from (None: from a package index)."""

    def fake(record: dict[str, object] | str | None) -> None:
        text = record if record is None or isinstance(record, str) else json.dumps(record)
        monkeypatch.setattr(init, "installed_direct_url", lambda: text)

    fake(None)
    return fake


def files_in(target: Path) -> list[str]:
    return sorted(
        p.relative_to(target).as_posix()
        for p in target.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(target).parts
    )


def pinned(target: Path) -> list[str]:
    lines = (target / "requirements.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if not line.startswith("#")]


def comments(target: Path) -> list[str]:
    lines = (target / "requirements.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.startswith("#")]


def test_init_creates_a_repository_that_builds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], direct_url: Callable[[dict[str, object] | str | None], None]
) -> None:
    target = tmp_path / "status"
    assert main(["init", str(target)]) == 0
    out = capsys.readouterr().out
    files = files_in(target)
    (example,) = [f for f in files if f.startswith("incidents/")]
    assert files == [
        ".github/workflows/publish.yml",
        ".gitignore",
        "README.md",
        example,
        "requirements.txt",
        "statusgen.yaml",
    ]
    assert f"created {target / 'statusgen.yaml'}" in out
    assert (target / ".gitignore").read_text().splitlines()[1:] == ["site/", ".site.previous/", ".statusgen/"]
    requirements = (target / "requirements.txt").read_text().splitlines()
    assert requirements[-1] == RELEASE and all(line.startswith("#") for line in requirements[:-1])
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


def test_init_refuses_to_overwrite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], direct_url: Callable[[dict[str, object] | str | None], None]
) -> None:
    target = tmp_path / "status"
    target.mkdir()
    (target / "statusgen.yaml").write_text("mine\n")
    assert main(["init", str(target)]) == 1
    assert "already exists; nothing was written" in capsys.readouterr().err
    assert [p.name for p in target.iterdir()] == ["statusgen.yaml"]
    assert (target / "statusgen.yaml").read_text() == "mine\n"


def test_init_into_a_folder_with_other_files(
    tmp_path: Path, direct_url: Callable[[dict[str, object] | str | None], None]
) -> None:
    target = tmp_path / "status"
    target.mkdir()
    (target / "LICENSE").write_text("MIT\n")
    assert main(["init", str(target)]) == 0
    assert (target / "LICENSE").read_text() == "MIT\n"


def test_init_refuses_a_symlink_where_a_file_would_go(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    direct_url: Callable[[dict[str, object] | str | None], None],
) -> None:
    target = tmp_path / "status"
    target.mkdir()
    (target / "README.md").symlink_to(tmp_path / "nowhere")
    assert main(["init", str(target)]) == 1
    assert f"{target / 'README.md'} already exists; nothing was written" in capsys.readouterr().err
    assert [p.name for p in target.iterdir()] == ["README.md"] and not (tmp_path / "nowhere").exists()


# --- requirements.txt installs the statusgen that is running -------------------------------------

REMOTE = [
    pytest.param(None, RELEASE, id="from-an-index"),
    pytest.param(
        {
            "url": "https://github.com/acme/statusgen.git",
            "vcs_info": {"vcs": "git", "commit_id": COMMIT, "requested_revision": "main"},
        },
        f"statusgen @ git+https://github.com/acme/statusgen.git@{COMMIT}",
        id="git",
    ),
    pytest.param(
        {
            "url": "https://github.com/acme/tools.git",
            "subdirectory": "statusgen",
            "vcs_info": {"vcs": "git", "commit_id": COMMIT},
        },
        f"statusgen @ git+https://github.com/acme/tools.git@{COMMIT}#subdirectory=statusgen",
        id="git-subdirectory",
    ),
    pytest.param(
        {"url": "ssh://git@git.example.com/acme/statusgen.git", "vcs_info": {"vcs": "git", "commit_id": COMMIT}},
        f"statusgen @ git+ssh://git@git.example.com/acme/statusgen.git@{COMMIT}",
        id="git-ssh",
    ),
    pytest.param(
        {"url": "https://hg.example.com/statusgen", "vcs_info": {"vcs": "hg", "commit_id": COMMIT}},
        f"statusgen @ hg+https://hg.example.com/statusgen@{COMMIT}",
        id="mercurial",
    ),
    pytest.param(
        {
            "url": "https://files.example.com/statusgen-0.1.0-py3-none-any.whl",
            "archive_info": {"hash": f"sha256={SHA256}", "hashes": {"sha256": SHA256}},
        },
        f"statusgen @ https://files.example.com/statusgen-0.1.0-py3-none-any.whl#sha256={SHA256}",
        id="wheel",
    ),
    pytest.param(
        {"url": "https://files.example.com/statusgen-0.1.0.tar.gz", "archive_info": {"hash": f"md5={'0' * 32}"}},
        f"statusgen @ https://files.example.com/statusgen-0.1.0.tar.gz#md5={'0' * 32}",
        id="sdist-legacy-hash",
    ),
    pytest.param(
        {"url": "https://github.com/acme/statusgen/archive/refs/heads/main.zip", "archive_info": {}},
        "statusgen @ https://github.com/acme/statusgen/archive/refs/heads/main.zip",
        id="archive-no-hash",
    ),
]


@pytest.mark.parametrize(("record", "line"), REMOTE)
def test_requirements_install_what_is_running_from_where_pip_got_it(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    direct_url: Callable[[dict[str, object] | str | None], None],
    record: dict[str, object],
    line: str,
) -> None:
    direct_url(record)
    target = tmp_path / "status"
    assert main(["init", str(target)]) == 0
    assert pinned(target) == [line]
    assert comments(target) == [
        "# The statusgen that builds and publishes this site (.github/workflows/publish.yml installs it).",
        "# Change it to upgrade (a newer release or commit): the next build starts its cache afresh.",
    ]
    assert "warning" not in capsys.readouterr().err
    parsed = Requirement(line)  # pip reads it
    assert parsed.name == "statusgen"
    assert parsed.url == (line.split(" @ ", 1)[1] if " @ " in line else None)


LOCAL = [
    pytest.param(
        {"url": "file:///home/ann/src/statusgen", "dir_info": {"editable": True}},
        "an editable install of /home/ann/src/statusgen",
        id="editable",
    ),
    pytest.param({"url": "file:///home/ann/src/statusgen", "dir_info": {}}, "/home/ann/src/statusgen", id="folder"),
    pytest.param(
        {"url": "file:///tmp/dist/statusgen-0.1.0-py3-none-any.whl", "archive_info": {"hashes": {}}},
        "/tmp/dist/statusgen-0.1.0-py3-none-any.whl",
        id="local-wheel",
    ),
    pytest.param(
        {"url": "file:///home/ann/my%20src/statusgen", "vcs_info": {"vcs": "git", "commit_id": COMMIT}},
        "/home/ann/my src/statusgen",
        id="local-clone",
    ),
]


@pytest.mark.parametrize(("record", "where"), LOCAL)
def test_requirements_say_when_ci_cannot_install_what_is_running(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    direct_url: Callable[[dict[str, object] | str | None], None],
    record: dict[str, object],
    where: str,
) -> None:
    direct_url(record)
    target = tmp_path / "status"
    assert main(["init", str(target)]) == 0
    assert pinned(target) == [RELEASE]
    err = capsys.readouterr().err
    assert err == (
        f"warning: statusgen {__version__} was installed from {where}, which is on this machine only: CI cannot "
        f"install it from there. requirements.txt names the release {RELEASE}, which CI can install only from "
        "a package index that has it. Otherwise replace that line with where CI can get this statusgen, such as: "
        "'statusgen @ git+https://github.com/OWNER/statusgen@COMMIT' or "
        f"'statusgen @ https://example.com/statusgen-{__version__}-py3-none-any.whl'\n"
    )
    note = " ".join(line.removeprefix("# ") for line in comments(target)[2:-2])
    assert note == (
        f"Warning: statusgen {__version__} was installed from {where}, which is on this machine only: "
        f"CI cannot install it from there. requirements.txt names the release {RELEASE}, which CI can "
        "install only from a package index that has it. Otherwise replace that line with where CI "
        "can get this statusgen, such as:"
    )
    assert comments(target)[-2:] == [
        "#   statusgen @ git+https://github.com/OWNER/statusgen@COMMIT",
        f"#   statusgen @ https://example.com/statusgen-{__version__}-py3-none-any.whl",
    ]
    assert all(len(line) <= 98 for line in comments(target))


@pytest.mark.parametrize(
    "record",
    [
        "{not json",
        "[]",
        json.dumps({"url": 7, "dir_info": {}}),
        json.dumps({"url": "https://example.com/x"}),
        json.dumps({"url": "https://example.com/x.git", "vcs_info": {"vcs": "git"}}),
    ],
)
def test_an_unreadable_pip_record_names_the_release_and_says_so(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    direct_url: Callable[[dict[str, object] | str | None], None],
    record: str,
) -> None:
    direct_url(record)
    target = tmp_path / "status"
    assert main(["init", str(target)]) == 0
    assert pinned(target) == [RELEASE]
    assert capsys.readouterr().err.startswith(
        f"warning: pip's record of where statusgen {__version__} came from (direct_url.json) is unreadable"
    )


def test_a_password_in_the_recorded_address_is_never_written(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    direct_url: Callable[[dict[str, object] | str | None], None],
) -> None:
    direct_url(
        {
            "url": "https://ann:hunter2@git.example.com/acme/statusgen.git",
            "vcs_info": {"vcs": "git", "commit_id": COMMIT},
        }
    )
    target = tmp_path / "status"
    assert main(["init", str(target)]) == 0
    assert pinned(target) == [f"statusgen @ git+https://git.example.com/acme/statusgen.git@{COMMIT}"]
    out, err = capsys.readouterr()
    assert "hunter2" not in out + err + "".join(p.read_text() for p in target.rglob("*") if p.is_file())
    assert err.startswith("warning: the address statusgen was installed from carries a password")


def test_the_record_of_this_installation_is_read_from_its_metadata() -> None:
    # The tests run from an editable install of the checkout (pip install -e).
    record = json.loads(init.installed_direct_url() or "{}")
    assert record == {"url": PROJECT.as_uri(), "dir_info": {"editable": True}}


def test_an_installation_without_metadata_names_the_release(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> None:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "distribution", missing)
    assert init.installed_direct_url() is None
    assert init.requirement(None, "2.3.4") == init.Pin("statusgen==2.3.4")


# --- uptime starts on the day of init ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "zone", "day"),
    [
        ("2026-03-10T23:30:00Z", "UTC", date(2026, 3, 10)),
        ("2026-03-10T23:30:00Z", "Europe/Rome", date(2026, 3, 11)),
        ("2026-03-11T03:00:00Z", "America/New_York", date(2026, 3, 10)),
        ("2026-03-11T10:00:00Z", "Pacific/Kiritimati", date(2026, 3, 12)),
    ],
)
def test_the_day_of_init_is_the_sites_day(now: str, zone: str, day: date) -> None:
    assert init.site_day(parse_timestamp(now), zone) == day


def test_components_have_uptime_from_the_day_of_init_only(
    tmp_path: Path,
    direct_url: Callable[[dict[str, object] | str | None], None],
) -> None:
    target = tmp_path / "status"
    assert main(["init", str(target), "--now", "2026-03-10T23:30:00Z"]) == 0
    config = yaml.safe_load((target / "statusgen.yaml").read_text(encoding="utf-8"))
    assert config["site"]["timezone"] == "UTC"
    assert [(c["id"], c["since"]) for c in config["components"]] == [
        ("api", date(2026, 3, 10)),
        ("web", date(2026, 3, 10)),
        ("docs", date(2026, 3, 10)),
    ]
    assert (target / "incidents" / "2026-03-10-example-incident.md").is_file()
    scratch = Repo(target)
    assert scratch.build("2026-03-10T23:30:00Z") == 0
    uptime = json.loads(scratch.page("api/uptime.json"))["components"]
    for component in ("api", "web", "docs"):
        days = uptime[component]["days"]
        assert len(days) == 90 and days[-1] == {"date": "2026-03-10", "uptime": 100.0, "downtime_minutes": 0.0}
        assert {d["uptime"] for d in days[:-1]} == {None}
        assert uptime[component]["months"] == [{"month": "2026-03", "uptime": 100.0, "downtime_minutes": 0.0}]


def test_since_follows_source_date_epoch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, direct_url: Callable[[dict[str, object] | str | None], None]
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225599")  # 2025-12-31T23:59:59Z
    target = tmp_path / "status"
    assert main(["init", str(target)]) == 0
    config = yaml.safe_load((target / "statusgen.yaml").read_text(encoding="utf-8"))
    assert {c["since"] for c in config["components"]} == {date(2025, 12, 31)}


# --- git ---------------------------------------------------------------------------------------------


def git(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"},
    )


def test_init_makes_a_git_repository_on_the_branch_the_workflow_publishes(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    direct_url: Callable[[dict[str, object] | str | None], None],
) -> None:
    target = tmp_path / "status"
    assert main(["init", str(target)]) == 0
    out, err = capsys.readouterr()
    assert f"initialised a git repository in {target} on branch main, the one the workflow publishes\n" in out
    assert err == ""
    assert (target / ".git").is_dir()
    assert git("symbolic-ref", "HEAD", cwd=target).stdout == "refs/heads/main\n"
    assert git("rev-parse", "--show-toplevel", cwd=target).stdout.strip() == str(target.resolve())
    untracked = git("status", "--porcelain", "--untracked-files=all", cwd=target).stdout.splitlines()
    assert sorted(line.removeprefix("?? ") for line in untracked) == files_in(target)


def test_init_inside_a_repository_leaves_git_alone(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    direct_url: Callable[[dict[str, object] | str | None], None],
) -> None:
    outer = tmp_path / "company"
    outer.mkdir()
    assert git("init", "-q", cwd=outer).returncode == 0
    target = outer / "ops" / "status"
    assert main(["init", str(target)]) == 0
    out, err = capsys.readouterr()
    assert f"{target} is inside the git repository at {outer}: no git init needed\n" in out
    assert err == ""
    assert not (target / ".git").exists()
    assert sorted(p.name for p in outer.iterdir()) == [".git", "ops"]


def test_init_into_a_repository_leaves_its_git_alone(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    direct_url: Callable[[dict[str, object] | str | None], None],
) -> None:
    target = tmp_path / "status"
    target.mkdir()
    assert git("init", "-q", "-b", "trunk", cwd=target).returncode == 0
    head = (target / ".git" / "HEAD").read_bytes()
    assert main(["init", str(target)]) == 0
    assert f"{target} is a git repository already: no git init needed\n" in capsys.readouterr().out
    assert (target / ".git" / "HEAD").read_bytes() == head == b"ref: refs/heads/trunk\n"


def test_init_without_git_says_why_there_is_no_repository(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    direct_url: Callable[[dict[str, object] | str | None], None],
) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    target = tmp_path / "status"
    assert main(["init", str(target)]) == 0
    assert capsys.readouterr().err == (
        f"warning: git is not installed, so {target} is not a git repository yet: install git and run "
        "'git init -b main' there (publishing and statusgen notify need its history)\n"
    )
    assert not (target / ".git").exists()
    assert files_in(target)[-1] == "statusgen.yaml"


def test_a_failing_git_init_is_reported_and_the_files_stay(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    direct_url: Callable[[dict[str, object] | str | None], None],
) -> None:
    fakes = tmp_path / "bin"
    fakes.mkdir()
    (fakes / "git").write_text("#!/bin/sh\necho 'fatal: cannot mkdir .git: Permission denied' >&2\nexit 128\n")
    (fakes / "git").chmod(0o755)
    monkeypatch.setenv("PATH", str(fakes))
    target = tmp_path / "status"
    assert main(["init", str(target)]) == 0
    assert capsys.readouterr().err == (
        "warning: git init failed (fatal: cannot mkdir .git: Permission denied): run 'git init -b main' in "
        f"{target} yourself\n"
    )
    assert len(files_in(target)) == 6
