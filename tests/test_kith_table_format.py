"""The format of the mapping tables (spec/kith/blocks.toml describes it): a malformed table is a
TableError when it is read, naming the file, never a wrong mapping."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from pakkeforlop.data.locations import kith_dir
from pakkeforlop.kith import table
from pakkeforlop.kith.table import TableError, tables


@pytest.fixture
def spec_kith(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of spec/kith that the table reader reads instead, with fresh caches."""
    folder = tmp_path / "kith"
    shutil.copytree(kith_dir(), folder)
    monkeypatch.setattr(table, "kith_dir", lambda: folder)
    tables.cache_clear()
    table.blocks.cache_clear()
    yield folder
    tables.cache_clear()
    table.blocks.cache_clear()


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_copy_reads_as_the_original(spec_kith: Path):
    read = tables()
    assert list(read) == ["henvisning-2.0", "epikrise-1.2", "dialogmelding"]
    assert read["dialogmelding"].standards == ("dialog-1.1", "dialog-1.0")
    assert read["dialogmelding"].bindings("dialog-1.0") == (
        ("dia", "http://www.kith.no/xmlstds/dialog/2006-10-11"),
    )
    assert read["dialogmelding"].sections is None
    assert read["dialogmelding"].scope.cancellation is None
    assert read["henvisning-2.0"].when is None


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('"dialog-1.0"]', '"henvisning-2.0"]', "'henvisning-2.0' is not a standard whose root"),
        ('"dialog-1.0"]', '"dialog-9.9"]', "'dialog-9.9' is not a standard"),
        ('standards = ["dialog-1.1", "dialog-1.0"]', "", "'standards' is required"),
        ('reason = "the message is a status', 'why = "the message is a status', "'reason'"),
        ('certainty = "convention"', 'certainty = "likely"', "certainty 'likely' is not one"),
        ('block = "professional-dialog"', 'block = "professional"', "no block 'professional'"),
    ],
)
def test_a_malformed_table_is_a_table_error(spec_kith: Path, old: str, new: str, message: str):
    _edit(spec_kith / "dialogmelding.toml", old, new)
    with pytest.raises(TableError, match=message):
        tables()
