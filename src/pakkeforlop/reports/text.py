"""The plain-text report: a summary, the findings grouped by rule, then the skipped rules."""

from __future__ import annotations

import textwrap

from pakkeforlop.findings import Severity, total
from pakkeforlop.report import Outcome, Report, RuleResult
from pakkeforlop.reports import (
    Summary,
    finding_line,
    findings_by_rule,
    plural,
    summarise,
)

WIDTH = 100

#: Rules whose findings stay below the fail level list at most this many; the JSON, JUnit and
#: HTML reports, and ``--verbose``, list them all.
SHOWN_BELOW_FAIL_LEVEL = 3


def summary_line(report: Report, summary: Summary | None = None) -> str:
    """``PASS`` or ``FAIL`` with the run's figures, on one line."""
    summary = summary or summarise(report)
    severities = ", ".join(
        [
            plural(summary.counts[Severity.ERROR], "error"),
            plural(summary.counts[Severity.WARNING], "warning"),
            f"{summary.counts[Severity.INFO]} info",
        ]
    )
    return (
        f"{'FAIL' if summary.failed else 'PASS'} (fail on {report.fail_on.value}): "
        f"{plural(summary.exports, 'export')}, {plural(summary.documents, 'document')}, "
        f"{plural(summary.events, 'event')}; {severities}; rules: {summary.passed_rules} passed, "
        f"{summary.failed_rules} failed, {summary.skipped_rules} skipped"
    )


def _header(report: Report) -> str:
    masking = "personal data masked" if report.masked else "personal data NOT masked (--no-mask)"
    return f"pakkeforlop {report.tool_version} (spec {report.spec_version}); {masking}"


def _partial(summary: Summary) -> list[str]:
    if not summary.unread:
        return []
    return [
        f"PARTIAL: {plural(summary.unread, 'file or line', 'files or lines')} could not be read, "
        "so their content was not checked (see the INPUT findings below)."
    ]


def _rule_heading(result: RuleResult, count: int, report: Report) -> str:
    rule = result.rule
    if result.outcome is Outcome.FAILED:
        verdict = "failed"
    elif rule.severity.rank < report.fail_on.rank:
        verdict = f"below the fail level ({report.fail_on.value}), does not fail the run"
    else:
        verdict = result.outcome.value
    return f"{rule.id} {rule.severity.value}: {rule.title} ({plural(count, 'finding')}, {verdict})"


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
    line = f"Skipped, not exercised by the checked files ({len(skipped)}): " + ", ".join(
        compact_ids(skipped)
    )
    return textwrap.wrap(line, WIDTH, subsequent_indent="  ", break_on_hyphens=False)


def render(report: Report, *, quiet: bool = False, verbose: bool = False) -> str:
    """The report as text, most severe rules first.

    ``quiet`` keeps only the header and summary lines; without ``verbose``, rules whose
    findings stay below the fail level list only their first few findings.
    """
    summary = summarise(report)
    lines = [_header(report), summary_line(report, summary), *_partial(summary)]
    if quiet:
        return "\n".join(lines) + "\n"
    results = {result.rule.id: result for result in report.rule_results}
    grouped = findings_by_rule(report)
    for rule_id in sorted(grouped, key=lambda rule: (-grouped[rule][0].severity.rank, rule)):
        findings = grouped[rule_id]
        lines.append("")
        result = results.get(rule_id)
        if result is None:  # a finding of a rule the catalogue does not know: show it anyway
            lines.append(f"{rule_id}: ({plural(total(findings), 'finding')})")
        else:
            lines.append(_rule_heading(result, total(findings), report))
        below = findings[0].severity.rank < report.fail_on.rank
        shown = findings if verbose or not below else findings[:SHOWN_BELOW_FAIL_LEVEL]
        lines.extend(f"  {finding_line(finding, masked=report.masked)}" for finding in shown)
        if len(shown) < len(findings):
            hidden = total(findings) - total(shown)
            lines.append(f"  … and {hidden} more (--verbose lists them all)")
    skipped = _skipped(report)
    if skipped:
        lines.append("")
        lines.extend(skipped)
    return "\n".join(lines) + "\n"
