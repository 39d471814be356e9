"""GitHub Actions annotations: workflow commands that GitHub shows on the lines of a pull
request's diff and in the run's summary.

One ``::error`` or ``::warning`` command per finding that is not accepted, with the file, line
and column, the rule id and title as the annotation's title, and the message. Info findings
are left out (they never fail a run; the other reports list them). Values are escaped as the
Actions toolkit escapes them: ``%``, carriage return and line feed in the message, and also
``:`` and ``,`` in properties, so that a file name cannot end the command early or forge
another. GitHub shows at most a few annotations of each kind per step; the others stay in the
log, and the complete report is in the other formats.
"""

from __future__ import annotations

from pakkeforlop.data.catalogue import Severity, catalogue
from pakkeforlop.report.build import Report
from pakkeforlop.report.formats import message, shown_file

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning"}
#: The variable GitHub sets in every step of a workflow run.
ENVIRONMENT_VARIABLE = "GITHUB_ACTIONS"


def escape_data(value: str) -> str:
    """A command's message, escaped."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """A command's property value, escaped."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def render(report: Report) -> str:
    """The annotations of the report's errors and warnings that are not accepted."""
    lines = []
    rules = catalogue()
    for finding in report.findings:
        command = COMMANDS.get(finding.severity)
        if command is None or report.accepted(finding) is not None:
            continue
        properties = [f"file={escape_property(shown_file(finding.file, masked=report.masked))}"]
        if finding.line is not None:
            properties.append(f"line={finding.line}")
            if finding.column is not None:
                properties.append(f"col={finding.column}")
        rule = rules.get(finding.rule)
        title = f"{finding.rule} {rule.title_in(report.lang)}" if rule is not None else finding.rule
        properties.append(f"title={escape_property(title)}")
        text = message(finding, masked=report.masked, lang=report.lang)
        lines.append(f"::{command} {','.join(properties)}::{escape_data(text)}")
    return "".join(line + "\n" for line in lines)
