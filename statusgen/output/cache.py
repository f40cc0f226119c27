"""The incremental build cache in ``.statusgen/cache/``: safe to delete, never committed.

Two things are kept between builds:

- every valid incident as parsed, by the hash of its file's bytes, so unchanged files are not
  parsed again;
- for each output file that is a pure function of a few inputs, a key over those inputs and the
  size and mtime the file had when written, so an unchanged page is not rendered again: the
  previous file is carried over.

Everything is keyed by the bytes of statusgen's own files, the theme's files, statusgen.yaml, the
Python running the build and the version and location of every library statusgen depends on;
any change to those starts afresh. The cache is JSON, never pickle, because a cache must never be
a way to run code.

A cache can only make a build faster, never change what it publishes. Only statusgen writes
``.statusgen/``: on the machine that builds, or restored by CI from the cache of an earlier run.
A ``.statusgen/`` that git tracks came instead with the content, from whoever wrote a pull request,
so it is ignored whole (see ``trust``). What remains is damage: each file carries a hash of its
entries, and every cached incident is checked field by field against what the loader could have
produced from that very file; anything else is a miss, never an error.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import re
import sys
import zoneinfo
from collections.abc import Collection, Iterable
from collections.abc import Set as AbstractSet
from datetime import datetime
from functools import cache
from importlib import metadata
from pathlib import Path
from stat import S_ISREG
from typing import Any

from statusgen import __version__, timeutil
from statusgen.errors import Problem
from statusgen.load.config import CONFIG_NAME, Config
from statusgen.load.incidents import Incident, Update, Window, is_incident_path, valid_id
from statusgen.load.yamltext import NOT_TEXT
from statusgen.output.atomic import write_atomically
from statusgen.output.tracked import Unknown, tracks
from statusgen.theme import files
from statusgen.vocabulary import (
    INCIDENT_COMPONENT_STATUSES,
    INCIDENT_IMPACTS,
    ComponentStatus,
    Impact,
    IncidentStatus,
    MaintenanceStatus,
)

log = logging.getLogger(__name__)

CACHE_DIR = ".statusgen/cache"
_FORMAT = 2
_SHARDS = 32
# Far above what any real shard or page list reaches (10,000 incidents: under 1 MB a shard); a
# bigger file is not read at all.
MAX_FILE_BYTES = 64 * 1024 * 1024
PACKAGE = Path(__file__).resolve().parents[1]


def digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()


def package_files(folder: Path) -> list[tuple[str, bytes]]:
    """Every file of the statusgen package at ``folder``: its code, messages and skeleton."""
    return [
        (path.relative_to(folder).as_posix(), path.read_bytes())
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".pyo")
    ]


@cache
def package_digest(folder: Path) -> str:
    """A hash of statusgen's own files, made once a process: a fix to the code, such as to the
    sanitizer, must reach every page, though the version number did not change."""
    return digest(*(part for name, data in package_files(folder) for part in (name, data)))


_REQUIREMENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def _headers(dist: metadata.Distribution) -> tuple[str, list[str]]:
    """The version and Requires-Dist lines of a distribution's metadata, read as plain text:
    ``metadata.version`` and ``metadata.requires`` each run the e-mail parser over the file."""
    text = dist.read_text("METADATA") or dist.read_text("PKG-INFO") or ""
    version, requires = "", []
    for line in text.split("\n\n", 1)[0].splitlines():
        name, _, value = line.partition(":")
        if name == "Version":
            version = value.strip()
        elif name == "Requires-Dist":
            requires.append(value.strip())
    return version, requires


def _required(requires: Iterable[str]) -> list[str]:
    """The distributions among ``requires`` needed at run time (not for an extra), normalised."""
    names = []
    for requirement in requires:
        _, _, marker = requirement.partition(";")
        match = _REQUIREMENT_NAME.match(requirement.strip())
        if match and "extra" not in marker:
            names.append(re.sub(r"[-_.]+", "-", match.group()).lower())
    return names


def runtime_dependencies() -> dict[str, tuple[metadata.Distribution, str] | None]:
    """statusgen's run-time distributions and theirs, each with its version (None if it is not
    installed), read from statusgen's own metadata so the list follows pyproject.toml;
    transitive because markupsafe, not jinja2, escapes a page."""
    found: dict[str, tuple[metadata.Distribution, str] | None] = {}
    try:
        todo = _required(_headers(metadata.distribution("statusgen"))[1])
    except metadata.PackageNotFoundError:  # run from a source tree without installing
        todo = []
    while todo:
        name = todo.pop()
        if name in found:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            found[name] = None
            continue
        version, requires = _headers(dist)
        found[name] = (dist, version)
        todo += _required(requires)
    return dict(sorted(found.items()))


def _top_level(dist: metadata.Distribution) -> set[str]:
    """The names a distribution's files can be imported by, from its RECORD: read as text, since
    ``dist.files`` makes an object of each of the thousands of files in babel or tzdata."""
    names = set()
    for line in (dist.read_text("RECORD") or "").splitlines():
        path = line.split(",", 1)[0].strip('"')
        first, sep, _ = path.partition("/")
        if not sep and not first.endswith((".py", ".so", ".pyd")):
            continue
        if first.endswith((".dist-info", ".data", ".egg-info")) or first in ("", "..", "__pycache__"):
            continue
        names.add(first.split(".")[0])
    return names


def _where(module: str) -> str:
    """Where ``module`` is (or would be) imported from, with the size and mtime of that file: a
    module of the same name earlier on sys.path renders differently under the same version."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return f"{module}: unimportable"
    origin = spec.origin if spec else None
    if not origin:
        return f"{module}: {spec and list(spec.submodule_search_locations or ())}"
    return f"{module}: {_stamp(origin)}"


def _stamp(path: str) -> str:
    """``path`` with its size and mtime, or as missing."""
    try:
        stat = os.stat(path)
    except OSError:
        return f"{path}: missing "
    return f"{path} {stat.st_size} {stat.st_mtime_ns} "


@cache
def runtime_digest() -> str:
    """A hash of what renders besides statusgen's own files, made once a process: the Python
    running, each run-time dependency's version and the files its modules load from, and where
    time zones come from. An upgrade of the sanitizer then renders every page again instead of
    mixing two renderers in one site."""
    parts: list[str] = [sys.version, sys.implementation.name, repr(sys.implementation.version)]
    # zoneinfo reads the system's time zones before tzdata's: an update of those moves the
    # times on every page as surely as an upgrade of tzdata.
    parts += [_stamp(os.path.join(folder, "tzdata.zi")) + _stamp(folder) for folder in zoneinfo.TZPATH]
    for name, installed in runtime_dependencies().items():
        if installed is None:
            parts.append(f"{name}: absent")
            continue
        dist, version = installed
        parts.append(f"{name} {version}")
        parts += [_where(module) for module in sorted(_top_level(dist))]
    return digest(*parts)


def fingerprint(config_bytes: bytes, theme_files: Iterable[tuple[str, bytes]]) -> str:
    """What every cached entry depends on: statusgen itself, the libraries and Python it runs
    on, its theme and its configuration."""
    parts: list[bytes | str] = [str(_FORMAT), __version__, package_digest(PACKAGE), runtime_digest(), config_bytes]
    for name, data in sorted(theme_files):
        parts += [name, data]
    return digest(*parts)


def untrusted(root: Path) -> Problem | None:
    """Why the cache of the repository at ``root`` must not be used, as a warning; None if it may.

    Git tracking ``.statusgen/`` means its files came with a commit, and so from anyone who may
    open a pull request; the build cache holds what pages say, so it is then ignored whole.
    """
    state = CACHE_DIR.split("/")[0]
    try:
        if not tracks(root, state):
            return None
        message = "tracked by git, so the build cache in it is ignored and every page is rendered afresh"
        hint = f"it is local state: run 'git rm -r --cached {state}', commit, and list {state}/ in .gitignore"
    except Unknown as exc:
        message = f"cannot tell whether git tracks it ({exc}), so the build cache in it is ignored"
        hint = "make git work in this repository, or build with --no-cache"
    return Problem(state, 0, message, hint, warning=True)


class BuildCache:
    """Read at the start of a build, written at its end; a miss or a damaged file is no error.

    ``components`` are the ids statusgen.yaml declares: a cached incident naming another is a miss.
    """

    def __init__(self, root: Path, fingerprint: str, enabled: bool = True, components: Collection[str] = ()):
        self.folder = root / CACHE_DIR
        self.fingerprint = fingerprint
        self.enabled = enabled
        self.components = frozenset(components)
        self.incidents: dict[str, Any] = {}
        self.pages: dict[str, Any] = {}
        self.pages_out: str | None = None
        self._resolved: dict[Path, str] = {}
        self._parsed: dict[str, tuple[str, Incident]] = {}
        self._rejected: set[str] = set()
        # What incident() handed out, by file, to tell in parsed() a cached incident from a parsed one.
        self._served: dict[str, Incident] = {}
        self.parsed_count = 0
        self.cached_count = 0
        self.problems: list[Problem] = []
        if enabled:
            self._load()

    def _read(self, name: str) -> Any:
        """The entries of one cache file, or None if it is missing, damaged or from another build."""
        try:
            with open(self.folder / name, "rb") as file:
                if os.fstat(file.fileno()).st_size > MAX_FILE_BYTES:
                    return None
                data = file.read(MAX_FILE_BYTES + 1)
        except OSError:
            return None
        head, _, body = data.partition(b"\n")
        try:
            header = json.loads(head)
            if (
                not isinstance(header, dict)
                or header.get("fingerprint") != self.fingerprint
                or header.get("sha256") != hashlib.sha256(body).hexdigest()
            ):
                return None
            return json.loads(body)
        except (ValueError, RecursionError):  # RecursionError: JSON nested too deep
            return None

    def _load(self) -> None:
        # Entries stay as read until asked for: each is checked when its file's hash matches.
        self.incidents = {}
        for shard in range(_SHARDS):
            entries = self._read(f"incidents-{shard:02d}.json")
            if isinstance(entries, dict):
                self.incidents.update(entries)
        pages = self._read("pages.json")
        if isinstance(pages, dict) and isinstance(pages.get("files"), dict) and isinstance(pages.get("out"), str):
            self.pages, self.pages_out = pages["files"], pages["out"]

    def incident(self, rel: str, sha: str) -> Incident | None:
        """The incident parsed earlier from the file ``rel`` whose bytes hash to ``sha``, if any."""
        cached = self.incidents.get(rel)
        if not (isinstance(cached, list) and len(cached) == 2 and cached[0] == sha):
            return None
        try:
            incident = incident_from_json(cached[1], rel, sha, self.components)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            log.info("%s: ignoring a damaged cache entry: %s", rel, exc)
            self._rejected.add(rel)  # rewritten at the end of the build
            return None
        self._served[rel] = incident
        return incident

    def parsed(self, rel: str, sha: str, incident: Incident) -> None:
        """Remember ``incident``, loaded from the file ``rel`` whose bytes hash to ``sha``, and count
        it as parsed or as taken from the cache (``parsed_count``, ``cached_count``)."""
        self._parsed[rel] = (sha, incident)
        if self._served.get(rel) is incident:
            self.cached_count += 1
        else:
            self.parsed_count += 1

    def reusable(self, out: Path, path: str, unit_key: str) -> tuple[int, int] | None:
        """The (inode, device) of the file at ``out/path`` if it is what the unit with ``unit_key``
        would render; else None."""
        entry = self.pages.get(path)
        if (
            not self.enabled
            or not isinstance(entry, list)
            or len(entry) != 3
            or entry[0] != unit_key
            or self.pages_out != self._out(out)
        ):
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
        changed = {
            rel
            for rel in before.keys() | now.keys()
            if _sha_of(before.get(rel)) != (now[rel][0] if rel in now else None)
        }
        stale = {_shard(rel) for rel in changed | self._rejected}
        for shard in sorted(stale):
            entries = {
                rel: [sha, incident_to_json(incident)]
                for rel, (sha, incident) in sorted(self._parsed.items())
                if _shard(rel) == shard
            }
            _write(self.folder / f"incidents-{shard:02d}.json", self.fingerprint, entries)
        pages = {}
        for path, unit_key in keys.items():
            try:
                stat = os.stat(out / path)
            except OSError:
                continue
            pages[path] = [unit_key, stat.st_size, stat.st_mtime_ns]
        _write(self.folder / "pages.json", self.fingerprint, {"out": str(out.resolve()), "files": pages})


def _sha_of(entry: Any) -> Any:
    return entry[0] if isinstance(entry, list) and entry else None


def _shard(rel: str) -> int:
    return int(hashlib.sha1(rel.encode()).hexdigest()[:4], 16) % _SHARDS


def _write(path: Path, fingerprint: str, entries: Any) -> None:
    # The header's hash of the entries tells a damaged file from a whole one.
    body = json.dumps(entries, ensure_ascii=False, separators=(",", ":"))
    head = json.dumps({"fingerprint": fingerprint, "sha256": hashlib.sha256(body.encode("utf-8")).hexdigest()})
    write_atomically(path, f"{head}\n{body}", durable=False)


def incident_to_json(incident: Incident) -> dict[str, Any]:
    return {
        "id": incident.id,
        "path": incident.path,
        "title": incident.title,
        "kind": incident.kind,
        "impact": incident.impact,
        "components": incident.components,
        "updates": [[u.at.isoformat(), u.status, u.message, u.components, u.line] for u in incident.updates],
        "body": incident.body,
        "window": [incident.window.start.isoformat(), incident.window.end.isoformat()] if incident.window else None,
        "postmortem_due": incident.postmortem_due,
        "postmortem_at": incident.postmortem_at.isoformat() if incident.postmortem_at else None,
        "references": list(incident.references),
        "hidden": incident.hidden,
        "body_line": incident.body_line,
        "digest": incident.digest,
    }


_KEYS = frozenset(
    (
        "id",
        "path",
        "title",
        "kind",
        "impact",
        "components",
        "updates",
        "body",
        "window",
        "postmortem_due",
        "postmortem_at",
        "references",
        "hidden",
        "body_line",
        "digest",
    )
)
_INCIDENT = ("incident", frozenset(INCIDENT_IMPACTS), frozenset(INCIDENT_COMPONENT_STATUSES), frozenset(IncidentStatus))
_MAINTENANCE = (
    "maintenance",
    frozenset((Impact.MAINTENANCE,)),
    frozenset((ComponentStatus.UNDER_MAINTENANCE,)),
    frozenset(MaintenanceStatus),
)
# An instant as incident_to_json writes those the loader makes: UTC, to the second.
_MOMENT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", re.ASCII)
_NO_CHANGES: frozenset[str] = frozenset()


def incident_from_json(data: Any, rel: str, sha: str, components: AbstractSet[str]) -> Incident:
    """The cached incident of the file ``rel`` with hash ``sha``; ValueError unless it is one the
    loader could have made from such a file with these ``components``: every field of the right
    type, within the values the loader allows.

    Each check is as cheap as it can be made, as it runs for every unchanged file of a build.
    """
    if type(data) is not dict or data.keys() != _KEYS:
        raise ValueError("not the keys of an incident")
    incident_id = data["id"]
    if (
        not is_incident_path(rel)
        or type(incident_id) is not str
        or rel.rpartition("/")[2].rpartition(".")[0] != incident_id
        or not valid_id(incident_id)
    ):
        raise ValueError(f"id {incident_id!r} is not the id of {rel}")
    if data["path"] != rel or data["digest"] != sha:
        raise ValueError("path or digest of another file")
    kind = data["kind"]
    maintenance = kind == "maintenance"
    _, impacts, statuses, update_statuses = _MAINTENANCE if maintenance else _INCIDENT
    if kind not in ("incident", "maintenance") or data["impact"] not in impacts:
        raise ValueError(f"kind {kind!r} or its impact {data['impact']!r}")
    affected = _changes(data["components"], statuses, components)
    changes = _NO_CHANGES if maintenance else statuses
    updates = tuple(_update(item, update_statuses, changes, components) for item in _list(data["updates"]))
    if not updates or any(a.at >= b.at for a, b in zip(updates, updates[1:], strict=False)):
        raise ValueError("updates are not one or more, each at its own instant, oldest first")
    window = data["window"]
    if maintenance:
        start, end = (_moment(value) for value in _list(window, 2))
        if end <= start:
            raise ValueError("window ends before it starts")
        window = Window(start, end)
    elif window is not None:
        raise ValueError("window on an incident")
    postmortem_due = data["postmortem_due"]
    if postmortem_due is not None and (maintenance or type(postmortem_due) is not bool):
        raise ValueError(f"postmortem_due {postmortem_due!r}")
    postmortem_at = None if data["postmortem_at"] is None else _moment(data["postmortem_at"])
    if postmortem_at is not None and (maintenance or postmortem_at < updates[0].at):
        raise ValueError(f"postmortem_at {data['postmortem_at']!r}")
    references = tuple(_text(ref, raw=True) for ref in _list(data["references"]))
    if not all(ref.lower().startswith(("https://", "http://")) for ref in references):
        raise ValueError("a reference is not a web link")
    body = _text(data["body"], raw=True)
    if body != body.strip("\n") or type(data["hidden"]) is not bool:
        raise ValueError("body or hidden")
    return Incident(
        id=incident_id,
        path=rel,
        title=_text(data["title"]),
        kind=kind,
        impact=data["impact"],
        components=affected,
        updates=updates,
        body=body,
        window=window,
        postmortem_due=postmortem_due,
        postmortem_at=postmortem_at,
        references=references,
        hidden=data["hidden"],
        body_line=_line(data["body_line"], 0),
        digest=sha,
    )


def _update(item: Any, statuses: AbstractSet[str], changes: AbstractSet[str], components: AbstractSet[str]) -> Update:
    if type(item) is not list or len(item) != 5:
        raise ValueError(f"not an update: {item!r:.40}")
    at, status, message, changed, line = item
    if status not in statuses:
        raise ValueError(f"status {status!r}")
    return Update(_moment(at), status, _text(message), _changes(changed, changes, components), _line(line, 1))


def _list(value: Any, length: int | None = None) -> list[Any]:
    if type(value) is not list or (length is not None and len(value) != length):
        raise ValueError(f"not a list of {length or 'any number of'} items: {value!r:.40}")
    return value


def _text(value: Any, raw: bool = False) -> str:
    """Text without control characters; stripped and not empty unless ``raw``, as the loader
    leaves titles and messages."""
    if type(value) is not str or not (raw or (value and value == value.strip())) or not _plain(value):
        raise ValueError(f"not text as the loader leaves it: {value!r:.40}")
    return value


def _plain(text: str) -> bool:
    """Whether ``text`` is free of the characters the loader refuses (yamlload.NOT_TEXT); for ASCII
    text, the usual case, told by str.isprintable, which is twice as fast."""
    if text.isascii() and text.replace("\n", " ").replace("\t", " ").replace("\r", " ").isprintable():
        return True
    return NOT_TEXT.search(text) is None


def _line(value: Any, least: int) -> int:
    if type(value) is not int or value < least:  # not isinstance: a bool is an int
        raise ValueError(f"line {value!r}")
    return value


def _moment(value: Any) -> datetime:
    if type(value) is not str or not _MOMENT.fullmatch(value):
        raise ValueError(f"time {value!r} is not as statusgen writes it")
    moment = datetime.fromisoformat(value)
    if not timeutil.MIN_YEAR <= moment.year <= timeutil.MAX_YEAR:
        raise ValueError(f"time {value!r} is out of range")
    return moment


def _changes(value: Any, statuses: AbstractSet[str], components: AbstractSet[str]) -> dict[str, str]:
    """Component statuses: known components, each to one of ``statuses``."""
    if type(value) is not dict or not (value.keys() <= components and set(value.values()) <= statuses):
        raise ValueError(f"component statuses {value!r:.60}")
    return dict(value)


def open_cache(root: Path, config: Config) -> BuildCache:
    """The build cache of the repository at ``root``; one that git tracks is neither read nor
    written, and says so in its ``problems``."""
    dirs = files.theme_dirs(root, config.site.theme)
    try:
        config_bytes = (root / CONFIG_NAME).read_bytes()
    except OSError:
        config_bytes = b""
    distrust = untrusted(root)
    store = BuildCache(
        root, fingerprint(config_bytes, files.theme_files(dirs)), distrust is None, components=config.by_id
    )
    if distrust is not None:
        log.info("%s", distrust.message)
        store.problems.append(distrust)
    return store
