"""serve's watcher, told of file system events as watchdog tells them: which changes call for a
build, and how a burst of them makes one build."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path
from typing import cast

import pytest
from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirModifiedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileClosedNoWriteEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileOpenedEvent,
    FileSystemEvent,
)

from statusgen.commands import serve

ROOT = "/status"
IGNORED = [Path("/status/site"), Path("/status/.site.previous"), Path("/status/.statusgen")]


class Scheduled:
    """A build scheduled by the watcher, run when the test says its delay is over."""

    def __init__(self, delay: float, run: Callable[[], None]) -> None:
        self.delay, self.run, self.cancelled = delay, run, False

    def cancel(self) -> None:
        self.cancelled = True


class Watcher:
    """A Rebuilder with a clock the test moves: what it scheduled, what it ran, what appeared."""

    def __init__(self) -> None:
        self.builds = 0
        self.scheduled: list[Scheduled] = []
        self.appeared: list[str] = []
        self.handler = serve.Rebuilder(self.build, IGNORED, appeared=self.appeared.append, later=self.later)

    def build(self) -> None:
        self.builds += 1

    def later(self, delay: float, run: Callable[[], None]) -> Scheduled:
        self.scheduled.append(Scheduled(delay, run))
        return self.scheduled[-1]

    def tell(self, *events: FileSystemEvent) -> None:
        for event in events:
            self.handler.dispatch(event)

    def time_passes(self) -> None:
        """Every delay is over: the builds not cancelled run (and what they schedule waits)."""
        due, self.scheduled = [p for p in self.scheduled if not p.cancelled], []
        for pending in due:
            pending.run()


# What a build does to the files it reads and writes, and what editors do besides: none of it is a
# change to what a build reads.
NOT_CHANGES = [
    FileOpenedEvent(f"{ROOT}/incidents/2025-11-03-a.md"),
    FileClosedNoWriteEvent(f"{ROOT}/incidents/2025-11-03-a.md"),
    FileOpenedEvent(f"{ROOT}/statusgen.yaml"),
    FileClosedNoWriteEvent(f"{ROOT}/statusgen.yaml"),
    FileClosedEvent(f"{ROOT}/incidents/2025-11-03-a.md"),
    DirModifiedEvent(f"{ROOT}/incidents"),
    DirModifiedEvent(ROOT),
    FileCreatedEvent(f"{ROOT}/site/index.html"),
    FileModifiedEvent(f"{ROOT}/site/incidents/2025-11-03-a/index.html"),
    DirMovedEvent(f"{ROOT}/site", f"{ROOT}/.site.previous"),
    DirMovedEvent(f"{ROOT}/.site.previous", f"{ROOT}/site"),
    FileModifiedEvent(f"{ROOT}/.statusgen/build.lock"),
    FileCreatedEvent(f"{ROOT}/.statusgen/cache/pages.json"),
    FileMovedEvent(f"{ROOT}/.statusgen/cache/.pages.json.tmp", f"{ROOT}/.statusgen/cache/pages.json"),
    FileCreatedEvent(f"{ROOT}/incidents/.2025-11-03-a.md.swp"),
    FileDeletedEvent(f"{ROOT}/site"),
]
CHANGES = [
    FileModifiedEvent(f"{ROOT}/incidents/2025-11-03-a.md"),
    FileCreatedEvent(f"{ROOT}/incidents/2025-11-04-new.md"),
    FileDeletedEvent(f"{ROOT}/incidents/2025-11-03-a.md"),
    FileMovedEvent(f"{ROOT}/incidents/.2025-11-03-a.md.tmp", f"{ROOT}/incidents/2025-11-03-a.md"),  # a save
    FileMovedEvent(f"{ROOT}/incidents/2025-11-03-a.md", f"{ROOT}/attic/2025-11-03-a.md"),
    FileModifiedEvent(f"{ROOT}/statusgen.yaml"),
    FileModifiedEvent(f"{ROOT}/themes/own/templates/index.html"),
    FileCreatedEvent(f"{ROOT}/templates/outage.md"),
    DirCreatedEvent(f"{ROOT}/themes"),
    DirDeletedEvent(f"{ROOT}/incidents"),
    DirMovedEvent(f"{ROOT}/incidents", "/elsewhere/incidents"),
]


@pytest.mark.parametrize("event", NOT_CHANGES, ids=lambda e: f"{e.event_type} {e.src_path}")
def test_reading_and_writing_the_output_start_no_build(event: FileSystemEvent) -> None:
    watcher = Watcher()
    watcher.tell(event)
    watcher.time_passes()
    assert (watcher.builds, watcher.scheduled) == (0, [])


@pytest.mark.parametrize("event", CHANGES, ids=lambda e: f"{e.event_type} {e.src_path}")
def test_a_change_to_what_a_build_reads_builds_once_after_the_delay(event: FileSystemEvent) -> None:
    watcher = Watcher()
    watcher.tell(event)
    assert [p.delay for p in watcher.scheduled] == [serve.DEBOUNCE_SECONDS]
    assert watcher.builds == 0  # not before the delay is over
    watcher.time_passes()
    assert watcher.builds == 1


def test_a_burst_of_changes_makes_one_build() -> None:
    watcher = Watcher()
    path = f"{ROOT}/incidents/2025-11-03-a.md"
    # An editor's save: a temporary file written, moved over the old one, and its folder touched.
    watcher.tell(
        FileCreatedEvent(f"{path}.tmp1"),
        FileModifiedEvent(f"{path}.tmp1"),
        FileMovedEvent(f"{path}.tmp1", path),
        DirModifiedEvent(f"{ROOT}/incidents"),
        FileOpenedEvent(path),
        FileClosedNoWriteEvent(path),
    )
    assert [p.cancelled for p in watcher.scheduled] == [True, True, False]
    watcher.time_passes()
    assert watcher.builds == 1
    watcher.tell(FileModifiedEvent(path))  # a change after the build: another build
    watcher.time_passes()
    assert watcher.builds == 2


def test_the_changes_made_while_a_build_runs_make_the_next_build() -> None:
    watcher = Watcher()
    path = f"{ROOT}/incidents/2025-11-03-a.md"

    def building_while_edited() -> None:
        watcher.builds += 1
        if watcher.builds == 1:
            watcher.tell(FileModifiedEvent(path))

    watcher.handler.run = building_while_edited
    watcher.tell(FileModifiedEvent(path))
    watcher.time_passes()
    assert watcher.builds == 1 and len(watcher.scheduled) == 1
    watcher.time_passes()
    assert watcher.builds == 2 and watcher.scheduled == []


@pytest.mark.parametrize(
    ("event", "appeared"),
    [
        (DirCreatedEvent(f"{ROOT}/incidents"), [f"{ROOT}/incidents"]),
        (DirMovedEvent(f"{ROOT}/incidents.new", f"{ROOT}/incidents"), [f"{ROOT}/incidents"]),
        (DirCreatedEvent(f"{ROOT}/site"), [f"{ROOT}/site"]),  # told; LiveSite watches only its folders
        (DirDeletedEvent(f"{ROOT}/incidents"), []),
        (FileCreatedEvent(f"{ROOT}/incidents"), []),
        (DirModifiedEvent(f"{ROOT}/incidents"), []),
    ],
    ids=["created", "moved into place", "the output", "deleted", "a file", "modified"],
)
def test_folders_that_appear_are_told(event: FileSystemEvent, appeared: list[str]) -> None:
    watcher = Watcher()
    watcher.tell(event)
    assert watcher.appeared == appeared


# --- the deadline on a request's head ------------------------------------------------------------


class Dripping:
    """A connection whose visitor sends a byte whenever the server reads, a tenth of a second apart
    by the test's clock; it records the socket timeout each read was given."""

    def __init__(self) -> None:
        self.now = 0.0
        self.timeouts: list[float] = []

    def clock(self) -> float:
        return self.now

    def settimeout(self, seconds: float) -> None:
        self.timeouts.append(round(seconds, 6))

    def recv_into(self, buffer: bytearray) -> int:
        self.now += 0.1
        buffer[0:1] = b"x"
        return 1


def as_socket(connection: Dripping) -> socket.socket:
    """The stand-in as the socket it stands for: the deadline calls only its two methods."""
    return cast(socket.socket, connection)


def test_a_request_head_dripping_in_stops_at_its_deadline_however_often_bytes_come() -> None:
    connection = Dripping()
    head = serve._HeadDeadline(as_socket(connection), timeout=10.0, clock=connection.clock)
    head.until = connection.clock() + 0.5
    buffer = bytearray(1)
    read = 0
    with pytest.raises(TimeoutError, match="the request head did not arrive in time"):
        for _ in range(200):  # 20 s of bytes, if it let them come
            read += head.readinto(buffer)
    assert read == 5  # bytes at 0.1, 0.2, ... 0.5 s: then the deadline is over
    # Each read may wait only for what is left of the deadline, never the whole timeout.
    assert connection.timeouts == [0.5, 0.4, 0.3, 0.2, 0.1]


def test_after_the_head_reads_wait_the_timeout_each() -> None:
    connection = Dripping()
    head = serve._HeadDeadline(as_socket(connection), timeout=10.0, clock=connection.clock)
    head.until = None  # the head has arrived: the body and later reads have the socket's own timeout
    buffer = bytearray(1)
    assert sum(head.readinto(buffer) for _ in range(100)) == 100
    assert connection.timeouts == []
