"""Guiding time limits measured on constructed pathway instances (pakkeforlop.rules.intervals)."""

from __future__ import annotations

import pickle
from dataclasses import replace
from datetime import date, timedelta
from functools import cache
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pakkeforlop.data.evidence import Evidence
from pakkeforlop.data.pathways import anchors, pathway
from pakkeforlop.engine import check_export
from pakkeforlop.model.records import MATERIALISED, EventRecord, PathwayInstance, ReferralFacts
from pakkeforlop.rules import intervals
from pakkeforlop.rules.intervals import (
    Measurement,
    measure,
    measure_all,
    not_measurable,
    number,
    over_limit,
    pathway_of,
    percent,
)
from pakkeforlop.rules.summaries import percentile, summaries, summarise, summary_part

from .conftest import EXAMPLES

PATIENT = "FNR:14858623147"
INSTITUTION = "orgNumber=314592018|reshId=4210338"


def _instance(
    instance_id: str,
    *events: tuple[str, str] | tuple[str, str, str],
    referrals: tuple[ReferralFacts, ...] = (),
) -> PathwayInstance:
    """An instance from (code, ISO date[, care level]) triples, in file order."""
    records = [
        EventRecord(
            code=item[0],
            day=date.fromisoformat(item[1]),
            pathway_type=item[0][:3],
            care_level=item[2] if len(item) > 2 else "outpatient",
            path="events.ndjson",
            line=line,
            patient=PATIENT,
            institution=INSTITUTION,
        )
        for line, item in enumerate(events, start=1)
    ]
    return PathwayInstance(instance_id, records, list(referrals))


def _by_measure(measurements: list[Measurement]) -> dict[str, list[tuple[str, str, int, bool]]]:
    result: dict[str, list[tuple[str, str, int, bool]]] = {}
    for item in measurements:
        result.setdefault(item.measure, []).append(
            (item.from_date.isoformat(), item.to_date.isoformat(), item.days, item.within)
        )
    return result


D01_EXTENDED = _instance(
    "D01-1",
    ("D01A", "2024-09-12"),
    ("D01M", "2024-09-24"),
    ("D01CU", "2024-10-11"),
    ("D01CT", "2024-11-08"),
    ("D01E", "2024-11-14"),
    ("D01E", "2025-01-07"),
    ("D01E", "2025-03-18"),
    ("D01XG", "2025-03-18"),
)


def test_d01_chain_uses_first_decision_final_decision_and_each_evaluation():
    found = _by_measure(measure(D01_EXTENDED, pathway("D01")))
    assert found == {
        # first attendance -> the first C (the CU), limit 21 outpatient
        "first-attendance-to-clinical-decision": [("2024-09-24", "2024-10-11", 17, True)],
        # the final decision is the last C that is not CU: CT, limit 7
        "final-clinical-decision-to-first-evaluation": [("2024-11-08", "2024-11-14", 6, True)],
        # each E to the next E, limit 56 outpatient
        "evaluation-to-next-evaluation": [
            ("2024-11-14", "2025-01-07", 54, True),
            ("2025-01-07", "2025-03-18", 70, False),
        ],
    }


def test_measurement_carries_instance_limit_evidence_and_the_to_event():
    item = next(
        m
        for m in measure(D01_EXTENDED, pathway("D01"))
        if m.measure == "evaluation-to-next-evaluation" and not m.within
    )
    assert (item.pathway, item.instance, item.limit, item.care_level) == (
        "D01",
        "D01-1",
        56,
        "outpatient",
    )
    assert item.label == pathway("D01").time_limits[-1].label
    assert item.evidence is Evidence.CONFIRMED
    assert item.anchor_evidence is Evidence.UNCONFIRMED
    assert (item.to_event.code, item.to_event.line) == ("D01E", 7)
    assert item.from_event is not None
    assert item.from_event.line == 6


def test_the_instance_check_is_given_the_measurements_over_their_limit(
    measured: list[str],
) -> None:
    # TIMELIMIT-001 asks over_limit, which makes a Measurement only of the intervals over
    # their limit: they are measure's, and the summary's rows of them all are remembered.
    instance = pickle.loads(pickle.dumps(D01_EXTENDED))  # a copy that remembers nothing
    over = over_limit(instance, pathway("D01"))
    every = measure(instance, pathway("D01"))
    assert over == [item for item in every if not item.within]
    assert 0 < len(over) < len(every)
    rows = list(measure_all([instance]))
    assert measured == ["D01-1", "D01-1"]  # by the two calls above; the summary's remembered
    assert [(row.measure, row.days, row.within) for row in rows] == [
        (item.measure, item.days, item.within) for item in every
    ]


def test_care_level_is_that_of_the_event_ending_the_interval():
    instance = _instance(
        "D01-2",
        ("D01A", "2024-01-02"),
        ("D01M", "2024-01-03"),
        ("D01CP", "2024-01-13", "inpatient"),
    )
    (item,) = [
        m for m in measure(instance, pathway("D01")) if m.measure.startswith("first-attendance")
    ]
    assert (item.care_level, item.limit, item.days, item.within) == ("inpatient", 7, 10, False)


def test_an_only_cu_decision_is_not_the_final_decision():
    instance = _instance(
        "D12-1",
        ("D12A", "2025-05-13"),
        ("D12M", "2025-05-20"),
        ("D12CU", "2025-06-03"),
        ("D12E", "2025-06-20"),
    )
    assert measure(instance, pathway("D12")) == []


def test_first_evaluation_is_the_first_after_the_decision():
    instance = _instance(
        "D01-3",
        ("D01A", "2024-01-02"),
        ("D01M", "2024-01-03"),
        ("D01CU", "2024-01-10"),
        ("D01E", "2024-01-20"),
        ("D01CT", "2024-02-01"),
        ("D01E", "2024-02-05"),
    )
    found = _by_measure(measure(instance, pathway("D01")))
    assert found["final-clinical-decision-to-first-evaluation"] == [
        ("2024-02-01", "2024-02-05", 4, True)
    ]


def test_a_final_decision_on_the_assessment_start_day_is_measured_at_zero_days():
    # the to end is the last C if it is not dated before the from point: the same day counts
    instance = _instance(
        "D12-2",
        ("D12A", "2025-05-13"),
        ("D12M", "2025-05-20"),
        ("D12CP", "2025-05-20"),
        ("D12E", "2025-06-20"),
    )
    found = _by_measure(measure(instance, pathway("D12")))
    assert found["assessment-start-to-final-clinical-decision"] == [
        ("2025-05-20", "2025-05-20", 0, True)
    ]


def test_step_out_of_order_is_not_measured():
    instance = _instance(
        "D09-1",
        ("D09A", "2024-10-10"),
        ("D09CT", "2024-10-21"),
        ("D09M", "2024-10-25"),
    )
    found = _by_measure(measure(instance, pathway("D09")))
    assert "first-attendance-to-clinical-decision" not in found


def test_next_evaluation_on_the_same_day_follows_file_order():
    instance = _instance(
        "D09-2",
        ("D09A", "2024-10-10"),
        ("D09E", "2024-11-01"),
        ("D09E", "2024-11-01"),
        ("D09E", "2024-12-01"),
    )
    found = _by_measure(measure(instance, pathway("D09")))
    assert found["evaluation-to-next-evaluation"] == [
        ("2024-11-01", "2024-11-01", 0, True),
        ("2024-11-01", "2024-12-01", 30, True),
    ]


def test_limit_is_inclusive():
    instance = _instance(
        "D09-3", ("D09A", "2024-01-01"), ("D09M", "2024-01-02"), ("D09CT", "2024-01-09")
    )
    (item,) = measure(instance, pathway("D09"))
    assert (item.days, item.limit, item.within) == (7, 7, True)


@pytest.mark.parametrize(
    ("delay", "delayed"),
    [("2024-09-30", True), ("2024-09-24", True), ("2024-10-20", True), ("2024-10-21", False)],
)
def test_pasientutsatt_inside_the_interval_marks_it_patient_delayed(delay, delayed):
    instance = _instance(
        "D01-4",
        ("D01A", "2024-09-12"),
        ("D01M", "2024-09-24"),
        ("D01L", delay),
        ("D01CU", "2024-10-20"),
    )
    (item,) = measure(instance, pathway("D01"))
    assert (item.days, item.within, item.patient_delayed) == (26, False, delayed)


def test_referral_received_is_measured_from_the_earliest_referral():
    referrals = (
        ReferralFacts("referral-2.json", None, date(2024, 6, 3), None),
        ReferralFacts("referral.json", None, date(2024, 6, 1), date(2024, 6, 5)),
    )
    instance = _instance(
        "D06-1",
        ("D06P", "2024-05-20", "inpatient"),
        ("D06A", "2024-06-05", "inpatient"),
        ("D06M", "2024-06-10", "inpatient"),
        referrals=referrals,
    )
    (item,) = measure(instance, pathway("D06"))
    assert item.measure == "referral-received-to-first-attendance"
    assert (item.from_date, item.days, item.limit, item.within) == (date(2024, 6, 1), 9, 7, False)
    assert item.from_event is None


def test_referral_received_without_a_referral_is_not_measured():
    instance = _instance("D06-2", ("D06A", "2024-06-05"), ("D06M", "2024-06-10"))
    assert measure(instance, pathway("D06")) == []


def test_measurements_are_remembered_until_more_is_added_to_the_instance():
    instance = _instance("D06-3", ("D06A", "2024-06-05"), ("D06M", "2024-06-10"))
    first = measure(instance, pathway("D06"))
    assert first == []
    assert measure(instance, pathway("D06")) is not first  # a copy each time
    instance.referrals.append(ReferralFacts("referral.json", None, date(2024, 6, 1), None))
    (item,) = measure(instance, pathway("D06"))
    assert item.measure == "referral-received-to-first-attendance"
    assert (item.days, item.within) == (9, False)
    instance.add(instance.events[-1])
    assert len(measure(instance, pathway("D06"))) == 1


@pytest.fixture
def measured(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The id of each instance measured from its events, in order."""
    calls: list[str] = []
    real = intervals._measure

    def counted(*args: Any) -> list[Measurement]:
        calls.append(args[0].id)
        return real(*args)

    monkeypatch.setattr(intervals, "_measure", counted)
    return calls


def test_an_instance_is_measured_once_for_every_check_that_asks(measured: list[str]) -> None:
    instance = _instance("D06-5", ("D06A", "2024-06-05"), ("D06M", "2024-06-10"))
    measure(instance, pathway("D06"))
    list(measure_all([instance]))
    assert measured == ["D06-5"]


def test_another_definition_of_the_pathway_is_measured_afresh():
    instance = _instance("D06-4", ("D06A", "2024-06-05"), ("D06M", "2024-06-10"))
    instance.referrals.append(ReferralFacts("referral.json", None, date(2024, 6, 1), None))
    assert len(measure(instance, pathway("D06"))) == 1
    without_limits = replace(pathway("D06"), time_limits=())
    assert measure(instance, without_limits) == []
    assert len(measure(instance, pathway("D06"))) == 1


def test_another_anchor_table_is_measured_with_its_own_anchors():
    instance = _instance("D06-6", ("D06A", "2024-06-05"), ("D06M", "2024-06-10"))
    instance.referrals.append(ReferralFacts("referral.json", None, date(2024, 6, 1), None))
    (kit,) = measure(instance, pathway("D06"))
    confirmed = Evidence.CONFIRMED
    table = {key: replace(anchor, evidence=confirmed) for key, anchor in anchors().items()}
    (other,) = measure(instance, pathway("D06"), table)
    assert kit.anchor_evidence is not confirmed
    assert other.anchor_evidence is confirmed
    assert measure(instance, pathway("D06")) == [kit]


def test_ongoing_instance_yields_only_what_it_has_reached():
    instance = _instance("D08-1", ("D08A", "2024-10-17"), ("D08M", "2024-10-21"))
    assert measure(instance, pathway("D08")) == []


DETOX = "detox-completed-to-other-treatment-start"
NO_OTHER_TREATMENT_CODE = "no pathway event marks the step 'Other treatment starts'"
EMERGENCY = "emergency-assessment-to-pathway-start"
NO_EMERGENCY_CODE = "no pathway event marks the step 'Emergency (ØH) assessment'"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("D01", {DETOX: NO_OTHER_TREATMENT_CODE}),
        ("D06", {EMERGENCY: NO_EMERGENCY_CODE}),
        ("D07", {}),
        ("D09", {DETOX: NO_OTHER_TREATMENT_CODE}),
        ("D11", {}),
        ("D12", {}),
    ],
)
def test_not_measurable_rows_and_why(code, expected):
    assert {row.measure: row.reason for row in not_measurable(pathway(code))} == expected


def test_d08_severity_variants_are_not_measurable():
    rows = {row.measure: row.reason for row in not_measurable(pathway("D08"))}
    assert set(rows) == {
        "referral-received-to-first-attendance-severe",
        "referral-received-to-first-attendance-less-severe",
    }
    assert all("variant" in reason and "q25" in reason for reason in rows.values())
    referral = ReferralFacts("referral.json", None, date(2024, 10, 1), None)
    instance = _instance(
        "D08-2", ("D08A", "2024-10-17"), ("D08M", "2024-10-21"), referrals=(referral,)
    )
    assert measure(instance, pathway("D08")) == []


def test_pathway_of_and_measure_all():
    no_start = _instance("D09-4", ("D09M", "2024-10-15"), ("D09CT", "2024-10-21"))
    unknown = _instance("X-1")
    assert pathway_of(no_start) is pathway("D09")
    assert pathway_of(unknown) is None
    measured = measure_all([D01_EXTENDED, no_start, unknown])
    assert [m.instance for m in measured] == ["D01-1"] * 4 + ["D09-4"]


def _measurement(
    days: int, *, care_level: str = "outpatient", limit: int = 21, delayed: bool = False
) -> Measurement:
    event = EventRecord(
        "D01CP",
        date(2024, 1, 1) + timedelta(days),
        "D01",
        care_level,
        "e.ndjson",
        1,
        PATIENT,
        INSTITUTION,
    )
    return Measurement(
        pathway="D01",
        measure="first-attendance-to-clinical-decision",
        label="Første fremmøte → klinisk beslutning",
        instance=f"I-{days}",
        from_date=date(2024, 1, 1),
        to_date=event.day,
        days=days,
        limit=limit,
        within=days <= limit,
        care_level=care_level,
        patient_delayed=delayed,
        evidence=Evidence.CONFIRMED,
        anchor_evidence=Evidence.UNCONFIRMED,
        to_event=event,
    )


def test_summary_statistics():
    days = [5, 8, 10, 12, 13, 14, 15, 15, 16, 17, 18, 20, 24, 30]
    items = [_measurement(d, delayed=d == 30) for d in days]
    (summary,) = summarise(items)
    assert (summary.pathway, summary.measure, summary.care_level, summary.limit) == (
        "D01",
        "first-attendance-to-clinical-decision",
        "outpatient",
        21,
    )
    assert (summary.n, summary.n_within, summary.median, summary.p90, summary.max) == (
        14,
        12,
        15,
        24,
        30,
    )
    assert summary.share_within == pytest.approx(12 / 14)
    assert summary.n_patient_delayed == 1
    assert summary.evidence is Evidence.CONFIRMED
    assert summary.anchor_evidence is Evidence.UNCONFIRMED
    assert summary.text() == "12 of 14 within 21 days (86 %); median 15, p90 24, max 30"


def test_summary_groups_by_care_level_in_order_of_appearance():
    items = [
        _measurement(3, care_level="inpatient", limit=7),
        _measurement(10),
        _measurement(9, care_level="inpatient", limit=7),
        _measurement(11),
    ]
    summaries = summarise(items)
    assert [(s.care_level, s.n, s.n_within, s.median) for s in summaries] == [
        ("inpatient", 2, 1, 6.0),
        ("outpatient", 2, 2, 10.5),
    ]
    assert summaries[1].text() == "2 of 2 within 21 days (100 %); median 10.5, p90 11, max 11"
    assert summarise([]) == []


@pytest.mark.parametrize(
    ("values", "share", "expected"),
    [
        ([7], 0.9, 7),
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9, 9),
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 0.9, 10),
        ([3, 1, 2], 0.5, 2),
    ],
)
def test_percentile_is_nearest_rank(values, share, expected):
    assert percentile(values, share) == expected


def test_display_helpers():
    assert (number(15.0), number(15.5), number(3)) == ("15", "15.5", "3")
    assert (percent(12 / 14), percent(0.005), percent(1.0), percent(0.0)) == (86, 1, 100, 0)


def test_an_instance_remembers_its_summary_rows_without_their_events(
    measured: list[str],
) -> None:
    instance = _instance("D06-6", ("D06A", "2024-06-05"), ("D06M", "2024-06-10"))
    instance.referrals.append(ReferralFacts("referral.json", None, date(2024, 6, 1), None))
    (item,) = measure(instance, pathway("D06"))
    (row,) = measure_all([instance])
    assert measured == ["D06-6"]  # by the instance's check only: the summary's are remembered
    assert (row.measure, row.days, row.within) == (item.measure, item.days, item.within)
    # The events that mark the interval are not kept with what is remembered: they would keep
    # the instance's records made.
    assert not any(isinstance(value, EventRecord) for value in row)


def test_the_summary_does_not_remember_what_it_measures_afresh(measured: list[str]) -> None:
    instance = _instance("D06-7", ("D06A", "2024-06-05"), ("D06M", "2024-06-10"))
    instance.referrals.append(ReferralFacts("referral.json", None, date(2024, 6, 1), None))
    assert len(list(measure_all([instance]))) == 1
    assert len(list(measure_all([instance]))) == 1
    assert measured == ["D06-7", "D06-7"]  # each instance is read once by the summary


def test_an_instance_of_a_pathway_without_measurable_rows_is_not_read() -> None:
    # The summary reads every instance: one of a pathway with no time limit (D10) has nothing
    # to measure, and its records need not be made (see MATERIALISED).
    instance = _instance("D10-1", ("D10A", "2024-06-05"), ("D10XG", "2024-06-10"))
    assert list(measure_all([instance])) == []
    assert instance not in MATERIALISED.recent


@cache
def _example_instances() -> tuple[PathwayInstance, ...]:
    """Every instance of the bundled valid examples, in the order their exports found them."""
    found: list[PathwayInstance] = []
    for folder in sorted((EXAMPLES / "valid").iterdir()):
        if (folder / "manifest.json").is_file():
            found.extend(check_export(folder, display_root=folder.name).instances.values())
    return tuple(found)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_the_summary_parts_of_any_split_merge_into_the_summary_by_instance_id(
    data: st.DataObject,
) -> None:
    # Each process sums up the instances it checked; the parts, in any order, give what one
    # pass over every instance by id gives (the groups in the order they first appear).
    instances = data.draw(st.permutations(_example_instances()))
    cuts = sorted(data.draw(st.lists(st.integers(0, len(instances)), max_size=3)))
    pieces = [instances[a:b] for a, b in zip([0, *cuts], [*cuts, len(instances)], strict=True)]
    parts = data.draw(st.permutations([summary_part(piece, period=None) for piece in pieces]))
    by_id = sorted(_example_instances(), key=lambda instance: instance.id)
    expected = summarise(measure_all(by_id))
    assert len({(item.pathway, item.care_level) for item in expected}) > 3
    assert summaries(parts) == expected


def test_a_summary_part_keeps_the_groups_not_the_rows() -> None:
    part = summary_part(_example_instances(), period=None)
    rows = list(measure_all(_example_instances()))
    assert len(part) < len(rows)
    assert sum(len(group.days) for group in part.values()) == len(rows)
