"""IDENTIFIER-001, 002, 005, 006 and 007 share one quiet test,
:func:`pakkeforlop.rules.identifier.numbers_agree`: where it holds, the engine calls none of
them. These tests show that it clears a complete document, and that it holds only where none
of the five finds anything, for documents read every way the checks read them (placed by
their schema, searched in their text, walked).
"""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pakkeforlop.data.schemas import validator
from pakkeforlop.engine.caps import DEFAULT_CAPS
from pakkeforlop.engine.documents import SCHEMA_OF_KIND, DocumentChecker
from pakkeforlop.engine.recorder import Recorder
from pakkeforlop.model.identifiers import make_org_number
from pakkeforlop.model.records import Document, ExportFacts
from pakkeforlop.read import JsonText
from pakkeforlop.rules import identifier
from pakkeforlop.rules.checks import Scope, by_scope

from .conftest import EXAMPLES, spied
from .date_texts import date_texts
from .person_number_texts import numbers

NUMBER_CHECKS = ("IDENTIFIER-001", "IDENTIFIER-002", "IDENTIFIER-005", "IDENTIFIER-006")
CHECKS = [
    check
    for check in by_scope(Scope.DOCUMENT)
    if check.rule_id in {*NUMBER_CHECKS, "IDENTIFIER-007"}
]
FACTS = [
    ExportFacts("export", date(2025, 6, 25), "test", "1.0.0"),
    ExportFacts("export", date(2032, 3, 1), "production", "1.0.0"),
    ExportFacts("file", None, None, None),
]
VALID = EXAMPLES / "valid" / "d11-phv-adults-completed"


#: The kind of a valid example, by how its file's name begins.
KINDS = {"ref": "referral", "epi": "epicrisis", "fb-": "feedback", "fee": "feedback"}


def _documents() -> list[Document]:
    found = []
    for path in sorted((EXAMPLES / "valid").rglob("*.json")):
        kind = KINDS.get(path.name[:3].lower())
        if kind is not None:
            found.append(Document(kind, path.name, json.loads(path.read_bytes())))
    return found


DOCUMENTS = _documents()


def _read(kind: str, value: dict[str, Any], how: str) -> Document:
    """A document as the engine hands it to the checks: placed (it passed its schema),
    searched (its plain text), or neither (its objects are walked)."""
    if how == "searched":
        data = json.dumps(value, ensure_ascii=False).encode()
        return Document(kind, "d.json", value, JsonText(value, data, may_have_duplicate_keys=False))
    document = Document(kind, "d.json", value)
    if how == "placed" and validator(SCHEMA_OF_KIND[kind]).is_valid(value):
        document.passed = SCHEMA_OF_KIND[kind]
    return document


def test_the_number_checks_share_one_quiet_test() -> None:
    assert {check.rule_id for check in CHECKS} == {*NUMBER_CHECKS, "IDENTIFIER-007"}
    assert all(check.quiet is identifier.numbers_agree for check in CHECKS)


@pytest.mark.parametrize("how", ["placed", "searched"])
@pytest.mark.parametrize("name", ["referral.json", "epicrisis.json"])
def test_a_document_whose_numbers_agree_runs_none_of_their_checks(
    tmp_path: Path, how: str, name: str
) -> None:
    called: list[str] = []

    kind = name.removesuffix(".json")
    checker = DocumentChecker(Recorder(tmp_path, ".", DEFAULT_CAPS))
    checker.recorder.facts = FACTS[0]
    checker.checks_of_kind[kind] = [spied(check, called) for check in checker.checks_of(kind)]
    checker.run_checks(_read(kind, json.loads((VALID / name).read_bytes()), how))
    assert {check.rule_id for check in CHECKS} <= checker.recorder.result.exercised
    assert "IDENTIFIER-003" in called  # the other checks ran
    assert not {check.rule_id for check in CHECKS} & set(called)


#: Organisation and HPR numbers: valid, with a wrong check digit, of another form, not text.
ORG_NUMBERS = st.one_of(
    st.text(alphabet="0123456789", min_size=8, max_size=8).map(
        lambda first8: make_org_number(first8) or f"{first8}0"
    ),
    st.text(alphabet="0123456789", min_size=9, max_size=9),
    st.sampled_from(["", "12345678", "1234567890", "98765432x", 974760673, None]),
)
HPR_NUMBERS = st.one_of(
    st.text(alphabet="0123456789", min_size=1, max_size=9),
    st.sampled_from(["", "1234567890", "12a", 9144900, None]),
)


def _replace_members(
    value: Any, name: str, draw: st.DrawFn, values: st.SearchStrategy[Any]
) -> None:
    """Give some of the members called ``name`` in ``value`` a drawn value."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == name and draw(st.booleans()):
                value[key] = draw(values)
            else:
                _replace_members(inner, name, draw, values)
    elif isinstance(value, list):
        for inner in value:
            _replace_members(inner, name, draw, values)


@st.composite
def changed(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """A valid example with its identifiers and its stated birth date changed."""
    base = draw(st.sampled_from(DOCUMENTS))
    value = copy.deepcopy(base.value)
    identifier_value = value["patient"]["identifier"]
    if draw(st.booleans()):
        identifier_value["value"] = draw(
            st.one_of(numbers(), st.sampled_from(["", "0101011234", 12345678901]))
        )
    if draw(st.booleans()):
        identifier_value["type"] = draw(st.sampled_from(["FNR", "DNR", "HNR", "FHN", "DUF", "X"]))
    if draw(st.booleans()):
        birth = st.one_of(date_texts(), st.sampled_from([None, 19790102, "1979-10-02"]))
        value["patient"]["birthDate"] = draw(birth)
    _replace_members(value, "orgNumber", draw, ORG_NUMBERS)
    _replace_members(value, "hpr", draw, HPR_NUMBERS)
    return base.kind, value


@settings(max_examples=600, deadline=None)
@given(
    document=changed(),
    how=st.sampled_from(["placed", "searched", "walked"]),
    facts=st.sampled_from(FACTS),
)
def test_numbers_agree_only_where_none_of_their_checks_finds_anything(
    document: tuple[str, dict[str, Any]], how: str, facts: ExportFacts
) -> None:
    kind, value = document
    read = _read(kind, value, how)
    if identifier.numbers_agree(read, facts):
        for check in CHECKS:
            if kind in check.kinds:
                fresh = _read(kind, value, how)  # (no memo shared with the quiet test)
                assert list(check.function(fresh, facts)) == [], check.rule_id
