"""site.logo, site.accent, site.links and components' sla: each bad value refused at its line,
with its exact message and hint, exit 1, and site/ left as it was; the good ones loaded."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import CONFIG, Repo, tree_digest
from statusgen.errors import Problem
from statusgen.load.brand import Accent, Links, contrast, darker_passing, lighter_passing, page_backgrounds, parse_hex
from statusgen.load.config import load_config
from statusgen.load.logo import MAX_LOGO_BYTES

SVG_NS = 'xmlns="http://www.w3.org/2000/svg"'
GOOD_SVG = f'<svg {SVG_NS} viewBox="0 0 64 32"><rect width="64" height="32" fill="#0b5fff"/></svg>\n'
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + (40).to_bytes(4, "big") + (20).to_bytes(4, "big") + b"\x08\x06"
SVG_HINT = "export the logo as a plain SVG (shapes and text only), or as a PNG"
REF_HINT = 'a logo is published alone: keep shapes, gradients and pictures inside the file (href="#id")'
DOCTYPE_HINT = "remove the DOCTYPE: an SVG needs none"
PATH_HINT = "give a path inside the repository, like logo.svg or assets/logo.png"
SLA_HINT = "write the uptime target in percent, like sla: 99.9"
LINK_HINT = "write a full address, like https://example.com/support"
ESCAPE_HINT = "write the styles out plainly: a logo's CSS needs no escapes"
PNG_HINT = "export the PNG again: this file is cut short or damaged"


def site(setting: str) -> str:
    """The test config with ``setting`` (lines of site:) written at line 5."""
    return CONFIG.replace("  timezone:", setting + "  timezone:")


def component(setting: str) -> str:
    """The test config with ``setting`` (lines of the first component) written at line 10."""
    return CONFIG.replace("    group: Platform\n", "    group: Platform\n" + setting, 1)


def svg(body: str, head: str = "") -> str:
    """An SVG logo whose line 2 onwards is ``body``."""
    return f'{head}<svg {SVG_NS} xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">\n{body}\n</svg>\n'


# (case id, {path: text or bytes}, expected line of stderr)
CASES: list[tuple[str, dict[str, str | bytes], str]] = [
    (
        "accent-below-aa",
        {"statusgen.yaml": site('  accent: "#777777"\n')},
        "statusgen.yaml:5: accent #777777 has a contrast of 4.21:1 on the light page's background #f6f8fa; links need "
        "at least 4.5:1 (WCAG AA) (the nearest darker shade that passes is #727272)",
    ),
    (
        "accent-short-form-below-aa",
        {"statusgen.yaml": site('  accent: "#abc"\n')},
        "statusgen.yaml:5: accent #abc has a contrast of 1.85:1 on the light page's background #f6f8fa; links need "
        "at least 4.5:1 (WCAG AA) (the nearest darker shade that passes is #69737e)",
    ),
    (
        "accent-yellow",
        {"statusgen.yaml": site('  accent: "#ffcc00"\n')},
        "statusgen.yaml:5: accent #ffcc00 has a contrast of 1.42:1 on the light page's background #f6f8fa; links need "
        "at least 4.5:1 (WCAG AA) (the nearest darker shade that passes is #8b6f00)",
    ),
    (
        "accent-name",
        {"statusgen.yaml": site("  accent: blue\n")},
        "statusgen.yaml:5: accent must be a CSS hex colour like #0b5fff or #05a, not 'blue' "
        '(write it quoted: accent: "#0b5fff")',
    ),
    (
        "accent-four-digits",
        {"statusgen.yaml": site('  accent: "#0b5f"\n')},
        "statusgen.yaml:5: accent must be a CSS hex colour like #0b5fff or #05a, not '#0b5f' "
        '(write it quoted: accent: "#0b5fff")',
    ),
    (
        "accent-css-injection",
        {"statusgen.yaml": site('  accent: "#000}body{display:none"\n')},
        "statusgen.yaml:5: accent must be a CSS hex colour like #0b5fff or #05a, not '#000}body{display:none' "
        '(write it quoted: accent: "#0b5fff")',
    ),
    (
        "accent-unquoted-is-a-comment",
        {"statusgen.yaml": site("  accent: #0b5fff\n")},
        'statusgen.yaml:5: accent is empty (write the colour quoted, like accent: "#0b5fff": unquoted, YAML reads # '
        "as the start of a comment)",
    ),
    (
        "links-unknown-key",
        {"statusgen.yaml": site("  links: {hom: https://example.com/}\n")},
        "statusgen.yaml:5: unknown key 'hom' in site.links (did you mean 'home'?)",
    ),
    (
        "links-unknown-key-far",
        {"statusgen.yaml": site("  links:\n    twitter: https://example.com/\n")},
        "statusgen.yaml:6: unknown key 'twitter' in site.links (allowed: contact, home, support)",
    ),
    (
        "links-not-a-mapping",
        {"statusgen.yaml": site("  links: https://example.com/\n")},
        "statusgen.yaml:5: 'site.links' must be a mapping (key: value) (e.g. links: {home: https://example.com/})",
    ),
    (
        "links-javascript",
        {"statusgen.yaml": site("  links:\n    home: https://example.com/\n    support: javascript:alert(1)\n")},
        f"statusgen.yaml:7: links.support must start with https:// or http://, not 'javascript:alert(1)' ({LINK_HINT})",
    ),
    (
        "links-mailto-only-for-contact",
        {"statusgen.yaml": site("  links: {support: 'mailto:help@example.com'}\n")},
        f"statusgen.yaml:5: links.support must start with https:// or http://, not 'mailto:help@example.com' "
        f"({LINK_HINT})",
    ),
    (
        "links-contact-not-an-address",
        {"statusgen.yaml": site("  links: {contact: 'mailto:help'}\n")},
        f"statusgen.yaml:5: links.contact 'mailto:help' is not an email address ({LINK_HINT}, "
        "or mailto:support@example.com)",
    ),
    (
        "links-no-host",
        {"statusgen.yaml": site("  links: {home: 'https:///x'}\n")},
        f"statusgen.yaml:5: links.home has no host name: 'https:///x' ({LINK_HINT})",
    ),
    (
        "links-quote",
        {"statusgen.yaml": site("  links: {home: 'https://example.com/\"onmouseover=x'}\n")},
        f"statusgen.yaml:5: links.home must not contain '\"': 'https://example.com/\"onmouseover=x' ({LINK_HINT})",
    ),
    (
        "links-password",
        {"statusgen.yaml": site("  links: {home: 'https://me:secret@example.com/'}\n")},
        "statusgen.yaml:5: links.home must not hold a user name or password: 'https://me:secret@example.com/' "
        "(it is shown on every page)",
    ),
    (
        "sla-100",
        {"statusgen.yaml": component("    sla: 100\n")},
        f"statusgen.yaml:10: 'sla' must be above 0 and below 100, not 100 ({SLA_HINT})",
    ),
    (
        "sla-0",
        {"statusgen.yaml": component("    sla: 0\n")},
        f"statusgen.yaml:10: 'sla' must be above 0 and below 100, not 0 ({SLA_HINT})",
    ),
    (
        "sla-negative",
        {"statusgen.yaml": component("    sla: -99.9\n")},
        f"statusgen.yaml:10: 'sla' must be above 0 and below 100, not -99.9 ({SLA_HINT})",
    ),
    (
        "sla-percent-sign",
        {"statusgen.yaml": component("    sla: 99.9%\n")},
        f"statusgen.yaml:10: 'sla' must be a number, not '99.9%' ({SLA_HINT})",
    ),
    (
        "sla-true",
        {"statusgen.yaml": component("    sla: true\n")},
        f"statusgen.yaml:10: 'sla' must be a number, not True ({SLA_HINT})",
    ),
    (
        "sla-too-precise",
        {"statusgen.yaml": component("    sla: 99.99999\n")},
        "statusgen.yaml:10: 'sla' has more than three decimals: 99.99999 (uptime is measured to three decimals)",
    ),
    (
        "sla-typo",
        {"statusgen.yaml": component("    slа_target: 99.9\n")},
        "statusgen.yaml:10: unknown key 'slа_target' in component (allowed: description, group, id, name, since, sla)",
    ),
    (
        "logo-missing",
        {"statusgen.yaml": site("  logo: assets/logo.svg\n")},
        "statusgen.yaml:5: logo file 'assets/logo.svg' not found (add the file to the repository, or fix the path)",
    ),
    (
        "logo-jpeg",
        {"statusgen.yaml": site("  logo: logo.jpg\n"), "logo.jpg": b"\xff\xd8\xff"},
        "statusgen.yaml:5: logo must be an SVG or PNG file, not '.jpg' (export it as logo.svg or logo.png)",
    ),
    (
        "logo-parent",
        {"statusgen.yaml": site("  logo: ../logo.svg\n")},
        f"statusgen.yaml:5: logo must be a path inside the repository, not '../logo.svg' ({PATH_HINT})",
    ),
    (
        "logo-absolute",
        {"statusgen.yaml": site("  logo: /etc/logo.svg\n")},
        f"statusgen.yaml:5: logo must be a path inside the repository, not '/etc/logo.svg' ({PATH_HINT})",
    ),
    (
        "logo-url",
        {"statusgen.yaml": site("  logo: https://example.com/logo.svg\n")},
        f"statusgen.yaml:5: logo must be a path inside the repository, not 'https://example.com/logo.svg' "
        f"({PATH_HINT})",
    ),
    (
        "logo-in-git",
        {"statusgen.yaml": site("  logo: .git/logo.svg\n")},
        f"statusgen.yaml:5: logo must not be in .git: '.git/logo.svg' ({PATH_HINT})",
    ),
    (
        "logo-too-big",
        {"statusgen.yaml": site("  logo: logo.png\n"), "logo.png": PNG + b"\x00" * MAX_LOGO_BYTES},
        "logo.png:1: file is 200,026 bytes; the limit is 200,000 (a logo is shown small: export it smaller, "
        "or as an SVG)",
    ),
    (
        "logo-png-that-is-not",
        {"statusgen.yaml": site("  logo: logo.png\n"), "logo.png": GOOD_SVG},
        f"logo.png:1: not a PNG file: it does not start with the PNG signature ({SVG_HINT})",
    ),
    (
        "logo-png-signature-only",
        {"statusgen.yaml": site("  logo: logo.png\n"), "logo.png": PNG[:8]},
        f"logo.png:1: not a valid PNG image: its IHDR header is missing or cut short ({PNG_HINT})",
    ),
    (
        "logo-png-cut-in-its-header",
        {"statusgen.yaml": site("  logo: logo.png\n"), "logo.png": PNG[:20]},
        f"logo.png:1: not a valid PNG image: its IHDR header is missing or cut short ({PNG_HINT})",
    ),
    (
        "logo-png-without-header",
        {"statusgen.yaml": site("  logo: logo.png\n"), "logo.png": PNG[:8] + b"\x00\x00\x00\x00IEND\xaeB`\x82"},
        f"logo.png:1: not a valid PNG image: its IHDR header is missing or cut short ({PNG_HINT})",
    ),
    (
        "svg-script",
        {"statusgen.yaml": site("  logo: logo.svg\n"), "logo.svg": svg("<g>\n<script>alert(1)</script></g>")},
        f"logo.svg:3: an SVG logo must not hold a <script> element ({SVG_HINT})",
    ),
    (
        "svg-onload",
        {"statusgen.yaml": site("  logo: logo.svg\n"), "logo.svg": svg('<rect width="1" height="1" onload="x()"/>')},
        "logo.svg:2: an SVG logo must not hold event handler attributes: onload= (remove the attribute: "
        "a logo needs no script)",
    ),
    (
        "svg-onclick-upper-case",
        {"statusgen.yaml": site("  logo: logo.svg\n"), "logo.svg": svg('\n\n<circle r="1" ONCLICK="x()"/>')},
        "logo.svg:4: an SVG logo must not hold event handler attributes: ONCLICK= (remove the attribute: "
        "a logo needs no script)",
    ),
    (
        "svg-external-image",
        {"statusgen.yaml": site("  logo: logo.svg\n"), "logo.svg": svg('<image href="https://evil.example/x.png"/>')},
        f"logo.svg:2: an SVG logo must not hold links or references out of the file: "
        f"href='https://evil.example/x.png' ({REF_HINT})",
    ),
    (
        "svg-xlink-use",
        {"statusgen.yaml": site("  logo: logo.svg\n"), "logo.svg": svg('<use xlink:href="other.svg#a"/>')},
        f"logo.svg:2: an SVG logo must not hold links or references out of the file: href='other.svg#a' ({REF_HINT})",
    ),
    (
        "svg-javascript-link",
        {"statusgen.yaml": site("  logo: logo.svg\n"), "logo.svg": svg('<a href="javascript:alert(1)"><path/></a>')},
        f"logo.svg:2: an SVG logo must not hold links or references out of the file: href='javascript:alert(1)' "
        f"({REF_HINT})",
    ),
    (
        "svg-svg-data",
        {
            "statusgen.yaml": site("  logo: logo.svg\n"),
            "logo.svg": svg('<image href="data:image/svg+xml;base64,PHN2Zy8+"/>'),
        },
        "logo.svg:2: an SVG logo must not hold links or references out of the file: "
        f"href='data:image/svg+xml;base64,PHN2Zy8+' ({REF_HINT})",
    ),
    (
        "svg-animated-link",
        {
            "statusgen.yaml": site("  logo: logo.svg\n"),
            "logo.svg": svg('<a href="#x"><set attributeName="href" to="#y"/></a>'),
        },
        f"logo.svg:2: an SVG logo must not hold an animation that changes a link ({SVG_HINT})",
    ),
    (
        "svg-javascript-value",
        {
            "statusgen.yaml": site("  logo: logo.svg\n"),
            "logo.svg": svg('<a href="#x"><animate attributeName="x" values="java script:alert(1)"/></a>'),
        },
        f"logo.svg:2: an SVG logo must not hold javascript: addresses: values= ({SVG_HINT})",
    ),
    (
        "svg-style-url",
        {
            "statusgen.yaml": site("  logo: logo.svg\n"),
            "logo.svg": svg("<rect style=\"fill: url('https://x.example/p')\"/>"),
        },
        f"logo.svg:2: an SVG logo must not hold references out of the file: url(https://x.example/p) ({REF_HINT})",
    ),
    (
        "svg-fill-url",
        {"statusgen.yaml": site("  logo: logo.svg\n"), "logo.svg": svg('<rect fill="url(//x.example/p#g)"/>')},
        f"logo.svg:2: an SVG logo must not hold references out of the file: url(//x.example/p#g) ({REF_HINT})",
    ),
    (
        "svg-style-import",
        {
            "statusgen.yaml": site("  logo: logo.svg\n"),
            "logo.svg": svg("<style>\n@import 'https://x.example/s.css';\n</style>"),
        },
        f"logo.svg:3: an SVG logo must not hold a stylesheet @import ({REF_HINT})",
    ),
    (
        "svg-style-escaped-url",
        {"statusgen.yaml": site("  logo: logo.svg\n"), "logo.svg": svg("<style>rect{fill:\\75 rl(/x.png)}</style>")},
        f"logo.svg:2: an SVG logo must not hold CSS escapes (a backslash) in its styles ({ESCAPE_HINT})",
    ),
    (
        "svg-style-escaped-import",
        {"statusgen.yaml": site("  logo: logo.svg\n"), "logo.svg": svg('<style>\n\n@\\69mport "/x.css";</style>')},
        f"logo.svg:4: an SVG logo must not hold CSS escapes (a backslash) in its styles ({ESCAPE_HINT})",
    ),
    (
        "svg-style-escaped-entity",
        {"statusgen.yaml": site("  logo: logo.svg\n"), "logo.svg": svg("<style>rect{fill:&#92;75rl(/x)}</style>")},
        f"logo.svg:2: an SVG logo must not hold CSS escapes (a backslash) in its styles ({ESCAPE_HINT})",
    ),
    (
        "svg-style-attribute-escape",
        {"statusgen.yaml": site("  logo: logo.svg\n"), "logo.svg": svg('<rect style="fill:\\75rl(/x.png)"/>')},
        f"logo.svg:2: an SVG logo must not hold CSS escapes (a backslash) in its styles ({ESCAPE_HINT})",
    ),
    (
        "svg-presentation-attribute-escape",
        {"statusgen.yaml": site("  logo: logo.svg\n"), "logo.svg": svg('\n<rect filter="\\75 rl(/f.svg#f)"/>')},
        f"logo.svg:3: an SVG logo must not hold CSS escapes (a backslash) in its styles ({ESCAPE_HINT})",
    ),
    (
        "svg-style-image-set",
        {
            "statusgen.yaml": site("  logo: logo.svg\n"),
            "logo.svg": svg('<style>svg{background-image:image-set("/x.png" 1x)}</style>'),
        },
        f"logo.svg:2: an SVG logo must not hold references out of the file: image-set( ({REF_HINT})",
    ),
    (
        "svg-style-webkit-image-set-upper-case",
        {
            "statusgen.yaml": site("  logo: logo.svg\n"),
            "logo.svg": svg("<style>svg{background:-WEBKIT-IMAGE-SET('/x.png' 1x)}</style>"),
        },
        f"logo.svg:2: an SVG logo must not hold references out of the file: image-set( ({REF_HINT})",
    ),
    (
        "svg-style-image",
        {
            "statusgen.yaml": site("  logo: logo.svg\n"),
            "logo.svg": svg("<style><![CDATA[\nrect{}\nsvg{background:image('/x.png')}\n]]></style>"),
        },
        f"logo.svg:4: an SVG logo must not hold references out of the file: image( ({REF_HINT})",
    ),
    (
        "svg-style-cross-fade",
        {
            "statusgen.yaml": site("  logo: logo.svg\n"),
            "logo.svg": svg("<style>svg{background:cross-fade(red, blue)}</style>"),
        },
        f"logo.svg:2: an SVG logo must not hold references out of the file: cross-fade( ({REF_HINT})",
    ),
    (
        "svg-style-element",
        {"statusgen.yaml": site("  logo: logo.svg\n"), "logo.svg": svg("<style>svg{background:element(#a)}</style>")},
        f"logo.svg:2: an SVG logo must not hold references out of the file: element( ({REF_HINT})",
    ),
    (
        "svg-style-src",
        {"statusgen.yaml": site("  logo: logo.svg\n"), "logo.svg": svg('<style>svg{background:src("/x.png")}</style>')},
        f"logo.svg:2: an SVG logo must not hold references out of the file: src( ({REF_HINT})",
    ),
    (
        "svg-style-font-face",
        {
            "statusgen.yaml": site("  logo: logo.svg\n"),
            "logo.svg": svg("<style>\n@font-face{font-family:F;src:local(Arial)}</style>"),
        },
        "logo.svg:3: an SVG logo must not hold a web font (@font-face) (turn the text into paths: a logo is "
        "published alone)",
    ),
    (
        "svg-style-import-upper-case",
        {"statusgen.yaml": site("  logo: logo.svg\n"), "logo.svg": svg('<style>@IMPORT "/x.css";</style>')},
        f"logo.svg:2: an SVG logo must not hold a stylesheet @import ({REF_HINT})",
    ),
    (
        "svg-style-comment-in-token",
        {"statusgen.yaml": site("  logo: logo.svg\n"), "logo.svg": svg("<style>rect{fill:u/**/rl(/x.png)}</style>")},
        f"logo.svg:2: an SVG logo must not hold references out of the file: url(/x.png) ({REF_HINT})",
    ),
    (
        "svg-style-entity-in-token",
        {"statusgen.yaml": site("  logo: logo.svg\n"), "logo.svg": svg("<style>rect{fill:u&#114;l(/x.png)}</style>")},
        f"logo.svg:2: an SVG logo must not hold references out of the file: url(/x.png) ({REF_HINT})",
    ),
    (
        "svg-style-xml-comment-in-token",
        {
            "statusgen.yaml": site("  logo: logo.svg\n"),
            "logo.svg": svg("<style>rect{fill:u<!-- a\nb -->rl(/x.png)}</style>"),
        },
        f"logo.svg:2: an SVG logo must not hold references out of the file: url(/x.png) ({REF_HINT})",
    ),
    (
        "svg-animated-fill",
        {
            "statusgen.yaml": site("  logo: logo.svg\n"),
            "logo.svg": svg('<rect><animate attributeName="fill" values="image-set(\'/x.png\' 1x)"/></rect>'),
        },
        f"logo.svg:2: an SVG logo must not hold references out of the file: image-set( ({REF_HINT})",
    ),
    (
        "svg-foreign-object",
        {
            "statusgen.yaml": site("  logo: logo.svg\n"),
            "logo.svg": svg("<foreignObject><g/></foreignObject>"),
        },
        f"logo.svg:2: an SVG logo must not hold a <foreignObject> element (it embeds HTML) ({SVG_HINT})",
    ),
    (
        "svg-html-element",
        {
            "statusgen.yaml": site("  logo: logo.svg\n"),
            "logo.svg": svg('<h:img xmlns:h="http://www.w3.org/1999/xhtml" src="x"/>'),
        },
        f"logo.svg:2: an SVG logo must not hold HTML or MathML elements: <img> ({SVG_HINT})",
    ),
    (
        "svg-billion-laughs",
        {
            "statusgen.yaml": site("  logo: logo.svg\n"),
            "logo.svg": '<?xml version="1.0"?>\n<!DOCTYPE svg [\n<!ENTITY a "aaaaaaaaaa">\n'
            + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">\n' for i in range(9))
            + "]>\n"
            + svg("<text>&j;</text>"),
        },
        f"logo.svg:2: an SVG logo must not hold a DOCTYPE with declarations of its own ({DOCTYPE_HINT})",
    ),
    (
        "svg-stylesheet-instruction",
        {
            "statusgen.yaml": site("  logo: logo.svg\n"),
            "logo.svg": svg("<g/>", head='<?xml-stylesheet href="https://x.example/s.css"?>\n'),
        },
        "logo.svg:1: an SVG logo must not hold processing instructions: <?xml-stylesheet ...?> "
        "(remove it: an SVG needs none)",
    ),
    (
        "svg-html-root",
        {"statusgen.yaml": site("  logo: logo.svg\n"), "logo.svg": "<html><body>logo</body></html>\n"},
        f"logo.svg:1: not an SVG file: its root element is <html>, not <svg> ({SVG_HINT})",
    ),
    (
        "svg-without-namespace",
        {"statusgen.yaml": site("  logo: logo.svg\n"), "logo.svg": '<svg viewBox="0 0 1 1"><rect/></svg>\n'},
        "logo.svg:1: not an SVG file: the <svg> element lacks the SVG namespace (write it as "
        '<svg xmlns="http://www.w3.org/2000/svg" ...>: a browser shows nothing without it)',
    ),
    (
        "svg-not-well-formed",
        {"statusgen.yaml": site("  logo: logo.svg\n"), "logo.svg": svg("<g>\n<rect></g>")},
        f"logo.svg:3: not an SVG file: the XML is not well-formed (mismatched tag) ({SVG_HINT})",
    ),
    (
        "svg-binary",
        {"statusgen.yaml": site("  logo: logo.svg\n"), "logo.svg": PNG},
        f"logo.svg:1: not an SVG file: the XML is not well-formed (not well-formed (invalid token)) ({SVG_HINT})",
    ),
]


@pytest.mark.parametrize("files, expected", [pytest.param(f, e, id=i) for i, f, e in CASES])
def test_bad_brand_setting_is_reported_at_its_line_and_nothing_written(
    repo: Repo, files: dict[str, str | bytes], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert repo.build() == 0
    before = tree_digest(repo.site)
    for name, content in files.items():
        path = repo.root / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    capsys.readouterr()

    assert repo.build() == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [expected, "1 error(s); nothing was written"]
    assert tree_digest(repo.site) == before


def test_a_logo_through_a_link_out_of_the_repository_is_refused(
    repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "logo.svg").write_text(GOOD_SVG, encoding="utf-8")
    os.symlink(outside / "logo.svg", repo.root / "logo.svg")
    os.symlink(outside, repo.root / "assets")  # a folder on the way that leads out
    repo.config(site("  logo: logo.svg\n"))
    assert repo.run("check") == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        "statusgen.yaml:5: logo 'logo.svg': symlink points outside the repository "
        "(copy the file into the repository instead)"
    )
    repo.config(site("  logo: assets/logo.svg\n"))
    assert repo.run("check") == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        "statusgen.yaml:5: logo 'assets/logo.svg': symlink points outside the repository "
        "(copy the file into the repository instead)"
    )


@pytest.mark.parametrize("kind", ["folder", "named pipe", "link to a folder"])
def test_a_logo_that_is_not_a_file_is_reported_at_its_line(
    repo: Repo, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert repo.build() == 0
    before = tree_digest(repo.site)
    if kind == "folder":
        (repo.root / "logo.svg").mkdir()
    elif kind == "named pipe":
        os.mkfifo(repo.root / "logo.svg")
    else:
        (repo.root / "assets").mkdir()
        os.symlink("assets", repo.root / "logo.svg")
    repo.config(site("  logo: logo.svg\n"))
    capsys.readouterr()
    assert repo.build() == 1
    what = "a named pipe" if kind == "named pipe" else "a folder"
    assert capsys.readouterr().err.splitlines() == [
        f"statusgen.yaml:5: logo 'logo.svg' is {what}, not a file (give the path of the SVG or PNG file itself)",
        "1 error(s); nothing was written",
    ]
    assert tree_digest(repo.site) == before


def test_every_problem_of_an_svg_style_is_reported_at_its_line(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.config(site("  logo: logo.svg\n"))
    repo.write(
        "logo.svg",
        svg(
            "<style>\nrect{fill:url(#g)}\nu<g/>rl(/x.png)\n"
            "svg{background:cross-fade(url(#g), url('https://x.example/p'))}</style>\n"
            '<rect style="fill: url(#g); stroke: \\75rl(/y)"/>'
        ),
    )
    assert repo.run("check") == 1
    assert capsys.readouterr().err.splitlines() == [
        "logo.svg:4: an SVG logo must not hold elements inside a <style> element: <g> (a <style> holds CSS text only)",
        f"logo.svg:4: an SVG logo must not hold references out of the file: url(/x.png) ({REF_HINT})",
        f"logo.svg:5: an SVG logo must not hold references out of the file: cross-fade( ({REF_HINT})",
        f"logo.svg:5: an SVG logo must not hold references out of the file: url(https://x.example/p) ({REF_HINT})",
        f"logo.svg:6: an SVG logo must not hold CSS escapes (a backslash) in its styles ({ESCAPE_HINT})",
        "5 error(s); nothing was written",
    ]


def test_every_problem_of_an_svg_logo_is_reported_at_once(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.config(site("  logo: logo.svg\n"))
    repo.write("logo.svg", svg('<script>x()</script>\n<rect onmouseover="x()"/>\n<image href="http://x.example/a"/>'))
    assert repo.run("check") == 1
    assert capsys.readouterr().err.splitlines() == [
        f"logo.svg:2: an SVG logo must not hold a <script> element ({SVG_HINT})",
        "logo.svg:3: an SVG logo must not hold event handler attributes: onmouseover= (remove the attribute: "
        "a logo needs no script)",
        f"logo.svg:4: an SVG logo must not hold links or references out of the file: href='http://x.example/a' "
        f"({REF_HINT})",
        "3 error(s); nothing was written",
    ]


def test_good_brand_settings_are_loaded(repo: Repo) -> None:
    inkscape = svg(
        '<sodipodi:namedview xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"/>\n'
        '<defs><linearGradient id="g"/></defs><rect fill="url(#g)" style="stroke: url(\'#g\')"/>\n'
        '<use href="#g"/><image href="data:image/png;base64,iVBORw0KGgo="/>\n'
        # What an editor writes of its own may hold a Windows path; a style may hold comments,
        # references into the file and embedded pictures.
        '<sodipodi:docbase xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd" '
        'sodipodi:docname="C:\\Users\\me\\logo.svg"/>\n'
        "<style>/* brand colours */\n.a{fill:url( '#g' );stroke:#0b5fff}\n"
        ".b{background-image:url(data:image/png;base64,iVBORw0KGgo=)}</style>\n"
        '<text class="a" font-family="Inter, sans-serif" fill="url(#g)">Example</text>',
        head='<?xml version="1.0" encoding="UTF-8"?>\n',
    )
    repo.write("assets/logo.svg", inkscape)
    repo.config(
        site(
            "  logo: assets/logo.svg\n"
            '  accent: "#0B5FFF"\n'
            "  links: {home: 'https://www.example.com/', support: https://example.com/help, "
            "contact: 'mailto:help@example.com'}\n"
        ).replace("    group: Platform\n", "    group: Platform\n    sla: 99.95\n", 1)
    )
    problems: list[Problem] = []
    config = load_config(repo.root, problems)
    assert problems == []
    assert config is not None
    logo = config.site.logo
    assert logo is not None
    assert (logo.path, logo.kind, logo.published, logo.media_type) == (
        "assets/logo.svg",
        "svg",
        "static/logo.svg",
        "image/svg+xml",
    )
    assert logo.data == inkscape.encode()
    assert config.site.accent == Accent("#0b5fff", "#377cff")
    assert config.site.links == Links("https://www.example.com/", "https://example.com/help", "mailto:help@example.com")
    assert config.site.links.home_host == "example.com"
    assert [c.sla for c in config.components] == [99.95, None, None]


def test_a_png_logo_is_loaded(repo: Repo) -> None:
    repo.root.joinpath("logo.PNG").write_bytes(PNG + b"rest of the file")
    repo.config(site("  logo: logo.PNG\n"))
    problems: list[Problem] = []
    config = load_config(repo.root, problems)
    assert problems == []
    assert config is not None and config.site.logo is not None
    assert (config.site.logo.published, config.site.logo.media_type) == ("static/logo.png", "image/png")


def test_without_brand_settings_nothing_is_set(repo: Repo) -> None:
    problems: list[Problem] = []
    config = load_config(repo.root, problems)
    assert problems == [] and config is not None
    assert (config.site.logo, config.site.accent, config.site.links, bool(config.site.links)) == (
        None,
        None,
        Links(),
        False,
    )


# Contrast ratios of known pairs, as WebAIM's checker gives them (to two decimals).
@pytest.mark.parametrize(
    "one, other, ratio",
    [
        ("#777777", "#ffffff", 4.48),
        ("#767676", "#ffffff", 4.54),
        ("#000000", "#ffffff", 21.0),
        ("#ffffff", "#ffffff", 1.0),
        ("#ff0000", "#ffffff", 4.0),
        ("#0000ff", "#ffffff", 8.59),
        ("#808080", "#ffffff", 3.95),
        ("#808080", "#000000", 5.32),
    ],
)
def test_contrast_of_known_pairs(one: str, other: str, ratio: float) -> None:
    first, second = parse_hex(one), parse_hex(other)
    assert first is not None and second is not None
    assert round(contrast(first, second), 2) == ratio
    assert round(contrast(second, first), 2) == ratio


def test_the_shades_are_the_nearest_that_pass() -> None:
    white = (255, 255, 255)
    assert darker_passing((0x77, 0x77, 0x77), (white,)) == (0x76, 0x76, 0x76)
    one_step_lighter = (0x77, 0x77, 0x77)
    assert contrast(one_step_lighter, white) < 4.5 <= contrast((0x76, 0x76, 0x76), white)
    lights, darks = page_backgrounds()
    assert (lights, darks) == (((255, 255, 255), (0xF6, 0xF8, 0xFA)), ((0x0D, 0x11, 0x17), (0x15, 0x1B, 0x23)))
    # Links are shown on the light panels too (the announcement): a shade must pass on both.
    assert darker_passing((0x77, 0x77, 0x77), lights) == (0x72, 0x72, 0x72)
    assert contrast((0x73, 0x73, 0x73), lights[1]) < 4.5 <= contrast((0x72, 0x72, 0x72), lights[1])
    dark = lighter_passing((0x0B, 0x5F, 0xFF), darks)
    assert dark == (0x37, 0x7C, 0xFF)
    assert all(contrast(dark, b) >= 4.5 for b in darks)
    # One step less light would not pass on the panels.
    assert contrast((0x34, 0x7A, 0xFF), darks[1]) < 4.5
