"""JSON Pointers (RFC 6901): building them, and walking a JSON value without building them all."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

Path = tuple[str | int, ...]


def pointer(parts: Iterable[str | int]) -> str:
    """The JSON Pointer of a path of member names and array indexes."""
    return "".join(f"/{str(part).replace('~', '~0').replace('/', '~1')}" for part in parts)


def walk(value: Any) -> Iterator[tuple[Path, Any]]:
    """Every value inside ``value`` (itself first) with its path, depth first, in document order.

    Paths are tuples; a caller builds a pointer string only for the values it reports, which
    keeps walks over large documents cheap.
    """
    stack: list[tuple[Path, Any]] = [((), value)]
    while stack:
        path, current = stack.pop()
        yield path, current
        if isinstance(current, dict):
            stack.extend(((*path, key), item) for key, item in reversed(current.items()))
        elif isinstance(current, list):
            indexed = list(enumerate(current))
            stack.extend(((*path, index), item) for index, item in reversed(indexed))
