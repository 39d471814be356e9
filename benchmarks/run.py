#!/usr/bin/env python3
"""Benchmark the conformance check on a generated export, against a bare baseline.

One run:

1. generates a clean synthetic export of the asked size (``pakkeforlop generate``'s engine),
   sized by ``--referrals`` (= pathway instances), ``--epicrises`` (= instances that ended)
   and ``--events``; the default is the target of issue 6: 1,000,000 events + 100,000
   referrals + 50,000 epicrises; ``--quick`` is a fiftieth of it;
2. reads every file once, untimed, so that each measured run finds the export in the page
   cache (before each of the two runs below: the work is compared, not the disk);
3. checks it end to end with every rule (``pakkeforlop.engine.check_export``, one worker
   process per CPU for a large export, as ``pakkeforlop check``; ``--jobs`` overrides) in a
   fresh subprocess, which reports its time and peak RSS (and its largest worker's); on
   Linux this script also samples the summed PSS of that process and its workers;
4. runs the bare baseline over the same files in another subprocess: JSON parsing plus schema
   validation with jsonschema-rs, compiled once, and nothing else;
5. prints documents/s and events/s for both, their ratio, and a Markdown table row.

Run ``python benchmarks/run.py --quick`` for a smoke run; ``--profile`` adds a cProfile of
the end-to-end check (top 25 by cumulative time; run it on a mid-sized export, since
profiling slows the check down). Timings are measurements, never assertions: nothing here
fails on a slow run. jsonschema-rs is an optional extra: ``pip install 'pakkeforlop[fast]'``.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import importlib.metadata
import json
import os
import platform
import pstats
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))  # compare.py and peers.py beside it
import compare  # noqa: E402

try:
    import pakkeforlop  # noqa: F401 - installed (or editable) kit
except ImportError:  # running from a checkout that was never installed
    sys.path.insert(0, str(ROOT / "src"))

#: Seconds between two samples of the measured processes' memory; reading PSS walks their
#: page tables, so sampling more often would slow the very run it measures.
PSS_INTERVAL = 1.0
#: Where the kit's bytecode is written for the measured runs when the environment asks Python
#: not to write any (``PYTHONDONTWRITEBYTECODE``): an installed kit has its bytecode.
BYTECODE = ROOT / "benchmarks" / ".bytecode"
TARGET = {"events": 1_000_000, "referrals": 100_000, "epicrises": 50_000}
QUICK = {"events": 20_000, "referrals": 2_000, "epicrises": 1_000}
HEADER = (
    "| export | documents | events | size | end to end | docs/s | events/s "
    "| baseline | docs/s | events/s | ratio | peak memory (e2e) | peak memory (baseline) |\n"
    "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
)


@dataclass(frozen=True, slots=True)
class Size:
    """The export's size as asked for."""

    referrals: int
    epicrises: int
    events: int


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def _cpu_seconds() -> float:
    """CPU time (user + system) of this process and of its children that ended."""
    return sum(
        usage.ru_utime + usage.ru_stime
        for usage in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    )


def _peak_rss_mib(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident set size of this process, or of its largest child (``RUSAGE_CHILDREN``).

    For this process, Linux's own high-water mark (``VmHWM``) where there is one: its
    ``ru_maxrss`` keeps the peak of the process it was before ``exec`` (the benchmark's).
    ``ru_maxrss`` is in KiB on Linux, bytes on macOS.
    """
    if who == resource.RUSAGE_SELF:
        own = compare.peers.high_water_mib(os.getpid())
        if own is not None:
            return own
    peak = resource.getrusage(who).ru_maxrss
    return peak / (1 << 20) if sys.platform == "darwin" else peak / 1024


# -- the subprocesses -------------------------------------------------------------------------


def _declared(export: Path) -> Iterator[tuple[str, Path]]:
    manifest = json.loads((export / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        yield entry["kind"], export / entry["path"]


def child_end_to_end(export: Path, profile: int, jobs: int | None) -> dict[str, Any]:
    """Check ``export`` with every rule; with ``profile``, print the top functions too."""
    from pakkeforlop import engine  # noqa: PLC0415 - timed in a fresh process
    from pakkeforlop.engine import parallel  # noqa: PLC0415

    workers: list[int] = []
    ordered_map = parallel.ordered_map

    def counted(*args: Any, **kwargs: Any) -> Any:
        workers.append(kwargs["workers"])
        return ordered_map(*args, **kwargs)

    parallel.ordered_map = counted  # to report how many worker processes ran
    profiler = cProfile.Profile() if profile else None
    cpu = _cpu_seconds()
    started = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    result = engine.check_export(export, jobs=jobs)
    if profiler is not None:
        profiler.disable()
    seconds = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu
    if profiler is not None:
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("cumulative").print_stats(profile)
    severities: dict[str, int] = {}
    for finding in result.findings:
        severities[finding.severity.value] = severities.get(finding.severity.value, 0) + 1
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "fast": result.fast,
        "documents": result.documents - 1,  # the manifest is not counted
        "events": result.events,
        "findings": severities,
        "peak_rss_mib": _peak_rss_mib(),
        "workers": max(workers, default=0),
        "worker_peak_rss_mib": _peak_rss_mib(resource.RUSAGE_CHILDREN),
    }


def child_baseline(export: Path) -> dict[str, Any]:
    """Parse every document and event line and validate it with jsonschema-rs; nothing else."""
    import jsonschema_rs  # noqa: PLC0415 - optional extra, needed only here

    from pakkeforlop.data.schemas import DOCUMENT_SCHEMAS, schema, schema_ids  # noqa: PLC0415

    registry = jsonschema_rs.Registry([(sid, dict(schema(sid))) for sid in schema_ids()])
    validators = {
        kind: jsonschema_rs.Draft202012Validator(
            dict(schema(schema_id)), registry=registry, validate_formats=True
        )
        for kind, schema_id in DOCUMENT_SCHEMAS.items()
    }
    cpu = _cpu_seconds()
    started = time.perf_counter()
    documents = events = errors = 0
    manifest = json.loads((export / "manifest.json").read_bytes())
    errors += sum(1 for _ in validators["export-manifest"].iter_errors(manifest))
    for kind, path in _declared(export):
        validator = validators[kind]
        if kind == "pathway-events":
            with path.open("rb") as handle:
                for line in handle:
                    errors += sum(1 for _ in validator.iter_errors(json.loads(line)))
                    events += 1
        else:
            errors += sum(1 for _ in validator.iter_errors(json.loads(path.read_bytes())))
            documents += 1
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "cpu_seconds": _cpu_seconds() - cpu,
        "documents": documents,
        "events": events,
        "errors": errors,
        "peak_rss_mib": _peak_rss_mib(),
        "jsonschema_rs": _version("jsonschema-rs"),
    }


def _process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants, from /proc (Linux)."""
    parents: dict[int, int] = {}
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended while we looked
        parents[int(stat_file.parent.name)] = int(fields[1])
    tree, frontier = [pid], [pid]
    while frontier:
        frontier = [child for child, parent in parents.items() if parent in frontier]
        tree += frontier
    return tree


def _pss_mib(pids: list[int]) -> float:
    """The proportional set size of these processes together: shared pages counted once."""
    total_kib = 0
    for pid in pids:
        try:
            lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
        except OSError:
            continue
        total_kib += sum(int(line.split()[1]) for line in lines if line.startswith("Pss:"))
    return total_kib / 1024


def _sampled(command: list[str]) -> dict[str, Any]:
    """Run ``command``; its output, wall and CPU time, peak RSS, and (on Linux) the peak of
    the summed PSS of it and its workers, sampled.

    The PSS peak is the memory the check really held: forked workers share pages with their
    parent, so adding their RSS would count those pages twice. Sampling runs here, not in the
    measured process, so that it adds no thread there.
    """
    env = dict(os.environ)
    env.setdefault("PYTHONHASHSEED", "0")
    if env.pop("PYTHONDONTWRITEBYTECODE", ""):
        # An installed kit runs from bytecode (pip compiles it): kept apart from the sources.
        env["PYTHONPYCACHEPREFIX"] = str(BYTECODE)
    sampled = Path("/proc/self/smaps_rollup").exists()
    peaks = [0.0, 0.0]  # PSS of the tree, RSS of its largest process

    def sample() -> None:
        if sampled:
            tree = _process_tree(child.pid)
            peaks[0] = max(peaks[0], _pss_mib(tree))
            high = (compare.peers.high_water_mib(pid) or 0.0 for pid in tree)
            peaks[1] = max([peaks[1], *high])

    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=err, text=True, env=env)
        ended, _, usage = compare.peers.watch(child, sample, PSS_INTERVAL)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    peak, rss = peaks
    if not sampled:  # elsewhere only ru_maxrss (which may count the process before its exec)
        rss = usage.ru_maxrss / (1 << 20) if sys.platform == "darwin" else usage.ru_maxrss / 1024
    return {
        "stdout": stdout,
        "stderr": stderr,
        "status": child.returncode,
        "seconds": ended - started,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_rss_mib": rss,  # of the largest process, sampled each second on Linux
        "peak_pss_mib": peak if sampled else None,
    }


def _run_child(
    mode: str, export: Path, profile: int = 0, jobs: int | None = None
) -> dict[str, Any]:
    """Run one measurement in a fresh process (see :func:`_sampled`); what it reports, with
    the PSS peak and the CPU time of the whole process tree."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", mode, str(export)]
    if profile:
        command += ["--profile", str(profile)]
    if jobs is not None:
        command += ["--jobs", str(jobs)]
    run = _sampled(command)
    if profile and run["stderr"]:
        print(run["stderr"], end="")
    if run["status"] != 0:
        print(run["stderr"], file=sys.stderr)
        msg = f"the {mode} run failed with exit status {run['status']}"
        raise SystemExit(msg)
    result: dict[str, Any] = json.loads(run["stdout"].strip().splitlines()[-1])
    result["peak_pss_mib"] = run["peak_pss_mib"]
    result["tree_cpu_seconds"] = run["cpu_seconds"]  # imports and start-up included
    return result


# -- generating -----------------------------------------------------------------------------------


def plan_config(size: Size, out: Path, seed: int) -> Any:
    """A generator configuration whose export has about ``size``: the mean number of
    evaluations is searched so that the events come out close to the asked count."""
    from pakkeforlop.synthetic import GeneratorConfig, estimate  # noqa: PLC0415

    ended_share = min(1.0, size.epicrises / size.referrals)
    sample = min(size.referrals, 4000)
    wanted = size.events / size.referrals

    def per_pathway(mean: float) -> float:
        config = GeneratorConfig(
            out=out, pathways=sample, seed=seed, ended_share=ended_share, mean_evaluations=mean
        )
        events: int = estimate(config)[0]
        return events / sample

    low, high = 1.0, 60.0
    for _ in range(14):
        middle = (low + high) / 2
        if per_pathway(middle) < wanted:
            low = middle
        else:
            high = middle
    return GeneratorConfig(
        out=out,
        pathways=size.referrals,
        seed=seed,
        ended_share=ended_share,
        mean_evaluations=round((low + high) / 2, 3),
    )


def _disk_size(path: Path) -> int:
    return sum(entry.stat().st_size for entry in path.rglob("*") if entry.is_file())


def _counts(export: Path) -> dict[str, int]:
    """Referrals, epicrises, feedback documents and event lines the manifest declares."""
    counts = {"referral": 0, "epicrisis": 0, "feedback": 0, "events": 0}
    for kind, path in _declared(export):
        if kind == "pathway-events":
            with path.open("rb") as handle:
                counts["events"] += sum(1 for line in handle if line.strip())
        else:
            counts[kind] += 1
    return counts


# -- reporting ------------------------------------------------------------------------------------


def _number(value: float) -> str:
    return f"{value:,.0f}"


def _size_text(size: int) -> str:
    return f"{size / (1 << 30):.2f} GiB" if size >= 1 << 30 else f"{size / (1 << 20):.0f} MiB"


def _label(counts: dict[str, int]) -> str:
    return (
        f"{_number(counts['events'])} events + {_number(counts['referral'])} referrals "
        f"+ {_number(counts['epicrisis'])} epicrises + {_number(counts['feedback'])} feedback"
    )


def build_parser() -> argparse.ArgumentParser:
    """The benchmark's arguments."""
    parser = argparse.ArgumentParser(
        prog="benchmarks/run.py",
        description="Benchmark the end-to-end check against a bare jsonschema-rs baseline.",
    )
    parser.add_argument("--quick", action="store_true", help="a small run: 20,000 events")
    parser.add_argument("--events", type=int, help="events to generate (about)")
    parser.add_argument("--referrals", type=int, help="referrals (= pathway instances)")
    parser.add_argument("--pathways", type=int, help="the same as --referrals")
    parser.add_argument("--epicrises", type=int, help="epicrises (= instances that ended)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, help="where to generate (default: a temp dir)")
    parser.add_argument(
        "--export",
        type=Path,
        action="append",
        help="benchmark this export instead of generating (repeat it for several sizes: memory "
        "per 1,000 pathways is then compared; the peers and the CLI run on the last)",
    )
    parser.add_argument(
        "--peers",
        action="store_true",
        help="also run ajv-cli and check-jsonschema on the referrals and epicrises (installed "
        "in benchmarks/.peers on first use)",
    )
    parser.add_argument(
        "--peer-sample",
        type=int,
        default=1000,
        metavar="N",
        help="check-jsonschema checks N files of each kind (default 1000: it is slow)",
    )
    parser.add_argument(
        "--peer-runs",
        type=int,
        default=3,
        metavar="N",
        help="time the kit and ajv-cli N times each, in turn (default 3); medians are compared",
    )
    parser.add_argument(
        "--cli",
        action="store_true",
        help="also measure pakkeforlop check --format json (time and peak memory)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated export")
    parser.add_argument(
        "--profile",
        type=int,
        nargs="?",
        const=25,
        default=0,
        metavar="N",
        help="also profile the end-to-end check and print the top N (25) by cumulative time",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        help="processes of the end-to-end check (default: as pakkeforlop check, one per CPU "
        "for a large export)",
    )
    parser.add_argument("--child", choices=("e2e", "baseline"), help=argparse.SUPPRESS)
    parser.add_argument("child_export", nargs="?", type=Path, help=argparse.SUPPRESS)
    return parser


def _size(args: argparse.Namespace) -> Size:
    preset = QUICK if args.quick else TARGET
    referrals = args.referrals or args.pathways or preset["referrals"]
    scale = referrals / preset["referrals"]
    return Size(
        referrals=referrals,
        epicrises=args.epicrises or round(preset["epicrises"] * scale),
        events=args.events or round(preset["events"] * scale),
    )


def _generate(size: Size, base: Path, seed: int) -> Path:
    from pakkeforlop.synthetic import generate  # noqa: PLC0415

    export = base / f"export-{size.referrals}-{seed}"
    if export.exists():
        shutil.rmtree(export)
    config = plan_config(size, export, seed)
    print(
        f"Generating {size.referrals:,} pathways (about {size.events:,} events, "
        f"{size.epicrises:,} epicrises; seed {seed}, "
        f"mean evaluations {config.mean_evaluations}) into {export} ...",
        flush=True,
    )
    started = time.perf_counter()
    summary = generate(config)
    print(
        f"  generated in {time.perf_counter() - started:.1f} s: {summary.referrals:,} referrals, "
        f"{summary.epicrises:,} epicrises, {summary.events:,} events in "
        f"{summary.event_files} files",
        flush=True,
    )
    return export


def _rss(run: dict[str, Any]) -> tuple[float, str]:
    """Peak memory of a run (MiB) and what it is.

    With workers on Linux: the peak of the summed PSS of the process and its workers, sampled
    (forked workers share pages with their parent, so adding RSS would count those twice).
    Elsewhere with workers: the process's peak RSS plus its largest worker's times the number
    of workers, an upper bound. In one process: its peak RSS.
    """
    main, workers = run["peak_rss_mib"], run.get("workers", 0)
    if not workers:
        return main, f"{main:,.0f} MiB"
    worker = run["worker_peak_rss_mib"]
    if run.get("peak_pss_mib") is not None:
        pss = run["peak_pss_mib"]
        return pss, f"{pss:,.0f} MiB (PSS; RSS main {main:,.0f}, worker {worker:,.0f})"
    total = main + workers * worker
    return total, f"{total:,.0f} MiB (at most: {main:,.0f} + {workers} x {worker:,.0f})"


def _report(counts: dict[str, int], disk: int, e2e: dict[str, Any], base: dict[str, Any]) -> float:
    """Print one export's figures; the end-to-end check's peak memory (MiB)."""
    documents = counts["referral"] + counts["epicrisis"] + counts["feedback"]
    events = counts["events"]
    ratio = base["seconds"] / e2e["seconds"]
    cpu_ratio = base["tree_cpu_seconds"] / e2e["tree_cpu_seconds"]
    e2e_rss, e2e_rss_text = _rss(e2e)
    processes = f"{e2e['workers']} worker processes" if e2e["workers"] else "one process"
    print()
    print(
        f"Python {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs; jsonschema-rs {base['jsonschema_rs']}, "
        f"msgspec {_version('msgspec')}"
    )
    print(
        f"documents {documents:,} (referrals, epicrises, feedback), events {events:,}, "
        f"on disk {_size_text(disk)}; the fast paths took {e2e['fast']:,} of the "
        f"{documents + events + 1:,} documents and lines (the manifest included)"
    )
    for name, run, rss in (
        (f"end to end ({processes})", e2e, e2e_rss_text),
        ("baseline (one process)", base, _rss(base)[1]),
    ):
        print(
            f"{name}: {run['seconds']:.1f} s, CPU {run['tree_cpu_seconds']:.1f} s (process "
            f"tree, start-up included), {documents / run['seconds']:,.0f} documents/s, "
            f"{events / run['seconds']:,.0f} events/s, peak memory {rss}"
        )
    print(
        f"ratio (end-to-end throughput / baseline throughput): {ratio:.3f} wall, "
        f"{cpu_ratio:.3f} CPU (target >= 0.5, wall)"
    )
    print(
        f"end to end under 60 s: {'yes' if e2e['seconds'] < 60 else 'no'}; "
        f"peak memory under 1 GiB: {'yes' if e2e_rss < 1024 else 'no'}"
    )
    print()
    print(HEADER)
    print(
        f"| {_label(counts)} | {documents:,} | {events:,} | {_size_text(disk)} "
        f"| {e2e['seconds']:.1f} s ({e2e['tree_cpu_seconds']:.0f} s CPU) "
        f"| {documents / e2e['seconds']:,.0f} | {events / e2e['seconds']:,.0f} "
        f"| {base['seconds']:.1f} s ({base['tree_cpu_seconds']:.0f} s CPU) "
        f"| {documents / base['seconds']:,.0f} | {events / base['seconds']:,.0f} "
        f"| {ratio:.3f} ({cpu_ratio:.3f}) | {e2e_rss_text} | {_rss(base)[1]} |"
    )
    return e2e_rss


def _warm(export: Path) -> None:
    """Read every file of the export once, untimed, so that both measured runs find it in the
    page cache: the comparison is then of the work done, not of the disk (a cold read of the
    target export costs about a fifth of the end-to-end time on the reference machine, and
    whichever run came second would otherwise find the files cached by the first)."""
    started = time.perf_counter()
    size = 0
    for folder, _, names in os.walk(export):
        for name in names:
            with (Path(folder) / name).open("rb") as handle:
                while block := handle.read(1 << 20):
                    size += len(block)
    seconds = time.perf_counter() - started
    print(f"  page cache warmed: {_size_text(size)} read in {seconds:.1f} s", flush=True)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; returns the exit status."""
    args = build_parser().parse_args(argv)
    if args.child is not None:
        if args.child == "e2e":
            result = child_end_to_end(args.child_export, args.profile, args.jobs)
        else:
            result = child_baseline(args.child_export)
        print(json.dumps(result))
        return 0
    try:
        import jsonschema_rs  # noqa: F401, PLC0415
    except ImportError:
        print(
            "benchmarks/run.py needs jsonschema-rs for the baseline: "
            "pip install 'pakkeforlop[fast]' (or pip install jsonschema-rs)",
            file=sys.stderr,
        )
        return 2
    temporary = None
    if args.export:
        exports = args.export
    else:
        base = args.workdir or Path(temporary := tempfile.mkdtemp(prefix="pakkeforlop-bench-"))
        exports = [_generate(_size(args), base, args.seed)]
    workdir = Path(tempfile.mkdtemp(prefix="pakkeforlop-bench-work-"))
    try:
        peaks = [(_counts(export), _measure(export, args)) for export in exports]
        if len(peaks) > 1:
            compare.memory_per_pathways(peaks)
        if args.cli:
            _warm(exports[-1])
            compare.cli_memory(exports[-1], _sampled, workdir)
        if args.peers:
            _warm(exports[-1])
            compare.compare_peers(exports[-1], args.peer_sample, _sampled, workdir, args.peer_runs)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if temporary is not None and not args.keep:
            shutil.rmtree(temporary, ignore_errors=True)
    return 0


def _measure(export: Path, args: argparse.Namespace) -> float:
    """The kit end to end and the baseline on one export; the kit's peak memory (MiB)."""
    counts = _counts(export)
    disk = _disk_size(export)
    print(f"Checking {export} end to end (engine.check_export, all rules) ...", flush=True)
    _warm(export)
    e2e = _run_child("e2e", export, jobs=args.jobs)
    print(f"  {e2e['seconds']:.1f} s; findings {e2e['findings']}", flush=True)
    print("Bare baseline (json + jsonschema-rs) ...", flush=True)
    _warm(export)
    baseline = _run_child("baseline", export)
    print(f"  {baseline['seconds']:.1f} s; schema errors {baseline['errors']}", flush=True)
    if args.profile:
        print(f"Profiling the end-to-end check (top {args.profile}, cumulative) ...")
        _run_child("e2e", export, args.profile, args.jobs)
    return _report(counts, disk, e2e, baseline)


if __name__ == "__main__":
    raise SystemExit(main())
