"""Check Norwegian person, organisation and HPR identifiers without leaking them into reports.

The checks live by the numbers they judge: person numbers in
:mod:`pakkeforlop.model.person_numbers`, organisation and HPR numbers in
:mod:`pakkeforlop.model.register_numbers`, what they find in
:mod:`pakkeforlop.model.identifier_problems`. This module names them all, and masks
identifiers for reports.
"""

from __future__ import annotations

from pakkeforlop.model.identifier_problems import (
    SYNTHETIC_DOLLY,
    SYNTHETIC_TEST_ENHETSREGISTER,
    SYNTHETIC_TEST_NORGE,
    SYNTHETIC_UNKNOWN_OFFSET,
    IdCheck,
    Problem,
    ProblemCode,
    ProblemSeverity,
)
from pakkeforlop.model.person_numbers import (
    PersonIdType,
    check_person_id,
    detect_person_id_type,
    make_fnr,
)
from pakkeforlop.model.register_numbers import check_hpr_number, check_org_number, make_org_number

__all__ = [
    "SYNTHETIC_DOLLY",
    "SYNTHETIC_TEST_ENHETSREGISTER",
    "SYNTHETIC_TEST_NORGE",
    "SYNTHETIC_UNKNOWN_OFFSET",
    "IdCheck",
    "PersonIdType",
    "Problem",
    "ProblemCode",
    "ProblemSeverity",
    "check_hpr_number",
    "check_org_number",
    "check_person_id",
    "detect_person_id_type",
    "make_fnr",
    "make_org_number",
    "mask",
]


def mask(value: str) -> str:
    """Hide an identifier for reports: keep only the last two characters.

    Not the first six: in person numbers those are the birth date. The last two are check
    digits, which say nothing about the person but let a reader match the masked value
    against a source record. Values of two characters or fewer are hidden completely. The
    result has the same length as the input.
    """
    if len(value) <= 2:
        return "*" * len(value)
    return "*" * (len(value) - 2) + value[-2:]
