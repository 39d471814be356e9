"""The ``pakkeforlop`` command: argument parsing, output and exit codes only."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from pakkeforlop import SPEC_VERSION, __version__, exports
from pakkeforlop.validation import (
    Violation,
    validate_document_file,
    validate_events_file,
    validate_export,
)

EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_USAGE = 2


def _violations_for(path: Path) -> list[Violation]:
    if path.is_dir():
        roots = exports.find_exports(path)
        if not roots:
            return [
                Violation(path, "", "input", f"no {exports.MANIFEST_NAME} at or below this folder")
            ]
        return [violation for root in roots for violation in validate_export(root)]
    if path.suffix == ".ndjson":
        return list(validate_events_file(path))
    return list(validate_document_file(path))


def _format(violation: Violation) -> str:
    where = str(violation.file)
    if violation.line is not None:
        where += f":{violation.line}"
    pointer = violation.pointer or "(document)"
    return f"{where}: {pointer}: {violation.message} [{violation.keyword}]"


def _check(paths: Sequence[Path], out: TextIO) -> int:
    total = 0
    for path in paths:
        violations = _violations_for(path)
        total += len(violations)
        for violation in violations:
            print(_format(violation), file=out)
        status = "ok" if not violations else f"{len(violations)} violation(s)"
        print(f"{path}: {status}", file=out)
    print(f"pakkeforlop {__version__} (spec {SPEC_VERSION}): {total} violation(s)", file=out)
    return EXIT_VIOLATIONS if total else EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (also used to document the CLI)."""
    parser = argparse.ArgumentParser(
        prog="pakkeforlop",
        description="Check pathway exports (referrals, epicrises, measurement points) offline.",
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__} (spec {SPEC_VERSION})"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser(
        "check",
        help="validate exports against the published schemas",
        description=(
            "Validate exports against the published JSON Schemas. A PATH is an export folder "
            "(holding manifest.json), a folder of exports, a JSON document or an NDJSON "
            "events file. "
            "Exit status: 0 no violations, 1 violations found, 2 usage error."
        ),
    )
    check.add_argument("paths", metavar="PATH", nargs="+", type=Path)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``pakkeforlop`` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    missing = [str(path) for path in args.paths if not path.exists()]
    if missing:
        parser.error(f"no such file or folder: {', '.join(missing)}")
    return _check(args.paths, sys.stdout)


if __name__ == "__main__":
    raise SystemExit(main())
