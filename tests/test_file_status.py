"""A declared document's status is taken once, and a status the caller took is judged as one
taken by the reader: what it shows is not a regular file is not opened, and a pipe put in
the file's place after it was taken does not block the read. A regular file is read whole in
one read unless it changed after it was measured, and what the fast parse reads of it is
checked without a ReadResult. A plainly spelled path is joined as text. Reading marks the
input rules exercised once per result."""

from __future__ import annotations

import itertools
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from pakkeforlop.engine import check_export
from pakkeforlop.engine import files as engine_files
from pakkeforlop.engine.caps import DEFAULT_CAPS
from pakkeforlop.engine.files import checkable
from pakkeforlop.engine.recorder import Recorder
from pakkeforlop.engine.run import Run
from pakkeforlop.read import (
    InputProblem,
    InputProblemCode,
    JsonText,
    Limits,
    ReadResult,
    read_bounded,
    read_whole,
)
from pakkeforlop.read import files as read_files
from pakkeforlop.rules.engine_reported import INPUT_RULES, WRONG_SCHEMA_RULE

EXPORT = Path(__file__).resolve().parents[1] / "examples" / "valid" / "d11-phv-adults-completed"


def test_each_declared_document_is_stated_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export = tmp_path / "export"
    shutil.copytree(EXPORT, export)
    documents = {path.name for path in export.glob("*.json")} - {"manifest.json"}
    assert documents
    stated: list[str] = []
    real_stat = os.stat

    def counted(path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        stated.append(Path(path).name)
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", counted)
    result = check_export(export, display_root="", jobs=1)
    monkeypatch.undo()
    assert result.documents >= len(documents)
    assert {name: stated.count(name) for name in documents} == dict.fromkeys(documents, 1)


def _reads(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How many times each file (by name) is read from, counted from now on."""
    names: dict[int, str] = {}
    reads: dict[str, int] = {}
    real_open, real_read = os.open, os.read

    def opened(path: Any, *args: Any, **kwargs: Any) -> int:
        descriptor = real_open(path, *args, **kwargs)
        names[descriptor] = Path(path).name
        return descriptor

    def read(descriptor: int, count: int) -> bytes:
        name = names.get(descriptor, "")
        reads[name] = reads.get(name, 0) + 1
        return real_read(descriptor, count)

    monkeypatch.setattr(os, "open", opened)
    monkeypatch.setattr(os, "read", read)
    return reads


@pytest.mark.parametrize("data", [b"", b"{}", b'{"a": "' + b"x" * 100_000 + b'"}'])
def test_a_regular_file_is_read_whole_in_one_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: bytes
) -> None:
    # A read that stops short of what was asked for (the size measured, and a byte more)
    # ends at the end of a regular file: no second read to see the end.
    path = tmp_path / "document.json"
    path.write_bytes(data)
    reads = _reads(monkeypatch)
    assert read_bounded(path, 1_000_000) == data
    assert read_bounded(path, 1_000_000, status=path.stat()) == data
    monkeypatch.undo()
    assert reads == {"document.json": 2}


def test_each_declared_document_is_read_in_one_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export = tmp_path / "export"
    shutil.copytree(EXPORT, export)
    documents = {path.name for path in export.glob("*.json")} - {"manifest.json"}
    reads = _reads(monkeypatch)
    result = check_export(export, display_root="", jobs=1)
    monkeypatch.undo()
    assert result.documents >= len(documents)
    assert {name: reads.get(name) for name in documents} == dict.fromkeys(documents, 1)


def test_a_file_that_shrank_after_it_was_measured_is_read_to_its_end(tmp_path: Path) -> None:
    path = tmp_path / "document.json"
    path.write_bytes(b'{"a": "0123456789012345"}')
    measured = path.stat()
    path.write_bytes(b"{}")
    assert read_bounded(path, 100, status=measured) == b"{}"
    path.write_bytes(b"")
    assert read_bounded(path, 100, status=measured) == b""


def test_the_bytes_of_a_file_that_grew_over_the_limit_are_those_read(tmp_path: Path) -> None:
    # A reader's caller hashes the bytes read: those of a file that grew after it was measured
    # are more than it measured, so it is not taken for read whole.
    path = tmp_path / "document.json"
    path.write_bytes(b"{}")
    measured = path.stat()
    path.write_bytes(b"{} " * 10)
    data, problem = read_whole(path, 5, status=measured)
    assert data == b"{} {} "
    assert problem is not None
    assert problem.code is InputProblemCode.TOO_LARGE
    data, problem = read_whole(path, 5)  # measured now: too large to be opened
    assert data == b""
    assert problem is not None
    assert problem.code is InputProblemCode.TOO_LARGE


def test_a_document_the_fast_parse_reads_is_checked_without_a_read_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export = tmp_path / "export"
    shutil.copytree(EXPORT, export)
    made: list[ReadResult] = []

    def counted(*args: Any, **kwargs: Any) -> ReadResult:
        made.append(ReadResult(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(engine_files, "ReadResult", counted)
    monkeypatch.setattr(read_files, "ReadResult", counted)
    result = check_export(export, display_root="", jobs=1)
    monkeypatch.undo()
    assert result.fast >= 3  # the manifest, the referral, the epicrisis (and event lines)
    assert [one.text is not None and "files" in one.text.value for one in made] == [True]


#: Every path of up to six characters from these, as a manifest may declare it.
_SPELLINGS = [
    "".join(characters)
    for length in range(7)
    for characters in itertools.product("a./", repeat=length)
    if checkable((0, "".join(characters), "referral", None))
]


def test_a_declared_path_is_joined_and_named_as_pathlib_would(tmp_path: Path) -> None:
    run = Run(tmp_path, "shown", Limits())
    recorder = run.recorder
    for relative in _SPELLINGS:
        path = tmp_path.joinpath(*relative.split("/"))
        placed = run.files.place((0, relative, "referral", None))
        assert placed == (os.fspath(path), recorder.display(path)), relative


def test_a_plainly_spelled_path_is_joined_as_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # os.path.join gives the same, at a cost that counts for hundreds of thousands of files.
    run = Run(tmp_path, "", Limits())

    joined: list[tuple[str, ...]] = []
    real_join = os.path.join

    def counted(*parts: str) -> str:
        joined.append(parts)
        return real_join(*parts)

    monkeypatch.setattr(os.path, "join", counted)
    placed = run.files.place((0, "referrals/001/a.json", "referral", None))
    monkeypatch.undo()
    assert joined == []
    assert placed == (os.fspath(tmp_path / "referrals" / "001" / "a.json"), "referrals/001/a.json")


def test_a_status_given_is_judged_as_one_taken_by_the_reader(tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    path = tmp_path / "document.json"
    path.write_bytes(b"{}")
    given = read_bounded(path, 100, status=folder.stat())  # the path was a folder
    assert isinstance(given, InputProblem)
    assert given.code is InputProblemCode.UNREADABLE
    assert "directory" in given.message
    too_large = read_bounded(path, 1, status=path.stat())
    assert isinstance(too_large, InputProblem)
    assert too_large.code is InputProblemCode.TOO_LARGE
    assert read_bounded(path, 100, status=path.stat()) == b"{}"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_pipe_put_in_place_after_the_status_was_taken_does_not_block_the_read(
    tmp_path: Path,
) -> None:
    path = tmp_path / "document.json"
    path.write_bytes(b"{}")
    status = path.stat()
    path.unlink()
    os.mkfifo(path)  # no writer: a blocking open would wait for ever
    assert read_bounded(path, 100, status=status) == b""


def test_reading_exercises_the_input_rules_in_every_part_of_a_run() -> None:
    # The input rules are added to a result's exercised rules once, not per file: a new part
    # (a worker's next task) has a new result, which must get them again.
    recorder = Recorder(EXPORT, "", DEFAULT_CAPS)
    wanted = {*INPUT_RULES.values(), WRONG_SCHEMA_RULE}
    for _ in range(2):
        recorder.mark_read()
        assert wanted <= recorder.result.exercised
        recorder.mark_read()
        assert wanted <= recorder.result.exercised
        recorder.new_part()
        assert not wanted & recorder.result.exercised


def test_a_regular_file_within_the_limit_is_judged_by_the_status_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Nearly every declared file: read_whole judges it itself, with no call per file (what
    # is judged elsewhere is judged by _file_problem, as before).
    path = tmp_path / "document.json"
    path.write_bytes(b"{}")
    status = path.stat()

    def judged(*args: Any) -> InputProblem | int:
        raise AssertionError(args)

    monkeypatch.setattr(read_files, "_file_problem", judged)
    assert read_whole(path, 2, status) == (b"{}", None)
    with pytest.raises(AssertionError):
        read_whole(path, 1, status)  # too large: judged (and reported) by _file_problem
    with pytest.raises(AssertionError):
        read_whole(path, 2)  # no status given: taken and judged by _file_problem


def test_a_text_makes_its_table_of_containers_when_first_located() -> None:
    # Most texts are never located: an empty table made for each cost about 30 ns per document.
    text = JsonText({"a": [1, 2]}, b'{"a": [1,\n 2]}', may_have_duplicate_keys=False)
    assert text._containers is None
    assert text.locate("/a/1") == (2, 2)
    assert text._containers
