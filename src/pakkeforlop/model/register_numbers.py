"""Organisation numbers (Enhetsregisteret, §8.4) and HPR numbers (the health personnel
register, Helsepersonellregisteret, §8.5): their checks, and check digits for synthetic data."""

from __future__ import annotations

from functools import lru_cache
from typing import Final

from pakkeforlop.model.identifier_problems import (
    SYNTHETIC_TEST_ENHETSREGISTER,
    IdCheck,
    Problem,
    ProblemCode,
    ProblemSeverity,
    check_digit,
    format_problems,
    is_ascii_digits,
    outcome,
)

# --- organisation numbers (§8.4) -------------------------------------------------------------

_ORG_WEIGHTS: Final = (3, 2, 7, 6, 5, 4, 3, 2)


@lru_cache(maxsize=1024)
def check_org_number(value: str) -> IdCheck:
    """Check an organisasjonsnummer: 9 digits, mod-11 check digit with weights 3,2,7,6,5,4,3,2.

    Digits whose check digit would be 10 form no valid number. Numbers starting with 2 or 3
    are only *likely* synthetic (the test Enhetsregister uses that range): they get
    ``synthetic="test-enhetsregister-range"`` and an info finding, never an error.

    Memoised: an export names a few organisations on every event line.
    """
    name = "ENH"
    problems = format_problems(value, 9, "organisation number")
    if problems:
        return outcome(name, problems)
    check = check_digit([int(c) for c in value[:8]], _ORG_WEIGHTS)
    if check is None:
        message = "no valid check digit exists for these digits"
        problems.append(Problem(ProblemCode.CHECKSUM, message))
    elif check != int(value[8]):
        problems.append(Problem(ProblemCode.CHECKSUM, "the check digit does not match"))
    synthetic = None
    if value[0] in "23":
        synthetic = SYNTHETIC_TEST_ENHETSREGISTER
        note = "numbers starting with 2 or 3 are likely synthetic (test Enhetsregister)"
        problems.append(Problem(ProblemCode.SYNTHETIC, note, ProblemSeverity.INFO))
    return outcome(name, problems, synthetic=synthetic)


def make_org_number(first8: str) -> str | None:
    """Append the check digit to 8 digits; ``None`` when no valid check digit exists."""
    if len(first8) != 8 or not is_ascii_digits(first8):
        raise ValueError("make_org_number needs exactly 8 digits")
    check = check_digit([int(c) for c in first8], _ORG_WEIGHTS)
    return None if check is None else f"{first8}{check}"


# --- HPR-nummer (§8.5) -----------------------------------------------------------------------


@lru_cache(maxsize=4096)
def check_hpr_number(value: str) -> IdCheck:
    """Check an HPR-nummer. Only non-digits (or an empty value) make it invalid.

    No check-digit rule and no length are published. A mod-11 check (weights 2 to 7 from the
    right) fits NHN's test numbers, so a mismatch is reported as a *warning*
    ("hpr-checksum-heuristic") and the result stays valid: this check must never reject.

    Memoised: an export names the same health personnel in many documents.
    """
    name = "HPR"
    if not value or not is_ascii_digits(value):
        return outcome(name, [Problem(ProblemCode.NOT_DIGITS, "HPR-nummer must be digits 0-9")])
    payload = [int(c) for c in reversed(value[:-1])]
    weights = [2 + i % 6 for i in range(len(payload))]
    check = check_digit(payload, weights)
    if check != int(value[-1]):
        note = "check digit does not fit the unofficial mod-11 heuristic (not a published rule)"
        return outcome(
            name, [Problem(ProblemCode.HPR_CHECKSUM_HEURISTIC, note, ProblemSeverity.WARNING)]
        )
    return outcome(name, [])
