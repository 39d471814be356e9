"""The report: every export's findings plus the per-rule results, built once for every view."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from pakkeforlop import SPEC_VERSION, __version__
from pakkeforlop.catalogue import Rule, catalogue
from pakkeforlop.codes import code_systems
from pakkeforlop.engine import ExportResult
from pakkeforlop.findings import Finding, Severity


class Outcome(StrEnum):
    """A rule's result for the checked exports.

    ``failed``: at least one finding at or above the fail level; ``passed``: exercised, and no
    finding reaches the fail level (findings below it are listed but leave the result
    unchanged); ``skipped``: nothing in the exports exercised the rule, so it was not verified.
    """

    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class RuleResult:
    """One rule's outcome and findings count."""

    rule: Rule
    outcome: Outcome
    counts: Mapping[Severity, int]
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Report:
    """What a conformance run found, ready to render."""

    exports: tuple[ExportResult, ...]
    fail_on: Severity
    masked: bool
    rule_results: tuple[RuleResult, ...]
    tool_version: str = __version__
    spec_version: str = SPEC_VERSION
    code_list_versions: Mapping[str, str] = field(default_factory=dict)

    @property
    def findings(self) -> list[Finding]:
        """Every finding of every export, in report order."""
        return [finding for export in self.exports for finding in export.findings]

    @property
    def counts(self) -> Mapping[Severity, int]:
        """How many findings of each severity."""
        counted: Counter[Severity] = Counter()
        for finding in self.findings:
            counted[finding.severity] += finding.count
        return {severity: counted.get(severity, 0) for severity in Severity}

    @property
    def failed(self) -> bool:
        """Whether any finding reaches the fail level."""
        return any(finding.severity.rank >= self.fail_on.rank for finding in self.findings)

    @property
    def exit_code(self) -> int:
        """0 when no finding reaches the fail level, 1 when one does."""
        return 1 if self.failed else 0


KIND_NAMES: Mapping[str, str] = {
    "export": "export with a manifest",
    "export-manifest": "export manifest",
    "referral": "referral",
    "epicrisis": "epicrisis",
    "pathway-event": "pathway event",
    "kith-message": "KITH XML message",
}


def _skip_reason(rule: Rule, kinds_seen: set[str]) -> str:
    kinds = " or ".join(KIND_NAMES.get(kind, kind) for kind in sorted(rule.applies_to))
    if not rule.applies_to & kinds_seen:
        return f"not exercised: the checked files hold no {kinds}"
    return (
        f"not exercised: no {kinds} in the checked files is a case this rule judges "
        f"({rule.statement})"
    )


def rule_results(exports: Iterable[ExportResult], fail_on: Severity) -> tuple[RuleResult, ...]:
    """The outcome of every catalogue rule over the checked exports."""
    exports = tuple(exports)
    exercised = set().union(*(export.exercised for export in exports)) if exports else set()
    kinds_seen = set().union(*(export.kinds_seen for export in exports)) if exports else set()
    reasons: dict[str, str] = {}
    for export in exports:
        for rule_id, reason in export.skip_reasons.items():
            reasons.setdefault(rule_id, reason)
    per_rule: dict[str, Counter[Severity]] = {}
    for export in exports:
        for finding in export.findings:
            per_rule.setdefault(finding.rule, Counter())[finding.severity] += finding.count
    results = []
    for rule_id, rule in catalogue().items():
        counted = per_rule.get(rule_id, Counter())
        counts = {severity: counted.get(severity, 0) for severity in Severity}
        if any(counts[severity] for severity in Severity if severity.rank >= fail_on.rank):
            results.append(RuleResult(rule, Outcome.FAILED, counts))
        elif rule_id in exercised or any(counts.values()):
            results.append(RuleResult(rule, Outcome.PASSED, counts))
        else:
            reason = reasons.get(rule_id) or _skip_reason(rule, kinds_seen)
            results.append(RuleResult(rule, Outcome.SKIPPED, counts, reason))
    return tuple(results)


def build_report(
    exports: Iterable[ExportResult], *, fail_on: Severity = Severity.ERROR, masked: bool = True
) -> Report:
    """Collect the exports' results into one report."""
    exports = tuple(exports)
    return Report(
        exports=exports,
        fail_on=fail_on,
        masked=masked,
        rule_results=rule_results(exports, fail_on),
        code_list_versions={
            kodeverk: f"{system.version} ({system.status})"
            for kodeverk, system in code_systems().items()
        },
    )
