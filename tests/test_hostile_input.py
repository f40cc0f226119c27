"""Hostile input: huge, explosive, deeply nested or linked files, and names that would leave site/.

Each is refused at ``path:line`` and nothing is written. That a refusal is cheap is proven by what
the build never does with the hostile file: read more than its size limit, hand it to the C YAML
parser (which recurses without a bound), or hand it to the markdown converter (which takes time by
the square of some shapes of text). How long each refusal takes, and in how much memory, is
measured by bench/hostile.py.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import markdown
import pytest

from conftest import CONFIG, INCIDENT, PROJECT, Repo, tree_digest
from hostile_cases import CASES, FORMER_SHAPE_FILES, LONG_PLAIN, LONG_PLAIN_FILES, NOW, front
from statusgen import inputs
from statusgen.errors import StatusgenError, printable
from statusgen.load import yamltext
from statusgen.output import writer
from statusgen.render import isolation

SYMLINK_OUT = "symlink points outside the repository"
HOLDER_LOOP = (
    "symlink loop: it points to a folder that holds it (link to the folder it should show, not one that holds it)"
)
# Longer than any text of the scratch repository's own files: a text this long given to the C
# YAML parser can only be a hostile file's.
LONGEST_ORDINARY = 4096


@dataclass
class Watched:
    """What a build did with its inputs: each file read, and each text the C YAML parser was given."""

    read: list[str] = field(default_factory=list)
    c_parsed: list[int] = field(default_factory=list)  # lengths


class Forbidden(AssertionError):
    """The build did with a hostile text what it must never do."""


def watch(monkeypatch: pytest.MonkeyPatch, longest_c_text: int | None = LONGEST_ORDINARY) -> Watched:
    """From now on, record what the build reads and parses; the markdown converter raises if it is
    called at all (in forked render workers too: the build then fails), and so does the C YAML
    parser if given a text longer than ``longest_c_text``."""
    seen = Watched()
    read_regular = inputs._read_regular

    def reading(path: Path, rel: str) -> bytes:
        seen.read.append(rel)
        return read_regular(path, rel)

    c_loader = yamltext._Loader

    def c_parsing(text: str) -> object:
        seen.c_parsed.append(len(text))
        if longest_c_text is not None and len(text) > longest_c_text:  # never let it recurse in C: a crash
            raise Forbidden(f"the C YAML parser was given a text of {len(text):,} characters")
        return c_loader(text)

    def converting(self: markdown.Markdown, text: str) -> str:
        raise Forbidden(f"the markdown converter was given {text[:40]!r}")

    monkeypatch.setattr(inputs, "_read_regular", reading)
    monkeypatch.setattr(yamltext, "_Loader", c_parsing)
    monkeypatch.setattr(markdown.Markdown, "convert", converting)
    return seen


@pytest.mark.parametrize("files, expected", [pytest.param(f, e, id=i) for i, f, e in CASES])
def test_hostile_file_is_refused_unread_unparsed_or_unrendered(
    repo: Repo,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    files: dict[str, bytes],
    expected: str,
) -> None:
    assert repo.build(NOW) == 0
    before = tree_digest(repo.site)
    for name, data in files.items():
        (repo.root / name).write_bytes(data)
    capsys.readouterr()
    seen = watch(monkeypatch)

    assert repo.build(NOW) == 1
    assert capsys.readouterr().err.splitlines() == [expected, "1 error(s); nothing was written"]
    assert tree_digest(repo.site) == before
    (name,) = files
    too_big = "bytes; the limit is" in expected
    # Measured before it is opened: a file over the limit is never read; any other is read once.
    assert seen.read.count(name) == (0 if too_big else 1)
    assert max(seen.c_parsed) <= LONGEST_ORDINARY


def test_long_plain_line_is_published_without_the_markdown_converter(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under the size limit, a 900 KB line of text is only text: it is published, not refused, and
    as plain paragraphs it never goes through the markdown converter."""
    message = LONG_PLAIN
    for name, data in LONG_PLAIN_FILES.items():
        (repo.root / name).write_bytes(data)
    seen = watch(monkeypatch, longest_c_text=None)  # shallow, however long: the C parser's to read
    assert repo.build(NOW) == 0
    assert seen.c_parsed.count(len(message) + 90) == 1
    assert message.strip() in repo.page("incidents/2025-11-04-long/index.html")
    assert seen.read.count("incidents/2025-11-04-long.md") == 1


def test_shapes_of_extensions_no_longer_rendered_are_published_as_text(repo: Repo) -> None:
    """Abbreviations, definition lists and raw HTML are not read: text that was costly or deep through
    them is only text now, and published."""
    for name, data in FORMER_SHAPE_FILES.items():
        (repo.root / name).write_bytes(data)
    assert repo.build(NOW) == 0
    bodies = {
        name: body_of(repo.page(f"incidents/2025-11-04-{name}/index.html"))
        for name in ("open-tags", "abbreviation-uses", "definitions", "markdown-in-html-nested")
    }
    assert bodies == {
        "open-tags": "<p>" + "&lt;a " * 30_000 + "</p>",
        "abbreviation-uses": "<p>*[A]: an abbreviation</p>\n<p>" + "A " * 100_000 + "</p>",
        "definitions": "<p>" + "term\n: definition\n" * 999 + "term\n: definition</p>",
        # Raw HTML is text: the <div> elements are shown as written.
        "markdown-in-html-nested": "<p>"
        + '&lt;div markdown="1"&gt;\n' * 250
        + "x\n"
        + "&lt;/div&gt;\n" * 249
        + "&lt;/div&gt;</p>",
    }


def body_of(page: str) -> str:
    """The rendered markdown body of an incident page."""
    return re.split(r"</div>\s*</article>", page.split('<div class="body">', 1)[1], maxsplit=1)[0]


def test_theme_rendering_unmeasured_text_as_markdown_shows_costly_text_as_text(
    repo: Repo, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Loading measures the markdown the site renders; a theme may render any other text as markdown,
    and text too costly to render is shown as text, never given to the converter."""
    template = (PROJECT / "themes/default/templates/incident.html").read_text()
    repo.write(
        "themes/own/templates/incident.html",
        template.replace("{{ ui.title(incident) }}", "{{ incident.title | markdown }}"),
    )
    repo.config(CONFIG.replace("  timezone:", "  theme: own\n  timezone:"))
    title = "*a* " * 200_000
    repo.incident("2025-11-04-costly.md", front(f"title: '{title}'\n").decode())
    watch(monkeypatch, longest_c_text=None)
    monkeypatch.setattr(isolation, "fork_available", lambda: False)  # render here, where the log is seen
    assert repo.build(NOW) == 0
    assert [(r.name, r.levelname, r.getMessage()) for r in caplog.records if r.levelno >= logging.WARNING] == [
        ("statusgen.markup", "WARNING", f"markdown too costly to render, shown as text: {repr(title.strip())[:60]}...")
    ]
    assert f"<h1><p>{title.strip()}</p></h1>" in repo.page("incidents/2025-11-04-costly/index.html")


# --- Symlinks: a link inside the repository is followed; one leaving it is refused ----------------


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the repository, with files a link could point at."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "2025-11-04-secret.md").write_text(INCIDENT.replace("Elevated API error rates", "Secret"))
    (folder / "statusgen.yaml").write_text(CONFIG)
    (folder / "secret.txt").write_text("the machine's secret\n")
    return folder


def refused(repo: Repo, capsys: pytest.CaptureFixture[str], expected: list[str]) -> None:
    """The build exits 1 printing exactly ``expected``, and site/ is as it was."""
    before = tree_digest(repo.site)
    capsys.readouterr()
    assert repo.build(NOW) == 1
    assert capsys.readouterr().err.splitlines() == expected
    assert tree_digest(repo.site) == before


def test_incident_file_linked_out_of_the_repository_is_refused(
    repo: Repo, outside: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert repo.build(NOW) == 0
    (repo.root / "incidents/2025-11-04-secret.md").symlink_to(outside / "2025-11-04-secret.md")
    refused(
        repo,
        capsys,
        [
            f"incidents/2025-11-04-secret.md:1: {SYMLINK_OUT} (copy the file into the repository instead)",
            "1 error(s); nothing was written",
        ],
    )


def test_incidents_folder_linked_out_of_the_repository_is_refused(
    repo: Repo, outside: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert repo.build(NOW) == 0
    for path in (repo.root / "incidents").iterdir():
        path.unlink()
    (repo.root / "incidents").rmdir()
    (repo.root / "incidents").symlink_to(outside)
    refused(
        repo,
        capsys,
        [f"incidents: {SYMLINK_OUT} (keep the incident files in the repository)", "1 error(s); nothing was written"],
    )


def test_statusgen_yaml_linked_out_of_the_repository_is_refused(
    repo: Repo, outside: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert repo.build(NOW) == 0
    (repo.root / "statusgen.yaml").unlink()
    (repo.root / "statusgen.yaml").symlink_to(outside / "statusgen.yaml")
    refused(
        repo,
        capsys,
        [
            f"statusgen.yaml:1: {SYMLINK_OUT} (copy the file into the repository instead)",
            "1 error(s); nothing was written",
        ],
    )


def test_theme_files_linked_out_of_the_repository_are_refused(
    repo: Repo, outside: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert repo.build(NOW) == 0
    theme = repo.root / "themes/own"
    (theme / "templates").mkdir(parents=True)
    (theme / "static").mkdir()
    (theme / "templates/404.html").symlink_to(outside / "secret.txt")
    (theme / "static/robots-extra.txt").symlink_to(outside / "secret.txt")
    (theme / "static/more").symlink_to(outside)
    repo.config(CONFIG.replace("  timezone:", "  theme: own\n  timezone:"))
    refused(
        repo,
        capsys,
        [
            f"themes/own/static/more: {SYMLINK_OUT} (copy the file into the repository instead)",
            f"themes/own/static/robots-extra.txt:1: {SYMLINK_OUT} (copy the file into the repository instead)",
            f"themes/own/templates/404.html:1: {SYMLINK_OUT} (copy the file into the repository instead)",
            "3 error(s); nothing was written",
        ],
    )


def test_links_inside_linked_theme_folders_are_followed_and_checked(
    repo: Repo, outside: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert repo.build(NOW) == 0
    (repo.root / "assets/deeper").mkdir(parents=True)
    (repo.root / "assets/deeper/leak.txt").symlink_to(outside / "secret.txt")
    (repo.root / "assets/deeper/loop").symlink_to(repo.root / "assets")
    (repo.root / "themes/own/static").mkdir(parents=True)
    (repo.root / "themes/own/static/assets").symlink_to(repo.root / "assets")
    repo.config(CONFIG.replace("  timezone:", "  theme: own\n  timezone:"))
    refused(
        repo,
        capsys,
        [
            f"themes/own/static/assets/deeper/leak.txt:1: {SYMLINK_OUT} (copy the file into the repository instead)",
            f"themes/own/static/assets/deeper/loop: {HOLDER_LOOP}",
            "2 error(s); nothing was written",
        ],
    )


def test_theme_folder_linked_out_of_the_repository_is_refused(
    repo: Repo, outside: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert repo.build(NOW) == 0
    (outside / "templates").mkdir()
    (repo.root / "themes").mkdir()
    (repo.root / "themes/own").symlink_to(outside)
    repo.config(CONFIG.replace("  timezone:", "  theme: own\n  timezone:"))
    refused(
        repo,
        capsys,
        [f"themes/own: {SYMLINK_OUT} (copy the folder into the repository)", "1 error(s); nothing was written"],
    )


@pytest.mark.parametrize("command", ["build", "check"])
@pytest.mark.parametrize("theme", ["default", "own"])
def test_symlink_loops_and_broken_links_in_a_theme_are_reported(
    repo: Repo, capsys: pytest.CaptureFixture[str], theme: str, command: str
) -> None:
    folder = repo.root / "themes" / theme
    (folder / "static").mkdir(parents=True)
    (folder / "templates").mkdir()
    (folder / "static/x").symlink_to("x")
    (folder / "templates/a.html").symlink_to("b.html")
    (folder / "templates/b.html").symlink_to("a.html")
    (folder / "static/gone.css").symlink_to("missing.css")
    if theme != "default":
        repo.config(CONFIG.replace("  timezone:", f"  theme: {theme}\n  timezone:"))
    loop = "symlink loop (point the link at a file, or remove it)"
    capsys.readouterr()
    assert repo.run(command, "--now", NOW) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"themes/{theme}/static/gone.css:1: broken symlink: what it points to is missing "
        "(restore its target, or remove the link)",
        f"themes/{theme}/static/x:1: {loop}",
        f"themes/{theme}/templates/a.html:1: {loop}",
        f"themes/{theme}/templates/b.html:1: {loop}",
        "4 error(s); nothing was written",
    ]


def test_theme_links_to_a_folder_above_them_or_into_git_are_refused_unwalked(
    repo: Repo,
    outside: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A link to the repository's top would have the check walk all of .git and site/; one into .git
    would let a template publish .git/config, where a CI checkout keeps its credentials."""
    assert repo.build(NOW) == 0
    (repo.root / ".git/hooks").mkdir(parents=True)
    (repo.root / ".git/config").write_text("[http]\n\textraheader = AUTHORIZATION: basic c2VjcmV0\n")
    (repo.root / ".git/hooks/leak").symlink_to(outside / "secret.txt")  # reported if .git were walked
    (repo.root / "site/leak").symlink_to(outside / "secret.txt")  # and so if site/ were
    (repo.root / "themes/own/templates").mkdir(parents=True)
    (repo.root / "themes/own/static").mkdir()
    (repo.root / "themes/own/static/top").symlink_to("../../..")
    (repo.root / "themes/own/static/itself").symlink_to(".")
    (repo.root / "themes/own/templates/git").symlink_to(repo.root / ".git")
    (repo.root / "themes/own/templates/git-config.html").symlink_to("../../../.git/config")
    repo.config(CONFIG.replace("  timezone:", "  theme: own\n  timezone:"))
    into_git = "symlink points into .git (link to files of the working tree only)"
    refused(
        repo,
        capsys,
        [
            f"themes/own/static/itself: {HOLDER_LOOP}",
            f"themes/own/static/top: {HOLDER_LOOP}",
            f"themes/own/templates/git: {into_git}",
            f"themes/own/templates/git-config.html:1: {into_git}",
            "4 error(s); nothing was written",
        ],
    )


def test_incident_file_in_a_symlink_loop_is_reported(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    assert repo.build(NOW) == 0
    (repo.root / "incidents/2025-11-04-loop.md").symlink_to("2025-11-04-loop.md")
    refused(
        repo,
        capsys,
        [
            "incidents/2025-11-04-loop.md:1: symlink loop (point the link at a file, or remove it)",
            "1 error(s); nothing was written",
        ],
    )


def test_message_template_linked_out_of_the_repository_is_refused(
    repo: Repo, outside: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo.root / "templates").mkdir()
    (repo.root / "templates/leak.md").symlink_to(outside / "secret.txt")
    assert repo.run("templates") == 1
    assert capsys.readouterr().err == (
        f"error: templates/leak.md:1: {SYMLINK_OUT} (copy the file into the repository instead)\n"
    )


def test_links_inside_the_repository_are_followed(repo: Repo) -> None:
    (repo.root / "drafts").mkdir()
    (repo.root / "drafts/shared.md").write_text(INCIDENT.replace("Elevated API error rates", "Linked"))
    (repo.root / "incidents/2025-11-05-linked.md").symlink_to("../drafts/shared.md")
    (repo.root / "themes/own/static").mkdir(parents=True)
    (repo.root / "assets").mkdir()
    (repo.root / "assets/logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>\n")
    (repo.root / "themes/own/static/logo.svg").symlink_to(repo.root / "assets/logo.svg")
    repo.config(CONFIG.replace("  timezone:", "  theme: own\n  timezone:"))
    assert repo.build(NOW) == 0
    assert "<h1>Linked</h1>" in repo.page("incidents/2025-11-05-linked/index.html")
    assert repo.page("static/logo.svg") == "<svg xmlns='http://www.w3.org/2000/svg'/>\n"
    assert not (repo.site / "static/logo.svg").is_symlink()


@pytest.fixture
def git_dir(repo: Repo) -> Path:
    """The repository's .git, holding what a CI checkout keeps there: a token in its config."""
    (repo.root / ".git").mkdir()
    (repo.root / ".git/config").write_text("[http]\n\textraheader = AUTHORIZATION: basic c2VjcmV0\n")
    (repo.root / ".git/hooks").mkdir()
    (repo.root / ".git/hooks/2025-11-04-hook.md").write_text(INCIDENT)
    return repo.root / ".git"


INTO_GIT = "symlink points into .git (link to files of the working tree only)"


@pytest.mark.parametrize(
    "link, target",
    [
        ("incidents/2025-11-04-config.md", "../.git/config"),
        ("incidents/2025-11-04-hook.md", "../.git/hooks/2025-11-04-hook.md"),
        ("incidents/2025-11-04-abs.yaml", "{git}/config"),
        ("incidents/2025-11-04-dotted.md", "../incidents/../.git/./config"),
    ],
)
def test_incident_file_linked_into_git_is_refused(
    repo: Repo, git_dir: Path, capsys: pytest.CaptureFixture[str], link: str, target: str
) -> None:
    assert repo.build(NOW) == 0
    (repo.root / link).symlink_to(target.format(git=git_dir))
    refused(repo, capsys, [f"{link}:1: {INTO_GIT}", "1 error(s); nothing was written"])


def test_incidents_folder_linked_into_git_is_refused(
    repo: Repo, git_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert repo.build(NOW) == 0
    shutil.rmtree(repo.root / "incidents")
    (repo.root / "incidents").symlink_to(".git/hooks")
    refused(
        repo,
        capsys,
        [
            "incidents: symlink points into .git (keep the incident files in the repository)",
            "1 error(s); nothing was written",
        ],
    )


def test_statusgen_yaml_linked_into_git_is_refused(
    repo: Repo, git_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert repo.build(NOW) == 0
    (git_dir / "statusgen.yaml").write_text(CONFIG)
    (repo.root / "statusgen.yaml").unlink()
    (repo.root / "statusgen.yaml").symlink_to(".git/statusgen.yaml")
    refused(repo, capsys, [f"statusgen.yaml:1: {INTO_GIT}", "1 error(s); nothing was written"])


def test_message_template_linked_into_git_is_refused(
    repo: Repo, git_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo.root / "templates").mkdir()
    (repo.root / "templates/leak.md").symlink_to("../.git/config")
    assert repo.run("templates") == 1
    assert capsys.readouterr().err == f"error: templates/leak.md:1: {INTO_GIT}\n"


# --- What is not a file: a named pipe would block a build forever ---------------------------------

NOT_A_FILE = "remove it, or put a plain text file in its place"


def socket_at(path: Path) -> None:
    """A Unix socket bound at ``path`` (bound from its folder: socket paths are short)."""
    here = Path.cwd()
    os.chdir(path.parent)
    try:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.bind(path.name)
    finally:
        os.chdir(here)


@pytest.mark.parametrize(
    "name, make, kind",
    [
        ("2025-11-04-pipe.md", os.mkfifo, "a named pipe"),
        ("2025-11-04-pipe.yaml", os.mkfifo, "a named pipe"),
        ("2025-11-04-socket.md", socket_at, "a socket"),
    ],
)
@pytest.mark.parametrize("linked", [False, True])
def test_incident_that_is_not_a_file_is_reported_unopened(
    repo: Repo, capsys: pytest.CaptureFixture[str], name: str, make: Callable[[Path], None], kind: str, linked: bool
) -> None:
    assert repo.build(NOW) == 0
    if linked:  # a link to it, from a name the loader reads
        (repo.root / "drafts").mkdir()
        make(repo.root / "drafts" / name)
        name = name.replace("2025-11-04", "2025-11-05")
        (repo.root / "incidents" / name).symlink_to(f"../drafts/{name.replace('2025-11-05', '2025-11-04')}")
    else:
        make(repo.root / "incidents" / name)
    refused(repo, capsys, [f"incidents/{name}: {kind}, not a file ({NOT_A_FILE})", "1 error(s); nothing was written"])
    capsys.readouterr()
    assert repo.run("check", "--now", NOW) == 1
    assert capsys.readouterr().err.splitlines()[0] == f"incidents/{name}: {kind}, not a file ({NOT_A_FILE})"


@pytest.mark.parametrize("make, kind", [(os.mkfifo, "a named pipe"), (os.mkdir, "a folder"), (socket_at, "a socket")])
def test_statusgen_yaml_that_is_not_a_file_is_reported_unopened(
    repo: Repo, capsys: pytest.CaptureFixture[str], make: Callable[[Path], None], kind: str
) -> None:
    assert repo.build(NOW) == 0
    (repo.root / "statusgen.yaml").unlink()
    make(repo.root / "statusgen.yaml")
    refused(repo, capsys, [f"statusgen.yaml: {kind}, not a file ({NOT_A_FILE})", "1 error(s); nothing was written"])


def test_message_template_that_is_a_named_pipe_is_reported_unopened(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo.root / "templates").mkdir()
    os.mkfifo(repo.root / "templates/stuck.md")
    assert repo.run("templates") == 1
    assert capsys.readouterr().err == f"error: templates/stuck.md: a named pipe, not a file ({NOT_A_FILE})\n"


def test_read_text_checks_what_it_opened_not_only_what_it_measured(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file swapped for a named pipe between the check and the open is refused, not waited on."""
    pipe = repo.root / "incidents/2025-11-04-swapped.md"
    os.mkfifo(pipe)
    real_lstat = os.lstat
    monkeypatch.setattr(
        os, "lstat", lambda p: real_lstat(repo.root / "statusgen.yaml") if Path(p) == pipe else real_lstat(p)
    )
    with pytest.raises(StatusgenError) as raised:
        inputs.read_text(pipe, "incidents/2025-11-04-swapped.md")
    assert str(raised.value) == f"incidents/2025-11-04-swapped.md: a named pipe, not a file ({NOT_A_FILE})"


def test_statusgens_own_temporary_files_are_not_read_as_incidents(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    """An editing command writes ``.NAME.XXXX.tmp`` beside the file and renames it into place; one
    left behind by a crash (half written, or a named pipe in its place) is no incident."""
    assert repo.build(NOW) == 0
    before = tree_digest(repo.site)
    (repo.root / "incidents/.2025-11-03-api-errors.md.k2j4h1.tmp").write_text("---\ntitle: half writ")
    (repo.root / "incidents/.2025-11-04-new.md.a8d0q3.tmp").write_text(INCIDENT.replace("major", "bad"))
    os.mkfifo(repo.root / "incidents/.2025-11-05-x.md.zz0011.tmp")
    capsys.readouterr()
    assert repo.build(NOW) == 0
    assert capsys.readouterr().err == ""
    assert tree_digest(repo.site) == before
    assert repo.run("check", "--now", NOW) == 0


# --- Output: nothing is written outside the output folder ----------------------------------------


def test_output_folder_that_is_a_symlink_is_refused(
    repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "elsewhere"
    target.mkdir()
    repo.site.symlink_to(target)
    assert repo.build(NOW) == 1
    assert capsys.readouterr().err == (
        f"error: {repo.site}: output directory {repo.site} is a symlink; refusing to write through it "
        "(build into a real folder, or give --out the folder the link points to)\n"
    )
    assert list(target.iterdir()) == [] and repo.site.is_symlink()


def test_links_planted_in_the_spare_folder_are_not_written_through(repo: Repo, tmp_path: Path) -> None:
    """The spare output folder (.site.previous) is laid out in place; a link there, committed to the
    repository or left by anyone, must not take the build's files elsewhere."""
    victim = tmp_path / "victim"
    (victim / "inner").mkdir(parents=True)
    (victim / writer.MARKER).write_text("")
    (victim / "inner/keep.txt").write_text("keep\n")
    before = tree_digest(victim)
    spare = writer.spare_dir(repo.site)
    assert repo.build(NOW) == 0 and repo.build(NOW) == 0  # site/ and .site.previous/ both exist
    shutil.rmtree(spare / "components")
    (spare / "components").symlink_to(victim / "inner")
    shutil.rmtree(spare / "incidents/2025-11-03-api-errors")
    (spare / "incidents/2025-11-03-api-errors").symlink_to(victim)
    assert repo.build(NOW) == 0
    assert tree_digest(victim) == before
    assert not [p for p in repo.site.rglob("*") if p.is_symlink()]
    assert (repo.site / "components/api/index.html").is_file()

    shutil.rmtree(spare)
    spare.symlink_to(victim)  # the spare folder itself, with the marker a build leaves: not statusgen's
    site = tree_digest(repo.site)
    assert repo.build(NOW) == 1
    assert tree_digest(victim) == before and tree_digest(repo.site) == site
    assert not repo.site.is_symlink() and spare.readlink() == victim


@pytest.mark.parametrize(
    "name", ["../x", "a/../../x", "/etc/passwd", "", "a//b", ".hidden", "a/./b", "a/..", "a\0b", "a\\..\\b"]
)
def test_writer_refuses_paths_that_leave_the_output(tmp_path: Path, name: str) -> None:
    out = tmp_path / "site"
    with pytest.raises(ValueError, match="unsafe output path"):
        writer.write_tree(out, [("index.html", b"ok"), (name, b"escaped")])
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # the failed build's spare folder is removed


@pytest.mark.parametrize("name", ["x" * 256, "incidents/" + "\u00e9" * 128 + "/index.html"])
def test_writer_refuses_names_longer_than_a_file_name(tmp_path: Path, name: str) -> None:
    out = tmp_path / "site"
    with pytest.raises(StatusgenError, match="file names have at most 255"):
        writer.write_tree(out, [("index.html", b"ok"), (name, b"long")])
    assert not out.exists()


# --- Names ----------------------------------------------------------------------------------------

NAME_HINT = "file name must be YYYY-MM-DD-slug with a lowercase slug (e.g. incidents/2025-11-03-api-errors.md)"


@pytest.mark.parametrize(
    "name",
    [
        "2025-11-03-a..b.md",
        "2025-11-03-caf\u00e9.md",
        "2025-11-03-CON.md",
        "2025-11-03-x y.md",
        "2025-11-03-.md",
        "2025-11-03-a\\b.md",
        "2025-11-03-\u0430pi.md",
        "2025-11-03-a\u200bb.md",
        "2025-13-03-x.md",
    ],
)
def test_incident_file_names_that_are_not_slugs_are_refused(
    repo: Repo, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    assert repo.build(NOW) == 0
    (repo.root / "incidents" / name).write_text(INCIDENT)
    refused(repo, capsys, [f"incidents/{name}:1: {NAME_HINT}", "1 error(s); nothing was written"])


def test_long_incident_file_name_is_built(repo: Repo) -> None:
    name = "2025-11-04-" + "a" * 240
    repo.incident(f"{name}.md")
    assert repo.build(NOW) == 0
    assert (repo.site / f"incidents/{name}/index.html").is_file()


@pytest.mark.parametrize("cid", ["../x", "a/b", "/etc", "CON", "caf\u00e9", "a b", "-", "x/../../y", ".."])
def test_component_ids_that_are_not_slugs_are_refused(repo: Repo, capsys: pytest.CaptureFixture[str], cid: str) -> None:
    assert repo.build(NOW) == 0
    repo.config(CONFIG.replace("id: db", f"id: {json.dumps(cid)}"))
    refused(
        repo,
        capsys,
        [
            f"statusgen.yaml:13: component id {cid!r} must use only a-z, 0-9 and '-' "
            "(ids appear in URLs and the API, e.g. public-api)",
            "1 error(s); nothing was written",
        ],
    )


def test_component_id_with_a_nul_is_refused(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    assert repo.build(NOW) == 0
    repo.config(CONFIG.replace("id: db", 'id: "d\\0b"'))
    refused(
        repo,
        capsys,
        [
            "statusgen.yaml:13: character U+0000 is not allowed in text (remove the escape that writes it)",
            "1 error(s); nothing was written",
        ],
    )


def test_component_id_too_long_for_a_file_name_writes_nothing(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    assert repo.build(NOW) == 0
    before = tree_digest(repo.site)
    repo.config(CONFIG.replace("id: db", "id: " + "d" * 300))
    capsys.readouterr()
    assert repo.build(NOW) == 1
    assert capsys.readouterr().err == (
        "statusgen.yaml:13: component id is 300 characters long; the limit is 100 (ids appear in URLs and file "
        "names: keep them short, e.g. public-api)\n1 error(s); nothing was written\n"
    )
    assert tree_digest(repo.site) == before


# --- What is printed: nothing from content can start a CI workflow command or drive a terminal ----

# What a printed line must never carry raw: control characters but the line feed, the line and
# paragraph separators, bidirectional controls, lone surrogates.
RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")
FILL_IN = "write the real text in place of each [[...]]"


def assert_inert(output: str) -> None:
    """No line of ``output`` is a GitHub Actions workflow command, and no raw control character is in it."""
    assert not RAW_CONTROL.search(output), repr(output)
    assert "##[" not in output, output
    assert not [line for line in output.split("\n") if line.lstrip().startswith("::")], output


def printed(repo: Repo, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str]]:
    """The exit status of ``statusgen argv`` and every line it printed, both streams checked inert."""
    capsys.readouterr()
    code = repo.run(*argv)
    out, err = capsys.readouterr()
    assert_inert(out)
    assert_inert(err)
    return code, err.split("\n")


@pytest.mark.parametrize("command", [("build", "--now", NOW), ("check", "--now", NOW)])
@pytest.mark.parametrize(
    "name, shown",
    [
        ("2025-01-01-a\n::error file=x::pwned.md", "2025-01-01-a\\n::error file=x::pwned.md"),
        ("2025-01-01-a\r::stop-commands::tok.md", "2025-01-01-a\\r::stop-commands::tok.md"),
        ("2025-01-01-\x1b]0;owned\x07\x1b[2J.md", "2025-01-01-\\x1b]0;owned\\x07\\x1b[2J.md"),
        ("2025-01-01-a##[error]pwned.md", "2025-01-01-a##\\x5berror]pwned.md"),
        ("2025-01-01-a\x85\u2028\u202eb.md", "2025-01-01-a\\x85\\u2028\\u202eb.md"),
        ("2025-01-01-a\u2066\u200fb\x7f\x9b.md", "2025-01-01-a\\u2066\\u200fb\\x7f\\x9b.md"),
    ],
)
def test_file_names_are_printed_escaped(
    repo: Repo, capsys: pytest.CaptureFixture[str], command: tuple[str, ...], name: str, shown: str
) -> None:
    (repo.root / "incidents" / name).write_text(INCIDENT)
    code, err = printed(repo, capsys, *command)
    assert code == 1
    assert err == [f"incidents/{shown}:1: {NAME_HINT}", "1 error(s); nothing was written", ""]


def test_a_file_name_that_is_not_utf8_is_printed_escaped(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    (repo.root / "incidents").joinpath(os.fsdecode(b"2025-01-01-\xff\n::error::x.md")).write_text(INCIDENT)
    code, err = printed(repo, capsys, "check", "--now", NOW)
    assert (code, err) == (
        1,
        [f"incidents/2025-01-01-\\udcff\\n::error::x.md:1: {NAME_HINT}", "1 error(s); nothing was written", ""],
    )


@pytest.mark.parametrize(
    "text, shown",
    [
        (
            "|\n      [[what happened\n      ::error file=statusgen.yaml,line=1::pwned]]",
            "[[what happened\\n::error file=statusgen.yaml,line=1::pwned]]",
        ),
        (
            "|\n      [[who is affected\n      ::stop-commands::t0ken\n      ##[warning]x]]",
            "[[who is affected\\n::stop-commands::t0ken\\n##\\x5bwarning]x]]",
        ),
        ('"[[a\\u2028::error::b\\u202e\\u2029c\\x85d]]"', "[[a\\u2028::error::b\\u202e\\u2029c\\x85d]]"),
    ],
)
def test_template_text_left_in_a_message_is_printed_escaped(
    repo: Repo, capsys: pytest.CaptureFixture[str], text: str, shown: str
) -> None:
    """``text`` is the message as written in YAML."""
    repo.incident("2025-11-04-draft.md", front("title: Draft\n").decode().replace("message: m", "message: " + text))
    for argv in (("build", "--now", NOW), ("check", "--now", NOW)):
        code, err = printed(repo, capsys, *argv)
        assert code == 1
        assert err == [
            f"incidents/2025-11-04-draft.md:4: template text left in the message: {shown} ({FILL_IN})",
            "1 error(s); nothing was written",
            "",
        ]


def test_theme_file_names_are_printed_escaped(repo: Repo, outside: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo.root / "themes/own/static").mkdir(parents=True)
    (repo.root / "themes/own/templates").mkdir()
    (repo.root / "themes/own/static/a\n::add-mask::x").symlink_to(outside / "secret.txt")
    repo.config(CONFIG.replace("  timezone:", "  theme: own\n  timezone:"))
    code, err = printed(repo, capsys, "build", "--now", NOW)
    assert (code, err) == (
        1,
        [
            f"themes/own/static/a\\n::add-mask::x:1: {SYMLINK_OUT} (copy the file into the repository instead)",
            "1 error(s); nothing was written",
            "",
        ],
    )


def test_build_summary_and_problems_of_a_build_that_publishes_are_escaped(
    repo: Repo, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "out\n::error::x"
    code, _ = printed(repo, capsys, "build", "--now", NOW, "--out", str(out))
    assert code == 0 and (out / "index.html").is_file()
    assert capsys.readouterr() == ("", "")


def git(cwd: Path, *argv: str) -> str:
    return subprocess.run(
        ["git", "-C", str(cwd), *argv],
        check=True,
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "a",
            "GIT_AUTHOR_EMAIL": "a@example.com",
            "GIT_COMMITTER_NAME": "a",
            "GIT_COMMITTER_EMAIL": "a@example.com",
        },
    ).stdout.strip()


def test_notify_lines_and_previews_are_escaped(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.config(
        CONFIG + "notify:\n  - type: email\n    smtp_env: NO_SUCH_SMTP_URL\n    from: s@example.com\n"
        "    to: [o@example.com]\n  - type: slack\n    url_env: NO_SUCH_SLACK_URL\n"
    )
    git(repo.root, "init", "-q", "-b", "main")
    git(repo.root, "add", "-A")
    git(repo.root, "commit", "-q", "-m", "first")
    first = git(repo.root, "rev-parse", "HEAD")
    repo.incident(
        "2025-11-04-hostile.md",
        front('title: "Title \\u2028::error::t \\u202e ##[error]t"\n')
        .decode()
        .replace(
            "message: m",
            "message: |\n      Line one\n      ::stop-commands::t0ken\n"
            "       ::error file=x::pwned\n      ##[warning]x ::error::y \u2066z",
        ),
    )
    git(repo.root, "add", "-A")
    git(repo.root, "commit", "-q", "-m", "second")
    capsys.readouterr()
    assert repo.run("notify", "--since", first, "--now", NOW, "--dry-run") == 0
    out, err = capsys.readouterr()
    assert_inert(out)
    assert_inert(err)
    assert "    ::stop-commands::t0ken" not in out.split("\n")
    assert "    \\x3a:stop-commands::t0ken" in out.split("\n")
    assert "    Subject: [Example Status] Investigating: Title ::error::t \\u202e ##\\x5berror]t" in out.split("\n")


@pytest.mark.parametrize(
    "text, shown",
    [
        ("plain: text, with 'quotes' and a \\ backslash", "plain: text, with 'quotes' and a \\ backslash"),
        ("a\nb\rc\td", "a\\nb\\rc\\td"),
        ("\x00\x1b[31m\x7f", "\\x00\\x1b[31m\\x7f"),
        ("\x85\x9b", "\\x85\\x9b"),
        ("\u2028\u2029", "\\u2028\\u2029"),
        ("\u202a\u202e\u2066\u2069\u200e\u200f\u061c", "\\u202a\\u202e\\u2066\\u2069\\u200e\\u200f\\u061c"),
        ("\udcff", "\\udcff"),
        ("::error::x", "\\x3a:error::x"),
        (" \t::warning::x", " \\t::warning::x"),
        ("  ::x", "  \\x3a:x"),
        ("path: ::x", "path: ::x"),
        ("x ##[error]y ##[z", "x ##\\x5berror]y ##\\x5bz"),
        ("é ✓ 日本", "é ✓ 日本"),
    ],
)
def test_printable_escapes_what_a_terminal_or_ci_log_would_act_on(text: str, shown: str) -> None:
    assert printable(text) == shown


# --- Dates at the ends of the range: bounded output, no traceback --------------------------------

ZONES = ["America/New_York", "Pacific/Pago_Pago", "Europe/Rome", "Pacific/Kiritimati"]
EARLY = """\
---
title: Early
impact: critical
components: {api: major_outage}
postmortem_due: false
updates:
  - at: 1970-01-01T00:00:00Z
    status: investigating
    message: Early. Next update by 00:30 UTC.
  - at: 1970-01-01T00:00:00-05:00
    status: resolved
    message: Done.
---
"""
LATE = """\
---
title: Late
impact: major
components: {api: partial_outage}
updates:
  - at: 2999-12-31T23:00:00Z
    status: investigating
    message: Late. Next update by 23:30 UTC.
---
"""
FAR_MAINTENANCE = """\
---
title: Far maintenance
kind: maintenance
window: {start: 2999-12-31T22:00:00Z, end: 2999-12-31T23:59:59Z}
components: [api]
updates:
  - at: 1970-01-01T00:00:01Z
    status: scheduled
    message: Far off.
---
"""


def uptime_months(repo: Repo, cid: str) -> list[str]:
    return [m["month"] for m in json.loads(repo.page("api/uptime.json"))["components"][cid]["months"]]


@pytest.mark.parametrize("zone", ZONES)
def test_a_since_decades_back_shows_ten_years_of_months(repo: Repo, zone: str) -> None:
    repo.config(
        CONFIG.replace("Europe/Rome", zone).replace(
            "    name: Public API\n", "    name: Public API\n    since: 1970-01-01\n"
        )
    )
    assert repo.build(NOW) == 0
    months = uptime_months(repo, "api")
    assert (len(months), months[0], months[-1]) == (120, "2015-12", "2025-11")
    # 120 months, and the 41 quarters and 11 years they span (Q4 2015 to Q4 2025).
    assert repo.page("components/api/index.html").count('<tr><th scope="row">') == 120 + 41 + 11
    assert len(repo.page("api/uptime.json")) < 60_000  # three components
    assert len(repo.page("components/api/index.html")) < 40_000


def test_months_start_at_since_or_the_first_incident_within_ten_years(repo: Repo) -> None:
    repo.config(CONFIG.replace("    name: Public API\n", "    name: Public API\n    since: 2025-06-15\n"))
    assert repo.build(NOW) == 0
    assert uptime_months(repo, "api") == ["2025-06", "2025-07", "2025-08", "2025-09", "2025-10", "2025-11"]
    assert uptime_months(repo, "web") == ["2025-11"]  # from the month of the site's first incident
    repo.incident("1970-01-01-early.md", EARLY)
    assert repo.build(NOW) == 0
    months = uptime_months(repo, "web")
    assert (len(months), months[0], months[-1]) == (120, "2015-12", "2025-11")
    assert uptime_months(repo, "api")[0] == "2025-06"


@pytest.mark.parametrize("zone", ["Pacific/Pago_Pago", "Pacific/Kiritimati"])  # UTC-11 and UTC+14
@pytest.mark.parametrize("since", ["", "1970-01-01", "2999-12-31"])
def test_times_and_days_at_the_ends_of_the_range_build(
    repo: Repo, capsys: pytest.CaptureFixture[str], zone: str, since: str
) -> None:
    """Incidents, a maintenance, ``since:`` and "now" at the first and last instants allowed: every
    page, feed, calendar and badge is made, each file under 1 MB."""
    extra = f"    since: {since}\n" if since else ""
    repo.config(CONFIG.replace("Europe/Rome", zone).replace("    name: Public API\n", "    name: Public API\n" + extra))
    repo.incident("1970-01-01-early.md", EARLY)
    repo.incident("2999-12-31-late.md", LATE)
    repo.incident("2999-12-31-far.md", FAR_MAINTENANCE)
    for now in ("1970-01-01T00:00:00Z", NOW, "2999-12-31T23:59:59Z"):
        capsys.readouterr()
        assert repo.run("build", "--now", now) == 0, capsys.readouterr().err
        assert "Traceback" not in capsys.readouterr().err
        sizes = {p.relative_to(repo.site).as_posix(): p.stat().st_size for p in repo.site.rglob("*") if p.is_file()}
        assert max(sizes.values()) < 1_000_000
        assert {"maintenance.ics", "badge.svg", "feed.atom", "api/uptime.json", "components/api/index.html"} <= set(
            sizes
        )
    last = "3000-01" if zone == "Pacific/Kiritimati" else "2999-12"  # the local month of "now"
    months = uptime_months(repo, "api")
    expected = ("2999-12", last, 1 + (last == "3000-01")) if since == "2999-12-31" else (months[0], last, 120)
    assert (months[0], months[-1], len(months)) == expected


def test_log_lines_quote_content_escaped(repo: Repo) -> None:
    """Library code logs what it found (a file name, a target's answer); --debug prints it."""
    # In a child process: main sets up logging only where nothing has yet (as pytest has here).
    script = (
        "import logging, sys\nfrom statusgen.cli import main\nmain(['-C', sys.argv[1], 'templates'])\n"
        "logging.getLogger('statusgen.test').warning('bad answer: %s', 'x\\n::error file=a::pwned \\x1b[2J')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(repo.root)], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stderr == "WARNING statusgen.test: bad answer: x\\n::error file=a::pwned \\x1b[2J\n"
    assert_inert(done.stderr)


# --- serve's address options -------------------------------------------------------------------


@pytest.mark.parametrize("port", ["99999", "-1", "65536", "x", "1" * 5000])
def test_a_port_out_of_range_is_a_usage_error_before_any_build(
    repo: Repo, capsys: pytest.CaptureFixture[str], port: str
) -> None:
    capsys.readouterr()
    assert repo.run("serve", "--port", port) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and not repo.site.exists()
    assert err.splitlines()[-1].startswith("statusgen serve: error: argument --port: ")
    assert err.splitlines()[-1].endswith("give a number from 0 to 65535")


@pytest.mark.parametrize(
    "host, reason",
    [
        ("999.1.1.1", "Name or service not known"),
        ("192.0.2.1", "Cannot assign requested address"),
        ("a\x00b", "host name must not contain null character"),
    ],
)
def test_a_host_that_cannot_be_listened_on_names_the_host(
    repo: Repo, capsys: pytest.CaptureFixture[str], host: str, reason: str
) -> None:
    capsys.readouterr()
    assert repo.run("serve", "--port", "0", "--host", host) == 1
    shown = printable(host)
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"error: cannot listen on {shown}:0: {reason} (give --host an address of this machine, e.g. 127.0.0.1)"
    )


# --- Links on the way to the theme: themes/ and themes/NAME --------------------------------------

INTO_GIT = "symlink points into .git (link to files of the working tree only)"
COPY_FOLDER = "copy the folder into the repository"


def theme_link(repo: Repo, outside: Path, case: str) -> tuple[str, str]:
    """Lay out the link of ``case`` and name the theme; the expected line of the refusal."""
    (outside / "themes/evil/static").mkdir(parents=True)
    (outside / "themes/evil/templates").mkdir()
    (outside / "themes/evil/static/secret.txt").write_text("the machine's secret\n")
    (repo.root / ".git/evil/templates").mkdir(parents=True)
    theme = "evil"
    if case == "outside":
        (repo.root / "themes").symlink_to("../outside/themes")
        expected = f"themes: {SYMLINK_OUT} ({COPY_FOLDER})"
    elif case == "root-default":  # the default theme's overrides live in themes/default too
        (repo.root / "themes").symlink_to("/")
        theme, expected = "default", f"themes: {SYMLINK_OUT} ({COPY_FOLDER})"
    elif case == "proc":
        (repo.root / "themes").symlink_to("/")
        theme, expected = "proc", f"themes: {SYMLINK_OUT} ({COPY_FOLDER})"
    elif case == "git":
        (repo.root / "themes").symlink_to(".git")
        expected = f"themes: {INTO_GIT}"
    elif case == "holder":
        (repo.root / "themes").symlink_to(".")
        theme, expected = "incidents", f"themes: {HOLDER_LOOP}"
    elif case == "loop":
        (repo.root / "themes").symlink_to("themes")
        expected = "themes: symlink loop (point the link at a file, or remove it)"
    elif case == "name-git":
        (repo.root / "themes").mkdir()
        (repo.root / "themes/evil").symlink_to("../.git/evil")
        expected = f"themes/evil: {INTO_GIT}"
    else:  # a link inside the repository to the themes folder beside it, and to a theme outside it
        (repo.root / "elsewhere").mkdir()
        (repo.root / "themes").symlink_to("elsewhere")
        (repo.root / "elsewhere/evil").symlink_to(outside / "themes/evil")
        expected = f"themes/evil: {SYMLINK_OUT} ({COPY_FOLDER})"
    if theme != "default":
        repo.config(CONFIG.replace("  timezone:", f"  theme: {theme}\n  timezone:"))
    return theme, expected


CASES_OF_THEME_LINKS = ["outside", "root-default", "proc", "git", "holder", "loop", "name-git", "name-outside"]


@pytest.mark.parametrize("command", ["build", "check"])
@pytest.mark.parametrize("case", CASES_OF_THEME_LINKS)
def test_links_on_the_way_to_the_theme_are_refused_before_it_is_read(
    repo: Repo,
    outside: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    case: str,
    command: str,
) -> None:
    assert repo.build(NOW) == 0
    theme_name, expected = theme_link(repo, outside, case)
    from statusgen.theme import checks, files

    def unread(*args: object, **kwargs: object) -> None:
        raise AssertionError("the theme was read")

    for module, name in (
        (files, "theme_dirs"),
        (files, "theme_files"),
        (checks, "theme_problems"),
        (files, "link_problems"),
        (files, "static_files"),
    ):
        monkeypatch.setattr(module, name, unread)
    before = tree_digest(repo.site)
    capsys.readouterr()
    assert repo.run(command, "--now", NOW) == 1
    assert capsys.readouterr().err.splitlines() == [expected, "1 error(s); nothing was written"]
    assert tree_digest(repo.site) == before
    assert not any("secret" in path for path in before)


def test_check_in_github_format_names_the_link_on_the_way_to_the_theme(
    repo: Repo, outside: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    theme_link(repo, outside, "proc")
    monkeypatch.chdir(repo.root)
    capsys.readouterr()
    assert repo.run("check", "--now", NOW, "--format", "github") == 1
    out, err = capsys.readouterr()
    assert (out, err) == (
        f"::error file=themes,title=statusgen::symlink points outside the repository ({COPY_FOLDER})\n",
        "1 error(s)\n",
    )


def test_a_themes_folder_linked_inside_the_repository_is_followed(repo: Repo, outside: Path) -> None:
    (repo.root / "elsewhere/own/static").mkdir(parents=True)
    (repo.root / "elsewhere/own/templates").mkdir()
    (repo.root / "elsewhere/own/static/extra.txt").write_text("ours\n")
    (repo.root / "themes").symlink_to("elsewhere")
    repo.config(CONFIG.replace("  timezone:", "  theme: own\n  timezone:"))
    assert repo.build(NOW) == 0
    assert repo.page("static/extra.txt") == "ours\n"
