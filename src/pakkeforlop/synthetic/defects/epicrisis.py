"""Defects of an epicrisis: a missing recipient or advice, wrong codes, dates or values."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Final

from pakkeforlop.synthetic.defects.base import (
    Defect,
    ended_before_export_end,
    other_ending,
    truth_entry,
)
from pakkeforlop.synthetic.documents import Context, coded
from pakkeforlop.synthetic.model import Plan, TruthEntry


def _epicrisis_defect(
    name: str,
    rules: Sequence[tuple[str, str | None]],
    description: str,
    *,
    change: Callable[[Plan, Context, random.Random], None],
    applies: Callable[[Plan, Context], bool] = lambda _plan, _ctx: True,
) -> Defect:
    def inject(plan: Plan, ctx: Context, rng: random.Random) -> list[TruthEntry]:
        change(plan, ctx, rng)
        return [
            truth_entry(plan, name, (rule,), description, file=plan.epicrisis_path, pointer=pointer)
            for rule, pointer in rules
        ]

    def has_epicrisis(plan: Plan, ctx: Context) -> bool:
        return plan.epicrisis is not None and applies(plan, ctx)

    return Defect(name, tuple(rule for rule, _ in rules), description, has_epicrisis, inject)


def _epicrisis(plan: Plan) -> dict[str, object]:
    if plan.epicrisis is None:
        msg = "the instance has no epicrisis"
        raise ValueError(msg)
    return plan.epicrisis


def _without_gp(plan: Plan, _ctx: Context, _rng: random.Random) -> None:
    value = _epicrisis(plan)
    recipients = value["recipients"]
    if isinstance(recipients, list):
        value["recipients"] = [entry for entry in recipients if entry.get("role") != "gp"]


def _empty_medication(plan: Plan, _ctx: Context, _rng: random.Random) -> None:
    value = _epicrisis(plan)
    value["medication"] = {"updated": value["sent"], "items": []}


def _sent_late(plan: Plan, ctx: Context, rng: random.Random) -> None:
    ending = plan.ending
    if ending is None:
        return
    value = _epicrisis(plan)
    value["sent"] = (
        ending.day + timedelta(days=rng.randint(1, (ctx.end - ending.day).days))
    ).isoformat()


def _end_code_mismatch(plan: Plan, _ctx: Context, _rng: random.Random) -> None:
    other = other_ending(plan)
    value = _epicrisis(plan)
    pathway = value["pathway"]
    if other is not None and isinstance(pathway, dict):
        pathway["endCode"] = other


def _reverse_period(plan: Plan, _ctx: Context, _rng: random.Random) -> None:
    period = _epicrisis(plan)["period"]
    if isinstance(period, dict):
        period["start"], period["end"] = period["end"], period["start"]


def _drop_follow_up(member: str) -> Callable[[Plan, Context, random.Random], None]:
    def change(plan: Plan, _ctx: Context, _rng: random.Random) -> None:
        follow_up = _epicrisis(plan)["followUp"]
        if isinstance(follow_up, dict):
            del follow_up[member]

    return change


def _set_epicrisis(
    path: Sequence[str], value: object
) -> Callable[[Plan, Context, random.Random], None]:
    def change(plan: Plan, _ctx: Context, _rng: random.Random) -> None:
        target: object = _epicrisis(plan)
        for key in path[:-1]:
            target = target[key]  # type: ignore[index]
        target[path[-1]] = value  # type: ignore[index]

    return change


def _drop_municipal(plan: Plan, _ctx: Context, _rng: random.Random) -> None:
    _epicrisis(plan).pop("municipalFollowUp", None)


def _wrong_type(plan: Plan, _ctx: Context, _rng: random.Random) -> None:
    other = "D12" if plan.pathway == "D11" else "D11"
    pathway = _epicrisis(plan)["pathway"]
    if isinstance(pathway, dict):
        pathway["type"] = coded("9321", other)


def _period_ordered(plan: Plan, _ctx: Context) -> bool:
    period = _epicrisis(plan)["period"]
    return isinstance(period, dict) and period["start"] < period["end"]


EPICRISIS_DEFECTS: Final = (
    _epicrisis_defect(
        "epicrisis-without-gp",
        (("EPICRISIS-002", "/recipients"),),
        "The epicrisis is not sent to the patient's GP.",
        change=_without_gp,
    ),
    _epicrisis_defect(
        "epicrisis-empty-medication-list",
        (("EPICRISIS-001", "/medication"),),
        "The medication list is empty and does not say the patient uses no medication.",
        change=_empty_medication,
    ),
    _epicrisis_defect(
        "epicrisis-sent-after-ending",
        (("EPICRISIS-008", "/sent"),),
        "The epicrisis is sent after the pathway's ending.",
        change=_sent_late,
        applies=ended_before_export_end,
    ),
    _epicrisis_defect(
        "epicrisis-end-code-mismatch",
        (("EPICRISIS-010", "/pathway/endCode"),),
        "The epicrisis states another ending code than the one registered.",
        change=_end_code_mismatch,
        applies=lambda plan, _ctx: other_ending(plan) is not None,
    ),
    _epicrisis_defect(
        "epicrisis-period-reversed",
        (("EPICRISIS-012", "/period"),),
        "The epicrisis period starts after it ends.",
        change=_reverse_period,
        applies=_period_ordered,
    ),
    _epicrisis_defect(
        "epicrisis-without-somatic-advice",
        (("EPICRISIS-004", "/followUp"),),
        "The epicrisis gives no advice on somatic health.",
        change=_drop_follow_up("somaticHealth"),
    ),
    _epicrisis_defect(
        "epicrisis-without-lifestyle-advice",
        (("EPICRISIS-005", "/followUp"),),
        "The epicrisis gives no advice on lifestyle.",
        change=_drop_follow_up("lifestyle"),
    ),
    _epicrisis_defect(
        "epicrisis-gp-appointment-not-offered",
        (("EPICRISIS-013", "/followUp/gpAppointmentOffered"),),
        "The epicrisis says the patient was not offered help to book a GP appointment.",
        change=_set_epicrisis(("followUp", "gpAppointmentOffered"), False),
    ),
    _epicrisis_defect(
        "epicrisis-inpatient-without-municipal-follow-up",
        (("EPICRISIS-009", ""),),
        "An epicrisis after inpatient care states no follow-up agreed with the municipality.",
        change=_drop_municipal,
        applies=lambda plan, _ctx: plan.care_level == "inpatient",
    ),
    _epicrisis_defect(
        "epicrisis-wrong-pathway-type",
        (("EPICRISIS-011", "/pathway/type/code"), ("CODE-004", "/pathway/endCode")),
        "The epicrisis names another pathway type, so its end code's prefix disagrees too.",
        change=_wrong_type,
    ),
    _epicrisis_defect(
        "epicrisis-unknown-care-level",
        (("SCHEMA-003", "/careLevel"),),
        "The epicrisis' care level is not one of the schema's values.",
        change=_set_epicrisis(("careLevel",), "daypatient"),
    ),
)
