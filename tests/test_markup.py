"""Markdown rendering: the fast path for plain text gives exactly what the full parser gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from statusgen import markup

PROSE = st.text(alphabet=st.sampled_from(list("abcXYZ019 .,;:'\"()/%=?-\n\u00e9\u2713\u00a0\u2028\x85\xad\u2003")),
                max_size=80)


def slow(text: str) -> str:
    return markup.clean(markup._converter.reset().convert(text))


@settings(max_examples=400, deadline=None)
@given(PROSE)
def test_plain_text_fast_path_matches_markdown(text):
    fast = markup.plain_paragraphs(text)
    if fast is not None:
        assert fast == slow(text)


def test_fast_path_is_taken_for_ordinary_updates():
    text = "Since 14:05 UTC some customers see errors (about 5%). We're investigating; next update by 15:00 UTC."
    assert markup.plain_paragraphs(text) == f"<p>{text}</p>"
    assert markup.plain_paragraphs("One.\n\nTwo.") == "<p>One.</p>\n<p>Two.</p>"


def test_markup_takes_the_full_parser():
    for text in ["*bold*", "a <b>", "- item", "1. item", "x  \ny", "# head", "a & b", "  indented", "[l](u)"]:
        assert markup.plain_paragraphs(text) is None, text
    assert str(markup.render("**Fixed** at 10:00.")) == "<p><strong>Fixed</strong> at 10:00.</p>"
