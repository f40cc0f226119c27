"""Whatever an incident file or statusgen.yaml holds, a build ends in one of two ways.

Either it exits 0 with a complete site, or it exits 1, every line it prints is ``path:line:
message`` (and then the count), and the previous site is exactly as it was. Never a traceback,
never another exit status, never a hang.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import signal
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CONFIG, INCIDENT, tree_digest
from statusgen.cli import main
from statusgen.errors import StatusgenError
from statusgen.load import yamltext
from statusgen.load.repository import load_repository

NOW = "2025-11-10T12:00:00Z"
FUZZ_ID = "2025-11-03-fuzz"
# Stable in CI: the same examples every run, and no example database carried between runs. No
# deadline: how long an example takes is no outcome (refusals are proven cheap in test_hostile_input.py).
STABLE = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROBLEM_LINE = re.compile(r"(statusgen\.yaml|incidents/[^/:]+):[1-9]\d*: \S.*")
COUNT_LINE = re.compile(r"[1-9]\d* error\(s\); nothing was written")
# Every file a site has whatever its incidents: pages, feeds, the API, the calendar, badges.
CORE_FILES = (
    "index.html",
    "404.html",
    "history/index.html",
    "feed.atom",
    "feed.rss",
    "feed.json",
    "api/v2/summary.json",
    "api/v2/status.json",
    "api/v2/components.json",
    "api/v2/incidents.json",
    "api/v2/incidents/unresolved.json",
    "api/v2/scheduled-maintenances.json",
    "api/uptime.json",
    "maintenance.ics",
    "badge.svg",
    "badge.json",
    "next-change.txt",
    "sitemap.xml",
    "robots.txt",
    "static/style.css",
    ".statusgen-site",
)


class Hang(BaseException):
    """A build that ran past its time; a BaseException so nothing in the build can swallow it."""


def _hang(signum: int, frame: FrameType | None) -> None:
    raise Hang("the build did not finish in 20 s")


class Scratch:
    """A status repository built once; each example changes one file, builds, and puts it back."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "incidents").mkdir(parents=True)
        (root / "statusgen.yaml").write_text(CONFIG, encoding="utf-8")
        (root / "incidents/2025-11-01-known.md").write_text(INCIDENT, encoding="utf-8")
        assert self.build()[0] == 0
        self.outcomes: list[int] = []

    @property
    def site(self) -> Path:
        return self.root / "site"

    def build(self) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        previous = signal.signal(signal.SIGALRM, _hang)
        signal.setitimer(signal.ITIMER_REAL, 20)
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                status = main(["-C", str(self.root), "build", "--now", NOW])
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        return status, out.getvalue(), err.getvalue()

    def check(self, name: str, data: bytes) -> int:
        """Write ``data`` to ``name``, build, check the outcome, and restore the file as it was."""
        path = self.root / name
        kept = path.read_bytes() if path.exists() else None
        before = tree_digest(self.site)
        path.write_bytes(data)
        try:
            status, out, err = self.build()
            assert status in (0, 1), (status, err)
            if status == 0:
                self._complete(out)
            else:
                lines = err.splitlines()
                assert lines and COUNT_LINE.fullmatch(lines[-1]), err
                assert len(lines) == int(lines[-1].split()[0]) + 1, err
                for line in lines[:-1]:
                    assert PROBLEM_LINE.fullmatch(line), line
                assert tree_digest(self.site) == before
        finally:
            if kept is None:
                path.unlink()
            else:
                path.write_bytes(kept)
        self.outcomes.append(status)
        return status

    def tally(self) -> tuple[int, int]:
        """How many examples since the last tally built (exit 0) and how many were refused (exit 1)."""
        built, refused = self.outcomes.count(0), self.outcomes.count(1)
        self.outcomes = []
        return built, refused

    def _complete(self, out: str) -> None:
        assert out.startswith("built "), out
        for name in CORE_FILES:
            assert (self.site / name).is_file(), name
        for path in self.site.rglob("*"):
            assert not path.name.endswith(".tmp"), path
            if path.suffix == ".json":
                json.loads(path.read_bytes())
            elif path.suffix in (".atom", ".rss", ".svg", ".xml"):
                ET.parse(path)
            elif path.suffix == ".html":
                assert path.read_text(encoding="utf-8").rstrip().endswith("</html>"), path
        repo = load_repository(self.root)
        for incident in repo.incidents:
            assert (self.site / f"incidents/{incident.id}/index.html").is_file() != incident.hidden, incident.id
        for component in repo.config.components:
            assert (self.site / f"components/{component.id}/index.html").is_file(), component.id


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Scratch:
    return Scratch(tmp_path_factory.mktemp("fuzz") / "status")


# --- Arbitrary bytes -------------------------------------------------------------------------------

FRONT = b"---\n"
incident_bytes = st.one_of(
    st.binary(max_size=600),
    st.binary(max_size=600).map(lambda b: FRONT + b + b"\n" + FRONT),
    # A valid incident with a few bytes changed, added or cut: near misses are where parsers break.
    st.lists(st.tuples(st.integers(0, len(INCIDENT)), st.integers(0, 3), st.binary(max_size=4)), max_size=4).map(
        lambda edits: _edit(INCIDENT.encode(), edits)
    ),
)


def _edit(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    for at, cut, insert in edits:
        data = data[:at] + insert + data[at + cut :]
    return data


@pytest.mark.slow
def test_any_bytes_as_an_incident_file(scratch: Scratch) -> None:
    @settings(STABLE, max_examples=80)
    @given(data=incident_bytes, suffix=st.sampled_from([".md", ".yaml"]))
    def example(data: bytes, suffix: str) -> None:
        scratch.check(f"incidents/{FUZZ_ID}{suffix}", data)

    example()
    built, refused = scratch.tally()
    assert built + refused == 80 and built >= 1 and refused >= 60, (built, refused)


config_bytes = st.one_of(
    st.binary(max_size=400),
    st.lists(st.tuples(st.integers(0, len(CONFIG)), st.integers(0, 3), st.binary(max_size=4)), max_size=4).map(
        lambda edits: _edit(CONFIG.encode(), edits)
    ),
)


@pytest.mark.slow
def test_any_bytes_as_statusgen_yaml(scratch: Scratch) -> None:
    @settings(STABLE, max_examples=60)
    @given(data=config_bytes)
    def example(data: bytes) -> None:
        scratch.check("statusgen.yaml", data)

    example()
    built, refused = scratch.tally()
    assert built + refused == 60 and built >= 1 and refused >= 40, (built, refused)


# --- YAML-shaped incident documents ---------------------------------------------------------------

KEYS = ("title", "kind", "impact", "components", "updates", "references", "hidden", "postmortem_due", "body", "window")
WORDS = (
    "investigating",
    "identified",
    "monitoring",
    "resolved",
    "scheduled",
    "in_progress",
    "completed",
    "cancelled",
    "verifying",
    "operational",
    "degraded_performance",
    "partial_outage",
    "major_outage",
    "under_maintenance",
    "none",
    "minor",
    "major",
    "critical",
    "maintenance",
    "incident",
    "api",
    "web",
    "db",
    "apj",
    "https://example.com/x",
    "javascript:alert(1)",
    "[[fill me]]",
    "",
)

offsets = st.one_of(
    st.none(), st.just(UTC), st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
)
instants = st.builds(
    lambda moment, zone: moment.replace(tzinfo=zone).isoformat(),
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
    offsets,
)
near_instants = st.builds(
    lambda moment, zone: moment.replace(tzinfo=zone).isoformat(),
    st.datetimes(min_value=datetime(2025, 10, 1), max_value=datetime(2025, 11, 20)),
    offsets,
)
times = st.one_of(near_instants, near_instants, instants, st.dates().map(str), st.text(max_size=20))
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=40), st.sampled_from(WORDS), times
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KEYS + WORDS), st.text(max_size=8)), inner, max_size=4),
    ),
    max_leaves=12,
)
statuses = st.one_of(st.sampled_from(WORDS[:9]), values)
component_map = st.one_of(
    st.dictionaries(
        st.sampled_from(("api", "web", "db", "apj")), st.one_of(st.sampled_from(WORDS[9:14]), values), max_size=3
    ),
    values,
)
wild_updates = st.fixed_dictionaries(
    {"at": st.one_of(times, values), "status": statuses, "message": st.one_of(st.text(max_size=80), values)},
    optional={"components": component_map, "extra": values},
)
wild = st.fixed_dictionaries(
    {
        "title": st.one_of(st.text(min_size=1, max_size=60), values),
        "updates": st.one_of(st.lists(wild_updates, min_size=1, max_size=4), values),
    },
    optional={
        "kind": st.one_of(st.sampled_from(["incident", "maintenance"]), values),
        "impact": st.one_of(st.sampled_from(WORDS[14:18]), values),
        "components": st.one_of(component_map, st.lists(st.sampled_from(("api", "web", "db")), max_size=3)),
        "window": st.one_of(st.fixed_dictionaries({"start": times, "end": times}), values),
        "references": st.one_of(st.lists(st.sampled_from(WORDS[-4:-1]), max_size=3), values),
        "hidden": st.one_of(st.booleans(), values),
        "postmortem_due": st.one_of(st.booleans(), values),
    },
)

# Documents that are valid but for their text, which is anything unicode has: most of them build.
aware = st.builds(
    lambda moment, zone: moment.replace(tzinfo=zone).isoformat(),
    st.datetimes(min_value=datetime(2025, 10, 1), max_value=datetime(2025, 11, 9)),
    st.one_of(st.just(UTC), st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))),
)
# Mostly printable text of any script; now and then anything, control characters included.
printable = st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1, max_size=80)
prose = st.one_of(printable.filter(str.strip), printable.filter(str.strip), st.text(min_size=1, max_size=80))
ids = st.sampled_from(("api", "web", "db"))


def _updates(statuses: tuple[str, ...], changes: st.SearchStrategy) -> st.SearchStrategy:
    return st.lists(
        st.fixed_dictionaries(
            {"at": aware, "status": st.sampled_from(statuses), "message": prose}, optional={"components": changes}
        ),
        min_size=1,
        max_size=4,
        unique_by=lambda u: u["at"],
    )


incident_changes = st.dictionaries(ids, st.sampled_from(WORDS[9:13]), max_size=2)
incidents = st.fixed_dictionaries(
    {"title": prose, "updates": _updates(WORDS[:4], incident_changes)},
    optional={
        "impact": st.sampled_from(WORDS[14:18]),
        "components": incident_changes,
        "references": st.lists(st.text(max_size=20).map(lambda t: "https://example.com/" + t), max_size=2),
        "hidden": st.booleans(),
        "postmortem_due": st.booleans(),
    },
)
maintenance = st.builds(
    lambda doc, start, hours: {
        **doc,
        "kind": "maintenance",
        "window": {"start": start, "end": (datetime.fromisoformat(start) + timedelta(hours=hours)).isoformat()},
    },
    st.fixed_dictionaries(
        {
            "title": prose,
            "updates": _updates(WORDS[4:9], st.nothing()),
            "components": st.lists(ids, max_size=3, unique=True),
        }
    ),
    aware,
    st.integers(1, 48),
)
# A valid document with one key given something else: a wrong type, a nested mess, a stray key.
mutated = st.builds(
    lambda doc, name, value: {**doc, name: value},
    st.one_of(incidents, maintenance),
    st.one_of(st.sampled_from(KEYS), st.text(max_size=10)),
    values,
)
documents = st.one_of(incidents, maintenance, mutated, wild)


@pytest.mark.slow
def test_any_incident_document(scratch: Scratch) -> None:
    @settings(STABLE, max_examples=120)
    @given(document=documents, body=st.text(max_size=200), as_yaml=st.booleans(), ascii_only=st.booleans())
    def example(document: dict[str, Any], body: str, as_yaml: bool, ascii_only: bool) -> None:
        front = yaml.safe_dump(document, allow_unicode=not ascii_only, sort_keys=False)
        if as_yaml:
            scratch.check(f"incidents/{FUZZ_ID}.yaml", front.encode("utf-8"))
        else:
            scratch.check(f"incidents/{FUZZ_ID}.md", f"---\n{front}---\n{body}".encode())

    example()
    built, refused = scratch.tally()
    assert built + refused == 120 and built >= 15 and refused >= 60, (built, refused)


# --- Markdown bodies made of markup -----------------------------------------------------------------

# Pieces of markdown syntax: repeated, the shapes that take the renderer time by the square of their
# length, nest by recursion, or join paragraphs.
MARKUP = [
    "[",
    "]",
    "(",
    ")",
    "<",
    ">",
    "!",
    "\\",
    "`",
    "*",
    "_",
    "&",
    "~",
    "#",
    "-",
    "=",
    ":",
    "|",
    "^",
    "a",
    " ",
    "  ",
    "\n",
    "\n\n",
    "\t",
    "1.",
    "http://x",
    "&amp;",
    "<a>",
    "<div>",
    "{",
    "}",
    "*[",
    "[^",
    "]:",
    "](",
    "<!--",
    "```",
    "\r",
    '"',
    'markdown="1"',
    "    ",
    "> ",
    "- ",
]


@pytest.mark.slow
def test_markdown_bodies_of_repeated_markup_build_or_are_refused_quickly(scratch: Scratch) -> None:
    @settings(STABLE, max_examples=40)
    @given(
        unit=st.lists(st.sampled_from(MARKUP), min_size=1, max_size=8).map("".join), size=st.integers(1_000, 300_000)
    )
    def example(unit: str, size: int) -> None:
        body = unit * (size // len(unit) + 1)
        scratch.check(f"incidents/{FUZZ_ID}.md", f"---\n{INCIDENT.split('---')[1].strip()}\n---\n{body}".encode())

    example()
    built, refused = scratch.tally()
    assert built + refused == 40 and built >= 5 and refused >= 5, (built, refused)


# --- Characters no text can hold --------------------------------------------------------------------

NOT_TEXT_CHARACTERS = [
    chr(c)
    for c in (*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0x85), *range(0x86, 0xA0), 0xFFFE, 0xFFFF)
]
# Where the character stands, and the line it is on: in no style but the double-quoted one can an
# escape write it.
RAW_STYLES = [
    ("message: a{}b\n", 2),
    ("message: 'a{}b'\n", 2),
    ("message: |\n  a{}b\n", 3),
    ("message: >\n  a{}b\n", 3),
    ("a{}b: 1\n", 2),
    ("list: [a{}b]\n", 2),
    ("# a{}b\n", 2),
    ('message: "a{}b"\n', 2),
]


@pytest.mark.parametrize("pure_python", [False, True], ids=["libyaml", "python"])
def test_characters_that_are_not_text_are_refused_by_the_yaml_reader_in_every_style(
    monkeypatch: pytest.MonkeyPatch, pure_python: bool
) -> None:
    """The loader looks for them only in double-quoted scalars, whose escapes can write them: written
    as themselves, in any style, the YAML reader refuses them at their line."""
    monkeypatch.setattr(yamltext, "_may_nest_deeply", lambda text: pure_python)
    for char in NOT_TEXT_CHARACTERS:
        for style, line in RAW_STYLES:
            with pytest.raises(StatusgenError) as refused:
                yamltext.load("title: ok\n" + style.format(char), "x.yaml")
            assert str(refused.value) == (
                f"x.yaml:{line}: invalid YAML: character U+{ord(char):04X} is not allowed "
                "(remove the control character)"
            ), (char, style)


@pytest.mark.parametrize("pure_python", [False, True], ids=["libyaml", "python"])
def test_characters_that_are_not_text_written_by_escapes_are_refused(
    monkeypatch: pytest.MonkeyPatch, pure_python: bool
) -> None:
    monkeypatch.setattr(yamltext, "_may_nest_deeply", lambda text: pure_python)
    surrogates = ["\ud800", "\udfff"] if pure_python else []  # libyaml refuses their escapes as invalid
    for char in [*NOT_TEXT_CHARACTERS, *surrogates]:
        for document, line in [
            (f'message: "a\\u{ord(char):04x}b"\n', 2),
            (f'"k\\u{ord(char):04x}": 1\n', 2),
            (f'list:\n  - "\\u{ord(char):04x}"\n', 3),
        ]:
            with pytest.raises(StatusgenError) as refused:
                yamltext.load("title: ok\n" + document, "x.yaml")
            assert str(refused.value) == (
                f"x.yaml:{line}: character U+{ord(char):04X} is not allowed in text (remove the escape that writes it)"
            ), (char, document)
    assert yamltext.load('a: "tab\\there, line\\nthere, \\u00e9, \\U0001F600"\n', "x.yaml") == {
        "a": "tab\there, line\nthere, \u00e9, \U0001f600"
    }
