"""The JUnit XML report: one test suite per export, one test case per catalogue rule.

The shape is the one Jenkins (JUnit and xUnit plugins) and GitLab (``artifacts:reports:junit``)
read, and it validates against the strictest of them, Jenkins xUnit's ``junit-10.xsd``:
``<testsuites>`` with ``tests``, ``failures`` and ``errors`` counts (that schema has no
``skipped`` there), each ``<testsuite>`` with those and ``skipped``, and each
``<testcase classname=… name=…>`` holding a ``<failure>`` (findings at or above the fail level
that are not accepted), a ``<skipped>`` (the rule was not exercised, or not selected), or
nothing (passed). Findings below the fail level and accepted findings (waived or in the
baseline) go to the test case's ``<system-out>``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from pakkeforlop.engine import ExportResult
from pakkeforlop.model.findings import Finding, total
from pakkeforlop.report.build import Outcome, Report, RuleResult
from pakkeforlop.report.formats import clean, finding_line, plural, shown_file, shown_text


def _case(parent: ET.Element, result: RuleResult, findings: list[Finding], report: Report) -> None:
    rule = result.rule
    case = ET.SubElement(
        parent,
        "testcase",
        {
            "classname": rule.family,
            "name": clean(f"{rule.id} {rule.title_in(report.lang)}"),
            "time": "0",
        },
    )
    accepted = [f for f in findings if report.accepted(f) is not None]
    findings = [f for f in findings if report.accepted(f) is None]
    lines = "\n".join(
        finding_line(finding, masked=report.masked, lang=report.lang) for finding in findings
    )
    notes = "".join(
        f"accepted ({shown_text(status.kind + ': ' + status.justification, masked=report.masked)})"
        f": {finding_line(finding, masked=report.masked, lang=report.lang)}\n"
        for finding in accepted
        if (status := report.accepted(finding)) is not None
    )
    if result.outcome is Outcome.FAILED:
        reaching = [f for f in findings if f.severity.rank >= report.fail_on.rank]
        failure = ET.SubElement(
            case,
            "failure",
            {
                "message": (
                    f"{plural(total(reaching), rule.severity.value)}: "
                    f"{clean(rule.title_in(report.lang))}"
                ),
                "type": rule.severity.value,
            },
        )
        failure.text = f"{rule.url}\n{lines}\n"
        if notes:
            ET.SubElement(case, "system-out").text = notes
    elif result.outcome is Outcome.SKIPPED:
        ET.SubElement(case, "skipped", {"message": clean(result.reason)})
    elif findings or notes:
        out = ET.SubElement(case, "system-out")
        below = (
            f"{plural(total(findings), 'finding')} below the fail level "
            f"({report.fail_on.value}); {rule.url}\n{lines}\n"
            if findings
            else ""
        )
        out.text = below + notes


def _suite(parent: ET.Element, export: ExportResult, report: Report) -> tuple[int, int]:
    results = report.rule_results_of(export)
    by_rule: dict[str, list[Finding]] = {}
    for finding in export.findings:
        by_rule.setdefault(finding.rule, []).append(finding)
    failures = sum(result.outcome is Outcome.FAILED for result in results)
    skipped = sum(result.outcome is Outcome.SKIPPED for result in results)
    suite = ET.SubElement(
        parent,
        "testsuite",
        {
            "name": shown_file(export.root, masked=report.masked) or ".",
            "tests": str(len(results)),
            "failures": str(failures),
            "errors": "0",
            "skipped": str(skipped),
            "time": "0",
        },
    )
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("pakkeforlop.version", report.tool_version),
        ("pakkeforlop.specVersion", report.spec_version),
        ("pakkeforlop.failOn", report.fail_on.value),
        ("pakkeforlop.masked", str(report.masked).lower()),
        ("pakkeforlop.documents", str(export.documents)),
        ("pakkeforlop.events", str(export.events)),
    ):
        ET.SubElement(properties, "property", {"name": name, "value": value})
    for result in results:
        _case(suite, result, by_rule.get(result.rule.id, []), report)
    return len(results), failures


def render(report: Report) -> str:
    """The report as a JUnit XML document."""
    root = ET.Element("testsuites", {"name": "pakkeforlop"})
    tests = failures = 0
    for export in report.exports:
        counted = _suite(root, export, report)
        tests, failures = tests + counted[0], failures + counted[1]
    root.set("tests", str(tests))
    root.set("failures", str(failures))
    root.set("errors", "0")
    root.set("time", "0")
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'
