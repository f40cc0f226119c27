"""The catalogs: the template holds every message the code and templates have, and every language's
catalog translates each of them, none fuzzy or obsolete, each keeping the original's placeholders."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from conftest import PROJECT
from statusgen import i18n

LOCALE = PROJECT / "statusgen/locale"
TEMPLATE = LOCALE / "statusgen.pot"
# What a translation must keep as the original has it: Python-format fields, message-template
# fields, and the marks around what an engineer still has to write.
PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%|\$\w+|\[\[|\]\]")


def read(path: Path) -> Catalog:
    with path.open("rb") as data:
        return read_po(data)


def ids(catalog: Catalog) -> set[tuple[str, str | None]]:
    return {(str(m.id), m.context) for m in catalog if m.id}


def messages(catalog: Catalog) -> Iterator[Message]:
    return (m for m in catalog if m.id)


def placeholders(text: str) -> list[str]:
    return sorted(match.group(0) for match in PLACEHOLDER.finditer(text))


def plural_problems(message: Message, forms: int) -> list[str]:
    """What is wrong with a message that has plural forms: each of the language's forms must be
    written; the last (which reads every count the others do not) keeps the plural's placeholders,
    and no form has one the plural has not (a form for one alone may say "one" in words)."""
    assert isinstance(message.id, tuple | list) and isinstance(message.string, tuple | list)
    singular, plural = (str(part) for part in message.id)
    texts = [str(text) for text in message.string]
    wanted = set(placeholders(plural))
    problems = [f"fuzzy: {singular!r}"] if message.fuzzy else []
    if len(texts) != forms or not all(texts):
        problems.append(f"not every one of the {forms} plural forms is translated: {singular!r}")
    elif sorted(set(placeholders(texts[-1]))) != sorted(wanted):
        problems.append(f"the last plural form keeps {placeholders(texts[-1])}, not {sorted(wanted)}: {singular!r}")
    elif any(not set(placeholders(text)) <= wanted for text in texts):
        problems.append(f"a plural form has a placeholder the message has not: {singular!r}")
    return problems


def po(catalog: str) -> Path:
    return LOCALE / catalog / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"


def test_there_is_a_catalog_for_every_language_and_no_other() -> None:
    folders = sorted(p.name for p in LOCALE.iterdir() if p.is_dir())
    assert folders == sorted(i18n.CATALOGS)
    assert len(i18n.CATALOGS) == 20
    assert all(po(c).is_file() for c in i18n.CATALOGS)


def test_the_template_holds_exactly_what_the_code_and_templates_say(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Extracted afresh as the README says: a message added, changed or removed in the code or a
    template without running the extraction fails here."""
    monkeypatch.chdir(PROJECT)
    fresh = tmp_path / "fresh.pot"
    CommandLineInterface().run(  # type: ignore[no-untyped-call]
        [
            "pybabel",
            "-q",
            "extract",
            "-F",
            "pyproject.toml",
            "-o",
            str(fresh),
            "--no-location",
            "--sort-output",
            "-c",
            "TRANSLATORS:",
            ".",
        ]
    )
    extracted, kept = read(fresh), read(TEMPLATE)
    assert ids(kept) == ids(extracted)
    # The translators' notes travel with the messages.
    assert {m.id: m.auto_comments for m in messages(kept)} == {m.id: m.auto_comments for m in messages(extracted)}
    assert len(ids(kept)) > 100


@pytest.mark.parametrize("catalog", i18n.CATALOGS)
def test_each_catalog_translates_every_message_and_keeps_its_placeholders(catalog: str) -> None:
    translated = read(po(catalog))
    expected = ids(read(TEMPLATE))
    assert ids(translated) - expected == set(), "messages the template no longer has: update the catalog"
    assert expected - ids(translated) == set(), "messages not in the catalog yet: update the catalog"
    assert translated.obsolete == {}, "obsolete entries: remove them"
    problems = []
    for message in messages(translated):
        if message.pluralizable:
            problems += plural_problems(message, translated.num_plurals)
            continue
        original, text = str(message.id), str(message.string)
        if message.fuzzy:
            problems.append(f"fuzzy: {original!r}")
        if not text:
            problems.append(f"not translated: {original!r}")
        elif placeholders(text) != placeholders(original):
            problems.append(f"placeholders {placeholders(text)} instead of {placeholders(original)}: {original!r}")
        elif original.endswith("\n") != text.endswith("\n"):
            problems.append(f"the final newline differs: {original!r}")
        problems += [f"{error}: {original!r}" for error in message.check(translated)]
    assert problems == []
    assert translated.locale is not None and str(translated.locale) == catalog


@pytest.mark.parametrize("catalog", i18n.CATALOGS)
def test_each_catalog_has_its_own_words_for_the_statuses(catalog: str) -> None:
    """The five component statuses and the overall banner are never left as the English words."""
    words = i18n.translations(catalog)
    for status in ("Operational", "Degraded performance", "Partial outage", "Major outage", "Under maintenance"):
        assert words.gettext(status) != status
    assert words.gettext("All Systems Operational") != "All Systems Operational"


def test_a_catalog_is_read_from_its_source_when_not_compiled() -> None:
    """A source checkout has only the .po files: their words are used, as the wheel's .mo are."""
    assert not any(LOCALE.rglob("*.mo")), "compiled catalogs are made for the wheel, not kept in the checkout"
    words = i18n.translations("it")
    assert words.gettext("Operational") == read(po("it"))["Operational"].string
    assert i18n.translations(None).gettext("Operational") == "Operational"


@pytest.mark.parametrize(
    "code, catalog",
    [
        ("en", None),
        ("en-GB", None),
        ("it", "it"),
        ("it-CH", "it"),
        ("de-AT", "de"),
        ("pt-BR", "pt_BR"),
        ("pt_BR", "pt_BR"),
        ("pt-PT", "pt_BR"),
        ("pt", "pt_BR"),
        ("zh", "zh_Hans"),
        ("zh-CN", "zh_Hans"),
        ("zh-SG", "zh_Hans"),
        ("zh-Hans", "zh_Hans"),
        ("zh-Hant", None),  # Traditional Chinese has no catalog: Simplified is not one for it
        ("zh-TW", None),
        ("zh-HK", None),
        ("ar-EG", "ar"),
        ("sv-FI", "sv"),
        ("el", None),
    ],
)
def test_a_regional_language_reads_its_base_languages_catalog(code: str, catalog: str | None) -> None:
    assert i18n.language(code).catalog == catalog


def test_right_to_left_languages_are_known_as_such() -> None:
    directions = {code: i18n.language(code).direction for code in ("ar", "he", "ar-EG", "en", "ru", "zh", "hi")}
    assert directions == {"ar": "rtl", "he": "rtl", "ar-EG": "rtl", "en": "ltr", "ru": "ltr", "zh": "ltr", "hi": "ltr"}


def test_language_names_are_written_in_their_own_language() -> None:
    names = {code: i18n.language(code).name for code in ("it", "de", "pt-BR", "ja", "ar", "en")}
    assert names == {
        "it": "Italiano",
        "de": "Deutsch",
        "pt-BR": "Português (Brasil)",
        "ja": "日本語",
        "ar": "العربية",
        "en": "English",
    }


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown language 'xx'"):
        i18n.language("xx")
