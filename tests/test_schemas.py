"""The published JSON Schemas: valid, self-describing, resolvable offline, and format-enforcing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing.exceptions import Unresolvable

from pakkeforlop.data import schemas
from pakkeforlop.data.codes import code_system

from .conftest import REPO_ROOT

SCHEMA_IDS = schemas.schema_ids()
DOCUMENT_IDS = sorted(set(schemas.DOCUMENT_SCHEMAS.values()))


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


#: Keywords whose subschemas only refine properties that are declared (and described) elsewhere.
REFINING = frozenset({"if", "then", "else", "oneOf", "anyOf", "not"})


def _properties(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every declared property subschema, outside refining branches."""
    if isinstance(node, dict):
        for name, subschema in node.get("properties", {}).items():
            yield f"{path}/properties/{name}", subschema
        for key, value in node.items():
            if key not in REFINING:
                yield from _properties(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _properties(value, f"{path}/{index}")


def test_the_kit_publishes_the_four_document_schemas_and_shared_definitions():
    names = {schemas.short_name(schema_id) for schema_id in SCHEMA_IDS}
    assert {"referral", "epicrisis", "pathway-event", "export-manifest", "defs"} <= names


@pytest.mark.parametrize("schema_id", SCHEMA_IDS, ids=schemas.short_name)
def test_every_schema_is_valid_against_the_2020_12_metaschema(schema_id):
    Draft202012Validator.check_schema(schemas.schema(schema_id))
    assert schemas.schema(schema_id)["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("schema_id", SCHEMA_IDS, ids=schemas.short_name)
def test_every_schema_has_a_stable_absolute_id_a_title_and_a_description(schema_id):
    contents = schemas.schema(schema_id)
    published = sorted(
        path.relative_to(REPO_ROOT / "schemas").as_posix()
        for path in (REPO_ROOT / "schemas").rglob("*.schema.json")
    )
    assert schema_id.removeprefix(schemas.SCHEMA_ROOT_URI) in published
    assert contents["title"].strip()
    assert len(contents["description"]) > 40


@pytest.mark.parametrize("schema_id", SCHEMA_IDS, ids=schemas.short_name)
def test_every_ref_resolves_offline_through_the_registry(schema_id):
    resolver = schemas.registry().resolver(base_uri=schema_id)
    refs = list(_refs(schemas.schema(schema_id)))
    for ref in refs:
        resolved = resolver.lookup(ref)
        assert isinstance(resolved.contents, dict), ref


def test_an_unpublished_ref_fails_instead_of_fetching():
    resolver = schemas.registry().resolver(base_uri=schemas.SCHEMA_BASE_URI)
    with pytest.raises(Unresolvable):
        resolver.lookup("https://example.org/not-published.schema.json")


@pytest.mark.parametrize("schema_id", SCHEMA_IDS, ids=schemas.short_name)
def test_every_property_carries_a_description(schema_id):
    undocumented = [
        path
        for path, subschema in _properties(schemas.schema(schema_id))
        if not (isinstance(subschema, dict) and subschema.get("description", "").strip())
        and not (
            isinstance(subschema, dict)
            and set(subschema) == {"$ref"}
            and "#/$defs/" in subschema["$ref"]
        )
    ]
    assert undocumented == []


@pytest.mark.parametrize("schema_id", DOCUMENT_IDS, ids=schemas.short_name)
def test_each_document_schema_requires_the_document_to_name_it(schema_id):
    contents = schemas.schema(schema_id)
    assert contents["properties"]["$schema"]["const"] == schema_id
    if (
        schemas.short_name(schema_id) != "pathway-event"
    ):  # NDJSON lines are declared by the manifest
        assert "$schema" in contents["required"]


@pytest.mark.parametrize(
    ("definition", "bad", "good"),
    [
        ("date", "2025-02-30", "2024-02-29"),
        ("date", "14.03.2025", "2025-03-14"),
        ("dateTime", "2025-03-14 25:00", "2025-03-14T09:30:00+01:00"),
        ("dateTime", "not-a-date", "2025-03-14T09:30:00Z"),
        # rfc3339-validator alone accepts a final newline (its pattern ends in ``$``)
        ("dateTime", "0001-01-01T00:00:00Z\n", "0001-01-01T00:00:00Z"),
        ("date", "2025-03-14\n", "2025-03-14"),
    ],
)
def test_formats_are_really_enforced(definition, bad, good):
    validator = schemas.validator("defs")
    subschema = {"$ref": f"{schemas.SCHEMA_BASE_URI}defs.schema.json#/$defs/{definition}"}
    check = validator.evolve(schema=subschema)
    assert not check.is_valid(bad)
    assert check.is_valid(good)


def test_every_format_the_schemas_use_has_a_registered_checker():
    schemas.ensure_format_checkers()


def test_person_identifier_types_are_codes_of_kodeverk_8116():
    declared = schemas.schema("defs")["$defs"]["personIdentifier"]["properties"]["type"]["enum"]
    assert set(declared) <= {code.code for code in code_system("8116")}


def test_diagnosis_systems_are_the_icd10_and_icpc2_oids():
    systems = schemas.schema("defs")["$defs"]["diagnosis"]["properties"]["system"]["enum"]
    assert systems == ["2.16.578.1.12.4.1.1.7110", "2.16.578.1.12.4.1.1.7170"]


@pytest.mark.parametrize(
    ("definition", "value"),
    [("orgNumber", "974633760\n"), ("herId", "8094866\n"), ("hprNumber", "9144900\n")],
)
def test_a_trailing_newline_does_not_satisfy_a_pattern(definition, value):
    subschema = {"$ref": f"{schemas.SCHEMA_BASE_URI}defs.schema.json#/$defs/{definition}"}
    check = schemas.validator("defs").evolve(schema=subschema)
    assert check.is_valid(value.rstrip("\n"))
    assert not check.is_valid(value)


def test_an_event_code_with_a_trailing_newline_is_rejected():
    schema_id = schemas.DOCUMENT_SCHEMAS["pathway-events"]
    code = {"$ref": f"{schemas.SCHEMA_BASE_URI}codes/kodeverk-9327.schema.json#/$defs/code"}
    check = schemas.validator(schema_id).evolve(schema=code)
    assert check.is_valid("D11A")
    assert not check.is_valid("D11A\n")


@pytest.mark.parametrize(
    ("pattern", "translated"),
    [("^a$", "^a\\Z"), ("^[$]$", "^[$]\\Z"), ("^\\$$", "^\\$\\Z"), ("a|b$", "a|b\\Z")],
)
def test_ecma_dollar_becomes_end_of_input(pattern, translated):
    assert schemas.ecma_pattern(pattern) == translated


@pytest.mark.parametrize(
    ("items", "unique"),
    [
        ([1, 1.0], False),
        ([1, True], True),
        ([0, False], True),
        ([{"a": 1, "b": [1, 2]}, {"b": [1, 2], "a": 1.0}], False),
        ([[1, 2], [2, 1]], True),
        (["a", "b", "a"], False),
        ([None, "null"], True),
    ],
)
def test_unique_items_follows_json_schema_equality(items, unique):
    check = schemas.validator("defs").evolve(schema={"uniqueItems": True})
    reference = Draft202012Validator({"uniqueItems": True})
    assert check.is_valid(items) is unique
    assert reference.is_valid(items) is unique


def test_unique_items_is_linear_on_a_large_manifest():
    files = [{"path": f"referrals/{n:06}.json", "kind": "referral"} for n in range(50_000)]
    check = schemas.validator("defs").evolve(schema={"uniqueItems": True})
    assert check.is_valid(files)
    assert not check.is_valid([*files, files[123]])
