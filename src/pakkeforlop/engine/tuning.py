"""Every device that tunes the interpreter, the allocator or the executor for a check, in one
place; each has a test of what it protects.

* **Garbage collection on the check's terms.** A check keeps what it learns (a record per
  event, the findings) to the end and frees its own garbage by reference counting: it forms
  few reference cycles. The automatic collector does not know that: it scans the young
  objects every few hundred allocations and, as the kept objects grow, all of them again and
  again. So a check turns it off and collects the young objects itself, every so many
  documents (a worker process: as each task starts, once the last task's part is let go);
  what it keeps is scanned once, then left alone. Each check also collects its young objects
  when it ends. (Python 3.14's collector is incremental: there
  ``gc.collect(1)`` also scans an increment of the old objects.)
* **Objects frozen while workers fork.** A forked worker's collections would otherwise write
  to (and so copy) every memory page holding an object it inherited.
* **Freed memory handed back** to the operating system (glibc's ``malloc_trim``): workers
  build and send large results, and the main process reads them; the C library keeps what
  they freed, so without it the processes' memory only grows.
* **Workers stopped at once** on an error or an interrupt: before Python 3.14 the executor has
  no public way, so its process table (and its manager thread, which is then waited for) is
  read before it forgets it.
"""

from __future__ import annotations

import ctypes
import gc
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from functools import cache

#: Documents (or NDJSON lines) checked between two collections of the young objects.
DOCUMENTS_PER_COLLECTION = 2000
#: How long a stopped executor's manager thread is waited for (it ends as soon as it sees its
#: workers gone; the bound only keeps a stuck thread from holding the exit).
MANAGER_JOIN_SECONDS = 10.0


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
    """Counts documents, and collects the young objects every ``every`` of them (``0``: never;
    the caller collects them itself)."""

    __slots__ = ("_count", "_every")

    def __init__(self, every: int | None = None) -> None:
        self._every = DOCUMENTS_PER_COLLECTION if every is None else every
        if self._every <= 0:
            self._every = sys.maxsize
        self._count = 0

    def count(self) -> None:
        """One more document (or pathway instance) checked."""
        self._count += 1
        if self._count >= self._every:
            self._count = 0
            collect_young()


@contextmanager
def frozen() -> Iterator[None]:
    """Inside the block, the objects that exist are left out of garbage collections (as when
    workers fork); a caller that froze objects itself keeps them frozen."""
    freeze = gc.get_freeze_count() == 0
    if freeze:
        gc.freeze()
    try:
        yield
    finally:
        if freeze:
            gc.unfreeze()


def release_freed_memory() -> None:
    """Hand memory that has been freed back to the operating system, where the C library can."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``; ``None`` on another C library or platform."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc (musl, say)
        return None
    trim: Callable[[int], int] | None = getattr(libc, "malloc_trim", None)
    return trim


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and end the workers without waiting for their tasks."""
    terminate = getattr(pool, "terminate_workers", None)  # Python 3.14 and later
    if terminate is not None:
        terminate()
        return
    # Before 3.14 there is no public way; shutdown() forgets the processes and the thread that
    # manages them, so take them first.
    processes = list((getattr(pool, "_processes", None) or {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    # Let the manager thread see its workers gone and close its wake-up pipe now: left running,
    # it races the interpreter's exit hook, which may write to that pipe as it closes (an
    # "Exception ignored … Bad file descriptor" traceback on Python before 3.12).
    if manager is not None:
        manager.join(MANAGER_JOIN_SECONDS)
