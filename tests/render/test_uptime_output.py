"""The uptime figures on the pages are the ones in api/uptime.json."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import DEMO_NOW, Repo

# Every month of the demo below 100% on the component pages, as shown, (month, uptime, downtime),
# with its downtime in api/uptime.json. Any other month of a component's 25 (21 for search, since
# March 2025) shows 100% and 0 min. The pages round downtime to the minute, halves up (10.5: 11 min).
DOWN_MONTHS = {
    "api": [
        ("June 2026", "99.879%", "52 min", 52.4),
        ("April 2026", "99.947%", "23 min", 22.8),
        ("October 2025", "99.942%", "26 min", 26.0),
        ("April 2025", "99.887%", "49 min", 49.0),
        ("January 2025", "99.931%", "31 min", 30.6),
        ("December 2024", "99.976%", "11 min", 10.5),
    ],
    "web": [
        ("June 2026", "99.879%", "52 min", 52.4),
        ("November 2025", "99.95%", "22 min", 21.6),
        ("October 2025", "99.942%", "26 min", 26.0),
        ("July 2025", "99.956%", "20 min", 19.8),
        ("April 2025", "99.887%", "49 min", 49.0),
    ],
    "auth": [
        ("October 2026", "99.954%", "20 min", 20.4),
        ("June 2026", "99.967%", "14 min", 14.1),
        ("April 2025", "99.887%", "49 min", 49.0),
        ("December 2024", "99.948%", "23 min", 23.1),
    ],
    "db": [("June 2026", "99.879%", "52 min", 52.4), ("April 2026", "99.947%", "23 min", 22.8)],
    "search": [("February 2026", "99.851%", "1 hr", 60.0), ("June 2025", "99.856%", "1 hr, 2 min", 62.1)],
    "storage": [("January 2025", "99.853%", "1 hr, 6 min", 65.6)],
    # November so far: 22 days and 10 hours since midnight in Rome, 32,280 minutes, 34.7 of them down:
    # 100 * (1 - 34.7 / 32280) = 99.8925. July: 31.2 of 44,640 minutes; June: 27.6 of 43,200.
    "webhooks": [
        ("November 2026", "99.893%", "35 min", 34.7),
        ("July 2026", "99.93%", "31 min", 31.2),
        ("June 2026", "99.936%", "28 min", 27.6),
    ],
    "email": [("December 2025", "99.72%", "2 hr, 5 min", 124.8)],
    "docs": [("October 2025", "99.93%", "31 min", 31.4), ("January 2025", "99.951%", "22 min", 22.0)],
}
MONTHS = {cid: 21 if cid == "search" else 25 for cid in DOWN_MONTHS}


def test_pages_and_uptime_json_agree(tmp_path: Path, demo: Repo) -> None:
    out = tmp_path / "site"
    assert demo.build(DEMO_NOW, "--out", str(out)) == 0
    document = json.loads((out / "api/uptime.json").read_text())
    assert document["timezone"] == "Europe/Rome"
    components = document["components"]
    assert list(components) == ["api", "web", "auth", "db", "search", "storage", "webhooks", "email", "docs"]
    index = (out / "index.html").read_text()
    # Groups come first in their rows: Platform, api, web, auth, Data, db, search, storage, Delivery, ...
    # Over 90 days the webhooks lost 34.7 of 89 * 1440 + 600 minutes: 100 * (1 - 34.7 / 128760) = 99.973.
    assert re.findall(r'<span class="d90">([^<]+) uptime</span>', index) == [
        "99.984%",
        "100%",
        "100%",
        "99.984%",
        "100%",
        "100%",
        "100%",
        "100%",
        "99.973%",
        "99.973%",
        "100%",
        "100%",
    ]
    assert {c: f["uptime_90d"] for c, f in components.items()} == {
        "api": 100.0,
        "web": 100.0,
        "auth": 99.984,
        "db": 100.0,
        "search": 100.0,
        "storage": 100.0,
        "webhooks": 99.973,
        "email": 100.0,
        "docs": 100.0,
    }
    for cid, figures in components.items():
        assert len(figures["days"]) == 90
        assert figures["days"][-1]["date"] == "2026-11-23"
        page = (out / f"components/{cid}/index.html").read_text()
        page = page[page.index("<caption>Uptime by month</caption>") :]  # after the years and quarters
        # Each row, and its verdict against the target for the components that have one.
        rows = re.findall(
            r'<tr><th scope="row">([^<]+)</th><td>([^<]+)</td><td>([^<]+)</td>'
            r'(?:<td class="verdict">.*?</td>)?</tr>',
            page,
        )
        assert len(rows) == len(figures["months"]) == MONTHS[cid]
        assert [row for row in rows if row[1:] != ("100%", "0 min")] == [row[:3] for row in DOWN_MONTHS[cid]]
        # The page shows the figures of the file, newest month first.
        assert [float(up.rstrip("%")) for _, up, _ in rows] == [m["uptime"] for m in reversed(figures["months"])]
        down = {month: minutes for month, _, _, minutes in DOWN_MONTHS[cid]}
        assert [down.get(month, 0.0) for month, _, _ in rows] == [
            m["downtime_minutes"] for m in reversed(figures["months"])
        ]
    # The open incident: partial outage from 08:12Z, major from 08:31Z until the demo's now (09:00Z):
    # 29 + 0.3 * 19 = 34.7 minutes down, of the 600 since midnight in Rome (23:00Z).
    assert components["webhooks"]["days"][-1] == {"date": "2026-11-23", "uptime": 94.217, "downtime_minutes": 34.7}
    assert components["search"]["months"][0]["month"] == "2025-03"


def test_days_before_since_have_no_data(repo: Repo) -> None:
    repo.config(
        repo.root.joinpath("statusgen.yaml")
        .read_text()
        .replace("    name: Database\n", "    name: Database\n    since: 2025-11-05\n")
    )
    assert repo.build("2025-11-10T12:00:00Z") == 0
    db = json.loads((repo.site / "api/uptime.json").read_text())["components"]["db"]
    assert [d["uptime"] for d in db["days"][-7:]] == [None, 100.0, 100.0, 100.0, 100.0, 100.0, 100.0]
    assert db["months"] == [{"month": "2025-11", "uptime": 100.0, "downtime_minutes": 0.0}]
    index = repo.page("index.html")
    assert "Nov 4, 2025: no data" in index and "Nov 5, 2025: 100% uptime" in index
    api = json.loads((repo.site / "api/uptime.json").read_text())["components"]["api"]
    assert api["days"][-8] == {"date": "2025-11-03", "uptime": 98.438, "downtime_minutes": 22.5}
