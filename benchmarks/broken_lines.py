#!/usr/bin/env python3
"""Benchmark a flood of broken NDJSON lines: time, peak memory and report size.

A broken export can hold a million bad lines. The kit keeps a bounded number of findings per
rule and file and counts the rest, so such a file must cost little time, little memory and a
small report. This script writes the flood (``--lines``, default 1,000,000), checks it with
``pakkeforlop check FILE --format json --output REPORT`` (the command a user runs) in a fresh
process, and prints the wall time, its peak RSS and the report's size, for each kind of
broken line:

- ``open-brace``: every line is ``{`` (the case of the reliability review);
- ``truncated``: every line is a valid event line cut short, each one different;
- ``garbage``: every line is random bytes that are not JSON at all.

Figures are measurements, never assertions; run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVENT = (ROOT / "examples/valid/d11-phv-adults-completed/events.ndjson").read_text().splitlines()[0]
KINDS = ("open-brace", "truncated", "garbage")


def write_flood(path: Path, kind: str, lines: int, seed: int) -> None:
    """``lines`` broken lines of one kind."""
    chance = random.Random(seed)
    with path.open("w", encoding="utf-8") as handle:
        for number in range(lines):
            if kind == "open-brace":
                handle.write("{\n")
            elif kind == "truncated":
                cut = EVENT.replace("0001", f"{number % 10_000:04}")
                handle.write(cut[: chance.randrange(1, len(cut) - 1)] + "\n")
            else:
                handle.write("".join(chance.choice("abc:,[]!?é ") for _ in range(20)) + "\n")


def measure(path: Path, report: Path) -> tuple[float, float, int, dict[str, int]]:
    """(seconds, peak RSS in MiB, report bytes, the report's finding totals), from a fresh
    process that runs the command and says its own peak RSS."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(path), str(report)],
        check=True,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    totals = json.loads(report.read_text(encoding="utf-8"))["summary"]["findings"]
    return seconds, float(done.stdout) / 1024, report.stat().st_size, totals


def child(path: Path, report: Path) -> int:
    """``pakkeforlop check PATH --format json --output REPORT``; prints the peak RSS (KiB)."""
    from pakkeforlop import cli  # noqa: PLC0415 - only the measured process loads the kit

    cli.main(["check", str(path), "--format", "json", "--output", str(report)])
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000, help="broken lines per file")
    parser.add_argument("--kind", choices=KINDS, action="append", help="(default: every kind)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(*args.child)
    print("| lines | kind | seconds | peak RSS | report | errors counted |")
    print("|--:|---|--:|--:|--:|--:|")
    with tempfile.TemporaryDirectory() as scratch:
        for kind in args.kind or KINDS:
            flood = Path(scratch) / f"{kind}.ndjson"
            write_flood(flood, kind, args.lines, args.seed)
            seconds, peak, size, totals = measure(flood, Path(scratch) / "report.json")
            print(
                f"| {args.lines:,} | {kind} | {seconds:.1f} s | {peak:.0f} MiB "
                f"| {size / 1024:.0f} KiB | {totals['error']:,} |",
                flush=True,
            )
            flood.unlink()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
