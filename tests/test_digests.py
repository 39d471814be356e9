"""INPUT-016: a declared digest is compared with the whole file, whether or not it was read whole.

A file is hashed from the bytes read to check it; a file the reader does not read whole (over a
size limit, or with an over-long NDJSON line) is hashed from the disk instead.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from pakkeforlop.engine import check_export, workers
from pakkeforlop.engine import files as engine_files
from pakkeforlop.read import Limits

VALID = Path(__file__).resolve().parents[1] / "examples" / "valid"
EXPORT = VALID / "d11-phv-adults-completed"
KITH_EXPORT = VALID / "kith-d11-phv-adults"
#: Limits under which the referral and epicrisis are too large to read, and every events line
#: too long (the manifest is read).
TIGHT = Limits(max_file_bytes=2000, max_line_bytes=40)


def _copy(tmp_path: Path, source: Path = EXPORT) -> Path:
    export = tmp_path / "export"
    shutil.copytree(source, export)
    return export


def _declare(export: Path, name: str, digest: str) -> None:
    manifest_path = export / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        if entry["path"] == name:
            entry["sha256"] = digest
    manifest_path.write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def _digest_findings(export: Path, limits: Limits | None = None) -> list[str | None]:
    result = check_export(export, display_root="", limits=limits, jobs=1)
    return [finding.pointer for finding in result.findings if finding.rule == "INPUT-016"]


@pytest.mark.parametrize("limits", [None, TIGHT], ids=["read whole", "not read whole"])
def test_the_declared_digests_of_the_example_hold(tmp_path: Path, limits: Limits | None) -> None:
    assert _digest_findings(_copy(tmp_path), limits) == []


@pytest.mark.parametrize("limits", [None, TIGHT], ids=["read whole", "not read whole"])
@pytest.mark.parametrize("name", ["referral.json", "events.ndjson", "epicrisis.json"])
def test_a_changed_file_is_reported(tmp_path: Path, limits: Limits | None, name: str) -> None:
    export = _copy(tmp_path)
    with (export / name).open("ab") as handle:
        handle.write(b"\n")
    assert _digest_findings(export, limits) != []


@pytest.mark.parametrize("limits", [None, TIGHT], ids=["read whole", "not read whole"])
def test_only_the_files_read_by_their_own_readers_feed_a_digest_as_they_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limits: Limits | None
) -> None:
    # A declared document is read in one piece and hashed from its bytes at once; the events
    # file is hashed block by block as its reader reads it.
    fed: list[int] = []

    class Counted(engine_files.Digest):
        def update(self, data: bytes, /) -> None:
            fed.append(len(data))
            super().update(data)

    monkeypatch.setattr(engine_files, "Digest", Counted)
    assert _digest_findings(_copy(tmp_path), limits) == []
    assert sum(fed) == (EXPORT / "events.ndjson").stat().st_size


def test_the_digest_finding_points_at_the_manifest_entry(tmp_path: Path) -> None:
    export = _copy(tmp_path)
    _declare(export, "events.ndjson", hashlib.sha256(b"something else").hexdigest())
    assert _digest_findings(export) == ["/files/1/sha256"]


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_digest_finding_has_the_line_and_column_of_the_entry(
    tmp_path: Path, jobs: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workers, "TASK_FILES", 1)  # with two jobs, a task per file: workers
    export = _copy(tmp_path)
    _declare(export, "events.ndjson", hashlib.sha256(b"something else").hexdigest())
    lines = (export / "manifest.json").read_text(encoding="utf-8").splitlines()
    line = [number for number, text in enumerate(lines, 1) if '"sha256":' in text][1]
    column = lines[line - 1].index('"', lines[line - 1].index(":")) + 1
    result = check_export(export, display_root="", jobs=jobs)
    (finding,) = [finding for finding in result.findings if finding.rule == "INPUT-016"]
    assert (finding.file, finding.line, finding.column) == ("manifest.json", line, column)


def test_a_file_that_cannot_be_looked_at_is_unreadable_not_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As when a folder on its path denies search permission (not testable as root)."""
    export = _copy(tmp_path)
    real_stat, real_open = Path.stat, os.open

    def denied(self: Path, **kwargs: bool) -> os.stat_result:
        if self.name == "referral.json":
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_stat(self, **kwargs)

    def not_opened(path: Any, *args: Any, **kwargs: Any) -> int:
        if Path(path).name == "referral.json":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(Path, "stat", denied)
    monkeypatch.setattr(os, "open", not_opened)
    result = check_export(export, display_root="", jobs=1)
    rules = {(finding.rule, finding.file) for finding in result.findings}
    assert ("INPUT-001", "referral.json") in rules
    assert not any(rule in {"INPUT-013", "INPUT-016"} for rule, _ in rules)


@pytest.mark.parametrize("kind", ["folder", "pipe"])
def test_a_declared_file_that_is_not_a_regular_file_has_no_digest_to_differ(
    tmp_path: Path, kind: str
) -> None:
    """Reading it reports why it was not read; its declared digest is compared with nothing."""
    export = _copy(tmp_path)
    referral = export / "referral.json"
    referral.unlink()
    if kind == "folder":
        referral.mkdir()
    else:
        os.mkfifo(referral)
    _declare(export, "referral.json", "0" * 64)
    result = check_export(export, display_root="", jobs=1)
    rules = {(finding.rule, finding.file) for finding in result.findings}
    assert ("INPUT-001", "referral.json") in rules
    assert not any(rule == "INPUT-016" for rule, _ in rules)


@pytest.mark.parametrize("name", ["henvisning.xml", "epikrise.xml"])
def test_a_changed_kith_message_is_reported(tmp_path: Path, name: str) -> None:
    export = _copy(tmp_path, KITH_EXPORT)
    assert _digest_findings(export) == []
    with (export / name).open("ab") as handle:
        handle.write(b"\n")
    assert _digest_findings(export) != []


def test_a_declared_kith_message_is_opened_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export = _copy(tmp_path, KITH_EXPORT)
    opened: list[str] = []
    real_open, real_path_open = os.open, Path.open

    def counted(path: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(Path(path).name)
        return real_open(path, *args, **kwargs)

    def counted_path(self: Path, *args: Any, **kwargs: Any) -> Any:
        opened.append(self.name)
        return real_path_open(self, *args, **kwargs)

    monkeypatch.setattr(os, "open", counted)
    monkeypatch.setattr(Path, "open", counted_path)
    assert _digest_findings(export) == []
    assert opened.count("henvisning.xml") == opened.count("epikrise.xml") == 1
