"""Translations of incidents, ``incidents/ID.LANG.md`` and ``.yaml``: what loads, and every
problem at its line, with its hint, stopping the build before anything is written."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from conftest import CONFIG, INCIDENT, Repo, tree_digest
from statusgen import markup
from statusgen.errors import ValidationFailed
from statusgen.load.repository import load_repository
from statusgen.load.translations import Translation

ID = "2025-11-03-api-errors"
LANGUAGES = CONFIG.replace("  timezone: Europe/Rome\n", "  timezone: Europe/Rome\n  languages: [it, pt-BR]\n")
# INCIDENT's updates and body as the model holds them.
FIRST, LAST = datetime(2025, 11, 3, 14, 5, tzinfo=UTC), datetime(2025, 11, 3, 15, 20, tzinfo=UTC)
WITH_BODY = INCIDENT + "What happened, in detail.\n"

IT_MD = """\
---
title: Tassi di errore elevati sull'API
updates:
  - at: 2025-11-03T15:05:00+01:00
    message: Stiamo indagando su tassi di errore elevati sull'API pubblica.
---
Il corpo, tradotto.
"""

PT_YAML = """\
title: Taxas de erro elevadas na API
updates:
  - at: 2025-11-03T15:20:00Z
    message: |
      As taxas de erro
      voltaram ao normal.
body: |
  O corpo.
"""


@pytest.fixture
def multi(repo: Repo) -> Repo:
    """The repository of ``repo``, published in Italian and Brazilian Portuguese too."""
    repo.config(LANGUAGES)
    repo.incident(f"{ID}.md", WITH_BODY)
    return repo


def problems(repo: Repo, publishing: bool = True) -> list[str]:
    try:
        load_repository(repo.root, publishing=publishing)
    except ValidationFailed as failed:
        return [str(p) for p in failed.problems]
    return []


def test_translations_load_by_language_and_incident(multi: Repo) -> None:
    multi.incident(f"{ID}.it.md", IT_MD)
    multi.incident(f"{ID}.pt-BR.yaml", PT_YAML)
    loaded = load_repository(multi.root)
    assert [i.id for i in loaded.incidents] == [ID]
    assert loaded.translations == {
        "it": {
            ID: Translation(
                ID,
                "it",
                f"incidents/{ID}.it.md",
                "Tassi di errore elevati sull'API",
                "Il corpo, tradotto.",
                {FIRST: "Stiamo indagando su tassi di errore elevati sull'API pubblica."},
            )
        },
        "pt-BR": {
            ID: Translation(
                ID,
                "pt-BR",
                f"incidents/{ID}.pt-BR.yaml",
                "Taxas de erro elevadas na API",
                "O corpo.",
                {LAST: "As taxas de erro\nvoltaram ao normal."},
            )
        },
    }
    it = loaded.translations["it"][ID]
    # The message is keyed by the instant the main file gives (14:05Z), written 15:05+01:00 here.
    assert list(it.messages) == [loaded.incidents[0].updates[0].at]
    assert (it.lines, it.body_line) == ({FIRST: 4}, 7)
    assert loaded.translations["pt-BR"][ID].body_line == 8


def test_a_title_alone_is_a_translation_and_a_language_without_any_is_listed(multi: Repo) -> None:
    multi.incident(f"{ID}.it.md", "---\ntitle: Solo il titolo\n---\n")
    loaded = load_repository(multi.root)
    assert loaded.translations == {
        "it": {ID: Translation(ID, "it", f"incidents/{ID}.it.md", "Solo il titolo", None, {})},
        "pt-BR": {},
    }


def test_a_translation_of_a_hidden_incident_is_allowed(multi: Repo) -> None:
    multi.incident(f"{ID}.md", INCIDENT.replace("impact: major\n", "impact: major\nhidden: true\n"))
    # Not published, so template text left in it is no problem either.
    multi.incident(f"{ID}.it.md", IT_MD.replace("pubblica.", "[[quando]]."))
    loaded = load_repository(multi.root)
    assert loaded.translations["it"][ID].title == "Tassi di errore elevati sull'API"


ERRORS = [
    (
        "unknown-at",
        f"{ID}.it.md",
        IT_MD.replace("15:05:00+01:00", "15:10:00+01:00"),
        [
            f"incidents/{ID}.it.md:4: incidents/{ID}.md has no update at 2025-11-03T14:10:00Z (its updates are at "
            "2025-11-03T14:05:00Z, 2025-11-03T15:20:00Z; give one of those times)"
        ],
    ),
    (
        "unknown-at-nearest-first",
        f"{ID}.pt-BR.yaml",
        PT_YAML.replace("15:20:00Z", "15:00:00Z"),
        [
            f"incidents/{ID}.pt-BR.yaml:3: incidents/{ID}.md has no update at 2025-11-03T15:00:00Z (its updates are "
            "at 2025-11-03T15:20:00Z, 2025-11-03T14:05:00Z; give one of those times)"
        ],
    ),
    (
        "same-at-twice-in-two-offsets",
        f"{ID}.it.md",
        IT_MD.replace("---\nIl", "  - at: 2025-11-03T14:05:00Z\n    message: Di nuovo.\n---\nIl"),
        [f"incidents/{ID}.it.md:6: two entries for the same update (the entry on line 4 has the same time)"],
    ),
    (
        "language-not-of-the-site",
        f"{ID}.de.md",
        IT_MD,
        [
            f"incidents/{ID}.de.md:1: 'de' is not one of the site's languages (add it to site.languages in "
            "statusgen.yaml, or name the file for one of them: it, pt-BR)"
        ],
    ),
    (
        "language-written-otherwise",
        f"{ID}.pt-br.yaml",
        PT_YAML,
        [f"incidents/{ID}.pt-br.yaml:1: 'pt-br' is not one of the site's languages (did you mean 'pt-BR'?)"],
    ),
    (
        "default-language",
        f"{ID}.en.md",
        IT_MD,
        [
            f"incidents/{ID}.en.md:1: 'en' is the site's default language: the incident's own file holds that text "
            "(name the file for one of the other languages (it, pt-BR))"
        ],
    ),
    (
        "no-such-incident",
        "2025-11-03-api-error.it.md",
        IT_MD,
        [
            "incidents/2025-11-03-api-error.it.md:1: no incident '2025-11-03-api-error' to translate "
            f"(did you mean '{ID}'?)"
        ],
    ),
    (
        "unknown-key",
        f"{ID}.it.md",
        IT_MD.replace("title:", "titel:"),
        [
            f"incidents/{ID}.it.md:2: missing 'title' (give the title in this language)",
            f"incidents/{ID}.it.md:2: unknown key 'titel' (did you mean 'title'?)",
        ],
    ),
    (
        "unknown-key-no-close-one",
        f"{ID}.it.md",
        IT_MD.replace("---\nIl", "note: interna\n---\nIl"),
        [f"incidents/{ID}.it.md:6: unknown key 'note' (allowed: title, updates)"],
    ),
    (
        "key-of-the-main-file",
        f"{ID}.pt-BR.yaml",
        PT_YAML + "impact: minor\n",
        [
            f"incidents/{ID}.pt-BR.yaml:9: 'impact' comes from the incident's own file (a translation gives only "
            "title, updates (each with at and message) and the body)"
        ],
    ),
    (
        "status-in-an-update",
        f"{ID}.it.md",
        IT_MD.replace("    message: Stiamo", "    status: investigating\n    mesage: Stiamo"),
        [
            f"incidents/{ID}.it.md:4: missing 'message' in the update (each item has the at: of an update of the "
            "incident, and its message: in this language)",
            f"incidents/{ID}.it.md:5: 'status' in update comes from the incident's own file (a translation gives "
            "only title, updates (each with at and message) and the body)",
            f"incidents/{ID}.it.md:6: unknown key 'mesage' in update (did you mean 'message'?)",
        ],
    ),
    (
        "title-not-text",
        f"{ID}.it.md",
        IT_MD.replace("title: Tassi di errore elevati sull'API", "title: [Tassi, errore]"),
        [f"incidents/{ID}.it.md:2: 'title' must be text, not a list"],
    ),
    (
        "title-empty",
        f"{ID}.pt-BR.yaml",
        PT_YAML.replace("title: Taxas de erro elevadas na API", 'title: "  "'),
        [f"incidents/{ID}.pt-BR.yaml:1: title is empty (give the title in this language)"],
    ),
    (
        "message-not-text",
        f"{ID}.it.md",
        IT_MD.replace("message: Stiamo indagando", "message:\n      a: Stiamo indagando"),
        [f"incidents/{ID}.it.md:5: 'message' must be text, not a mapping"],
    ),
    (
        "message-empty",
        f"{ID}.pt-BR.yaml",
        PT_YAML.replace("    message: |\n      As taxas de erro\n      voltaram ao normal.\n", '    message: ""\n'),
        [f"incidents/{ID}.pt-BR.yaml:4: message is empty (translate the update's message)"],
    ),
    (
        "updates-not-a-list",
        f"{ID}.it.md",
        "---\ntitle: Tassi\nupdates: nessuno\n---\n",
        [f"incidents/{ID}.it.md:3: 'updates' must be a list (each item has the at: of an update and its message:)"],
    ),
    (
        "naive-at",
        f"{ID}.it.md",
        IT_MD.replace("2025-11-03T15:05:00+01:00", "2025-11-03T15:05:00"),
        [
            f"incidents/{ID}.it.md:4: time '2025-11-03T15:05:00' has no UTC offset (write it with an offset, like "
            "2025-11-03T14:05:00Z or 2025-11-03T15:05:00+01:00)"
        ],
    ),
    (
        "body-key-in-markdown",
        f"{ID}.it.md",
        IT_MD.replace("---\nIl", "body: Il corpo\n---\nIl"),
        [
            f"incidents/{ID}.it.md:6: 'body' is only for .yaml files (write the body as markdown after the closing "
            "'---')",
        ],
    ),
    (
        "deep-message",
        f"{ID}.pt-BR.yaml",
        PT_YAML.replace("      voltaram ao normal.\n", "      " + "> " * 60 + "fundo\n"),
        [
            f"incidents/{ID}.pt-BR.yaml:3: markdown nested more than 50 levels deep (flatten the nested lists and "
            "quotes)"
        ],
    ),
    (
        "deep-body",
        f"{ID}.it.md",
        IT_MD + "\n" + "> " * 60 + "fondo\n",
        [f"incidents/{ID}.it.md:9: markdown nested more than 50 levels deep (flatten the nested lists and quotes)"],
    ),
    (
        "duplicate",
        f"{ID}.it.yaml",
        "title: Doppio\n",
        [
            f"incidents/{ID}.it.yaml:1: {ID} is translated to it twice (incidents/{ID}.it.md is the same translation; "
            "keep one of them)"
        ],
    ),
    (
        "no-front-matter",
        f"{ID}.it.md",
        "title: Tassi\n",
        [
            f"incidents/{ID}.it.md:1: missing front matter (start the file with a line '---', the YAML keys, then "
            "another '---')"
        ],
    ),
    (
        "placeholder-in-message",
        f"{ID}.it.md",
        IT_MD.replace("pubblica.", "pubblica. Prossimo aggiornamento alle [[ora]]."),
        [
            f"incidents/{ID}.it.md:4: template text left in the message: [[ora]] (write the real text in place of "
            "each [[...]])"
        ],
    ),
    (
        "placeholder-in-body",
        f"{ID}.pt-BR.yaml",
        PT_YAML + "  Causa: [[a causa]].\n",
        [
            f"incidents/{ID}.pt-BR.yaml:9: template text left in the body: [[a causa]] (write the real text in place "
            "of each [[...]])"
        ],
    ),
]


@pytest.mark.parametrize(("name", "text", "expected"), [c[1:] for c in ERRORS], ids=[c[0] for c in ERRORS])
def test_every_problem_at_its_line(multi: Repo, name: str, text: str, expected: list[str]) -> None:
    if name.endswith(".it.yaml"):
        multi.incident(f"{ID}.it.md", IT_MD)
    multi.incident(name, text)
    assert problems(multi) == expected


def test_template_text_is_refused_only_when_publishing(multi: Repo) -> None:
    multi.incident(f"{ID}.it.md", IT_MD.replace("pubblica.", "[[ora]]."))
    assert len(problems(multi)) == 1
    assert problems(multi, publishing=False) == []


def test_too_much_markup_is_refused_at_its_line(multi: Repo) -> None:
    n = 1
    while markup.estimate("*a " * n).total <= 2 * markup.MAX_COST:
        n *= 2
    text = "*a " * n
    shape = markup.estimate(text).shape
    multi.incident(f"{ID}.it.md", IT_MD + "\n" + text + "\n")
    assert problems(multi) == [f"incidents/{ID}.it.md:9: too much markup to render: {shape.what} ({shape.hint})"]


def test_translations_of_a_broken_incident_leave_its_own_problems_alone(multi: Repo) -> None:
    multi.incident(f"{ID}.md", INCIDENT.replace("impact: major", "impact: majr"))
    multi.incident(f"{ID}.it.md", IT_MD.replace("15:05", "15:06"))
    assert problems(multi) == [f"incidents/{ID}.md:3: unknown impact 'majr' (did you mean 'major'?)"]


def test_a_site_with_no_other_language_says_so(repo: Repo) -> None:
    repo.incident(f"{ID}.it.md", IT_MD)
    assert problems(repo) == [
        f"incidents/{ID}.it.md:1: 'it' is not one of the site's languages (add it to site.languages in "
        "statusgen.yaml: it has only en now)"
    ]
    repo.incident(f"{ID}.it.md").unlink()
    repo.incident(f"{ID}.en.md", IT_MD)
    assert problems(repo) == [
        f"incidents/{ID}.en.md:1: 'en' is the site's default language: the incident's own file holds that text "
        "(list the other languages under site.languages in statusgen.yaml)"
    ]


def test_other_dotted_names_are_still_bad_incident_names(multi: Repo) -> None:
    multi.incident(f"{ID}.v2.md", IT_MD)
    multi.incident("notes.it.md", IT_MD)
    assert problems(multi) == [
        f"incidents/{ID}.v2.md:1: file name must be YYYY-MM-DD-slug with a lowercase slug "
        "(e.g. incidents/2025-11-03-api-errors.md)",
        "incidents/notes.it.md:1: no incident 'notes' to translate (a translation is named after its incident's "
        "file: incidents/ID.it.md)",
    ]


def test_a_bad_translation_stops_the_build_and_leaves_the_site(multi: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    assert multi.build() == 0
    before = tree_digest(multi.site)
    multi.incident(f"{ID}.it.md", IT_MD.replace("15:05", "15:06"))
    capsys.readouterr()
    assert multi.build() == 1
    err = capsys.readouterr().err
    assert err.splitlines() == [
        f"incidents/{ID}.it.md:4: incidents/{ID}.md has no update at 2025-11-03T14:06:00Z (its updates are at "
        "2025-11-03T14:05:00Z, 2025-11-03T15:20:00Z; give one of those times)",
        "1 error(s); nothing was written",
    ]
    assert tree_digest(multi.site) == before


def test_an_edited_translation_is_published_by_a_cached_build(multi: Repo) -> None:
    multi.incident(f"{ID}.it.md", IT_MD)
    assert multi.build() == 0
    page = f"it/incidents/{ID}/index.html"
    assert "Tassi di errore elevati" in multi.page(page)
    multi.incident(f"{ID}.it.md", IT_MD.replace("Tassi di errore elevati", "Errori frequenti").replace("Stiamo", "Ora"))
    assert multi.build() == 0
    for rel in (page, "it/index.html", "it/history/index.html", "it/feed.atom"):
        assert "Errori frequenti" in multi.page(rel), rel
        assert "Tassi di errore elevati" not in multi.page(rel), rel
    assert "Ora indagando" in multi.page(page)
