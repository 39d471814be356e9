"""The SARIF 2.1.0 report, for GitHub code scanning, Azure DevOps and other SARIF viewers.

One run of one tool (``pakkeforlop``): every catalogue rule as a ``reportingDescriptor`` (id,
title, statement, help text with the source and its URL, a link to the rule's page, the
default level), and every finding as a ``result`` with its file, line and column, its JSON
Pointer or XPath as a logical location, and its fingerprint (``partialFingerprints``). A
waived finding carries an accepted external ``suppression`` with its justification; with a
baseline, every result has a ``baselineState`` (``new`` or ``unchanged``). A summary finding
(one that stands for findings not listed) says so in its properties (``summary``, ``count``);
the run's properties carry the exact totals. Expired and unused waivers are tool
configuration notifications.

Paths are percent-encoded URIs: a relative path (as a CI job spells it) is relative to the base
``SRCROOT``, which a viewer such as GitHub resolves against the repository; an absolute path is
a ``file:`` URI.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from pakkeforlop.data.catalogue import Rule, Severity, catalogue
from pakkeforlop.model.findings import Finding
from pakkeforlop.report.acceptance import WaiverState
from pakkeforlop.report.build import Report
from pakkeforlop.report.formats import (
    message,
    shown_file,
    shown_pointer,
    shown_text,
    shown_xpath,
    summarise,
)

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
VERSION = "2.1.0"
INFORMATION_URI = "https://pakkeforlop.no/docs/"
#: The name under which results carry their fingerprint
#: (see :mod:`pakkeforlop.report.fingerprints`).
FINGERPRINT_KEY = "pakkeforlop/v1"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _rule(rule: Rule, lang: str) -> dict[str, Any]:
    source = rule.source + (f" <{rule.source_url}>" if rule.source_url else "")
    text = (
        f"{rule.statement}\n\nSeverity: {rule.severity.value} ({rule.verb.value}, "
        f"'{rule.source_verb}'). Evidence: {rule.evidence.value}.\nSource: {source}\n"
        f"Documentation: {rule.url}"
    )
    markdown = (
        f"{rule.statement}\n\n**Severity:** {rule.severity.value} ({rule.verb.value}, "
        f"*{rule.source_verb}*). **Evidence:** {rule.evidence.value}.\n\n**Source:** "
        + (f"[{rule.source}]({rule.source_url})" if rule.source_url else rule.source)
        + f"\n\n[Rule {rule.id} in the specification]({rule.url})"
    )
    return {
        "id": rule.id,
        "name": rule.title,
        "shortDescription": {"text": rule.title_in(lang)},
        "fullDescription": {"text": rule.statement},
        "messageStrings": {"default": {"text": rule.message_nb if lang == "nb" else rule.message}},
        "helpUri": rule.url,
        "help": {"text": text, "markdown": markdown},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {
            "tags": [rule.family.lower(), rule.verb.value, rule.evidence.value],
            "verb": rule.verb.value,
            "evidence": rule.evidence.value,
            "appliesTo": sorted(rule.applies_to),
        },
    }


def _artifact(path: str) -> dict[str, str]:
    """A path as a SARIF artifact location: a relative URI reference against ``SRCROOT``, or a
    ``file:`` URI for an absolute path (``/`` kept, everything else that needs it encoded)."""
    uri = quote(path, safe="/-._~!$&'()*+,;=@")
    if path.startswith("/"):
        return {"uri": f"file://{uri}"}
    return {"uri": uri, "uriBaseId": "SRCROOT"}


def _location(finding: Finding, report: Report) -> dict[str, Any]:
    physical: dict[str, Any] = {
        "artifactLocation": _artifact(shown_file(finding.file, masked=report.masked))
    }
    if finding.line is not None and finding.line >= 1:
        region: dict[str, Any] = {"startLine": finding.line}
        if finding.column is not None and finding.column >= 1:
            region["startColumn"] = finding.column
        physical["region"] = region
    location: dict[str, Any] = {"physicalLocation": physical}
    logical = []
    pointer = shown_pointer(finding.pointer, masked=report.masked)
    if pointer is not None:
        logical.append({"fullyQualifiedName": pointer, "kind": "member"})
    xpath = shown_xpath(finding, masked=report.masked)
    if xpath is not None:
        logical.append({"fullyQualifiedName": xpath, "kind": "element"})
    if logical:
        location["logicalLocations"] = logical
    return location


def _result(finding: Finding, index: dict[str, int], report: Report) -> dict[str, Any]:
    status = report.status(finding)
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "level": LEVELS[finding.severity],
        "message": {"text": message(finding, masked=report.masked, lang=report.lang)},
        "locations": [_location(finding, report)],
        "partialFingerprints": {FINGERPRINT_KEY: status.fingerprint},
    }
    if finding.rule in index:
        result["ruleIndex"] = index[finding.rule]
    accepted = status.accepted
    if accepted is not None and accepted.waiver is not None:
        result["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": shown_text(accepted.justification, masked=report.masked),
            }
        ]
    if report.baseline is not None:
        in_baseline = accepted is not None and accepted.waiver is None
        result["baselineState"] = "unchanged" if in_baseline else "new"
    properties: dict[str, Any] = {}
    if finding.summary:
        properties.update(summary=True, count=finding.count)
    if finding.instance is not None:
        properties["instance"] = shown_text(finding.instance, masked=report.masked)
    if properties:
        result["properties"] = properties
    return result


def _notifications(report: Report) -> list[dict[str, Any]]:
    notes = []
    for use in report.waivers:
        if use.state is WaiverState.USED:
            continue
        expired = use.state is WaiverState.EXPIRED
        text = f"{'expired' if expired else 'unused'} waiver ({use.waiver.origin}): "
        notes.append(
            {
                "level": "warning" if expired else "note",
                "message": {"text": text + shown_text(use.waiver.describe(), masked=report.masked)},
            }
        )
    return notes


def as_sarif(report: Report) -> dict[str, Any]:
    """The report as a SARIF log (a JSON-ready object)."""
    rules = list(catalogue().values())
    index = {rule.id: number for number, rule in enumerate(rules)}
    summary = summarise(report)
    invocation: dict[str, Any] = {"executionSuccessful": True}
    notifications = _notifications(report)
    if notifications:
        invocation["toolConfigurationNotifications"] = notifications
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "pakkeforlop",
                "version": report.tool_version,
                "informationUri": INFORMATION_URI,
                "language": report.lang,
                "rules": [_rule(rule, report.lang) for rule in rules],
                "properties": {"specVersion": report.spec_version},
            }
        },
        "invocations": [invocation],
        "originalUriBaseIds": {"SRCROOT": {"description": {"text": "where pakkeforlop ran"}}},
        "columnKind": "unicodeCodePoints",
        "language": report.lang,
        "results": [_result(finding, index, report) for finding in report.findings],
        "properties": {
            "failOn": report.fail_on.value,
            "masked": report.masked,
            "result": summary.result,
            "findings": {severity.value: summary.counts[severity] for severity in Severity},
            "accepted": dict(summary.accepted),
            "partial": summary.unread > 0,
            "codeLists": dict(sorted(report.code_list_versions.items())),
        },
    }
    return {"$schema": SCHEMA, "version": VERSION, "runs": [run]}


def render(report: Report) -> str:
    """The report as a SARIF 2.1.0 JSON document."""
    return json.dumps(as_sarif(report), ensure_ascii=False, indent=2) + "\n"
