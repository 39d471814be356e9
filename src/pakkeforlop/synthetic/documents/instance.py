"""One pathway instance: its patient, referral, measurement points, feedback and epicrisis."""

from __future__ import annotations

import random
from datetime import date, timedelta

from pakkeforlop.model.identifiers import PersonIdType
from pakkeforlop.synthetic import texts
from pakkeforlop.synthetic.cast import Patient, person_name
from pakkeforlop.synthetic.documents.context import Context, shard
from pakkeforlop.synthetic.documents.dates import RECEIPT_RULE_UNTIL, add_working_days
from pakkeforlop.synthetic.documents.epicrisis import make_epicrisis
from pakkeforlop.synthetic.documents.events import make_events
from pakkeforlop.synthetic.documents.feedback import make_feedbacks
from pakkeforlop.synthetic.documents.referral import choose_referrer, make_referral
from pakkeforlop.synthetic.model import Identity, Plan
from pakkeforlop.synthetic.timeline import AGES, Timeline


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
    events = make_events(rng, ctx, timeline, start, identity)
    ending = next((event for event in events if event.letter == "X"), None)

    practice = rng.choice(ctx.cast.practices)
    gp = rng.choice(practice.professionals)
    referrer, referrer_org, referral_kind = choose_referrer(rng, ctx, code, practice, gp)
    referral_id = f"REF-{received.year}-{number:07d}"
    referral = make_referral(
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
    plan.feedbacks = make_feedbacks(
        rng,
        ctx,
        plan=plan,
        gp=(gp, practice.organisation),
        referrer=(referrer, referrer_org),
        coordinator=referral["municipalCoordinator"],
    )
    if ending is not None:
        epicrisis_id = f"EPI-{ending.day.year}-{number:07d}"
        plan.epicrisis = make_epicrisis(
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
