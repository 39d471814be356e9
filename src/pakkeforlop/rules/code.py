"""CODE rules: kodeverk 9327 pathway codes in events and epicrises, and coded values' texts.

The schema checks the form of a 9327 code (CODE-001, reported by the engine from the
schema's ``pattern``: D, two digits, one to three letters); the checks here take over for
well-formed codes: membership in the code-list version in force on the document's date
(CODE-002, a warning, because the list is a snapshot and lags new codes), provisional
codes (CODE-003), the pathway prefix against the pathway type (CODE-004) and the validity
dates (CODE-005). An ungrammatical code gets only the grammar finding.

Decisions:

* A code without ``valid_from`` / ``valid_to`` is valid on every date (D09 and D10 have none
  because their start is uncertain; the kit does not guess).
* CODE-005 judges only codes the list has: an unlisted code (CODE-002) is compared with its
  pathway's start by EVENT-003, so no event is reported twice. Events the pathway data allow
  before the start (``events_before_start``: D06P, symptom onset) are not checked: their date
  is historical (when the symptoms began) and may precede the pathway's existence.
* CODE-006 compares display texts after Unicode NFC normalisation, collapsing whitespace and
  ignoring case: those differences do not change what a reader sees the code to mean.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from datetime import date
from functools import lru_cache
from typing import Any

from pakkeforlop.data.codes import Code, CodeSystem, ListVersion, code_system, code_system_by_oid
from pakkeforlop.data.evidence import CodeStatus
from pakkeforlop.data.pathways import pathways
from pakkeforlop.model import pointers
from pakkeforlop.model.facts import get, parse_day
from pakkeforlop.model.records import Document, ExportFacts
from pakkeforlop.rules._per_document import (
    TRIPLE,
    Verdicts,
    document_index,
    none_placed_flagged,
    per_document,
    plain_text,
)
from pakkeforlop.rules.checks import Hit, document_check, engine_rule

EVENT_CODES = "9327"
PATHWAY_TYPES = "9321"

engine_rule("CODE-001", "pathway-event", "epicrisis")

#: Where a listed code sits in an event, the code, and the list that dates it.
Dated = tuple[str, Code, CodeSystem]


def version_label(system: CodeSystem) -> str:
    """How findings name the code-list version they used: ``2025-06-03 snapshot``."""
    if system.status is CodeStatus.SNAPSHOT:
        return f"{system.version} snapshot"
    return f"version {system.version}"


def list_version_label(system: CodeSystem, version: ListVersion) -> str:
    """How findings name the list version applied on a date: ``list 2019, 2025-06-03 snapshot``."""
    return f"list {version.id}, {version_label(system)}"


def document_day(document: Document) -> date | None:
    """The date a document's 9327 code is judged on: an event's date, an epicrisis's sent date."""
    member = "date" if document.kind == "pathway-event" else "sent"
    return parse_day(document.value.get(member))


def pathway_code(document: Document) -> tuple[str, str, Any] | None:
    """``(pointer, code, pathway type)`` of a document's 9327 code, if it has a string one.

    An event's code is ``/code`` with its ``pathwayType``; an epicrisis's is the end code
    ``/pathway/endCode`` with the type's code.
    """
    value = document.value
    if document.kind == "pathway-event":
        pointer, code, pathway_type = "/code", value.get("code"), value.get("pathwayType")
    else:
        pathway = value.get("pathway") if isinstance(value, dict) else None
        if not isinstance(pathway, dict):
            return None
        pointer, code = "/pathway/endCode", pathway.get("endCode")
        pathway_type = get(pathway, "type", "code")
    if not isinstance(code, str):
        return None
    return pointer, code, pathway_type


@lru_cache(maxsize=1024)
def _well_formed(code: str) -> bool:
    """Whether a 9327 code is grammatical: an export writes a few dozen codes, each many times
    (a look-up here costs a fraction of the grammar's regular expression)."""
    return code_system(EVENT_CODES).matches_grammar(code)


@lru_cache(maxsize=1024)
def _listed_every_day(code: str) -> bool:
    """Whether a 9327 code is in every list version the kit applies, so that CODE-002 finds it
    listed whatever the document's date (the version applied on a day is always one in force).

    Why: an export writes a few dozen codes, each many times, nearly all of them in every
    version; for those the date is not read and no version is looked up.
    """
    system = code_system(EVENT_CODES)
    in_force = [version for version in system.versions if version.in_force]
    return (
        system.get(code) is not None
        and bool(in_force)
        and all(version.has(code) for version in in_force)
    )


@per_document
def _grammatical(document: Document, _facts: ExportFacts) -> tuple[str, str, Any] | None:
    """The document's 9327 code when it is grammatical (four checks ask, once per document)."""
    found = pathway_code(document)
    if found is None or not _well_formed(found[1]):
        return None  # CODE-001 (the schema's pattern) reports it
    return found


def pathway_name(code: str) -> str:
    """The pathway type's English name, from its definition (or the code if it has none)."""
    definition = pathways().get(code)
    return definition.name_en if definition is not None else code


def listed_for(suffix: str) -> str:
    """The pathways whose codes in the active list end in ``suffix``: ``D01, D06``, or ``none``."""
    prefixes = [code.code[:3] for code in code_system(EVENT_CODES) if code.code[3:] == suffix]
    return ", ".join(sorted(prefixes)) or "none"


@document_check("CODE-002", "pathway-event", "epicrisis", reads=("code", "pathwayType", "date"))
def code_in_list(document: Document, facts: ExportFacts) -> tuple[Hit, ...]:
    """A well-formed 9327 code is in the code-list version in force on the document's date.

    The CODE checks of every document return their hits as a tuple, not as a generator: they
    nearly always find nothing, and a generator cost more to make and run out than that.
    """
    found = _grammatical(document, facts)
    if found is None:
        return ()
    pointer, code, _ = found
    if _listed_every_day(code):
        return ()  # nearly every code: its date need not be read
    system = code_system(EVENT_CODES)
    day = document_day(document)
    if system.lists_on(code, day):
        return ()
    pathway, suffix = code[:3], code[3:]
    return (
        Hit(
            pointer=pointer,
            args={
                "code": code,
                "version": list_version_label(system, system.version_on(day)),
                "pathway": pathway,
                "pathway_name": pathway_name(pathway),
                "suffix": suffix,
                "meaning": system.meaning(suffix) or "this event",
                "listed_for": listed_for(suffix),
            },
        ),
    )


@document_check("CODE-003", "pathway-event", reads=("code", "pathwayType"))
def provisional_code(document: Document, facts: ExportFacts) -> Iterator[Hit]:
    """A provisional code: known from the coding guide, absent from the snapshot."""
    found = _grammatical(document, facts)
    if found is None:
        return
    pointer, code, _ = found
    system = code_system(EVENT_CODES)
    listed = system.get(code)
    if listed is not None and listed.status is CodeStatus.PROVISIONAL:
        yield Hit(
            pointer=pointer,
            args={"code": code, "version": version_label(system)},
        )


@document_check("CODE-004", "pathway-event", "epicrisis", reads=("code", "pathwayType"))
def prefix_matches_type(document: Document, facts: ExportFacts) -> tuple[Hit, ...]:
    """The code's pathway prefix is the pathway type (REG-03)."""
    found = _grammatical(document, facts)
    if found is None:
        return ()
    pointer, code, pathway_type = found
    if not isinstance(pathway_type, str) or pathway_type not in code_system(PATHWAY_TYPES):
        return ()  # the schema reports a missing or unknown pathway type
    if code[:3] == pathway_type:
        return ()
    return (Hit(pointer=pointer, args={"code": code, "prefix": code[:3], "type": pathway_type}),)


def _window(code: Code, words: tuple[str, str, str] = ("from", "to", "until")) -> str:
    """The validity of a listed code in words: ``from 2019-02-15``."""
    start, middle, end = words
    if code.valid_from is not None and code.valid_to is not None:
        return f"{start} {code.valid_from.isoformat()} {middle} {code.valid_to.isoformat()}"
    if code.valid_from is not None:
        return f"{start} {code.valid_from.isoformat()}"
    return f"{end} {code.valid_to.isoformat()}" if code.valid_to is not None else ""


def _before_start_allowed(code: str) -> bool:
    """Whether the code's event may be dated before the start (D06P: a historical date)."""
    pathway = pathways().get(code[:3])
    return pathway is not None and code[3:4] in pathway.ordering.events_before_start


@lru_cache(maxsize=1024)
def _dated(pointer: str, code: str, pathway_type: str | None) -> tuple[Dated, ...]:
    """What CODE-005 compares with an event's date, memoised per code and pathway type.

    The listed code (at ``pointer``) and then the listed pathway type, each only when it has a
    validity window: a code without one is valid on every date.
    """
    listed = code_system(EVENT_CODES).get(code)
    if listed is None or _before_start_allowed(code):
        return ()  # unlisted codes: EVENT-003 compares them with the pathway's start
    candidates: list[Dated] = [(pointer, listed, code_system(EVENT_CODES))]
    types = code_system(PATHWAY_TYPES)
    listed_type = types.get(pathway_type) if pathway_type is not None else None
    if listed_type is not None:
        candidates.append(("/pathwayType", listed_type, types))
    return tuple(
        (where, entry, system)
        for where, entry, system in candidates
        if entry.valid_from is not None or entry.valid_to is not None
    )


@document_check("CODE-005", "pathway-event", reads=("code", "pathwayType", "date"))
def valid_on_date(document: Document, facts: ExportFacts) -> Iterator[Hit]:
    """A listed code, and the pathway type, are valid on the event's date."""
    found = _grammatical(document, facts)
    if found is None:
        return
    pointer, code, pathway_type = found
    candidates = _dated(pointer, code, pathway_type if isinstance(pathway_type, str) else None)
    day = parse_day(document.value.get("date")) if candidates else None
    if day is None:
        return
    for where, entry, system in candidates:
        if not entry.valid_on(day):
            yield Hit(
                pointer=where,
                args={
                    "code": entry.code,
                    "date": day.isoformat(),
                    "kodeverk": system.kodeverk,
                    "version": version_label(system),
                    "window": _window(entry),
                    "window_nb": _window(entry, ("fra", "til", "til og med")),
                },
            )
            return


_SPACE = re.compile(r"\s+")


def normalise_display(text: str) -> str:
    """A display text as CODE-006 compares it: NFC, single spaces, no case."""
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip().casefold()


def coded_values(index: pointers.Index) -> Iterator[tuple[pointers.Path, dict[str, Any]]]:
    """Every object with string ``system``, ``code`` and ``display`` members, with its path."""
    for path, item in index.objects:
        if (
            isinstance(item.get("display"), str)
            and isinstance(item.get("code"), str)
            and isinstance(item.get("system"), str)
        ):
            yield path, item


@lru_cache(maxsize=4096)
def _listed_if_display_differs(oid: str, code: str, display: str) -> tuple[CodeSystem, Code] | None:
    """The code list and its entry when ``display`` is not the list's text for the code.

    ``None`` also for a list the kit does not carry, or a code the schema rejects.
    """
    system = code_system_by_oid(oid)
    listed = system.get(code) if system is not None else None
    if system is None or listed is None:
        return None
    if normalise_display(display) == normalise_display(listed.text):
        return None
    return system, listed


def _differs_as_written(triple: bytes) -> bool:
    """Whether a coded value, written as in a plain text (see
    :meth:`~pakkeforlop.rules._per_document.PlainText.coded`), gives a CODE-006 finding."""
    found = TRIPLE.match(triple)
    if found is None:  # not a coded value's text: never the case for what ``coded`` finds
        return True
    system, code, display = (part.decode("utf-8") for part in found.groups())
    return _listed_if_display_differs(system, code, display) is not None


def _differs(triple: tuple[str, ...]) -> bool:
    """Whether a coded value's system, code and display give a CODE-006 finding."""
    system, code, display = triple
    return _listed_if_display_differs(system, code, display) is not None


#: CODE-006's verdicts on the coded values of the documents, as values and as the texts write
#: them (a few hundred distinct codes and texts, each written at a few indentations).
_DISPLAYS = (
    Verdicts[tuple[str, ...]](_differs, kept=1 << 12),
    Verdicts[bytes](_differs_as_written, kept=1 << 12),
)
_CODED = ("system", "code", "display")


@document_check("CODE-006", "referral", "epicrisis", "feedback")
def display_matches_text(document: Document, facts: ExportFacts) -> tuple[Hit, ...]:
    """A coded value's display text is the code list's text for its code.

    First, whether the document shows that no coded value's display differs: read where its
    schema places coded values, once it passed, else searched in its text (a text that
    cannot be searched shows nothing). Only where it does not are its objects walked.
    """
    values, written = _DISPLAYS
    none_flagged = none_placed_flagged(document, _CODED, values)  # (see coded_values)
    if none_flagged is None:
        plain = plain_text(document, facts)
        coded_in_text = plain.coded() if plain is not None else None
        none_flagged = coded_in_text is not None and written.none_flagged(coded_in_text)
    if none_flagged:
        return ()  # no coded value differs: no walk is needed
    return tuple(_differing_displays(document, facts))


def _differing_displays(document: Document, facts: ExportFacts) -> Iterator[Hit]:
    """CODE-006's hits, found by a walk of every object of the document."""
    for path, coded in coded_values(document_index(document, facts)):
        differs = _listed_if_display_differs(coded["system"], coded["code"], coded["display"])
        if differs is not None:
            system, listed = differs
            yield Hit(
                pointer=pointers.pointer((*path, "display")),
                args={
                    "code": coded["code"],
                    "kodeverk": system.kodeverk,
                    "version": version_label(system),
                    "display": coded["display"],
                    "text": listed.text,
                },
            )
