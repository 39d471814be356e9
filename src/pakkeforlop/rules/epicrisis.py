"""EPICRISIS rules: the discharge summary at the end of a pathway (domain reference §6, §7).

Document checks read one epicrisis; instance checks compare the epicrisis facts of a pathway
instance with its measurement points, after every file has been read. The updated medication
list (EPICRISIS-001) is structural: the engine reports the schema's violations at or below
``/medication`` under that rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from pakkeforlop.data.codes import code_system
from pakkeforlop.model.facts import document_days, get, parse_day, recipient_roles
from pakkeforlop.model.records import Document, EventRecord, ExportFacts, PathwayInstance
from pakkeforlop.model.slices import slice_of
from pakkeforlop.rules._per_document import per_document
from pakkeforlop.rules.checks import Hit, Present, document_check, engine_rule, instance_check

#: Clinical-decision outcomes after which the pathway ends without treatment in this service:
#: I no need, K primary care, A other agencies, S another specialist service (REG-13, E4).
NO_FURTHER_SH_OUTCOMES = frozenset({"I", "K", "A", "S"})
#: ATC groups counted as psychotropic when an entry does not say: psycholeptics, psychoanaleptics.
PSYCHOTROPIC_ATC_PREFIXES = ("N05", "N06")
#: The quality indicator's limit for sending the epicrisis after the period (§6.3), in days.
SEND_WITHIN_DAYS = 1
#: Kodeverk 9327, the pathway event codes (ending codes among them).
EVENT_CODES = "9327"

engine_rule("EPICRISIS-001", "epicrisis")


# -- recipients -------------------------------------------------------------------------------


@per_document
def _roles(document: Document, _facts: ExportFacts) -> set[str] | None:
    """The recipients' roles; empty when there are none, ``None`` when they are malformed
    (read once for the two checks that look for a role)."""
    return recipient_roles(document.value)


def _recipient_hit(document: Document) -> Hit:
    return Hit(pointer="/recipients" if "recipients" in document.value else "")


def has_regular_gp(document: Document, _facts: ExportFacts) -> bool:
    """The document does not state that the patient has no regular GP (patient.hasRegularGp).

    (It looks the members up itself, not through :func:`~pakkeforlop.model.facts.get`: it is
    asked for every epicrisis, where a call more is a cost.)
    """
    value = document.value
    patient = value.get("patient") if isinstance(value, dict) else None
    return not isinstance(patient, dict) or patient.get("hasRegularGp") is not False


# The checks that run on every epicrisis (most of those below) are plain functions that give
# a tuple, not generators: a generator costs more to make and run out than their look.


@document_check("EPICRISIS-002", "epicrisis", applies=has_regular_gp)
def sent_to_gp(document: Document, facts: ExportFacts) -> tuple[Hit, ...]:
    """§ 45a: the patient's GP is among the recipients (unless the patient has none)."""
    roles = _roles(document, facts)
    if roles is not None and "gp" not in roles:
        return (_recipient_hit(document),)
    return ()


@document_check("EPICRISIS-003", "epicrisis")
def sent_to_referrer(document: Document, facts: ExportFacts) -> tuple[Hit, ...]:
    """§ 45a: the referrer is among the recipients (as a main rule)."""
    roles = _roles(document, facts)
    if roles is not None and "referrer" not in roles:
        return (_recipient_hit(document),)
    return ()


# -- content ----------------------------------------------------------------------------------


def _follow_up(document: Document) -> dict[str, Any] | None:
    follow_up = document.value.get("followUp")
    return follow_up if isinstance(follow_up, dict) else None


#: Neither EPICRISIS-004 nor 005 finds anything where these members hold true values.
_ADVICE_GIVEN = Present(("followUp", "somaticHealth"), ("followUp", "lifestyle"))


@document_check("EPICRISIS-004", "epicrisis", quiet=_ADVICE_GIVEN)
def somatic_health_advice(document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    """E2: advice on follow-up of somatic health."""
    follow_up = _follow_up(document)
    if follow_up is not None and "somaticHealth" not in follow_up:
        yield Hit(pointer="/followUp")


@document_check("EPICRISIS-005", "epicrisis", quiet=_ADVICE_GIVEN)
def lifestyle_advice(document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    """E2: advice on lifestyle."""
    follow_up = _follow_up(document)
    if follow_up is not None and "lifestyle" not in follow_up:
        yield Hit(pointer="/followUp")


def is_psychotropic(entry: object) -> bool:
    """An entry flagged psychotropic, or, when it does not say, with an ATC code in N05/N06."""
    if not isinstance(entry, dict):
        return False
    flag = entry.get("psychotropic")
    if isinstance(flag, bool):
        return flag
    atc = entry.get("atcCode")
    return isinstance(atc, str) and atc.startswith(PSYCHOTROPIC_ATC_PREFIXES)


def uses_psychotropics(document: Document, _facts: ExportFacts) -> bool:
    """The epicrisis' medication list holds at least one psychotropic drug."""
    items = get(document.value, "medication", "items")
    return isinstance(items, list) and any(map(is_psychotropic, items))


@document_check("EPICRISIS-006", "epicrisis", applies=uses_psychotropics)
def psychotropic_advice(document: Document, _facts: ExportFacts) -> tuple[Hit, ...]:
    """E3: advice on continued use (and possible tapering) of psychotropic drugs."""
    follow_up = _follow_up(document)
    if follow_up is None:
        return ()  # a missing followUp is the schema's finding
    psychotropics = follow_up.get("psychotropics")
    if psychotropics is None:
        return (Hit(pointer="/followUp"),)
    if isinstance(psychotropics, dict) and "continuedUse" not in psychotropics:
        return (Hit(pointer="/followUp/psychotropics"),)
    return ()


def is_inpatient(document: Document, _facts: ExportFacts) -> bool:
    """An epicrisis after inpatient (24-hour) care."""
    return document.value.get("careLevel") == "inpatient"


@document_check("EPICRISIS-009", "epicrisis", applies=is_inpatient)
def municipal_follow_up(document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    """E6/E7: the follow-up agreed with the municipality after inpatient care."""
    if "municipalFollowUp" not in document.value:
        yield Hit(pointer="")


def _period(document: Document) -> tuple[date | None, date | None]:
    days = document_days(document)
    return days["start"], days["end"]


@document_check("EPICRISIS-012", "epicrisis")
def period_in_order(document: Document, _facts: ExportFacts) -> tuple[Hit, ...]:
    """The period does not start after it ends."""
    start, end = _period(document)
    if start is not None and end is not None and start > end:
        return (Hit(pointer="/period", args={"start": start.isoformat(), "end": end.isoformat()}),)
    return ()


@document_check("EPICRISIS-013", "epicrisis")
def gp_appointment_offered(document: Document, _facts: ExportFacts) -> tuple[Hit, ...]:
    """O11: the patient was offered help to book a GP appointment."""
    follow_up = _follow_up(document)
    if follow_up is None:
        return ()
    offered = follow_up.get("gpAppointmentOffered")
    if offered is False:
        return (Hit(pointer="/followUp/gpAppointmentOffered"),)
    if offered is None:
        return (Hit(pointer="/followUp"),)
    return ()


@document_check("EPICRISIS-014", "epicrisis", applies=uses_psychotropics)
def yearly_review(document: Document, _facts: ExportFacts) -> tuple[Hit, ...]:
    """O14: the advice on psychotropic drugs says who offers the yearly review."""
    psychotropics = get(document.value, "followUp", "psychotropics")
    if isinstance(psychotropics, dict) and "yearlyReview" not in psychotropics:
        return (Hit(pointer="/followUp/psychotropics"),)
    return ()


@document_check("EPICRISIS-015", "epicrisis")
def crisis_plan(document: Document, _facts: ExportFacts) -> tuple[Hit, ...]:
    """§6.4 (unconfirmed): whether a crisis or coping plan exists."""
    if "crisisPlan" not in document.value:
        return (Hit(pointer=""),)
    return ()


@document_check("EPICRISIS-016", "epicrisis")
def medication_changes(document: Document, _facts: ExportFacts) -> tuple[Hit, ...]:
    """§6.4 (unconfirmed): drugs started during the period come with listed changes."""
    if document.value.get("medicationChanges"):
        return ()
    start, end = _period(document)
    items = get(document.value, "medication", "items")
    if start is None or end is None or not isinstance(items, list):
        return ()
    started = 0
    for entry in items:
        day = parse_day(entry.get("started")) if isinstance(entry, dict) else None
        started += day is not None and start <= day <= end
    if started:
        return (Hit(pointer="/medication", args={"count": started}),)
    return ()


@document_check("EPICRISIS-017", "epicrisis")
def sent_promptly(document: Document, _facts: ExportFacts) -> tuple[Hit, ...]:
    """§6.3: sent within one day of the end of the period (information)."""
    days = document_days(document)
    end, sent = days["end"], days["sent"]
    if end is not None and sent is not None and (sent - end).days > SEND_WITHIN_DAYS:
        return (Hit(pointer="/sent", args={"days": (sent - end).days}),)
    return ()


# -- against the measurement points -----------------------------------------------------------


def has_epicrisis_and_events(instance: PathwayInstance, _facts: ExportFacts) -> bool:
    """An instance with an epicrisis and measurement points to compare it with."""
    return bool(instance.epicrises) and bool(instance.events)


def has_epicrisis_and_end(instance: PathwayInstance, _facts: ExportFacts) -> bool:
    """An ended instance with an epicrisis."""
    return bool(instance.epicrises) and instance.end is not None


def ended_after_assessment(instance: PathwayInstance) -> EventRecord | None:
    """The deciding C event when the instance ended after assessment with no SH follow-up.

    That is: the instance has an ending (X), its last clinical decision before the ending has
    outcome I, K, A or S, and no evaluation (E) was registered.
    """
    end = instance.end
    if end is None or instance.lettered("E"):
        return None
    decisions = [event for event in instance.lettered("C") if event.day <= end.day]
    if decisions and decisions[-1].outcome in NO_FURTHER_SH_OUTCOMES:
        return decisions[-1]
    return None


def chosen_solution_applies(instance: PathwayInstance, _facts: ExportFacts) -> bool:
    """An instance that ended after assessment and has an epicrisis (asked in that order: most
    instances have none, and reading the events costs fifty times as much)."""
    return bool(instance.epicrises) and ended_after_assessment(instance) is not None


@instance_check("EPICRISIS-007", applies=chosen_solution_applies)
def chosen_solution(instance: PathwayInstance, _facts: ExportFacts) -> Iterator[Hit]:
    """E4: the epicrisis states the solution chosen when the pathway ends after assessment."""
    decision = ended_after_assessment(instance)
    if decision is None:
        return
    for epicrisis in instance.epicrises:
        written_after = epicrisis.sent is None or epicrisis.sent >= decision.day
        if written_after and not epicrisis.chosen_solution:
            yield Hit(pointer="/summary", path=epicrisis.path, args={"decision": decision.code})


@instance_check("EPICRISIS-008", applies=has_epicrisis_and_end)
def sent_before_ending(instance: PathwayInstance, _facts: ExportFacts) -> Iterator[Hit]:
    """E5: the epicrisis is sent no later than the pathway's ending."""
    end = instance.end
    if end is None:
        return
    for epicrisis in instance.epicrises:
        if epicrisis.sent is not None and epicrisis.sent > end.day:
            yield Hit(
                pointer="/sent",
                path=epicrisis.path,
                args={
                    "sent": epicrisis.sent.isoformat(),
                    "ended": end.day.isoformat(),
                    "code": end.code,
                },
            )


def _ending_in_export(instance: PathwayInstance, facts: ExportFacts) -> bool:
    """An instance with an epicrisis and events whose ending, if any, the export can show: it
    has an ending, or it does not go on after the export's period (PATHWAY-020)."""
    return has_epicrisis_and_events(instance, facts) and (
        instance.end is not None or not slice_of(instance, facts.period).goes_on_after
    )


@instance_check("EPICRISIS-010", applies=_ending_in_export)
def end_code_agrees(instance: PathwayInstance, _facts: ExportFacts) -> Iterator[Hit]:
    """The epicrisis' ending code is the instance's registered ending.

    Compared only when the epicrisis' pathway type is the instance's and its ending code is a
    listed code of that type: a wrong type is EPICRISIS-011's finding, a code of another pathway
    CODE-004's and an unlisted code CODE-002's, so that one mistake gives one finding. An
    instance with no ending in an export of a period that ends before the pathway does is not
    compared: its ending lies after the period.
    """
    end = instance.end
    registered = end.code if end is not None else "none"
    types = {event.pathway_type for event in instance.events}
    listed = code_system(EVENT_CODES)
    for epicrisis in instance.epicrises:
        stated, pathway_type = epicrisis.end_code, epicrisis.pathway_type
        if stated is None or pathway_type not in types or stated[:3] != pathway_type:
            continue
        if stated not in listed:
            continue
        if stated != registered:
            yield Hit(
                pointer="/pathway/endCode",
                path=epicrisis.path,
                args={"stated": stated, "registered": registered},
            )


@instance_check("EPICRISIS-011", applies=has_epicrisis_and_events)
def pathway_type_agrees(instance: PathwayInstance, _facts: ExportFacts) -> Iterator[Hit]:
    """The epicrisis' pathway type is the type of the instance's measurement points."""
    types = sorted({event.pathway_type for event in instance.events})
    for epicrisis in instance.epicrises:
        if epicrisis.pathway_type is not None and epicrisis.pathway_type not in types:
            yield Hit(
                pointer="/pathway/type/code",
                path=epicrisis.path,
                args={"stated": epicrisis.pathway_type, "registered": ", ".join(types)},
            )
