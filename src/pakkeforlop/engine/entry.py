"""The engine's entry points: check an export, a file, or what command-line paths name."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path, PurePosixPath

from pakkeforlop import kith
from pakkeforlop.engine import tuning
from pakkeforlop.engine.caps import DEFAULT_CAPS, FindingCaps
from pakkeforlop.engine.documents import SCHEMA_OF_KIND
from pakkeforlop.engine.files import Declared
from pakkeforlop.engine.result import ExportResult
from pakkeforlop.engine.run import Progress, Run
from pakkeforlop.model.records import Document
from pakkeforlop.read import Limits
from pakkeforlop.read.folders import MANIFEST_NAME, Unlisted, exports_below
from pakkeforlop.rules.engine_reported import (
    NO_MANIFEST_RULE,
    UNLISTED_FOLDER_RULE,
    WRONG_SCHEMA_RULE,
)

XML_SUFFIX = ".xml"


def check_export(
    root: Path,
    *,
    display_root: str | None = None,
    limits: Limits | None = None,
    progress: Progress | None = None,
    xsd: kith.XsdCatalog | None = None,
    jobs: int | None = None,
    caps: FindingCaps = DEFAULT_CAPS,
    exact: bool = False,
) -> ExportResult:
    """Check one export folder (holding ``manifest.json``).

    ``xsd`` validates KITH XML messages against the user's XSDs (``--xsd-dir``). ``jobs`` is
    the number of processes that read the files (``None``: one per CPU when the export is
    large); the result is the same for any number. ``caps`` bounds the findings kept per rule
    and file (the others are counted; see :mod:`pakkeforlop.engine.caps`). ``exact`` sends
    every file through the exact, hardened path instead of the fast paths: the result is the
    same (tests compare the two), only slower.
    """
    shown = display_root if display_root is not None else root.as_posix()
    run = Run(root, shown, limits or Limits(), xsd, caps, exact=exact)
    recorder = run.recorder
    recorder.result.exercised.add(NO_MANIFEST_RULE)
    if not (root / MANIFEST_NAME).is_file():
        recorder.result.unread += 1
        recorder.report(NO_MANIFEST_RULE, recorder.display_root)
        return recorder.finish()
    recorder.result.kinds_seen.add("export")
    with tuning.automatic_collection_off():
        run.check_files(_declared(run), progress, jobs)  # which lets the entries go
        run.check_instances()
        return recorder.finish()


def _declared(run: Run) -> list[Declared]:
    """The files the export's manifest declares (none if reading it failed: reported)."""
    try:
        return run.read_manifest()
    except Exception as error:  # the kit's bug: reported, and the files are not found
        recorder = run.recorder
        recorder.internal_error("reading the manifest", recorder.manifest_shown, error)
        return []


def check_file(
    path: Path,
    *,
    display: str | None = None,
    limits: Limits | None = None,
    xsd: kith.XsdCatalog | None = None,
    caps: FindingCaps = DEFAULT_CAPS,
    exact: bool = False,
) -> ExportResult:
    """Check one document, NDJSON events file or KITH XML message outside an export.

    There are no cross-file rules beyond the file's own pathway instance. ``display`` is how
    findings name the file (default: the path as given); ``caps`` and ``exact`` are as for
    :func:`check_export`.
    """
    shown_file = display if display is not None else path.as_posix()
    shown_parent = PurePosixPath(shown_file).parent.as_posix()
    with tuning.automatic_collection_off():
        run = Run(path.parent, shown_parent, limits or Limits(), xsd, caps, exact=exact)
        try:
            _read_one_file(run, path)
        except Exception as error:  # the kit's bug: reported as a finding, with the rest
            run.recorder.internal_error("reading the file", run.recorder.display(path), error)
        run.check_instances()
        return run.recorder.finish()


def _read_one_file(run: Run, path: Path) -> None:
    """Read and check a file named on its own: its kind from its suffix or its ``$schema``."""
    if path.suffix == ".ndjson":
        run.events.read(path)
    elif path.suffix.lower() == XML_SUFFIX:
        run.kith.read(path)
    else:
        recorder = run.recorder
        shown = recorder.display(path)
        result = run.files.read_document(path)
        if result.text is not None:
            named = result.text.value.get("$schema")
            kind = next((k for k, schema_id in SCHEMA_OF_KIND.items() if schema_id == named), None)
            if kind is None:
                recorder.report(
                    WRONG_SCHEMA_RULE,
                    shown,
                    ("it names {named}", {"named": repr(named)}),
                    pointer="/$schema",
                )
            else:
                document = Document(kind, shown, result.text.value, result.text)
                run.documents.check(document, native_formats=result.guarded)


def check_paths(
    paths: Iterable[tuple[Path, str]],
    *,
    limits: Limits | None = None,
    on_export: Callable[[str], None] | None = None,
    progress: Progress | None = None,
    xsd: kith.XsdCatalog | None = None,
    jobs: int | None = None,
    caps: FindingCaps = DEFAULT_CAPS,
) -> Iterator[ExportResult]:
    """Check what command-line paths name; each item is a path to read and its spelling.

    A folder holding ``manifest.json`` is one export; a folder of exports gives one result per
    export below it, sorted; a folder with no export is checked as one (and reported as lacking
    its manifest); a file is checked on its own. Each export is checked once, and findings name
    files the way the command line spelled them. ``jobs`` and ``caps`` are as for
    :func:`check_export`.
    """
    seen: set[str] = set()
    for path, spelled in paths:
        roots, unlisted = exports_below(path) if path.is_dir() else ([path], [])
        for folder in unlisted:
            yield _unlisted(path.joinpath(*folder.parts), spelled, folder)
        for root in roots or [path]:
            key = str(root.absolute())  # not resolve(): a symbolic-link loop must not raise
            if key in seen:
                continue
            seen.add(key)
            shown = (PurePosixPath(spelled) / root.relative_to(path).as_posix()).as_posix()
            if on_export is not None:
                on_export(shown)
            try:
                if root.is_dir():
                    yield check_export(
                        root,
                        display_root=shown,
                        limits=limits,
                        progress=progress,
                        xsd=xsd,
                        jobs=jobs,
                        caps=caps,
                    )
                else:
                    yield check_file(root, display=shown, limits=limits, xsd=xsd, caps=caps)
            except Exception as error:  # the kit's bug: this export's finding, and on to the next
                yield _failed(root, shown, error)


def _failed(root: Path, shown: str, error: Exception) -> ExportResult:
    """The result of an export whose check failed outright: one finding that says so."""
    run = Run(root, shown, Limits())
    run.recorder.internal_error("checking the export", shown, error)
    return run.recorder.finish()


def _unlisted(folder: Path, spelled: str, unlisted: Unlisted) -> ExportResult:
    """The result for a folder that was searched for exports but could not be listed."""
    shown = (PurePosixPath(spelled) / PurePosixPath(*unlisted.parts)).as_posix()
    run = Run(folder, shown, Limits())
    run.recorder.result.unread += 1
    run.recorder.report(UNLISTED_FOLDER_RULE, shown, ("{reason}", {"reason": unlisted.reason}))
    return run.recorder.finish()


def iter_exports(path: Path) -> Iterator[Path]:
    """The export folders at or below ``path``, sorted; ``path`` itself if it has a manifest.

    Folders below ``path`` that cannot be listed are passed over here; :func:`check_paths`
    reports them (INPUT-018).
    """
    yield from exports_below(path)[0]
