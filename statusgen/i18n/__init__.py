"""The languages the interface is published in: their gettext catalogs and CLDR formatting.

Catalogs are ``statusgen/locale/<language>/LC_MESSAGES/statusgen.po``, made with Babel
(``pybabel extract -F pyproject.toml``); a wheel ships them compiled to ``.mo``, and a source
checkout, which has only the ``.po``, compiles them in memory when first used. English is the
language of the messages themselves and has no catalog.

A site's ``language`` is any locale CLDR knows (``en-GB``, ``pt-BR``, ``zh-Hant``): its words come
from the catalog of the same language, else of its base language (``pt-PT`` reads ``pt_BR``,
``de-AT`` reads ``de``), else are English; its dates, numbers and plurals are always its own.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
DOMAIN = "statusgen"
SOURCE_LANGUAGE = "en"

# The catalogs shipped, as Babel names their locales. zh_Hans is Simplified Chinese.
CATALOGS = (
    "ar",
    "cs",
    "de",
    "es",
    "fr",
    "he",
    "hi",
    "id",
    "it",
    "ja",
    "ko",
    "nl",
    "pl",
    "pt_BR",
    "ru",
    "sv",
    "tr",
    "uk",
    "vi",
    "zh_Hans",
)


def N_(message: str) -> str:  # noqa: N802: the name gettext's tools look for
    """``message`` unchanged, marked for the catalogs: it is translated where it is shown."""
    return message


def parse_locale(language: str) -> Locale:
    """The CLDR locale of a language code as a site writes it (``en``, ``en-GB``, ``pt_BR``).

    Raises ValueError for a code CLDR does not know.
    """
    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError) as exc:
        raise ValueError(f"unknown language {language!r}") from exc


def catalog_of(locale: Locale) -> str | None:
    """The catalog a locale's words come from: its own, its base language's, or None (English)."""
    if locale.language == SOURCE_LANGUAGE:
        return None
    exact = str(locale)
    if exact in CATALOGS:
        return exact
    if locale.language == "zh":
        # Simplified Chinese is no translation for readers of Traditional (zh-Hant, zh-TW, zh-HK).
        traditional = locale.script == "Hant" or (locale.script is None and locale.territory in ("TW", "HK", "MO"))
        return None if traditional else "zh_Hans"
    return next((c for c in CATALOGS if c.split("_")[0] == locale.language), None)


@functools.cache
def translations(catalog: str | None) -> NullTranslations:
    """The translations of a catalog (None: English, the messages as they are)."""
    if catalog is None:
        return NullTranslations()
    folder = LOCALE_DIR / catalog / "LC_MESSAGES"
    compiled, source = folder / f"{DOMAIN}.mo", folder / f"{DOMAIN}.po"
    if compiled.is_file() and (not source.is_file() or compiled.stat().st_mtime >= source.stat().st_mtime):
        with compiled.open("rb") as data:
            return Translations(data, domain=DOMAIN)
    with source.open("rb") as text:
        catalog_data = read_po(text, locale=catalog, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog_data, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


@dataclass(frozen=True)
class Language:
    """A language a site is published in: its code as the site writes it, its CLDR locale, and the
    catalog its words come from."""

    code: str
    locale: Locale
    catalog: str | None

    @property
    def direction(self) -> str:
        """``rtl`` for a script written right to left (Arabic, Hebrew), else ``ltr``."""
        return "rtl" if self.locale.character_order == "right-to-left" else "ltr"

    @property
    def tag(self) -> str:
        """The BCP 47 tag, as ``lang`` and ``hreflang`` take it: ``pt-BR``."""
        return self.code.replace("_", "-")

    @property
    def name(self) -> str:
        """The language's name in itself, as a language switcher shows it: ``Italiano``."""
        name = self.locale.get_display_name(self.locale) or self.code
        return name[:1].upper() + name[1:]

    @property
    def words(self) -> NullTranslations:
        return translations(self.catalog)

    def gettext(self, message: str) -> str:
        return self.words.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.words.ngettext(singular, plural, n)


@functools.cache
def language(code: str) -> Language:
    """The language of a code a site writes (``it``, ``en-GB``); ValueError for an unknown one."""
    locale = parse_locale(code)
    return Language(code, locale, catalog_of(locale))


def percent_number(value: float) -> Decimal:
    """An uptime percentage rounded as shown everywhere, to at most three decimals."""
    return Decimal(f"{value:.3f}").normalize()
