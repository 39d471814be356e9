"""Generate a synthetic export: configuration, the two passes, the manifest and the truth file.

Pass one draws every instance's pathway type, its timeline's length and whether it has ended by
the export's end, and places its start in time (a few integers per instance). Pass two sorts the
instances by start and builds and writes them one at a time from their own seeds, so the same
seed gives the same export byte for byte, and memory holds only the instances still open.

Nothing reads the clock: the manifest's ``created`` is the day after the export's end.
"""

from __future__ import annotations

import json
import random
from array import array
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Final

from pakkeforlop import SPEC_VERSION, __version__
from pakkeforlop.data.pathways import pathway
from pakkeforlop.data.schemas import DOCUMENT_SCHEMAS
from pakkeforlop.synthetic.cast import Numbers, build_cast, norwegian_offset
from pakkeforlop.synthetic.defects import DEFECTS, DefectPicker
from pakkeforlop.synthetic.documents import (
    Context,
    build_plan,
    weekday_on_or_after,
    weekday_on_or_before,
)
from pakkeforlop.synthetic.model import TruthEntry
from pakkeforlop.synthetic.timeline import WEIGHTS, simulate
from pakkeforlop.synthetic.writer import EVENT_ORDERS, ExportWriter

DEFAULT_START: Final = date(2021, 1, 1)
DEFAULT_END: Final = date(2025, 6, 30)
#: Days kept free after an ended instance's last event: outpatient dates move off weekends.
WEEKEND_MARGIN: Final = 4
TRUTH_FORMAT: Final = "pakkeforlop-truth/1"


class GeneratorError(ValueError):
    """The configuration asks for something that cannot be generated."""


@dataclass(frozen=True, slots=True)
class GeneratorConfig:
    """What to generate. ``pathways`` instances, each with a referral; see the CLI for the rest."""

    out: Path
    pathways: int
    seed: int = 0
    defect_rate: float = 0.0
    start: date = DEFAULT_START
    end: date = DEFAULT_END
    ended_share: float = 0.8
    mean_evaluations: float = 3.0
    files_per_folder: int = 1000
    events_per_file: int = 250_000
    event_order: str = "recorded"
    truth: Path | None = None

    def validate(self) -> None:
        """Raise :class:`GeneratorError` for a configuration that cannot work."""
        problems = []
        if self.pathways < 1:
            problems.append("--pathways must be at least 1")
        if not 0.0 <= self.defect_rate <= 1.0:
            problems.append("--defect-rate must be between 0 and 1")
        if not 0.0 <= self.ended_share <= 1.0:
            problems.append("--ended-share must be between 0 and 1")
        if self.mean_evaluations < 1:
            problems.append("--evaluations must be at least 1")
        if self.start > self.end:
            problems.append("--start must not be after --end")
        if self.end < date(2020, 1, 1):
            problems.append("--end must be 2020-01-01 or later (the pathways began in 2019)")
        if self.files_per_folder < 1 or self.events_per_file < 1:
            problems.append("--files-per-folder and --events-per-file must be at least 1")
        if self.event_order not in EVENT_ORDERS:
            problems.append(f"--event-order must be one of {', '.join(EVENT_ORDERS)}")
        if problems:
            raise GeneratorError("; ".join(problems))


@dataclass(slots=True)
class GenerationSummary:
    """What a generation wrote."""

    out: Path
    truth: Path | None
    pathways: int = 0
    referrals: int = 0
    epicrises: int = 0
    feedbacks: int = 0
    events: int = 0
    event_files: int = 0
    bytes: int = 0
    ongoing: int = 0
    by_pathway: Counter[str] = field(default_factory=Counter)
    #: Injected defects (instances) per kind; a defect may expect several findings.
    defects: Counter[str] = field(default_factory=Counter)
    #: Findings the truth file expects.
    truth_entries: int = 0

    @property
    def documents(self) -> int:
        """Referrals, epicrises and feedback (the manifest not counted)."""
        return self.referrals + self.epicrises + self.feedbacks


def created_of(config: GeneratorConfig) -> str:
    """The manifest's ``created``: early on the day after the export's end."""
    day = config.end + timedelta(days=1)
    return f"{day.isoformat()}T02:00:00{norwegian_offset(day)}"


def _codes(config: GeneratorConfig) -> tuple[list[str], list[float]]:
    codes = [code for code in WEIGHTS if pathway(code).patients_from <= config.end]
    return codes, [WEIGHTS[code] for code in codes]


def place(config: GeneratorConfig) -> tuple[list[int], array[int], array[int], array[int]]:
    """Pass one: (order by start, pathway index, start ordinal, seed) of every instance."""
    master = random.Random(config.seed)
    codes, weights = _codes(config)
    kinds: array[int] = array("B")
    starts: array[int] = array("l")
    seeds: array[int] = array("Q")
    end = config.end.toordinal()
    for _ in range(config.pathways):
        index = master.choices(range(len(codes)), weights)[0]
        seed = master.getrandbits(64)
        code = codes[index]
        duration = simulate(random.Random(seed), code, config.mean_evaluations).duration
        low = max(config.start, pathway(code).patients_from).toordinal()
        latest_ended = end - duration - WEEKEND_MARGIN
        if master.random() < config.ended_share and latest_ended >= low:
            day = master.randint(low, latest_ended)
        else:
            day = master.randint(max(low, min(end, end - duration + 1)), end)
        placed = weekday_on_or_before(date.fromordinal(day))
        if placed.toordinal() < low:
            placed = date.fromordinal(day)
        kinds.append(index)
        starts.append(placed.toordinal())
        seeds.append(seed)
    order = sorted(range(config.pathways), key=lambda i: (starts[i], i))
    return order, kinds, starts, seeds


def generate(config: GeneratorConfig) -> GenerationSummary:
    """Write the export ``config`` describes into ``config.out`` (which must be empty)."""
    config.validate()
    out = config.out
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        msg = f"{out} exists and is not an empty folder"
        raise GeneratorError(msg)
    truth_path = config.truth
    if truth_path is None and config.defect_rate > 0:
        resolved = out.resolve()
        if not resolved.name:
            msg = "give --truth when the export is a filesystem root"
            raise GeneratorError(msg)
        truth_path = resolved.with_name(resolved.name + ".truth.json")
    if truth_path is not None and truth_path.resolve().is_relative_to(out.resolve()):
        msg = "the truth file must not be inside the export (it would be an undeclared file)"
        raise GeneratorError(msg)
    out.mkdir(parents=True, exist_ok=True)

    order, kinds, starts, seeds = place(config)
    codes, _weights = _codes(config)
    numbers = Numbers()
    cast = build_cast(random.Random(f"cast:{config.seed}"), numbers, config.pathways)
    digits = max(3, len(str((config.pathways - 1) // config.files_per_folder)))
    ctx = Context(cast, numbers, config.end, config.files_per_folder, digits)
    picker = DefectPicker(random.Random(f"defects:{config.seed}"))
    chooser = random.Random(f"defect-instances:{config.seed}")
    writer = ExportWriter(
        out, event_order=config.event_order, events_per_file=config.events_per_file
    )
    summary = GenerationSummary(out, truth_path)
    truth: list[TruthEntry] = []
    epicrises = 0
    for number, index in enumerate(order, start=1):
        rng = random.Random(seeds[index])
        code = codes[kinds[index]]
        timeline = simulate(rng, code, config.mean_evaluations)
        plan = build_plan(
            rng,
            ctx,
            number=number,
            timeline=timeline,
            start=date.fromordinal(starts[index]),
            epicrisis_number=epicrises + 1,
        )
        if chooser.random() < config.defect_rate:
            picker.inject(plan, ctx)
            truth.extend(plan.truth)
        epicrises += plan.epicrisis is not None
        summary.ongoing += plan.ending is None
        summary.by_pathway[code] += 1
        writer.write_plan(plan)
    writer.finish(_manifest(config, cast.trust.as_json()))
    stats = writer.stats
    summary.pathways = config.pathways
    summary.referrals, summary.epicrises = stats.referrals, stats.epicrises
    summary.feedbacks = stats.feedbacks
    summary.events, summary.event_files, summary.bytes = (
        stats.events,
        stats.event_files,
        stats.bytes,
    )
    summary.defects = Counter(
        defect for _instance, defect in {(e.instance, e.defect) for e in truth}
    )
    summary.truth_entries = len(truth)
    if truth_path is not None:
        _write_truth(truth_path, config, truth)
    return summary


def estimate(config: GeneratorConfig) -> tuple[int, int]:
    """(events, ended instances) that ``config`` would generate without defects, by running
    only the timelines: cheap enough to size an export before generating it."""
    order, kinds, starts, seeds = place(config)
    codes, _weights = _codes(config)
    end = config.end
    events = ended = 0
    for index in order:
        timeline = simulate(
            random.Random(seeds[index]), codes[kinds[index]], config.mean_evaluations
        )
        start = date.fromordinal(starts[index])
        outpatient = timeline.care_level == "outpatient"
        for step in timeline.steps:
            day = start + timedelta(days=step.offset)
            if outpatient and step.suffix != "P":
                day = weekday_on_or_after(day)
            if day > end:
                break
            events += 1
            ended += step.suffix.startswith("X")
    return events, ended


def _manifest(config: GeneratorConfig, institution: dict[str, Any]) -> dict[str, Any]:
    return {
        "$schema": DOCUMENT_SCHEMAS["export-manifest"],
        "specVersion": SPEC_VERSION,
        "producer": {
            "system": "pakkeforlop generate",
            "version": __version__,
            "vendor": "pakkeforlop synthetic data",
        },
        "created": created_of(config),
        "environment": "test",
        "institution": institution,
        "period": {"from": config.start.isoformat(), "to": config.end.isoformat()},
    }


def _write_truth(path: Path, config: GeneratorConfig, truth: list[TruthEntry]) -> None:
    entries = sorted(truth, key=TruthEntry.sort_key)
    document = {
        "format": TRUTH_FORMAT,
        "generator": {"system": "pakkeforlop generate", "version": __version__},
        "seed": config.seed,
        "pathways": config.pathways,
        "defectRate": config.defect_rate,
        "kinds": {
            defect.name: {"rules": list(defect.rules), "description": defect.description}
            for defect in DEFECTS
        },
        "defects": [entry.as_json() for entry in entries],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
