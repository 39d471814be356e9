"""Defects of a referral (identifiers, dates, members, its file) and of its manifest entry."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Final

from pakkeforlop.data.schemas import DOCUMENT_SCHEMAS
from pakkeforlop.model.identifiers import PersonIdType
from pakkeforlop.synthetic.cast import timestamp
from pakkeforlop.synthetic.defects.base import Defect, truth_entry
from pakkeforlop.synthetic.documents import Context
from pakkeforlop.synthetic.model import Plan, TruthEntry


def _flip_last_digit(value: str) -> str:
    return value[:-1] + str((int(value[-1]) + 1) % 10)


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
        entry = truth_entry(
            plan, name, (rule,), description, file=plan.referral_path, pointer=pointer
        )
        return [entry]

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
    entry = truth_entry(
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
