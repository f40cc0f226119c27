"""What changed in ``incidents/`` between two commits, read from git.

``statusgen notify`` decides what is new from history rather than from the clock or the working
tree: an update is new when its file gained it between two commits. Paths are relative to the
status repository, which may be a folder inside a larger git repository.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from statusgen.errors import StatusgenError
from statusgen.load.incidents import INCIDENT_DIR, is_incident_path

log = logging.getLogger(__name__)
_COMMIT_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


class RefError(StatusgenError):
    """A ref that does not name a commit here, or no git repository at all: a usage error."""


@dataclass(frozen=True)
class Change:
    """One incident file changed between two commits: its path before (None: added) and after
    (None: deleted). A rename has both."""

    old: str | None
    new: str | None


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, check=False)
    except FileNotFoundError:
        raise StatusgenError("git is not installed", hint="notify reads what changed from git history") from None


def _failed(done: subprocess.CompletedProcess[bytes], what: str) -> StatusgenError:
    detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
    return StatusgenError(f"git could not {what}: {detail[-1] if detail else f'exit {done.returncode}'}")


def commit_of(root: Path, ref: str) -> str:
    """The full commit id ``ref`` names; RefError when there is none."""
    inside = _git(root, "rev-parse", "--is-inside-work-tree")
    if inside.returncode != 0 or inside.stdout.strip() != b"true":
        raise RefError(
            f"{root} is not in a git repository",
            hint="notify compares commits: run it in a clone of the status repository",
        )
    # --end-of-options keeps a ref that starts with '-' from being read as an option.
    done = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    if done.returncode == 0:
        return done.stdout.decode().strip()
    shallow = _git(root, "rev-parse", "--is-shallow-repository").stdout.strip() == b"true"
    if shallow:
        hint = (
            "this clone is shallow and may not reach it: fetch more history "
            "(git fetch --unshallow, or fetch-depth: 0 in the workflow's checkout)"
        )
    elif ref == "HEAD":
        hint = "the repository has no commit yet"
    else:
        hint = "give a commit id, branch or tag of this repository"
    raise RefError(f"unknown ref {ref!r}", hint=hint)


def known(root: Path, commit: str) -> bool:
    """Whether ``commit``, a full commit id, is a commit this clone holds."""
    if not _COMMIT_ID.fullmatch(commit):
        return False
    return _git(root, "cat-file", "-e", f"{commit}^{{commit}}").returncode == 0


def is_ancestor(root: Path, older: str, newer: str) -> bool:
    """Whether the commit ``older`` is ``newer`` or comes before it in its history (False when
    either is not a full commit id this clone holds)."""
    if not (known(root, older) and known(root, newer)):
        return False
    return _git(root, "merge-base", "--is-ancestor", older, newer).returncode == 0


def changes(root: Path, base: str, head: str) -> list[Change]:
    """Incident files added, changed, renamed or deleted from ``base`` to ``head``."""
    # Renames are followed so that a file moved to a better name is compared with what it was,
    # rather than announced again from its first update. Git sees a rename only while the file
    # stays mostly the same: notify pairs the rest by the update instants they share.
    done = _git(
        root,
        "diff",
        "--name-status",
        "-z",
        "-M",
        "--relative",
        "--no-ext-diff",
        "--no-textconv",
        base,
        head,
        "--",
        f"{INCIDENT_DIR}/",
    )
    if done.returncode != 0:
        raise _failed(done, f"compare {base[:12]} with {head[:12]}")
    fields = [os.fsdecode(f) for f in done.stdout.split(b"\0")]
    result: list[Change] = []
    index = 0
    while index < len(fields) and fields[index]:
        status = fields[index][:1]
        if status == "R":
            old, new = fields[index + 1], fields[index + 2]
            index += 3
        else:
            old = new = fields[index + 1]
            index += 2
        before = old if status != "A" and is_incident_path(old) else None
        after = new if status != "D" and is_incident_path(new) else None
        if before or after:
            result.append(Change(before, after))
    log.debug("incident files changed from %s to %s: %s", base[:12], head[:12], result)
    return result


def file_at(root: Path, commit: str, rel: str) -> str:
    """The text of ``rel`` (relative to ``root``) as committed in ``commit``."""
    done = _git(root, "cat-file", "blob", f"{commit}:./{rel}")
    if done.returncode != 0:
        raise _failed(done, f"read {rel} at {commit[:12]}")
    return done.stdout.decode("utf-8", "replace")


def file_or_none(root: Path, commit: str, rel: str) -> str | None:
    """The text of ``rel`` as committed in ``commit``, or None when ``commit`` has no such file."""
    if _git(root, "cat-file", "-e", f"{commit}:./{rel}").returncode != 0:
        return None
    return file_at(root, commit, rel)
