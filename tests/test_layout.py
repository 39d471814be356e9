"""The package's layout: the README names every part of the tree, and every module is short
enough to read at one sitting."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "pakkeforlop"
#: The longest a module may be (issue 17: aim for 400 lines, none over 600).
MAX_LINES = 600
#: The pipeline's steps, in order: a part may import only from parts of an earlier step.
STEPS = {
    "data": 0,
    "read": 1,
    "kith": 2,
    "model": 2,
    "rules": 3,
    "synthetic": 3,
    "engine": 4,
    "report": 5,
    "cli": 6,
    "pytest_plugin": 6,
}
#: What the package itself defines (its versions): anyone may import them.
TOP_LEVEL_NAMES = {"SPEC_VERSION", "__version__"}


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


def _part(module: Path) -> str:
    relative = module.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def _imported_parts(module: Path) -> Iterator[tuple[int, str]]:
    """The parts of the package ``module`` imports, with the line of each import."""
    for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "pakkeforlop":
            for alias in node.names:
                if alias.name not in TOP_LEVEL_NAMES:
                    yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pakkeforlop."):
            yield node.lineno, (node.module or "").split(".")[1]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("pakkeforlop."):
                    yield node.lineno, alias.name.split(".")[1]


def test_every_part_of_the_package_is_a_step_of_the_pipeline():
    parts = {_part(module) for module in PACKAGE.rglob("*.py")} - {"__init__"}
    assert parts == set(STEPS)


def test_each_part_imports_only_from_the_steps_before_it():
    backwards = [
        f"{module.relative_to(ROOT)}:{line} imports {imported}"
        for module in sorted(PACKAGE.rglob("*.py"))
        if (part := _part(module)) != "__init__"
        for line, imported in _imported_parts(module)
        if imported != part and STEPS[imported] >= STEPS[part]
    ]
    assert backwards == []
