"""The site in each of its languages: the default at ``/``, each other under ``/CODE/``.

Every language's pages show the incidents in that language where a translation gives their text,
and in the default language where none does yet, marked as such (``untranslated``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

from statusgen import i18n
from statusgen.derive.state import SiteState
from statusgen.load.config import Site
from statusgen.load.incidents import Incident, Update
from statusgen.load.translations import Translation


@dataclass(frozen=True)
class Edition:
    """The site in one language: its code as the site writes it, and the folder it is under."""

    code: str
    prefix: str
    language: i18n.Language

    @property
    def default(self) -> bool:
        return not self.prefix


def editions(site: Site) -> list[Edition]:
    """Every language of the site, the default (published at the site's root) first."""
    return [
        Edition(code, "" if index == 0 else f"{code}/", i18n.language(code))
        for index, code in enumerate(site.all_languages)
    ]


class Localized:
    """The state of the site as one edition shows it, and what in it is not translated yet."""

    def __init__(self, state: SiteState, edition: Edition, default_tag: str):
        self.edition = edition
        self._default_tag = default_tag
        self._translations = {} if edition.default else state.translations.get(edition.code, {})
        if edition.default:
            self.state = state
            return
        shown = {i.id: self._incident(i) for i in state.incidents}

        def each(incidents: tuple[Incident, ...]) -> tuple[Incident, ...]:
            return tuple(shown[i.id] for i in incidents)

        self.state = replace(
            state,
            incidents=each(state.incidents),
            open_incidents=each(state.open_incidents),
            active_maintenance=each(state.active_maintenance),
            upcoming_maintenance=each(state.upcoming_maintenance),
            by_component={cid: each(items) for cid, items in state.by_component.items()},
        )

    def _incident(self, incident: Incident) -> Incident:
        translation = self._translations.get(incident.id)
        if translation is None:
            return incident
        updates = tuple(
            replace(u, message=translation.messages[u.at]) if u.at in translation.messages else u
            for u in incident.updates
        )
        return replace(
            incident,
            title=translation.title,
            body=incident.body if translation.body is None else translation.body,
            updates=updates,
            # Pages are carried over from an earlier build by what they show: the translation too.
            digest=incident.digest + ":" + _digest(translation),
        )

    def untranslated(self, incident: Incident, part: Update | str | None = None) -> str | None:
        """The language tag of text of ``incident`` shown untranslated (its title, an update's
        message, or with ``"body"`` its body), or None when it is translated or in the default."""
        if self.edition.default:
            return None
        translation = self._translations.get(incident.id)
        if part is None:
            missing = translation is None
        elif part == "body":
            missing = bool(incident.body) and (translation is None or translation.body is None)
        elif isinstance(part, Update):
            missing = translation is None or part.at not in translation.messages
        else:
            raise TypeError(f"untranslated() takes an update or 'body', not {part!r}")
        return self._default_tag if missing else None


def _digest(translation: Translation) -> str:
    text = repr((translation.title, translation.body, sorted(translation.messages.items())))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
