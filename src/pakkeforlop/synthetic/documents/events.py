"""An instance's measurement points (kodeverk 9327 events), with their registration times."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any, Final

from pakkeforlop.synthetic.cast import timestamp
from pakkeforlop.synthetic.documents.context import Context
from pakkeforlop.synthetic.documents.dates import weekday_on_or_after
from pakkeforlop.synthetic.model import Event, Identity
from pakkeforlop.synthetic.timeline import Timeline

#: Share of events registered a few days after the date they apply to.
LATE_REGISTRATION: Final = 0.15


def make_events(
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
