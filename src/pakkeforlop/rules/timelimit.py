"""TIMELIMIT rules: guiding time limits per instance and per export (info only, REG-19).

The measuring is :mod:`pakkeforlop.rules.intervals`; these checks only turn it into hits.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from pakkeforlop.data.pathways import Pathway
from pakkeforlop.model.records import ExportFacts, PathwayInstance
from pakkeforlop.rules.checks import ExportView, Hit, export_check, has_events, instance_check
from pakkeforlop.rules.intervals import not_measurable, number, over_limit, pathway_of, percent
from pakkeforlop.rules.summaries import SummaryPart, summaries, summary_part


def _has_time_limits(instance: PathwayInstance, _facts: ExportFacts) -> bool:
    pathway = pathway_of(instance)
    return pathway is not None and bool(pathway.time_limits)


@instance_check("TIMELIMIT-001", given=has_events, applies=_has_time_limits)
def interval_within_limit(instance: PathwayInstance, facts: ExportFacts) -> Iterator[Hit]:
    """Each measured interval over its limit, at the event that ends it."""
    pathway = pathway_of(instance)
    if pathway is None:
        return
    for item in over_limit(instance, pathway, period=facts.period):
        yield Hit(
            pointer="/date",
            path=item.to_event.path,
            line=item.to_event.line,
            args={
                "measure": item.measure,
                "days": item.days,
                "from_date": item.from_date.isoformat(),
                "to_date": item.to_date.isoformat(),
                "limit": item.limit,
                "care_level": item.care_level,
                "patient_delayed": "yes" if item.patient_delayed else "no",
            },
        )


def _pathways(view: ExportView) -> list[Pathway]:
    found = {}
    for instance in view.instances.values():
        pathway = pathway_of(instance) if instance.event_count else None
        if pathway is not None:
            found[pathway.code] = pathway
    return [found[code] for code in sorted(found)]


def _any_time_limits(view: ExportView, _facts: ExportFacts) -> bool:
    return any(pathway.time_limits for pathway in _pathways(view))


def _summary_part(instances: Iterable[PathwayInstance], facts: ExportFacts) -> SummaryPart:
    """The summary's part of these instances, summed up where they were checked."""
    return summary_part(instances, period=facts.period)


@export_check("TIMELIMIT-002", applies=_any_time_limits, part=_summary_part)
def time_limit_summary(_view: ExportView, parts: list[SummaryPart]) -> Iterator[Hit]:
    """One summary per pathway, time limit and care level with measured intervals."""
    for summary in summaries(parts):
        yield Hit(
            args={
                "pathway": summary.pathway,
                "measure": summary.measure,
                "care_level": summary.care_level,
                "n_within": summary.n_within,
                "n": summary.n,
                "limit": summary.limit,
                "share": percent(summary.share_within),
                "median": number(summary.median),
                "p90": summary.p90,
                "max": summary.max,
                "patient_delayed": summary.n_patient_delayed,
            }
        )


def _any_unmeasurable(view: ExportView, _facts: ExportFacts) -> bool:
    return any(not_measurable(pathway) for pathway in _pathways(view))


@export_check("TIMELIMIT-003", applies=_any_unmeasurable)
def time_limit_not_measurable(view: ExportView) -> Iterator[Hit]:
    """The time-limit rows of the export's pathways that events cannot measure."""
    for pathway in _pathways(view):
        for row in not_measurable(pathway):
            yield Hit(args={"pathway": row.pathway, "measure": row.measure, "reason": row.reason})
