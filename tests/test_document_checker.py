"""What the document checker saves per document keeps what each check reports."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from pakkeforlop.engine.caps import DEFAULT_CAPS
from pakkeforlop.engine.documents import DocumentChecker
from pakkeforlop.engine.recorder import Recorder
from pakkeforlop.model.records import Document, ExportFacts
from pakkeforlop.rules.checks import Check, Hit, Scope

from .golden import REFERRAL


def _checker(tmp_path: Path) -> DocumentChecker:
    return DocumentChecker(Recorder(tmp_path, ".", DEFAULT_CAPS))


def _hit(_document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    yield Hit(pointer="")


def test_a_condition_shared_by_checks_is_asked_once_per_document(tmp_path: Path) -> None:
    asked: list[str] = []

    def shared(document: Document, _facts: ExportFacts) -> bool:
        asked.append(document.path)
        return True

    checker = _checker(tmp_path)
    checker.checks_of_kind["referral"] = [
        Check(rule_id, Scope.DOCUMENT, frozenset({"referral"}), _hit, shared)
        for rule_id in ("REFERRAL-009", "REFERRAL-010", "REFERRAL-011")
    ]
    for path in ("a.json", "b.json"):
        checker.run_checks(Document("referral", path, {}))
    assert asked == ["a.json", "b.json"]
    found = checker.recorder.found.kept
    assert [(finding.rule, finding.file) for finding in found] == [
        (rule_id, path)
        for path in ("a.json", "b.json")
        for rule_id in ("REFERRAL-009", "REFERRAL-010", "REFERRAL-011")
    ]


def test_a_failing_shared_condition_is_reported_for_each_check(tmp_path: Path) -> None:
    def broken(_document: Document, _facts: ExportFacts) -> bool:
        raise RuntimeError

    checker = _checker(tmp_path)
    checker.checks_of_kind["referral"] = [
        Check(rule_id, Scope.DOCUMENT, frozenset({"referral"}), _hit, broken)
        for rule_id in ("REFERRAL-009", "REFERRAL-010")
    ]
    checker.run_checks(Document("referral", "a.json", {}))
    internal = [finding.args for finding in checker.recorder.found.kept]
    assert len(internal) == 2
    assert "REFERRAL-009" in str(internal[0])
    assert "REFERRAL-010" in str(internal[1])


def test_every_part_of_an_export_records_the_schema_rules_it_exercised(tmp_path: Path) -> None:
    checker = _checker(tmp_path)
    recorder = checker.recorder
    value = json.loads(REFERRAL)
    for _ in range(2):
        recorder.new_part()
        checker.schema_findings(Document("referral", "a.json", value))
        assert checker.schema_rules["referral"] <= recorder.result.exercised
