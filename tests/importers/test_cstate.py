"""`statusgen import cstate`: a cState site in its own format, imported, built and read back."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from conftest import CONFIG, Repo
from statusgen.load.repository import load_repository

SITE_CONFIG = """\
title: Acme Status
baseURL: https://status.acme.test/
timeZone: Europe/Rome
params:
  description: Acme's services
  categories:
    - name: Core
      description: The main servers.
    - name: Uncategorized
      untitled: true
  systems:
    - name: Gateway
      category: Core
    - name: API
      description: The guts of it.
      category: Core
    - Website
  dateFormat: January 2, 2006 at 3:04 PM
"""

ISSUES = {
    "2025-03-01-gateway-down.md": """\
        ---
        title: Gateway down
        date: 2025-03-01 10:00:00
        resolved: true
        resolvedWhen: 2025-03-01 11:30:00
        severity: down
        affected:
          - Gateway
          - API
        section: issue
        ---

        *Resolved* - The gateway is back. {{< track "2025-03-01 11:30:00" >}}

        *Monitoring* - A fix is out. {{< track "2025-03-01 11:00:00" >}}

        *Investigating* - The gateway does not answer. {{< track "2025-03-01 10:00:00" >}}
        """,
    "2025-04-02-slow-api.md": """\
        ---
        title: Slow API
        date: 2025-04-02T08:00:00Z
        resolved: true
        resolvedWhen: 2025-04-02T09:15:00Z
        severity: disrupted
        affected: [API]
        section: issue
        ---

        Requests are slow.
        """,
    "2025-05-03-website-notice.md": """\
        ---
        title: Website notice
        date: 2025-05-03 12:00:00
        resolved: false
        severity: notice
        affected: [Website]
        section: issue
        ---

        *Identified* - Images load slowly. {{< track "2025-05-03 12:30:00" >}}

        *Investigating* - Some images are slow. {{< track "2025-05-03 12:00:00" >}}
        """,
    "2025-06-04-planned-move.md": """\
        ---
        title: Planned move
        date: 2025-06-04 09:00:00
        informational: true
        pin: true
        section: issue
        ---

        We move to a new data centre next week.
        """,
}

TZ_NOTE = "times without an offset were read in Europe/Rome"


def cstate_site(folder: Path, issues: dict[str, str] = ISSUES, config: str = SITE_CONFIG) -> Path:
    (folder / "content" / "issues").mkdir(parents=True)
    (folder / "config.yml").write_text(config, encoding="utf-8")
    for name, text in issues.items():
        (folder / "content" / "issues" / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return cstate_site(tmp_path / "cstate")


@pytest.fixture
def target(tmp_path: Path) -> Repo:
    repo = Repo(tmp_path / "status")
    repo.root.mkdir()
    return repo


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_import_then_build_lists_the_same_incidents(
    site: Path, target: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    assert target.run("import", "cstate", str(site)) == 0
    out = capsys.readouterr().out
    assert TZ_NOTE in out
    assert "complete its site: settings" in out
    assert sorted(p.name for p in (target.root / "incidents").iterdir()) == [
        "2025-03-01-gateway-down.md",
        "2025-04-02-slow-api.md",
        "2025-05-03-website-notice.md",
        "2025-06-04-planned-move.md",
    ]
    repo = load_repository(target.root)  # every file written loads
    assert [(c.id, c.name, c.group) for c in repo.config.components] == [
        ("gateway", "Gateway", "Core"),
        ("api", "API", "Core"),
        ("website", "Website", None),
    ]
    assert target.build("2025-07-01T00:00:00Z") == 0
    listed = json.loads(target.page("api/v2/incidents.json"))["incidents"]
    got = {
        i["name"]: (
            i["status"],
            i["impact"],
            [(u["status"], u["created_at"], u["body"]) for u in i["incident_updates"]],
        )
        for i in listed
    }
    assert got == {
        "Gateway down": (
            "resolved",
            "major",
            [
                ("resolved", "2025-03-01T10:30:00Z", "The gateway is back."),
                ("monitoring", "2025-03-01T10:00:00Z", "A fix is out."),
                ("investigating", "2025-03-01T09:00:00Z", "The gateway does not answer."),
            ],
        ),
        "Slow API": (
            "resolved",
            "minor",
            [
                ("resolved", "2025-04-02T09:15:00Z", "This incident has been resolved."),
                ("investigating", "2025-04-02T08:00:00Z", "Requests are slow."),
            ],
        ),
        "Website notice": (
            "identified",
            "none",
            [
                ("identified", "2025-05-03T10:30:00Z", "Images load slowly."),
                ("investigating", "2025-05-03T10:00:00Z", "Some images are slow."),
            ],
        ),
        "Planned move": (
            "resolved",
            "none",
            [("resolved", "2025-06-04T07:00:00Z", "We move to a new data centre next week.")],
        ),
    }
    text = (target.root / "incidents" / "2025-03-01-gateway-down.md").read_text(encoding="utf-8")
    assert "2025-03-01T10:00:00+01:00" in text  # the offset of the zone it was read in is kept
    assert "gateway: major_outage" in text


def test_dry_run_writes_nothing(site: Path, target: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    assert target.run("import", "cstate", str(site), "--dry-run") == 0
    out = capsys.readouterr().out
    assert "would write incidents/2025-03-01-gateway-down.md" in out
    assert "    title: Gateway down" in out
    assert "import cstate: 5 would write, 0 unchanged, 0 skipped; dry run, nothing written" in out
    assert snapshot(target.root) == {}


def test_second_run_writes_nothing(site: Path, target: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    assert target.run("import", "cstate", str(site)) == 0
    before = {p: p.stat().st_mtime_ns for p in target.root.rglob("*") if p.is_file()}
    capsys.readouterr()
    assert target.run("import", "cstate", str(site)) == 0
    assert "import cstate: 0 wrote, 4 unchanged, 0 skipped" in capsys.readouterr().out
    assert {p: p.stat().st_mtime_ns for p in target.root.rglob("*") if p.is_file() and ".statusgen" not in p.parts} == {
        p: m for p, m in before.items() if ".statusgen" not in p.parts
    }


def test_an_edited_file_is_skipped(site: Path, target: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    assert target.run("import", "cstate", str(site)) == 0
    edited = target.root / "incidents" / "2025-04-02-slow-api.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "A person's note.\n", encoding="utf-8")
    mine = edited.read_bytes()
    # The source changes that incident too: the person's edit still wins.
    issue = site / "content" / "issues" / "2025-04-02-slow-api.md"
    issue.write_text(issue.read_text(encoding="utf-8").replace("Requests are slow.", "Requests are very slow."))
    capsys.readouterr()
    assert target.run("import", "cstate", str(site)) == 0
    out = capsys.readouterr().out
    assert "skipped incidents/2025-04-02-slow-api.md: edited since it was imported" in out
    assert edited.read_bytes() == mine


def test_a_file_not_written_by_an_import_is_never_overwritten(
    site: Path, target: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    own = target.write("incidents/2025-04-02-slow-api.md", "---\ntitle: mine\n---\n")
    assert target.run("import", "cstate", str(site)) == 0
    assert "skipped incidents/2025-04-02-slow-api.md: a file of that name is already there" in capsys.readouterr().out
    assert own.read_text(encoding="utf-8") == "---\ntitle: mine\n---\n"


def test_a_source_update_follows_into_an_untouched_file(site: Path, target: Repo) -> None:
    assert target.run("import", "cstate", str(site)) == 0
    issue = site / "content" / "issues" / "2025-04-02-slow-api.md"
    issue.write_text(issue.read_text(encoding="utf-8").replace("Requests are slow.", "Requests are very slow."))
    assert target.run("import", "cstate", str(site)) == 0
    assert "Requests are very slow." in (target.root / "incidents" / "2025-04-02-slow-api.md").read_text()


MERGE_CONFIG = CONFIG.replace(
    "  - id: db\n    name: Database\n", "  # kept as written\n  - id: db\n    name: Database\n"
) + ("policy:\n  update_every: {critical: 30m}\n")


def test_merging_keeps_every_byte_of_statusgen_yaml(
    site: Path, target: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    target.config(MERGE_CONFIG)
    original = (target.root / "statusgen.yaml").read_text(encoding="utf-8")
    assert target.run("import", "cstate", str(site)) == 0
    assert "components added: gateway, website" in capsys.readouterr().out
    merged = (target.root / "statusgen.yaml").read_text(encoding="utf-8")
    head, _, rest = original.partition("policy:")
    assert merged == (
        head
        + "  - id: gateway\n    name: Gateway\n    group: Core\n  - id: website\n    name: Website\n"
        + "policy:"
        + rest
    )
    repo = load_repository(target.root)
    assert [c.id for c in repo.config.components] == ["api", "web", "db", "gateway", "website"]
    # "API" is the existing component of that name (its id api), not a second one.
    assert repo.config.by_id["api"].name == "Public API"


@pytest.mark.parametrize(
    ("issues", "config", "message"),
    [
        (
            {"x.md": "---\ntitle: X\ndate: 2025-01-01 10:00:00\nseverity: down\nafected: [API]\n---\n"},
            SITE_CONFIG,
            "error: content/issues/x.md:5: unknown key 'afected' in the front matter (did you mean 'affected'?)",
        ),
        (
            {"x.md": "---\ntitle: X\ndate: yesterday at noon\nseverity: down\n---\n"},
            SITE_CONFIG,
            "error: content/issues/x.md:3: unreadable time 'yesterday at noon' "
            "(write it like 2025-11-03 14:05:00 or 2025-11-03T14:05:00Z)",
        ),
        (
            {"x.md": "---\ntitle: X\ndate: 2025-01-01 10:00:00\nseverity: broken\n---\n"},
            SITE_CONFIG,
            "error: content/issues/x.md:4: severity 'broken' is not one of cState's (one of: down, disrupted, notice)",
        ),
        (
            {"x.md": "---\ntitle: [X\n---\n"},
            SITE_CONFIG,
            "error: content/issues/x.md:",
        ),
        (
            {"x.md": "title: X\n"},
            SITE_CONFIG,
            "error: content/issues/x.md:1: missing front matter",
        ),
        (
            {"x.md": '---\ntitle: X\ndate: 2025-01-01 10:00:00\nseverity: down\n---\nA {{< track "soon" >}}\n'},
            SITE_CONFIG,
            "error: content/issues/x.md:6: unreadable time 'soon'",
        ),
        (
            {},
            SITE_CONFIG.replace("timeZone: Europe/Rome", "timeZone: Europe/Rme"),
            "error: config.yml:3: unknown time zone 'Europe/Rme' (give an IANA name like Europe/Rome, or UTC)",
        ),
        (
            {},
            SITE_CONFIG.replace("      category: Core\n    - Website", "      category: Cor\n    - Website"),
            "error: config.yml:16: system 'API' is in category 'Cor', which params.categories does not list "
            "(did you mean 'Core'?)",
        ),
    ],
)
def test_bad_input_names_the_file_and_line_and_writes_nothing(
    tmp_path: Path, target: Repo, capsys: pytest.CaptureFixture[str], issues: dict[str, str], config: str, message: str
) -> None:
    site = cstate_site(tmp_path / "cstate", {**issues}, config)
    target.config(MERGE_CONFIG)
    before = snapshot(target.root)
    assert target.run("import", "cstate", str(site)) == 1
    assert capsys.readouterr().err.startswith(message)
    assert snapshot(target.root) == before


def test_a_folder_that_is_no_cstate_site(tmp_path: Path, target: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    assert target.run("import", "cstate", str(tmp_path)) == 1
    assert capsys.readouterr().err == (
        f"error: {tmp_path}: not a cState site: no config.yml "
        "(give the folder of the cState site, the one with config.yml and content/issues/)\n"
    )
    assert snapshot(target.root) == {}
