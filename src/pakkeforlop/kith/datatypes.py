"""The XML Schema datatypes of the KITH messages: checks and readings, total on any text.

Every date, time and boolean a KITH XSD types is judged here, and nowhere else: the KITH rules
(KITH-014) and the mapping to the JSON model both call this module. The definitions are XML
Schema 1.0 Part 2 (§3.2.2 boolean, §3.2.7 dateTime, §3.2.8 time, §3.2.9 date, §3.2.10
gYearMonth, §3.2.11 gYear) and KITH's ``TS`` type (``kith.xsd``: the union of dateTime, date,
gYear, gYearMonth and time). Where the recommendation leaves room, this module does what
libxml2 (the validator behind ``--xsd-dir``) does, and the tests compare the two verdicts:

* a year has at least four digits, no leading zero when it has more, is never ``0000``, may be
  negative, and its magnitude is at most 2**63 - 1 (libxml2's limit; XML Schema allows a
  processor a limit);
* leap years follow the Gregorian rule on the year as written (``-0004`` is a leap year);
* ``24:00:00`` (with an all-zero fraction) is the end of a day; there are no leap seconds;
* a time-zone offset is at most 14 hours: ``+14:00`` is allowed, ``+14:30`` is not.

Values are checked as given: the XSD types collapse surrounding whitespace, so callers strip
the text first (libxml2 itself rejects a date with surrounding spaces; the recommendation does
not). The functions never raise: a value that is not text of the type is ``False`` or ``None``,
whatever its length or characters, and nothing here builds a :mod:`datetime` object, so no
year, however large or small, overflows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Final, NamedTuple

__all__ = [
    "CHECKS",
    "Moment",
    "calendar_date",
    "is_boolean",
    "is_date",
    "is_datetime",
    "is_gyear",
    "is_gyearmonth",
    "is_time",
    "is_ts",
    "parse_boolean",
    "parse_date",
    "parse_datetime",
]

#: The largest year magnitude libxml2 accepts (it reads the year into a signed 64-bit integer).
MAX_YEAR: Final = 2**63 - 1
_MAX_YEAR_DIGITS: Final = len(str(MAX_YEAR))

_YEAR = r"(?P<year>-?(?:[1-9][0-9]{4,}|[0-9]{4}))"
_MONTH_DAY = r"(?P<month>[0-9]{2})-(?P<day>[0-9]{2})"
_CLOCK = r"(?P<hour>[0-9]{2}):(?P<minute>[0-9]{2}):(?P<second>[0-9]{2})(?:\.(?P<fraction>[0-9]+))?"
_ZONE = r"(?P<zone>Z|[+-][0-9]{2}:[0-9]{2})?"

_DATE = re.compile(f"{_YEAR}-{_MONTH_DAY}{_ZONE}")
_DATETIME = re.compile(f"{_YEAR}-{_MONTH_DAY}T{_CLOCK}{_ZONE}")
_TIME = re.compile(f"{_CLOCK}{_ZONE}")
_GYEAR = re.compile(f"{_YEAR}{_ZONE}")
_GYEARMONTH = re.compile(f"{_YEAR}-(?P<month>[0-9]{{2}}){_ZONE}")

_DAYS_IN_MONTH: Final = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_BOOLEANS: Final[Mapping[str, bool]] = {"true": True, "1": True, "false": False, "0": False}


class Moment(NamedTuple):
    """A valid xs:date or xs:dateTime as written: the fields, and the offset in minutes.

    ``offset`` is ``None`` for a value without a time zone (a local time). An xs:date has
    hour, minute and second 0 and an empty fraction.
    """

    year: int
    month: int
    day: int
    hour: int = 0
    minute: int = 0
    second: int = 0
    fraction: str = ""
    offset: int | None = None


def _year(text: str) -> int | None:
    """The year, or ``None`` for ``0000`` and years beyond libxml2's range."""
    digits = text.lstrip("-")
    if len(digits) > _MAX_YEAR_DIGITS:
        return None  # also keeps int() far from Python's limit on digits in a conversion
    year = int(text)
    if year == 0 or abs(year) > MAX_YEAR:
        return None
    return year


def _leap(year: int) -> bool:
    # The Gregorian rule on the year as written; C's % and Python's agree on these tests.
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _valid_day(year: int, month: int, day: int) -> bool:
    if not 1 <= month <= 12:
        return False
    last = 29 if month == 2 and _leap(year) else _DAYS_IN_MONTH[month - 1]
    return 1 <= day <= last


def _offset(zone: str | None) -> tuple[bool, int | None]:
    """Whether the zone is valid, and its offset in minutes (``None`` without a zone)."""
    if zone is None:
        return True, None
    if zone == "Z":
        return True, 0
    hours, minutes = int(zone[1:3]), int(zone[4:6])
    if minutes > 59 or hours > 14 or (hours == 14 and minutes != 0):
        return False, None
    sign = -1 if zone[0] == "-" else 1
    return True, sign * (hours * 60 + minutes)


def _valid_clock(hour: int, minute: int, second: int, fraction: str) -> bool:
    if hour == 24:
        return minute == 0 and second == 0 and not fraction.strip("0")
    return hour < 24 and minute < 60 and second < 60


def _match(pattern: re.Pattern[str], value: object) -> re.Match[str] | None:
    return pattern.fullmatch(value) if isinstance(value, str) else None


def parse_date(value: object) -> Moment | None:
    """The xs:date ``value`` (e.g. ``2025-01-14`` or ``2025-01-14+01:00``), or ``None``."""
    found = _match(_DATE, value)
    if found is None:
        return None
    year = _year(found["year"])
    month, day = int(found["month"]), int(found["day"])
    valid_zone, offset = _offset(found["zone"])
    if year is None or not valid_zone or not _valid_day(year, month, day):
        return None
    return Moment(year, month, day, offset=offset)


def parse_datetime(value: object) -> Moment | None:
    """The xs:dateTime ``value`` (e.g. ``2025-01-14T09:30:00+01:00``), or ``None``."""
    found = _match(_DATETIME, value)
    if found is None:
        return None
    year = _year(found["year"])
    month, day = int(found["month"]), int(found["day"])
    hour, minute, second = int(found["hour"]), int(found["minute"]), int(found["second"])
    fraction = found["fraction"] or ""
    valid_zone, offset = _offset(found["zone"])
    if (
        year is None
        or not valid_zone
        or not _valid_day(year, month, day)
        or not _valid_clock(hour, minute, second, fraction)
    ):
        return None
    return Moment(year, month, day, hour, minute, second, fraction, offset)


def is_date(value: object) -> bool:
    """Whether ``value`` is an xs:date."""
    return parse_date(value) is not None


def is_datetime(value: object) -> bool:
    """Whether ``value`` is an xs:dateTime."""
    return parse_datetime(value) is not None


def is_time(value: object) -> bool:
    """Whether ``value`` is an xs:time (``24:00:00`` included)."""
    found = _match(_TIME, value)
    if found is None:
        return False
    clock = int(found["hour"]), int(found["minute"]), int(found["second"])
    return _valid_clock(*clock, found["fraction"] or "") and _offset(found["zone"])[0]


def is_gyear(value: object) -> bool:
    """Whether ``value`` is an xs:gYear (``2025``, ``-0044``, ``2025Z``)."""
    found = _match(_GYEAR, value)
    return found is not None and _year(found["year"]) is not None and _offset(found["zone"])[0]


def is_gyearmonth(value: object) -> bool:
    """Whether ``value`` is an xs:gYearMonth (``2025-01``)."""
    found = _match(_GYEARMONTH, value)
    return (
        found is not None
        and _year(found["year"]) is not None
        and 1 <= int(found["month"]) <= 12
        and _offset(found["zone"])[0]
    )


def is_ts(value: object) -> bool:
    """Whether ``value`` is a KITH ``TS``: an xs:dateTime, date, gYear, gYearMonth or time."""
    return any(check(value) for check in (is_datetime, is_date, is_gyear, is_gyearmonth, is_time))


def parse_boolean(value: object) -> bool | None:
    """The xs:boolean ``value`` (``true``, ``false``, ``1``, ``0``), or ``None``."""
    return _BOOLEANS.get(value) if isinstance(value, str) else None


def is_boolean(value: object) -> bool:
    """Whether ``value`` is an xs:boolean."""
    return parse_boolean(value) is not None


def calendar_date(value: object) -> str | None:
    """The day of an xs:date or xs:dateTime as RFC 3339 writes it (``YYYY-MM-DD``).

    ``None`` for text of neither type, and for years RFC 3339 cannot write (before 0001 or
    after 9999): the JSON model's dates are RFC 3339 ``full-date`` values.
    """
    moment = parse_date(value) or parse_datetime(value)
    if moment is None or not 1 <= moment.year <= 9999:
        return None
    return f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"


#: The checks by the name of the type, as the XSDs write it (``TS`` is kith.xsd's union).
CHECKS: Final[Mapping[str, Callable[[object], bool]]] = {
    "date": is_date,
    "dateTime": is_datetime,
    "time": is_time,
    "gYear": is_gyear,
    "gYearMonth": is_gyearmonth,
    "boolean": is_boolean,
    "TS": is_ts,
}
