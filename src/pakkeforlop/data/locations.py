"""Find the specification data (schemas, code lists, pathway definitions) without the network."""

from __future__ import annotations

from functools import cache
from pathlib import Path


class DataNotFoundError(RuntimeError):
    """The kit's data files are missing: the installation is broken."""


@cache
def data_root() -> Path:
    """Return the folder holding ``schemas/`` and ``spec/``.

    An installed wheel carries them as package data in ``pakkeforlop/_data``. A source
    checkout (including an editable install) has them at the top of the repository. The
    package's folder is found from this module's file, not with :mod:`importlib.resources`
    (whose import, with tempfile, shutil and zipfile, is about 0.004 s of every run's start):
    the data are read as files, so the package is a folder in either case.
    """
    packaged = Path(__file__).resolve().parents[1] / "_data"
    if (packaged / "schemas").is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[3]
    if (checkout / "schemas").is_dir() and (checkout / "spec" / "codes").is_dir():
        return checkout
    msg = (
        f"pakkeforlop's data files were found neither in {packaged} nor in a source checkout "
        f"at {checkout}; reinstall the package with `pip install pakkeforlop`"
    )
    raise DataNotFoundError(msg)


def schemas_dir() -> Path:
    """The folder of published JSON Schemas."""
    return data_root() / "schemas"


def code_lists_dir() -> Path:
    """The folder of code-list files, one per kodeverk."""
    return data_root() / "spec" / "codes"


def pathways_dir() -> Path:
    """The folder of pathway definitions, one per 9321 pathway type."""
    return data_root() / "spec" / "pathways"


def rules_dir() -> Path:
    """The folder of the rule catalogue, one file per rule family."""
    return data_root() / "spec" / "rules"


def sources_file() -> Path:
    """The list of public sources the specification cites (spec/sources.toml)."""
    return data_root() / "spec" / "sources.toml"


def kith_dir() -> Path:
    """The folder of the KITH mapping tables and facts (spec/kith)."""
    return data_root() / "spec" / "kith"


def fixtures_dir() -> Path:
    """The folder of the rules' fixtures (spec/fixtures): cases that fire and pass each rule."""
    return data_root() / "spec" / "fixtures"
