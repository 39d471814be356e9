"""Dates as documents might write them, for the tests that hold a short cut on a date's text
to the parse it saves (see tests/test_person_shortcuts.py and tests/test_date_shortcuts.py)."""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

#: Days across the calendar, and the days where it turns: leap days, year ends, its ends.
DAYS = st.one_of(
    st.dates(min_value=date(1850, 1, 1), max_value=date(2040, 12, 31)),
    st.dates(),
    st.sampled_from(
        [
            date(2000, 2, 29),
            date(1904, 2, 29),
            date(2024, 2, 29),
            date(1999, 12, 31),
            date(2025, 6, 24),
            date(2025, 6, 25),
            date(2025, 6, 26),
            date(1, 1, 1),
            date(9999, 12, 31),
            date(999, 12, 31),
        ]
    ),
)
#: Times of day with offsets, near midnight (the local day is not the UTC day) and not.
TIMES = st.sampled_from(
    [
        "T00:00:00+02:00",
        "T00:30:00+01:00",
        "T01:59:59+02:00",
        "T12:00:00Z",
        "T23:30:00-05:00",
        "T23:59:59-23:59",
        "T00:00:00+23:59",
        "T10:39:00",
        "T10:39:00.123456+02:00",
        "T25:00:00+02:00",
        "T10:39",
    ]
)


def other_digits(text: str, zero: int) -> str:
    """``text`` with its digits written in another script (``zero`` is its digit zero)."""
    return "".join(chr(zero + int(c)) if c.isascii() and c.isdigit() else c for c in text)


@st.composite
def date_texts(draw: st.DrawFn, days: st.SearchStrategy[date] = DAYS) -> str:
    """A day written as a date, a date-time, or almost one: each way a document might."""
    day = draw(days)
    text = day.isoformat()
    year, month, rest = text[:4], text[5:7], text[7:]
    return draw(
        st.sampled_from(
            [
                text,
                text,
                text + draw(TIMES),
                text + draw(TIMES),
                f"{year}-{month}-{'30' if month == '02' else '32'}",  # no such day
                f"{year}-02-29",  # a leap day, in a year that may have none
                f"{year}-13{rest}",
                text.replace("-", ""),  # the basic format
                f"{year}-W{draw(st.integers(1, 53)):02d}-{draw(st.integers(1, 7))}",
                f"{text} ",
                f" {text}",
                f"{text}Z",
                text[:-1],
                other_digits(text, 0x660),  # Arabic-Indic
                other_digits(text, 0xFF10),  # fullwidth
                text[:9] + other_digits(text[9], 0x660),
                f"0{text[1:]}",  # a year below 1000
                f"1{text}",  # a year above 9999
                f"+{text}",
                "",
            ]
        )
    )
