"""The manifest's declared files, as the main process reads them before the workers start:
the shortcuts that spare passes over every entry give what the full passes gave."""

from __future__ import annotations

import hashlib
import json
import shutil
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pakkeforlop.engine import check_export, workers
from pakkeforlop.engine import files as engine_files
from pakkeforlop.engine.files import (
    FILE_KINDS,
    Declared,
    DigestAside,
    checkable,
    plainly_spelled,
)
from pakkeforlop.engine.run import Run
from pakkeforlop.model import facts
from pakkeforlop.read import Limits
from pakkeforlop.read.folders import relative_key
from pakkeforlop.rules.engine_reported import KITH_MESSAGE

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _export(folder: Path, files: list[Any]) -> Path:
    """An export folder holding only a manifest declaring ``files``."""
    folder.mkdir()
    manifest = {"specVersion": "1.0.0", "created": "2025-01-01", "files": files}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def _read(folder: Path) -> Run:
    run = Run(folder, "", Limits())
    run.read_manifest()
    return run


def test_feedback_is_exported_when_a_well_formed_entry_declares_it(tmp_path: Path) -> None:
    declared = {"path": "feedback/a.json", "kind": "feedback"}
    malformed = [{"kind": "feedback"}, {"path": 1, "kind": "feedback"}, "feedback"]
    other = {"path": "referrals/a.json", "kind": "referral"}
    run = _read(_export(tmp_path / "declared", [other, declared]))
    assert run.recorder.facts.feedback_exported
    run = _read(_export(tmp_path / "malformed", [other, *malformed]))
    assert not run.recorder.facts.feedback_exported


def test_only_a_kith_message_s_supplement_is_kept(tmp_path: Path) -> None:
    supplement = {"pathwayInstanceId": "A"}
    files = [
        {"path": "referrals/a.json", "kind": "referral", "supplement": {"x": 1}},
        {"path": "kith/a.xml", "kind": KITH_MESSAGE, "supplement": supplement},
        {"path": "kith/b.xml", "kind": KITH_MESSAGE, "supplement": "not an object"},
        {"kind": KITH_MESSAGE, "supplement": {"y": 2}},  # no path: not declared
    ]
    run = _read(_export(tmp_path / "export", files))
    assert run.files.supplements == {1: supplement}
    assert facts.declared_supplements({"files": files}, [0, 1, 2]) == {0: {"x": 1}, 1: supplement}
    assert facts.declared_supplements({"files": "none"}, [0]) == {}


#: Paths as a manifest may write them: short, of the characters that make them plain or not.
PATHS = st.text(alphabet="a./\x00", max_size=5)
DECLARED = st.lists(
    st.tuples(PATHS, st.sampled_from([*FILE_KINDS, "other"]), st.none()), max_size=6
).map(lambda files: [(index, *file) for index, file in enumerate(files)])


@given(st.lists(PATHS, max_size=5))
def test_paths_told_plain_at_once_are_each_checkable_and_spelled_as_their_key(
    paths: list[str],
) -> None:
    plain = plainly_spelled(paths)
    assert plain == all(plainly_spelled([path]) for path in paths)  # (joined, none mixes)
    if plain:
        assert all(checkable((0, path, "referral", None)) for path in paths)
        assert all(relative_key(path) == path for path in paths)


@given(DECLARED)
def test_checkable_files_once_are_those_each_test_gives(declared: list[Declared]) -> None:
    at_once, one_by_one = Run(Path("export"), "", Limits()), Run(Path("export"), "", Limits())
    entries, known = at_once.files.checkable_once(list(declared))
    expected = one_by_one.files.once_each([entry for entry in declared if checkable(entry)])
    assert entries == expected[0]
    assert set(known) == set(expected[1])
    assert at_once.recorder.found.kept == one_by_one.recorder.found.kept
    assert at_once.recorder.result.exercised == one_by_one.recorder.result.exercised


def test_plainly_spelled_files_declared_once_are_not_tested_one_by_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refused(*_args: object) -> bool:
        raise AssertionError

    monkeypatch.setattr(engine_files, "checkable", refused)
    monkeypatch.setattr(engine_files, "relative_key", refused)
    declared: list[Declared] = [
        (0, "referrals/a.json", "referral", None),
        (1, "epicrises/a.json", "epicrisis", "0" * 64),
    ]
    run = Run(Path("export"), "", Limits())
    entries, known = run.files.checkable_once(declared)
    assert entries == declared
    assert entries is not declared  # (the caller empties its own list)
    assert known == {"referrals/a.json", "epicrises/a.json"}


@given(
    st.integers(0, 40),
    st.sampled_from(["referral", "epicrisis", "feedback"]),
    st.integers(1, 100),
    st.integers(1, 7),
    st.integers(1, 30),
)
def test_documents_are_cut_into_the_tasks_weighing_each_would_give(
    count: int, kind: str, task_bytes: int, task_files: int, weight: int
) -> None:
    declared: list[Declared] = [(index, f"{index}.json", kind, None) for index in range(count)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(workers, "TASK_BYTES", task_bytes)
        patch.setattr(workers, "TASK_FILES", task_files)
        patch.setattr(workers, "DOCUMENT_WEIGHT", weight)
        planned = workers.plan_tasks(declared, Path("export"))
        assert planned == workers._plan_by_weight(declared, Path("export"))


def test_documents_alone_are_cut_into_tasks_without_weighing_each(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refused(*_args: object) -> None:
        raise AssertionError

    monkeypatch.setattr(workers, "_plan_by_weight", refused)
    count = 2 * workers.TASK_FILES + 1
    declared: list[Declared] = [
        (index, f"{index}.json", "referral", None) for index in range(count)
    ]
    tasks = workers.plan_tasks(declared, Path("export"))
    assert [len(task) for task, _ in tasks] == [workers.TASK_FILES] * 2 + [1]
    assert [entry for task, _ in tasks for entry in task] == declared


#: File entries as a manifest may write them, well formed or not.
ENTRIES = st.lists(
    st.one_of(
        st.dictionaries(
            st.sampled_from(["path", "kind", "sha256", "supplement"]),
            st.one_of(st.none(), st.integers(), st.text(max_size=3), st.just({})),
        ),
        st.text(max_size=2),
        st.none(),
    ),
    max_size=6,
)


@given(ENTRIES)
def test_declared_files_are_the_well_formed_entries(entries: list[Any]) -> None:
    expected = [
        (
            index,
            entry["path"],
            entry["kind"],
            entry["sha256"] if isinstance(entry.get("sha256"), str) else None,
        )
        for index, entry in enumerate(entries)
        if isinstance(entry, dict)
        and isinstance(entry.get("path"), str)
        and isinstance(entry.get("kind"), str)
    ]
    assert facts.declared_files({"files": entries}) == expected


@given(st.lists(st.binary(max_size=40), max_size=4), st.integers(0, 30))
def test_a_digest_aside_is_that_of_every_byte_read(chunks: list[bytes], aside: int) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine_files, "ASIDE_BYTES", aside)
        with DigestAside() as digest:
            for chunk in chunks:
                digest.update(chunk)
        assert digest.digest() == hashlib.sha256(b"".join(chunks)).digest()


def test_large_reads_are_hashed_in_another_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    hashed_in: list[tuple[int, threading.Thread]] = []

    class Spy:
        def update(self, data: bytes) -> None:
            hashed_in.append((len(data), threading.current_thread()))

        def digest(self) -> bytes:
            return b""

    monkeypatch.setattr(engine_files, "hashlib", SimpleNamespace(sha256=Spy))
    with DigestAside() as digest:
        digest.update(b"x" * (engine_files.ASIDE_BYTES - 1))
        digest.update(b"x" * engine_files.ASIDE_BYTES)
    main = threading.main_thread()
    assert [(size, thread is main) for size, thread in hashed_in] == [
        (engine_files.ASIDE_BYTES - 1, True),
        (engine_files.ASIDE_BYTES, False),
    ]


def test_leaving_a_digest_aside_waits_for_its_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    hashed: list[int] = []

    class Slow:
        def update(self, data: bytes) -> None:
            time.sleep(0.2)  # (however long it takes: the context's end waits)
            hashed.append(len(data))

    monkeypatch.setattr(engine_files, "hashlib", SimpleNamespace(sha256=Slow))
    threads = threading.active_count()
    with DigestAside() as digest:
        digest.update(b"x" * engine_files.ASIDE_BYTES)
    assert hashed == [engine_files.ASIDE_BYTES]
    assert threading.active_count() == threads


def test_the_manifest_hashed_aside_locates_findings_and_leaves_no_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_files, "ASIDE_BYTES", 1)
    export = tmp_path / "export"
    shutil.copytree(EXAMPLES / "valid" / "d11-phv-adults-completed", export)
    manifest = json.loads((export / "manifest.json").read_text(encoding="utf-8"))
    (export / manifest["files"][0]["path"]).unlink()
    threads = threading.active_count()
    run = Run(export, "", Limits())
    run.read_manifest()
    assert threading.active_count() == threads  # (workers are forked only from one thread)
    result = check_export(export, display_root="", jobs=2)
    (missing,) = [finding for finding in result.findings if finding.rule == "INPUT-013"]
    assert missing.line is not None  # located: the manifest read again has the same digest
