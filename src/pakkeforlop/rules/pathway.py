"""PATHWAY rules: the events of one pathway instance read together, and instances of one patient.

Events are taken in date order, same-date events in file order (``PathwayInstance.ordered``);
same-date order is never held against an export. Every hit points at the event concerned: its
file, its NDJSON line, and ``/code`` or ``/date`` (``/patient``, ``/institution``,
``/pathwayType`` for identity rules).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from itertools import pairwise

from pakkeforlop.data.catalogue import rule
from pakkeforlop.model.findings import MessageArg
from pakkeforlop.model.records import EventRecord, ExportFacts, PathwayInstance
from pakkeforlop.model.slices import slice_of
from pakkeforlop.rules._per_document import per_view
from pakkeforlop.rules.checks import ExportView, Hit, export_check, has_events, instance_check
from pakkeforlop.rules.intervals import pathway_of, pathway_type, reference_event

START, DECISION, EVALUATION, ENDING, FIRST_ATTENDANCE, PATIENT_DELAY = "A", "C", "E", "X", "M", "L"
EXTENDED_ASSESSMENT = "U"
FEEDBACK = "UF"
#: D12 must not run alongside these condition-specific pathways (REG-18).
D12_EXCLUSIVE_WITH = frozenset({"D06", "D08"})


def _hit(event: EventRecord, pointer: str = "/code", **args: MessageArg) -> Hit:
    return Hit(pointer=pointer, args=args, path=event.path, line=event.line)


def _start_in_export(instance: PathwayInstance, facts: ExportFacts) -> bool:
    """An instance with events that did not start before the export's period: the export
    holds its beginning, so rules about the start and the first steps can judge it."""
    return instance.event_count > 0 and not slice_of(instance, facts.period).starts_before


def _has_start(instance: PathwayInstance, _facts: ExportFacts) -> bool:
    return bool(instance.lettered(START))


def _has_definition(instance: PathwayInstance, _facts: ExportFacts) -> bool:
    return pathway_of(instance) is not None  # (the type of an event: none without events)


# -- start -------------------------------------------------------------------------------------


@instance_check("PATHWAY-001", given=has_events, applies=_start_in_export)
def has_start(instance: PathwayInstance, _facts: ExportFacts) -> Iterator[Hit]:
    """REG-01/02: an instance with events has a start event (unless it began before the
    export's period: PATHWAY-020)."""
    if not _has_start(instance, _facts):
        first = min(instance.events, key=lambda event: event.day)
        yield _hit(first, instance=instance.id, start_code=f"{first.pathway_type}{START}")


@instance_check("PATHWAY-002", given=has_events, applies=_has_start)
def one_start(instance: PathwayInstance, _facts: ExportFacts) -> Iterator[Hit]:
    """REG-02: exactly one start; every start after the first is reported."""
    starts = instance.lettered(START)
    for extra in starts[1:]:
        yield _hit(extra, instance=instance.id, first=starts[0].day.isoformat())


@instance_check("PATHWAY-003", given=has_events, applies=_has_start)
def start_comes_first(instance: PathwayInstance, _facts: ExportFacts) -> Iterator[Hit]:
    """REG-01: nothing before the start, except the pathway's events_before_start (D06P)."""
    start = instance.first(START)
    if start is None or instance.ordered()[0].day >= start.day:
        return  # nothing is dated before the start (the events are in date order)
    pathway = pathway_of(instance)
    allowed = set(pathway.ordering.events_before_start) if pathway is not None else set()
    for event in instance.ordered():
        if event.day < start.day and event.event not in allowed:
            yield _hit(
                event,
                "/date",
                code=event.code,
                date=event.day.isoformat(),
                start=start.day.isoformat(),
            )


# -- identity ----------------------------------------------------------------------------------


def one_identity(instance: PathwayInstance, _facts: ExportFacts) -> bool:
    """The quiet test (see ``Check.quiet``) of PATHWAY-004, 005 and 006: every event carries
    one pathway type, one patient and one institution, so none of them finds anything. Why:
    nearly every instance is of one, and the three read every event of it."""
    return instance.one_identity()


@instance_check("PATHWAY-004", given=has_events, quiet=one_identity)
def one_pathway_type(instance: PathwayInstance, _facts: ExportFacts) -> Iterator[Hit]:
    """REG-02/03: every event carries the instance's pathway type."""
    expected = pathway_type(instance)
    for event in instance.ordered():
        if event.pathway_type != expected:
            yield _hit(
                event,
                "/pathwayType",
                found=event.pathway_type,
                expected=expected or "",
                instance=instance.id,
            )


@instance_check("PATHWAY-005", given=has_events, quiet=one_identity)
def one_patient(instance: PathwayInstance, _facts: ExportFacts) -> Iterator[Hit]:
    """An instance is one patient's pathway."""
    reference = reference_event(instance)
    for event in instance.ordered():
        if reference is not None and event.patient != reference.patient:
            yield _hit(event, "/patient", instance=instance.id)


@cache
def institution_identifiers(key: str) -> Mapping[str, str]:
    """``{"orgNumber": …, "reshId": …}`` from an ``EventRecord.institution`` key."""
    return dict(part.split("=", 1) for part in key.split("|") if "=" in part)


#: The identifier that names the institution (the health trust or provider); RESH-ids and
#: HER-ids name its units, which a patient may move between within one instance.
INSTITUTION_IDENTIFIER = "orgNumber"


def institution_conflicts(first: str, second: str) -> list[str]:
    """The institution identifiers (organisation numbers) of two keys, when they differ."""
    if first == second:
        return []
    one, other = institution_identifiers(first), institution_identifiers(second)
    kind = INSTITUTION_IDENTIFIER
    return [kind] if kind in one and kind in other and one[kind] != other[kind] else []


def institution_identity(key: str) -> str:
    """What tells institutions apart: the organisation number, or the whole key without one."""
    return institution_identifiers(key).get(INSTITUTION_IDENTIFIER, key)


@instance_check("PATHWAY-006", given=has_events, quiet=one_identity)
def one_institution(instance: PathwayInstance, _facts: ExportFacts) -> Iterator[Hit]:
    """REG-09: an instance is one institution's; the organisation numbers must agree (units,
    by RESH-id or HER-id, may change within an instance)."""
    reference = reference_event(instance)
    if reference is None:
        return
    institution = reference.institution
    for event in instance.ordered():
        if event.institution == institution:
            continue  # no conflict (institution_conflicts' first test, without the call)
        conflicts = institution_conflicts(institution, event.institution)
        if conflicts:
            yield _hit(event, "/institution", instance=instance.id, kinds=", ".join(conflicts))


# -- clinical decisions, evaluations, first attendance -----------------------------------------


@instance_check("PATHWAY-007", given=has_events, applies=_has_definition)
def decision_count(instance: PathwayInstance, _facts: ExportFacts) -> Iterator[Hit]:
    """REG-10: at most max_clinical_decisions C events."""
    pathway = pathway_of(instance)
    if pathway is None:
        return
    allowed = pathway.ordering.max_clinical_decisions
    decisions = instance.lettered(DECISION)
    for number, event in enumerate(decisions[allowed:], start=allowed + 1):
        yield _hit(
            event,
            code=event.code,
            number=number,
            instance=instance.id,
            pathway=pathway.code,
            max=allowed,
        )


@instance_check("PATHWAY-008", given=has_events, applies=_has_definition)
def second_decision_after_extended_assessment(
    instance: PathwayInstance, _facts: ExportFacts
) -> Iterator[Hit]:
    """REG-11: a further decision (within the allowed count) only after a CU."""
    pathway = pathway_of(instance)
    if pathway is None:
        return
    decisions = instance.lettered(DECISION)[: pathway.ordering.max_clinical_decisions]
    for previous, event in pairwise(decisions):
        if previous.outcome != EXTENDED_ASSESSMENT:
            yield _hit(event, code=event.code, previous=previous.code)


@instance_check("PATHWAY-012", given=has_events, applies=_start_in_export)
def evaluation_after_decision(instance: PathwayInstance, _facts: ExportFacts) -> Iterator[Hit]:
    """REG-14: no E before the first C (same date accepted)."""
    decision = instance.first(DECISION)
    for event in instance.lettered(EVALUATION):
        if decision is None or event.day < decision.day:
            yield _hit(
                event,
                "/date",
                code=event.code,
                date=event.day.isoformat(),
                instance=instance.id,
                decision=f"{decision.code} on {decision.day.isoformat()}" if decision else "none",
            )


@instance_check("PATHWAY-013", given=has_events)
def first_attendance_before_decision(
    instance: PathwayInstance, _facts: ExportFacts
) -> Iterator[Hit]:
    """REG-25: M not after the first C (same date accepted)."""
    decision = instance.first(DECISION)
    if decision is None:
        return
    for event in instance.lettered(FIRST_ATTENDANCE):
        if event.day > decision.day:
            yield _hit(
                event,
                "/date",
                code=event.code,
                date=event.day.isoformat(),
                instance=instance.id,
                decision=f"{decision.code} on {decision.day.isoformat()}",
            )


def _ended_with_delay(instance: PathwayInstance, _facts: ExportFacts) -> bool:
    return bool(instance.lettered(ENDING)) and bool(instance.lettered(PATIENT_DELAY))


@instance_check("PATHWAY-014", given=has_events, applies=_ended_with_delay)
def delay_followed_by_decision_or_evaluation(
    instance: PathwayInstance, _facts: ExportFacts
) -> Iterator[Hit]:
    """REG-17: in an ended instance, each L is followed by a C or an E (same date accepted)."""
    end = instance.first(ENDING)
    if end is None:
        return
    steps = [event.day for event in instance.events if event.event in {DECISION, EVALUATION}]
    for event in instance.lettered(PATIENT_DELAY):
        if event.day <= end.day and not any(day >= event.day for day in steps):
            yield _hit(event, code=event.code, date=event.day.isoformat(), instance=instance.id)


# -- ending and feedback -----------------------------------------------------------------------


@instance_check("PATHWAY-009", given=has_events)
def one_ending(instance: PathwayInstance, _facts: ExportFacts) -> Iterator[Hit]:
    """REG-15: at most one X."""
    endings = instance.lettered(ENDING)
    for extra in endings[1:]:
        yield _hit(
            extra,
            code=extra.code,
            instance=instance.id,
            first=endings[0].code,
            end=endings[0].day.isoformat(),
        )


@instance_check("PATHWAY-010", given=has_events)
def nothing_after_ending(instance: PathwayInstance, _facts: ExportFacts) -> Iterator[Hit]:
    """REG-15: no event dated after the (first) X; same-date events are accepted."""
    end = instance.first(ENDING)
    if end is None:
        return
    for event in instance.ordered():
        if event.day > end.day and event.event != ENDING:
            yield _hit(
                event,
                "/date",
                code=event.code,
                date=event.day.isoformat(),
                instance=instance.id,
                end_code=end.code,
                end=end.day.isoformat(),
            )


@instance_check("PATHWAY-011", given=has_events)
def feedback_once(instance: PathwayInstance, _facts: ExportFacts) -> Iterator[Hit]:
    """REG-16: the feedback code (UF) at most once."""
    # Among the U events (the events are grouped by letter once): a tenth of them all.
    feedback = [event for event in instance.lettered(FEEDBACK[0]) if event.suffix == FEEDBACK]
    for extra in feedback[1:]:
        yield _hit(extra, code=extra.code, instance=instance.id)


# -- the start date against the referral -------------------------------------------------------


def _received(instance: PathwayInstance) -> list[date]:
    """Receipt dates of the referrals that opened the instance (onward referrals name the
    instance they continue, so their dates do not date its start)."""
    return sorted(
        {
            referral.received
            for referral in instance.referrals
            if referral.received is not None and not referral.onward
        }
    )


def _assessed(instance: PathwayInstance) -> list[date]:
    return sorted(
        {
            referral.assessed
            for referral in instance.referrals
            if referral.assessed is not None and not referral.onward
        }
    )


def _in_era(rule_id: str, instance: PathwayInstance) -> bool:
    start = instance.first(START)
    return start is not None and rule(rule_id).applies_on(start.day)


def _dates(days: Iterable[date]) -> str:
    return ", ".join(day.isoformat() for day in days)


@instance_check(
    "PATHWAY-015",
    given=has_events,
    applies=lambda instance, _facts: _has_start(instance, _facts) and bool(_received(instance)),
)
def received_before_start(instance: PathwayInstance, _facts: ExportFacts) -> Iterator[Hit]:
    """The earliest receipt of the instance's referrals is no later than the start."""
    start, received = instance.first(START), _received(instance)
    if start is not None and received and received[0] > start.day:
        yield _hit(start, "/date", start=start.day.isoformat(), received=_dates(received))


@instance_check(
    "PATHWAY-016",
    given=has_events,
    applies=lambda instance, _facts: _in_era("PATHWAY-016", instance) and bool(_received(instance)),
)
def start_on_receipt(instance: PathwayInstance, _facts: ExportFacts) -> Iterator[Hit]:
    """REG-05 (starts up to 2023): the start is dated on the referral's receipt."""
    start, received = instance.first(START), _received(instance)
    if start is not None and start.day not in received:
        yield _hit(start, "/date", start=start.day.isoformat(), received=_dates(received))


@instance_check(
    "PATHWAY-017",
    given=has_events,
    applies=lambda instance, _facts: _in_era("PATHWAY-017", instance) and bool(_assessed(instance)),
)
def start_on_assessment(instance: PathwayInstance, _facts: ExportFacts) -> Iterator[Hit]:
    """REG-06 (revised pathways; not in force until its date is confirmed): the start is dated
    on the assessment."""
    start, assessed = instance.first(START), _assessed(instance)
    if start is not None and start.day not in assessed:
        yield _hit(start, "/date", start=start.day.isoformat(), assessed=_dates(assessed))


# -- slices of a period ------------------------------------------------------------------------


def _without_events(instance: PathwayInstance, _facts: ExportFacts) -> bool:
    """The quiet test (see ``Check.quiet``) of PATHWAY-020: an instance without events is no
    slice (see ``slice_of``). Why: in an export of documents alone, every instance is one,
    and the check is asked of each where the export covers a period."""
    return not instance.event_count


@instance_check(
    "PATHWAY-020",
    applies=lambda instance, facts: facts.period is not None,
    quiet=_without_events,
)
def partial_instance(instance: PathwayInstance, facts: ExportFacts) -> tuple[Hit, ...]:
    """A pathway that crosses the export's period is a slice: reported once, for information."""
    part = slice_of(instance, facts.period)
    if not part.partial or facts.period is None:
        return ()
    first = instance.ordered()[0]
    return (
        _hit(
            first,
            "/date",
            instance=instance.id,
            first=facts.period.first.isoformat(),
            last=facts.period.last.isoformat(),
            how=part.describe(),
        ),
    )


# -- instances of one patient ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Span:
    """An instance's time span: from its start (first event) to its ending, or open."""

    instance: str
    pathway: str
    patient: str
    institution: str
    start: date
    end: date | None
    at: EventRecord

    def overlaps(self, other: Span) -> bool:
        """Whether the spans share a day beyond a shared boundary (one ends as the other starts)."""
        starts_before_other_ends = other.end is None or self.start < other.end
        other_starts_before_end = self.end is None or other.start < self.end
        return starts_before_other_ends and other_starts_before_end


def spans(instances: Mapping[str, PathwayInstance]) -> list[Span]:
    """The span of every instance with events, by start date then instance id."""
    result = []
    for instance in instances.values():
        reference = reference_event(instance)
        if reference is None:
            continue
        end = instance.first(ENDING)
        result.append(
            Span(
                instance=instance.id,
                pathway=pathway_type(instance) or "",
                patient=reference.patient,
                institution=institution_identity(reference.institution),
                start=reference.day,
                end=end.day if end is not None else None,
                at=reference,
            )
        )
    return sorted(result, key=lambda span: (span.start, span.instance))


def _several_instances(view: ExportView, _facts: ExportFacts) -> bool:
    return sum(instance.event_count > 0 for instance in view.instances.values()) > 1


@per_view
def _by_patient(view: ExportView) -> dict[str, list[Span]]:
    """The spans of each patient, by start date: instances are compared within a patient only."""
    groups: dict[str, list[Span]] = {}
    for span in spans(view.instances):
        groups.setdefault(span.patient, []).append(span)
    return groups


@export_check("PATHWAY-018", applies=_several_instances)
def no_parallel_instances_of_one_type(view: ExportView) -> Iterator[Hit]:
    """REG-18: no two overlapping instances of one type, patient and institution."""
    for patient_spans in _by_patient(view).values():
        for index, later in enumerate(patient_spans):
            earlier = next(
                (
                    span
                    for span in patient_spans[:index]
                    if (span.pathway, span.institution) == (later.pathway, later.institution)
                    and span.overlaps(later)
                ),
                None,
            )
            if earlier is not None:
                yield _hit(
                    later.at, instance=later.instance, other=earlier.instance, pathway=later.pathway
                )


@export_check("PATHWAY-019", applies=_several_instances)
def no_d12_alongside_d06_or_d08(view: ExportView) -> Iterator[Hit]:
    """REG-18: a D12 instance does not overlap a D06 or D08 instance of the same patient."""
    for patient_spans in _by_patient(view).values():
        for d12 in (span for span in patient_spans if span.pathway == "D12"):
            other = next(
                (
                    span
                    for span in patient_spans
                    if span.pathway in D12_EXCLUSIVE_WITH and span.overlaps(d12)
                ),
                None,
            )
            if other is not None:
                yield _hit(
                    d12.at, instance=d12.instance, other=other.instance, other_type=other.pathway
                )
