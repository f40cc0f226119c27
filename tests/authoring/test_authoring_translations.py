"""Authoring in a language: `new --lang L --for ID`, `update ID --lang L`, and the message
templates of each language (`templates`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.support import NullTranslations

from conftest import CONFIG, INCIDENT, Repo
from statusgen import i18n
from statusgen.i18n.extract import message_template_text
from statusgen.load.repository import load_repository

ID = "2025-11-03-api-errors"
IT_FILE = f"incidents/{ID}.it.md"
LANGUAGES = CONFIG.replace("  timezone: Europe/Rome\n", "  timezone: Europe/Rome\n  languages: [it, pt-BR]\n")
BUILT_IN = Path(i18n.__file__).resolve().parents[1] / "messages"
# The Italian the catalog gives two built-in templates in these tests; the others it leaves alone.
ITALIAN = {
    "major": "Stiamo indagando su [[cosa non funziona]]. Prossimo aggiornamento entro le $next_update.",
    "resolved": "L'incidente è risolto: $title. [[Cosa abbiamo fatto]].",
}


class Catalog(NullTranslations):
    def __init__(self, table: dict[str, str]):
        super().__init__()
        self.table = table

    def gettext(self, message: str) -> str:
        return self.table.get(message, message)


@pytest.fixture
def italian(monkeypatch: pytest.MonkeyPatch) -> None:
    """An Italian catalog that translates the templates of ITALIAN."""
    table = {
        message_template_text((BUILT_IN / f"{name}.md").read_text(encoding="utf-8")): text
        for name, text in ITALIAN.items()
    }
    real = i18n.translations
    monkeypatch.setattr(i18n, "translations", lambda catalog: Catalog(table) if catalog == "it" else real(catalog))


@pytest.fixture
def multi(repo: Repo) -> Repo:
    repo.config(LANGUAGES)
    return repo


def run(repo: Repo, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = repo.run(*argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# --- new --lang ---------------------------------------------------------------------------------


def test_new_writes_the_title_and_the_first_update(multi: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        multi, capsys, "new", "Errori dell'API", "--lang", "it", "--for", "2025-11-03-api", "--message", "Indaghiamo."
    )
    assert (code, out, err) == (0, f"{IT_FILE}\n", "")
    assert (multi.root / IT_FILE).read_text() == (
        "---\ntitle: Errori dell'API\nupdates:\n  - at: 2025-11-03T14:05:00Z\n    message: Indaghiamo.\n---\n"
    )
    assert load_repository(multi.root).translations["it"][ID].title == "Errori dell'API"


def test_new_follows_the_main_files_suffix_and_writes_at_as_it_does(
    multi: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    (multi.root / f"incidents/{ID}.md").unlink()
    main = INCIDENT.strip("-\n").replace("at: 2025-11-03T14:05:00Z", 'at: "2025-11-03T15:05:00+01:00"') + "\n"
    multi.incident(f"{ID}.yaml", main)
    code, out, _ = run(
        multi, capsys, "new", "Erros na API", "--lang", "pt-BR", "--for", ID, "--message", "Linha um.\nLinha dois."
    )
    assert (code, out) == (0, f"incidents/{ID}.pt-BR.yaml\n")
    assert (multi.root / f"incidents/{ID}.pt-BR.yaml").read_text() == (
        "title: Erros na API\nupdates:\n  - at: 2025-11-03T15:05:00+01:00\n    message: |\n"
        "      Linha um.\n      Linha dois.\n"
    )


def test_new_fills_the_template_in_the_language(multi: Repo, capsys: pytest.CaptureFixture[str], italian: None) -> None:
    code, _, err = run(multi, capsys, "new", "Errori dell'API", "--lang", "it", "--for", ID)
    assert code == 0
    assert err == "fill in each [[...]] before you commit: a build refuses to publish them\n"
    # The impact's template, as `new` takes it; the next update an hour on (major), in Italian.
    assert (multi.root / IT_FILE).read_text() == (
        "---\ntitle: Errori dell'API\nupdates:\n  - at: 2025-11-03T14:05:00Z\n    message: Stiamo indagando su "
        "[[cosa non funziona]]. Prossimo aggiornamento entro le 16:05 CET.\n---\n"
    )


def test_a_repositorys_template_in_the_language_wins_and_the_defaults_does_not_stand_in(
    multi: Repo, capsys: pytest.CaptureFixture[str], italian: None
) -> None:
    multi.write("templates/major.md", "Our own words.\n")
    multi.write("templates/it/minor.md", "Parole nostre: $title.\n")
    assert run(multi, capsys, "new", "Errori", "--lang", "it", "--for", ID, "--template", "minor")[0] == 0
    assert (multi.root / IT_FILE).read_text().splitlines()[4] == "    message: 'Parole nostre: Errori.'"
    (multi.root / IT_FILE).unlink()
    assert run(multi, capsys, "new", "Errori", "--lang", "it", "--for", ID, "--template", "major")[0] == 0
    assert "Stiamo indagando su [[cosa non funziona]]" in (multi.root / IT_FILE).read_text()


def test_new_refuses_an_existing_translation(multi: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    multi.incident(f"{ID}.it.yaml", "title: Già qui  # a comment\n")
    before = (multi.root / f"incidents/{ID}.it.yaml").read_bytes()
    code, out, err = run(multi, capsys, "new", "Errori", "--lang", "it", "--for", ID, "--message", "M.")
    assert (code, out) == (1, "")
    assert err == (
        f"error: incidents/{ID}.it.yaml: {ID} has a translation to it already (add an update's message to it "
        f"with: statusgen update {ID} --lang it)\n"
    )
    assert (multi.root / f"incidents/{ID}.it.yaml").read_bytes() == before
    assert not (multi.root / IT_FILE).exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--lang", "it", "--for", ID, "--impact", "major"], "--impact: a translation has only a title and messages"),
        (["--lang", "it", "--for", ID, "--component", "api"], "--component: a translation has only a title"),
        (["--lang", "it"], "--lang needs --for ID: the incident to translate"),
        (["--for", ID, "--impact", "major"], "--for is for --lang: it names the incident a translation is of"),
        (["--lang", "en", "--for", ID], "--lang en: en is the site's default language: write its text in the"),
        (["--lang", "de", "--for", ID], "--lang de: not one of the site's languages (the other languages are it, "),
        (["--lang", "pt-br", "--for", ID], "--lang pt-br: not one of the site's languages (did you mean 'pt-BR'?)"),
    ],
)
def test_new_lang_usage_errors(multi: Repo, capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    code, _, err = run(multi, capsys, "new", "Errori", "--message", "M.", *argv)
    assert code == 2
    assert err.startswith(f"statusgen new: error: {message}")
    assert sorted(p.name for p in (multi.root / "incidents").iterdir()) == [f"{ID}.md"]


def test_a_message_that_would_not_load_is_not_written(multi: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(multi, capsys, "new", "Errori", "--lang", "it", "--for", ID, "--message", "> " * 60 + "x")
    assert code == 1
    assert err.splitlines() == [
        f"{IT_FILE}:4: markdown nested more than 50 levels deep (flatten the nested lists and quotes)",
        "1 error(s); nothing was written",
    ]
    assert not (multi.root / IT_FILE).exists()


# --- update --lang ------------------------------------------------------------------------------

# A translation written by hand: a comment, a quoted title, an odd indent and a body, all kept.
BY_HAND = """\
---
# tradotto a mano
title: "Errori dell'API"
updates:
-   at: 2025-11-03T15:05:00+01:00   # il primo
    message: Indaghiamo.
---
Il corpo.
"""


def test_update_adds_the_latest_updates_entry_and_keeps_every_byte(
    multi: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    multi.incident(f"{ID}.it.md", BY_HAND)
    code, out, err = run(multi, capsys, "update", "2025-11-03-api", "--lang", "it", "--message", "Risolto.")
    assert (code, err) == (0, "")
    assert out == f"{IT_FILE}: added the message of the update at 2025-11-03T15:20:00Z\n"
    assert (multi.root / IT_FILE).read_text() == BY_HAND.replace(
        "    message: Indaghiamo.\n", "    message: Indaghiamo.\n-   at: 2025-11-03T15:20:00Z\n    message: Risolto.\n"
    )
    first, last = load_repository(multi.root).incidents[0].updates
    assert load_repository(multi.root).translations["it"][ID].messages == {first.at: "Indaghiamo.", last.at: "Risolto."}


def test_update_at_a_time_in_another_offset_and_crlf_kept(multi: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    path = multi.root / f"incidents/{ID}.pt-BR.yaml"
    path.write_bytes(b"title: Erros\r\nupdates:\r\n  - at: 2025-11-03T15:20:00Z\r\n    message: Resolvido.\r\n")
    code, out, _ = run(
        multi, capsys, "update", ID, "--lang", "pt-BR", "--at", "2025-11-03T15:05:00+01:00", "--message", "Vendo."
    )
    assert (code, out) == (0, f"incidents/{ID}.pt-BR.yaml: added the message of the update at 2025-11-03T14:05:00Z\n")
    assert path.read_bytes() == (
        b"title: Erros\r\nupdates:\r\n  - at: 2025-11-03T15:20:00Z\r\n    message: Resolvido.\r\n"
        b"  - at: 2025-11-03T14:05:00Z\r\n    message: Vendo.\r\n"
    )


def test_update_starts_the_list_of_a_title_only_translation(
    multi: Repo, capsys: pytest.CaptureFixture[str], italian: None
) -> None:
    multi.incident(f"{ID}.it.md", "---\ntitle: Errori\n---\nIl corpo.\n")
    assert run(multi, capsys, "update", ID, "--lang", "it")[0] == 0
    # The latest update's status names the template, as `update` takes it.
    assert (multi.root / IT_FILE).read_text() == (
        "---\ntitle: Errori\nupdates:\n  - at: 2025-11-03T15:20:00Z\n"
        "    message: 'L''incidente è risolto: Errori. [[Cosa abbiamo fatto]].'\n---\nIl corpo.\n"
    )


def test_update_never_overwrites_an_entry(multi: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    multi.incident(f"{ID}.it.md", BY_HAND)
    code, _, err = run(multi, capsys, "update", ID, "--lang", "it", "--at", "2025-11-03T14:05:00Z", "--message", "X.")
    assert code == 1
    assert err == (
        f"error: {IT_FILE}:5: the update at 2025-11-03T14:05:00Z is translated already; nothing was written "
        "(edit the entry in the file to change it)\n"
    )
    assert (multi.root / IT_FILE).read_text() == BY_HAND


def test_update_without_a_translation_points_at_new(multi: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(multi, capsys, "update", ID, "--lang", "it", "--message", "X.")
    assert code == 1
    assert err == (
        f"error: {IT_FILE}: {ID} has no translation to it yet (start it with: statusgen new TITLE --lang it "
        f"--for {ID})\n"
    )
    assert not (multi.root / IT_FILE).exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--lang", "it", "--status", "resolved"], "--status: not with --lang: a translation takes statuses"),
        (["--lang", "it", "--component", "api=operational"], "--component: not with --lang"),
        ([], "the following arguments are required: --status"),
        (["--status", "resolved", "--at", "2025-11-03T14:05:00Z"], "--at is for --lang"),
        (["--lang", "it", "--at", "2025-11-03T14:06:00Z"], f"--at 2025-11-03T14:06:00Z: {ID} has no update at that"),
    ],
)
def test_update_lang_usage_errors(
    multi: Repo, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    multi.incident(f"{ID}.it.md", BY_HAND)
    code, _, err = run(multi, capsys, "update", ID, "--message", "X.", *argv)
    assert code == 2
    assert err.startswith(f"statusgen update: error: {message}"), err
    assert (multi.root / IT_FILE).read_text() == BY_HAND


def test_ids_never_pick_a_translation(multi: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    multi.incident(f"{ID}.it.md", BY_HAND)
    multi.incident(f"{ID}.pt-BR.md", "---\ntitle: [broken\n")  # a translation that does not load
    ongoing = INCIDENT.replace(
        "  - at: 2025-11-03T15:20:00Z\n    status: resolved\n", "  - at: 2025-11-03T15:20:00Z\n    status: identified\n"
    )
    multi.incident(f"{ID}.md", ongoing)
    code, out, err = run(
        multi,
        capsys,
        "update",
        "2025-11-03-api",
        "--status",
        "monitoring",
        "--message",
        "Better.",
        "--now",
        "2025-11-03T16:00:00Z",
    )
    assert (code, out, err) == (0, f"incidents/{ID}.md: added 'monitoring' update\n", "")
    code, out, _ = run(multi, capsys, "resolve", "latest", "--message", "Fixed.", "--now", "2025-11-03T16:30:00Z")
    assert (code, out) == (0, f"incidents/{ID}.md: added 'resolved' update\n")
    assert (multi.root / f"incidents/{ID}.it.md").read_text() == BY_HAND


# --- templates ----------------------------------------------------------------------------------


def test_templates_are_listed_per_language(multi: Repo, capsys: pytest.CaptureFixture[str], italian: None) -> None:
    multi.write("templates/major.md", "Our own words.\n")
    multi.write("templates/it/minor.md", "Parole nostre.\n")
    code, out, _ = run(multi, capsys, "templates")
    assert code == 0
    lines = out.splitlines()
    assert [line for line in lines if not line.startswith(" ") and line.endswith(":")] == [
        "en (default):",
        "it:",
        "pt-BR:",
    ]
    by_language: dict[str, dict[str, str]] = {}
    current = ""
    for line in lines:
        if line.endswith(":") and " " not in line.removesuffix(" (default):"):
            current = line.removesuffix(":").removesuffix(" (default)")
            continue
        by_language.setdefault(current, {})[line.split()[0]] = line
    assert list(by_language) == ["en", "it", "pt-BR"]
    assert all(len(rows) == 14 for rows in by_language.values())
    assert by_language["en"]["major"] == f"{'major':<14} {'templates/major.md':<28} Our own words."
    assert by_language["it"]["major"] == f"{'major':<14} {'built-in major.md':<28} {ITALIAN['major'][:70]}"
    assert by_language["it"]["minor"] == f"{'minor':<14} {'templates/it/minor.md':<28} Parole nostre."
    assert by_language["it"]["none"].startswith(f"{'none':<14} built-in none.md (not translated) ")
    # Portuguese is the shipped catalog's.
    portuguese = i18n.language("pt-BR").gettext(message_template_text((BUILT_IN / "major.md").read_text()))
    summary = next(line.strip() for line in portuguese.splitlines() if line.strip())
    assert portuguese.startswith("Estamos investigando")
    assert by_language["pt-BR"]["major"] == f"{'major':<14} {'built-in major.md':<28} {summary[:70]}"


def test_templates_of_one_language(multi: Repo, capsys: pytest.CaptureFixture[str], italian: None) -> None:
    code, out, _ = run(multi, capsys, "templates", "--lang", "it")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "it:"
    assert len(lines) == 15
    code, _, err = run(multi, capsys, "templates", "--lang", "de")
    assert (code, err) == (
        2,
        "statusgen templates: error: --lang de: not one of the site's languages (they are en, it, pt-BR)\n",
    )


def test_a_site_in_one_language_lists_its_templates_as_before(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(repo, capsys, "templates")
    assert code == 0
    assert out.splitlines()[0].startswith(f"{'cancelled':<14} {'built-in cancelled.md':<28} We have cancelled")


def test_a_site_whose_default_language_is_another_writes_its_templates_in_it(
    repo: Repo, capsys: pytest.CaptureFixture[str], italian: None
) -> None:
    repo.config(CONFIG.replace("  timezone: Europe/Rome\n", "  timezone: Europe/Rome\n  language: it\n"))
    code, out, _ = run(repo, capsys, "new", "Errori", "--impact", "major", "--now", "2025-11-10T14:00:00Z")
    assert (code, out) == (0, "incidents/2025-11-10-errori.md\n")
    text = (repo.root / "incidents/2025-11-10-errori.md").read_text()
    assert text.splitlines()[6] == (
        "    message: Stiamo indagando su [[cosa non funziona]]. Prossimo aggiornamento entro le 16:00 CET."
    )
    code, out, _ = run(repo, capsys, "templates")
    assert out.splitlines()[7] == f"{'major':<14} {'built-in major.md':<28} {ITALIAN['major'][:70]}"
