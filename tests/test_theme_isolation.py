"""A template can crash, hang or fill the memory of the process that renders it in a single step
the sandbox cannot meter (C code): a build with a theme's own templates renders in limited worker
processes, and any of that ends the build with a clean error at the theme, nothing written."""

from __future__ import annotations

import os
import signal

import pytest

from conftest import CONFIG, Repo, tree_digest
from statusgen import isolation, writer

EVIL = CONFIG.replace("  timezone:", "  theme: evil\n  timezone:")
WHERE = "error: themes/evil/templates: a template of the theme "
HINT = " (look for loops building deeply nested or very long values)"
NESTED = ("{% set ns = namespace(a=()) %}"
          + "{% for i in range(100000) %}{% set ns.a = (ns.a,) %}{% endfor %}" * 3
          + "{{ ns.a in {} }}")


def built_once(repo: Repo) -> dict[str, tuple[str, int]]:
    """Build with the default theme, then switch to ``evil``; the site as it was."""
    assert repo.build() == 0
    repo.config(EVIL)
    return tree_digest(repo.site)


def refused(repo: Repo, capsys, before: dict[str, tuple[str, int]], *extra: str) -> list[str]:
    """The build exits 1 with one clean line, and site/ stays exactly as it was."""
    capsys.readouterr()
    assert repo.build("2025-11-10T12:00:00Z", *extra) == 1
    err = capsys.readouterr().err.splitlines()
    assert tree_digest(repo.site) == before
    assert "Traceback" not in "\n".join(err)
    return err


@pytest.fixture
def small_limits(monkeypatch):
    """Limits the tests reach in seconds: the workers are forked, so they see these too."""
    monkeypatch.setattr(isolation, "CHUNK_DEADLINE", 3.0)
    monkeypatch.setattr(isolation, "BUILD_DEADLINE", 6.0)


def test_a_template_that_crashes_the_renderer_is_a_clean_error(repo: Repo, capsys, small_limits):
    before = built_once(repo)
    repo.write("themes/evil/templates/404.html", NESTED)
    err = refused(repo, capsys, before)
    assert err == [WHERE + "crashed the renderer, making 404.html" + HINT]
    repo.write("themes/evil/templates/404.html", "<p>lost</p>\n")
    assert repo.build() == 0
    assert repo.page("404.html") == "<p>lost</p>\n"


def test_a_template_that_runs_for_hours_in_one_step_is_stopped_at_the_deadline(repo: Repo, capsys, small_limits):
    before = built_once(repo)
    # Each `in` compares 10,000 texts of 8 MB that differ only at the end: one step, minutes long.
    repo.write("themes/evil/templates/404.html",
               '{% set a = "a" * 8000000 %}{% set b = "a" * 7999999 ~ "b" %}{% set l = [b] * 10000 %}'
               "{% for i in range(30) %}{{ a in l }}{% endfor %}")
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


def test_a_page_that_fills_the_worker_memory_is_a_clean_error(repo: Repo, capsys, small_limits, monkeypatch):
    from statusgen import build as build_module

    before = built_once(repo)
    repo.write("themes/evil/templates/404.html", "<p>lost</p>\n")
    monkeypatch.setattr(isolation, "MEMORY_LIMIT", _vm_size() + 64 * 2**20)
    plan = build_module.plan
    monkeypatch.setattr(build_module, "plan", lambda root, state: [
        writer.Unit(u.path, u.key, _filling) if u.path == "404.html" else u for u in plan(root, state)])
    err = refused(repo, capsys, before)
    assert err == [WHERE + f"used more than {isolation.MEMORY_LIMIT // 2**20} MiB, making 404.html" + HINT]


def _killed(kill: signal.Signals):
    def make() -> bytes:
        os.kill(os.getpid(), kill)
        return b"never"
    return make


@pytest.mark.parametrize("kill", [signal.SIGKILL, signal.SIGSEGV, signal.SIGXCPU])
def test_a_worker_killed_by_a_signal_is_a_clean_error(repo: Repo, capsys, small_limits, monkeypatch, kill):
    from statusgen import build as build_module

    before = built_once(repo)
    repo.write("themes/evil/templates/404.html", "<p>lost</p>\n")
    plan = build_module.plan

    def killing_plan(root, state):
        return [writer.Unit(u.path, u.key, _killed(kill)) if u.path == "history/index.html" else u
                for u in plan(root, state)]

    monkeypatch.setattr(build_module, "plan", killing_plan)
    err = refused(repo, capsys, before)
    assert err == [WHERE + "crashed the renderer, making history/index.html" + HINT]
    monkeypatch.setattr(build_module, "plan", plan)
    assert repo.build() == 0
    assert repo.page("404.html") == "<p>lost</p>\n"


def test_the_default_theme_renders_in_process(repo: Repo, monkeypatch):
    def no_workers(*args, **kwargs):
        raise AssertionError("the default theme started workers")

    monkeypatch.setattr(isolation, "make_isolated", no_workers)
    assert repo.build() == 0
