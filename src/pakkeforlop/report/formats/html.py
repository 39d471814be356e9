"""The HTML report: one self-contained file (inline CSS, SVG and one small script; nothing
loaded from anywhere, which its Content-Security-Policy enforces).

It leads with what failed: the summary, then every rule that failed or warned, open, with its
findings; then the findings of the other rules and the accepted findings (waived or in the
baseline), folded; the requirement matrix of every rule, folded; the time limits (share within
each limit and the distribution of durations, over every measured interval); the exports.
Findings can be filtered by rule, severity and file (the script only hides rows: without it,
everything shows). Every value is escaped; personal data is masked unless the report says
otherwise; labels follow the report's language.
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from collections.abc import Iterable
from html import escape

from pakkeforlop.data.catalogue import Severity
from pakkeforlop.model.findings import Finding, total
from pakkeforlop.report.build import Outcome, Report, RuleResult
from pakkeforlop.report.formats import (
    Summary,
    clean,
    html_durations,
    message,
    plural,
    shown_file,
    shown_instance,
    shown_pointer,
    shown_text,
    shown_xpath,
    summarise,
)
from pakkeforlop.report.formats.i18n import label

_CSS = """
:root { color-scheme: light; --fail: #b3261e; --pass: #1b6e20; --skip: #6b6b6b;
  --warn: #8a5a00; --line: #d0d0d0; --muted: #555; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0;
  color: #1a1a1a; background: #fff; }
main { max-width: 1200px; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .5rem; border-bottom: 1px solid var(--line); }
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
td.num, th.num, span.num { text-align: right; font-variant-numeric: tabular-nums; }
code, td.loc { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .9em; }
td.loc { overflow-wrap: anywhere; min-width: 12ch; }
td.rule, td.num { white-space: nowrap; }
details.rule { border: 1px solid var(--line); border-radius: .3rem; margin: .5rem 0;
  padding: .2rem .6rem; }
details.rule > summary { font-weight: 600; }
details.rule.failed { border-left: 4px solid var(--fail); }
details.rule.warned { border-left: 4px solid var(--warn); }
.outcome-failed, .severity-error { color: var(--fail); font-weight: 600; }
.outcome-passed { color: var(--pass); }
.outcome-skipped { color: var(--skip); }
.severity-warning, .outcome-warned { color: var(--warn); font-weight: 600; }
.severity-info { color: var(--muted); }
details summary { cursor: pointer; margin: .4rem 0; }
form#filters { display: flex; flex-wrap: wrap; gap: .75rem; align-items: end; margin: .5rem 0;
  padding: .5rem .75rem; background: #f7f7f7; border-radius: .3rem; }
form#filters label { display: flex; flex-direction: column; font-size: .85rem;
  color: var(--muted); }
svg { max-width: 100%; height: auto; font: 11px system-ui, sans-serif; vertical-align: middle; }
svg .within { fill: #2e7d32; }
svg .over { fill: #c77700; }
svg .limit { stroke: #1a1a1a; stroke-width: 2; }
@media print { h2 { break-after: avoid; } tr { break-inside: avoid; }
  form#filters { display: none; } }
"""

#: Hides the finding rows that do not match the filters; rules left with no row hide too.
_SCRIPT = """(function () {
  var form = document.getElementById("filters");
  if (!form) { return; }
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.finding"));
  function apply() {
    var rule = form.elements.rule.value, severity = form.elements.severity.value;
    var file = form.elements.file.value.toLowerCase(), shown = 0;
    rows.forEach(function (row) {
      var ok = (!rule || row.dataset.rule === rule) &&
        (!severity || row.dataset.severity === severity) &&
        (!file || row.dataset.file.toLowerCase().indexOf(file) !== -1);
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    document.querySelectorAll("details.rule").forEach(function (block) {
      block.hidden = !block.querySelector("tr.finding:not([hidden])");
    });
    document.getElementById("shown").textContent = String(shown);
  }
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
})();"""


def _e(value: object) -> str:
    return escape(clean(str(value)), quote=True)


def _csp() -> str:
    digest = base64.b64encode(hashlib.sha256(_SCRIPT.encode()).digest()).decode()
    return (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        f"script-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"
    )


# --- Summary ------------------------------------------------------------------------------------


def _summary_section(report: Report, summary: Summary) -> str:
    lang = report.lang
    figures = [
        (label("exports", lang), summary.exports),
        (label("documents", lang), summary.documents),
        (label("events", lang), summary.events),
        (label("instances", lang), summary.instances),
        (label("errors", lang), summary.counts[Severity.ERROR]),
        (label("warnings", lang), summary.counts[Severity.WARNING]),
        (label("info", lang), summary.counts[Severity.INFO]),
        (label("waived", lang), summary.accepted["waived"]),
        (label("baseline", lang), summary.accepted["baseline"]),
        (f"{label('rules', lang)} {label('failed', lang)}", summary.failed_rules),
        (f"{label('rules', lang)} {label('passed', lang)}", summary.passed_rules),
        (f"{label('rules', lang)} {label('skipped', lang)}", summary.skipped_rules),
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
        _e(label("masked", lang)) + "."
        if report.masked
        else "<strong>Personal data is NOT masked</strong> (--no-mask): handle this file "
        "as containing patient data."
    )
    verdict = label("FAIL" if summary.failed else "PASS", lang)
    return (
        f'<section id="summary"><h2>{_e(label("summary", lang))}</h2>'
        f'<p><span class="verdict {summary.result}">{_e(verdict)}</span> '
        f"{_e(label('fail on', lang))} <b>{_e(label(report.fail_on.value, lang))}</b>. "
        f"{masking}</p>{_waiver_notes(report)}{partial}"
        f'<dl class="figures">{cells}</dl></section>'
    )


def _waiver_notes(report: Report) -> str:
    notes = [
        f"<li>{_e(use.state.value)} waiver ({_e(use.waiver.origin)}): "
        f"{_e(shown_text(use.waiver.describe(), masked=report.masked))}</li>"
        for use in report.waivers
        if use.findings == 0
    ]
    return f'<ul class="partial">{"".join(notes)}</ul>' if notes else ""


# --- Rules and their findings -------------------------------------------------------------------


def _finding_row(finding: Finding, report: Report) -> str:
    pointer = shown_pointer(finding.pointer, masked=report.masked)
    xpath = shown_xpath(finding, masked=report.masked)
    instance = shown_instance(finding.instance, masked=report.masked)
    file = shown_file(finding.file, masked=report.masked) or "."
    accepted = report.accepted(finding)
    note = ""
    if accepted is not None:
        why = f"{label(accepted.kind, report.lang)}: {accepted.justification}"
        note = f" <span class=note>({_e(shown_text(why, masked=report.masked))})</span>"
    line = f":{finding.line}" if finding.line is not None else ""
    column = f":{finding.column}" if finding.line is not None and finding.column else ""
    return (
        f'<tr class="finding" data-rule="{_e(finding.rule)}" '
        f'data-severity="{_e(finding.severity.value)}" data-file="{_e(file)}">'
        f'<td class="loc">{_e(file)}{line}{column}</td>'
        f'<td class="loc">{_e(pointer) if pointer is not None else "&#8211;"}</td>'
        f'<td class="severity-{_e(finding.severity.value)}">'
        f"{_e(label(finding.severity.value, report.lang))}</td>"
        f"<td>{_e(message(finding, masked=report.masked, lang=report.lang))}"
        f"{f' <span class=note>(instance {_e(instance)})</span>' if instance else ''}"
        f"{f' <span class=note>(at <code>{_e(xpath)}</code>)</span>' if xpath else ''}"
        f"{note}</td></tr>"
    )


def _findings_table(findings: Iterable[Finding], report: Report) -> str:
    lang = report.lang
    head = (
        f"<table><thead><tr><th>{_e(label('file', lang))}</th>"
        f"<th>{_e(label('pointer', lang))}</th><th>{_e(label('severity', lang))}</th>"
        f"<th>{_e(label('message', lang))}</th></tr></thead><tbody>"
    )
    return head + "".join(_finding_row(f, report) for f in findings) + "</tbody></table>"


def _verdict_class(result: RuleResult) -> str:
    if result.outcome is Outcome.FAILED:
        return "failed"
    return "warned" if result.verdict != result.outcome.value else result.outcome.value


def _rule_block(result: RuleResult, findings: list[Finding], report: Report, *, open_: bool) -> str:
    rule, lang = result.rule, report.lang
    counts = ", ".join(
        f"{result.counts.get(severity, 0)} {label(severity.value, lang)}"
        for severity in Severity
        if result.counts.get(severity, 0)
    )
    if result.accepted:
        accepted = f"{result.accepted} {label('waived', lang)}/{label('baseline', lang)}"
        counts = f"{counts}, {accepted}" if counts else accepted
    verdict = _verdict_class(result)
    return (
        f'<details class="rule {verdict}" id="rule-{_e(rule.anchor)}"{" open" if open_ else ""}>'
        f"<summary><code>{_e(rule.id)}</code> {_e(rule.title_in(lang))} "
        f'<span class="outcome-{verdict}">{_e(label(result.verdict, lang))}</span> '
        f'<span class="note">({_e(counts)})</span></summary>'
        f'<p class="note">{_e(rule.statement)} <a href="{_e(rule.url)}">{_e(rule.id)}</a> '
        f"({_e(rule.severity.value)}, {_e(rule.verb.value)}, {_e(rule.evidence.value)})</p>"
        + _findings_table(findings, report)
        + "</details>"
    )


def _filters(report: Report, rules: Iterable[str]) -> str:
    lang = report.lang
    options = "".join(f'<option value="{_e(rule)}">{_e(rule)}</option>' for rule in rules)
    severities = "".join(
        f'<option value="{s.value}">{_e(label(s.value, lang))}</option>' for s in Severity
    )
    count = len(report.findings)
    return (
        f'<form id="filters" role="search"><label>{_e(label("rule", lang))}'
        f'<select name="rule"><option value="">{_e(label("all", lang))}</option>{options}'
        f'</select></label><label>{_e(label("severity", lang))}<select name="severity">'
        f'<option value="">{_e(label("all", lang))}</option>{severities}</select></label>'
        f'<label>{_e(label("file", lang))}<input name="file" type="search"></label>'
        f'<span class="note"><span id="shown">{count}</span> / {count} '
        f"{_e(label('findings', lang))}</span></form>"
    )


def _findings_sections(report: Report) -> str:
    """The rules that failed or warned, open; the other rules with findings, folded."""
    lang = report.lang
    grouped: dict[str, list[Finding]] = {}
    for finding in report.findings:
        grouped.setdefault(finding.rule, []).append(finding)
    results = {result.rule.id: result for result in report.rule_results}
    first = [
        results[rule_id]
        for rule_id in grouped
        if rule_id in results and _verdict_class(results[rule_id]) in {"failed", "warned"}
    ]
    first.sort(key=lambda r: (r.outcome is not Outcome.FAILED, -r.rule.severity.rank, r.rule.id))
    rest = [results[r] for r in results if r in grouped and results[r] not in first]
    head = f'<section id="failed"><h2>{_e(label("rules failed and warned", lang))}</h2>' + _filters(
        report, sorted(grouped)
    )
    if first:
        head += "".join(
            _rule_block(result, grouped[result.rule.id], report, open_=True) for result in first
        )
    else:
        head += '<p class="note">None.</p>'
    head += "</section>"
    others = "".join(
        _rule_block(result, grouped[result.rule.id], report, open_=False) for result in rest
    )
    unknown = [rule for rule in grouped if rule not in results]  # not in the catalogue
    others += "".join(_findings_table(grouped[rule], report) for rule in unknown)
    return head + (
        f'<section id="findings"><h2>{_e(label("other rules", lang))}: '
        f"{_e(label('findings', lang))}</h2>{others or '<p class=note>None.</p>'}</section>"
    )


def _rules_section(report: Report) -> str:
    lang = report.lang
    ordered = sorted(
        report.rule_results,
        key=lambda r: (
            ["failed", "warned", "passed", "skipped"].index(_verdict_class(r)),
            r.rule.id,
        ),
    )
    rows = "".join(
        f'<tr><td><a href="{_e(result.rule.url)}"><code>{_e(result.rule.id)}</code></a></td>'
        f"<td>{_e(result.rule.title_in(lang))}</td>"
        f'<td class="severity-{_e(result.rule.severity.value)}">'
        f"{_e(label(result.rule.severity.value, lang))}</td>"
        f'<td class="outcome-{_verdict_class(result)}">{_e(label(result.verdict, lang))}</td>'
        + "".join(f'<td class="num">{result.counts.get(s, 0)}</td>' for s in Severity)
        + f"<td>{_e(result.reason)}</td></tr>"
        for result in ordered
    )
    outcomes = Counter(result.verdict for result in report.rule_results)
    tally = ", ".join(f"{count} {_e(label(verdict, lang))}" for verdict, count in outcomes.items())
    return (
        f'<section id="rules"><h2>{_e(label("rules", lang)).capitalize()}</h2><details>'
        f"<summary>{len(report.rule_results)} {_e(label('rules', lang))}: {tally}"
        + f"</summary><table><thead><tr><th>{_e(label('rule', lang))}</th>"
        f"<th>{_e(label('title', lang))}</th><th>{_e(label('severity', lang))}</th>"
        f"<th>{_e(label('outcome', lang))}</th><th class=num>{_e(label('errors', lang))}</th>"
        f"<th class=num>{_e(label('warnings', lang))}</th><th class=num>"
        f"{_e(label('info', lang))}</th><th>{_e(label('note', lang))}</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></details></section>"
    )


def _exports_section(report: Report) -> str:
    rows = "".join(
        f"<tr><td><code>{_e(shown_file(export.root, masked=report.masked) or '.')}</code></td>"
        f'<td class="num">{export.documents}</td><td class="num">{export.events}</td>'
        f'<td class="num">{len(export.instances)}</td>'
        f'<td class="num">{total(export.findings)}</td></tr>'
        for export in report.exports
    )
    return (
        f'<section id="exports"><h2>{_e(label("checked exports", report.lang))}</h2><table>'
        "<thead><tr><th>Export</th><th class=num>Documents</th><th class=num>Events</th>"
        "<th class=num>Instances</th><th class=num>Findings</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></section>"
    )


def _versions(report: Report) -> str:
    lists = ", ".join(
        f"{_e(kodeverk)}: {_e(version)}"
        for kodeverk, version in sorted(report.code_list_versions.items())
    )
    return (
        f'<footer class="meta"><p>pakkeforlop {_e(report.tool_version)} (package), '
        f"{_e(label('specification', report.lang))} {_e(report.spec_version)}. Code lists "
        f"(kodeverk): {lists or 'none'}.</p></footer>"
    )


def render(report: Report) -> str:
    """The report as one self-contained HTML document."""
    summary = summarise(report)
    lang = report.lang
    verdict = label("FAIL" if summary.failed else "PASS", lang)
    title = f"pakkeforlop {label('report', lang).lower()}: {verdict}"
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{"nb" if lang == "nb" else "en"}"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_csp()}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body><main>"
        f"<h1>{_e(label('report', lang))}</h1><p class=meta>pakkeforlop "
        f"{_e(report.tool_version)} · {_e(label('specification', lang))} "
        f"{_e(report.spec_version)}</p>"
        + _summary_section(report, summary)
        + _findings_sections(report)
        + _rules_section(report)
        + html_durations.section(report, label("time limits", lang))
        + _exports_section(report)
        + _versions(report)
        + f"</main><script>{_SCRIPT}</script></body></html>\n"
    )
