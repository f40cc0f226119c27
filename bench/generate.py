"""Generate a synthetic status repository of N incidents, for benchmarks.

Realistic in shape: 20 components in 4 groups, incidents spread over several years with 2-5
updates of a few hundred words in all, some component changes mid-incident, one maintenance in
ten, and a postmortem on every critical incident. Deterministic for a given N and seed.

    python bench/generate.py OUT_DIR N [--seed 1]
"""

from __future__ import annotations

import argparse
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

GROUPS = {
    "Platform": ["api", "web", "auth", "graphql", "mobile"],
    "Data": ["db", "search", "storage", "cache", "analytics"],
    "Delivery": ["webhooks", "email", "sms", "push", "exports"],
    "Edge": ["cdn", "dns", "lb", "waf", "docs"],
}
WORDS = (
    "the of we our to and is are a in for on with requests errors customers latency service "
    "deploy rollback database cluster region traffic queue nodes monitoring engineers "
    "investigating identified fix restored elevated some users seeing timeouts retry "
    "capacity upstream provider certificate configuration change impact update minutes"
).split()
STATUSES = ["degraded_performance", "partial_outage", "major_outage"]


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random, words: int) -> str:
    out, left = [], words
    while left > 0:
        n = min(left, rng.randint(8, 20))
        out.append(sentence(rng, n))
        left -= n
    return " ".join(out)


def config(languages: tuple[str, ...] = ()) -> str:
    lines = [
        "site:",
        "  title: Bench Status",
        "  url: https://status.bench.example/",
        "  timezone: Europe/Berlin",
        *([f"  languages: [{', '.join(languages)}]"] if languages else []),
        "components:",
    ]
    for group, ids in GROUPS.items():
        for cid in ids:
            lines += [f"  - id: {cid}", f"    name: {cid.upper()} service", f"    group: {group}"]
    return "\n".join(lines) + "\n"


def incident(rng: random.Random, start: datetime, components: list[str]) -> tuple[str, str]:
    impact = rng.choices(["minor", "major", "critical", "none"], [6, 3, 1, 1])[0]
    affected = rng.sample(components, rng.randint(1, 3))
    lines = ["---", f"title: {sentence(rng, 5)[:-1]}", f"impact: {impact}", "components:"]
    lines += [f"  {c}: {rng.choice(STATUSES)}" for c in affected]
    lines.append("updates:")
    at = start
    count = rng.randint(2, 5)
    for n in range(count):
        status = ["investigating", "identified", "monitoring"][min(n, 2)] if n < count - 1 else "resolved"
        lines += [f"  - at: {at.isoformat().replace('+00:00', 'Z')}", f"    status: {status}"]
        if 0 < n < count - 1 and rng.random() < 0.5:
            lines.append(f"    components: {{{affected[0]}: degraded_performance}}")
        text = paragraph(rng, rng.randint(40, 90))
        if status != "resolved":
            text += f" Next update by {(at + timedelta(hours=1)).strftime('%H:%M')} UTC."
        lines += ["    message: |", "      " + text]
        at += timedelta(minutes=rng.randint(10, 120))
    lines.append("---")
    body = paragraph(rng, 60)
    if impact == "critical":
        body += "\n\n## Postmortem\n\n" + "\n\n".join(paragraph(rng, 50) for _ in range(3))
    return "\n".join(lines) + "\n" + body + "\n", start.date().isoformat()


def maintenance(rng: random.Random, start: datetime, components: list[str]) -> tuple[str, str]:
    window = start + timedelta(days=7)
    lines = [
        "---",
        f"title: Maintenance {sentence(rng, 3)[:-1]}",
        "kind: maintenance",
        f"window: {{start: {window.isoformat().replace('+00:00', 'Z')}, "
        f"end: {(window + timedelta(hours=2)).isoformat().replace('+00:00', 'Z')}}}",
        f"components: [{', '.join(rng.sample(components, 2))}]",
        "updates:",
        f"  - at: {start.isoformat().replace('+00:00', 'Z')}",
        "    status: scheduled",
        "    message: |",
        "      " + paragraph(rng, 50),
        "---",
    ]
    return "\n".join(lines) + "\n", start.date().isoformat()


def translation(seed: int, start: datetime) -> str:
    """A translation of an incident's title and first update (the text is as random as theirs)."""
    rng = random.Random(seed)
    return "\n".join(
        [
            "---",
            f"title: {sentence(rng, 5)[:-1]}",
            "updates:",
            f"  - at: {start.isoformat().replace('+00:00', 'Z')}",
            "    message: |",
            "      " + paragraph(rng, rng.randint(40, 90)),
            "---",
            "",
        ]
    )


def generate(out: Path, count: int, seed: int = 1, years: float = 5.0, languages: tuple[str, ...] = ()) -> None:
    """``count`` incidents and maintenance over ``years``; with ``languages``, the site is
    published in each too, and every fourth of them has a translation in each."""
    rng = random.Random(seed)
    components = [c for ids in GROUPS.values() for c in ids]
    (out / "incidents").mkdir(parents=True, exist_ok=True)
    (out / "statusgen.yaml").write_text(config(languages))
    end = datetime(2026, 11, 1, tzinfo=UTC)
    span = timedelta(days=365 * years)
    for n in range(count):
        start = end - span + span * (n / count) + timedelta(minutes=rng.randint(0, 600))
        start = start.replace(second=0, microsecond=0)
        make = maintenance if n % 10 == 9 else incident
        text, day = make(rng, start, components)
        (out / "incidents" / f"{day}-event-{n:05d}.md").write_text(text)
        for index, language in enumerate(languages if n % 4 == 0 else ()):
            translated = translation(seed * 1_000_003 + n * 31 + index, start)
            (out / "incidents" / f"{day}-event-{n:05d}.{language}.md").write_text(translated)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("count", type=int)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(args.out, args.count, args.seed)


if __name__ == "__main__":
    main()
