"""Notices in each target's language: the interface's words from the catalogs, dates by CLDR, the
incident's translated title and message (else the default language's, marked in email as such),
links to that language's pages; the generic webhook keeps the API's document in the default."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from markupsafe import escape

from conftest import Repo
from statusgen import i18n
from statusgen.load.config import NotifyTarget
from statusgen.load.repository import Repository, load_repository
from statusgen.load.translations import Translation
from statusgen.notify import payloads, runner, transport
from statusgen.notify.runner import NewUpdate, _Notices

CONFIG = """\
site:
  title: Example Status
  url: https://status.example.com/
  description: Status of Example services
  timezone: Europe/Rome
  languages: [it, de]
components:
  - id: api
    name: Public API
  - id: db
    name: Database
notify:
  - type: slack
    url_env: SLACK_URL
    language: it
  - type: email
    smtp_env: SMTP_URL
    from: status@example.com
    to: [oncall@example.com]
    language: de
"""
OUTAGE = """\
---
title: Elevated API error rates
impact: major
components:
  api: partial_outage
updates:
  - at: 2025-11-03T14:05:00Z
    status: investigating
    message: We are investigating **elevated** error rates.
  - at: 2025-11-03T15:20:00+01:00
    status: resolved
    message: Error rates are back to normal.
---
"""
MAINTENANCE = """\
---
title: Database upgrade
kind: maintenance
window: {start: 2025-12-01T02:00:00Z, end: 2025-12-01T04:00:00Z}
components: [db]
updates:
  - at: 2025-11-20T10:00:00Z
    status: scheduled
    message: We will upgrade the primary database.
---
"""
OUTAGE_ID, MAINTENANCE_ID = "2025-11-03-api-errors", "2025-11-20-db-upgrade"
INVESTIGATING = datetime(2025, 11, 3, 14, 5, tzinfo=UTC)
RESOLVED = datetime(2025, 11, 3, 14, 20, tzinfo=UTC)  # 15:20+01:00, as the translation names it in UTC
SCHEDULED = datetime(2025, 11, 20, 10, 0, tzinfo=UTC)
SITE = "https://status.example.com/"
# Italian: the outage's title and its first message; its resolution is not translated.
ITALIAN = Translation(
    OUTAGE_ID,
    "it",
    f"incidents/{OUTAGE_ID}.it.md",
    "Tassi di errore elevati sulle API",
    messages={INVESTIGATING: "Stiamo analizzando tassi di errore **elevati**."},
)
# German: the maintenance, title and message.
GERMAN = Translation(
    MAINTENANCE_ID,
    "de",
    f"incidents/{MAINTENANCE_ID}.de.md",
    "Datenbank-Aktualisierung",
    messages={SCHEDULED: "Wir aktualisieren die primäre Datenbank."},
)
IT, DE = i18n.language("it"), i18n.language("de")


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Repository:
    """The two incidents, with the Italian and German translations given directly."""
    scratch = Repo(tmp_path_factory.mktemp("languages"))
    scratch.config(CONFIG)
    scratch.incident(f"{OUTAGE_ID}.md", OUTAGE)
    scratch.incident(f"{MAINTENANCE_ID}.md", MAINTENANCE)
    loaded = load_repository(scratch.root)
    return replace(loaded, translations={"it": {OUTAGE_ID: ITALIAN}, "de": {MAINTENANCE_ID: GERMAN}})


def notice(repo: Repository, ident: str, at: datetime, language: str | None) -> payloads.Notice:
    (incident,) = [i for i in repo.incidents if i.id == ident]
    (update,) = [u for u in incident.updates if u.at == at]
    return _Notices(repo)(NewUpdate(incident, update), language)


def target(repo: Repository, kind: str) -> NotifyTarget:
    (found,) = [t for t in repo.config.notify if t.type == kind]
    return found


def headline(words: i18n.Language, status: str, title: str) -> str:
    return words.gettext("%(status)s: %(title)s") % {"status": words.gettext(status), "title": title}


def window(words: i18n.Language, start: str, end: str) -> str:
    return words.gettext("%(start)s to %(end)s") % {"start": start, "end": end}


def po_msgstr(catalog: str, msgid: str) -> str:
    """The msgstr of ``msgid`` as the catalog's .po file has it ("" while untranslated)."""
    with (i18n.LOCALE_DIR / catalog / "LC_MESSAGES" / "statusgen.po").open("rb") as source:
        message = read_po(source, locale=catalog, domain=i18n.DOMAIN)[msgid]
    assert message is not None, msgid
    assert isinstance(message.string, str)
    return message.string


# --- the interface's words and dates -----------------------------------------------------------


def test_a_slack_target_in_italian_gets_italian_words_dates_text_and_link(repo: Repository) -> None:
    it_link = f"{SITE}it/incidents/{OUTAGE_ID}/"
    title = "Tassi di errore elevati sulle API"
    assert payloads.slack(notice(repo, OUTAGE_ID, INVESTIGATING, "it")) == {
        "text": f"{headline(IT, 'Investigating', title)}\nStiamo analizzando tassi di errore elevati.",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": headline(IT, "Investigating", title)}},
            {"type": "section", "text": {"type": "mrkdwn", "text": "Stiamo analizzando tassi di errore elevati."}},
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": f"{IT.gettext('Affected')}: Public API · <{it_link}|{IT.gettext('View incident')}>",
                    }
                ],
            },
        ],
        "unfurl_links": False,
        "unfurl_media": False,
    }
    # The maintenance has no Italian translation: its text is English, its words and dates Italian.
    scheduled = payloads.slack(notice(repo, MAINTENANCE_ID, SCHEDULED, "it"))
    link = f"{SITE}it/incidents/{MAINTENANCE_ID}/"
    span = window(IT, "1 dic 2025, 03:00 CET", "05:00 CET")
    assert scheduled["blocks"][0]["text"]["text"] == headline(IT, "Scheduled", "Database upgrade")
    assert scheduled["blocks"][1]["text"]["text"] == "We will upgrade the primary database."
    assert scheduled["blocks"][2]["elements"][0]["text"] == (
        f"{IT.gettext('Affected')}: Database · {IT.gettext('Window')}: {span} · <{link}|{IT.gettext('View incident')}>"
    )


def test_the_italian_status_word_is_the_catalogs(repo: Repository) -> None:
    # Straight from the .po file: while it is untranslated there, the word is English.
    word = po_msgstr("it", "Investigating") or "Investigating"
    assert IT.gettext("Investigating") == word
    sent = notice(repo, OUTAGE_ID, INVESTIGATING, "it")
    assert sent.status == word
    fields = payloads.discord(sent)["embeds"][0]["fields"]
    assert fields[0] == {"name": po_msgstr("it", "Status") or "Status", "value": word, "inline": True}
    card = payloads.teams(sent)["attachments"][0]["content"]
    assert card["body"][1]["text"] == word


def _catalog(pairs: dict[str, str]) -> Translations:
    catalog = Catalog(locale="it", domain=i18n.DOMAIN)
    for msgid, msgstr in pairs.items():
        catalog.add(msgid, msgstr)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=i18n.DOMAIN)


def test_chat_targets_take_their_words_from_the_catalog_of_their_language(
    repo: Repository, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A catalog of known words stands in for the Italian one, whatever its translators have done.
    italian = _catalog(
        {
            "Investigating": "In analisi",
            "Affected": "Coinvolti",
            "View incident": "Vedi l'incidente",
            "Status": "Stato",
            "%(status)s: %(title)s": "%(title)s — %(status)s",
        }
    )
    real = i18n.translations

    def translations(catalog: str | None) -> NullTranslations:
        return italian if catalog == "it" else real(catalog)

    monkeypatch.setattr(i18n, "translations", translations)
    sent = notice(repo, OUTAGE_ID, INVESTIGATING, "it")
    link = f"{SITE}it/incidents/{OUTAGE_ID}/"
    slack = payloads.slack(sent)
    assert slack["blocks"][0]["text"]["text"] == "Tassi di errore elevati sulle API — In analisi"
    assert slack["blocks"][2]["elements"][0]["text"] == f"Coinvolti: Public API · <{link}|Vedi l'incidente>"
    embed = payloads.discord(sent)["embeds"][0]
    assert embed["title"] == "Tassi di errore elevati sulle API"
    assert embed["fields"] == [
        {"name": "Stato", "value": "In analisi", "inline": True},
        {"name": "Coinvolti", "value": "Public API", "inline": True},
    ]
    card = payloads.teams(sent)["attachments"][0]["content"]
    assert [block.get("text") for block in card["body"]] == [
        "Tassi di errore elevati sulle API",
        "In analisi",
        "Stiamo analizzando tassi di errore elevati.",
        None,
    ]
    assert card["actions"] == [{"type": "Action.OpenUrl", "title": "Vedi l'incidente", "url": link}]
    # The same update in the default language keeps its English words and text.
    english = payloads.slack(notice(repo, OUTAGE_ID, INVESTIGATING, None))
    assert english["blocks"][0]["text"]["text"] == "Investigating: Elevated API error rates"


def parts(message: EmailMessage) -> list[tuple[str, str]]:
    return [(part.get_content_type(), part.get_content()) for part in message.iter_parts()]


def html(lang: str, title: str, body: str, link: str) -> str:
    direction = i18n.language(lang).direction
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}" dir="{direction}">\n'
        f'<head><meta charset="utf-8"><title>{escape(title)}</title>'
        f'</head>\n<body>\n{body}<p><a href="{link}">{link}</a></p>\n</body>\n</html>\n'
    )


def test_an_email_target_in_german_has_lang_de_and_german_dates(repo: Repository) -> None:
    message = payloads.email(notice(repo, MAINTENANCE_ID, SCHEDULED, "de"), target(repo, "email"))
    subject = headline(DE, "Scheduled", "Datenbank-Aktualisierung")
    link = f"{SITE}de/incidents/{MAINTENANCE_ID}/"
    span = window(DE, "01.12.2025, 03:00 CET", "05:00 CET")
    affected, when = DE.gettext("Affected"), DE.gettext("Window")
    assert (message["Subject"], message["Message-ID"], message["References"]) == (
        f"[Example Status] {subject}",
        # Another message than the English one of the same update, in the same thread.
        f"<{MAINTENANCE_ID}.20251120t100000z.de@status.example.com>",
        f"<{MAINTENANCE_ID}@status.example.com>",
    )
    assert parts(message) == [
        (
            "text/plain",
            f"{subject}\n\nWir aktualisieren die primäre Datenbank.\n\n{affected}: Database\n{when}: {span}\n{link}\n",
        ),
        (
            "text/html",
            html(
                "de",
                subject,
                f"<h1>{escape(subject)}</h1>\n<p>Wir aktualisieren die primäre Datenbank.</p>\n"
                f"<p><strong>{escape(affected)}:</strong> Database</p>\n"
                f"<p><strong>{escape(when)}:</strong> {escape(span)}</p>\n",
                link,
            ),
        ),
    ]


# --- what is not translated --------------------------------------------------------------------


def test_a_missing_translation_falls_back_to_the_default_text_marked_english(repo: Repository) -> None:
    # No German translation of the outage: its title and message are English, so marked.
    sent = notice(repo, OUTAGE_ID, INVESTIGATING, "de")
    assert (sent.incident.title, sent.message) == (
        "Elevated API error rates",
        "We are investigating elevated error rates.",
    )
    message = payloads.email(sent, target(repo, "email"))
    subject = headline(DE, "Investigating", "Elevated API error rates")
    link = f"{SITE}de/incidents/{OUTAGE_ID}/"
    assert message["Subject"] == f"[Example Status] {subject}"
    (_, text), (_, page) = parts(message)
    assert text == (
        f"{subject}\n\nWe are investigating elevated error rates.\n\n{DE.gettext('Affected')}: Public API\n{link}\n"
    )
    # The German headline, with the English title in it marked as English.
    marked = str(escape(subject)).replace(
        "Elevated API error rates", '<span lang="en" dir="ltr">Elevated API error rates</span>'
    )
    assert page == html(
        "de",
        subject,
        f"<h1>{marked}</h1>\n"
        '<div lang="en" dir="ltr"><p>We are investigating <strong>elevated</strong> error rates.</p></div>\n'
        f"<p><strong>{escape(DE.gettext('Affected'))}:</strong> Public API</p>\n",
        link,
    )


def test_an_untranslated_message_falls_back_while_the_title_stays_translated(repo: Repository) -> None:
    # The Italian translation names only the first update: the resolution's message is English.
    sent = notice(repo, OUTAGE_ID, RESOLVED, "it")
    title = "Tassi di errore elevati sulle API"
    assert (sent.incident.title, sent.message, sent.title_lang, sent.message_lang) == (
        title,
        "Error rates are back to normal.",
        None,
        "en",
    )
    assert payloads.slack(sent)["text"] == f"{headline(IT, 'Resolved', title)}\nError rates are back to normal."
    page = parts(payloads.email(sent, target(repo, "email")))[1][1]
    assert f"<h1>{escape(headline(IT, 'Resolved', title))}</h1>" in page
    assert '<div lang="en" dir="ltr"><p>Error rates are back to normal.</p></div>' in page
    # A translated message is not marked.
    first = parts(payloads.email(notice(repo, OUTAGE_ID, INVESTIGATING, "it"), target(repo, "email")))[1][1]
    assert "<p>Stiamo analizzando tassi di errore <strong>elevati</strong>.</p>\n<p><strong>" in first
    assert 'lang="en"' not in first


def test_a_language_the_site_is_not_published_in_has_its_words_and_the_default_text(repo: Repository) -> None:
    sent = notice(repo, OUTAGE_ID, INVESTIGATING, "fr")
    assert (sent.link, sent.incident.title, sent.title_lang, sent.message_lang) == (
        f"{SITE}incidents/{OUTAGE_ID}/",  # no /fr/ pages to lead to
        "Elevated API error rates",
        "en",
        "en",
    )
    message = payloads.email(sent, target(repo, "email"))
    assert message["Message-ID"] == f"<{OUTAGE_ID}.20251103t140500z.fr@status.example.com>"
    page = parts(message)[1][1]
    assert page.startswith('<!DOCTYPE html>\n<html lang="fr" dir="ltr">')
    assert '<span lang="en" dir="ltr">Elevated API error rates</span>' in page


def test_the_default_language_is_unchanged_and_unmarked(repo: Repository) -> None:
    for language in (None, "en"):
        sent = notice(repo, OUTAGE_ID, INVESTIGATING, language)
        assert (sent.link, sent.incident.title, sent.title_lang, sent.message_lang) == (
            f"{SITE}incidents/{OUTAGE_ID}/",
            "Elevated API error rates",
            None,
            None,
        )
        message = payloads.email(sent, target(repo, "email"))
        assert message["Message-ID"] == f"<{OUTAGE_ID}.20251103t140500z@status.example.com>"
        assert "<h1>Investigating: Elevated API error rates</h1>" in parts(message)[1][1]


# --- the webhook ---------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["it", "de", "fr"])
def test_the_webhook_document_is_the_default_languages_whatever_the_target(repo: Repository, language: str) -> None:
    english = payloads.webhook(notice(repo, OUTAGE_ID, INVESTIGATING, None))
    document = payloads.webhook(notice(repo, OUTAGE_ID, INVESTIGATING, language))
    assert document == english
    incident: dict[str, Any] = document["incident"]
    assert (incident["name"], incident["shortlink"], incident["incident_updates"][0]["body"]) == (
        "Elevated API error rates",
        f"{SITE}incidents/{OUTAGE_ID}/",
        "We are investigating **elevated** error rates.",
    )
    assert document["page"]["status_description"] == "Partial System Outage"


# --- a target's identity -----------------------------------------------------------------------


def test_a_targets_name_in_the_record_names_its_language_only_when_it_has_one() -> None:
    plain = NotifyTarget("slack", "SLACK_URL")
    assert transport.target_key(plain) == "slack:SLACK_URL"
    assert transport.target_key(replace(plain, language="it")) == "slack:SLACK_URL:language=it"
    # pt_BR and pt-BR are one language, so one target.
    assert transport.target_key(replace(plain, language="pt_BR")) == "slack:SLACK_URL:language=pt-BR"
    assert transport.target_key(replace(plain, language="pt-BR")) == "slack:SLACK_URL:language=pt-BR"
    assert transport.target_label(replace(plain, language="it")) == "slack ($SLACK_URL; language it)"
    update = f"{OUTAGE_ID}@2025-11-03T14:05:00Z"
    assert transport.idempotency_key(plain, update) != transport.idempotency_key(replace(plain, language="it"), update)


def test_a_target_naming_the_default_language_is_the_target_without_one(repo: Repository) -> None:
    config = replace(
        repo.config,
        notify=(
            NotifyTarget("slack", "A_URL", language="en"),
            NotifyTarget("slack", "B_URL", language="it"),
            NotifyTarget("slack", "C_URL"),
        ),
    )
    assert [transport.target_key(t) for t in runner.targets(config)] == [
        "slack:A_URL",
        "slack:B_URL:language=it",
        "slack:C_URL",
    ]


def test_an_email_in_arabic_is_written_right_to_left_and_english_in_it_left_to_right(repo: Repository) -> None:
    message = payloads.email(notice(repo, OUTAGE_ID, INVESTIGATING, "ar"), target(repo, "email"))
    (_, page) = parts(message)[1]
    assert page.startswith('<!DOCTYPE html>\n<html lang="ar" dir="rtl">')
    assert '<div lang="en" dir="ltr"><p>We are investigating <strong>elevated</strong> error rates.</p></div>' in page
