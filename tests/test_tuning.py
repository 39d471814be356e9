"""A check turns automatic garbage collection off and collects the young objects itself."""

from __future__ import annotations

import gc
import multiprocessing
import os
import platform
import sys
import threading
import time
import weakref
from pathlib import Path
from typing import Any

import pytest

from pakkeforlop import cli
from pakkeforlop.engine import check_export, parallel, tuning, workers
from pakkeforlop.engine.run import Run
from pakkeforlop.read import Limits

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "valid" / "d11-phv-adults-completed"


class _Node:
    """An object that can sit in a reference cycle."""

    def __init__(self) -> None:
        self.other: object = self


@pytest.mark.parametrize("enabled", [True, False])
def test_automatic_collection_is_off_inside_and_as_it_was_after(enabled: bool) -> None:
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        with tuning.automatic_collection_off():
            assert not gc.isenabled()
        assert gc.isenabled() is enabled
        with pytest.raises(RuntimeError), tuning.automatic_collection_off():
            raise RuntimeError
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_the_collector_collects_every_so_many_documents(monkeypatch: pytest.MonkeyPatch) -> None:
    collections: list[int] = []
    monkeypatch.setattr(tuning, "collect_young", lambda: collections.append(1))
    collector = tuning.Collector(every=3)
    for _ in range(10):
        collector.count()
    assert len(collections) == 3


def test_a_young_collection_frees_a_reference_cycle() -> None:
    with tuning.automatic_collection_off():
        node = _Node()
        gone = weakref.ref(node)
        del node
        assert gone() is not None  # a cycle: reference counting alone does not free it
        tuning.Collector(every=1).count()
        assert gone() is None


def test_the_young_objects_are_collected_when_a_check_ends_even_inside_another() -> None:
    """As when the command line checks many files one by one, with collection off throughout."""
    with tuning.automatic_collection_off():
        with tuning.automatic_collection_off():
            node = _Node()
            gone = weakref.ref(node)
            del node
        assert gone() is None
        assert not gc.isenabled()


def test_a_check_runs_without_automatic_collection_and_restores_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[bool] = []
    real = Run.check_instances

    def observed(run: Run) -> None:
        seen.append(gc.isenabled())
        real(run)

    monkeypatch.setattr(Run, "check_instances", observed)
    assert gc.isenabled()
    result = check_export(EXAMPLE, display_root="", jobs=1)
    assert seen == [False]
    assert gc.isenabled()
    assert result.documents > 0


def test_documents_are_counted_for_collection(monkeypatch: pytest.MonkeyPatch) -> None:
    collections: list[int] = []
    monkeypatch.setattr(tuning, "collect_young", lambda: collections.append(1))
    monkeypatch.setattr(tuning, "DOCUMENTS_PER_COLLECTION", 1)
    result = check_export(EXAMPLE, display_root="", jobs=1)
    # Event lines on the fast path are not counted: they leave no garbage for the collector.
    assert len(collections) >= result.documents + len(result.instances)


def test_a_worker_process_runs_without_automatic_collection() -> None:
    run = Run(EXAMPLE, "", Limits())
    try:
        workers.start_worker(run.worker_setup())
        assert not gc.isenabled()
    finally:
        gc.enable()


def _worker_and_files() -> tuple[Run, list[Any]]:
    """A worker's run of the example export, and the export's declared documents."""
    main = Run(EXAMPLE, "", Limits())
    declared = [entry for entry in main.read_manifest() if entry[2] != "pathway-events"]
    return workers.worker_run(main.worker_setup()), declared


def test_a_worker_collects_once_per_task_not_every_so_many_documents(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    collections: list[int] = []
    monkeypatch.setattr(tuning, "collect_young", lambda: collections.append(1))
    monkeypatch.setattr(tuning, "DOCUMENTS_PER_COLLECTION", 1)
    run, declared = _worker_and_files()
    assert len(declared) > 1
    collections.clear()  # (the main process's, reading the manifest)
    for _ in range(3):
        part = run.check_part(declared)
        assert part.result.documents == len(declared)
    assert len(collections) == 3


def test_a_worker_frees_a_tasks_reference_cycles_when_the_next_starts() -> None:
    run, declared = _worker_and_files()
    with tuning.automatic_collection_off():
        part = run.check_part(declared)
        node = _Node()
        part.result.instances["cycle"] = node  # type: ignore[assignment]
        gone = weakref.ref(node)
        del node, part
        assert gone() is not None  # the recorder holds the part until the next task
        run.check_part(declared)
        assert gone() is None


def test_the_check_command_renders_without_automatic_collection_and_restores_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: list[bool] = []
    real = cli.check.build_report

    def observed(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(cli.check, "build_report", observed)
    assert cli.main(["check", str(EXAMPLE), "-q"]) == 0
    capsys.readouterr()
    assert seen == [False]
    assert gc.isenabled()


def _fail_or_hold(number: int) -> int:
    if number == 0:
        raise ValueError("the first task fails")
    time.sleep(120)  # still running when the first one fails
    return number


def test_a_failure_stops_the_workers_that_are_still_running_tasks() -> None:
    results = parallel.ordered_map(
        _fail_or_hold, [0, 1, 2], weights=[3, 2, 1], workers=2, initializer=_idle, initargs=()
    )
    with pytest.raises(ValueError, match="first task"):
        list(results)
    for worker in multiprocessing.active_children():
        worker.join(30)  # ended by the stop, not by the end of its two-minute task
        assert not worker.is_alive()


def _idle() -> None:
    return None


def _executor_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if "ExecutorManagerThread" in type(t).__name__]


def test_a_stopped_pool_leaves_no_manager_thread_to_race_the_exit() -> None:
    # Left running, the executor's manager thread closes its wake-up pipe while the exit hook
    # writes to it: "Exception ignored … Bad file descriptor" when a run is interrupted.
    results = parallel.ordered_map(
        _fail_or_hold, [0, 1, 2], weights=[3, 2, 1], workers=2, initializer=_idle, initargs=()
    )
    with pytest.raises(ValueError, match="first task"):
        list(results)
    assert _executor_threads() == []


def _rss_mib() -> float:
    with open("/proc/self/statm", encoding="ascii") as handle:  # noqa: PTH123
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / (1 << 20)


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc",
    reason="malloc_trim is glibc's",
)
def test_freed_memory_goes_back_to_the_system() -> None:
    # Blocks too large for Python's own allocator and too small for their own mappings come
    # from the C library's heap; freed, they stay in the process until it is trimmed.
    blocks = [bytes(4000) + bytes([index % 256]) for index in range(40_000)]
    kept = blocks[-1]  # the top of the heap stays in use: the C library cannot shrink it
    del blocks
    before = _rss_mib()
    tuning.release_freed_memory()
    assert _rss_mib() < before - 100
    assert kept
