"""Writing the generated files: only what changed, and nothing left that the data no longer
backs (so that incremental builds stay incremental and removed pages disappear)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path


def write_if_changed(path: Path, content: bytes) -> bool:
    """Write ``content`` to ``path`` (atomically) unless it holds it already; whether it wrote."""
    if path.is_file() and path.read_bytes() == content:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(content)
    temporary.replace(path)
    return True


def sync(root: Path, files: Mapping[str, bytes], owned: Iterable[str]) -> int:
    """Make the owned folders below ``root`` hold exactly ``files``; return files written."""
    written = sum(write_if_changed(root / rel, content) for rel, content in files.items())
    wanted = {(root / rel).resolve() for rel in files}
    for folder in owned:
        base = root / folder
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*"), reverse=True):
            if path.is_file() and path.resolve() not in wanted:
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    return written
