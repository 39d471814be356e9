"""Guiding time limits (*forløpstider*): measure pathway instances (summed up by
:mod:`pakkeforlop.rules.summaries`).

Pure functions over the compact per-instance state of :mod:`pakkeforlop.model.records` and the
time-limit rows of :mod:`pakkeforlop.data.pathways`; used by the TIMELIMIT rules and by reports.
Time limits are guidance (REG-19): nothing here judges an export, it only measures.

How an interval is measured (``measure``):

* Each time-limit row runs from one anchor to another (``spec/pathways/anchors.toml``). An
  anchor is marked by an event letter and an occurrence. As the *from* end, ``first`` / ``last``
  is the first / last such event of the instance and ``each`` (or ``next``) starts one
  measurement per such event. The ``referral-received`` anchor has no event: it is the earliest
  received date of the instance's referrals (``ReferralFacts.received``).
* As the *to* end, ``first`` is the first such event not dated before the *from* point (so the
  "first evaluation" is the first E after the decision, as the anchor describes); ``next`` and
  ``each`` are the first such event after the *from* event in date order (same-date events in
  file order); ``last`` is the last such event, if it is not dated before the *from* point.
* The final clinical decision (``final-clinical-decision``) is the last C whose outcome is not
  U: a CU (extended assessment) is never the decision after a completed assessment.
* Days are ``to_date - from_date`` in calendar days, compared with ``<= limit``
  (domain.md §4: the natural reading; the counting convention is open, §11 q24).
* The care level that selects the limit is the care level of the event that **ends** the
  interval: the care the patient was in when the step was reached. It is always an event (a
  *from* point may be a referral date, which has none).
* An interval with a pasientutsatt event (L) dated inside it, ends included, is marked
  ``patient_delayed`` (REG-17): the delay is then caused by the patient, not the service.
* Rows that cannot be measured from an export at all are listed by :func:`not_measurable` with
  the reason: an anchor no event marks, or a variant (D08 severity) that nothing records.
  An instance that lacks the events of a measurable row (an ongoing pathway, say) simply
  yields no measurement for it.
* An interval is measured only where both its ends are in the export. A ``last`` anchor (the
  final clinical decision) is settled only when the instance has ended or an evaluation (E)
  follows it: before that a further decision may still come. When the export covers a period
  (:mod:`pakkeforlop.model.slices`) and the instance started before it, a ``first`` anchor as the
  *from* end is not measured: the first such event may lie before the period.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import NamedTuple

from pakkeforlop.data.evidence import Evidence
from pakkeforlop.data.pathways import Anchor, Occurrence, Pathway, TimeLimit, anchors, pathways
from pakkeforlop.model.records import EventRecord, PathwayInstance, Period
from pakkeforlop.model.slices import slice_of

#: The anchor measured from the referral's received date rather than from an event.
REFERRAL_RECEIVED = "referral-received"
#: The anchor whose C events exclude the extended-assessment outcome U.
FINAL_DECISION = "final-clinical-decision"
#: The event letter of pasientutsatt (patient-caused delay, REG-17).
PATIENT_DELAY = "L"
#: Events that settle a ``last`` anchor in an open instance: the ending, or an evaluation.
ENDING, EVALUATION = "X", "E"

_EVIDENCE_RANK = {Evidence.CONFIRMED: 2, Evidence.SECONDARY: 1, Evidence.UNCONFIRMED: 0}


@dataclass(frozen=True, slots=True)
class Measurement:
    """One measured interval of one instance against one time-limit row."""

    pathway: str
    measure: str
    label: str
    instance: str
    from_date: date
    to_date: date
    days: int
    limit: int
    within: bool
    care_level: str
    patient_delayed: bool
    evidence: Evidence
    anchor_evidence: Evidence
    to_event: EventRecord
    from_event: EventRecord | None = None


class SummaryRow(NamedTuple):
    """What the export's summary needs of a measurement (see :func:`summary_rows`): what an
    instance keeps of its measurements, without the events that mark them."""

    pathway: str
    measure: str
    label: str
    instance: str
    care_level: str
    limit: int
    days: int
    within: bool
    patient_delayed: bool
    evidence: Evidence
    anchor_evidence: Evidence


@dataclass(frozen=True, slots=True)
class NotMeasurable:
    """A time-limit row that pathway events cannot measure, and why."""

    pathway: str
    measure: str
    label: str
    reason: str


#: The *from* end of an interval: its day, and the event that marks it with its position in date
#: order (none for the referral's received date). A plain tuple: a few are made for every
#: instance measured, and a named tuple costs eight times as much to make.
_Point = tuple[date, EventRecord | None, int | None]
#: The ends of a measured interval: the *from* day and event (none for a referral's date), and
#: the event that ends it.
_Ends = tuple[date, EventRecord | None, EventRecord]


class _Measured(NamedTuple):
    """What :func:`_measure` finds of one instance: the summary's part of each interval (what
    the instance remembers) and, in the same order, its ends. A :class:`Measurement` (a frozen
    dataclass of fifteen fields, which costs several times as much to make) is made of them
    only when asked for: the instance's check reports only the intervals over their limit, a
    tenth of them."""

    rows: tuple[SummaryRow, ...]
    ends: tuple[_Ends, ...]

    def measurements(self, *, over_limit: bool = False) -> list[Measurement]:
        """The intervals as measurements (``over_limit``: only those over their limit)."""
        return [
            _measurement(row, ends)
            for row, ends in zip(self.rows, self.ends, strict=True)
            if not (over_limit and row.within)
        ]


def _measurement(row: SummaryRow, ends: _Ends) -> Measurement:
    from_date, from_event, to_event = ends
    return Measurement(
        pathway=row.pathway,
        measure=row.measure,
        label=row.label,
        instance=row.instance,
        from_date=from_date,
        to_date=to_event.day,
        days=row.days,
        limit=row.limit,
        within=row.within,
        care_level=row.care_level,
        patient_delayed=row.patient_delayed,
        evidence=row.evidence,
        anchor_evidence=row.anchor_evidence,
        to_event=to_event,
        from_event=from_event,
    )


_NOTHING = _Measured((), ())


def number(value: float) -> str:
    """A day count for display: ``15`` rather than ``15.0``, ``15.5`` when halved."""
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def percent(share: float) -> int:
    """A share in whole per cent, rounded half up (0.857 -> 86)."""
    return math.floor(share * 100 + 0.5)


def weakest(*evidence: Evidence) -> Evidence:
    """The weakest of several evidence tags."""
    return min(evidence, key=_EVIDENCE_RANK.__getitem__)


def reference_event(instance: PathwayInstance) -> EventRecord | None:
    """The event an instance's identity is read from: its first start (A), else its first event.

    "First" is by date, same-date events in file order (see ``PathwayInstance.first``).
    """
    return instance.reference()


def pathway_type(instance: PathwayInstance) -> str | None:
    """The instance's pathway type: that of its start event, else of its first event."""
    return instance.pathway_type


def pathway_of(instance: PathwayInstance) -> Pathway | None:
    """The definition of the instance's pathway type, when the kit has one."""
    code = instance.pathway_type  # (pathway_type, without the call: checks ask this often)
    return pathways().get(code) if code is not None else None


def _anchor_reason(anchor: Anchor, *, end: str) -> str | None:
    if anchor.event is not None or (end == "from" and anchor.id == REFERRAL_RECEIVED):
        return None
    return f"no pathway event marks the step '{anchor.label_en}'"


def not_measurable(
    pathway: Pathway, table: Mapping[str, Anchor] | None = None
) -> list[NotMeasurable]:
    """The pathway's time-limit rows that pathway events cannot measure, with the reason."""
    table = anchors() if table is None else table
    result = []
    for row in pathway.time_limits:
        reason = _row_reason(row, table)
        if reason is not None:
            result.append(NotMeasurable(pathway.code, row.id, row.label, reason))
    return result


def _row_reason(row: TimeLimit, table: Mapping[str, Anchor]) -> str | None:
    if row.variant is not None:
        return (
            f"the limit applies only to the '{row.variant}' variant, and no code or field records "
            "which variant a patient has (domain.md §4.4, §11 q25)"
        )
    return _anchor_reason(table[row.from_anchor], end="from") or _anchor_reason(
        table[row.to_anchor], end="to"
    )


_Index = Mapping[str, list[tuple[int, EventRecord]]]


def _index(ordered: Sequence[EventRecord]) -> _Index:
    """(position in date order, event) per event letter."""
    index: dict[str, list[tuple[int, EventRecord]]] = {}
    for position, event in enumerate(ordered):
        index.setdefault(event.code[3:4], []).append((position, event))  # event.event, no call
    return index


def _matching(anchor: Anchor, index: _Index) -> list[tuple[int, EventRecord]]:
    matching = index.get(anchor.event or "", [])
    if anchor.id == FINAL_DECISION:
        return [(position, event) for position, event in matching if event.outcome != "U"]
    return matching


def _settled(position: int, index: _Index) -> bool:
    """Whether the event at ``position`` is settled as the last of its kind: the instance has
    ended, or an evaluation follows it."""
    return bool(index.get(ENDING)) or any(p > position for p, _ in index.get(EVALUATION, []))


#: The events that may mark each anchor, by anchor id, found once per instance measured (the
#: rows of a pathway share their anchors).
_Marking = dict[str, list[tuple[int, EventRecord]]]


def _marking(anchor: Anchor, index: _Index, found: _Marking) -> list[tuple[int, EventRecord]]:
    """The events that may mark ``anchor``, with their positions: those of its letter (for the
    final decision, not a CU); for a ``last`` anchor only the last one, once it is settled."""
    marking = found.get(anchor.id)
    if marking is None:
        marking = _matching(anchor, index)
        if anchor.occurrence is Occurrence.LAST:
            marking = [item for item in marking[-1:] if _settled(item[0], index)]
        found[anchor.id] = marking
    return marking


def _from_points(
    anchor: Anchor, instance: PathwayInstance, index: _Index, found: _Marking
) -> list[_Point]:
    if anchor.event is None:
        received = [
            referral.received for referral in instance.referrals if referral.received is not None
        ]
        return [(min(received), None, None)] if received else []
    marking = _marking(anchor, index, found)
    if anchor.occurrence is Occurrence.FIRST:
        marking = marking[:1]
    return [(event.day, event, position) for position, event in marking]


def _to_event(
    occurrence: Occurrence | None,
    day: date,
    position: int | None,
    marking: list[tuple[int, EventRecord]],
) -> EventRecord | None:
    """The event that ends the interval from the point at ``day`` and ``position`` (see
    :data:`_Point`), of those ``marking`` its *to* anchor: for ``first`` and ``last``, the first
    not dated before the point (and not its own event); for ``next`` and ``each``, the first
    after it (in date order, same-date events in file order; after a referral's date, the
    first not dated before it)."""
    if occurrence is Occurrence.FIRST or occurrence is Occurrence.LAST:
        for p, event in marking:
            if event.day >= day and p != position:
                return event
    elif position is None:
        for _, event in marking:
            if event.day >= day:
                return event
    else:
        for p, event in marking:
            if p > position:
                return event
    return None


def measure(
    instance: PathwayInstance,
    pathway: Pathway,
    table: Mapping[str, Anchor] | None = None,
    *,
    period: Period | None = None,
) -> list[Measurement]:
    """Every measurable interval of ``instance`` against ``pathway``'s time-limit rows.

    ``period`` is the period the export covers (``ExportFacts.period``), when it declares one.
    With the kit's own definition and anchor table, the instance remembers the summary's part
    of them (see :func:`summary_rows`) until more is added to it: the instance's check
    measures every instance, and the export's summary needs them all again. Not the
    measurements themselves: they hold the events that mark them, which would keep every
    instance's records made (see :class:`~pakkeforlop.model.records.Materialised`). The
    definition is remembered by its code, not as an object (the summary compares it with
    the instance's).
    """
    return _measured(instance, pathway, table, period).measurements()


def over_limit(
    instance: PathwayInstance, pathway: Pathway, *, period: Period | None = None
) -> list[Measurement]:
    """The measurements of :func:`measure` (with the kit's anchor table) that are over their
    limit, remembering the summary's part of them all as it does: the instance's check reports
    only these, and a :class:`Measurement` is made only for them."""
    return _measured(instance, pathway, None, period).measurements(over_limit=True)


def _measured(
    instance: PathwayInstance,
    pathway: Pathway,
    table: Mapping[str, Anchor] | None,
    period: Period | None,
) -> _Measured:
    """:func:`measure`'s intervals, remembered as it says."""
    measured = _measure(instance, pathway, anchors() if table is None else table, period)
    if table is None and _kit_definition(pathway):
        instance.remember(_rows_key(period), (pathway.code, measured.rows))
    return measured


def _kit_definition(pathway: Pathway) -> bool:
    """Whether ``pathway`` is the kit's own definition of its pathway type."""
    return pathways().get(pathway.code) is pathway


@cache
def _rows_key(period: Period | None) -> str:
    """The name an instance remembers its summary rows under, for an export's period."""
    return f"time-limit summary rows {period}"


def summary_rows(
    instance: PathwayInstance, pathway: Pathway, *, period: Period | None = None
) -> tuple[SummaryRow, ...]:
    """The summary's part of the instance's measurements: those it remembers (see
    :func:`measure`) when ``pathway`` is the kit's definition of its type, else measured
    afresh (and not remembered: the summary reads each instance once)."""
    remembered = instance.remembered(_rows_key(period))
    if remembered is not None and remembered[0] == pathway.code and _kit_definition(pathway):
        rows: tuple[SummaryRow, ...] = remembered[1]
        return rows
    return _measure(instance, pathway, anchors(), period).rows


class _Measurable(NamedTuple):
    """A time-limit row that events can measure, with its anchors looked up."""

    row: TimeLimit
    source: Anchor
    target: Anchor
    anchor_evidence: Evidence


def _measurable(pathway: Pathway, table: Mapping[str, Anchor]) -> tuple[_Measurable, ...]:
    """The pathway's rows that events can measure (see :func:`not_measurable`)."""
    return tuple(
        _Measurable(
            row,
            table[row.from_anchor],
            table[row.to_anchor],
            weakest(table[row.from_anchor].evidence, table[row.to_anchor].evidence),
        )
        for row in pathway.time_limits
        if _row_reason(row, table) is None
    )


@cache
def _kit_measurable(code: str) -> tuple[_Measurable, ...]:
    """:func:`_measurable` of the kit's own definition of a pathway, with its anchor table."""
    return _measurable(pathways()[code], anchors())


def _measurable_of(pathway: Pathway, table: Mapping[str, Anchor]) -> tuple[_Measurable, ...]:
    """The rows to measure: found once per pathway for the kit's own definitions (every
    instance is measured against them), else afresh."""
    if table is anchors() and _kit_definition(pathway):
        return _kit_measurable(pathway.code)
    return _measurable(pathway, table)


def _measure(
    instance: PathwayInstance,
    pathway: Pathway,
    table: Mapping[str, Anchor],
    period: Period | None,
) -> _Measured:
    """Measure ``instance``; nothing to measure when no row of the pathway is measurable
    (D10, D11): then the instance's records are not made. The export's summary reads every
    instance, and a third of them may be of such pathways."""
    measurable = _measurable_of(pathway, table)
    if not measurable:
        return _NOTHING
    index = _index(instance.ordered())
    delays = [event.day for _, event in index.get(PATIENT_DELAY, [])]
    starts_before = slice_of(instance, period).starts_before
    found: _Marking = {}
    rows: list[SummaryRow] = []
    ends: list[_Ends] = []
    for row, source, target, anchor_evidence in measurable:
        if starts_before and source.occurrence is Occurrence.FIRST:
            continue  # the first such event may lie before the export's period
        marking = _marking(target, index, found)
        if not marking:
            continue  # nothing ends an interval of this row
        for from_day, from_event, position in _from_points(source, instance, index, found):
            end = _to_event(target.occurrence, from_day, position, marking)
            if end is None:
                continue
            care_level = end.care_level
            limit = row.inpatient_days if care_level == "inpatient" else row.outpatient_days
            if limit is None:
                continue
            days = (end.day - from_day).days
            delayed = bool(delays) and any(from_day <= day <= end.day for day in delays)
            summary = SummaryRow(
                pathway.code,
                row.id,
                row.label,
                instance.id,
                care_level,
                limit,
                days,
                days <= limit,
                delayed,
                row.evidence,
                anchor_evidence,
            )
            rows.append(summary)
            ends.append((from_day, from_event, end))
    return _Measured(tuple(rows), tuple(ends))


def measure_all(
    instances: Iterable[PathwayInstance], *, period: Period | None = None
) -> Iterator[SummaryRow]:
    """The summary rows (see :func:`summary_rows`) of every instance whose pathway type the
    kit knows, in instance order (``period``: the export's, as for :func:`measure`)."""
    for instance in instances:
        pathway = pathway_of(instance)
        if pathway is not None:
            yield from summary_rows(instance, pathway, period=period)
