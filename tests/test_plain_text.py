"""Checks that look everywhere in a document search its text when they can: the same hits.

IDENTIFIER-005, IDENTIFIER-006 and CODE-006 look at members anywhere in a document. When its
text writes no key twice and holds no backslash, they search the text instead of walking every
object, and walk only when the text shows a value that gives a finding (to find its place).
A document without its text is always walked: comparing the two gives the reference.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pakkeforlop.model.records import Document, ExportFacts
from pakkeforlop.read import DEFAULT_LIMITS, read_json_file
from pakkeforlop.rules._per_document import PlainText
from pakkeforlop.rules.checks import Check, Scope, by_scope
from pakkeforlop.synthetic import GeneratorConfig, generate

from .conftest import EXAMPLES
from .golden import REFERRAL, documents

SEARCHING = ("IDENTIFIER-005", "IDENTIFIER-006", "CODE-006")
FACTS = ExportFacts("", None, None, None)
CHECKS: list[Check] = [c for c in by_scope(Scope.DOCUMENT) if c.rule_id in SEARCHING]
KINDS = ("referral", "epicrisis", "feedback")

#: The referral's first coded value and its first organisation and HPR numbers, as written.
ROLE = b'"system": "2.16.578.1.12.4.1.1.8254",\n        "code": "HHE",'
DISPLAY = b'"display": "Henvisende helsepersonell"'


def _crafted() -> dict[str, bytes]:
    """Referrals that the text search must not misread."""
    text = REFERRAL
    value = json.loads(text)
    org = value["sender"]["organisation"]["orgNumber"].encode()
    hpr = value["sender"]["referrer"]["hpr"].encode()
    wrong_display = text.replace(DISPLAY, b'"display": "Tannlege"', 1)
    return {
        **documents(),
        "bad-org": text.replace(org, b"123456780", 1),
        "bad-hpr": text.replace(hpr, b"1234567", 1),
        "org-not-a-string": text.replace(b'"' + org + b'"', org, 1),
        "org-empty": text.replace(b'"' + org + b'"', b'""', 1),
        "wrong-display": wrong_display,
        "wrong-display-reordered": text.replace(
            DISPLAY, b'"display": "Tannlege", "extra": 1', 1
        ).replace(ROLE, b'"code": "HHE",\n        "system": "2.16.578.1.12.4.1.1.8254",', 1),
        "display-as-a-value": text.replace(b'"Jon"', b'"display"', 1),
        "display-not-a-string": text.replace(DISPLAY, b'"display": 7', 1),
        "wrong-display-escaped": wrong_display.replace(b'"Jon"', b'"J\\u006fn"', 1),
        "escaped-display-key": text.replace(DISPLAY, b'"disp\\u006cay": "Tannlege"', 1),
        "escaped-org-key": text.replace(
            b'"orgNumber": "' + org + b'"', b'"org\\u004eumber": "123456780"', 1
        ),
        "nested-org-owner": text.replace(
            b'"orgNumber": "' + org + b'"',
            b'"x": {"orgNumber": "123456780"}, "orgNumber": "' + org + b'"',
            1,
        ),
    }


def _hits(document: Document) -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = []
    for check in CHECKS:
        if document.kind in check.kinds:
            found += [(check.rule_id, hit) for hit in check.function(document, FACTS)]
    return found


def _compare(kind: str, path: Path) -> list[tuple[str, object]]:
    hits = []
    for fast in (True, False):
        result = read_json_file(path, DEFAULT_LIMITS, fast=fast)
        if result.text is None or not isinstance(result.text.value, dict):
            return []
        value = result.text.value
        searched = _hits(Document(kind, path.name, value, result.text))
        walked = _hits(Document(kind, path.name, value))
        assert searched == walked, path.name
        hits += searched
    return hits


def test_the_crafted_referrals_give_the_same_hits_searched_as_walked(tmp_path: Path) -> None:
    rules = set()
    for name, text in _crafted().items():
        (tmp_path / f"{name}.json").write_bytes(text)
        rules |= {rule for rule, _ in _compare("referral", tmp_path / f"{name}.json")}
    assert rules == set(SEARCHING)  # each check's findings were found through the text


def _documents_below(root: Path) -> list[tuple[str, Path]]:
    found = []
    for manifest in sorted(root.rglob("manifest.json")):
        declared = json.loads(manifest.read_text(encoding="utf-8")).get("files", [])
        for entry in declared:
            if isinstance(entry, dict) and entry.get("kind") in KINDS:
                path = manifest.parent / str(entry.get("path"))
                if path.is_file():
                    found.append((entry["kind"], path))
    return found


def test_every_example_gives_the_same_hits_searched_as_walked() -> None:
    found = _documents_below(EXAMPLES)
    assert found
    for kind, path in found:
        _compare(kind, path)


def test_a_generated_export_with_defects_gives_the_same_hits_searched_as_walked(
    tmp_path: Path,
) -> None:
    generate(GeneratorConfig(out=tmp_path / "export", pathways=120, seed=5, defect_rate=0.6))
    rules = set()
    for kind, path in _documents_below(tmp_path / "export"):
        rules |= {rule for rule, _ in _compare(kind, path)}
    assert rules  # the defects gave findings of these checks


@pytest.mark.parametrize(
    ("text", "values"),
    [
        (b'{"orgNumber": "974589095"}', [b"974589095"]),
        (b'{"orgNumber"\n  :\t"974589095", "x": {"orgNumber": 7}}', [b"974589095"]),
        (b'{"a": "orgNumber", "orgNumber": "974589095"}', [b"974589095"]),
        (b'{"orgNumber": "orgNumber", "b": {"orgNumber": ""}}', [b"orgNumber", b""]),
        (b'{"orgNumbers": "1", "xorgNumber": "2", "a": ["orgNumber"]}', []),
        (b'{"orgNumber": null, "b": [{"orgNumber": "\xc3\xb8"}]}', ["ø".encode()]),
    ],
)
def test_the_text_search_finds_every_string_member_by_name_and_nothing_else(
    text: bytes, values: list[bytes]
) -> None:
    assert PlainText(text).strings("orgNumber") == values
