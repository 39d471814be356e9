"""The plain-text report: a summary, the findings grouped by rule, the accepted findings, the
waivers that need attention, then the skipped rules."""

from __future__ import annotations

import textwrap

from pakkeforlop.data.catalogue import Severity
from pakkeforlop.model.findings import Finding, total
from pakkeforlop.report.acceptance import WaiverState
from pakkeforlop.report.build import Outcome, Report, RuleResult
from pakkeforlop.report.formats import (
    Summary,
    finding_line,
    findings_by_rule,
    shown_text,
    summarise,
)
from pakkeforlop.report.formats.i18n import label

WIDTH = 100

#: Rules whose findings stay below the fail level list at most this many; the JSON, JUnit and
#: HTML reports, and ``--verbose``, list them all.
SHOWN_BELOW_FAIL_LEVEL = 3


def _count(count: int, key: str, lang: str) -> str:
    """``1 error``, ``2 errors`` in the report's language."""
    return f"{count} {label(key if count == 1 else key + 's', lang)}"


def summary_line(report: Report, summary: Summary | None = None) -> str:
    """``PASS`` or ``FAIL`` with the run's figures, on one line."""
    summary = summary or summarise(report)
    lang = report.lang
    severities = ", ".join(
        [
            _count(summary.counts[Severity.ERROR], "error", lang),
            _count(summary.counts[Severity.WARNING], "warning", lang),
            f"{summary.counts[Severity.INFO]} {label('info', lang)}",
        ]
    )
    accepted = ""
    if any(summary.accepted.values()):
        accepted = (
            f" ({summary.accepted['waived']} {label('waived', lang)}, "
            f"{summary.accepted['baseline']} {label('baseline', lang)})"
        )
    return (
        f"{label('FAIL' if summary.failed else 'PASS', lang)} "
        f"({label('fail on', lang)} {label(report.fail_on.value, lang)}): "
        f"{_count(summary.exports, 'export', lang)}, "
        f"{_count(summary.documents, 'document', lang)}, {_count(summary.events, 'event', lang)}; "
        f"{severities}{accepted}; {label('rules', lang)}: {summary.passed_rules} "
        f"{label('passed', lang)}, {summary.failed_rules} {label('failed', lang)}, "
        f"{summary.skipped_rules} {label('skipped', lang)}"
    )


def _header(report: Report) -> str:
    masking = label("masked" if report.masked else "not masked", report.lang)
    return (
        f"pakkeforlop {report.tool_version} ({label('specification', report.lang)} "
        f"{report.spec_version}); {masking}"
    )


def _partial(summary: Summary, lang: str) -> list[str]:
    if not summary.unread:
        return []
    files = label("file or line" if summary.unread == 1 else "files or lines", lang)
    return [label("partial", lang).format(files=f"{summary.unread} {files}")]


def _rule_heading(result: RuleResult, count: int, report: Report) -> str:
    rule, lang = result.rule, report.lang
    if result.outcome is Outcome.FAILED:
        verdict = label("failed", lang)
    elif rule.severity.rank < report.fail_on.rank:
        verdict = (
            f"{label('below the fail level', lang)} ({label(report.fail_on.value, lang)}), "
            f"{label('does not fail the run', lang)}"
        )
    else:
        verdict = label(result.verdict, lang)
    return (
        f"{rule.id} {label(rule.severity.value, lang)}: {rule.title_in(lang)} "
        f"({_count(count, 'finding', lang)}, {verdict})"
    )


def compact_ids(ids: list[str]) -> list[str]:
    """Rule ids with runs of consecutive numbers in one family shortened: ``PATHWAY-001..019``."""
    runs: list[list[str]] = []
    for rule_id in ids:
        family, _, number = rule_id.rpartition("-")
        if runs:
            last_family, _, last_number = runs[-1][-1].rpartition("-")
            if (
                family == last_family
                and number.isdigit()
                and last_number.isdigit()
                and int(number) == int(last_number) + 1
            ):
                runs[-1].append(rule_id)
                continue
        runs.append([rule_id])
    return [run[0] if len(run) == 1 else f"{run[0]}..{run[-1].rpartition('-')[2]}" for run in runs]


def _skipped(report: Report) -> list[str]:
    skipped = [
        result.rule.id for result in report.rule_results if result.outcome is Outcome.SKIPPED
    ]
    if not skipped:
        return []
    line = f"{label('skipped rules', report.lang)} ({len(skipped)}): " + ", ".join(
        compact_ids(skipped)
    )
    return textwrap.wrap(line, WIDTH, subsequent_indent="  ", break_on_hyphens=False)


def _listed(findings: list[Finding], shown: list[Finding], report: Report) -> list[str]:
    lines = [
        f"  {finding_line(finding, masked=report.masked, lang=report.lang)}" for finding in shown
    ]
    if len(shown) < len(findings):
        more = label("more", report.lang).format(count=total(findings) - total(shown))
        lines.append(f"  {more}")
    return lines


def _accepted(report: Report, verbose: bool) -> list[str]:
    """The accepted findings: one group per rule and reason, the first few of each."""
    groups: dict[tuple[str, str], list[Finding]] = {}
    for finding in report.findings:
        accepted = report.accepted(finding)
        if accepted is not None:
            why = f"{label(accepted.kind, report.lang)}: {accepted.justification}"
            groups.setdefault((finding.rule, why), []).append(finding)
    lines: list[str] = []
    for (rule_id, why), findings in groups.items():
        lines += ["", f"{rule_id} ({_count(total(findings), 'finding', report.lang)}, "
                  f"{shown_text(why, masked=report.masked)})"]  # fmt: skip
        shown = findings if verbose else findings[:SHOWN_BELOW_FAIL_LEVEL]
        lines += _listed(findings, shown, report)
    return lines


def _waivers(report: Report) -> list[str]:
    """Warnings about expired waivers, and notes about waivers that accepted nothing."""
    lines = []
    for use in report.waivers:
        described = shown_text(use.waiver.describe(), masked=report.masked)
        if use.state is WaiverState.EXPIRED:
            lines.append(f"WARNING: expired waiver ({use.waiver.origin}): {described}")
        elif use.state is WaiverState.UNUSED:
            lines.append(f"note: unused waiver ({use.waiver.origin}): {described}")
    return lines


def render(report: Report, *, quiet: bool = False, verbose: bool = False) -> str:
    """The report as text, most severe rules first.

    ``quiet`` keeps only the header and summary lines (and the waiver warnings); without
    ``verbose``, rules whose findings stay below the fail level list only their first few
    findings, and so do the accepted findings.
    """
    summary = summarise(report)
    lines = [
        _header(report),
        summary_line(report, summary),
        *_partial(summary, report.lang),
        *_waivers(report),
    ]
    if quiet:
        return "\n".join(lines) + "\n"
    results = {result.rule.id: result for result in report.rule_results}
    accepted = {id(finding) for finding in report.findings if report.accepted(finding)}
    grouped = {
        rule: active
        for rule, findings in findings_by_rule(report).items()
        if (active := [finding for finding in findings if id(finding) not in accepted])
    }
    for rule_id in sorted(grouped, key=lambda rule: (-grouped[rule][0].severity.rank, rule)):
        findings = grouped[rule_id]
        lines.append("")
        result = results.get(rule_id)
        if result is None:  # a finding of a rule the catalogue does not know: show it anyway
            lines.append(f"{rule_id}: ({_count(total(findings), 'finding', report.lang)})")
        else:
            lines.append(_rule_heading(result, total(findings), report))
        below = findings[0].severity.rank < report.fail_on.rank
        shown = findings if verbose or not below else findings[:SHOWN_BELOW_FAIL_LEVEL]
        lines += _listed(findings, shown, report)
    lines += _accepted(report, verbose)
    skipped = _skipped(report)
    if skipped:
        lines.append("")
        lines.extend(skipped)
    return "\n".join(lines) + "\n"
