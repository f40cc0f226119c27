"""``statusgen init``: a new status repository that builds and publishes right away."""

from __future__ import annotations

from datetime import datetime
from importlib import resources
from pathlib import Path

from statusgen import __version__
from statusgen.edit import create_exclusively
from statusgen.errors import StatusgenError
from statusgen.timeutil import iso

FILES = {
    "statusgen.yaml": "statusgen.yaml",
    ".gitignore": "gitignore",
    "README.md": "README.md",
    ".github/workflows/publish.yml": "publish.yml",
    "requirements.txt": "requirements.txt",
}


def init(target: Path, now: datetime) -> list[Path]:
    """Create the repository's files under ``target``; refuse if any of them exists already."""
    day = now.date().isoformat()
    example = f"incidents/{day}-example-incident.md"
    plan = {rel: _template(name) for rel, name in FILES.items()}
    plan[example] = _template("example.md").replace("$at", iso(now.replace(microsecond=0)))
    plan = {rel: text.replace("$version", __version__) for rel, text in plan.items()}
    clashes = [rel for rel in plan if (target / rel).exists()]
    if clashes:
        raise StatusgenError(f"{target / clashes[0]} already exists; nothing was written", str(target), 0,
                             "statusgen init never overwrites a file: choose an empty folder")
    written = []
    for rel, text in plan.items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        create_exclusively(path, text)
        written.append(path)
    return written


def _template(name: str) -> str:
    return resources.files("statusgen").joinpath("skeleton", name).read_text(encoding="utf-8")
