"""What ``run.py`` measures beyond the kit against its baseline: the peers on the same
documents, the command line with a JSON report, and memory per 1,000 pathways."""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Callable
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


def compare_peers(export: Path, sample: int, run_child: RunChild, workdir: Path) -> None:
    """The kit, ajv-cli and check-jsonschema on the export's referrals and epicrises."""
    problem = peers.install()
    if problem is not None:
        print(f"Peers skipped: {problem}")
        return
    print("Peers on the referral and epicrisis files ...", flush=True)
    subset = documents_only(export, workdir / f"{export.name}-documents")
    kit = run_child("e2e", subset)
    documents = kit["documents"]
    found = peers.versions()
    rows = [
        _row(
            f"pakkeforlop ({kit['workers'] or 1} process{'es' if kit['workers'] > 1 else ''})",
            "every rule, hardened parse, located findings",
            documents,
            peers.Measured(
                kit["seconds"], kit["cpu_seconds"], kit["peak_pss_mib"] or kit["peak_rss_mib"], 0
            ),
        )
    ]
    ajv_seconds = ajv_cpu = 0.0
    ajv_files = 0
    for kind in peers.KINDS:
        files = sorted(
            (export / ("referrals" if kind == "referral" else "epicrises")).rglob("*.json")
        )
        measured = peers.run_ajv(kind, export)
        status = "" if measured.status == 0 else f", exit status {measured.status}"
        rows.append(
            _row(
                f"ajv-cli {found['ajv-cli']} (ajv {found['ajv']}), {kind}{status}",
                "the schema only",
                len(files),
                measured,
            )
        )
        ajv_seconds += measured.seconds
        ajv_cpu += measured.cpu
        ajv_files += len(files)
        few = files[:: max(1, len(files) // sample)][:sample]
        measured = peers.run_check_jsonschema(kind, few)
        status = "" if measured.status == 0 else f", exit status {measured.status}"
        rows.append(
            _row(
                f"check-jsonschema {found['check-jsonschema']}, {kind} (a sample){status}",
                "the schema only",
                len(few),
                measured,
            )
        )
    print()
    print("| tool | checks | files | wall | CPU | files/s (wall) | files per CPU-s | peak memory |")
    print("|---|---|--:|--:|--:|--:|--:|--:|")
    print("\n".join(rows))
    kit_rate, ajv_rate = documents / kit["seconds"], ajv_files / ajv_seconds
    print(
        f"pakkeforlop against ajv-cli on the same documents: {kit_rate / ajv_rate:.2f}x its "
        f"throughput (wall), {(documents / kit['cpu_seconds']) / (ajv_files / ajv_cpu):.2f}x "
        "per CPU-second (target: faster, > 1)"
    )


def cli_memory(export: Path, sampled: Sampled, workdir: Path) -> None:
    """``pakkeforlop check --format json`` on the export: time, CPU and peak memory."""
    print("The command line with a JSON report ...", flush=True)
    report = workdir / "report.json"
    command = [
        sys.executable,
        "-c",
        "import sys; from pakkeforlop.cli import main; sys.exit(main(sys.argv[1:]))",
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
