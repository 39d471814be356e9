"""Progress of a long check: one redrawn line on a terminal, a few timed lines off it."""

from __future__ import annotations

import io
import re
from pathlib import Path

from pakkeforlop import cli
from pakkeforlop.cli.progress import Progress
from pakkeforlop.engine import ExportResult

from .test_cli import invoke, make_export


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_off_a_terminal_there_is_one_line_per_export_never_one_per_file(capsys, tmp_path):
    small = make_export(tmp_path / "small", {f"r{i}.json": b"{}" for i in range(2)})
    large = make_export(tmp_path / "large", {f"r{i}.json": b"{}" for i in range(40)})
    run = invoke(capsys, "check", small, large, "--progress", "--quiet")
    lines = run.err.splitlines()
    # A fast run prints no status line between exports (one every few seconds at most).
    assert lines == [f"checking {small.as_posix()} …", f"checking {large.as_posix()} …"]


def test_off_a_terminal_a_status_line_comes_every_few_seconds_with_counts_and_time_left(
    tmp_path: Path,
):
    export = make_export(tmp_path / "export", {f"r{i}.json": b"{}" * 500 for i in range(10)})
    stream, clock = io.StringIO(), Clock()
    progress = Progress(stream, masked=True, terminal=False, interval=5.0, clock=clock)
    progress.export(str(export))
    for index in range(10):
        clock.now += 1.0
        progress.file(str(export / f"r{index}.json"))
    progress.done(ExportResult(root=str(export), events=1234))
    lines = stream.getvalue().splitlines()
    assert lines[0] == f"checking {export} …"
    status = lines[1:]
    # Ten files in ten seconds: a line after five seconds and another after ten, not ten lines.
    assert len(status) == 2, status
    assert re.search(r"\d+/1[01] files", status[0]), status[0]
    assert " left" in status[0]
    assert "B/s" in status[0]
    assert "%" in status[0]


def test_on_a_terminal_one_line_is_redrawn_in_place(tmp_path: Path):
    export = make_export(tmp_path / "export", {f"r{i}.json": b"{}" for i in range(5)})
    stream = io.StringIO()
    progress = Progress(stream, masked=True, terminal=True)
    progress.export(str(export))
    for index in range(5):
        progress.file(str(export / f"r{index}.json"))
    progress.done(ExportResult(root=str(export), events=7))
    progress.close()
    drawn = stream.getvalue()
    assert "\r" in drawn  # redrawn, by tqdm's control codes, not new lines
    assert drawn.count("\n") <= 1
    assert "checking" not in drawn


def test_progress_masks_person_numbers_in_paths():
    for terminal in (False, True):
        stream = io.StringIO()
        progress = Progress(stream, masked=True, terminal=terminal)
        progress.export("exports/12345678901")
        progress.close()
        assert "12345678901" not in stream.getvalue()
        assert "*********01" in stream.getvalue()


def test_on_a_terminal_progress_is_off_when_standard_output_is_machine_read(
    capsys, tmp_path, monkeypatch
):
    monkeypatch.setattr(cli.check, "_is_terminal", lambda _stream: True)
    export = make_export(tmp_path / "export", {"r.json": b"{}"})
    assert invoke(capsys, "check", export, "--format", "json").err == ""
    assert invoke(capsys, "check", export, "--format", "sarif").err == ""
    assert invoke(capsys, "check", export, "--quiet").err == ""
    assert "\r" in invoke(capsys, "check", export).err  # the text report on a terminal
    assert (
        "\r" in invoke(capsys, "check", export, "--format", "json:" + str(tmp_path / "r.json")).err
    )
