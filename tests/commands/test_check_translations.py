"""`statusgen check` names what is not translated yet, per incident and language, as warnings;
`--strict` makes them fail the check."""

from __future__ import annotations

import pytest

from conftest import CONFIG, INCIDENT, Repo

ID = "2025-11-03-api-errors"
NOW = "2025-11-10T12:00:00Z"
LANGUAGES = CONFIG.replace("  timezone: Europe/Rome\n", "  timezone: Europe/Rome\n  languages: [it, pt-BR]\n")
SUMMARY = "checked: {n} incidents and maintenance, 3 components, 0 policy error(s), {w} warning(s)"
# Over two days, one update still to come at NOW, and a body.
LONG = """\
---
title: Workers stalled
impact: minor
updates:
  - at: 2025-11-05T23:30:00Z
    status: investigating
    message: Jobs are stalled. Next update by 00:30 UTC.
  - at: 2025-11-06T00:40:00+01:00
    status: identified
    message: A full disk.
  - at: 2025-11-06T02:00:00Z
    status: resolved
    message: Jobs run again.
  - at: 2025-11-20T09:00:00Z
    status: monitoring
    message: Not published yet.
---
The disk filled up.
"""
IT = """\
---
title: Errori dell'API
updates:
  - at: 2025-11-03T15:05:00+01:00
    message: Stiamo indagando.
---
"""


FULL = "title: Erros\nupdates:\n- {at: 2025-11-03T14:05:00Z, message: A}\n- {at: 2025-11-03T15:20:00Z, message: B}\n"


def warnings(repo: Repo, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, list[str], str]:
    capsys.readouterr()
    code = repo.run("check", "--now", NOW, *extra)
    captured = capsys.readouterr()
    return code, captured.err.splitlines(), captured.out.strip()


@pytest.fixture
def multi(repo: Repo) -> Repo:
    repo.config(LANGUAGES)
    return repo


def test_missing_translations_are_named_per_incident_and_language(
    multi: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    multi.incident(f"{ID}.it.md", IT)
    multi.incident("2025-11-05-workers.md", LONG)
    multi.incident("2025-11-05-workers.pt-BR.md", "---\ntitle: Trabalhos parados\n---\nO disco encheu.\n")
    code, err, out = warnings(multi, capsys)
    assert code == 0
    assert err == [
        f"incidents/{ID}.md: warning: not translated to it: 1 of 2 updates (15:20 UTC) (add what is missing to "
        f"incidents/{ID}.it.md; statusgen update {ID} --lang it --at TIME adds an update's entry)",
        f"incidents/{ID}.md: warning: not translated to pt-BR: the title, 2 of 2 updates (14:05, 15:20 UTC) "
        f"(write incidents/{ID}.pt-BR.md: statusgen new TITLE --lang pt-BR --for {ID})",
        "incidents/2025-11-05-workers.md: warning: not translated to it: the title, 3 of 3 updates "
        "(2025-11-05 23:30, 2025-11-05 23:40, 2025-11-06 02:00 UTC), the body (write "
        "incidents/2025-11-05-workers.it.md: statusgen new TITLE --lang it --for 2025-11-05-workers)",
        "incidents/2025-11-05-workers.md: warning: not translated to pt-BR: 3 of 3 updates "
        "(2025-11-05 23:30, 2025-11-05 23:40, 2025-11-06 02:00 UTC) (add what is missing to "
        "incidents/2025-11-05-workers.pt-BR.md; statusgen update 2025-11-05-workers --lang pt-BR --at TIME adds "
        "an update's entry)",
    ]
    assert out == SUMMARY.format(n=2, w=4)
    code, _, _ = warnings(multi, capsys, "--strict")
    assert code == 1


def test_a_full_translation_and_a_hidden_incident_warn_of_nothing(
    multi: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    multi.incident(
        f"{ID}.it.md", IT.replace("indagando.\n", "indagando.\n  - at: 2025-11-03T15:20:00Z\n    message: Risolto.\n")
    )
    multi.incident(f"{ID}.pt-BR.yaml", FULL)
    multi.incident("2025-11-05-hidden.md", INCIDENT.replace("impact: major\n", "impact: major\nhidden: true\n"))
    code, err, out = warnings(multi, capsys, "--strict")
    assert (code, err) == (0, [])
    assert out == "ok: 2 incidents and maintenance, 3 components, 0 policy error(s), 0 warning(s)"


def test_only_the_body_missing_says_so(multi: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    multi.incident(f"{ID}.md", INCIDENT + "Details.\n")
    multi.incident(f"{ID}.pt-BR.yaml", FULL)
    multi.incident(f"{ID}.it.yaml", FULL + "body: Dettagli.\n")
    _, err, _ = warnings(multi, capsys)
    assert err == [
        f"incidents/{ID}.md: warning: not translated to pt-BR: the body (add the body to incidents/{ID}.pt-BR.yaml)"
    ]


def test_a_site_in_one_language_has_nothing_to_translate(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.incident("2025-11-05-workers.md", LONG)
    code, err, _ = warnings(repo, capsys, "--strict")
    assert (code, err) == (0, [])


def test_github_format_annotates_the_incident_file(multi: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    multi.incident(f"{ID}.it.md", IT)
    multi.incident(f"{ID}.pt-BR.md", IT.replace("Errori dell'API", "Erros"))
    _, _, out = warnings(multi, capsys, "--format", "github")
    assert out.splitlines()[0].endswith(
        f"/incidents/{ID}.md,title=statusgen::not translated to it: 1 of 2 updates (15:20 UTC) (add what is "
        f"missing to incidents/{ID}.it.md; statusgen update {ID} --lang it --at TIME adds an update's entry)"
    )
