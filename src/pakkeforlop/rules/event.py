"""EVENT rules: event and document dates against the export's creation and the programme start."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from pakkeforlop.data.codes import code_system
from pakkeforlop.data.pathways import EVENT_KODEVERK, PATHWAY_TYPE_KODEVERK, pathways
from pakkeforlop.model.facts import DOCUMENT_DATES, document_days, get, parse_day
from pakkeforlop.model.records import Document, ExportFacts
from pakkeforlop.rules.checks import Hit, document_check, export_condition

#: The day the first pathways took patients (domain.md §1.2).
PROGRAMME_START = date(2019, 1, 1)


@export_condition
def _created(_document: Document, facts: ExportFacts) -> bool:
    """The manifest gives the export's creation day (asked once per export)."""
    return facts.created is not None


@document_check("EVENT-001", "pathway-event", applies=_created, reads=("date",))
def event_not_after_export(document: Document, facts: ExportFacts) -> Iterator[Hit]:
    """An event date is not after the day the export was created."""
    day = parse_day(document.value.get("date"))
    if day is not None and facts.created is not None and day > facts.created:
        yield Hit(
            pointer="/date", args={"date": day.isoformat(), "created": facts.created.isoformat()}
        )


@document_check("EVENT-002", "referral", "epicrisis", "feedback", applies=_created)
def document_dates_not_after_export(document: Document, facts: ExportFacts) -> tuple[Hit, ...]:
    """Referral and epicrisis dates of past events are not after the export's creation day.

    Each date is read once per document, for this check and the others that judge it
    (:func:`~pakkeforlop.model.facts.document_days`). A plain function, not a generator, that
    first asks whether any day is after the creation: every referral, epicrisis and feedback
    runs it, almost none has such a day, and a generator costs more to make than that look.
    """
    created, top = facts.created, document.value
    if created is None or not isinstance(top, dict):
        return ()
    days = document_days(document)
    for day in days.values():
        if day is not None and day > created:
            break
    else:
        return ()
    hits = []
    for pointer, parent, name, label in DOCUMENT_DATES.get(document.kind, ()):
        day = days[name]
        if day is not None and day > created:
            value = get(top, name) if parent is None else get(top, parent, name)
            hits.append(
                Hit(
                    pointer=pointer,
                    args={"field": label, "date": str(value), "created": created.isoformat()},
                )
            )
    return tuple(hits)


def _undated(document: Document, _facts: ExportFacts) -> bool:
    """Neither the event's code nor its pathway type has a valid_from (CODE-005 judges those)."""
    code, kind = document.value.get("code"), document.value.get("pathwayType")
    if not isinstance(code, str):
        return False
    for value, kodeverk in ((code, EVENT_KODEVERK), (kind, PATHWAY_TYPE_KODEVERK)):
        listed = code_system(kodeverk).get(value) if isinstance(value, str) else None
        if listed is not None and listed.valid_from is not None:
            return False
    return True


@document_check(
    "EVENT-003", "pathway-event", applies=_undated, reads=("code", "pathwayType", "date")
)
def event_not_before_programme(document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    """An event no code list dates is not before the programme began (2019-01-01)."""
    code = document.value.get("code")
    day = parse_day(document.value.get("date"))
    if not isinstance(code, str) or day is None or day >= PROGRAMME_START:
        return
    pathway = pathways().get(code[:3])
    if pathway is not None and code[3:4] in pathway.ordering.events_before_start:
        return
    yield Hit(
        pointer="/date",
        args={
            "code": code,
            "date": day.isoformat(),
            "programme_start": PROGRAMME_START.isoformat(),
        },
    )
