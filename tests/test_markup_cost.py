"""The render-cost estimate on shapes of text that once got past it: each slow to render, each now
over the limit and named for what it is; and the shapes made cheap by the renderer itself."""

from __future__ import annotations

import pytest

from statusgen import markup
from statusgen.markup import cost
from statusgen.markup.cost import MAX_COST, Shape

WIDE = "\U0001f600"  # one character above U+FFFF: Python then keeps the text at four bytes a character


def nested_emphasis(depth: int) -> str:
    marks = ["*" if i % 2 == 0 else "_" for i in range(depth)]
    return "".join(f"{m}x " for m in marks) + "".join(f"x{m} " for m in reversed(marks))


@pytest.mark.parametrize(
    "text, shape",
    [
        # Each link reference definition splits its block; the rest is tested again by every test.
        pytest.param("x\n[a]: b\n" * 8_000, Shape.SPLITS, id="reference-definitions-in-one-block"),
        # The parser deletes \x02 and \x03 first: the headings they would hide still split the block.
        pytest.param("\x02# a\n" * 20_000, Shape.SPLITS, id="headings-behind-placeholder-marks"),
        # A list item gathers the lines after it that no marker starts, copying itself for each.
        pytest.param("- a\n" + "b\n" * 210_000, Shape.LIST_ITEM, id="a-list-item-over-lines"),
        pytest.param(f"- {WIDE}\n" + "b\n" * 120_000, Shape.LIST_ITEM, id="a-wide-list-item-over-lines"),
        # Copies cost four bytes a character once one character needs them.
        pytest.param(WIDE + "*a* " * 20_000, Shape.INLINE, id="wide-emphasis"),
        pytest.param(WIDE + "&amp; " * 20_000, Shape.INLINE, id="wide-entities"),
        # Text inside nested emphasis is read again at each level.
        pytest.param(nested_emphasis(10_000), Shape.INLINE, id="nested-emphasis"),
        pytest.param("~~x *x " * 4_000 + " y* y~~" * 4_000, Shape.INLINE, id="nested-strikethrough"),
        # Each cell, and each strong or link in it, runs its text through the patterns again.
        pytest.param(
            "| a | b |\n|---|---|\n" + "".join(f"| **{i}** | [x](u{i}) |\n" for i in range(5_000)),
            Shape.LENGTH,
            id="table-of-strong-and-links",
        ),
        # Comments are taken out before the blocks are found: the blank lines inside them go too,
        # and the paragraphs they seemed to part are one.
        pytest.param("[<!--\n\n-->".join(["a " * 100] * 200), Shape.BRACKETS, id="brackets-joined-by-comments"),
        pytest.param(
            "<!--\n\n-->".join(["abcdefghijklmnopqrstuvwxyz &amp; " * 150] * 100),
            Shape.INLINE,
            id="matches-joined-by-comments",
        ),
        # Lines that go on a nested quote without quote marks are cleaned at each of its levels.
        pytest.param("> " * 20 + "a\n" + "b\n" * 150_000, Shape.NESTING, id="lazy-lines-of-a-deep-quote"),
        # An address is read a character at a time by the address pattern.
        pytest.param("a" * 500_000 + "@" + "b." * 240_000, Shape.INLINE, id="a-long-address"),
        # The table test splits the first line of each block on its '|', in Python.
        pytest.param("a|" * 499_999 + "\nx", Shape.LENGTH, id="a-line-of-pipes"),
        # A heading's pattern reads it a character at a time.
        pytest.param("# " + ")1" * 480_000, Shape.LENGTH, id="a-long-heading"),
    ],
)
def test_shapes_once_let_through_are_over_the_limit(text: str, shape: Shape) -> None:
    assert len(text) <= 1_000_000
    estimate = cost.estimate(text)
    assert estimate.total > MAX_COST
    assert estimate.shape is shape


@pytest.mark.parametrize(
    "text, html",
    [
        # hl_lines= and {attributes} open no fenced block: the line is text (a search of theirs read
        # the rest of the text once for each quote after it).
        ("```hl_lines='\n\na'\n", "<p>```hl_lines='</p>\n<p>a'</p>"),
        ("```{.x}\ny\n```\n", "<p><code>{.x}\ny</code></p>"),
        # HTML is never parsed: a CDATA section, a processing instruction and a block tag are text.
        ("<![CDATA[>\n\n] ]", "<p>&lt;![CDATA[&gt;</p>\n<p>] ]</p>"),
        ("<?x?>\n<hr>\ntext", "<p>&lt;?x?&gt;\n&lt;hr&gt;\ntext</p>"),
        # And the comments it hides are found without it.
        ("<span>a<!-- b -->c</span>", "<p>&lt;span&gt;ac&lt;/span&gt;</p>"),
    ],
)
def test_shapes_the_renderer_no_longer_reads_render_as_text(text: str, html: str) -> None:
    assert str(markup.render(text)) == html


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("<![CDATA[>\n\n" * 1_045 + "] " * 275_000, id="cdata-sections"),
        pytest.param("".join(f"<x{i}>" for i in range(600)) + "<!---->" * 600, id="tags-then-comments"),
        pytest.param("<hr>\n" * 5_286 + (f"w{WIDE}rd " * 200 + "\n\n") * 550, id="block-tags-then-wide-text"),
        pytest.param("```hl_lines='\n\n" + "a'\n" * 10_000, id="hl-lines-quotes"),
    ],
)
def test_shapes_the_renderer_no_longer_reads_are_cheap(text: str) -> None:
    assert cost.estimate(text).total < MAX_COST


def test_indented_blocks_after_a_list_are_estimated_in_linear_time() -> None:
    """Each indented block goes on the list as the one before it did: decided once a block."""
    text = "- a\n\n" + "    x\n\n" * 40_000
    assert cost.breakdown(text)[cost.Term.BLOCK] == 40_002  # each blank line ends one; the last is empty
    assert cost.Term.CODE_CHAR not in cost.breakdown(text)
    assert cost.breakdown("para\n\n" + "    x\n\n" * 3)[cost.Term.CODE_CHAR] == 3 * len("    x\n")


def test_indented_code_is_charged_as_code() -> None:
    line = "    2026-11-23 09:00 [ERROR] <conn-1> refused `x` *y* _z_ \\n " + "a" * 80 + "\n"
    log = line * 2_000
    assert cost.breakdown(log)[cost.Term.CODE_CHAR] == len(log)
    assert cost.Term.TRY not in cost.breakdown(log)
    # After a list, an indented block goes on the last item: it is text.
    listed = "- item\n\n" + log
    assert cost.breakdown(listed)[cost.Term.TRY] > 2_000
