"""upstream: in statusgen.yaml, and documents kept in the repository: each bad value refused at
its line with its exact message and hint, exit 1, and site/ left as it was; good ones loaded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import CONFIG, Repo, tree_digest
from statusgen.errors import Problem
from statusgen.load.config import load_config
from statusgen.load.upstream import Upstream
from statuspage import component, group, summary

URL_HINT = "give the page's https:// address, e.g. https://www.githubstatus.com/"
DOC_HINT = "save the page's api/v2/summary.json as it is"


def upstream(*lines: str) -> str:
    """The test config with an upstream: list whose first entry's lines start at line 16."""
    return CONFIG + "upstream:\n" + "".join(f"{line}\n" for line in lines)


CASES: list[tuple[str, dict[str, str], str]] = [
    (
        "unknown-key",
        {"statusgen.yaml": upstream("  - id: github", "    url: https://www.githubstatus.com/", "    afects: [api]")},
        "statusgen.yaml:18: unknown key 'afects' in upstream (did you mean 'affects'?)",
    ),
    (
        "bad-id",
        {"statusgen.yaml": upstream("  - id: GitHub", "    url: https://www.githubstatus.com/")},
        "statusgen.yaml:16: upstream id 'GitHub' must use only a-z, 0-9 and '-' (ids appear in the API, e.g. "
        "github or payments-team)",
    ),
    (
        "duplicate-id",
        {
            "statusgen.yaml": upstream(
                "  - id: github", "    url: https://a.example/", "  - id: github", "    url: https://b.example/"
            )
        },
        "statusgen.yaml:18: duplicate upstream id 'github' (already used on line 16)",
    ),
    (
        "file-url",
        {"statusgen.yaml": upstream("  - id: github", "    url: file:///etc/passwd")},
        f"statusgen.yaml:17: upstream url must be an http(s) address with a host, not 'file:///etc/passwd' "
        f"({URL_HINT})",
    ),
    (
        "ftp-url",
        {"statusgen.yaml": upstream("  - id: github", "    url: ftp://status.example.com/")},
        f"statusgen.yaml:17: upstream url must be an http(s) address with a host, not "
        f"'ftp://status.example.com/' ({URL_HINT})",
    ),
    (
        "plain-http-elsewhere",
        {"statusgen.yaml": upstream("  - id: github", "    url: http://www.githubstatus.com/")},
        "statusgen.yaml:17: upstream url must use https, not 'http://www.githubstatus.com/' "
        "(plain http is read only from this machine (127.0.0.1))",
    ),
    (
        "credentials",
        {"statusgen.yaml": upstream("  - id: github", "    url: https://me:secret@status.example.com/")},
        "statusgen.yaml:17: upstream url must not hold a user name or password (a status page is public: "
        "give its address alone)",
    ),
    (
        "query",
        {"statusgen.yaml": upstream("  - id: github", "    url: https://status.example.com/?token=SECRET")},
        "statusgen.yaml:17: upstream url must not have a query or fragment (a status page is public: give "
        "its address alone)",
    ),
    (
        "credentials-in-another-scheme",
        {"statusgen.yaml": upstream("  - id: github", "    url: ftp://me:hunter2@status.example.com/")},
        "statusgen.yaml:17: upstream url must not hold a user name or password (a status page is public: "
        "give its address alone)",
    ),
    (
        "too-many",
        {"statusgen.yaml": upstream(*[f"  - {{id: p{n}, url: 'https://p{n}.example/'}}" for n in range(11)])},
        "statusgen.yaml:26: at most 10 upstream pages, not 11 (show the providers your customers ask about; "
        "gather many team pages on an organisation page)",
    ),
    (
        "document-nested-too-deep",
        {
            "statusgen.yaml": upstream("  - id: github", "    document: github.json"),
            "github.json": "[" * 50000 + "]" * 50000,
        },
        f"github.json:1: not JSON that can be read: nested too deep ({DOC_HINT})",
    ),
    (
        "document-time-out-of-range",
        {
            "statusgen.yaml": upstream("  - id: github", "    document: github.json"),
            "github.json": json.dumps(summary([component("c1", "Git", updated="0001-01-01T00:00:00+05:00")])),
        },
        "github.json:1: not a Statuspage summary: components[0].updated_at must be a time, not "
        f"'0001-01-01T00:00:00+05:00' ({DOC_HINT})",
    ),
    (
        "document-number-too-long",
        {
            "statusgen.yaml": upstream("  - id: github", "    document: github.json"),
            "github.json": '{"a": ' + "1" * 5000 + "}",
        },
        f"github.json:1: not JSON that can be read: a number too long ({DOC_HINT})",
    ),
    (
        "no-url",
        {"statusgen.yaml": upstream("  - id: github", "    name: GitHub")},
        "statusgen.yaml:16: an upstream needs a url (the address of a Statuspage-compatible page, e.g. "
        "https://www.githubstatus.com/)",
    ),
    (
        "unknown-affects",
        {"statusgen.yaml": upstream("  - id: github", "    url: https://www.githubstatus.com/", "    affects: [apii]")},
        "statusgen.yaml:18: unknown component 'apii' (did you mean 'api'?)",
    ),
    (
        "timeout-in-minutes",
        {"statusgen.yaml": upstream("  - id: github", "    url: https://www.githubstatus.com/", "    timeout: 2m")},
        "statusgen.yaml:18: unreadable upstream timeout '2m' (write it in seconds, like 10s; at most 30s)",
    ),
    (
        "timeout-too-long",
        {"statusgen.yaml": upstream("  - id: github", "    url: https://www.githubstatus.com/", "    timeout: 90s")},
        "statusgen.yaml:18: unreadable upstream timeout '90s' (write it in seconds, like 10s; at most 30s)",
    ),
    (
        "url-and-document",
        {
            "statusgen.yaml": upstream(
                "  - id: github", "    url: https://www.githubstatus.com/", "    document: github.json"
            ),
            "github.json": json.dumps(summary()),
        },
        "statusgen.yaml:18: an upstream has either a url or a document, not both (url: fetches the page's "
        "status at each "
        "build; document: reads one kept in the repository)",
    ),
    (
        "document-out-of-the-repository",
        {"statusgen.yaml": upstream("  - id: github", "    document: ../github.json")},
        "statusgen.yaml:17: upstream document must be a path inside the repository, not '../github.json' "
        "(give a path inside the repository, like upstream/provider.json)",
    ),
    (
        "document-missing",
        {"statusgen.yaml": upstream("  - id: github", "    document: upstream/github.json")},
        "statusgen.yaml:17: upstream document file 'upstream/github.json' not found (add the file to the "
        "repository, or fix the path)",
    ),
    (
        "document-not-json",
        {
            "statusgen.yaml": upstream("  - id: github", "    document: github.json"),
            "github.json": '{\n  "page": {,\n}\n',
        },
        f"github.json:2: not JSON: Expecting property name enclosed in double quotes ({DOC_HINT})",
    ),
    (
        "document-wrong-shape",
        {
            "statusgen.yaml": upstream("  - id: github", "    document: github.json"),
            "github.json": json.dumps({"page": {"name": "GitHub"}}),
        },
        f"github.json:1: not a Statuspage summary: 'components' must be a list ({DOC_HINT})",
    ),
]


@pytest.mark.parametrize(("files", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_bad_upstream_is_refused_at_its_line(
    repo: Repo, capsys: pytest.CaptureFixture[str], files: dict[str, str], expected: str
) -> None:
    assert repo.build() == 0
    before = tree_digest(repo.site)
    for name, text in files.items():
        repo.write(name, text)
    capsys.readouterr()
    assert repo.build() == 1
    assert capsys.readouterr().err.splitlines()[0] == expected
    assert tree_digest(repo.site) == before


def test_good_entries_load_with_their_defaults(repo: Repo) -> None:
    repo.config(
        upstream(
            "  - id: github",
            "    url: https://www.githubstatus.com",
            "    components: [Git Operations, brv1bkgrwx7q]",
            "    affects: [api, web]",
            "    timeout: 2.5s",
            "  - id: payments-team",
            "    url: http://127.0.0.1:8001/api/v2/summary.json",
            "    group: Teams",
        )
    )
    problems: list[Problem] = []
    config = load_config(repo.root, problems)
    assert problems == [] and config is not None
    assert config.upstream == (
        Upstream(
            "github",
            None,
            "https://www.githubstatus.com/api/v2/summary.json",
            "https://www.githubstatus.com/",
            None,
            ("Git Operations", "brv1bkgrwx7q"),
            None,
            ("api", "web"),
            2.5,
            16,
            18,
        ),
        Upstream(
            "payments-team",
            None,
            "http://127.0.0.1:8001/api/v2/summary.json",
            "http://127.0.0.1:8001/",
            None,
            (),
            "Teams",
            (),
            10.0,
            21,
            21,
        ),
    )


def test_a_document_in_the_repository_is_shown_as_it_says(repo: Repo, tmp_path: Path) -> None:
    data = summary(
        [
            group("g1", "Git", ["8l4ygp009s5s", "x1"]),
            component("8l4ygp009s5s", "Git Operations", "partial_outage", group_id="g1"),
            component("x1", "Git LFS", group_id="g1"),
            component("brv1bkgrwx7q", "API Requests"),
        ]
    )
    repo.write("upstream/github.json", json.dumps(data))
    repo.config(upstream("  - id: github", "    document: upstream/github.json", "    components: [git]"))
    assert repo.build("2025-11-10T12:00:00Z", "--offline") == 0
    index = repo.page("index.html")
    part = index[index.index('<li class="upstream"') :]
    assert [n.split("</span>")[0] for n in part.split('<span class="name">')[1:3]] == ["Git Operations", "Git LFS"]
    assert '<a class="name" href="https://www.githubstatus.com/" rel="external noopener">GitHub</a>' in part
    # As of the document's own time, and never out of date: the repository says so.
    assert '<time datetime="2025-11-10T12:45:00+01:00">' in part and "Out of date" not in part
    # In a group named by its id, as statusgen.yaml gives no name: it shows the upstream's worst.
    assert '<div class="line"><span class="name">github</span><span class="status s-partial_outage">' in index
