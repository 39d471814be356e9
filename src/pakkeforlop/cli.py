"""The ``pakkeforlop`` command: argument parsing, output and exit codes only.

The engine collects findings, :func:`pakkeforlop.report.build_report` turns them into one
report, and a renderer of :mod:`pakkeforlop.reports` prints it. The exit status is decided in
one place, :func:`main`: 0 when no finding reaches the fail level, 1 when one does, 2 for a
usage error (found before any work is done), 3 when the kit itself failed.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from pakkeforlop import SPEC_VERSION, __version__, garbage, generate, output
from pakkeforlop.catalogue import catalogue
from pakkeforlop.engine import check_paths
from pakkeforlop.finding_caps import DEFAULT_CAPS, FindingCaps
from pakkeforlop.findings import Severity
from pakkeforlop.interrupts import Terminated, stop_on_signals
from pakkeforlop.jsonread import DEFAULT_LIMITS, Limits
from pakkeforlop.kith import XsdCatalog, XsdError
from pakkeforlop.report import Report, build_report
from pakkeforlop.reports import clean, html, json_report, junit, redact, text

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130

FORMATS = ("text", "json", "junit", "html")
FAIL_LEVELS = (Severity.ERROR.value, Severity.WARNING.value)
#: Set to 1 to get the Python traceback of an internal error.
DEBUG_VARIABLE = "PAKKEFORLOP_DEBUG"

_SIZE = re.compile(r"^\s*([0-9]+)\s*(|b|k|kb|kib|m|mb|mib|g|gb|gib)\s*$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}


class UsageError(Exception):
    """The command line asks for something that cannot be done; exit status 2."""


# --- Arguments ---------------------------------------------------------------------------------


def byte_size(value: str) -> int:
    """A size such as ``4096``, ``64k``, ``10MiB`` or ``1G`` (binary units), in bytes."""
    match = _SIZE.match(value)
    if match is None or int(match.group(1)) < 1:
        msg = f"not a size in bytes: {value!r} (use e.g. 65536, 64k, 10M)"
        raise argparse.ArgumentTypeError(msg)
    return int(match.group(1)) * _UNITS[match.group(2)[:1].lower()]


def job_count(value: str) -> int | None:
    """``--jobs``: a number of processes (at least 1), or ``auto``."""
    if value == "auto":
        return None
    if not value.isdigit() or int(value) < 1:
        msg = f"not a number of processes: {value!r} (use e.g. 1, 2 or auto)"
        raise argparse.ArgumentTypeError(msg)
    return int(value)


def finding_count(value: str) -> int:
    """``--max-findings``: a number of findings (0: no limit)."""
    if not value.isdigit():
        msg = f"not a number of findings: {value!r} (use e.g. 100, or 0 for every one)"
        raise argparse.ArgumentTypeError(msg)
    return int(value)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (also used to document the CLI)."""
    parser = argparse.ArgumentParser(
        prog="pakkeforlop",
        description=(
            "Check pathway exports (referrals, epicrises, pathway events) offline against the "
            "pakkeforløp specification."
        ),
        epilog="Run 'pakkeforlop check --help' for the checking options.",
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__} (spec {SPEC_VERSION})"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = commands.add_parser(
        "check",
        help="check exports and report the findings",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=(
            "Check exports against the specification and report every finding.\n\n"
            "A PATH is an export folder (holding manifest.json), a folder of exports (every\n"
            "manifest.json below it), or a single JSON document, NDJSON events file or KITH\n"
            "XML message (.xml: MsgHead 1.2 with Henvisning 2.0, Epikrise 1.2 or\n"
            "Dialogmelding 1.0/1.1, or an AppRec 1.0/1.1)."
        ),
        epilog=(
            "exit status:\n"
            "  0  no finding reaches the fail level\n"
            "  1  at least one finding reaches the fail level\n"
            "  2  usage error (bad option, missing PATH, unwritable --output; nothing checked),\n"
            "     or the report could not be written where it was to go\n"
            "  3  internal error of the kit (a bug: please report it); "
            f"{DEBUG_VARIABLE}=1 shows the traceback\n"
            "  128+N  ended by signal N (130 Ctrl-C, 143 SIGTERM, 129 SIGHUP); no report written"
        ),
    )
    check.add_argument("paths", metavar="PATH", nargs="+", help="what to check")
    check.add_argument(
        "--format", choices=FORMATS, default="text", help="report format (default: text)"
    )
    check.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        help="write the report to FILE instead of standard output ('-' for standard output)",
    )
    check.add_argument(
        "--fail-on",
        choices=FAIL_LEVELS,
        default=Severity.ERROR.value,
        help="the lowest severity that fails the run (default: error)",
    )
    check.add_argument(
        "--no-mask",
        action="store_true",
        help="show identifiers and names unmasked in the report (they are masked by default)",
    )
    check.add_argument(
        "--quiet",
        "-q",
        action="store_true",
        help="text format: print only the summary; never print progress unless --progress",
    )
    check.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        help=(
            "list every finding: in the text format also those below the fail level, and in "
            "every format all of them (as --max-findings 0)"
        ),
    )
    check.add_argument(
        "--max-findings",
        metavar="N",
        type=finding_count,
        default=DEFAULT_CAPS.per_file,
        help=(
            f"list at most N findings per rule and file and 10 N per rule and export (default: "
            f"{DEFAULT_CAPS.per_file}); the others are counted in one summary finding and in "
            "every total; 0 lists every one"
        ),
    )
    check.add_argument(
        "--progress",
        action="store_true",
        help="print progress on standard error even when it is not a terminal",
    )
    check.add_argument(
        "--max-file-size",
        metavar="SIZE",
        type=byte_size,
        help=(
            "largest JSON document read, e.g. 10M (default: "
            f"{DEFAULT_LIMITS.max_file_bytes // (1 << 20)}M); an NDJSON line may be at most "
            f"this or {DEFAULT_LIMITS.max_line_bytes // (1 << 20)}M, whichever is smaller"
        ),
    )
    check.add_argument(
        "--xsd-dir",
        metavar="DIR",
        type=Path,
        help=(
            "validate KITH XML messages against the XSDs in DIR (official KITH schemas you "
            "supply; the kit ships none); without it XSD validation is skipped"
        ),
    )
    check.add_argument(
        "--jobs",
        "-j",
        metavar="N",
        type=job_count,
        default=None,
        help=(
            "read an export's files in N processes (default: auto, one per CPU for an export "
            "over 16 MiB); the report is the same for any N"
        ),
    )
    commands.add_parser(
        "generate",
        help="write a synthetic export (see `pakkeforlop generate --help`)",
        add_help=False,
    )
    rules = commands.add_parser(
        "rules",
        help="list the rule catalogue",
        description="List every rule of the catalogue: id, severity and title.",
    )
    rules.add_argument(
        "--format", choices=("text", "json"), default="text", help="list format (default: text)"
    )
    return parser


# --- Progress ----------------------------------------------------------------------------------


class Progress:
    """Progress lines on standard error: one per export, and one per file for large exports.

    The first ``files_quiet`` files of an export are held back; if the export has more, they
    are printed when the next one starts, and every later file as it starts.
    """

    def __init__(self, stream: TextIO, *, masked: bool, files_quiet: int = 5) -> None:
        self._stream = stream
        self._masked = masked
        self._files_quiet = files_quiet
        self._pending: list[str] = []
        self._files = 0

    def _show(self, path: str) -> str:
        return clean(redact(path, masked=self._masked)) or "."

    def _print(self, line: str) -> None:
        print(line, file=self._stream, flush=True)

    def export(self, path: str) -> None:
        """An export (or a single file) is about to be checked."""
        self._pending, self._files = [], 0
        self._print(f"checking {self._show(path)} …")

    def file(self, path: str) -> None:
        """A file of the current export is about to be read."""
        self._files += 1
        if self._files <= self._files_quiet:
            self._pending.append(path)
            return
        for held in self._pending:
            self._print(f"  {self._show(held)}")
        self._pending = []
        self._print(f"  {self._show(path)}")


# --- Checking ----------------------------------------------------------------------------------


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


def _output_target(given: str | None, paths: Sequence[Path]) -> output.Destination | None:
    """Where the report goes (None: standard output), after checking it can be written."""
    if given is None or given == "-":
        return None
    try:
        return output.destination(given, paths)
    except output.OutputError as error:
        raise UsageError(str(error)) from error


def _limits(max_file_size: int | None) -> Limits | None:
    if max_file_size is None:
        return None
    return Limits(
        max_file_bytes=max_file_size,
        max_line_bytes=min(DEFAULT_LIMITS.max_line_bytes, max_file_size),
    )


def _xsd_catalog(folder: Path | None, stderr: TextIO) -> XsdCatalog | None:
    """The XSDs of ``--xsd-dir``, read before any work (a bad folder is a usage error)."""
    if folder is None:
        return None
    try:
        catalog = XsdCatalog.load(folder)
    except XsdError as error:
        msg = f"--xsd-dir {folder}: {error}"
        raise UsageError(msg) from error
    for uri, files in sorted(catalog.duplicates().items()):
        names = ", ".join(path.name for path in files)
        note = f"pakkeforlop: note: --xsd-dir: {names} all declare {uri}; using {files[0].name}"
        _say(stderr, clean(note))
    return catalog


def _write(document: str, target: output.Destination | None, stdout: TextIO | None) -> None:
    data = document.encode("utf-8", "backslashreplace")
    if target is None:
        output.write_stream(data, stdout)
    else:
        output.write_file(data, target)


def _detach(stdout: TextIO | None) -> None:
    """Point a closed standard output at the null device, so the exit flush stays silent."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, stdout.fileno())  # type: ignore[union-attr]
    except (OSError, ValueError, AttributeError):  # not a real file: nothing to flush
        pass


def _render(report: Report, fmt: str, *, quiet: bool, verbose: bool) -> str:
    renderers: dict[str, Callable[[Report], str]] = {
        "text": lambda r: text.render(r, quiet=quiet, verbose=verbose),
        "json": json_report.render,
        "junit": junit.render,
        "html": html.render,
    }
    return renderers[fmt](report)


def _check(args: argparse.Namespace, stdout: TextIO | None, stderr: TextIO) -> int:
    paths = _input_paths(args.paths)
    target = _output_target(args.output, paths)
    xsd = _xsd_catalog(args.xsd_dir, stderr)
    masked = not args.no_mask
    show_progress = args.progress or (not args.quiet and _is_terminal(stderr))
    progress = Progress(stderr, masked=masked) if show_progress else None
    # What the check found is kept until the command ends: a full garbage collection would
    # scan all of it (millions of objects for a large export) and free nothing.
    with garbage.automatic_collection_off():
        caps = FindingCaps.UNBOUNDED if args.verbose else FindingCaps.of(args.max_findings)
        checked = check_paths(
            ((path, path.as_posix()) for path in paths),  # findings name files as spelled
            limits=_limits(args.max_file_size),
            on_export=progress.export if progress is not None else None,
            progress=progress.file if progress is not None else None,
            xsd=xsd,
            jobs=args.jobs,
            caps=caps,
        )
        results = list(checked)
        report = build_report(results, fail_on=Severity(args.fail_on), masked=masked)
        rendered = _render(report, args.format, quiet=args.quiet, verbose=args.verbose)
        _write(rendered, target, stdout)
    return report.exit_code


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (OSError, ValueError):  # a closed stream
        return False


def _rules(args: argparse.Namespace, stdout: TextIO | None) -> int:
    rules = list(catalogue().values())
    if args.format == "json":
        listing = [
            {
                "id": rule.id,
                "family": rule.family,
                "severity": rule.severity.value,
                "verb": rule.verb.value,
                "title": rule.title,
                "appliesTo": sorted(rule.applies_to),
                "url": rule.url,
            }
            for rule in rules
        ]
        document = json.dumps(listing, ensure_ascii=False, indent=2) + "\n"
    else:
        width = max((len(rule.id) for rule in rules), default=0)
        document = "".join(
            f"{rule.id:<{width}}  {rule.severity.value:<7}  {rule.title}\n" for rule in rules
        )
    _write(document, None, stdout)
    return EXIT_OK


def main(
    argv: Sequence[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """Entry point of the ``pakkeforlop`` command; returns the exit status.

    A closed standard error (``2>&-``) silences messages; a closed standard output is reported
    when the report is to be written there.
    """
    stdout = stdout if stdout is not None else sys.stdout
    stderr = stderr if stderr is not None else (sys.stderr or io.StringIO())
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["generate"]:  # its own parser: see pakkeforlop.generate
        return generate.main(arguments[1:], stdout=stdout, stderr=stderr)
    with stop_on_signals():
        return _run(arguments, stdout, stderr)


def _say(stderr: TextIO, message: str) -> None:
    """Print a message on standard error, which may itself be closed or full."""
    with contextlib.suppress(OSError, ValueError):
        print(message, file=stderr, flush=True)


def _run(arguments: list[str], stdout: TextIO | None, stderr: TextIO) -> int:
    """The ``check`` and ``rules`` commands, with every failure turned into an exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(arguments)
    except SystemExit as exit_:  # --help, --version (0) and usage errors (2)
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    try:
        if args.command == "rules":
            return _rules(args, stdout)
        return _check(args, stdout, stderr)
    except (UsageError, output.OutputError, KeyboardInterrupt, Terminated) as stop:
        return _stopped(stop, parser, stdout, stderr)
    except Exception as error:  # the kit's own bug: say so clearly instead of a traceback
        if os.environ.get(DEBUG_VARIABLE) == "1":
            with contextlib.suppress(OSError, ValueError):
                traceback.print_exc(file=stderr)
        _say(
            stderr,
            f"pakkeforlop: internal error: {type(error).__name__}: "
            f"{clean(redact(str(error), masked=True))}\n"
            "This is a bug in pakkeforlop, not a finding about the export; please report it "
            f"with the command line. Set {DEBUG_VARIABLE}=1 to see the traceback.",
        )
        return EXIT_INTERNAL


def _stopped(
    stop: BaseException, parser: argparse.ArgumentParser, stdout: TextIO | None, stderr: TextIO
) -> int:
    """The exit status of a run that stopped before its report was written, said on stderr."""
    if isinstance(stop, UsageError):
        with contextlib.suppress(OSError, ValueError):
            parser.print_usage(stderr)
        _say(stderr, f"pakkeforlop: error: {clean(str(stop))}")
        return EXIT_USAGE
    if isinstance(stop, output.OutputError):
        _detach(stdout)  # a broken pipe: nothing more reaches it, not even at exit
        _say(stderr, f"pakkeforlop: error: {clean(str(stop))}")
        return EXIT_USAGE
    if isinstance(stop, Terminated):
        _say(stderr, f"pakkeforlop: stopped by {stop}; no report was written")
        return stop.exit_status
    _say(stderr, "pakkeforlop: interrupted; no report was written")
    return EXIT_INTERRUPTED


if __name__ == "__main__":
    raise SystemExit(main())
