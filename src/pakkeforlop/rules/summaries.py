"""The export's statistics of its time-limit measurements (TIMELIMIT-002): per pathway, time
limit and care level, how many intervals kept the limit, and their lengths.

They are summed up in parts that merge (:func:`summary_part`, :func:`summaries`): each process
sums up the instances it checked, where their measurements are remembered (see
:func:`pakkeforlop.rules.intervals.summary_rows`), and the parts' groups merge into what one
pass over every instance, by instance id, gives. A part holds a few dozen groups, not a row
per interval: a forked worker that checked most of the instances sends back only those.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pakkeforlop.data.evidence import Evidence
from pakkeforlop.model.records import PathwayInstance, Period
from pakkeforlop.rules.intervals import Measurement, SummaryRow, measure_all, number, percent


@dataclass(frozen=True, slots=True)
class MeasureSummary:
    """The statistics of one measure at one care level across instances.

    ``median`` is the ordinary median (the mean of the two middle values for an even count);
    ``p90`` is the nearest-rank 90th percentile (the smallest value with at least 90 % of the
    values at or below it), so it is always one of the measured day counts.
    """

    pathway: str
    measure: str
    label: str
    care_level: str
    limit: int
    n: int
    n_within: int
    share_within: float
    median: float
    p90: int
    max: int
    n_patient_delayed: int
    evidence: Evidence
    anchor_evidence: Evidence

    def text(self) -> str:
        """``12 of 14 within 21 days (86 %); median 15, p90 24, max 30``."""
        share = percent(self.share_within)
        return (
            f"{self.n_within} of {self.n} within {self.limit} days ({share} %); "
            f"median {number(self.median)}, p90 {self.p90}, max {self.max}"
        )


#: A group's key: pathway, measure, care level and limit.
GroupKey = tuple[str, str, str, int]


@dataclass(slots=True)
class SummaryGroup:
    """The measurements of one group in some of the instances: the first (and where it comes
    in the order the summary reads them), the others' day counts, and two counts."""

    position: tuple[Any, ...]
    first: SummaryRow | Measurement
    days: list[int]
    within: int = 0
    delayed: int = 0


#: The groups of some measurements, by key (see :func:`summary_part`).
SummaryPart = dict[GroupKey, SummaryGroup]


def _grouped(
    measurements: Iterable[tuple[tuple[Any, ...], SummaryRow | Measurement]],
) -> SummaryPart:
    """The groups of measurements given with their positions, in that order."""
    groups: SummaryPart = {}
    for position, item in measurements:
        key = (item.pathway, item.measure, item.care_level, item.limit)
        group = groups.get(key)
        if group is None:
            group = groups[key] = SummaryGroup(position, item, [])
        elif position < group.position:
            group.position, group.first = position, item
        group.days.append(item.days)
        group.within += item.within
        group.delayed += item.patient_delayed
    return groups


def summary_part(instances: Iterable[PathwayInstance], *, period: Period | None) -> SummaryPart:
    """The groups of these instances' summary rows (see
    :func:`~pakkeforlop.rules.intervals.measure_all`), each placed by instance id and then in
    the instance's order: the parts of any split of an export's instances, in any order,
    merge (:func:`summaries`) into the summary of the instances by id."""
    return _grouped(
        ((row.instance, number), row)
        for number, row in enumerate(measure_all(instances, period=period))
    )


def percentile(values: Sequence[int], share: float) -> int:
    """The nearest-rank percentile of non-empty ``values``: the ``ceil(share * n)``-th smallest."""
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)), 1) - 1]


def _median(days: Sequence[int]) -> float:
    """The median of ``days``.

    :mod:`statistics` (with fractions, decimal and random: about 0.002 s) is imported at the
    first median, not with the rules every check imports: an export without events has none.
    """
    import statistics  # noqa: PLC0415  (see above)

    return float(statistics.median(days))


def summaries(parts: Iterable[Mapping[GroupKey, SummaryGroup]]) -> list[MeasureSummary]:
    """The statistics of every group of these parts (merged by key), in the order the groups
    first appear (by their first measurement's position)."""
    merged: dict[GroupKey, SummaryGroup] = {}
    for part in parts:
        for key, group in part.items():
            known = merged.get(key)
            if known is None:
                merged[key] = SummaryGroup(
                    group.position, group.first, list(group.days), group.within, group.delayed
                )
                continue
            if group.position < known.position:
                known.position, known.first = group.position, group.first
            known.days.extend(group.days)
            known.within += group.within
            known.delayed += group.delayed
    ordered = sorted(merged.items(), key=lambda item: item[1].position)
    return [
        MeasureSummary(
            pathway=pathway,
            measure=measure_id,
            label=group.first.label,
            care_level=care_level,
            limit=limit,
            n=len(group.days),
            n_within=group.within,
            share_within=group.within / len(group.days),
            median=_median(group.days),
            p90=percentile(group.days, 0.9),
            max=max(group.days),
            n_patient_delayed=group.delayed,
            evidence=group.first.evidence,
            anchor_evidence=group.first.anchor_evidence,
        )
        for (pathway, measure_id, care_level, limit), group in ordered
    ]


def summarise(measurements: Iterable[SummaryRow | Measurement]) -> list[MeasureSummary]:
    """Per pathway, measure and care level: how many intervals kept the limit, and their lengths.

    Groups keep the order in which they first appear in ``measurements``; a group keeps its
    first measurement and the others' day counts, not the measurements themselves.
    """
    return summaries([_grouped(((number,), item) for number, item in enumerate(measurements))])
