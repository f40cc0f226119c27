"""What a render makes: output files as units, each with a key over what it is made from."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Unit:
    """One output file: its path, a key over everything it is made from (None: always make it),
    and the function that makes its bytes."""

    path: str
    key: str | None
    make: Callable[[], bytes]


def key(*parts: object) -> str:
    """A key over plain values: strings, numbers, datetimes, and lists and tuples of them."""
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()
