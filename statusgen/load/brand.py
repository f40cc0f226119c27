"""``site.accent`` and ``site.links``: the team's colour and its own addresses, checked.

The accent colours the links and the brand of the default theme. It must stay readable: a colour
under WCAG AA contrast (4.5:1 for normal text) on the light page's background is refused, with the
nearest darker shade that passes; the dark scheme gets a lighter shade of it, made here, that
passes on the dark page's backgrounds. The backgrounds are read from the default theme's stylesheet.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from statusgen.theme.files import default_theme_dir

AA_NORMAL_TEXT = 4.5
_HEX = re.compile(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
LINK_KEYS = ("home", "support", "contact")
# What a URL may not hold written as itself (RFC 3986), beside spaces and control characters.
_NOT_IN_URL = '\\<>"{}|^`'

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Accent:
    """The accent as ``#rrggbb`` for the light scheme, and the shade of it for the dark one."""

    light: str
    dark: str


def parse_hex(text: str) -> RGB | None:
    """The colour ``#rgb`` or ``#rrggbb``; None for anything else."""
    match = _HEX.fullmatch(text)
    if match is None:
        return None
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def to_hex(rgb: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def luminance(rgb: RGB) -> float:
    """WCAG 2 relative luminance."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: RGB, other: RGB) -> float:
    """WCAG 2 contrast ratio of two colours, from 1 to 21."""
    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _shades(rgb: RGB, toward: int) -> Iterator[RGB]:
    """``rgb`` moved step by step (1/255 of the way each) toward black (0) or white (255), each
    shade once, ending at ``toward`` itself."""
    last = rgb
    for step in range(1, 256):
        shade = tuple(round(c + (toward - c) * step / 255) for c in rgb)
        if shade != last:
            last = (shade[0], shade[1], shade[2])
            yield last


def darker_passing(rgb: RGB, backgrounds: tuple[RGB, ...]) -> RGB:
    """The nearest darker shade of ``rgb`` with AA contrast on every one of ``backgrounds`` (black
    at worst)."""
    return next((s for s in _shades(rgb, 0) if all(contrast(s, b) >= AA_NORMAL_TEXT for b in backgrounds)), (0, 0, 0))


def lighter_passing(rgb: RGB, backgrounds: tuple[RGB, ...]) -> RGB:
    """The nearest lighter shade of ``rgb`` with AA contrast on every one of ``backgrounds``."""

    def passes(shade: RGB) -> bool:
        return all(contrast(shade, b) >= AA_NORMAL_TEXT for b in backgrounds)

    if passes(rgb):
        return rgb
    return next((s for s in _shades(rgb, 255) if passes(s)), (255, 255, 255))


@cache
def page_backgrounds() -> tuple[tuple[RGB, ...], tuple[RGB, ...]]:
    """The backgrounds links are shown on (the page's and its panels', such as the announcement's)
    in the default theme's light scheme and in its dark scheme, as its stylesheet sets them."""
    css = (default_theme_dir() / "static" / "style.css").read_text(encoding="utf-8")
    light_part, _, dark_part = css.partition("prefers-color-scheme: dark")

    def colour(part: str, name: str) -> RGB:
        match = re.search(rf"--{name}:\s*(#[0-9a-fA-F]{{3,6}})\s*;", part)
        rgb = parse_hex(match.group(1)) if match else None
        if rgb is None:  # the packaged stylesheet always sets them: this is a broken installation
            raise RuntimeError(f"the default theme's style.css sets no --{name}")
        return rgb

    return (colour(light_part, "bg"), colour(light_part, "panel")), (
        colour(dark_part, "bg"),
        colour(dark_part, "panel"),
    )


def accent_problem(text: str) -> tuple[str, str] | Accent:
    """The accent written ``text``, or what is wrong with it and a hint."""
    rgb = parse_hex(text.strip())
    if rgb is None:
        return (
            f"accent must be a CSS hex colour like #0b5fff or #05a, not {text!r}",
            'write it quoted: accent: "#0b5fff"',
        )
    lights, darks = page_backgrounds()
    ratio, light = min((contrast(rgb, background), background) for background in lights)
    if ratio < AA_NORMAL_TEXT:
        # Two decimals, as contrast checkers show it; 4.497 is shown 4.49, not as the 4.50 it falls short of.
        shown = min(round(ratio, 2), math.floor(AA_NORMAL_TEXT * 100 - 1) / 100)
        return (
            f"accent {text.strip()} has a contrast of {shown:.2f}:1 on the light page's background {to_hex(light)};"
            f" links need at least {AA_NORMAL_TEXT}:1 (WCAG AA)",
            f"the nearest darker shade that passes is {to_hex(darker_passing(rgb, lights))}",
        )
    return Accent(to_hex(rgb), to_hex(lighter_passing(rgb, darks)))


@dataclass(frozen=True)
class Links:
    """The team's own addresses shown in the header and footer; empty for those not given."""

    home: str = ""
    support: str = ""
    contact: str = ""

    @property
    def home_host(self) -> str:
        """The home page's host name as a reader knows it: ``example.com``."""
        host = urlsplit(self.home).hostname or ""
        return host.removeprefix("www.")

    def __bool__(self) -> bool:
        return bool(self.home or self.support or self.contact)


def address_problem(key: str, url: str) -> tuple[str, str] | None:
    """What is wrong with ``url`` as the site's ``links.<key>``, and a hint, if anything."""
    hint = "write a full address, like https://example.com/support"
    if key == "contact":
        hint += ", or mailto:support@example.com"
    if not url or any(c.isspace() or not c.isprintable() for c in url):
        return f"links.{key} must be an address without spaces or control characters", hint
    bad = next((c for c in url if c in _NOT_IN_URL), None)
    if bad is not None:
        return f"links.{key} must not contain {bad!r}: {url!r}", hint
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a malformed host or port
    except ValueError:
        return f"links.{key} {url!r} is not a valid address", hint
    scheme = parts.scheme.lower()
    if key == "contact" and scheme == "mailto":
        if re.fullmatch(r"[^@/?#]+@[^@/?#]+\.[^@/?#]+", parts.path) is None:
            return f"links.contact {url!r} is not an email address", hint
        return None
    if scheme not in ("http", "https") or not url.lower().startswith(scheme + "://"):
        allowed = "https://, http:// or mailto:" if key == "contact" else "https:// or http://"
        return f"links.{key} must start with {allowed}, not {url!r}", hint
    if not parts.hostname:
        return f"links.{key} has no host name: {url!r}", hint
    if "@" in parts.netloc:
        return f"links.{key} must not hold a user name or password: {url!r}", "it is shown on every page"
    return None
