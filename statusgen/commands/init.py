"""``statusgen init``: a new status repository that builds and publishes right away."""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import textwrap
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import metadata, resources
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import yaml

from statusgen import __version__
from statusgen.errors import StatusgenError
from statusgen.output.atomic import create_exclusively
from statusgen.timeutil import iso

log = logging.getLogger(__name__)

FILES = {
    "statusgen.yaml": "statusgen.yaml",
    ".gitignore": "gitignore",
    "README.md": "README.md",
    ".github/workflows/publish.yml": "publish.yml",
    "requirements.txt": "requirements.txt",
}
# The publishing workflow deploys pushes to this branch.
BRANCH = "main"
GIT_TIMEOUT_SECONDS = 30
EXAMPLE_SOURCE = "statusgen @ git+https://github.com/OWNER/statusgen@COMMIT"


@dataclass(frozen=True)
class Pin:
    """The line of ``requirements.txt`` that installs statusgen, and what to know about it."""

    line: str
    # Set when CI probably cannot install ``line``: why, and lines to write instead.
    warning: str | None = None
    instead: tuple[str, ...] = ()

    def message(self) -> str | None:
        """The warning as one sentence naming the alternatives, or None."""
        if self.warning is None:
            return None
        return f"{self.warning}: " + " or ".join(f"'{line}'" for line in self.instead)


@dataclass
class Created:
    """What ``init`` did: the files it wrote, what it says about them, and what needs a person."""

    paths: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def init(target: Path, now: datetime) -> Created:
    """Create the repository's files under ``target``; refuse if any of them exists already.

    The components' ``since:`` is the day of ``now`` in the site's timezone, so a new page shows no
    uptime for the days before it existed. Then ``target`` becomes a git repository, unless it is
    inside one already or git is missing (said in the result).
    """
    config = _template("statusgen.yaml")
    day = site_day(now, yaml.safe_load(config)["site"]["timezone"]).isoformat()
    pin = requirement(installed_direct_url(), __version__)
    plan = {rel: _template(name) for rel, name in FILES.items()}
    plan["requirements.txt"] = plan["requirements.txt"].replace("$requirement", _requirement_lines(pin))
    plan["statusgen.yaml"] = config.replace("$since", day)
    example = _template("example.md").replace("$at", iso(now.replace(microsecond=0)))
    plan[f"incidents/{day}-example-incident.md"] = example
    clashes = [rel for rel in plan if (target / rel).exists() or (target / rel).is_symlink()]
    if clashes:
        raise StatusgenError(
            f"{target / clashes[0]} already exists; nothing was written",
            str(target),
            0,
            "statusgen init never overwrites a file: choose an empty folder",
        )
    created = Created()
    for rel, text in plan.items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        create_exclusively(path, text)
        created.paths.append(path)
    if pin.warning:
        created.warnings.append(pin.message() or "")
    _make_repository(target, created)
    return created


def site_day(now: datetime, timezone: str) -> date:
    """The calendar day ``now`` falls on in ``timezone``: the site's days are cut there."""
    return now.astimezone(ZoneInfo(timezone)).date()


# --- where the running statusgen came from ------------------------------------------------------


def installed_direct_url() -> str | None:
    """The PEP 610 record pip kept of where it installed statusgen from (``direct_url.json``).

    None when statusgen came from a package index (pip writes no record then), or when it is not
    installed as a distribution at all.
    """
    try:
        return metadata.distribution("statusgen").read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        log.debug("statusgen is not installed as a distribution")
        return None


def requirement(direct_url: str | None, version: str) -> Pin:
    """The requirement that installs, on CI, the statusgen that is running here.

    ``direct_url`` is the PEP 610 record (None: installed from an index, so the release is there).
    A VCS install is pinned to the commit pip checked out, an archive to its URL and hash. A local
    folder, file or editable install is out of CI's reach: the release of the same version is
    named, with a warning saying what to write instead.
    """
    release = f"statusgen=={version}"
    if direct_url is None:
        return Pin(release)
    try:
        record = json.loads(direct_url)
        url = record["url"]
        if not isinstance(url, str):
            raise TypeError
        line = _direct_requirement(record, url)
    except (ValueError, KeyError, TypeError, AttributeError):
        return Pin(
            release,
            f"pip's record of where statusgen {version} came from (direct_url.json) is unreadable, "
            f"so requirements.txt names the release {release}, which CI can install only from a "
            f"package index that has it. Otherwise write where CI can get statusgen, such as",
            (EXAMPLE_SOURCE,),
        )
    if urlsplit(url).scheme == "file":
        return Pin(
            release,
            _local_warning(record, url, version),
            (EXAMPLE_SOURCE, f"statusgen @ https://example.com/statusgen-{version}-py3-none-any.whl"),
        )
    if _without_password(url) != url:
        return Pin(
            line,
            "the address statusgen was installed from carries a password, which is left out of "
            "requirements.txt because the file is committed: give CI access to that source in "
            "another way, or install from a public source, such as",
            (EXAMPLE_SOURCE,),
        )
    return Pin(line)


def _direct_requirement(record: dict[str, object], url: str) -> str:
    """The PEP 508 direct reference for a PEP 610 record of a remote source."""
    address = _without_password(url)
    fragment = []
    subdirectory = record.get("subdirectory")
    if isinstance(subdirectory, str) and subdirectory:
        fragment.append(f"subdirectory={subdirectory}")
    if "vcs_info" in record:
        vcs = record["vcs_info"]
        if not isinstance(vcs, dict) or not isinstance(vcs["vcs"], str) or not isinstance(vcs["commit_id"], str):
            raise TypeError
        line = f"statusgen @ {vcs['vcs']}+{address}@{vcs['commit_id']}"
    elif "archive_info" in record:
        archive = record["archive_info"]
        if not isinstance(archive, dict):
            raise TypeError
        hashes = archive.get("hashes") or {}
        legacy = archive.get("hash")
        if isinstance(hashes, dict) and isinstance(hashes.get("sha256"), str):
            fragment.append(f"sha256={hashes['sha256']}")
        elif isinstance(legacy, str) and "=" in legacy:
            fragment.append(legacy)
        line = f"statusgen @ {address}"
    elif "dir_info" in record:
        line = f"statusgen @ {address}"
    else:
        raise KeyError("vcs_info, archive_info or dir_info")
    return line + ("#" + "&".join(fragment) if fragment else "")


def _without_password(url: str) -> str:
    """``url`` without a password: requirements.txt is committed, and a secret must not be."""
    parts = urlsplit(url)
    if parts.password is None or parts.password.startswith("${"):
        return url
    host = parts.hostname or ""
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def _local_warning(record: dict[str, object], url: str, version: str) -> str:
    path = unquote(urlsplit(url).path)
    dir_info = record.get("dir_info")
    editable = isinstance(dir_info, dict) and dir_info.get("editable") is True
    how = f"an editable install of {path}" if editable else path
    return (
        f"statusgen {version} was installed from {how}, which is on this machine only: CI cannot install it "
        f"from there. requirements.txt names the release statusgen=={version}, which CI can install only from "
        f"a package index that has it. Otherwise replace that line with where CI can get this statusgen, "
        f"such as"
    )


def _requirement_lines(pin: Pin) -> str:
    """The requirement, after a comment with the warning (if any) and the lines to use instead."""
    if pin.warning is None:
        return pin.line
    note = textwrap.wrap(f"Warning: {pin.warning}:", width=96, break_long_words=False, break_on_hyphens=False)
    return "".join(f"# {line}\n" for line in note) + "".join(f"#   {line}\n" for line in pin.instead) + pin.line


# --- git ------------------------------------------------------------------------------------------


def _make_repository(target: Path, created: Created) -> None:
    """Make ``target`` a git repository: the workflow publishes pushes, and notify reads history."""
    around = enclosing_repository(target)
    if around is not None:
        where = "a git repository already" if around == target.absolute() else f"inside the git repository at {around}"
        created.notes.append(f"{target} is {where}: no git init needed")
        return
    git = shutil.which("git")
    if git is None:
        created.warnings.append(
            f"git is not installed, so {target} is not a git repository yet: install git and "
            f"run 'git init -b {BRANCH}' there (publishing and statusgen notify need its history)"
        )
        return
    try:
        done = subprocess.run(
            [git, "init", "--quiet", f"--initial-branch={BRANCH}", str(target)],
            capture_output=True,
            text=True,
            check=False,
            timeout=GIT_TIMEOUT_SECONDS,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        detail = str(exc)
    else:
        if done.returncode == 0:
            created.notes.append(
                f"initialised a git repository in {target} on branch {BRANCH}, the one the workflow publishes"
            )
            return
        detail = done.stderr.strip() or f"exit status {done.returncode}"
    created.warnings.append(f"git init failed ({detail}): run 'git init -b {BRANCH}' in {target} yourself")


def enclosing_repository(folder: Path) -> Path | None:
    """The top of the git repository ``folder`` is in, if any (a ``.git`` folder or file)."""
    for candidate in (folder.absolute(), *folder.absolute().parents):
        if (candidate / ".git").exists() or (candidate / ".git").is_symlink():
            return candidate
    return None


def _template(name: str) -> str:
    return resources.files("statusgen").joinpath("skeleton", name).read_text(encoding="utf-8")
