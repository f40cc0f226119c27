"""Time builds of the demo and of generated repositories, with peak memory.

    python bench/bench.py [N ...] [--languages it,de]     (default: 1000 10000)

For each repository: a cold build (no cache, no previous output), a warm rebuild with nothing
changed, and a rebuild after one incident's message changed. With ``--languages``, the generated
repositories are published in those languages too, every fourth incident translated to each.
Each build runs in its own process; "build" is the time the build reports, "wall" adds starting
Python and importing statusgen, and "peak" is the process's maximum resident memory.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # noqa: E402

PROJECT = Path(__file__).resolve().parent.parent
NOW = "2026-11-23T10:00:00Z"
_CHILD = (
    "import resource, sys, time; from statusgen.cli import main; status = main(sys.argv[1:]); "
    "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr); sys.exit(status)"
)


def timed_build(root: Path) -> tuple[float, float, float]:
    """(build seconds, wall seconds, peak MiB) of one ``statusgen build`` in a child process."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, "-C", str(root), "build", "--now", NOW],
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - started
    reported = float(done.stdout.split(" in ")[-1].split(" s")[0])
    return reported, wall, int(done.stderr.strip().splitlines()[-1]) / 1024


def change_one(root: Path) -> None:
    files = sorted(p for p in (root / "incidents").glob("*.md") if "." not in p.stem)
    target = files[len(files) // 2]
    text = target.read_text()
    target.write_text(text.replace("message: |\n", "message: |\n      Edited once more.\n", 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    parser.add_argument("--languages", default="", help="languages besides the default, e.g. it,de")
    args = parser.parse_args()
    languages = tuple(code for code in args.languages.split(",") if code)
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        demo = Path(scratch) / "demo"
        demo.mkdir()
        shutil.copy(PROJECT / "statusgen.yaml", demo)
        shutil.copytree(PROJECT / "incidents", demo / "incidents")
        repos = [("demo", sum(1 for p in (demo / "incidents").iterdir() if "." not in p.stem), demo)]
        for size in args.sizes:
            root = Path(scratch) / f"repo-{size}"
            generate(root, size, languages=languages)
            repos.append(("generated", size, root))
        for name, count, root in repos:
            cold = timed_build(root)
            warm = timed_build(root)
            change_one(root)
            one = timed_build(root)
            rows.append((name, count, cold, warm, one))
    print(f"{'repository':<10} {'incidents':>9} | {'cold build':>21} | {'no change':>21} | {'one changed':>21}")
    print(f"{'':<10} {'':>9} | {'build/wall/peak':>21} | {'build/wall/peak':>21} | {'build/wall/peak':>21}")
    for name, count, *runs in rows:
        cells = " | ".join(f"{b:5.2f}s {w:5.2f}s {p:4.0f}MiB" for b, w, p in runs)
        print(f"{name:<10} {count:>9} | {cells}")


if __name__ == "__main__":
    main()
