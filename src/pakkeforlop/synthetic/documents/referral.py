"""The referral of an instance: its referrer, content, medication and assessment."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from pakkeforlop.data.schemas import DOCUMENT_SCHEMAS
from pakkeforlop.synthetic import texts
from pakkeforlop.synthetic.cast import (
    Organisation,
    Patient,
    Practice,
    Professional,
    phone,
    timestamp,
)
from pakkeforlop.synthetic.documents.context import Context
from pakkeforlop.synthetic.documents.dates import weekday_on_or_before
from pakkeforlop.synthetic.documents.values import ICPC2, coded, medication_item, role
from pakkeforlop.synthetic.timeline import Timeline


def choose_referrer(
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


def make_referral(
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


def _medication(rng: random.Random, group: str, updated: date, patient: Patient) -> dict[str, Any]:
    pool = texts.DRUGS[group]
    if group == "newborn" or rng.random() < 0.3:
        return {"updated": updated.isoformat(), "noCurrentMedication": True}
    chosen = rng.sample(pool, rng.randint(1, min(3, len(pool))))
    items = []
    for drug in chosen:
        earliest = max(patient.birth_date, updated - timedelta(days=3 * 365))
        span = max(0, (updated - earliest).days - 1)
        items.append(medication_item(drug, earliest + timedelta(days=rng.randint(0, span))))
    return {"updated": updated.isoformat(), "items": items}
