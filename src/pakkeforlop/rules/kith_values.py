"""KITH rules on identifiers and dates: identifier checks, the HPR form and heuristic, XML
Schema dates and birth dates (KITH-012 to KITH-015, KITH-024); see :mod:`pakkeforlop.rules.kith`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any, Final

from pakkeforlop.kith.message import Element, KithMessage, attr, child, local, namespace, text
from pakkeforlop.model.findings import MessageArg, Personal
from pakkeforlop.model.identifiers import (
    IdCheck,
    PersonIdType,
    ProblemCode,
    check_hpr_number,
    check_org_number,
    check_person_id,
)
from pakkeforlop.model.records import Document, ExportFacts
from pakkeforlop.rules.checks import Hit, document_check
from pakkeforlop.rules.identifier import errors, today_for
from pakkeforlop.rules.kith import (
    KIND,
    Identifier,
    all_elements,
    at,
    identifiers,
    message_of,
    name_of,
    recognised,
)

_LENIENT_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})")
#: How a finding names an XML Schema type.
_TYPE_NAMES: Final = {"TS": "date or time (TS)"}


# -- identifiers and dates --------------------------------------------------------------------


def _check_identifier(found: Identifier, value: str, today: date) -> IdCheck | None:
    """The shared identifier check for the declared type, or ``None`` for unchecked types."""
    code = found.code
    if code in {member.value for member in PersonIdType}:
        return check_person_id(value, code or "", today=today)
    if code == "ENH":
        return check_org_number(value)
    return None  # HPR: KITH-024 and KITH-013, warnings (no published rule for its form)


def _her_problem(value: str) -> tuple[str, str] | None:
    """``(problem code, explanation)`` of a HER-id or RESH-id that is not a valid number."""
    if not (value.isascii() and value.isdigit()):
        return "not-digits", "a HER-id is digits only"
    if value.startswith("0"):
        return "leading-zero", "a HER-id has no leading zero"
    return None


@document_check("KITH-012", KIND, applies=recognised)
def identifiers_valid(document: Document, facts: ExportFacts) -> Iterator[Hit]:
    """Identifiers the mapping does not carry pass the checks of their declared type."""
    message = message_of(document)
    today = today_for(facts)
    for found in identifiers(message):
        if message.is_covered(found.id_element, "text"):
            continue  # the IDENTIFIER rules judge it in the referral or epicrisis
        value = text(found.id_element) or ""
        code = found.code or ""
        if code in {"HER", "RSH"}:
            problem = _her_problem(value)
            if problem is not None:
                yield at(
                    found.id_element,
                    element=name_of(found.id_element),
                    type=code,
                    codes=problem[0],
                    detail=problem[1],
                    hint="",
                )
            continue
        check = _check_identifier(found, value, today)
        if check is None or check.valid:
            continue
        found_errors = errors(check)
        patient = local(found.owner) == "Patient"
        hint = " (AppRec E31)" if patient and code == "FNR" else ""
        yield at(
            found.id_element,
            element=name_of(found.id_element),
            type=code,
            codes=", ".join(problem_code for problem_code, _ in found_errors),
            detail="; ".join(message_text for _, message_text in found_errors),
            hint=hint,
        )


def _hpr_numbers_with(problem: ProblemCode, document: Document) -> Iterator[Hit]:
    """A hit on every HPR number the mapping does not carry whose check reports ``problem``."""
    message = message_of(document)
    for found in identifiers(message):
        if found.code != "HPR" or message.is_covered(found.id_element, "text"):
            continue
        check = check_hpr_number(text(found.id_element) or "")
        if problem in {reported.code for reported in check.problems}:
            yield at(found.id_element, element=name_of(found.id_element))


@document_check("KITH-024", KIND, applies=recognised)
def hpr_digits(document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    """HPR numbers the mapping does not carry are digits only (a warning: no published rule)."""
    return _hpr_numbers_with(ProblemCode.NOT_DIGITS, document)


@document_check("KITH-013", KIND, applies=recognised)
def hpr_heuristic(document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    """HPR numbers the mapping does not carry fit the mod-11 heuristic (a warning at most)."""
    return _hpr_numbers_with(ProblemCode.HPR_CHECKSUM_HEURISTIC, document)


def _dates(message: KithMessage) -> Iterator[tuple[Element, str, str, str]]:
    """``(element, "text" or "V", value, type)`` of every typed date of spec/kith/dates.toml."""
    # Imported here (once per message): the KITH tables are no concern of a check of JSON files,
    # which imports this module to register its checks (see pakkeforlop.kith).
    from pakkeforlop.kith.table import date_types  # noqa: PLC0415

    types = date_types()
    for element in all_elements(message.envelope):
        typed = types.get(namespace(element), {}).get(local(element))
        if typed is None:
            continue
        type_name, where = typed
        value = (element.text or "") if where == "text" else attr(element, "V")
        if value is not None:
            yield element, where, value.strip(), type_name


@document_check("KITH-014", KIND, applies=recognised)
def dates_valid(document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    """Dates the KITH XSDs type are valid values of their type."""
    from pakkeforlop.kith.datatypes import CHECKS  # noqa: PLC0415  (as for _dates)

    message = message_of(document)
    for element, attribute, value, type_name in _dates(message):
        if message.is_covered(element, attribute) or CHECKS[type_name](value):
            continue
        shown: MessageArg = Personal(value) if local(element) == "DateOfBirth" else value
        kind = _TYPE_NAMES.get(type_name, f"xs:{type_name}")
        yield at(element, element=name_of(element), value=shown, type=kind)


def _lenient_day(value: str | None) -> date | None:
    match = _LENIENT_DATE.match(value or "")
    if match is None:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


@document_check("KITH-015", KIND, applies=recognised)
def birth_date_agrees(document: Document, facts: ExportFacts) -> Iterator[Hit]:
    """A stated DateOfBirth agrees with the date in the person's identifier."""
    message = message_of(document)
    today = today_for(facts)
    people: dict[Any, Identifier] = {}
    for found in identifiers(message):
        if found.code in {member.value for member in PersonIdType} and found.owner not in people:
            people[found.owner] = found
    for owner, found in people.items():
        stated_element = child(owner, "DateOfBirth")
        if stated_element is None or message.is_covered(found.id_element, "text"):
            continue
        stated = _lenient_day(text(stated_element) or attr(stated_element, "V"))
        check = check_person_id(text(found.id_element) or "", found.code or "", today=today)
        if stated is not None and check.birth_date is not None and stated != check.birth_date:
            yield at(stated_element, element=name_of(stated_element), type=found.code or "")
