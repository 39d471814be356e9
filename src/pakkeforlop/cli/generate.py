"""``pakkeforlop generate``: write a realistic synthetic export, optionally with known defects.

The work is done by :mod:`pakkeforlop.synthetic`; this module parses the arguments and prints
a summary. Exit status: 0 when the export was written, 2 for a usage error (nothing written),
3 when the generator itself failed.

Layout of the export (``--out DIR``, which must be empty or absent)::

    manifest.json                          every file with its SHA-256, written last
    referrals/NNN/REF-YYYY-NNNNNNN.json    one referral per instance, --files-per-folder per folder
    epicrises/NNN/EPI-YYYY-NNNNNNN.json    one epicrisis per instance that ended
    feedback/NNN/FB-YYYY-NNNNNNN-N.json    feedback to the referrer and the GP after each
                                           clinical decision and some evaluations
    events/events-YYYY-NNN.ndjson          measurement points in registration order, by year

With ``--defect-rate R`` about a fraction R of the instances gets one known defect each, and a
truth file (``--truth``, by default ``DIR.truth.json`` beside the export, never inside it)
lists every defect with its file, NDJSON line, JSON Pointer and rule ids.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TextIO

from pakkeforlop.report.formats import clean
from pakkeforlop.synthetic import (
    DEFAULT_END,
    DEFAULT_START,
    DEFECTS,
    GenerationSummary,
    GeneratorConfig,
    GeneratorError,
    generate,
)
from pakkeforlop.synthetic.writer import EVENT_ORDERS

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_INTERNAL = 3


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        msg = f"not a date (YYYY-MM-DD): {value!r}"
        raise argparse.ArgumentTypeError(msg) from None


def _count(value: str) -> int:
    try:
        number = int(value.replace("_", ""))
    except ValueError:
        number = 0
    if number < 1:
        msg = f"not a whole number of at least 1: {value!r}"
        raise argparse.ArgumentTypeError(msg)
    return number


def _share(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0.0 <= number <= 1.0:
        msg = f"not a share between 0 and 1: {value!r}"
        raise argparse.ArgumentTypeError(msg)
    return number


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``pakkeforlop generate``."""
    parser = argparse.ArgumentParser(
        prog="pakkeforlop generate",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=(
            "Write a synthetic export: realistic referrals, pathway events (NDJSON),\n"
            "feedback to the referrer and the GP, and epicrises across all pathway types,\n"
            "with Test-Norge person numbers and organisation numbers of the test range.\n"
            "The same seed gives the same files, byte for byte. A clean export\n"
            "(--defect-rate 0) has no error or warning finding."
        ),
        epilog=(
            "Defect kinds (one per chosen instance, each with the rules it triggers):\n"
            + "\n".join(f"  {d.name:48} {', '.join(d.rules)}" for d in DEFECTS)
        ),
    )
    parser.add_argument(
        "--pathways",
        type=_count,
        required=True,
        metavar="N",
        help="number of pathway instances (one referral each)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="DIR",
        help="the export folder to write (must be empty or absent)",
    )
    parser.add_argument(
        "--seed", type=int, default=0, metavar="S", help="seed of the random choices (default: 0)"
    )
    parser.add_argument(
        "--defect-rate",
        type=_share,
        default=0.0,
        metavar="R",
        help="share of instances that get one known defect (default: 0)",
    )
    parser.add_argument(
        "--truth",
        type=Path,
        metavar="FILE",
        help="where to write the truth file (default with defects: DIR.truth.json)",
    )
    parser.add_argument(
        "--start",
        type=_day,
        default=DEFAULT_START,
        metavar="YYYY-MM-DD",
        help=f"earliest pathway start (default: {DEFAULT_START})",
    )
    parser.add_argument(
        "--end",
        type=_day,
        default=DEFAULT_END,
        metavar="YYYY-MM-DD",
        help=f"last day the export covers; created the day after (default: {DEFAULT_END})",
    )
    parser.add_argument(
        "--ended-share",
        type=_share,
        default=0.8,
        metavar="F",
        help="share of instances that end before --end, with an epicrisis (default: 0.8)",
    )
    parser.add_argument(
        "--evaluations",
        type=float,
        default=3.0,
        metavar="F",
        help="mean number of evaluations of a treated instance (default: 3)",
    )
    parser.add_argument(
        "--event-order",
        choices=EVENT_ORDERS,
        default="recorded",
        help="events in registration order across instances (default), or grouped per instance",
    )
    parser.add_argument(
        "--events-per-file",
        type=_count,
        default=250_000,
        metavar="N",
        help="most lines per events file (default: 250000)",
    )
    parser.add_argument(
        "--files-per-folder",
        type=_count,
        default=1000,
        metavar="N",
        help="most referrals or epicrises per folder (default: 1000)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")
    return parser


def describe(summary: GenerationSummary) -> str:
    """A short report of what was written."""
    pathways = ", ".join(f"{code} {count}" for code, count in sorted(summary.by_pathway.items()))
    lines = [
        f"Wrote {summary.out}: {summary.pathways} pathway instances ({summary.ongoing} ongoing)",
        f"  referrals {summary.referrals}, epicrises {summary.epicrises}, "
        f"feedback {summary.feedbacks}, "
        f"events {summary.events} in {summary.event_files} files, "
        f"{summary.bytes / 1_048_576:.1f} MiB",
        f"  by pathway: {pathways}",
    ]
    if summary.truth is not None:
        lines.append(
            f"  defects: {summary.truth_entries} findings expected from "
            f"{sum(summary.defects.values())} injected defects of {len(summary.defects)} kinds; "
            f"truth: {summary.truth}"
        )
    return "\n".join(lines)


def main(
    argv: Sequence[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """Entry point of ``pakkeforlop generate``; returns the exit status."""
    stdout = stdout if stdout is not None else sys.stdout
    stderr = stderr if stderr is not None else sys.stderr
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help (0) and usage errors (2)
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    config = GeneratorConfig(
        out=args.out,
        pathways=args.pathways,
        seed=args.seed,
        defect_rate=args.defect_rate,
        start=args.start,
        end=args.end,
        ended_share=args.ended_share,
        mean_evaluations=args.evaluations,
        files_per_folder=args.files_per_folder,
        events_per_file=args.events_per_file,
        event_order=args.event_order,
        truth=args.truth,
    )
    try:
        summary = generate(config)
    except GeneratorError as error:
        parser.print_usage(stderr)
        print(f"pakkeforlop generate: error: {clean(str(error))}", file=stderr)
        return EXIT_USAGE
    except OSError as error:
        print(f"pakkeforlop generate: error: {clean(str(error))}", file=stderr)
        return EXIT_USAGE
    except Exception as error:  # the kit's own bug: say so instead of a bare traceback
        traceback.print_exc(file=stderr)
        print(f"pakkeforlop generate: internal error: {type(error).__name__}", file=stderr)
        return EXIT_INTERNAL
    if not args.quiet:
        print(describe(summary), file=stdout)
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
