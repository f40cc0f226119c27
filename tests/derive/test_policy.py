"""The communication policy at fixed instants, with and without --strict."""

from __future__ import annotations

import pytest

from conftest import CONFIG, PROJECT, Repo
from statusgen import i18n
from statusgen.derive.policy import promises_next_update
from statusgen.i18n.extract import message_template_text

OPEN = """\
---
title: Checkout failing
impact: {impact}
components: {{web: major_outage}}
updates:
  - at: 2025-11-10T10:00:00Z
    status: investigating
    message: "{message}"
---
"""
PROMISE = "Checkout fails for everyone. Next update by 10:30 UTC."
CRITICAL_DONE = """\
---
title: Data centre outage
impact: critical
components: {web: major_outage}
updates:
  - at: 2025-11-01T10:00:00Z
    status: investigating
    message: Everything is down. Next update within 30 minutes.
  - at: 2025-11-01T12:00:00Z
    status: resolved
    message: Power is back; all services work since 11:50 UTC.
---
"""


def check(repo: Repo, capsys: pytest.CaptureFixture[str], now: str, *extra: str) -> tuple[int, list[str], str]:
    code = repo.run("check", "--now", now, *extra)
    captured = capsys.readouterr()
    return code, captured.err.splitlines(), captured.out


HOW = "post one with: statusgen update 2025-11-10-checkout --status ... --message ..."


@pytest.mark.parametrize(
    "impact, now, expected",
    [
        ("critical", "2025-11-10T10:29:00Z", None),
        (
            "critical",
            "2025-11-10T10:42:00Z",
            f"update overdue by 12 min (critical incidents get an update every 30 min; {HOW})",
        ),
        ("major", "2025-11-10T10:59:00Z", None),
        (
            "major",
            "2025-11-10T12:05:00Z",
            f"update overdue by 1 h 5 min (major incidents get an update every 1 h; {HOW})",
        ),
        ("minor", "2025-11-10T13:59:00Z", None),
        ("minor", "2025-11-10T14:01:00Z", f"update overdue by 1 min (minor incidents get an update every 4 h; {HOW})"),
        ("none", "2025-11-12T00:00:00Z", None),
    ],
)
def test_overdue_updates(
    repo: Repo, capsys: pytest.CaptureFixture[str], impact: str, now: str, expected: str | None
) -> None:
    repo.incident("2025-11-10-checkout.md", OPEN.format(impact=impact, message=PROMISE))
    code, err, out = check(repo, capsys, now)
    if expected is None:
        assert (code, err) == (0, [])
        assert out.startswith("ok: ")
    else:
        assert code == 1
        assert err == [f"incidents/2025-11-10-checkout.md:6: {expected}"]
        assert out.endswith("1 policy error(s), 0 warning(s)\n")


def test_cadence_comes_from_the_configuration(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.config(repo.root.joinpath("statusgen.yaml").read_text() + "policy:\n  update_every: {major: 15m}\n")
    repo.incident("2025-11-10-checkout.md", OPEN.format(impact="major", message=PROMISE))
    code, err, _ = check(repo, capsys, "2025-11-10T10:20:00Z")
    assert code == 1 and err[0].startswith("incidents/2025-11-10-checkout.md:6: update overdue by 5 min")


@pytest.mark.parametrize(
    "body, now, expected_code",
    [
        ("", "2025-11-06T11:59:00Z", 0),
        ("", "2025-11-06T12:01:00Z", 1),
        ("\n## Postmortem\n\nA breaker tripped.\n", "2025-11-20T00:00:00Z", 0),
    ],
)
def test_postmortem_due(
    repo: Repo, capsys: pytest.CaptureFixture[str], body: str, now: str, expected_code: int
) -> None:
    repo.incident("2025-11-01-dc.md", CRITICAL_DONE + body)
    code, err, _ = check(repo, capsys, now)
    assert code == expected_code
    if expected_code:
        assert err == [
            "incidents/2025-11-01-dc.md:9: no postmortem 5 d after the incident was resolved "
            "(critical incidents get one within 5 d: statusgen postmortem 2025-11-01-dc "
            "(or set postmortem_due: false))"
        ]


def test_postmortem_can_be_waived(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    waived = CRITICAL_DONE.replace("impact: critical", "impact: critical\npostmortem_due: false")
    repo.incident("2025-11-01-dc.md", waived)
    assert check(repo, capsys, "2025-12-01T00:00:00Z")[0] == 0


def test_first_update_without_next_update_is_a_warning(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.incident("2025-11-10-checkout.md", OPEN.format(impact="major", message="Checkout fails for everyone."))
    code, err, out = check(repo, capsys, "2025-11-10T10:10:00Z")
    assert code == 0
    assert err == [
        "incidents/2025-11-10-checkout.md:6: warning: the first update does not say when the next "
        "update comes (end it with e.g. 'Next update by 14:30 UTC.')"
    ]
    assert out.endswith("0 policy error(s), 1 warning(s)\n")
    code, err, _ = check(repo, capsys, "2025-11-10T10:10:00Z", "--strict")
    assert code == 1 and len(err) == 1


@pytest.mark.parametrize(
    "message",
    [
        "Next update by 14:30 UTC.",
        "We will post an update within 30 minutes.",
        "We'll update you by 15:00 CET.",
        "More in an hour: we will provide another update at 16:00.",
        "Further updates to follow within the hour.",
    ],
)
def test_next_update_phrasings_are_recognised(repo: Repo, capsys: pytest.CaptureFixture[str], message: str) -> None:
    repo.incident("2025-11-10-checkout.md", OPEN.format(impact="major", message=f"Checkout fails. {message}"))
    assert check(repo, capsys, "2025-11-10T10:10:00Z", "--strict")[:2] == (0, [])


def test_build_reports_policy_but_still_publishes(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.incident("2025-11-10-checkout.md", OPEN.format(impact="critical", message="Down."))
    assert repo.build("2025-11-10T11:00:00Z") == 0
    captured = capsys.readouterr()
    assert captured.out.strip().endswith("; policy: 1 error(s), 1 warning(s)")
    assert captured.err.splitlines() == [
        "incidents/2025-11-10-checkout.md:6: warning: the first update does not say when the next update comes "
        "(end it with e.g. 'Next update by 14:30 UTC.')",
        "incidents/2025-11-10-checkout.md:6: update overdue by 30 min (critical incidents get an update every "
        "30 min; post one with: statusgen update 2025-11-10-checkout --status ... --message ...)",
    ]
    assert (repo.site / "incidents/2025-11-10-checkout/index.html").is_file()


def test_page_says_when_the_next_update_is_due(repo: Repo) -> None:
    repo.incident("2025-11-10-checkout.md", OPEN.format(impact="major", message=PROMISE))
    assert repo.build("2025-11-10T10:10:00Z") == 0
    page = repo.page("incidents/2025-11-10-checkout/index.html")
    assert (
        '<p class="next-update">Next update by <time datetime="2025-11-10T12:00:00+01:00">12:00\u202fPM CET</time></p>'
    ) in page
    assert "next update by <time" in repo.page("index.html")
    repo.run("resolve", "latest", "--message", "Fixed.", "--now", "2025-11-10T10:20:00Z")
    assert repo.build("2025-11-10T10:30:00Z") == 0
    assert 'class="next-update"' not in repo.page("incidents/2025-11-10-checkout/index.html")


def test_build_lists_at_most_twenty_policy_problems(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    for n in range(1, 26):
        repo.incident(
            f"2025-10-{n:02d}-x.md",
            f"""\
---
title: Slow {n}
impact: minor
updates:
  - at: 2025-10-{n:02d}T10:00:00Z
    status: investigating
    message: Slow.
  - at: 2025-10-{n:02d}T11:00:00Z
    status: resolved
    message: Fine again.
---
""",
        )
    assert repo.build("2025-11-01T00:00:00Z") == 0
    captured = capsys.readouterr()
    assert captured.out.strip().endswith("; policy: 0 error(s), 25 warning(s)")
    err = captured.err.splitlines()
    assert len(err) == 21
    assert err[-1] == "... and 5 more: run 'statusgen check' for all"


def test_an_empty_table_switches_a_rule_off(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.config(
        repo.root.joinpath("statusgen.yaml").read_text() + "policy:\n  update_every: {}\n  postmortem_within: {}\n"
    )
    repo.incident("2025-11-01-dc.md", CRITICAL_DONE)
    repo.incident("2025-11-10-checkout.md", OPEN.format(impact="critical", message=PROMISE))
    assert check(repo, capsys, "2025-12-01T00:00:00Z")[:2] == (0, [])


@pytest.mark.parametrize(
    "message",
    ["Errors began at 14:05 UTC; we are investigating.", "We will post updates as we learn more.", "Checkout fails."],
)
def test_vague_or_missing_next_update_is_flagged(repo: Repo, capsys: pytest.CaptureFixture[str], message: str) -> None:
    repo.incident("2025-11-10-checkout.md", OPEN.format(impact="major", message=message))
    code, err, _ = check(repo, capsys, "2025-11-10T10:10:00Z")
    assert code == 0 and len(err) == 1 and "does not say when the next update comes" in err[0]


@pytest.mark.parametrize(
    "language, message",
    [
        ("it", "Il checkout non funziona. Prossimo aggiornamento entro le 10:30 CET."),
        ("it", "Il checkout non funziona. prossimo aggiornamento entro mezz'ora."),
        ("de", "Der Checkout schlägt fehl. Nächstes Update: bis 11:30 Uhr."),
        ("tr", "Ödeme çalışmıyor. Bir sonraki güncelleme en geç 10:30 UTC saatinde."),
        ("ko", "결제가 실패합니다. 다음 업데이트는 10:30 UTC 이전에 게시하겠습니다."),
        ("ja", "決済が失敗しています。次回の更新は 10:30 UTC までに行います。"),
        ("it", "Checkout fails for everyone. Next update by 10:30 UTC."),  # English is always understood
    ],
)
def test_the_next_update_is_recognised_in_the_sites_language(
    repo: Repo, capsys: pytest.CaptureFixture[str], language: str, message: str
) -> None:
    repo.config(CONFIG.replace("  timezone:", f"  language: {language}\n  timezone:"))
    repo.incident("2025-11-10-checkout.md", OPEN.format(impact="major", message=message))
    assert check(repo, capsys, "2025-11-10T10:10:00Z", "--strict")[:2] == (0, [])


def test_the_hint_for_a_missing_next_update_is_in_the_sites_language(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.config(CONFIG.replace("  timezone:", "  language: it\n  timezone:"))
    repo.incident("2025-11-10-checkout.md", OPEN.format(impact="major", message="Il checkout non funziona."))
    code, err, _ = check(repo, capsys, "2025-11-10T10:10:00Z")
    assert (code, err) == (
        0,
        [
            "incidents/2025-11-10-checkout.md:6: warning: the first update does not say when the next update comes "
            "(end it with e.g. 'Prossimo aggiornamento entro le 14:30 UTC')"
        ],
    )


@pytest.mark.parametrize("catalog", i18n.CATALOGS)
@pytest.mark.parametrize("template", ["investigating", "minor", "major", "critical", "identified"])
def test_every_languages_first_update_templates_promise_the_next_update(catalog: str, template: str) -> None:
    """An update started from a built-in template, in any language, passes the policy once filled."""
    code = {"pt_BR": "pt-BR", "zh_Hans": "zh"}.get(catalog, catalog)
    text = (PROJECT / f"statusgen/messages/{template}.md").read_text(encoding="utf-8")
    translated = i18n.language(code).gettext(message_template_text(text))
    assert translated != message_template_text(text)
    assert promises_next_update(translated.replace("$next_update", "14:30 UTC"), code)
    without = "\n".join(line for line in translated.splitlines() if "$next_update" not in line)
    assert not promises_next_update(without, code)
