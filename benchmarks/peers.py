"""The peer validators the benchmark compares the kit with, in the benchmark's own environment.

``check-jsonschema`` (Python, python-jsonschema underneath) is installed with pip into a
virtual environment of its own, and ``ajv-cli`` (with ajv and ajv-formats) with npm, both
under ``benchmarks/.peers/`` (not in the repository), the first time ``run.py --peers`` needs
them. Both validate JSON documents against the schemas only: neither reads NDJSON, nor checks
a rule beyond the schema. They run over the same referral and epicrisis files as the kit.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PEERS = ROOT / "benchmarks" / ".peers"
SCHEMAS = ROOT / "schemas" / "v1"
CHECK_JSONSCHEMA = "check-jsonschema==0.39.0"
NPM_PACKAGES = ("ajv-cli@5.0.0", "ajv@8.20.0", "ajv-formats@3.0.1")
#: The document kinds the peers validate, the manifest's kind, and the schema file.
KINDS = {"referral": "referral.schema.json", "epicrisis": "epicrisis.schema.json"}


@dataclass(frozen=True, slots=True)
class Measured:
    """One measured process: its wall time, CPU time (user + system) and peak RSS."""

    seconds: float
    cpu: float
    peak_rss_mib: float
    status: int


def high_water_mib(pid: int) -> float | None:
    """The peak RSS of a running process's own memory (``VmHWM``, Linux), or ``None``.

    Not ``ru_maxrss``: on Linux that keeps the peak of the process before it called ``exec``,
    a copy of this (larger) benchmark process.
    """
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def watch(
    child: subprocess.Popen[Any], sample: Callable[[], object], interval: float
) -> tuple[float, int, Any]:
    """Wait for ``child`` to exit, calling ``sample()`` every ``interval`` seconds meanwhile;
    when it exited (``time.perf_counter``), its exit status and its resource usage.

    A thread waits for the exit, so that the time is taken when it happens, not at the next
    sample (a second apart for the PSS of a process tree).
    """
    ended: list[tuple[float, int, Any]] = []
    done = threading.Event()

    def wait() -> None:
        _, status, usage = os.wait4(child.pid, 0)
        ended.append((time.perf_counter(), status, usage))
        done.set()

    waiter = threading.Thread(target=wait, daemon=True)
    waiter.start()
    while not done.is_set():
        sample()
        done.wait(interval)
    waiter.join()
    at, status, usage = ended[0]
    child.returncode = os.waitstatus_to_exitcode(status)
    return at, child.returncode, usage


def measure(command: list[str], cwd: Path | None = None) -> Measured:
    """Run ``command`` (its output discarded) and measure it: CPU from ``wait4``, peak RSS
    from sampling its ``VmHWM``."""
    peak = [0.0]

    def sample() -> None:
        peak[0] = max(peak[0], high_water_mib(child.pid) or 0.0)

    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ended, status, usage = watch(child, sample, 0.05)
    return Measured(ended - started, usage.ru_utime + usage.ru_stime, peak[0], status)


def _check_jsonschema() -> Path:
    return PEERS / "venv" / "bin" / "check-jsonschema"


def _ajv() -> Path:
    return PEERS / "node_modules" / ".bin" / "ajv"


def install() -> str | None:
    """Install the peers where missing; why they cannot run, or ``None``."""
    PEERS.mkdir(parents=True, exist_ok=True)
    if not _check_jsonschema().exists():
        print("  installing check-jsonschema (pip, benchmarks/.peers/venv) ...", flush=True)
        venv = PEERS / "venv"
        steps = [
            [sys.executable, "-m", "venv", str(venv)],
            [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", CHECK_JSONSCHEMA],
        ]
        for step in steps:
            if subprocess.run(step, check=False).returncode != 0:
                return f"could not install {CHECK_JSONSCHEMA}"
    if not _ajv().exists():
        npm = shutil.which("npm")
        if npm is None:
            return "npm is not installed (ajv-cli comes from npm)"
        print("  installing ajv-cli (npm, benchmarks/.peers) ...", flush=True)
        command = [npm, "install", "--silent", "--prefix", str(PEERS), *NPM_PACKAGES]
        if subprocess.run(command, check=False).returncode != 0:
            return "could not install ajv-cli"
    return None


def versions() -> dict[str, str]:
    """The peers' versions, as installed."""
    found = {}
    for name, command in (
        ("check-jsonschema", [str(_check_jsonschema()), "--version"]),
        ("ajv-cli", ["node", "-p", "require('ajv-cli/package.json').version"]),
        ("ajv", ["node", "-p", "require('ajv/package.json').version"]),
    ):
        try:
            done = subprocess.run(command, cwd=PEERS, capture_output=True, text=True, check=False)
            found[name] = done.stdout.strip().split()[-1] if done.stdout.strip() else "?"
        except OSError:
            found[name] = "?"
    return found


def run_ajv(kind: str, export: Path) -> Measured:
    """ajv-cli over every file of one kind in the export (``-d`` with a glob, as users run it)."""
    folder = {"referral": "referrals", "epicrisis": "epicrises"}[kind]
    references = [
        "-r",
        str(SCHEMAS / "defs.schema.json"),
        "-r",
        str(SCHEMAS / "codes" / "*.schema.json"),
    ]
    command = [
        str(_ajv()),
        "validate",
        "--spec=draft2020",
        "--strict=false",
        "--errors=no",
        "-c",
        "ajv-formats",
        "-s",
        str(SCHEMAS / KINDS[kind]),
        *references,
        "-d",
        str(export / folder / "**" / "*.json"),
    ]
    return measure(command, cwd=PEERS)


def run_check_jsonschema(kind: str, files: list[Path]) -> Measured:
    """check-jsonschema over ``files`` (its references resolved from the local schemas)."""
    schema = SCHEMAS / KINDS[kind]
    command = [
        str(_check_jsonschema()),
        "--schemafile",
        str(schema),
        "--base-uri",
        schema.as_uri(),
        *map(str, files),
    ]
    return measure(command)
