"""Plausible event timelines for each pathway type, relative to the start (day 0).

A timeline follows the typical course of domain.md §1.5: the start (A), the first attendance
(M), the clinical decision (C, or CU then a second C in D01, D11 and D12), treatment with
evaluations (E) and activities, and the ending (X) with the feedback code (UF). Gaps are drawn
around the pathway's guiding time limits (``spec/pathways``): mostly within, some over (an
overrun is information, never a defect). Only codes of the kodeverk 9327 list are used, so a
clean export never gets a code-list warning.

A timeline depends only on the generator it is drawn from, the pathway type and the mean
number of evaluations: the caller draws it twice from the same seed (once to place the
instance in time, once to write it) and gets the same steps.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Final

from pakkeforlop.data.codes import code_system
from pakkeforlop.data.pathways import Pathway, pathway

#: Relative frequencies of the pathway types: the general pathways dominate.
WEIGHTS: Final = {
    "D01": 23.0,
    "D06": 5.0,
    "D07": 3.0,
    "D08": 4.0,
    "D09": 3.0,
    "D10": 2.0,
    "D11": 34.0,
    "D12": 26.0,
}
#: Share of instances in inpatient (24-hour) care.
INPATIENT: Final = {
    "D01": 0.25,
    "D06": 0.35,
    "D07": 0.05,
    "D08": 0.15,
    "D09": 0.15,
    "D10": 0.10,
    "D11": 0.10,
    "D12": 0.05,
}
#: Age range (years at the start) of the patients.
AGES: Final = {
    "D01": (18, 70),
    "D06": (15, 45),
    "D07": (12, 60),
    "D08": (10, 17),
    "D09": (18, 42),
    "D10": (0, 0),
    "D11": (18, 80),
    "D12": (4, 17),
}
#: The decision outcome of treatment in this service, per pathway.
TREATMENT_OUTCOME: Final = {"D01": "T", "D09": "T", "D10": "P"}
#: Outcomes after which the pathway ends without treatment here (REG-13).
ASSESSMENT_ONLY_OUTCOMES: Final = ("I", "K", "A", "S")
#: Ending reasons after treatment, with weights (filtered by the code list per pathway).
ENDINGS: Final = (("G", 72), ("P", 8), ("M", 5), ("A", 6), ("N", 3), ("O", 4))
#: Share of the overrun intervals: the rest keep the time limit.
OVERRUN: Final = 0.12

_Typical = tuple[tuple[int, int], tuple[int, int]]

#: Typical day ranges where no time limit is known: (outpatient, inpatient).
TYPICAL_ATTEND: Final = ((3, 28), (0, 3))
TYPICAL_DECISION: Final = ((14, 45), (5, 14))
TYPICAL_FIRST_EVALUATION: Final = ((14, 42), (7, 21))
TYPICAL_EVALUATION: Final = ((35, 70), (14, 35))


@dataclass(frozen=True, slots=True)
class Step:
    """One event of a timeline: days after the start and the code suffix (``CP``)."""

    offset: int
    suffix: str


@dataclass(frozen=True, slots=True)
class Timeline:
    """An instance's whole course, from the start to the ending."""

    pathway: str
    care_level: str
    steps: tuple[Step, ...]
    assessment_only: bool
    early_end: bool

    @property
    def duration(self) -> int:
        """Days from the start to the last event (the ending)."""
        return self.steps[-1].offset


@cache
def listed_suffixes(code: str) -> frozenset[str]:
    """The suffixes that kodeverk 9327 lists for the pathway (``CP``, ``XG`` …)."""
    return frozenset(c.code[3:] for c in code_system("9327") if c.code[:3] == code)


@cache
def _limit(
    code: str, to_anchors: tuple[str, ...], from_anchors: tuple[str, ...]
) -> tuple[int | None, int | None]:
    """(outpatient, inpatient) days of the first time-limit row between those anchors."""
    definition: Pathway = pathway(code)
    for row in definition.time_limits:
        if row.variant is None and row.to_anchor in to_anchors and row.from_anchor in from_anchors:
            return row.outpatient_days, row.inpatient_days
    return None, None


def _gap(
    rng: random.Random, limit: int | None, typical: tuple[int, int], *, overrun: float = OVERRUN
) -> int:
    """Days for one interval: within ``limit`` most of the time, over it sometimes."""
    if limit is None:
        return rng.randint(*typical)
    if rng.random() < overrun:
        return rng.randint(limit + 1, limit + max(3, limit // 2))
    return rng.randint(max(1, (limit * 2) // 5), max(1, limit))


def evaluations(rng: random.Random, mean: float) -> int:
    """The number of evaluations of a treated instance: at least one, about ``mean`` on average."""
    if mean <= 1:
        return 1
    return 1 + min(40, int(rng.gammavariate(2.0, (mean - 1) / 2.0) + 0.5))


class _Course:
    """The steps of one instance as they are drawn."""

    def __init__(self, rng: random.Random, code: str) -> None:
        self.rng = rng
        self.code = code
        self.listed = listed_suffixes(code)
        self.inpatient = rng.random() < INPATIENT[code]
        self.level = 1 if self.inpatient else 0
        self.steps: list[Step] = []

    def add(self, offset: int, suffix: str) -> None:
        """Add a step if the pathway's code list has the code."""
        if suffix in self.listed:
            self.steps.append(Step(offset, suffix))

    def gap(self, limit: tuple[int | None, int | None], typical: _Typical) -> int:
        """Days for one interval at this care level."""
        return _gap(self.rng, limit[self.level], typical[self.level])

    def timeline(self, *, assessment_only: bool = False, early_end: bool = False) -> Timeline:
        """The drawn course."""
        care_level = "inpatient" if self.inpatient else "outpatient"
        steps = tuple(_sorted(self.steps))
        return Timeline(self.code, care_level, steps, assessment_only, early_end)

    def first_attendance(self) -> int:
        """Symptom onset (D06), the start, the OCD transfer (D07) and the first attendance."""
        rng, code = self.rng, self.code
        if code == "D06" and rng.random() < 0.6:
            self.add(-rng.randint(14, 365), "P")  # symptom onset: a historical date
        self.add(0, "A")
        anchor = 0
        if code == "D07":
            anchor = rng.randint(0, 14)
            self.add(anchor, "T")  # the OCD team receives the transfer
        limit = _limit(code, ("first-attendance",), ("referral-received", "ocd-team-received"))
        attendance = anchor + self.gap(limit, TYPICAL_ATTEND)
        self.add(attendance, "M")
        if rng.random() < 0.85:
            self.add(attendance, "UV")
        if code in ("D01", "D09", "D10") and rng.random() < (0.5 if self.inpatient else 0.08):
            self.add(attendance + rng.randint(1, 10), "D")
        return attendance

    def decision(self, attendance: int, *, assessment_only: bool) -> int:
        """The clinical decision (after CU and an extended assessment, sometimes)."""
        rng = self.rng
        limit = _limit(
            self.code,
            ("clinical-decision", "final-clinical-decision"),
            ("first-attendance", "assessment-start"),
        )
        day = max(_offset(self.steps, "D"), attendance) + self.gap(limit, TYPICAL_DECISION)
        outcome = (
            rng.choice(ASSESSMENT_ONLY_OUTCOMES)
            if assessment_only
            else TREATMENT_OUTCOME.get(self.code, "P")
        )
        if "CU" in self.listed and rng.random() < 0.15:
            self.add(day, "CU")  # extended assessment, then the final decision
            day += rng.randint(14, 56)
        self.add(day, f"C{outcome}")
        if rng.random() < 0.8:
            self.add(day, "UU")
        return day

    def treatment(self, decision: int, mean_evaluations: float) -> None:
        """Evaluations with activities between them, then the feedback code and the ending."""
        rng = self.rng
        first = _limit(
            self.code, ("first-evaluation",), ("clinical-decision", "final-clinical-decision")
        )
        later = _limit(self.code, ("next-evaluation",), ("evaluation",))
        previous = decision
        for number in range(evaluations(rng, mean_evaluations)):
            if number == 0:
                gap = self.gap(first, TYPICAL_FIRST_EVALUATION)
            else:
                gap = self.gap(later, TYPICAL_EVALUATION)
            evaluation = previous + max(gap, 1)
            _activities(rng, self.code, previous, evaluation, self.add)
            self.add(evaluation, "E")
            previous = evaluation
        end = previous if rng.random() < 0.4 else previous + rng.randint(1, 21)
        if rng.random() < 0.7:
            self.add(end, "UF")  # the feedback tool, once, at the ending
        weights = [(reason, weight) for reason, weight in ENDINGS if f"X{reason}" in self.listed]
        reason = rng.choices([r for r, _ in weights], [w for _, w in weights])[0]
        self.add(end, f"X{reason}")


def simulate(rng: random.Random, code: str, mean_evaluations: float) -> Timeline:
    """Draw the whole course of one instance of pathway ``code``."""
    course = _Course(rng, code)
    attendance = course.first_attendance()
    if rng.random() < 0.03:  # ended after the first attendance, before any decision
        last = max(step.offset for step in course.steps)  # a detoxification may follow M
        course.add(max(attendance + rng.randint(7, 45), last + 1), rng.choice(("XP", "XA")))
        return course.timeline(early_end=True)
    assessment_only = rng.random() < 0.12
    decision = course.decision(attendance, assessment_only=assessment_only)
    if assessment_only:
        course.add(decision + rng.randint(0, 14), rng.choice(("XG", "XG", "XA")))
        return course.timeline(assessment_only=True)
    course.treatment(decision, mean_evaluations)
    return course.timeline()


def _offset(steps: list[Step], suffix: str) -> int:
    return max((step.offset for step in steps if step.suffix == suffix), default=0)


def _activities(
    rng: random.Random, code: str, start: int, end: int, add: Callable[[int, str], None]
) -> None:
    """Treatment activities between two evaluation points (exclusive of both ends)."""
    if end - start < 2:
        return
    candidates = [("SM", 0.35), ("UB", 0.2), ("F", 0.15), ("UV", 0.15)]
    if code == "D07":
        candidates += [("UE", 0.5), ("UM", 0.2)]
    elif code == "D08":
        candidates += [("US", 0.7)]
    elif code in ("D01", "D09"):
        candidates += [("D", 0.06)]
    for suffix, share in candidates:
        if rng.random() < share:
            add(rng.randint(start + 1, end - 1), suffix)
    if code == "D01" and rng.random() < 0.06:
        add(rng.randint(start + 1, end - 1), "L")  # pasientutsatt: followed by the next E


def _sorted(steps: list[Step]) -> list[Step]:
    """Steps by day; on one day the drawing order, except that the ending comes last."""
    return sorted(steps, key=lambda step: (step.offset, step.suffix.startswith("X")))
