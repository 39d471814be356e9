"""What a check of a Norwegian identifier finds: problems with stable codes, and the outcome.

Shared by the checks of person numbers (:mod:`pakkeforlop.model.person_numbers`) and of
organisation and HPR numbers (:mod:`pakkeforlop.model.register_numbers`), with the few
helpers all of them use. An outcome never holds the value it judged.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Final


class ProblemSeverity(StrEnum):
    """How much a problem matters: only errors make an identifier invalid."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class ProblemCode(StrEnum):
    """Stable machine codes for identifier problems; the values never change between releases."""

    NOT_DIGITS = "not-digits"
    LENGTH = "length"
    CHECKSUM = "checksum"
    INVALID_DATE = "invalid-date"
    FUTURE_BIRTH_DATE = "future-birth-date"
    NO_CENTURY = "no-century"
    TYPE_MISMATCH = "type-mismatch"
    FIRST_CHECK_2032_ONLY = "first-check-2032-only"
    SYNTHETIC = "synthetic"
    BIRTH_CENTURY_AMBIGUOUS = "birth-century-ambiguous"
    LEGACY_H_NUMBER = "legacy-h-number"
    FORMAT_ONLY = "format-only"
    HPR_CHECKSUM_HEURISTIC = "hpr-checksum-heuristic"


SYNTHETIC_TEST_NORGE: Final = "test-norge"
SYNTHETIC_DOLLY: Final = "dolly"
SYNTHETIC_UNKNOWN_OFFSET: Final = "unknown-offset"
SYNTHETIC_TEST_ENHETSREGISTER: Final = "test-enhetsregister-range"


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding about an identifier. ``message`` is English and never contains the value."""

    code: ProblemCode
    message: str
    severity: ProblemSeverity = ProblemSeverity.ERROR


@dataclass(frozen=True, slots=True)
class IdCheck:
    """The outcome of checking one identifier; it deliberately does not hold the value itself.

    ``valid`` is true when no problem has severity ``error``; warnings and infos keep it true.
    ``synthetic`` names a test-data marker ("test-norge", "dolly", "unknown-offset",
    "test-enhetsregister-range") or is ``None``. ``birth_date`` is set only for a valid number
    whose digits give exactly one plausible date.
    """

    id_type: str
    valid: bool
    problems: tuple[Problem, ...] = ()
    synthetic: str | None = None
    valid_only_under_2032_rule: bool = False
    birth_date: date | None = None

    @property
    def codes(self) -> tuple[str, ...]:
        """The problem codes in report order."""
        return tuple(str(p.code) for p in self.problems)


def outcome(
    id_type: str,
    problems: Iterable[Problem],
    *,
    synthetic: str | None = None,
    only_2032: bool = False,
    birth_date: date | None = None,
) -> IdCheck:
    """The check's result: valid when no problem is an error."""
    found = tuple(problems)
    return IdCheck(
        id_type=id_type,
        valid=not any(p.severity is ProblemSeverity.ERROR for p in found),
        problems=found,
        synthetic=synthetic,
        valid_only_under_2032_rule=only_2032,
        birth_date=birth_date,
    )


def is_ascii_digits(value: str) -> bool:
    """Whether the value is ASCII digits only."""
    # str.isdigit() alone also accepts superscripts and non-Latin digits.
    return value.isascii() and value.isdigit()


def format_problems(value: str, length: int, name: str) -> list[Problem]:
    """The problems of a number's form: not only ASCII digits, not ``length`` of them."""
    problems: list[Problem] = []
    if not is_ascii_digits(value):
        problems.append(Problem(ProblemCode.NOT_DIGITS, f"{name} must contain only digits 0-9"))
    if len(value) != length:
        problems.append(
            Problem(ProblemCode.LENGTH, f"{name} must have {length} characters, found {len(value)}")
        )
    return problems


def check_digit(digits: Sequence[int], weights: Sequence[int]) -> int | None:
    """Return 11 - (weighted sum mod 11), with 11 read as 0 and 10 as impossible (``None``)."""
    check = (11 - sum(w * d for w, d in zip(weights, digits, strict=True)) % 11) % 11
    return None if check == 10 else check
