"""The GitLab Code Quality report (``artifacts:reports:codequality``): findings in the merge
request's diff and its Code Quality widget.

A JSON array of issues, each with a ``description`` (rule id and message), ``check_name``
(the rule id), ``fingerprint`` (the finding's, unique in the report, stable between runs so
that GitLab can tell new issues from fixed ones), ``severity`` and ``location`` (the file and
its line; 1 when the finding concerns a whole file). GitLab's severities are ``info``,
``minor``, ``major``, ``critical`` and ``blocker``: an error is ``major``, a warning
``minor`` and an info finding ``info``. Accepted findings (waived or in the baseline) are
left out: the report lists what the merge request should look at.
"""

from __future__ import annotations

import json
from typing import Any

from pakkeforlop.data.catalogue import Severity
from pakkeforlop.report.build import Report
from pakkeforlop.report.formats import message, shown_file

SEVERITIES = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def as_issues(report: Report) -> list[dict[str, Any]]:
    """The report's findings that are not accepted, as Code Quality issues."""
    issues = []
    for finding in report.findings:
        status = report.status(finding)
        if status.accepted is not None:
            continue
        text = message(finding, masked=report.masked, lang=report.lang)
        if finding.summary:
            text += f" (stands for {finding.count} findings)"
        issues.append(
            {
                "description": f"{finding.rule}: {text}",
                "check_name": finding.rule,
                "fingerprint": status.fingerprint,
                "severity": SEVERITIES[finding.severity],
                "location": {
                    "path": shown_file(finding.file, masked=report.masked),
                    "lines": {"begin": finding.line if finding.line else 1},
                },
            }
        )
    return issues


def render(report: Report) -> str:
    """The report as a GitLab Code Quality JSON document."""
    return json.dumps(as_issues(report), ensure_ascii=False, indent=2) + "\n"
