"""Generate the code-list schemas in ``schemas/v1/codes/`` from the code lists in ``spec/codes/``.

Run ``python -m pakkeforlop.data.codegen`` after editing a code list, and commit the result;
``python -m pakkeforlop.data.codegen --check`` (and the test suite) fails when they differ.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pakkeforlop.data.codes import CodeSystem, SchemaConstraint, code_systems
from pakkeforlop.data.locations import schemas_dir
from pakkeforlop.data.schemas import SCHEMA_BASE_URI

CODES_FOLDER = "v1/codes"


def code_list_schema_name(kodeverk: str) -> str:
    """The file name of a code list's generated schema."""
    return f"kodeverk-{kodeverk}.schema.json"


def _code_constraint(system: CodeSystem) -> dict[str, Any]:
    if system.schema_constraint is SchemaConstraint.GRAMMAR:
        return {
            "description": (
                f"A code of kodeverk {system.kodeverk} ({system.name_en}). The schema checks the "
                "code's grammar only; whether it is in the code list and valid on the date is "
                f"checked by the conformance rules, so that a well-formed code missing from the "
                f"{system.version} {system.status} gives a warning rather than an error. "
                f"{len(system)} codes are listed."
            ),
            "type": "string",
            "pattern": system.grammar,
            "x-personal": False,
        }
    return {
        "description": f"A code of kodeverk {system.kodeverk} ({system.name_en}).",
        "type": "string",
        "enum": [code.code for code in system],
        "x-personal": False,
    }


def code_list_schema(system: CodeSystem) -> dict[str, Any]:
    """The JSON Schema for a coded value from one code system."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{SCHEMA_BASE_URI}codes/{code_list_schema_name(system.kodeverk)}",
        "title": f"Kodeverk {system.kodeverk}: {system.name}",
        "description": (
            f"{system.name_en}. {system.description} A coded value from this list carries the "
            f"list's OID as `system`. Generated from spec/codes/{system.kodeverk}.toml (version "
            f"{system.version}, status {system.status}); do not edit by hand."
        ),
        "type": "object",
        "properties": {
            "system": {
                "description": f"The OID of kodeverk {system.kodeverk}.",
                "const": system.oid,
                "x-personal": False,
            },
            "code": {"$ref": "#/$defs/code"},
            "display": {
                "description": "The code's text as the producing system showed it (informative).",
                "type": "string",
                "maxLength": 500,
            },
        },
        "required": ["system", "code"],
        "additionalProperties": False,
        "$defs": {"code": _code_constraint(system)},
    }


def render(document: Mapping[str, Any]) -> str:
    """Serialise a schema the way every committed schema file is written."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def generated_files() -> dict[str, str]:
    """Every generated file: path relative to ``schemas/`` → content."""
    return {
        f"{CODES_FOLDER}/{code_list_schema_name(kodeverk)}": render(code_list_schema(system))
        for kodeverk, system in code_systems().items()
    }


def stale_files(root: Path) -> list[str]:
    """Generated files under ``root`` that are missing, differ, or are no longer generated."""
    expected = generated_files()
    stale = [
        name
        for name, content in expected.items()
        if not (root / name).is_file() or (root / name).read_text(encoding="utf-8") != content
    ]
    present = {path.relative_to(root).as_posix() for path in (root / CODES_FOLDER).glob("*.json")}
    stale.extend(sorted(present - set(expected)))
    return stale


def write(root: Path) -> list[str]:
    """Write every generated file under ``root``, remove orphans, and return what changed."""
    changed = stale_files(root)
    expected = generated_files()
    for name in changed:
        target = root / name
        if name in expected:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(expected[name], encoding="utf-8")
        else:
            target.unlink()
    return changed


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m pakkeforlop.data.codegen", description=__doc__)
    parser.add_argument(
        "--check", action="store_true", help="only report stale files; exit 1 if any"
    )
    parser.add_argument(
        "--schemas-dir", type=Path, default=None, help="default: the kit's schemas/"
    )
    args = parser.parse_args(argv)
    root = args.schemas_dir or schemas_dir()
    if args.check:
        stale = stale_files(root)
        for name in stale:
            print(f"stale: {name}", file=sys.stderr)
        return 1 if stale else 0
    for name in write(root):
        print(f"wrote: {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
