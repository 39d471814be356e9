"""The date checks' short cuts give exactly what their full logic gives.

:func:`pakkeforlop.model.facts.parse_day` keeps dates in a memo but parses date-times afresh,
and EVENT-002 reads each document's dates afresh (``read_day``'s reading, written out in
``document_days``) by two look-ups; these tests hold them to the dates ISO texts write, to each
other, and to the check as it was written, on dates written every way a document might, and
show that date-times take no place in the memo. REFERRAL-027 judges the issued moment
``document_days`` kept, and one quiet test stands for REFERRAL-027 to 029: they are held to
the parse and the checks they save.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pakkeforlop.model import facts
from pakkeforlop.model.records import Document, ExportFacts, PathwayInstance
from pakkeforlop.rules import event, referral
from pakkeforlop.rules.checks import Hit
from pakkeforlop.rules.event import DOCUMENT_DATES

from .date_texts import DAYS, date_texts


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("2024-02-29", date(2024, 2, 29)),
        ("2024-06-17T23:59:00-02:00", date(2024, 6, 17)),  # the written day, not UTC's
        ("2024-06-17T10:39:00.123456+02:00", date(2024, 6, 17)),
        ("0001-01-01", date(1, 1, 1)),
        ("2023-02-29", None),
        ("2024-13-01", None),
        ("2024-06-17 10:39", None),  # no "T": read as a date, and it is not one
        ("", None),
        (None, None),
        (20240617, None),
    ],
)
def test_a_day_is_the_date_an_iso_text_writes(value: object, day: date | None) -> None:
    assert facts.read_day(value) == day
    assert facts.parse_day(value) == day


@settings(max_examples=3000, deadline=None)
@given(value=st.one_of(date_texts(), st.text(max_size=30), st.none(), st.integers()))
def test_a_day_from_the_memo_is_the_day_read_afresh(value: object) -> None:
    assert facts.parse_day(value) == facts.read_day(value)
    assert facts.parse_day(value) == facts.read_day(value)  # the second time from the memo


def test_a_date_time_takes_no_place_in_the_memo_of_days() -> None:
    """Each referral's issued time is its own: kept, it would only push out the days."""
    facts._parsed_day.cache_clear()  # a full memo would not grow: start with an empty one
    before = facts._parsed_day.cache_info().currsize
    assert facts.parse_day("1871-03-04T10:39:00.123456+02:00") == date(1871, 3, 4)
    assert facts._parsed_day.cache_info().currsize == before
    assert facts.parse_day("1871-03-04") == date(1871, 3, 4)
    assert facts._parsed_day.cache_info().currsize == before + 1


def _dates_in_full(document: Document, export: ExportFacts) -> list[Hit]:
    """EVENT-002 as it was written before: each date found by ``get`` and parsed by
    ``parse_day``."""
    if export.created is None:
        return []
    found = []
    for pointer, parent, name, label in DOCUMENT_DATES.get(document.kind, ()):
        value = facts.get(document.value, *((name,) if parent is None else (parent, name)))
        day = facts.parse_day(value)
        if day is not None and day > export.created:
            args = {"field": label, "date": str(value), "created": export.created.isoformat()}
            found.append(Hit(pointer=pointer, args=args))
    return found


#: Export creation days, near the documents' dates and not, and none.
CREATED = st.one_of(st.none(), DAYS, st.sampled_from([date(2025, 6, 25), date(2000, 2, 29)]))
#: Where a date may be: a member of the document or of its parent, or missing.
PLACES = {"issued", "sent", "assessment", "period"}


@st.composite
def dated_documents(draw: st.DrawFn) -> Document:
    kind = draw(st.sampled_from(["referral", "epicrisis", "feedback", "pathway-event"]))
    value = st.one_of(
        date_texts(), date_texts(st.just(date(2025, 6, 25))), st.none(), st.integers()
    )
    top: dict[str, object] = {}
    for place in sorted(PLACES):
        if draw(st.booleans()):
            inner = {name: draw(value) for name in ("received", "assessed", "start", "end")}
            top[place] = draw(st.sampled_from([inner, draw(value), [inner]]))
    return Document(kind, "doc.json", draw(st.sampled_from([top, top, top, [top], None])))


@settings(max_examples=3000, deadline=None)
@given(document=dated_documents(), created=CREATED)
def test_document_dates_are_judged_as_the_full_logic_judges_them(
    document: Document, created: date | None
) -> None:
    export = ExportFacts("export", created, "test", "1.0.0")
    expected = _dates_in_full(document, export)
    assert list(event.document_dates_not_after_export(document, export)) == expected


def test_a_documents_own_dates_take_no_place_in_the_memo_of_days() -> None:
    """EVENT-002 reads every document's dates once: they are parsed, not looked up."""
    facts._parsed_day.cache_clear()
    referral = {"issued": "1871-03-04T10:00:00+01:00", "assessment": {"received": "1871-03-05"}}
    document = Document("referral", "r.json", referral)
    export = ExportFacts("export", date(1871, 3, 4), "test", "1.0.0")
    (hit,) = event.document_dates_not_after_export(document, export)
    assert hit.pointer == "/assessment/received"
    assert facts._parsed_day.cache_info().currsize == 0


@settings(max_examples=2000, deadline=None)
@given(document=dated_documents())
def test_a_documents_days_are_its_dates_read_afresh(document: Document) -> None:
    """The days kept in a document's memo are those its dates write, read now."""
    days = facts.document_days(document)
    for _pointer, parent, name, _label in DOCUMENT_DATES.get(document.kind, ()):
        value = facts.get(document.value, *((name,) if parent is None else (parent, name)))
        assert days[name] == facts.read_day(value)
    assert days.keys() == {name for _, _, name, _ in DOCUMENT_DATES.get(document.kind, ())}


def test_each_date_of_a_document_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """EVENT-002, the referral's three date checks and its pathway facts share the reads
    (the issued time too: REFERRAL-027 judges the moment EVENT-002 parsed)."""
    read: list[object] = []

    class CountedDate(date):
        @classmethod
        def fromisoformat(cls, value: str) -> date:
            read.append(value)
            return date.fromisoformat(value)

    class CountedDateTime(datetime):
        @classmethod
        def fromisoformat(cls, value: str) -> datetime:
            read.append(value)
            return datetime.fromisoformat(value)

    earliest_local_day = referral.earliest_local_day

    def parsed_again(value: object) -> date | None:
        read.append(value)
        return earliest_local_day(value)

    monkeypatch.setattr(facts, "date", CountedDate)
    monkeypatch.setattr(facts, "datetime", CountedDateTime)
    monkeypatch.setattr(referral, "earliest_local_day", parsed_again)
    value = {
        "issued": "2024-06-03T10:00:00+02:00",
        "pathwayInstanceId": "I",
        "assessment": {"received": "2024-06-05", "assessed": "2024-06-28"},
    }
    document = Document("referral", "r.json", value)
    export = ExportFacts("export", date(2024, 6, 4), "test", "1.0.0")
    found = [hit.pointer for hit in event.document_dates_not_after_export(document, export)]
    for check in (
        referral.received_after_issued,
        referral.assessed_after_received,
        referral.assessed_within_deadline,
    ):
        found += [hit.pointer for hit in check(document, export)]
    assert found == ["/assessment/received", "/assessment/assessed", "/assessment/assessed"]
    assert sorted(map(str, read)) == ["2024-06-03T10:00:00+02:00", "2024-06-05", "2024-06-28"]
    instances: dict[str, PathwayInstance] = {}
    facts.collect(document, instances)
    (collected,) = instances["I"].referrals
    assert (collected.issued, collected.received, collected.assessed) == (
        date(2024, 6, 3),
        date(2024, 6, 5),
        date(2024, 6, 28),
    )
    # The pathway facts take the days the checks read (the document's memo of its days).
    days = facts.document_days(document)
    assert all(getattr(collected, name) is days[name] for name in days)
    assert read[3:] == []


@pytest.mark.parametrize(
    ("kind", "value", "listed"),
    [
        (
            "epicrisis",
            {
                "sent": "2024-06-03T10:00:00+02:00",
                "pathway": {"instanceId": "I", "type": {"code": "D11"}, "endCode": "D11XG"},
                "summary": {},
            },
            "epicrises",
        ),
        (
            "feedback",
            {
                "sent": "2024-06-03",
                "pathway": {"instanceId": "I"},
                "occasion": "rejection",
                "recipients": [{"role": "gp"}],
            },
            "feedbacks",
        ),
    ],
)
def test_the_pathway_facts_take_the_sent_date_the_checks_read(
    kind: str, value: dict[str, Any], listed: str
) -> None:
    document = Document(kind, f"{kind}.json", value)
    days = facts.document_days(document)
    instances: dict[str, PathwayInstance] = {}
    facts.collect(document, instances)
    (collected,) = getattr(instances["I"], listed)
    assert collected.sent == date(2024, 6, 3)
    assert collected.sent is days["sent"]


#: Issued times as a referral might write them: date-times, dates, almost either, and none.
ISSUED = st.one_of(
    date_texts(),
    st.sampled_from(
        [
            "2024-06-17T10:39:00+02:00",
            "2024-06-17 10:39:00+02:00",  # no "T": not read as a date-time, still a moment
            "2024-06-17t00:30:00+02:00",
            "20240617T003000+0200",
            "2024-06-17T00:30:00-05:00",
            "2024-06-17",
        ]
    ),
    st.text(max_size=30),
    st.none(),
    st.integers(),
)


@settings(max_examples=3000, deadline=None)
@given(issued=ISSUED)
def test_the_issued_day_from_the_kept_moment_is_the_earliest_local_day(issued: object) -> None:
    """REFERRAL-027 judges the moment EVENT-002 parsed: the day is the one it parses."""
    document = Document("referral", "r.json", {"issued": issued})
    assert referral.issued_local_day(document) == referral.earliest_local_day(issued)
    moment = facts.document_moment(document, "issued")
    if isinstance(issued, str) and "T" in issued and facts.read_day(issued) is not None:
        assert moment == datetime.fromisoformat(issued)
    else:
        assert moment is None


#: The export's facts for the referral's checks (which do not read them).
FACTS = ExportFacts("export", date(2024, 6, 1), "test", "1.0.0")
#: Days of a referral's process, within weeks of each other (in order, or not).
NEAR = st.dates(min_value=date(2024, 5, 20), max_value=date(2024, 7, 20))
ASSESSMENT_DATES = st.one_of(date_texts(NEAR), st.none(), st.just("2024-06-31"), st.integers())
RECEIPT_CHECKS = (
    referral.received_after_issued,
    referral.assessed_after_received,
    referral.assessed_within_deadline,
)


@st.composite
def assessed_referrals(draw: st.DrawFn) -> Document:
    value: dict[str, object] = {
        "assessment": {
            name: draw(ASSESSMENT_DATES)
            for name in ("received", "assessed")
            if draw(st.integers(0, 5))  # (mostly there)
        }
    }
    if draw(st.integers(0, 5)):
        value["issued"] = draw(st.one_of(date_texts(NEAR), ISSUED))
    return Document("referral", "r.json", value)


@settings(max_examples=4000, deadline=None)
@given(document=assessed_referrals())
def test_an_assessment_in_order_is_one_no_receipt_check_hits(document: Document) -> None:
    """The quiet test of REFERRAL-027 to 029 holds exactly where none of them hits."""
    hits = [hit for check in RECEIPT_CHECKS for hit in check(document, FACTS)]
    assert referral.assessment_in_order(document, FACTS) == (hits == [])


@pytest.mark.parametrize(
    ("issued", "received", "assessed", "hit_by"),
    [
        ("2024-06-03T10:00:00+02:00", "2024-06-05", "2024-06-19", None),
        ("2024-06-03T10:00:00+02:00", "2024-06-05", "2024-06-20", "REFERRAL-029"),  # 11 days
        ("2024-06-06T00:30:00+02:00", "2024-06-05", "2024-06-05", None),  # the 5th in +01:00
        ("2024-06-06T01:30:00+02:00", "2024-06-05", "2024-06-05", "REFERRAL-027"),
        ("2024-06-03T10:00:00+02:00", "2024-06-05", "2024-06-04", "REFERRAL-028"),
        (None, "2024-06-05", "2024-06-04", "REFERRAL-028"),
        ("2024-06-09T10:00:00+02:00", "2024-06-05", None, "REFERRAL-027"),
        ("2024-06-09T10:00:00+02:00", None, "2024-06-01", None),
    ],
)
def test_the_quiet_test_of_the_receipt_checks_stands_for_each(
    issued: str | None, received: str | None, assessed: str | None, hit_by: str | None
) -> None:
    value = {"issued": issued, "assessment": {"received": received, "assessed": assessed}}
    document = Document("referral", "r.json", value)
    rule_ids = ("REFERRAL-027", "REFERRAL-028", "REFERRAL-029")
    hit = [
        rule
        for rule, check in zip(rule_ids, RECEIPT_CHECKS, strict=True)
        if list(check(document, FACTS))
    ]
    assert hit == ([] if hit_by is None else [hit_by])
    assert referral.assessment_in_order(document, FACTS) is (hit_by is None)
