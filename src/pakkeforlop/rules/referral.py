"""REFERRAL rules: what a referral to a pathway carries (domain reference §5, REG-06, REG-09).

Most rules concern a *planned* referral, one whose ``acute`` is not true: an acute case goes
directly to the acute services and not into a pathway (REFERRAL-002), so the pathway referral's
content and process rules are skipped for it.

The content items (the patient's view, triggers, risks, medication, …) are checked by presence
only, from one table: each row names the rule, where the item lives and to which referrals it
applies. A value that breaks the schema (a blank text, an empty object) is the schema's finding;
these checks only ask whether the item is there, so that one mistake gives one finding.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from pakkeforlop.model.facts import document_days, document_moment, get
from pakkeforlop.model.records import Document, ExportFacts
from pakkeforlop.rules.checks import Hit, Present, document_check

#: Pathway types whose referrals go to substance-use treatment (TSB, pregnancy and substances).
TSB_PATHWAYS = frozenset({"D01", "D09"})
#: The newborn pathway: its patient is a newborn child, so risk and substance items do not apply.
NEWBORN_PATHWAY = "D10"
#: What a TSB referral gives per substance (domain reference §5.3), beyond the substance itself.
SUBSTANCE_DETAILS = ("amount", "frequency", "route", "duration", "recentChanges")
#: The legal deadline for assessing a referral, in working days (REG-06).
ASSESSMENT_WORKING_DAYS = 10
#: Senders in the patient's municipality, who are expected to name its pathway coordinator.
MUNICIPAL_SERVICES = frozenset({"gp", "municipal-health-service"})
#: The earliest Norwegian UTC offset (CET); local dates are never earlier than dates in it.
_EARLIEST_NORWEGIAN_OFFSET = timezone(timedelta(hours=1))
#: Norwegian offsets: CET (winter) and CEST (summer).
_CET, _CEST = timedelta(hours=1), timedelta(hours=2)

DocumentApplies = Callable[[Document, ExportFacts], bool]


# -- scope ------------------------------------------------------------------------------------


def _target_pathway(value: dict[str, Any]) -> str | None:
    target = value.get("targetPathway")
    code = target.get("code") if isinstance(target, dict) else None
    return code if isinstance(code, str) else None


# The conditions below are asked for every referral, where a call more each is a cost: each
# reads ``acute`` itself (a planned referral is one whose ``acute`` is not true) rather than
# through ``planned`` or a helper, and the ones that read a member of ``sender`` or
# ``patient`` look it up themselves rather than through
# :func:`~pakkeforlop.model.facts.get`.


def planned(document: Document, _facts: ExportFacts) -> bool:
    """A referral into a pathway: not marked acute."""
    return document.value.get("acute") is not True


def acute(document: Document, _facts: ExportFacts) -> bool:
    """A referral marked acute (øyeblikkelig hjelp)."""
    return document.value.get("acute") is True


def planned_not_newborn(document: Document, _facts: ExportFacts) -> bool:
    """A planned referral, except to the newborn pathway (D10), whose patient is a newborn."""
    value = document.value
    return value.get("acute") is not True and _target_pathway(value) != NEWBORN_PATHWAY


def planned_tsb(document: Document, _facts: ExportFacts) -> bool:
    """A planned referral to TSB (D01) or to the pregnancy and substance-use pathway (D09)."""
    value = document.value
    return value.get("acute") is not True and _target_pathway(value) in TSB_PATHWAYS


def gp_not_referrer(document: Document, _facts: ExportFacts) -> bool:
    """A planned referral whose sender declares that the referrer is not the patient's GP, for
    a patient who has one (``patient.hasRegularGp`` is not false)."""
    value = document.value
    sender = value.get("sender")
    if not isinstance(sender, dict) or sender.get("referrerIsGp") is not False:
        return False  # (most referrals: the declaration is asked first)
    patient = value.get("patient")
    has_gp = patient.get("hasRegularGp") if isinstance(patient, dict) else None
    return value.get("acute") is not True and has_gp is not False


def from_the_municipality(document: Document, _facts: ExportFacts) -> bool:
    """A planned referral from the patient's municipality: not an onward referral between
    specialist units, and a sender whose ``service`` is the GP or a municipal health service
    (or not stated)."""
    value = document.value
    if value.get("acute") is True or value.get("kind") == "onward":
        return False
    sender = value.get("sender")
    service = sender.get("service") if isinstance(sender, dict) else None
    return service is None or service in MUNICIPAL_SERVICES


def onward(document: Document, _facts: ExportFacts) -> bool:
    """An onward referral (viderehenvisning) between specialist units."""
    return document.value.get("kind") == "onward"


def has_assessment(document: Document, _facts: ExportFacts) -> bool:
    """A referral export from the receiving service, with its assessment dates."""
    return isinstance(document.value.get("assessment"), dict)


# -- content items, from one table ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContentItem:
    """One item a referral should contain, checked by presence."""

    rule_id: str
    path: tuple[str, ...]  # members from the document root
    applies: DocumentApplies = planned


CONTENT_ITEMS = (
    ContentItem("REFERRAL-009", ("content", "patientView")),
    ContentItem("REFERRAL-010", ("content", "triggers")),
    ContentItem("REFERRAL-011", ("content", "previousTreatment")),
    ContentItem("REFERRAL-012", ("content", "symptomsAndFunctioning")),
    ContentItem("REFERRAL-013", ("content", "resources")),
    ContentItem("REFERRAL-014", ("content", "somaticStatusAndLifestyle")),
    ContentItem("REFERRAL-015", ("content", "socialAndFamily")),
    ContentItem("REFERRAL-016", ("content", "previousIllness")),
    ContentItem("REFERRAL-017", ("content", "expectedBenefit")),
    ContentItem("REFERRAL-018", ("content", "reason")),
    ContentItem("REFERRAL-019", ("content", "suicideRisk"), planned_not_newborn),
    ContentItem("REFERRAL-020", ("content", "violenceRisk"), planned_not_newborn),
    ContentItem("REFERRAL-021", ("content", "substanceUse"), planned_not_newborn),
    ContentItem("REFERRAL-023", ("medication",)),
    ContentItem("REFERRAL-024", ("diagnoses",)),
    ContentItem("REFERRAL-025", ("individualPlan",)),
)


def _pointer(path: tuple[str, ...]) -> str:
    return "".join(f"/{member}" for member in path)


def missing_at(value: dict[str, Any], path: tuple[str, ...]) -> str | None:
    """The pointer of the nearest existing parent when the item at ``path`` is missing.

    ``None`` when the item is there, or when a parent is not an object (the schema reports
    that). An empty array counts as missing: a ``diagnoses: []`` gives no diagnosis.
    """
    current: Any = value
    for depth, member in enumerate(path):
        if not isinstance(current, dict):
            return None
        if member not in current:
            return _pointer(path[:depth])
        current = current[member]
    return _pointer(path[:-1]) if current == [] else None


def _content_check(path: tuple[str, ...]) -> Callable[[Document, ExportFacts], tuple[Hit, ...]]:
    """The check of one content item: a plain function, not a generator (a referral runs
    sixteen of these, and a generator costs more to make than the check itself)."""

    def check(document: Document, _facts: ExportFacts) -> tuple[Hit, ...]:
        pointer = missing_at(document.value, path)
        return () if pointer is None else (Hit(pointer=pointer),)

    check.__name__ = f"has_{path[-1]}"
    return check


#: No content check finds anything in a referral whose content items are all there with
#: values that are not empty (see :func:`missing_at`): the table's quiet test, asked once per
#: referral (see :attr:`~pakkeforlop.rules.checks.Check.quiet`).
content_complete = Present(*(item.path for item in CONTENT_ITEMS))


for _item in CONTENT_ITEMS:
    document_check(_item.rule_id, "referral", applies=_item.applies, quiet=content_complete)(
        _content_check(_item.path)
    )


# -- who, and the process around the referral -------------------------------------------------


# The checks that run on most referrals (REFERRAL-001, 007 and 030) are plain functions that
# give a tuple, not generators: a generator costs more to make and run out than their look.


@document_check("REFERRAL-001", "referral", applies=from_the_municipality)
def municipal_coordinator_named(document: Document, _facts: ExportFacts) -> tuple[Hit, ...]:
    """R12: a referral from the municipality names the municipal pathway coordinator."""
    if "municipalCoordinator" not in document.value:
        return (Hit(pointer=""),)
    return ()


@document_check("REFERRAL-002", "referral", applies=acute)
def acute_without_target_pathway(document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    """R20: an acute referral is not routed into a pathway."""
    if "targetPathway" in document.value:
        yield Hit(pointer="/targetPathway")


#: No check of REFERRAL-003 to 006 finds anything where these members hold true values.
_PROCESS_DECLARED = Present(("targetPathway",), ("reviewedWithPatient",), ("copyToPatient",))


@document_check("REFERRAL-003", "referral", applies=planned, quiet=_PROCESS_DECLARED)
def target_pathway_marked(document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    """R13: a planned referral is marked with its pathway (at most a warning, see R22)."""
    if "targetPathway" not in document.value:
        yield Hit(pointer="")


@document_check("REFERRAL-004", "referral", applies=planned, quiet=_PROCESS_DECLARED)
def reviewed_with_patient(document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    """R11: the export does not declare that the review with the patient did not happen."""
    if document.value.get("reviewedWithPatient") is False:
        yield Hit(pointer="/reviewedWithPatient")


@document_check("REFERRAL-005", "referral", applies=planned, quiet=_PROCESS_DECLARED)
def review_declared(document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    """R11: the export declares whether the referral was reviewed with the patient."""
    if "reviewedWithPatient" not in document.value:
        yield Hit(pointer="")


@document_check("REFERRAL-006", "referral", applies=planned, quiet=_PROCESS_DECLARED)
def copy_to_patient(document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    """R10: the patient gets a copy of the referral."""
    value = document.value.get("copyToPatient")
    if value is False:
        yield Hit(pointer="/copyToPatient")
    elif value is None:
        yield Hit(pointer="")


@document_check("REFERRAL-007", "referral")
def phone_for_quick_contact(document: Document, _facts: ExportFacts) -> tuple[Hit, ...]:
    """R14: a phone number for quick contact with the referrer."""
    sender = document.value.get("sender")
    if not isinstance(sender, dict):
        return ()  # the schema reports a missing or malformed sender
    referrer = sender.get("referrer")
    direct = referrer.get("phone") if isinstance(referrer, dict) else None
    if sender.get("phone") is None and direct is None:
        return (Hit(pointer="/sender"),)
    return ()


@document_check("REFERRAL-008", "referral", applies=gp_not_referrer)
def gp_consulted(document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    """R17: when someone other than the GP refers, the GP was consulted."""
    value = document.value.get("gpConsulted")
    if value is not True:
        yield Hit(pointer="/gpConsulted" if "gpConsulted" in document.value else "")


def sender_unstated(document: Document, _facts: ExportFacts) -> bool:
    """A referral that does not say which service sends it (``sender.service``)."""
    sender = document.value.get("sender")
    return isinstance(sender, dict) and "service" not in sender


@document_check("REFERRAL-030", "referral", applies=sender_unstated)
def referrer_has_hpr(document: Document, _facts: ExportFacts) -> tuple[Hit, ...]:
    """The referrer is identified by an HPR number (a health service's schema requires it)."""
    referrer = get(document.value, "sender", "referrer")
    if isinstance(referrer, dict) and "hpr" not in referrer:
        return (Hit(pointer="/sender/referrer"),)
    return ()


@document_check("REFERRAL-022", "referral", applies=planned_tsb)
def tsb_substance_details(document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    """§5.3: per substance, amount, frequency, route, duration and recent changes."""
    use = get(document.value, "content", "substanceUse")
    if not isinstance(use, dict):
        return  # no description at all is REFERRAL-021's finding
    substances = use.get("substances")
    if substances is None or substances == []:
        yield Hit(
            pointer="/content/substanceUse",
            args={"missing": "substances", "where": "content.substanceUse"},
        )
        return
    if not isinstance(substances, list):
        return
    for index, entry in enumerate(substances):
        if not isinstance(entry, dict):
            continue
        missing = [detail for detail in SUBSTANCE_DETAILS if detail not in entry]
        if missing:
            yield Hit(
                pointer=f"/content/substanceUse/substances/{index}",
                args={
                    "missing": ", ".join(missing),
                    "where": f"content.substanceUse.substances[{index}]",
                },
            )


@document_check("REFERRAL-026", "referral", applies=onward)
def onward_names_instance(document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    """REG-09: an onward referral carries the pathway instance it continues (ForlopsId)."""
    if "pathwayInstanceId" not in document.value:
        yield Hit(pointer="")


# -- dates ------------------------------------------------------------------------------------


def earliest_local_day(value: object) -> date | None:
    """The earliest Norwegian calendar date a timestamp can fall on, or ``None``.

    Norwegian local time is UTC+01:00 or UTC+02:00; the date in UTC+01:00 is never later
    than the real local date. A timestamp without an offset is taken as local. Total: a moment
    whose date in UTC+01:00 lies beyond the calendar gives the calendar's first or last day.
    """
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return _earliest_day_of(moment)


def _earliest_day_of(moment: datetime) -> date:
    """:func:`earliest_local_day` of a parsed moment."""
    if moment.tzinfo is None:
        return moment.date()
    offset = moment.utcoffset()
    if offset == _CET or (offset == _CEST and moment.hour >= 1):
        # The date as written is the date in UTC+01:00: the conversion (a third of a
        # referral's date checks) is needed only for other offsets, or an hour after midnight.
        return moment.date()
    try:
        return moment.astimezone(_EARLIEST_NORWEGIAN_OFFSET).date()
    except OverflowError:  # within hours of year 1 or 9999: the calendar's end is the answer
        return date.max if moment.year == date.max.year else date.min


def issued_local_day(document: Document) -> date | None:
    """:func:`earliest_local_day` of the referral's ``issued``, from the moment
    :func:`~pakkeforlop.model.facts.document_days` parsed for EVENT-002 where it did (a
    date-time; ``issued`` is one in every referral the schema accepts): parsing it again cost
    a fifth of a microsecond per referral."""
    moment = document_moment(document, "issued")
    if moment is not None:
        return _earliest_day_of(moment)
    return earliest_local_day(document.value.get("issued"))


#: ``[w][r]``: the Mondays to Fridays among the ``r`` days (0 to 6) after a day of weekday ``w``.
_WEEKDAYS_IN_PART_WEEK = tuple(
    tuple(sum((w + offset) % 7 < 5 for offset in range(1, rest + 1)) for rest in range(7))
    for w in range(7)
)


def weekdays_after(start: date, end: date) -> int:
    """Mondays to Fridays after ``start``, up to and including ``end`` (0 if ``end <= start``).

    Five in every whole week, and the rest from a table by the start's weekday: no walk over
    the days (which cost a date and a timedelta per day, on every referral).
    """
    if end <= start:
        return 0
    weeks, rest = divmod((end - start).days, 7)
    return weeks * 5 + _WEEKDAYS_IN_PART_WEEK[start.weekday()][rest]


def assessment_in_order(document: Document, _facts: ExportFacts) -> bool:
    """The quiet test of REFERRAL-027 to 029 (see
    :attr:`~pakkeforlop.rules.checks.Check.quiet`): received not before issued, assessed
    not before received and within the deadline, or too few dates to judge.

    Why: every referral from a receiving service carries its assessment, and almost all are
    in order; one call that judges the three dates costs less than the three checks (a
    generator each, and the engine's work per check). Where it does not hold, each check
    runs and reports its own finding.
    """
    days = document_days(document)
    received, assessed = days["received"], days["assessed"]
    if received is None:
        return True
    issued = issued_local_day(document)
    if issued is not None and received < issued:
        return False
    return assessed is None or (
        assessed >= received and weekdays_after(received, assessed) <= ASSESSMENT_WORKING_DAYS
    )


@document_check("REFERRAL-027", "referral", applies=has_assessment, quiet=assessment_in_order)
def received_after_issued(document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    """The referral is not received before it was issued."""
    issued = issued_local_day(document)
    received = document_days(document)["received"]
    if issued is not None and received is not None and received < issued:
        yield Hit(
            pointer="/assessment/received",
            args={"received": received.isoformat(), "issued": issued.isoformat()},
        )


@document_check("REFERRAL-028", "referral", applies=has_assessment, quiet=assessment_in_order)
def assessed_after_received(document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    """The referral is not assessed before it was received."""
    days = document_days(document)
    received, assessed = days["received"], days["assessed"]
    if received is not None and assessed is not None and assessed < received:
        yield Hit(
            pointer="/assessment/assessed",
            args={"assessed": assessed.isoformat(), "received": received.isoformat()},
        )


@document_check("REFERRAL-029", "referral", applies=has_assessment, quiet=assessment_in_order)
def assessed_within_deadline(document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    """REG-06: the assessment is completed within 10 working days of receipt (weekdays)."""
    dated = document_days(document)
    received, assessed = dated["received"], dated["assessed"]
    if received is None or assessed is None:
        return
    days = weekdays_after(received, assessed)
    if days > ASSESSMENT_WORKING_DAYS:
        yield Hit(pointer="/assessment/assessed", args={"days": days})
