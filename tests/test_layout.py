"""The package's layout: the README names every part of the tree, and every module is short
enough to read at one sitting."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "pakkeforlop"
#: The longest a module may be (issue 17: aim for 400 lines, none over 600).
MAX_LINES = 600


def _readme_layout_row() -> str:
    rows = [
        line
        for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("| `src/pakkeforlop/` |")
    ]
    assert len(rows) == 1, "the README's layout table has one row for src/pakkeforlop/"
    return rows[0]


def _parts() -> list[str]:
    """The package's subpackages (``name/``) and public top-level modules (``name.py``)."""
    parts = [f"{path.name}/" for path in PACKAGE.iterdir() if (path / "__init__.py").is_file()]
    parts += [
        path.name
        for path in PACKAGE.glob("*.py")
        if not path.name.startswith("_")  # __init__.py
    ]
    return sorted(parts)


def test_the_readme_names_every_part_of_the_package_and_nothing_that_is_gone():
    row = _readme_layout_row()
    named = {name for name in re.findall(r"`([\w.]+/?)`", row) if name.endswith(("/", ".py"))}
    parts = set(_parts())
    subfolders = {"formats/"}  # named where they sit, inside report/
    assert parts <= named, f"the README does not name {sorted(parts - named)}"
    assert named - subfolders <= parts, f"the README names {sorted(named - parts - subfolders)}"


@pytest.mark.parametrize(
    "module", sorted(PACKAGE.rglob("*.py")), ids=lambda path: str(path.relative_to(PACKAGE))
)
def test_no_module_is_over_the_limit(module: Path):
    lines = len(module.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{module.relative_to(ROOT)} has {lines} lines"
