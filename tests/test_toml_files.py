"""The TOML the kit ships is read by rtoml (see ``pakkeforlop.data.toml_files``) as tomllib, the
standard library's parser, reads it."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from pakkeforlop.data import catalogue, codes, toml_files
from pakkeforlop.data.toml_files import TomlFileError, load_toml

from .conftest import REPO_ROOT as ROOT

SHIPPED = sorted((ROOT / "spec").rglob("*.toml"))


def test_every_shipped_file_is_found():
    # The rules, the code lists, the pathways, the KITH tables, the fixtures and the sources.
    folders = {path.parent.name for path in SHIPPED}
    assert {"spec", "codes", "fixtures", "kith", "pathways", "rules"} <= folders
    assert len(SHIPPED) > 150


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: str(path.relative_to(ROOT)))
def test_a_shipped_file_reads_as_tomllib_reads_it(path: Path):
    with path.open("rb") as handle:
        expected = tomllib.load(handle)
    # repr, not ==: a date read as a datetime, or an integer as a float, would compare equal.
    assert repr(load_toml(path)) == repr(expected)


def test_the_data_a_check_reads_is_read_with_it(monkeypatch):
    read: list[str] = []

    def counted(path: Path) -> dict[str, object]:
        read.append(path.parent.name)
        return toml_files.load_toml(path)

    monkeypatch.setattr(catalogue, "load_toml", counted)
    monkeypatch.setattr(codes, "load_toml", counted)
    catalogue.catalogue.cache_clear()
    codes.code_systems.cache_clear()
    try:
        assert catalogue.catalogue()
        assert codes.code_systems()
    finally:
        catalogue.catalogue.cache_clear()
        codes.code_systems.cache_clear()
    assert {"rules", "codes"} <= set(read)


@pytest.mark.parametrize(
    "data", [b'rule = "unterminated\n', b"a = 1\na = 2\n", b'name = "\xff"\n'], ids=repr
)
def test_a_file_that_is_not_toml_is_an_error_that_names_it(tmp_path: Path, data: bytes):
    path = tmp_path / "broken.toml"
    path.write_bytes(data)
    with pytest.raises(TomlFileError, match=r"broken\.toml"):
        load_toml(path)
