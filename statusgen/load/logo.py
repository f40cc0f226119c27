"""``site.logo``: the team's logo, an SVG or PNG file of the repository, checked before it is published.

The logo comes by pull request like any other file, and is published as ``static/logo.svg`` (or
``.png``) on the site's own origin. Shown with ``<img>`` an SVG runs no script, but opened by its
address it is a document of the site, where a script would run with the site's cookies and
storage. So an SVG logo is parsed as XML and refused, at the line of what it holds, when it holds
anything that could run or fetch: scripts, event handler attributes, HTML, links or styles that
lead anywhere but into the file itself, entity declarations (the "billion laughs"), processing
instructions (an ``xml-stylesheet``). Nothing is rewritten: what the build publishes is the file.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from xml.parsers import expat

from statusgen.errors import Problem, StatusgenError
from statusgen.inputs import read_bytes, repository_path_problem

MAX_LOGO_BYTES = 200_000
KINDS = {".svg": "svg", ".png": "png"}
MEDIA_TYPES = {"svg": "image/svg+xml", "png": "image/png"}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG_NS = "http://www.w3.org/2000/svg"
# Namespaces whose elements a browser would make something of inside an SVG document: HTML
# (scripts, frames, forms) and MathML (links). Elements of editors' namespaces (Inkscape's,
# Sodipodi's, RDF metadata) are inert and allowed.
_LIVE_NAMESPACES = ("http://www.w3.org/1999/xhtml", "http://www.w3.org/1998/Math/MathML")
_REFUSED_ELEMENTS = {
    "script": "a <script> element",
    "foreignObject": "a <foreignObject> element (it embeds HTML)",
    "iframe": "an <iframe> element",
    "embed": "an <embed> element",
    "object": "an <object> element",
    "handler": "a <handler> element",
    "listener": "a <listener> element",
}
_ANIMATIONS = ("set", "animate", "animateMotion", "animateTransform", "discard")
# Pictures embedded whole in the file are allowed; anything else a reference names is fetched.
_EMBEDDED = re.compile(r"data:image/(png|jpeg|gif|webp);base64,", re.I)
_URL_IN_CSS = re.compile(r"url\(\s*(['\"]?)\s*([^'\")\s]*)", re.I)
# What in CSS fetches, or could be made to: the functions that take an address or a picture, the
# rules that load a file. The check is by plain text, so a backslash (a CSS escape can spell any of
# them, "\\75 rl(" is "url(") is refused too: a logo's styles need none.
_FETCHING_CSS = re.compile(r"@import|@font-face|(?:image-set|image|cross-fade|element|src)\(", re.I)
_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|\Z)", re.S)
_ESCAPE_HINT = "write the styles out plainly: a logo's CSS needs no escapes"
_HINT = "export the logo as a plain SVG (shapes and text only), or as a PNG"
_PNG_HINT = "export the PNG again: this file is cut short or damaged"


@dataclass(frozen=True)
class Logo:
    """A checked logo: its path in the repository, its kind (``svg`` or ``png``) and its bytes.

    The pages name it by its kind alone, which statusgen.yaml says: a page carried over by the
    build cache never shows anything of an older logo file (its size, say), only its address.
    """

    path: str
    kind: str
    data: bytes = b""

    @property
    def published(self) -> str:
        """Its path in the site: ``static/logo.svg`` or ``static/logo.png``."""
        return f"static/logo.{self.kind}"

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.kind]


def read_logo(root: Path, value: str, line: int, problems: list[Problem]) -> Logo | None:
    """The logo named by ``site.logo`` (``value``, written at ``line`` of statusgen.yaml), checked;
    None, with the problems reported, if it cannot be published."""
    where = _path_problem(root, value)
    if where is not None:
        message, hint = where
        problems.append(Problem("statusgen.yaml", line, message, hint))
        return None
    rel = PurePosixPath(value).as_posix()
    kind = KINDS[PurePosixPath(rel).suffix.lower()]
    try:
        data = read_bytes(root / rel, rel, MAX_LOGO_BYTES, "a logo is shown small: export it smaller, or as an SVG")
    except StatusgenError as exc:
        problems.append(exc.problem)
        return None
    found = svg_problems(data, rel) if kind == "svg" else png_problems(data, rel)
    if found:
        problems.extend(found)
        return None
    return Logo(rel, kind, data)


def _path_problem(root: Path, value: str) -> tuple[str, str] | None:
    """What is wrong with ``value`` as the path of a logo in the repository at ``root``, if anything."""
    return repository_path_problem(
        root,
        value,
        "logo",
        "give a path inside the repository, like logo.svg or assets/logo.png",
        KINDS,
        ("must be an SVG or PNG file", "export it as logo.svg or logo.png"),
        "give the path of the SVG or PNG file itself",
    )


def png_problems(data: bytes, rel: str) -> list[Problem]:
    """Why ``data`` is not a PNG file, if it is not."""
    if not data.startswith(PNG_SIGNATURE):
        return [Problem(rel, 1, "not a PNG file: it does not start with the PNG signature", _HINT)]
    # The signature is followed by the IHDR chunk: its length, its name, the width and height.
    if data[12:16] != b"IHDR" or len(data) < 24:
        return [Problem(rel, 1, "not a valid PNG image: its IHDR header is missing or cut short", _PNG_HINT)]
    return []


class _Stop(Exception):
    """Raised by a handler to stop the parse at once: on a declaration that could make it expand
    text without end."""


class _SvgChecker:
    """Walks an SVG document once, noting each thing it must not hold at its line."""

    def __init__(self, rel: str):
        self.rel = rel
        self.problems: list[Problem] = []
        self.depth = 0
        self.root: str | None = None
        self.in_style = 0
        self.style_text: list[tuple[int, str]] = []
        self.parser = expat.ParserCreate(namespace_separator=" ")
        self.parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.text
        self.parser.EntityDeclHandler = self.entity
        self.parser.StartDoctypeDeclHandler = self.doctype
        self.parser.ProcessingInstructionHandler = self.instruction
        self.parser.ExternalEntityRefHandler = self.external

    def refuse(self, what: str, hint: str = _HINT, line: int | None = None) -> None:
        where = self.parser.CurrentLineNumber if line is None else line
        self.problems.append(Problem(self.rel, where, f"an SVG logo must not hold {what}", hint))

    def start(self, name: str, attributes: dict[str, str]) -> None:
        namespace, _, local = name.rpartition(" ")
        if self.depth == 0:
            self.root = name
        self.depth += 1
        if self.in_style:
            # A browser reads a style's CSS from its text alone: text in an element inside it
            # would be left out, and the CSS read here would not be the CSS the browser reads.
            self.refuse(f"elements inside a <style> element: <{local}>", "a <style> holds CSS text only")
        if local in _REFUSED_ELEMENTS:
            self.refuse(_REFUSED_ELEMENTS[local])
        elif namespace in _LIVE_NAMESPACES:
            self.refuse(f"HTML or MathML elements: <{local}>")
        if local == "style":
            self.in_style += 1
        for attribute, value in attributes.items():
            attribute_namespace, _, attribute_name = attribute.rpartition(" ")
            self.attribute(local, attribute_name, value, plain=not attribute_namespace)

    def attribute(self, element: str, name: str, value: str, plain: bool = True) -> None:
        """Note the attribute ``name`` of ``element`` if it could run or fetch (once, by its worst).

        Attributes in no namespace (``plain``) are SVG's own, and a browser reads many of them as
        CSS (``fill``, ``filter``, ``style``, an animation's ``values``): they are all checked as
        CSS. Editors' attributes (``sodipodi:docbase``) may hold a Windows path: only what would
        fetch is looked for in them."""
        if name.lower().startswith("on"):
            self.refuse(f"event handler attributes: {name}=", "remove the attribute: a logo needs no script")
        elif name == "href":
            if not _internal(value):
                self.refuse(f"links or references out of the file: href={value[:60]!r}", _REF_HINT)
        elif element in _ANIMATIONS and name == "attributeName" and value.strip().rpartition(":")[2] == "href":
            self.refuse("an animation that changes a link", _HINT)
        elif "javascript:" in re.sub(r"\s", "", value).lower():
            self.refuse(f"javascript: addresses: {name}=", _HINT)
        else:
            self.css([(self.parser.CurrentLineNumber, value)], escapes=plain)

    def css(self, chunks: list[tuple[int, str]], escapes: bool = True) -> None:
        """Note what in the CSS ``chunks`` (each the line it starts at and its text) could fetch,
        at its line; and, if ``escapes``, any backslash."""
        text = "".join(chunk for _, chunk in chunks)
        starts = list(itertools.accumulate((len(chunk) for _, chunk in chunks[:-1]), initial=0))

        def line_of(offset: int) -> int:
            index = bisect.bisect_right(starts, offset) - 1
            line, chunk = chunks[index]
            return line + chunk[: offset - starts[index]].count("\n")

        found: dict[int, tuple[str, str]] = {}
        if escapes and "\\" in text:
            found[text.index("\\")] = ("CSS escapes (a backslash) in its styles", _ESCAPE_HINT)
        # The text is looked through as it is and with its comments taken out: whichever way a
        # reader splits tokens at a comment (u/**/rl), or takes a comment for text in a string.
        sources: list[tuple[str, range | list[int]]] = [(text, range(len(text)))]
        if "/*" in text:
            sources.append(_without_comments(text))
        for source, where in sources:
            for match in _FETCHING_CSS.finditer(source):
                found.setdefault(where[match.start()], _fetching(match.group().lower()))
            for match in _URL_IN_CSS.finditer(source):
                if not _internal(match.group(2)):
                    what = f"references out of the file: url({match.group(2)[:60]})"
                    found.setdefault(where[match.start()], (what, _REF_HINT))
        for offset in sorted(found):
            what, hint = found[offset]
            self.refuse(what, hint, line_of(offset))

    def end(self, name: str) -> None:
        self.depth -= 1
        if name.rpartition(" ")[2] == "style":
            self.in_style -= 1
            if not self.in_style:
                # Checked whole: text comes in pieces (at each line, entity or comment), and a
                # piece alone may hide what the pieces together spell.
                if self.style_text:
                    self.css(self.style_text)
                self.style_text = []

    def text(self, data: str) -> None:
        if self.in_style:
            self.style_text.append((self.parser.CurrentLineNumber, data))

    def entity(self, name: str, *_: object) -> None:
        self.refuse(f"entity declarations: <!ENTITY {name}>", "remove the DOCTYPE: an SVG needs none")
        raise _Stop

    def doctype(self, name: str, system: str | None, public: str | None, internal_subset: bool) -> None:
        if internal_subset:
            self.refuse("a DOCTYPE with declarations of its own", "remove the DOCTYPE: an SVG needs none")
            raise _Stop

    def instruction(self, target: str, data: str) -> None:
        self.refuse(f"processing instructions: <?{target} ...?>", "remove it: an SVG needs none")

    def external(self, *_: object) -> int:
        self.refuse("external entities", "remove the DOCTYPE: an SVG needs none")
        return 1


_REF_HINT = 'a logo is published alone: keep shapes, gradients and pictures inside the file (href="#id")'


def _without_comments(css: str) -> tuple[str, list[int]]:
    """``css`` without its ``/* */`` comments, and the offset in ``css`` of each of its characters."""
    kept: list[str] = []
    origin: list[int] = []
    start = 0
    for match in [*_CSS_COMMENT.finditer(css), None]:
        end = len(css) if match is None else match.start()
        kept.append(css[start:end])
        origin.extend(range(start, end))
        if match is not None:
            start = match.end()
    return "".join(kept), origin


def _fetching(token: str) -> tuple[str, str]:
    """What a logo must not hold, said for the CSS ``token`` that fetches, and its hint."""
    if token == "@import":
        return "a stylesheet @import", _REF_HINT
    if token == "@font-face":
        return "a web font (@font-face)", "turn the text into paths: a logo is published alone"
    return f"references out of the file: {token}", _REF_HINT


def _internal(reference: str) -> bool:
    """Whether ``reference`` leads into the file itself, or embeds a picture whole."""
    reference = reference.strip()
    return reference.startswith("#") or _EMBEDDED.match(reference) is not None


def svg_problems(data: bytes, rel: str) -> list[Problem]:
    """What the SVG file ``data`` (at ``rel``) holds that a published logo must not, at its lines;
    a file that is not well-formed XML, or whose root is not an SVG ``<svg>``, is refused too."""
    checker = _SvgChecker(rel)
    try:
        checker.parser.Parse(data, True)
    except _Stop:
        return checker.problems
    except expat.ExpatError as exc:
        message = expat.ErrorString(exc.code) if exc.code is not None else str(exc)
        return [
            *checker.problems,
            Problem(rel, exc.lineno, f"not an SVG file: the XML is not well-formed ({message})", _HINT),
        ]
    if checker.root is None or checker.root.rpartition(" ")[2] != "svg":
        shown = (checker.root or "").rpartition(" ")[2]
        return [Problem(rel, 1, f"not an SVG file: its root element is <{shown}>, not <svg>", _HINT)]
    if checker.root != f"{SVG_NS} svg":
        return [
            Problem(
                rel,
                1,
                "not an SVG file: the <svg> element lacks the SVG namespace",
                f'write it as <svg xmlns="{SVG_NS}" ...>: a browser shows nothing without it',
            )
        ]
    return checker.problems
