"""The uptime figures on the pages are the ones in api/uptime.json."""

from __future__ import annotations

import json
import re

from conftest import DEMO_NOW, Repo
from statusgen.theme.environment import percent
from statusgen.timeutil import parse_timestamp


def test_pages_and_uptime_json_agree(tmp_path, demo: Repo):
    out = tmp_path / "site"
    assert demo.build(DEMO_NOW, "--out", str(out)) == 0
    document = json.loads((out / "api/uptime.json").read_text())
    assert document["timezone"] == "Europe/Rome"
    components = document["components"]
    assert list(components) == ["api", "web", "auth", "db", "search", "storage", "webhooks", "email", "docs"]
    index = (out / "index.html").read_text()
    legends = re.findall(r"<span>([^<]+) uptime</span>", index)
    # Groups come first in their rows: Platform, api, web, auth, Data, db, search, storage, Delivery, ...
    shown = [legends[i] for i in (1, 2, 3, 5, 6, 7, 9, 10, 11)]
    assert shown == [percent(components[c]["uptime_90d"]) for c in components]
    for cid, figures in components.items():
        assert len(figures["days"]) == 90
        assert figures["days"][-1]["date"] == "2026-11-23"
        page = (out / f"components/{cid}/index.html").read_text()
        rows = re.findall(r'<tr><th scope="row">[^<]+</th><td>([^<]+)</td><td>([^<]+) min</td></tr>', page)
        assert rows == [(percent(m["uptime"]), str(m["downtime_minutes"])) for m in reversed(figures["months"])]
    webhooks = components["webhooks"]["days"][-1]
    # The open incident: partial outage from 08:12Z, major from 08:31Z until the demo's now.
    major = (parse_timestamp(DEMO_NOW) - parse_timestamp("2026-11-23T08:31:00Z")).total_seconds() / 60
    assert webhooks["downtime_minutes"] == round(major + 0.3 * 19, 1)
    search = components["search"]
    assert search["months"][0]["month"] == "2025-03"


def test_days_before_since_have_no_data(repo: Repo):
    repo.config(repo.root.joinpath("statusgen.yaml").read_text().replace(
        "    name: Database\n", "    name: Database\n    since: 2025-11-05\n"))
    assert repo.build("2025-11-10T12:00:00Z") == 0
    db = json.loads((repo.site / "api/uptime.json").read_text())["components"]["db"]
    assert [d["uptime"] for d in db["days"][-7:]] == [None, 100.0, 100.0, 100.0, 100.0, 100.0, 100.0]
    assert db["months"] == [{"month": "2025-11", "uptime": 100.0, "downtime_minutes": 0.0}]
    index = repo.page("index.html")
    assert "Nov 4, 2025: no data" in index and "Nov 5, 2025: 100% uptime" in index
    api = json.loads((repo.site / "api/uptime.json").read_text())["components"]["api"]
    assert api["days"][-8] == {"date": "2025-11-03", "uptime": 98.438, "downtime_minutes": 22.5}
