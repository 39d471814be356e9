"""``pakkeforlop check``: settings from the command line and the configuration file, every
destination checked before any work, the check, and every report written.

A setting given on the command line wins over the configuration file, which wins over the
default. Everything that can be wrong with the settings (a bad configuration file, a rule
that does not exist, an unreadable baseline, an unwritable report) is found before the check
starts, as exit status 2.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from pakkeforlop.cli import config as configuration
from pakkeforlop.cli import outputs
from pakkeforlop.cli.progress import Progress
from pakkeforlop.data.catalogue import Severity
from pakkeforlop.engine import check_paths
from pakkeforlop.engine.caps import DEFAULT_CAPS, FindingCaps
from pakkeforlop.engine.tuning import automatic_collection_off
from pakkeforlop.read import DEFAULT_LIMITS, Limits
from pakkeforlop.report import output
from pakkeforlop.report.acceptance import (
    AcceptanceError,
    Baseline,
    Selection,
    WaiverState,
    baseline_entries,
)
from pakkeforlop.report.build import Report, build_report
from pakkeforlop.report.fingerprints import RECIPE
from pakkeforlop.report.formats import clean, shown_file, shown_text
from pakkeforlop.report.formats.github import ENVIRONMENT_VARIABLE

if TYPE_CHECKING:
    from pakkeforlop.kith import XsdCatalog

__all__ = ["UsageError", "run"]


class UsageError(Exception):
    """The command line asks for something that cannot be done; exit status 2."""


@dataclass(frozen=True, slots=True)
class Settings:
    """What a check runs with, from the command line, the configuration file and defaults."""

    config: configuration.Config
    fail_on: Severity
    selection: Selection
    lang: str
    xsd_dir: Path | None
    jobs: int | None
    max_findings: int
    baseline: Baseline | None
    exit_zero: bool


def _input_paths(spelled: Sequence[str]) -> list[Path]:
    """The PATH arguments as paths, after making sure each names something."""
    if any(not path for path in spelled):
        msg = "an empty PATH names nothing; use . for the current folder"
        raise UsageError(msg)
    paths = [Path(path) for path in spelled]
    # A symbolic link that leads nowhere (or in a loop) exists as an input: it is reported as
    # an unreadable file, not as a usage error.
    missing = [str(path) for path in paths if not path.exists() and not path.is_symlink()]
    if missing:
        msg = f"no such file or folder: {', '.join(missing)}"
        raise UsageError(msg)
    return paths


def _config(args: argparse.Namespace, paths: Sequence[Path]) -> configuration.Config:
    if args.no_config:
        return configuration.Config()
    path = Path(args.config) if args.config else configuration.find(paths[0])
    if path is None:
        return configuration.Config()
    if not path.is_file():
        msg = f"--config {args.config}: no such file"
        raise UsageError(msg)
    try:
        return configuration.load(path)
    except configuration.ConfigError as error:
        raise UsageError(str(error)) from error


def _patterns(values: Sequence[str] | None) -> tuple[str, ...] | None:
    """``--select A,B --select C`` as ``(A, B, C)``; None when not given."""
    if values is None:
        return None
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def _baseline(file: str | None) -> Baseline | None:
    if file is None:
        return None
    try:
        text = Path(file).read_text(encoding="utf-8")
    except OSError as error:
        msg = f"--baseline {file}: cannot read it ({error.strerror or error})"
        raise UsageError(msg) from error
    except UnicodeDecodeError as error:
        msg = f"--baseline {file}: not UTF-8 text"
        raise UsageError(msg) from error
    try:
        return Baseline.parse(text, file)
    except AcceptanceError as error:
        raise UsageError(str(error)) from error


def _jobs(given: str | None, config: configuration.Config) -> int | None:
    if given is not None:
        return None if given == "auto" else int(given)
    return None if config.jobs_auto else config.jobs


def settings(args: argparse.Namespace, paths: Sequence[Path]) -> Settings:
    """The settings of a check; raises :class:`UsageError`."""
    config = _config(args, paths)
    select = _patterns(args.select)
    ignore = _patterns(args.ignore)
    try:
        selection = Selection(
            select if select is not None else config.select,
            ignore if ignore is not None else config.ignore,
        )
    except AcceptanceError as error:
        raise UsageError(str(error)) from error
    max_findings = args.max_findings
    if max_findings is None:
        max_findings = (
            config.max_findings if config.max_findings is not None else DEFAULT_CAPS.per_file
        )
    return Settings(
        config=config,
        fail_on=Severity(args.fail_on or config.fail_on or Severity.ERROR.value),
        selection=selection,
        lang=args.lang or config.lang or "en",
        xsd_dir=args.xsd_dir if args.xsd_dir is not None else config.xsd_dir,
        jobs=_jobs(args.jobs, config),
        max_findings=max_findings,
        baseline=_baseline(args.baseline or config.baseline),
        exit_zero=bool(args.exit_zero or config.exit_zero),
    )


def _limits(max_file_size: int | None) -> Limits | None:
    if max_file_size is None:
        return None
    return Limits(
        max_file_bytes=max_file_size,
        max_line_bytes=min(DEFAULT_LIMITS.max_line_bytes, max_file_size),
    )


def _say(stderr: TextIO, message: str) -> None:
    """Print a message on standard error, which may itself be closed or full."""
    with contextlib.suppress(OSError, ValueError):
        print(message, file=stderr, flush=True)


def _xsd_catalog(folder: Path | None, stderr: TextIO) -> XsdCatalog | None:
    """The XSDs of ``--xsd-dir``, read before any work (a bad folder is a usage error)."""
    if folder is None:
        return None
    from pakkeforlop.kith import xsd  # noqa: PLC0415  (only with --xsd-dir: see pakkeforlop.kith)

    try:
        catalog = xsd.XsdCatalog.load(folder)
    except xsd.XsdError as error:
        msg = f"--xsd-dir {folder}: {error}"
        raise UsageError(msg) from error
    for uri, files in sorted(catalog.duplicates().items()):
        names = ", ".join(path.name for path in files)
        note = f"pakkeforlop: note: --xsd-dir: {names} all declare {uri}; using {files[0].name}"
        _say(stderr, clean(note))
    return catalog


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (OSError, ValueError):  # a closed stream
        return False


def baseline_document(report: Report) -> str:
    """A baseline file recording the report's errors and warnings that no waiver accepts."""
    recorded = [
        (finding, status.fingerprint, shown_file(finding.file, masked=True))
        for finding, status in zip(report.findings, report.statuses, strict=True)
        if status.accepted is None or status.accepted.waiver is None
    ]
    document: dict[str, Any] = {
        "tool": {"name": "pakkeforlop", "version": report.tool_version},
        "specVersion": report.spec_version,
        "recipe": RECIPE,
        "findings": baseline_entries(recorded),
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _warn_about_waivers(report: Report, stderr: TextIO) -> None:
    for use in report.waivers:
        if use.state is WaiverState.EXPIRED:
            described = shown_text(use.waiver.describe(), masked=report.masked)
            _say(stderr, f"pakkeforlop: warning: expired waiver ({use.waiver.origin}): {described}")


def run(args: argparse.Namespace, stdout: TextIO | None, stderr: TextIO) -> int:
    """Run ``pakkeforlop check``; returns the exit status (raises :class:`UsageError` and
    :class:`pakkeforlop.report.output.OutputError` for exit status 2)."""
    paths = _input_paths(args.paths)
    chosen = settings(args, paths)
    protected = list(paths)
    if chosen.config.path is not None:
        protected.append(chosen.config.path)
    try:
        planned = outputs.plan(
            formats=args.format or (),
            output_file=args.output,
            files={
                name: value
                for name in outputs.FILE_FORMATS
                if (value := getattr(args, f"output_{name}")) is not None
            },
            configured_format=chosen.config.format,
            configured_files=chosen.config.outputs,
            checked=protected,
        )
    except outputs.OutputsError as error:
        raise UsageError(str(error)) from error
    except output.OutputError as error:
        raise UsageError(str(error)) from error
    baseline_target = None
    if args.write_baseline is not None:
        try:
            baseline_target = output.destination(args.write_baseline, paths, "--write-baseline")
        except output.OutputError as error:
            raise UsageError(str(error)) from error
    xsd = _xsd_catalog(chosen.xsd_dir, stderr)
    masked = not args.no_mask
    terminal = _is_terminal(stderr)
    quiet_progress = args.quiet or any(
        item.target is None and item.format != "text" for item in planned
    )
    show_progress = args.progress or (terminal and not quiet_progress)
    progress = Progress(stderr, masked=masked, terminal=terminal) if show_progress else None
    # What the check found is kept until the command ends: a full garbage collection would
    # scan all of it (millions of objects for a large export) and free nothing.
    with automatic_collection_off():
        caps = FindingCaps.UNBOUNDED if args.verbose else FindingCaps.of(chosen.max_findings)
        checked = check_paths(
            ((path, path.as_posix()) for path in paths),  # findings name files as spelled
            limits=_limits(args.max_file_size),
            on_export=progress.export if progress is not None else None,
            progress=progress.file if progress is not None else None,
            xsd=xsd,
            jobs=chosen.jobs,
            caps=caps,
        )
        results = []
        try:
            for result in checked:
                results.append(result)
                if progress is not None:
                    progress.done(result)
        finally:
            if progress is not None:
                progress.close()
        options: dict[str, Any] = {
            "fail_on": chosen.fail_on,
            "masked": masked,
            "lang": chosen.lang,
            "selection": chosen.selection,
            "waivers": chosen.config.waivers,
        }
        report = build_report(results, baseline=chosen.baseline, **options)
        if baseline_target is not None:
            document = baseline_document(report)
            output.write_file(document.encode("utf-8"), baseline_target)
            written = Baseline.parse(document, args.write_baseline)
            report = build_report(results, baseline=written, **options)
        _warn_about_waivers(report, stderr)
        outputs.write(
            planned,
            report,
            stdout,
            quiet=args.quiet,
            verbose=args.verbose,
            annotate=os.environ.get(ENVIRONMENT_VARIABLE) == "true",
        )
    return 0 if chosen.exit_zero else report.exit_code
