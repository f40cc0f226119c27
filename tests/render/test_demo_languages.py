"""The demo in each language: every page's interface is in that language, not a word of the English
catalog left, and it says what language and direction it is in."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from babel.messages.pofile import read_po

from conftest import DEMO_NOW, PROJECT, Repo, copy_demo
from statusgen import i18n
from statusgen.load.incidents import split_front_matter

# The site's code for each catalog, as a site's statusgen.yaml writes it.
SITE_CODES = {catalog: {"pt_BR": "pt-BR", "zh_Hans": "zh"}.get(catalog, catalog) for catalog in i18n.CATALOGS}
WORD = re.compile(r"[A-Za-z][A-Za-z'’]{2,}")
# Incident text (messages, bodies, a postmortem's summary, excerpts): the demo's own, in English,
# whatever the interface's language; an upstream page's incident titles, in its language; and code
# to copy, which is code in any language.
CONTENT_CLASSES = {"message", "body", "summary", "excerpt", "event"}
ATTRIBUTES = ("aria-label", "title", "alt")


class Interface(HTMLParser):
    """The text a page shows that its theme wrote, not its content: text nodes and labels outside
    incident messages and bodies (and, on a page's own language, outside what is marked another)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.lang: str | None = None
        self.dir: str | None = None
        self._stack: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self.lang, self.dir = values.get("lang"), values.get("dir")
        skipped = bool(self._stack and self._stack[-1][1])
        skipped = skipped or bool(CONTENT_CLASSES & set((values.get("class") or "").split()))
        skipped = skipped or tag in ("script", "style", "svg", "code")
        if not skipped:
            self.texts += [values[name] or "" for name in ATTRIBUTES if name in values]
        if tag not in ("meta", "link", "br", "img", "input", "use"):  # void elements
            self._stack.append((tag, skipped))

    def handle_endtag(self, tag: str) -> None:
        while self._stack:
            if self._stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if not (self._stack and self._stack[-1][1]) and data.strip():
            self.texts.append(data)


def demo_content() -> list[str]:
    """Every text of the demo's files a page may show as it is: titles, names, descriptions."""
    config = yaml.safe_load((PROJECT / "statusgen.yaml").read_text(encoding="utf-8"))
    texts = [config["site"]["title"], config["site"]["description"]]
    for component in config["components"]:
        texts += [component["name"], component.get("description", ""), component.get("group") or ""]
    for path in sorted(p for p in (PROJECT / "incidents").iterdir() if p.stem.count(".") == 0):
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(split_front_matter(text, path.name)[0] if path.suffix == ".md" else text)
        texts += [data["title"], *data.get("references", [])]
    return sorted({t for t in texts if t}, key=len, reverse=True)


def english_words(catalog: str) -> set[str]:
    """The words of the English messages that the language's catalog writes otherwise."""
    with (PROJECT / f"statusgen/locale/{catalog}/LC_MESSAGES/statusgen.po").open("rb") as data:
        translated = read_po(data)
    english, kept = set(), set()
    for message in translated:
        if message.id:
            english |= set(WORD.findall(re.sub(r"%\(\w+\)s|\$\w+", " ", str(message.id))))
            kept |= set(WORD.findall(str(message.string)))
    # And those of the language's own dates (Spanish "may", Portuguese "out.").
    locale = i18n.language(SITE_CODES[catalog]).locale
    for table in (locale.months, locale.days):
        for context in table.values():
            for names in context.values():
                kept |= {word for name in names.values() for word in WORD.findall(name)}
    return english - kept


@pytest.fixture(scope="module")
def demo_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_demo(tmp_path_factory.mktemp("languages") / "demo", languages=False).root


@pytest.mark.slow
@pytest.mark.parametrize("catalog", i18n.CATALOGS)
def test_every_page_of_the_demo_speaks_the_language(demo_root: Path, tmp_path: Path, catalog: str) -> None:
    code = SITE_CODES[catalog]
    config = (demo_root / "statusgen.yaml").read_text(encoding="utf-8")
    config = re.sub(r"(?m)^  language: .*$", f"  language: {code}", config)
    (demo_root / "statusgen.yaml").write_text(config, encoding="utf-8")
    out = tmp_path / "site"
    assert Repo(demo_root).build(DEMO_NOW, "--out", str(out)) == 0
    content = demo_content()
    english = english_words(catalog)
    assert len(english) > 100 and "Operational" in english
    direction = "rtl" if catalog in ("ar", "he") else "ltr"
    pages = sorted(out.rglob("*.html"))
    assert len(pages) == 49
    left: dict[str, set[str]] = {}
    for page in pages:
        parser = Interface()
        parser.feed(page.read_text(encoding="utf-8"))
        assert (parser.lang, parser.dir) == (code, direction), page
        words: set[str] = set()
        for text in parser.texts:
            for known in content:
                text = text.replace(known, " ")
            words |= set(WORD.findall(text)) & english
        if words:
            left[str(page.relative_to(out))] = words
    assert left == {}
