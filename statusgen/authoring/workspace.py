"""Writing incidents during an outage: new files, appended updates, resolutions, postmortems.

Every command here checks its result by parsing it back before writing, writes atomically, and
never touches a byte of what the engineer already wrote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from slugify import slugify

from statusgen import i18n
from statusgen.authoring import yamledit
from statusgen.derive.maintenance import active_interval, status_at
from statusgen.derive.policy import has_postmortem
from statusgen.derive.timeline import is_open
from statusgen.errors import Problem, StatusgenError, ValidationFailed, did_you_mean, one_of
from statusgen.inputs import MAX_FILE_BYTES, read_text
from statusgen.load import messages
from statusgen.load.config import Config, load_config
from statusgen.load.incidents import INCIDENT_DIR, Incident, is_incident_path, load_incidents, parse_incident
from statusgen.load.yamltext import NOT_TEXT
from statusgen.output.atomic import create_exclusively, write_atomically
from statusgen.output.lock import edit_lock
from statusgen.theme.formatter import Formatter
from statusgen.timeutil import iso
from statusgen.vocabulary import (
    INCIDENT_COMPONENT_STATUSES,
    INCIDENT_IMPACTS,
    ComponentStatus,
    IncidentStatus,
    MaintenanceStatus,
    UpdateStatus,
    as_component_status,
    as_impact,
    as_update_status,
)

# The status `new --component ID` gives, by impact, gravest first (as the help lists them).
DEFAULT_STATUS = {impact: impact.component_status for impact in reversed(INCIDENT_IMPACTS)}


class ArgumentError(StatusgenError):
    """A command-line value that cannot be used; the CLI reports it as a usage error (exit 2)."""

    def __init__(self, argument: str, message: str, hint: str | None = None):
        super().__init__(f"{argument}: {message}", "", 0, hint)


@dataclass(frozen=True)
class Written:
    path: Path
    incident: Incident
    warnings: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class Workspace:
    """What the editing commands load: the configuration, every incident file that is valid, and
    the problems of those that are not.

    A problem blocks only an edit of its own file: during an outage, someone else's typo in an
    unrelated incident must not stop anyone from posting to the live one.
    """

    config: Config
    incidents: tuple[Incident, ...]
    problems: tuple[Problem, ...] = ()

    def broken(self) -> dict[str, str]:
        """Incident files that failed to load, by id (a broken file's id is still its stem)."""
        loaded = {i.id for i in self.incidents}
        found: dict[str, str] = {}
        for problem in self.problems:
            stem = problem.path.partition("/")[2].rpartition(".")[0]
            if is_incident_path(problem.path) and stem not in loaded:
                found.setdefault(stem, problem.path)
        return found

    def blocking(self, rel: str | None) -> list[Problem]:
        """The problems that stop an edit of ``rel`` (None: a new file): its own, and any not of
        another incident file."""
        return [p for p in self.problems if p.path == rel or not p.path.startswith(INCIDENT_DIR + "/")]

    def warnings(self, rel: str | None) -> tuple[Problem, ...]:
        """The problems of other files: reported, not in the way."""
        blocking = self.blocking(rel)
        return tuple(sorted(p for p in self.problems if p not in blocking))

    def check(self, rel: str | None) -> tuple[Problem, ...]:
        """Raise ValidationFailed if ``rel`` (or anything but another incident file) has a problem;
        otherwise return the other files' problems as warnings."""
        blocking = self.blocking(rel)
        if blocking:
            raise ValidationFailed(blocking)
        return self.warnings(rel)


def load(root: Path) -> Workspace:
    """The configuration and incidents of the repository at ``root``, for editing.

    A problem in statusgen.yaml stops every edit; problems of incident files are kept in the
    workspace, to block an edit of their own file only.
    """
    problems: list[Problem] = []
    config = load_config(root, problems)
    if problems or config is None:
        raise ValidationFailed(problems)
    incidents = load_incidents(root, config, problems, None)
    return Workspace(config, tuple(incidents), tuple(problems))


def _formatter(config: Config) -> Formatter:
    return Formatter(config.site.zone, config.site.language)


def find(ws: Workspace, ident: str) -> Incident:
    """An incident by file stem, unique prefix of it, or ``latest`` (the newest open incident).

    An incident file that does not load cannot be edited: its problems are raised.
    """
    incidents = {i.id: i for i in ws.incidents}
    broken = ws.broken()
    if ident == "latest":
        return _latest(ws, broken)
    if ident in incidents:
        return incidents[ident]
    matches = sorted(i for i in incidents.keys() | broken.keys() if i.startswith(ident))
    if ident in broken or len(matches) == 1:
        found = ident if ident in broken else matches[0]
        if found in broken:
            raise ValidationFailed(ws.blocking(broken[found]))
        return incidents[found]
    if matches:
        raise StatusgenError(
            f"{ident!r} matches {len(matches)} incidents: {', '.join(matches[:5])}",
            INCIDENT_DIR,
            0,
            "give more of the id",
        )
    raise StatusgenError(
        f"no incident {ident!r}",
        INCIDENT_DIR,
        0,
        did_you_mean(ident, incidents) or "ids are the file names in incidents/, or 'latest'",
    )


def _latest(ws: Workspace, broken: dict[str, str]) -> Incident:
    """The newest open incident; refused when a file that does not load may be newer."""
    open_ones = sorted((i for i in ws.incidents if is_open(i) and not i.hidden), key=lambda i: (i.started, i.id))
    newest = open_ones[-1] if open_ones else None
    day = newest.started.astimezone(ws.config.site.zone).date().isoformat() if newest else ""
    # A file is named after the day it starts: one of that day or later could be the newest.
    doubtful = sorted(rel for ident, rel in broken.items() if ident[:10] >= day)
    if doubtful:
        others = f" (and {len(doubtful) - 1} more)" if len(doubtful) > 1 else ""
        raise StatusgenError(
            f"cannot tell which incident is the latest: this file{others} has errors, and may be the newest",
            doubtful[0],
            0,
            "give the incident's id, or fix the file first ('statusgen check' shows its errors)",
        )
    if newest is None:
        raise StatusgenError(
            "there is no open incident", INCIDENT_DIR, 0, "give the incident's id, e.g. 2025-11-03-api-errors"
        )
    return newest


def parse_components(
    config: Config, given: list[str], impact: str | None, maintenance: bool, *, need_status: bool = False
) -> dict[str, str]:
    """``--component`` arguments, ``ID`` or ``ID=STATUS``, checked against the configuration.

    ``ID`` alone takes the impact's default status (DEFAULT_STATUS), unless ``need_status``: an
    update changes a component to a status it has to name.
    """
    result: dict[str, str] = {}
    for item in given:
        cid, equals, state = item.partition("=")
        argument = f"--component {item}"
        if cid not in config.by_id:
            raise ArgumentError(
                argument if not equals else f"--component {cid}",
                "unknown component",
                did_you_mean(cid, config.by_id) or "the components are: " + ", ".join(list(config.by_id)[:12]),
            )
        if cid in result:
            raise ArgumentError(argument, f"{cid!r} is given more than once", "give each component once")
        if maintenance:
            if equals:
                raise ArgumentError(
                    argument,
                    "maintenance puts its components under maintenance; give only the id",
                    f"--component {cid}",
                )
            result[cid] = ComponentStatus.UNDER_MAINTENANCE
            continue
        if (equals and not state) or (need_status and not equals):
            raise ArgumentError(
                argument,
                "give the status the component has from this update on",
                f"e.g. --component {cid}=operational; " + one_of(INCIDENT_COMPONENT_STATUSES),
            )
        if not state and impact in INCIDENT_IMPACTS:
            state = as_impact(impact).component_status
        if state == ComponentStatus.UNDER_MAINTENANCE:
            raise ArgumentError(
                argument,
                "under_maintenance is set by maintenance windows, not incidents",
                "use statusgen new --maintenance",
            )
        if state not in INCIDENT_COMPONENT_STATUSES:
            raise ArgumentError(
                argument,
                f"unknown component status {state!r}",
                did_you_mean(state, INCIDENT_COMPONENT_STATUSES) or one_of(INCIDENT_COMPONENT_STATUSES),
            )
        result[cid] = as_component_status(state)
    return result


def _edited(text: str, rel: str, stem: str, config: Config) -> Incident:
    """The incident an edit produced; an edit that does not parse back is refused, never written."""
    check_size(text, rel)
    try:
        return _validated(text, rel, stem, config)
    except ValidationFailed:
        raise StatusgenError(
            "statusgen cannot add to this file's layout without changing its meaning; nothing was written",
            rel,
            0,
            "add the text by hand",
        ) from None


def _validated(text: str, rel: str, stem: str, config: Config) -> Incident:
    """The incident ``text`` holds, checked exactly as a build reads the file (its size and
    encoding too): an edit never writes a file the build would refuse."""
    check_size(text, rel)
    problems: list[Problem] = []
    try:
        incident = parse_incident(text, rel, stem, config, problems)
    except StatusgenError as exc:
        problems.append(exc.problem)
        incident = None
    if problems or incident is None:
        raise ValidationFailed(problems)
    return incident


def check_size(text: str, rel: str) -> None:
    """Refuse text for ``rel`` that a build would not read: over the size limit of a file."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_FILE_BYTES:
        raise StatusgenError(
            f"the file would be {size:,} bytes, over the limit of {MAX_FILE_BYTES:,} a build "
            "reads; nothing was written",
            rel,
            1,
            "shorten the message, or put the long material elsewhere and link to it",
        )


# What command-line text may not hold: controls (a message may hold line breaks and tabs), the
# line breaks YAML reads that editors do not (U+0085, U+2028, U+2029), and the marks that turn
# text around (bidi controls), which make a title read otherwise than it is written.
_MARKS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff\ufffe\uffff"
_NOT_IN_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{_MARKS}]")
# U+2028 and U+2029 are line breaks, not controls: a message keeps them (written quoted).
_NOT_IN_MESSAGE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_MARKS}]")
_BREAKS = "\r\n\x85\u2028\u2029"


def check_text(argument: str, text: str, *, multiline: bool) -> None:
    """Refuse command-line text holding a character pages and feeds cannot show as written:
    a control, a line break other than LF (in a title, any), or a direction mark."""
    bad = (_NOT_IN_MESSAGE if multiline else _NOT_IN_LINE).search(text)
    if bad is None:
        return
    char = bad.group()
    code = f"U+{ord(char):04X}"
    if char in _BREAKS and not multiline:
        raise ArgumentError(
            argument, f"the title must be one line (it holds line break {code})", "write it on one line"
        )
    if char in _BREAKS:
        raise ArgumentError(
            argument, f"holds line break {code}, which editors do not show as one", "break lines with a plain newline"
        )
    raise ArgumentError(
        argument,
        f"holds character {code}, a control or direction mark that pages and feeds cannot show as written",
        "remove it and run the command again",
    )


def compose_message(
    root: Path,
    config: Config,
    message: str | None,
    template: str | None,
    *,
    title: str,
    impact: str,
    components: dict[str, str],
    at: datetime,
    window: tuple[datetime, datetime] | None,
    timeline: str = "",
    language: str | None = None,
) -> str:
    """An update's message: ``message`` as given (checked), or else the ``template`` filled in,
    in ``language`` (None: the site's default), its times formatted in that language."""
    if message is not None:
        if not message.strip():
            raise ArgumentError(
                "--message", "the message is empty", "say what is happening and when the next update comes"
            )
        bad = NOT_TEXT.search(message)
        if bad:
            raise ArgumentError(
                "--message",
                f"the message holds character U+{ord(bad.group()):04X}, which pages and feeds cannot carry",
                "remove it and run the command again",
            )
        check_text("--message", message.replace("\r\n", "\n"), multiline=True)
        return message
    assert template is not None
    chosen = template_in(root, template, language or config.site.language, default=language is None)
    fmt = Formatter(config.site.zone, language) if language else _formatter(config)
    every = config.policy.update_every.get(impact, timedelta(hours=1))
    names = ", ".join(config.by_id[c].name for c in components)
    when = ""
    if window:
        start, end = window
        when = f"{fmt.date_time(start)} – {fmt.date_time(end)}"
    return messages.fill(
        chosen,
        title=title,
        # TRANSLATORS: fills a message template's $components when an update names no component.
        components=names or i18n.language(language or config.site.language).gettext("our services"),
        impact=impact,
        # Said as the pages say the same instant (next_update_due): its clock on the update's
        # day, with its date when it falls on the next.
        next_update=fmt.due(at + every, at),
        window=when,
        timeline=timeline,
    )


def template_in(root: Path, name: str, language: str, *, default: bool) -> messages.MessageTemplate:
    """The message template ``name`` in ``language`` (the site's ``default`` or another), for
    ``--template``: an unknown name is a usage error."""
    try:
        return messages.get(root, name, language, default)
    except StatusgenError as exc:
        raise ArgumentError(f"--template {name}", exc.problem.message, exc.problem.hint) from None


def new(
    root: Path,
    ws: Workspace,
    title: str,
    *,
    impact: str,
    components: list[str],
    at: datetime,
    maintenance: bool = False,
    start: datetime | None = None,
    end: datetime | None = None,
    template: str | None = None,
    message: str | None = None,
) -> Written:
    """Write ``incidents/YYYY-MM-DD-slug.md`` with its first update; never overwrite a file.

    Problems of other incident files do not stop it: they come back as the result's warnings.
    """
    config = ws.config
    warnings = ws.check(None)
    if not title.strip():
        raise ArgumentError("TITLE", "the title is empty", "say what customers notice, e.g. 'Slow dashboard'")
    if "\n" in title.strip() or "\r" in title:
        raise ArgumentError("TITLE", "the title must be one line")
    check_text("TITLE", title.strip(), multiline=False)
    held = parse_components(config, components, impact, maintenance)
    window = None
    if maintenance:
        if start is None or end is None:
            raise ArgumentError("--start, --end", "maintenance needs --start and --end")
        if end <= start:
            raise ArgumentError(
                "--end",
                f"the maintenance window ends before it starts ({iso(end)} <= {iso(start)})",
                "check the dates, and the offset of each time",
            )
        window = (start, end)
    kind_template = "maintenance" if maintenance else impact
    text = compose_message(
        root,
        config,
        message,
        template or (None if message else kind_template),
        title=title.strip(),
        impact=impact,
        components=held,
        at=at,
        window=window,
    )
    lines = ["---", f"title: {yamledit.scalar(title.strip(), 0)}"]
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
    update = yamledit.NewUpdate(
        at, MaintenanceStatus.SCHEDULED if maintenance else IncidentStatus.INVESTIGATING, text, {}
    )
    lines.append("updates:")
    body = "\n".join(lines) + "\n" + yamledit.render_update(update, 2, 4) + "---\n"

    folder = root / INCIDENT_DIR
    day = at.astimezone(config.site.zone).date().isoformat()
    slug = slugify(title, max_length=60, word_boundary=True) or ("maintenance" if maintenance else "incident")
    stem = f"{day}-{slug}"
    incident = _validated(body, f"{INCIDENT_DIR}/{stem}.md", stem, config)  # a mistake touches nothing
    folder.mkdir(exist_ok=True)
    # Under the lock, two `new`s of one title at once take two names rather than one failing.
    with edit_lock(root):
        # Every name in the folder counts, those of files that do not load too: a broken file's
        # id is still its stem.
        taken = {i.id for i in ws.incidents} | set(ws.broken()) | {p.stem for p in folder.iterdir()}
        number = 2
        while stem in taken:
            stem, number = f"{day}-{slug}-{number}", number + 1
        rel = f"{INCIDENT_DIR}/{stem}.md"
        incident = _validated(body, rel, stem, config)
        create_exclusively(root / rel, body)
    return Written(root / rel, incident, warnings)


def add_update(
    root: Path,
    ws: Workspace,
    ident: str,
    *,
    status: str,
    at: datetime,
    components: list[str],
    message: str | None = None,
    template: str | None = None,
) -> Written:
    """Append an update to an incident or maintenance file.

    Each ``--component`` names its new status (``ID=STATUS``): an update never guesses it. The
    file is read again under the repository's edit lock, so that edits made at once all land.
    """
    config = ws.config
    found = find(ws, ident)
    warnings = ws.check(found.path)
    path = yamledit.edit_target(root, root / found.path, found.path)

    def attempt(text: str, incident: Incident) -> tuple[str, Incident]:
        return _appended(
            root,
            config,
            text,
            incident,
            status=status,
            at=at,
            components=components,
            message=message,
            template=template,
        )

    # Checked first on the file as loaded, so that a mistake in the command touches nothing.
    attempt(*_reread(path, found, config))
    with edit_lock(root):
        text, incident = _reread(path, found, config)
        new_text, updated = attempt(text, incident)
        write_atomically(path, new_text, rel=incident.path, expected=text.encode("utf-8"))
    return Written(root / incident.path, updated, warnings)


def _reread(path: Path, found: Incident, config: Config) -> tuple[str, Incident]:
    """The file's text now, and the incident it holds: another edit may have changed it since the
    workspace was loaded."""
    text = read_text(path, found.path)
    return text, _validated(text, found.path, found.id, config)


def _appended(
    root: Path,
    config: Config,
    text: str,
    incident: Incident,
    *,
    status: str,
    at: datetime,
    components: list[str],
    message: str | None,
    template: str | None,
) -> tuple[str, Incident]:
    """The file's text with the update appended, and the incident it holds, checked."""
    maintenance = incident.is_maintenance
    allowed: tuple[UpdateStatus, ...] = tuple(MaintenanceStatus if maintenance else IncidentStatus)
    if status not in allowed:
        kind = "maintenance" if maintenance else "incident"
        raise ArgumentError(
            f"--status {status}",
            f"not a status for {kind} {incident.id}",
            did_you_mean(status, allowed) or one_of(allowed),
        )
    given = as_update_status(status)
    last = incident.last_update
    if at <= last.at:
        raise StatusgenError(
            f"the update's time {iso(at)} is not after the last update's ({iso(last.at)})",
            incident.path,
            last.line,
            "updates are added in time order; check --now",
        )
    if given.finished and last.status.finished:
        raise StatusgenError(
            f"{incident.id} is already {last.status} (since {iso(last.at)})",
            incident.path,
            last.line,
            "to reopen it, post an update with another status",
        )
    if components and maintenance:
        raise ArgumentError(
            "--component",
            f"a maintenance update cannot change component statuses ({incident.id} is a maintenance)",
            "the window puts its components under maintenance",
        )
    changes = parse_components(config, components, incident.impact, False, need_status=True)
    timeline_name = template or (None if message is not None else status)
    body = compose_message(
        root,
        config,
        message,
        timeline_name,
        title=incident.title,
        impact=incident.impact,
        components=dict(incident.components),
        at=at,
        window=(incident.window.start, incident.window.end) if incident.window else None,
    )
    new_text = yamledit.append_update(text, incident.path, yamledit.NewUpdate(at, status, body, changes))
    updated = _edited(new_text, incident.path, incident.id, config)
    added = updated.last_update
    if (added.at, added.status, added.message, added.components) != (at, status, body.strip(), changes):
        raise StatusgenError(
            "the update could not be added without changing its meaning", incident.path, 0, "add it by hand"
        )
    if maintenance:
        _check_shown(updated, status, at)
    return new_text, updated


def _check_shown(updated: Incident, status: str, at: datetime) -> None:
    """Refuse a maintenance update the site would not show as written: the site reads a
    maintenance by its window (maintenance.status_at), and ignores, say, a ``completed`` posted
    before the window starts."""
    shown = status_at(updated, at)
    if shown == status:
        return
    interval = active_interval(updated)
    window = updated.window
    assert window is not None
    message = f"the site would show {updated.id} as '{shown}' at {iso(at)}, not '{status}': "
    line = updated.updates[-2].line  # the latest update in the file as it is
    if interval is not None and at < interval.start:
        raise StatusgenError(
            message + f"the window has not started (it starts {iso(window.start)}); nothing was written",
            updated.path,
            line,
            f"to call it off, `statusgen update {updated.id} --status cancelled`; to start it "
            "early, `--status in_progress`",
        )
    raise StatusgenError(
        message + "nothing was written",
        updated.path,
        line,
        f"post the status the maintenance has at {iso(at)}: '{shown}'",
    )


def resolve(
    root: Path, ws: Workspace, ident: str, *, at: datetime, message: str | None = None, template: str | None = None
) -> Written:
    """Append the resolving update: ``resolved`` for an incident, ``completed`` for maintenance."""
    incident = find(ws, ident)
    status = MaintenanceStatus.COMPLETED if incident.is_maintenance else IncidentStatus.RESOLVED
    return add_update(root, ws, incident.id, status=status, at=at, components=[], message=message, template=template)


def add_postmortem(root: Path, ws: Workspace, ident: str) -> Written:
    """Add a ``## Postmortem`` skeleton, with the incident's timeline filled in, to the body.

    Like an update, it is made under the edit lock from the file as it is then.
    """
    config = ws.config
    found = find(ws, ident)
    warnings = ws.check(found.path)
    path = yamledit.edit_target(root, root / found.path, found.path)
    skeleton = messages.get(root, "postmortem", config.site.language)
    _with_postmortem(config, *_reread(path, found, config), skeleton)  # a mistake touches nothing
    with edit_lock(root):
        text, incident = _reread(path, found, config)
        new_text, updated = _with_postmortem(config, text, incident, skeleton)
        write_atomically(path, new_text, rel=incident.path, expected=text.encode("utf-8"))
    return Written(root / incident.path, updated, warnings)


def _with_postmortem(
    config: Config, text: str, incident: Incident, template: messages.MessageTemplate
) -> tuple[str, Incident]:
    if has_postmortem(incident):
        raise StatusgenError(f"{incident.id} already has a postmortem", incident.path, incident.body_line)
    fmt = _formatter(config)
    words = i18n.language(config.site.language)
    timeline = "\n".join(
        f"- {fmt.date_time(u.at)}: {words.gettext(u.status.label)}. {u.message.strip().splitlines()[0]}"
        for u in incident.updates
    )
    skeleton = messages.fill(template, title=incident.title, timeline=timeline)
    newline = yamledit.line_ending(text, incident.path)
    if incident.path.endswith(".md"):
        base = text if text.endswith("\n") else text + newline
        new_text = base + (newline if incident.body else "") + skeleton.replace("\n", newline)
    else:
        if incident.body or incident.body_line:
            raise StatusgenError(
                "this .yaml file already has a body",
                incident.path,
                incident.body_line,
                "add the '## Postmortem' section to its body by hand",
            )
        block = yamledit.scalar(skeleton, 0)
        new_text = text + ("" if text.endswith("\n") else newline) + f"body: {block}{newline}"
    return new_text, _edited(new_text, incident.path, incident.id, config)
