"""The epicrisis of an ended instance: diagnoses, summary, medication and follow-up.

The parts are drawn in a fixed order (diagnoses, summary, medication, follow-up, author, crisis
plan, municipal follow-up), so that the same seed gives the same epicrisis.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from pakkeforlop.data.schemas import DOCUMENT_SCHEMAS
from pakkeforlop.synthetic import texts
from pakkeforlop.synthetic.cast import Organisation, Professional
from pakkeforlop.synthetic.documents.context import Context
from pakkeforlop.synthetic.documents.feedback import recipients
from pakkeforlop.synthetic.documents.values import ICD10, coded, medication_item, role
from pakkeforlop.synthetic.model import Plan
from pakkeforlop.synthetic.timeline import Timeline


def make_epicrisis(
    rng: random.Random,
    ctx: Context,
    *,
    epicrisis_id: str,
    plan: Plan,
    group: str,
    gp: tuple[Professional, Organisation],
    referrer: tuple[Professional, Organisation],
) -> dict[str, Any]:
    """The epicrisis sent on the day the instance ended, to the GP and the referrer."""
    ending = plan.ending
    if ending is None:
        msg = "only an ended instance gets an epicrisis"
        raise ValueError(msg)
    first_attendance = plan.first("M")
    period_start = first_attendance.day if first_attendance is not None else plan.start
    sent = ending.day
    diagnoses = _diagnoses(rng, group)
    summary = _summary(rng, plan.timeline, group)
    medication, changes = _discharge_medication(rng, plan, group, period_start, sent)
    follow_up = _follow_up(rng, medication)
    value: dict[str, Any] = {
        "$schema": DOCUMENT_SCHEMAS["epicrisis"],
        "id": epicrisis_id,
        "author": rng.choice(plan.unit.staff).as_json(role("AHP")),
        "institution": ctx.cast.receiver(plan.unit).as_json(),
        "recipients": recipients(gp, referrer),
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
        value["municipalFollowUp"] = _municipal_follow_up(rng, ctx)
    value["sent"] = sent.isoformat()
    return value


def _diagnoses(rng: random.Random, group: str) -> list[dict[str, str]]:
    """The main ICD-10 diagnosis, and now and then a secondary one."""
    main = rng.choice(texts.ICD10[group])
    diagnoses = [{"system": ICD10, "code": main[0], "display": main[1], "kind": "main"}]
    if rng.random() < 0.3 and group not in ("newborn",):
        secondary = rng.choice(texts.SECONDARY_ICD10)
        diagnoses.append(
            {"system": ICD10, "code": secondary[0], "display": secondary[1], "kind": "secondary"}
        )
    return diagnoses


def _summary(rng: random.Random, timeline: Timeline, group: str) -> dict[str, str]:
    """What the assessment found and what treatment was given (none after an early end)."""
    if timeline.early_end:
        return {
            "assessment": rng.choice(texts.EARLY_END_SUMMARY),
            "treatment": "Ingen behandling ble gitt i forløpet.",
        }
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
    return summary


def _follow_up(rng: random.Random, medication: dict[str, Any]) -> dict[str, Any]:
    """Advice to the GP, with advice on psychotropic drugs when the list has one."""
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
    return follow_up


def _municipal_follow_up(rng: random.Random, ctx: Context) -> dict[str, Any]:
    """The follow-up agreed with the municipality, and its coordinator."""
    contact = rng.choice(rng.choice(ctx.cast.municipal).professionals)
    return {
        "plan": rng.choice(texts.MUNICIPAL_PLAN),
        "coordinator": {
            "name": {"given": contact.given, "family": contact.family},
            "phone": contact.phone,
            "organisation": rng.choice(ctx.cast.municipal).organisation.name,
        },
    }


def _discharge_medication(
    rng: random.Random, plan: Plan, group: str, start: date, sent: date
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The updated list at discharge, and the changes made during the period."""
    before = plan.referral.get("medication", {}).get("items", [])
    items = [dict(item) for item in before]
    changes: list[dict[str, Any]] = []
    treated = not (plan.timeline.assessment_only or plan.timeline.early_end)
    if treated and group != "newborn" and rng.random() < 0.4 and start < sent:
        started = _started_drug(rng, group, items, start, sent)
        if started is not None:
            items.append(started[0])
            changes.append(started[1])
    if not items:
        return {"updated": sent.isoformat(), "noCurrentMedication": True}, changes
    return {"updated": sent.isoformat(), "items": items}, changes


def _started_drug(
    rng: random.Random, group: str, items: list[dict[str, Any]], start: date, sent: date
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """A drug not yet on the list, started during the period: (its item, the change)."""
    names = {item["name"] for item in items}
    candidates = [drug for drug in texts.DRUGS[group] if drug.name not in names]
    if not candidates:
        return None
    drug = rng.choice(candidates)
    started = start + timedelta(days=rng.randint(0, (sent - start).days))
    change = {
        "medication": drug.name,
        "change": "started",
        "reason": "Startet i behandlingsperioden etter samtale med pasienten.",
    }
    return medication_item(drug, started), change
