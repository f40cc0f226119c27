"""Upstream status pages through the build: fetched from a server on 127.0.0.1, shown beside the
components and in the API, kept in .statusgen/upstream/, and every way a fetch can fail leaving
the build green with the last good state marked out of date and a warning."""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import CONFIG, Repo, tree_digest
from statuspage import Answer, Server, component, document, drip, incident, serving, silent, summary

NOW = "2025-11-10T12:00:00Z"
LATER = "2025-11-10T12:15:00Z"


@pytest.fixture
def server() -> Iterator[Server]:
    with serving() as running:
        yield running


def upstream(url: str, extra: str = "") -> str:
    return CONFIG + f"upstream:\n  - id: github\n    name: GitHub\n    url: {url}\n    timeout: 2s\n{extra}"


def built(repo: Repo, capsys: pytest.CaptureFixture[str], now: str = NOW, *extra: str) -> list[str]:
    """Build; the warnings it printed (the build must succeed)."""
    capsys.readouterr()
    assert repo.build(now, *extra) == 0
    return [line for line in capsys.readouterr().err.splitlines() if "warning" in line]


def upstream_html(repo: Repo) -> str:
    index = repo.page("index.html")
    start = index.index('<li class="upstream" id="u-github">')
    return index[start : index.index("</li>\n", index.index("</ul>", start)) + 5]


def test_a_fetched_page_is_shown_in_its_group_and_the_api(
    repo: Repo, server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    url = server.page("github", summary(incidents=[incident("q4bfv4jvd8d0", "Degraded Codespaces")]))
    repo.config(upstream(url, "    group: Third-party\n"))
    assert built(repo, capsys) == []
    assert server.asked == ["/github/api/v2/summary.json"]
    html = upstream_html(repo)
    assert f'<a class="name" href="{url}" rel="external noopener">GitHub</a>' in html
    assert (
        '<span class="small">As of <time datetime="2025-11-10T13:00:00+01:00">Nov 10, 2025, 1:00\u202fPM CET</time>'
        in html
    )
    assert "Out of date" not in html
    names = [part.split("</span>")[0] for part in html.split('<span class="name">')[1:]]
    assert names == ["Git Operations", "API Requests", "Webhooks"]
    assert (
        '<a href="https://stspg.example/q4bfv4jvd8d0" rel="external noopener">Degraded Codespaces</a> <span '
        'class="phase p-investigating">Investigating</span>' in html
    )
    assert '<div class="line"><span class="name">Third-party</span>' in repo.page("index.html")
    components = json.loads(repo.page("api/v2/components.json"))["components"]
    theirs = [c for c in components if c["id"].startswith("github.")]
    assert [(c["id"], c["name"], c["status"], c["group_id"], c["description"]) for c in theirs] == [
        ("github.8l4ygp009s5s", "Git Operations", "operational", "group-third-party", f"Third-party: GitHub, {url}"),
        ("github.brv1bkgrwx7q", "API Requests", "operational", "group-third-party", f"Third-party: GitHub, {url}"),
        ("github.4230lsnqdsld", "Webhooks", "operational", "group-third-party", f"Third-party: GitHub, {url}"),
    ]
    # Never this page's: its own status and uptime are as without the upstream.
    status = json.loads(repo.page("api/v2/status.json"))["status"]
    assert status == {"indicator": "none", "description": "All Systems Operational"}
    assert set(json.loads(repo.page("api/uptime.json"))["components"]) == {"api", "web", "db"}
    kept = json.loads((repo.root / ".statusgen/upstream/github.json").read_text())
    assert (kept["url"], kept["fetched_at"], kept["error"]) == (url + "api/v2/summary.json", NOW, None)
    # An upstream that is up to date is so for 30 minutes: then the page says it is out of date.
    assert repo.page("next-change.txt") == "2025-11-10T12:30:00Z\n"


def redirect_loop(handler: object, stop: object) -> None:
    from http.server import BaseHTTPRequestHandler

    assert isinstance(handler, BaseHTTPRequestHandler)
    handler.send_response(302)
    handler.send_header("Location", handler.path)
    handler.send_header("Content-Length", "0")
    handler.end_headers()


FAULTS: dict[str, tuple[Answer, str | None]] = {
    "500": (Answer(500, b"oops", {"Content-Type": "text/plain"}), "HTTP 500 Internal Server Error"),
    "404": (Answer(404, b"gone", {"Content-Type": "text/plain"}), "HTTP 404 Not Found"),
    "not JSON": (
        Answer(body=b"<html>maintenance</html>"),
        "the answer is not JSON (Expecting value: line 1 column 1 (char 0))",
    ),
    "wrong shape": (
        document({"page": {"name": "GitHub"}}),
        "the answer is not a Statuspage summary: 'components' must be a list",
    ),
    "unknown status": (
        document(summary([component("8l4ygp009s5s", "Git Operations", "on_fire")])),
        "the answer is not a Statuspage summary: components[0].status: unknown status 'on_fire'",
    ),
    "huge": (Answer(body=b" " * 2_000_001), "the document is 2000001 bytes, over the limit of 2000000"),
    "redirect loop": (Answer(behave=redirect_loop), None),
    "slow": (Answer(behave=silent), "no answer within 2 s in all"),
    "drip-fed": (Answer(behave=drip), None),
}


REASONS: dict[str, Callable[[str], str]] = {
    "redirect loop": lambda address: f"more than 3 redirects from {address}",
    "drip-fed": lambda address: "no answer within 2 s in all",
}


@pytest.mark.parametrize("fault", FAULTS)
def test_a_failed_fetch_keeps_the_last_good_state_marked_out_of_date(
    repo: Repo, server: Server, capsys: pytest.CaptureFixture[str], fault: str
) -> None:
    url = server.page("github", summary())
    repo.config(upstream(url))
    assert built(repo, capsys) == []
    server.answer("github", FAULTS[fault][0])
    warnings = built(repo, capsys, LATER)
    address = url + "api/v2/summary.json"
    reason = FAULTS[fault][1] or REASONS[fault](address)
    assert warnings == [
        f"warning: upstream 'github' ({address}): {reason}; the page shows what was fetched at "
        f"{NOW} (15 min ago), marked out of date"
    ]
    html = upstream_html(repo)
    assert (
        '<p class="stale"><svg class="icon" aria-hidden="true" focusable="false"><use '
        'href="#i-stale"/></svg><span>Out of date: this status is 15 min old</span></p>' in html
    )
    assert html.count('<span class="status s-operational">') == 3  # the last good state, still shown
    kept = json.loads((repo.root / ".statusgen/upstream/github.json").read_text())
    assert (kept["fetched_at"], kept["failed_at"], kept["error"]) == (NOW, LATER, reason)
    # The next good fetch clears it.
    server.page("github", summary())
    assert built(repo, capsys, "2025-11-10T12:20:00Z") == []
    assert "Out of date" not in upstream_html(repo)


def test_a_page_never_fetched_says_its_status_is_unknown(
    repo: Repo, server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    url = server.answer("github", FAULTS["500"][0])
    repo.config(upstream(url))
    warnings = built(repo, capsys)
    assert warnings == [
        f"warning: upstream 'github' ({url}api/v2/summary.json): HTTP 500 Internal Server Error; "
        "nothing is known of it yet; the page says so"
    ]
    html = upstream_html(repo)
    assert "<span>Status unknown: it could not be fetched yet</span>" in html
    assert 'class="status' not in html


def test_offline_builds_and_check_fetch_nothing(repo: Repo, server: Server, capsys: pytest.CaptureFixture[str]) -> None:
    url = server.page("github", summary())
    repo.config(upstream(url))
    assert built(repo, capsys) == []
    server.asked.clear()
    server.page("github", summary([component("8l4ygp009s5s", "Git Operations", "major_outage")]))
    assert built(repo, capsys, NOW, "--offline") == []
    assert repo.run("check", "--now", NOW) == 0
    assert server.asked == []
    assert upstream_html(repo).count('<span class="status s-operational">') == 3  # as kept
    # Offline, what is kept grows old like any other: 31 minutes on, it is out of date.
    assert built(repo, capsys, "2025-11-10T12:31:00Z", "--offline") == []
    assert "Out of date: this status is 31 min old" in upstream_html(repo)
    assert server.asked == []


def test_a_component_that_disappears_upstream_is_a_warning(
    repo: Repo, server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    url = server.page("github", summary())
    repo.config(upstream(url, "    components: [Git Operations, webhooks]\n"))
    assert built(repo, capsys) == []
    assert [n.split("</span>")[0] for n in upstream_html(repo).split('<span class="name">')[1:]] == [
        "Git Operations",
        "Webhooks",
    ]
    server.page(
        "github", summary([component("8l4ygp009s5s", "Git Operations"), component("brv1bkgrwx7q", "API Requests")])
    )
    warnings = built(repo, capsys, LATER)
    assert warnings == [
        "statusgen.yaml:20: warning: upstream 'github' has no component 'webhooks' (it has: Git Operations, "
        "API Requests)"
    ]
    assert [n.split("</span>")[0] for n in upstream_html(repo).split('<span class="name">')[1:]] == ["Git Operations"]
    capsys.readouterr()
    assert repo.run("check", "--now", LATER) == 0
    assert "statusgen.yaml:20: warning: upstream 'github' has no component 'webhooks'" in capsys.readouterr().err


def test_affects_follows_the_upstream_while_it_lasts_and_counts_that_time(
    repo: Repo, server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    down = summary(
        [
            component("8l4ygp009s5s", "Git Operations", "major_outage", "2025-11-10T11:00:00Z"),
            component("brv1bkgrwx7q", "API Requests"),
        ]
    )
    url = server.page("github", down)
    repo.config(upstream(url, "    components: [Git Operations]\n    affects: [api]\n"))
    assert built(repo, capsys) == []
    summary_api = json.loads(repo.page("api/v2/summary.json"))
    statuses = {c["id"]: c["status"] for c in summary_api["components"]}
    assert (statuses["api"], statuses["web"], statuses["db"]) == ("major_outage", "operational", "operational")
    assert summary_api["status"] == {"indicator": "critical", "description": "Major Service Outage"}
    assert '<p class="reason">Major outage: GitHub Git Operations</p>' in repo.page("index.html")
    assert '<p class="reason">Major outage: GitHub Git Operations</p>' in repo.page("components/api/index.html")
    today = json.loads(repo.page("api/uptime.json"))["components"]["api"]["days"][-1]
    assert today == {"date": "2025-11-10", "uptime": 92.308, "downtime_minutes": 60.0}  # 11:00-12:00 of 13 h
    # It recovered at 12:20 by its word: those 80 minutes stay counted, and nothing more.
    server.page("github", summary([component("8l4ygp009s5s", "Git Operations", "operational", "2025-11-10T12:20:00Z")]))
    assert built(repo, capsys, "2025-11-10T12:30:00Z") == []
    today = json.loads(repo.page("api/uptime.json"))["components"]["api"]["days"][-1]
    assert today == {"date": "2025-11-10", "uptime": 90.123, "downtime_minutes": 80.0}  # of 13.5 h
    assert '<p class="reason">' not in repo.page("index.html")
    assert json.loads(repo.page("api/v2/status.json"))["status"]["indicator"] == "none"


def test_a_failed_fetch_keeps_following_until_the_state_is_too_old(
    repo: Repo, server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    partial = component("8l4ygp009s5s", "Git Operations", "partial_outage", "2025-11-10T11:00:00Z")
    url = server.page("github", summary([partial]))
    repo.config(upstream(url, "    affects: [api, db]\n"))
    assert built(repo, capsys) == []
    assert '<p class="reason">Partial outage: GitHub Git Operations</p>' in repo.page("components/db/index.html")
    server.answer("github", FAULTS["500"][0])
    # A provider's page fails when it is busiest: one failed fetch changes nothing of ours.
    assert len(built(repo, capsys, LATER)) == 1
    statuses = {c["id"]: c["status"] for c in json.loads(repo.page("api/v2/components.json"))["components"]}
    assert (statuses["api"], statuses["db"]) == ("partial_outage", "partial_outage")
    assert repo.page("next-change.txt") == "2025-11-10T12:30:00Z\n"
    # Older than 30 minutes, it is followed no more, and counted up to then.
    assert len(built(repo, capsys, "2025-11-10T14:00:00Z")) == 1
    statuses = {c["id"]: c["status"] for c in json.loads(repo.page("api/v2/components.json"))["components"]}
    assert (statuses["api"], statuses["db"], statuses["github.8l4ygp009s5s"]) == (
        "operational",
        "operational",
        "partial_outage",
    )
    today = json.loads(repo.page("api/uptime.json"))["components"]["db"]["days"][-1]
    assert today["downtime_minutes"] == 27.0  # 11:00 to 12:30, at 0.3 a minute
    assert '<p class="reason">' not in repo.page("components/db/index.html")


def test_spells_start_no_earlier_than_the_last_look_and_stay_counted(
    repo: Repo, server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    url = server.page("github", summary([component("c1", "Git Operations", "major_outage", "2025-11-01T00:00:00Z")]))
    repo.config(upstream(url, "    affects: [api]\n"))
    assert built(repo, capsys, "2025-11-10T12:00:00Z") == []
    kept = json.loads((repo.root / ".statusgen/upstream/github.json").read_text())
    # A first look believes at most a day back.
    assert kept["spells"] == [
        {
            "component": "c1",
            "status": "major_outage",
            "start": "2025-11-09T12:00:00Z",
            "end": None,
            "followers": ["api"],
        }
    ]
    server.page("github", summary([component("c1", "Git Operations", "operational", "2025-11-10T12:10:00Z")]))
    assert built(repo, capsys, "2025-11-10T12:15:00Z") == []
    # Seen operational at 12:15, it may not say at 12:30 that it has been down since November.
    server.page("github", summary([component("c1", "Git Operations", "major_outage", "2025-11-01T00:00:00Z")]))
    assert built(repo, capsys, "2025-11-10T12:30:00Z") == []
    server.page("github", summary([component("c2", "API Requests")]))  # and then c1 is gone
    assert built(repo, capsys, "2025-11-10T12:45:00Z") == []
    kept = json.loads((repo.root / ".statusgen/upstream/github.json").read_text())
    assert kept["spells"] == [
        {
            "component": "c1",
            "status": "major_outage",
            "start": "2025-11-09T12:00:00Z",
            "end": "2025-11-10T12:10:00Z",
            "followers": ["api"],
        },
        {
            "component": "c1",
            "status": "major_outage",
            "start": "2025-11-10T12:15:00Z",
            "end": "2025-11-10T12:30:00Z",
            "followers": ["api"],
        },
    ]
    days = json.loads(repo.page("api/uptime.json"))["components"]["api"]["days"]
    # Yesterday from 13:00 (CET) to midnight, today from midnight to 13:10 and 13:15 to 13:30.
    assert [(d["date"], d["downtime_minutes"]) for d in days[-2:]] == [("2025-11-09", 660.0), ("2025-11-10", 805.0)]


def test_an_upstream_change_remakes_only_the_pages_it_touches(
    repo: Repo, server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    url = server.page("github", summary())
    repo.config(upstream(url, "    affects: [web]\n"))
    assert built(repo, capsys) == []
    before = tree_digest(repo.site)
    server.page(
        "github", summary([component("8l4ygp009s5s", "Git Operations", "degraded_performance", "2025-11-10T11:58:00Z")])
    )
    assert built(repo, capsys) == []
    after = tree_digest(repo.site)
    rewritten = sorted(path for path in after if after[path] != before.get(path))
    changed = sorted(path for path in after if after[path][0] != before.get(path, ("",))[0])
    assert changed == [
        "api/v2/components.json",
        "api/v2/status.json",
        "api/v2/summary.json",
        "badge.json",
        "badge.svg",
        "components/web/badge.json",
        "components/web/badge.svg",
        "components/web/index.html",
        "embed/index.html",
        "index.html",
    ]
    assert (
        "components/api/index.html" not in rewritten and "incidents/2025-11-03-api-errors/index.html" not in rewritten
    )


HOSTILE = {
    "nested too deep": (b"[" * 100000 + b"]" * 100000, "the answer is not JSON that can be read (nested too deep)"),
    "a time out of range": (
        json.dumps(summary([component("c1", "Git", updated="0001-01-01T00:00:00+01:00")])).encode(),
        "the answer is not a Statuspage summary: components[0].updated_at must be a time, not "
        "'0001-01-01T00:00:00+01:00'",
    ),
    "a number too long": (
        b'{"a": ' + b"1" * 5000 + b"}",
        "the answer is not JSON that can be read (not UTF-8, or a number too long)",
    ),
    "a long status": (
        json.dumps(summary([component("c1", "Git", "\x1b[31m" + "A" * 500000)])).encode(),
        "the answer is not a Statuspage summary: components[0].status: unknown status "
        + repr("\x1b[31m" + "A" * 500000)[:39]
        + "…",
    ),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_a_hostile_upstream_is_a_warning_with_its_reason_bounded(
    repo: Repo, server: Server, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    url = server.answer("github", Answer(body=HOSTILE[case][0]))
    repo.config(upstream(url))
    assert built(repo, capsys) == [
        f"warning: upstream 'github' ({url}api/v2/summary.json): {HOSTILE[case][1]}; nothing is known of it yet; "
        "the page says so"
    ]


def test_upstream_text_is_escaped_and_only_web_links_are_followed(
    repo: Repo, server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    evil = incident("x1", "<script>alert(1)</script> & more")
    evil["shortlink"] = "javascript:alert(1)"
    data = summary([component("c1", '<img src=x onerror="alert(1)">')], incidents=[evil])
    data["page"]["url"] = "javascript:alert(2)"
    url = server.page("github", data)
    repo.config(upstream(url))
    assert built(repo, capsys) == []
    html = upstream_html(repo)
    assert '<span class="name">&lt;img src=x onerror=&#34;alert(1)&#34;&gt;</span>' in html
    assert '<a href="">&lt;script&gt;alert(1)&lt;/script&gt; &amp; more</a>' not in html
    assert "javascript:" not in repo.page("index.html")
    assert f'<a href="{url}" rel="external noopener">&lt;script&gt;alert(1)&lt;/script&gt; &amp; more</a>' in html


def test_many_components_are_cut_to_what_the_page_shows_with_a_warning(
    repo: Repo, server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    many = [component(f"c{n}", f"Region {n:03d} " + "x" * 300) for n in range(200)]
    url = server.page("github", summary(many, incidents=[incident(f"i{n}", "y" * 1000) for n in range(20)]))
    repo.config(upstream(url))
    assert built(repo, capsys) == [
        "statusgen.yaml:16: warning: upstream 'github' has 200 components; the page shows the first 30 "
        "(name the ones to show in components:)"
    ]
    html = upstream_html(repo)
    assert html.count('<li class="item">') == 30 and html.count('<p class="event">') == 5
    assert len(gzip.compress(repo.page("index.html").encode())) < 14_000


def test_kept_state_that_is_damaged_or_from_a_later_build_is_not_used(
    repo: Repo, server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    url = server.page("github", summary())
    repo.config(upstream(url))
    assert built(repo, capsys) == []
    path = repo.root / ".statusgen/upstream/github.json"
    good = json.loads(path.read_text())
    for fetched in ("0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59+00:00", "2030-01-01T00:00:00Z"):
        path.write_text(json.dumps({**good, "fetched_at": fetched}))
        assert built(repo, capsys, NOW, "--offline") == []
        assert "<span>Status unknown: it could not be fetched yet</span>" in upstream_html(repo)
        assert repo.run("check", "--now", NOW) == 0
    # A fetch that fails then is not shown as fresh: nothing earlier is known.
    server.answer("github", FAULTS["500"][0])
    assert len(built(repo, capsys)) == 1
    assert "<span>Status unknown: it could not be fetched yet</span>" in upstream_html(repo)


def test_a_kept_folder_that_is_a_link_is_neither_read_nor_written(
    repo: Repo, server: Server, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = server.page("github", summary([component("c1", "Git Operations", "major_outage")]))
    repo.config(upstream(url))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "github.json").write_text(
        json.dumps({"url": url + "api/v2/summary.json", "fetched_at": NOW, "document": summary(), "spells": []})
    )
    (repo.root / ".statusgen").mkdir()
    (repo.root / ".statusgen/upstream").symlink_to(elsewhere)
    assert built(repo, capsys, NOW, "--offline") == []
    assert "<span>Status unknown: it could not be fetched yet</span>" in upstream_html(repo)
    # What this build fetched is shown all the same; it is only not kept.
    assert built(repo, capsys) == [
        f"warning: {repo.root}/.statusgen/upstream: not a folder; the status of upstream pages is not kept"
    ]
    assert '<span class="status s-major_outage">' in upstream_html(repo)
    assert json.loads((elsewhere / "github.json").read_text())["document"] == summary()


def test_a_statusgen_folder_tracked_by_git_is_not_trusted(
    repo: Repo, server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    url = server.page("github", summary())
    repo.config(upstream(url))
    down = summary([component("8l4ygp009s5s", "Git Operations", "major_outage")])
    planted = {"url": url + "api/v2/summary.json", "fetched_at": NOW, "spells": [], "document": down}
    repo.write(".statusgen/upstream/github.json", json.dumps(planted))
    git = ["git", "-C", str(repo.root), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "planted"], check=True)
    warnings = built(repo, capsys, NOW, "--offline", "--no-cache")
    assert warnings == ["warning: .statusgen: tracked by git, so nothing kept in it of upstream pages is used"]
    assert "<span>Status unknown: it could not be fetched yet</span>" in upstream_html(repo)
    assert built(repo, capsys, NOW, "--no-cache") == warnings
    assert upstream_html(repo).count('<span class="status s-operational">') == 3  # as fetched, not as planted
    assert json.loads((repo.root / ".statusgen/upstream/github.json").read_text()) == planted  # nor written


def test_api_ids_stay_unique_and_stable_whatever_the_upstream_calls_itself(
    repo: Repo, server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    twice = [component("c1", "Git Operations"), component("c1", "Git Operations again", "major_outage")]
    url = server.page("github", summary(twice, name="Platform!"))
    repo.config(upstream(url, "    group: Platform!\n").replace("    name: GitHub\n", ""))
    assert built(repo, capsys) == []
    components = json.loads(repo.page("api/v2/components.json"))["components"]
    ids = [c["id"] for c in components]
    assert ids == ["group-platform", "api", "web", "db", "group-platform-2", "github.c1"]
    assert [c["status"] for c in components if c["id"] == "github.c1"] == ["operational"]  # the first listed
    # Renamed upstream, same ids: the group is named in statusgen.yaml, not by the upstream.
    server.page("github", summary(twice, name="GitHub (new name)"))
    assert built(repo, capsys, LATER) == []
    assert [c["id"] for c in json.loads(repo.page("api/v2/components.json"))["components"]] == ids


def kept_spells(repo: Repo) -> list[tuple[str, str | None, list[str]]]:
    kept = json.loads((repo.root / ".statusgen/upstream/github.json").read_text())
    return [(s["start"], s["end"], s["followers"]) for s in kept["spells"]]


def db_down(repo: Repo, day: int = -1) -> float:
    return float(json.loads(repo.page("api/uptime.json"))["components"]["db"]["days"][day]["downtime_minutes"])


def test_a_build_at_an_earlier_now_neither_uses_nor_replaces_what_is_kept(
    repo: Repo, server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    url = server.page("github", summary([component("c1", "Git Operations", "major_outage", "2025-11-10T11:30:00Z")]))
    repo.config(upstream(url, "    affects: [db]\n"))
    assert built(repo, capsys) == []
    kept = (repo.root / ".statusgen/upstream/github.json").read_bytes()
    assert built(repo, capsys, "2025-11-09T12:00:00Z") == []  # a look at the day before
    assert (repo.root / ".statusgen/upstream/github.json").read_bytes() == kept
    assert db_down(repo) == 0.0  # what the upstream says began on the 10th is not placed on the 9th
    assert built(repo, capsys, "2025-11-10T12:20:00Z") == []
    assert (db_down(repo, -2), db_down(repo)) == (0.0, 50.0)  # 11:30 to 12:20


def test_a_component_added_to_affects_is_not_charged_with_the_past(
    repo: Repo, server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    url = server.page("github", summary([component("c1", "Git Operations", "major_outage", "2025-11-10T11:30:00Z")]))
    repo.config(upstream(url, "    affects: [db]\n"))
    assert built(repo, capsys) == []
    repo.config(upstream(url, "    affects: [db, web]\n"))
    assert built(repo, capsys, "2025-11-10T12:10:00Z") == []
    assert kept_spells(repo) == [
        ("2025-11-10T11:30:00Z", "2025-11-10T12:10:00Z", ["db"]),
        ("2025-11-10T12:10:00Z", None, ["db", "web"]),
    ]
    assert built(repo, capsys, "2025-11-10T12:20:00Z") == []
    uptime = json.loads(repo.page("api/uptime.json"))["components"]
    assert (uptime["db"]["days"][-1]["downtime_minutes"], uptime["web"]["days"][-1]["downtime_minutes"]) == (50.0, 10.0)


def test_time_no_fetch_saw_is_not_counted(repo: Repo, server: Server, capsys: pytest.CaptureFixture[str]) -> None:
    url = server.page("github", summary([component("c1", "Git Operations", "major_outage", "2025-11-10T11:30:00Z")]))
    repo.config(upstream(url, "    affects: [db]\n"))
    assert built(repo, capsys) == []
    assert built(repo, capsys, "2025-11-10T19:00:00Z", "--offline") == []
    assert db_down(repo) == 60.0  # 11:30 to 12:30, half an hour after it was last heard
    # Back at 20:00, with no word of when it recovered: the unseen hours stay uncounted.
    back = component("c1", "Git Operations", "operational")
    back["updated_at"] = None
    server.page("github", summary([back]))
    assert built(repo, capsys, "2025-11-10T20:00:00Z") == []
    assert db_down(repo) == 60.0


def test_a_component_no_longer_shown_is_followed_no_more(
    repo: Repo, server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    url = server.page(
        "github",
        summary(
            [component("c1", "Git Operations", "major_outage", "2025-11-10T11:30:00Z"), component("c2", "API Requests")]
        ),
    )
    repo.config(upstream(url, "    affects: [db]\n"))
    assert built(repo, capsys) == []
    repo.config(upstream(url, "    affects: [db]\n    components: [API Requests]\n"))
    assert built(repo, capsys, "2025-11-10T12:05:00Z", "--offline") == []
    statuses = {c["id"]: c["status"] for c in json.loads(repo.page("api/v2/components.json"))["components"]}
    assert statuses["db"] == "operational" and '<p class="reason">' not in repo.page("index.html")
    assert db_down(repo) == 30.0  # up to the last look, at 12:00


def test_a_team_pages_providers_are_not_taken_for_its_own(
    repo: Repo, server: Server, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    provider = server.page("github", summary([component("c1", "Git Operations", "major_outage")]))
    team = Repo(tmp_path / "team")
    team.config(upstream(provider))
    assert built(team, capsys) == []
    theirs = json.loads(team.page("api/v2/components.json"))["components"]
    assert "github.c1" in [c["id"] for c in theirs]  # listed among its components
    server.answers["/team/api/v2/summary.json"] = Answer(body=team.page("api/v2/summary.json").encode())
    repo.config(CONFIG + f"upstream:\n  - id: team\n    name: Team\n    url: {server.base}/team/\n    affects: [db]\n")
    assert built(repo, capsys) == []
    ids = [c["id"] for c in json.loads(repo.page("api/v2/components.json"))["components"]]
    assert [i for i in ids if i.startswith("team.")] == ["team.api", "team.web", "team.db"]
    assert db_down(repo) == 0.0 and '<p class="reason">' not in repo.page("index.html")


def test_a_document_without_times_is_as_of_the_build(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    data = summary([component("c1", "Object Storage", "major_outage")])
    data["page"]["updated_at"] = None
    data["components"][0]["updated_at"] = None
    repo.write("upstream/nimbus.json", json.dumps(data))
    repo.config(
        CONFIG + "upstream:\n  - id: nimbus\n    name: Nimbus\n    document: upstream/nimbus.json\n    affects: [db]\n"
    )
    assert built(repo, capsys) == []
    index = repo.page("index.html")
    assert '<p class="reason">Major outage: Nimbus Object Storage</p>' in index
    assert '<span class="small">As of <time datetime="2025-11-10T13:00:00+01:00">' in index
    assert "could not be fetched" not in index


def test_ids_that_would_collide_are_told_apart(repo: Repo, server: Server, capsys: pytest.CaptureFixture[str]) -> None:
    clash = hashlib.sha256(b"x.y").hexdigest()[:16]
    url = server.page("github", summary([component("x.y", "Dotted"), component("h" + clash, "Looks like a digest")]))
    repo.config(upstream(url))
    assert built(repo, capsys) == []
    ids = [
        c["id"] for c in json.loads(repo.page("api/v2/components.json"))["components"] if c["id"].startswith("github.")
    ]
    assert ids == [f"github.h{clash}", "github.h" + hashlib.sha256(("h" + clash).encode()).hexdigest()[:16]]
