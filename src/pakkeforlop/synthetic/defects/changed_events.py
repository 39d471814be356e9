"""Defects that change an existing event: an activity (made unreadable, schema-invalid or
inconsistent with its instance), or the start moved off the receipt."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import timedelta
from typing import Final

from pakkeforlop.data.codes import code_system
from pakkeforlop.model.identifiers import PersonIdType
from pakkeforlop.synthetic.defects.base import (
    EVENT_CODES,
    Defect,
    activities,
    on_event,
    truth_entry,
    valid_on,
)
from pakkeforlop.synthetic.documents import RECEIPT_RULE_UNTIL, Context
from pakkeforlop.synthetic.model import Event, Plan, TruthEntry


def _listed(code: str) -> bool:
    return code in code_system(EVENT_CODES)


def _other_pathway(plan: Plan, event: Event) -> str | None:
    """Another pathway whose list has the event's suffix, valid on its date (and its type)."""
    for other in ("D11", "D12", "D01", "D06", "D07", "D08", "D09", "D10"):
        code = f"{other}{event.suffix}"
        type_code = code_system("9321").get(other)
        if (
            other != plan.pathway
            and valid_on(code, event.day)
            and type_code is not None
            and type_code.valid_on(event.day)
        ):
            return other
    return None


# -- activities changed in place --------------------------------------------------------------


def _activity_defect(
    name: str,
    rule: str,
    description: str,
    *,
    pointer: str | None,
    change: Callable[[Plan, Context, random.Random, Event], None],
    applies: Callable[[Plan, Context, Event], bool] = lambda _plan, _ctx, _event: True,
) -> Defect:
    """A defect that changes one activity event in place."""

    def candidates(plan: Plan, ctx: Context) -> list[Event]:
        return [event for event in activities(plan) if applies(plan, ctx, event)]

    def inject(plan: Plan, ctx: Context, rng: random.Random) -> list[TruthEntry]:
        event = rng.choice(candidates(plan, ctx))
        change(plan, ctx, rng, event)
        return on_event(event, truth_entry(plan, name, (rule,), description, pointer=pointer))

    return Defect(name, (rule,), description, lambda plan, ctx: bool(candidates(plan, ctx)), inject)


def _malformed(_plan: Plan, _ctx: Context, _rng: random.Random, event: Event) -> None:
    text = _dumps(event.value)
    event.raw = text[: len(text) // 2]


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _set_member(
    member: str, value: object
) -> Callable[[Plan, Context, random.Random, Event], None]:
    def change(_plan: Plan, _ctx: Context, _rng: random.Random, event: Event) -> None:
        event.value[member] = value

    return change


def _ungrammatical(plan: Plan, _ctx: Context, _rng: random.Random, event: Event) -> None:
    event.value["code"] = f"{plan.pathway}{event.suffix.lower()}"  # letters in lower case


def _unlisted_suffix(plan: Plan) -> str | None:
    for suffix in ("UE", "UM", "US", "UB", "UV", "UU"):
        if not _listed(f"{plan.pathway}{suffix}"):
            return suffix
    return None


def _unlisted(plan: Plan, _ctx: Context, _rng: random.Random, event: Event) -> None:
    event.value["code"] = f"{plan.pathway}{_unlisted_suffix(plan)}"


def _prefix_mismatch(plan: Plan, _ctx: Context, _rng: random.Random, event: Event) -> None:
    event.value["code"] = f"{_other_pathway(plan, event)}{event.suffix}"


def _type_mismatch(plan: Plan, _ctx: Context, _rng: random.Random, event: Event) -> None:
    other = _other_pathway(plan, event)
    event.value["pathwayType"] = other
    event.value["code"] = f"{other}{event.suffix}"


def _after_export(_plan: Plan, ctx: Context, rng: random.Random, event: Event) -> None:
    event.value["date"] = (ctx.end + timedelta(days=rng.randint(1, 200))).isoformat()


def _other_patient(plan: Plan, ctx: Context, _rng: random.Random, event: Event) -> None:
    kind = PersonIdType.FNR
    number, _birth = ctx.numbers.person_number(plan.patient.birth_date, plan.patient.female, kind)
    event.value["patient"] = {"type": kind.value, "value": number}


def _other_institution(plan: Plan, ctx: Context, rng: random.Random, event: Event) -> None:
    event.value["institution"] = {
        "orgNumber": ctx.numbers.next_org_number(rng),
        "reshId": plan.unit.resh_id,
    }


ACTIVITY_DEFECTS: Final = (
    _activity_defect(
        "event-malformed-json",
        "INPUT-006",
        "An events line is cut off in the middle (not well-formed JSON).",
        pointer=None,
        change=_malformed,
    ),
    _activity_defect(
        "event-unknown-care-level",
        "SCHEMA-004",
        "An event's care level is not one of the schema's values.",
        pointer="/careLevel",
        change=_set_member("careLevel", "daypatient"),
    ),
    _activity_defect(
        "event-ungrammatical-code",
        "CODE-001",
        "An event's code does not have the form of a kodeverk 9327 code (lower-case letters).",
        pointer="/code",
        change=_ungrammatical,
    ),
    _activity_defect(
        "event-code-not-in-list",
        "CODE-002",
        "An event's code is grammatical but not in the code list for its pathway.",
        pointer="/code",
        change=_unlisted,
        applies=lambda plan, _ctx, _event: _unlisted_suffix(plan) is not None,
    ),
    _activity_defect(
        "event-code-prefix-mismatch",
        "CODE-004",
        "An event's code has the prefix of another pathway than its pathway type.",
        pointer="/code",
        change=_prefix_mismatch,
        applies=lambda plan, _ctx, event: _other_pathway(plan, event) is not None,
    ),
    _activity_defect(
        "event-pathway-type-mismatch",
        "PATHWAY-004",
        "An event carries another pathway type (and code prefix) than its instance's start.",
        pointer="/pathwayType",
        change=_type_mismatch,
        applies=lambda plan, _ctx, event: _other_pathway(plan, event) is not None,
    ),
    _activity_defect(
        "event-after-export",
        "EVENT-001",
        "An event of an ongoing instance is dated after the export was created.",
        pointer="/date",
        change=_after_export,
        applies=lambda plan, _ctx, _event: plan.ending is None,
    ),
    _activity_defect(
        "event-patient-mismatch",
        "PATHWAY-005",
        "An event names another patient than its instance's start.",
        pointer="/patient",
        change=_other_patient,
    ),
    _activity_defect(
        "event-institution-mismatch",
        "PATHWAY-006",
        "An event is registered by another institution (organisation number) than its start.",
        pointer="/institution",
        change=_other_institution,
    ),
)


# -- the start moved ---------------------------------------------------------------------------


def _start_room(plan: Plan, _ctx: Context) -> int:
    """Days the start can move later without passing another event (0: it cannot)."""
    start = plan.first("A")
    if start is None:
        return 0
    later = [event.day for event in plan.events if event is not start and event.suffix != "P"]
    if not later:
        return 0
    return (min(later) - start.day).days


def _move_start(name: str, rule: str, description: str) -> Defect:
    """Move a start dated on the receipt (PATHWAY-016's era) later, within that era."""

    def applies(plan: Plan, ctx: Context) -> bool:
        room = _start_room(plan, ctx)
        return plan.pf_era and room >= 1 and plan.start + timedelta(days=1) <= RECEIPT_RULE_UNTIL

    def inject(plan: Plan, ctx: Context, rng: random.Random) -> list[TruthEntry]:
        start = plan.first("A")
        if start is None:
            return []
        room = _start_room(plan, ctx)
        day = min(start.day + timedelta(days=rng.randint(1, room)), RECEIPT_RULE_UNTIL)
        start.value["date"] = day.isoformat()
        return on_event(start, truth_entry(plan, name, (rule,), description, pointer="/date"))

    return Defect(name, (rule,), description, applies, inject)


START_DEFECTS: Final = (
    _move_start(
        "start-not-on-receipt",
        "PATHWAY-016",
        "A start up to 2023 is dated after the day the referral was received.",
    ),
)
