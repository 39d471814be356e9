"""The common case of a person-number check gives exactly what the full check gives.

``check_person_id`` takes a valid FNR or D-nummer with one birth date by a short path
(``common_person_id``, whose result ``common_check`` turns into the check's), and everything
else by the full one (``_person_id_in_full``); these tests hold the short path to the full
one's result over numbers of every kind, and show that it is taken.
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
from pakkeforlop.model.person_numbers import common_check, common_person_id

from .person_number_texts import DAYS, numbers

TODAY = date(2026, 11, 23)
TODAYS = st.one_of(
    st.sampled_from([TODAY, date(2031, 12, 31), date(2032, 1, 1), date(1990, 5, 17)]), DAYS
)
TYPES = st.sampled_from(list(PersonIdType))


@settings(max_examples=3000, deadline=None)
@given(value=numbers(), declared=TYPES, today=TODAYS)
def test_the_common_case_gives_what_the_full_check_gives(
    value: str, declared: PersonIdType, today: date
) -> None:
    full = person_numbers._person_id_in_full(value, declared, today)
    common = common_person_id(value, declared, today)
    if common is not None:
        check = common_check(declared.value, *common)
        assert check == full
        assert type(check.id_type) is str
    assert check_person_id(value, declared, today=today) == full


@settings(max_examples=1000, deadline=None)
@given(
    birth=DAYS,
    individual=st.integers(0, 999),
    kind=st.sampled_from([PersonIdType.FNR, PersonIdType.DNR]),
)
def test_a_valid_fnr_or_d_number_in_the_past_takes_the_common_case(
    birth: date, individual: int, kind: PersonIdType
) -> None:
    for synthetic in (None, SYNTHETIC_TEST_NORGE, SYNTHETIC_DOLLY):
        try:
            value = make_fnr(birth, individual, synthetic=synthetic, kind=kind)
        except ValueError:
            return  # the individual number does not encode the century
        if value is None:
            return  # no valid check digit for this individual number
        years = person_numbers._candidate_years(kind, individual, birth.year % 100, post_2032=False)
        if len(years) > 1:
            return  # a D-nummer whose digits fit two centuries: not a common number
        today = max(birth, TODAY)
        assert common_person_id(value, kind, today) == (synthetic, birth)
        the_day_before = birth - timedelta(1)
        assert common_person_id(value, kind, the_day_before) is None
