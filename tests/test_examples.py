"""The bundled example exports: valid ones conform; invalid ones fail where their note says."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from pakkeforlop.pathways import pathway_codes
from pakkeforlop.validation import validate_export

from .conftest import EXAMPLES

VALID = sorted(path for path in (EXAMPLES / "valid").iterdir() if path.is_dir())
INVALID = sorted(path for path in (EXAMPLES / "invalid").iterdir() if path.is_dir())


def _expected(export: Path) -> dict:
    with (export / "expected.toml").open("rb") as handle:
        return tomllib.load(handle)


def _schema_level(expected: dict) -> list[tuple[str, str, str, int | None]]:
    return sorted(
        (entry["file"], entry["pointer"], entry["keyword"], entry.get("line"))
        for entry in expected["violations"]
        if "keyword" in entry
    )


def _found(export: Path) -> list[tuple[str, str, str, int | None]]:
    return sorted(
        (
            violation.file.relative_to(export).as_posix(),
            violation.pointer,
            violation.keyword,
            violation.line,
        )
        for violation in validate_export(export)
    )


def test_there_are_valid_and_invalid_examples():
    assert len(VALID) >= 8
    assert len(INVALID) >= 8


@pytest.mark.parametrize("export", VALID, ids=lambda path: path.name)
def test_every_valid_example_validates(export):
    assert list(validate_export(export)) == []


@pytest.mark.parametrize("export", INVALID, ids=lambda path: path.name)
def test_every_invalid_example_says_what_it_breaks_and_where(export):
    expected = _expected(export)
    assert expected["requirement"].strip()
    assert expected["source"].strip()
    assert expected["violations"], "an invalid example must name at least one violation"
    for entry in expected["violations"]:
        assert ("keyword" in entry) != (entry.get("checked_by") == "rules"), entry
        assert (export / entry["file"]).is_file(), entry


@pytest.mark.parametrize("export", INVALID, ids=lambda path: path.name)
def test_every_invalid_example_fails_exactly_where_its_note_says(export):
    """Schema-level notes must match the violations; rule-level examples must be schema-valid."""
    assert _found(export) == _schema_level(_expected(export))


def test_every_pathway_type_has_a_valid_example():
    covered = set()
    for export in VALID:
        for events in export.glob("*.ndjson"):
            with events.open(encoding="utf-8") as handle:
                covered.update(json.loads(line)["pathwayType"] for line in handle if line.strip())
    assert covered == set(pathway_codes())
