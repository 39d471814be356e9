"""Accepting findings: rule selection, waivers with a justification, and the baseline.

A *waiver* accepts the findings of one rule (optionally only in files matching a glob, or only
the one finding with a given fingerprint) for a stated reason, until an optional expiry date.
A waived finding is still reported, marked as waived with its justification; it no longer
fails the run. An expired waiver accepts nothing and is itself reported as a warning.

A *baseline* is a file that records the fingerprints (:mod:`pakkeforlop.report.fingerprints`) of the
errors and warnings of one run; on a later run, a finding whose fingerprint it records is
reported as *in the baseline* and does not fail the run, so that only new findings do.

*Selection* (``select``/``ignore``) names rules by id (``REFERRAL-003``) or by family
(``REFERRAL``); a rule that is not selected is reported as skipped, with the reason.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from pakkeforlop.data.catalogue import RULE_ID, Severity, catalogue
from pakkeforlop.model.findings import Finding
from pakkeforlop.report.fingerprints import RECIPE, path_in_export

__all__ = [
    "AcceptanceError",
    "Accepted",
    "Baseline",
    "Selection",
    "Waiver",
    "WaiverState",
    "rule_pattern_problem",
]


class AcceptanceError(ValueError):
    """A waiver, a selection or a baseline file that cannot be used (a usage error)."""


def rule_pattern_problem(pattern: str) -> str | None:
    """Why ``pattern`` names no rule of the catalogue (None: it names a rule or a family)."""
    rules = catalogue()
    if pattern in rules:
        return None
    if RULE_ID.match(pattern):
        return f"{pattern} is not a rule of the catalogue"
    if any(rule.family == pattern for rule in rules.values()):
        return None
    families = sorted({rule.family for rule in rules.values()})
    return f"{pattern!r} is neither a rule id nor a rule family ({', '.join(families)})"


def _names(pattern: str, rule_id: str) -> bool:
    return rule_id == pattern or rule_id.split("-", 1)[0] == pattern


@dataclass(frozen=True, slots=True)
class Selection:
    """Which rules are reported: those ``select`` names (all when empty) and ``ignore`` does not."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for option, patterns in (("select", self.select), ("ignore", self.ignore)):
            for pattern in patterns:
                problem = rule_pattern_problem(pattern)
                if problem is not None:
                    msg = f"{option}: {problem}"
                    raise AcceptanceError(msg)

    def selects(self, rule_id: str) -> bool:
        """Whether the rule's findings and outcome are reported."""
        if self.select and not any(_names(pattern, rule_id) for pattern in self.select):
            return False
        return not any(_names(pattern, rule_id) for pattern in self.ignore)

    def reason(self, rule_id: str) -> str:
        """Why a rule that is not selected is skipped."""
        if self.select and not any(_names(pattern, rule_id) for pattern in self.select):
            return f"not selected (select = {', '.join(self.select)})"
        return f"ignored (ignore = {', '.join(p for p in self.ignore if _names(p, rule_id))})"


class WaiverState(StrEnum):
    """A waiver's state in one run."""

    #: In force, and it accepted at least one finding.
    USED = "used"
    #: In force, but nothing it names was found (it can go).
    UNUSED = "unused"
    #: Past its expiry date: it accepts nothing, and says so as a warning.
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class Waiver:
    """Findings accepted for a stated reason: a rule (id or family), optionally a file glob or one
    fingerprint, and an optional expiry date (the last day it applies)."""

    rule: str
    justification: str
    files: str | None = None
    fingerprint: str | None = None
    expires: date | None = None
    #: Where it was declared, for messages: ``pakkeforlop.toml: waivers[2]``.
    origin: str = ""

    def __post_init__(self) -> None:
        where = f"{self.origin}: " if self.origin else ""
        problem = rule_pattern_problem(self.rule)
        if problem is not None:
            msg = f"{where}rule: {problem}"
            raise AcceptanceError(msg)
        if not self.justification.strip():
            msg = f"{where}a waiver needs a justification: say why the finding is accepted"
            raise AcceptanceError(msg)

    def expired(self, today: date) -> bool:
        """Whether the waiver no longer applies on ``today``."""
        return self.expires is not None and self.expires < today

    def covers(self, finding: Finding, root: str, fingerprint: str) -> bool:
        """Whether the waiver accepts ``finding`` (of the export at ``root``) while in force.

        ``files`` is a glob on the file's path within its export (``*`` matches any characters,
        ``/`` included), or on the path as the report shows it.
        """
        if not _names(self.rule, finding.rule):
            return False
        if self.fingerprint is not None and self.fingerprint != fingerprint:
            return False
        if self.files is None:
            return True
        return fnmatch.fnmatchcase(
            path_in_export(finding.file, root), self.files
        ) or fnmatch.fnmatchcase(finding.file, self.files)

    def describe(self) -> str:
        """The waiver in one line, for messages."""
        scope = self.rule
        if self.files is not None:
            scope += f" in {self.files}"
        if self.fingerprint is not None:
            scope += f" (fingerprint {self.fingerprint})"
        until = f", until {self.expires.isoformat()}" if self.expires else ""
        return f"{scope}{until}: {self.justification}"


@dataclass(frozen=True, slots=True)
class Accepted:
    """Why a finding does not fail the run: a waiver, or the baseline."""

    waiver: Waiver | None = None
    #: The baseline file's name as given, when the baseline accepted it.
    baseline: str | None = None

    @property
    def kind(self) -> str:
        """``waived`` or ``baseline``."""
        return "waived" if self.waiver is not None else "baseline"

    @property
    def justification(self) -> str:
        """The waiver's justification, or where the baseline came from."""
        if self.waiver is not None:
            return self.waiver.justification
        return f"recorded in the baseline {self.baseline}"


#: The severities a baseline records: info findings never fail a run.
BASELINE_SEVERITIES = frozenset({Severity.ERROR, Severity.WARNING})


@dataclass(frozen=True, slots=True)
class Baseline:
    """The fingerprints a baseline file records, each with the number of findings it stood for
    (more than one for a summary finding)."""

    source: str
    counts: Mapping[str, int] = field(default_factory=dict)

    def covers(self, fingerprint: str, count: int) -> bool:
        """Whether a finding (standing for ``count`` findings) is recorded."""
        return self.counts.get(fingerprint, 0) >= count

    @classmethod
    def parse(cls, text: str, source: str) -> Baseline:
        """Read a baseline file's text; raises
        :class:`~pakkeforlop.report.acceptance.AcceptanceError` when it is not one."""
        try:
            document = json.loads(text)
        except ValueError as error:
            msg = f"baseline {source}: not JSON ({error})"
            raise AcceptanceError(msg) from error
        if not isinstance(document, dict) or document.get("recipe") != RECIPE:
            msg = (
                f"baseline {source}: not a pakkeforlop baseline of fingerprint recipe {RECIPE} "
                "(write a new one with --write-baseline)"
            )
            raise AcceptanceError(msg)
        counts: dict[str, int] = {}
        for entry in document.get("findings", []):
            fingerprint, count = _entry(entry, source)
            counts[fingerprint] = counts.get(fingerprint, 0) + count
        return cls(source, counts)


def _entry(entry: Any, source: str) -> tuple[str, int]:
    if not isinstance(entry, dict):
        msg = f"baseline {source}: each finding is an object with a fingerprint"
        raise AcceptanceError(msg)
    fingerprint, count = entry.get("fingerprint"), entry.get("count", 1)
    if not isinstance(fingerprint, str) or not isinstance(count, int) or count < 1:
        msg = f"baseline {source}: a finding without a fingerprint or with a bad count: {entry!r}"
        raise AcceptanceError(msg)
    return fingerprint, count


def baseline_entries(
    findings: Iterable[tuple[Finding, str, str]],
) -> list[dict[str, Any]]:
    """The entries of a baseline file for ``(finding, fingerprint, shown file)`` triples."""
    return [
        {"fingerprint": fingerprint, "rule": finding.rule, "file": shown, "count": finding.count}
        for finding, fingerprint, shown in findings
        if finding.severity in BASELINE_SEVERITIES
    ]
