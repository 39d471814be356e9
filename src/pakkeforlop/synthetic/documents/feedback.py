"""Feedback to the referrer and the GP after clinical decisions and changed treatment plans."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any, Final

from pakkeforlop.data.schemas import DOCUMENT_SCHEMAS
from pakkeforlop.synthetic import texts
from pakkeforlop.synthetic.cast import Organisation, Professional
from pakkeforlop.synthetic.documents.context import Context, shard
from pakkeforlop.synthetic.documents.values import coded, role
from pakkeforlop.synthetic.model import Plan

#: Clinical-decision outcomes of treatment in the specialist service (PHV, TSB).
TREATMENT_OUTCOMES: Final = frozenset({"P", "T"})
#: Share of evaluations after which the treatment plan changed substantially.
PLAN_CHANGED: Final = 0.15


def make_feedbacks(
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
            "recipients": recipients(gp, referrer),
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


def recipients(
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
