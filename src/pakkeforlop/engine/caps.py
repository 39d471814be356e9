"""How many findings a check keeps: a bounded number per rule and file, the rest counted exactly.

A broken export can hold a million bad lines, and a large clean one a finding for information
on every file. Listing each would cost memory, time and a report no one reads. So an export's
findings are kept up to :attr:`FindingCaps.per_file` per rule and file, and up to
:attr:`FindingCaps.per_rule` per rule in the whole export; the others are counted, and the
report shows one summary finding per rule and file (or per rule) that stands for them, with
their exact number (:attr:`~pakkeforlop.model.findings.Finding.count`). The report's
totals count every finding, listed or not. ``FindingCaps.UNBOUNDED`` keeps every one (``--verbose``,
``--max-findings 0``).

Which findings are kept, and which summary counts the others, does not depend on how many
processes check the export: a worker keeps its part's first findings under the same caps, and
notes where among them it counted the others; the main process merges the parts in order,
applying the caps again, and counts each noted finding where it would have counted it itself
(per file, or per rule once the rule is full). A rule whose cap the merged findings have
filled is *closed*: every later finding of it would be counted at the merge, so a worker counts
it at once instead of making it (see ``closed`` of :class:`CappedFindings`).

That is exact for any cut of the findings into parts, whole files or not (the forked worker's
share of the pathway instances reports on files the main process's share reports on too): a
part keeps at most the
cap per file, and the whole counts one of those per file only where it had kept as many in that
file itself, so when a part's rule is full, the whole's is too; and where a part counted one
per file, the whole has kept as many in that file by then, or its rule is full.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass
from typing import ClassVar

from pakkeforlop.data.catalogue import Severity
from pakkeforlop.model.findings import Finding

__all__ = ["DEFAULT_CAPS", "CappedFindings", "FindingCaps", "Omitted"]

#: Rule and file (the file as findings name it).
Key = tuple[str, str]

FILE_SUMMARY = (
    "{count} more findings of this rule in this file are not listed (the first {kept} are); "
    "--max-findings 0 or --verbose lists every one"
)
RULE_SUMMARY = (
    "{count} more findings of this rule in this export are not listed (the first {kept} are); "
    "--max-findings 0 or --verbose lists every one"
)


@dataclass(frozen=True, slots=True)
class FindingCaps:
    """At most ``per_file`` findings of a rule per file, ``per_rule`` per export (None: all)."""

    per_file: int | None = 100
    per_rule: int | None = 1000

    UNBOUNDED: ClassVar[FindingCaps]

    @classmethod
    def of(cls, per_file: int) -> FindingCaps:
        """The caps ``--max-findings N`` sets: N per rule and file, 10 N per rule (0: none)."""
        if per_file <= 0:
            return cls.UNBOUNDED
        return cls(per_file, 10 * per_file)


FindingCaps.UNBOUNDED = FindingCaps(None, None)
DEFAULT_CAPS = FindingCaps()


@dataclass(slots=True)
class Omitted:
    """What was counted instead of kept: per rule and file, and per rule beyond its cap; and,
    to merge it into another part, where those counted per rule and file were: how many
    before each finding kept (by its position; the last, after every finding kept).

    Those counted per rule need no place: the whole's rule is full wherever the part's is
    (see the module's description), so the merge counts them all per rule. An export with an
    informational finding on every file (a synthetic test number) counts hundreds of
    thousands of them: a place for each would cost memory, time and what a worker sends.
    """

    by_file: Counter[Key]
    by_rule: Counter[str]
    at: dict[int, Counter[Key]]

    @classmethod
    def none(cls) -> Omitted:
        """Nothing omitted (yet)."""
        return cls(Counter(), Counter(), {})

    def __bool__(self) -> bool:
        return bool(self.by_file) or bool(self.by_rule)


class CappedFindings:
    """An export's findings, in the order they were found, kept under :class:`FindingCaps`."""

    __slots__ = ("_full", "caps", "closed", "kept", "omitted", "per_key", "per_rule")

    def __init__(self, caps: FindingCaps = DEFAULT_CAPS, closed: Container[str] = ()) -> None:
        self.caps = caps
        #: Rules whose findings are all counted: in a worker, those whose cap the findings the
        #: main process merged so far (of the files before this one) have filled.
        self.closed = closed
        self.kept: list[Finding] = []
        self.omitted = Omitted.none()
        self.per_key: Counter[Key] = Counter()
        self.per_rule: Counter[str] = Counter()
        #: The rules whose cap per export the findings kept have filled, and those found
        #: closed (asked for every finding; each added once, when it fills or is found closed).
        self._full: set[str] = set()

    def add(self, finding: Finding) -> None:
        """Keep the finding, or count it when its rule or its rule and file are full."""
        if not self.omit(finding.rule, finding.file, finding.count):
            self.keep(finding)

    def omit(self, rule: str, file: str, count: int = 1) -> bool:
        """Count a finding of ``rule`` in ``file`` as omitted if there is no room to keep it.

        Called before a finding is made, so that one that would not be kept costs nothing more.
        """
        omitted = self.omitted
        if rule in self._full:
            omitted.by_rule[rule] += count  # no place needed (see Omitted)
            return True
        if rule in self.closed:
            # Closed for good (the main process only closes rules): asked once, since asking
            # the shared flags costs several times a set's look-up, once per finding.
            self._full.add(rule)
            omitted.by_rule[rule] += count
            return True
        per_file = self.caps.per_file
        key = (rule, file)
        if per_file is None or self.per_key.get(key, 0) < per_file:
            return False
        omitted.by_file[key] += count
        place = len(self.kept)
        counted = omitted.at.get(place)
        if counted is None:
            counted = omitted.at[place] = Counter()
        counted[key] += count
        return True

    def omit_all(self, rule: str, count: int) -> bool:
        """Count ``count`` findings of ``rule`` as omitted if the rule is full for the export
        (each would be counted per rule, wherever it is: see :meth:`omit`); else count none.

        Why: a rule that reports on every document (IDENTIFIER-003 in a test export) is full
        after its first thousand findings; from then on a check's hits are counted at once, not
        each made into a finding's call (about 1 µs a document).
        """
        if rule not in self._full:
            if rule not in self.closed:
                return False
            self._full.add(rule)  # (see omit)
        self.omitted.by_rule[rule] += count
        return True

    def _rule_full(self, rule: str) -> bool:
        return rule in self._full or rule in self.closed

    def full(self, rule: str, file: str) -> bool:
        """Whether a finding of ``rule`` in ``file`` would be counted, not kept."""
        per_file = self.caps.per_file
        return self._rule_full(rule) or (
            per_file is not None and self.per_key[rule, file] >= per_file
        )

    def keep(self, finding: Finding) -> None:
        """Keep a finding :meth:`omit` has made room for."""
        rule = finding.rule
        self.per_key[rule, finding.file] += 1
        self.per_rule[rule] += 1
        self.kept.append(finding)
        cap = self.caps.per_rule
        if cap is not None and self.per_rule[rule] >= cap:
            self._full.add(rule)

    def merge(self, findings: Iterable[Finding], omitted: Omitted) -> None:
        """Add what a later part kept (in its order) and what it counted, each where it was
        found among those kept: a finding counted there per file is counted here per rule
        when the rule is full by then, else per file (where the part kept as many as the cap
        before it, so that this whole has too, or its rule is full); one counted there per
        rule is counted here per rule (the rule is full here too)."""
        at = omitted.at
        kept = 0
        for kept, finding in enumerate(findings, 1):
            self._count(at.get(kept - 1))
            self.add(finding)
        self._count(at.get(kept))
        self.omitted.by_rule.update(omitted.by_rule)

    def _count(self, counted: Counter[Key] | None) -> None:
        for (rule, file), count in (counted or {}).items():
            if self._rule_full(rule):
                self.omitted.by_rule[rule] += count
            else:
                self.omitted.by_file[rule, file] += count

    def filled(self) -> list[str]:
        """The rules whose cap per export is filled."""
        cap = self.caps.per_rule
        return [] if cap is None else [rule for rule, kept in self.per_rule.items() if kept >= cap]

    def summaries(self, severities: Mapping[str, Severity], export: str) -> list[Finding]:
        """One finding per rule and file, and per rule, that stands for the omitted ones.

        A file none of whose findings of a rule is listed has no summary of its own: its
        findings are among the rule's omitted ones in the export.
        """
        by_rule = Counter(self.omitted.by_rule)
        found = []
        for (rule, file), count in self.omitted.by_file.items():
            kept = self.per_key[rule, file]
            if not kept:
                by_rule[rule] += count
                continue
            found.append(
                Finding(
                    rule=rule,
                    severity=severities[rule],
                    file=file,
                    template=FILE_SUMMARY,
                    args={"count": count, "kept": kept},
                    count=count,
                    summary=True,
                )
            )
        found += [
            Finding(
                rule=rule,
                severity=severities[rule],
                file=export,
                template=RULE_SUMMARY,
                args={"count": count, "kept": self.per_rule[rule]},
                count=count,
                summary=True,
            )
            for rule, count in sorted(by_rule.items())  # one order, however parts were merged
        ]
        return found
