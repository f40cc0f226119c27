"""Reading a Statuspage page through its APIs: the public v2 API of the page's own address, or the
management API v1 with a key.

The public API gives the page's components (groups among them) and its 50 most recent incidents
and maintenances; the management API gives every incident, a page at a time, and the postmortems
published with them. Statuspage speaks statusgen's words for incident statuses, impacts and
component statuses, so those are carried over as they are; each update's ``affected_components``
give the components' statuses. Every request goes through :func:`statusgen.net.fetch`.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode, urljoin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from statusgen.errors import StatusgenError
from statusgen.importers import ImportedComponent, ImportedIncident, ImportedUpdate, SiteSettings, Source
from statusgen.net import FetchFailed, fetch, shown
from statusgen.vocabulary import ComponentStatus, Impact, IncidentStatus, MaintenanceStatus

log = logging.getLogger(__name__)

DEFAULT_API = "https://api.statuspage.io"
PER_PAGE = 100
PUBLIC_LIMIT = 50  # the public API's incidents.json and scheduled-maintenances.json hold no more
MAX_BYTES = 20_000_000  # a page of 100 incidents with long updates
TIMEOUT = 30.0  # seconds without a byte
DEADLINE = 120.0  # seconds for one request in all
MAX_WAIT = 60.0  # the longest a Retry-After is waited for
MAX_TRIES = 5  # of one request answered 429

_INCIDENT_STATUSES = {str(s): s for s in IncidentStatus}
_MAINTENANCE_STATUSES = {str(s) for s in MaintenanceStatus}
_IMPACTS = {str(i): i for i in Impact if i is not Impact.MAINTENANCE}
_COMPONENT_STATUSES = {str(s): s for s in ComponentStatus if s is not ComponentStatus.UNDER_MAINTENANCE}

Progress = Callable[[str], None]


@dataclass
class Client:
    """GETs JSON documents within bounds, waiting out a 429 as the server asks."""

    headers: dict[str, str] = field(default_factory=dict)

    def sleep(self, seconds: float) -> None:
        """Wait before asking again."""
        time.sleep(seconds)

    def get(self, url: str) -> Any:
        """The JSON document at ``url``; StatusgenError (naming the request, never a header) if not."""
        for attempt in range(1, MAX_TRIES + 1):
            try:
                body = fetch(url, timeout=TIMEOUT, deadline=DEADLINE, max_bytes=MAX_BYTES, headers=self.headers)
            except FetchFailed as failed:
                if failed.status == 429 and attempt < MAX_TRIES:
                    wait = _retry_after(failed.retry_after)
                    log.info("GET %s: 429, waiting %g s (try %d of %d)", shown(url), wait, attempt, MAX_TRIES)
                    self.sleep(wait)
                    continue
                raise _failure(url, failed) from None
            try:
                return json.loads(body)
            except ValueError:
                raise StatusgenError(
                    "the answer is not JSON", f"GET {shown(url)}", 0, "is the address that of a Statuspage page?"
                ) from None
        raise AssertionError("unreachable: the last try raises")


def _retry_after(value: str | None) -> float:
    """The seconds a Retry-After asks for, within 0 and MAX_WAIT (an HTTP date counts as the most)."""
    try:
        seconds = float(value) if value is not None else 1.0
    except ValueError:
        seconds = MAX_WAIT
    return min(max(seconds, 0.0), MAX_WAIT)


def _failure(url: str, failed: FetchFailed) -> StatusgenError:
    where = f"GET {shown(url)}"
    if failed.status == 401:
        return StatusgenError("the API key was refused (HTTP 401)", where, 0, "check the key and the page id")
    if failed.status == 403:
        return StatusgenError(
            "the API key may not read this page (HTTP 403)", where, 0, "use a key of the page's owner"
        )
    if failed.status == 404:
        return StatusgenError("no such page (HTTP 404)", where, 0, "check the address or the page id")
    if failed.status == 429:
        return StatusgenError(f"still rate limited after {MAX_TRIES} tries (HTTP 429)", where, 0, "try again later")
    return StatusgenError(failed.reason, where, 0, None)


# --- reading the APIs --------------------------------------------------------------------------


def read_public(url: str, client: Client | None = None) -> Source:
    """The page at ``url`` (its public address) through the v2 API."""
    client = client or Client()
    base = url if url.endswith("/") else url + "/"
    components = _document(client, urljoin(base, "api/v2/components.json"), "components")
    incidents = _document(client, urljoin(base, "api/v2/incidents.json"), "incidents")
    maintenances = _document(client, urljoin(base, "api/v2/scheduled-maintenances.json"), "scheduled_maintenances")
    notes = [
        f"the public API lists only the {PUBLIC_LIMIT} most recent incidents and the {PUBLIC_LIMIT} most recent "
        "maintenances: older ones are not imported (the management API, with --page-id, gives every one)"
    ]
    page = components.get("page") if isinstance(components, dict) else None
    site = _site(page if isinstance(page, dict) else {}, notes)
    groups = {c["id"]: c for c in _items(components, "components") if c.get("group") is True}
    # Whatever list a maintenance comes in, it is one: listed once, by its id.
    listed = _items(incidents, "incidents") + _items(maintenances, "scheduled_maintenances")
    unique = list({str(i.get("id")): i for i in listed}.values())
    return _source(
        _items(components, "components"),
        groups,
        [i for i in unique if not _is_maintenance(i)],
        [i for i in unique if _is_maintenance(i)],
        site,
        notes,
    )


def read_managed(
    page_id: str, key: str, api: str = DEFAULT_API, client: Client | None = None, progress: Progress | None = None
) -> Source:
    """The page ``page_id`` through the management API v1 at ``api``, with ``key``."""
    client = client or Client()
    client.headers["Authorization"] = f"OAuth {key}"
    base = f"{api.rstrip('/')}/v1/pages/{page_id}/"
    components = list(_pages(client, urljoin(base, "components"), "components", progress))
    groups = {g["id"]: g for g in _pages(client, urljoin(base, "component-groups"), "component groups", progress)}
    incidents = list(_pages(client, urljoin(base, "incidents"), "incidents", progress))
    maintenances = [i for i in incidents if _is_maintenance(i)]
    incidents = [i for i in incidents if not _is_maintenance(i)]
    return _source(components, groups, incidents, maintenances, SiteSettings(), [])


def _document(client: Client, url: str, key: str) -> dict[str, Any]:
    data = client.get(url)
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        raise StatusgenError(f"the answer has no {key!r} list", f"GET {shown(url)}", 0, "is it a Statuspage page?")
    return data


def _items(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    return [item for item in data[key] if isinstance(item, dict)]


def _pages(client: Client, url: str, what: str, progress: Progress | None) -> Iterator[dict[str, Any]]:
    """Every item of a paginated list: pages are asked for until one comes back short. A page
    that holds nothing new ends it too, so that a server ignoring ``page`` cannot loop it."""
    seen: set[str] = set()
    number = 1
    while True:
        address = f"{url}?{urlencode({'page': number, 'per_page': PER_PAGE})}"
        data = client.get(address)
        if not isinstance(data, list):
            raise StatusgenError(f"the answer is not a list of {what}", f"GET {shown(address)}", 0, None)
        items = [item for item in data if isinstance(item, dict)]
        new = [item for item in items if str(item.get("id")) not in seen]
        seen.update(str(item.get("id")) for item in items)
        yield from new
        if progress is not None and number > 1:
            progress(f"fetched page {number} of {what} ({len(seen)} so far)")
        if len(data) < PER_PAGE or not new:
            return
        number += 1


def _is_maintenance(incident: dict[str, Any]) -> bool:
    return bool(incident.get("scheduled_for")) or incident.get("status") in _MAINTENANCE_STATUSES


def _site(page: dict[str, Any], notes: list[str]) -> SiteSettings:
    zone = page.get("time_zone")
    timezone = "UTC"
    if isinstance(zone, str) and zone:
        try:
            ZoneInfo(zone)
            timezone = zone
        except (ValueError, ZoneInfoNotFoundError):
            notes.append(f"the page's time zone {zone!r} is not an IANA name: UTC is used")
    return SiteSettings(title=_text(page.get("name")), url=_text(page.get("url")), timezone=timezone)


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


# --- mapping -----------------------------------------------------------------------------------


def _source(
    components: list[dict[str, Any]],
    groups: dict[str, dict[str, Any]],
    incidents: list[dict[str, Any]],
    maintenances: list[dict[str, Any]],
    site: SiteSettings,
    notes: list[str],
) -> Source:
    imported = _components(components, groups)
    names = {str(c.get("id")): _text(c.get("name")) for c in components}
    read = [_incident(i, names, notes) for i in incidents]
    for maintenance in maintenances:
        notes.append(
            f"maintenance {_text(maintenance.get('name'))!r} ({_text(maintenance.get('scheduled_for'))}): "
            "maintenances are not imported; write it as a kind: maintenance file"
        )
    return Source("statuspage", site, imported, read, notes)


def _components(components: list[dict[str, Any]], groups: dict[str, dict[str, Any]]) -> list[ImportedComponent]:
    """The components that are not groups, each in its group (by name)."""
    imported = []
    for item in components:
        if item.get("group") is True or str(item.get("id")) in groups:
            continue
        name = _text(item.get("name"))
        if not name:
            continue
        group = groups.get(str(item.get("group_id")), {})
        imported.append(ImportedComponent(name, _text(item.get("description")), _text(group.get("name"))))
    return imported


def parse_time(value: object, what: str) -> datetime:
    """A Statuspage time (ISO 8601 with an offset, often with milliseconds), to the second."""
    try:
        if not isinstance(value, str):
            raise ValueError
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError
    except ValueError:
        raise StatusgenError(
            f"unreadable time {value!r}", what, 0, "the API gives ISO 8601 times with an offset"
        ) from None
    return moment.replace(microsecond=0)


def _incident(item: dict[str, Any], names: dict[str, str], notes: list[str]) -> ImportedIncident:
    title = _text(item.get("name")) or "Incident"
    where = f"incident {item.get('id')!s} ({title})"
    created = parse_time(item.get("created_at"), where)
    impact = _IMPACTS.get(str(item.get("impact")))
    if impact is None:
        notes.append(f"{where}: impact {item.get('impact')!r} read as none")
        impact = Impact.NONE
    updates, statuses = _updates(item, where, created, notes)
    for component in item.get("components") or []:
        name = _text(component.get("name")) if isinstance(component, dict) else ""
        if name and name not in statuses:
            # Named by the incident, but no update says what it did to it: the impact's status.
            statuses[name] = impact.component_status
    body = _text(item.get("postmortem_body"))
    return ImportedIncident(
        source=f"{created.isoformat()} {item.get('id')!s}",
        title=title,
        impact=impact,
        components=statuses,
        updates=updates,
        body=f"## Postmortem\n\n{body}" if body else "",
    )


def _updates(
    item: dict[str, Any], where: str, created: datetime, notes: list[str]
) -> tuple[list[ImportedUpdate], dict[str, ComponentStatus]]:
    """The updates, oldest first, and the worst status each update gave each component."""
    updates: list[ImportedUpdate] = []
    statuses: dict[str, ComponentStatus] = {}
    changed: set[str] = set()
    # Oldest first (the API lists the newest first), so that components are named as they were hit.
    timed = [
        (parse_time(u.get("display_at") or u.get("created_at"), where), u)
        for u in item.get("incident_updates") or []
        if isinstance(u, dict)
    ]
    for at, update in sorted(timed, key=lambda pair: pair[0]):
        word = str(update.get("status"))
        status = _INCIDENT_STATUSES.get(word)
        if status is None:
            status = IncidentStatus.RESOLVED if word == "postmortem" else IncidentStatus.INVESTIGATING
            notes.append(f"{where}: an update's status {word!r} read as {status}")
        updates.append(ImportedUpdate(at, status, _text(update.get("body")) or status.label))
        for affected in update.get("affected_components") or []:
            if not isinstance(affected, dict) or not _text(affected.get("name")):
                continue
            name, new = _text(affected["name"]), _COMPONENT_STATUSES.get(str(affected.get("new_status")))
            if new is None and affected.get("new_status") is not None:
                notes.append(
                    f"{where}: {name!r} given status {affected.get('new_status')!r}, not one an incident gives"
                )
            if new is None or new is ComponentStatus.OPERATIONAL:
                continue  # back to operational: the resolution says so
            if name in statuses and statuses[name] is not new:
                changed.add(name)
            if name not in statuses or new.severity > statuses[name].severity:
                statuses[name] = new
    for name in sorted(changed):
        notes.append(f"{where}: {name!r} changed status during the incident: imported at its worst, {statuses[name]}")
    if not updates:
        status = _INCIDENT_STATUSES.get(str(item.get("status")), IncidentStatus.INVESTIGATING)
        updates.append(ImportedUpdate(created, status, status.label))
    updates.sort(key=lambda u: u.at)
    _merge_same_instant(updates)
    return updates, statuses


def _merge_same_instant(updates: list[ImportedUpdate]) -> None:
    """Two updates in the same second are one (statusgen refuses two at one instant)."""
    index = 1
    while index < len(updates):
        if updates[index].at == updates[index - 1].at:
            later = updates.pop(index)
            updates[index - 1].status = later.status
            updates[index - 1].message = f"{updates[index - 1].message}\n\n{later.message}"
        else:
            index += 1
