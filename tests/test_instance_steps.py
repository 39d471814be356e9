"""The instance checks run in steps and blocks (``InstanceStep``, ``Check.given``): each shared
condition is asked once per instance, a block whose ``given`` does not hold is skipped whole,
and what they find is what the checks run one by one find."""

from __future__ import annotations

import pickle
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pakkeforlop.engine import run as run_module
from pakkeforlop.engine.run import Run
from pakkeforlop.model.findings import Finding
from pakkeforlop.model.records import (
    MATERIALISED,
    EpicrisisFacts,
    EventRecord,
    ExportFacts,
    FeedbackFacts,
    PathwayInstance,
    Period,
    ReferralFacts,
)
from pakkeforlop.read import Limits
from pakkeforlop.rules import pathway
from pakkeforlop.rules.checks import Applies, Check, Hit, Scope, always, by_scope, has_events
from pakkeforlop.rules.engine_reported import INTERNAL_RULE

FACTS = ExportFacts("export", date(2025, 1, 31), "test", "1.0.0")


def _run(tmp_path: Path, facts: ExportFacts = FACTS) -> Run:
    run = Run(tmp_path, ".", Limits())
    run.recorder.facts = facts
    return run


def _event(code: str, day: int, line: int = 1) -> EventRecord:
    return EventRecord(
        code, date(2024, 6, day), code[:3], "outpatient", "e.ndjson", line, "p", "orgNumber=1"
    )


def _hit(instance: PathwayInstance, _facts: ExportFacts) -> Iterator[Hit]:
    yield Hit(args={"instance": instance.id}, path=f"{instance.id}.json")


def _check(
    number: int, applies: Applies = always, given: Applies | None = None, function: Any = _hit
) -> Check:
    return Check(
        f"PATHWAY-{number:03}", Scope.INSTANCE, frozenset(), function, applies, given=given
    )


def _use(monkeypatch: pytest.MonkeyPatch, checks: list[Check]) -> None:
    """Make ``checks`` the registered instance checks, for the engine."""

    def scoped(scope: Scope) -> list[Check]:
        return checks if scope is Scope.INSTANCE else by_scope(scope)

    monkeypatch.setattr(run_module, "by_scope", scoped)


def _found(run: Run) -> list[tuple[str, str]]:
    return [(finding.rule, finding.file) for finding in run.recorder.found.kept]


INSTANCES = [PathwayInstance("A", [_event("D11A", 2)]), PathwayInstance("B", [_event("D11A", 3)])]


def test_a_condition_shared_by_checks_is_asked_once_per_instance(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def shared(instance: PathwayInstance, _facts: ExportFacts) -> bool:
        asked.append(instance.id)
        return True

    # Two steps of it, with another condition's between them.
    checks = [
        _check(number, applies)
        for number, applies in enumerate([shared, shared, always, shared], start=1)
    ]
    _use(monkeypatch, checks)
    run = _run(tmp_path)
    run.check_instance_range(INSTANCES)
    assert asked == ["A", "B"]
    assert _found(run) == [
        (f"PATHWAY-{number:03}", f"{instance.id}.json")
        for instance in INSTANCES
        for number in range(1, 5)
    ]


def test_checks_given_a_condition_that_does_not_hold_are_not_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def events(instance: PathwayInstance, facts: ExportFacts) -> bool:
        asked.append(instance.id)
        return has_events(instance, facts)

    def condition(instance: PathwayInstance, _facts: ExportFacts) -> bool:
        assert instance.event_count, "asked of an instance without events"
        return True

    # Two blocks given the same condition, with checks without one between them.
    checks = [_check(1, condition, events), _check(2), _check(3), _check(4, condition, events)]
    _use(monkeypatch, checks)
    run = _run(tmp_path)
    run.check_instance_range([PathwayInstance("none"), *INSTANCES])
    assert asked == ["none", "A", "B"]  # once per instance
    assert [rule for rule, file in _found(run) if file == "none.json"] == [
        "PATHWAY-002",
        "PATHWAY-003",
    ]
    assert run.recorder.result.exercised == {check.rule_id for check in checks}


def test_a_failing_condition_is_reported_for_each_check_that_shares_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(_instance: PathwayInstance, _facts: ExportFacts) -> bool:
        raise RuntimeError

    # The broken condition in two steps, a check that runs between them, then a block given it.
    checks = [_check(1, broken), _check(2), _check(3, broken), _check(4, given=broken)]
    checks.append(_check(5, given=broken))
    _use(monkeypatch, checks)
    run = _run(tmp_path)
    run.check_instance_range(INSTANCES[:1])
    found = run.recorder.found.kept
    assert [finding.rule for finding in found] == [
        INTERNAL_RULE,
        "PATHWAY-002",
        *[INTERNAL_RULE] * 3,
    ]
    for number, finding in zip((1, 3, 4, 5), (found[0], *found[2:]), strict=True):
        assert f"PATHWAY-{number:03}" in str(finding.args)
    assert run.recorder.result.exercised == {INTERNAL_RULE, "PATHWAY-002"}


class _CountingSet(set[str]):
    """A set of exercised rules that counts the calls that add to it."""

    adds = 0

    def add(self, item: str) -> None:
        self.adds += 1
        super().add(item)

    def update(self, *items: Iterable[str]) -> None:
        self.adds += 1
        super().update(*items)


def test_a_steps_rules_are_exercised_once_per_result_where_its_condition_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def nothing(_instance: PathwayInstance, _facts: ExportFacts) -> Iterator[Hit]:
        yield from ()

    _use(monkeypatch, [_check(number, has_events, function=nothing) for number in (1, 2, 3)])
    run = _run(tmp_path)
    recorder = run.recorder
    for _ in range(2):
        recorder.new_part()
        recorder.result.exercised = exercised = _CountingSet()
        run.check_instance_range([PathwayInstance("none")])  # the condition does not hold
        assert exercised == set()
        run.check_instance_range(INSTANCES)
        assert exercised == {"PATHWAY-001", "PATHWAY-002", "PATHWAY-003"}
        assert exercised.adds == 1


# -- what the registered checks find, in steps and one by one --------------------------------

_TYPES = ("D06", "D08", "D10", "D11", "D12")
_CODES = ("A", "C", "CP", "CT", "CU", "CI", "E", "EP", "L", "M", "P", "UF", "X", "XG", "XR")
_DAY = date(2024, 3, 1)


def _days() -> st.SearchStrategy[date]:
    return st.integers(0, 400).map(lambda offset: _DAY + timedelta(days=offset))


def _maybe_days() -> st.SearchStrategy[date | None]:
    return st.none() | _days()


_events = st.builds(
    EventRecord,
    st.builds(lambda kind, code: kind + code, st.sampled_from(_TYPES), st.sampled_from(_CODES)),
    _days(),
    st.sampled_from(_TYPES),
    st.sampled_from(("outpatient", "inpatient")),
    st.sampled_from(("a.ndjson", "b.ndjson")),
    st.integers(1, 40),
    st.sampled_from(("p1", "p2")),
    st.sampled_from(("orgNumber=1|reshId=2", "orgNumber=1|reshId=3", "orgNumber=4")),
)
_referrals = st.builds(
    ReferralFacts,
    st.just("r.json"),
    _maybe_days(),
    _maybe_days(),
    _maybe_days(),
    onward=st.booleans(),
)
_epicrises = st.builds(
    EpicrisisFacts,
    st.just("e.json"),
    _maybe_days(),
    st.none() | st.sampled_from(("D11XG", "D11XR", "D12XG", "D99XX")),
    st.none() | st.sampled_from(_TYPES),
    chosen_solution=st.booleans(),
)
_feedbacks = st.builds(
    FeedbackFacts,
    st.just("f.json"),
    _maybe_days(),
    st.none()
    | st.sampled_from(
        ("rejection", "after-assessment", "treatment-plan", "treatment-plan-changed")
    ),
    st.frozensets(st.sampled_from(("gp", "referrer", "patient", "other"))),
    st.booleans(),
    patient_has_gp=st.booleans(),
)
_instances = st.builds(
    PathwayInstance,
    st.sampled_from(("D11-1", "D11-2")),
    st.lists(_events, max_size=8),
    st.lists(_referrals, max_size=2),
    st.lists(_epicrises, max_size=2),
    st.lists(_feedbacks, max_size=2),
)


def _joined(first: PathwayInstance, later: PathwayInstance) -> PathwayInstance:
    """One instance read from two parts (each with its own table of values)."""
    joined = PathwayInstance(first.id)
    joined.extend(first)
    joined.extend(pickle.loads(pickle.dumps(later)))
    return joined


_instances = _instances | st.builds(_joined, _instances, _instances)
_facts = st.builds(
    ExportFacts,
    st.just("export"),
    _maybe_days(),
    st.just("test"),
    st.just("1.0.0"),
    period=st.none() | st.builds(Period, _days(), st.just(date(2025, 6, 30))),
    feedback_exported=st.booleans(),
)


def _one_by_one(run: Run, instances: Iterable[PathwayInstance]) -> None:
    """Every registered instance check on these instances, each asking its own conditions."""
    recorder = run.recorder
    facts = recorder.facts
    for instance in instances:
        for check in by_scope(Scope.INSTANCE):
            try:
                if (check.given is None or check.given(instance, facts)) and check.applies(
                    instance, facts
                ):
                    recorder.result.exercised.add(check.rule_id)
                    for hit in check.function(instance, facts):
                        recorder.hit(check, hit, hit.path or "", instance=instance.id)
            except Exception as error:  # as the engine reports it
                recorder.internal_error(check.rule_id, "manifest.json", error)


def _findings(run: Run) -> list[Finding]:
    return run.recorder.found.kept


@settings(max_examples=300, deadline=None)
@given(st.lists(_instances, min_size=1, max_size=4), _facts)
def test_checks_run_in_steps_find_what_checks_run_one_by_one(
    instances: list[PathwayInstance], facts: ExportFacts
) -> None:
    copies = pickle.loads(pickle.dumps(instances))
    steps, alone = _run(Path("export"), facts), _run(Path("export"), facts)
    steps.check_instance_range(instances)
    _one_by_one(alone, copies)
    assert _findings(steps) == _findings(alone)
    assert steps.recorder.result.exercised == alone.recorder.result.exercised


def test_an_instance_without_events_asks_only_the_conditions_of_checks_given_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The checks that judge events are given :func:`has_events`: an instance read only from
    documents (every instance of an export of documents alone) asks none of their
    conditions."""
    asked: list[str] = []
    called: list[str] = []

    def spied(check: Check) -> Check:
        def applies(instance: PathwayInstance, facts: ExportFacts) -> bool:
            asked.append(check.rule_id)
            return check.applies(instance, facts)

        def function(instance: PathwayInstance, facts: ExportFacts) -> Iterable[Hit]:
            called.append(check.rule_id)
            return check.function(instance, facts)

        return replace(check, applies=applies, function=function)

    _use(monkeypatch, [spied(check) for check in by_scope(Scope.INSTANCE)])
    instance = PathwayInstance(
        "D11-1",
        referrals=[ReferralFacts("r.json", _DAY, _DAY, _DAY)],
        epicrises=[EpicrisisFacts("e.json", _DAY, "D11XG", "D11")],
        feedbacks=[FeedbackFacts("f.json", _DAY, "treatment-plan", frozenset({"gp"}), True)],
    )
    run = _run(tmp_path, replace(FACTS, period=Period(_DAY, _DAY), feedback_exported=True))
    run.check_instance_range([instance])
    ungiven = {check.rule_id for check in by_scope(Scope.INSTANCE) if check.given is None}
    assert set(asked) == ungiven
    assert len(ungiven) < len(by_scope(Scope.INSTANCE)) / 3
    # Of those that apply, the slice of a period is cleared by its quiet test: no events.
    assert "PATHWAY-020" in run.recorder.result.exercised
    assert called == ["FEEDBACK-003", "FEEDBACK-008"]


def test_asking_for_the_events_of_an_instance_without_any_lets_no_records_go() -> None:
    """Every instance of an export of documents alone is asked for its events (by the checks
    of epicrises and of slices of a period): having none, it takes no place among the
    instances that keep their records."""
    kept = [PathwayInstance(f"I{index}", [_event("D11A", 2, index)]) for index in range(70)]
    for instance in kept:
        instance.ordered()
    recent = list(MATERIALISED.recent)
    empty = PathwayInstance("none")
    assert empty.events == []
    assert empty.ordered() == []
    assert empty.first() is None
    assert list(MATERIALISED.recent) == recent


def test_checks_their_quiet_test_clears_are_exercised_but_not_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def quiet(instance: PathwayInstance, _facts: ExportFacts) -> bool:
        asked.append(instance.id)
        return instance.id == "A"

    def condition(instance: PathwayInstance, _facts: ExportFacts) -> bool:
        return instance.id != "none"

    checks = [replace(_check(number, condition), quiet=quiet) for number in (1, 2)]
    _use(monkeypatch, [*checks, _check(3)])
    run = _run(tmp_path)
    run.check_instance_range([PathwayInstance("none"), *INSTANCES])
    assert asked == ["A", "B"]  # once per instance where the condition holds
    assert _found(run) == [
        ("PATHWAY-003", "none.json"),
        ("PATHWAY-003", "A.json"),
        ("PATHWAY-001", "B.json"),
        ("PATHWAY-002", "B.json"),
        ("PATHWAY-003", "B.json"),
    ]
    assert run.recorder.result.exercised == {"PATHWAY-001", "PATHWAY-002", "PATHWAY-003"}


def test_a_failing_quiet_test_lets_the_checks_run_and_reports_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(_instance: PathwayInstance, _facts: ExportFacts) -> bool:
        raise RuntimeError

    _use(monkeypatch, [replace(_check(number), quiet=broken) for number in (1, 2)])
    run = _run(tmp_path)
    run.check_instance_range(INSTANCES[:1])
    assert _found(run) == [("PATHWAY-001", "A.json"), ("PATHWAY-002", "A.json")]


IDENTITY_CHECKS = [
    check for check in by_scope(Scope.INSTANCE) if check.quiet is pathway.one_identity
]


@settings(max_examples=200, deadline=None)
@given(_instances, _facts)
def test_the_slice_test_holds_only_where_its_check_finds_nothing(
    instance: PathwayInstance, facts: ExportFacts
) -> None:
    (check,) = [check for check in by_scope(Scope.INSTANCE) if check.rule_id == "PATHWAY-020"]
    assert check.quiet is not None
    if check.quiet(instance, facts):
        assert not list(check.function(instance, facts))


def test_the_identity_checks_share_one_quiet_test() -> None:
    assert [check.rule_id for check in IDENTITY_CHECKS] == [
        "PATHWAY-004",
        "PATHWAY-005",
        "PATHWAY-006",
    ]


@settings(max_examples=300, deadline=None)
@given(_instances, _facts)
def test_the_identity_test_holds_only_where_its_checks_find_nothing(
    instance: PathwayInstance, facts: ExportFacts
) -> None:
    identities = {(e.pathway_type, e.patient, e.institution) for e in instance.ordered()}
    assert pathway.one_identity(instance, facts) is (len(identities) <= 1)
    if pathway.one_identity(instance, facts):
        for check in IDENTITY_CHECKS:
            assert not list(check.function(instance, facts))
