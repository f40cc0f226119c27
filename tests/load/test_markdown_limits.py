"""The markdown cost limit, through the loader: long realistic incidents are accepted, and hostile
text is refused at the line of its costliest shape's worst instance, naming that shape.

The weights of the estimate are tuned as the renderer changes, so no size here is a magic number:
each hostile text is grown until the estimate puts it clearly over the limit, and each mixture is
made of parts the estimate puts under it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conftest import Repo, tree_digest
from statusgen import markup
from statusgen.errors import ValidationFailed
from statusgen.load.repository import load_repository
from statusgen.markup import MAX_COST, Shape

NOW = "2025-11-10T12:00:00Z"
NAME = "incidents/2025-11-04-limits.md"
FILE_LIMIT = 1_000_000
HEADER = """\
---
title: Elevated API error rates
impact: major
components:
  api: partial_outage
updates:
  - at: 2025-11-04T14:05:00Z
    status: investigating
    message: {first}
  - at: 2025-11-04T15:20:00Z
    status: resolved
    message: {second}
---
"""
FIRST_UPDATE_LINE, SECOND_UPDATE_LINE = 7, 10
BODY_LINE = HEADER.count("\n") + 1  # 14: the body's first line
# Ordinary markdown ahead of the hostile text, with a fenced block whose lines the estimate reads
# as one: the line reported is still the file's.
BEFORE = """\
Customers saw errors on the public API from 14:05 UTC.

```text
14:05:01 [ERROR] upstream timed out
14:05:02 [ERROR] upstream timed out
14:05:03 [WARN] retrying
```

We rolled the change back at **15:00**; see [the runbook](https://runbooks.example.com/api).

"""
HOSTILE_LINE = BODY_LINE + BEFORE.count("\n")  # 24: where the text after BEFORE starts
AFTER = "\n\nWe are monitoring the API.\n"
NESTED = "markdown nested more than 50 levels deep (flatten the nested lists and quotes)"


def incident(body: str, first: str = "Looking into it. Next update by 15:00 UTC.", second: str = "Fixed.") -> str:
    return HEADER.format(first=first, second=second) + body


def problems(repo: Repo, text: str) -> list[str]:
    """What loading the repository with ``text`` as one more incident file says is wrong."""
    path = repo.root / NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    assert len(text.encode()) < FILE_LIMIT  # refused for its markup, never for its size
    try:
        load_repository(repo.root)
    except ValidationFailed as failed:
        return [str(problem) for problem in failed.problems]
    return []


def costly(line: int, shape: Shape) -> list[str]:
    return [f"{NAME}:{line}: too much markup to render: {shape.what} ({shape.hint})"]


def cost(text: str) -> float:
    """The estimate of ``text`` as a share of the limit."""
    return markup.estimate(text).total / MAX_COST


def grown(make: Callable[[int], str], over: float = 2.0) -> str:
    """``make(n)`` for the least n, doubling from 1, that the estimate puts over ``over`` times the limit."""
    n = 1
    while cost(make(n)) <= over:
        n *= 2
    return make(n)


def sized(make: Callable[[int], str], low: float, high: float) -> str:
    """``make(n)`` for an n the estimate puts between ``low`` and ``high`` times the limit."""
    top = 1
    while cost(make(top)) <= low:
        top *= 2
    bottom = top // 2
    while cost(make(top)) > high:
        middle = (bottom + top) // 2
        if middle in (bottom, top):
            break
        if cost(make(middle)) <= low:
            bottom = middle
        else:
            top = middle
    text = make(top)
    assert low < cost(text) <= high, (low, cost(text), high)
    return text


# --- Realistic incidents, long as they come: accepted -----------------------------------------


def fenced_log(lines: int = 2_000) -> str:
    """An hour of a service's log pasted in a fenced block, with what looks like markup in it."""
    rows = [
        f"2025-11-04T14:{n // 60 % 60:02}:{n % 60:02}Z [ERROR] req <{n:08x}> `GET /v1/items/{n}` failed: "
        f"*retry* {n % 5} of 5, _upstream_ pool-{n % 7} [timeout=30s]"
        for n in range(lines)
    ]
    return "The gateway's log for the hour:\n\n```text\n" + "\n".join(rows) + "\n```\n"


def table(rows: int = 1_000) -> str:
    head = "| Time | Request | Status | Notes |\n| :--- | --- | :---: | ---: |\n"
    return head + "".join(
        f"| 14:{n % 60:02} | [req {n}](https://logs.example.com/r/{n}) | `503` | *retried* after {n % 9} s |\n"
        for n in range(rows)
    )


def links(count: int = 2_000) -> str:
    return "Tickets opened by customers:\n\n" + "".join(
        f"- [Ticket #{n}](https://support.example.com/tickets/{n}): slow dashboard\n" for n in range(count)
    )


SECTION = """\
## {n}. What happened

The Markdown renderer of the docs service rendered each page's markdown again on every request,
and the cache in front of it (see [the cache design](https://wiki.example.com/cache)) kept **no**
entry for pages whose markdown held a `<div class="x">` block. Requests for those pages took
*seconds*; the markdown of release notes holds one in nearly every page.

> Release notes are markdown files with HTML blocks, such as `<details>`, in them.
> Markdown in them is rendered when `render_markdown: true`.

The fix keys the cache on the page's markdown, not on its HTML, so that `List<String>` in a code
span and `a < b` in a comparison no longer change the key:

```python
def cache_key(page: Page) -> str:
    return sha256(page.markdown.encode()).hexdigest()  # markdown, not HTML: <b> & co. stay out
```

1. Deploy the new key (done at 15:10 UTC).
2. Warm the cache with the 500 busiest pages.
3. Watch the hit rate on https://grafana.example.com/d/cache for a day.

"""


def postmortem(size: int = 100_000) -> str:
    """A long postmortem: headings, paragraphs, quotes, lists, code, and the word markdown often."""
    text = "# Postmortem: slow docs pages\n\n"
    n = 0
    while len(text) < size:
        n += 1
        text += SECTION.format(n=n)
    return text


ACCEPTED = {"fenced-log": fenced_log(), "table": table(), "links": links(), "postmortem": postmortem()}


def test_the_postmortem_is_what_it_claims() -> None:
    text = ACCEPTED["postmortem"]
    assert 100_000 <= len(text) < 103_000
    assert text.lower().count("markdown") > 51
    assert text.count('`<div class="x">`') == text.count("`List<String>`") == text.count("`a < b`") > 20


@pytest.mark.parametrize("name", ACCEPTED)
def test_long_realistic_markdown_is_accepted(repo: Repo, name: str) -> None:
    text = ACCEPTED[name]
    assert cost(text) < 1
    assert markup.nesting(text) <= markup.MAX_NESTING
    assert problems(repo, incident(text)) == []


def test_long_realistic_incidents_build(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    for n, text in enumerate(ACCEPTED.values()):
        repo.incident(f"2025-11-0{4 + n}-long.md", incident(text).replace("2025-11-04T", f"2025-11-0{4 + n}T"))
    assert repo.build(NOW) == 0
    assert capsys.readouterr().err == ""
    log, rows, tickets, notes = (repo.page(f"incidents/2025-11-0{4 + n}-long/index.html") for n in range(4))
    assert log.count("[ERROR] req &lt;") == 2_000
    assert "*retry* 0 of 5, _upstream_ pool-0 [timeout=30s]" in log  # code, not markup
    assert rows.count('<td align="center"><code>503</code></td>') == 1_000
    assert tickets.count('<li><a href="https://support.example.com/tickets/') == 2_000
    # Counted in the postmortem itself: the summary at the top of the page repeats its first paragraph.
    notes = notes[notes.index('<section id="postmortem">') :]
    assert notes.count('<code>&lt;div class="x"&gt;</code>') == notes.count("<code>List&lt;String&gt;</code>") > 20


# --- Hostile text: refused at its line, naming its shape --------------------------------------

# (case, text for a given n, the shape refused, the line in the text of its worst instance)
HOSTILE: list[tuple[str, Callable[[int], str], Shape, int]] = [
    ("unclosed-brackets", lambda n: "[" * n, Shape.BRACKETS, 0),
    ("nested-brackets", lambda n: "[" * n + "x" + "]" * n, Shape.BRACKETS, 0),
    ("image-openers", lambda n: "![" * n, Shape.BRACKETS, 0),
    ("link-openers", lambda n: "[a](" * n, Shape.BRACKETS, 0),
    ("brackets-over-lines", lambda n: "See [the log\n" * n, Shape.BRACKETS, 0),
    ("emphasis-run", lambda n: "*a* " * n, Shape.INLINE, 0),
    ("strong-run", lambda n: "**a** " * n, Shape.INLINE, 0),
    ("underscore-run", lambda n: "_a_ " * n, Shape.INLINE, 0),
    ("escape-run", lambda n: "\\* " * n, Shape.INLINE, 0),
    ("code-span-run", lambda n: "`a` " * n, Shape.INLINE, 0),
    ("entity-run", lambda n: "&amp; " * n, Shape.INLINE, 0),
    ("url-run", lambda n: "www.a.io " * n, Shape.INLINE, 0),
    # Runs of backticks, each longer than the last, so none closes: each is read to the paragraph's end.
    (
        "growing-backtick-runs",
        lambda n: "\n".join(f"step {k}: " + "`" * k + " waited" * n for k in range(1, 41)),
        Shape.CODE_SPANS,
        0,
    ),
    # Each link reference definition splits its block, and the rest is searched again.
    ("references-in-one-block", lambda n: "See below\n[ref]: https://example.com/r\n" * n, Shape.SPLITS, 1),
    # Lines without a marker go on the item before them, which is copied again for each.
    ("long-list-item", lambda n: "- The timeline:\n" + "then it failed again\n" * n, Shape.LIST_ITEM, 0),
    ("headings-in-one-block", lambda n: "### Update\n" * n, Shape.SPLITS, 0),
    ("rules-in-one-block", lambda n: "***\n" * n, Shape.SPLITS, 0),
    ("headings-and-rules", lambda n: "## Step\n- - -\n" * n, Shape.SPLITS, 0),
    # Fences each longer than the last, so none closes: each is searched to the end of the text.
    ("growing-unclosed-fences", lambda n: "".join("`" * k + "\n\n" for k in range(3, n + 3)), Shape.FENCES, 0),
    ("growing-unclosed-tilde-fences", lambda n: "".join("~" * k + "\n\n" for k in range(3, n + 3)), Shape.FENCES, 0),
    # The worst row is the third line: the header and the delimiter row come first.
    ("table-row", lambda n: "| a | b |\n| --- | --- |\n" + ("|" + "`" * 10) * n + "\n", Shape.TABLE_ROW, 2),
]


@pytest.mark.parametrize(
    "make, shape, line",
    [pytest.param(make, shape, line, id=case) for case, make, shape, line in HOSTILE],
)
def test_hostile_markdown_is_refused_at_its_line_naming_its_shape(
    repo: Repo, make: Callable[[int], str], shape: Shape, line: int
) -> None:
    text = grown(make)
    assert problems(repo, incident(BEFORE + text + AFTER)) == costly(HOSTILE_LINE + line, shape)


@pytest.mark.parametrize(
    "make, shape, line", [pytest.param(make, shape, line, id=case) for case, make, shape, line in HOSTILE]
)
def test_hostile_markdown_at_the_body_start_is_refused_at_the_body_start(
    repo: Repo, make: Callable[[int], str], shape: Shape, line: int
) -> None:
    """With nothing ahead of it, and the lines its blank start adds."""
    text = grown(make)
    assert problems(repo, incident("\n\n" + text)) == costly(BODY_LINE + 2 + line, shape)


def test_hostile_markdown_later_in_a_long_postmortem_is_refused_at_its_line(repo: Repo) -> None:
    """Behind a fenced log of 2,000 lines, which the estimate reads as one line."""
    ahead = fenced_log() + "\n" + postmortem(20_000)
    text = ahead + grown(lambda n: "[" * n) + AFTER
    assert problems(repo, incident(text)) == costly(BODY_LINE + ahead.count("\n"), Shape.BRACKETS)


@pytest.mark.parametrize(
    "deep, line",
    [
        ("- " * 60 + "x\n", 0),
        ("> " * 60 + "x\n", 0),
        # Each line one level deeper: the 52nd (line 51) is the first over 50; the deepest is the last.
        ("".join("    " * n + "- x\n" for n in range(60)), 59),
        ("1. " * 30 + "> " * 30 + "x\n", 0),
        ("Fine.\n\n" + "> " * 20 + "x\n\n" + "- " * 70 + "deep\n\n- " * 3 + "y\n", 4),
    ],
)
def test_deep_nesting_is_refused_at_the_deepest_line(repo: Repo, deep: str, line: int) -> None:
    assert problems(repo, incident(BEFORE + deep + AFTER)) == [f"{NAME}:{HOSTILE_LINE + line}: {NESTED}"]


def test_nesting_at_the_limit_is_accepted(repo: Repo) -> None:
    assert problems(repo, incident(BEFORE + "- " * 50 + "x\n" + AFTER)) == []


# --- A message with a hostile shape: refused at its update's line ------------------------------


@pytest.mark.parametrize(
    "make, shape",
    [
        pytest.param(lambda n: "[" * n, Shape.BRACKETS, id="brackets"),
        pytest.param(lambda n: "![" * n, Shape.BRACKETS, id="images"),
        pytest.param(lambda n: "*a* " * n, Shape.INLINE, id="emphasis"),
    ],
)
def test_a_hostile_message_is_refused_at_its_updates_line(repo: Repo, make: Callable[[int], str], shape: Shape) -> None:
    message = grown(make).strip()
    assert problems(repo, incident(BEFORE, second=f"'{message}'")) == costly(SECOND_UPDATE_LINE, shape)


def test_a_message_deeper_than_the_limit_is_refused_at_its_updates_line(repo: Repo) -> None:
    assert problems(repo, incident(BEFORE, first="'" + "> " * 60 + "x'")) == [f"{NAME}:{FIRST_UPDATE_LINE}: {NESTED}"]


# --- Mixtures: shapes each under the limit, over it together ----------------------------------


def brackets(n: int) -> str:
    return "[" * n


def escapes(n: int) -> str:
    return "\\* " * n


def headings(n: int) -> str:
    return "### Update\n" * n


def test_two_shapes_each_under_the_limit_are_refused_together_naming_the_costliest(repo: Repo) -> None:
    most = sized(brackets, 0.65, 0.75)
    other = sized(escapes, 0.4, 0.5)
    for part in (most, other):
        assert problems(repo, incident(BEFORE + part + AFTER)) == []
    text = BEFORE + most + "\n\n" + other + AFTER
    assert cost(text) > 1
    assert problems(repo, incident(text)) == costly(HOSTILE_LINE, Shape.BRACKETS)


def test_three_shapes_each_under_the_limit_are_refused_together_at_the_costliest(repo: Repo) -> None:
    splits = sized(headings, 0.25, 0.35)
    most = sized(brackets, 0.45, 0.5)
    last = sized(escapes, 0.3, 0.35)
    for part in (splits, most, last):
        assert problems(repo, incident(BEFORE + part + AFTER)) == []
    text = BEFORE + splits + "\n" + most + "\n\n" + last + AFTER
    assert cost(text) > 1
    assert problems(repo, incident(text)) == costly(HOSTILE_LINE + splits.count("\n") + 1, Shape.BRACKETS)


@pytest.mark.parametrize("message_first", [True, False], ids=["message-costliest", "body-costliest"])
def test_a_message_and_the_body_each_under_the_limit_are_refused_together(repo: Repo, message_first: bool) -> None:
    more, less = sized(brackets, 0.6, 0.7), sized(brackets, 0.4, 0.5)
    message, body = (more, less) if message_first else (less, more)
    assert problems(repo, incident(BEFORE + body + AFTER)) == []
    assert problems(repo, incident(BEFORE, second=f"'{message}'")) == []
    line = SECOND_UPDATE_LINE if message_first else HOSTILE_LINE
    assert problems(repo, incident(BEFORE + body + AFTER, second=f"'{message}'")) == costly(line, Shape.BRACKETS)


def test_hostile_text_is_refused_and_nothing_is_written(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    assert repo.build(NOW) == 0
    before = tree_digest(repo.site)
    capsys.readouterr()
    (repo.root / NAME).write_text(incident(BEFORE + grown(brackets) + AFTER), encoding="utf-8")
    assert repo.build(NOW) == 1
    assert capsys.readouterr().err.splitlines() == [
        *costly(HOSTILE_LINE, Shape.BRACKETS),
        "1 error(s); nothing was written",
    ]
    assert tree_digest(repo.site) == before
