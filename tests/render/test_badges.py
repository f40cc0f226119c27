"""Badges and their shields.io endpoint documents."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from conftest import Repo
from factories import ONGOING

SVG = "{http://www.w3.org/2000/svg}"


def test_badges_show_status_text_with_an_accessible_title(repo: Repo) -> None:
    repo.incident("2025-11-10-dashboard.md", ONGOING)
    assert repo.build("2025-11-10T12:00:00Z") == 0
    site = ET.parse(repo.site / "badge.svg").getroot()
    assert site.get("role") == "img"
    assert site.get("aria-label") == "status: major service outage"
    title = site.find(f"{SVG}title")
    assert title is not None and title.text == "status: major service outage"
    assert [t.text for t in site.iter(f"{SVG}text")] == [
        "status",
        "status",
        "major service outage",
        "major service outage",
    ]
    web = ET.parse(repo.site / "components/web/badge.svg").getroot()
    assert web.get("aria-label") == "Dashboard: major outage"
    assert '<rect x="' in (repo.site / "components/web/badge.svg").read_text()
    assert json.loads((repo.site / "components/web/badge.json").read_text()) == {
        "schemaVersion": 1,
        "label": "Dashboard",
        "message": "major outage",
        "color": "red",
    }
    assert json.loads((repo.site / "components/db/badge.json").read_text()) == {
        "schemaVersion": 1,
        "label": "Database",
        "message": "operational",
        "color": "brightgreen",
    }
    assert json.loads((repo.site / "badge.json").read_text())["color"] == "red"


def test_badge_width_grows_with_its_text(repo: Repo) -> None:
    assert repo.build() == 0
    short = int(ET.parse(repo.site / "components/db/badge.svg").getroot().attrib["width"])
    long = int(ET.parse(repo.site / "components/api/badge.svg").getroot().attrib["width"])
    assert short < long


def test_badge_text_is_escaped(repo: Repo) -> None:
    repo.config(
        repo.root.joinpath("statusgen.yaml")
        .read_text()
        .replace("name: Database", 'name: "<script>alert(1)</script> & co"')
    )
    assert repo.build() == 0
    root = ET.parse(repo.site / "components/db/badge.svg").getroot()
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == "<script>alert(1)</script> & co: operational"
    assert root.find(f"{SVG}script") is None
