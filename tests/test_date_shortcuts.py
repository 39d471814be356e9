"""The date checks' short cuts give exactly what their full logic gives.

:func:`pakkeforlop.model.facts.parse_day` keeps dates in a memo but parses date-times afresh;
these tests hold it to the parse it stands for, on dates written every way a document might,
and show that a date-time takes no place in the memo.
"""

from __future__ import annotations

from datetime import date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from pakkeforlop.model import facts

from .date_texts import date_texts


def _parsed(value: object) -> date | None:
    """What ``parse_day`` stands for: the date of an ISO date or date-time, else ``None``."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value).date() if "T" in value else date.fromisoformat(value)
    except ValueError:
        return None


@settings(max_examples=3000, deadline=None)
@given(value=st.one_of(date_texts(), st.text(max_size=30), st.none(), st.integers()))
def test_a_day_is_parsed_as_the_iso_parse_reads_it(value: object) -> None:
    assert facts.parse_day(value) == _parsed(value)
    assert facts.parse_day(value) == _parsed(value)  # the second time from the memo


def test_a_date_time_takes_no_place_in_the_memo_of_days() -> None:
    """Each referral's issued time is its own: kept, it would only push out the days."""
    facts._parsed_day.cache_clear()  # a full memo would not grow: start with an empty one
    before = facts._parsed_day.cache_info().currsize
    assert facts.parse_day("1871-03-04T10:39:00.123456+02:00") == date(1871, 3, 4)
    assert facts._parsed_day.cache_info().currsize == before
    assert facts.parse_day("1871-03-04") == date(1871, 3, 4)
    assert facts._parsed_day.cache_info().currsize == before + 1
