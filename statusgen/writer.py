"""The one place that touches the output directory.

A build is staged into a sibling directory and then swapped into place, so readers (and the
server in ``statusgen serve``) never see a half-written site, and a failed build leaves the old
one as it was. Files whose bytes did not change are carried over as they were, mtime included.
"""

from __future__ import annotations

import itertools
import logging
import os
import shutil
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from statusgen.errors import StatusgenError

log = logging.getLogger(__name__)

MARKER = ".statusgen-site"
_MARKER_TEXT = b"This folder is written by 'statusgen build' and replaced whole by every build.\n"


def check_output_dir(out: Path, root: Path) -> None:
    """Refuse an output directory whose replacement would destroy the repository itself."""
    out, root = out.resolve(), root.resolve()
    if out == root or root.is_relative_to(out):
        raise StatusgenError(f"output directory {out} contains the status repository", str(out), 0,
                             "build into a folder of its own, such as site/")
    for marker in ("statusgen.yaml", ".git"):
        if (out / marker).exists():
            raise StatusgenError(f"output directory {out} holds {marker}; refusing to replace it",
                                 str(out), 0, "build into a folder of its own, such as site/")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise StatusgenError(f"output directory {out} has files that statusgen did not write; "
                             "refusing to replace it", str(out), 0,
                             "remove the folder, or build into a folder of its own, such as site/")


def safe_relative(name: str) -> PurePosixPath:
    """An output path that stays inside the output directory."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts or name.startswith("."):
        raise ValueError(f"unsafe output path {name!r}")
    return path


def write_tree(out: Path, files: Iterable[tuple[str, bytes]]) -> int:
    """Replace ``out`` with exactly ``files``; return how many files changed or are new."""
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.with_name(f".{out.name}.staging-{os.getpid()}")
    retired = out.with_name(f".{out.name}.old-{os.getpid()}")
    for leftover in (staging, retired):
        if leftover.exists():
            shutil.rmtree(leftover)
    changed = 0
    try:
        staging.mkdir()
        made: set[Path] = {staging}
        for name, data in itertools.chain([(MARKER, _MARKER_TEXT)], files):
            rel = PurePosixPath(MARKER) if name == MARKER else safe_relative(name)
            target = staging.joinpath(*rel.parts)
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            previous = out.joinpath(*rel.parts)
            if _same_bytes(previous, data):
                try:
                    os.link(previous, target)
                    continue
                except OSError:
                    shutil.copy2(previous, target)
                    continue
            target.write_bytes(data)
            changed += name != MARKER
        if out.exists():
            os.replace(out, retired)
        os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if retired.exists() and not out.exists():
            os.replace(retired, out)
        raise
    shutil.rmtree(retired, ignore_errors=True)
    return changed


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data) or not path.is_file() or path.is_symlink():
            return False
        return path.read_bytes() == data
    except OSError:
        return False
