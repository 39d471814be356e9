"""IDENTIFIER rules: person, organisation and HPR numbers in referrals, epicrises and events.

The number checks themselves live in :mod:`pakkeforlop.model.identifiers`; this module only finds
the identifiers in a document and turns the problems found into hits. Messages name the problem code
and the identifier type, never the number.

Where the schema already rejects an identifier's form (not 11 digits, a type outside kodeverk
8116, an organisation number that is not 9 digits), the schema finding reports it and the checks
here stay silent, so that one mistake gives one finding. Person-identifier schema violations
are claimed by IDENTIFIER-001 through its ``schema_pointers``.

"Today", for the no-future-birth-date check and the 2032 rule, is the export's creation date
when the manifest gives one (and it is not later than the real today), else the real today: the
day the check started, the same for every document of one run.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from types import MappingProxyType
from typing import cast

from pakkeforlop.model import pointers
from pakkeforlop.model.facts import parse_day
from pakkeforlop.model.identifiers import (
    SYNTHETIC_DOLLY,
    SYNTHETIC_TEST_NORGE,
    SYNTHETIC_UNKNOWN_OFFSET,
    IdCheck,
    PersonIdType,
    ProblemCode,
    ProblemSeverity,
    check_hpr_number,
    check_org_number,
    check_person_id,
)
from pakkeforlop.model.person_numbers import common_check, common_person_id
from pakkeforlop.model.records import Document, ExportFacts
from pakkeforlop.rules._per_document import (
    Verdicts,
    document_index,
    per_document,
    placed,
    plain_text,
)
from pakkeforlop.rules.checks import Hit, document_check, export_condition

PERSON_KINDS = ("referral", "epicrisis", "feedback", "pathway-event")
BIRTH_DATE_KINDS = ("referral", "epicrisis", "feedback")
ORG_KINDS = ("export-manifest", "referral", "epicrisis", "feedback", "pathway-event")
HPR_KINDS = ("referral", "epicrisis", "feedback")

PRODUCTION = "production"

#: What the synthetic markers mean, for messages (no digits of the number).
SYNTHETIC_MARKERS = {
    SYNTHETIC_TEST_NORGE: "Skatteetaten Test-Norge/Tenor, +80 on the month",
    SYNTHETIC_DOLLY: "NAV Dolly, +40 on the month",
    SYNTHETIC_UNKNOWN_OFFSET: "month above 12 with no known offset",
}

#: The hits on a number that is not a valid synthetic one: none (see ``PersonId.synthetic_hits``).
_NOT_SYNTHETIC: tuple[tuple[Hit, ...], tuple[Hit, ...]] = ((), ())

# The forms the JSON Schemas accept (defs.schema.json); jsonschema applies them with re.search.
_PERSON_FORM = {PersonIdType.DUF: re.compile(r"^[0-9]{12}$")}
_PERSON_FORM_DEFAULT = re.compile(r"^[0-9]{11}$")
_ORG_FORM = re.compile(r"^[0-9]{9}$")
_HPR_FORM = re.compile(r"^[0-9]{1,9}$")


class PersonId:
    """A person identifier's number with the outcome of its check: one for each number, kept
    by the memo of checks and shared by every document and line that holds the number.

    Why a plain class: the memo builds one per distinct number, so a document costs a look-up,
    not a construction (a frozen dataclass sets each field through ``object.__setattr__``).
    What the checks ask of every document (valid, synthetic, birth date) is held as plain
    attributes, and a common number (see :func:`~pakkeforlop.model.person_numbers.
    common_person_id`) makes its :class:`IdCheck` only when one is asked for: nearly every
    number of an export is common, and a result object cost as much as the rest of its check.
    Nothing changes one after it is made (the check made on demand is the one it stands for).
    """

    __slots__ = (
        "_check",
        "birth_date",
        "birth_text",
        "id_type",
        "only_under_2032_rule",
        "synthetic",
        "synthetic_hits",
        "valid",
        "value",
    )

    def __init__(
        self,
        value: str,
        id_type: str,
        synthetic: str | None,
        birth: date | None,
        check: IdCheck | None = None,
    ) -> None:
        """The number ``value`` of type ``id_type`` with the outcome of its ``check``; without
        one, a common number (see :func:`common_person_id`), whose synthetic marker and birth
        date are all its check finds. (A common number's person id is made here directly, not
        by a class method: the extra call, and attributes set through a method, cost a sixth
        of the object, and nearly every number of an export is common.)"""
        self.value = value
        self.id_type = id_type
        self._check = check
        #: What the check found: no error, the synthetic marker, the birth date if one.
        self.valid = check is None or check.valid
        self.synthetic = synthetic
        self.birth_date = birth
        #: The birth date the number gives, as a document writes it (``YYYY-MM-DD``), if any.
        self.birth_text = None if birth is None else birth.isoformat()
        #: Whether the check noted that only the rule for numbers from 2032 makes it valid.
        self.only_under_2032_rule = (
            check is not None
            and check.valid_only_under_2032_rule
            and any(problem.code is ProblemCode.FIRST_CHECK_2032_ONLY for problem in check.problems)
        )
        #: IDENTIFIER-003/004's hits on the number: in a document, and on an event line.
        self.synthetic_hits = (
            _synthetic_hits(id_type, synthetic)
            if self.valid and synthetic in SYNTHETIC_MARKERS
            else _NOT_SYNTHETIC
        )

    @classmethod
    def checked(cls, value: str, check: IdCheck) -> PersonId:
        """The person id of ``value`` with the outcome of its check (any number)."""
        return cls(value, check.id_type, check.synthetic, check.birth_date, check)

    @property
    def check(self) -> IdCheck:
        """The outcome of the number's check: what :func:`check_person_id` gives."""
        check = self._check
        if check is None:  # a common number: a birth date, no problem but its marker
            birth = cast("date", self.birth_date)
            check = self._check = common_check(self.id_type, self.synthetic, birth)
        return check


#: Where the patient's number is in a document, and on an event line (whose ``patient`` is the
#: identifier object).
_IN_DOCUMENT, _ON_LINE = "/patient/identifier/value", "/patient/value"


def value_pointer(document: Document) -> str:
    """Where the patient's number is: an event line's ``patient`` is the identifier object."""
    return _ON_LINE if document.kind == "pathway-event" else _IN_DOCUMENT


def today_for(facts: ExportFacts) -> date:
    """The date birth dates and the 2032 rule are judged against."""
    created, today = facts.created, facts.checked_on
    return today if created is None or today < created else created


class _PersonChecks:
    """The checked person identifiers, memoised by number for each declared type and "today";
    ``None`` for an identifier left to the schema.

    Why: a patient's number is in their referral, their epicrisis, their feedback and on lines
    of the events files, read hundreds of thousands of files apart, so the memo must hold many
    patients to help at all. An entry is the number's text, its check and its
    :class:`PersonId` (about 340 bytes, where a ``lru_cache`` entry with its key and result
    tuples took 450): at most ``kept`` entries, about 22 MiB per process. A full memo starts
    afresh, and a check for another "today" empties it (a run judges every document against
    one day).
    """

    __slots__ = ("by_type", "kept", "size", "today")

    def __init__(self, kept: int) -> None:
        self.kept = kept
        self.size = 0
        self.today: date | None = None
        #: Keyed by the type as written (a look-up by the enum would run its hash, Python code).
        self.by_type: dict[str, dict[str, PersonId | None]] = {}

    def clear(self) -> None:
        """Forget every check."""
        self.by_type.clear()
        self.size = 0

    def __call__(self, raw_type: str, value: str, today: date) -> PersonId | None:
        if today != self.today or self.size >= self.kept:
            self.clear()
            self.today = today
        known = self.by_type.get(raw_type)
        if known is None:
            if raw_type not in _PERSON_TYPES:
                return None  # a type outside the schema's enum: the schema finding reports it
            known = self.by_type[raw_type] = {}
        found = known.get(value, _UNKNOWN)
        if found is not _UNKNOWN:
            return found
        id_type, length, form = _PERSON_TYPES[raw_type]
        common = common_person_id(value, id_type, today)  # 11 ASCII digits, if not None
        if common is not None:  # nearly every number: no IdCheck is made for it
            found = PersonId(value, raw_type, *common)
        elif (len(value) == length and value.isascii() and value.isdigit()) or form.search(value):
            found = PersonId.checked(value, check_person_id(value, id_type, today=today))
        else:
            found = None  # the schema's pattern rejects the form: its finding reports it
        known[value] = found
        self.size += 1
        return found


#: Each type as written: the type, the length and the form of its numbers (the schema's).
_PERSON_TYPES = {
    id_type.value: (
        id_type,
        12 if id_type is PersonIdType.DUF else 11,
        _PERSON_FORM.get(id_type, _PERSON_FORM_DEFAULT),
    )
    for id_type in PersonIdType
}
#: What the memo holds for a number it has not checked (``None`` is a number left to the schema).
_UNKNOWN = PersonId.checked("", IdCheck("", valid=False))
_checked = _PersonChecks(1 << 16)


@per_document
def person_id(document: Document, facts: ExportFacts) -> PersonId | None:
    """The document's patient identifier, checked; ``None`` if absent or left to the schema.

    Several checks ask for it; it is found and checked once per document (so one document is
    judged against one "today").
    """
    value = document.value
    identifier = value.get("patient") if isinstance(value, dict) else None
    if document.kind != "pathway-event":  # an event line's patient is the identifier itself
        identifier = identifier.get("identifier") if isinstance(identifier, dict) else None
    if not isinstance(identifier, dict):
        return None
    raw_type, number = identifier.get("type"), identifier.get("value")
    if not isinstance(raw_type, str) or not isinstance(number, str):
        return None
    return _checked(raw_type, number, today_for(facts))


def errors(check: IdCheck) -> list[tuple[str, str]]:
    """``(problem code, message)`` of every error-severity problem of an identifier check."""
    return [(str(p.code), p.message) for p in check.problems if p.severity is ProblemSeverity.ERROR]


#: What the person-identifier checks read of an NDJSON event line.
PATIENT = ("patient",)


def numbers_agree(document: Document, facts: ExportFacts) -> bool:
    """The quiet test (see :attr:`~pakkeforlop.rules.checks.Check.quiet`) of IDENTIFIER-001,
    002, 005, 006 and 007: the patient's number is valid, and not only under the 2032 rule;
    a stated birth date is written as the number's; every organisation number and (in the
    kinds HPR numbers are checked in) every HPR number is shown to pass.

    Why one test for the five: they look at the same few members of every document and
    nearly always find nothing. Each of them was a call of its own, three of them with a look
    in the document's memo for the patient's number; the engine asks one test shared by their
    two steps once per document (it keeps the answer by the test), and calls none of them
    where it holds. Where it does not, each runs and judges as it would without it.
    """
    found = person_id(document, facts)
    if found is not None:
        if not found.valid or found.only_under_2032_rule:
            return False
        birth = found.birth_text
        stated = document.value["patient"].get("birthDate")  # (found: ``patient`` is a dict)
        if birth is not None and stated is not None and stated != birth:
            return False
    if not _all_pass(document, facts, "orgNumber", _ORG_NUMBERS):
        return False
    return document.kind not in HPR_KINDS or _all_pass(document, facts, "hpr", _HPR_NUMBERS)


@document_check("IDENTIFIER-001", *PERSON_KINDS, reads=PATIENT, quiet=numbers_agree)
def person_id_valid(document: Document, facts: ExportFacts) -> tuple[Hit, ...]:
    """The patient's identifier is valid for its declared type.

    This check and the others on the patient's number return their hits as a tuple, not as a
    generator: they run on every document, nearly always to find nothing, and a generator
    cost more to make and run out than their test.
    """
    found = person_id(document, facts)
    if found is None or found.valid:
        return ()
    found_errors = errors(found.check)
    return (
        Hit(
            pointer=value_pointer(document),
            args={
                "type": found.id_type,
                "codes": ", ".join(code for code, _ in found_errors),
                "detail": "; ".join(message for _, message in found_errors),
            },
        ),
    )


@document_check("IDENTIFIER-002", *PERSON_KINDS, reads=PATIENT, quiet=numbers_agree)
def person_id_2032_rule(document: Document, facts: ExportFacts) -> tuple[Hit, ...]:
    """The identifier's first check digit is valid only under the rule for numbers from 2032."""
    found = person_id(document, facts)
    if found is None or not found.valid or not found.only_under_2032_rule:
        return ()
    return (Hit(pointer=value_pointer(document), args={"type": found.id_type}),)


def _synthetic(document: Document, facts: ExportFacts) -> tuple[Hit, ...]:
    """A synthetic number (reported once per file: an events file repeats it on every line).

    IDENTIFIER-003 and 004 return this as theirs: the hits their number's :class:`PersonId`
    holds (in a test export 003 reports on every document, so no hit, generator or tuple is
    made for one).
    """
    found = person_id(document, facts)
    if found is None:
        return ()
    in_document, on_line = found.synthetic_hits
    return on_line if document.kind == "pathway-event" else in_document


@lru_cache(maxsize=64)
def _synthetic_hits(id_type: str, synthetic: str) -> tuple[tuple[Hit], tuple[Hit]]:
    """The hits on a valid synthetic number of a type, with a marker: in a document, and on an
    event line (whose ``patient`` is the identifier). One pair for each type and marker, shared.

    Why: in a test export it is every document's (an informational finding, its count capped
    by the recorder), and a frozen ``Hit`` with its arguments cost more to build than the rest
    of the check. Its arguments are read-only, as every hit's are to the recorder.
    """
    args = MappingProxyType({"type": id_type, "marker": SYNTHETIC_MARKERS[synthetic]})
    return (
        (Hit(pointer=_IN_DOCUMENT, args=args),),
        (Hit(pointer=_ON_LINE, args=args),),
    )


@export_condition
def _is_production(_document: object, facts: ExportFacts) -> bool:
    """The manifest says the export holds production data (asked once per export)."""
    return facts.environment == PRODUCTION


@export_condition
def _is_not_production(_document: object, facts: ExportFacts) -> bool:
    """The export is not said to hold production data (asked once per export)."""
    return facts.environment != PRODUCTION


def _person_number(document: Document, facts: ExportFacts) -> str | None:
    """The patient's number: each distinct synthetic one is reported once per file."""
    found = person_id(document, facts)
    return None if found is None else found.value


@document_check(
    "IDENTIFIER-003",
    *PERSON_KINDS,
    applies=_is_not_production,
    reads=PATIENT,
    once_per_file=_person_number,
)
def synthetic_in_test(document: Document, facts: ExportFacts) -> tuple[Hit, ...]:
    """A synthetic test number in a test export (or a file checked without a manifest)."""
    return _synthetic(document, facts)


@document_check(
    "IDENTIFIER-004",
    *PERSON_KINDS,
    applies=_is_production,
    reads=PATIENT,
    once_per_file=_person_number,
)
def synthetic_in_production(document: Document, facts: ExportFacts) -> tuple[Hit, ...]:
    """A synthetic test number in an export that says it holds production data."""
    return _synthetic(document, facts)


@lru_cache(maxsize=4096)
def _org_problems(value: str) -> dict[str, str] | None:
    """The arguments of IDENTIFIER-005's finding on an organisation number, or ``None``: for a
    valid one, and for one the schema reports (not 9 digits)."""
    if _ORG_FORM.search(value) is None:
        return None  # the schema reports a value that is not 9 digits
    check = check_org_number(value)
    if check.valid:
        return None
    found_errors = errors(check)
    return {
        "codes": ", ".join(code for code, _ in found_errors),
        "detail": "; ".join(message for _, message in found_errors),
    }


@lru_cache(maxsize=4096)
def _hpr_flagged(value: str) -> bool:
    """Whether an HPR number fails the heuristic (not one the schema reports: 1 to 9 digits)."""
    if _HPR_FORM.search(value) is None:
        return False
    codes = {problem.code for problem in check_hpr_number(value).problems}
    return ProblemCode.HPR_CHECKSUM_HEURISTIC in codes


def _all_pass(
    document: Document,
    facts: ExportFacts,
    name: str,
    verdicts: tuple[Verdicts[str], Verdicts[bytes]],
) -> bool:
    """Whether the document shows that no member ``name`` gives a finding: read where its
    schema places them, once it passed, else searched in its text (a text that cannot be
    searched shows nothing: its objects are walked)."""
    values, written = verdicts
    found = placed(document, name)  # (a value that is not a string gives no finding)
    if found is not None:
        return values.none_flagged(found)
    plain = plain_text(document, facts)
    return plain is not None and written.none_flagged(plain.strings(name))


#: The verdicts on the organisation and HPR numbers of the documents, as values and as their
#: texts write them: an export names a few hundred organisations and health personnel, in
#: every document.
_ORG_NUMBERS = (
    Verdicts[str](lambda value: _org_problems(value) is not None, 1 << 12),
    Verdicts[bytes](lambda value: _org_problems(value.decode("utf-8")) is not None, 1 << 12),
)
_HPR_NUMBERS = (
    Verdicts[str](_hpr_flagged, 1 << 14),
    Verdicts[bytes](lambda value: _hpr_flagged(value.decode("utf-8")), 1 << 14),
)


@document_check("IDENTIFIER-005", *ORG_KINDS, reads=("institution",), quiet=numbers_agree)
def org_number_valid(document: Document, facts: ExportFacts) -> tuple[Hit, ...]:
    """Every organisation number passes the Enhetsregisteret mod-11 check."""
    if _all_pass(document, facts, "orgNumber", _ORG_NUMBERS):
        return ()
    return tuple(
        Hit(pointer=pointers.pointer(path), args=found)
        for path, value in document_index(document, facts).named("orgNumber")
        if isinstance(value, str) and (found := _org_problems(value)) is not None
    )


@document_check("IDENTIFIER-006", *HPR_KINDS, quiet=numbers_agree)
def hpr_number_heuristic(document: Document, facts: ExportFacts) -> tuple[Hit, ...]:
    """Every HPR number fits the unofficial mod-11 heuristic (a warning at most)."""
    if _all_pass(document, facts, "hpr", _HPR_NUMBERS):
        return ()
    return tuple(
        Hit(pointer=pointers.pointer(path))
        for path, value in document_index(document, facts).named("hpr")
        if isinstance(value, str) and _hpr_flagged(value)
    )


@document_check("IDENTIFIER-007", *BIRTH_DATE_KINDS, quiet=numbers_agree)
def birth_date_agrees(document: Document, facts: ExportFacts) -> tuple[Hit, ...]:
    """A stated birth date agrees with the date in the patient's identifier.

    A stated date written as the identifier's birth date is written (``YYYY-MM-DD``) agrees
    without being parsed: nearly every document's, and its parse is a look-up in a memo that
    the many distinct birth dates of an export keep missing (the text is the person id's,
    made once per number).
    """
    found = person_id(document, facts)
    if found is None or (birth := found.birth_date) is None:
        return ()
    patient = document.value.get("patient")  # a document's value, since it has a person id
    stated = patient.get("birthDate") if isinstance(patient, dict) else None
    if not isinstance(stated, str) or stated == found.birth_text:
        return ()
    stated_day = None if "T" in stated else parse_day(stated)
    if stated_day is None or stated_day == birth:
        return ()
    return (Hit(pointer="/patient/birthDate", args={"type": found.id_type}),)
