"""The texts of schema messages at their edges: a quoted value's length, an enumeration's
length, and the quantifier of a choice between alternatives."""

from __future__ import annotations

import json
from typing import Any

from jsonschema.exceptions import ValidationError

from pakkeforlop.data.schemas import DOCUMENT_SCHEMAS, validator
from pakkeforlop.model import pointers
from pakkeforlop.rules.schema_messages import MAX_LISTED, describe

from .conftest import EXAMPLES


def _document(kind: str) -> dict[str, Any]:
    name = {"referral": "referral.json", "epicrisis": "epicrisis.json"}[kind]
    path = EXAMPLES / "valid" / "d11-phv-adults-completed" / name
    document: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return document


def _errors(
    kind: str, document: dict[str, Any], pointer: str, keyword: str
) -> list[ValidationError]:
    return [
        error
        for error in validator(DOCUMENT_SCHEMAS[kind]).iter_errors(document)
        if pointers.pointer(error.absolute_path) == pointer and error.validator == keyword
    ]


def _args(kind: str, document: dict[str, Any], pointer: str, keyword: str) -> dict[str, Any]:
    (error,) = _errors(kind, document, pointer, keyword)
    _, args = describe(error, DOCUMENT_SCHEMAS[kind])
    return dict(args)


def test_a_quoted_value_of_80_characters_is_whole_and_a_longer_one_is_cut_to_80():
    document = _document("referral")
    document["issued"] = "x" * 80
    assert _args("referral", document, "/issued", "format")["value"] == repr("x" * 80)
    document["issued"] = "x" * 81
    assert _args("referral", document, "/issued", "format")["value"] == repr("x" * 77 + "...")


def test_an_enumeration_of_exactly_the_listed_number_of_values_is_listed_whole():
    document = _document("referral")
    document["sender"]["service"] = "elsewhere"
    (error,) = _errors("referral", document, "/sender/service", "enum")
    assert len(error.validator_value) == MAX_LISTED  # the schema's list is exactly that long
    _, args = describe(error, DOCUMENT_SCHEMAS["referral"])
    assert args["allowed"] == ", ".join(json.dumps(value) for value in error.validator_value)


def test_a_choice_of_any_alternative_asks_for_at_least_one():
    document = _document("epicrisis")
    document["medication"] = {}
    args = _args("epicrisis", document, "/medication", "anyOf")
    assert args["quantifier"] == "at least one"
