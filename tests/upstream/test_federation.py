"""An organisation's page gathering its teams' statusgen pages: each team's page is an upstream
like any other, shown as a group of the organisation's page, its open incidents linked to the
team's own pages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import CONFIG, Repo
from statuspage import Answer, serving

OPEN = """\
---
title: Card payments failing
impact: major
components: {api: major_outage}
updates:
  - at: 2025-11-10T11:30:00Z
    status: investigating
    message: Card payments fail for most customers. Next update by 12:30 UTC.
---
"""
NOW = "2025-11-10T12:00:00Z"


def test_an_organisation_page_shows_each_team_page_as_a_group(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    team = Repo(tmp_path / "payments")
    team.config(CONFIG.replace("https://status.example.com/", "https://payments.status.example/"))
    team.incident("2025-11-10-card-payments.md", OPEN)
    assert team.build(NOW) == 0
    summary = json.loads(team.page("api/v2/summary.json"))
    # What another page needs of this one: stable ids, the groups and the incidents' own pages.
    assert [(c["id"], c["group_id"], c["group"]) for c in summary["components"]] == [
        ("group-platform", None, True),
        ("api", "group-platform", False),
        ("web", "group-platform", False),
        ("db", None, False),
    ]
    assert summary["incidents"][0]["shortlink"] == "https://payments.status.example/incidents/2025-11-10-card-payments/"

    org = Repo(tmp_path / "org")
    with serving() as server:
        server.answers["/payments/api/v2/summary.json"] = Answer(body=team.page("api/v2/summary.json").encode())
        server.answers["/search/api/v2/summary.json"] = Answer(body=team.page("api/v2/summary.json").encode())
        org.config(
            CONFIG
            + f"upstream:\n  - id: payments\n    name: Payments\n    url: {server.base}/payments/\n"
            + f"  - id: search\n    name: Search team\n    url: {server.base}/search/\n    components: [Platform]\n"
        )
        assert org.build(NOW) == 0
    index = org.page("index.html")
    payments = index[index.index('<span class="name">Payments</span>') :]
    assert payments.startswith(
        '<span class="name">Payments</span><span class="status s-major_outage">'
    )  # the group shows the team's worst
    block = payments[: payments.index('<span class="name">Search team</span>')]
    assert [n.split("</span>")[0] for n in block.split('<span class="name">')[2:]] == [
        "Public API",
        "Dashboard",
        "Database",
    ]
    assert (
        '<a href="https://payments.status.example/incidents/2025-11-10-card-payments/" rel="external noopener">'
        'Card payments failing</a> <span class="phase p-investigating">Investigating</span>'
    ) in block
    search = index[index.index('<li class="upstream" id="u-search">') :]
    assert [n.split("</span>")[0] for n in search.split('<span class="name">')[1:3]] == ["Public API", "Dashboard"]
    components = json.loads(org.page("api/v2/components.json"))["components"]
    assert [(c["id"], c["status"], c["group_id"]) for c in components if c["id"].startswith("payments.")] == [
        ("payments.api", "major_outage", "group-payments"),
        ("payments.web", "operational", "group-payments"),
        ("payments.db", "operational", "group-payments"),
    ]
    # The teams' outage is theirs: the organisation's own components and status are untouched.
    assert json.loads(org.page("api/v2/status.json"))["status"]["indicator"] == "none"
