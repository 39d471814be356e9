"""Validate the documents of an export against the published JSON Schemas."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from jsonschema.exceptions import ValidationError

from pakkeforlop import exports
from pakkeforlop.registry import DOCUMENT_SCHEMAS, schema_ids, validator

#: Files that count as export data; anything else in an export folder (notes, READMEs) is ignored.
DATA_SUFFIXES = frozenset({".json", ".ndjson", ".xml"})


@dataclass(frozen=True, slots=True)
class Violation:
    """A place where an export breaks the contract.

    ``keyword`` is the JSON Schema keyword that failed (``required``, ``format``, …), or one
    of ``input`` (unreadable file), ``schema-unknown`` (the document names no published
    schema), ``manifest`` (a declared file is missing or unsafe) or ``undeclared`` (a data file
    the manifest does not list).
    """

    file: Path
    pointer: str
    keyword: str
    message: str
    line: int | None = None
    schema_path: str = ""


def _pointer(path: Any) -> str:
    return "".join(f"/{str(part).replace('~', '~0').replace('/', '~1')}" for part in path)


def _from_error(error: ValidationError, file: Path, line: int | None) -> Violation:
    return Violation(
        file=file,
        pointer=_pointer(error.absolute_path),
        keyword=str(error.validator),
        message=error.message,
        line=line,
        schema_path=_pointer(error.absolute_schema_path),
    )


def validate_value(
    value: Any, schema_id: str, file: Path, line: int | None = None
) -> Iterator[Violation]:
    """Every schema violation of one parsed document against one schema."""
    for error in sorted(
        validator(schema_id).iter_errors(value), key=lambda e: list(e.absolute_path)
    ):
        yield _from_error(error, file, line)


def _read_problem(problem: exports.ReadError) -> Violation:
    return Violation(problem.file, "", "input", problem.message, problem.line)


def validate_document_file(path: Path, expected_schema: str | None = None) -> Iterator[Violation]:
    """Validate one JSON document file against the schema its ``$schema`` names."""
    parsed = exports.read_json(path)
    if isinstance(parsed, exports.ReadError):
        yield _read_problem(parsed)
        return
    named = parsed.value.get("$schema") if isinstance(parsed.value, dict) else None
    schema_id = expected_schema or named
    if schema_id not in schema_ids():
        yield Violation(
            path, "/$schema", "schema-unknown", f"the document names no published schema: {named!r}"
        )
        return
    yield from validate_value(parsed.value, schema_id, path)


def validate_events_file(path: Path) -> Iterator[Violation]:
    """Validate every line of an NDJSON pathway-events file."""
    schema_id = DOCUMENT_SCHEMAS["pathway-events"]
    for item in exports.read_ndjson(path):
        if isinstance(item, exports.ReadError):
            yield _read_problem(item)
        else:
            yield from validate_value(item.value, schema_id, path, item.line)


def _safe_member(root: Path, relative: str) -> Path | None:
    candidate = PurePosixPath(relative)
    if candidate.is_absolute() or ".." in candidate.parts:
        return None
    return root.joinpath(*candidate.parts)


def validate_export(root: Path) -> Iterator[Violation]:
    """Validate an export folder: its manifest, every declared file, and undeclared files."""
    manifest_path = root / exports.MANIFEST_NAME
    yield from validate_document_file(manifest_path, DOCUMENT_SCHEMAS["export-manifest"])
    parsed = exports.read_json(manifest_path)
    manifest = parsed.value if isinstance(parsed, exports.Parsed) else None
    declared: set[Path] = {manifest_path}
    for index, (relative, kind) in enumerate(exports.declared_files(manifest)):
        path = _safe_member(root, relative)
        pointer = f"/files/{index}/path"
        if path is None:
            continue  # the manifest's own schema violations already report this entry
        declared.add(path)
        if kind not in DOCUMENT_SCHEMAS:
            continue  # likewise: an unknown kind is an enum violation of the manifest
        if not path.is_file():
            yield Violation(
                manifest_path, pointer, "manifest", f"declared file {relative!r} does not exist"
            )
        elif kind == "pathway-events":
            yield from validate_events_file(path)
        else:
            yield from validate_document_file(path, DOCUMENT_SCHEMAS[kind])
    for path in sorted(p for p in root.rglob("*") if p.suffix in DATA_SUFFIXES and p.is_file()):
        if path not in declared:
            yield Violation(path, "", "undeclared", "file is not declared in the export's manifest")
