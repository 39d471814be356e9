"""The verdicts that checks looking everywhere in a document keep on values as written.

CODE-006, IDENTIFIER-005 and IDENTIFIER-006 judge the coded values, organisation numbers and
HPR numbers a document's plain text shows by their bytes, and keep each verdict
(:class:`pakkeforlop.rules._per_document.Verdicts`): a value seen in an earlier document is
not judged again. These tests show that the memo is consulted, and hold the searched path
(with its memo warm across many generated documents) to the walk of every object.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pakkeforlop.data.codes import code_system
from pakkeforlop.data.schemas import DOCUMENT_SCHEMAS
from pakkeforlop.model.identifiers import make_org_number
from pakkeforlop.model.records import Document, ExportFacts
from pakkeforlop.read import JsonText
from pakkeforlop.rules import _per_document, code, identifier
from pakkeforlop.rules._per_document import Verdicts
from pakkeforlop.rules.checks import Check, Scope, by_scope

from .golden import REFERRAL

SEARCHING = ("IDENTIFIER-005", "IDENTIFIER-006", "CODE-006")
FACTS = ExportFacts("", None, None, None)
CHECKS: list[Check] = [c for c in by_scope(Scope.DOCUMENT) if c.rule_id in SEARCHING]


def _document(data: bytes, *, searched: bool = True) -> Document:
    value = json.loads(data)
    source = JsonText(value, data, may_have_duplicate_keys=False) if searched else None
    return Document("referral", "referral.json", value, source)


def _hits(document: Document) -> list[tuple[str, object]]:
    return [(c.rule_id, hit) for c in CHECKS for hit in c.function(document, FACTS)]


def _counting(
    monkeypatch: pytest.MonkeyPatch, module: object, name: str, memo: Verdicts[Any]
) -> list[object]:
    """Record every call of ``module.name`` (the full logic behind ``memo``), memo emptied."""
    calls: list[object] = []
    original: Callable[..., Any] = getattr(module, name)

    def counted(*args: object) -> Any:
        calls.append(args)
        return original(*args)

    monkeypatch.setattr(module, name, counted)
    monkeypatch.setattr(memo, "known", {})
    return calls


@pytest.mark.parametrize(
    ("module", "name", "memo"),
    [
        (code, "_listed_if_display_differs", code._DISPLAYS[1]),
        (identifier, "_org_problems", identifier._ORG_NUMBERS[1]),
        (identifier, "_hpr_flagged", identifier._HPR_NUMBERS[1]),
    ],
)
def test_a_value_seen_in_an_earlier_document_is_not_judged_again(
    monkeypatch: pytest.MonkeyPatch, module: object, name: str, memo: Verdicts[Any]
) -> None:
    calls = _counting(monkeypatch, module, name, memo)
    assert _hits(_document(REFERRAL)) == []
    judged = len(calls)
    assert judged  # the referral's distinct values, each judged once
    assert _hits(_document(REFERRAL)) == []
    assert len(calls) == judged  # the second document's values were all known


def test_a_value_known_to_give_a_finding_sends_the_document_to_the_walk(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(identifier._ORG_NUMBERS[1], "known", {})
    bad = REFERRAL.replace(b'"orgNumber": "', b'"orgNumber": "123456780", "x": "', 1)
    for _ in range(2):
        hits = _hits(_document(bad))
        assert [rule for rule, _ in hits] == ["IDENTIFIER-005"]
        assert hits == _hits(_document(bad, searched=False))
        assert identifier._ORG_NUMBERS[1].known[b"123456780"] is True  # kept, by its bytes


@pytest.mark.parametrize(
    "memo", [code._DISPLAYS[0], identifier._ORG_NUMBERS[0], identifier._HPR_NUMBERS[0]]
)
def test_a_value_a_schema_placed_is_not_judged_again(
    monkeypatch: pytest.MonkeyPatch, memo: Verdicts[Any]
) -> None:
    # A document that passed its schema is read where the schema places the values; their
    # verdicts are kept by the values themselves.
    judged: list[object] = []
    judge = memo.judge
    monkeypatch.setattr(memo, "judge", lambda value: judged.append(value) or judge(value))
    monkeypatch.setattr(memo, "known", {})
    for _ in range(2):
        document = _document(REFERRAL, searched=False)
        document.passed = DOCUMENT_SCHEMAS["referral"]
        assert _hits(document) == []
    assert judged
    assert len(judged) == len(set(map(repr, judged)))  # each distinct value judged once


@pytest.mark.parametrize("display", [None, b"Fastlegen"])
def test_a_document_of_known_coded_values_is_answered_where_they_are_placed(
    monkeypatch: pytest.MonkeyPatch, display: bytes | None
) -> None:
    # CODE-006 looks a passed document's coded values up in its verdicts as it meets them;
    # only a document with a value not judged yet has them read into a list and judged.
    data = REFERRAL if display is None else REFERRAL.replace(b'"Fastlege"', b'"' + display + b'"')
    read: list[object] = []
    placed_members = _per_document.placed_members
    monkeypatch.setattr(
        _per_document,
        "placed_members",
        lambda *arguments: read.append(arguments) or placed_members(*arguments),
    )
    monkeypatch.setattr(code._DISPLAYS[0], "known", {})
    for _ in range(3):
        document = _document(data, searched=False)
        document.passed = DOCUMENT_SCHEMAS["referral"]
        hits = code.display_matches_text(document, FACTS)
        assert hits == code.display_matches_text(_document(data, searched=False), FACTS)
        assert bool(hits) is (display is not None)
    assert len(read) == 1  # the first document's values were judged; then all were known


def test_a_full_memo_starts_afresh() -> None:
    judged: list[bytes] = []
    memo = Verdicts[bytes](lambda value: judged.append(value) or value == b"bad", kept=2)
    assert memo.none_flagged([b"a", b"b"])
    assert memo.none_flagged([b"a", b"b"])
    assert judged == [b"a", b"b"]
    assert not memo.none_flagged([b"c", b"bad", b"d"])  # stops at the first flagged value
    assert judged == [b"a", b"b", b"c", b"bad"]
    assert len(memo.known) <= 2


# --- the searched path, memo and all, against the walk ----------------------------------------

ROLES = [(c.code, c.text) for c in code_system("8254")]
ROLE_SYSTEM = code_system("8254").oid


def _spellings(text: str) -> st.SearchStrategy[str]:
    """The list's text, spelt as CODE-006 accepts it or not."""
    return st.sampled_from(
        [
            text,
            text.upper(),
            text.casefold(),
            f"  {text} ",
            text.replace(" ", "\n\t "),
            unicodedata.normalize("NFD", text),
            text + "x",
            text[:-1],
            "Tannlege",
            "Åse Ødegård",
            "",
        ]
    )


@st.composite
def _coded(draw: st.DrawFn) -> dict[str, object]:
    listed, text = draw(st.sampled_from([*ROLES, ("not-listed", "Ukjent")]))
    system = draw(st.sampled_from([ROLE_SYSTEM, ROLE_SYSTEM, "2.16.578.1.12.4.1.1.9999"]))
    members: list[tuple[str, object]] = [
        ("system", system),
        ("code", listed),
        ("display", draw(st.one_of(_spellings(text), st.text(max_size=8), st.integers(0, 9)))),
    ]
    if draw(st.booleans()):
        members = draw(st.permutations(members))
    if draw(st.booleans()):
        members.insert(draw(st.integers(0, len(members))), ("kind", "main"))
    return dict(members)


GOOD_ORG = ["974589095", "983974910", make_org_number("31257850") or "", "312578506"]
ORG = st.sampled_from([*GOOD_ORG, "123456780", "974589096", "97458909", "", "øøø"])
HPR = st.sampled_from(["9101179", "9101128", "9100776", "1234567", "12", "", "x1", "١٢٣"])


@st.composite
def _referral(draw: st.DrawFn) -> bytes:
    def people() -> Iterator[dict[str, object]]:
        for _ in range(draw(st.integers(0, 3))):
            person: dict[str, object] = {"role": draw(_coded())}
            if draw(st.booleans()):
                person["hpr"] = draw(st.one_of(HPR, st.integers(0, 99)))
            if draw(st.booleans()):
                person["organisation"] = {"orgNumber": draw(st.one_of(ORG, st.none()))}
            yield person

    value = {
        "people": list(people()),
        "diagnoses": draw(st.lists(_coded(), max_size=3)),
        "note": draw(st.sampled_from(["", "display", "hpr", "orgNumber", "a \\ b", "Ærø"])),
    }
    indent = draw(st.sampled_from([None, 1, 2, "\t"]))
    return json.dumps(value, ensure_ascii=draw(st.booleans()), indent=indent).encode()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_referral())
def test_the_searched_path_with_its_memos_gives_the_walks_hits(data: bytes) -> None:
    assert _hits(_document(data)) == _hits(_document(data, searched=False))
