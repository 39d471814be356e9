"""The documents' dates: the era in which the start is dated on the receipt, and weekdays."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final

from pakkeforlop.data.catalogue import rule


def _receipt_rule_until() -> date:
    """The last day the start is confirmed to be dated on the receipt (PATHWAY-016's era)."""
    applies_until = rule("PATHWAY-016").applies_until
    if applies_until is None:
        msg = "the catalogue's PATHWAY-016 must say until when it applies (applies_until)"
        raise ValueError(msg)
    return applies_until


#: Up to this day the start is dated on the receipt, after it on the completed assessment.
RECEIPT_RULE_UNTIL: Final = _receipt_rule_until()


def weekday_on_or_after(day: date) -> date:
    """``day``, or the Monday after it when it falls on a weekend."""
    return day + timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)


def weekday_on_or_before(day: date) -> date:
    """``day``, or the Friday before it when it falls on a weekend."""
    return day - timedelta(days=day.weekday() - 4 if day.weekday() >= 5 else 0)


def add_working_days(day: date, count: int) -> date:
    """``count`` weekdays after ``day`` (negative: before)."""
    step = 1 if count >= 0 else -1
    remaining = abs(count)
    while remaining:
        day += timedelta(days=step)
        if day.weekday() < 5:
            remaining -= 1
    return day
