"""Checking an export's files in worker processes: the tasks, and what a worker does.

The declared files are cut into tasks of consecutive files (about ``TASK_BYTES`` each; an
NDJSON file is never split, so that per-file rules see it whole); each worker process builds
one :class:`~pakkeforlop.engine.run.Run` when it starts and checks the tasks it is given with
it; the main process merges their parts in task order, so that the result is the one process
would give.

The pathway instances, made from every file, are checked afterwards; where workers read the
files and the platform forks, a worker forked then checks the last of them while the main
process checks the first ones and runs the export checks, and the parts are merged in order.
"""

from __future__ import annotations

import binascii
import multiprocessing
import os
import pickle
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import accumulate
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from pakkeforlop import kith
from pakkeforlop.engine import parallel, tuning
from pakkeforlop.engine.caps import FindingCaps, Omitted
from pakkeforlop.engine.files import Declared
from pakkeforlop.engine.result import ExportResult
from pakkeforlop.model.records import ExportFacts, PathwayInstance
from pakkeforlop.read import Limits
from pakkeforlop.read.folders import Identity
from pakkeforlop.rules.engine_reported import KITH_MESSAGE

if TYPE_CHECKING:
    from pakkeforlop.engine.run import Run

#: Below this many bytes of declared files an export is checked in one process: starting
#: workers costs more than they save.
PARALLEL_MIN_BYTES = 16 << 20
#: A task for a worker process: consecutive declared files up to this many bytes (a larger
#: file is a task of its own; an NDJSON file is never split, so that per-file rules see it whole),
#: and at most this many files. Each task costs the main process a part to read and merge
#: (about 1 ms) and the worker a part to send and a wait for the next task, whatever its
#: size: tasks of 1,000 documents, not 500, checked the 150,203 documents of a large export
#: about 0.1 s sooner (7.45 s against 7.56, medians of four runs in turn, 2026-12-07, 2 CPUs);
#: 2,000 were no faster again (a worker idles at the end while the other ends a larger task).
TASK_BYTES = 8 << 20
TASK_FILES = 1000
#: What a JSON document (a referral, an epicrisis, a feedback) weighs when the tasks are
#: planned: a few KiB, taken as read rather than measured, so that hundreds of thousands of
#: them need no system call each before the first worker starts. The files that may be large,
#: events files and KITH messages, are weighed by their size.
DOCUMENT_WEIGHT = 8 << 10
_SIZED_KINDS = frozenset({"pathway-events", KITH_MESSAGE})


@dataclass(slots=True)
class WorkerPart:
    """What a worker process found in one task's files, to merge into the export's result
    (a forked worker's share of the pathway instances: with the parts of them of the export
    checks made of parts, by rule; see ``Check.part``)."""

    result: ExportResult
    omitted: Omitted
    files: list[str]
    identities: set[Identity]
    export_parts: dict[str, Any] = field(default_factory=dict)


class ClosedRules:
    """Rules whose cap per export the findings merged so far have filled, shared with the
    worker processes: a worker counts a later finding of such a rule instead of making,
    locating and sending it, since the merge would only count it (the tasks are merged in
    file order, so every file a worker reads after a rule is closed comes after the merged
    ones). Which findings are kept is the same; only the work is spared."""

    __slots__ = ("_flags", "_index")

    def __init__(self, rule_ids: Iterable[str]) -> None:
        self._index = {rule: index for index, rule in enumerate(sorted(rule_ids))}
        #: One byte per rule, in memory the workers share (inherited, or sent as they start).
        self._flags = multiprocessing.RawArray("b", max(1, len(self._index)))

    def __contains__(self, rule: object) -> bool:
        index = self._index.get(rule) if isinstance(rule, str) else None
        return index is not None and self._flags[index] != 0

    def close(self, rules: Iterable[str]) -> None:
        """Close these rules (from the main process, after a merge)."""
        for rule in rules:
            index = self._index.get(rule)
            if index is not None:
                self._flags[index] = 1


@dataclass(frozen=True, slots=True)
class WorkerSetup:
    """What a worker process needs to check files of an export (sent to it once)."""

    root: Path
    display_root: str
    limits: Limits
    caps: FindingCaps
    facts: ExportFacts
    supplements: dict[int, dict[str, Any]]
    xsd_folder: Path | None
    xsd_files: dict[str, list[Path]]
    exact: bool
    closed: ClosedRules | None = None


def _size(path: str) -> int:
    """The size of a file in bytes, or 0 when it cannot be stat'ed (reading reports why)."""
    try:
        return os.stat(path).st_size  # noqa: PTH116 (no Path per file)
    except (OSError, ValueError):
        return 0


def plan_tasks(files: list[Declared], root: Path) -> list[tuple[list[Declared], int]]:
    """Consecutive declared files grouped into worker tasks, each with its weight in bytes
    (a JSON document's taken as ``DOCUMENT_WEIGHT``).

    Where no file is of a kind weighed by its size, every file weighs the same: the tasks
    are then slices of as many files as the loop below would group, cut at once (the loop,
    a few steps per file, cost 11 ms of the serial start for 150,000 documents).
    """
    if _SIZED_KINDS.isdisjoint(map(itemgetter(2), files)):
        step = max(1, min(TASK_FILES, TASK_BYTES // DOCUMENT_WEIGHT))
        slices = (files[at : at + step] for at in range(0, len(files), step))
        return [(task, len(task) * DOCUMENT_WEIGHT) for task in slices]
    return _plan_by_weight(files, root)


def _plan_by_weight(files: list[Declared], root: Path) -> list[tuple[list[Declared], int]]:
    """:func:`plan_tasks`, weighing the files one by one."""
    tasks: list[tuple[list[Declared], int]] = []
    current: list[Declared] = []
    weight = 0
    folder = os.fspath(root)
    for file in files:
        sized = file[2] in _SIZED_KINDS
        size = _size(os.path.join(folder, file[1])) if sized else DOCUMENT_WEIGHT  # noqa: PTH118
        if current and (weight + size > TASK_BYTES or len(current) >= TASK_FILES):
            tasks.append((current, weight))
            current, weight = [], 0
        current.append(file)
        weight += size
    if current:
        tasks.append((current, weight))
    return tasks


@dataclass(frozen=True, slots=True)
class PackedTask:
    """A worker task's declared files, packed until the worker checks them.

    As tuples of strings, the entries of a manifest take about a third of a KiB each in the
    main process (92 MiB for the 282,776 files of the target export); a forked worker inherits
    those pages, and each becomes the worker's own as the main process frees the entries it
    holds, so every process ends up paying for them. Packed, they take about a quarter of that
    until a worker unpacks its task's: the indexes, paths and kinds pickled as three columns
    (about 46 bytes a file; a kind, one interned string, is written once), the digests as the
    bytes their hexadecimal text writes (:func:`pack_digests`, 32 bytes). Nothing is
    compressed: compressing the pickled entries (to a tenth) took a fifth of the packing's
    time, for a few MiB, and compressing the digests' text took more than half of it (0.19 s
    of the target export's serial start) to halve them.
    """

    entries: bytes
    digests: bytes

    @classmethod
    def of(cls, files: list[Declared]) -> PackedTask:
        """The task of these declared files."""
        indexes, paths, kinds, digests = tuple(zip(*files, strict=True)) or ((), (), (), ())
        return cls(
            pickle.dumps((indexes, paths, kinds), protocol=pickle.HIGHEST_PROTOCOL),
            pack_digests(list(digests)),
        )

    def files(self) -> list[Declared]:
        """The task's declared files, in order."""
        columns: tuple[tuple[int, ...], tuple[str, ...], tuple[str, ...]]
        columns = pickle.loads(self.entries)
        indexes, paths, kinds = columns
        digests = unpack_digests(self.digests, len(indexes))
        return list(zip(indexes, paths, kinds, digests, strict=True))

    @property
    def size(self) -> int:
        """How many bytes the packed task takes."""
        return len(self.entries) + len(self.digests)


#: A SHA-256 digest as a manifest writes it: 64 lowercase hexadecimal digits.
_HEX_DIGEST = 64
#: How packed digests start: as bytes (each digest 32), or pickled (any other list).
_AS_BYTES, _PICKLED = b"b", b"p"


def pack_digests(digests: list[str | None]) -> bytes:
    """The digests, packed: the bytes of their hexadecimal text when every one is written as
    64 lowercase hexadecimal digits (as the manifest's schema asks), else pickled."""
    if all(type(digest) is str and len(digest) == _HEX_DIGEST for digest in digests):
        text = "".join(cast("list[str]", digests))
        try:  # (unhexlify takes half of bytes.fromhex's time, and never skips spaces)
            packed = binascii.unhexlify(text)
        except ValueError:  # not hexadecimal, or not ASCII
            packed = None
        if packed is not None and packed.hex() == text:  # (not upper case, no spaces)
            return _AS_BYTES + packed
    return _PICKLED + pickle.dumps(digests, protocol=pickle.HIGHEST_PROTOCOL)


def unpack_digests(packed: bytes, count: int) -> list[str | None]:
    """The ``count`` digests :func:`pack_digests` packed."""
    if packed[:1] == _AS_BYTES:
        text = packed[1:].hex()
        return [text[at : at + _HEX_DIGEST] for at in range(0, count * _HEX_DIGEST, _HEX_DIGEST)]
    digests: list[str | None] = pickle.loads(packed[1:])
    return digests


def worker_count(jobs: int | None, tasks: list[tuple[list[Declared], int]]) -> int:
    """How many processes check the files: ``jobs`` (``None``: every CPU for a large export)."""
    if jobs is None:
        large = sum(weight for _, weight in tasks) >= PARALLEL_MIN_BYTES
        jobs = parallel.available_cpus() if large else 1
    return max(1, min(jobs, len(tasks)))


def worker_run(setup: WorkerSetup) -> Run:
    """The run a worker process checks its tasks with."""
    from pakkeforlop.engine.run import Run  # noqa: PLC0415  (the run module imports this one)

    xsd = None
    if setup.xsd_folder is not None:
        xsd = kith.XsdCatalog(setup.xsd_folder, setup.xsd_files)
    run = Run(setup.root, setup.display_root, setup.limits, xsd, setup.caps, exact=setup.exact)
    # A worker collects its young objects as each task starts (see Run.check_part), not every
    # so many documents: what it keeps lives only until its task's part is sent.
    run.documents.collector = tuning.Collector(0)
    run.recorder.facts = setup.facts
    if setup.closed is not None:
        run.recorder.closed = setup.closed
    run.files.supplements = setup.supplements
    return run


#: The worker process's run, made once when the process starts (by :func:`start_worker`).
_worker: Run | None = None


def start_worker(setup: WorkerSetup) -> None:
    """Prepare a worker process (the executor's initializer)."""
    global _worker  # noqa: PLW0603  (one run per worker process, set once when it starts)
    tuning.no_automatic_collection()  # forked workers inherit that; others start with it on
    _worker = worker_run(setup)


#: What an instance's events weigh when the instances are split, against the instance itself:
#: set when the instance checks cost about 6.7 µs of CPU per instance and 5.3 µs per event
#: (generated exports of 100,000 pathways, one with a million events, one with none). The
#: instance checks now run in steps, an instance without events at about a third of that cost;
#: the balance below was measured again then, and holds.
EVENT_WEIGHT = 0.8
#: The share of the instances' weight the main process checks itself when a forked worker
#: checks the others: it runs the export checks before the time-limit summary meanwhile,
#: while the worker is forked and sends its findings back. Measured in CPU on the same
#: exports: with events, the main process's part (2.72 s of instance checks, 0.80 s of export
#: checks) and the worker's (3.49 s) are within 1 % of each other; without, the main process's
#: (0.14 s) is a tenth over the worker's (0.13 s). (A share of the instances by count cannot be
#: right for both: with events, the first instances, the older ones, hold half the events in
#: three eighths of the instances; without, every instance costs about the same.)
MAIN_WEIGHT_SHARE = 0.49


def instance_split(instances: Iterable[PathwayInstance]) -> int:
    """How many of the instances, the first ones, the main process checks itself when a
    forked worker checks the others: as many as hold :data:`MAIN_WEIGHT_SHARE` of their
    weight (each one, plus :data:`EVENT_WEIGHT` per event)."""
    reached = list(accumulate(1.0 + EVENT_WEIGHT * instance.event_count for instance in instances))
    if not reached:
        return 0
    return bisect_right(reached, MAIN_WEIGHT_SHARE * reached[-1])


def start_instance_worker(run: Run) -> None:
    """Prepare a worker forked to check some of ``run``'s pathway instances: it inherits
    them with the run, which is never sent (only a fork may start it)."""
    global _worker  # noqa: PLW0603  (one run per worker process, set once when it starts)
    _worker = run


def check_instance_task(span: tuple[int, int]) -> WorkerPart:
    """Check the instances from ``span[0]`` to ``span[1]`` (in the order they were found) in
    a forked worker; return what was found."""
    if _worker is None:
        msg = "a worker process was not started with its initializer"
        raise RuntimeError(msg)
    return _worker.check_instance_part(*span)


def check_task(task: PackedTask) -> WorkerPart:
    """Check a task's declared files in a worker process; return what was found."""
    tuning.release_freed_memory()  # what the last task's result took, before this one grows
    if _worker is None:
        msg = "a worker process was not started with its initializer"
        raise RuntimeError(msg)
    return _worker.check_part(task.files())
