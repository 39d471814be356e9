"""The bundled example exports: valid ones conform; each invalid one breaks what its note says."""

from __future__ import annotations

import io
import json
import tomllib
from pathlib import Path
from typing import Any

import pytest

from pakkeforlop import cli
from pakkeforlop.data import schemas
from pakkeforlop.data.catalogue import Severity
from pakkeforlop.data.pathways import pathway_codes
from pakkeforlop.engine import SCHEMA_OF_KIND, check_export

from .conftest import EXAMPLES

VALID = sorted(path for path in (EXAMPLES / "valid").iterdir() if path.is_dir())
INVALID = sorted(path for path in (EXAMPLES / "invalid").iterdir() if path.is_dir())
KIND_OF_FILE = {
    "referral.json": "referral",
    "epicrisis.json": "epicrisis",
    "manifest.json": "export-manifest",
}


def _note(export: Path) -> dict[str, Any]:
    with (export / "expected.toml").open("rb") as handle:
        return tomllib.load(handle)


def _failing(export: Path) -> list[Any]:
    return [
        f for f in check_export(export, display_root="").findings if f.severity is not Severity.INFO
    ]


def test_there_are_valid_and_invalid_examples():
    assert len(VALID) >= 8
    assert len(INVALID) >= 8


@pytest.mark.parametrize("export", VALID, ids=lambda path: path.name)
def test_every_valid_example_has_no_error_or_warning(export):
    assert [(f.rule, f.file, f.line, f.pointer) for f in _failing(export)] == []


@pytest.mark.parametrize("export", VALID, ids=lambda path: path.name)
def test_the_cli_exits_0_on_every_valid_example_even_when_failing_on_warnings(export):
    out = io.StringIO()
    assert cli.main(["check", str(export), "--fail-on", "warning"], stdout=out) == 0


@pytest.mark.parametrize("export", INVALID, ids=lambda path: path.name)
def test_every_invalid_example_says_what_it_breaks_and_where(export):
    note = _note(export)
    assert note["requirement"].strip()
    assert note["source"].strip()
    assert note["violations"], "an invalid example names at least one violation"
    for entry in note["violations"]:
        assert entry["rule"], entry
        assert ("keyword" in entry) != (entry.get("checked_by") == "rules"), entry
        assert (export / entry["file"]).is_file(), entry


@pytest.mark.parametrize("export", INVALID, ids=lambda path: path.name)
def test_every_invalid_example_breaks_exactly_the_rules_its_note_names(export):
    expected = {entry["rule"] for entry in _note(export)["violations"]}
    assert {finding.rule for finding in _failing(export)} == expected


@pytest.mark.parametrize("export", INVALID, ids=lambda path: path.name)
def test_each_named_violation_is_found_in_its_file_and_line(export):
    findings = _failing(export)
    for entry in _note(export)["violations"]:
        matches = [f for f in findings if f.rule == entry["rule"] and f.file == entry["file"]]
        if "line" in entry:
            matches = [f for f in matches if f.line == entry["line"]]
        if "pointer" in entry:
            matches = [f for f in matches if f.pointer == entry["pointer"]]
        assert matches, entry


def _schema_errors(export: Path, entry: dict[str, Any]) -> set[tuple[str, str]]:
    path = export / entry["file"]
    if path.suffix == ".ndjson":
        value = json.loads(path.read_text(encoding="utf-8").splitlines()[entry["line"] - 1])
        schema_id = SCHEMA_OF_KIND["pathway-event"]
    else:
        value = json.loads(path.read_text(encoding="utf-8"))
        schema_id = SCHEMA_OF_KIND[KIND_OF_FILE[entry["file"]]]
    errors = schemas.validator(schema_id).iter_errors(value)
    return {
        ("".join(f"/{part}" for part in error.absolute_path), str(error.validator))
        for error in errors
    }


@pytest.mark.parametrize("export", INVALID, ids=lambda path: path.name)
def test_schema_level_violations_fail_the_schema_exactly_where_the_note_says(export):
    for entry in _note(export)["violations"]:
        if "keyword" in entry:
            assert (entry["pointer"], entry["keyword"]) in _schema_errors(export, entry)


@pytest.mark.parametrize("export", INVALID, ids=lambda path: path.name)
def test_the_cli_exits_1_on_every_invalid_example_and_names_its_rules(export):
    note = _note(export)
    out = io.StringIO()
    arguments = [
        "check",
        str(export),
        "--format",
        "json",
        "--fail-on",
        note.get("fail_on", "error"),
    ]
    assert cli.main(arguments, stdout=out) == 1
    reported = {finding["rule"] for finding in json.loads(out.getvalue())["findings"]}
    assert {entry["rule"] for entry in note["violations"]} <= reported


def test_every_pathway_type_has_a_valid_example():
    covered = set()
    for export in VALID:
        for events in export.glob("*.ndjson"):
            with events.open(encoding="utf-8") as handle:
                covered.update(json.loads(line)["pathwayType"] for line in handle if line.strip())
    assert covered == set(pathway_codes())
