"""Time the refusal of each hostile input of the tests, with its peak memory.

    python bench/hostile.py [CASE ...]        (default: every case in tests/hostile_cases.py)

Each case is added to a small scratch repository, which is then built in its own process: "wall"
is that process's time, "peak" its maximum resident memory. A refusal is expected to take well
under 10 s and 200 MiB; rows above either are marked "SLOW" or "BIG". The tests prove the same
refusals by what the build never does (tests/test_hostile_input.py); this measures what they cost.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT / "tests"))
from conftest import CONFIG, INCIDENT  # noqa: E402
from hostile_cases import CASES, LONG_PLAIN_FILES, NOW, OUTPUT_BOMB_ERROR, OUTPUT_BOMB_FILES  # noqa: E402

MAX_SECONDS = 10
MAX_PEAK_MIB = 200
# Runs one build in a grandchild and reports it with the grandchild's own peak memory: the
# children's figure of a fresh process counts that build alone.
MEASURE = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
child = subprocess.run([sys.executable, "-m", "statusgen", *sys.argv[1:]], capture_output=True, text=True)
print(json.dumps({"status": child.returncode, "stderr": child.stderr,
                  "seconds": time.perf_counter() - started,
                  "peak_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def measured_build(root: Path) -> dict[str, object]:
    """``statusgen build`` of ``root`` in its own process: status, stderr, seconds and peak MiB."""
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, "-C", str(root), "build", "--now", NOW],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    found = json.loads(done.stdout)
    assert isinstance(found, dict)
    return found


def scratch(root: Path, files: dict[str, bytes]) -> Path:
    """The tests' scratch repository with ``files`` added."""
    (root / "incidents").mkdir(parents=True)
    (root / "statusgen.yaml").write_text(CONFIG, encoding="utf-8")
    (root / "incidents/2025-11-03-api-errors.md").write_text(textwrap.dedent(INCIDENT), encoding="utf-8")
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("cases", nargs="*", help="case names (default: all)")
    args = parser.parse_args()
    # The last is published, not refused: expected to exit 0 and say nothing.
    every = [
        *CASES,
        ("theme-output-bomb", OUTPUT_BOMB_FILES, OUTPUT_BOMB_ERROR),
        ("900-kb-plain-line-published", LONG_PLAIN_FILES, ""),
    ]
    chosen = [case for case in every if not args.cases or case[0] in args.cases]
    print(f"{'case':<48} {'exit':>4} {'wall':>8} {'peak':>9}  as expected")
    with tempfile.TemporaryDirectory() as folder:
        for number, (name, files, expected) in enumerate(chosen):
            found = measured_build(scratch(Path(folder) / str(number), files))
            seconds, peak = float(str(found["seconds"])), float(str(found["peak_mib"]))
            flags = " ".join(
                flag for flag, over in (("SLOW", seconds >= MAX_SECONDS), ("BIG", peak >= MAX_PEAK_MIB)) if over
            )
            said = str(found["stderr"]).splitlines()[:1]
            as_expected = said == [expected] if expected else (found["status"], said) == (0, [])
            print(
                f"{name:<48} {found['status']:>4} {seconds:7.2f}s {peak:6.0f}MiB  {'yes' if as_expected else 'NO'}"
                f"{'  ' + flags if flags else ''}"
            )


if __name__ == "__main__":
    main()
