"""Finding exports and data files in folders: walked with a stack, never by recursion.

A folder tree may be thousands of levels deep (a runaway script, a hostile archive): walking it
must not exhaust Python's stack, and a folder that cannot be listed (no permission, a path
longer than the system allows) is reported, not passed over in silence.
"""

from __future__ import annotations

import os
from collections.abc import Container
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "DataFile",
    "Identity",
    "Unlisted",
    "data_files",
    "exports_below",
    "has_data_suffix",
    "identity",
    "relative_key",
]

MANIFEST_NAME = "manifest.json"
#: The suffixes of the files an export's data may be in.
DATA_SUFFIXES = (".json", ".ndjson", ".xml")

#: How files are told apart: (device, inode), or the canonical path of one that cannot be stat'ed.
Identity = tuple[int, int] | str
#: A data file below an export's folder: its path's parts, and its identity.
DataFile = tuple[tuple[str, ...], Identity]


@dataclass(frozen=True, slots=True)
class Unlisted:
    """A folder that could not be listed: its path's parts below the walk's start, and why."""

    parts: tuple[str, ...]
    reason: str


def identity(path: Path | os.DirEntry[str], status: os.stat_result | None = None) -> Identity:
    """What tells this file apart from others (two names of one file share it).

    The device and inode (from ``status`` when the caller has it), found with one system call;
    for a path that cannot be stat'ed (a symbolic-link loop, a missing file) the canonical
    path, which never raises.
    """
    if status is None:
        try:
            status = path.stat()
        except (OSError, ValueError):
            try:
                return os.path.realpath(path)
            except (OSError, ValueError):  # a NUL in the name: no file can have it
                return os.fspath(path)
    return status_id(status)


def status_id(status: os.stat_result) -> Identity:
    """The identity of a file whose status is known: its device and inode."""
    return (status.st_dev, status.st_ino)


def relative_key(relative: str) -> str:
    """A path below an export's folder, written with ``/``, as one spelling: without empty and
    ``.`` parts (``./a//b`` and ``a/b`` name the same file); a plain path is itself."""
    parts = relative.split("/")
    if "" not in parts and "." not in parts:
        return relative
    return "/".join(part for part in parts if part not in {"", "."})


def _listing(folder: str) -> list[os.DirEntry[str]] | str:
    """The entries of a folder, or why it cannot be listed."""
    try:
        with os.scandir(folder) as listing:
            return list(listing)
    except OSError as error:
        return error.strerror or type(error).__name__


def _is_folder(entry: os.DirEntry[str], *, follow: bool) -> bool:
    try:
        return entry.is_dir(follow_symlinks=follow)
    except OSError:
        return False


def has_data_suffix(name: str) -> bool:
    """Whether a file named ``name`` may hold an export's data: its suffix (as
    ``os.path.splitext`` finds it) is one of ``DATA_SUFFIXES``.

    Told from the name's ending, and a dot left after its leading ones (so that the suffix
    follows a stem, as for splitext: ``.json`` has none): splitext costs ten times as much,
    for each of hundreds of thousands of files.
    """
    return name.endswith(DATA_SUFFIXES) and "." in name.lstrip(".")


def _is_file(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False


def data_files(
    root: Path, known: Container[str] = frozenset()
) -> tuple[list[DataFile], list[Unlisted]]:
    """Every data file (by suffix) below ``root``, sorted, but those whose path below it (see
    :func:`relative_key`) is in ``known``; and the folders that could not be listed.

    Symbolic links to folders are not followed; a link counts when it leads to a file. One
    ``scandir`` per folder and one ``stat`` per data file listed, for exports of hundreds of
    thousands of files. ``known`` spares those: a caller that read files by these paths knows
    them already, and needs the identities only of the files found under other names (a
    second name of a declared file is declared too).
    """
    found: list[DataFile] = []
    unlisted: list[Unlisted] = []
    folders: list[tuple[str, tuple[str, ...]]] = [(os.fspath(root), ())]
    while folders:
        folder, parts = folders.pop()
        entries = _listing(folder)
        if isinstance(entries, str):
            if parts:  # the export's own folder: reading its manifest reports that
                unlisted.append(Unlisted(parts, entries))
            continue
        prefix = "".join(f"{part}/" for part in parts)
        for entry in entries:
            name = entry.name
            if _is_folder(entry, follow=False):
                folders.append((entry.path, (*parts, name)))
            elif has_data_suffix(name) and prefix + name not in known and _is_file(entry):
                found.append(((*parts, name), identity(entry)))
    found.sort(key=lambda item: item[0])
    unlisted.sort(key=lambda item: item.parts)
    return found, unlisted


def exports_below(path: Path) -> tuple[list[Path], list[Unlisted]]:
    """The export folders at or below ``path`` (``path`` itself if it has a manifest), sorted,
    and the folders that could not be listed.

    Symbolic links to folders are followed, each real folder once, so that a link back up the
    tree ends the walk there instead of looping.
    """
    if (path / MANIFEST_NAME).is_file():
        return [path], []
    exports: list[Path] = []
    unlisted: list[Unlisted] = []
    visited: set[Identity] = set()
    folders: list[tuple[str, tuple[str, ...]]] = [(os.fspath(path), ())]
    while folders:
        folder, parts = folders.pop()
        real = identity(Path(folder))
        if real in visited:
            continue
        visited.add(real)
        entries = _listing(folder)
        if isinstance(entries, str):
            unlisted.append(Unlisted(parts, entries))
            continue
        for entry in entries:
            if _is_folder(entry, follow=True):
                folders.append((entry.path, (*parts, entry.name)))
            elif entry.name == MANIFEST_NAME and _is_file(entry) and parts:
                exports.append(path.joinpath(*parts))
    exports.sort(key=lambda export: export.relative_to(path).parts)
    unlisted.sort(key=lambda item: item.parts)
    return exports, unlisted
