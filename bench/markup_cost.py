"""How long the markdown renderer takes on each known shape of text, beside what the cost model says.

For each shape, at several sizes: the best of a few render times, the model's estimate, and the
weight the time implies for the shape's main term (its time less what the model gives the other
terms, per unit of the main term) beside the weight in statusgen/markup/cost.py. Then the size at
which the model reaches MAX_COST, and the time to render that text: flagged when over the budget.
Last, for each term, the largest weight its shapes imply: the weights should be at least those.

    .venv/bin/python bench/markup_cost.py            # every shape
    .venv/bin/python bench/markup_cost.py brackets   # the shapes whose names contain 'brackets'
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from statusgen import markup
from statusgen.markup import cost
from statusgen.markup.cost import MAX_COST, Term

BUDGET = 0.5  # seconds: no text the model lets through should take longer to render
MAX_CHARS = 1_000_000  # incident files are at most this big


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[int], str]
    term: Term  # the term the shape stands for
    sizes: tuple[int, ...] = (500, 2_000, 8_000)
    realistic: bool = False  # text people write: should be far under the limit at its size


def _log(n: int) -> str:
    lines = (
        f"2026-11-23T09:{i % 60:02d}:{i % 59:02d}Z [ERROR] pool <db-{i}> refused: `SELECT *` _retry_ {i}/3 \\n"
        for i in range(n)
    )
    return "Logs from the primary:\n\n```text\n" + "\n".join(lines) + "\n```\n"


def _table(n: int) -> str:
    rows = (f"| 09:{i % 60:02d} | [api-{i}](https://example.com/r/{i}) | `503` | *{i}%* |" for i in range(n))
    return "| time | region | code | errors |\n| --- | --- | :-: | --: |\n" + "\n".join(rows) + "\n"


def _links(n: int) -> str:
    return "".join(f"- [Ticket {i}](https://tracker.example.com/browse/OPS-{i}) was closed\n" for i in range(n))


def _postmortem(n: int) -> str:
    section = (
        "## What happened\n\n"
        "At 09:00 UTC the **primary database** stopped accepting connections; see the [runbook]"
        "(https://runbooks.example.com/db) and the Markdown notes. Calls to `GET /v1/items` failed "
        "with `<html>` error pages, and `List<Item>` parsing threw when `a < b`.\n\n"
        "> Customers saw errors on checkout for 14 minutes.\n\n"
        "- 09:00 alerts fired\n- 09:05 on-call paged\n- 09:14 failover done\n\n"
        '```\n<div class="error">pool exhausted</div>\n[WARN] retrying 3/3\n```\n\n'
    )
    return section * n


def _growing(unit: str, n: int, sep: str = " ") -> str:
    """Runs of ``unit`` of lengths 1, 2, 3... until the text is about n characters."""
    parts, size, k = [], 0, 1
    while size < n:
        parts.append(unit * k)
        size += k + len(sep)
        k += 1
    return sep.join(parts)


CASES = [
    # Text people write, charged by its length.
    Case("realistic: fenced log, lines", _log, Term.CODE_CHAR, (500, 2_000, 8_000), realistic=True),
    Case("realistic: table, rows", _table, Term.UNIT, (250, 1_000, 2_000), realistic=True),
    Case("realistic: list of links, items", _links, Term.UNIT, (500, 2_000, 8_000), realistic=True),
    Case("realistic: postmortem, sections", _postmortem, Term.CHAR, (25, 100, 400), realistic=True),
    Case("one paragraph of words", lambda n: "errors rose on checkout " * n, Term.CHAR, (1_000, 4_000, 16_000)),
    Case("paragraphs of words", lambda n: "Errors on *checkout* rose.\n\n" * n, Term.BLOCK),
    Case("lines of a quote", lambda n: "> a quoted line\n" * n, Term.LINE, (1_000, 4_000, 16_000)),
    Case("list items", lambda n: "- a\n" * n, Term.UNIT, (1_000, 2_000, 4_000)),
    Case("a long list", lambda n: "- a\n" * n, Term.UNIT, (8_000, 16_000, 32_000)),
    Case("a long table", lambda n: "| a |\n| - |\n" + "| b |\n" * n, Term.UNIT, (8_000, 16_000, 32_000)),
    Case("closed brackets", lambda n: "[a] " * n, Term.TRY, (1_000, 4_000, 16_000)),
    # Shapes whose time grows with the square of their size.
    Case("unclosed brackets", lambda n: "[" * n, Term.BRACKET_SCAN, (250, 1_000, 2_000)),
    Case("unclosed brackets with words", lambda n: "[a " * n, Term.BRACKET_SCAN, (250, 1_000, 2_000)),
    Case("unclosed images", lambda n: "![a" * n, Term.BRACKET_SCAN, (250, 1_000, 2_000)),
    Case("nested brackets", lambda n: "[" * n + "a" + "]" * n + "(u)", Term.BRACKET_SCAN, (250, 1_000, 2_000)),
    Case("unclosed link targets", lambda n: "[a](" * n, Term.BRACKET_SCAN, (250, 1_000, 2_000)),
    Case("unclosed link titles", lambda n: '[a](b "' * n, Term.BRACKET_SCAN, (250, 1_000, 2_000)),
    Case("emphasis", lambda n: "*a* " * n, Term.MATCH, (2_000, 8_000, 16_000)),
    Case("emphasis in one long paragraph", lambda n: "*a* " * n, Term.COPY, (32_000, 64_000, 128_000)),
    Case("unclosed emphasis", lambda n: "*a _b ~~c **d " * (n // 4), Term.COPY, (2_000, 8_000, 16_000)),
    Case("escapes", lambda n: "\\* " * n, Term.COPY, (2_000, 8_000, 16_000)),
    Case("code spans", lambda n: "`a` " * n, Term.COPY, (2_000, 8_000, 16_000)),
    Case("entities", lambda n: "&amp; " * n, Term.COPY, (2_000, 8_000, 16_000)),
    Case("bare URLs", lambda n: "https://example.com/a " * n, Term.COPY, (2_000, 8_000, 16_000)),
    Case("e-mail addresses", lambda n: "ops@example.com " * n, Term.COPY, (2_000, 8_000, 16_000)),
    Case("hard line breaks", lambda n: "a  \n" * n, Term.COPY, (2_000, 8_000, 16_000)),
    Case("backtick runs growing", lambda n: _growing("`", n), Term.TICK_SCAN, (20_000, 80_000, 200_000)),
    # HTML is text but for a few formatting tags: a '<' is one more mark the inline patterns try.
    Case("unclosed tags", lambda n: "<a " * n, Term.TRY, (2_000, 8_000, 32_000)),
    Case("unclosed quoted attributes", lambda n: '<a x="' * n, Term.TRY, (2_000, 8_000, 32_000)),
    Case("formatting tags", lambda n: "<b>x</b> " * n, Term.MATCH, (2_000, 8_000, 16_000)),
    Case("unclosed comments", lambda n: "<!-- a\n\n" * n, Term.BLOCK, (2_000, 8_000, 16_000)),
    Case("link references in one block", lambda n: "x\n[a]: b\n" * n, Term.REF_SPLIT, (500, 2_000, 4_000)),
    Case("a list item over many lines", lambda n: "- a\n" + "b\n" * n, Term.ITEM_COPY, (20_000, 80_000, 160_000)),
    Case("headings in one block", lambda n: "# a\n" * n, Term.SPLIT, (500, 2_000, 4_000)),
    Case("rules in one block", lambda n: "a\n***\n" * n, Term.SPLIT, (500, 2_000, 4_000)),
    Case("underlined headings in one block", lambda n: "a\n===\n" * n, Term.SPLIT, (500, 2_000, 4_000)),
    Case("fenced blocks", lambda n: "```\na\n```\n" * n, Term.FENCE, (500, 2_000, 4_000)),
    Case("a great many fenced blocks", lambda n: "```\na\n```\n" * n, Term.FENCE_COPY, (8_000, 16_000, 32_000)),
    Case("unclosed fences growing", lambda n: _growing("`", n, "\n")[5:] + "\n", Term.FENCE_SCAN, (20_000, 80_000)),
    Case("nested emphasis", lambda n: "*x _x " * (n // 2) + "x_ x* " * (n // 2), Term.NEST_SCAN, (1_000, 2_000, 4_000)),
    Case("wide emphasis", lambda n: "\U0001f600" + "*a* " * n, Term.COPY, (4_000, 8_000, 16_000)),
    Case("a line of pipes", lambda n: "a|" * n + "\nx", Term.PIPE, (50_000, 100_000, 200_000)),
    Case("a long heading", lambda n: "# " + ")1" * n, Term.HEADING_CHAR, (50_000, 100_000, 200_000)),
    Case(
        "table of strong and links",
        lambda n: "| a | b |\n|---|---|\n" + "".join(f"| **{i}** | [x](u{i}) |\n" for i in range(n)),
        Term.UNIT,
        (500, 1_000, 2_000),
    ),
    Case(
        "brackets joined by comments", lambda n: "[<!--\n\n-->".join(["a " * 100] * n), Term.BRACKET_SCAN, (20, 50, 100)
    ),
    Case(
        "lazy lines of a deep quote", lambda n: "> " * 20 + "a\n" + "b\n" * n, Term.LEVEL_LINE, (1_000, 4_000, 16_000)
    ),
    Case("a long address", lambda n: "a" * n + "@" + "b." * n, Term.ADDRESS_CHAR, (20_000, 80_000, 160_000)),
    Case("nested lists", lambda n: "".join("    " * (i % 40) + "- a\n" for i in range(n)), Term.LEVEL_LINE),
    Case("nested quotes", lambda n: "> " * 40 + "a " * n, Term.LEVEL_CHAR, (2_000, 8_000, 32_000)),
    Case(
        "table row of pipes and backticks",
        lambda n: "| a | b |\n| - | - |\n" + "|`" * n + "\n",
        Term.ROW_PAIR,
        (1_000, 4_000, 8_000),
    ),
    Case("a great many paragraphs", lambda n: "*\n\n" + "a\n\n" * n, Term.BLOCK_PAIR, (10_000, 40_000, 100_000)),
]


def render_time(text: str, runs: int = 3) -> float:
    """The best of ``runs`` renders of ``text``, in seconds (one run when it is slow)."""
    converter = markup._new_converter()
    converter.convert("*warm* [up](u)")
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        converter.reset().convert(text)
        times.append(time.perf_counter() - start)
        if times[-1] > 1:
            break
    return min(times)


def implied(case: Case, text: str, seconds: float) -> float | None:
    """The weight ``seconds`` implies for the case's term, given the model's other terms."""
    units = cost.breakdown(text)
    main = units.get(case.term, 0)
    if not main:
        return None
    others = sum(n * t.weight for t, n in units.items() if t is not case.term)
    return max(0.0, seconds * 1e9 - others) / main


def at_limit(case: Case) -> int | None:
    """The largest n whose text the model lets through, if a larger one is within the file limit."""
    low, high = 1, 2
    while cost.estimate(case.make(high)).total <= MAX_COST:
        if len(case.make(high)) > MAX_CHARS:
            return None
        low, high = high, high * 2
    while high - low > 1:
        middle = (low + high) // 2
        if cost.estimate(case.make(middle)).total <= MAX_COST:
            low = middle
        else:
            high = middle
    return low


def main(filters: list[str]) -> int:
    cases = [c for c in CASES if not filters or any(f in c.name for f in filters)]
    worst_implied: dict[Term, list[float]] = {}
    flagged = []
    print(f"budget {BUDGET:.1f} s, MAX_COST {MAX_COST / 1e9:.2f} s estimated\n")
    print("| shape | size | render | estimate | implied weight (now) | at the limit: size, render |")
    print("| --- | --: | --: | --: | --: | --- |")
    for case in cases:
        rows = []
        for n in case.sizes:
            text = case.make(n)
            seconds = render_time(text)
            weight = implied(case, text, seconds)
            if weight is not None:
                worst_implied.setdefault(case.term, []).append(weight)
            estimate = cost.estimate(text)
            rows.append((n, len(text), seconds, estimate, weight))
        limit = at_limit(case)
        if limit is None:
            limit_text = "under the limit up to 1 MB"
        else:
            text = case.make(limit)
            seconds = render_time(text)
            over = seconds > BUDGET
            limit_text = f"{len(text):,} chars, {seconds:.3f} s" + (" **over budget**" if over else "")
            if over:
                flagged.append(case.name)
        for i, (_, size, seconds, estimate, weight) in enumerate(rows):
            shown = "" if weight is None else f"{weight:,.1f} ({case.term.weight:,})"
            print(
                f"| {case.name if i == 0 else ''} | {size:,} | {seconds * 1000:,.1f} ms "
                f"| {estimate.total / 1e6:,.1f} ms {estimate.shape.name} | {case.term.name} {shown} "
                f"| {limit_text if i == 0 else ''} |"
            )
        sys.stdout.flush()
    print("\n| term | weight | largest implied | median implied | its shapes |")
    print("| --- | --: | --: | --: | --- |")
    for term in Term:
        found = worst_implied.get(term)
        shapes = ", ".join(c.name for c in cases if c.term is term)
        if found:
            print(f"| {term.name} | {term.weight:,} | {max(found):,.1f} | {statistics.median(found):,.1f} | {shapes} |")
    for case in cases:  # text people write should be far under the limit at the sizes they write
        if case.realistic:
            text = case.make(case.sizes[1])
            share = markup.estimate(text).total / MAX_COST
            print(f"{case.name} at {case.sizes[1]:,}: {len(text):,} chars, {share:.0%} of the limit")
    print("\ntime to estimate the largest text of each shape under the file limit, slowest first:")
    timed = []
    for case in cases:
        n = 1
        while len(case.make(n * 2)) <= MAX_CHARS and n < 4_000_000:
            n *= 2
        text = case.make(n)
        cost._count.cache_clear()
        start = time.perf_counter()
        verdict = cost.estimate(text)
        timed.append((time.perf_counter() - start, case.name, len(text), verdict))
    for seconds, name, size, verdict in sorted(timed, key=lambda t: t[0], reverse=True)[:8]:
        print(f"  {seconds * 1000:6.1f} ms  {name}, {size:,} chars: {verdict.total / MAX_COST:,.1f} x the limit")
    if flagged:
        print("\nover budget at the limit: " + ", ".join(flagged))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
