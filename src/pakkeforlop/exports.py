"""Discover and read exports: a manifest, the documents it declares, and NDJSON event files."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MANIFEST_NAME = "manifest.json"


@dataclass(frozen=True, slots=True)
class ReadError:
    """A file, or one line of it, that could not be read as JSON."""

    file: Path
    message: str
    line: int | None = None
    column: int | None = None


@dataclass(frozen=True, slots=True)
class Parsed:
    """One JSON value read from a file; ``line`` is set for NDJSON lines."""

    file: Path
    value: Any
    line: int | None = None


def _reject_constant(name: str) -> Any:
    msg = f"{name} is not valid JSON"
    raise ValueError(msg)


def _loads(text: str) -> Any:
    return json.loads(text, parse_constant=_reject_constant)


def read_json(path: Path) -> Parsed | ReadError:
    """Read one JSON document, strictly (UTF-8, no NaN or Infinity)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        return ReadError(path, f"not UTF-8: {error.reason} at byte {error.start}")
    except OSError as error:
        return ReadError(path, f"cannot read: {error.strerror}")
    try:
        return Parsed(path, _loads(text))
    except json.JSONDecodeError as error:
        return ReadError(path, f"malformed JSON: {error.msg}", error.lineno, error.colno)
    except (ValueError, RecursionError) as error:
        return ReadError(path, f"unreadable JSON: {error}")


def read_ndjson(path: Path) -> Iterator[Parsed | ReadError]:
    """Read an NDJSON file line by line; blank lines are skipped."""
    try:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    yield Parsed(path, _loads(line), number)
                except json.JSONDecodeError as error:
                    yield ReadError(path, f"malformed JSON: {error.msg}", number, error.colno)
                except (ValueError, RecursionError) as error:
                    yield ReadError(path, f"unreadable JSON: {error}", number)
    except UnicodeDecodeError as error:
        yield ReadError(path, f"not UTF-8: {error.reason}")
    except OSError as error:
        yield ReadError(path, f"cannot read: {error.strerror}")


def find_exports(path: Path) -> list[Path]:
    """The export folders at or below ``path``: every folder holding a manifest, sorted."""
    if (path / MANIFEST_NAME).is_file():
        return [path]
    return sorted(manifest.parent for manifest in path.rglob(MANIFEST_NAME))


def declared_files(manifest: Any) -> list[tuple[str, str]]:
    """``(path, kind)`` of every well-formed file entry of a parsed manifest."""
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(files, list):
        return []
    return [
        (entry["path"], entry["kind"])
        for entry in files
        if isinstance(entry, dict)
        and isinstance(entry.get("path"), str)
        and isinstance(entry.get("kind"), str)
    ]
