"""``.statusgen/delivered.json``: what ``statusgen notify`` has sent, to whom, and how far it got."""

from __future__ import annotations

import copy
import json
from datetime import datetime
from pathlib import Path

from statusgen.errors import StatusgenError
from statusgen.output.atomic import write_atomically
from statusgen.timeutil import iso

RECORD = ".statusgen/delivered.json"


class DeliveryRecord:
    """``.statusgen/delivered.json``: for each target, the updates it has been sent and when; the
    last commit a run covered (``head``); and the updates still owed to some target, because they
    were stamped ahead or a delivery failed, each with the commit it was found in (``held``)."""

    def __init__(self, path: Path):
        self.path = path
        self._writes = True
        self.targets: dict[str, dict[str, str]] = {}
        self.head: str | None = None
        self.held: dict[str, str] = {}
        if path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                self.targets = {
                    str(t): {str(u): str(when) for u, when in sent.items()} for t, sent in data["targets"].items()
                }
                head = data.get("head")
                if head is not None and not isinstance(head, str):
                    raise TypeError("'head' is not a commit id")
                self.head = head
                self.held = {str(u): str(seen) for u, seen in data.get("held", {}).items()}
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                raise StatusgenError(
                    f"the delivery record is unreadable ({exc})",
                    RECORD,
                    0,
                    "fix or remove it; without it, updates in the range are sent again",
                ) from None

    def has(self, target: str, update: str) -> bool:
        return update in self.targets.get(target, {})

    def add(self, target: str, update: str, when: datetime) -> None:
        """Record one delivery, and write the record at once."""
        self.targets.setdefault(target, {})[update] = iso(when)
        self._write()

    def hold(self, update: str, commit: str) -> None:
        """Keep an update found in ``commit`` for a later run: it is stamped ahead, or some target
        does not have it yet."""
        if self.held.get(update) != commit:
            self.held[update] = commit
            self._write()

    def release(self, update: str) -> None:
        """Forget a held update: every target has it, or HEAD no longer publishes it."""
        if self.held.pop(update, None) is not None:
            self._write()

    def cover(self, commit: str) -> None:
        """Note that a run covered everything up to ``commit``."""
        if self.head != commit:
            self.head = commit
            self._write()

    def carry(self, old: str, new: str) -> None:
        """Give the updates of incident ``old``, now named ``new``, to the new name: what each
        target was sent is known under both (a rerun over commits from before the rename still
        finds it), and what is held moves over."""
        prefix = f"{old}@"
        changed = False
        for sent in self.targets.values():
            for update, when in list(sent.items()):
                if update.startswith(prefix) and new + update[len(old) :] not in sent:
                    sent[new + update[len(old) :]] = when
                    changed = True
        for update, commit in list(self.held.items()):
            if update.startswith(prefix):
                del self.held[update]
                self.held.setdefault(new + update[len(old) :], commit)
                changed = True
        if changed:
            self._write()

    def scratch(self) -> DeliveryRecord:
        """A copy that is never written, for a run that only shows what it would do."""
        clone = copy.copy(self)
        clone._writes = False
        clone.targets = {target: dict(sent) for target, sent in self.targets.items()}
        clone.held = dict(self.held)
        return clone

    def _write(self) -> None:
        if not self._writes:
            return
        # Atomically, so that a run killed while writing leaves the previous record whole.
        self.path.parent.mkdir(parents=True, exist_ok=True)
        document = {
            "version": 1,
            "head": self.head,
            "held": dict(sorted(self.held.items())),
            "targets": {t: dict(sorted(s.items())) for t, s in sorted(self.targets.items())},
        }
        write_atomically(self.path, json.dumps(document, indent=2) + "\n")
