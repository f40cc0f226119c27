"""Writing incidents during an outage: new files, appended updates, resolutions, postmortems.

Every command here checks its result by parsing it back before writing, writes atomically, and
never touches a byte of what the engineer already wrote.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from slugify import slugify

from statusgen import edit, templates
from statusgen.config import Config
from statusgen.errors import Problem, StatusgenError, ValidationFailed, did_you_mean
from statusgen.incidents import (
    INCIDENT_COMPONENT_STATUSES,
    INCIDENT_DIR,
    INCIDENT_STATUSES,
    MAINTENANCE_STATUSES,
    Incident,
    parse_incident,
)
from statusgen.policy import has_postmortem
from statusgen.state import Repository
from statusgen.status import is_open
from statusgen.theme import STATUS_LABELS, Formatter
from statusgen.timeutil import iso
from statusgen.yamlload import NOT_TEXT, read_text

DEFAULT_STATUS = {"critical": "major_outage", "major": "partial_outage", "minor": "degraded_performance",
                  "none": "operational"}


@dataclass(frozen=True)
class Written:
    path: Path
    incident: Incident


def _formatter(config: Config) -> Formatter:
    return Formatter(config.site.zone, config.site.language)


def find(repo: Repository, ident: str) -> Incident:
    """An incident by file stem, unique prefix of it, or ``latest`` (the newest open incident)."""
    incidents = {i.id: i for i in repo.incidents}
    if ident == "latest":
        open_ones = sorted((i for i in repo.incidents if is_open(i) and not i.hidden),
                           key=lambda i: (i.started, i.id))
        if not open_ones:
            raise StatusgenError("there is no open incident", INCIDENT_DIR, 0,
                                 "give the incident's id, e.g. 2025-11-03-api-errors")
        return open_ones[-1]
    if ident in incidents:
        return incidents[ident]
    matches = [i for i in incidents if i.startswith(ident)]
    if len(matches) == 1:
        return incidents[matches[0]]
    if matches:
        raise StatusgenError(f"{ident!r} matches {len(matches)} incidents: {', '.join(matches[:5])}",
                             INCIDENT_DIR, 0, "give more of the id")
    raise StatusgenError(f"no incident {ident!r}", INCIDENT_DIR, 0,
                         did_you_mean(ident, incidents) or "ids are the file names in incidents/, or 'latest'")


def parse_components(config: Config, given: list[str], impact: str | None, maintenance: bool) -> dict[str, str]:
    """``ID`` or ``ID=STATUS`` arguments, checked against the configuration."""
    result: dict[str, str] = {}
    for item in given:
        cid, _, state = item.partition("=")
        if cid not in config.by_id:
            raise StatusgenError(f"unknown component {cid!r}", "statusgen.yaml", 0,
                                 did_you_mean(cid, config.by_id) or "components are listed in statusgen.yaml")
        if maintenance:
            if state:
                raise StatusgenError("maintenance puts its components under maintenance; give only ids",
                                     "", 0, f"--component {cid}")
            result[cid] = "under_maintenance"
            continue
        state = state or DEFAULT_STATUS.get(impact or "", "")
        if state == "under_maintenance":
            raise StatusgenError("under_maintenance is set by maintenance windows, not incidents", "", 0,
                                 "use statusgen new --maintenance")
        if state not in INCIDENT_COMPONENT_STATUSES:
            raise StatusgenError(f"unknown component status {state!r} for {cid!r}", "", 0,
                                 did_you_mean(state, INCIDENT_COMPONENT_STATUSES)
                                 or "one of: " + ", ".join(INCIDENT_COMPONENT_STATUSES))
        result[cid] = state
    return result


def _edited(text: str, rel: str, stem: str, config: Config) -> Incident:
    """The incident an edit produced; an edit that does not parse back is refused, never written."""
    try:
        return _validated(text, rel, stem, config)
    except ValidationFailed:
        raise StatusgenError("statusgen cannot add to this file's layout without changing its meaning; "
                             "nothing was written", rel, 0, "add the text by hand") from None


def _validated(text: str, rel: str, stem: str, config: Config) -> Incident:
    problems: list[Problem] = []
    try:
        incident = parse_incident(text, rel, stem, config, problems)
    except StatusgenError as exc:
        problems.append(exc.problem)
        incident = None
    if problems or incident is None:
        raise ValidationFailed(problems)
    return incident


def _message(root: Path, config: Config, message: str | None, template: str | None, *, title: str,
             impact: str, components: dict[str, str], at: datetime, window: tuple[datetime, datetime] | None,
             timeline: str = "") -> str:
    if message is not None:
        if not message.strip():
            raise StatusgenError("the message is empty", "", 0, "say what is happening and when the next update comes")
        bad = NOT_TEXT.search(message)
        if bad:
            raise StatusgenError(f"the message holds character U+{ord(bad.group()):04X}, which pages and feeds "
                                 "cannot carry", "", 0, "remove it and run the command again")
        return message
    assert template is not None
    fmt = _formatter(config)
    every = config.policy.update_every.get(impact, timedelta(hours=1))
    names = ", ".join(config.by_id[c].name for c in components)
    when = ""
    if window:
        start, end = window
        when = f"{fmt.short_date(start)}, {fmt.clock(start)} – {fmt.short_date(end)}, {fmt.clock(end)}"
    return templates.fill(templates.get(root, template), title=title, components=names or "our services",
                          impact=impact, next_update=fmt.clock(at + every), window=when, timeline=timeline)


def new(root: Path, repo: Repository, title: str, *, impact: str, components: list[str], at: datetime,
        maintenance: bool = False, start: datetime | None = None, end: datetime | None = None,
        template: str | None = None, message: str | None = None) -> Written:
    """Write ``incidents/YYYY-MM-DD-slug.md`` with its first update; never overwrite a file."""
    config = repo.config
    if not title.strip():
        raise StatusgenError("the title is empty", "", 0, "say what customers notice, e.g. 'Slow dashboard'")
    if "\n" in title.strip() or "\r" in title:
        raise StatusgenError("the title must be one line", "", 0)
    held = parse_components(config, components, impact, maintenance)
    window = None
    if maintenance:
        if start is None or end is None:
            raise StatusgenError("maintenance needs --start and --end", "", 0)
        if end <= start:
            raise StatusgenError("the maintenance window ends before it starts", "", 0)
        window = (start, end)
    kind_template = "maintenance" if maintenance else impact
    text = _message(root, config, message, template or (None if message else kind_template), title=title.strip(),
                    impact=impact, components=held, at=at, window=window)
    lines = ["---", f"title: {edit.scalar(title.strip(), 0)}"]
    if maintenance:
        assert start is not None and end is not None
        lines += ["kind: maintenance", "window:", f"  start: {iso(start)}", f"  end: {iso(end)}"]
        if held:
            lines.append(f"components: [{', '.join(held)}]")
    else:
        lines.append(f"impact: {impact}")
        if held:
            lines.append("components:")
            lines += [f"  {cid}: {state}" for cid, state in held.items()]
    update = edit.NewUpdate(at, "scheduled" if maintenance else "investigating", text, {})
    lines.append("updates:")
    body = "\n".join(lines) + "\n" + edit.render_update(update, 2, 4) + "---\n"

    folder = root / INCIDENT_DIR
    folder.mkdir(exist_ok=True)
    day = at.astimezone(config.site.zone).date().isoformat()
    slug = slugify(title, max_length=60, word_boundary=True) or ("maintenance" if maintenance else "incident")
    taken = {i.id for i in repo.incidents} | {p.stem for p in folder.iterdir()}
    stem, number = f"{day}-{slug}", 2
    while stem in taken:
        stem, number = f"{day}-{slug}-{number}", number + 1
    rel = f"{INCIDENT_DIR}/{stem}.md"
    incident = _validated(body, rel, stem, config)
    edit.create_exclusively(root / rel, body)
    return Written(root / rel, incident)


def add_update(root: Path, repo: Repository, ident: str, *, status: str, at: datetime,
               components: list[str], message: str | None = None, template: str | None = None) -> Written:
    """Append an update to an incident or maintenance file."""
    config = repo.config
    incident = find(repo, ident)
    maintenance = incident.is_maintenance
    allowed = MAINTENANCE_STATUSES if maintenance else INCIDENT_STATUSES
    if status not in allowed:
        kind = "maintenance" if maintenance else "incident"
        raise StatusgenError(f"{status!r} is not a status for {kind} {incident.id}", incident.path, 0,
                             did_you_mean(status, allowed) or "one of: " + ", ".join(allowed))
    last = incident.last_update
    if at <= last.at:
        raise StatusgenError(f"the update's time {iso(at)} is not after the last update's ({iso(last.at)})",
                             incident.path, last.line, "updates are added in time order; check --now")
    if status in ("resolved", "completed", "cancelled") and last.status in ("resolved", "completed", "cancelled"):
        raise StatusgenError(f"{incident.id} is already {last.status} (since {iso(last.at)})", incident.path,
                             last.line, "to reopen it, post an update with another status")
    if components and maintenance:
        raise StatusgenError("a maintenance update cannot change component statuses", incident.path, 0,
                             "the window puts its components under maintenance")
    changes = parse_components(config, components, incident.impact, False) if components else {}
    timeline_name = template or (None if message is not None else status)
    text = _message(root, config, message, timeline_name, title=incident.title, impact=incident.impact,
                    components=dict(incident.components), at=at,
                    window=(incident.window.start, incident.window.end) if incident.window else None)
    path = root / incident.path
    new_text = edit.append_update(read_text(path, incident.path), incident.path,
                                  edit.NewUpdate(at, status, text, changes))
    updated = _edited(new_text, incident.path, incident.id, config)
    added = updated.last_update
    if (added.at, added.status, added.message, added.components) != (at, status, text.strip(), changes):
        raise StatusgenError("the update could not be added without changing its meaning", incident.path, 0,
                             "add it by hand")
    edit.write_atomically(path, new_text)
    return Written(path, updated)


def resolve(root: Path, repo: Repository, ident: str, *, at: datetime, message: str | None = None,
            template: str | None = None) -> Written:
    """Append the resolving update: ``resolved`` for an incident, ``completed`` for maintenance."""
    incident = find(repo, ident)
    status = "completed" if incident.is_maintenance else "resolved"
    return add_update(root, repo, incident.id, status=status, at=at, components=[], message=message,
                      template=template)


def add_postmortem(root: Path, repo: Repository, ident: str) -> Written:
    """Add a ``## Postmortem`` skeleton, with the incident's timeline filled in, to the body."""
    config = repo.config
    incident = find(repo, ident)
    if has_postmortem(incident):
        raise StatusgenError(f"{incident.id} already has a postmortem", incident.path, incident.body_line)
    fmt = _formatter(config)
    timeline = "\n".join(
        f"- {fmt.short_date(u.at)}, {fmt.clock(u.at)}: {STATUS_LABELS[u.status]}. "
        f"{u.message.strip().splitlines()[0]}" for u in incident.updates)
    skeleton = templates.fill(templates.get(root, "postmortem"), title=incident.title, timeline=timeline)
    path = root / incident.path
    text = read_text(path, incident.path)
    newline = edit.line_ending(text, incident.path)
    if incident.path.endswith(".md"):
        base = text if text.endswith("\n") else text + newline
        new_text = base + (newline if incident.body else "") + skeleton.replace("\n", newline)
    else:
        if incident.body or incident.body_line:
            raise StatusgenError("this .yaml file already has a body", incident.path, incident.body_line,
                                 "add the '## Postmortem' section to its body by hand")
        block = edit.scalar(skeleton, 0)
        new_text = text + ("" if text.endswith("\n") else newline) + f"body: {block}{newline}"
    updated = _edited(new_text, incident.path, incident.id, config)
    edit.write_atomically(path, new_text)
    return Written(path, updated)
