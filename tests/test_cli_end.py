"""How the installed command ends: at once, after what it started is done (``cli.end``)."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from pakkeforlop import cli

from .conftest import EXAMPLES

EXPORT = EXAMPLES / "valid" / "d11-phv-adults-completed"

#: A script that runs the command as installed, with an object that says when the interpreter
#: frees it (at its own exit), a function registered to run at exit, and a thread still working
#: when the check is over.
SCRIPT = """
import atexit, sys, threading, time
from pakkeforlop import cli

class Freed:
    def __del__(self):
        print("freed by the interpreter", flush=True)

kept = Freed()
atexit.register(print, "ran at exit")
checked = threading.Event()
real_main = cli.main

def main():
    try:
        return real_main()
    finally:
        checked.set()

def working():
    checked.wait()
    time.sleep(0.2)
    print("thread done", flush=True)

cli.main = main
threading.Thread(target=working).start()
sys.argv = ["pakkeforlop", *sys.argv[1:]]
cli.command()
"""


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", SCRIPT, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_command_ends_without_freeing_but_after_threads_and_exit_functions() -> None:
    ended = _run("check", str(EXPORT))
    assert ended.returncode == cli.EXIT_OK, ended.stderr
    lines = ended.stdout.splitlines()
    assert any(line.startswith("PASS") for line in lines)  # the report, flushed to the pipe
    assert lines[-2:] == ["thread done", "ran at exit"]  # in the interpreter's order
    assert "freed by the interpreter" not in ended.stdout


def test_the_command_keeps_its_exit_status() -> None:
    assert _run("check", str(EXPORT), "--no-such-option").returncode == cli.EXIT_USAGE


def test_a_stream_that_cannot_be_flushed_leaves_the_ending_to_the_interpreter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Closed(io.StringIO):
        def flush(self) -> None:
            raise ValueError("I/O operation on closed file")

    ended: list[int] = []
    monkeypatch.setattr(cli.os, "_exit", ended.append)
    monkeypatch.setattr(cli.atexit, "_run_exitfuncs", lambda: None)  # (this process's)
    monkeypatch.setattr(sys, "stdout", Closed())
    with pytest.raises(SystemExit) as exit_:
        cli.end(cli.EXIT_FINDINGS)
    assert exit_.value.code == cli.EXIT_FINDINGS
    assert ended == []


def test_python_m_runs_the_same_command(tmp_path: Path) -> None:
    ended = subprocess.run(
        [sys.executable, "-m", "pakkeforlop.cli", "check", str(EXPORT), "--quiet"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )
    assert ended.returncode == cli.EXIT_OK, ended.stderr
    assert any(line.startswith("PASS") for line in ended.stdout.splitlines())
