"""The JSON report: the machine-readable form, following ``report/v1/report.schema.json``.

The output is deterministic for the same input: no timestamps, no host names, and lists in
report order (exports as checked, rules by id, findings by file, line, column and pointer).
"""

from __future__ import annotations

import json
from typing import Any

from pakkeforlop.data.catalogue import Severity, catalogue
from pakkeforlop.model.findings import Finding, total
from pakkeforlop.report.acceptance import Accepted
from pakkeforlop.report.build import Report, RuleResult, WaiverUse
from pakkeforlop.report.formats import (
    clean,
    message,
    shown_file,
    shown_instance,
    shown_pointer,
    shown_text,
    summarise,
)

TOOL_NAME = "pakkeforlop"
#: The ``$id`` of the schema the output follows; published under ``schemas/report/v1/``.
REPORT_SCHEMA_ID = "https://schemas.pakkeforlop.no/report/v1/report.schema.json"


def _counts(counts: Any) -> dict[str, int]:
    return {severity.value: int(counts.get(severity, 0)) for severity in Severity}


def _rule(result: RuleResult, lang: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": result.rule.id,
        "title": result.rule.title_in(lang),
        "severity": result.rule.severity.value,
        "outcome": result.outcome.value,
        "counts": _counts(result.counts),
    }
    if result.reason:
        entry["reason"] = result.reason
    if result.accepted:
        entry["accepted"] = result.accepted
    entry["url"] = result.rule.url
    return entry


def _accepted(accepted: Accepted, masked: bool) -> dict[str, Any]:
    justification = shown_text(accepted.justification, masked=masked)
    if accepted.waiver is None:
        return {"by": "baseline", "justification": justification}
    entry: dict[str, Any] = {"by": "waiver", "justification": justification}
    if accepted.waiver.expires is not None:
        entry["expires"] = accepted.waiver.expires.isoformat()
    return entry


def _waiver(use: WaiverUse, masked: bool) -> dict[str, Any]:
    waiver = use.waiver
    entry: dict[str, Any] = {"rule": waiver.rule}
    if waiver.files is not None:
        entry["files"] = shown_text(waiver.files, masked=masked)
    if waiver.fingerprint is not None:
        entry["fingerprint"] = clean(waiver.fingerprint)
    entry["justification"] = shown_text(waiver.justification, masked=masked)
    if waiver.expires is not None:
        entry["expires"] = waiver.expires.isoformat()
    entry["state"] = use.state.value
    entry["findings"] = use.findings
    return entry


def finding_record(
    finding: Finding, *, masked: bool, lang: str = "en", report: Report | None = None
) -> dict[str, Any]:
    """One finding as plain data, as the JSON report (and the pytest plugin) writes it; with
    the ``report`` it belongs to, also its fingerprint and acceptance."""
    rule = catalogue().get(finding.rule)
    entry: dict[str, Any] = {
        "rule": finding.rule,
        "severity": finding.severity.value,
        "file": shown_file(finding.file, masked=masked),
        "pointer": shown_pointer(finding.pointer, masked=masked),
        "line": finding.line,
        "column": finding.column,
        "message": message(finding, masked=masked, lang=lang),
        "url": rule.url if rule is not None else None,
    }
    if finding.xpath is not None:
        entry["xpath"] = clean(finding.xpath)
    if finding.instance is not None:
        entry["instance"] = shown_instance(finding.instance, masked=masked)
    if finding.summary:
        entry["summary"] = True
        entry["count"] = finding.count
    if report is not None:
        status = report.status(finding)
        entry["fingerprint"] = status.fingerprint
        if status.accepted is not None:
            entry["accepted"] = _accepted(status.accepted, masked)
    return entry


def as_json(report: Report) -> dict[str, Any]:
    """The report as a JSON-ready object."""
    summary = summarise(report)
    document: dict[str, Any] = {
        "$schema": REPORT_SCHEMA_ID,
        "tool": {"name": TOOL_NAME, "version": report.tool_version},
        "specVersion": report.spec_version,
        "codeLists": dict(sorted(report.code_list_versions.items())),
        "failOn": report.fail_on.value,
        "masked": report.masked,
        "lang": report.lang,
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
            "accepted": dict(summary.accepted),
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
        "rules": [_rule(result, report.lang) for result in report.rule_results],
        "findings": [
            finding_record(finding, masked=report.masked, lang=report.lang, report=report)
            for finding in report.findings
        ],
    }
    if report.waivers:
        document["waivers"] = [_waiver(use, report.masked) for use in report.waivers]
    if report.baseline is not None:
        document["baseline"] = shown_text(report.baseline, masked=report.masked)
    return document


def render(report: Report) -> str:
    """The report as a JSON document (UTF-8 text, two-space indent, trailing newline)."""
    return json.dumps(as_json(report), ensure_ascii=False, indent=2) + "\n"
