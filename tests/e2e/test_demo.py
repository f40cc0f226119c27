"""./scripts/demo serves this repository's status page at the instant of its story, on any day."""

from __future__ import annotations

import json
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path
from typing import IO

import pytest

from conftest import DEMO_FOLDERS, DEMO_NOW, PROJECT

pytestmark = pytest.mark.slow  # starts ./scripts/demo and waits for its build

STARTUP_SECONDS = 120


def checkout(tmp_path: Path) -> Path:
    """The demo and its script, copied out of the checkout, with the test's Python as its .venv."""
    work = tmp_path / "checkout"
    (work / "scripts").mkdir(parents=True)
    for name in ("statusgen.yaml", "pinned-now.txt", "scripts/demo"):
        shutil.copy(PROJECT / name, work / name)
    for folder in DEMO_FOLDERS:
        shutil.copytree(PROJECT / folder, work / folder)
    # The environment exists already: the stand-in for bootstrap.sh only goes to the top.
    (work / "scripts" / "bootstrap.sh").write_text('cd "$(dirname "${BASH_SOURCE[0]}")/.."\n', encoding="utf-8")
    bin_dir = work / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    for name, command in (
        ("python", f'exec "{sys.executable}" "$@"'),
        ("statusgen", f'exec "{sys.executable}" -m statusgen "$@"'),
    ):
        (bin_dir / name).write_text(f"#!/bin/sh\n{command}\n", encoding="utf-8")
        (bin_dir / name).chmod(0o755)
    return work


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return str(response.read().decode("utf-8"))


def test_demo_script_serves_the_demo_at_its_pinned_instant(tmp_path: Path) -> None:
    work = checkout(tmp_path)
    process = subprocess.Popen(
        ["bash", str(work / "scripts" / "demo")],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PORT": "0", "HOME": str(tmp_path)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None

    def pump(output: IO[str]) -> None:
        for line in output:
            lines.put(line)

    threading.Thread(target=pump, args=(process.stdout,), daemon=True).start()
    seen: list[str] = []
    try:
        while not (serving := re.search(r"at (http://127\.0\.0\.1:\d+/)", seen[-1] if seen else "")):
            seen.append(lines.get(timeout=STARTUP_SECONDS))
        uptime = json.loads(get(serving[1] + "api/uptime.json"))
        index = get(serving[1])
    finally:
        process.send_signal(signal.SIGINT)
        status = process.wait(timeout=30)
    assert status == 0  # Ctrl-C stops it cleanly
    days = uptime["components"]["webhooks"]["days"]
    assert days[-1]["date"] == DEMO_NOW[:10]
    assert seen[0] == f"the demo is shown as of {DEMO_NOW} (pinned-now.txt), not by the clock\n"
    # The open incident's next update falls due at 09:55 UTC: the page then says it is overdue.
    assert seen[1].endswith("; next change by the clock at 2026-11-23T09:55:00Z\n")
    assert "Webhook deliveries failing" in index and "Scheduled maintenance" in index
    assert (work / "site" / "index.html").is_file()
