"""The manifest's declared files, as the main process reads them before the workers start:
the shortcuts that spare passes over every entry give what the full passes gave."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pakkeforlop.engine.run import Run
from pakkeforlop.model import facts
from pakkeforlop.read import Limits
from pakkeforlop.rules.engine_reported import KITH_MESSAGE


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
