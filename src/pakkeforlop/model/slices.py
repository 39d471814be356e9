"""Pathway instances cut by the export's period: which ends of an instance the export holds.

Hospitals export by period (NPR per tertial, monthly BI extracts), and an export's manifest
states the period it covers. A pathway that started before that period, or goes on after it, is
in the export only in part: a slice, not a defect. The rules that need the whole pathway (a
start event, the first clinical decision, the final one) ask this module whether the export
holds the end they need.

* An instance **starts outside the period** when the export declares a period, the instance
  has no start event (A) in it, and nothing shows that it started inside the period. What
  shows it is, together, a referral of the instance (not an onward referral, which names the
  instance it continues) received on or after the period's first day, since the start is
  never dated before the receipt, and an event in the period that only follows the start
  (any but the historical ones a pathway allows before it, such as D06P, symptom onset).
  Usually the start lies before the period; with only a historical event in it, after.
* An instance **goes on after the period** when the export declares a period and the instance
  has no ending (X) in it: it is open at the end of the export.

Without a declared period (a single file checked on its own) an instance is read as whole.
"""

from __future__ import annotations

from dataclasses import dataclass

from pakkeforlop.data.pathways import pathways
from pakkeforlop.model.records import PathwayInstance, Period

START, ENDING = "A", "X"


@dataclass(frozen=True, slots=True)
class Slice:
    """Which ends of an instance lie outside the export's period."""

    starts_before: bool = False
    goes_on_after: bool = False

    @property
    def partial(self) -> bool:
        """Whether the export holds only part of the instance."""
        return self.starts_before or self.goes_on_after

    def describe(self) -> str:
        """The partial ends in words, for a finding."""
        parts = []
        if self.starts_before:
            parts.append("its start is outside the period (the export has no start event for it)")
        if self.goes_on_after:
            parts.append("it goes on after the period (the export has no ending for it)")
        return " and ".join(parts)


#: Every slice, by its two ends: made once, since a slice is asked for several times per
#: instance and half the instances of an export of a period are partial (a frozen dataclass
#: costs half a microsecond to make).
_SLICES = {
    (before, after): Slice(before, after) for before in (False, True) for after in (False, True)
}
WHOLE = _SLICES[False, False]


def started_in_period(instance: PathwayInstance, period: Period) -> bool:
    """Whether the export shows that the instance started within the period: a referral that
    opened it was received in the period or later, and an event in the period follows the
    start."""
    received = any(
        referral.received is not None and referral.received >= period.first
        for referral in instance.referrals
        if not referral.onward
    )
    return received and any(
        event.day <= period.last and not _historical(event.pathway_type, event.event)
        for event in instance.events
    )


def _historical(pathway_type: str, letter: str) -> bool:
    """Whether events with this letter may be dated before the start (D06P, symptom onset)."""
    definition = pathways().get(pathway_type)
    return definition is not None and letter in definition.ordering.events_before_start


def slice_of(instance: PathwayInstance, period: Period | None) -> Slice:
    """Which ends of ``instance`` the export, covering ``period``, does not hold."""
    if period is None or not instance.events:
        return WHOLE
    starts_before = not instance.lettered(START) and not started_in_period(instance, period)
    goes_on_after = not instance.lettered(ENDING)
    return _SLICES[starts_before, goes_on_after]
