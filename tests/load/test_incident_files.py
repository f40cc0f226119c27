"""What counts as an incident file, and where its parts are: one answer for the loader, the
editing commands and notify."""

from __future__ import annotations

from pathlib import Path

import pytest

from statusgen.errors import Problem
from statusgen.load.incidents import is_incident_path, layout, load_incidents, split_front_matter

INCIDENT = """---
title: Slow API
impact: minor
updates:
  - at: 2025-11-03T14:05:00Z
    status: investigating
    message: Looking.
---
"""


@pytest.mark.parametrize(
    "rel, expected",
    [
        ("incidents/2025-11-03-api.md", True),
        ("incidents/2025-11-03-api.yaml", True),
        ("incidents/2025-11-03-api.yml", True),
        ("incidents/2025-11-03-api.txt", False),
        ("incidents/2025-11-03-api.MD", False),
        ("incidents/.2025-11-03-api.md", False),
        ("incidents/README.md", False),
        ("incidents/readme-first.md", False),
        ("incidents/old/2025-11-03-api.md", False),
        ("other/2025-11-03-api.md", False),
        ("2025-11-03-api.md", False),
    ],
)
def test_incident_paths(rel: str, expected: bool) -> None:
    assert is_incident_path(rel) is expected


@pytest.mark.parametrize(
    "name",
    [
        "2025-11-03-api.md",
        "2025-11-03-api.yml",
        "README.md",
        ".2025-11-03-api.md",
        "readme-first.md",
        "2025-11-03-api.txt",
    ],
)
def test_the_loader_reads_the_files_notify_follows(tmp_path: Path, name: str) -> None:
    text = INCIDENT if not name.endswith(".yml") else INCIDENT.strip("-\n") + "\n"
    (tmp_path / "incidents").mkdir()
    (tmp_path / "incidents" / name).write_text(text)
    problems: list[Problem] = []
    loaded = load_incidents(tmp_path, None, problems)
    read = [i.path for i in loaded] + [p.path for p in problems if "not an incident file" not in p.message]
    assert read == ([f"incidents/{name}"] if is_incident_path(f"incidents/{name}") else [])


@pytest.mark.parametrize(
    "text, start, end, body, body_line",
    [
        ("---\na: 1\n---\nBody\n", 4, 9, 13, 4),
        ("\ufeff---\na: 1\n...\nBody\n", 5, 10, 14, 4),
        ("---\r\na: 1\r\nb: 2\r\n---  \r\n", 5, 17, 24, 5),
        ("---\n---\n", 4, 4, 8, 3),
    ],
)
def test_layout_of_a_markdown_file(text: str, start: int, end: int, body: int, body_line: int) -> None:
    parts = layout(text, "incidents/x.md")
    assert (parts.start, parts.end, parts.body, parts.body_line) == (start, end, body, body_line)
    front, rest, line = split_front_matter(text.lstrip("\ufeff"), "incidents/x.md")
    assert (front, rest, line) == (text[start:end], text[body:], body_line)


def test_layout_of_a_yaml_file() -> None:
    parts = layout("\ufeff\ufefftitle: x\n", "incidents/x.yaml")
    assert (parts.start, parts.end, parts.body, parts.body_line) == (2, 11, 11, 0)
