"""Person numbers of every kind, valid and broken, for the tests that hold a short cut of the
person-number checks to their full logic (see tests/test_identifiers_common.py and
tests/test_person_shortcuts.py)."""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

from pakkeforlop.model.identifiers import (
    SYNTHETIC_DOLLY,
    SYNTHETIC_TEST_NORGE,
    PersonIdType,
    make_fnr,
)

#: Birth dates across the centuries the numbers can encode.
DAYS = st.dates(min_value=date(1854, 1, 1), max_value=date(2039, 12, 31))
DIGITS = "0123456789"
# The check-digit weights of §8.1 (written out here, not taken from the module under test).
WEIGHTS_1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
WEIGHTS_2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def check_digit(digits: str, weights: tuple[int, ...], remainder: int = 0) -> int | None:
    """The digit that leaves ``remainder`` of the weighted sum (weight 1 on it) mod 11."""
    digit = (remainder - sum(w * int(d) for w, d in zip(weights, digits, strict=True))) % 11
    return None if digit == 10 else digit


def with_check_digits(nine: str, first_remainder: int = 0) -> str | None:
    """Nine digits with both check digits (the first leaving ``first_remainder``: 1, 2 or 3
    makes a number valid only under the rule for numbers from 2032)."""
    k1 = check_digit(nine, WEIGHTS_1, first_remainder)
    if k1 is None:
        return None
    k2 = check_digit(f"{nine}{k1}", WEIGHTS_2)
    return None if k2 is None else f"{nine}{k1}{k2}"


@st.composite
def built(draw: st.DrawFn) -> str | None:
    """A number of the kit's own making: FNR, D- or H-nummer, plain or synthetic."""
    kind = draw(st.sampled_from([PersonIdType.FNR, PersonIdType.DNR, PersonIdType.HNR]))
    synthetic = (
        None
        if kind is PersonIdType.HNR
        else draw(st.sampled_from([None, SYNTHETIC_TEST_NORGE, SYNTHETIC_DOLLY]))
    )
    birth, individual = draw(DAYS), draw(st.integers(0, 999))
    try:
        return make_fnr(birth, individual, synthetic=synthetic, kind=kind)
    except ValueError:
        return None  # the individual number does not encode the century


@st.composite
def checked_digits(draw: st.DrawFn) -> str | None:
    """Any nine digits with check digits that hold (or hold only under the 2032 rule): FH-
    numbers (first digit 8 or 9), unknown month offsets, dates no calendar has, and dates
    written as each type writes them (day + 40, month + 40 or + 80)."""
    day = draw(st.sampled_from([*range(0, 100), *range(1, 32), *range(41, 72)]))
    month = draw(st.sampled_from([*range(0, 100), *range(1, 13), *range(41, 53), *range(81, 93)]))
    rest = draw(st.text(alphabet=DIGITS, min_size=5, max_size=5))
    return with_check_digits(f"{day:02d}{month:02d}{rest}", draw(st.sampled_from([0, 0, 1, 2, 3])))


@st.composite
def numbers(draw: st.DrawFn) -> str:
    """Numbers of every kind: valid ones, and ones broken in every way a number can be."""
    made = draw(st.one_of(built(), checked_digits()))
    if made is None:
        made = draw(st.text(alphabet=DIGITS, min_size=11, max_size=11))
    change = draw(st.sampled_from(["none", "none", "none", "digit", "swap", "form", "random"]))
    if change == "digit":  # a broken check digit, an impossible date, another type's marker...
        at, digit = draw(st.integers(0, 10)), draw(st.sampled_from(DIGITS))
        return made[:at] + digit + made[at + 1 :]
    if change == "swap":
        at = draw(st.integers(0, 9))
        return made[:at] + made[at + 1] + made[at] + made[at + 2 :]
    if change == "form":  # DUF's 12 digits, a short number, non-ASCII digits, a final newline
        return draw(
            st.sampled_from(
                [
                    f"{made}{draw(st.sampled_from(DIGITS))}",
                    made[:10],
                    "".join(chr(0x660 + int(c)) for c in made),
                    f"{made}\n",
                    f"{made[:10]}x",
                ]
            )
        )
    if change == "random":
        return draw(st.text(alphabet=DIGITS, min_size=10, max_size=12))
    return made
