"""The report: every export's findings plus the per-rule results, built once for every view.

The report also says, for every finding, its fingerprint and whether it is accepted (waived or
in the baseline, :mod:`pakkeforlop.report.acceptance`): an accepted finding is listed, marked, and
does not fail the run or its rule; the severity counts are of the findings not accepted.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from pakkeforlop import SPEC_VERSION, __version__
from pakkeforlop.data.catalogue import Rule, Severity, catalogue
from pakkeforlop.data.codes import code_systems
from pakkeforlop.engine import ExportResult
from pakkeforlop.model.findings import Finding
from pakkeforlop.report.acceptance import Accepted, Baseline, Selection, Waiver, WaiverState
from pakkeforlop.report.fingerprints import fingerprints


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
    #: Findings of each severity that are not accepted.
    counts: Mapping[Severity, int]
    reason: str = ""
    #: Findings accepted by a waiver or the baseline (counting what summaries stand for).
    accepted: int = 0

    @property
    def verdict(self) -> str:
        """The outcome as people read it: ``failed``, ``passed with warnings`` (findings below
        the fail level that are warnings), ``passed`` or ``skipped``."""
        if self.outcome is Outcome.PASSED and self.counts.get(Severity.WARNING, 0):
            return "passed with warnings"
        return self.outcome.value


class Fingerprints:
    """The fingerprints of the findings of some exports, in report order, made all at once
    when one is first asked for.

    Why: a report needs them where a waiver or a baseline judges the findings, or where a view
    writes them (the JSON, SARIF and GitLab reports, a new baseline); a run that prints only
    its summary (``--quiet``, the text report) made thousands for nothing, each a JSON text and
    a SHA-256: 0.03 s of the command's end, for the 2,000 findings of a large test export.
    """

    __slots__ = ("_exports", "_made")

    def __init__(self, exports: Sequence[ExportResult]) -> None:
        self._exports = exports
        self._made: list[str] | None = None

    def __getitem__(self, index: int) -> str:
        made = self._made
        if made is None:
            made = self._made = list(fingerprints(self._exports))
        return made[index]


@dataclass(frozen=True, slots=True)
class FindingStatus:
    """A finding's fingerprint (the ``index``-th of ``prints``), and what accepted it (None: it
    counts)."""

    prints: Fingerprints = field(repr=False, compare=False)
    index: int
    accepted: Accepted | None = None

    @property
    def fingerprint(self) -> str:
        """The finding's fingerprint (see :mod:`pakkeforlop.report.fingerprints`)."""
        return self.prints[self.index]


@dataclass(frozen=True, slots=True)
class WaiverUse:
    """A waiver's state in this run, and how many findings it accepted."""

    waiver: Waiver
    state: WaiverState
    findings: int = 0


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
    #: The language of messages and labels: ``en`` or ``nb`` (Norwegian bokmål).
    lang: str = "en"
    #: Every finding of every export, in report order.
    findings: tuple[Finding, ...] = ()
    #: Each finding's status, in the order of :attr:`findings`.
    statuses: tuple[FindingStatus, ...] = ()
    waivers: tuple[WaiverUse, ...] = ()
    #: The baseline file's name as given, when one was used.
    baseline: str | None = None
    #: The rules reported (None: all).
    selection: Selection | None = None
    #: ``id(finding) -> status`` for :meth:`status` (the report keeps its findings alive, so
    #: their ids stay theirs).
    by_identity: Mapping[int, FindingStatus] = field(default_factory=dict, repr=False)

    def status(self, finding: Finding) -> FindingStatus:
        """The fingerprint and acceptance of one of the report's findings."""
        return self.by_identity[id(finding)]

    def accepted(self, finding: Finding) -> Accepted | None:
        """What accepted ``finding`` (None: it counts against the run)."""
        return self.status(finding).accepted

    def rule_results_of(self, export: ExportResult) -> tuple[RuleResult, ...]:
        """The outcome of every rule over one of the report's exports."""
        return rule_results(
            [export], self.fail_on, lambda f: self.accepted(f) is not None, self.selection
        )

    @property
    def active(self) -> list[Finding]:
        """The findings that are not accepted, in report order."""
        return [f for f, s in zip(self.findings, self.statuses, strict=True) if s.accepted is None]

    @property
    def counts(self) -> Mapping[Severity, int]:
        """How many findings of each severity are not accepted."""
        counted: Counter[Severity] = Counter()
        for finding in self.active:
            counted[finding.severity] += finding.count
        return {severity: counted.get(severity, 0) for severity in Severity}

    @property
    def accepted_counts(self) -> Mapping[str, int]:
        """How many findings were ``waived`` and how many were in the ``baseline``."""
        counted: Counter[str] = Counter({"waived": 0, "baseline": 0})
        for finding, status in zip(self.findings, self.statuses, strict=True):
            if status.accepted is not None:
                counted[status.accepted.kind] += finding.count
        return dict(counted)

    @property
    def failed(self) -> bool:
        """Whether any finding that is not accepted reaches the fail level."""
        return any(finding.severity.rank >= self.fail_on.rank for finding in self.active)

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


def rule_results(
    exports: Iterable[ExportResult],
    fail_on: Severity,
    accepted: Callable[[Finding], bool] = lambda _finding: False,
    selection: Selection | None = None,
) -> tuple[RuleResult, ...]:
    """The outcome of every catalogue rule over the checked exports.

    ``accepted`` says which findings are accepted (they leave a rule's outcome alone); a rule
    that ``selection`` leaves out is skipped, with the reason.
    """
    exports = tuple(exports)
    exercised = set().union(*(export.exercised for export in exports)) if exports else set()
    kinds_seen = set().union(*(export.kinds_seen for export in exports)) if exports else set()
    reasons: dict[str, str] = {}
    for export in exports:
        for rule_id, reason in export.skip_reasons.items():
            reasons.setdefault(rule_id, reason)
    per_rule: dict[str, Counter[Severity]] = {}
    waived: Counter[str] = Counter()
    for export in exports:
        for finding in export.findings:
            if accepted(finding):
                waived[finding.rule] += finding.count
            else:
                per_rule.setdefault(finding.rule, Counter())[finding.severity] += finding.count
    results = []
    for rule_id, rule in catalogue().items():
        counted = per_rule.get(rule_id, Counter())
        counts = {severity: counted.get(severity, 0) for severity in Severity}
        if selection is not None and not selection.selects(rule_id):
            results.append(RuleResult(rule, Outcome.SKIPPED, counts, selection.reason(rule_id)))
        elif any(counts[severity] for severity in Severity if severity.rank >= fail_on.rank):
            results.append(RuleResult(rule, Outcome.FAILED, counts, accepted=waived[rule_id]))
        elif rule_id in exercised or any(counts.values()) or waived[rule_id]:
            results.append(RuleResult(rule, Outcome.PASSED, counts, accepted=waived[rule_id]))
        else:
            reason = reasons.get(rule_id) or _skip_reason(rule, kinds_seen)
            results.append(RuleResult(rule, Outcome.SKIPPED, counts, reason))
    return tuple(results)


def _selected(exports: Sequence[ExportResult], selection: Selection) -> tuple[ExportResult, ...]:
    """The exports with the findings of rules the selection leaves out dropped."""
    return tuple(
        dataclasses.replace(
            export, findings=[f for f in export.findings if selection.selects(f.rule)]
        )
        for export in exports
    )


def _statuses(
    exports: Sequence[ExportResult],
    waivers: Sequence[Waiver],
    baseline: Baseline | None,
    today: date,
) -> tuple[tuple[FindingStatus, ...], tuple[WaiverUse, ...]]:
    """Each finding's fingerprint and acceptance, and what each waiver did."""
    in_force = [waiver for waiver in waivers if not waiver.expired(today)]
    used: Counter[int] = Counter()
    statuses: list[FindingStatus] = []
    prints = Fingerprints(exports)
    judged = bool(in_force) or baseline is not None
    for export in exports:
        for finding in export.findings:
            index = len(statuses)
            accepted = None
            if judged:
                fingerprint = prints[index]
                for number, waiver in enumerate(in_force):
                    if waiver.covers(finding, export.root, fingerprint):
                        accepted = Accepted(waiver=waiver)
                        used[number] += finding.count
                        break
                else:
                    if baseline is not None and baseline.covers(fingerprint, finding.count):
                        accepted = Accepted(baseline=baseline.source)
            statuses.append(FindingStatus(prints, index, accepted))
    uses = []
    for waiver in waivers:
        if waiver.expired(today):
            uses.append(WaiverUse(waiver, WaiverState.EXPIRED))
        else:
            count = used[in_force.index(waiver)]
            uses.append(WaiverUse(waiver, WaiverState.USED if count else WaiverState.UNUSED, count))
    return tuple(statuses), tuple(uses)


def build_report(
    exports: Iterable[ExportResult],
    *,
    fail_on: Severity = Severity.ERROR,
    masked: bool = True,
    lang: str = "en",
    selection: Selection | None = None,
    waivers: Sequence[Waiver] = (),
    baseline: Baseline | None = None,
    today: date | None = None,
) -> Report:
    """Collect the exports' results into one report.

    ``selection`` leaves rules out (their findings are dropped and the rules skipped);
    ``waivers`` and ``baseline`` accept findings, judged on ``today`` (default: the day
    the report is built).
    """
    exports = tuple(exports)
    if selection is not None:
        exports = _selected(exports, selection)
    statuses, uses = _statuses(exports, waivers, baseline, today or date.today())
    findings = tuple(finding for export in exports for finding in export.findings)
    by_identity = {id(f): s for f, s in zip(findings, statuses, strict=True)}
    return Report(
        exports=exports,
        fail_on=fail_on,
        masked=masked,
        rule_results=rule_results(
            exports, fail_on, lambda f: by_identity[id(f)].accepted is not None, selection
        ),
        code_list_versions={
            kodeverk: f"{system.version} ({system.status})"
            for kodeverk, system in code_systems().items()
        },
        lang=lang,
        findings=findings,
        statuses=statuses,
        waivers=uses,
        baseline=baseline.source if baseline is not None else None,
        selection=selection,
        by_identity=by_identity,
    )
