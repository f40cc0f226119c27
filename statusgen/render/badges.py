"""Status badges: a shields-like SVG and a shields.io endpoint JSON, site-wide and per component."""

from __future__ import annotations

from collections.abc import Iterator
from xml.sax.saxutils import escape

from statusgen.derive.state import SiteState
from statusgen.i18n import N_
from statusgen.render.api import encode
from statusgen.render.languages import Edition, editions
from statusgen.vocabulary import ComponentStatus

_NARROW, _WIDE = set("fijlrtI.,:;!|'()[] "), set("mwMW@%")


def text_width(text: str) -> float:
    """Approximate width in pixels of ``text`` in 11px Verdana, as shields.io measures it."""
    width = 0.0
    for char in text:
        if char in _NARROW:
            width += 4.0
        elif char in _WIDE:
            width += 10.0
        elif char.isupper() or char.isdigit():
            width += 7.5
        else:
            width += 6.6
    return width


def svg(label: str, message: str, fill: str) -> bytes:
    """A flat badge with an accessible name."""
    left, right = round(text_width(label) + 12), round(text_width(message) + 12)
    total = left + right
    name = escape(f"{label}: {message}", {'"': "&quot;"})
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img" aria-label="{name}">',
        f"<title>{name}</title>",
        '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/>'
        '<stop offset="1" stop-opacity=".1"/></linearGradient>',
        f'<clipPath id="r"><rect width="{total}" height="20" rx="3" fill="#fff"/></clipPath>',
        f'<g clip-path="url(#r)"><rect width="{left}" height="20" fill="#555"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{fill}"/>'
        f'<rect width="{total}" height="20" fill="url(#s)"/></g>',
        '<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">',
    ]
    for x, text in ((left / 2, label), (left + right / 2, message)):
        safe = escape(text)
        parts.append(
            f'<text x="{x:g}" y="15" fill="#010101" fill-opacity=".3">{safe}</text><text x="{x:g}" y="14">{safe}</text>'
        )
    parts.append("</g></svg>\n")
    return "".join(parts).encode("utf-8")


def endpoint(label: str, message: str, colour: str) -> bytes:
    """A shields.io endpoint document (https://shields.io/badges/endpoint-badge)."""
    document = {"schemaVersion": 1, "label": label, "message": message, "color": colour}
    return encode(document, indent=None)


# TRANSLATORS: the label on the left of a status badge, before the page's overall status.
N_("status")


def all_badges(state: SiteState, edition: Edition | None = None) -> Iterator[tuple[str, bytes]]:
    """Every badge: the site's, coloured as its indicator, and each component's. English badges
    are lower case, as shields.io's are; other languages' keep their words' own case."""
    edition = edition or editions(state.config.site)[0]
    words = edition.language

    def shown(text: str) -> str:
        return text.lower() if words.catalog is None else words.gettext(text)

    badges: list[tuple[str, str, str, ComponentStatus]] = [
        ("", shown("status"), shown(state.description), state.indicator.status)
    ]
    badges += [
        (f"components/{c.id}/", c.name, shown(state.components[c.id].label), state.components[c.id])
        for c in state.config.components
    ]
    for prefix, label, message, status in badges:
        yield f"{prefix}badge.svg", svg(label, message, status.colour)
        yield f"{prefix}badge.json", endpoint(label, message, status.colour_name)
