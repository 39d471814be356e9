"""The HTML report: one self-contained file (inline CSS and SVG, no scripts, no external assets).

Sections: the summary, the per-rule results (the requirement matrix, linking each rule to its
documentation), the findings per file, and a chart of pathway durations against their guiding
time limits. Every value is escaped; personal data is masked unless the report says otherwise.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from pakkeforlop.catalogue import catalogue
from pakkeforlop.evidence import Evidence
from pakkeforlop.findings import Finding, Severity, total
from pakkeforlop.pathways import Pathway
from pakkeforlop.report import Outcome, Report
from pakkeforlop.reports import (
    Summary,
    clean,
    message,
    plural,
    shown_file,
    shown_instance,
    shown_pointer,
    shown_xpath,
    summarise,
)
from pakkeforlop.timelimits import (
    Measurement,
    NotMeasurable,
    measure,
    not_measurable,
    number,
    pathway_of,
    percent,
)
from pakkeforlop.timelimits import summarise as summarise_measurements

#: At most this many durations are drawn one bar each; the table below the chart has them all.
MAX_BARS = 120

_CSS = """
:root { color-scheme: light; --fail: #b3261e; --pass: #1b6e20; --skip: #6b6b6b;
  --warn: #8a5a00; --line: #d0d0d0; --muted: #555; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0;
  color: #1a1a1a; background: #fff; }
main { max-width: 1200px; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .5rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1rem; margin: 1.25rem 0 .25rem; font-family: ui-monospace, monospace;
  overflow-wrap: anywhere; }
.meta, .note { color: var(--muted); }
.verdict { display: inline-block; padding: .2rem .7rem; border-radius: .3rem; color: #fff;
  font-weight: 700; letter-spacing: .05em; }
.verdict.failed { background: var(--fail); }
.verdict.passed { background: var(--pass); }
.partial { border-left: 4px solid var(--warn); padding: .4rem .8rem; background: #fff7e6; }
dl.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(9rem, 1fr));
  gap: .5rem; margin: 1rem 0; }
dl.figures div { border: 1px solid var(--line); border-radius: .3rem; padding: .4rem .6rem; }
dl.figures dt { color: var(--muted); font-size: .85rem; }
dl.figures dd { margin: 0; font-size: 1.3rem; font-weight: 600; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line);
  vertical-align: top; }
th { background: #f4f4f4; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
code, td.loc { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .9em; }
td.loc { overflow-wrap: anywhere; min-width: 12ch; }
td.rule, td.num { white-space: nowrap; }
details.file > summary { font-family: ui-monospace, monospace; font-weight: 600;
  overflow-wrap: anywhere; }
.outcome-failed, .severity-error { color: var(--fail); font-weight: 600; }
.outcome-passed { color: var(--pass); }
.outcome-skipped { color: var(--skip); }
.severity-warning { color: var(--warn); font-weight: 600; }
.severity-info { color: var(--muted); }
details summary { cursor: pointer; margin: .5rem 0; }
svg { max-width: 100%; height: auto; font: 12px system-ui, sans-serif; }
svg .within { fill: #2e7d32; }
svg .over { fill: #c77700; }
svg .limit { stroke: #1a1a1a; stroke-width: 2; }
svg .axis { stroke: #999; stroke-width: 1; }
@media print { h2 { break-after: avoid; } tr { break-inside: avoid; } }
"""


def _e(value: object) -> str:
    return escape(clean(str(value)), quote=True)


# --- Pathway durations ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Duration:
    """One measured interval, with the instance id as the report may show it."""

    instance: str
    measurement: Measurement

    @property
    def inferred(self) -> bool:
        """Whether an end of the interval is marked by an event code whose meaning is inferred."""
        return self.measurement.anchor_evidence is Evidence.UNCONFIRMED


def durations(report: Report) -> tuple[list[Duration], list[NotMeasurable]]:
    """Every measured interval of every checked instance (export order, then instance id), and
    the time-limit rows of the pathways seen that no export can measure."""
    found: list[Duration] = []
    seen: dict[str, Pathway] = {}
    for export in report.exports:
        for instance_id in sorted(export.instances):
            instance = export.instances[instance_id]
            pathway = pathway_of(instance)
            if pathway is None:
                continue
            seen.setdefault(pathway.code, pathway)
            shown = shown_instance(instance_id, masked=report.masked) or ""
            found.extend(Duration(shown, item) for item in measure(instance, pathway))
    unmeasurable = [row for code in sorted(seen) for row in not_measurable(seen[code])]
    return found, unmeasurable


def _label(duration: Duration) -> str:
    item = duration.measurement
    return f"{item.pathway} {item.label}{' ≈' if duration.inferred else ''}"


def _chart(found: Sequence[Duration]) -> str:
    drawn = list(found[:MAX_BARS])
    label_width, bar_width, row, top = 470, 500, 20, 24
    scale_max = max(
        [1, *(d.measurement.days for d in drawn), *(d.measurement.limit for d in drawn)]
    )
    height = top + row * len(drawn) + 10
    width = label_width + bar_width + 60

    def x(days: int) -> float:
        return label_width + bar_width * max(days, 0) / scale_max

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-labelledby="chart-title">',
        '<title id="chart-title">Pathway durations in days against their guiding time limits'
        "</title>",
        f'<text x="{label_width}" y="14">0</text>',
        f'<text x="{label_width + bar_width}" y="14" text-anchor="end">{scale_max} days</text>',
        f'<line class="axis" x1="{label_width}" y1="{top - 4}" x2="{label_width}" '
        f'y2="{height - 6}"/>',
    ]
    for index, duration in enumerate(drawn):
        item = duration.measurement
        y = top + index * row
        css = "within" if item.within else "over"
        delayed = ", patient-caused delay inside" if item.patient_delayed else ""
        tooltip = (
            f"{duration.instance}: {item.pathway} {item.label} ({item.care_level}): "
            f"{item.days} days, limit {item.limit}{delayed}"
        )
        label = f"{duration.instance} · {_label(duration)}"
        if len(label) > 68:
            label = label[:67] + "…"
        parts.extend(
            [
                f'<text x="{label_width - 6}" y="{y + 13}" text-anchor="end">{_e(label)}</text>',
                f'<rect class="{css}" x="{label_width}" y="{y + 3}" '
                f'width="{max(x(item.days) - label_width, 1.5):.1f}" height="{row - 6}">'
                f"<title>{_e(tooltip)}</title></rect>",
                f'<line class="limit" x1="{x(item.limit):.1f}" y1="{y + 1}" '
                f'x2="{x(item.limit):.1f}" y2="{y + row - 1}"/>',
                f'<text x="{x(max(item.days, item.limit)) + 5:.1f}" y="{y + 13}">{item.days}'
                f"{' L' if item.patient_delayed else ''}</text>",
            ]
        )
    parts.append("</svg>")
    return "\n".join(parts)


def _summary_table(found: Sequence[Duration]) -> str:
    rows = "".join(
        "<tr>"
        f"<td>{_e(group.pathway)} {_e(group.label)}"
        f"{' ≈' if group.anchor_evidence is Evidence.UNCONFIRMED else ''}</td>"
        f"<td>{_e(group.care_level)}</td>"
        f'<td class="num">{group.limit}</td><td class="num">{group.n}</td>'
        f'<td class="num">{group.n_within} ({percent(group.share_within)} %)</td>'
        f'<td class="num">{_e(number(group.median))}</td><td class="num">{group.p90}</td>'
        f'<td class="num">{group.max}</td><td class="num">{group.n_patient_delayed}</td>'
        f"<td>{_e(group.evidence.value)}</td></tr>"
        for group in summarise_measurements(d.measurement for d in found)
    )
    return (
        "<table><thead><tr><th>Time limit</th><th>Care level</th><th class=num>Limit (days)</th>"
        "<th class=num>Measured</th><th class=num>Within</th><th class=num>Median</th>"
        "<th class=num>p90</th><th class=num>Longest</th><th class=num>Patient-delayed</th>"
        "<th>Evidence</th></tr></thead><tbody>" + rows + "</tbody></table>"
    )


def _unmeasurable(rows: Sequence[NotMeasurable]) -> str:
    if not rows:
        return ""
    items = "".join(f"<li>{_e(row.pathway)} {_e(row.label)}: {_e(row.reason)}</li>" for row in rows)
    return (
        f"<details><summary>{_e(plural(len(rows), 'time limit'))} of these pathways cannot be "
        f"measured from an export</summary><ul>{items}</ul></details>"
    )


def _durations_section(report: Report) -> str:
    found, unmeasurable = durations(report)
    head = (
        '<section id="durations"><h2>Pathway durations</h2>'
        '<p class="note">Each bar is one completed interval of one pathway instance, in days; '
        "the black tick is its guiding time limit (<i>veiledende forløpstid</i>) for the care "
        "level at the end of the interval. Time limits are guidance, never a failure. "
        "≈ marks intervals between steps whose event codes are inferred rather than confirmed; "
        "L marks a patient-caused delay (pasientutsatt) inside the interval.</p>"
    )
    if not found:
        return (
            head + '<p class="note">No interval could be measured: no checked instance has both '
            "ends of a known time limit dated.</p>" + _unmeasurable(unmeasurable) + "</section>"
        )
    more = ""
    if len(found) > MAX_BARS:
        more = (
            f'<p class="note">The chart shows the first {MAX_BARS} of {len(found)} intervals; '
            "the table summarises them all.</p>"
        )
    return (
        head
        + _chart(found)
        + more
        + _summary_table(found)
        + _unmeasurable(unmeasurable)
        + "</section>"
    )


# --- Summary, rules, findings --------------------------------------------------------------------


def _summary_section(report: Report, summary: Summary) -> str:
    figures = [
        ("Exports", summary.exports),
        ("Documents", summary.documents),
        ("Events", summary.events),
        ("Instances", summary.instances),
        ("Errors", summary.counts[Severity.ERROR]),
        ("Warnings", summary.counts[Severity.WARNING]),
        ("Info", summary.counts[Severity.INFO]),
        ("Rules passed", summary.passed_rules),
        ("Rules failed", summary.failed_rules),
        ("Rules skipped", summary.skipped_rules),
    ]
    cells = "".join(f"<div><dt>{_e(name)}</dt><dd>{value}</dd></div>" for name, value in figures)
    partial = ""
    if summary.unread:
        partial = (
            '<p class="partial"><strong>Partial result:</strong> '
            f"{_e(plural(summary.unread, 'file or line', 'files or lines'))} could not be read, "
            "so their content was not checked. See the INPUT findings below.</p>"
        )
    masking = (
        "Personal data is masked."
        if report.masked
        else "<strong>Personal data is NOT masked</strong> (--no-mask): handle this file "
        "as containing patient data."
    )
    return (
        '<section id="summary"><h2>Summary</h2>'
        f'<p><span class="verdict {summary.result}">{"FAIL" if summary.failed else "PASS"}</span> '
        f"at fail level <b>{_e(report.fail_on.value)}</b>. {masking}</p>"
        f'{partial}<dl class="figures">{cells}</dl></section>'
    )


def _rules_section(report: Report) -> str:
    rows: list[str] = []
    skipped: list[str] = []
    for result in report.rule_results:
        rule = result.rule
        counts = "".join(
            f'<td class="num">{result.counts.get(severity, 0)}</td>' for severity in Severity
        )
        row = (
            f'<tr id="rule-{_e(rule.anchor)}"><td><a href="{_e(rule.url)}"><code>{_e(rule.id)}'
            f"</code></a></td><td>{_e(rule.title)}</td>"
            f'<td class="severity-{_e(rule.severity.value)}">{_e(rule.severity.value)}</td>'
            f'<td class="outcome-{_e(result.outcome.value)}">{_e(result.outcome.value)}</td>'
            f"{counts}<td>{_e(result.reason)}</td></tr>"
        )
        (skipped if result.outcome is Outcome.SKIPPED else rows).append(row)
    head = (
        "<table><thead><tr><th>Rule</th><th>Title</th><th>Severity</th><th>Outcome</th>"
        "<th class=num>Errors</th><th class=num>Warnings</th><th class=num>Info</th>"
        "<th>Note</th></tr></thead><tbody>"
    )
    section = '<section id="rules"><h2>Rules</h2>' + head + "".join(rows) + "</tbody></table>"
    if skipped:
        section += (
            f"<details><summary>{_e(plural(len(skipped), 'rule'))} skipped: not exercised by "
            "the checked files, so not verified</summary>"
            + head
            + "".join(skipped)
            + "</tbody></table></details>"
        )
    return section + "</section>"


def _finding_row(finding: Finding, report: Report) -> str:
    rule = catalogue().get(finding.rule)
    rule_cell = (
        f'<a href="{_e(rule.url)}"><code>{_e(finding.rule)}</code></a>'
        if rule is not None
        else f"<code>{_e(finding.rule)}</code>"
    )
    pointer = shown_pointer(finding.pointer, masked=report.masked)
    xpath = shown_xpath(finding, masked=report.masked)
    instance = shown_instance(finding.instance, masked=report.masked)
    return (
        f'<tr><td class="num">{_e(finding.line if finding.line is not None else "")}</td>'
        f'<td class="num">{_e(finding.column if finding.column is not None else "")}</td>'
        f'<td class="loc">{_e(pointer) if pointer is not None else "&#8211;"}</td>'
        f'<td class="rule">{rule_cell}</td>'
        f'<td class="severity-{_e(finding.severity.value)}">{_e(finding.severity.value)}</td>'
        f"<td>{_e(message(finding, masked=report.masked))}"
        f"{f' <span class=note>(instance {_e(instance)})</span>' if instance else ''}"
        f"{f' <span class=note>(at <code>{_e(xpath)}</code>)</span>' if xpath else ''}</td></tr>"
    )


def _findings_section(report: Report) -> str:
    by_file: dict[str, list[Finding]] = {}
    for finding in report.findings:
        by_file.setdefault(shown_file(finding.file, masked=report.masked), []).append(finding)
    if not by_file:
        return '<section id="findings"><h2>Findings</h2><p>No findings.</p></section>'
    parts = [
        '<section id="findings"><h2>Findings</h2><p class="note">Files with a finding at or '
        "above the fail level are open; the others are folded.</p>"
    ]
    for file, findings in by_file.items():
        counted: Counter[Severity] = Counter()
        for finding in findings:
            counted[finding.severity] += finding.count
        counts = ", ".join(
            plural(counted[severity], severity.value)
            if severity is not Severity.INFO
            else f"{counted[severity]} info"
            for severity in Severity
            if counted[severity]
        )
        failing = any(finding.severity.rank >= report.fail_on.rank for finding in findings)
        parts.append(
            f'<details class="file"{" open" if failing else ""}><summary>{_e(file or ".")} '
            f'<span class="note">({_e(counts)})</span></summary><table><thead><tr>'
            "<th class=num>Line</th><th class=num>Col</th><th>Pointer</th><th>Rule</th>"
            "<th>Severity</th><th>Message</th></tr></thead><tbody>"
        )
        parts.extend(_finding_row(finding, report) for finding in findings)
        parts.append("</tbody></table></details>")
    parts.append("</section>")
    return "".join(parts)


def _exports_section(report: Report) -> str:
    rows = "".join(
        f"<tr><td><code>{_e(shown_file(export.root, masked=report.masked) or '.')}</code></td>"
        f'<td class="num">{export.documents}</td><td class="num">{export.events}</td>'
        f'<td class="num">{len(export.instances)}</td>'
        f'<td class="num">{total(export.findings)}</td></tr>'
        for export in report.exports
    )
    return (
        '<section id="exports"><h2>Checked exports</h2><table><thead><tr><th>Export</th>'
        "<th class=num>Documents</th><th class=num>Events</th><th class=num>Instances</th>"
        f"<th class=num>Findings</th></tr></thead><tbody>{rows}</tbody></table></section>"
    )


def _versions(report: Report) -> str:
    lists = ", ".join(
        f"{_e(kodeverk)}: {_e(version)}"
        for kodeverk, version in sorted(report.code_list_versions.items())
    )
    return (
        f'<footer class="meta"><p>pakkeforlop {_e(report.tool_version)}, specification '
        f"{_e(report.spec_version)}. Code lists (kodeverk): {lists or 'none'}.</p></footer>"
    )


def render(report: Report) -> str:
    """The report as one self-contained HTML document."""
    summary = summarise(report)
    title = f"pakkeforlop conformance report: {'FAIL' if summary.failed else 'PASS'}"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body><main>"
        f"<h1>Conformance report</h1><p class=meta>pakkeforlop {_e(report.tool_version)} · "
        f"specification {_e(report.spec_version)}</p>"
        + _summary_section(report, summary)
        + _rules_section(report)
        + _findings_section(report)
        + _durations_section(report)
        + _exports_section(report)
        + _versions(report)
        + "</main></body></html>\n"
    )
