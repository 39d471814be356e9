"""Views of a conformance run: text, JSON, JUnit XML and HTML, all rendered from one Report.

Every renderer is a module with ``render(report) -> str`` and reads nothing but the
:class:`~pakkeforlop.report.build.Report`. This module holds what they share: how a finding's place
is shown, the run's summary, and the privacy guard applied to everything a report prints.

Masking happens here, at rendering time: messages mask their ``Personal`` arguments, and as a
second line of defence every string taken from the input (file paths, JSON Pointers, instance
ids, messages) has digit runs shaped like a Norwegian person number (11 digits) or DUF number
(12 digits) masked, so that an exporter that names files or instances after the patient does
not leak the number through a report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pakkeforlop.data.catalogue import Severity
from pakkeforlop.model.findings import Finding, render_template
from pakkeforlop.report.build import Outcome, Report
from pakkeforlop.report.formats.i18n import template
from pakkeforlop.report.redaction import clean, redact

__all__ = [
    "Summary",
    "clean",
    "finding_line",
    "findings_by_rule",
    "location",
    "message",
    "plural",
    "pointer_text",
    "redact",
    "shown_file",
    "shown_instance",
    "shown_pointer",
    "shown_text",
    "shown_xpath",
    "summarise",
]


def shown_file(path: str, *, masked: bool) -> str:
    """A file path as reports show it."""
    return clean(redact(path, masked=masked))


def shown_text(value: str, *, masked: bool) -> str:
    """Any other text from the input or the configuration (a waiver's justification, a baseline
    file's name) as reports show it."""
    return clean(redact(value, masked=masked))


def shown_pointer(pointer: str | None, *, masked: bool) -> str | None:
    """A JSON Pointer as reports show it (None stays None: the finding concerns a whole file)."""
    return None if pointer is None else clean(redact(pointer, masked=masked))


def shown_instance(instance: str | None, *, masked: bool) -> str | None:
    """A pathway instance id as reports show it."""
    return None if instance is None else clean(redact(instance, masked=masked))


def message(finding: Finding, *, masked: bool, lang: str = "en") -> str:
    """The finding's message in ``lang``: personal arguments masked, on one line."""
    text = render_template(template(finding, lang), finding.args, masked=masked)
    return clean(redact(text, masked=masked))


def location(finding: Finding, *, masked: bool) -> str:
    """``file:line:column`` (or ``file:line``, or ``file``), the form editors and CI parse."""
    where = shown_file(finding.file, masked=masked) or "."
    if finding.line is not None:
        where += f":{finding.line}"
        if finding.column is not None:
            where += f":{finding.column}"
    return where


def shown_xpath(finding: Finding, *, masked: bool) -> str | None:
    """The XPath of a finding on a KITH XML message, as reports show it (None otherwise)."""
    return None if finding.xpath is None else clean(redact(finding.xpath, masked=masked))


def pointer_text(finding: Finding, *, masked: bool) -> str:
    """The pointer for plain-text views: ``-`` for a whole file, ``(root)`` for ``""``."""
    pointer = shown_pointer(finding.pointer, masked=masked)
    if pointer is None:
        return "-"
    return pointer or "(root)"


def finding_line(finding: Finding, *, masked: bool, lang: str = "en") -> str:
    """``file:line:column pointer message``: one finding on one line."""
    xpath = shown_xpath(finding, masked=masked)
    return (
        f"{location(finding, masked=masked)} {pointer_text(finding, masked=masked)} "
        f"{message(finding, masked=masked, lang=lang)}{f' [at {xpath}]' if xpath else ''}"
    )


def findings_by_rule(report: Report) -> Mapping[str, list[Finding]]:
    """The findings of each rule that has any, in catalogue order; report order within a rule."""
    grouped: dict[str, list[Finding]] = {result.rule.id: [] for result in report.rule_results}
    for finding in report.findings:
        grouped.setdefault(finding.rule, []).append(finding)
    return {rule: findings for rule, findings in grouped.items() if findings}


@dataclass(frozen=True, slots=True)
class Summary:
    """The figures every view leads with."""

    exports: int
    documents: int
    events: int
    instances: int
    counts: Mapping[Severity, int]
    failed: bool
    passed_rules: int
    failed_rules: int
    skipped_rules: int
    unread: int
    #: Findings accepted: ``waived`` and in the ``baseline``.
    accepted: Mapping[str, int]

    @property
    def result(self) -> str:
        """``passed`` or ``failed`` at the report's fail level."""
        return "failed" if self.failed else "passed"


def summarise(report: Report) -> Summary:
    """The report's headline figures."""
    outcomes = [result.outcome for result in report.rule_results]
    return Summary(
        exports=len(report.exports),
        documents=sum(export.documents for export in report.exports),
        events=sum(export.events for export in report.exports),
        instances=sum(len(export.instances) for export in report.exports),
        counts=report.counts,
        failed=report.failed,
        passed_rules=outcomes.count(Outcome.PASSED),
        failed_rules=outcomes.count(Outcome.FAILED),
        skipped_rules=outcomes.count(Outcome.SKIPPED),
        unread=sum(export.unread for export in report.exports),
        accepted=report.accepted_counts,
    )


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``1 error``, ``2 errors``."""
    return f"{count} {singular if count == 1 else plural_form or singular + 's'}"
