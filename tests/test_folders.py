"""Folder trees of any depth: walked without recursion; what cannot be listed is a finding.

Python's stack holds about a thousand frames, and a path may be at most PATH_MAX (4096 bytes on
Linux) long: a chain of folders deeper than either must give findings, never a RecursionError
or an internal error.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from pakkeforlop import cli
from pakkeforlop.engine import check_export
from pakkeforlop.read import folders
from pakkeforlop.read.folders import data_files, exports_below

from .conftest import EXAMPLES

EXPORT = EXAMPLES / "valid" / "d11-phv-adults-completed"


@contextmanager
def chain(top: Path, depth: int) -> Iterator[Path]:
    """A chain of ``depth`` folders named ``d`` below ``top``; yields the deepest one as a path
    relative to the working directory, which is the deepest folder's parent (so that a path
    longer than the system allows can still be made and removed). Removed afterwards."""
    before = Path.cwd()
    os.chdir(top)
    try:
        for _ in range(depth):
            os.mkdir("d")  # noqa: PTH102 - one level at a time, below the working directory
            os.chdir("d")
        yield Path()
    finally:
        for _ in range(depth):  # back up, removing each level: no recursion, no long path
            os.chdir("..")
            shutil.rmtree("d") if any(Path("d").iterdir()) else Path("d").rmdir()
        os.chdir(before)


def check(*args: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(["check", *map(str, args)], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_an_export_at_the_bottom_of_1500_folders_is_found_and_checked(tmp_path):
    with chain(tmp_path, 1500) as deepest:
        shutil.copytree(EXPORT, deepest / "export")
        exports, unlisted = exports_below(tmp_path)
        assert unlisted == []
        assert len(exports) == 1
        assert len(exports[0].relative_to(tmp_path).parts) == 1501
        code, out, err = check(tmp_path, "-q")
    assert (code, err) == (cli.EXIT_OK, "")
    assert "PASS" in out


def test_an_undeclared_file_1500_folders_down_is_found(tmp_path):
    export = tmp_path / "export"
    shutil.copytree(EXPORT, export)
    with chain(export, 1500) as deepest:
        (deepest / "stray.json").write_text("{}")
        found, unlisted = data_files(export)
        result = check_export(export, display_root="")
    assert unlisted == []
    assert sum(len(parts) == 1501 for parts, _ in found) == 1
    assert [f.rule for f in result.findings if f.rule.startswith("INPUT")] == ["INPUT-014"]


def test_a_folder_nested_beyond_the_path_limit_is_a_finding(tmp_path):
    # 2100 levels of "d/" is 4200 bytes: longer than PATH_MAX, so the deepest folders cannot
    # be listed by their path. INPUT-018 says so; nothing crashes.
    shutil.copytree(EXPORT, tmp_path / "export")
    with chain(tmp_path / "export", 2100):
        result = check_export(tmp_path / "export", display_root="export")
        code, out, err = check(tmp_path, "-v")
    (unlisted,) = [f for f in result.findings if f.rule == "INPUT-018"]
    assert "too long" in unlisted.message()
    assert unlisted.file.startswith("export/d/d/")
    assert [f.rule for f in result.findings if f.severity.value == "error"] == ["INPUT-018"]
    assert code == cli.EXIT_FINDINGS
    assert "INPUT-018" in out
    assert "Traceback" not in err


def test_a_file_declared_twice_is_checked_once(tmp_path):
    export = tmp_path / "export"
    shutil.copytree(EXPORT, export)
    once = check_export(export, display_root="")
    manifest = (export / "manifest.json").read_text()
    (export / "manifest.json").write_text(
        manifest.replace(
            '"files": [', '"files": [\n{"path": "./events.ndjson", "kind": "pathway-events"},', 1
        )
    )
    twice = check_export(export, display_root="")
    assert twice.events == once.events
    assert [f.rule for f in twice.findings if f.rule.startswith("INPUT")] == ["INPUT-017"]


def test_an_empty_path_is_a_usage_error_not_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(EXPORT, tmp_path / "export")
    code, out, err = check("")
    assert code == cli.EXIT_USAGE
    assert out == ""
    assert "empty PATH" in err


def test_files_found_by_a_known_path_are_neither_listed_nor_stated(tmp_path, monkeypatch):
    (tmp_path / "a").mkdir()
    for name in ("a/known.json", "a/other.json", "top.ndjson"):
        (tmp_path / name).write_text("{}")
    stated: list[str] = []
    real_identity = folders.identity

    def counting(path: Path | os.DirEntry[str], status: os.stat_result | None = None) -> object:
        stated.append(os.fspath(path))
        return real_identity(path, status)

    monkeypatch.setattr(folders, "identity", counting)
    found, _ = data_files(tmp_path, {"a/known.json", "top.ndjson"})
    assert [parts for parts, _ in found] == [("a", "other.json")]
    assert stated == [os.fspath(tmp_path / "a" / "other.json")]


#: Every name of up to five of these pieces: stems of dots and letters, and suffixes.
_NAMES = [
    "".join(pieces)
    for length in range(1, 6)
    for pieces in itertools.product([".", "a", "json", "ndjson", "xml", "JSON"], repeat=length)
]


def test_a_data_file_is_told_by_its_suffix_as_splitext_finds_it() -> None:
    data = {".json", ".ndjson", ".xml"}
    for name in _NAMES:
        suffix = os.path.splitext(name)[1]  # noqa: PTH122 (the reference)
        assert folders.has_data_suffix(name) == (suffix in data), name


def test_the_files_of_a_folder_are_told_apart_without_splitext(tmp_path, monkeypatch):
    # os.path.splitext costs ten times as much, for each of hundreds of thousands of files.
    for name in ("a.json", "b.ndjson", "c.xml", ".json", "d.txt"):
        (tmp_path / name).write_text("{}")
    split: list[str] = []
    real_splitext = os.path.splitext

    def counted(name: str) -> tuple[str, str]:
        split.append(name)
        return real_splitext(name)

    monkeypatch.setattr(os.path, "splitext", counted)
    found, _ = data_files(tmp_path)
    monkeypatch.undo()
    assert [parts for parts, _ in found] == [("a.json",), ("b.ndjson",), ("c.xml",)]
    assert split == []


@pytest.mark.parametrize(
    ("relative", "key"),
    [
        ("a/b.json", "a/b.json"),
        ("./a//b.json", "a/b.json"),
        ("a/./b.json", "a/b.json"),
        ("/a/b.json/", "a/b.json"),
    ],
)
def test_a_relative_path_has_one_spelling(relative, key):
    assert folders.relative_key(relative) == key


def test_a_second_name_or_spelling_of_a_declared_file_is_declared_but_a_stray_file_is_not(
    tmp_path,
):
    export = tmp_path / "export"
    shutil.copytree(EXPORT, export)
    manifest = json.loads((export / "manifest.json").read_text())
    events = next(entry for entry in manifest["files"] if entry["kind"] == "pathway-events")
    events["path"] = "./" + events["path"].replace("/", "//")  # found under its plain name
    (export / "manifest.json").write_text(json.dumps(manifest))
    os.link(export / "events.ndjson", export / "events-again.ndjson")  # found by its identity
    (export / "stray.json").write_text("{}")
    result = check_export(export, display_root="")
    undeclared = [f.file for f in result.findings if f.rule == "INPUT-014"]
    assert undeclared == ["stray.json"]
