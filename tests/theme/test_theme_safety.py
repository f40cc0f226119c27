"""Themes come by pull request: a template may format what the pages hand it, and nothing more.

Every way out of the sandbox, every error a theme can make and every way to make a page grow
without end is refused at the template's file and line, with nothing written.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from jinja2 import FileSystemLoader

from conftest import CONFIG, DEMO_FOLDERS, INCIDENT, PROJECT, Repo, copy_demo, tree_digest
from hostile_cases import OUTPUT_BOMB, OUTPUT_BOMB_ERROR
from statusgen.commands.build import build
from statusgen.render import isolation
from statusgen.theme import environment, files, sandbox
from statusgen.theme.formatter import Formatter

EVIL = CONFIG.replace("  timezone:", "  theme: evil\n  timezone:")


def built_once(repo: Repo) -> dict[str, tuple[str, int]]:
    """Build with the default theme, then switch to ``evil``; the site as it was."""
    assert repo.build() == 0
    repo.config(EVIL)
    return tree_digest(repo.site)


def refused(
    repo: Repo, capsys: pytest.CaptureFixture[str], before: dict[str, tuple[str, int]], *, command: str = "build"
) -> list[str]:
    """The build exits 1, leaves site/ exactly as it was, and prints only ``path:line:`` problems."""
    capsys.readouterr()
    assert (repo.build() if command == "build" else repo.run(command)) == 1
    err = capsys.readouterr().err.splitlines()
    assert tree_digest(repo.site) == before
    assert not (repo.root / "pwned").exists()
    assert "Traceback" not in "\n".join(err)
    return err


# Each one reaches for Python's internals, the process, the files or the build's own state.
ESCAPES = {
    "function globals": "{{ cycler.__init__.__globals__.os.popen('touch pwned').read() }}",
    "joiner globals": "{{ joiner.__init__.__globals__['os'].system('touch pwned') }}",
    "namespace globals": "{{ namespace.__init__.__globals__ }}",
    "class mro subclasses": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "subclasses by getitem": "{{ ''['__class__']['__mro__'] }}",
    "self's context": "{{ self._TemplateReference__context.environment }}",
    "self's init": "{{ self.__init__.__globals__ }}",
    "str.format field": '{{ "{0.__class__.__mro__}".format(site) }}',
    "str.format_map field": '{{ "{x.__class__}".format_map({"x": site}) }}',
    "markup format field": '{{ ("<b>{0.__class__}</b>"|safe).format(site) }}',
    "attr filter": '{{ site|attr("__class__") }}',
    "map attribute": '{{ [site]|map(attribute="__class__")|list }}',
    "formatter zone": "{{ fmt._zone }}",
    "formatter locale": "{{ fmt._locale.parse }}",
    "bound method self": "{{ due.__self__ }}",
    "zone database": "{{ site.zone.no_cache('UTC') }}",
    "dict changed": "{{ state.status_of.update({'x': 'resolved'}) }}",
    "list changed": "{{ groups.append(1) }}",
    "components changed": "{{ state.incidents[0].components.clear() }}",
    "str translate": "{{ 'x'.translate({120: 'y'}) }}",
    "str expandtabs": "{{ 'x'.expandtabs(10) }}",
}
UNDEFINED = {
    "lipsum": "{{ lipsum.__globals__ }}",
    "flask config": "{{ config.__class__.__init__.__globals__ }}",
    "request": "{{ request.application.__globals__ }}",
}


@pytest.mark.parametrize("template", ESCAPES.values(), ids=ESCAPES.keys())
def test_templates_cannot_reach_python_files_or_state(
    repo: Repo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, template: str
) -> None:
    monkeypatch.chdir(repo.root)  # where a command run by the template would leave its mark
    before = built_once(repo)
    repo.write("themes/evil/templates/404.html", f"{{# a theme from a pull request #}}\n{template}\n")
    err = refused(repo, capsys, before)
    assert err[0].startswith("themes/evil/templates/404.html:2: not allowed in a theme: "), err
    assert err[0].endswith(
        ", making 404.html (templates format what the pages hand them; they cannot "
        "reach Python's internals, files or the environment)"
    ), err
    assert err[1:] == ["1 error(s); nothing was written"]


@pytest.mark.parametrize("template", UNDEFINED.values(), ids=UNDEFINED.keys())
def test_names_a_template_could_escape_through_are_not_there(
    repo: Repo, capsys: pytest.CaptureFixture[str], template: str
) -> None:
    before = built_once(repo)
    repo.write("themes/evil/templates/404.html", template)
    err = refused(repo, capsys, before)
    name = template.split()[1].split(".")[0]
    assert err == [
        f"themes/evil/templates/404.html:1: undefined in the template: '{name}' is undefined, "
        "making 404.html (check the spelling: the pages hand templates what the default theme's "
        "templates use)",
        "1 error(s); nothing was written",
    ]


def test_the_sandbox_still_renders_what_themes_do(repo: Repo) -> None:
    repo.config(EVIL)
    repo.write(
        "themes/evil/templates/404.html",
        """\
        {%- set ns = namespace(n=0) -%}
        {%- for i in range(3) %}{% set ns.n = ns.n + i %}{% endfor -%}
        {{ site.title|upper }}|{{ "{}-{}".format(site.language, ns.n) }}|{{ "%05.1f"|format(2.5) }}
        |{{ site.title.replace("Example", "Acme") }}|{{ site.zone.key }}|{{ state.incidents|length }}
        |{{ fmt.month(state.now.date()) }}|{{ [3, 1, 2]|sort|join(",") }}|{{ "a" ~ 1 ~ "b" }}|{{ 2 ** 10 }}
        |{{ cycler("x", "y").next() }}{{ "<b>" }}|{{ state.incidents[0].started|time("date") }}
        """,
    )
    assert repo.build() == 0
    assert repo.page("404.html") == (
        "EXAMPLE STATUS|en-3|002.5\n|Acme Status|Europe/Rome|1\n|November 2025|"
        '1,2,3|a1b|1024\n|x&lt;b&gt;|<time datetime="2025-11-03T15:05:00+01:00">'
        "Nov 3, 2025</time>\n"
    )


# Each one would fill the memory or run for hours, and is refused at its line.
TOO_MUCH = {
    "output of a loop": (
        "{% for i in range(100000) %}{% for j in range(100000) %}xxxxxxxxxxxxxxxx{% endfor %}{% endfor %}",
        "the template's output is over 8 MiB",
    ),
    "empty nested loops": (
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        "the template took more than 1,000,000 steps",
    ),
    "loops over the data": (
        "{% for a in state.incidents * 1000 %}{% for b in range(100000) %}{{ b }}{% endfor %}{% endfor %}",
        "the template",
    ),
    "doubling macro": (
        "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% else %}xxxxxxxx{% endif %}{% endmacro %}{{ f(40) }}",
        "the template",
    ),
    "doubling namespace": (
        "{% set ns = namespace(s='xxxxxxxx') %}{% for i in range(100) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
        "the template made a text of more than 8 MiB",
    ),
    "doubling by addition": (
        "{% set ns = namespace(s='xxxxxxxx') %}{% for i in range(100) %}{% set ns.s = ns.s + ns.s %}{% endfor %}",
        "this addition would make a text",
    ),
    "block set in a loop": (
        "{% set x %}{% for i in range(100000) %}{{ state }}{% endfor %}{% endset %}",
        "the template made more than 64 MiB of text for one file",
    ),
    "constant text in a buffer": (
        "{% macro m() %}{% for i in range(100000) %}" + "x" * 1000 + "{% endfor %}{% endmacro %}{% set y = m() %}",
        "the template made more than 64 MiB of text for one file",
    ),
    "string times": ("{{ 'x' * 10**9 }}", "this multiplication would make a text of more than 8 MiB"),
    "list times": ("{{ ([1] * 10**9)|length }}", "this multiplication would make a text of more than 8 MiB"),
    "huge power": ("{{ 10**10**10 }}", "the template computed a number of more than 256 bits"),
    "repeated squaring": (
        "{% set ns = namespace(n=3) %}{% for i in range(40) %}{% set ns.n = ns.n * ns.n %}{% endfor %}",
        "the template computed a number of more than 256 bits",
    ),
    "center": ("{{ 'x'.center(10**9) }}", "this center() would make a text"),
    "center filter": ("{{ 'x'|center(10**9) }}", "this center would make a text"),
    "percent width": ("{{ '%999999999s' % 'x' }}", "a format width or precision would make a text"),
    "percent star": ("{{ '%*s' % (999999999, 'x') }}", "a format width would make a text"),
    "format filter": ("{{ '%999999999d'|format(1) }}", "a format width or precision would make a text"),
    "str.format width": ("{{ '{:>999999999}'.format(1) }}", "a format width or precision would make a text"),
    "str.format nested width": ("{{ '{:{}}'.format(1, 999999999) }}", "a format width or precision would make a text"),
    "replace": ("{{ ('x' * 1000000).replace('x', 'yyyyyyyyyy') }}", "this replace() would make a text"),
    "replace filter": ("{{ ('x' * 1000000)|replace('x', 'yyyyyyyyyy') }}", "this replace() would make a text"),
    "indent": ("{{ ('\\n' * 1000000)|indent(100) }}", "this indent would make a text"),
    "join": ("{{ range(100000)|join('x' * 1000) }}", "this join would make a text"),
    "ranges listed": (
        "{% for i in range(100000) %}{{ range(100000)|list|length }}{% endfor %}",
        "the template took more than 1,000,000 steps",
    ),
    "map": (
        "{% for i in range(100000) %}{{ range(100000)|map('string')|list|length }}{% endfor %}",
        "the template took more than 1,000,000 steps",
    ),
    "range": ("{{ range(10**10)|length }}", "Range too big"),
}


@pytest.mark.slow
@pytest.mark.parametrize(("template", "message"), TOO_MUCH.values(), ids=TOO_MUCH.keys())
def test_templates_that_grow_without_end_are_refused_at_their_line(
    repo: Repo, capsys: pytest.CaptureFixture[str], template: str, message: str
) -> None:
    before = built_once(repo)
    repo.write("themes/evil/templates/404.html", "{# above #}\n\n" + template + "\n")
    err = refused(repo, capsys, before)
    assert err[0].startswith("themes/evil/templates/404.html:3: "), err
    assert message in err[0] and ", making 404.html (" in err[0], err
    assert err[1:] == ["1 error(s); nothing was written"]


def test_an_output_bomb_is_stopped_at_the_limit_of_text_made(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Some 10 TB of output if it ran to the end. Every text the template makes is counted as it is
    made: the render stops once that passes its limit, whatever the page gathered so far (what
    that costs in memory: bench/hostile.py)."""
    repo = Repo(tmp_path / "status")
    repo.config(EVIL)
    repo.incident("2025-11-03-api-errors.md")
    repo.write("themes/evil/templates/404.html", OUTPUT_BOMB)
    made, gathered = [0], [0]
    check = sandbox.Meter.check

    def checking(self: sandbox.Meter) -> None:
        made[0] = self.produced
        check(self)

    def gathering(stream: Iterator[str], count: int) -> Iterator[str]:
        for piece in islice(stream, count):
            gathered[0] += len(piece)
            yield piece

    monkeypatch.setattr(sandbox.Meter, "check", checking)
    monkeypatch.setattr(environment, "islice", gathering)
    monkeypatch.setattr(isolation, "fork_available", lambda: False)  # counted here, not in a worker
    assert repo.build() == 1
    assert capsys.readouterr().err.splitlines() == [OUTPUT_BOMB_ERROR, "1 error(s); nothing was written"]
    assert not repo.site.exists()
    # Counted as made, texts of at most 13 characters ('xxxxxxxx' and a number under 100000): it
    # stops within one of them past the limit, with less than the output limit gathered.
    assert sandbox.MAX_PRODUCED < made[0] <= sandbox.MAX_PRODUCED + 13
    assert 0 < gathered[0] <= sandbox.MAX_OUTPUT


def theme_repo(repo: Repo, files: Mapping[str, str | bytes]) -> None:
    repo.config(CONFIG.replace("  timezone:", "  theme: own\n  timezone:"))
    for name, text in files.items():
        path = repo.root / "themes/own" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else text.encode())


@pytest.mark.parametrize("command", ["build", "check"])
def test_every_broken_template_is_reported_at_once_before_rendering(
    repo: Repo, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    assert repo.build() == 0
    before = tree_digest(repo.site)
    theme_repo(
        repo,
        {
            "templates/404.html": "{% extends 'base.html' %}\n{% block main %}\n{% if x %}\n{% endblock %}\n",
            "templates/index.html": "{% extends 'base.html' %}\n{% block main %}{{ 1 + }}{% endblock %}\n",
            "templates/parts/latin1.html": "line one\ncaf\xe9\n".encode("latin-1"),
            "templates/incident.html": "{% extends 'base.html' %}\n\n{% block main %}{% include 'nosuch.html' %}"
            "{% endblock %}\n",
            "templates/history.html": "{% extends 'bse.html' %}\n",
            "templates/component.html": "{% import '_macro.html' as ui %}{% include 'gone.html' ignore missing %}\n",
            "templates/.git/hooks/broken.html": "{% if %}",  # never read: not part of the theme
        },
    )
    err = refused(repo, capsys, before, command=command)
    assert err == [
        "themes/own/templates/404.html:4: template syntax error: Encountered unknown tag 'endblock'. You probably "
        "made a nesting mistake. Jinja is expecting this tag, but currently looking for 'elif' or 'else' or "
        "'endif'. The innermost block that needs to be closed is 'if'. (templates are Jinja2: see https://jinja.palletsprojects.com/templates/)",
        "themes/own/templates/component.html:1: template '_macro.html' not found (did you mean '_macros.html'?)",
        "themes/own/templates/history.html:1: template 'bse.html' not found (did you mean 'base.html'?)",
        "themes/own/templates/incident.html:3: template 'nosuch.html' not found (templates are looked up in "
        "the theme's templates/ folder, then in the default theme)",
        "themes/own/templates/index.html:2: template syntax error: unexpected 'end of print "
        "statement' (templates are Jinja2: see https://jinja.palletsprojects.com/templates/)",
        "themes/own/templates/parts/latin1.html:2: template is not UTF-8 text (byte 0xe9) (save the file as UTF-8)",
        "6 error(s); nothing was written",
    ]


RUNTIME = {
    "undefined": (
        "{{ incident.nosuch }}",
        "undefined in the template: 'statusgen.load.incidents.Incident object' has no attribute 'nosuch'",
    ),
    "self-recursion": ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "the template calls itself without end"),
    "block recursion": ("{{ self.main() }}", "the template calls itself without end"),
    "missing include by name": (
        "{% include incident.id ~ '.html' %}",
        "template '2025-11-03-api-errors.html' not found",
    ),
    "division": (
        "{{ 1 // (incident.updates|length - 2) }}",
        "the template failed: ZeroDivisionError: integer division or modulo by zero",
    ),
    "unsafe": (
        "{{ incident.__class__ }}",
        "not allowed in a theme: access to attribute '__class__' of 'Incident' object is unsafe",
    ),
}


@pytest.mark.parametrize(("expression", "message"), RUNTIME.values(), ids=RUNTIME.keys())
def test_errors_while_rendering_name_the_template_line(
    repo: Repo, capsys: pytest.CaptureFixture[str], expression: str, message: str
) -> None:
    assert repo.build() == 0
    before = tree_digest(repo.site)
    template = (PROJECT / "themes/default/templates/incident.html").read_text()
    lines = template.splitlines()
    at = next(n for n, line in enumerate(lines) if "{% block main %}" in line) + 1
    lines.insert(at, expression)
    theme_repo(repo, {"templates/incident.html": "\n".join(lines) + "\n"})
    err = refused(repo, capsys, before)
    assert err[0].startswith(
        f"themes/own/templates/incident.html:{at + 1}: {message}, making incidents/2025-11-03-api-errors/index.html ("
    ), err
    assert err[1:] == ["1 error(s); nothing was written"]


def test_an_error_in_an_included_default_template_names_that_template(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    """An override the default templates call into is reported where the default calls it."""
    assert repo.build() == 0
    before = tree_digest(repo.site)
    theme_repo(repo, {"templates/_macros.html": "{% macro icon(name) %}{{ name }}{% endmacro %}\n"})
    err = refused(repo, capsys, before)
    prefix = "themes/default/templates/index.html:"
    assert err[0].startswith(prefix), err
    line, message = err[0][len(prefix) :].split(": ", 1)
    assert message.startswith(
        "undefined in the template: 'jinja2.environment.TemplateModule object' has no "
        "attribute 'component_status', making index.html"
    ), err
    index = (PROJECT / "themes/default/templates/index.html").read_text().splitlines()
    assert "ui.component_status(" in index[int(line) - 1]


def many_incidents(repo: Repo, count: int) -> None:
    for n in range(count):
        repo.incident(
            f"2025-10-{1 + n % 28:02d}-i{n:03d}.md",
            INCIDENT.replace("2025-11-03T", f"2025-10-{1 + n % 28:02d}T").replace(
                "14:05:00Z", f"10:{n % 60:02d}:{n % 59:02d}Z"
            ),
        )


@pytest.mark.slow
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_error_midway_leaves_the_site_as_it_was_and_the_next_build_succeeds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], jobs: str
) -> None:
    """Pages are made one by one as the spare folder is laid out, on forked workers with --jobs: an
    error in the 200th page leaves a half-made spare folder, never a changed site/."""
    repo = Repo(tmp_path / "status")
    repo.config()
    many_incidents(repo, 320)
    assert repo.build("2025-11-10T12:00:00Z", "--no-cache") == 0
    before = tree_digest(repo.site)
    broken = "2025-10-05-i200"
    template = (PROJECT / "themes/default/templates/incident.html").read_text()
    theme_repo(
        repo,
        {
            "templates/incident.html": f"{{% if incident.id == '{broken}' %}}{{{{ incident.nosuch }}}}{{% endif %}}\n"
            + template
        },
    )
    err = refused(repo, capsys, before, command="build") if jobs == "1" else None
    if err is None:
        capsys.readouterr()
        assert repo.build("2025-11-10T12:00:00Z", "--jobs", jobs) == 1
        err = capsys.readouterr().err.splitlines()
        assert tree_digest(repo.site) == before
    assert err == [
        f"themes/own/templates/incident.html:1: undefined in the template: "
        "'statusgen.load.incidents.Incident "
        f"object' has no attribute 'nosuch', making incidents/{broken}/index.html (check the spelling: "
        "the pages hand templates what the default theme's templates use)",
        "1 error(s); nothing was written",
    ]
    assert not (repo.root / ".site.previous").exists()  # what the failed build laid out is removed
    theme_repo(repo, {"templates/incident.html": "{# fixed #}\n" + template})
    assert repo.build("2025-11-10T12:00:00Z", "--jobs", jobs) == 0
    fresh = tmp_path / "fresh"
    assert repo.build("2025-11-10T12:00:00Z", "--no-cache", "--out", str(fresh)) == 0
    assert {k: v[0] for k, v in tree_digest(repo.site).items()} == {k: v[0] for k, v in tree_digest(fresh).items()}


def test_theme_static_files_in_dot_folders_are_not_published(repo: Repo) -> None:
    theme_repo(
        repo,
        {
            "static/.env": "SECRET=1",
            "static/.git/config": "[remote]",
            "static/a/.hidden/x": "x",
            "static/a/.b.css": "b",
            "static/a/ok.txt": "ok",
            "templates/.git/HEAD": "ref",
            "static/.well-known/security.txt": "x",
        },
    )
    assert repo.build() == 0
    published = sorted(p.relative_to(repo.site / "static").as_posix() for p in (repo.site / "static").rglob("*"))
    assert published == ["a", "a/ok.txt", "favicon.svg", "style.css"]


def test_templates_in_dot_folders_cannot_be_included(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    assert repo.build() == 0
    before = tree_digest(repo.site)
    theme_repo(
        repo,
        {
            "templates/.git/config": "[remote] token",
            "templates/404.html": "{% set name = '.git/config' %}{% include name %}",
        },
    )
    err = refused(repo, capsys, before)
    assert err[0].startswith("themes/own/templates/404.html:1: template '.git/config' not found, making 404.html")


BAD_NAMES = {
    "my logo.svg": "file name holds a space",
    "a#b.css": "file name holds '#', which cannot be part of a URL",
    "q?.txt": "file name holds '?', which cannot be part of a URL",
    "100%.txt": "file name holds '%', which cannot be part of a URL",
    "back\\slash.txt": "file name holds '\\\\', which cannot be part of a URL",
    "bell\x07.txt": "file name holds the character U+0007",
    "tab\t.txt": "file name holds the character U+0009",
}


def test_static_names_that_cannot_be_urls_are_reported_at_once(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    assert repo.build() == 0
    before = tree_digest(repo.site)
    theme_repo(
        repo, {f"static/{name}": "x" for name in BAD_NAMES} | {"static/fine-é.txt": "x", "static/sub dir/x.css": "x"}
    )
    (repo.root / "themes/own/static").joinpath(os.fsdecode(b"caf\xe9.txt")).write_text("x")
    err = refused(repo, capsys, before)
    hint = "(rename it with letters, digits, '-', '_' and '.')"
    shown = {"bell\x07.txt": "bell\\x07.txt", "tab\t.txt": "tab\\t.txt"}
    expected = [f"themes/own/static/{shown.get(name, name)}: {message} {hint}" for name, message in BAD_NAMES.items()]
    expected += [
        f"themes/own/static/caf\\xe9.txt: file name is not UTF-8 {hint}",
        f"themes/own/static/sub dir/x.css: folder name holds a space {hint}",
    ]
    assert err == sorted(expected) + [f"{len(expected)} error(s); nothing was written"]


# A theme that overrides one partial, each of the three ways the default's templates reach one.
PARTIALS = {"included": "_icons.html", "imported": "_macros.html", "extended": "base.html"}


@pytest.mark.parametrize("partial", PARTIALS.values(), ids=PARTIALS.keys())
def test_a_theme_overriding_only_a_partial_renders_in_the_sandbox(
    repo: Repo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, partial: str
) -> None:
    """The default's pages call into the override: they render in the sandbox with it."""
    monkeypatch.chdir(repo.root)
    assert repo.build() == 0
    before = tree_digest(repo.site)
    theme_repo(repo, {f"templates/{partial}": "{# a theme from a pull request #}\n" + ESCAPES["function globals"]})
    err = refused(repo, capsys, before)
    assert err[0].startswith(f"themes/own/templates/{partial}:2: not allowed in a theme: "), err
    assert err[1:] == ["1 error(s); nothing was written"]


def test_only_the_packaged_templates_alone_render_outside_the_sandbox(tmp_path: Path) -> None:
    formatter = Formatter(ZoneInfo("UTC"), "en")
    packaged = environment.environment(files.theme_dirs(tmp_path, "default"), formatter)
    assert type(packaged) is sandbox.PackagedEnvironment
    # Its loader reads the packaged folder and nothing else.
    assert isinstance(packaged.loader, FileSystemLoader)
    assert packaged.loader.searchpath == [str(files.default_theme_dir() / "templates")]
    (tmp_path / "themes/own/static").mkdir(parents=True)  # a theme of static files only
    assert type(environment.environment(files.theme_dirs(tmp_path, "own"), formatter)) is sandbox.PackagedEnvironment
    (tmp_path / "themes/own/templates/parts").mkdir(parents=True)  # a folder for templates is a theme's
    assert type(environment.environment(files.theme_dirs(tmp_path, "own"), formatter)) is sandbox.ThemeEnvironment
    (tmp_path / "themes/default/templates").mkdir(parents=True)  # the repository's own "default" theme
    (tmp_path / "themes/default/templates/_icons.html").write_text("")
    assert type(environment.environment(files.theme_dirs(tmp_path, "default"), formatter)) is sandbox.ThemeEnvironment


def test_the_packaged_templates_render_the_same_in_the_sandbox(tmp_path: Path) -> None:
    """The default theme with one template copied unchanged, so every page renders in the sandbox:
    the same site, byte for byte."""
    now = datetime(2026, 11, 23, 10, tzinfo=UTC)
    build(copy_demo(tmp_path / "demo").root, tmp_path / "packaged", now, use_cache=False)
    build(copied_default_theme(tmp_path / "status"), tmp_path / "sandboxed", now, use_cache=False)
    packaged, sandboxed = (
        {k: v[0] for k, v in tree_digest(tmp_path / name).items()} for name in ("packaged", "sandboxed")
    )
    assert len(packaged) == 216  # the demo's site in two languages: every page, feed, badge, API and static file
    assert sandboxed == packaged


def copied_default_theme(root: Path) -> Path:
    """The demo repository with a theme ``copy`` that overrides ``_icons.html`` with its own copy."""
    root.mkdir()
    config = (PROJECT / "statusgen.yaml").read_text()
    assert "\n  theme: default\n" in config
    (root / "statusgen.yaml").write_text(config.replace("\n  theme: default\n", "\n  theme: copy\n", 1))
    for folder in DEMO_FOLDERS:
        shutil.copytree(PROJECT / folder, root / folder)
    (root / "themes/copy/templates").mkdir(parents=True)
    shutil.copy(files.default_theme_dir() / "templates/_icons.html", root / "themes/copy/templates")
    return root


def test_the_default_theme_uses_a_small_part_of_every_limit(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Measured in the sandbox, as the default's templates render with any theme's templates."""
    peaks = {"steps": 0, "produced": 0}
    end_file = sandbox.Meter.end_file

    def record(meter: sandbox.Meter) -> None:
        peaks["steps"] = max(peaks["steps"], meter.steps)
        peaks["produced"] = max(peaks["produced"], meter.produced)
        end_file(meter)

    monkeypatch.setattr(sandbox.Meter, "end_file", record)
    # Rendered in this process, so that the meters are read here rather than in a worker's.
    monkeypatch.setattr(isolation, "fork_available", lambda: False)
    build(
        copied_default_theme(tmp_path / "status"),
        tmp_path / "demo",
        datetime(2026, 11, 23, 10, tzinfo=UTC),
        use_cache=False,
    )
    assert 1000 < peaks["steps"] < sandbox.MAX_STEPS // 100
    assert 10_000 < peaks["produced"] < sandbox.MAX_PRODUCED // 50
    assert peaks["steps"] < sandbox.BUILD_STEPS
