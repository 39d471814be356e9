"""JSON Pointers (RFC 6901): building them, and walking a JSON value without building them all."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise
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


def _objects(value: Any) -> list[tuple[Path, dict[str, Any]]]:
    """Every object inside ``value`` (itself first) with its path, in document order.

    Like :func:`walk`, but only containers get a path built, and one iterator per open
    container replaces the stack of every value: several times cheaper on large documents.
    """
    found: list[tuple[Path, dict[str, Any]]] = []
    stack: list[tuple[Path, Iterator[tuple[Any, Any]]]] = []
    if isinstance(value, dict):
        found.append(((), value))
        stack.append(((), iter(value.items())))
    elif isinstance(value, list):
        stack.append(((), enumerate(value)))
    while stack:
        path, contents = stack[-1]
        for key, item in contents:
            if type(item) is str:
                continue  # most values are strings: pass them by quickly
            # A container's contents come before its next sibling: walk them first.
            if isinstance(item, dict):
                child = (*path, key)
                found.append((child, item))
                stack.append((child, iter(item.items())))
                break
            if isinstance(item, list):
                stack.append(((*path, key), enumerate(item)))
                break
        else:
            stack.pop()
    return found


@dataclass(frozen=True, slots=True)
class Index:
    """The objects of a JSON value, found in one walk, for checks that look everywhere in it."""

    value: Any
    #: Every object inside the value (itself first) with its path, in document order.
    objects: Sequence[tuple[Path, dict[str, Any]]]

    def named(self, name: str) -> list[tuple[Path, Any]]:
        """Every ``(path, value)`` of a member called ``name``, in the order of :func:`walk`."""
        owners = [(path, item) for path, item in self.objects if name in item]
        if any(inner[: len(outer)] == outer for (outer, _), (inner, _) in pairwise(owners)):
            # An owner inside another may come before or after that one's member: walk to know.
            return [(path, item) for path, item in walk(self.value) if path and path[-1] == name]
        return [((*path, name), item[name]) for path, item in owners]


def index(value: Any) -> Index:
    """Walk ``value`` once, for any number of :meth:`Index.named` look-ups."""
    return Index(value, _objects(value))
