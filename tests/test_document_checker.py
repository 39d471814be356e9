"""What the document checker saves per document keeps what each check reports."""

from __future__ import annotations

import copy
import inspect
import json
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pakkeforlop.engine.caps import DEFAULT_CAPS
from pakkeforlop.engine.documents import DocumentChecker, Step
from pakkeforlop.engine.recorder import Recorder
from pakkeforlop.model.facts import get as facts_get
from pakkeforlop.model.records import Document, ExportFacts
from pakkeforlop.rules import referral
from pakkeforlop.rules.checks import (
    Applies,
    Check,
    Hit,
    Present,
    Quiet,
    Scope,
    always,
    by_scope,
    export_condition,
    of_the_export,
    registered,
)

from .conftest import EXAMPLES, spied
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


class _HashCounted:
    """A condition that counts how often it is hashed (looked up in a dict or set)."""

    def __init__(self) -> None:
        self.hashed = 0

    def __call__(self, _document: Document, _facts: ExportFacts) -> bool:
        return True

    def __hash__(self) -> int:
        self.hashed += 1
        return 0


def test_a_documents_answers_are_kept_by_place_not_looked_up_by_test(tmp_path: Path) -> None:
    # Steps that share a test share the place of its answer, given as they are planned: a
    # document's run looks up no test (a lookup by the test cost about 0.25 µs a document).
    shared = _HashCounted()
    checker = _checker(tmp_path)
    checker.checks_of_kind["referral"] = [
        Check(rule_id, Scope.DOCUMENT, frozenset({"referral"}), _hit, condition)
        for rule_id, condition in (
            ("REFERRAL-009", shared),
            ("REFERRAL-010", always),
            ("REFERRAL-011", shared),
        )
    ]
    steps = checker.steps_of("referral")
    assert [(step.applies, step.applies_at) for step in steps] == [
        (shared, 0),
        (None, -1),
        (shared, 0),
    ]
    planned = shared.hashed
    for path in ("a.json", "b.json"):
        checker.run_checks(Document("referral", path, {}))
    assert shared.hashed == planned
    assert len(checker.recorder.found.kept) == 6


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


# -- steps: checks next to each other that share their condition ----------------------------


class _CountingSet(set[str]):
    """A set of exercised rules that counts the calls that add to it."""

    adds = 0

    def add(self, item: str) -> None:
        self.adds += 1
        super().add(item)

    def update(self, *items: Iterable[str]) -> None:
        self.adds += 1
        super().update(*items)


def _quiet_checks(
    quiet: Quiet, called: list[str], applies: Applies = always, hits: bool = True
) -> list[Check]:
    """Two checks with one quiet test, in two steps: the second has a condition of its own."""

    def check(document: Document, _facts: ExportFacts) -> Iterator[Hit]:
        called.append(document.path)
        if hits:
            yield Hit(pointer="")

    def also(document: Document, facts: ExportFacts) -> bool:
        return applies(document, facts)

    return [
        Check(rule_id, Scope.DOCUMENT, frozenset({"referral"}), check, condition, quiet=quiet)
        for rule_id, condition in (("REFERRAL-009", applies), ("REFERRAL-010", also))
    ]


def test_a_steps_rules_are_exercised_once_per_result_where_its_condition_holds(
    tmp_path: Path,
) -> None:
    checker = _checker(tmp_path)
    recorder = checker.recorder
    checker.checks_of_kind["referral"] = [
        Check(rule_id, Scope.DOCUMENT, frozenset({"referral"}), _nothing, _has_member)
        for rule_id in ("REFERRAL-009", "REFERRAL-010", "REFERRAL-011")
    ]
    for _ in range(2):
        recorder.new_part()
        recorder.result.exercised = exercised = _CountingSet()
        checker.run_checks(Document("referral", "a.json", {}))  # the condition does not hold
        assert exercised == set()
        for path in ("b.json", "c.json", "d.json"):
            checker.run_checks(Document("referral", path, {"member": 1}))
        assert exercised == {"REFERRAL-009", "REFERRAL-010", "REFERRAL-011"}
        assert exercised.adds == 1


def _nothing(_document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    yield from ()


def _has_member(document: Document, _facts: ExportFacts) -> bool:
    return "member" in document.value


def test_checks_their_quiet_test_clears_are_exercised_but_not_run(tmp_path: Path) -> None:
    asked: list[str] = []

    def quiet(document: Document, _facts: ExportFacts) -> bool:
        asked.append(document.path)
        return document.path == "calm.json"

    called: list[str] = []
    checker = _checker(tmp_path)
    checker.checks_of_kind["referral"] = _quiet_checks(quiet, called)
    checker.run_checks(Document("referral", "calm.json", {}))
    assert checker.recorder.result.exercised >= {"REFERRAL-009", "REFERRAL-010"}
    checker.run_checks(Document("referral", "not.json", {}))
    assert asked == ["calm.json", "not.json"]  # once per document for both steps
    assert called == ["not.json", "not.json"]
    found = [(finding.rule, finding.file) for finding in checker.recorder.found.kept]
    assert found == [("REFERRAL-009", "not.json"), ("REFERRAL-010", "not.json")]


def test_a_quiet_test_is_not_asked_where_the_condition_does_not_hold(tmp_path: Path) -> None:
    def quiet(_document: Document, _facts: ExportFacts) -> bool:
        raise AssertionError

    called: list[str] = []
    checker = _checker(tmp_path)
    checker.checks_of_kind["referral"] = _quiet_checks(quiet, called, _has_member)
    checker.run_checks(Document("referral", "a.json", {}))
    assert not called
    assert not checker.recorder.found.kept


def test_a_failing_quiet_test_lets_the_checks_run_and_reports_nothing(tmp_path: Path) -> None:
    def broken(_document: Document, _facts: ExportFacts) -> bool:
        raise RuntimeError

    called: list[str] = []
    checker = _checker(tmp_path)
    checker.checks_of_kind["referral"] = _quiet_checks(broken, called, hits=False)
    checker.run_checks(Document("referral", "a.json", {}))
    assert called == ["a.json", "a.json"]
    assert not checker.recorder.found.kept


def test_a_quiet_test_is_asked_by_the_loop_of_steps_itself(tmp_path: Path) -> None:
    # Not through a version of it that catches its failure (run_checks does): a call per table
    # and document spared.
    callers: list[str] = []

    def quiet(_document: Document, _facts: ExportFacts) -> bool:
        callers.append(inspect.stack(context=0)[1].function)
        return True

    checker = _checker(tmp_path)
    checker.checks_of_kind["referral"] = _quiet_checks(quiet, [])
    checker.run_checks(Document("referral", "a.json", {}))
    assert callers == ["run_checks"]


def test_a_complete_referral_runs_none_of_its_content_checks(tmp_path: Path) -> None:
    """The content items' table is cleared by one look (``content_complete``)."""
    called: list[str] = []

    checker = _checker(tmp_path)
    checker.checks_of_kind["referral"] = [
        spied(check, called) for check in checker.checks_of("referral")
    ]
    checker.run_checks(Document("referral", "a.json", json.loads(REFERRAL)))
    content = {item.rule_id for item in referral.CONTENT_ITEMS}
    assert content <= checker.recorder.result.exercised
    assert called  # the referral's other checks ran
    assert not content & set(called)


# -- the steps give what checking one by one gives ------------------------------------------


def _one_by_one(checker: DocumentChecker, document: Document) -> None:
    """Every check of the document's kind on its own, as the engine once ran them."""
    recorder = checker.recorder
    facts = recorder.facts
    path = document.path
    for check in by_scope(Scope.DOCUMENT):
        if document.kind not in check.kinds:
            continue
        try:
            if not check.applies(document, facts):
                continue
            recorder.result.exercised.add(check.rule_id)
            hits = list(check.function(document, facts))
            once = check.once_per_file
            value = once(document, facts) if once is not None and hits else None
            if once is not None and hits and not recorder.first_in_file(check, path, value):
                continue
            for hit in hits:
                recorder.hit(check, hit, path, document)
        except Exception as error:
            recorder.internal_error(check.rule_id, path, error, line=document.line)


def _documents() -> list[Document]:
    found = []
    for path in sorted((EXAMPLES / "valid").rglob("*.json")):
        for kind in ("referral", "epicrisis", "feedback"):
            if path.name.startswith(kind[:3]) or path.parent.parent.name.startswith(kind[:3]):
                found.append(Document(kind, path.name, json.loads(path.read_bytes())))
    return found


DOCUMENTS = _documents()
#: What a mutation writes: values of every JSON type, empty and not, and dates.
ODD_VALUES = st.sampled_from(
    [None, True, False, 0, 3, "", "x", [], {}, [1], {"a": 1}, "2025-13-01", "2030-01-01",
     "2021-02-10", "2024-06-04T00:30:00+02:00", "onward", "gp", "inpatient", "D10", "D01"]
)  # fmt: skip


def _places(value: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if at:
        yield at
    if isinstance(value, dict | list):
        for key, inner in value.items() if isinstance(value, dict) else enumerate(value):
            yield from _places(inner, (*at, key))


@st.composite
def mutated(draw: st.DrawFn) -> Document:
    document = draw(st.sampled_from(DOCUMENTS))
    value = copy.deepcopy(document.value)
    for _ in range(draw(st.integers(0, 4))):
        places = list(_places(value))
        if draw(st.booleans()):  # most rules read members near the root: change those often
            places = [place for place in places if len(place) <= 2]
        if not places:
            break
        *parent_path, key = draw(st.sampled_from(places))
        parent = value
        for step in parent_path:
            parent = parent[step]
        if draw(st.booleans()):
            del parent[key]
        else:
            parent[key] = copy.deepcopy(draw(ODD_VALUES))
    return Document(document.kind, document.path, value)


@settings(max_examples=400, deadline=None)
@given(document=mutated(), created=st.sampled_from([None, date(2021, 6, 1), date(2026, 1, 1)]))
def test_checks_run_in_steps_find_what_checks_run_one_by_one(
    tmp_path_factory: pytest.TempPathFactory, document: Document, created: date | None
) -> None:
    results = []
    for run in (DocumentChecker.run_checks, _one_by_one):
        checker = _checker(tmp_path_factory.getbasetemp())
        checker.recorder.facts = ExportFacts(".", created, "test", "1.0.0")
        run(checker, replace(document))
        result = checker.recorder.result
        results.append((checker.recorder.found.kept, result.exercised))
    assert results[0] == results[1]


QUIET_CHECKS = [check for check in by_scope(Scope.DOCUMENT) if check.quiet is not None]


def test_the_tables_of_checks_have_quiet_tests() -> None:
    content = {item.rule_id for item in referral.CONTENT_ITEMS}
    assert content <= {check.rule_id for check in QUIET_CHECKS}


@settings(max_examples=400, deadline=None)
@given(document=mutated())
def test_a_quiet_test_holds_only_where_its_checks_find_nothing(document: Document) -> None:
    facts = ExportFacts(".", date(2025, 6, 25), "test", "1.0.0")
    for check in QUIET_CHECKS:
        if document.kind in check.kinds and check.quiet and check.quiet(document, facts):
            assert not list(check.function(document, facts)), check.rule_id


PRESENT_CHECKS = [check for check in QUIET_CHECKS if isinstance(check.quiet, Present)]


@settings(max_examples=2000, deadline=None)
@given(data=st.data())
def test_a_present_test_holds_only_where_its_checks_find_nothing(data: st.DataObject) -> None:
    """Each member a ``Present`` test asks for, and the others of the objects that hold them
    (which its checks may read too), missing or given every kind of value."""
    check = data.draw(st.sampled_from(PRESENT_CHECKS))
    assert isinstance(check.quiet, Present)
    base = data.draw(st.sampled_from([d for d in DOCUMENTS if d.kind in check.kinds]))
    value = copy.deepcopy(base.value)
    paths = set(check.quiet.paths)
    for path in check.quiet.paths:
        holder = facts_get(value, *path[:-1])
        paths.update((*path[:-1], name) for name in holder if isinstance(holder, dict))
    for path in sorted(paths):
        if not data.draw(st.booleans()):
            continue
        holder = value
        for name in path[:-1]:
            if not isinstance(holder.get(name), dict):
                holder[name] = {}
            holder = holder[name]
        if data.draw(st.booleans()):
            holder.pop(path[-1], None)
        else:
            holder[path[-1]] = copy.deepcopy(data.draw(ODD_VALUES))
    document = Document(base.kind, base.path, value)
    facts = ExportFacts(".", date(2025, 6, 25), "test", "1.0.0")
    if check.quiet(document, facts):
        assert not list(check.function(document, facts))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"a": "x", "b": {"c": [1], "d": True}}, True),
        ({"a": "x", "b": {"c": [1]}}, False),  # missing
        ({"a": "x", "b": {"c": [], "d": True}}, False),  # empty
        ({"a": 0, "b": {"c": [1], "d": True}}, False),  # zero
        ({"a": "", "b": {"c": [1], "d": True}}, False),  # empty, alone in its object
        ({"a": [], "b": {"c": [1], "d": True}}, False),
        ({"a": "x", "b": {"c": [1], "d": False}}, False),  # false
        ({"a": None, "b": {"c": [1], "d": True}}, False),  # null
        ({"a": "x", "b": ["c", "d"]}, False),  # not an object
        ({"a": "x"}, False),
    ],
)
def test_present_asks_every_member_for_a_true_value(value: dict[str, Any], expected: bool) -> None:
    quiet = Present(("a",), ("b", "c"), ("b", "d"))
    assert (
        quiet(Document("referral", "r.json", value), ExportFacts(".", None, None, None)) is expected
    )


def _once_per_file(_document: Document, _facts: ExportFacts) -> str:
    return "the same value"


@pytest.mark.parametrize(
    ("line", "noted"),
    [(None, False), (7, True)],  # a JSON document's own file; an NDJSON file's line
)
def test_only_documents_that_may_share_their_file_note_what_they_report_once_per_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, line: int | None, noted: bool
) -> None:
    # A value reported once per file is always its file's first in a file of one document:
    # nothing is noted for it (a cost per document), and each such document reports it.
    checker = _checker(tmp_path)
    checker.checks_of_kind["referral"] = [
        Check(
            "IDENTIFIER-003",
            Scope.DOCUMENT,
            frozenset({"referral"}),
            _hit,
            once_per_file=_once_per_file,
        )
    ]
    asked: list[str] = []
    first_in_file = checker.recorder.first_in_file

    def noting(check: Check, path: str, value: object) -> bool:
        asked.append(path)
        return first_in_file(check, path, value)

    monkeypatch.setattr(checker.recorder, "first_in_file", noting)
    for path in ("a.json", "b.json", "b.json"):
        checker.run_checks(Document("referral", path, {}, line=line))
    found = [finding.file for finding in checker.recorder.found.kept]
    if noted:
        assert asked == ["a.json", "b.json", "b.json"]
        assert found == ["a.json", "b.json"]
    else:
        assert asked == []
        assert found == ["a.json", "b.json", "b.json"]


# -- conditions of the export's facts --------------------------------------------------------


def _export_checks(condition: Applies) -> list[Check]:
    return [
        Check(rule_id, Scope.DOCUMENT, frozenset({"referral"}), _hit, condition)
        for rule_id in ("REFERRAL-009", "REFERRAL-010")
    ]


@pytest.mark.parametrize("created", [date(2025, 6, 25), None])
def test_a_condition_of_the_export_is_asked_once_per_export(
    tmp_path: Path, created: date | None
) -> None:
    asked: list[object] = []

    @export_condition
    def dated(document: object, facts: ExportFacts) -> bool:
        asked.append(document)
        return facts.created is not None

    checker = _checker(tmp_path)
    checker.checks_of_kind["referral"] = _export_checks(dated)
    for facts in (ExportFacts(".", created, "test", "1.0.0"), ExportFacts(".", None, None, None)):
        checker.recorder.facts = facts
        for path in ("a.json", "b.json", "c.json"):
            checker.run_checks(Document("referral", path, {}))
    assert len(asked) == 2  # once for each export's facts, for no document in particular
    found = [(finding.rule, finding.file) for finding in checker.recorder.found.kept]
    expected = [
        (rule, path)
        for path in ("a.json", "b.json", "c.json")
        for rule in ("REFERRAL-009", "REFERRAL-010")
    ]
    assert found == (expected if created else [])
    exercised = checker.recorder.result.exercised
    assert ({"REFERRAL-009", "REFERRAL-010"} <= exercised) is (created is not None)


def test_a_failing_condition_of_the_export_is_reported_for_each_check_and_document(
    tmp_path: Path,
) -> None:
    @export_condition
    def broken(_document: object, _facts: ExportFacts) -> bool:
        raise RuntimeError

    checker = _checker(tmp_path)
    checker.checks_of_kind["referral"] = _export_checks(broken)
    for path in ("a.json", "b.json"):
        checker.run_checks(Document("referral", path, {}))
    internal = [(finding.file, str(finding.args)) for finding in checker.recorder.found.kept]
    assert [path for path, _ in internal] == ["a.json", "a.json", "b.json", "b.json"]
    assert ["REFERRAL-009" in args for _, args in internal] == [True, False, True, False]


@pytest.mark.parametrize("rule_id", ["EVENT-002", "IDENTIFIER-003", "IDENTIFIER-004"])
def test_the_conditions_that_read_the_manifest_alone_are_conditions_of_the_export(
    rule_id: str,
) -> None:
    assert of_the_export(registered()[rule_id].applies)


def test_the_steps_planned_are_looked_up_with_no_call_per_document(tmp_path: Path) -> None:
    # run_checks finds the steps planned for the export's facts itself (a call per document
    # spared); steps_of plans them, once per kind and export.
    checker = _checker(tmp_path)
    checker.checks_of_kind["referral"] = _export_checks(always)
    planned: list[tuple[str, ExportFacts]] = []
    plan = checker.steps_of

    def counted(kind: str) -> list[Step]:
        planned.append((kind, checker.recorder.facts))
        return plan(kind)

    checker.steps_of = counted  # type: ignore[method-assign]
    exports = (ExportFacts(".", None, "test", "1.0.0"), ExportFacts(".", None, None, None))
    for facts in exports:
        checker.recorder.facts = facts
        for path in ("a.json", "b.json", "c.json"):
            checker.run_checks(Document("referral", path, {}))
    assert planned == [("referral", facts) for facts in exports]
    assert len(checker.recorder.found.kept) == 12  # each document's hits, for each export
