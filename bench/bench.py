"""Time a cold build of generated repositories and of the demo, with peak memory.

    python bench/bench.py [N ...]        (default: 1000 10000)

Each build runs in its own process; peak memory is that process's maximum resident set size.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # noqa: E402

PROJECT = Path(__file__).resolve().parent.parent
NOW = "2026-11-23T10:00:00Z"


def timed_build(root: Path, out: Path) -> tuple[float, float]:
    """(seconds, peak MiB) of one ``statusgen build`` in a child process."""
    code = ("import resource, sys; from statusgen.cli import main; status = main(sys.argv[1:]); "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr); sys.exit(status)")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, "-C", str(root), "build", "--now", NOW,
                           "--out", str(out)], capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - started
    peak_kib = int(done.stderr.strip().splitlines()[-1])
    return seconds, peak_kib / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        seconds, peak = timed_build(PROJECT, Path(scratch) / "demo-site")
        files = sum(1 for p in (PROJECT / "incidents").iterdir() if p.suffix in (".md", ".yaml"))
        rows.append(("demo", files, seconds, peak))
        for size in args.sizes:
            root = Path(scratch) / f"repo-{size}"
            generate(root, size)
            seconds, peak = timed_build(root, root / "site")
            rows.append(("generated", size, seconds, peak))
    print(f"{'repository':<12} {'incidents':>9} {'cold build':>11} {'peak memory':>12}")
    for name, count, seconds, peak in rows:
        print(f"{name:<12} {count:>9} {seconds:>9.2f} s {peak:>8.0f} MiB")


if __name__ == "__main__":
    main()
