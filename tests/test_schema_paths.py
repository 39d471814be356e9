"""Where the document schemas place a member (pakkeforlop.data.schema_paths), and the checks
that read a document that passed its schema there instead of searching all of it (CODE-006,
IDENTIFIER-005 and IDENTIFIER-006): held to the walk of every object."""

from __future__ import annotations

import dis
import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from pakkeforlop.data.schema_paths import (
    OpenSchemaError,
    Tree,
    document_tree,
    member_paths,
    members_lookup,
    members_reader,
    object_paths,
    string_reader,
    tree_of,
)
from pakkeforlop.data.schema_paths import (
    Path as MemberPath,
)
from pakkeforlop.data.schemas import DOCUMENT_SCHEMAS, validator
from pakkeforlop.model import pointers
from pakkeforlop.model.identifiers import make_org_number
from pakkeforlop.model.records import Document, ExportFacts
from pakkeforlop.rules.checks import Check, Scope, by_scope
from pakkeforlop.rules.code import coded_values
from pakkeforlop.synthetic import GeneratorConfig, generate

from .conftest import EXAMPLES
from .golden import documents

#: The kinds of document the checks read where their schemas place members.
KINDS = {DOCUMENT_SCHEMAS[kind]: kind for kind in ("referral", "epicrisis", "feedback")}
CODED = ("system", "code", "display")
FACTS = ExportFacts("", None, None, None)
CHECKS: list[Check] = [
    check
    for check in by_scope(Scope.DOCUMENT)
    if check.rule_id in {"IDENTIFIER-005", "IDENTIFIER-006", "CODE-006"}
]


def _tree(schema: dict[str, Any]) -> Tree | None:
    """What a schema (with its ``$defs``) places, as the kit derives it; ``None``: open."""
    resource = Resource.from_contents(schema, default_specification=DRAFT202012)
    resolver = Registry().with_resource("urn:example", resource).resolver(base_uri="urn:example")
    try:
        return tree_of(((schema, resolver),))
    except OpenSchemaError:
        return None


def _closed(**members: Any) -> dict[str, Any]:
    return {"type": "object", "properties": members, "additionalProperties": False}


TEXT = {"type": "string"}


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        pytest.param(
            _closed(a=TEXT, b=_closed(c=TEXT), d={"type": "array", "items": _closed(e=TEXT)}),
            {"a": {}, "b": {"c": {}}, "d": {None: {"e": {}}}},
            id="closed objects and arrays",
        ),
        pytest.param({"type": "object", "properties": {"a": TEXT}}, None, id="open object"),
        pytest.param(_closed(a={}), None, id="a member of any value"),
        pytest.param(_closed(a={"description": "no type"}), None, id="a member of no type"),
        pytest.param(_closed(a={"enum": ["x", 1, None]}), {"a": {}}, id="scalar enum"),
        pytest.param(_closed(a={"const": {"b": 1}}), None, id="an object constant"),
        pytest.param(
            _closed(a={"anyOf": [TEXT, _closed(b=TEXT)]}),
            {"a": {"b": {}}},
            id="a text or a closed object",
        ),
        pytest.param(
            _closed(a={"anyOf": [_closed(b=TEXT), {"type": "object"}]}),
            None,
            id="a closed or an open object",
        ),
        pytest.param(
            {**_closed(a=TEXT), "$defs": {"x": _closed(b=TEXT)}, "allOf": [{"$ref": "#/$defs/x"}]},
            {"a": {}, "b": {}},
            id="a reference among all of",
        ),
        pytest.param(
            {
                **_closed(a={"$ref": "#/$defs/x"}),
                "$defs": {"x": _closed(b=TEXT)},
                "if": {"required": ["a"]},
                "then": {"properties": {"a": {"required": ["b"]}}},
            },
            {"a": {"b": {}}},
            id="a condition on a member",
        ),
        pytest.param(
            {**_closed(a=TEXT), "then": {"properties": {"z": {"type": "object"}}}},
            None,
            id="a condition placing an open object",
        ),
        pytest.param(
            {**_closed(a=TEXT), "patternProperties": {"^x": TEXT}}, None, id="members by pattern"
        ),
        pytest.param(
            {"type": "object", "additionalProperties": TEXT}, None, id="members of any name"
        ),
        pytest.param(_closed(a={"type": "array"}), None, id="an array of anything"),
        pytest.param(
            _closed(a={"type": "array", "prefixItems": [TEXT]}), None, id="items by position"
        ),
        pytest.param(
            {**_closed(a={"$ref": "#"})}, None, id="a schema that holds itself without end"
        ),
        pytest.param(
            {**_closed(a=TEXT), "$dynamicRef": "#node"}, None, id="a reference resolved late"
        ),
    ],
)
def test_what_a_schema_places(schema: dict[str, Any], expected: Tree | None) -> None:
    assert _tree(schema) == expected


def test_the_kits_document_schemas_place_their_members() -> None:
    for kind in ("referral", "epicrisis", "feedback", "pathway-events"):
        assert document_tree(DOCUMENT_SCHEMAS[kind]) is not None, kind
    referral = DOCUMENT_SCHEMAS["referral"]
    assert ("sender", "organisation", "orgNumber") in (member_paths(referral, "orgNumber") or ())
    assert ("diagnoses", None) in (object_paths(referral, CODED) or ())


def test_readers_give_strings_and_objects_string_members_at_the_paths() -> None:
    referral = DOCUMENT_SCHEMAS["referral"]
    coded = {"system": "s", "code": "c", "display": "d"}
    value = {
        "sender": {"organisation": {"orgNumber": "974589095"}, "referrer": {"role": coded}},
        "receiver": {"organisation": {"orgNumber": 974589095}},  # not a string: not given
        "diagnoses": [coded, {**coded, "display": None}, "x", {**coded, "code": "c2"}],
    }
    read_org = string_reader(referral, "orgNumber")
    read_coded = members_reader(referral, CODED)
    assert read_org is not None
    assert read_coded is not None
    assert read_org(value) == ["974589095"]
    assert read_coded(value) == [("s", "c", "d"), ("s", "c", "d"), ("s", "c2", "d")]
    assert read_org([]) == read_coded("x") == []


def test_a_reader_gives_values_in_path_order_and_looks_each_shared_step_up_once() -> None:
    # The epicrisis places ``herId`` at seven paths that share steps at several depths, one
    # of them (``organisation``) both holding the member and leading to a deeper one.
    epicrisis = DOCUMENT_SCHEMAS["epicrisis"]
    paths = member_paths(epicrisis, "herId") or ()
    assert ("recipients", None, "organisation", "unit", "herId") in paths
    value: dict[str, Any] = {}
    expected = []
    for at, path in enumerate(paths):  # a distinct value at every path, the lists one long
        holder: Any = value
        for step, following in pairwise(path):
            if step is None:
                holder = holder[0]
                continue
            default: Any = [{}] if following is None else {}
            holder = holder.setdefault(step, default)
        holder["herId"] = f"{at}"
        expected.append(f"{at}")
    read = string_reader(epicrisis, "herId")
    assert read is not None
    assert read(value) == expected
    looked_up = Counter(
        instruction.argval
        for instruction in dis.get_instructions(read)
        if instruction.opname == "LOAD_CONST"
    )
    assert looked_up["recipients"] == looked_up["organisation"] == looked_up["institution"] == 1


def test_a_lookup_answers_from_the_table_only_what_the_reader_would() -> None:
    referral = DOCUMENT_SCHEMAS["referral"]
    lookup = members_lookup(referral, CODED)
    assert lookup is not None
    coded = {"system": "s", "code": "c", "display": "d"}
    value = {"gp": {"role": coded}, "diagnoses": [coded, {**coded, "code": "c2"}]}
    known = {("s", "c", "d"): False, ("s", "c2", "d"): False}
    assert lookup(value, known) is False  # every tuple known, none flagged
    assert lookup(value, {**known, ("s", "c2", "d"): True}) is True
    assert lookup(value, {("s", "c", "d"): False}) is None  # one not judged yet
    assert lookup({}, {}) is False  # nothing at the places
    for odd in ({"system": "s", "code": "c"}, {**coded, "display": ["d"]}, {**coded, "code": 7}):
        # a member missing, one that cannot be a key, one not a string: the reader's to say
        assert lookup({"diagnoses": [odd]}, known) is None


# --- a document that passed its schema: what its schema places, against the walk -------------


@cache
def _valid_documents(folder: Path) -> tuple[tuple[str, dict[str, Any]], ...]:
    """Every JSON document under ``folder`` that passes its schema, with its schema's id."""
    found = []
    for path in sorted(folder.rglob("*.json")):
        try:
            value = json.loads(path.read_bytes())
        except ValueError:
            continue
        schema_id = value.get("$schema") if isinstance(value, dict) else None
        if schema_id in KINDS and validator(schema_id).is_valid(value):
            found.append((schema_id, value))
    return tuple(found)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    export = tmp_path_factory.mktemp("placed") / "export"
    config = GeneratorConfig(out=Path("unused"), pathways=120, seed=5, defect_rate=0.5)
    generate(replace(config, out=export))
    return export


def _documents(generated: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    yield from _valid_documents(EXAMPLES)
    yield from _valid_documents(generated)
    referral = DOCUMENT_SCHEMAS["referral"]
    for text in documents().values():
        try:
            value = json.loads(text)
        except (ValueError, RecursionError):  # the golden texts include broken ones
            continue
        if validator(referral).is_valid(value):
            yield referral, value


def _multiset(values: list[Any]) -> list[str]:
    return sorted(json.dumps(value, sort_keys=True) for value in values)


def test_what_a_schema_places_is_what_the_walk_finds(generated: Path) -> None:
    seen = dict.fromkeys(KINDS.values(), 0)
    for schema_id, value in _documents(generated):
        walked = pointers.index(value)
        for name in ("orgNumber", "hpr"):
            read = string_reader(schema_id, name)
            assert read is not None
            found = [item for _, item in walked.named(name) if isinstance(item, str)]
            assert _multiset(read(value)) == _multiset(found), name
        read_coded = members_reader(schema_id, CODED)
        assert read_coded is not None
        walked_triples = [(o["system"], o["code"], o["display"]) for _, o in coded_values(walked)]
        assert _multiset(read_coded(value)) == _multiset(walked_triples)
        lookup = members_lookup(schema_id, CODED)
        assert lookup is not None
        verdicts = {triple: len(triple[2]) % 2 == 0 for triple in walked_triples}
        assert lookup(value, verdicts) is any(verdicts.values())
        seen[KINDS[schema_id]] += 1
    assert all(count > 5 for count in seen.values()), seen


def _hits(kind: str, value: dict[str, Any], *, passed: str | None) -> list[tuple[str, Any]]:
    document = Document(kind, f"{kind}.json", value)  # no text: the walk, unless it passed
    document.passed = passed
    return [(check.rule_id, hit) for check in CHECKS for hit in check.function(document, FACTS)]


GOOD_ORG = ["974589095", "983974910", make_org_number("31257850") or ""]
ORG = st.sampled_from([*GOOD_ORG, "123456780", "974589096"])
HPR = st.sampled_from(["9101179", "9101128", "9100776", "1234567", "12"])


def _holders(value: Any, path: MemberPath) -> list[Any]:
    """What holds the last step of ``path`` in ``value``."""
    level = [value]
    for step in path[:-1]:
        below: list[Any] = []
        for item in level:
            if step is None and isinstance(item, list):
                below.extend(item)
            elif step is not None and isinstance(item, dict) and step in item:
                below.append(item[step])
        level = below
    return level


def _replaced(
    value: Any, paths: tuple[MemberPath, ...], draw: st.DrawFn, new: Callable[[Any], Any]
) -> None:
    """Replace, at some of ``paths`` in ``value``, what is there with ``new`` of it."""
    for path in paths:
        last = path[-1]
        for holder in _holders(value, path):
            if last is None and isinstance(holder, list):
                for at, item in enumerate(holder):
                    holder[at] = new(item) if draw(st.booleans()) else item
            elif isinstance(holder, dict) and last in holder and draw(st.booleans()):
                holder[last] = new(holder[last])


@st.composite
def _varied(draw: st.DrawFn, pool: tuple[tuple[str, dict[str, Any]], ...]) -> tuple[str, Any]:
    schema_id, original = draw(st.sampled_from(pool))
    value = json.loads(json.dumps(original))
    _replaced(value, member_paths(schema_id, "orgNumber") or (), draw, lambda _: draw(ORG))
    _replaced(value, member_paths(schema_id, "hpr") or (), draw, lambda _: draw(HPR))

    def display(coded: Any) -> Any:
        if not isinstance(coded, dict) or not isinstance(coded.get("display"), str):
            return coded
        text = coded["display"]
        spelt = draw(st.sampled_from([text, text.upper(), f" {text} ", text + "x", "Ukjent"]))
        return {**coded, "display": spelt}

    for path in object_paths(schema_id, CODED) or ():
        _replaced(value, (path,), draw, display)
    return schema_id, value


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_the_checks_read_what_the_schema_places_as_the_walk_would(data: st.DataObject) -> None:
    pool = _valid_documents(EXAMPLES)
    schema_id, value = data.draw(_varied(pool))
    assume(validator(schema_id).is_valid(value))
    kind = KINDS[schema_id]
    assert _hits(kind, value, passed=schema_id) == _hits(kind, value, passed=None)
