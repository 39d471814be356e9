"""Person numbers (KITH kodeverk 8116): fødselsnummer, D-, H-, FH- and DUF-nummer (§8.1 to §8.3).

Their checks follow the declared type; :func:`make_fnr` builds numbers for synthetic data.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import StrEnum
from typing import Final

from pakkeforlop.model.identifier_problems import (
    SYNTHETIC_DOLLY,
    SYNTHETIC_TEST_NORGE,
    SYNTHETIC_UNKNOWN_OFFSET,
    IdCheck,
    Problem,
    ProblemCode,
    ProblemSeverity,
    check_digit,
    format_problems,
    is_ascii_digits,
    outcome,
)


class PersonIdType(StrEnum):
    """Person identifier types of KITH kodeverk 8116 that this module can check."""

    FNR = "FNR"  # fødselsnummer
    DNR = "DNR"  # D-nummer
    HNR = "HNR"  # H-nummer (internal auxiliary number)
    FHN = "FHN"  # felles hjelpenummer (NHN)
    DUF = "DUF"  # UDI's DUF-nummer


_FNR_WEIGHTS_1: Final = (3, 7, 6, 1, 8, 9, 4, 5, 2, 1)
_FNR_WEIGHTS_2: Final = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
_RULE_2032_REMAINDERS: Final = frozenset({1, 2, 3})
_RULE_2032_START: Final = date(2032, 1, 1)
_PERSON_LENGTHS: Final = {
    PersonIdType.FNR: 11,
    PersonIdType.DNR: 11,
    PersonIdType.HNR: 11,
    PersonIdType.FHN: 11,
    PersonIdType.DUF: 12,
}
# Month tens digit -> (offset, marker) for declared FNR/DNR (§8.3).
_MONTH_OFFSETS: Final = {
    4: (40, SYNTHETIC_DOLLY),
    5: (40, SYNTHETIC_DOLLY),
    8: (80, SYNTHETIC_TEST_NORGE),
    9: (80, SYNTHETIC_TEST_NORGE),
}
_SYNTHETIC_MESSAGES: Final = {
    SYNTHETIC_TEST_NORGE: "synthetic Test-Norge/Tenor number (+80 on the month)",
    SYNTHETIC_DOLLY: "synthetic NAV Dolly number (+40 on the month)",
    SYNTHETIC_UNKNOWN_OFFSET: (
        "month is above 12 with no known offset: treated as a synthetic or auxiliary marker; "
        "the birth month cannot be checked"
    ),
}


def _mod11_remainders(digits: Sequence[int]) -> tuple[int, int]:
    r1 = sum(w * d for w, d in zip(_FNR_WEIGHTS_1, digits[:10], strict=True)) % 11
    r2 = sum(w * d for w, d in zip(_FNR_WEIGHTS_2, digits, strict=True)) % 11
    return r1, r2


def _fnr_table_year(individual: int, yy: int) -> int | None:
    """Birth year from the individual number, with the pre-2032 table of §8.1."""
    if individual <= 499:
        return 1900 + yy
    if individual <= 749 and yy >= 54:
        return 1800 + yy
    if yy <= 39:
        return 2000 + yy
    if individual >= 900:
        return 1900 + yy
    return None


def _dnr_2021_year(individual: int, yy: int) -> int | None:
    """Birth year under Skatteetaten's D-nummer series of August 2021.

    Source: Skatteetaten/folkeregisteret-api-dokumentasjon, ``src/nyheter/2021-06-24-Utvide-
    dnr-serie.md``: 500-599 for 1858-1899, 000-199 for 1900-1939, 000-499 and 600-999 for
    1940-1999, 200-999 for 2000-2039.
    """
    if yy <= 39:
        if individual <= 199:
            return 1900 + yy
        return 2000 + yy
    if 500 <= individual <= 599:
        return 1800 + yy if yy >= 58 else None
    return 1900 + yy


def _candidate_years(
    id_type: PersonIdType, individual: int, yy: int, *, post_2032: bool
) -> tuple[int, ...]:
    if post_2032:
        # From 2032 "the individual number no longer gives the century" (Skatteetaten).
        return (1900 + yy, 2000 + yy)
    years = {_fnr_table_year(individual, yy)}
    if id_type is PersonIdType.DNR:
        # D-numbers issued before August 2021 follow the old table, later ones the new series.
        years.add(_dnr_2021_year(individual, yy))
    return tuple(sorted(y for y in years if y is not None))


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _birth_date_problems(
    day: int, month: int | None, years: Sequence[int], today: date
) -> tuple[date | None, list[Problem]]:
    """Check the date part against every candidate year; return a unique birth date if any."""
    birth: date | None = None
    problem: Problem | None = None
    if not 1 <= day <= 31 or (month is not None and _safe_date(2000, month, day) is None):
        # 2000 is a leap year, so this rejects only dates that exist in no year at all.
        problem = Problem(ProblemCode.INVALID_DATE, "the date part is not a calendar date")
    elif not years:
        problem = Problem(
            ProblemCode.NO_CENTURY,
            "the individual number gives no birth century for this two-digit year "
            "(table of the pre-2032 rules)",
        )
    elif month is None:
        if all(year > today.year for year in years):
            problem = Problem(ProblemCode.FUTURE_BIRTH_DATE, "the birth year is in the future")
    else:
        dates = [_safe_date(year, month, day) for year in years]
        birth, problem = _pick_birth_date([d for d in dates if d is not None], today)
    return birth, [] if problem is None else [problem]


def _pick_birth_date(dates: Sequence[date], today: date) -> tuple[date | None, Problem | None]:
    if not dates:
        message = "the date part is not a calendar date in that year"
        return None, Problem(ProblemCode.INVALID_DATE, message)
    past = [d for d in dates if d <= today]
    if not past:
        return None, Problem(ProblemCode.FUTURE_BIRTH_DATE, "the birth date is in the future")
    if len(past) > 1:
        message = "more than one birth century fits; take the birth date from the registry"
        return None, Problem(ProblemCode.BIRTH_CENTURY_AMBIGUOUS, message, ProblemSeverity.INFO)
    return past[0], None


def _coerce_type(id_type: PersonIdType | str) -> PersonIdType:
    if isinstance(id_type, PersonIdType):
        return id_type
    try:
        return PersonIdType(id_type.strip().upper())
    except ValueError:
        supported = ", ".join(t.value for t in PersonIdType)
        msg = f"unsupported person id type {id_type!r}; expected one of {supported}"
        raise ValueError(msg) from None


def _mismatch(message: str) -> Problem:
    return Problem(ProblemCode.TYPE_MISMATCH, message)


def check_person_id(
    value: str, id_type: PersonIdType | str, *, today: date | None = None
) -> IdCheck:
    """Check a person identifier against the rules of its *declared* KITH 8116 type.

    The declared type (the message's ``TypeId``) always wins over what the digits look like:
    Dolly's +40 on the month and the H-nummer's +4 on the third digit are the same digits.

    * FNR, DNR, HNR: 11 ASCII digits, both check digits (§8.1 weights), then a plausible birth
      date: D-nummer day minus 40, H-nummer month minus 40, and for FNR/DNR the synthetic month
      offsets +40 (NAV Dolly) and +80 (Test-Norge). A month tens digit of 2, 3, 6 or 7 has no
      known offset: it is accepted as synthetic ``"unknown-offset"`` and the month is not
      checked (NHN's conformance patient has month 72). The century comes from the individual
      number (§8.1 table); for D-numbers also from Skatteetaten's 2021 D-nummer series, so
      several centuries may fit and ``birth_date`` is then ``None``. 29 February must exist in
      that year and the birth date must not be after ``today`` (default: ``date.today()``).
      Digits that contradict the declared type (say a +4 first digit on a declared FNR) give
      ``type-mismatch`` and no date check.
    * The 2032 rule (FNR and DNR only, since Skatteetaten's change covers exactly those): a
      first-check remainder of 1, 2 or 3 is never rejected; the result has
      ``valid_only_under_2032_rule=True`` (an info finding before 2032) and the century is then
      taken as 19xx or 20xx, because such numbers no longer encode it.
    * An HNR whose first digit is 8 or 9 is an older system's H-nummer: check digits only.
    * FHN: 11 digits, first digit 8 or 9, both check digits; the other digits mean nothing.
    * DUF: 12 digits. No public check-digit rule is known, so only the format is checked.

    Raises ``ValueError`` for a type string that is not one of the five supported codes.
    """
    declared = _coerce_type(id_type)
    now = today if today is not None else date.today()
    common = common_person_id(value, declared, now)
    if common is not None:
        return common_check(declared.value, *common)
    return _person_id_in_full(value, declared, now)


#: The synthetic-marker finding of a common valid number, one shared (frozen) copy per marker.
_SYNTHETIC_PROBLEMS: Final = {
    marker: (Problem(ProblemCode.SYNTHETIC, _SYNTHETIC_MESSAGES[marker], ProblemSeverity.INFO),)
    for _, marker in _MONTH_OFFSETS.values()
}
#: Month tens digit -> (offset, marker) of a declared FNR or D-nummer whose month is checked.
_COMMON_MONTHS: Final = {0: (0, None), 1: (0, None), **_MONTH_OFFSETS}
#: The ASCII codes of the digits add 48 times the weights to the weighted sums.
_ASCII_1: Final = 48 * sum(_FNR_WEIGHTS_1)
_ASCII_2: Final = 48 * sum(_FNR_WEIGHTS_2)
#: What the ASCII codes of a two-digit number add to ten times the first plus the second.
_ASCII_TWO: Final = 48 * 11
#: ... and of a three-digit number to a hundred times the first, ten times the second, the third.
_ASCII_THREE: Final = 48 * 111
#: The declared types the common case is for (tested by identity: an enum's hash is Python code).
_FNR: Final = PersonIdType.FNR
_DNR: Final = PersonIdType.DNR

#: What :func:`common_person_id` gives: the synthetic marker (or ``None``) and the birth date.
Common = tuple[str | None, date]


def common_person_id(value: str, declared: PersonIdType, now: date) -> Common | None:
    """The synthetic marker and birth date of a *common* number, or ``None`` for any other.

    A common number is a declared FNR or D-nummer of 11 ASCII digits whose check digits hold
    (under the rules before 2032), whose digits follow the declared type and give exactly one
    birth date, not after ``now``: its check finds nothing but, when it has one, its synthetic
    marker, and :func:`common_check` gives that check's result. Any other number (or doubt)
    gives ``None`` and is left to the full check, which gives the same result for a common
    number (a property test compares them).

    Why a path of its own: nearly every number of an export is common, and a worker checks
    each patient's number anew (a patient's documents are read far apart). So this path makes
    no list of digits, no problem and no result object: the bytes of the text are unpacked
    once into the eleven digits' ASCII codes, the check-digit sums are plain integer
    arithmetic on them (the 48 each code adds is taken off once), and the date part is read
    from the same codes (``date`` itself rejects a day its month lacks, 29 February included).
    """
    day_offset = 0 if declared is _FNR else 40 if declared is _DNR else None
    if day_offset is None or len(value) != 11 or not (value.isascii() and value.isdigit()):
        return None
    d1, d2, m1, m2, y1, y2, i1, i2, i3, k1, k2 = value.encode("ascii")
    weighted_1 = 3 * d1 + 7 * d2 + 6 * m1 + m2 + 8 * y1 + 9 * y2 + 4 * i1 + 5 * i2 + 2 * i3 + k1
    weighted_2 = 5 * d1 + 4 * d2 + 3 * m1 + 2 * m2 + 7 * y1 + 6 * y2 + 5 * i1 + 4 * i2 + 3 * i3
    if (weighted_1 - _ASCII_1) % 11 or (weighted_2 + 2 * k1 + k2 - _ASCII_2) % 11:
        return None  # a checksum problem, or valid only under the 2032 rule
    offset_marker = _COMMON_MONTHS.get(m1 - 48)
    day = d1 * 10 + d2 - _ASCII_TWO - day_offset
    if offset_marker is None or not 1 <= day <= 31:
        return None  # an unknown month offset, or a first digit not of the declared type
    offset, marker = offset_marker
    yy = y1 * 10 + y2 - _ASCII_TWO
    individual = i1 * 100 + i2 * 10 + i3 - _ASCII_THREE
    if day_offset:
        years = _candidate_years(declared, individual, yy, post_2032=False)
        year = years[0] if len(years) == 1 else None
    else:
        year = _fnr_table_year(individual, yy)
    if year is None:
        return None  # no birth century, or more than one
    try:
        birth = date(year, m1 * 10 + m2 - _ASCII_TWO - offset, day)
    except ValueError:
        return None  # not a calendar date (in that year)
    return None if birth > now else (marker, birth)


def common_check(name: str, marker: str | None, birth: date) -> IdCheck:
    """The result of :func:`check_person_id` on a common number of the declared type ``name``
    (``"FNR"`` or ``"DNR"``) with what :func:`common_person_id` gave for it."""
    problems = () if marker is None else _SYNTHETIC_PROBLEMS[marker]
    return IdCheck(name, True, problems, marker, False, birth)


def _person_id_in_full(value: str, declared: PersonIdType, now: date) -> IdCheck:
    """:func:`check_person_id` for any number: every rule, every problem."""
    name = declared.value
    problems = format_problems(value, _PERSON_LENGTHS[declared], name)
    if problems:
        return outcome(name, problems)
    if declared is PersonIdType.DUF:
        note = "no public check-digit rule for DUF-nummer: only the format was checked"
        return outcome(name, [Problem(ProblemCode.FORMAT_ONLY, note, ProblemSeverity.INFO)])

    digits = [int(c) for c in value]
    r1, r2 = _mod11_remainders(digits)
    relaxed = declared in (PersonIdType.FNR, PersonIdType.DNR)
    only_2032 = relaxed and r2 == 0 and r1 in _RULE_2032_REMAINDERS
    if r2 != 0 or (r1 != 0 and not only_2032):
        problems.append(Problem(ProblemCode.CHECKSUM, "the check digits do not match"))
    if only_2032 and now < _RULE_2032_START:
        note = "first check digit is valid only under the rule for numbers issued from 2032"
        problems.append(Problem(ProblemCode.FIRST_CHECK_2032_ONLY, note, ProblemSeverity.INFO))

    if declared is PersonIdType.FHN:
        if digits[0] not in (8, 9):
            problems.append(_mismatch("declared FH-nummer, but the first digit is not 8 or 9"))
        return outcome(name, problems)
    if declared is PersonIdType.HNR and digits[0] in (8, 9):
        note = "older-style H-nummer (first digit 8 or 9): only the check digits were checked"
        problems.append(Problem(ProblemCode.LEGACY_H_NUMBER, note, ProblemSeverity.INFO))
        return outcome(name, problems)

    synthetic, month, month_ok = _resolve_month(declared, digits[2], int(value[2:4]), problems)
    day_ok = _resolve_day_ok(declared, digits[0], problems)
    if not (day_ok and month_ok):
        synthetic = None  # the digits do not follow the declared type: no reading of the month
    if synthetic is not None:
        message = _SYNTHETIC_MESSAGES[synthetic]
        problems.append(Problem(ProblemCode.SYNTHETIC, message, ProblemSeverity.INFO))
    birth_date = None
    if day_ok and month_ok:
        day = int(value[0:2]) - (40 if declared is PersonIdType.DNR else 0)
        yy = int(value[4:6])
        years = _candidate_years(declared, int(value[6:9]), yy, post_2032=only_2032)
        if not years and now >= _RULE_2032_START:
            # From 2032 on, a number that fits no century of the old tables may be a new issue.
            years = _candidate_years(declared, 0, yy, post_2032=True)
        birth_date, date_problems = _birth_date_problems(day, month, years, now)
        problems.extend(date_problems)
    if any(p.severity is ProblemSeverity.ERROR for p in problems):
        birth_date = None  # never offer a birth date read from an invalid number
    return outcome(name, problems, synthetic=synthetic, only_2032=only_2032, birth_date=birth_date)


def _resolve_month(
    declared: PersonIdType, tens: int, raw_month: int, problems: list[Problem]
) -> tuple[str | None, int | None, bool]:
    """Return (synthetic marker, month or None if unknowable, whether the date can be checked)."""
    if declared is PersonIdType.HNR:
        if tens in (4, 5):
            return None, raw_month - 40, True
        problems.append(_mismatch("declared H-nummer, but the month lacks the +40 H offset"))
        return None, None, False
    if tens in (0, 1):
        return None, raw_month, True
    if tens in _MONTH_OFFSETS:
        offset, marker = _MONTH_OFFSETS[tens]
        return marker, raw_month - offset, True
    return SYNTHETIC_UNKNOWN_OFFSET, None, True


def _resolve_day_ok(declared: PersonIdType, first: int, problems: list[Problem]) -> bool:
    if declared is PersonIdType.DNR:
        if 4 <= first <= 7:
            return True
        problems.append(_mismatch("declared D-nummer, but the first digit lacks the +4 offset"))
        return False
    if first <= 3:
        return True
    looks_like = "a D-nummer (+4 on the first digit)" if first <= 7 else "an FH-nummer"
    problems.append(_mismatch(f"declared {declared.value}, but the first digit marks {looks_like}"))
    return False


def detect_person_id_type(value: str) -> PersonIdType | None:
    """Guess the type from the digits alone: a fallback for when no ``TypeId`` is declared.

    The public-validator heuristic of §8.2 for 11 digits: first digit 8 or 9 is FH, 4 to 7 is
    D, third digit 4 or 5 is H, otherwise FNR. Twelve digits are taken as DUF. Anything else
    gives ``None``. The guess cannot tell a Dolly FNR from an H-nummer (both +40 on the month),
    which is why ``check_person_id`` needs the declared type.
    """
    if not is_ascii_digits(value) or len(value) not in (11, 12):
        return None
    if len(value) == 12:
        return PersonIdType.DUF
    if value[0] in "89":
        kind = PersonIdType.FHN
    elif value[0] in "4567":
        kind = PersonIdType.DNR
    elif value[2] in "45":
        kind = PersonIdType.HNR
    else:
        kind = PersonIdType.FNR
    return kind


def make_fnr(
    birth_date: date,
    individual: int,
    *,
    synthetic: str | None = SYNTHETIC_TEST_NORGE,
    kind: PersonIdType = PersonIdType.FNR,
) -> str | None:
    """Build an 11-digit FNR, D- or H-nummer with correct check digits, for synthetic data.

    ``synthetic`` adds +80 ("test-norge", the default, so generated data is marked as test data)
    or +40 ("dolly") to the month; ``None`` builds an unmarked number. A D-nummer adds 4 to
    the first digit and an H-nummer 4 to the third (an H-nummer cannot also carry a synthetic
    marker). Returns ``None`` when a check digit would be 10: try the next individual number.
    Raises ``ValueError`` when ``individual`` does not encode the century of ``birth_date``
    (§8.1 table; for D-numbers also the 2021 series) or an argument is out of range.
    """
    if kind not in (PersonIdType.FNR, PersonIdType.DNR, PersonIdType.HNR):
        raise ValueError("make_fnr builds only FNR, DNR and HNR numbers")
    if not 0 <= individual <= 999:
        raise ValueError("the individual number must be between 0 and 999")
    offsets = {None: 0, SYNTHETIC_TEST_NORGE: 80, SYNTHETIC_DOLLY: 40}
    if synthetic not in offsets:
        raise ValueError("synthetic must be None, 'test-norge' or 'dolly'")
    if kind is PersonIdType.HNR and synthetic is not None:
        raise ValueError("an H-nummer already uses +40 on the month; pass synthetic=None")
    yy = birth_date.year % 100
    if birth_date.year not in _candidate_years(kind, individual, yy, post_2032=False):
        raise ValueError("the individual number does not encode the century of the birth date")
    day = birth_date.day + (40 if kind is PersonIdType.DNR else 0)
    month = birth_date.month + offsets[synthetic] + (40 if kind is PersonIdType.HNR else 0)
    digits = [int(c) for c in f"{day:02d}{month:02d}{yy:02d}{individual:03d}"]
    k1 = check_digit(digits, _FNR_WEIGHTS_1[:9])
    if k1 is None:
        return None
    k2 = check_digit([*digits, k1], _FNR_WEIGHTS_2[:10])
    if k2 is None:
        return None
    return "".join(map(str, [*digits, k1, k2]))
