"""Views of a conformance run: text, JSON, JUnit XML and HTML, all rendered from one Report.

Every renderer is a module with ``render(report) -> str`` and reads nothing but the
:class:`~pakkeforlop.report.Report`. This module holds what they share: how a finding's place
is shown, the run's summary, and the privacy guard applied to everything a report prints.

Masking happens here, at rendering time: messages mask their ``Personal`` arguments, and as a
second line of defence every string taken from the input (file paths, JSON Pointers, instance
ids, messages) has digit runs shaped like a Norwegian person number (11 digits) or DUF number
(12 digits) masked, so that an exporter that names files or instances after the patient does
not leak the number through a report.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from pakkeforlop.findings import Finding, Severity
from pakkeforlop.identifiers import mask
from pakkeforlop.report import Outcome, Report

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
    "shown_xpath",
    "summarise",
]

#: A Norwegian person number in any of the forms people write it: 11 digits (14038510070), the
#: birth date and the individual number apart (140385 10070, 140385-10070), the date's parts
#: apart too (14.03.85.10070, 14 03 85 10070); and a DUF number (12 digits).
_PERSON_NUMBER = re.compile(
    r"(?<![0-9])(?:[0-9]{11,12}"
    r"|[0-9]{6}[ .-][0-9]{5}"
    r"|[0-9]{2}([ .-])[0-9]{2}\1[0-9]{2}[ .-]?[0-9]{5})(?![0-9])"
)
#: What must never reach a terminal, an XML or an HTML page as it is: C0 and C1 control
#: characters (ANSI escape sequences start with ESC), lone surrogates (undecodable bytes in
#: file names), and the invisible format characters that reorder or hide text: the bidi
#: controls (U+061C, U+200E-U+200F, U+202A-U+202E, U+2066-U+2069; the "Trojan Source"
#: characters of CVE-2021-42574), zero-width characters, line and paragraph separators, the
#: soft hyphen, word joiners and the byte order mark.
_UNPRINTABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\xad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f"
    "\ufeff\ufff9-\ufffb\ud800-\udfff]"
)

def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def clean(value: str) -> str:
    """``value`` with control, bidi and other invisible characters and lone surrogates
    written as escapes (``\\x1b``, ``\\u202e``).

    Reports are read in terminals, XML and HTML: a file name or a message must not move the
    cursor, colour the terminal, reorder what a reader sees, break an XML document or fail to
    encode as UTF-8.
    """
    return _UNPRINTABLE.sub(_escape, value)


def redact(value: str, *, masked: bool) -> str:
    """``value`` with anything shaped like a person number masked (see :data:`_PERSON_NUMBER`),
    when ``masked`` is true."""
    if not masked:
        return value
    return _PERSON_NUMBER.sub(lambda match: mask(match.group()), value)


def shown_file(path: str, *, masked: bool) -> str:
    """A file path as reports show it."""
    return clean(redact(path, masked=masked))


def shown_pointer(pointer: str | None, *, masked: bool) -> str | None:
    """A JSON Pointer as reports show it (None stays None: the finding concerns a whole file)."""
    return None if pointer is None else clean(redact(pointer, masked=masked))


def shown_instance(instance: str | None, *, masked: bool) -> str | None:
    """A pathway instance id as reports show it."""
    return None if instance is None else clean(redact(instance, masked=masked))


def message(finding: Finding, *, masked: bool) -> str:
    """The finding's message: personal arguments masked, on one line."""
    return clean(redact(finding.message(masked=masked), masked=masked))


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


def finding_line(finding: Finding, *, masked: bool) -> str:
    """``file:line:column pointer message``: one finding on one line."""
    xpath = shown_xpath(finding, masked=masked)
    return (
        f"{location(finding, masked=masked)} {pointer_text(finding, masked=masked)} "
        f"{message(finding, masked=masked)}{f' [at {xpath}]' if xpath else ''}"
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
    )


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``1 error``, ``2 errors``."""
    return f"{count} {singular if count == 1 else plural_form or singular + 's'}"
