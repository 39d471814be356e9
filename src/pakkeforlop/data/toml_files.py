"""Reading the TOML files the kit ships: its rules, sources, code lists, pathways, fixtures,
traceability statements and KITH tables.

They are read with rtoml (a TOML parser written in Rust), not the standard library's
``tomllib``. Why: ``tomllib`` is written in Python and reads a text one character at a time,
and every check reads some forty of these files: the rules and sources in the main process
before any file is read, the code lists there and again in each worker process. rtoml parses
them about eight times faster (all 195 TOML files of the repository: 0.069 s against 0.009 s
of CPU, measured 2026-12-07 with rtoml 0.14 on Python 3.11), some 0.04 s of every command's
serial start and end. ``tests/test_toml_files.py`` proves that it gives what ``tomllib`` gives
for every TOML file the kit ships, types included. A user's own configuration file is still
read with ``tomllib`` (:mod:`pakkeforlop.cli.config`), whose messages place a syntax error as
users expect.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import rtoml


class TomlFileError(ValueError):
    """A file the kit ships that is not TOML (or not UTF-8)."""


def load_toml(path: Path) -> dict[str, Any]:
    """The contents of the TOML file at ``path`` (read as UTF-8, as TOML is written)."""
    try:
        return rtoml.loads(path.read_bytes().decode("utf-8"))
    except (rtoml.TomlParsingError, UnicodeDecodeError) as error:
        msg = f"{path}: {error}"
        raise TomlFileError(msg) from error
