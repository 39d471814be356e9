"""The XML Schema datatypes module agrees with libxml2, value by value, and never raises.

libxml2 (through lxml) is the validator behind ``--xsd-dir``; a tiny schema per type gives its
verdict on each value. The values are the edge cases of XML Schema Part 2 (years of every
length, leap days, 24:00:00, offsets up to ±14:00, the calendar's limits) and a few thousand
values drawn from a seeded grammar of date-like pieces.
"""

from __future__ import annotations

import random
from functools import cache
from xml.sax.saxutils import escape

import pytest
from lxml import etree

from pakkeforlop.kith import datatypes
from pakkeforlop.kith.datatypes import (
    CHECKS,
    Moment,
    calendar_date,
    parse_boolean,
    parse_date,
    parse_datetime,
)

XS = "http://www.w3.org/2001/XMLSchema"
#: Types with a single libxml2 counterpart (TS is their union, checked separately).
SIMPLE = ("date", "dateTime", "time", "gYear", "gYearMonth", "boolean")

EDGE_CASES = [
    # the calendar's limits, with and without offsets (issue 13's values among them)
    "0001-01-01",
    "0001-01-01T00:00:00+02:00",
    "9999-12-31T23:59:59Z",
    "9999-12-31T23:59:59-14:00",
    "9999-12-31-14:00",
    "9999-12-31+14:00",
    "0001-01-01T00:00:00",
    "0000-01-01",
    "-0000-01-01",
    "-0001-01-01",
    "-0001-01-01T00:00:00",
    "10000-01-01",
    "010000-01-01",
    "00001-01-01",
    "-10000-01-01",
    "99999-12-31",
    "+2025-01-01",
    "9223372036854775807-01-01",
    "9223372036854775808-01-01",
    "-9223372036854775807-12-31",
    "99999999999999999999-01-01",
    "1" * 5000 + "-01-01",
    # days, months and leap years
    "2024-02-29",
    "2025-02-29",
    "1900-02-29",
    "2000-02-29",
    "-0004-02-29",
    "-0001-02-29",
    "0004-02-29",
    "-0100-02-29",
    "-0400-02-29",
    "2025-00-10",
    "2025-13-01",
    "2025-01-00",
    "2025-01-32",
    "2025-04-31",
    "2025-1-14",
    "\uff12\uff10\uff12\uff15-01-14",
    # offsets
    "2025-01-14+14:00",
    "2025-01-14+14:30",
    "2025-01-14-14:01",
    "2025-01-14+13:59",
    "2025-01-14+13:60",
    "2025-01-14Z",
    "2025-01-14z",
    "2025-01-14+00:00",
    "2025-01-14-00:00",
    "2025-01-14+1:00",
    "2025-01-14+01",
    "2025-01-14+0100",
    "2025-01-14 +01:00",
    # times of day
    "2025-01-14T10:00:00",
    "2025-01-14T24:00:00",
    "2025-01-14T24:00:00.0",
    "2025-01-14T24:00:00.000001",
    "2025-01-14T24:00:01",
    "2025-01-14T23:59:60",
    "2025-01-14T10:60:00",
    "2025-01-14T25:00:00",
    "2025-01-14T10:00:00.5",
    "2025-01-14T10:00:00.",
    "2025-01-14T10:00",
    "2025-01-14T1:00:00",
    "2025-01-14t10:00:00",
    "2025-01-14T10:00:00,5",
    "2025-01-14T10:00:00.123456789012345",
    "2025-01-14T10:00:00+14:00:00",
    "2025-01-14T10:00:00+14:30",
    "2025-12-31T24:00:00",
    "10:00:00",
    "24:00:00",
    "10:00:00Z",
    "10:00:00+14:30",
    "10:00",
    "23:59:60",
    "10:00:00.5",
    # gYear, gYearMonth, boolean
    "2025",
    "0000",
    "-0001",
    "10000",
    "2025Z",
    "2025+14:30",
    "25",
    "02025",
    "2025-01",
    "2025-13",
    "0000-01",
    "-0001-12",
    "2025-1",
    "10000-01+01:00",
    "true",
    "false",
    "1",
    "0",
    "True",
    "yes",
    "",
]
PIECES = [
    "0",
    "1",
    "2",
    "9",
    "00",
    "01",
    "12",
    "13",
    "24",
    "29",
    "30",
    "31",
    "59",
    "60",
    "0001",
    "2025",
    "2024",
    "9999",
    "10000",
    "-",
    "+",
    ":",
    "T",
    "Z",
    ".",
    "5",
    "14",
    "-14:00",
    "+14:00",
    "+14:01",
    "+02:00",
]


@cache
def _schema(type_name: str) -> etree.XMLSchema:
    text = f'<xs:schema xmlns:xs="{XS}"><xs:element name="v" type="xs:{type_name}"/></xs:schema>'
    return etree.XMLSchema(etree.fromstring(text))


def libxml2_accepts(type_name: str, value: str) -> bool:
    """libxml2's verdict on ``value`` as a value of the XML Schema type."""
    document = etree.fromstring(f"<v>{escape(value)}</v>".encode())
    return bool(_schema(type_name).validate(document))


def _generated(count: int) -> list[str]:
    rng = random.Random(20261214)
    values = []
    for _ in range(count):
        shape = rng.choice(
            ["{y}-{m}-{d}", "{y}-{m}-{d}T{h}:{n}:{s}", "{h}:{n}:{s}", "{y}", "{y}-{m}", "{x}"]
        )
        fields = {key: rng.choice(PIECES) for key in "ymdhnsx"}
        value = shape.format(**fields)
        if rng.random() < 0.3:
            value += rng.choice(["Z", "+14:00", "-14:00", "+14:30", "+01:00", ".0", ".25"])
        values.append(value)
    return values


@pytest.mark.parametrize("type_name", SIMPLE)
@pytest.mark.parametrize("value", EDGE_CASES)
def test_edge_cases_get_libxml2s_verdict(type_name, value):
    assert CHECKS[type_name](value) is libxml2_accepts(type_name, value)


@pytest.mark.parametrize("type_name", SIMPLE)
def test_generated_values_get_libxml2s_verdict(type_name):
    disagreements = [
        value
        for value in _generated(2000)
        if CHECKS[type_name](value) is not libxml2_accepts(type_name, value)
    ]
    assert disagreements == []


def test_kith_ts_is_the_union_of_its_member_types():
    for value in EDGE_CASES + _generated(500):
        members = ("dateTime", "date", "gYear", "gYearMonth", "time")
        assert CHECKS["TS"](value) is any(libxml2_accepts(name, value) for name in members)


def test_the_module_checks_stripped_values_where_libxml2_rejects_surrounding_spaces():
    # XML Schema collapses whitespace around a date; libxml2 2.x does not. Callers strip.
    assert libxml2_accepts("date", " 2025-01-14 ") is False
    assert datatypes.is_date(" 2025-01-14 ".strip())
    assert libxml2_accepts("boolean", " true ") is True


@pytest.mark.parametrize(
    "value",
    [None, 20250114, b"2025-01-14", "2025-01-14\x00", "\ud800", "9" * 100_000, "-" * 10],
)
def test_no_value_makes_a_check_raise(value):
    for check in CHECKS.values():
        assert check(value) is False
    assert calendar_date(value) is None
    assert parse_boolean(value) is None


@pytest.mark.parametrize(
    ("value", "moment"),
    [
        ("0001-01-01T00:00:00+02:00", Moment(1, 1, 1, 0, 0, 0, "", 120)),
        ("9999-12-31T23:59:59-14:00", Moment(9999, 12, 31, 23, 59, 59, "", -840)),
        ("9999-12-31T23:59:59Z", Moment(9999, 12, 31, 23, 59, 59, "", 0)),
        ("2025-01-14T24:00:00.000", Moment(2025, 1, 14, 24, 0, 0, "000", None)),
        ("-0044-03-15T12:00:00.5", Moment(-44, 3, 15, 12, 0, 0, "5", None)),
    ],
)
def test_a_datetime_is_read_as_written(value, moment):
    assert parse_datetime(value) == moment


def test_a_date_is_read_as_written():
    assert parse_date("0001-01-01") == Moment(1, 1, 1)
    assert parse_date("2025-01-14+14:00") == Moment(2025, 1, 14, offset=840)
    assert parse_date("2025-01-14+14:30") is None


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("2025-01-14", "2025-01-14"),
        ("2025-01-14-14:00", "2025-01-14"),
        ("0001-01-01T00:00:00+02:00", "0001-01-01"),
        ("9999-12-31T23:59:59-14:00", "9999-12-31"),
        ("2025-01-14T24:00:00", "2025-01-14"),
        ("10000-01-01", None),  # valid XML Schema, not an RFC 3339 full-date
        ("-0001-01-01", None),
        ("2025-02-29", None),
        ("2025-1-14", None),
    ],
)
def test_calendar_date_gives_the_rfc3339_day(value, day):
    assert calendar_date(value) == day
