"""Hostile incident files and settings: huge, explosive or deeply nested, each with the one error a
build must give for it. Shared by tests/test_hostile_input.py (what the build does with each) and
bench/hostile.py (how long each takes to refuse, in how much memory)."""

from __future__ import annotations

from conftest import CONFIG
from statusgen.markup import Shape

NOW = "2025-11-10T12:00:00Z"
ALIAS_HINT = "YAML anchors and aliases (&name, *name) are not supported (write the value out in full)"
TOO_BIG = "the limit is 1,000,000 (move long material elsewhere and link to it)"
TOO_NESTED = "markdown nested more than 50 levels deep (flatten the nested lists and quotes)"


def too_costly(shape: Shape) -> str:
    """The message for markdown refused as too costly, naming its costliest shape."""
    return f"too much markup to render: {shape.what} ({shape.hint})"


def front(text: str) -> bytes:
    update = "  - at: 2025-11-03T14:05:00Z\n    status: investigating\n    message: m\n"
    return f"---\n{text}updates:\n{update}---\n".encode()


def billion_laughs() -> bytes:
    levels = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for this, below in zip("bcdefghi", "abcdefgh", strict=True):
        levels.append(f"{this}: &{this} [" + ", ".join([f"*{below}"] * 9) + "]")
    return front("title: laughs\n" + "\n".join(levels).replace("a: &a", "references: &a", 1) + "\n")


HUGE = 50 * 2**20
INCIDENT_FILE = "incidents/2025-11-04-hostile.md"

# (case, files to add, the error expected)
CASES = [
    (
        "50-mb-incident",
        {INCIDENT_FILE: b"---\ntitle: x\n" + (b"lol " * 15 + b"\n") * (HUGE // 61)},
        f"{INCIDENT_FILE}:1: file is 52,428,781 bytes; {TOO_BIG}",
    ),
    (
        "50-mb-statusgen-yaml",
        {"statusgen.yaml": CONFIG.encode() + b"#" * HUGE},
        f"statusgen.yaml:1: file is 52,429,078 bytes; {TOO_BIG}",
    ),
    ("billion-laughs", {INCIDENT_FILE: billion_laughs()}, f"{INCIDENT_FILE}:3: {ALIAS_HINT}"),
    (
        "merge-key-bomb",
        {INCIDENT_FILE: front("title: x\nbase: &b {a: 1}\nwindow: {<<: *b}\n")},
        f"{INCIDENT_FILE}:4: YAML merge keys (<<) are not supported (write the keys out in full)",
    ),
    (
        "deep-flow-sequence",
        {INCIDENT_FILE: front("title: x\nreferences: " + "[" * 200_000 + "]" * 200_000 + "\n")},
        f"{INCIDENT_FILE}:2: YAML nested more than 50 levels deep",
    ),
    (
        "deep-flow-mapping",
        {INCIDENT_FILE: front("title: x\nwindow: " + "{a: " * 100_000 + "1" + "}" * 100_000 + "\n")},
        f"{INCIDENT_FILE}:2: YAML nested more than 50 levels deep",
    ),
    # libyaml recursed on these in C until the process crashed.
    (
        "deep-block-sequence",
        {INCIDENT_FILE: front("title: x\nreferences:\n  " + "- " * 400_000 + "x\n")},
        f"{INCIDENT_FILE}:2: YAML nested more than 50 levels deep",
    ),
    (
        "deep-block-keys",
        {INCIDENT_FILE: front("title: x\nwindow:\n  " + "? " * 400_000 + "x\n")},
        f"{INCIDENT_FILE}:2: YAML nested more than 50 levels deep",
    ),
    (
        "deep-indentation",
        {
            INCIDENT_FILE: front(
                "title: x\nwindow:\n"
                + "".join(" " * (n + 1) + f"k{n}:\n" for n in range(1_300))
                + " " * 1_301
                + "x: 1\n"
            )
        },
        f"{INCIDENT_FILE}:2: YAML nested more than 50 levels deep",
    ),
    # The pure-Python parser, taken for deep nesting, reads every character as it starts.
    (
        "deep-flow-with-a-control-character",
        {INCIDENT_FILE: front("title: x\nreferences: " + "[" * 300 + "\0\n")},
        f"{INCIDENT_FILE}:3: invalid YAML: character U+0000 is not allowed (remove the control character)",
    ),
    (
        "5-mb-line",
        {INCIDENT_FILE: front("title: " + "x" * 5_000_000 + "\n")},
        f"{INCIDENT_FILE}:1: file is 5,000,095 bytes; {TOO_BIG}",
    ),
    # Python-Markdown takes time by the square of a paragraph's brackets: hours for this one.
    (
        "900-kb-line-of-brackets",
        {INCIDENT_FILE: front("title: x\n").replace(b"message: m", b"message: '" + b"[" * 900_000 + b"'")},
        f"{INCIDENT_FILE}:4: {too_costly(Shape.BRACKETS)}",
    ),
    (
        "brackets-in-many-paragraphs",
        {INCIDENT_FILE: front("title: x\n") + ("[" * 60 + "\n\n").encode() * 12_000},
        f"{INCIDENT_FILE}:8: {too_costly(Shape.BRACKETS)}",
    ),
]
# Bodies shaped to take Python-Markdown minutes or hours (or to crash it) at a few kilobytes, each
# with the shape it is refused for; each is refused at the body's first line (8), where its costliest
# instance begins. Rendering any text under the limit takes under a second.
MARKDOWN_SHAPES = {
    "escaped-backslash-then-bracket": ("\\\\[" * 10_000, Shape.BRACKETS),
    "escaped-brackets": ("\\[" * 40_000, Shape.BRACKETS),
    "images": ("![" * 20_000, Shape.BRACKETS),
    "nested-brackets": ("[" * 20_000 + "]" * 20_000, Shape.BRACKETS),
    "link-then-tag": ("[<" * 20_000, Shape.BRACKETS),
    "emphasis-run": ("*a* " * 220_000, Shape.INLINE),
    "underscore-emphasis-run": ("_a_ " * 220_000, Shape.INLINE),
    "code-span-run": ("`a` " * 220_000, Shape.INLINE),
    "entity-run": ("&amp; " * 150_000, Shape.INLINE),
    "hard-break-run": ("a  \n" * 200_000, Shape.INLINE),
    "link-reference-definitions": (
        "".join(f"[r{n}]: https://example.com/{n}\n" for n in range(20_000))
        + "".join(f"[r{n}] " for n in range(20_000)),
        Shape.SPLITS,
    ),
    "headings-in-one-block": ("# a\n" * 100_000, Shape.SPLITS),
    "rules-in-one-block": ("---\n" * 100_000, Shape.SPLITS),
    "paragraphs-after-one-star": ("*\n\n" + "a\n\n" * 250_000, Shape.LENGTH),
    "unclosed-fences": ("```\n" * 200_000, Shape.FENCES),
    "html-comments": ("<!-- a -->\n\n" * 70_000, Shape.LENGTH),
    # Once read as one paragraph by markdown="1"; now 1,500 paragraphs of 40 '[' each: long, not deep.
    "brackets-in-html": ('<p markdown="1">' + ("[" * 40 + "\n\n") * 1_500 + "</p>\n", Shape.BRACKETS),
}
# These crashed the renderer with RecursionError, or nested for minutes; each is refused at its
# deepest line (counted from the body's first).
NESTED_SHAPES = {
    "list-markers-on-one-line": ("- " * 1_000 + "x\n", 0),
    "indented-lists": ("".join("    " * n + "- x\n" for n in range(300)), 299),
    "quote-marks": (">" * 900_000 + "\n", 0),
}
CASES += [
    (
        f"markdown-{name}",
        {INCIDENT_FILE: front("title: x\n") + body.encode()},
        f"{INCIDENT_FILE}:8: {too_costly(shape)}",
    )
    for name, (body, shape) in MARKDOWN_SHAPES.items()
]
CASES += [
    (
        f"markdown-{name}",
        {INCIDENT_FILE: front("title: x\n") + body.encode()},
        f"{INCIDENT_FILE}:{8 + deepest}: {TOO_NESTED}",
    )
    for name, (body, deepest) in NESTED_SHAPES.items()
]

# Shapes that were refused while footnotes, abbreviations, definition lists and raw HTML were read:
# they are text now, neither slow nor deep, and published.
FORMER_SHAPES = {
    "open-tags": "<a " * 30_000,
    "abbreviation-uses": "*[A]: an abbreviation\n\n" + "A " * 100_000,
    "definitions": "term\n: definition\n" * 1_000,
    "markdown-in-html-nested": '<div markdown="1">\n' * 250 + "x\n" + "</div>\n" * 250,
}
FORMER_SHAPE_FILES = {
    f"incidents/2025-11-04-{name}.md": front(f"title: {name}\n") + body.encode() for name, body in FORMER_SHAPES.items()
}

# Under the size limit, a 900 KB line of plain text is only text: published, not refused.
LONG_PLAIN = "Everything is slow. " * 45_000
LONG_PLAIN_FILES = {
    "incidents/2025-11-04-long.md": front("title: Long\n").replace(b"message: m", f"message: {LONG_PLAIN}".encode())
}

# A theme whose page would make some 10 TB of text: the sandbox stops it at its limit of text made.
OUTPUT_BOMB = "{% for i in range(100000) %}{% for j in range(100000) %}{{ 'xxxxxxxx' ~ i }}{% endfor %}{% endfor %}"
OUTPUT_BOMB_FILES = {
    "statusgen.yaml": CONFIG.replace("  timezone:", "  theme: evil\n  timezone:").encode(),
    "themes/evil/templates/404.html": OUTPUT_BOMB.encode(),
}
OUTPUT_BOMB_ERROR = (
    "themes/evil/templates/404.html:1: the template made more than 64 MiB of text for one file, "
    "making 404.html (look for a loop or a recursive macro that does not end, or loops nested "
    "in loops)"
)
