"""The command line: the parser of ``pakkeforlop`` and its subcommands, and the option types.

Options that the configuration file can also set (:mod:`pakkeforlop.cli.config`) default to
None here, so that :func:`pakkeforlop.cli.check.settings` can tell "not given" from a value.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from pakkeforlop import SPEC_VERSION, __version__
from pakkeforlop.cli.outputs import FILE_FORMATS, FORMATS
from pakkeforlop.engine.caps import DEFAULT_CAPS
from pakkeforlop.read import DEFAULT_LIMITS

__all__ = ["DEBUG_VARIABLE", "build_parser", "byte_size", "finding_count", "job_count"]

#: Set to 1 to get the Python traceback of an internal error.
DEBUG_VARIABLE = "PAKKEFORLOP_DEBUG"

_SIZE = re.compile(r"^\s*([0-9]+)\s*(|b|k|kb|kib|m|mb|mib|g|gb|gib)\s*$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}

VERSION = f"%(prog)s {__version__} (package); specification {SPEC_VERSION}"

EXIT_STATUS = (
    "exit status:\n"
    "  0  no finding reaches the fail level (accepted findings, waived or in the baseline,\n"
    "     never do), or --exit-zero\n"
    "  1  at least one finding reaches the fail level\n"
    "  2  usage error (bad option, missing PATH, bad configuration file or baseline, a report\n"
    "     that cannot be written where it is to go; nothing checked), or a report could not\n"
    "     be written at the end\n"
    "  3  internal error of the kit (a bug: please report it); "
    f"{DEBUG_VARIABLE}=1 shows the traceback\n"
    "  128+N  ended by signal N (130 Ctrl-C, 143 SIGTERM, 129 SIGHUP); no report written"
)


def byte_size(value: str) -> int:
    """A size such as ``4096``, ``64k``, ``10MiB`` or ``1G`` (binary units), in bytes."""
    match = _SIZE.match(value)
    if match is None or int(match.group(1)) < 1:
        msg = f"not a size in bytes: {value!r} (use e.g. 65536, 64k, 10M)"
        raise argparse.ArgumentTypeError(msg)
    return int(match.group(1)) * _UNITS[match.group(2)[:1].lower()]


def job_count(value: str) -> str:
    """``--jobs``: a number of processes (at least 1), or ``auto``."""
    if value != "auto" and (not value.isdigit() or int(value) < 1):
        msg = f"not a number of processes: {value!r} (use e.g. 1, 2 or auto)"
        raise argparse.ArgumentTypeError(msg)
    return value


def finding_count(value: str) -> int:
    """``--max-findings``: a number of findings (0: no limit)."""
    if not value.isdigit():
        msg = f"not a number of findings: {value!r} (use e.g. 100, or 0 for every one)"
        raise argparse.ArgumentTypeError(msg)
    return int(value)


def _check_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    check = commands.add_parser(
        "check",
        help="check exports and report the findings",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=(
            "Check exports against the specification and report every finding.\n\n"
            "A PATH is an export folder (holding manifest.json), a folder of exports (every\n"
            "manifest.json below it), or a single JSON document, NDJSON events file or KITH\n"
            "XML message (.xml: MsgHead 1.2 with Henvisning 2.0, Epikrise 1.2 or\n"
            "Dialogmelding 1.0/1.1, or an AppRec 1.0/1.1).\n\n"
            "Settings are read from [tool.pakkeforlop] in pyproject.toml or from\n"
            "pakkeforlop.toml beside the first PATH or in a folder above it (--config FILE\n"
            "names one, --no-config uses none); an option given here wins."
        ),
        epilog=EXIT_STATUS,
    )
    check.add_argument("paths", metavar="PATH", nargs="+", help="what to check")
    reports = check.add_argument_group("reports")
    reports.add_argument(
        "--format",
        "-f",
        metavar="FMT[:FILE]",
        action="append",
        help=(
            f"a report format ({', '.join(FORMATS)}); FMT alone is the format of standard "
            "output (default: text), FMT:FILE also writes that report to FILE; repeatable"
        ),
    )
    for name in FILE_FORMATS:
        reports.add_argument(
            f"--output-{name}",
            metavar="FILE",
            help=f"also write the {name} report to FILE (as --format {name}:FILE)",
        )
    reports.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        help="write standard output's report to FILE instead ('-' for standard output)",
    )
    reports.add_argument(
        "--lang", choices=("en", "nb"), help="language of messages and labels (default: en)"
    )
    reports.add_argument(
        "--no-mask",
        action="store_true",
        help="show identifiers and names unmasked in the report (they are masked by default)",
    )
    reports.add_argument(
        "--quiet",
        "-q",
        action="store_true",
        help="text format: print only the summary; never print progress unless --progress",
    )
    reports.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        help=(
            "list every finding: in the text format also those below the fail level, and in "
            "every format all of them (as --max-findings 0)"
        ),
    )
    reports.add_argument(
        "--max-findings",
        metavar="N",
        type=finding_count,
        help=(
            f"list at most N findings per rule and file and 10 N per rule and export (default: "
            f"{DEFAULT_CAPS.per_file}); the others are counted in one summary finding and in "
            "every total; 0 lists every one"
        ),
    )
    reports.add_argument(
        "--progress",
        action="store_true",
        help="print progress on standard error even when it is not a terminal",
    )
    gate = check.add_argument_group("what fails the run")
    gate.add_argument(
        "--fail-on",
        choices=("error", "warning"),
        help="the lowest severity that fails the run (default: error)",
    )
    gate.add_argument(
        "--select",
        metavar="RULES",
        action="append",
        help="report only these rules: ids or families, comma-separated (e.g. REFERRAL,CODE-002)",
    )
    gate.add_argument(
        "--ignore",
        metavar="RULES",
        action="append",
        help="leave these rules out (reported as skipped): ids or families, comma-separated",
    )
    gate.add_argument(
        "--baseline",
        metavar="FILE",
        help="a baseline file: the findings it records are reported but do not fail the run",
    )
    gate.add_argument(
        "--write-baseline",
        metavar="FILE",
        help="record the errors and warnings of this run (those no waiver accepts) in FILE",
    )
    gate.add_argument(
        "--exit-zero",
        action="store_true",
        help="exit 0 even when findings reach the fail level (usage and internal errors "
        "still exit 2 and 3)",
    )
    gate.add_argument("--config", metavar="FILE", help="the configuration file to use")
    gate.add_argument("--no-config", action="store_true", help="use no configuration file")
    reading = check.add_argument_group("reading")
    reading.add_argument(
        "--max-file-size",
        metavar="SIZE",
        type=byte_size,
        help=(
            "largest JSON document read, e.g. 10M (default: "
            f"{DEFAULT_LIMITS.max_file_bytes // (1 << 20)}M); an NDJSON line may be at most "
            f"this or {DEFAULT_LIMITS.max_line_bytes // (1 << 20)}M, whichever is smaller"
        ),
    )
    reading.add_argument(
        "--xsd-dir",
        metavar="DIR",
        type=Path,
        help=(
            "validate KITH XML messages against the XSDs in DIR (official KITH schemas you "
            "supply; the kit ships none); without it XSD validation is skipped"
        ),
    )
    reading.add_argument(
        "--jobs",
        "-j",
        metavar="N",
        type=job_count,
        help=(
            "read an export's files in N processes (default: auto, one per CPU for an export "
            "over 16 MiB); the report is the same for any N"
        ),
    )


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
    parser.add_argument("--version", action="version", version=VERSION)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _check_parser(commands)
    commands.add_parser(
        "generate",
        help="write a synthetic export (see `pakkeforlop generate --help`)",
        add_help=False,
    )
    rules = commands.add_parser(
        "rules",
        help="list the rule catalogue",
        description=(
            "List every rule of the catalogue: id, severity and title (text, in --lang), or "
            "every catalogue entry whole (json, with both titles and the sources)."
        ),
    )
    rules.add_argument(
        "--format", choices=("text", "json"), default="text", help="list format (default: text)"
    )
    rules.add_argument(
        "--lang", choices=("en", "nb"), default="en", help="language of the titles (default: en)"
    )
    explain = commands.add_parser(
        "explain",
        help="explain a rule: requirement, severity, source, and a failing and a passing case",
        description=(
            "Explain a rule offline: its requirement, severity and verb, its source with the "
            "URL, the evidence, its messages, and a failing and a passing case from its "
            "fixtures."
        ),
    )
    explain.add_argument("rule", metavar="RULE", help="a rule id, e.g. REFERRAL-003")
    explain.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default: text)"
    )
    return parser
