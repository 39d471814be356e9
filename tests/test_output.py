"""Where ``--output`` writes: as a shell redirection would, and never over a special file.

Every problem with where the report goes is exit status 2 with a message, never 3.
"""

from __future__ import annotations

import io
import json
import os
import socket
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from pakkeforlop import cli
from pakkeforlop.report import output

from .conftest import EXAMPLES, REPO_ROOT

EXPORT = EXAMPLES / "valid" / "d11-phv-adults-completed"


def check(*args: object, stdout: io.StringIO | None = None) -> tuple[int, str]:
    """Run ``pakkeforlop check EXPORT --format json …``; the exit status and standard error."""
    errors = io.StringIO()
    code = cli.main(
        ["check", str(EXPORT), "--format", "json", *map(str, args)],
        stdout=stdout if stdout is not None else io.StringIO(),
        stderr=errors,
    )
    return code, errors.getvalue()


def is_report(data: bytes) -> bool:
    return json.loads(data)["summary"]["result"] == "passed"


def left_over(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.endswith(".tmp"))


# --- Regular files and symbolic links -------------------------------------------------------------


def test_a_new_file_is_written_with_the_permissions_a_redirection_gives(tmp_path):
    target = tmp_path / "report.json"
    umask = os.umask(0o027)
    try:
        code, _ = check("--output", target)
    finally:
        os.umask(umask)
    assert code == cli.EXIT_OK
    assert is_report(target.read_bytes())
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert left_over(tmp_path) == []


def test_an_existing_file_is_replaced_whole_and_keeps_its_permissions(tmp_path):
    target = tmp_path / "report.json"
    target.write_text("old report " * 1000)
    target.chmod(0o604)
    code, _ = check("--output", target)
    assert code == cli.EXIT_OK
    assert is_report(target.read_bytes())
    assert stat.S_IMODE(target.stat().st_mode) == 0o604
    assert left_over(tmp_path) == []


def test_a_symbolic_link_is_followed_and_stays_a_link(tmp_path):
    real = tmp_path / "reports" / "latest.json"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "report.json"
    link.symlink_to(real)
    code, _ = check("--output", link)
    assert code == cli.EXIT_OK
    assert link.is_symlink()
    assert link.readlink() == real
    assert is_report(real.read_bytes())


def test_a_dangling_symbolic_link_creates_its_target_as_a_redirection_would(tmp_path):
    link = tmp_path / "report.json"
    link.symlink_to(tmp_path / "made.json")
    code, _ = check("--output", link)
    assert code == cli.EXIT_OK
    assert link.is_symlink()
    assert is_report((tmp_path / "made.json").read_bytes())


# --- Special files: written into, never renamed over --------------------------------------------


def test_a_fifo_is_written_into_and_stays_a_fifo(tmp_path):
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    code, _ = check("--output", fifo)
    reader.join(timeout=30)
    assert code == cli.EXIT_OK
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert is_report(received[0])
    assert left_over(tmp_path) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="only root may make a device node")
def test_a_character_device_made_in_a_scratch_folder_stays_a_device_node(tmp_path):
    null = Path(os.devnull).stat()
    node = tmp_path / "null"
    os.mknod(node, stat.S_IFCHR | 0o666, null.st_rdev)
    code, error = check("--output", node)
    assert (code, error) == (cli.EXIT_OK, "")
    after = node.lstat()
    assert stat.S_ISCHR(after.st_mode)
    assert after.st_rdev == null.st_rdev
    assert left_over(tmp_path) == []


def test_a_link_to_the_null_device_leaves_both_as_they_were(tmp_path):
    link = tmp_path / "report.json"
    link.symlink_to(os.devnull)
    code, _ = check("--output", link)
    assert code == cli.EXIT_OK
    assert link.is_symlink()
    assert str(link.readlink()) == os.devnull
    assert stat.S_ISCHR(Path(os.devnull).lstat().st_mode)
    assert left_over(tmp_path) == []


def test_a_socket_is_refused_with_exit_status_2(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a short relative name: socket paths are short
    with socket.socket(socket.AF_UNIX) as server:
        server.bind("report.sock")
        code, error = check("--output", "report.sock")
    assert code == cli.EXIT_USAGE
    assert "is a socket" in error
    assert stat.S_ISSOCK(Path("report.sock").lstat().st_mode)


# --- Every problem with where the report goes is exit status 2 ----------------------------------


@pytest.mark.parametrize(
    ("where", "says"),
    [
        ("missing-folder/report.json", "does not exist"),
        ("a-file/report.json", "Not a directory"),
        ("/proc/report.json", "not writable"),
        ("/proc/self/report.json", "not writable"),
        ("", "empty"),
    ],
    ids=["missing-folder", "under-a-file", "proc", "proc-self", "empty"],
)
def test_an_output_that_cannot_be_written_is_exit_status_2_before_any_work(
    tmp_path, monkeypatch, where, says
):
    monkeypatch.chdir(tmp_path)
    Path("a-file").write_text("a regular file, not a folder")
    checked: list[object] = []
    monkeypatch.setattr(cli.check, "check_paths", lambda *a, **k: checked.append(a) or iter(()))
    code, error = check("--output", where)
    assert code == cli.EXIT_USAGE
    assert says in error
    assert checked == []  # found before any work
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a-file"]


def test_an_unwritable_folder_is_exit_status_2_for_root_too(tmp_path, monkeypatch):
    # Permissions alone do not stop root; the kit tries to make its temporary file there.
    def refuse(*_args: object, **_kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(output.tempfile, "mkstemp", refuse)
    code, error = check("--output", tmp_path / "report.json")
    assert code == cli.EXIT_USAGE
    assert "not writable (Permission denied)" in error


def test_a_failure_while_writing_leaves_no_temporary_file_and_is_exit_status_2(
    tmp_path, monkeypatch
):
    target = tmp_path / "report.json"
    target.write_text("the previous report")
    real_replace = Path.replace

    def full_disk(self: Path, destination: Path) -> Path:
        if Path(destination) == target:
            raise OSError(28, "No space left on device")
        return real_replace(self, destination)

    monkeypatch.setattr(Path, "replace", full_disk)
    code, error = check("--output", target)
    assert code == cli.EXIT_USAGE
    assert "No space left on device" in error
    assert target.read_text() == "the previous report"  # never half a report
    assert left_over(tmp_path) == []


def test_a_closed_standard_output_stream_is_exit_status_2():
    closed = io.StringIO()
    closed.close()
    code, error = check(stdout=closed)
    assert code == cli.EXIT_USAGE
    assert "standard output" in error


def _run_command(*args, **popen):
    environment = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "src")}
    command = [sys.executable, "-m", "pakkeforlop.cli", *args]
    return subprocess.run(command, env=environment, check=False, **popen)


def test_a_full_disk_behind_standard_output_is_exit_status_2():
    with Path("/dev/full").open("wb") as full:
        done = _run_command("check", str(EXPORT), stdout=full, stderr=subprocess.PIPE)
    assert done.returncode == cli.EXIT_USAGE
    assert b"No space left on device" in done.stderr
    assert b"Traceback" not in done.stderr


def test_standard_output_closed_by_the_shell_is_exit_status_2():
    done = _run_command(
        "check",
        str(EXPORT),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: os.close(1),  # like `>&-`
    )
    assert done.returncode == cli.EXIT_USAGE
    assert b"standard output is closed" in done.stderr


def test_a_reader_that_stops_early_is_exit_status_2_and_one_clear_line():
    environment = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "src")}
    # A report larger than a pipe holds, so that the writer meets the closed pipe.
    command = [sys.executable, "-m", "pakkeforlop.cli", "check", str(EXAMPLES), "--format", "html"]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment
    ) as process:
        assert process.stdout is not None
        assert process.stderr is not None
        process.stdout.read(100)
        process.stdout.close()  # like `| head -c 100`
        errors = process.stderr.read()
    assert process.returncode == cli.EXIT_USAGE
    assert errors.decode().splitlines() == [
        "pakkeforlop: error: standard output was closed before the whole report was written "
        "(broken pipe)"
    ]
