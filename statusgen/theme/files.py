"""A theme's files: the packaged default, overridden file by file by ``themes/<name>/``.

Which folders a build reads, which of their files are templates and static files, and the
links and names among them that the build must refuse.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Callable
from pathlib import Path

import jinja2

from statusgen.errors import Problem, StatusgenError, ValidationFailed
from statusgen.inputs import LINK_HINTS, link_problem


def default_theme_dir() -> Path:
    """The default theme: inside the installed package, or at the top of a source checkout."""
    here = Path(__file__).resolve().parents[1]
    packaged = here / "themes" / "default"
    return packaged if packaged.is_dir() else here.parent / "themes" / "default"


def theme_dirs(root: Path, name: str) -> list[Path]:
    """Theme folders, most specific first."""
    dirs = []
    custom = root / "themes" / name
    if custom.is_dir():
        dirs.append(custom)
    elif name != "default":
        raise StatusgenError(
            f"theme {name!r} not found", "statusgen.yaml", 0, f"create themes/{name}/templates/, or use theme: default"
        )
    default = default_theme_dir()
    if default.resolve() not in [d.resolve() for d in dirs]:
        dirs.append(default)
    return dirs


class ThemeLoader(jinja2.FileSystemLoader):
    """Templates of one theme folder; nothing in a dot-folder or dot-file (``.git``, ``.env``)."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        if any(part.startswith(".") for part in template.split("/")):
            raise jinja2.TemplateNotFound(template)
        return super().get_source(environment, template)

    def list_templates(self) -> list[str]:
        return [name for name in super().list_templates() if not any(part.startswith(".") for part in name.split("/"))]


def theme_files(dirs: list[Path]) -> list[tuple[str, bytes]]:
    """Every file of the themes a build may read, for the build cache's fingerprint.

    Files in dot-folders (a theme's ``.git``) are neither published nor includable, so left out.
    """
    files = []
    for index, folder in enumerate(dirs):
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder)
            if not any(part.startswith(".") for part in rel.parts) and path.is_file():
                files.append((printable(f"{index}/{rel.as_posix()}"), path.read_bytes()))
    return files


def overrides_templates(dirs: list[Path]) -> bool:
    """Whether a theme other than the packaged default supplies templates.

    Pages are reused between builds only with the default templates, whose inputs are known; a
    custom template may read anything, such as the build time.
    """
    default = default_theme_dir().resolve()
    return any((d / "templates").is_dir() and any((d / "templates").iterdir()) for d in dirs if d.resolve() != default)


def static_files(dirs: list[Path]) -> dict[str, bytes]:
    """Every file under the themes' ``static/`` folders; a more specific theme wins.

    Nothing in a dot-folder or dot-file is published: a theme copied in with its ``.git``, or an
    ``.env`` left beside the stylesheet, stays on the machine that builds the site.
    """
    files: dict[str, bytes] = {}
    problems: list[Problem] = []
    for folder in reversed(dirs):
        static = folder / "static"
        if not static.is_dir():
            continue
        for path in sorted(static.rglob("*")):
            rel = path.relative_to(static)
            if any(part.startswith(".") for part in rel.parts) or not path.is_file():
                continue
            problem = static_name_problem(f"themes/{folder.name}/static", rel.parts)
            if problem is not None:
                problems.append(problem)
                continue
            files["static/" + rel.as_posix()] = path.read_bytes()
    if problems:
        raise ValidationFailed(problems)
    return files


# Characters a file name cannot hold and still be written as it is in a URL of the site.
_NOT_IN_URLS = frozenset('#?%\\"<>^`{}|')


def url_name_problem(name: str) -> str | None:
    """Why the file name ``name`` cannot be part of a URL as it is, if it cannot."""
    if any("\udc80" <= c <= "\udcff" for c in name):
        return "file name is not UTF-8"
    for c in name:
        if unicodedata.category(c)[0] in "CZ":
            return f"file name holds {'a space' if c == ' ' else f'the character U+{ord(c):04X}'}"
        if c in _NOT_IN_URLS:
            return f"file name holds {c!r}, which cannot be part of a URL"
    return None


def printable(path: str) -> str:
    """``path`` as it can be printed: bytes that are not UTF-8 and control characters escaped."""
    text = path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(c if c.isprintable() or c == " " else ascii(c)[1:-1] for c in text)


def static_name_problem(prefix: str, parts: tuple[str, ...]) -> Problem | None:
    """Why the static file ``prefix/parts...`` cannot be published under its name, if it cannot."""
    for index, part in enumerate(parts):
        message = url_name_problem(part)
        if message is not None:
            if index < len(parts) - 1:
                message = message.replace("file name", "folder name")
            return Problem(
                printable("/".join((prefix, *parts))), 0, message, "rename it with letters, digits, '-', '_' and '.'"
            )
    return None


def link_problems(root: Path, folder: str) -> list[Problem]:
    """Symlinks at or under the repository's theme ``folder`` that the build must not follow.

    A theme's templates and static files are published, and a template may include any file below
    its folder, through links to folders too. So every link there must lead to a file or folder of
    the repository: not out of it (a pull request could point one at a file of the machine that
    builds the site), not into ``.git`` (whose config holds the checkout's credentials), not in a
    loop, and not to a folder that holds it, which would take a template through the whole
    repository and this walk with it.
    """
    real_root = root.resolve()
    found: list[Problem] = []
    walked: set[str] = set()
    pending = [root / folder]
    while pending:
        path = pending.pop()
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            problem = _theme_link_problem(path, root, real_root)
            if problem is not None:
                message, hint = problem
                if rel == folder and message == "symlink points outside the repository":
                    hint = "copy the folder into the repository"
                found.append(Problem(rel, 0 if path.is_dir() else 1, message, hint))
                continue
        real = os.path.realpath(path)
        if real in walked or not path.is_dir():
            continue
        walked.add(real)
        try:
            entries = [Path(entry.path) for entry in os.scandir(path)]
        except OSError:  # a folder the build cannot read, it cannot publish either
            continue
        # Depth first, in name order: popped from the end, so pushed in reverse.
        pending += sorted(entries, reverse=True)
    return found


def _theme_link_problem(path: Path, root: Path, real_root: Path) -> tuple[str, str] | None:
    """What is wrong with the symlink ``path`` in a theme, and the hint, if anything (see link_problems)."""
    problem = link_problem(path, root)
    if problem is not None:
        return problem, LINK_HINTS[problem]
    target = path.resolve()
    if target.relative_to(real_root).parts[:1] == (".git",):
        return "symlink points into .git", "link to files of the working tree only"
    if target.is_dir() and Path(os.path.realpath(path.parent)).is_relative_to(target):
        return (
            "symlink loop: it points to a folder that holds it",
            "link to the folder it should show, not one that holds it",
        )
    return None
