"""The incremental build cache in ``.statusgen/cache/``: safe to delete, never committed.

Two things are kept between builds:

- every valid incident as parsed, by the hash of its file's bytes, so unchanged files are not
  parsed again;
- for each output file that is a pure function of a few inputs, a key over those inputs and the
  size and mtime the file had when written, so an unchanged page is not rendered again: the
  previous file is carried over.

Everything is keyed by statusgen's version, the theme's files and statusgen.yaml's bytes; any
change to those starts afresh. The cache is JSON, never pickle, because a pull request could
smuggle a file into ``.statusgen/`` and a cache must never be a way to run code.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from stat import S_ISREG
from typing import Any

from statusgen import __version__
from statusgen.edit import write_atomically
from statusgen.incidents import Incident, Update, Window

log = logging.getLogger(__name__)

CACHE_DIR = ".statusgen/cache"
_FORMAT = 1
_SHARDS = 32


def digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()


def key(*parts: Any) -> str:
    """A key over plain values: strings, numbers, datetimes, and lists and tuples of them."""
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()


def fingerprint(config_bytes: bytes, theme_files: Iterable[tuple[str, bytes]]) -> str:
    """What every cached entry depends on: statusgen itself, its theme and its configuration."""
    parts: list[bytes | str] = [str(_FORMAT), __version__, config_bytes]
    for name, data in sorted(theme_files):
        parts += [name, data]
    return digest(*parts)


class BuildCache:
    """Read at the start of a build, written at its end; a miss or a damaged file is no error."""

    def __init__(self, root: Path, fingerprint: str, enabled: bool = True):
        self.folder = root / CACHE_DIR
        self.fingerprint = fingerprint
        self.enabled = enabled
        self.incidents: dict[str, tuple[str, Incident]] = {}
        self.pages: dict[str, list[Any]] = {}
        self.pages_out: str | None = None
        self._resolved: dict[Path, str] = {}
        self._parsed: dict[str, tuple[str, Incident]] = {}
        # Incidents that came from the cache passed every check of the build that cached them.
        self.hits: set[str] = set()
        if enabled:
            self._load()

    def _read(self, name: str) -> Any:
        try:
            document = json.loads((self.folder / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(document, dict) or document.get("fingerprint") != self.fingerprint:
            return None
        return document.get("entries")

    def _load(self) -> None:
        self.incidents = {}
        for shard in range(_SHARDS):
            entries = self._read(f"incidents-{shard:02d}.json") or {}
            try:
                self.incidents.update((rel, (sha, incident_from_json(data))) for rel, (sha, data) in entries.items())
            except (KeyError, TypeError, ValueError) as exc:
                log.info("ignoring a damaged incident cache shard: %s", exc)
        pages = self._read("pages.json") or {}
        self.pages = pages.get("files", {}) if isinstance(pages, dict) else {}
        self.pages_out = pages.get("out") if isinstance(pages, dict) else None

    def incident(self, rel: str, sha: str) -> Incident | None:
        cached = self.incidents.get(rel)
        if cached is None or cached[0] != sha:
            return None
        self.hits.add(rel)
        return cached[1]

    def parsed(self, rel: str, sha: str, incident: Incident) -> None:
        self._parsed[rel] = (sha, incident)

    def reusable(self, out: Path, path: str, unit_key: str) -> tuple[int, int] | None:
        """The (inode, device) of the file at ``out/path`` if it is what the unit with ``unit_key``
        would render; else None."""
        entry = self.pages.get(path)
        if not self.enabled or not entry or entry[0] != unit_key or self.pages_out != self._out(out):
            return None
        try:
            # Not through a symlink: a file is carried over by a hard link to it, which must not
            # reach a file outside the output.
            stat = os.lstat(f"{out}/{path}")
        except OSError:
            return None
        if not S_ISREG(stat.st_mode):
            return None
        return (stat.st_ino, stat.st_dev) if [stat.st_size, stat.st_mtime_ns] == entry[1:] else None

    def _out(self, out: Path) -> str:
        if out not in self._resolved:
            self._resolved[out] = str(out.resolve())
        return self._resolved[out]

    def save(self, out: Path, keys: dict[str, str]) -> None:
        """Remember what this build parsed and wrote."""
        if not self.enabled:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        # Incidents are kept in shards, so a changed file rewrites one small shard, not all.
        before, now = self.incidents, self._parsed
        changed = {rel for rel in before.keys() | now.keys()
                   if (before[rel][0] if rel in before else None) != (now[rel][0] if rel in now else None)}
        stale = {_shard(rel) for rel in changed}
        for shard in sorted(stale):
            entries = {rel: [sha, incident_to_json(incident)] for rel, (sha, incident) in sorted(self._parsed.items())
                       if _shard(rel) == shard}
            _write(self.folder / f"incidents-{shard:02d}.json", self.fingerprint, entries)
        pages = {}
        for path, unit_key in keys.items():
            try:
                stat = os.stat(out / path)
            except OSError:
                continue
            pages[path] = [unit_key, stat.st_size, stat.st_mtime_ns]
        _write(self.folder / "pages.json", self.fingerprint, {"out": str(out.resolve()), "files": pages})


def _shard(rel: str) -> int:
    return int(hashlib.sha1(rel.encode()).hexdigest()[:4], 16) % _SHARDS


def _write(path: Path, fingerprint: str, entries: Any) -> None:
    text = json.dumps({"fingerprint": fingerprint, "entries": entries}, ensure_ascii=False, separators=(",", ":"))
    write_atomically(path, text)


def incident_to_json(incident: Incident) -> dict[str, Any]:
    return {
        "id": incident.id, "path": incident.path, "title": incident.title, "kind": incident.kind,
        "impact": incident.impact, "components": incident.components,
        "updates": [[u.at.isoformat(), u.status, u.message, u.components, u.line] for u in incident.updates],
        "body": incident.body,
        "window": [incident.window.start.isoformat(), incident.window.end.isoformat()] if incident.window else None,
        "postmortem_due": incident.postmortem_due, "references": list(incident.references),
        "hidden": incident.hidden, "body_line": incident.body_line, "digest": incident.digest,
    }


def incident_from_json(data: dict[str, Any]) -> Incident:
    window = data["window"]
    return Incident(
        id=data["id"], path=data["path"], title=data["title"], kind=data["kind"], impact=data["impact"],
        components=dict(data["components"]),
        updates=tuple(Update(datetime.fromisoformat(at), status, message, dict(changes), line)
                      for at, status, message, changes, line in data["updates"]),
        body=data["body"],
        window=Window(datetime.fromisoformat(window[0]), datetime.fromisoformat(window[1])) if window else None,
        postmortem_due=data["postmortem_due"], references=tuple(data["references"]), hidden=data["hidden"],
        body_line=data["body_line"], digest=data["digest"])
