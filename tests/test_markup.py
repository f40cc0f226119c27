"""Markdown rendering: the fast path for plain text gives exactly what the full parser gives, the
extensions authors see on git hosts render as there, and the ones left out render as text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statusgen import markup
from statusgen.markup import cost

PROSE = st.text(
    alphabet=st.sampled_from(list("abcXYZ019 .,;:'\"()/%=?-\n\u00e9\u2713\u00a0\u2028\x85\xad\u2003")), max_size=80
)


def slow(text: str) -> str:
    return markup.clean(markup._converter.reset().convert(text))


# Plain paragraphs, as most updates are: words of letters, digits and punctuation, one space apart, in
# lines and paragraphs; no line starts with what could begin a list or a heading, and no URL.
WORD = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from(list("abcXYZ\u00e9\u2713(\"'")),
    st.text(alphabet=st.sampled_from(list("abcXYZ019.,;:'\"()/%=?-\u00e9\u2713")), max_size=10),
).filter(lambda word: "://" not in word)  # a URL's scheme: magiclink may link it
LINE = st.lists(WORD, min_size=1, max_size=12).map(" ".join)
PARAGRAPH = st.lists(LINE, min_size=1, max_size=4).map("\n".join)
PLAIN = st.lists(PARAGRAPH, min_size=1, max_size=4).map("\n\n".join)


@settings(max_examples=400, deadline=None)
@given(PLAIN)
def test_plain_text_takes_the_fast_path_and_gives_what_markdown_gives(text: str) -> None:
    fast = markup.plain_paragraphs(text)
    assert fast is not None
    assert fast == slow(text)


@settings(max_examples=400, deadline=None)
@given(PROSE)
def test_render_gives_what_markdown_gives_whichever_path_it_takes(text: str) -> None:
    assert str(markup.render(text)) == slow(text)


# Text around the places a bare URL, a www. address or an e-mail address may begin: magiclink makes
# links of them, so the fast path must leave all of it to the parser.
LINKISH = st.lists(
    st.sampled_from(
        ["https://", "http://", "HTTPS://", "www.", "WWW.", "@", "ops", "example.com", "/a", ".", " ", "\n", "x"]
    ),
    max_size=12,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(LINKISH)
def test_render_gives_what_markdown_gives_around_urls_and_addresses(text: str) -> None:
    assert str(markup.render(text)) == slow(text)


def test_fast_path_is_taken_for_ordinary_updates() -> None:
    text = "Since 14:05 UTC some customers see errors (about 5%). We're investigating; next update by 15:00 UTC."
    assert markup.plain_paragraphs(text) == f"<p>{text}</p>"
    assert markup.plain_paragraphs("One.\n\nTwo.") == "<p>One.</p>\n<p>Two.</p>"


def test_markup_takes_the_full_parser() -> None:
    for text in [
        "*bold*",
        "a <b>",
        "- item",
        "1. item",
        "x  \ny",
        "# head",
        "a & b",
        "  indented",
        "[l](u)",
        "~~gone~~",
        "a | b",
        "see https://status.example.com now",
        "see HTTP://status.example.com now",
        "see www.example.com now",
        "write to ops@example.com",
    ]:
        assert markup.plain_paragraphs(text) is None, text
    assert str(markup.render("**Fixed** at 10:00.")) == "<p><strong>Fixed</strong> at 10:00.</p>"


def test_text_too_costly_to_render_is_shown_as_text(caplog: pytest.LogCaptureFixture) -> None:
    """A theme may render any text as markdown, such as a title that loading does not measure."""
    text = "*a* " * 250_000 + "\n\n<b>x</b>"
    assert not markup.renderable(text)
    assert str(markup.render(text)) == f"<p>{'*a* ' * 249_999}*a* </p>\n<p>&lt;b&gt;x&lt;/b&gt;</p>"
    assert [r.getMessage() for r in caplog.records] == [
        f"markdown too costly to render, shown as text: {repr(text)[:60]}..."
    ]


def test_text_nested_too_deeply_for_the_renderer_is_shown_as_text(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    text = "- " * 1_000 + "x"
    assert markup.nesting(text) == 1_000
    monkeypatch.setattr(markup, "nesting", lambda text: 0)  # a shape of nesting it does not know
    assert str(markup.render(text)) == f"<p>{text}</p>"
    assert [r.getMessage() for r in caplog.records] == [
        f"markdown nested too deeply to render, shown as text: {repr(text)[:60]}..."
    ]
    # The converter the recursion broke is not used again.
    assert str(markup.render("See [a](b) and **c**.")) == (
        '<p>See <a href="b" rel="nofollow noopener noreferrer">a</a> and <strong>c</strong>.</p>'
    )


def test_a_text_is_measured_once_when_loaded_and_rendered() -> None:
    text = "See [the status page](https://status.example.com/) and **retry**.\n\nThen [report](mailto:a@b.c)."
    cost._count.cache_clear()
    markup.estimate(text)  # loading
    assert markup.render(text) == (
        '<p>See <a href="https://status.example.com/" rel="nofollow noopener noreferrer">the status page</a> and '
        "<strong>retry</strong>.</p>\n"
        '<p>Then <a href="mailto:a@b.c" rel="nofollow noopener noreferrer">report</a>.</p>'
    )
    assert cost._count.cache_info()[:2] == (1, 1)  # (hits, misses)


NOFOLLOW = 'rel="nofollow noopener noreferrer"'


@pytest.mark.parametrize(
    "text, html",
    [
        ("a ~~gone~~ b", "<p>a <del>gone</del> b</p>"),
        ("~~one~~ and ~~two words~~", "<p><del>one</del> and <del>two words</del></p>"),
        # A single tilde is no markup, as on git hosts: not a subscript.
        ("H~2~O and ~x~", "<p>H~2~O and ~x~</p>"),
        (
            "See https://example.com/a?b=1 now.",
            f'<p>See <a href="https://example.com/a?b=1" {NOFOLLOW}>https://example.com/a?b=1</a> now.</p>',
        ),
        (
            "Visit www.example.com today",
            f'<p>Visit <a href="http://www.example.com" {NOFOLLOW}>www.example.com</a> today</p>',
        ),
        (
            "Mail ops@example.com please",
            f'<p>Mail <a href="mailto:ops@example.com" {NOFOLLOW}>ops@example.com</a> please</p>',
        ),
        # A bare javascript: is no URL magiclink links, and stays text.
        ("javascript:alert(1)", "<p>javascript:alert(1)</p>"),
        (
            "```python\nprint('<hi>')\n```\n",
            "<pre><code>print('&lt;hi&gt;')\n</code></pre>",
        ),
        (
            "~~~\n*not* [markup]\n~~~\n",
            "<pre><code>*not* [markup]\n</code></pre>",
        ),
        # HTML: a few formatting tags without attributes are kept, comments hidden, the rest is text.
        (
            "H<sub>2</sub>O and <KBD>Ctrl</KBD>+<kbd>C</kbd>,<br/>then",
            "<p>H<sub>2</sub>O and <kbd>Ctrl</kbd>+<kbd>C</kbd>,<br>then</p>",
        ),
        # A tag with attributes is text; the closing tag then closes nothing, and goes.
        ('<b class="x">bold?</b>', '<p>&lt;b class="x"&gt;bold?</p>'),
        ("Before <!-- a note\n\nfor authors --> after", "<p>Before  after</p>"),
        ("<!-- never closed\n\nText", "<p>&lt;!-- never closed</p>\n<p>Text</p>"),
        (
            "<script>alert(1)</script> <img src=x onerror=alert(1)>",
            "<p>&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt;</p>",
        ),
        (
            "<details><summary>More</summary>hidden</details>",
            "<p>&lt;details&gt;&lt;summary&gt;More&lt;/summary&gt;hidden&lt;/details&gt;</p>",
        ),
        ("a < b, List<String>, <db-1>", "<p>a &lt; b, List&lt;String&gt;, &lt;db-1&gt;</p>"),
        ("<https://example.com/x>", f'<p><a href="https://example.com/x" {NOFOLLOW}>https://example.com/x</a></p>'),
        # Left out: footnotes, abbreviations, definition lists, attribute lists, markdown in HTML.
        ("Text[^1].\n\n[^1]: The note.\n", "<p>Text[^1].</p>\n<p>[^1]: The note.</p>"),
        ("*[A]: an abbreviation\n\nA b A\n", "<p>*[A]: an abbreviation</p>\n<p>A b A</p>"),
        ("Term\n: Definition\n", "<p>Term\n: Definition</p>"),
        ("A paragraph\n{: .cls}\n", "<p>A paragraph\n{: .cls}</p>"),
        ("## Heading {: #id .cls }\n", "<h2>Heading {: #id .cls }</h2>"),
        # Raw HTML is text, shown as written; the markdown inside it is read like any other.
        (
            '<div markdown="1">\n*em* and [a](b)\n</div>\n',
            f'<p>&lt;div markdown="1"&gt;\n<em>em</em> and <a href="b" {NOFOLLOW}>a</a>\n&lt;/div&gt;</p>',
        ),
    ],
)
def test_rendered_html(text: str, html: str) -> None:
    assert str(markup.render(text)) == html
    assert slow(text) == html


@pytest.mark.parametrize(
    "text, html",
    [
        (
            "- [ ] todo\n- [x] done\n",
            '<ul class="task-list">\n'
            '<li class="task-list-item">\u2610 todo</li>\n'
            '<li class="task-list-item">\u2611 done</li>\n'
            "</ul>",
        ),
        (
            "1. [x] first\n2. [ ] second\n",
            '<ol class="task-list">\n<li class="task-list-item">\u2611 first</li>\n'
            '<li class="task-list-item">\u2610 second</li>\n</ol>',
        ),
        # An input an author writes is no control on the page: it is shown as text, as written.
        ('A <input type="text" name="p"> box', '<p>A &lt;input type="text" name="p"&gt; box</p>'),
        ('<input type="checkbox" checked onclick="x()">', '<p>&lt;input type="checkbox" checked onclick="x()"&gt;</p>'),
    ],
)
def test_task_lists_show_ballot_boxes_and_no_input_is_kept(text: str, html: str) -> None:
    assert str(markup.render(text)) == html
    assert len({str(markup.render.__wrapped__(text)) for _ in range(50)}) == 1  # the same bytes every time


def test_tables_render_with_their_cells() -> None:
    text = "| Region | Errors |\n| --- | --- |\n| eu-west | `5xx` and [log](https://x.example/l) |\n"
    assert str(markup.render(text)) == (
        "<table>\n<thead>\n<tr>\n<th>Region</th>\n<th>Errors</th>\n</tr>\n</thead>\n"
        "<tbody>\n<tr>\n<td>eu-west</td>\n"
        f'<td><code>5xx</code> and <a href="https://x.example/l" {NOFOLLOW}>log</a></td>\n'
        "</tr>\n</tbody>\n</table>"
    )


def test_tables_keep_their_columns_alignment() -> None:
    text = "| L | C | R |\n|:--|:-:|--:|\n| a | b | c |\n"
    assert str(markup.render(text)) == (
        '<table>\n<thead>\n<tr>\n<th align="left">L</th>\n<th align="center">C</th>\n<th align="right">R</th>\n'
        '</tr>\n</thead>\n<tbody>\n<tr>\n<td align="left">a</td>\n<td align="center">b</td>\n'
        '<td align="right">c</td>\n</tr>\n</tbody>\n</table>'
    )


@pytest.mark.parametrize(
    "text, nesting",
    [
        ("- a\n  - b\n    - c\n", 0),
        ("- " * 50 + "x", 50),
        ("- " * 51 + "x", 51),
        ("1. " * 60 + "x", 60),
        (" " * 240 + "- x", 61),
        ("\t" * 55 + "x", 55),
        ("> " * 70 + "x", 70),
        ("term\n: a\n" * 51, 0),
        ("term\n: a\n\n" * 200, 0),
        ("term\r: a\r" * 60, 0),
        ('<div markdown="1">\n' * 60, 0),
        ('<div MARKDOWN="1">' * 3, 0),
        ("\r".join("    " * n + "- x" for n in range(60)), 60),
        ("markdown " * 100, 0),
    ],
)
def test_nesting(text: str, nesting: int) -> None:
    assert markup.nesting(text) == nesting


def test_cost_of_ordinary_text_is_far_under_the_limit() -> None:
    update = "We are investigating elevated error rates on the [API](https://example.com/api). *Next* update by 15:00."
    # 35 KB: 400 links, 400 code spans and 400 autolinks in paragraphs of 2 KB, and 20 lists.
    postmortem = "\n\n".join(
        [
            "## Root cause",
            "A [config](https://x.example/c) change with `limit: 0`; see <https://x.example/pr/1>. " * 20,
            "- one\n- two\n- three",
        ]
        * 20
    )
    assert markup.estimate(update).total < markup.MAX_COST // 1_000
    # Some 60 ms to render on the reference machine: dense, and still a small part of the limit.
    assert markup.estimate(postmortem).total < markup.MAX_COST // 4


WORDS_ONLY = st.lists(st.one_of(LINE, st.just("")), min_size=1, max_size=300).map("\n".join)


@settings(max_examples=300, deadline=None)
@given(WORDS_ONLY)
def test_lines_of_words_cost_nothing_and_take_the_fast_path(text: str) -> None:
    """Most updates are lines of words: they are not counted, and they never reach the parser."""
    assert markup.estimate(text) == cost.FREE
    assert markup.plain_paragraphs(text) is not None


def test_text_that_may_hold_markup_is_counted() -> None:
    for text in ["a *b*", "see www.example.com", "ops@example.com", "- x", "x\n---"]:
        assert markup.estimate(text) == cost.estimate(text) != cost.FREE, text
