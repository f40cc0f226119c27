"""The build cache can only make a build faster: a forged, damaged or stale cache never changes
what is published, and never stops a build."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import PROJECT, Repo, tree_digest
from statusgen.load.config import load_config
from statusgen.output import tracked
from statusgen.output.cache import open_cache

NOW = "2025-11-10T12:00:00Z"
TARGET = "incidents/2025-11-03-api-errors.md"
MAINTENANCE = """\
---
title: Database upgrade
kind: maintenance
window: {start: 2025-12-01T02:00:00Z, end: 2025-12-01T04:00:00Z}
components: [db, api]
updates:
  - at: 2025-11-05T10:00:00Z
    status: scheduled
    message: We will upgrade the primary database.
---
"""


def contents(folder: Path) -> dict[str, str]:
    return {name: sha for name, (sha, _) in tree_digest(folder).items()}


def cache_files(root: Path) -> dict[str, tuple[str, int]]:
    """The build cache's files with their bytes and mtimes (the build lock beside them aside)."""
    return {name: entry for name, entry in tree_digest(root / ".statusgen").items() if name != "build.lock"}


def make_repo(root: Path) -> Repo:
    repo = Repo(root)
    repo.config()
    repo.incident("2025-11-03-api-errors.md")
    repo.incident("2025-11-05-database-upgrade.md", MAINTENANCE)
    return repo


def shard_holding(repo: Repo, rel: str) -> Path:
    for path in sorted((repo.root / ".statusgen/cache").glob("incidents-*.json")):
        if rel in read_cache_file(path)[1]:
            return path
    raise AssertionError(f"no shard holds {rel}")


def read_cache_file(path: Path) -> tuple[dict[str, Any], Any]:
    """(header, entries) of a cache file."""
    head, _, body = path.read_text(encoding="utf-8").partition("\n")
    if body:
        return json.loads(head), json.loads(body)
    document = json.loads(head)
    return {"fingerprint": document["fingerprint"]}, document["entries"]


def forge(path: Path, entries: Any) -> None:
    """Write ``entries`` into the cache file ``path`` as a forger would: a whole file, hashes and all."""
    header, _ = read_cache_file(path)
    if "sha256" in header:
        body = json.dumps(entries)
        header["sha256"] = hashlib.sha256(body.encode()).hexdigest()
        path.write_text(json.dumps(header) + "\n" + body, encoding="utf-8")
    else:
        path.write_text(json.dumps({"fingerprint": header["fingerprint"], "entries": entries}), encoding="utf-8")


def forge_entry(repo: Repo, change: Callable[[dict[str, Any]], Any]) -> None:
    """Replace the cached incident of TARGET with ``change`` of it."""
    shard = shard_holding(repo, TARGET)
    entries = read_cache_file(shard)[1]
    data = entries[TARGET][1]
    changed = change(data)
    entries[TARGET][1] = data if changed is None else changed
    forge(shard, entries)


def forged_message(data: dict[str, Any]) -> None:
    data["updates"][-1][2] = "FORGED: all is well, nothing happened."


def cached_incident(repo: Repo) -> Any:
    problems: list[Any] = []
    config = load_config(repo.root, problems)
    assert config is not None, problems
    store = open_cache(repo.root, config)
    sha = hashlib.sha256((repo.root / TARGET).read_bytes()).hexdigest()
    return store.incident(TARGET, sha)


def assert_as_without_cache(repo: Repo, tmp_path: Path) -> None:
    assert repo.build(NOW) == 0
    assert repo.build(NOW, "--no-cache", "--out", str(tmp_path / "fresh")) == 0
    assert contents(repo.site) == contents(tmp_path / "fresh")


def set_update(index: int, position: int, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data["updates"][index][position] = value

    return change


def set_field(name: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data[name] = value

    return change


def drop_field(name: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        del data[name]

    return change


MALFORMED: dict[str, Callable[[dict[str, Any]], Any]] = {
    "id with a slash": set_field("id", "2025-11-03-api/errors"),
    "id of another file": set_field("id", "2025-11-05-database-upgrade"),
    "id that is no incident id": set_field("id", "Index"),
    "path of another file": set_field("path", "incidents/2025-11-05-database-upgrade.md"),
    "digest of other bytes": set_field("digest", "0" * 64),
    "unknown kind": set_field("kind", "outage"),
    "unknown impact": set_field("impact", "catastrophic"),
    "unknown update status": set_update(0, 1, "fixed"),
    "maintenance status on an incident": set_update(0, 1, "scheduled"),
    "unknown component": set_field("components", {"payments": "partial_outage"}),
    "unknown component status": set_field("components", {"api": "exploded"}),
    "under_maintenance from an incident": set_field("components", {"api": "under_maintenance"}),
    "component change to an unknown component": set_update(0, 3, {"payments": "major_outage"}),
    "naive time": set_update(0, 0, "2025-11-03T14:05:00"),
    "time that is no ISO time": set_update(0, 0, "yesterday"),
    "date for a time": set_update(0, 0, "2025-11-03"),
    "time with a fraction": set_update(0, 0, "2025-11-03T14:05:00.500000+00:00"),
    "time not in UTC": set_update(0, 0, "2025-11-03T15:05:00+01:00"),
    "time as a number": set_update(0, 0, 1762178700),
    "updates out of order": lambda data: data["updates"].reverse(),
    "two updates at one instant": set_update(1, 0, "2025-11-03T14:05:00+00:00"),
    "no updates": set_field("updates", []),
    "update of four fields": lambda data: data["updates"][0].pop(),
    "empty message": set_update(0, 2, ""),
    "message with a control character": set_update(0, 2, "All clear\x1b[2J"),
    "message as a number": set_update(0, 2, 7),
    "line as a boolean": set_update(0, 4, True),
    "line zero": set_update(0, 4, 0),
    "title as a number": set_field("title", 42),
    "empty title": set_field("title", ""),
    "hidden as text": set_field("hidden", "no"),
    "window on an incident": set_field("window", ["2025-11-03T14:05:00+00:00", "2025-11-03T16:05:00+00:00"]),
    "postmortem_due as text": set_field("postmortem_due", "yes"),
    "reference that is no web link": set_field("references", ["javascript:alert(1)"]),
    "body as a list": set_field("body", ["a"]),
    "body_line as text": set_field("body_line", "3"),
    "an extra key": set_field("script", "alert(1)"),
    "a missing key": drop_field("hidden"),
    "entry as a list": lambda data: list(data.values()),
    "entry as text": lambda data: "incident",
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_cache_entry_is_a_miss(tmp_path: Path, case: str) -> None:
    repo = make_repo(tmp_path / "status")
    assert repo.build(NOW) == 0
    assert cached_incident(repo) is not None
    forge_entry(repo, MALFORMED[case])
    assert cached_incident(repo) is None
    assert_as_without_cache(repo, tmp_path)
    assert not (repo.site / "incidents/2025-11-03-api").exists()
    # The miss was parsed afresh and cached again, as it should have been.
    assert cached_incident(repo) is not None


def test_a_maintenance_with_a_malformed_window_is_a_miss(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "status")
    assert repo.build(NOW) == 0
    rel = "incidents/2025-11-05-database-upgrade.md"
    shard = shard_holding(repo, rel)
    for window in (None, ["2025-12-01T04:00:00+00:00", "2025-12-01T02:00:00+00:00"], ["2025-12-01T02:00:00+00:00"]):
        entries = read_cache_file(shard)[1]
        entries[rel][1]["window"] = window
        forge(shard, entries)
        assert_as_without_cache(repo, tmp_path)
        shutil.rmtree(tmp_path / "fresh")


@pytest.mark.parametrize(
    "entries",
    [
        [],
        "entries",
        7,
        None,
        {TARGET: "x"},
        {TARGET: [1, 2, 3]},
        {TARGET: {"sha": "x"}},
    ],
    ids=["a list", "text", "a number", "null", "entry as text", "entry of three", "entry as a mapping"],
)
def test_a_shard_of_the_wrong_shape_is_ignored(tmp_path: Path, entries: Any) -> None:
    repo = make_repo(tmp_path / "status")
    assert repo.build(NOW) == 0
    forge(shard_holding(repo, TARGET), entries)
    assert_as_without_cache(repo, tmp_path)


@pytest.mark.parametrize("files", [[], "x", {"index.html": "x"}, {"index.html": [None]}, {"index.html": {"a": 1}}])
def test_a_page_list_of_the_wrong_shape_is_ignored(tmp_path: Path, files: Any) -> None:
    repo = make_repo(tmp_path / "status")
    assert repo.build(NOW) == 0
    pages = repo.root / ".statusgen/cache/pages.json"
    forge(pages, {"out": read_cache_file(pages)[1]["out"], "files": files})
    assert_as_without_cache(repo, tmp_path)
    forge(pages, [])
    assert_as_without_cache(repo, tmp_path)


def test_json_nested_too_deep_is_ignored(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "status")
    assert repo.build(NOW) == 0
    for path in (repo.root / ".statusgen/cache").iterdir():
        path.write_text("[" * 200_000)
    assert_as_without_cache(repo, tmp_path)


def test_a_damaged_entry_is_a_miss(tmp_path: Path) -> None:
    """Text changed in a cache file, its hash left as it was: as damage leaves it."""
    repo = make_repo(tmp_path / "status")
    assert repo.build(NOW) == 0
    shard = shard_holding(repo, TARGET)
    shard.write_text(shard.read_text().replace("Error rates are back to normal.", "Error rates are back to nurmal."))
    assert_as_without_cache(repo, tmp_path)
    assert "back to normal" in repo.page("incidents/2025-11-03-api-errors/index.html")


def test_a_cache_file_over_the_size_limit_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from statusgen.output import cache

    repo = make_repo(tmp_path / "status")
    assert repo.build(NOW) == 0
    shard = shard_holding(repo, TARGET)
    monkeypatch.setattr(cache, "MAX_FILE_BYTES", shard.stat().st_size + 10, raising=False)

    def forged_and_longer(data: dict[str, Any]) -> dict[str, Any]:
        forged_message(data)
        return {**data, "body": "x" * 1000}

    forge_entry(repo, forged_and_longer)
    assert_as_without_cache(repo, tmp_path)
    assert "FORGED" not in repo.page("incidents/2025-11-03-api-errors/index.html")


def test_template_text_in_a_cached_incident_stops_the_build(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_repo(tmp_path / "status")
    assert repo.build(NOW) == 0
    before = tree_digest(repo.site)
    forge_entry(repo, set_update(1, 2, "Resolved at [[time]]."))
    assert repo.build(NOW) == 1
    err = capsys.readouterr().err
    assert f"{TARGET}:10: template text left in the message: [[time]]" in err
    assert tree_digest(repo.site) == before


def test_a_cached_incident_naming_a_component_no_longer_configured_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(tmp_path / "status")
    assert repo.build(NOW) == 0
    config = (repo.root / "statusgen.yaml").read_text()
    repo.config(config.replace("  - id: api\n    name: Public API\n    group: Platform\n", ""))
    assert repo.build(NOW) == 1
    err = capsys.readouterr().err
    assert f"{TARGET}:5: unknown component 'api'" in err
    assert "incidents/2025-11-05-database-upgrade.md:5: unknown component 'api'" in err


# --- a cache that git tracks -------------------------------------------------------------------


def git(top: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=top, check=True, capture_output=True
    )


def git_repository(tmp_path: Path, subfolder: bool) -> tuple[Path, Repo]:
    top = tmp_path / "top"
    repo = make_repo(top / "status" if subfolder else top)
    git(top, "init", "-q")
    (top / ".gitignore").write_text(".statusgen/\nsite/\n.site.previous/\n")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "first")
    return top, repo


def without_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    empty = tmp_path / "no-git"
    empty.mkdir(exist_ok=True)
    monkeypatch.setenv("PATH", str(empty))


def use_reader(reader: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Have the index read with git absent, or git asked as when the index is in a form not read."""
    if reader == "index":
        without_git(monkeypatch, tmp_path)
    else:

        def unreadable(index: Path, rel: str) -> bool:
            raise tracked.Unknown("split index")

        monkeypatch.setattr(tracked, "index_tracks", unreadable)


TRACKED_CASES = [
    ("git", 2, False),
    ("git", 2, True),
    ("index", 2, False),
    ("index", 2, True),
    ("index", 3, False),
    ("index", 4, False),
    ("index", 4, True),
]


@pytest.mark.parametrize(
    ("reader", "version", "subfolder"),
    TRACKED_CASES,
    ids=[f"{r}-v{v}{'-subfolder' if s else ''}" for r, v, s in TRACKED_CASES],
)
def test_a_cache_that_git_tracks_is_ignored(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    reader: str,
    version: int,
    subfolder: bool,
) -> None:
    top, repo = git_repository(tmp_path, subfolder)
    assert repo.build(NOW) == 0
    # A pull request adds a cache in which the reviewed file's hash maps to other text.
    forge_entry(repo, forged_message)
    prefix = "status/" if subfolder else ""
    git(top, "add", "-f", f"{prefix}.statusgen")
    if version == 3:  # an intent-to-add entry makes git write format 3, with extended flags
        (top / "+notes.txt").write_text("notes\n")
        git(top, "add", "-N", "+notes.txt")
    git(top, "update-index", "--index-version", str(version))
    git(top, "commit", "-q", "-m", "cache")
    forged = cache_files(repo.root)
    use_reader(reader, monkeypatch, tmp_path)
    capsys.readouterr()
    assert repo.build(NOW) == 0
    err = capsys.readouterr().err
    assert ".statusgen: warning: tracked by git, so the build cache in it is ignored" in err
    assert "FORGED" not in repo.page("incidents/2025-11-03-api-errors/index.html")
    assert "Error rates are back to normal." in repo.page("incidents/2025-11-03-api-errors/index.html")
    assert cache_files(repo.root) == forged  # tracked files are not rewritten
    monkeypatch.undo()
    assert repo.build(NOW, "--no-cache", "--out", str(tmp_path / "fresh")) == 0
    assert contents(repo.site) == contents(tmp_path / "fresh")


@pytest.mark.parametrize("reader", ["git", "index"])
def test_an_untracked_cache_in_a_git_repository_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], reader: str
) -> None:
    top, repo = git_repository(tmp_path, subfolder=True)
    git(top, "update-index", "--index-version", "4")
    use_reader(reader, monkeypatch, tmp_path)
    assert repo.build(NOW) == 0
    capsys.readouterr()
    assert repo.build(NOW) == 0
    captured = capsys.readouterr()
    assert "(0 changed)" in captured.out
    assert "warning" not in captured.err


def test_a_repository_neither_git_nor_its_index_can_read_ignores_its_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(tmp_path / "status")
    (repo.root / ".git").mkdir()
    (repo.root / ".git/index").write_bytes(b"DIRC\0\0\0\x09garbage")
    without_git(monkeypatch, tmp_path)
    assert repo.build(NOW) == 0
    assert repo.build(NOW) == 0
    err = capsys.readouterr().err
    assert ".statusgen: warning: cannot tell whether git tracks it" in err
    assert not (repo.root / ".statusgen/cache").exists()


# --- a change to statusgen itself ---------------------------------------------------------------


def copied_package(tmp_path: Path) -> Path:
    """A copy of statusgen's source tree to import from, as if installed there."""
    tree = tmp_path / "package"
    shutil.copytree(PROJECT / "statusgen", tree / "statusgen", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(PROJECT / "themes/default", tree / "themes/default")
    return tree


def build_with(tree: Path, root: Path, *extra: str) -> str:
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import statusgen.cli as cli; "
        "assert cli.__file__.startswith(sys.argv[1]); sys.exit(cli.main(sys.argv[2:]))"
    )
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", code, str(tree), "-C", str(root), "build", "--now", NOW, *extra],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return done.stdout


def test_a_change_to_statusgen_itself_renders_every_page_again(tmp_path: Path) -> None:
    tree = copied_package(tmp_path)
    repo = make_repo(tmp_path / "status")
    build_with(tree, repo.root)
    assert "(0 changed)" in build_with(tree, repo.root)
    # A fix to the code changes what a page says, without a new version number.
    module = tree / "statusgen/vocabulary.py"
    text = module.read_text()
    assert '"resolved", N_("Resolved")' in text
    module.write_text(text.replace('"resolved", N_("Resolved")', '"resolved", N_("Fixed")'))
    summary = build_with(tree, repo.root)
    assert "(0 changed)" not in summary
    build_with(tree, repo.root, "--no-cache", "--out", str(tmp_path / "fresh"))
    assert contents(repo.site) == contents(tmp_path / "fresh")
    assert "Fixed" in repo.page("incidents/2025-11-03-api-errors/index.html")


def test_the_fingerprint_covers_every_file_of_the_package(tmp_path: Path) -> None:
    from statusgen.output import cache

    tree = copied_package(tmp_path) / "statusgen"
    first = cache.package_digest(tree)
    for name in ("messages/resolved.md", "skeleton/statusgen.yaml", "markup/cost.py"):
        changed = tree.parent / f"copy-{name.replace('/', '-')}"
        shutil.copytree(tree, changed)
        (changed / name).write_bytes((changed / name).read_bytes() + b"\n")
        assert cache.package_digest(changed) != first, name
    (tree / "__pycache__").mkdir()
    (tree / "__pycache__/x.cpython-311.pyc").write_bytes(b"compiled")
    assert cache.package_digest.__wrapped__(tree) == first
