"""Memos that let several checks share what they derive from one document or one export."""

from __future__ import annotations

import gc
import pickle
import weakref
from dataclasses import replace
from datetime import date

import pytest

from pakkeforlop.model import records
from pakkeforlop.model.records import Document, EventRecord, ExportFacts, PathwayInstance
from pakkeforlop.rules._per_document import document_index, per_document, per_view
from pakkeforlop.rules.checks import ExportView

FACTS = ExportFacts("", None, None, None)


class _Derived:
    """A result that can be watched with a weak reference."""


def test_a_memo_goes_with_its_document():
    calls = []

    @per_document
    def counted(document: Document, _facts: ExportFacts) -> _Derived:
        calls.append(document.path)
        return _Derived()

    document, facts = Document("referral", "a.json", {}), ExportFacts("", None, None, None)
    assert counted(document, facts) is counted(document, facts)
    assert len(calls) == 1
    counted(Document("referral", "a.json", {}), facts)  # an equal document is another one
    counted(document, ExportFacts("", None, None, None))  # so are another run's facts
    assert len(calls) == 3
    derived = weakref.ref(counted(document, facts))
    del document
    gc.collect()
    assert derived() is None


def test_a_copy_of_a_document_does_not_share_its_memo():
    document = Document("export-manifest", "manifest.json", {"files": []})
    index = document_index(document, FACTS)
    copy = replace(document, value={})
    assert document_index(copy, FACTS) is not index
    assert copy.memo is not document.memo


def test_an_export_view_is_worked_on_once_for_every_check_that_asks():
    calls = []

    @per_view
    def counted(view: ExportView) -> int:
        calls.append(view)
        return len(calls)

    view = ExportView(ExportFacts("", None, None, None), {})
    assert counted(view) == counted(view) == 1
    assert counted(ExportView(ExportFacts("", None, None, None), {})) == 2


def _event(code: str, day: int, line: int) -> EventRecord:
    return EventRecord(code, date(2024, 6, day), code[:3], "outpatient", "e.ndjson", line, "p", "i")


def test_events_are_grouped_by_letter_in_date_then_file_order_until_more_arrive():
    instance = PathwayInstance(
        "D11-1", [_event("D11E", 9, 1), _event("D11A", 2, 2), _event("D11E", 5, 3)]
    )
    instance.add(_event("D11E", 5, 4))
    assert [event.line for event in instance.lettered("E")] == [3, 4, 1]
    assert instance.lettered("X") == ()
    assert instance.start is not None
    assert instance.start.line == 2
    instance.add(_event("D11X", 1, 5))
    assert [event.line for event in instance.lettered("X")] == [5]
    assert instance.end is not None
    assert instance.end.line == 5
    assert instance.with_event("E") == list(instance.lettered("E"))


def test_an_instance_keeps_its_events_as_numbers_and_makes_the_same_records_again():
    events = [_event("D11E", 9, 1), _event("D11A", 2, 2), _event("D11E", 2, 2**31)]
    instance = PathwayInstance("D11-1", events)
    other = PathwayInstance("D11-1", [_event("D11X", 2, 7)])  # another part: its own table
    instance.extend(other)
    expected = sorted([*events, _event("D11X", 2, 7)], key=lambda event: event.day)
    assert instance.ordered() == expected
    assert instance.event_count == 4
    assert (instance.first(), instance.first("E"), instance.pathway_type) == (
        expected[0],
        expected[1],
        "D11",
    )
    copy = pickle.loads(pickle.dumps(instance))  # a copy, made again from its state
    copy.release()
    assert copy.first("X") == expected[2]  # found in the rows
    assert copy.ordered() == expected
    assert copy.ordered()[0].institution is copy.ordered()[1].institution  # one copy each


def test_an_instance_knows_its_type_once_its_reference_event_is_found(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # An export check asks for both of every instance; the rows are searched for them once.
    instance = PathwayInstance("D11-1", [_event("D11E", 3, 1), _event("D11A", 2, 2)])
    searched: list[str | None] = []
    search = PathwayInstance.first

    def counted(self: PathwayInstance, letter: str | None = None) -> EventRecord | None:
        searched.append(letter)
        return search(self, letter)

    monkeypatch.setattr(PathwayInstance, "first", counted)
    reference = instance.reference()
    assert reference is not None
    assert (reference.line, instance.pathway_type) == (2, "D11")
    assert searched == ["A"]


def test_rows_added_to_blocks_of_either_width_hold_the_same_numbers() -> None:
    # Rows are packed into their block's bytes: a small line after a wide one goes into the
    # wide block, each number as it was.
    lines = [1, 2**31 - 1, 2**31, 3, 2**40]
    events = [_event("D11E", day, line) for day, line in enumerate(lines, 1)]
    instance = PathwayInstance("D11-1", events)
    assert [block.typecode for _, block in instance._rows] == ["i", "q"]
    table = instance._rows[0][0]
    assert [list(block) for _, block in instance._rows] == [
        [number for event in events[:2] for number in table.row(event)],
        [number for event in events[2:] for number in table.row(event)],
    ]
    assert instance.ordered() == events


def test_only_the_instances_whose_records_were_made_last_keep_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(records, "MATERIALISED", records.Materialised(2))
    instances = [PathwayInstance(f"I{index}", [_event("D11A", 2, index)]) for index in range(3)]
    made = [instance.ordered() for instance in instances]
    assert instances[0].ordered() is not made[0]  # let go, and made again
    assert instances[2].ordered() is made[2]
    assert instances[0].ordered() == made[0]


def _event_at(institution: dict[str, object]) -> Document:
    value = {
        "instanceId": "FSH-D10-2021-0000001",
        "patient": {"type": "FNR", "value": "31922050026"},
        "institution": institution,
        "pathwayType": "D10",
        "code": "D10A",
        "date": "2021-01-01",
        "careLevel": "outpatient",
    }
    return Document("pathway-event", "events.ndjson", value, line=1)


def test_an_institution_is_one_string_in_whichever_order_its_members_come() -> None:
    from pakkeforlop.model import facts  # noqa: PLC0415 (the module under test, by name)

    instances: dict[str, PathwayInstance] = {}
    facts.collect(_event_at({"orgNumber": "384649106", "reshId": "4210195"}), instances)
    facts.collect(_event_at({"reshId": "4210195", "orgNumber": "384649106"}), instances)
    facts.collect(_event_at({"orgNumber": "384649106", "reshId": "4210195"}), instances)
    first, second, third = instances["FSH-D10-2021-0000001"].events
    assert first.institution == "orgNumber=384649106|reshId=4210195"
    assert first.institution is second.institution is third.institution
