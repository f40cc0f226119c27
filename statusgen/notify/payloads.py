"""What each kind of notification target is sent about one update.

Every message says the same things: the incident's title, the update's status, its message as
plain text, the affected components and a link to the incident's page. The generic webhook
gets the Statuspage webhook document (``meta``, ``page``, ``incident``), so receivers written
for Statuspage work unchanged; chat services get their own message shapes, within their limits.
Those and email are written in the notice's language: its words and dates, and the incident's
title and message where a translation gives them; the webhook document is always the API's, in
the site's default language.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup

from statusgen import i18n, markup
from statusgen.load.config import NotifyTarget, Site
from statusgen.load.incidents import Incident, Update
from statusgen.theme.environment import update_stamp
from statusgen.theme.formatter import Formatter
from statusgen.timeutil import iso
from statusgen.vocabulary import Impact

# Discord refuses longer messages outright; Slack and Teams truncate or refuse.
DISCORD_CONTENT, DISCORD_TITLE, DISCORD_DESCRIPTION, DISCORD_FIELD, DISCORD_FOOTER = 2000, 256, 4096, 1024, 256
SLACK_HEADER, SLACK_TEXT = 150, 3000
_DONE = 0x2E7D32  # the colour of a notice that an incident or maintenance is over


@dataclass(frozen=True)
class Notice:
    """One update to announce: the incident as published at that update, and the page then.

    ``incident`` and ``update`` carry the text in the notice's language (translated where a
    translation gives it); ``page`` and ``api_incident`` are the API's, in the default language.
    """

    site: Site
    incident: Incident
    update: Update
    components: tuple[str, ...]
    page: dict[str, Any]
    api_incident: dict[str, Any]
    # The language the notice is written in: the target's, else the site's default.
    language: str | None = None
    # The folder of the site's pages in that language ("it/"), where the link leads; "" at the root.
    prefix: str = ""
    # The language tag of the title and of the message when they are shown untranslated, in the
    # default language (None: translated, or the notice is in the default language): the email's
    # HTML marks such text with its own ``lang``.
    title_lang: str | None = None
    message_lang: str | None = None

    @property
    def words(self) -> i18n.Language:
        return i18n.language(self.language or self.site.language)

    @property
    def in_default_language(self) -> bool:
        """Whether the notice is written in the site's default language."""
        return self.words.tag.lower() == i18n.language(self.site.language).tag.lower()

    @property
    def status(self) -> str:
        return self.words.gettext(self.update.status.label)

    @property
    def headline(self) -> str:
        """``Investigating: Elevated API error rates``, on one line."""
        text = self.words.gettext("%(status)s: %(title)s") % {"status": self.status, "title": self.incident.title}
        return " ".join(text.split())

    @property
    def subject(self) -> str:
        """``[Acme Status] Investigating: Elevated API error rates``."""
        return " ".join(f"[{self.site.title}] {self.headline}".split())

    @property
    def link(self) -> str:
        return f"{self.site.url}{self.prefix}incidents/{self.incident.id}/"

    @property
    def message(self) -> str:
        return markup.plain(self.update.message)

    @property
    def done(self) -> bool:
        return self.update.status.finished

    def facts(self) -> list[tuple[str, str]]:
        """Labelled details shown under the message."""
        words = self.words
        facts = [(words.gettext("Affected"), ", ".join(self.components))] if self.components else []
        window = self.incident.window
        if window is not None:
            when = Formatter(self.site.zone, words.code)
            start, end = when.short_date(window.start), when.short_date(window.end)
            until = when.clock(window.end) if end == start else when.date_time(window.end)
            # TRANSLATORS: a maintenance window in a notification, as in "3 Nov 2025, 02:00 CET to 04:00 CET".
            span = words.gettext("%(start)s to %(end)s") % {"start": when.date_time(window.start), "end": until}
            facts.append((words.gettext("Window"), span))
        return facts

    @property
    def view(self) -> str:
        """The words of the link to the incident's page."""
        return self.words.gettext("View incident")

    def text(self) -> str:
        """The whole notice as plain text."""
        lines = [self.headline, "", self.message, ""]
        lines += [f"{label}: {value}" for label, value in self.facts()]
        return "\n".join([*lines, self.link, ""])


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, with an ellipsis where it was cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def webhook(notice: Notice) -> dict[str, Any]:
    """The Statuspage webhook document for an incident update."""
    return {
        "meta": {"unsubscribe": notice.site.url, "documentation": f"{notice.site.url}api/v2/summary.json"},
        "page": notice.page,
        "incident": notice.api_incident,
    }


def _slack_escape(text: str) -> str:
    # Slack reads <...> as a link or a mention (<!channel> notifies everyone), in the fallback
    # text as in blocks, so the three characters are always escaped.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack(notice: Notice) -> dict[str, Any]:
    """A Slack incoming-webhook message: fallback ``text`` for notifications, and blocks."""
    details = " · ".join(f"{label}: {_slack_escape(value)}" for label, value in notice.facts())
    link = f"<{notice.link}|{_slack_escape(notice.view)}>"
    context = f"{details} · {link}" if details else link
    return {
        "text": clip(_slack_escape(f"{notice.headline}\n{notice.message}"), SLACK_TEXT),
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": clip(notice.headline, SLACK_HEADER)}},
            {"type": "section", "text": {"type": "mrkdwn", "text": clip(_slack_escape(notice.message), SLACK_TEXT)}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(context, SLACK_TEXT)}]},
        ],
        "unfurl_links": False,
        "unfurl_media": False,
    }


def _discord_escape(text: str) -> str:
    for char in "\\*_~`|>#[]":
        text = text.replace(char, "\\" + char)
    return text


def discord(notice: Notice) -> dict[str, Any]:
    """A Discord webhook message: a one-line ``content`` and an embed with the details."""
    fields = [{"name": notice.words.gettext("Status"), "value": notice.status, "inline": True}]
    fields += [{"name": label, "value": clip(value, DISCORD_FIELD), "inline": True} for label, value in notice.facts()]
    return {
        "content": clip(_discord_escape(notice.headline), DISCORD_CONTENT),
        "embeds": [
            {
                "title": clip(notice.incident.title, DISCORD_TITLE),
                "url": notice.link,
                "description": clip(notice.message, DISCORD_DESCRIPTION),
                "color": _DONE if notice.done else notice.incident.impact.notify_colour,
                "fields": fields,
                "timestamp": iso(notice.update.at),
                "footer": {"text": clip(notice.site.title, DISCORD_FOOTER)},
            }
        ],
        # Incident text comes from many hands: it must never ping @everyone or a role.
        "allowed_mentions": {"parse": []},
    }


def teams(notice: Notice) -> dict[str, Any]:
    """A Teams incoming-webhook message carrying an Adaptive Card."""
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {"type": "TextBlock", "text": notice.incident.title, "weight": "Bolder", "size": "Medium", "wrap": True},
            {
                "type": "TextBlock",
                "text": notice.status,
                "weight": "Bolder",
                "spacing": "None",
                "color": "Good"
                if notice.done
                else "Attention"
                if notice.incident.impact.level >= Impact.MAJOR.level
                else "Default",
            },
            {"type": "TextBlock", "text": notice.message, "wrap": True},
            {"type": "FactSet", "facts": [{"title": label, "value": value} for label, value in notice.facts()]},
        ],
        "actions": [{"type": "Action.OpenUrl", "title": notice.view, "url": notice.link}],
    }
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}
        ],
    }


def _marked(html: Markup, lang: str | None, element: str) -> Markup:
    """``html`` in an ``element`` naming its language and direction, when that is not the page's."""
    if lang is None:
        return html
    direction = i18n.language(lang).direction
    return Markup('<{0} lang="{1}" dir="{2}">{3}</{0}>').format(Markup(element), lang, direction, html)


def _html_headline(notice: Notice) -> Markup:
    """The headline as HTML, its title marked when it is shown untranslated."""
    title = _marked(Markup.escape(" ".join(notice.incident.title.split())), notice.title_lang, "span")
    words = " ".join(notice.words.gettext("%(status)s: %(title)s").split())
    # The catalog's words are text, never markup: escaped before the title goes in.
    return Markup.escape(words) % {"status": " ".join(notice.status.split()), "title": title}


def _html(notice: Notice) -> str:
    facts = Markup("").join(
        Markup("<p><strong>{}:</strong> {}</p>\n").format(label, value) for label, value in notice.facts()
    )
    return str(
        Markup(
            '<!DOCTYPE html>\n<html lang="{lang}" dir="{direction}">\n'
            '<head><meta charset="utf-8"><title>{title}</title></head>\n'
            "<body>\n<h1>{headline}</h1>\n{message}\n{facts}"
            '<p><a href="{link}">{link}</a></p>\n</body>\n</html>\n'
        ).format(
            lang=notice.words.tag,
            direction=notice.words.direction,
            title=notice.headline,
            headline=_html_headline(notice),
            message=_marked(markup.render(notice.update.message), notice.message_lang, "div"),
            facts=facts,
            link=notice.link,
        )
    )


def email(notice: Notice, target: NotifyTarget) -> EmailMessage:
    """A multipart email: plain text, and the same as HTML."""
    host = urlsplit(notice.site.url).hostname or "localhost"
    stamp = update_stamp(notice.update.at)
    message = EmailMessage()
    message["Subject"] = notice.subject
    message["From"] = target.sender or ""
    message["To"] = ", ".join(target.to)
    message["Date"] = format_datetime(notice.update.at)
    # Stable ids: the same update always has the same Message-ID, and a mail reader threads an
    # incident's updates together.
    # A notice in another language than the default is another message, with an id of its own.
    language = "" if notice.in_default_language else f".{notice.words.tag}"
    message["Message-ID"] = f"<{notice.incident.id}.{stamp}{language}@{host}>"
    message["References"] = f"<{notice.incident.id}@{host}>"
    message.set_content(notice.text())
    message.add_alternative(_html(notice), subtype="html")
    return message


BUILDERS = {"webhook": webhook, "slack": slack, "discord": discord, "teams": teams}


def preview(notice: Notice, target: NotifyTarget) -> str:
    """What a target would be sent, for ``--dry-run``."""
    if target.type == "email":
        return f"Subject: {notice.subject}\nFrom: {target.sender}\nTo: {', '.join(target.to)}\n\n{notice.text()}"
    return json.dumps(BUILDERS[target.type](notice), indent=2, ensure_ascii=False) + "\n"
