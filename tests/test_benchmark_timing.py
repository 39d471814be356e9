"""The benchmark's timing of a process: taken when the process exits, not at the next sample.

``benchmarks/run.py`` samples a process tree's memory once a second; its peer comparison
times the kit's command line and ajv-cli from outside, so a time rounded up to the next sample
would add up to a second to each run.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import peers  # (the benchmark's module, beside its script)


def test_watch_returns_at_exit_with_status_and_usage() -> None:
    samples: list[float] = []
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    ended, status, usage = peers.watch(child, lambda: samples.append(1.0), interval=3600)
    assert status == 3
    assert child.returncode == 3
    assert usage.ru_utime + usage.ru_stime > 0
    # One sample at the start; the exit ends the wait (an hour apart otherwise).
    assert samples == [1.0]
    assert started < ended < started + 600


def test_measure_reports_the_exit_status() -> None:
    measured = peers.measure([sys.executable, "-c", "raise SystemExit(5)"])
    assert measured.status == 5
    assert measured.seconds > 0
    assert measured.cpu > 0
