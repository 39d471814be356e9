"""The list version applied on a day is looked up in periods computed once, and is exactly the
version the rule chooses (the versions in force that cover the day, the one that began last;
else the earliest in force)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pakkeforlop.data.codes import Code, CodeSystem, ListVersion, SchemaConstraint
from pakkeforlop.data.evidence import CodeStatus

DAYS = st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31))
EDGES = st.one_of(st.none(), DAYS, st.sampled_from([date.min, date.max]))


@st.composite
def versions(draw: st.DrawFn) -> tuple[ListVersion, ...]:
    drawn = []
    for number in range(draw(st.integers(1, 5))):
        start, end = draw(EDGES), draw(EDGES)
        status = CodeStatus.SNAPSHOT if start is not None else CodeStatus.PROVISIONAL
        drawn.append(ListVersion(str(number), "n", status, "s", "u", start, end))
    return tuple(drawn)


def _system(listed: tuple[ListVersion, ...]) -> CodeSystem:
    codes = (Code("D01", "a", CodeStatus.SNAPSHOT),)
    return CodeSystem(
        "9321", "o", "n", "n", "d", "v", CodeStatus.SNAPSHOT, "s", "u", SchemaConstraint.ENUM,
        codes, versions=listed,
    )  # fmt: skip


@settings(max_examples=1000, deadline=None)
@given(listed=versions(), days=st.lists(st.one_of(st.none(), DAYS, st.just(date.max)), max_size=8))
def test_the_version_on_a_day_is_the_one_the_rule_chooses(
    listed: tuple[ListVersion, ...], days: list[date | None]
) -> None:
    system = _system(listed)
    if not any(version.in_force for version in listed):
        with pytest.raises(ValueError, match="empty"):
            system.version_on(days[0] if days else None)
        return
    edges = [
        edge + timedelta(days=shift)
        for version in listed
        for edge in (version.valid_from, version.valid_to)
        if edge is not None and date.min < edge < date.max
        for shift in (-1, 0, 1)
    ]
    for day in [*days, *edges]:
        assert system.version_on(day) is system._version_by_rule(day)
