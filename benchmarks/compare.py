"""What ``run.py`` measures beyond the kit against its baseline: the peers on the same
documents, the command line with a JSON report, and memory per 1,000 pathways."""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import peers

RunChild = Callable[..., dict[str, Any]]
Sampled = Callable[[list[str]], dict[str, Any]]


def documents_only(export: Path, target: Path) -> Path:
    """A copy of ``export`` (hard links) whose manifest declares only referrals and epicrises:
    what the peers read, checked by the kit with every rule that applies to them."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    manifest = json.loads((export / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"] = [entry for entry in manifest["files"] if entry["kind"] in peers.KINDS]
    for entry in manifest["files"]:
        source, copy = export / entry["path"], target / entry["path"]
        copy.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, copy)
        except OSError:
            shutil.copyfile(source, copy)
    (target / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return target


def _row(name: str, checks: str, files: int, measured: peers.Measured) -> str:
    seconds, cpu = measured.seconds, measured.cpu
    return (
        f"| {name} | {checks} | {files:,} | {seconds:.1f} s | {cpu:.1f} s "
        f"| {files / seconds:,.0f} | {files / cpu:,.0f} | {measured.peak_rss_mib:,.0f} MiB |"
    )


def _kit_command(subset: Path) -> list[str]:
    """The kit's command line on the documents, as a user runs it (summary only)."""
    return [
        sys.executable,
        "-c",
        "from pakkeforlop.cli import command; command()",
        "check",
        str(subset),
        "--quiet",
    ]


def compare_peers(
    export: Path, sample: int, sampled: Sampled, workdir: Path, runs: int = 3
) -> None:
    """The kit, ajv-cli and check-jsonschema on the export's referrals and epicrises.

    The kit and ajv-cli are each timed as the processes a user starts, from start to exit
    (the interpreter's start, imports and the kit's summary included, as node's start and
    ajv's schema compilation are), ``runs`` times, one after the other in turn: a machine's
    speed drifts over minutes, so each run's ratio is printed, and the medians compared.
    The kit runs once first, untimed (it warms what the timed runs find: the page cache, and
    the kit's modules compiled to bytecode, as an installed package's are).
    """
    problem = peers.install()
    if problem is not None:
        print(f"Peers skipped: {problem}")
        return
    print("Peers on the referral and epicrisis files ...", flush=True)
    subset = documents_only(export, workdir / f"{export.name}-documents")
    documents = sum(1 for kind in peers.KINDS for _ in _files(subset, kind))
    command = _kit_command(subset)
    warm = sampled(command)
    if warm["status"] != 0:
        print(warm["stderr"], file=sys.stderr)
        msg = f"pakkeforlop check failed on the documents with exit status {warm['status']}"
        raise SystemExit(msg)
    kit: list[peers.Measured] = []
    ajv: dict[str, list[peers.Measured]] = {kind: [] for kind in peers.KINDS}
    for run in range(runs):
        timed = sampled(command)
        kit.append(
            peers.Measured(timed["seconds"], timed["cpu_seconds"], timed["peak_pss_mib"] or 0.0, 0)
        )
        for kind in peers.KINDS:
            ajv[kind].append(peers.run_ajv(kind, export))
        both = sum(ajv[kind][-1].seconds for kind in peers.KINDS)
        print(
            f"  run {run + 1}: pakkeforlop {kit[-1].seconds:.2f} s, ajv-cli {both:.2f} s "
            f"(both kinds): {both / kit[-1].seconds:.3f}x its throughput",
            flush=True,
        )
    rows = [
        _row(
            "pakkeforlop check --quiet (median)",
            "every rule, hardened parse, located findings",
            documents,
            _middle(kit),
        )
    ]
    for kind in peers.KINDS:
        files = list(_files(export, kind))
        measured = _middle(ajv[kind])
        status = "" if measured.status == 0 else f", exit status {measured.status}"
        rows.append(
            _row(
                f"ajv-cli {peers.versions()['ajv-cli']} (ajv {peers.versions()['ajv']}), "
                f"{kind} (median){status}",
                "the schema only",
                len(files),
                measured,
            )
        )
        few = sorted(files)[:: max(1, len(files) // sample)][:sample]
        measured = peers.run_check_jsonschema(kind, few)
        status = "" if measured.status == 0 else f", exit status {measured.status}"
        rows.append(
            _row(
                f"check-jsonschema {peers.versions()['check-jsonschema']}, {kind} (a sample)"
                f"{status}",
                "the schema only",
                len(few),
                measured,
            )
        )
    print()
    print("| tool | checks | files | wall | CPU | files/s (wall) | files per CPU-s | peak memory |")
    print("|---|---|--:|--:|--:|--:|--:|--:|")
    print("\n".join(rows))
    kit_median = _middle(kit)
    ajv_seconds = sum(_middle(ajv[kind]).seconds for kind in peers.KINDS)
    ajv_cpu = sum(_middle(ajv[kind]).cpu for kind in peers.KINDS)
    ratios = [
        sum(ajv[kind][run].seconds for kind in peers.KINDS) / kit[run].seconds
        for run in range(runs)
    ]
    print(
        f"pakkeforlop against ajv-cli on the same documents (medians of {runs} runs): "
        f"{ajv_seconds / kit_median.seconds:.2f}x its throughput (wall; {min(ratios):.2f} to "
        f"{max(ratios):.2f} run by run), {ajv_cpu / kit_median.cpu:.2f}x per CPU-second "
        "(target: faster, > 1)"
    )


def _middle(measured: list[peers.Measured]) -> peers.Measured:
    """The run of median wall time (of an even number of runs, the slower of the middle two)."""
    return sorted(measured, key=lambda one: one.seconds)[len(measured) // 2]


def _files(export: Path, kind: str) -> Iterator[Path]:
    """The export's files of one kind the peers read."""
    return (export / ("referrals" if kind == "referral" else "epicrises")).rglob("*.json")


def cli_memory(export: Path, sampled: Sampled, workdir: Path) -> None:
    """``pakkeforlop check --format json`` on the export: time, CPU and peak memory."""
    print("The command line with a JSON report ...", flush=True)
    report = workdir / "report.json"
    command = [
        sys.executable,
        "-c",
        "from pakkeforlop.cli import command; command()",
        "check",
        str(export),
        "--format",
        "json",
        "--output",
        str(report),
        "--quiet",
    ]
    run = sampled(command)
    size = report.stat().st_size if report.exists() else 0
    report.unlink(missing_ok=True)
    print(
        f"pakkeforlop check --format json: {run['seconds']:.1f} s, CPU {run['cpu_seconds']:.1f} s, "
        f"exit status {run['status']}, report {size / (1 << 20):,.0f} MiB; peak memory "
        f"{run['peak_pss_mib']:,.0f} MiB PSS (tree), {run['peak_rss_mib']:,.0f} MiB RSS "
        f"(largest process); under 1 GiB: {'yes' if run['peak_pss_mib'] < 1024 else 'no'}"
    )


def memory_per_pathways(rows: list[tuple[dict[str, int], float]]) -> None:
    """Peak memory per 1,000 pathways at each size, and what each 1,000 more cost."""
    print()
    print("| pathways | peak memory (e2e) | per 1,000 pathways |")
    print("|--:|--:|--:|")
    for counts, peak in rows:
        per_thousand = peak / counts["referral"] * 1000
        print(f"| {counts['referral']:,} | {peak:,.0f} MiB | {per_thousand:.2f} MiB |")
    (small, low), (large, high) = rows[0], rows[-1]
    extra = large["referral"] - small["referral"]
    if extra > 0:
        print(
            f"each 1,000 pathways more: {(high - low) / extra * 1000:.2f} MiB "
            f"(from {small['referral']:,} to {large['referral']:,} pathways)"
        )
