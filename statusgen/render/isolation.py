"""Rendering in worker processes that a template cannot take the build down with.

The sandbox meters a template step by step, but one step may run C code that no meter reaches:
hashing a value nested a million deep overflows the C stack, and some comparisons or filters
run for hours or fill the memory in a single call. So a build with a theme's own templates
renders in forked workers, each with a memory and a CPU limit, under deadlines the parent keeps.
A worker that dies (a signal, the memory limit, the CPU limit) or a deadline passed ends the
build with a clean error naming the theme and the pages being made; nothing is written.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import resource
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from statusgen.errors import Problem, StatusgenError, ValidationFailed
from statusgen.render.units import Unit

log = logging.getLogger(__name__)

# Address space of one worker. A cold build of 10,000 incidents peaks far below this (see
# bench/); a template that needs more is building something no page needs.
MEMORY_LIMIT = 2 * 2**30
# Wall time for rendering the whole site, and for one chunk of pages: a hanging page is caught
# after CHUNK_DEADLINE, not after the whole build's.
BUILD_DEADLINE = 600.0
CHUNK_DEADLINE = 60.0
# The most pages a worker makes in one go: enough to keep the workers busy between hand-overs.
CHUNK_SIZE = 64
_HINT = "look for loops building deeply nested or very long values"
# What a worker hands back for a unit whose making ran out of memory.
_NO_MEMORY = "memory"

# Set in the parent before the workers are forked: they find their work here, and mark in
# _STATE which units they have started (1) and finished (2).
_WORK: list[Unit] = []
_STATE: ctypes.Array[ctypes.c_byte] | None = None
# What a worker hands back for a chunk: each unit's bytes, or its problems, or _NO_MEMORY.
_Made = list[tuple[int, bytes | list[Problem] | str]]


def _limit_worker(memory: int, cpu_seconds: int) -> None:
    """Set a worker's limits; the hard limits stay, so that nothing later can raise them again."""
    for which, soft in ((resource.RLIMIT_AS, memory), (resource.RLIMIT_CPU, cpu_seconds)):
        _, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            soft = min(soft, hard)
        resource.setrlimit(which, (soft, hard))


def _make_chunk(indexes: range) -> _Made:
    """Make the units at ``indexes``; a theme's error comes back as its problems, as the exception
    would lose its file and line between processes."""
    state = _STATE
    assert state is not None, "set in the parent before the workers are forked"
    made: _Made = []
    for index in indexes:
        state[index] = 1
        try:
            made.append((index, _WORK[index].make()))
        except StatusgenError as exc:
            made.append((index, exc.problems if isinstance(exc, ValidationFailed) else [exc.problem]))
            return made
        except MemoryError:
            made.append((index, _NO_MEMORY))
            return made
        state[index] = 2
    return made


def fork_available() -> bool:
    """Whether workers can be forked here: they find their work in the parent's memory."""
    return "fork" in multiprocessing.get_all_start_methods()


def make_isolated(units: list[Unit], jobs: int, where: str) -> Iterator[tuple[str, bytes]]:
    """The bytes of each unit, made on ``jobs`` limited worker processes, in any order.

    ``where`` names the templates in the messages (``themes/NAME/templates``). Raises
    StatusgenError when a worker dies, runs out of memory, or a deadline passes; the workers are
    stopped before it is raised.
    """
    global _WORK, _STATE
    if not units:
        return
    jobs = max(1, jobs)
    size = max(1, min(CHUNK_SIZE, -(-len(units) // (jobs * 4))))
    chunks = [range(start, min(start + size, len(units))) for start in range(0, len(units), size)]
    _WORK = units
    _STATE = state = multiprocessing.RawArray(ctypes.c_byte, len(units))
    # The CPU limit is a backstop for a worker the parent cannot reach in time: its own time is
    # at most the build's wall time.
    limits = (MEMORY_LIMIT, int(BUILD_DEADLINE) + 1)
    pool = ProcessPoolExecutor(
        jobs, mp_context=multiprocessing.get_context("fork"), initializer=_limit_worker, initargs=limits
    )
    build_ends = time.monotonic() + BUILD_DEADLINE
    running: dict[Future[_Made], tuple[range, float]] = {}
    waiting = iter(chunks)
    stopped = False
    try:
        while True:
            # Twice as many chunks as workers are handed out, so a worker has the next one at hand
            # while this process writes what the last one made.
            while len(running) < 2 * jobs:
                chunk = next(waiting, None)
                if chunk is None:
                    break
                running[pool.submit(_make_chunk, chunk)] = (chunk, time.monotonic())
            if not running:
                return
            now = time.monotonic()
            # A chunk's time starts when a worker takes it up, not while it waits its turn.
            for future, (chunk, _started) in running.items():
                if not any(state[index] for index in chunk):
                    running[future] = (chunk, now)
            ends = min(build_ends, *(started + CHUNK_DEADLINE for _, started in running.values()))
            done, _ = wait(running, timeout=max(0.0, ends - now), return_when=FIRST_COMPLETED)
            if not done:
                late = [chunk for chunk, started in running.values() if time.monotonic() >= started + CHUNK_DEADLINE]
                limit = CHUNK_DEADLINE if late else BUILD_DEADLINE
                _stop(pool)
                stopped = True
                raise _failure(where, f"took more than {limit:g} s", late or [c for c, _ in running.values()])
            for future in done:
                chunk, _ = running.pop(future)
                try:
                    made = future.result()
                except BrokenProcessPool:
                    _stop(pool)
                    stopped = True
                    raise _failure(where, "crashed the renderer", [chunk, *(c for c, _ in running.values())]) from None
                for index, data in made:
                    if isinstance(data, list):
                        raise ValidationFailed(data)
                    if isinstance(data, str):
                        raise _failure(where, f"used more than {MEMORY_LIMIT // 2**20} MiB", [chunk])
                    yield units[index].path, data
    finally:
        if not stopped:
            _stop(pool)
        _WORK = []
        _STATE = None


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop the workers now, whatever they are doing: the build is over."""
    # The executor has no public way to end a worker that is busy; its processes are the only way.
    processes = list(getattr(pool, "_processes", {}).values())
    for process in processes:
        if process.is_alive():
            process.kill()
    for process in processes:
        process.join(timeout=5)
    # A worker killed while it was writing a result leaves half a message in the result pipe, and
    # the executor's thread would wait for the rest for ever. With the workers gone, closing this
    # process's own end of the pipe leaves it no writer: the read ends, and so does the thread.
    results = getattr(pool, "_result_queue", None)
    writer = getattr(results, "_writer", None)
    if writer is not None:
        writer.close()
    pool.shutdown(wait=True, cancel_futures=True)


def _failure(where: str, what: str, chunks: list[range]) -> StatusgenError:
    """The error for a failure in ``chunks``, naming the pages that were being made."""
    started = [i for chunk in chunks for i in chunk if _STATE is not None and _STATE[i] == 1]
    pages = [_WORK[i].path for i in (started or [i for chunk in chunks for i in chunk])]
    shown = ", ".join(pages[:5]) + (f" and {len(pages) - 5} more" if len(pages) > 5 else "")
    log.info("rendering with %s stopped: %s", where, what)
    return StatusgenError(f"a template of the theme {what}, making {shown}", where, 0, _HINT)
