"""A template can crash, hang or fill the memory of the process that renders it in a single step
the sandbox cannot meter (C code): a build with a theme's own templates renders in limited worker
processes, and any of that ends the build with a clean error at the theme, nothing written."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import CONFIG, Repo, tree_digest
from statusgen.derive.state import SiteState
from statusgen.render import isolation
from statusgen.render.plan import plan as render_plan
from statusgen.render.units import Unit

EVIL = CONFIG.replace("  timezone:", "  theme: evil\n  timezone:")
WHERE = "error: themes/evil/templates: a template of the theme "
HINT = " (look for loops building deeply nested or very long values)"
NESTED = (
    "{% set ns = namespace(a=()) %}"
    + "{% for i in range(100000) %}{% set ns.a = (ns.a,) %}{% endfor %}" * 3
    + "{{ ns.a in {} }}"
)


def built_once(repo: Repo) -> dict[str, tuple[str, int]]:
    """Build with the default theme, then switch to ``evil``; the site as it was."""
    assert repo.build() == 0
    repo.config(EVIL)
    return tree_digest(repo.site)


def refused(
    repo: Repo, capsys: pytest.CaptureFixture[str], before: dict[str, tuple[str, int]], *extra: str
) -> list[str]:
    """The build exits 1 with one clean line, and site/ stays exactly as it was."""
    capsys.readouterr()
    assert repo.build("2025-11-10T12:00:00Z", *extra) == 1
    err = capsys.readouterr().err.splitlines()
    assert tree_digest(repo.site) == before
    assert "Traceback" not in "\n".join(err)
    return err


@pytest.fixture
def small_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Limits the tests reach in seconds: the workers are forked, so they see these too."""
    monkeypatch.setattr(isolation, "CHUNK_DEADLINE", 3.0)
    monkeypatch.setattr(isolation, "BUILD_DEADLINE", 6.0)


def test_a_template_that_crashes_the_renderer_is_a_clean_error(
    repo: Repo, capsys: pytest.CaptureFixture[str], small_limits: None
) -> None:
    before = built_once(repo)
    repo.write("themes/evil/templates/404.html", NESTED)
    err = refused(repo, capsys, before)
    assert err == [WHERE + "crashed the renderer, making 404.html" + HINT]
    repo.write("themes/evil/templates/404.html", "<p>lost</p>\n")
    assert repo.build() == 0
    assert repo.page("404.html") == "<p>lost</p>\n"


@pytest.mark.slow
def test_a_template_that_runs_for_hours_in_one_step_is_stopped_at_the_deadline(
    repo: Repo, capsys: pytest.CaptureFixture[str], small_limits: None
) -> None:
    before = built_once(repo)
    # Each `in` compares 10,000 texts of 8 MB that differ only at the end: one step, minutes long.
    repo.write(
        "themes/evil/templates/404.html",
        '{% set a = "a" * 8000000 %}{% set b = "a" * 7999999 ~ "b" %}{% set l = [b] * 10000 %}'
        "{% for i in range(30) %}{{ a in l }}{% endfor %}",
    )
    err = refused(repo, capsys, before)
    assert err == [WHERE + "took more than 3 s, making 404.html" + HINT]


def _vm_size() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmSize")


def _filling() -> bytes:
    return bytes(256 * 2**20)


def test_a_page_that_fills_the_worker_memory_is_a_clean_error(
    repo: Repo, capsys: pytest.CaptureFixture[str], small_limits: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from statusgen.commands import build as build_module

    before = built_once(repo)
    repo.write("themes/evil/templates/404.html", "<p>lost</p>\n")
    monkeypatch.setattr(isolation, "MEMORY_LIMIT", _vm_size() + 64 * 2**20)
    plan = render_plan
    monkeypatch.setattr(
        build_module,
        "plan",
        lambda root, state: [Unit(u.path, u.key, _filling) if u.path == "404.html" else u for u in plan(root, state)],
    )
    err = refused(repo, capsys, before)
    assert err == [WHERE + f"used more than {isolation.MEMORY_LIMIT // 2**20} MiB, making 404.html" + HINT]


def _killed(kill: signal.Signals) -> Callable[[], bytes]:
    def make() -> bytes:
        os.kill(os.getpid(), kill)
        return b"never"

    return make


@pytest.mark.parametrize("kill", [signal.SIGKILL, signal.SIGSEGV, signal.SIGXCPU])
def test_a_worker_killed_by_a_signal_is_a_clean_error(
    repo: Repo,
    capsys: pytest.CaptureFixture[str],
    small_limits: None,
    monkeypatch: pytest.MonkeyPatch,
    kill: signal.Signals,
) -> None:
    from statusgen.commands import build as build_module

    before = built_once(repo)
    repo.write("themes/evil/templates/404.html", "<p>lost</p>\n")
    plan = render_plan

    def killing_plan(root: Path, state: SiteState) -> list[Unit]:
        return [Unit(u.path, u.key, _killed(kill)) if u.path == "history/index.html" else u for u in plan(root, state)]

    monkeypatch.setattr(build_module, "plan", killing_plan)
    err = refused(repo, capsys, before)
    assert err == [WHERE + "crashed the renderer, making history/index.html" + HINT]
    monkeypatch.setattr(build_module, "plan", plan)
    assert repo.build() == 0
    assert repo.page("404.html") == "<p>lost</p>\n"


def test_the_default_theme_renders_in_process(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_workers(*args: object, **kwargs: object) -> None:
        raise AssertionError("the default theme started workers")

    monkeypatch.setattr(isolation, "make_isolated", no_workers)
    assert repo.build() == 0


# Each makes a text far over the limits in one call the sandbox used to let through.
ONE_CALL = {
    "markup center": '{{ ("x"|safe).center(1900000000) }}',
    "markup ljust": '{{ ("x"|safe).ljust(1900000000) }}',
    "markup replace": '{{ (("x" * 1000)|safe).replace("x", "y" * 100000) }}',
    "join of an iterator": '{{ ("a" * 8000000).join(range(200)|map("string")) }}',
    "join filter of an iterator": '{{ range(200)|map("string")|join("a" * 8000000) }}',
    "wordwrap quadratic": '{{ ("a" * 800000)|wordwrap(1)|length }}',
    "wordwrap long": '{{ ("a " * 60000)|wordwrap(79)|length }}',
}


@pytest.mark.parametrize("template", ONE_CALL.values(), ids=ONE_CALL.keys())
def test_one_call_that_would_make_too_much_is_refused_at_its_line(
    repo: Repo, capsys: pytest.CaptureFixture[str], small_limits: None, template: str
) -> None:
    before = built_once(repo)
    repo.write("themes/evil/templates/404.html", f"<p>\n{template}\n")
    err = refused(repo, capsys, before)
    assert err[0].startswith("themes/evil/templates/404.html:2: "), err
    assert err[0].endswith(", making 404.html" + err[0][err[0].rindex(" (") :]), err
    assert err[1:] == ["1 error(s); nothing was written"]


@pytest.mark.parametrize(
    "source",
    [
        "{{ " + "(" * 300 + "1" + ")" * 300 + " }}",
        "{{ " + " + ".join(["1"] * 30000) + " }}",
        "{% if x %}" * 3000 + "{% endif %}" * 3000,
    ],
    ids=["brackets", "sum", "ifs"],
)
@pytest.mark.slow
@pytest.mark.parametrize("command", ["build", "check"])
def test_a_template_nested_too_deeply_to_parse_is_a_clean_error(
    repo: Repo, capsys: pytest.CaptureFixture[str], source: str, command: str
) -> None:
    before = built_once(repo)
    repo.write("themes/evil/templates/404.html", source)
    capsys.readouterr()
    assert (repo.build() if command == "build" else repo.run(command)) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "themes/evil/templates/404.html: template is nested too deeply to be read (split long " in err, err
    assert tree_digest(repo.site) == before


@pytest.mark.parametrize("command", ["build", "check"])
def test_a_fifo_among_the_templates_is_refused_without_opening_it(
    repo: Repo, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    before = built_once(repo)
    repo.write("themes/evil/templates/404.html", "<p>fine</p>\n")
    os.mkfifo(repo.root / "themes/evil/templates/page.html")
    capsys.readouterr()
    assert (repo.build() if command == "build" else repo.run(command)) == 1
    err = capsys.readouterr().err
    assert (
        "themes/evil/templates/page.html: a template must be a regular file, not a FIFO, socket or device "
        "(replace it with a text file)" in err
    ), err
    assert tree_digest(repo.site) == before
