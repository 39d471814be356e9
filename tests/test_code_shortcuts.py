"""The CODE checks' short cuts give exactly what their full logic gives, and are taken.

CODE-002 to 005 take a code's grammar from a memo, and CODE-002 does not read the date of a
document whose code every list version in force has (the version applied on a day is always
one of those): these tests hold both to the code list's own answers.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pakkeforlop.data.codes import Code, CodeSystem, ListVersion, SchemaConstraint, code_system
from pakkeforlop.data.evidence import CodeStatus
from pakkeforlop.model.records import Document, ExportFacts
from pakkeforlop.rules import code as code_rules
from pakkeforlop.rules.checks import registered

TEST = ExportFacts("export", date(2025, 6, 25), "test", "1.0.0")
CODES = ("D01A", "D01B", "D01C")
DAYS = st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31))
EDGES = st.one_of(st.none(), DAYS, st.sampled_from([date.min, date.max]))


def event(code: str) -> dict[str, Any]:
    return {"patient": {}, "pathwayType": code[:3], "code": code, "date": "2025-01-24"}


def hits(rule_id: str, value: dict[str, Any], kind: str = "pathway-event") -> list[Any]:
    return list(registered()[rule_id].function(Document(kind, "doc.json", value), TEST))


def test_a_codes_grammar_is_judged_once_for_every_document_that_writes_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """CODE-002 to 005 take the grammar's verdict on a code from a memo (a look-up, where the
    grammar's regular expression cost several times more), and it is the grammar's."""
    judged: list[str] = []
    real = CodeSystem.matches_grammar
    event_codes = code_system("9327")

    def counted(system: CodeSystem, code: str) -> bool:
        if system is event_codes:
            judged.append(code)
        return real(system, code)

    monkeypatch.setattr(CodeSystem, "matches_grammar", counted)
    code_rules._well_formed.cache_clear()
    codes = ["D11A", "D11 Q", "D11A", "D11XG", "D11 Q", "D11A"]
    for code in codes:
        for rule_id in ("CODE-002", "CODE-003", "CODE-004", "CODE-005"):
            hits(rule_id, event(code))
    code_rules._well_formed.cache_clear()
    assert judged == ["D11A", "D11 Q", "D11XG"]
    assert [code_rules._well_formed(code) for code in codes] == [
        real(event_codes, code) for code in codes
    ]


@st.composite
def versions(draw: st.DrawFn) -> tuple[ListVersion, ...]:
    """Versions of a list of :data:`CODES` with periods, each with all codes or some."""
    drawn = []
    for number in range(draw(st.integers(1, 4))):
        start, end = draw(EDGES), draw(EDGES)
        status = CodeStatus.SNAPSHOT if start is not None else CodeStatus.PROVISIONAL
        codes = draw(st.none() | st.frozensets(st.sampled_from(CODES)))
        drawn.append(ListVersion(str(number), "n", status, "s", "u", start, end, codes))
    return tuple(drawn)


@settings(max_examples=500, deadline=None)
@given(listed=versions(), days=st.lists(st.one_of(st.none(), DAYS), max_size=6))
def test_a_code_in_every_version_in_force_is_listed_on_every_day(
    listed: tuple[ListVersion, ...], days: list[date | None]
) -> None:
    """CODE-002 reads no date for a code :func:`_listed_every_day` takes: the list has it on
    every day (and on the edges of every version's period)."""
    if not any(version.in_force for version in listed):
        return  # the loader rejects a list without a version in force
    system = CodeSystem(
        "9327", "o", "n", "n", "d", "v", CodeStatus.SNAPSHOT, "s", "u", SchemaConstraint.GRAMMAR,
        tuple(Code(code, code, CodeStatus.SNAPSHOT) for code in CODES[:2]), versions=listed,
    )  # fmt: skip
    edges = [
        edge + timedelta(days=shift)
        for version in listed
        for edge in (version.valid_from, version.valid_to)
        if edge is not None and date.min < edge < date.max
        for shift in (-1, 0, 1)
    ]
    code_rules._listed_every_day.cache_clear()
    with mock.patch.object(code_rules, "code_system", return_value=system):
        for code in (*CODES, "D01X"):
            if code_rules._listed_every_day(code):
                assert all(system.lists_on(code, day) for day in [*days, *edges])
    code_rules._listed_every_day.cache_clear()


def test_the_date_of_a_document_is_read_only_for_a_code_not_in_every_version(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Nearly every code is in every version in force (the shipped list has one): CODE-002
    does not read its document's date; an unlisted code's is read, and it is reported."""
    read: list[str] = []
    real = code_rules.document_day

    def counted(document: Document) -> date | None:
        read.append(document.value["code"])
        return real(document)

    monkeypatch.setattr(code_rules, "document_day", counted)
    code_rules._listed_every_day.cache_clear()
    assert hits("CODE-002", event("D11A")) == []
    assert len(hits("CODE-002", event("D11Q"))) == 1
    assert read == ["D11Q"]
    assert code_rules._listed_every_day("D11A")
    assert code_system("9327").lists_on("D11A", None)
