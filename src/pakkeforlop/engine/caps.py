"""How many findings a check keeps: a bounded number per rule and file, the rest counted exactly.

A broken export can hold a million bad lines, and a large clean one a finding for information
on every file. Listing each would cost memory, time and a report no one reads. So an export's
findings are kept up to :attr:`FindingCaps.per_file` per rule and file, and up to
:attr:`FindingCaps.per_rule` per rule in the whole export; the others are counted, and the
report shows one summary finding per rule and file (or per rule) that stands for them, with
their exact number (:attr:`~pakkeforlop.model.findings.Finding.count`). The report's
totals count every finding, listed or not. ``FindingCaps.UNBOUNDED`` keeps every one (``--verbose``,
``--max-findings 0``).

Which findings are kept does not depend on how many processes check the export: a worker keeps
its files' first findings under the same caps, and the main process applies them again as it
merges the workers' results in file order. A rule whose cap the merged findings have filled is
*closed*: every later finding of it would be counted at the merge, so a worker counts it at
once instead of making it (see ``closed`` of :class:`CappedFindings`).
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
    """What was counted instead of kept: per rule and file, and per rule beyond its cap."""

    by_file: Counter[Key]
    by_rule: Counter[str]

    @classmethod
    def none(cls) -> Omitted:
        """Nothing omitted (yet)."""
        return cls(Counter(), Counter())

    def __bool__(self) -> bool:
        return bool(self.by_file) or bool(self.by_rule)


class CappedFindings:
    """An export's findings, in the order they were found, kept under :class:`FindingCaps`."""

    __slots__ = ("caps", "closed", "kept", "omitted", "per_key", "per_rule")

    def __init__(self, caps: FindingCaps = DEFAULT_CAPS, closed: Container[str] = ()) -> None:
        self.caps = caps
        #: Rules whose findings are all counted: in a worker, those whose cap the findings the
        #: main process merged so far (of the files before this one) have filled.
        self.closed = closed
        self.kept: list[Finding] = []
        self.omitted = Omitted.none()
        self.per_key: Counter[Key] = Counter()
        self.per_rule: Counter[str] = Counter()

    def add(self, finding: Finding) -> None:
        """Keep the finding, or count it when its rule or its rule and file are full."""
        if not self.omit(finding.rule, finding.file, finding.count):
            self.keep(finding)

    def omit(self, rule: str, file: str, count: int = 1) -> bool:
        """Count a finding of ``rule`` in ``file`` as omitted if there is no room to keep it.

        Called before a finding is made, so that one that would not be kept costs nothing more.
        """
        caps = self.caps
        if (caps.per_rule is not None and self.per_rule[rule] >= caps.per_rule) or (
            rule in self.closed
        ):
            self.omitted.by_rule[rule] += count
            return True
        if caps.per_file is not None and self.per_key[rule, file] >= caps.per_file:
            self.omitted.by_file[rule, file] += count
            return True
        return False

    def full(self, rule: str, file: str) -> bool:
        """Whether a finding of ``rule`` in ``file`` would be counted, not kept."""
        caps = self.caps
        return (
            (caps.per_rule is not None and self.per_rule[rule] >= caps.per_rule)
            or rule in self.closed
            or (caps.per_file is not None and self.per_key[rule, file] >= caps.per_file)
        )

    def keep(self, finding: Finding) -> None:
        """Keep a finding :meth:`omit` has made room for."""
        self.per_key[finding.rule, finding.file] += 1
        self.per_rule[finding.rule] += 1
        self.kept.append(finding)

    def merge(self, findings: Iterable[Finding], omitted: Omitted) -> None:
        """Add what a worker kept (in its order) and what it omitted."""
        for finding in findings:
            self.add(finding)
        self.omitted.by_file.update(omitted.by_file)
        self.omitted.by_rule.update(omitted.by_rule)

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
            for rule, count in by_rule.items()
        ]
        return found
