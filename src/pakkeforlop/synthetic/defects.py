"""Known defects to inject into a synthetic export, each one named change with known findings.

Every defect changes one thing of one instance (a check digit, a date, a code, a member …)
and says which rules the engine must report for it, and where: the file, the NDJSON line (for
events) and the JSON Pointer. A defect is chosen so that it triggers nothing else: events
that a defect makes unreadable or schema-invalid are treatment activities (U, S, F codes)
whose loss no other rule notices; changes that necessarily break two rules (an epicrisis of
the wrong pathway type also has an end code of another pathway) record both.

Information findings (time-limit overruns, a late epicrisis by a day) may change as a side
effect; they are not defects and are not listed.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from pakkeforlop.codes import code_system
from pakkeforlop.identifiers import PersonIdType
from pakkeforlop.pathways import pathway
from pakkeforlop.registry import DOCUMENT_SCHEMAS
from pakkeforlop.synthetic.cast import timestamp
from pakkeforlop.synthetic.documents import RECEIPT_RULE_UNTIL, Context, coded, make_event
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


# -- helpers -------------------------------------------------------------------------------------


def _entry(
    plan: Plan,
    defect: str,
    rules: Sequence[str],
    description: str,
    *,
    file: str | None = None,
    pointer: str | None = None,
) -> TruthEntry:
    return TruthEntry(defect, plan.instance_id, tuple(rules), description, file, pointer)


def _on_event(event: Event, entry: TruthEntry) -> list[TruthEntry]:
    """Locate ``entry`` at ``event``: the writer fills in the file and line."""
    event.truth.append(entry)
    return [entry]


def _new_event(
    plan: Plan, ctx: Context, suffix: str, day: date, *, like: Event | None = None
) -> Event:
    """A further event of the instance, registered with ``like`` or on its own date."""
    if like is not None:
        recorded, minute = like.recorded, like.minute
    else:
        recorded, minute = min(max(day, plan.start), ctx.end), 960
    return make_event(plan.identity, suffix, day, recorded=recorded, minute=minute)


def _insert(plan: Plan, event: Event, *, after: Event | None = None) -> None:
    """Put ``event`` in date order (after ``after`` when given) so the writer keeps it there."""
    if after is not None:
        plan.events.insert(plan.events.index(after) + 1, event)
        return
    position = next(
        (index for index, other in enumerate(plan.events) if other.day > event.day),
        len(plan.events),
    )
    plan.events.insert(position, event)


def _latest(plan: Plan, ctx: Context) -> date:
    """The last day an added event may have: the ending, or the export's end."""
    ending = plan.ending
    return ending.day if ending is not None else ctx.end


def _flip_last_digit(value: str) -> str:
    return value[:-1] + str((int(value[-1]) + 1) % 10)


def _listed(code: str) -> bool:
    return code in code_system(EVENT_CODES)


def _valid_on(code: str, day: date) -> bool:
    listed = code_system(EVENT_CODES).get(code)
    return listed is not None and listed.valid_on(day)


def _other_pathway(plan: Plan, event: Event) -> str | None:
    """Another pathway whose list has the event's suffix, valid on its date (and its type)."""
    for other in ("D11", "D12", "D01", "D06", "D07", "D08", "D09", "D10"):
        code = f"{other}{event.suffix}"
        type_code = code_system("9321").get(other)
        if (
            other != plan.pathway
            and _valid_on(code, event.day)
            and type_code is not None
            and type_code.valid_on(event.day)
        ):
            return other
    return None


# -- referral defects ------------------------------------------------------------------------------


def _referral_defect(
    name: str,
    rule: str,
    description: str,
    *,
    pointer: str | None,
    change: Callable[[Plan, Context, random.Random], None],
    applies: Callable[[Plan, Context], bool] = lambda _plan, _ctx: True,
) -> Defect:
    def inject(plan: Plan, ctx: Context, rng: random.Random) -> list[TruthEntry]:
        change(plan, ctx, rng)
        return [_entry(plan, name, (rule,), description, file=plan.referral_path, pointer=pointer)]

    return Defect(name, (rule,), description, applies, inject)


def _has_assessed_pf(plan: Plan, _ctx: Context) -> bool:
    return plan.pf_era and "assessed" in plan.referral["assessment"]


def _set(path: Sequence[str], value: object) -> Callable[[Plan, Context, random.Random], None]:
    def change(plan: Plan, _ctx: Context, _rng: random.Random) -> None:
        target = plan.referral
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _bad_fnr(plan: Plan, _ctx: Context, _rng: random.Random) -> None:
    identifier = plan.referral["patient"]["identifier"]
    identifier["value"] = _flip_last_digit(identifier["value"])


def _bad_org(plan: Plan, _ctx: Context, _rng: random.Random) -> None:
    organisation = plan.referral["sender"]["organisation"]
    organisation["orgNumber"] = _flip_last_digit(organisation["orgNumber"])


def _bad_hpr(plan: Plan, _ctx: Context, _rng: random.Random) -> None:
    referrer = plan.referral["sender"]["referrer"]
    referrer["hpr"] = _flip_last_digit(referrer["hpr"])


def _wrong_birth_date(plan: Plan, _ctx: Context, _rng: random.Random) -> None:
    plan.referral["patient"]["birthDate"] = (
        plan.patient.birth_date + timedelta(days=1)
    ).isoformat()


def _no_coordinator(plan: Plan, _ctx: Context, _rng: random.Random) -> None:
    del plan.referral["municipalCoordinator"]


def _issued_after_receipt(plan: Plan, _ctx: Context, _rng: random.Random) -> None:
    received = date.fromisoformat(plan.referral["assessment"]["received"])
    plan.referral["issued"] = timestamp(received + timedelta(days=2), 600)


def _assessed_before_receipt(plan: Plan, _ctx: Context, rng: random.Random) -> None:
    received = date.fromisoformat(plan.referral["assessment"]["received"])
    plan.referral["assessment"]["assessed"] = (
        received - timedelta(days=rng.randint(1, 5))
    ).isoformat()


def _assessed_after_export(plan: Plan, ctx: Context, rng: random.Random) -> None:
    later = ctx.end + timedelta(days=rng.randint(5, 60))
    plan.referral["assessment"]["assessed"] = later.isoformat()


def _bom(plan: Plan, _ctx: Context, _rng: random.Random) -> None:
    plan.referral_bom = True


REFERRAL_DEFECTS: Final = (
    _referral_defect(
        "referral-fnr-check-digit",
        "IDENTIFIER-001",
        "The patient's fødselsnummer has a wrong second check digit.",
        pointer="/patient/identifier/value",
        change=_bad_fnr,
    ),
    _referral_defect(
        "referral-org-number-check-digit",
        "IDENTIFIER-005",
        "The referring organisation's organisation number has a wrong check digit.",
        pointer="/sender/organisation/orgNumber",
        change=_bad_org,
    ),
    _referral_defect(
        "referral-hpr-check-digit",
        "IDENTIFIER-006",
        "The referrer's HPR number does not fit the mod-11 heuristic.",
        pointer="/sender/referrer/hpr",
        change=_bad_hpr,
    ),
    _referral_defect(
        "referral-birth-date-mismatch",
        "IDENTIFIER-007",
        "The stated birth date is a day after the one in the fødselsnummer.",
        pointer="/patient/birthDate",
        change=_wrong_birth_date,
        applies=lambda plan, _ctx: plan.patient.id_type == PersonIdType.FNR.value,
    ),
    _referral_defect(
        "referral-without-municipal-coordinator",
        "REFERRAL-001",
        "A planned referral does not name the municipal pathway coordinator.",
        pointer="",
        change=_no_coordinator,
    ),
    _referral_defect(
        "referral-acute-with-target-pathway",
        "REFERRAL-002",
        "A referral marked acute carries a target pathway.",
        pointer="/targetPathway",
        change=_set(("acute",), True),
    ),
    _referral_defect(
        "referral-not-reviewed-with-patient",
        "REFERRAL-004",
        "The referral declares that it was not reviewed with the patient.",
        pointer="/reviewedWithPatient",
        change=_set(("reviewedWithPatient",), False),
    ),
    _referral_defect(
        "referral-received-before-issued",
        "REFERRAL-027",
        "The referral was issued two days after the date it was received.",
        pointer="/assessment/received",
        change=_issued_after_receipt,
        applies=lambda plan, ctx: (
            date.fromisoformat(plan.referral["assessment"]["received"]) + timedelta(days=2)
            <= ctx.end
        ),
    ),
    _referral_defect(
        "referral-assessed-before-received",
        "REFERRAL-028",
        "The referral's assessment is dated before its receipt (an instance started up to 2023).",
        pointer="/assessment/assessed",
        change=_assessed_before_receipt,
        applies=_has_assessed_pf,
    ),
    _referral_defect(
        "referral-assessed-after-export",
        "EVENT-002",
        "The referral's assessment is dated after the export was created (a start up to 2023).",
        pointer="/assessment/assessed",
        change=_assessed_after_export,
        applies=_has_assessed_pf,
    ),
    _referral_defect(
        "referral-unknown-kind",
        "SCHEMA-002",
        "The referral's kind is not one of the schema's values.",
        pointer="/kind",
        change=_set(("kind",), "planned"),
    ),
    _referral_defect(
        "referral-names-epicrisis-schema",
        "INPUT-012",
        "The referral names the epicrisis schema in its $schema.",
        pointer="/$schema",
        change=_set(("$schema",), DOCUMENT_SCHEMAS["epicrisis"]),
    ),
    _referral_defect(
        "referral-byte-order-mark",
        "INPUT-004",
        "The referral file starts with a UTF-8 byte-order mark.",
        pointer=None,
        change=_bom,
    ),
)


def _wrong_digest(plan: Plan, _ctx: Context, _rng: random.Random) -> list[TruthEntry]:
    plan.referral_wrong_digest = True
    entry = _entry(
        plan,
        "manifest-wrong-digest",
        ("INPUT-016",),
        "The manifest declares a wrong SHA-256 digest for the referral file.",
        file="manifest.json",
    )
    plan.truth.append(entry)  # the writer sets the pointer to the manifest entry
    return []


MANIFEST_DEFECT: Final = Defect(
    "manifest-wrong-digest",
    ("INPUT-016",),
    "The manifest declares a wrong SHA-256 digest for a referral file.",
    lambda _plan, _ctx: True,
    _wrong_digest,
)


def wrong_digest(data: bytes) -> str:
    """A digest that is not the file's (the digest of the file with one more byte)."""
    return hashlib.sha256(data + b"\n").hexdigest()


# -- epicrisis defects -----------------------------------------------------------------------------


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
            _entry(plan, name, (rule,), description, file=plan.epicrisis_path, pointer=pointer)
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


def _other_ending(plan: Plan) -> str | None:
    ending = plan.ending
    if ending is None:
        return None
    others = sorted(
        s for s in listed_suffixes(plan.pathway) if s.startswith("X") and s != ending.suffix
    )
    return f"{plan.pathway}{others[0]}" if others else None


def _end_code_mismatch(plan: Plan, _ctx: Context, _rng: random.Random) -> None:
    other = _other_ending(plan)
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


def _ended_before_export_end(plan: Plan, ctx: Context) -> bool:
    ending = plan.ending
    return ending is not None and ending.day < ctx.end


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
        applies=_ended_before_export_end,
    ),
    _epicrisis_defect(
        "epicrisis-end-code-mismatch",
        (("EPICRISIS-010", "/pathway/endCode"),),
        "The epicrisis states another ending code than the one registered.",
        change=_end_code_mismatch,
        applies=lambda plan, _ctx: _other_ending(plan) is not None,
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


# -- event defects -------------------------------------------------------------------------------


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
        return _on_event(event, _entry(plan, name, (rule,), description, pointer=pointer))

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
        return _on_event(event, _entry(plan, name, (rule,), description, pointer=pointer))

    return Defect(name, (rule,), description, applies, inject)


def _event_before_start(plan: Plan, ctx: Context, rng: random.Random) -> Event | None:
    day = plan.start - timedelta(days=rng.randint(1, 20))
    start = plan.first("A")
    if start is None:
        return None
    event = _new_event(plan, ctx, "UB", day, like=start)
    _insert(plan, event, after=start)
    return event


def _can_precede_start(plan: Plan, _ctx: Context) -> bool:
    day = plan.start - timedelta(days=20)
    return _valid_on(f"{plan.pathway}UB", day) and plan.first("A") is not None


def _second_start(plan: Plan, ctx: Context, rng: random.Random) -> Event | None:
    start = plan.first("A")
    latest = _latest(plan, ctx)
    if start is None or latest <= start.day:
        return None
    event = _new_event(
        plan, ctx, "A", start.day + timedelta(days=rng.randint(1, (latest - start.day).days))
    )
    _insert(plan, event)
    return event


def _has_room_after_start(plan: Plan, ctx: Context) -> bool:
    start = plan.first("A")
    return start is not None and _latest(plan, ctx) > start.day


def _single_decision(plan: Plan, ctx: Context, *, maximum: int) -> bool:
    decisions = plan.with_letter("C")
    return (
        len(decisions) == 1
        and decisions[0].suffix != "CU"
        and _max_decisions(plan) == maximum
        and _latest(plan, ctx) > decisions[0].day
    )


def _max_decisions(plan: Plan) -> int:
    return pathway(plan.pathway).ordering.max_clinical_decisions


def _extra_decision(plan: Plan, ctx: Context, rng: random.Random) -> Event | None:
    decision = plan.with_letter("C")[0]
    latest = _latest(plan, ctx)
    day = decision.day + timedelta(days=rng.randint(1, min(14, (latest - decision.day).days)))
    event = _new_event(plan, ctx, decision.suffix, day)
    _insert(plan, event)
    return event


def _second_ending(plan: Plan, ctx: Context, _rng: random.Random) -> Event | None:
    ending = plan.ending
    other = _other_ending(plan)
    if ending is None or other is None:
        return None
    event = _new_event(plan, ctx, other[3:], ending.day, like=ending)
    _insert(plan, event, after=ending)
    return event


def _event_after_ending(plan: Plan, ctx: Context, rng: random.Random) -> Event | None:
    ending = plan.ending
    if ending is None:
        return None
    day = ending.day + timedelta(days=rng.randint(1, min(30, (ctx.end - ending.day).days)))
    event = _new_event(plan, ctx, "SM", day)
    _insert(plan, event)
    return event


def _second_feedback(plan: Plan, ctx: Context, _rng: random.Random) -> Event | None:
    feedback = next((event for event in plan.events if event.suffix == "UF"), None)
    if feedback is None:
        return None
    event = _new_event(plan, ctx, "UF", feedback.day, like=feedback)
    _insert(plan, event, after=feedback)
    return event


def _evaluation_before_decision(plan: Plan, ctx: Context, rng: random.Random) -> Event | None:
    decision = plan.first("C")
    start = plan.first("A")
    if decision is None or start is None or decision.day <= start.day:
        return None
    day = start.day + timedelta(days=rng.randint(0, (decision.day - start.day).days - 1))
    event = _new_event(plan, ctx, "E", day)
    _insert(plan, event)
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
        applies=lambda plan, _ctx: plan.ending is not None and _other_ending(plan) is not None,
    ),
    _added_event_defect(
        "event-after-ending",
        "PATHWAY-010",
        "A meeting is registered after the pathway's ending.",
        pointer="/date",
        add=_event_after_ending,
        applies=_ended_before_export_end,
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
        return _on_event(start, _entry(plan, name, (rule,), description, pointer="/date"))

    return Defect(name, (rule,), description, applies, inject)


START_DEFECTS: Final = (
    _move_start(
        "start-not-on-receipt",
        "PATHWAY-016",
        "A start up to 2023 is dated after the day the referral was received.",
    ),
)

#: Every defect kind, in a fixed order.
DEFECTS: Final[tuple[Defect, ...]] = (
    *REFERRAL_DEFECTS,
    MANIFEST_DEFECT,
    *EPICRISIS_DEFECTS,
    *ACTIVITY_DEFECTS,
    *ADDED_EVENT_DEFECTS,
    *START_DEFECTS,
)


class DefectPicker:
    """Chooses a defect for an instance: the least used that applies, ties broken at random."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used = dict.fromkeys((defect.name for defect in DEFECTS), 0)

    def inject(self, plan: Plan, ctx: Context) -> list[TruthEntry]:
        """Inject one defect into ``plan``; its truth entries (the writer completes some)."""
        applicable = [defect for defect in DEFECTS if defect.applies(plan, ctx)]
        if not applicable:
            return []
        fewest = min(self.used[defect.name] for defect in applicable)
        defect = self.rng.choice([d for d in applicable if self.used[d.name] == fewest])
        self.used[defect.name] += 1
        entries = defect.inject(plan, ctx, self.rng)
        plan.truth.extend(entry for entry in entries if entry not in plan.truth)
        return plan.truth
