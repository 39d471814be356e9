"""The manifest's text is not kept once it is read: it is read again, only when a finding on
it must be located, and only used if it is still the text that was checked."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from pakkeforlop.engine import check_export
from pakkeforlop.engine import files as engine_files
from pakkeforlop.engine.run import Run

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "valid" / "d11-phv-adults-completed"
MISSING_FILE = "INPUT-013"


def _export(tmp_path: Path, *, missing: bool) -> Path:
    export = tmp_path / "export"
    shutil.copytree(EXAMPLE, export)
    if missing:
        manifest = json.loads((export / "manifest.json").read_text(encoding="utf-8"))
        (export / manifest["files"][0]["path"]).unlink()
    return export


def _manifest_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    reads: list[str] = []
    real = engine_files.read_json_file

    def counted(path: str | Path, *args: Any, **kwargs: Any) -> Any:
        if Path(path).name == "manifest.json":
            reads.append(str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(engine_files, "read_json_file", counted)
    return reads


def _first_path_line(export: Path) -> int:
    """The line of the first declared file's ``path`` member in the manifest's text."""
    lines = (export / "manifest.json").read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if '"path"' in line)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_manifest_without_findings_is_read_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    reads = _manifest_reads(monkeypatch)
    result = check_export(_export(tmp_path, missing=False), display_root="", jobs=jobs)
    assert not [finding for finding in result.findings if finding.file == "manifest.json"]
    assert len(reads) == 1


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_finding_on_the_manifest_is_located_in_its_text_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    export = _export(tmp_path, missing=True)
    reads = _manifest_reads(monkeypatch)
    result = check_export(export, display_root="", jobs=jobs)
    (missing,) = [finding for finding in result.findings if finding.rule == MISSING_FILE]
    assert (missing.pointer, missing.line) == ("/files/0/path", _first_path_line(export))
    assert len(reads) == 2


def test_a_manifest_changed_since_it_was_checked_gives_its_findings_no_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export = _export(tmp_path, missing=True)
    manifest = export / "manifest.json"
    real = Run.read_manifest

    def then_changed(self: Run) -> Any:
        declared = real(self)
        manifest.write_bytes(b"\n\n" + manifest.read_bytes())  # every line two further down
        return declared

    monkeypatch.setattr(Run, "read_manifest", then_changed)
    result = check_export(export, display_root="", jobs=1)
    (missing,) = [finding for finding in result.findings if finding.rule == MISSING_FILE]
    assert missing.pointer == "/files/0/path"
    assert missing.line is None  # not a line of a text that was not checked
