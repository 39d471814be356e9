"""Checking an export in several processes gives exactly the result of one process."""

from __future__ import annotations

import gc
import hashlib
import json
import multiprocessing
import platform
import shutil
import sys
import time
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pakkeforlop import cli
from pakkeforlop.engine import ExportResult, check_export, parallel, tuning, workers
from pakkeforlop.engine.caps import FindingCaps
from pakkeforlop.engine.files import checkable
from pakkeforlop.engine.run import Run
from pakkeforlop.read import Limits
from pakkeforlop.rules import intervals
from pakkeforlop.synthetic import GeneratorConfig, generate

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
EXPORTS = sorted(
    [path for path in (EXAMPLES / "valid").iterdir() if path.is_dir()]
    + [path for path in (EXAMPLES / "invalid").iterdir() if path.is_dir()]
)
FILES, INSTANCES = workers.check_task, workers.check_instance_task
DEFECTIVE = GeneratorConfig(out=Path("unused"), pathways=200, seed=11, defect_rate=0.5)


def _everything(result: ExportResult) -> dict[str, Any]:
    """All a result holds, in comparable form (findings and instances in their order)."""
    return {
        "findings": [
            (f.rule, f.severity, f.file, f.pointer, f.line, f.column, f.xpath, f.instance, text)
            for f in result.findings
            for text in [f.message(masked=False)]
        ],
        "exercised": sorted(result.exercised),
        "kinds": sorted(result.kinds_seen),
        "counts": (result.documents, result.events),
        "skips": result.skip_reasons,
        "instances": [
            (key, instance.ordered(), instance.referrals, instance.epicrises)
            for key, instance in result.instances.items()
        ],
    }


@pytest.fixture(autouse=True)
def two_tasks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tasks of at most 4 MiB: the defective export (5.7 MB) is then two tasks, so that two
    workers read its files and the instances are checked partly in a forked worker (at the
    default size it would be one task, checked in this process). A test may set its own."""
    monkeypatch.setattr(workers, "TASK_BYTES", 4 << 20)


@pytest.fixture(scope="module")
def defective(tmp_path_factory: pytest.TempPathFactory) -> Path:
    export = tmp_path_factory.mktemp("parallel") / "export"
    generate(replace(DEFECTIVE, out=export))
    (export / "referrals" / "undeclared.json").write_text("{}", encoding="utf-8")
    return export


@pytest.mark.parametrize("export", EXPORTS, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_examples_give_the_same_result_in_two_processes(export: Path) -> None:
    serial = check_export(export, display_root="", jobs=1)
    assert _everything(check_export(export, display_root="", jobs=2)) == _everything(serial)


@pytest.mark.parametrize("task_bytes", [1, 40_000, workers.TASK_BYTES])
def test_generated_defects_give_the_same_result_in_two_processes(
    defective: Path, task_bytes: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = check_export(defective, display_root="", jobs=1)
    monkeypatch.setattr(workers, "TASK_BYTES", task_bytes)
    in_two = check_export(defective, display_root="", jobs=2)
    assert _everything(in_two) == _everything(serial)
    rules = {finding.rule for finding in serial.findings}
    assert {"INPUT-014", "INPUT-016", "PATHWAY-005", "IDENTIFIER-001"} <= rules


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[tuple[object, list[Any]]]:
    """Each ``ordered_map`` call of a check: its function and its tasks (as given)."""
    calls: list[tuple[object, list[Any]]] = []
    real = parallel.ordered_map

    def observed(function: Any, tasks: list[Any], **kwargs: Any) -> Any:
        calls.append((function, list(tasks)))
        return real(function, tasks, **kwargs)

    monkeypatch.setattr(parallel, "ordered_map", observed)
    return calls


@pytest.mark.parametrize("per_file", [0, 1, 3])
def test_instances_checked_partly_in_a_forked_worker_give_the_same_result(
    defective: Path, per_file: int, started: list[tuple[object, list[Any]]]
) -> None:
    assert parallel.can_fork(), "another test left a thread running: workers are not forked"
    caps = FindingCaps.of(per_file)
    serial = check_export(defective, display_root="", jobs=1, caps=caps)
    in_two = check_export(defective, display_root="", jobs=2, caps=caps)
    count = len(serial.instances)
    split = workers.instance_split(serial.instances.values())
    spans = [span for function, tasks in started for span in tasks if function is INSTANCES]
    assert spans == [(split, count)]
    assert _everything(in_two) == _everything(serial)
    # Findings of the instance checks in both halves, so that their order counts under the caps.
    ids = list(serial.instances)
    flagged = {ids.index(f.instance) for f in serial.findings if f.instance in serial.instances}
    assert min(flagged) < split <= max(flagged)
    # Findings of the export checks, merged after both parts.
    assert "TIMELIMIT-002" in {f.rule for f in serial.findings}


def test_the_summary_merges_the_forked_workers_part(
    defective: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The worker sends back its part of the time-limit summary, summed up from what its
    # instances remembered of their measurements: this process measures only its own share
    # (TIMELIMIT-001), not the worker's again (TIMELIMIT-002), and merges the two parts; the
    # export checks before the summary run while the worker works.
    assert parallel.can_fork(), "another test left a thread running: workers are not forked"
    measured: list[str] = []
    steps: list[object] = []
    real_measure, real_export, real_absorb = intervals._measure, Run.check_export, Run.absorb

    def counted(*args: Any) -> Any:
        if args[1].time_limits:  # of a pathway with none (D10), nothing is measured
            measured.append(args[0].id)
        return real_measure(*args)

    def export(run: Run, instances: Any, checks: Any = None, parts: Any = None) -> None:
        steps.append(tuple(check.rule_id for check in checks or ()))
        steps.append({rule: len(found) for rule, found in (parts or {}).items()})
        real_export(run, instances, checks, parts)

    def absorb(run: Run, part: Any, progress: Any) -> None:
        steps.append("merged")
        real_absorb(run, part, progress)

    serial = check_export(defective, display_root="", jobs=1)
    monkeypatch.setattr(intervals, "_measure", counted)
    monkeypatch.setattr(Run, "check_export", export)
    monkeypatch.setattr(Run, "absorb", absorb)
    in_two = check_export(defective, display_root="", jobs=2)
    assert _everything(in_two) == _everything(serial)
    ids = list(in_two.instances)
    split = workers.instance_split(in_two.instances.values())
    assert measured
    assert {ids.index(instance) for instance in measured} < set(range(split))
    early = ("PATHWAY-018", "PATHWAY-019")
    late = ("TIMELIMIT-002", "TIMELIMIT-003")
    assert steps[-7:] == [early, {}, "merged", "merged", late, {"TIMELIMIT-002": 2}, "merged"]


@pytest.mark.parametrize(
    ("events", "split"),
    [
        ([0] * 100, 49),  # no events: the instances by count
        ([20] * 50 + [0] * 50, 25),  # the first ones hold every event: fewer of them
        ([0] * 50 + [20] * 50, 73),
        ([], 0),
    ],
)
def test_instances_are_split_by_their_weight(events: list[int], split: int) -> None:
    # Weights 1 + 0.8 per event; the main process takes 49 % of the whole.
    instances = [SimpleNamespace(event_count=count) for count in events]
    assert workers.instance_split(instances) == split  # type: ignore[arg-type]


def test_instances_are_checked_in_one_process_where_workers_cannot_be_forked(
    defective: Path, monkeypatch: pytest.MonkeyPatch, started: list[tuple[object, list[Any]]]
) -> None:
    serial = check_export(defective, display_root="", jobs=1)
    monkeypatch.setattr(parallel, "can_fork", lambda: False)
    in_two = check_export(defective, display_root="", jobs=2)
    # The files only: a worker would not inherit the run.
    assert [function for function, _ in started] == [workers.check_task]
    assert _everything(in_two) == _everything(serial)


def test_tasks_go_to_the_workers_packed(
    defective: Path, monkeypatch: pytest.MonkeyPatch, started: list[tuple[object, list[Any]]]
) -> None:
    monkeypatch.setattr(workers, "TASK_BYTES", 40_000)
    run = Run(defective, "", Limits())
    declared = [entry for entry in run.read_manifest() if checkable(entry)]
    check_export(defective, display_root="", jobs=2)
    sent = [task for function, tasks in started for task in tasks if function is FILES]
    assert len(sent) > 2
    assert all(isinstance(task, workers.PackedTask) for task in sent)
    assert [entry for task in sent for entry in task.files()] == declared
    # What the main process holds until a task is done: a small part of the entries' memory.
    unpacked = sum(
        sys.getsizeof(entry) + sum(sys.getsizeof(item) for item in entry) for entry in declared
    )
    assert sum(task.size for task in sent) < unpacked / 4


def test_only_files_that_may_be_large_are_sized_when_tasks_are_planned(
    defective: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sized: list[str] = []
    real = workers._size

    def counted(path: str) -> int:
        sized.append(path)
        return real(path)

    monkeypatch.setattr(workers, "_size", counted)
    declared = [entry for entry in Run(defective, "", Limits()).read_manifest() if checkable(entry)]
    tasks = workers.plan_tasks(declared, defective)
    events = [relative for _, relative, kind, _ in declared if kind == "pathway-events"]
    assert events
    assert [Path(path).relative_to(defective).as_posix() for path in sized] == events
    assert [entry for task, _ in tasks for entry in task] == declared
    documents = sum(kind != "pathway-events" for _, _, kind, _ in declared)
    assert sum(weight for _, weight in tasks) >= documents * workers.DOCUMENT_WEIGHT


def test_a_missing_file_is_reported_at_its_manifest_line(tmp_path: Path) -> None:
    export = tmp_path / "export"
    shutil.copytree(EXAMPLES / "valid" / "d11-phv-adults-completed", export)
    manifest = json.loads((export / "manifest.json").read_text(encoding="utf-8"))
    (export / manifest["files"][0]["path"]).unlink()
    serial, in_two = (check_export(export, display_root="", jobs=jobs) for jobs in (1, 2))
    (missing,) = [finding for finding in in_two.findings if finding.rule == "INPUT-013"]
    assert missing.line is not None
    assert _everything(in_two) == _everything(serial)


def test_progress_names_every_file_in_order(defective: Path) -> None:
    seen: dict[int, list[str]] = {1: [], 2: []}
    for jobs, names in seen.items():
        check_export(defective, display_root="", jobs=jobs, progress=names.append)
    assert seen[1] == seen[2]
    assert len(seen[1]) == len(json.loads((defective / "manifest.json").read_text())["files"])


def _square(number: int) -> int:
    return number * number


def _nothing() -> None:
    return None


def test_ordered_map_yields_in_task_order_whatever_runs_first() -> None:
    tasks = list(range(30))
    results = parallel.ordered_map(
        _square, tasks, weights=tasks, workers=2, initializer=_nothing, initargs=()
    )
    assert list(results) == [number * number for number in tasks]


def test_other_work_runs_once_while_the_workers_work() -> None:
    tasks = list(range(6))
    done: list[str] = []
    results = parallel.ordered_map(
        _square,
        tasks,
        weights=tasks,
        workers=2,
        initializer=_nothing,
        initargs=(),
        meanwhile=lambda: done.append("scan"),
    )
    assert done == []  # nothing starts before the first result is asked for
    assert next(results) == 0
    assert done == ["scan"]
    assert list(results) == [number * number for number in tasks[1:]]
    assert done == ["scan"]


def test_a_small_export_is_checked_in_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    def must_not_run(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a small export started worker processes")

    monkeypatch.setattr(parallel, "ordered_map", must_not_run)
    check_export(EXAMPLES / "valid" / "d11-phv-adults-completed")


def test_a_large_export_uses_every_cpu_by_default(
    defective: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    used: list[int] = []
    real = parallel.ordered_map

    def counting(*args: Any, **kwargs: Any) -> Any:
        used.append(kwargs["workers"])
        return real(*args, **kwargs)

    monkeypatch.setattr(parallel, "ordered_map", counting)
    monkeypatch.setattr(parallel, "available_cpus", lambda: 2)
    monkeypatch.setattr(workers, "PARALLEL_MIN_BYTES", 1)
    monkeypatch.setattr(workers, "TASK_BYTES", 100_000)
    check_export(defective, display_root="")
    assert used == [2, 1]  # the files in two workers; half the instances in one forked worker


def test_cli_jobs_give_the_same_report(defective: Path, tmp_path: Path) -> None:
    reports = []
    for jobs in ("1", "2"):
        out = tmp_path / f"report-{jobs}.json"
        args = ["check", str(defective), "--jobs", jobs, "--format", "json", "-o", str(out)]
        assert cli.main(args) == cli.EXIT_FINDINGS
        report = json.loads(out.read_text(encoding="utf-8"))
        report.pop("generated", None)
        report.get("summary", {}).pop("duration", None)
        reports.append(report)
    assert reports[0] == reports[1]


@pytest.mark.parametrize("value", ["0", "-1", "two", ""])
def test_cli_refuses_a_bad_job_count(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["check", str(EXAMPLES / "valid"), "--jobs", value]) == cli.EXIT_USAGE
    assert "not a number of processes" in capsys.readouterr().err


def _fail_on_three(number: int) -> int:
    if number == 3:
        raise ValueError("three")
    return number


#: How long a blocked task sleeps: far longer than the test waits for its worker to end.
BLOCKED_SECONDS = 120
#: How long the test waits for a stopped worker to end: far longer than a stop takes.
STOP_GRACE_SECONDS = 30


def _fail_first_block_the_rest(number: int) -> int:
    if number == 0:
        raise ValueError("zero")
    time.sleep(BLOCKED_SECONDS)
    return number


def test_a_failing_task_ends_the_workers_that_still_run_tasks() -> None:
    before = set(multiprocessing.active_children())
    tasks = [0, 1, 2]
    results = parallel.ordered_map(
        _fail_first_block_the_rest,
        tasks,
        weights=[1, 1, 1],
        workers=2,
        initializer=_nothing,
        initargs=(),
    )
    with pytest.raises(ValueError, match="zero"):
        list(results)
    started = set(multiprocessing.active_children()) - before
    for process in started:  # a worker left running would sleep on for BLOCKED_SECONDS
        process.join(STOP_GRACE_SECONDS)
    assert not [process for process in started if process.is_alive()]


def test_workers_start_from_a_fork_server_when_threads_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 2)
    tasks = list(range(6))
    results = parallel.ordered_map(
        _square, tasks, weights=tasks, workers=2, initializer=_nothing, initargs=()
    )
    assert list(results) == [number * number for number in tasks]


def _frozen_objects(_number: int) -> int:
    return 0


def test_objects_are_frozen_only_while_workers_start() -> None:
    tasks = list(range(4))
    list(
        parallel.ordered_map(
            _frozen_objects, tasks, weights=tasks, workers=2, initializer=_nothing, initargs=()
        )
    )
    assert gc.get_freeze_count() == 0
    gc.freeze()  # a caller's own frozen objects stay frozen (some may be freed meanwhile)
    try:
        list(
            parallel.ordered_map(
                _frozen_objects, tasks, weights=tasks, workers=2, initializer=_nothing, initargs=()
            )
        )
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
    with pytest.raises(ValueError, match="three"):
        list(
            parallel.ordered_map(
                _fail_on_three, tasks, weights=tasks, workers=2, initializer=_nothing, initargs=()
            )
        )
    assert gc.get_freeze_count() == 0


def test_freed_memory_is_released_through_glibc_on_linux_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tuning._malloc_trim.cache_clear()
    monkeypatch.setattr(tuning.sys, "platform", "win32")
    assert tuning._malloc_trim() is None
    tuning.release_freed_memory()  # nothing to call: no error
    tuning._malloc_trim.cache_clear()
    monkeypatch.undo()
    found = tuning._malloc_trim()
    if sys.platform.startswith("linux") and "glibc" in platform.libc_ver()[0]:
        assert found is not None
    tuning.release_freed_memory()
    tuning._malloc_trim.cache_clear()


def test_findings_share_equal_arguments(defective: Path) -> None:
    """One copy per process of each set of arguments (a worker's copies arrive per task)."""
    for jobs in (1, 2):
        result = check_export(defective, display_root="", jobs=jobs)
        synthetic = [f for f in result.findings if f.rule == "IDENTIFIER-003"]
        copies = {id(f.args) for f in synthetic}
        distinct = {tuple(f.args.items()) for f in synthetic}
        assert len(synthetic) > len(distinct)
        assert len(copies) == len(distinct) if jobs == 1 else len(copies) < len(synthetic)


def test_findings_share_equal_pointers(defective: Path) -> None:
    result = check_export(defective, display_root="", jobs=1)
    pointed = [f for f in result.findings if f.pointer]
    assert len(pointed) > len({f.pointer for f in pointed})
    assert len({id(f.pointer) for f in pointed}) == len({f.pointer for f in pointed})


def test_what_tells_files_apart_is_let_go_before_the_instance_checks(
    defective: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    held: list[int] = []
    real = Run.check_instances

    def observed(run: Run) -> None:
        held.append(len(run.files.identities))
        real(run)

    monkeypatch.setattr(Run, "check_instances", observed)
    for jobs in (1, 2):
        check_export(defective, display_root="", jobs=jobs)
    assert held == [0, 0]


@pytest.mark.parametrize(
    ("weights", "order"),
    [
        # In task order, the order of the merge; a heavy task with enough after it keeps its place.
        ([1, 1, 1, 10, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], list(range(14))),
        # A heavy task near the end starts first, so that no core idles on it at the end.
        ([1, 1, 1, 1, 1, 1, 10, 1], [6, 0, 1, 2, 3, 4, 5, 7]),
        ([1, 1, 1, 1, 1, 1, 10, 20], [7, 0, 1, 2, 3, 4, 5, 6]),
        ([], []),
    ],
)
def test_tasks_start_in_task_order_but_a_late_heavy_one_first(weights, order) -> None:
    assert parallel.start_order(weights) == order


DIGESTS = st.lists(
    st.one_of(
        st.none(),
        st.binary(min_size=32, max_size=32).map(bytes.hex),
        st.binary(min_size=32, max_size=32).map(lambda digest: digest.hex().upper()),
        st.text(min_size=64, max_size=64),
        st.text(alphabet="0123456789abcdef ", min_size=63, max_size=65),
    ),
    max_size=6,
)


@given(DIGESTS)
def test_digests_are_packed_and_unpacked_as_they_were(digests: list[str | None]) -> None:
    assert workers.unpack_digests(workers.pack_digests(digests), len(digests)) == digests


def test_digests_as_the_schema_writes_them_are_packed_as_their_bytes() -> None:
    digests = [hashlib.sha256(str(number).encode()).hexdigest() for number in range(100)]
    assert len(workers.pack_digests(digests)) == 1 + 32 * len(digests)
    assert workers.unpack_digests(workers.pack_digests(digests), 100) == digests
