"""FEEDBACK rules: what the specialist service tells the referrer and the GP, and when.

Document checks read one feedback: what a rejection, or the feedback after the assessment,
must contain. Instance checks join an instance's feedback with its measurement points: a
pathway ended because the right to healthcare was not granted (XR) has a rejection
feedback, an assessed pathway has feedback after the assessment, a treatment decision has
feedback on the treatment plan. Those run only for exports that hold feedback (the manifest
declares a feedback file, or the instance has a feedback, read from a KITH message say), and
only for instances that have ended in the export: by then the feedback is due, and an export
of a period does not hold what comes after it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pakkeforlop.model.facts import recipient_roles
from pakkeforlop.model.records import (
    Document,
    EventRecord,
    ExportFacts,
    FeedbackFacts,
    PathwayInstance,
)
from pakkeforlop.rules.checks import Hit, document_check, has_events, instance_check

REJECTION = "rejection"
AFTER_ASSESSMENT = "after-assessment"
TREATMENT_PLAN = "treatment-plan"
TREATMENT_PLAN_CHANGED = "treatment-plan-changed"
#: Occasions that feed back the outcome of the assessment.
ASSESSMENT_OUTCOMES = frozenset({AFTER_ASSESSMENT, TREATMENT_PLAN})
#: Occasions about the treatment plan.
PLAN_OCCASIONS = frozenset({TREATMENT_PLAN, TREATMENT_PLAN_CHANGED})
#: The ending reason "right to healthcare not granted" (kodeverk 9327 XR): a rejection.
NOT_GRANTED = "XR"
#: Clinical-decision outcomes of treatment in this service: PHV (P) or TSB (T).
TREATMENT_OUTCOMES = frozenset({"P", "T"})
DECISION, ENDING = "C", "X"


# -- one feedback ---------------------------------------------------------------------------------


def _occasion(document: Document) -> object:
    return document.value.get("occasion")


def is_structured_rejection(document: Document, _facts: ExportFacts) -> bool:
    """A feedback that rejects the referral, in members rather than as one text: a feedback
    given only as one text (``text``, a Dialogmelding's note) may say anything, and the kit
    cannot read whether it gives what the rules look for."""
    return _occasion(document) == REJECTION and "text" not in document.value


def _roles(document: Document) -> set[str]:
    return recipient_roles(document.value) or set()


def is_assessment_feedback_to_gp(document: Document, _facts: ExportFacts) -> bool:
    """A feedback after the assessment that goes to the patient's GP."""
    return _occasion(document) == AFTER_ASSESSMENT and "gp" in _roles(document)


@document_check("FEEDBACK-001", "feedback", applies=is_structured_rejection)
def rejection_assesses_further_needs(document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    """Seed 000: a rejection gives the service's assessment of the need for further measures."""
    if "furtherNeeds" not in document.value:
        yield Hit(pointer="")


@document_check("FEEDBACK-002", "feedback", applies=is_structured_rejection)
def rejection_gives_reason(document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    """Seed 003 ch. 1.4: the reason for the rejection is given."""
    if "reason" not in document.value:
        yield Hit(pointer="")


@document_check("FEEDBACK-007", "feedback", applies=is_assessment_feedback_to_gp)
def assessment_report_to_gp(document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    """Seed 003 ch. 2.3: the GP gets a copy of the report after the basis assessment."""
    if "assessmentReport" not in document.value:
        yield Hit(pointer="")


# -- feedback joined with the measurement points --------------------------------------------------


def _judged(instance: PathwayInstance, facts: ExportFacts) -> bool:
    """An instance that has ended in an export that holds feedback (asked in the reverse
    order: reading the events costs many times as much as the export's facts)."""
    return (facts.feedback_exported or bool(instance.feedbacks)) and bool(instance.lettered(ENDING))


def _feedback(instance: PathwayInstance, occasions: frozenset[str]) -> list[FeedbackFacts]:
    return [item for item in instance.feedbacks if item.occasion in occasions]


def _sent_on_or_after(items: list[FeedbackFacts], event: EventRecord) -> bool:
    return any(item.sent is None or item.sent >= event.day for item in items)


def _hit(event: EventRecord, **args: Any) -> Hit:
    return Hit(pointer="/code", path=event.path, line=event.line, args=args)


def _rejected(instance: PathwayInstance, facts: ExportFacts) -> bool:
    if not _judged(instance, facts):
        return False  # the ending is then not looked for: another search of the events
    end = instance.end
    return end is not None and end.suffix == NOT_GRANTED


@instance_check("FEEDBACK-004", given=has_events, applies=_rejected)
def rejection_fed_back(instance: PathwayInstance, _facts: ExportFacts) -> Iterator[Hit]:
    """An instance ended because the right was not granted (XR) has a rejection feedback."""
    end = instance.end
    if end is not None and not _feedback(instance, frozenset({REJECTION})):
        yield _hit(end, code=end.code, instance=instance.id)


def _first_decision(instance: PathwayInstance) -> EventRecord | None:
    decisions = instance.lettered(DECISION)
    return decisions[0] if decisions else None


def _assessed(instance: PathwayInstance, facts: ExportFacts) -> bool:
    return _judged(instance, facts) and _first_decision(instance) is not None


@instance_check("FEEDBACK-005", given=has_events, applies=_assessed)
def fed_back_after_assessment(instance: PathwayInstance, _facts: ExportFacts) -> Iterator[Hit]:
    """Seed 001: the referrer and the GP get feedback after the assessment (the decision)."""
    decision = _first_decision(instance)
    if decision is None:
        return
    if not _sent_on_or_after(_feedback(instance, ASSESSMENT_OUTCOMES), decision):
        yield _hit(decision, code=decision.code, instance=instance.id)


def _treatment_decision(instance: PathwayInstance) -> EventRecord | None:
    return next(
        (event for event in instance.lettered(DECISION) if event.outcome in TREATMENT_OUTCOMES),
        None,
    )


def _treated(instance: PathwayInstance, facts: ExportFacts) -> bool:
    return _judged(instance, facts) and _treatment_decision(instance) is not None


@instance_check("FEEDBACK-006", given=has_events, applies=_treated)
def treatment_plan_fed_back(instance: PathwayInstance, _facts: ExportFacts) -> Iterator[Hit]:
    """Seed 000: the GP and the referrer get feedback when the treatment plan is made."""
    decision = _treatment_decision(instance)
    if decision is None:
        return
    if not _sent_on_or_after(_feedback(instance, frozenset({TREATMENT_PLAN})), decision):
        yield _hit(decision, code=decision.code, instance=instance.id)


def _has_plan_feedback(instance: PathwayInstance, _facts: ExportFacts) -> bool:
    return bool(instance.feedbacks) and bool(_feedback(instance, PLAN_OCCASIONS))


@instance_check("FEEDBACK-003", applies=_has_plan_feedback)
def plan_feedback_to_gp_and_referrer(
    instance: PathwayInstance, _facts: ExportFacts
) -> Iterator[Hit]:
    """Seed 000, OCD pathway: feedback on the treatment plan reaches the GP and the referrer."""
    items = _feedback(instance, PLAN_OCCASIONS)
    roles = set().union(*(item.roles for item in items))
    expected = ["referrer"]
    if all(item.patient_has_gp for item in items):
        expected.insert(0, "gp")
    missing = [role for role in expected if role not in roles]
    if missing:
        yield Hit(pointer="/recipients", path=items[0].path, args={"roles": ", ".join(missing)})


def _to_gp_in_pathway(instance: PathwayInstance) -> list[FeedbackFacts]:
    """The instance's feedback to the GP while the pathway runs (not a rejection, after which
    there is no pathway to coordinate)."""
    return [
        item for item in instance.feedbacks if "gp" in item.roles and item.occasion != REJECTION
    ]


def _fed_back_to_gp(instance: PathwayInstance, _facts: ExportFacts) -> bool:
    return bool(instance.feedbacks) and bool(_to_gp_in_pathway(instance))


@instance_check("FEEDBACK-008", applies=_fed_back_to_gp)
def coordinators_named_to_gp(instance: PathwayInstance, _facts: ExportFacts) -> Iterator[Hit]:
    """Seed 003 ch. 1.5: the GP is told who the pathway coordinators are."""
    to_gp = _to_gp_in_pathway(instance)
    if not any(item.names_coordinator for item in to_gp):
        yield Hit(pointer="", path=to_gp[0].path, args={"instance": instance.id})
