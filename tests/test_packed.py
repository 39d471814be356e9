"""A part's pathway instances, packed to go from a worker to the main process, merge into the
export's exactly as the part's own instances would."""

from __future__ import annotations

import pickle
from datetime import date
from typing import Any

import pytest

from pakkeforlop.engine.result import ExportResult
from pakkeforlop.model.packed import PackedInstances
from pakkeforlop.model.records import (
    EpicrisisFacts,
    EventRecord,
    EventTable,
    FeedbackFacts,
    PathwayInstance,
    ReferralFacts,
)


def _event(code: str, day: int, line: int) -> EventRecord:
    return EventRecord(code, date(2024, 6, day), code[:3], "outpatient", "e.ndjson", line, "p", "i")


def _referral(path: str, received: int | None, *, onward: bool = False) -> ReferralFacts:
    day = None if received is None else date(2024, 6, received)
    return ReferralFacts(path, date(2024, 5, 30), day, date(2024, 6, 9), onward=onward)


def _epicrisis(path: str) -> EpicrisisFacts:
    return EpicrisisFacts(path, None, "D11XG", "D11", chosen_solution=True)


def _feedback(path: str) -> FeedbackFacts:
    roles = frozenset({"gp", "referrer"})
    return FeedbackFacts(path, date(2024, 6, 2), "rejection", roles, True, patient_has_gp=False)


def _held(instances: dict[str, PathwayInstance]) -> list[tuple[Any, ...]]:
    """What instances hold, in comparable form, with the types of the records' fields."""
    return [
        (
            key,
            instance.event_count,
            instance.ordered(),
            instance.referrals,
            instance.epicrises,
            instance.feedbacks,
            [
                [type(getattr(record, name)) for name in record.__slots__]
                for record in (*instance.referrals, *instance.epicrises, *instance.feedbacks)
            ],
        )
        for key, instance in instances.items()
    ]


def _export() -> dict[str, PathwayInstance]:
    """The instances the main process holds before a part is merged."""
    first = PathwayInstance("D11-1", [_event("D11A", 2, 1)], referrals=[_referral("r1.json", 1)])
    return {"D11-1": first, "D11-2": PathwayInstance("D11-2", epicrises=[_epicrisis("e0.json")])}


def _part() -> dict[str, PathwayInstance]:
    """A worker's part: instances new to the export and ones it holds, some listing more than
    one record of a kind, some none, one without a date that may be missing."""
    table = EventTable()
    later = PathwayInstance("D11-1")
    later.add(_event("D11X", 9, 2**31), table)  # (a block of wide numbers)
    later.epicrises.append(_epicrisis("e1.json"))
    new = PathwayInstance("D11-3", referrals=[_referral("r2.json", None), _referral("r3.json", 3)])
    new.add(_event("D11E", 4, 7), table)
    new.feedbacks.append(_feedback("f1.json"))
    return {
        "D11-3": new,
        "D11-1": later,
        "D11-4": PathwayInstance("D11-4", referrals=[_referral("r4.json", 3, onward=True)]),
        "D11-2": PathwayInstance("D11-2", referrals=[_referral("r5.json", 5)]),
    }


def _merged_as_objects() -> dict[str, PathwayInstance]:
    export = _export()
    for instance_id, instance in _part().items():
        if instance_id in export:
            export[instance_id].extend(instance)
        else:
            export[instance_id] = instance
    return export


def test_a_packed_part_merges_as_its_instances_would() -> None:
    packed = pickle.loads(pickle.dumps(PackedInstances.of(_part()), pickle.HIGHEST_PROTOCOL))
    export = _export()
    packed.merge_into(export)
    assert list(export) == ["D11-1", "D11-2", "D11-3", "D11-4"]
    assert _held(export) == _held(_merged_as_objects())
    assert export["D11-3"].referrals[0].received is None


@pytest.mark.parametrize("many", [False, True])
def test_each_record_goes_to_its_own_instance(many: bool) -> None:
    # The owners are found in one step when no instance lists more than one record of a
    # kind (as usual), else record by record.
    part = {
        "a": PathwayInstance("a", referrals=[_referral("ra.json", 1)]),
        "b": PathwayInstance("b", epicrises=[_epicrisis("eb.json")]),
        "c": PathwayInstance("c", referrals=[_referral("rc.json", 2)]),
    }
    if many:
        part["a"].referrals.append(_referral("ra2.json", 3))
    export: dict[str, PathwayInstance] = {}
    PackedInstances.of(part).merge_into(export)
    assert _held(export) == _held(part)


def test_the_dates_of_one_day_are_one_object_and_the_part_sends_no_date() -> None:
    part = {
        f"D11-{at}": PathwayInstance(
            f"D11-{at}",
            referrals=[_referral("r.json", 1)],
            epicrises=[EpicrisisFacts("e.json", date(2024, 6, 1), None, None)],
            feedbacks=[_feedback("f.json")],
        )
        for at in range(3)
    }
    packed = PackedInstances.of(part)
    # A date pickles at about fifty times an int's cost: the part sends day numbers.
    assert b"datetime" not in pickle.dumps(packed, pickle.HIGHEST_PROTOCOL)
    export: dict[str, PathwayInstance] = {}
    packed.merge_into(export)
    assert _held(export) == _held(part)
    received = {id(instance.referrals[0].received) for instance in export.values()}
    assert len(received) == 1


def test_a_result_sends_its_instances_packed_and_absorbs_them() -> None:
    part = ExportResult("export", documents=6, instances=_part())
    again = pickle.loads(pickle.dumps(part, pickle.HIGHEST_PROTOCOL))
    assert (again.instances, again.documents) == ({}, 6)
    assert again.packed is not None
    whole = ExportResult("export", instances=_export())
    whole.absorb(again)
    assert _held(whole.instances) == _held(_merged_as_objects())
    assert whole.documents == 6
    again.instances = _part()  # both packed and not: which comes first is unknown
    with pytest.raises(ValueError, match="both packed and not"):
        pickle.dumps(again)
