"""SIGTERM and SIGHUP end a run and its worker processes, leave nothing behind, exit 128+n.

A ``timeout``, a cancelled CI job or ``docker stop`` signals only the main process: its workers
must not live on. The run below is held in its workers (each task waits ten minutes before it
starts) so that the signal surely arrives while they work. The waits below are bounds for a
loaded machine, far longer than each step takes (a second or two), and far shorter than the
hold: a worker the signal failed to end is still alive when they run out.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from pakkeforlop.engine import parallel
from pakkeforlop.engine.interrupts import ENDING_SIGNALS, Terminated, stop_on_signals
from pakkeforlop.report import output

from .conftest import EXAMPLES, REPO_ROOT

EXPORT = EXAMPLES / "valid" / "d11-phv-adults-completed"

#: How long every worker task is held before it starts.
HOLD_SECONDS = 600
#: How long the test waits for a step (the workers to start, the run to end, the workers to go).
WAIT_SECONDS = 120.0

#: The command, with every worker task held (forked workers inherit the patch).
SLOW_WORKERS = textwrap.dedent(
    f"""
    import sys, time
    from pakkeforlop import cli
    from pakkeforlop.engine import run, workers

    workers.TASK_FILES = 1  # one task per file: several tasks, so several workers
    checked = run.check_task

    def held(files):
        time.sleep({HOLD_SECONDS})
        return checked(files)

    run.check_task = held
    sys.exit(cli.main(sys.argv[1:]))
    """
)


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found |= {int(child) for child in task.read_text().split()}
    return found


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status  # a zombie has ended; only its parent's wait is left


def _wait_for(condition: object, seconds: float = WAIT_SECONDS) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


def _start(tmp_path: Path) -> subprocess.Popen[bytes]:
    environment = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "src")}
    command = [sys.executable, "-c", SLOW_WORKERS, "check", str(EXPORT), "--jobs", "2"]
    command += ["--format", "json", "--output", str(tmp_path / "report.json")]
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment, cwd=tmp_path
    )


pytestmark = pytest.mark.skipif(
    not Path("/proc/self/task").is_dir(), reason="reads the process tree from /proc (Linux)"
)


@pytest.mark.parametrize(
    ("signum", "status"),
    [(signal.SIGTERM, 143), (signal.SIGHUP, 129), (signal.SIGINT, 130)],
    ids=["SIGTERM", "SIGHUP", "SIGINT"],
)
def test_a_signal_ends_the_run_and_its_workers(tmp_path, signum, status):
    with _start(tmp_path) as process:
        workers: set[int] = set()

        def started() -> bool:
            workers.update(_children(process.pid))
            return len(workers) >= 2

        assert _wait_for(started), "the workers never started"
        process.send_signal(signum)
        _, errors = process.communicate(timeout=WAIT_SECONDS)
    assert process.returncode == status
    assert b"no report was written" in errors
    assert b"Traceback" not in errors
    assert _wait_for(lambda: not any(_alive(pid) for pid in workers))
    assert list(tmp_path.iterdir()) == []  # no report, no temporary file


def test_workers_die_with_a_main_process_killed_outright(tmp_path):
    with _start(tmp_path) as process:
        workers: set[int] = set()

        def started() -> bool:
            workers.update(_children(process.pid))
            return len(workers) >= 2

        assert _wait_for(started), "the workers never started"
        process.kill()  # SIGKILL: the main process cannot end them itself
        process.communicate(timeout=WAIT_SECONDS)
    assert _wait_for(lambda: not any(_alive(pid) for pid in workers))


def test_a_signal_while_the_report_is_written_leaves_no_temporary_file(tmp_path, monkeypatch):
    target = tmp_path / "report.json"
    where = output.destination(str(target))

    def interrupted(self: Path, _destination: Path) -> Path:
        assert self.name.endswith(".tmp")  # written whole, about to be renamed
        raise Terminated(signal.SIGTERM)

    monkeypatch.setattr(Path, "replace", interrupted)
    with pytest.raises(Terminated):
        output.write_file(b"{}", where)
    assert list(tmp_path.iterdir()) == []


def _signal_setup(_task: int) -> tuple[object, object, object, set[int]]:
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    return (
        signal.getsignal(signal.SIGTERM),
        signal.getsignal(signal.SIGHUP),
        signal.getsignal(signal.SIGINT),
        {int(signum) for signum in blocked},
    )


def _nothing() -> None:
    return None


def test_workers_stop_on_sigterm_and_leave_ctrl_c_to_the_main_process():
    # Forked while the main process's handlers are set, a worker must not keep them: its
    # signals are held until it has its own, then SIGTERM and SIGHUP end it and SIGINT is the
    # main process's to handle (it ends the workers).
    with stop_on_signals():
        setups = list(
            parallel.ordered_map(
                _signal_setup,
                [1, 2, 3],
                weights=[1, 1, 1],
                workers=2,
                initializer=_nothing,
                initargs=(),
            )
        )
        assert signal.getsignal(signal.SIGTERM) not in {signal.SIG_DFL, signal.SIG_IGN}
    for term, hup, interrupt, blocked in setups:
        assert (term, hup, interrupt) == (signal.SIG_DFL, signal.SIG_DFL, signal.SIG_IGN)
        assert blocked.isdisjoint(ENDING_SIGNALS)
    assert set(ENDING_SIGNALS).isdisjoint(signal.pthread_sigmask(signal.SIG_BLOCK, []))
