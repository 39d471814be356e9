"""The person-number checks' short cuts give exactly what their full logic gives.

:func:`pakkeforlop.rules.identifier.person_id` hands every document with the same number the
same :class:`~pakkeforlop.rules.identifier.PersonId`, made once by the memo of checks, and
IDENTIFIER-007 takes a stated birth date written as the number's birth date as agreeing,
without parsing it. These tests hold both to the full logic (the checks as they were written
before the short cuts) and show that the short cuts are taken.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pakkeforlop.model.facts import get, parse_day
from pakkeforlop.model.identifiers import (
    SYNTHETIC_DOLLY,
    SYNTHETIC_TEST_NORGE,
    PersonIdType,
    ProblemCode,
    check_person_id,
    make_fnr,
)
from pakkeforlop.model.records import Document, ExportFacts
from pakkeforlop.rules import identifier as identifier_rules
from pakkeforlop.rules.checks import Hit

from .date_texts import date_texts
from .person_number_texts import numbers as any_numbers

CREATED = date(2025, 6, 25)
FACTS = [
    ExportFacts("export", CREATED, "test", "1.0.0"),
    ExportFacts("export", date(2032, 3, 1), "test", "1.0.0"),
    ExportFacts("file", None, None, None),
]
BIRTHS = st.one_of(
    st.dates(min_value=date(1854, 1, 1), max_value=date(2039, 12, 31)),
    st.sampled_from([date(2000, 2, 29), date(1904, 2, 29), date(2024, 2, 29), date(1999, 12, 31)]),
)


@st.composite
def numbers(draw: st.DrawFn) -> str:
    """Valid numbers (plain, Dolly, Test-Norge, D-nummer) and broken ones."""
    kind = draw(st.sampled_from([PersonIdType.FNR, PersonIdType.DNR]))
    synthetic = draw(st.sampled_from([None, SYNTHETIC_TEST_NORGE, SYNTHETIC_DOLLY]))
    birth, individual = draw(BIRTHS), draw(st.integers(0, 999))
    try:
        built = make_fnr(birth, individual, synthetic=synthetic, kind=kind)
    except ValueError:
        built = None
    if built is None or draw(st.integers(0, 4)) == 0:
        return f"{birth:%d%m%y}{individual:03d}{draw(st.integers(0, 99)):02d}"
    return built


@st.composite
def patients(draw: st.DrawFn) -> Any:
    """A document's ``patient``: a number with a stated birth date that mostly agrees."""
    number = draw(numbers())
    id_type = draw(st.sampled_from(["FNR", "DNR", "FNR", "HNR", "XYZ"]))
    check = check_person_id(number, "FNR" if id_type == "XYZ" else id_type, today=CREATED)
    births = [check.birth_date] if check.birth_date is not None else []
    day = draw(st.sampled_from([*births, *births, date(2000, 2, 29), date(1, 1, 1)]))
    stated = draw(
        st.one_of(
            date_texts(st.just(day)), date_texts(), st.none(), st.integers(), st.text(max_size=12)
        )
    )
    patient: dict[str, Any] = {"identifier": {"type": id_type, "value": number}}
    if draw(st.booleans()) or stated is not None:
        patient["birthDate"] = stated
    return draw(st.sampled_from([patient, patient, patient, None, {"birthDate": stated}]))


def _in_full(document: Document, facts: ExportFacts) -> Iterator[Hit]:
    """IDENTIFIER-007 as it was written before its short cut: every stated date parsed."""
    stated = get(document.value, "patient", "birthDate")
    if not isinstance(stated, str) or "T" in stated:
        return
    stated_day = parse_day(stated)
    identifier = get(document.value, "patient", "identifier")
    if not isinstance(identifier, dict):
        return
    raw_type, value = identifier.get("type"), identifier.get("value")
    if raw_type not in {"FNR", "DNR", "HNR", "FHN", "DUF"} or not isinstance(value, str):
        return
    if not re.search(r"^[0-9]{12}$" if raw_type == "DUF" else r"^[0-9]{11}$", value):
        return  # the schema reports the form
    check = check_person_id(value, raw_type, today=identifier_rules.today_for(facts))
    if stated_day is None or check.birth_date is None:
        return
    if stated_day != check.birth_date:
        yield Hit(pointer="/patient/birthDate", args={"type": check.id_type})


@settings(max_examples=3000, deadline=None)
@given(patient=patients(), kind=st.sampled_from(identifier_rules.BIRTH_DATE_KINDS))
def test_the_birth_date_check_gives_what_its_full_logic_gives(patient: Any, kind: str) -> None:
    for facts in FACTS:
        document = Document(kind, "doc.json", {"patient": patient})
        expected = list(_in_full(document, facts))
        assert list(identifier_rules.birth_date_agrees(document, facts)) == expected


#: What a person id tells the checks (its ``check`` is compared as a whole).
PERSON_ID_ATTRIBUTES = (
    "value",
    "id_type",
    "valid",
    "synthetic",
    "birth_date",
    "birth_text",
    "only_under_2032_rule",
    "synthetic_hits",
)


@settings(max_examples=1500, deadline=None)
@given(
    value=any_numbers(),
    raw_type=st.sampled_from(["FNR", "DNR", "HNR", "FHN", "DUF"]),
    facts=st.sampled_from(FACTS),
)
def test_the_memos_person_id_tells_what_one_made_from_the_full_check_tells(
    value: str, raw_type: str, facts: ExportFacts
) -> None:
    """A common number's person id, made without a check result, is one made from it."""
    today = identifier_rules.today_for(facts)
    found = identifier_rules._PersonChecks(4)(raw_type, value, today)
    if found is None:
        return  # the schema reports the form (see test_rules_identifier_code.py)
    expected = identifier_rules.PersonId.checked(
        value, check_person_id(value, raw_type, today=today)
    )
    for name in PERSON_ID_ATTRIBUTES:
        assert getattr(found, name) == getattr(expected, name), name
    assert found.check == expected.check
    assert found.check is found.check  # made once, when first asked for


@pytest.mark.parametrize("id_type", [PersonIdType.FNR, PersonIdType.DNR])
@pytest.mark.parametrize("synthetic", [None, SYNTHETIC_TEST_NORGE, SYNTHETIC_DOLLY])
def test_a_common_number_is_checked_without_the_full_check(
    monkeypatch: pytest.MonkeyPatch, id_type: PersonIdType, synthetic: str | None
) -> None:
    """The memo takes a common number by the short path: no full check, no IdCheck made (one
    is made when asked for, and is the full check's)."""
    built = (
        make_fnr(date(1979, 10, 2), n, synthetic=synthetic, kind=id_type) for n in range(300, 320)
    )
    number = next(number for number in built if number is not None)  # a check digit may be 10

    def refused(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the full check was run")

    monkeypatch.setattr(identifier_rules, "check_person_id", refused)
    found = identifier_rules._PersonChecks(4)(id_type.value, number, CREATED)
    assert found is not None
    assert found.valid
    assert found._check is None
    monkeypatch.undo()
    assert found.check == check_person_id(number, id_type, today=CREATED)


def test_a_birth_date_written_as_the_numbers_is_not_parsed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The short cut is taken: the agreeing date is never parsed (a differing one is)."""
    number = make_fnr(date(2000, 2, 29), 500)
    assert number is not None
    parsed: list[object] = []

    def counted(value: object) -> date | None:
        parsed.append(value)
        return parse_day(value)

    monkeypatch.setattr(identifier_rules, "parse_day", counted)
    facts = FACTS[0]
    for stated, hits in (("2000-02-29", 0), ("2000-03-01", 1)):
        patient = {"identifier": {"type": "FNR", "value": number}, "birthDate": stated}
        found = identifier_rules.birth_date_agrees(
            Document("referral", "r.json", {"patient": patient}), facts
        )
        assert len(list(found)) == hits
    assert parsed == ["2000-03-01"]


def test_every_document_with_a_number_shares_its_checked_person_id() -> None:
    """A document costs a look-up, not a new ``PersonId``: the memo made it once."""
    number = make_fnr(date(1979, 10, 2), 310, synthetic=None)
    assert number is not None
    facts = FACTS[0]
    identifier = {"type": "FNR", "value": number}
    found = [
        identifier_rules.person_id(
            Document("referral", "r.json", {"patient": {"identifier": identifier}}), facts
        ),
        identifier_rules.person_id(
            Document("feedback", "f.json", {"patient": {"identifier": dict(identifier)}}), facts
        ),
        identifier_rules.person_id(
            Document("pathway-event", "e.ndjson", {"patient": dict(identifier)}), facts
        ),
    ]
    assert found[0] is not None
    assert found[0] is found[1] is found[2]
    assert found[0].value == number
    assert found[0].check == check_person_id(number, "FNR", today=CREATED)


@pytest.mark.parametrize(
    ("number", "today", "expected"),
    [
        ("02907931091", CREATED, False),
        ("02907931008", CREATED, True),  # first check digit valid only under the 2032 rule
        ("02907931008", date(2032, 1, 1), False),  # from 2032 on the rule is the rule
    ],
)
def test_a_person_id_knows_whether_only_the_2032_rule_makes_it_valid(
    number: str, today: date, expected: bool
) -> None:
    check = check_person_id(number, "FNR", today=today)
    found = identifier_rules.PersonId.checked(number, check)
    noted = any(p.code is ProblemCode.FIRST_CHECK_2032_ONLY for p in check.problems)
    assert found.only_under_2032_rule is expected is (check.valid_only_under_2032_rule and noted)


@pytest.mark.parametrize("synthetic", [SYNTHETIC_TEST_NORGE, SYNTHETIC_DOLLY])
@pytest.mark.parametrize("kind", identifier_rules.PERSON_KINDS)
def test_the_hit_on_a_synthetic_number_is_built_once_and_reads_as_written(
    kind: str, synthetic: str
) -> None:
    """IDENTIFIER-003's hit is what the check wrote before (one new ``Hit`` per document),
    and documents share it."""
    facts = FACTS[0]
    hits = []
    for individual, id_type in (
        (100, PersonIdType.FNR),
        (110, PersonIdType.FNR),
        (120, PersonIdType.DNR),
    ):
        number = make_fnr(date(1979, 10, 2), individual, synthetic=synthetic, kind=id_type)
        assert number is not None
        identifier = {"type": id_type.value, "value": number}
        patient = identifier if kind == "pathway-event" else {"identifier": identifier}
        document = Document(kind, "doc.json", {"patient": patient})
        (hit,) = identifier_rules.synthetic_in_test(document, facts)
        pointer = "/patient/value" if kind == "pathway-event" else "/patient/identifier/value"
        marker = identifier_rules.SYNTHETIC_MARKERS[synthetic]
        assert hit == Hit(pointer=pointer, args={"type": identifier["type"], "marker": marker})
        hits.append(hit)
    assert hits[0] is hits[1] is not hits[2]  # another type: another hit
