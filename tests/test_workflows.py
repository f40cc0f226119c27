"""The GitHub workflows and the composite action: linted, audited, held to their shape, and their
shell steps run the way a runner runs them."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from chromium import ACTIONLINT, tool
from conftest import DEMO_FOLDERS, DEMO_NOW, PROJECT
from statusgen import __version__
from statusgen.cli import main
from statusgen.timeutil import parse_timestamp

WORKFLOWS = PROJECT / ".github" / "workflows"
PUBLISH = WORKFLOWS / "publish.yml"
TEST = WORKFLOWS / "test.yml"
RELEASE = WORKFLOWS / "release.yml"
ACTION = PROJECT / "action.yml"
SKELETON = PROJECT / "statusgen" / "skeleton" / "publish.yml"
ZIZMOR = Path(sys.executable).parent / "zizmor"
NEW_BRANCH = "0" * 40

# Every action used anywhere, at the commit its release tag points to.
PINS = {
    "actions/checkout": ("11bd71901bbe5b1630ceea73d27597364c9af683", "v4.2.2"),
    "actions/setup-python": ("0b93645e9fea7318ecaed2b359559ac225c90a2b", "v5.3.0"),
    "actions/cache": ("1bd1e32a3bdc45362d1e726936510720a7c30a57", "v4.2.0"),
    "actions/cache/restore": ("1bd1e32a3bdc45362d1e726936510720a7c30a57", "v4.2.0"),
    "actions/cache/save": ("1bd1e32a3bdc45362d1e726936510720a7c30a57", "v4.2.0"),
    "actions/configure-pages": ("983d7736d9b0ae728b81ab479565c72886d7745b", "v5.0.0"),
    "actions/upload-pages-artifact": ("56afc609e74202658d3ffba0e8f6dda462b719fa", "v3.0.1"),
    "actions/deploy-pages": ("d6db90164ac5ed86f2b6aed7e0febac5b3c0c03e", "v4.0.5"),
    "actions/upload-artifact": ("65c4c4a1ddee5b72f698fdd19549f0f0fb45cf08", "v4.6.0"),
    "actions/download-artifact": ("fa0a91b85d4f404e444e00e005971372dc801d16", "v4.1.8"),
    "pypa/gh-action-pypi-publish": ("ed0c53931b1dc9bd32cbe73a98c7f6766f8a527e", "v1.13.0"),
}

BROKEN = """\
on: pull_request
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-python@v5
      - run: echo "${{ github.event.pull_request.title }}"
      - run: echo "${{ steps.nope.outputs.x }}"
"""


@pytest.fixture(scope="module")
def initialised(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository made by ``statusgen init``."""
    target = tmp_path_factory.mktemp("init") / "status"
    assert main(["init", str(target)]) == 0
    return target


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def triggers(workflow: dict[Any, Any]) -> Any:
    # YAML 1.1 reads the key `on` as the boolean true.
    return workflow[True]


def step(steps: list[dict[str, Any]], name: str) -> dict[str, Any]:
    (found,) = [s for s in steps if s.get("name") == name]
    return found


def all_steps(path: Path) -> list[dict[str, Any]]:
    data = load(path)
    if "runs" in data:
        return list(data["runs"]["steps"])
    return [s for job in data["jobs"].values() for s in job["steps"]]


def actionlint(pattern: str) -> subprocess.CompletedProcess[str]:
    # The checker takes one glob pattern and passes when it matches nothing: callers count files.
    return subprocess.run([str(tool(ACTIONLINT)), pattern], capture_output=True, text=True, check=False, timeout=120)


def zizmor(*paths: Path) -> subprocess.CompletedProcess[str]:
    # No configuration and no ignore comments: nothing can be waved through.
    return subprocess.run(
        [str(ZIZMOR), "--offline", "--no-config", "--no-ignores", "--format", "json", *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def fake_statusgen(tmp_path: Path, output: str, status: int) -> Path:
    """A folder holding a ``statusgen`` that notes its arguments in ``calls`` beside it, prints
    ``output`` and exits with ``status``."""
    fakes = tmp_path / "fakebin"
    fakes.mkdir()
    (fakes / "out.txt").write_text(output, encoding="utf-8")
    program = fakes / "statusgen"
    program.write_text(
        f'#!/bin/sh\necho "$*" >> "{fakes}/calls"\ncat "{fakes}/out.txt"\nexit {status}\n', encoding="utf-8"
    )
    program.chmod(0o755)
    return fakes


def run_step(
    script: str, cwd: Path, env: dict[str, str], fakes: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a ``run:`` script as a runner does with ``shell: bash``, with the statusgen under test on
    PATH, or the fake in ``fakes`` before it."""
    path = os.pathsep.join([*([str(fakes)] if fakes else []), str(Path(sys.executable).parent), os.environ["PATH"]])
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env={"PATH": path, "HOME": os.environ.get("HOME", "/tmp"), **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def outputs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text(encoding="utf-8").splitlines())


# --- the checkers ------------------------------------------------------------------------------


@pytest.mark.validator
def test_actionlint_passes_every_workflow_in_the_repository() -> None:
    count = len(list(WORKFLOWS.glob("*.yml"))) + len(list(WORKFLOWS.glob("*.yaml")))
    done = actionlint(str(WORKFLOWS / "*.{yml,yaml}"))
    assert count == 3
    assert (done.returncode, done.stdout) == (
        0,
        f"Checking {count} workflow file(s)...\n✓ All workflow files passed lint checks\n",
    ), done.stdout


@pytest.mark.validator
def test_actionlint_passes_the_workflow_init_writes(initialised: Path) -> None:
    done = actionlint(str(initialised / ".github" / "workflows" / "publish.yml"))
    assert (done.returncode, done.stdout) == (
        0,
        "Checking 1 workflow file(s)...\n✓ All workflow files passed lint checks\n",
    ), done.stdout


@pytest.mark.validator
def test_actionlint_reports_a_broken_workflow(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(BROKEN, encoding="utf-8")
    done = actionlint(str(bad))
    assert done.returncode == 1
    assert ':7:24 "github.event.pull_request.title" is potentially untrusted' in done.stdout
    assert ':8:24 property "nope" is not defined in object type {}' in done.stdout


def test_zizmor_finds_nothing(initialised: Path) -> None:
    inputs = [*sorted(WORKFLOWS.glob("*.yml")), ACTION, initialised / ".github" / "workflows" / "publish.yml"]
    done = zizmor(*inputs)
    assert (done.returncode, json.loads(done.stdout)) == (0, []), done.stdout
    for path in inputs:  # each was read and audited, not skipped
        assert f"completed {path}" in done.stderr


def test_zizmor_reports_a_broken_workflow(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(BROKEN, encoding="utf-8")
    done = zizmor(bad)
    assert done.returncode != 0
    found = sorted(
        (f["ident"], f["locations"][0]["concrete"]["location"]["start_point"]["row"] + 1)
        for f in json.loads(done.stdout)
    )
    assert found == [
        ("excessive-permissions", 3),
        ("template-injection", 7),
        ("template-injection", 8),
        ("unpinned-uses", 6),
    ]


# --- pinning and permissions ---------------------------------------------------------------------


@pytest.mark.parametrize("path", [PUBLISH, TEST, RELEASE, ACTION], ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_commit_with_its_release_named(path: Path) -> None:
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if re.match(r"\s*(- )?uses:", line)]
    assert lines
    for line in lines:
        match = re.fullmatch(r"(?:- )?uses: ([\w./-]+)@([0-9a-f]{40}) # (v\d+\.\d+\.\d+)", line)
        assert match, line
        assert PINS[match[1]] == (match[2], match[3]), line


def test_every_uses_is_a_commit() -> None:
    uses = [s["uses"] for path in (PUBLISH, TEST, RELEASE, ACTION) for s in all_steps(path) if "uses" in s]
    assert len(uses) == 23
    assert all(re.fullmatch(r"[\w./-]+@[0-9a-f]{40}", u) for u in uses), uses


def test_permissions_are_the_least_each_job_needs() -> None:
    publish, test, release = load(PUBLISH), load(TEST), load(RELEASE)
    assert publish["permissions"] == {} and test["permissions"] == {} and release["permissions"] == {}
    assert {name: job["permissions"] for name, job in publish["jobs"].items()} == {
        "build": {"contents": "read"},
        "deploy": {"pages": "write", "id-token": "write"},
        "notify": {"contents": "read"},
    }
    assert {name: job["permissions"] for name, job in test["jobs"].items()} == {"test": {"contents": "read"}}
    # Only the job that uploads to PyPI may ask for the token that proves who is publishing.
    assert {name: job["permissions"] for name, job in release["jobs"].items()} == {
        "test": {"contents": "read"},
        "build": {"contents": "read"},
        "publish": {"id-token": "write"},
    }


@pytest.mark.parametrize("path", [PUBLISH, TEST, RELEASE, ACTION], ids=lambda p: p.name)
def test_no_expression_reaches_a_shell_script(path: Path) -> None:
    scripts = [s["run"] for s in all_steps(path) if "run" in s]
    assert scripts
    assert [script for script in scripts if "${{" in script] == []


@pytest.mark.parametrize("path", [PUBLISH, TEST, RELEASE], ids=lambda p: p.name)
def test_checkouts_leave_no_credentials_behind(path: Path) -> None:
    checkouts = [s for s in all_steps(path) if s.get("uses", "").startswith("actions/checkout@")]
    assert checkouts
    assert all(s["with"]["persist-credentials"] is False for s in checkouts)


# --- the publish workflow ------------------------------------------------------------------------


def test_publish_runs_on_push_schedule_dispatch_and_pull_requests() -> None:
    assert triggers(load(PUBLISH)) == {
        "push": {"branches": ["main"]},
        "pull_request": None,
        "schedule": [{"cron": "*/15 * * * *"}],
        "workflow_dispatch": None,
    }


def test_publishing_runs_never_race_and_previews_give_way() -> None:
    assert load(PUBLISH)["concurrency"] == {
        "group": "${{ github.event_name == 'pull_request' && format('preview-{0}', github.ref) || 'pages' }}",
        "cancel-in-progress": "${{ github.event_name == 'pull_request' }}",
    }
    assert load(TEST)["concurrency"] == {
        "group": "test-${{ github.ref }}",
        "cancel-in-progress": "${{ github.event_name == 'pull_request' }}",
    }


def test_build_checks_with_annotations_then_builds_from_the_cache() -> None:
    steps = load(PUBLISH)["jobs"]["build"]["steps"]
    names = [s.get("name", s.get("uses", "").split("@")[0]) for s in steps]
    assert names == [
        "actions/checkout",
        "actions/setup-python",
        "Install statusgen",
        "Restore the build cache",
        "Choose the build's now",
        "Check",
        "Build",
        "Upload the site for GitHub Pages",
        "Upload the preview",
        "Fail the pull request on check problems",
    ]
    assert step(steps, "Install statusgen")["run"] == "python -m pip install -r requirements.txt"
    assert step(steps, "Choose the build's now")["id"] == "now"
    check, build = step(steps, "Check"), step(steps, "Build")
    assert (check["run"], check["continue-on-error"]) == ('statusgen check --format github --now "@$BUILT_AT"', True)
    assert build["run"] == 'statusgen build --now "@$BUILT_AT"'
    # The check, the build and the notify job share one instant.
    assert check["env"] == build["env"] == {"BUILT_AT": "${{ steps.now.outputs.built-at }}"}
    assert load(PUBLISH)["jobs"]["build"]["outputs"] == {"built-at": "${{ steps.now.outputs.built-at }}"}
    cache = step(steps, "Restore the build cache")["with"]
    assert cache["path"].split() == [".statusgen", "site"]
    assert cache["key"] == "statusgen-build-${{ github.run_id }}-${{ github.run_attempt }}"
    assert cache["key"].startswith(cache["restore-keys"])
    fail = step(steps, "Fail the pull request on check problems")
    assert fail["if"] == "github.event_name == 'pull_request' && steps.check.outcome == 'failure'"


def test_only_main_deploys_and_pull_requests_get_a_preview() -> None:
    jobs = load(PUBLISH)["jobs"]
    steps = jobs["build"]["steps"]
    assert step(steps, "Upload the site for GitHub Pages")["if"] == "github.event_name != 'pull_request'"
    preview = step(steps, "Upload the preview")
    assert preview["if"] == "github.event_name == 'pull_request'"
    assert (preview["with"]["name"], preview["with"]["path"]) == ("status-site-preview", "site")
    deploy = jobs["deploy"]
    assert deploy["if"] == "github.event_name != 'pull_request' && github.ref == 'refs/heads/main'"
    assert deploy["needs"] == "build"
    assert deploy["environment"] == {"name": "github-pages", "url": "${{ steps.deployment.outputs.page_url }}"}
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/configure-pages", "actions/deploy-pages"]


def test_notify_runs_after_every_deploy_at_the_builds_now() -> None:
    jobs = load(PUBLISH)["jobs"]
    notify = jobs["notify"]
    assert (notify["needs"], notify["if"]) == (["build", "deploy"], jobs["deploy"]["if"])
    checkout = notify["steps"][0]
    assert checkout["with"] == {"fetch-depth": 0, "persist-credentials": False}
    run = step(notify["steps"], "Notify")
    assert (run["env"]["BEFORE"], run["env"]["BUILT_AT"]) == (
        "${{ github.event.before }}",
        "${{ needs.build.outputs.built-at }}",
    )
    assert all(
        value == f"${{{{ secrets.{name} }}}}"
        for name, value in run["env"].items()
        if name not in ("BEFORE", "BUILT_AT")
    )
    assert run["run"].splitlines()[-1] == 'statusgen notify --since "$since" --now "@$BUILT_AT"'
    restore = step(notify["steps"], "Restore the delivery record")["with"]
    save = step(notify["steps"], "Save the delivery record")
    assert restore["path"] == save["with"]["path"] == ".statusgen/delivered.json"
    assert restore["key"] == save["with"]["key"] and restore["key"].startswith(restore["restore-keys"])
    assert save["if"] == "always() && hashFiles('.statusgen/delivered.json') != ''"


@pytest.mark.parametrize(
    ("event", "before", "since"),
    [
        ("push", "9fc5fcd" + "0" * 33, "9fc5fcd" + "0" * 33),
        ("push", NEW_BRANCH, "HEAD"),
        ("schedule", "", "HEAD"),
        ("workflow_dispatch", "", "HEAD"),
    ],
)
def test_notify_step_passes_the_previous_head_of_a_push_and_else_head(
    tmp_path: Path, event: str, before: str, since: str
) -> None:
    script = step(load(PUBLISH)["jobs"]["notify"]["steps"], "Notify")["run"]
    done = run_step(
        script,
        tmp_path,
        {"BEFORE": before, "GITHUB_EVENT_NAME": event, "BUILT_AT": "1762185600"},
        fake_statusgen(tmp_path, "notify: 2 delivered\n", 0),
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "notify: 2 delivered\n", "")
    assert (tmp_path / "fakebin" / "calls").read_text() == f"notify --since {since} --now @1762185600\n"


def test_notify_step_fails_when_a_delivery_fails(tmp_path: Path) -> None:
    script = step(load(PUBLISH)["jobs"]["notify"]["steps"], "Notify")["run"]
    done = run_step(
        script,
        tmp_path,
        {"BEFORE": "", "GITHUB_EVENT_NAME": "schedule", "BUILT_AT": "1762185600"},
        fake_statusgen(tmp_path, "1 delivery failed\n", 1),
    )
    assert (done.returncode, done.stdout) == (1, "1 delivery failed\n")


GIT_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Status Bot",
    "GIT_AUTHOR_EMAIL": "bot@example.com",
    "GIT_COMMITTER_NAME": "Status Bot",
    "GIT_COMMITTER_EMAIL": "bot@example.com",
}


def committed(workspace: Path, message: str) -> str:
    """Commit everything in ``workspace`` (a git repository from the first call on); the new commit."""
    if not (workspace / ".git").exists():
        subprocess.run(["git", "init", "-q", "-b", "main"], cwd=workspace, env={**os.environ, **GIT_ENV}, check=True)
    for command in (["add", "-A"], ["commit", "-q", "-m", message]):
        subprocess.run(["git", *command], cwd=workspace, env={**os.environ, **GIT_ENV}, check=True)
    return subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=workspace, capture_output=True, text=True, check=True
    ).stdout.strip()


def notifying_workspace(initialised: Path, tmp_path: Path) -> Path:
    workspace = tmp_path / "status"
    shutil.copytree(initialised, workspace)
    with (workspace / "statusgen.yaml").open("a", encoding="utf-8") as config:
        config.write("notify:\n  - type: webhook\n    url_env: STATUS_WEBHOOK_URL\n")
    return workspace


def test_notify_step_on_a_real_repository_sends_nothing_without_a_push(initialised: Path, tmp_path: Path) -> None:
    workspace = notifying_workspace(initialised, tmp_path)
    head = committed(workspace, "Status page")
    script = step(load(PUBLISH)["jobs"]["notify"]["steps"], "Notify")["run"]
    done = run_step(
        script,
        workspace,
        {**GIT_ENV, "BEFORE": "", "GITHUB_EVENT_NAME": "schedule", "BUILT_AT": "1762185600", "STATUS_WEBHOOK_URL": ""},
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, f"notify {head[:12]}..{head[:12]}: no new updates\n", "")
    record = json.loads((workspace / ".statusgen" / "delivered.json").read_text(encoding="utf-8"))
    assert (record["head"], record["held"], record["targets"]) == (head, {}, {})


LATE = """\
---
title: Slow dashboard
impact: minor
components: {web: degraded_performance}
updates:
  - at: 2025-11-03T16:30:00Z
    status: investigating
    message: The dashboard is slow. Next update by 17:30 UTC.
---
"""


def test_build_and_notify_steps_share_the_builds_now(initialised: Path, tmp_path: Path) -> None:
    workspace = notifying_workspace(initialised, tmp_path)
    before = committed(workspace, "Status page")
    (workspace / "incidents" / "2025-11-03-web-slow.md").write_text(LATE, encoding="utf-8")
    head = committed(workspace, "Slow dashboard")
    jobs, output = load(PUBLISH)["jobs"], tmp_path / "output"

    # A build at 16:00 does not show the update stamped 16:30, so the notify job holds it back,
    # however late it runs by the clock.
    fakes = fake_statusgen(tmp_path, "built site\n", 0)
    (fakes / "date").write_text("#!/bin/sh\necho 1762185600\n", encoding="utf-8")
    (fakes / "date").chmod(0o755)
    done = run_step(
        step(jobs["build"]["steps"], "Choose the build's now")["run"], workspace, {"GITHUB_OUTPUT": str(output)}, fakes
    )
    assert (done.returncode, outputs(output)) == (0, {"built-at": "1762185600"})
    done = run_step(
        step(jobs["build"]["steps"], "Build")["run"], workspace, {"BUILT_AT": outputs(output)["built-at"]}, fakes
    )
    assert (done.returncode, done.stdout) == (0, "built site\n")
    assert (fakes / "calls").read_text() == "build --now @1762185600\n"

    script = step(jobs["notify"]["steps"], "Notify")["run"]
    done = run_step(
        script,
        workspace,
        {
            **GIT_ENV,
            "BEFORE": before,
            "GITHUB_EVENT_NAME": "push",
            "BUILT_AT": outputs(output)["built-at"],
            "STATUS_WEBHOOK_URL": "",
        },
    )
    assert (done.returncode, done.stdout, done.stderr) == (
        0,
        (
            "2025-11-03-web-slow 2025-11-03T16:30:00Z investigating: held back: not published until "
            "2025-11-03T16:30:00Z; kept for a later run\n"
            f"notify {before[:12]}..{head[:12]}: 0 delivered, 0 failed, 0 skipped, 1 held back\n"
        ),
        "",
    )


def test_build_step_builds_a_real_repository_at_the_instant_it_reports(initialised: Path, tmp_path: Path) -> None:
    workspace = tmp_path / "status"
    shutil.copytree(initialised, workspace)
    output = tmp_path / "output"
    steps = load(PUBLISH)["jobs"]["build"]["steps"]
    started = int(time.time())
    done = run_step(step(steps, "Choose the build's now")["run"], workspace, {"GITHUB_OUTPUT": str(output)})
    assert done.returncode == 0, done.stderr
    built_at = int(outputs(output)["built-at"])
    assert started <= built_at <= time.time()  # a repository made by init follows the clock
    done = run_step(step(steps, "Build")["run"], workspace, {"BUILT_AT": str(built_at)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("built site: ")
    assert (workspace / "site" / "index.html").is_file()


def demo_copy(tmp_path: Path) -> Path:
    """This repository's status page (config, incidents, pinned instant), copied out of the checkout."""
    workspace = tmp_path / "demo"
    workspace.mkdir()
    for name in ("statusgen.yaml", "pinned-now.txt"):
        shutil.copy(PROJECT / name, workspace / name)
    for folder in DEMO_FOLDERS:
        shutil.copytree(PROJECT / folder, workspace / folder)
    return workspace


def test_this_repositorys_page_is_checked_and_built_at_its_pinned_instant(tmp_path: Path) -> None:
    workspace, output = demo_copy(tmp_path), tmp_path / "output"
    steps = load(PUBLISH)["jobs"]["build"]["steps"]
    done = run_step(step(steps, "Choose the build's now")["run"], workspace, {"GITHUB_OUTPUT": str(output)})
    assert done.returncode == 0, done.stderr
    pinned = int(parse_timestamp(DEMO_NOW).timestamp())
    assert outputs(output) == {"built-at": str(pinned)}
    done = run_step(step(steps, "Check")["run"], workspace, {"BUILT_AT": str(pinned)})
    assert (done.returncode, done.stdout) == (
        0,
        "ok: 36 incidents and maintenance, 9 components, 0 policy error(s), 0 warning(s)\n",
    ), done.stdout
    done = run_step(step(steps, "Build")["run"], workspace, {"BUILT_AT": str(pinned)})
    assert done.returncode == 0, done.stderr
    # The open incident's next update falls due then: from then on its page says it is overdue.
    assert done.stdout.endswith("; next change by the clock at 2026-11-23T09:55:00Z\n")
    status = json.loads((workspace / "site" / "api" / "v2" / "status.json").read_text(encoding="utf-8"))
    assert status["status"] == {"indicator": "critical", "description": "Major Service Outage"}


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-23T09:00:00",
        "tomorrow",
        "2026-11-23",
        "",
        "2026-11-23T09:00:00Z\n2026-11-24T09:00:00Z",
        "$(touch pwned)",
    ],
)
def test_a_pinned_instant_that_is_not_one_stops_the_build(tmp_path: Path, text: str) -> None:
    (tmp_path / "pinned-now.txt").write_text(f"# the demo\n{text}\n", encoding="utf-8")
    output = tmp_path / "output"
    done = run_step(
        step(load(PUBLISH)["jobs"]["build"]["steps"], "Choose the build's now")["run"],
        tmp_path,
        {"GITHUB_OUTPUT": str(output)},
    )
    assert (done.returncode, done.stdout) == (
        1,
        (
            "::error file=pinned-now.txt,title=statusgen::pinned-now.txt must hold one time with its offset, "
            "like 2026-11-23T09:00:00Z\n"
        ),
    )
    assert not output.exists() and not (tmp_path / "pwned").exists()


@pytest.mark.parametrize(
    ("text", "epoch"),
    [
        ("2026-11-23T09:00:00Z", 1795424400),
        ("# why\n\n2026-11-23T10:00:00+01:00\n", 1795424400),
        ("2027-01-16T01:30:00-05:00", 1800081000),
    ],
)
def test_a_pinned_instant_with_any_offset_is_read_exactly(tmp_path: Path, text: str, epoch: int) -> None:
    (tmp_path / "pinned-now.txt").write_text(text, encoding="utf-8")
    output = tmp_path / "output"
    done = run_step(
        step(load(PUBLISH)["jobs"]["build"]["steps"], "Choose the build's now")["run"],
        tmp_path,
        {"GITHUB_OUTPUT": str(output)},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert outputs(output) == {"built-at": str(epoch)}


# --- statusgen init and this repository -----------------------------------------------------------


def test_init_writes_this_repositorys_publish_workflow(initialised: Path) -> None:
    written = (initialised / ".github" / "workflows" / "publish.yml").read_bytes()
    assert written == PUBLISH.read_bytes() == SKELETON.read_bytes()


def test_requirements_pin_a_release_or_this_checkout(initialised: Path) -> None:
    pinned = (initialised / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert [line for line in pinned if not line.startswith("#")] == [f"statusgen=={__version__}"]
    here = (PROJECT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert [line for line in here if not line.startswith("#")] == ["."]


# --- the composite action ---------------------------------------------------------------------------


def test_action_inputs_and_outputs() -> None:
    action = load(ACTION)
    assert action["runs"]["using"] == "composite"
    assert {name: spec["default"] for name, spec in action["inputs"].items()} == {
        "directory": ".",
        "python-version": "3.11",
        "upload": "true",
        "fail-on-check": "${{ github.event_name == 'pull_request' }}",
        "cache": "true",
    }
    assert {name: spec["value"] for name, spec in action["outputs"].items()} == {
        "site": "${{ steps.build.outputs.site }}",
        "next-change": "${{ steps.build.outputs.next-change }}",
        "check-failed": "${{ steps.check.outputs.failed }}",
        "built-at": "${{ steps.build.outputs.built-at }}",
    }
    steps = action["runs"]["steps"]
    install = step(steps, "Install statusgen")
    assert install["env"] == {"ACTION_PATH": "${{ github.action_path }}"}
    assert install["run"] == 'python -m pip install --disable-pip-version-check "$ACTION_PATH"'
    cache = step(steps, "Restore the build cache")["with"]
    assert cache["path"].splitlines() == ["${{ inputs.directory }}/.statusgen", "${{ inputs.directory }}/site"]
    assert cache["key"].startswith(cache["restore-keys"]) and "${{ github.run_id }}" in cache["key"]


@pytest.mark.parametrize(
    ("directory", "shown"),
    [
        (".", "incidents/a.md"),
        ("./", "incidents/a.md"),
        ("status", "status/incidents/a.md"),
        ("./sites/status/", "sites/status/incidents/a.md"),
    ],
)
def test_action_check_step_names_files_from_the_workspace(tmp_path: Path, directory: str, shown: str) -> None:
    script = step(load(ACTION)["runs"]["steps"], "Check")["run"]
    output = tmp_path / "output"
    reply = "::error file=incidents/a.md,line=5,title=statusgen::unknown component 'apj'\n1 error(s)\n"
    done = run_step(
        script, tmp_path, {"DIRECTORY": directory, "GITHUB_OUTPUT": str(output)}, fake_statusgen(tmp_path, reply, 1)
    )
    assert done.returncode == 0
    assert done.stdout == f"::error file={shown},line=5,title=statusgen::unknown component 'apj'\n1 error(s)\n"
    assert outputs(output) == {"failed": "true"}
    assert (tmp_path / "fakebin" / "calls").read_text() == "check --format github\n"


def test_action_check_step_fails_on_a_usage_error(tmp_path: Path) -> None:
    script = step(load(ACTION)["runs"]["steps"], "Check")["run"]
    output = tmp_path / "output"
    done = run_step(
        script,
        tmp_path,
        {"DIRECTORY": ".", "GITHUB_OUTPUT": str(output)},
        fake_statusgen(tmp_path, "statusgen: error: unrecognized arguments\n", 2),
    )
    assert done.returncode == 2
    assert outputs(output) == {"failed": "true"}


@pytest.mark.slow
def test_action_check_and_build_steps_on_a_real_repository(initialised: Path, tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    shutil.copytree(initialised, workspace / "status")
    steps = load(ACTION)["runs"]["steps"]
    env = {
        "DIRECTORY": "status",
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary"),
    }

    done = run_step(step(steps, "Check")["run"], workspace / "status", env)
    assert done.returncode == 0
    assert [line for line in done.stdout.splitlines() if line.startswith("::")] == []
    started = int(time.time())
    done = run_step(step(steps, "Build")["run"], workspace / "status", env)
    assert done.returncode == 0, done.stderr
    written = outputs(tmp_path / "output")
    assert started <= int(written.pop("built-at")) <= time.time()
    assert written == {"failed": "false", "site": "status/site", "next-change": ""}
    assert (tmp_path / "summary").read_text().startswith("built site: ")
    assert (workspace / "status" / "site" / "index.html").is_file()

    example = next((workspace / "status" / "incidents").glob("*.md"))
    example.write_text(example.read_text().replace("api: degraded_performance", "apj: degraded_performance"))
    (tmp_path / "output").unlink()
    done = run_step(step(steps, "Check")["run"], workspace / "status", env)
    assert done.returncode == 0
    assert outputs(tmp_path / "output") == {"failed": "true"}
    annotations = [line for line in done.stdout.splitlines() if line.startswith("::error ")]
    assert annotations == [
        f"::error file=status/incidents/{example.name},line=8,title=statusgen::"
        "unknown component 'apj' (did you mean 'api'?)"
    ]


@pytest.mark.validator
def test_the_documented_action_workflow_lints_clean(tmp_path: Path) -> None:
    text = (PROJECT / "docs" / "publishing.md").read_text(encoding="utf-8")
    section = text.split("### The composite action", 1)[1]
    snippet = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    workflow = tmp_path / "publish.yml"
    workflow.write_text(snippet, encoding="utf-8")
    done = actionlint(str(workflow))
    assert (done.returncode, done.stdout) == (
        0,
        "Checking 1 workflow file(s)...\n✓ All workflow files passed lint checks\n",
    ), done.stdout
    uses = [s["uses"] for job in yaml.safe_load(snippet)["jobs"].values() for s in job["steps"]]
    assert uses == [
        f"actions/checkout@{PINS['actions/checkout'][0]}",
        "OWNER/statusgen@COMMIT",
        f"actions/deploy-pages@{PINS['actions/deploy-pages'][0]}",
    ]


# --- the release workflow ---------------------------------------------------------------------------


def test_release_runs_on_version_tags_and_tests_before_it_publishes() -> None:
    release = load(RELEASE)
    assert triggers(release) == {"push": {"tags": ["v*"]}}
    assert release["concurrency"] == {"group": "release-${{ github.ref }}", "cancel-in-progress": False}
    jobs = release["jobs"]
    assert list(jobs) == ["test", "build", "publish"]
    assert step(jobs["test"]["steps"], "Run the tests")["run"] == "./scripts/test"
    assert jobs["publish"]["needs"] == ["test", "build"]
    # A tag is tested by the release, not a second time by the test workflow.
    assert triggers(load(TEST)) == {"push": {"branches": ["**"]}, "pull_request": None}


def test_release_publishes_what_it_built_with_trusted_publishing() -> None:
    jobs = load(RELEASE)["jobs"]
    build = jobs["build"]["steps"]
    assert step(build, "Build the sdist and the wheel")["run"].splitlines() == [
        "python -m pip install --disable-pip-version-check build==1.2.2",
        "python -m build --outdir dist",
    ]
    upload = build[-1]
    assert upload["uses"].startswith("actions/upload-artifact@")
    assert upload["with"] == {"name": "dist", "path": "dist/", "if-no-files-found": "error", "retention-days": 7}
    publish = jobs["publish"]
    assert publish["environment"] == {"name": "pypi", "url": "https://pypi.org/project/statusgen/"}
    download, upload_to_pypi = publish["steps"]
    assert download["uses"].startswith("actions/download-artifact@")
    assert download["with"] == {"name": "dist", "path": "dist/"}
    # No token or password: PyPI trusts this workflow's OIDC identity.
    assert upload_to_pypi == {"uses": f"pypa/gh-action-pypi-publish@{PINS['pypa/gh-action-pypi-publish'][0]}"}


def fake_dist(tmp_path: Path, *names: str) -> Path:
    (tmp_path / "dist").mkdir()
    for name in names:
        (tmp_path / "dist" / name).write_bytes(b"")
    return tmp_path


BUILT = (f"statusgen-{__version__}-py3-none-any.whl", f"statusgen-{__version__}.tar.gz")


@pytest.mark.parametrize(
    ("tag", "names", "status"),
    [
        (f"v{__version__}", BUILT, 0),
        ("v9.9.9", BUILT, 1),
        (__version__, BUILT, 1),  # a tag without the v is not a version tag
        (f"v{__version__}", BUILT[:1], 1),
        (f"v{__version__}", (*BUILT, "statusgen-0.0.1.tar.gz"), 1),
    ],
)
def test_release_checks_that_the_tag_names_the_version_built(
    tmp_path: Path, tag: str, names: tuple[str, ...], status: int
) -> None:
    script = step(load(RELEASE)["jobs"]["build"]["steps"], "Check that the tag names the version built")["run"]
    done = run_step(script, fake_dist(tmp_path, *names), {"TAG": tag})
    found = " ".join(sorted(names))
    assert (done.returncode, done.stdout) == (
        status,
        f"tag {tag}: {found}\n"
        if status == 0
        else (f"::error title=release::tag {tag} does not match the distributions built: {found}\n"),
    )


@pytest.mark.slow
def test_release_installs_the_built_wheel_and_runs_it(tmp_path: Path) -> None:
    dist = tmp_path / "work" / "dist"
    done = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(PROJECT)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    script = step(load(RELEASE)["jobs"]["build"]["steps"], "Check that the wheel installs and runs")["run"]
    runner_temp = tmp_path / "runner"
    runner_temp.mkdir()
    done = run_step(script, tmp_path / "work", {"TAG": f"v{__version__}", "RUNNER_TEMP": str(runner_temp)})
    assert done.returncode == 0, done.stdout + done.stderr
    assert (runner_temp / "status" / "site" / "index.html").is_file()
    # The wheel's statusgen was recorded as installed from a local file, and init said so.
    assert "which is on this machine only" in done.stderr
