"""The code-list schemas are generated from the code lists and agree with them."""

from __future__ import annotations

import re

import pytest

from pakkeforlop.data import codegen, schemas
from pakkeforlop.data.codes import SchemaConstraint, code_systems

from .conftest import REPO_ROOT

KODEVERK = sorted(code_systems())


def test_committed_code_list_schemas_equal_a_fresh_generation():
    stale = codegen.stale_files(REPO_ROOT / "schemas")
    assert stale == [], "run `python -m pakkeforlop.data.codegen` and commit the result"


def test_the_generator_reports_a_hand_edited_schema_as_stale(tmp_path):
    codegen.write(tmp_path)
    target = tmp_path / codegen.CODES_FOLDER / codegen.code_list_schema_name("9321")
    target.write_text(
        target.read_text(encoding="utf-8").replace('"D11"', '"D13"'), encoding="utf-8"
    )
    assert codegen.stale_files(tmp_path) == [f"{codegen.CODES_FOLDER}/{target.name}"]


@pytest.mark.parametrize("kodeverk", KODEVERK)
def test_each_code_list_schema_allows_exactly_its_codes(kodeverk):
    system = code_systems()[kodeverk]
    published = schemas.schema(f"codes/kodeverk-{kodeverk}")
    code = published["$defs"]["code"]
    assert published["properties"]["system"]["const"] == system.oid
    if system.schema_constraint is SchemaConstraint.ENUM:
        assert code["enum"] == [entry.code for entry in system]
    else:
        assert code["pattern"] == system.grammar
        assert all(re.fullmatch(code["pattern"], entry.code) for entry in system)


@pytest.mark.parametrize("kodeverk", KODEVERK)
def test_a_coded_value_validates_against_its_list(kodeverk):
    system = code_systems()[kodeverk]
    validator = schemas.validator(f"codes/kodeverk-{kodeverk}")
    first = system.codes[0]
    assert validator.is_valid({"system": system.oid, "code": first.code, "display": first.text})
    assert not validator.is_valid({"system": "2.16.578.1.12.4.1.1.1", "code": first.code})
    assert not validator.is_valid({"system": system.oid, "code": "NOT A CODE"})
