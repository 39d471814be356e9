"""A declared document's status is taken once, and a status the caller took is judged as one
taken by the reader: what it shows is not a regular file is not opened, and a pipe put in
the file's place after it was taken does not block the read. Reading marks the input rules
exercised once per result."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from pakkeforlop.engine import check_export
from pakkeforlop.engine.caps import DEFAULT_CAPS
from pakkeforlop.engine.recorder import Recorder
from pakkeforlop.read import InputProblem, InputProblemCode, read_bounded
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
