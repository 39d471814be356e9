"""What every defect kind is made of: the :class:`Defect` record, and the helpers that
locate a truth entry, add an event to an instance, and ask the code lists about a code."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from pakkeforlop.data.codes import code_system
from pakkeforlop.synthetic.documents import Context, make_event
from pakkeforlop.synthetic.model import Event, Plan, TruthEntry
from pakkeforlop.synthetic.timeline import listed_suffixes

#: Letters of treatment activities: losing or altering one such event touches no ordering rule.
ACTIVITY_LETTERS: Final = frozenset({"U", "S", "F"})
EVENT_CODES: Final = "9327"


def activities(plan: Plan) -> list[Event]:
    """The instance's activity events (not the feedback code UF, which is counted)."""
    return [
        event
        for event in plan.events
        if event.letter in ACTIVITY_LETTERS
        and event.suffix != "UF"
        and event.raw is None
        and not event.truth
    ]


@dataclass(frozen=True, slots=True)
class Defect:
    """A kind of defect: its name, the rules it triggers, when it applies and how."""

    name: str
    rules: tuple[str, ...]
    description: str
    applies: Callable[[Plan, Context], bool]
    inject: Callable[[Plan, Context, random.Random], list[TruthEntry]]


def truth_entry(
    plan: Plan,
    defect: str,
    rules: Sequence[str],
    description: str,
    *,
    file: str | None = None,
    pointer: str | None = None,
) -> TruthEntry:
    """What the engine must report for a defect of ``plan``: the rules, the file, the place."""
    return TruthEntry(defect, plan.instance_id, tuple(rules), description, file, pointer)


def on_event(event: Event, entry: TruthEntry) -> list[TruthEntry]:
    """Locate ``entry`` at ``event``: the writer fills in the file and line."""
    event.truth.append(entry)
    return [entry]


def new_event(
    plan: Plan, ctx: Context, suffix: str, day: date, *, like: Event | None = None
) -> Event:
    """A further event of the instance, registered with ``like`` or on its own date."""
    if like is not None:
        recorded, minute = like.recorded, like.minute
    else:
        recorded, minute = min(max(day, plan.start), ctx.end), 960
    return make_event(plan.identity, suffix, day, recorded=recorded, minute=minute)


def insert_event(plan: Plan, event: Event, *, after: Event | None = None) -> None:
    """Put ``event`` in date order (after ``after`` when given) so the writer keeps it there."""
    if after is not None:
        plan.events.insert(plan.events.index(after) + 1, event)
        return
    position = next(
        (index for index, other in enumerate(plan.events) if other.day > event.day),
        len(plan.events),
    )
    plan.events.insert(position, event)


def latest_day(plan: Plan, ctx: Context) -> date:
    """The last day an added event may have: the ending, or the export's end."""
    ending = plan.ending
    return ending.day if ending is not None else ctx.end


def valid_on(code: str, day: date) -> bool:
    """Whether the 9327 list has ``code``, valid on ``day``."""
    listed = code_system(EVENT_CODES).get(code)
    return listed is not None and listed.valid_on(day)


def other_ending(plan: Plan) -> str | None:
    """Another listed ending code of the instance's pathway than the one it ended with."""
    ending = plan.ending
    if ending is None:
        return None
    others = sorted(
        s for s in listed_suffixes(plan.pathway) if s.startswith("X") and s != ending.suffix
    )
    return f"{plan.pathway}{others[0]}" if others else None


def ended_before_export_end(plan: Plan, ctx: Context) -> bool:
    """Whether the instance ended before the export's last day (room for a later date)."""
    ending = plan.ending
    return ending is not None and ending.day < ctx.end
