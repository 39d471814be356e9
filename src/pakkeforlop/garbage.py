"""When Python's cyclic garbage collector runs during a check.

A check keeps what it learns (a record per event, the findings) until the end, and its own
garbage is freed by reference counting as it goes: it forms few reference cycles. The automatic
collector does not know that; it scans the young objects every few hundred allocations and, as
the kept objects grow, all of them again and again. On a large export that cost about a tenth
of the check's time. So a check turns automatic collection off and collects the young objects
itself, every so many documents: what it keeps is scanned once, then left alone, and a cycle
that does form (a schema error and the errors inside it) is freed soon after.

Each check also collects its young objects when it ends, so that a run of many small checks
(files named one by one) frees its cycles too. The first automatic collection after the check
scans everything the check kept, once: a caller that keeps the result for the rest of its run
(the command line does) can leave automatic collection off until it ends. (Python 3.14's
collector is incremental: there ``gc.collect(1)`` also scans an increment of the old objects,
and the saving is smaller.)
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

#: Documents (or NDJSON lines) checked between two collections of the young objects.
DOCUMENTS_PER_COLLECTION = 2000


@contextmanager
def automatic_collection_off() -> Iterator[None]:
    """Turn automatic garbage collection off inside the block (as it was, after it); collect
    the young objects as the block ends."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        collect_young()
        if was_enabled:
            gc.enable()


def no_automatic_collection() -> None:
    """Turn automatic garbage collection off for good (in a worker process that only checks)."""
    gc.disable()


def collect_young() -> None:
    """Collect the objects made since the last collection; those that live on are kept in the
    oldest generation, which only a full collection scans."""
    gc.collect(1)


class Collector:
    """Counts documents, and collects the young objects every ``every`` of them."""

    __slots__ = ("_count", "_every")

    def __init__(self, every: int = DOCUMENTS_PER_COLLECTION) -> None:
        self._every = every
        self._count = 0

    def count(self) -> None:
        """One more document (or pathway instance) checked."""
        self._count += 1
        if self._count >= self._every:
            self._count = 0
            collect_young()
