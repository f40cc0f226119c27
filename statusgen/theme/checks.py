"""A theme checked before anything is rendered: every problem, at its file and line, at once."""

from __future__ import annotations

import difflib
import stat
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2

from statusgen.errors import Problem
from statusgen.theme.environment import NOT_FOUND_HINT, SYNTAX_HINT, environment
from statusgen.theme.files import ThemeLoader, default_theme_dir, printable, static_name_problem, theme_dirs
from statusgen.theme.formatter import Formatter
from statusgen.theme.sandbox import Environment


def theme_problems(root: Path, name: str) -> list[Problem]:
    """What is wrong with the theme ``name`` of the repository at ``root``, all at once.

    Every template is read and parsed, so that syntax errors, text that is not UTF-8 and includes
    of templates that do not exist are reported before anything is rendered; every static file
    name must be able to be a URL. The packaged default theme is not checked: it is tested.
    """
    folder = root / "themes" / name
    if not folder.is_dir() or folder.resolve() == default_theme_dir().resolve():
        return []
    dirs = theme_dirs(root, name)
    env = environment(dirs, Formatter(ZoneInfo("UTC"), "en"))
    known = set(env.list_templates())
    problems: list[Problem] = []
    templates = folder / "templates"
    for rel in ThemeLoader(str(templates)).list_templates() if templates.is_dir() else ():
        shown = printable(f"themes/{name}/templates/{rel}")
        problems += _template_problems(env, templates / rel, rel, shown, known)
    static = folder / "static"
    for path in sorted(static.rglob("*")) if static.is_dir() else ():
        parts = path.relative_to(static).parts
        if not any(part.startswith(".") for part in parts) and path.is_file():
            problem = static_name_problem(f"themes/{name}/static", parts)
            if problem is not None:
                problems.append(problem)
    return problems


def _template_problems(env: Environment, path: Path, rel: str, shown: str, known: set[str]) -> list[Problem]:
    # Looked at before it is opened: reading a FIFO waits for a writer forever, a device never ends.
    if not stat.S_ISREG(path.stat().st_mode):
        return [
            Problem(
                shown,
                0,
                "a template must be a regular file, not a FIFO, socket or device",
                "replace it with a text file",
            )
        ]
    data = path.read_bytes()
    try:
        source = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return [
            Problem(shown, line, f"template is not UTF-8 text (byte 0x{data[exc.start]:02x})", "save the file as UTF-8")
        ]
    try:
        tree = env.parse(source, rel, str(path))
    except jinja2.TemplateSyntaxError as exc:
        return [Problem(shown, exc.lineno, f"template syntax error: {exc.message}", SYNTAX_HINT)]
    except (RecursionError, MemoryError):
        return [
            Problem(
                shown,
                0,
                "template is nested too deeply to be read",
                "split long expressions and deeply nested brackets into {% set %} steps",
            )
        ]
    found = []
    for node in tree.find_all(
        (jinja2.nodes.Include, jinja2.nodes.Import, jinja2.nodes.FromImport, jinja2.nodes.Extends)
    ):
        target = getattr(node, "template", None)
        if (
            isinstance(target, jinja2.nodes.Const)
            and isinstance(target.value, str)
            and target.value not in known
            and not getattr(node, "ignore_missing", False)
        ):
            found.append(
                Problem(
                    shown,
                    node.lineno,
                    f"template {target.value!r} not found",
                    _close_name(target.value, known) or NOT_FOUND_HINT,
                )
            )
    return found


def _close_name(name: str, known: set[str]) -> str | None:
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.8)
    return f"did you mean {close[0]!r}?" if close else None
