"""An ordered map over worker processes, so that a large export is checked on every core.

The engine splits an export's files into tasks; :func:`ordered_map` runs them in worker
processes, the heaviest first (so that no core idles at the end on one large file), and yields
the results in task order, so that merging them gives the same report as one process would.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TypeVar

from pakkeforlop.engine import interrupts, tuning

Task = TypeVar("Task")
Result = TypeVar("Result")

#: Modules a forked worker starts with, imported once in the fork server rather than per worker.
PRELOAD = ["pakkeforlop.engine"]


def available_cpus() -> int:
    """The CPUs this process may run on (its affinity where the platform tells it)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether workers start as forks of this process (and so inherit what it holds)."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def _context() -> multiprocessing.context.BaseContext:
    """How workers start: forked where that is safe, else from a fork server, else spawned.

    Forking a process with one thread is cheap and safe, and needs nothing of the caller's
    main module (a script calling the engine need not guard itself with ``__main__``). With
    other threads running, a fork could copy a held lock; a fork server avoids that.
    """
    if can_fork():
        return multiprocessing.get_context("fork")
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


def ordered_map(
    function: Callable[[Task], Result],
    tasks: Sequence[Task],
    *,
    weights: Sequence[int],
    workers: int,
    initializer: Callable[..., object],
    initargs: tuple[object, ...],
    meanwhile: Callable[[], object] | None = None,
    keep_tasks: bool = True,
) -> Iterator[Result]:
    """``function(task)`` for every task in ``workers`` processes, yielded in task order.

    Each worker runs ``initializer(*initargs)`` once, after :func:`interrupts.prepare_worker`
    (it ends on SIGTERM and SIGHUP, and with this process). Tasks start in task order, the
    order their results are merged in, except that a heavy one (``weights``) with too little
    after it starts first (see :func:`start_order`). A result is yielded as soon as it and
    every result before it are done.
    ``meanwhile()`` runs in this process once the tasks are given out, before any result is
    awaited. ``keep_tasks=False`` empties ``tasks`` (a list) once they are given out, so
    that each task is let go when it is done.
    """
    order = start_order(weights)
    context = _context()
    parent = os.getpid() if context.get_start_method() == "fork" else None
    pool = ProcessPoolExecutor(
        workers,
        mp_context=context,
        initializer=_start_worker,
        initargs=(parent, initializer, initargs),
    )
    try:
        # Forked workers start at the first submit, whole: a signal waits until they have.
        with tuning.frozen(), interrupts.deferred():
            futures: dict[int, Future[Result]] = {
                index: pool.submit(function, tasks[index]) for index in order
            }
        count = len(tasks)
        if not keep_tasks and isinstance(tasks, list):
            tasks.clear()
        if meanwhile is not None:
            meanwhile()
        for index in range(count):
            yield futures.pop(index).result()
    except BaseException:  # an error, Ctrl-C, or the caller stopped early: stop the workers now
        with interrupts.deferred():  # a second signal must not cut the stopping short
            tuning.stop_pool(pool)
        raise
    pool.shutdown()


def start_order(weights: Sequence[int]) -> list[int]:
    """The order tasks start in: task order, but a task over twice the median weight that
    outweighs all the tasks after it starts first (the heaviest of those first), so that no
    core idles at the end on it while another runs it."""
    heavy = 2 * sorted(weights)[len(weights) // 2] if weights else 0
    after = 0
    early: set[int] = set()
    for index in reversed(range(len(weights))):
        if weights[index] > heavy and weights[index] > after:
            early.add(index)
        after += weights[index]
    return sorted(early, key=lambda index: (-weights[index], index)) + [
        index for index in range(len(weights)) if index not in early
    ]


def _start_worker(
    parent: int | None, initializer: Callable[..., object], initargs: tuple[object, ...]
) -> None:
    """A worker's first step: stop when told to or when the parent dies, then the caller's."""
    interrupts.prepare_worker(parent)
    initializer(*initargs)
