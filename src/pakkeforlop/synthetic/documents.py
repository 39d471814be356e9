"""Build one pathway instance: its patient, referral, measurement points and epicrisis.

The documents follow the bundled valid examples (``examples/valid``) and satisfy every rule
that can give an error or a warning, so that a clean export has none; information findings
(synthetic identifiers, time-limit overruns, the 10-working-day assessment) do occur, as in
real data. Dates follow the era rules: up to the end of the era PATHWAY-016 covers (2023) the
start (A) is dated on the referral's receipt; later starts are dated on the completed
assessment, as Helsedirektoratet's current coding guide describes (PATHWAY-017, whose
effective date is unconfirmed, so that no rule judges those starts).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final

from pakkeforlop.catalogue import rule
from pakkeforlop.codes import code_system
from pakkeforlop.identifiers import PersonIdType
from pakkeforlop.registry import DOCUMENT_SCHEMAS
from pakkeforlop.synthetic import texts
from pakkeforlop.synthetic.cast import (
    Cast,
    Numbers,
    Organisation,
    Patient,
    Practice,
    Professional,
    person_name,
    phone,
    timestamp,
)
from pakkeforlop.synthetic.model import Event, Identity, Plan
from pakkeforlop.synthetic.timeline import AGES, Timeline


def _receipt_rule_until() -> date:
    """The last day the start is confirmed to be dated on the receipt (PATHWAY-016's era)."""
    applies_until = rule("PATHWAY-016").applies_until
    if applies_until is None:
        msg = "the catalogue's PATHWAY-016 must say until when it applies (applies_until)"
        raise ValueError(msg)
    return applies_until


#: Up to this day the start is dated on the receipt, after it on the completed assessment.
RECEIPT_RULE_UNTIL: Final = _receipt_rule_until()
#: Share of events registered a few days after the date they apply to.
LATE_REGISTRATION: Final = 0.15
ICPC2: Final = "2.16.578.1.12.4.1.1.7170"
ICD10: Final = "2.16.578.1.12.4.1.1.7110"


@dataclass(frozen=True, slots=True)
class Context:
    """What every instance draws from: the export's cast, counters and time frame."""

    cast: Cast
    numbers: Numbers
    end: date
    files_per_folder: int
    folder_digits: int


def text_of(kodeverk: str, code: str) -> str:
    """The code list's text for a code (so that CODE-006 finds the display texts right)."""
    listed = code_system(kodeverk).get(code)
    if listed is None:
        msg = f"kodeverk {kodeverk} has no code {code}"
        raise KeyError(msg)
    return listed.text


def coded(kodeverk: str, code: str) -> dict[str, str]:
    """A coded value with the code list's OID and display text."""
    return {"system": code_system(kodeverk).oid, "code": code, "display": text_of(kodeverk, code)}


def role(code: str) -> tuple[str, str]:
    """A kodeverk 8254 role with its text."""
    return code, text_of("8254", code)


def weekday_on_or_after(day: date) -> date:
    """``day``, or the Monday after it when it falls on a weekend."""
    return day + timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)


def weekday_on_or_before(day: date) -> date:
    """``day``, or the Friday before it when it falls on a weekend."""
    return day - timedelta(days=day.weekday() - 4 if day.weekday() >= 5 else 0)


def add_working_days(day: date, count: int) -> date:
    """``count`` weekdays after ``day`` (negative: before)."""
    step = 1 if count >= 0 else -1
    remaining = abs(count)
    while remaining:
        day += timedelta(days=step)
        if day.weekday() < 5:
            remaining -= 1
    return day


def shard(number: int, ctx: Context) -> str:
    """The folder of the ``number``-th document (1-based) of a kind."""
    return f"{(number - 1) // ctx.files_per_folder:0{ctx.folder_digits}d}"


# -- the instance -------------------------------------------------------------------------------


def build_plan(
    rng: random.Random,
    ctx: Context,
    *,
    number: int,
    timeline: Timeline,
    start: date,
    epicrisis_number: int,
) -> Plan:
    """Everything one instance writes; ``epicrisis_number`` numbers its epicrisis, if any."""
    code = timeline.pathway
    group = texts.GROUP[code]
    pf_era = start <= RECEIPT_RULE_UNTIL
    unit = ctx.cast.unit(rng, code, timeline.care_level)
    received, assessed = _referral_dates(rng, code, start, pf_era)
    patient = _patient(rng, ctx, code, received)
    instance_id = f"{ctx.cast.prefix}-{code}-{start.year}-{number:07d}"
    identity = Identity(
        instance_id, code, timeline.care_level, patient, unit, ctx.cast.trust.org_number
    )
    events = _events(rng, ctx, timeline, start, identity)
    ending = next((event for event in events if event.letter == "X"), None)

    practice = rng.choice(ctx.cast.practices)
    gp = rng.choice(practice.professionals)
    referrer, referrer_org, referral_kind = _referrer(rng, ctx, code, practice, gp)
    referral_id = f"REF-{received.year}-{number:07d}"
    referral = _referral(
        rng,
        ctx,
        referral_id=referral_id,
        kind=referral_kind,
        timeline=timeline,
        patient=patient,
        gp=gp,
        practice=practice,
        referrer=referrer,
        referrer_org=referrer_org,
        receiver=ctx.cast.receiver(unit),
        instance_id=instance_id,
        received=received,
        assessed=assessed,
    )
    plan = Plan(
        number=number,
        identity=identity,
        start=start,
        pf_era=pf_era,
        timeline=timeline,
        events=events,
        referral=referral,
        referral_path=f"referrals/{shard(number, ctx)}/{referral_id}.json",
    )
    plan.feedbacks = _feedbacks(
        rng,
        ctx,
        plan=plan,
        gp=(gp, practice.organisation),
        referrer=(referrer, referrer_org),
        coordinator=referral["municipalCoordinator"],
    )
    if ending is not None:
        epicrisis_id = f"EPI-{ending.day.year}-{number:07d}"
        plan.epicrisis = _epicrisis(
            rng,
            ctx,
            epicrisis_id=epicrisis_id,
            plan=plan,
            group=group,
            gp=(gp, practice.organisation),
            referrer=(referrer, referrer_org),
        )
        plan.epicrisis_path = f"epicrises/{shard(epicrisis_number, ctx)}/{epicrisis_id}.json"
    return plan


def _patient(rng: random.Random, ctx: Context, code: str, received: date) -> Patient:
    """A new patient of the right age: a newborn (D10) is born days before the referral."""
    if code == "D10":
        birth = received - timedelta(days=rng.randint(1, 6))
    else:
        low, high = AGES[code]
        age_days = int(rng.randint(low, high) * 365.25) + rng.randint(0, 364)
        birth = received - timedelta(days=age_days + 30)
    female = {"D09": 1.0, "D08": 0.9, "D01": 0.3}.get(code, 0.55) > rng.random()
    kind = (
        PersonIdType.DNR
        if code in ("D01", "D09", "D11") and rng.random() < 0.03
        else PersonIdType.FNR
    )
    number, birth = ctx.numbers.person_number(birth, female, kind)
    given, family = person_name(rng, female=female)
    return Patient(kind.value, number, given, family, birth, female)


def _referral_dates(rng: random.Random, code: str, start: date, pf_era: bool) -> tuple[date, date]:
    """(received, assessed): the start is the receipt up to 2023, the assessment after."""
    if code == "D06":
        working_days = rng.randint(0, 2)
    elif code in ("D08", "D09", "D10"):
        working_days = rng.randint(1, 5)
    else:
        working_days = rng.randint(2, 10) if rng.random() > 0.08 else rng.randint(11, 20)
    if pf_era:
        return start, add_working_days(start, working_days)
    return add_working_days(start, -working_days), start


# -- measurement points ---------------------------------------------------------------------------


def _events(
    rng: random.Random, ctx: Context, timeline: Timeline, start: date, identity: Identity
) -> list[Event]:
    """The timeline's events up to the export's end, with registration times."""
    outpatient = timeline.care_level == "outpatient"
    sessions: dict[date, tuple[date, int]] = {}
    events: list[Event] = []
    previous: date | None = None
    minute = 0
    for step in timeline.steps:
        day = start + timedelta(days=step.offset)
        if outpatient and step.suffix != "P":
            day = weekday_on_or_after(day)
        if day > ctx.end:
            break
        session_day = max(day, start)  # symptom onset (P) is registered with the start
        if session_day not in sessions:
            lag = rng.randint(1, 7) if rng.random() < LATE_REGISTRATION else 0
            recorded = min(session_day + timedelta(days=lag), ctx.end)
            sessions[session_day] = (recorded, rng.randint(480, 900))
        recorded, first_minute = sessions[session_day]
        minute = first_minute if previous != session_day else minute + rng.randint(3, 25)
        previous = session_day
        events.append(make_event(identity, step.suffix, day, recorded=recorded, minute=minute))
    return events


def make_event(identity: Identity, suffix: str, day: date, *, recorded: date, minute: int) -> Event:
    """One measurement point of the instance."""
    value: dict[str, Any] = {
        "instanceId": identity.instance_id,
        "patient": identity.patient.identifier(),
        "institution": {"orgNumber": identity.org_number, "reshId": identity.unit.resh_id},
        "pathwayType": identity.pathway,
        "code": f"{identity.pathway}{suffix}",
        "date": day.isoformat(),
        "careLevel": identity.care_level,
        "recorded": timestamp(recorded, min(minute, 23 * 60 + 59)),
    }
    if suffix != "P" and (recorded - day).days >= 3:
        value["note"] = "Registrert etterskuddsvis"
    return Event(suffix, day, recorded, minute, value)


# -- the referral --------------------------------------------------------------------------------


def _referrer(
    rng: random.Random, ctx: Context, code: str, practice: Practice, gp: Professional
) -> tuple[Professional, Organisation, str]:
    """(referrer, their organisation, referral kind)."""
    kind = "child-adolescent" if code in ("D08", "D10", "D12") else "new-condition"
    if code == "D10":
        unit = ctx.cast.units["neonatal"][0]
        return rng.choice(unit.staff), ctx.cast.receiver(unit), kind
    if code in ("D01", "D06", "D07", "D11") and rng.random() < 0.04:
        unit = rng.choice(ctx.cast.units["dps-outpatient"])
        return rng.choice(unit.staff), ctx.cast.receiver(unit), "onward"
    if rng.random() < (0.5 if code == "D09" else 0.12):
        other = rng.choice(ctx.cast.municipal)
        return rng.choice(other.professionals), other.organisation, kind
    return gp, practice.organisation, kind


def _referral(
    rng: random.Random,
    ctx: Context,
    *,
    referral_id: str,
    kind: str,
    timeline: Timeline,
    patient: Patient,
    gp: Professional,
    practice: Practice,
    referrer: Professional,
    referrer_org: Organisation,
    receiver: Organisation,
    instance_id: str,
    received: date,
    assessed: date,
) -> dict[str, Any]:
    code = timeline.pathway
    group = texts.GROUP[code]
    child = group in texts.CHILD_GROUPS
    issued_day = received - timedelta(days=rng.randint(0, 10))
    if code == "D10":
        issued_day = max(issued_day, patient.birth_date)
    else:
        issued_day = weekday_on_or_before(issued_day)
    referrer_is_gp = referrer == gp
    sender: dict[str, Any] = {
        "referrer": referrer.as_json(role("HHE")),
        "organisation": referrer_org.as_json(),
        "phone": practice.phone if referrer_is_gp else phone(rng),
        "referrerIsGp": referrer_is_gp,
    }
    coordinator = rng.choice(ctx.cast.municipal)
    contact = rng.choice(coordinator.professionals)
    value: dict[str, Any] = {
        "$schema": DOCUMENT_SCHEMAS["referral"],
        "id": referral_id,
        "issued": timestamp(issued_day, rng.randint(480, 930)),
        "kind": kind,
        "sender": sender,
        "receiver": {"organisation": receiver.as_json()},
        "patient": patient.as_json(),
        "gp": gp.as_json(role("FLE")),
    }
    if not referrer_is_gp:
        value["gpConsulted"] = True
    value.update(
        {
            "targetPathway": coded("9321", code),
            "pathwayInstanceId": instance_id,
            "acute": False,
            "reviewedWithPatient": True,
            "copyToPatient": True,
            "municipalCoordinator": {
                "name": {"given": contact.given, "family": contact.family},
                "phone": contact.phone,
                "organisation": coordinator.organisation.name,
                "herId": contact.her_id,
            },
            "individualPlan": (
                {"exists": True, "coordinatorAppointed": rng.random() < 0.7}
                if rng.random() < 0.15
                else {"exists": False}
            ),
            "content": _content(rng, code, group, child=child),
            "diagnoses": [
                {
                    "system": ICPC2,
                    **dict(zip(("code", "display"), rng.choice(texts.ICPC2[group]), strict=True)),
                    "kind": "main",
                    "tentative": True,
                }
            ],
            "medication": _medication(rng, group, issued_day, patient),
        }
    )
    assessment: dict[str, Any] = {"received": received.isoformat()}
    if assessed <= ctx.end:
        assessment["assessed"] = assessed.isoformat()
        assessment["rightToHealthcare"] = True
        assessment["deadline"] = (assessed + timedelta(days=rng.randint(14, 60))).isoformat()
    assessment["careLevel"] = timeline.care_level
    value["assessment"] = assessment
    return value


def _content(rng: random.Random, code: str, group: str, *, child: bool) -> dict[str, Any]:
    content: dict[str, Any] = {
        "reason": rng.choice(texts.REASON[group]),
        "patientView": rng.choice(
            texts.PATIENT_VIEW.get(group, texts.PATIENT_VIEW["child" if child else "adult"])
        ),
        "triggers": rng.choice(texts.TRIGGERS),
        "previousTreatment": rng.choice(texts.PREVIOUS_TREATMENT[group]),
        "symptomsAndFunctioning": rng.choice(texts.SYMPTOMS[group]),
        "resources": rng.choice(texts.RESOURCES),
        "somaticStatusAndLifestyle": rng.choice(texts.SOMATIC[child]),
        "socialAndFamily": rng.choice(texts.SOCIAL[child]),
        "previousIllness": rng.choice(texts.PREVIOUS_ILLNESS),
        "expectedBenefit": rng.choice(texts.EXPECTED_BENEFIT[group]),
    }
    if code == "D10":
        return content  # a newborn: no risk or substance-use items (REFERRAL-019 to -021)
    content["suicideRisk"] = rng.choice(texts.SUICIDE_RISK)
    content["violenceRisk"] = rng.choice(texts.VIOLENCE_RISK)
    summaries = texts.SUBSTANCE_SUMMARY.get(group, texts.SUBSTANCE_SUMMARY["default"])
    substance_use: dict[str, Any] = {"summary": rng.choice(summaries)}
    if code in ("D01", "D09"):
        chosen = rng.sample(texts.SUBSTANCES, rng.randint(1, 3))
        substance_use["substances"] = [
            {
                "substance": item.substance,
                "amount": item.amount,
                "frequency": item.frequency,
                "route": item.route,
                "duration": item.duration,
                "recentChanges": item.recent_changes,
            }
            for item in chosen
        ]
    content["substanceUse"] = substance_use
    return content


def _drug(drug: texts.Drug, started: date) -> dict[str, Any]:
    return {
        "name": drug.name,
        "atcCode": drug.atc,
        "dosage": drug.dosage,
        "use": coded("9101", drug.use),
        "psychotropic": drug.psychotropic,
        "started": started.isoformat(),
    }


def _medication(rng: random.Random, group: str, updated: date, patient: Patient) -> dict[str, Any]:
    pool = texts.DRUGS[group]
    if group == "newborn" or rng.random() < 0.3:
        return {"updated": updated.isoformat(), "noCurrentMedication": True}
    chosen = rng.sample(pool, rng.randint(1, min(3, len(pool))))
    items = []
    for drug in chosen:
        earliest = max(patient.birth_date, updated - timedelta(days=3 * 365))
        span = max(0, (updated - earliest).days - 1)
        items.append(_drug(drug, earliest + timedelta(days=rng.randint(0, span))))
    return {"updated": updated.isoformat(), "items": items}


# -- feedback to the referrer and the GP ---------------------------------------------------------

#: Clinical-decision outcomes of treatment in the specialist service (PHV, TSB).
TREATMENT_OUTCOMES: Final = frozenset({"P", "T"})
#: Share of evaluations after which the treatment plan changed substantially.
PLAN_CHANGED: Final = 0.15


def _feedbacks(
    rng: random.Random,
    ctx: Context,
    *,
    plan: Plan,
    gp: tuple[Professional, Organisation],
    referrer: tuple[Professional, Organisation],
    coordinator: dict[str, Any],
) -> list[tuple[str, dict[str, Any]]]:
    """Feedback after each clinical decision (after the assessment, or on the treatment plan
    when the decision is treatment here) and after some evaluations (the plan changed), each
    to the GP and the referrer, naming the pathway coordinators."""
    specialist = rng.choice(plan.unit.staff)
    coordinators = {
        "specialist": {
            "name": {"given": specialist.given, "family": specialist.family},
            "phone": specialist.phone,
            "organisation": plan.unit.name,
        },
        "municipal": coordinator,
    }
    found: list[tuple[str, dict[str, Any]]] = []
    for event in plan.events:
        if event.letter == "C":
            treatment = event.suffix[1:] in TREATMENT_OUTCOMES
            occasion = "treatment-plan" if treatment else "after-assessment"
        elif event.letter == "E" and rng.random() < PLAN_CHANGED:
            occasion = "treatment-plan-changed"
        else:
            continue
        sent = min(event.day + timedelta(days=rng.randint(0, 3)), ctx.end)
        number = len(found) + 1
        identifier = f"FB-{sent.year}-{plan.number:07d}-{number}"
        value: dict[str, Any] = {
            "$schema": DOCUMENT_SCHEMAS["feedback"],
            "id": identifier,
            "occasion": occasion,
            "sent": sent.isoformat(),
            "sender": {
                "organisation": ctx.cast.receiver(plan.unit).as_json(),
                "professional": specialist.as_json(role("KLE")),
            },
            "recipients": _recipients(gp, referrer),
            "patient": plan.patient.as_json(),
            "referralId": plan.referral["id"],
            "pathway": {"instanceId": plan.instance_id, "type": coded("9321", plan.pathway)},
        }
        if occasion != "treatment-plan-changed":
            value["assessmentReport"] = {
                "summary": rng.choice(texts.ASSESSMENT_REPORT),
                "attached": True,
            }
        if occasion == "treatment-plan":
            value["treatmentPlan"] = {"summary": rng.choice(texts.TREATMENT_PLAN)}
        elif occasion == "treatment-plan-changed":
            value["treatmentPlan"] = {"changes": rng.choice(texts.PLAN_CHANGES)}
        value["coordinators"] = coordinators
        path = f"feedback/{shard(plan.number, ctx)}/{identifier}.json"
        found.append((path, value))
    return found


def _recipients(
    gp: tuple[Professional, Organisation], referrer: tuple[Professional, Organisation]
) -> list[dict[str, Any]]:
    """The GP and the referrer, once per role (a GP who referred is listed twice)."""
    return [
        {
            "role": "gp",
            "professional": gp[0].as_json(role("FLE")),
            "organisation": gp[1].as_json(),
        },
        {
            "role": "referrer",
            "professional": referrer[0].as_json(role("HHE")),
            "organisation": referrer[1].as_json(),
        },
    ]


# -- the epicrisis -------------------------------------------------------------------------------


def _epicrisis(
    rng: random.Random,
    ctx: Context,
    *,
    epicrisis_id: str,
    plan: Plan,
    group: str,
    gp: tuple[Professional, Organisation],
    referrer: tuple[Professional, Organisation],
) -> dict[str, Any]:
    ending = plan.ending
    if ending is None:
        msg = "only an ended instance gets an epicrisis"
        raise ValueError(msg)
    timeline = plan.timeline
    first_attendance = plan.first("M")
    period_start = first_attendance.day if first_attendance is not None else plan.start
    sent = ending.day
    main = rng.choice(texts.ICD10[group])
    diagnoses = [{"system": ICD10, "code": main[0], "display": main[1], "kind": "main"}]
    if rng.random() < 0.3 and group not in ("newborn",):
        secondary = rng.choice(texts.SECONDARY_ICD10)
        diagnoses.append(
            {"system": ICD10, "code": secondary[0], "display": secondary[1], "kind": "secondary"}
        )
    if timeline.early_end:
        summary = {
            "assessment": rng.choice(texts.EARLY_END_SUMMARY),
            "treatment": "Ingen behandling ble gitt i forløpet.",
        }
    else:
        summary = {
            "assessment": rng.choice(texts.ASSESSMENT_SUMMARY[group]),
            "treatment": (
                "Forløpet ble avsluttet etter utredningen."
                if timeline.assessment_only
                else rng.choice(texts.TREATMENT_SUMMARY[group])
            ),
        }
        if timeline.assessment_only:
            summary["chosenSolution"] = rng.choice(texts.CHOSEN_SOLUTION)
    medication, changes = _discharge_medication(rng, plan, group, period_start, sent)
    follow_up: dict[str, Any] = {
        "advice": rng.choice(texts.FOLLOW_UP_ADVICE),
        "somaticHealth": rng.choice(texts.SOMATIC_ADVICE),
        "lifestyle": rng.choice(texts.LIFESTYLE_ADVICE),
    }
    if any(item.get("psychotropic") for item in medication.get("items", [])):
        psychotropics = {"continuedUse": rng.choice(texts.CONTINUED_USE)}
        if rng.random() < 0.5:
            psychotropics["tapering"] = rng.choice(texts.TAPERING)
        psychotropics["yearlyReview"] = rng.choice(texts.YEARLY_REVIEW)
        follow_up["psychotropics"] = psychotropics
    follow_up["gpAppointmentOffered"] = True
    gp_person, gp_org = gp
    referrer_person, referrer_org = referrer
    value: dict[str, Any] = {
        "$schema": DOCUMENT_SCHEMAS["epicrisis"],
        "id": epicrisis_id,
        "author": rng.choice(plan.unit.staff).as_json(role("AHP")),
        "institution": ctx.cast.receiver(plan.unit).as_json(),
        "recipients": [
            {
                "role": "gp",
                "professional": gp_person.as_json(role("FLE")),
                "organisation": gp_org.as_json(),
            },
            {
                "role": "referrer",
                "professional": referrer_person.as_json(role("HHE")),
                "organisation": referrer_org.as_json(),
            },
        ],
        "patient": plan.patient.as_json(),
        "pathway": {
            "instanceId": plan.instance_id,
            "type": coded("9321", plan.pathway),
            "endCode": f"{plan.pathway}{ending.suffix}",
        },
        "period": {"start": period_start.isoformat(), "end": ending.day.isoformat()},
        "careLevel": plan.care_level,
        "diagnoses": diagnoses,
        "summary": summary,
        "medication": medication,
    }
    if changes:
        value["medicationChanges"] = changes
    value["followUp"] = follow_up
    if rng.random() < 0.75:
        value["crisisPlan"] = {"exists": True, "summary": rng.choice(texts.CRISIS_PLAN)}
    else:
        value["crisisPlan"] = {"exists": False}
    if plan.care_level == "inpatient" or rng.random() < 0.3:
        contact = rng.choice(rng.choice(ctx.cast.municipal).professionals)
        value["municipalFollowUp"] = {
            "plan": rng.choice(texts.MUNICIPAL_PLAN),
            "coordinator": {
                "name": {"given": contact.given, "family": contact.family},
                "phone": contact.phone,
                "organisation": rng.choice(ctx.cast.municipal).organisation.name,
            },
        }
    value["sent"] = sent.isoformat()
    return value


def _discharge_medication(
    rng: random.Random, plan: Plan, group: str, start: date, sent: date
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The updated list at discharge, and the changes made during the period."""
    before = plan.referral.get("medication", {}).get("items", [])
    items = [dict(item) for item in before]
    changes: list[dict[str, Any]] = []
    treated = not (plan.timeline.assessment_only or plan.timeline.early_end)
    if treated and group != "newborn" and rng.random() < 0.4 and start < sent:
        names = {item["name"] for item in items}
        candidates = [drug for drug in texts.DRUGS[group] if drug.name not in names]
        if candidates:
            drug = rng.choice(candidates)
            started = start + timedelta(days=rng.randint(0, (sent - start).days))
            items.append(_drug(drug, started))
            changes.append(
                {
                    "medication": drug.name,
                    "change": "started",
                    "reason": "Startet i behandlingsperioden etter samtale med pasienten.",
                }
            )
    if not items:
        return {"updated": sent.isoformat(), "noCurrentMedication": True}, changes
    return {"updated": sent.isoformat(), "items": items}, changes
