"""Markdown rendering: the fast path for plain text gives exactly what the full parser gives."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statusgen import markup

PROSE = st.text(
    alphabet=st.sampled_from(list("abcXYZ019 .,;:'\"()/%=?-\n\u00e9\u2713\u00a0\u2028\x85\xad\u2003")), max_size=80
)


def slow(text: str) -> str:
    return markup.clean(markup._converter.reset().convert(text))


# Plain paragraphs, as most updates are: words of letters, digits and punctuation, one space apart, in
# lines and paragraphs; no line starts with what could begin a list or a heading.
WORD = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from(list("abcXYZ\u00e9\u2713(\"'")),
    st.text(alphabet=st.sampled_from(list("abcXYZ019.,;:'\"()/%=?-\u00e9\u2713")), max_size=10),
)
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


def test_fast_path_is_taken_for_ordinary_updates() -> None:
    text = "Since 14:05 UTC some customers see errors (about 5%). We're investigating; next update by 15:00 UTC."
    assert markup.plain_paragraphs(text) == f"<p>{text}</p>"
    assert markup.plain_paragraphs("One.\n\nTwo.") == "<p>One.</p>\n<p>Two.</p>"


def test_markup_takes_the_full_parser() -> None:
    for text in ["*bold*", "a <b>", "- item", "1. item", "x  \ny", "# head", "a & b", "  indented", "[l](u)"]:
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
    markup._cost.cache_clear()
    markup.cost(text)  # loading
    assert markup.render(text) == (
        '<p>See <a href="https://status.example.com/" rel="nofollow noopener noreferrer">the status page</a> and '
        "<strong>retry</strong>.</p>\n"
        '<p>Then <a href="mailto:a@b.c" rel="nofollow noopener noreferrer">report</a>.</p>'
    )
    assert markup._cost.cache_info()[:2] == (1, 1)  # (hits, misses)


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
        ("term\n: a\n" * 51, 51),
        ("term\n: a\n\n" * 200, 1),
        ("term\r: a\r" * 60, 60),
        ('<div markdown="1">\n' * 60, 60),
        ('<div MARKDOWN="1">' * 3, 3),
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
    assert markup.cost(update) < 1_000
    assert markup.cost(postmortem) < markup.MAX_COST // 10


WORDS_ONLY = st.lists(st.one_of(LINE, st.just("")), min_size=1, max_size=300).map("\n".join)


@settings(max_examples=300, deadline=None)
@given(WORDS_ONLY)
def test_the_quick_count_for_lines_of_words_never_counts_less_than_the_full_count(text: str) -> None:
    """Most updates are lines of words, counted without the full count; a text refused by the full
    count must be refused by the quick one too."""
    assert markup.cost(text) >= markup._cost(text)


def test_lines_of_words_are_counted_without_the_full_count() -> None:
    markup._cost.cache_clear()
    assert markup.cost("Words only, over a few lines.\n" * 5) < 1_000
    assert markup._cost.cache_info().misses == 0
    # Past a bound, the quick count is not close enough: the full count decides.
    long = "Words only, over a few lines.\n" * 5_000
    assert markup.cost(long) == markup._cost.__wrapped__(long) > markup.MAX_COST // 256
    assert markup._cost.cache_info().misses == 1
