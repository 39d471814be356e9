"""Defects that add one event to an instance: before the start, a second start, decision,
ending or feedback code, a meeting after the ending, an early evaluation."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from typing import Final

from pakkeforlop.data.pathways import pathway
from pakkeforlop.synthetic.defects.base import (
    Defect,
    ended_before_export_end,
    insert_event,
    latest_day,
    new_event,
    on_event,
    other_ending,
    truth_entry,
    valid_on,
)
from pakkeforlop.synthetic.documents import Context
from pakkeforlop.synthetic.model import Event, Plan, TruthEntry


def _added_event_defect(
    name: str,
    rule: str,
    description: str,
    *,
    pointer: str,
    add: Callable[[Plan, Context, random.Random], Event | None],
    applies: Callable[[Plan, Context], bool],
) -> Defect:
    """A defect that adds one event; the finding is at the added event's line."""

    def inject(plan: Plan, ctx: Context, rng: random.Random) -> list[TruthEntry]:
        event = add(plan, ctx, rng)
        if event is None:
            msg = f"{name} does not apply to {plan.instance_id}"
            raise ValueError(msg)
        return on_event(event, truth_entry(plan, name, (rule,), description, pointer=pointer))

    return Defect(name, (rule,), description, applies, inject)


def _event_before_start(plan: Plan, ctx: Context, rng: random.Random) -> Event | None:
    day = plan.start - timedelta(days=rng.randint(1, 20))
    start = plan.first("A")
    if start is None:
        return None
    event = new_event(plan, ctx, "UB", day, like=start)
    insert_event(plan, event, after=start)
    return event


def _can_precede_start(plan: Plan, _ctx: Context) -> bool:
    day = plan.start - timedelta(days=20)
    return valid_on(f"{plan.pathway}UB", day) and plan.first("A") is not None


def _second_start(plan: Plan, ctx: Context, rng: random.Random) -> Event | None:
    start = plan.first("A")
    latest = latest_day(plan, ctx)
    if start is None or latest <= start.day:
        return None
    event = new_event(
        plan, ctx, "A", start.day + timedelta(days=rng.randint(1, (latest - start.day).days))
    )
    insert_event(plan, event)
    return event


def _has_room_after_start(plan: Plan, ctx: Context) -> bool:
    start = plan.first("A")
    return start is not None and latest_day(plan, ctx) > start.day


def _single_decision(plan: Plan, ctx: Context, *, maximum: int) -> bool:
    decisions = plan.with_letter("C")
    return (
        len(decisions) == 1
        and decisions[0].suffix != "CU"
        and _max_decisions(plan) == maximum
        and latest_day(plan, ctx) > decisions[0].day
    )


def _max_decisions(plan: Plan) -> int:
    return pathway(plan.pathway).ordering.max_clinical_decisions


def _extra_decision(plan: Plan, ctx: Context, rng: random.Random) -> Event | None:
    decision = plan.with_letter("C")[0]
    latest = latest_day(plan, ctx)
    day = decision.day + timedelta(days=rng.randint(1, min(14, (latest - decision.day).days)))
    event = new_event(plan, ctx, decision.suffix, day)
    insert_event(plan, event)
    return event


def _second_ending(plan: Plan, ctx: Context, _rng: random.Random) -> Event | None:
    ending = plan.ending
    other = other_ending(plan)
    if ending is None or other is None:
        return None
    event = new_event(plan, ctx, other[3:], ending.day, like=ending)
    insert_event(plan, event, after=ending)
    return event


def _event_after_ending(plan: Plan, ctx: Context, rng: random.Random) -> Event | None:
    ending = plan.ending
    if ending is None:
        return None
    day = ending.day + timedelta(days=rng.randint(1, min(30, (ctx.end - ending.day).days)))
    event = new_event(plan, ctx, "SM", day)
    insert_event(plan, event)
    return event


def _second_feedback(plan: Plan, ctx: Context, _rng: random.Random) -> Event | None:
    feedback = next((event for event in plan.events if event.suffix == "UF"), None)
    if feedback is None:
        return None
    event = new_event(plan, ctx, "UF", feedback.day, like=feedback)
    insert_event(plan, event, after=feedback)
    return event


def _evaluation_before_decision(plan: Plan, ctx: Context, rng: random.Random) -> Event | None:
    decision = plan.first("C")
    start = plan.first("A")
    if decision is None or start is None or decision.day <= start.day:
        return None
    day = start.day + timedelta(days=rng.randint(0, (decision.day - start.day).days - 1))
    event = new_event(plan, ctx, "E", day)
    insert_event(plan, event)
    return event


def _room_before_decision(plan: Plan, _ctx: Context) -> bool:
    decision, start = plan.first("C"), plan.first("A")
    return decision is not None and start is not None and decision.day > start.day


ADDED_EVENT_DEFECTS: Final = (
    _added_event_defect(
        "event-before-start",
        "PATHWAY-003",
        "An activity is dated before the instance's start.",
        pointer="/date",
        add=_event_before_start,
        applies=_can_precede_start,
    ),
    _added_event_defect(
        "second-start",
        "PATHWAY-002",
        "A second start event (A) is registered for the instance.",
        pointer="/code",
        add=_second_start,
        applies=_has_room_after_start,
    ),
    _added_event_defect(
        "extra-clinical-decision",
        "PATHWAY-007",
        "A second clinical decision in a pathway that allows one.",
        pointer="/code",
        add=_extra_decision,
        applies=lambda plan, ctx: _single_decision(plan, ctx, maximum=1),
    ),
    _added_event_defect(
        "second-decision-without-cu",
        "PATHWAY-008",
        "A second clinical decision follows a first one that was not CU.",
        pointer="/code",
        add=_extra_decision,
        applies=lambda plan, ctx: _single_decision(plan, ctx, maximum=2),
    ),
    _added_event_defect(
        "second-ending",
        "PATHWAY-009",
        "A second ending (X) is registered on the day of the first.",
        pointer="/code",
        add=_second_ending,
        applies=lambda plan, _ctx: plan.ending is not None and other_ending(plan) is not None,
    ),
    _added_event_defect(
        "event-after-ending",
        "PATHWAY-010",
        "A meeting is registered after the pathway's ending.",
        pointer="/date",
        add=_event_after_ending,
        applies=ended_before_export_end,
    ),
    _added_event_defect(
        "feedback-twice",
        "PATHWAY-011",
        "The feedback-tool code (UF) is registered twice.",
        pointer="/code",
        add=_second_feedback,
        applies=lambda plan, _ctx: any(event.suffix == "UF" for event in plan.events),
    ),
    _added_event_defect(
        "evaluation-before-decision",
        "PATHWAY-012",
        "An evaluation is dated before the first clinical decision.",
        pointer="/date",
        add=_evaluation_before_decision,
        applies=_room_before_decision,
    ),
)
