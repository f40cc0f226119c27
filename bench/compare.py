"""Compare cold builds of one generated repository by two versions of statusgen, in paired runs.

    python bench/compare.py REV [--size 10000] [--runs 7]

REV is a git revision of this repository (the "before"); the working tree is the "after". Each
run makes a cold build (no cache, no previous output) with each version in its own process, in
alternating order, and then times rendering alone (every output file made in memory, nothing
written) in CPU time, which neither the disk's noise nor other work on the machine reaches much.
Prints the median of each and the median of the paired differences, as a percent of the
"before": of the time the build reports, of the user CPU time of its whole process, and of the
rendering.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # noqa: E402

PROJECT = Path(__file__).resolve().parent.parent
NOW = "2026-11-23T10:00:00Z"
_RENDER = """
import sys, time
from pathlib import Path
from statusgen.timeutil import parse_timestamp
try:
    from statusgen.derive.state import derive
    from statusgen.load.repository import load_repository
    from statusgen.render.plan import plan
except ImportError:  # a revision from before the package had its stages as subpackages
    from statusgen.build import load_repository, plan
    from statusgen.state import derive
root = Path(sys.argv[1])
state = derive(load_repository(root), parse_timestamp(sys.argv[2]))
started = time.process_time()
made = sum(len(unit.make()) for unit in plan(root, state))
print(time.process_time() - started, made)
"""


def export(rev: str, into: Path) -> Path:
    """The package and default theme of ``rev``, unpacked under ``into``."""
    into.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(PROJECT), "archive", rev, "statusgen", "themes"], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def cold_build(source: Path, root: Path) -> tuple[float, float]:
    """Seconds the build reports for a cold build of ``root`` by the statusgen under ``source``, and
    the user CPU seconds of its process."""
    for leftover in (root / "site", root / ".site.previous", root / ".statusgen"):
        shutil.rmtree(leftover, ignore_errors=True)
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
    done = subprocess.run(
        [sys.executable, "-m", "statusgen", "-C", str(root), "build", "--now", NOW],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(source)},
        cwd=source,
    )
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime - cpu
    return float(done.stdout.split(" in ")[-1].split(" s")[0]), cpu


def render_only(source: Path, root: Path) -> tuple[float, int]:
    """CPU seconds to make every output file in memory, and their bytes in all."""
    done = subprocess.run(
        [sys.executable, "-c", _RENDER, str(root), NOW],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(source)},
        cwd=source,
    )
    seconds, made = done.stdout.split()
    return float(seconds), int(made)


def summary(name: str, before: list[float], after: list[float]) -> str:
    differences = [a - b for b, a in zip(before, after, strict=True)]
    base = statistics.median(before)
    return (
        f"{name:<12} before {base:6.2f} s   after {statistics.median(after):6.2f} s   "
        f"paired difference {statistics.median(differences):+6.2f} s "
        f"({100 * statistics.median(differences) / base:+5.1f}%)   runs {len(before)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rev", help="the git revision to compare the working tree with")
    parser.add_argument("--size", type=int, default=10000, help="incidents in the generated repository")
    parser.add_argument("--runs", type=int, default=7, help="paired runs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        before_src = export(args.rev, Path(scratch) / "before")
        root = Path(scratch) / "repo"
        generate(root, args.size)
        sources = {"before": before_src, "after": PROJECT}
        builds: dict[str, list[float]] = {"before": [], "after": []}
        cpus: dict[str, list[float]] = {"before": [], "after": []}
        renders: dict[str, list[float]] = {"before": [], "after": []}
        sizes = {}
        for run in range(args.runs):
            order = ["before", "after"] if run % 2 == 0 else ["after", "before"]
            for which in order:
                seconds, cpu = cold_build(sources[which], root)
                builds[which].append(seconds)
                cpus[which].append(cpu)
            for which in order:
                seconds, sizes[which] = render_only(sources[which], root)
                renders[which].append(seconds)
            print(
                f"run {run + 1}: cold build before {builds['before'][-1]:.2f} s after {builds['after'][-1]:.2f} s "
                f"(user CPU {cpus['before'][-1]:.2f} s, {cpus['after'][-1]:.2f} s); "
                f"rendering before {renders['before'][-1]:.2f} s after {renders['after'][-1]:.2f} s",
                flush=True,
            )
    print(
        f"generated repository of {args.size} incidents; {sizes['after']:,} bytes rendered ({sizes['before']:,} before)"
    )
    print(summary("cold build", builds["before"], builds["after"]))
    print(summary("its user CPU", cpus["before"], cpus["after"]))
    print(summary("render CPU", renders["before"], renders["after"]))


if __name__ == "__main__":
    main()
