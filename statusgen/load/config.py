"""``statusgen.yaml``: site settings, components, notification targets and policy."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from statusgen import i18n
from statusgen.errors import Problem, StatusgenError, did_you_mean
from statusgen.inputs import LINK_HINTS, link_problem, read_text
from statusgen.load.brand import LINK_KEYS, Accent, Links, accent_problem, address_problem
from statusgen.load.fields import Reader, slug_ok
from statusgen.load.logo import Logo, read_logo
from statusgen.load.upstream import Upstream, read_upstream
from statusgen.load.yamltext import YList, YMap, line_of, load
from statusgen.vocabulary import INCIDENT_IMPACTS, Impact

CONFIG_NAME = "statusgen.yaml"
NOTIFY_TYPES = ("webhook", "slack", "discord", "teams", "email")
MAX_ID = 100

_SITE_KEYS = (
    "title",
    "url",
    "description",
    "language",
    "languages",
    "timezone",
    "theme",
    "announcement",
    "feed_entries",
    "logo",
    "accent",
    "links",
)
_COMPONENT_KEYS = ("id", "name", "description", "group", "since", "sla")
_NOTIFY_KEYS = ("type", "url_env", "smtp_env", "from", "to", "components", "language")
# A language code as a site writes it, and as it names a folder of the site and a translation's
# file: a language (en), then a script or region (pt-BR, zh-Hant, es-419).
# Letter case does not matter in a language tag (en-GB, en-gb).
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(?:[-_](?:[a-z]{4}|[a-z]{2}|[0-9]{3}))*", re.I)


@dataclass(frozen=True)
class Component:
    id: str
    name: str
    description: str = ""
    group: str | None = None
    since: date | None = None
    sla: float | None = None  # the uptime target, in percent


@dataclass(frozen=True)
class Site:
    title: str
    url: str
    description: str = ""
    language: str = "en"
    languages: tuple[str, ...] = ()
    timezone: str = "UTC"
    theme: str = "default"
    announcement: str = ""
    feed_entries: int = 100
    logo: Logo | None = None
    accent: Accent | None = None
    links: Links = field(default_factory=Links)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def all_languages(self) -> tuple[str, ...]:
        """Every language the site is published in, the default (at ``/``) first."""
        return (self.language, *self.languages)

    @property
    def base_path(self) -> str:
        """The URL path the site is served under, like ``/`` or ``/status/``."""
        return urlsplit(self.url).path or "/"


@dataclass(frozen=True)
class NotifyTarget:
    type: str
    url_env: str | None = None
    smtp_env: str | None = None
    sender: str | None = None
    to: tuple[str, ...] = ()
    components: tuple[str, ...] = ()
    language: str | None = None  # None: the site's default language


def _default_update_every() -> dict[str, timedelta]:
    return {Impact.CRITICAL: timedelta(minutes=30), Impact.MAJOR: timedelta(hours=1), Impact.MINOR: timedelta(hours=4)}


def _default_postmortem_within() -> dict[str, timedelta]:
    return {Impact.CRITICAL: timedelta(days=5)}


@dataclass(frozen=True)
class Policy:
    """The communication policy; a table given in statusgen.yaml, even an empty one, replaces the default."""

    update_every: dict[str, timedelta] = field(default_factory=_default_update_every)
    postmortem_within: dict[str, timedelta] = field(default_factory=_default_postmortem_within)


@dataclass(frozen=True)
class Config:
    site: Site
    components: tuple[Component, ...]
    notify: tuple[NotifyTarget, ...] = ()
    policy: Policy = field(default_factory=Policy)
    upstream: tuple[Upstream, ...] = ()  # other status pages shown beside this site's components

    @cached_property
    def by_id(self) -> dict[str, Component]:
        return {c.id: c for c in self.components}


def load_config(root: Path, problems: list[Problem]) -> Config | None:
    """Read ``statusgen.yaml`` under ``root``; problems go to ``problems``."""
    path = root / CONFIG_NAME
    if not os.path.lexists(path):  # read_text reports a link to nothing, a folder, a named pipe...
        raise StatusgenError(
            f"no {CONFIG_NAME} here",
            str(path),
            0,
            "run statusgen in a status repository, or create one with 'statusgen init DIR'",
        )
    name = CONFIG_NAME
    try:
        data = load(read_text(path, name), name)
    except StatusgenError as exc:
        problems.append(exc.problem)
        return None
    reader = Reader(name, problems)
    top = reader.mapping(data, "statusgen.yaml", 1)
    if top is None:
        return None
    reader.keys(top, ("site", "components", "notify", "policy", "upstream"), ("site", "components"))
    site = _site(reader, top.get("site"), line_of(top, "site", 1), root)
    components = _components(reader, top.get("components"), line_of(top, "components", 1))
    ids = {c.id for c in components}
    notify = _notify(reader, top.get("notify"), line_of(top, "notify", 1), ids)
    policy = _policy(reader, top.get("policy"), line_of(top, "policy", 1))
    upstream = read_upstream(reader, top.get("upstream"), line_of(top, "upstream", 1), ids, root)
    if site is None:
        return None
    return Config(site, tuple(components), tuple(notify), policy, tuple(upstream))


def theme_path_problems(root: Path, theme: str) -> list[Problem]:
    """The symlinks on the way to the theme ``themes/<theme>`` (``themes`` itself, then the theme's
    folder) that the build must not follow, reported at their paths.

    Whatever is under the theme's folder is published or read into the cache's fingerprint; a
    link on the way there could lead a pull request's theme out of the repository (to a folder of
    the machine that builds, or to /proc), into ``.git``, or around the whole repository. Nothing
    may read the theme while these are reported.
    """
    path = root
    for name in ("themes", theme):
        path = path / name
        if not path.is_symlink():
            if not path.is_dir():
                return []
            continue
        rel = path.relative_to(root).as_posix()
        problem = link_problem(path, root)
        if problem is not None:
            hint = "copy the folder into the repository" if "outside" in problem else LINK_HINTS[problem]
            return [Problem(rel, 0, problem, hint)]
        if Path(os.path.realpath(path.parent)).is_relative_to(os.path.realpath(path)):
            return [
                Problem(
                    rel,
                    0,
                    "symlink loop: it points to a folder that holds it",
                    "link to the folder it should show, not one that holds it",
                )
            ]
    return []


def _site(reader: Reader, value: object, line: int, root: Path) -> Site | None:
    site = reader.mapping(value, "'site'", line) if value is not None else None
    if site is None:
        return None
    reader.keys(site, _SITE_KEYS, ("title", "url"), "site")
    url = _site_url(reader, site)
    zone = reader.text(site, "timezone", "UTC")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        reader.error(
            line_of(site, "timezone"),
            f"unknown timezone {zone!r}",
            did_you_mean(zone, available_timezones()) or "use an IANA name like Europe/Rome",
        )
        zone = "UTC"
    language = _language(reader, site, "language") or "en"
    languages = _languages(reader, site, language)
    entries = reader.typed(site, "feed_entries", int, 100)
    if entries < 1:
        reader.error(line_of(site, "feed_entries"), "feed_entries must be at least 1")
        entries = 100
    theme = reader.text(site, "theme", "default") or "default"
    if not slug_ok(theme.replace("_", "-")):
        reader.error(line_of(site, "theme"), f"theme must be a folder name under themes/, not {theme!r}")
        theme = "default"
    elif links := theme_path_problems(root, theme):
        reader.problems.extend(links)  # the theme keeps its name: nothing reads it (see load_repository)
    elif theme != "default" and not (root / "themes" / theme).is_dir():
        reader.error(
            line_of(site, "theme"),
            f"theme {theme!r} not found",
            f"create themes/{theme}/templates/, or use theme: default",
        )
        theme = "default"
    announcement = reader.text(site, "announcement")
    reader.markup([(announcement, line_of(site, "announcement"), False)], "write the announcement as a line of text")
    logo = reader.text(site, "logo")
    return Site(
        title=reader.text(site, "title"),
        url=url,
        description=reader.text(site, "description"),
        language=language,
        languages=languages,
        timezone=zone,
        theme=theme,
        announcement=announcement,
        feed_entries=entries,
        logo=read_logo(root, logo, line_of(site, "logo"), reader.problems) if logo else None,
        accent=_accent(reader, site),
        links=_links(reader, site),
    )


def _accent(reader: Reader, site: YMap) -> Accent | None:
    """``site.accent``, checked readable on the page (see statusgen.load.brand)."""
    if "accent" in site and site["accent"] is None:
        reader.error(
            line_of(site, "accent"),
            "accent is empty",
            'write the colour quoted, like accent: "#0b5fff": unquoted, YAML reads # as the start of a comment',
        )
        return None
    text = reader.text(site, "accent")
    if not text:
        return None
    found = accent_problem(text)
    if isinstance(found, Accent):
        return found
    reader.error(line_of(site, "accent"), *found)
    return None


def _links(reader: Reader, site: YMap) -> Links:
    """``site.links``: the team's home page, support and contact addresses."""
    value = site.get("links")
    if value is None:
        return Links()
    links = reader.mapping(value, "'site.links'", line_of(site, "links"), "e.g. links: {home: https://example.com/}")
    if links is None:
        return Links()
    reader.keys(links, LINK_KEYS, (), "site.links")
    found: dict[str, str] = {}
    for key in LINK_KEYS:
        url = reader.text(links, key)
        if key not in links or links[key] is None:
            continue
        problem = address_problem(key, url)
        if problem is not None:
            reader.error(line_of(links, key), *problem)
        else:
            found[key] = url
    return Links(**found)


_TRANSLATED = ", ".join(sorted(["en", *(c.replace("_", "-") for c in i18n.CATALOGS)]))
_LANGUAGE_HINT = f"use a language code such as it, pt-BR or en-GB: the interface is translated to {_TRANSLATED}"


def _language(reader: Reader, mapping: YMap, key: str, line: int | None = None) -> str | None:
    """A language code of ``mapping[key]`` (or, with ``line``, the text ``key`` itself, at that
    line); None, reported, if CLDR does not know it."""
    code = reader.text(mapping, key) if line is None else key
    if not code:
        return None
    at = line_of(mapping, key) if line is None else line
    if not _LANGUAGE_CODE.fullmatch(code):
        reader.error(at, f"{code!r} is not a language code", _LANGUAGE_HINT)
        return None
    try:
        locale = i18n.parse_locale(code)
    except ValueError:
        reader.error(at, f"unknown language {code!r}", did_you_mean(code, _KNOWN_CODES) or _LANGUAGE_HINT)
        return None
    if locale.language != i18n.SOURCE_LANGUAGE and i18n.catalog_of(locale) is None:
        # Its dates would be its own and every word English, under a lang attribute saying otherwise.
        reader.error(
            at,
            f"statusgen has no translation to {locale.english_name} ({code!r}) yet",
            f"{_LANGUAGE_HINT}; see 'Languages' in the README to add one",
        )
        return None
    return code


_KNOWN_CODES = ("en", *(c.replace("_", "-") for c in i18n.CATALOGS), "zh")


def _languages(reader: Reader, site: YMap, default: str) -> tuple[str, ...]:
    """``site.languages``: the languages published besides the default, each at /CODE/."""
    if site.get("languages") is None:
        return ()
    found: list[str] = []
    values = reader.string_list(site, "languages")
    items = site["languages"]
    for index, value in enumerate(values):
        line = line_of(items, index) if isinstance(items, YList) else line_of(site, "languages")
        code = _language(reader, site, value.strip(), line)
        if code is None:
            continue
        same = [c for c in (default, *found) if i18n.parse_locale(c) == i18n.parse_locale(code)]
        if same:
            what = "the default language" if same[0] == default else "listed already"
            reader.error(line, f"language {code!r} is {what}", "list each other language once, not the default")
            continue
        found.append(code)
    return tuple(found)


_URL_HINT = "feeds and the API need it, e.g. https://status.example.com/"
_PUBLISHED_AT = "give the address the site is published at, e.g. https://status.example.com/"
# What a URL may not hold written as itself (RFC 3986), beside spaces and control characters.
# Browsers read a backslash in an http(s) URL as a slash, which changes the host or the path.
_NOT_IN_URL = '\\<>"{}|^`'


def _site_url(reader: Reader, site: YMap) -> str:
    """``site.url``, normalised to end in '/'; problems reported at its line, and "" returned.

    It is published on every page, feed and API file, and its path prefixes every link and
    stylesheet of the pages that do not know their depth (404.html): it must be a plain absolute
    http(s) address, with a host, no credentials, and a path that cannot name another origin.
    """
    url = reader.text(site, "url")
    if not url:
        return url
    problem = _url_problem(url)
    if problem is not None:
        message, hint = problem
        reader.error(line_of(site, "url"), message, hint)
        return ""
    return url if url.endswith("/") else url + "/"


def _url_problem(url: str) -> tuple[str, str] | None:
    """What is wrong with ``url`` as the site's address, and a hint, if anything."""
    if any(c.isspace() or not c.isprintable() for c in url):
        return "site url must not contain spaces, line breaks or control characters", _URL_HINT
    bad = next((c for c in url if c in _NOT_IN_URL), None)
    if bad is not None:
        return f"site url must not contain {bad!r}: {url!r}", _PUBLISHED_AT
    if "://" not in url:
        return f"site url must be absolute, not {url!r}", _URL_HINT
    try:
        parts = urlsplit(url)
    except ValueError:
        return f"site url {url!r} is not a valid URL", _URL_HINT
    if parts.scheme.lower() not in ("http", "https"):
        return f"site url must start with https:// or http://, not {url!r}", _URL_HINT
    if parts.query or parts.fragment or "?" in url or "#" in url:
        return f"site url must not have a query or fragment: {url!r}", _PUBLISHED_AT
    if "@" in parts.netloc:
        return (
            f"site url must not hold a user name or password: {url!r}",
            "it is published on every page and feed; give the address readers use, e.g. https://status.example.com/",
        )
    if not parts.hostname:
        return f"site url has no host name: {url!r}", _URL_HINT
    port = parts.netloc.rpartition(":")[2] if ":" in parts.netloc.rpartition("]")[2] else None
    if port is not None and not (port.isascii() and port.isdigit() and 0 < int(port) < 65536):
        return f"site url port must be a number from 1 to 65535, not {port!r}", _PUBLISHED_AT
    try:
        parts.port  # noqa: B018 - raises ValueError for a malformed host or port
    except ValueError:
        return f"site url {url!r} is not a valid URL", _URL_HINT
    segments = parts.path.split("/")[1:-1]
    if "" in segments:
        return (
            f"site url path must not contain '//': {url!r}",
            "a path starting '//' names another site to a browser; write the path as e.g. /status/",
        )
    if "." in segments or ".." in segments or parts.path.split("/")[-1] in (".", ".."):
        return f"site url path must not contain '.' or '..' segments: {url!r}", _PUBLISHED_AT
    return None


def _components(reader: Reader, value: object, line: int) -> list[Component]:
    if value is None:
        return []
    if not isinstance(value, YList) or not value:
        reader.error(line, "'components' must be a list of components", "each item needs id and name")
        return []
    result: list[Component] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(value):
        entry = reader.mapping(item, "a component", line_of(value, index))
        if entry is None:
            continue
        reader.keys(entry, _COMPONENT_KEYS, ("id", "name"), "component")
        cid = reader.text(entry, "id")
        if cid and not slug_ok(cid):
            reader.error(
                line_of(entry, "id"),
                f"component id {cid!r} must use only a-z, 0-9 and '-'",
                "ids appear in URLs and the API, e.g. public-api",
            )
        elif len(cid) > MAX_ID:
            reader.error(
                line_of(entry, "id"),
                f"component id is {len(cid)} characters long; the limit is {MAX_ID}",
                "ids appear in URLs and file names: keep them short, e.g. public-api",
            )
        if cid in seen:
            reader.error(line_of(entry, "id"), f"duplicate component id {cid!r}", f"already used on line {seen[cid]}")
            continue
        if cid:
            seen[cid] = line_of(entry, "id")
            result.append(
                Component(
                    cid,
                    reader.text(entry, "name") or cid,
                    reader.text(entry, "description"),
                    reader.text(entry, "group") or None,
                    reader.day(entry, "since"),
                    _sla(reader, entry),
                )
            )
    return result


_SLA_HINT = "write the uptime target in percent, like sla: 99.9"


def _sla(reader: Reader, entry: YMap) -> float | None:
    """A component's ``sla``: an uptime target in percent, above 0 and below 100, to at most three
    decimals (uptime is measured to three)."""
    value = entry.get("sla")
    if value is None:
        return None
    line = line_of(entry, "sla")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        reader.error(line, f"'sla' must be a number, not {value!r}", _SLA_HINT)
        return None
    target = float(value)
    if not 0 < target < 100:
        reader.error(line, f"'sla' must be above 0 and below 100, not {value}", _SLA_HINT)
        return None
    if round(target, 3) != target:
        reader.error(line, f"'sla' has more than three decimals: {value}", "uptime is measured to three decimals")
        return None
    return target


def _notify(reader: Reader, value: object, line: int, ids: set[str]) -> list[NotifyTarget]:
    if value is None:
        return []
    if not isinstance(value, YList):
        reader.error(line, "'notify' must be a list of targets", "each target has a type, e.g. - type: slack")
        return []
    result = []
    for index, item in enumerate(value):
        entry = reader.mapping(item, "a notify target", line_of(value, index))
        if entry is None:
            continue
        kind = reader.choice(entry, "type", NOTIFY_TYPES, "notify type")
        required = {None: ("type",), "email": ("smtp_env", "from", "to")}.get(kind, ("url_env",))
        reader.keys(entry, _NOTIFY_KEYS, required, f"{kind or 'notify'} target")
        components = reader.string_list(entry, "components")
        for cid in components:
            if cid not in ids:
                reader.error(line_of(entry, "components"), f"unknown component {cid!r}", did_you_mean(cid, ids))
        language = _language(reader, entry, "language")
        to = entry.get("to")
        recipients = [to] if isinstance(to, str) else reader.string_list(entry, "to")
        if kind:
            result.append(
                NotifyTarget(
                    kind,
                    reader.text(entry, "url_env") or None,
                    reader.text(entry, "smtp_env") or None,
                    reader.text(entry, "from") or None,
                    tuple(recipients),
                    tuple(components),
                    language,
                )
            )
    return result


def _policy(reader: Reader, value: object, line: int) -> Policy:
    if value is None:
        return Policy()
    policy = reader.mapping(value, "'policy'", line)
    if policy is None:
        return Policy()
    reader.keys(policy, ("update_every", "postmortem_within"), (), "policy")
    defaults = Policy()
    parts: dict[str, dict[str, timedelta]] = {
        "update_every": defaults.update_every,
        "postmortem_within": defaults.postmortem_within,
    }
    for key in ("update_every", "postmortem_within"):
        if key not in policy:
            continue
        parts[key] = {}
        if policy[key] is None:
            continue
        table = reader.mapping(policy[key], f"'policy.{key}'", line_of(policy, key))
        if table is None:
            continue
        reader.keys(table, INCIDENT_IMPACTS, (), f"policy.{key}")
        for impact in table:
            if impact in INCIDENT_IMPACTS:
                delta = reader.duration(table, impact)
                if delta is not None:
                    parts[key][impact] = delta
    return Policy(parts["update_every"], parts["postmortem_within"])
