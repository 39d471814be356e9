"""The JSON report: the machine-readable form, following ``report/v1/report.schema.json``.

The output is deterministic for the same input: no timestamps, no host names, and lists in
report order (exports as checked, rules by id, findings by file, line, column and pointer).
"""

from __future__ import annotations

import json
from typing import Any

from pakkeforlop.catalogue import catalogue
from pakkeforlop.findings import Finding, Severity, total
from pakkeforlop.report import Report, RuleResult
from pakkeforlop.reports import (
    clean,
    message,
    shown_file,
    shown_instance,
    shown_pointer,
    summarise,
)

TOOL_NAME = "pakkeforlop"
#: The ``$id`` of the schema the output follows; published under ``schemas/report/v1/``.
REPORT_SCHEMA_ID = "https://schemas.pakkeforlop.no/report/v1/report.schema.json"


def _counts(counts: Any) -> dict[str, int]:
    return {severity.value: int(counts.get(severity, 0)) for severity in Severity}


def _rule(result: RuleResult) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": result.rule.id,
        "title": result.rule.title,
        "severity": result.rule.severity.value,
        "outcome": result.outcome.value,
        "counts": _counts(result.counts),
    }
    if result.reason:
        entry["reason"] = result.reason
    entry["url"] = result.rule.url
    return entry


def finding_record(finding: Finding, *, masked: bool) -> dict[str, Any]:
    """One finding as plain data, as the JSON report (and the pytest plugin) writes it."""
    rule = catalogue().get(finding.rule)
    entry: dict[str, Any] = {
        "rule": finding.rule,
        "severity": finding.severity.value,
        "file": shown_file(finding.file, masked=masked),
        "pointer": shown_pointer(finding.pointer, masked=masked),
        "line": finding.line,
        "column": finding.column,
        "message": message(finding, masked=masked),
        "url": rule.url if rule is not None else None,
    }
    if finding.xpath is not None:
        entry["xpath"] = clean(finding.xpath)
    if finding.instance is not None:
        entry["instance"] = shown_instance(finding.instance, masked=masked)
    if finding.summary:
        entry["summary"] = True
        entry["count"] = finding.count
    return entry


def as_json(report: Report) -> dict[str, Any]:
    """The report as a JSON-ready object."""
    summary = summarise(report)
    return {
        "$schema": REPORT_SCHEMA_ID,
        "tool": {"name": TOOL_NAME, "version": report.tool_version},
        "specVersion": report.spec_version,
        "codeLists": dict(sorted(report.code_list_versions.items())),
        "failOn": report.fail_on.value,
        "masked": report.masked,
        "summary": {
            "exports": summary.exports,
            "documents": summary.documents,
            "events": summary.events,
            "instances": summary.instances,
            "findings": _counts(summary.counts),
            "result": summary.result,
            "partial": summary.unread > 0,
            "unread": summary.unread,
            "rules": {
                "passed": summary.passed_rules,
                "failed": summary.failed_rules,
                "skipped": summary.skipped_rules,
            },
        },
        "exports": [
            {
                "path": shown_file(export.root, masked=report.masked),
                "documents": export.documents,
                "events": export.events,
                "instances": len(export.instances),
                "findings": total(export.findings),
            }
            for export in report.exports
        ],
        "rules": [_rule(result) for result in report.rule_results],
        "findings": [finding_record(finding, masked=report.masked) for finding in report.findings],
    }


def render(report: Report) -> str:
    """The report as a JSON document (UTF-8 text, two-space indent, trailing newline)."""
    return json.dumps(as_json(report), ensure_ascii=False, indent=2) + "\n"
