"""``statusgen notify``: announce each update added between two commits, once per target.

An update is known by its incident's id and its instant, so an update whose text was corrected
later is not announced again. What went out is kept in ``.statusgen/delivered.json``, rewritten
after every delivery, so a run that stops halfway (or is rerun over the same commits) never sends
anything twice. The record also keeps the last commit a run covered, so a run whose range starts
after it (an earlier run never happened) reaches back to it, and the updates some target still
lacks (stamped ahead, or a delivery failed), so every later run tries them again until each
target has them. A file renamed keeps its incident's record: the updates it had before are not
new, whatever git's rename detection made of the change.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from statusgen import i18n
from statusgen.derive.state import derive
from statusgen.errors import StatusgenError
from statusgen.load.config import Config, NotifyTarget, Site
from statusgen.load.incidents import INCIDENT_DIR, INCIDENT_SUFFIXES, Incident, Update, parse_incident
from statusgen.load.repository import Repository
from statusgen.notify import gitdiff, payloads, transport
from statusgen.notify.record import RECORD as RECORD  # the CLI reads both here
from statusgen.notify.record import DeliveryRecord as DeliveryRecord
from statusgen.render.api import Api
from statusgen.render.languages import Edition, Localized, editions
from statusgen.timeutil import iso

log = logging.getLogger(__name__)
log.addFilter(transport.RedactSecrets())  # addresses never reach a log, at any level


def update_key(ident: str, at: datetime) -> str:
    """How the delivery record names an update: its incident's id and its instant."""
    return f"{ident}@{iso(at)}"


@dataclass(frozen=True)
class NewUpdate:
    """An update that appeared in the range; ``incident`` as it stood right after it."""

    incident: Incident
    update: Update

    @property
    def key(self) -> str:
        return update_key(self.incident.id, self.update.at)

    def __str__(self) -> str:
        return f"{self.incident.id} {iso(self.update.at)} {self.update.status}"


@dataclass(frozen=True)
class Batch:
    """What a run announces, oldest first (ties by incident id): the updates added from ``base``
    to ``head``, and those held back earlier that HEAD still publishes. ``base`` is the commit
    asked for (``since``) or, when an earlier run covered less, the last commit it covered.
    ``dropped`` names the held-back updates HEAD no longer publishes; ``renamed`` pairs each
    incident id whose file was renamed with its new id."""

    since: str
    base: str
    head: str
    updates: tuple[NewUpdate, ...]
    dropped: tuple[str, ...] = ()
    renamed: tuple[tuple[str, str], ...] = ()


def _normalised(text: str) -> str:
    return text.replace("\r\n", "\n")


def _instants_at(root: Path, commit: str, rel: str | None) -> set[datetime]:
    """The instants of the updates published in ``rel`` at ``commit`` (none if it was hidden or
    could not be read: then nothing of it had been published)."""
    if rel is None:
        return set()
    text = gitdiff.file_at(root, commit, rel)
    try:
        incident = parse_incident(text, rel, PurePosixPath(rel).stem, None, [])
    except StatusgenError:
        return set()
    if incident is None or incident.hidden:
        return set()
    return {u.at for u in incident.updates}


def _stem(rel: str) -> str:
    return PurePosixPath(rel).stem


def _paired(root: Path, base: str, head: str, changes: list[gitdiff.Change]) -> list[gitdiff.Change]:
    """``changes`` with each deleted file that shares update instants with an added one made a
    rename of it. Git sees a rename only while the file stays mostly the same; one renamed and
    rewritten shows as a deletion and an addition, and would have its old updates announced
    again under the new name. The pair sharing the most instants goes first."""
    gone = [c.old for c in changes if c.old is not None and c.new is None]
    added = [c.new for c in changes if c.new is not None and c.old is None]
    if not gone or not added:
        return changes
    before = {rel: _instants_at(root, base, rel) for rel in gone}
    after = {rel: _instants_at(root, head, rel) for rel in added}
    candidates = sorted(
        (-len(before[old] & after[new]), old, new) for old in gone for new in added if before[old] & after[new]
    )
    pairs: list[gitdiff.Change] = []
    used: set[str] = set()
    for _, old, new in candidates:
        if old not in used and new not in used:
            used.update((old, new))
            pairs.append(gitdiff.Change(old, new))
            log.info("%s was renamed to %s (they share update instants)", old, new)
    return [c for c in changes if not ({c.old, c.new} & used)] + pairs


def _renames(changes: list[gitdiff.Change]) -> dict[str, str]:
    """Each incident id whose file was renamed, with its new id."""
    return {
        _stem(c.old): _stem(c.new)
        for c in changes
        if c.old is not None and c.new is not None and _stem(c.old) != _stem(c.new)
    }


def _check_committed(root: Path, head: str, rel: str) -> None:
    """Refuse a file whose working copy (or absence) differs from HEAD: what is announced must be
    exactly what HEAD publishes, and ``repo`` was loaded from the working tree."""
    committed = gitdiff.file_or_none(root, head, rel)
    try:
        current = (root / rel).read_text(encoding="utf-8")
        same = committed is not None and _normalised(current) == _normalised(committed)
    except FileNotFoundError:
        same = committed is None
    except (OSError, ValueError):
        same = False
    if not same:
        raise StatusgenError(
            "the file differs from HEAD", rel, 0, "commit or stash the change first: notify announces what HEAD holds"
        )


def _start(root: Path, since: str, record: DeliveryRecord | None) -> str:
    """Where a run starts: ``since``, or the last commit a run covered when that comes before it,
    so that commits whose own run never happened are covered too (their updates once each, as
    the record says what each target already has)."""
    covered = record.head if record is not None else None
    if covered and covered != since and gitdiff.is_ancestor(root, covered, since):
        log.info("the last run covered up to %s, before %s: starting there", covered[:12], since[:12])
        return covered
    return since


def _held_over(root: Path, head: str, by_id: Mapping[str, Incident], key: str) -> NewUpdate | None:
    """An update held back earlier, as HEAD publishes it; None once HEAD no longer does (its file
    deleted or hidden, or the update removed or moved to another instant)."""
    ident, _, at = key.rpartition("@")
    incident = by_id.get(ident)
    if incident is not None:
        _check_committed(root, head, incident.path)
    elif ident and "/" not in ident and not ident.startswith("."):
        for suffix in INCIDENT_SUFFIXES:
            _check_committed(root, head, f"{INCIDENT_DIR}/{ident}{suffix}")
    if incident is None or incident.hidden:
        return None
    for index, update in enumerate(incident.updates):
        if iso(update.at) == at:
            return NewUpdate(replace(incident, updates=incident.updates[: index + 1]), update)
    return None


def find(root: Path, repo: Repository, since: str, record: DeliveryRecord | None = None) -> Batch:
    """Every update added from ``since`` to HEAD, read from git, and with a ``record`` the
    updates it holds back that HEAD still publishes; the range reaches back to the record's
    last covered commit when that comes before ``since``.

    ``repo`` is the repository as loaded from the working tree; each file read must be there as
    committed at HEAD, so what is announced is exactly what HEAD publishes.
    """
    asked, head = gitdiff.commit_of(root, since), gitdiff.commit_of(root, "HEAD")
    base = _start(root, asked, record)
    by_id = {i.id: i for i in repo.incidents}
    found: list[NewUpdate] = []
    changes = _paired(root, base, head, gitdiff.changes(root, base, head))
    renamed = _renames(changes)
    for change in changes:
        if change.new is None:
            continue
        _check_committed(root, head, change.new)
        incident = by_id.get(_stem(change.new))
        if incident is None or incident.hidden:
            continue
        before = _instants_at(root, base, change.old)
        for index, update in enumerate(incident.updates):
            if update.at not in before:
                found.append(NewUpdate(replace(incident, updates=incident.updates[: index + 1]), update))
    dropped: list[str] = []
    keys = {item.key for item in found}
    looked: set[str] = set()
    for held, seen in sorted(record.held.items() if record is not None else ()):
        ident, _, at = held.rpartition("@")
        if ident not in by_id and ident not in renamed and seen not in looked and gitdiff.is_ancestor(root, seen, head):
            # Renamed since it was held, in commits before this range (a run that saw the rename
            # would have moved it): look at what changed from where it was found.
            looked.add(seen)
            for old, new in _renames(_paired(root, seen, head, gitdiff.changes(root, seen, head))).items():
                renamed.setdefault(old, new)
        key = f"{renamed.get(ident, ident)}@{at}"
        if key in keys:
            continue
        # Held in a commit this HEAD does not include yet (a rerun of an older run): leave it to a
        # run that does, rather than take its absence here for a deletion.
        if gitdiff.known(root, seen) and not gitdiff.is_ancestor(root, seen, head):
            log.info("%s was held back at %s, which HEAD does not include: left for later", key, seen[:12])
            continue
        item = _held_over(root, head, by_id, key)
        if item is None:
            dropped.append(key)
        else:
            keys.add(key)
            found.append(item)
    found.sort(key=lambda n: (n.update.at, n.incident.id))
    return Batch(asked, base, head, tuple(found), tuple(dropped), tuple(sorted(renamed.items())))


@dataclass(frozen=True)
class Outcome:
    """What happened to one update for one target (``target`` None: the update was held back)."""

    update: NewUpdate
    target: NotifyTarget | None
    result: str  # delivered | failed | not tried | skipped | held back | would deliver
    detail: str = ""
    preview: str = ""

    def __str__(self) -> str:
        where = f" -> {transport.target_label(self.target)}" if self.target is not None else ""
        detail = f": {self.detail}" if self.detail else ""
        return f"{self.update}{where}: {self.result}{detail}"


def matches(target: NotifyTarget, incident: Incident) -> bool:
    """Whether a target wants updates of this incident: any of its components, or all if unfiltered."""
    return not target.components or bool(set(target.components) & set(incident.component_ids))


def _same_language(one: str, other: str) -> bool:
    return i18n.language(one).tag.lower() == i18n.language(other).tag.lower()


def targets(config: Config) -> tuple[NotifyTarget, ...]:
    """The notify targets, a ``language:`` naming the site's default language dropped: such a
    target is sent what it was sent without one, and keeps its name in the delivery record."""
    default = config.site.language
    return tuple(
        replace(t, language=None) if t.language is not None and _same_language(t.language, default) else t
        for t in config.notify
    )


def edition_of(site: Site, language: str | None) -> Edition:
    """The site's pages in a notice's language: the edition the site publishes in it, else (a
    language the site is not published in) the default edition's text with that language's words."""
    every = editions(site)
    if language is None:
        return every[0]
    published = next((e for e in every if _same_language(e.code, language)), None)
    return published or Edition(language, "", i18n.language(language))


class _Notices:
    """The notice for each update and language, from the site's state at the update's instant."""

    def __init__(self, repo: Repository):
        self.repo = repo
        self._apis: dict[datetime, Api] = {}
        self._localized: dict[tuple[datetime, str], Localized] = {}

    def __call__(self, item: NewUpdate, language: str | None = None) -> payloads.Notice:
        """The notice of ``item`` in ``language`` (None: the site's default language)."""
        at = item.update.at
        if at not in self._apis:
            self._apis[at] = Api(derive(self.repo, at))
        api = self._apis[at]
        state = api.state
        shown = next(i for i in state.incidents if i.id == item.incident.id)
        names = tuple(self.repo.config.by_id[c].name for c in shown.component_ids)
        page = {"id": api.page_id, "status_indicator": state.indicator, "status_description": state.description}
        site = state.config.site
        edition = edition_of(site, language)
        if (at, edition.code) not in self._localized:
            self._localized[at, edition.code] = Localized(state, edition, i18n.language(site.language).tag)
        localized = self._localized[at, edition.code]
        incident = next(i for i in localized.state.incidents if i.id == shown.id)
        title_lang, message_lang = localized.untranslated(shown), localized.untranslated(shown, item.update)
        if edition.default and not _same_language(edition.code, site.language):
            # A language the site is not published in: all of the incident's text is the default's.
            title_lang = message_lang = i18n.language(site.language).tag
        message = next((u.message for u in incident.updates if u.at == item.update.at), item.update.message)
        return payloads.Notice(
            site,
            incident,
            replace(item.update, message=message),
            names,
            page,
            # The webhook's document is the API's, in the default language whatever the target's.
            api.incident(shown),
            language=language,
            prefix=edition.prefix,
            title_lang=title_lang,
            message_lang=message_lang,
        )


def send(target: NotifyTarget, notice: payloads.Notice, environ: Mapping[str, str], retry: transport.Retry) -> None:
    """Deliver one notice to one target; DeliveryFailed says why it did not get through.

    A web request carries an Idempotency-Key made from the target and the update, the same on
    every attempt and every run, so a receiver can drop a repeat sent after an answer was lost.
    """
    address = transport.secret(target, environ)
    if target.type == "email":
        try:
            message = payloads.email(notice, target)
        except ValueError as exc:
            raise transport.DeliveryFailed(f"cannot write the email: {exc}") from None
        transport.send_email(address, message, retry)
    else:
        once = transport.idempotency_key(target, update_key(notice.incident.id, notice.update.at))
        transport.post_json(address, payloads.BUILDERS[target.type](notice), retry, idempotency_key=once)


def run(
    root: Path,
    repo: Repository,
    batch: Batch,
    now: datetime,
    *,
    dry_run: bool = False,
    environ: Mapping[str, str] | None = None,
    retry: transport.Retry | None = None,
    record: DeliveryRecord | None = None,
) -> Iterator[Outcome]:
    """Deliver the batch, oldest update first, to every target whose filter it matches.

    An update is kept in the record until every target has it, and every later run tries it
    again: updates stamped after ``now`` (not published yet) and updates some target failed to
    take. Once a delivery to a target has failed, its later updates are kept without being
    tried, so a dead target costs one round of retries a run, and receives its updates in order
    once it is back. Once the batch is through, the record notes ``batch.head`` as covered
    (never moving back to an older commit). With ``dry_run`` nothing is sent or recorded; each
    outcome carries what would be sent.
    """
    env = os.environ if environ is None else environ
    retry = retry or transport.Retry()
    if record is None:
        record = DeliveryRecord(root / RECORD)
    if dry_run:
        record = record.scratch()
    for old, new in batch.renamed:
        record.carry(old, new)
    notices = _Notices(repo)
    failed: set[str] = set()
    every = targets(repo.config)
    # Every target's address, blanked out of every preview: the previews are printed together.
    names = {t.url_env or t.smtp_env or "" for t in every}
    addresses = [value for name in sorted(names) if (value := env.get(name, "").strip())]
    for item in batch.updates:
        if item.update.at > now:
            record.hold(item.key, batch.head)
            later = "" if dry_run else "; kept for a later run"
            yield Outcome(item, None, "held back", f"not published until {iso(item.update.at)}{later}")
            continue
        complete = True
        for target in every:
            if not matches(target, item.incident):
                continue
            key = transport.target_key(target)
            if record.has(key, item.key):
                yield Outcome(item, target, "skipped", "already delivered")
                continue
            if key in failed:
                complete = False
                yield Outcome(item, target, "not tried", "an earlier update to this target failed")
                continue
            notice = notices(item, target.language)
            if dry_run:
                name = target.url_env or target.smtp_env or ""
                missing = "" if env.get(name, "").strip() else f"${name} is not set here"
                shown = transport.redact(payloads.preview(notice, target), addresses)
                yield Outcome(item, target, "would deliver", missing, shown)
                continue
            try:
                send(target, notice, env, retry)
            except transport.DeliveryFailed as exc:
                log.info("delivery of %s to %s failed: %s", item.key, key, exc)
                failed.add(key)
                complete = False
                yield Outcome(item, target, "failed", transport.redact_known(str(exc)))
                continue
            record.add(key, item.key, datetime.now(UTC))
            yield Outcome(item, target, "delivered")
        if complete:
            record.release(item.key)
        else:
            record.hold(item.key, batch.head)
    for key in batch.dropped:
        record.release(key)
    # A rerun of an older run must not move the record back: later commits were covered already.
    if not (record.head and gitdiff.is_ancestor(root, batch.head, record.head)):
        record.cover(batch.head)
