"""The common case of a person-number check gives exactly what the full check gives.

``check_person_id`` takes a valid FNR or D-nummer with one birth date by a short path
(``_common_person_id``), and everything else by the full one (``_person_id_in_full``); these
tests hold the short path to the full one's result, and show that it is taken.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from pakkeforlop.model import person_numbers
from pakkeforlop.model.identifiers import (
    SYNTHETIC_DOLLY,
    SYNTHETIC_TEST_NORGE,
    PersonIdType,
    check_person_id,
    make_fnr,
)

TODAY = date(2026, 11, 23)
DAYS = st.dates(min_value=date(1854, 1, 1), max_value=date(2039, 12, 31))
TODAYS = st.sampled_from([TODAY, date(2031, 12, 31), date(2032, 1, 1), date(1990, 5, 17)])
TYPES = st.sampled_from(list(PersonIdType))


@st.composite
def numbers(draw: st.DrawFn) -> str:
    """Numbers of every kind: built with correct check digits (mostly), or any digits."""
    if draw(st.booleans()):
        return draw(st.text(alphabet="0123456789", min_size=10, max_size=12))
    kind = draw(st.sampled_from([PersonIdType.FNR, PersonIdType.DNR, PersonIdType.HNR]))
    synthetic = (
        None
        if kind is PersonIdType.HNR
        else draw(st.sampled_from([None, SYNTHETIC_TEST_NORGE, SYNTHETIC_DOLLY]))
    )
    birth, individual = draw(DAYS), draw(st.integers(0, 999))
    try:
        built = make_fnr(birth, individual, synthetic=synthetic, kind=kind)
    except ValueError:
        built = None  # the individual number does not encode the century
    if built is None:
        return f"{birth:%d%m%y}{individual:03d}00"
    if draw(st.booleans()):
        return built
    # One digit changed: a broken check digit, an impossible date, another type's marker...
    at, digit = draw(st.integers(0, 10)), draw(st.sampled_from("0123456789"))
    return built[:at] + digit + built[at + 1 :]


@settings(max_examples=3000, deadline=None)
@given(value=numbers(), declared=TYPES, today=TODAYS)
def test_the_common_case_gives_what_the_full_check_gives(
    value: str, declared: PersonIdType, today: date
) -> None:
    common = person_numbers._common_person_id(value, declared, today)
    full = person_numbers._person_id_in_full(value, declared, today)
    if common is not None:
        assert common == full
        assert type(common.id_type) is str
    assert check_person_id(value, declared, today=today) == full


@settings(max_examples=500, deadline=None)
@given(birth=DAYS, individual=st.integers(0, 999))
def test_a_valid_fnr_in_the_past_takes_the_common_case(birth: date, individual: int) -> None:
    for synthetic in (None, SYNTHETIC_TEST_NORGE, SYNTHETIC_DOLLY):
        try:
            value = make_fnr(birth, individual, synthetic=synthetic)
        except ValueError:
            return  # the individual number does not encode the century
        if value is None:
            return  # no valid check digit for this individual number
        today = max(birth, TODAY)
        common = person_numbers._common_person_id(value, PersonIdType.FNR, today)
        assert common is not None
        assert common.birth_date == birth
        assert common.synthetic == synthetic
        the_day_before = birth - timedelta(1)
        assert person_numbers._common_person_id(value, PersonIdType.FNR, the_day_before) is None
