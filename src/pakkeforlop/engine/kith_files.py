"""Checking a KITH XML message: reading it hardened, its own checks, the user's XSDs, and the
JSON documents it maps to."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pakkeforlop import kith
from pakkeforlop.engine.documents import DocumentChecker
from pakkeforlop.model.findings import MessageArg, Personal
from pakkeforlop.model.records import Document
from pakkeforlop.read import Limits, Sink
from pakkeforlop.rules.engine_reported import (
    KITH_MESSAGE,
    XML_RULES,
    XSD_INCOMPLETE_RULE,
    XSD_RULE,
)

XSD_SKIPPED = (
    "not exercised: XSD validation was not requested; give --xsd-dir DIR with the official "
    "KITH XSDs (the kit ships none)"
)


class KithReader:
    """Reads and checks KITH XML messages for one run."""

    def __init__(
        self, documents: DocumentChecker, limits: Limits, xsd: kith.XsdCatalog | None
    ) -> None:
        self.documents = documents
        self.recorder = documents.recorder
        self.limits = limits
        self.xsd = xsd

    def read(
        self, path: Path, supplement: Mapping[str, Any] | None = None, sink: Sink | None = None
    ) -> None:
        """Read one KITH XML message, check it, and check what it maps to in the JSON model."""
        recorder = self.recorder
        shown = recorder.display(path)
        recorder.result.exercised.update(XML_RULES.values())
        result = kith.read_xml_file(path, self.limits, sink=sink)
        for problem in result.problems:
            recorder.report(
                XML_RULES[problem.code],
                shown,
                ("{problem}", {"problem": problem.message}),
                line=problem.line,
                column=problem.column,
            )
        if result.tree is None:
            recorder.result.unread += 1
            return
        message = kith.read_message(result.tree, shown)
        mapped = kith.map_documents(message, supplement)  # first: it marks what JSON rules judge
        recorder.result.kinds_seen.add(KITH_MESSAGE)
        recorder.result.documents += 1
        document = Document(
            KITH_MESSAGE, shown, {}, origin=kith.MessageOrigin(message), message=message
        )
        self.documents.run_checks(document)
        self.validate_xsd(message, shown)
        for found in mapped:
            self.documents.check(Document(found.kind, shown, found.value, origin=found))

    def validate_xsd(self, message: kith.KithMessage, shown: str) -> None:
        """Validate against the user's XSDs (``--xsd-dir``), when given and the message is known."""
        recorder = self.recorder
        if self.xsd is None:
            recorder.result.skip_reasons.setdefault(XSD_RULE, XSD_SKIPPED)
            return
        if message.envelope is None:
            return  # KITH-004 reports a message the kit does not recognise
        recorder.result.exercised.update({XSD_RULE, XSD_INCOMPLETE_RULE})
        try:
            outcome = self.xsd.validate(message)
        except kith.XsdError as error:
            outcome = kith.XsdOutcome((), (kith.xsd.XsdIssue(str(error)),))
        for issue in outcome.violations:
            recorder.report(
                XSD_RULE, shown, _masked_values(issue.message), line=issue.line, xpath=issue.xpath
            )
        for issue in outcome.not_validated:
            recorder.report(
                XSD_INCOMPLETE_RULE,
                shown,
                ("{problem}", {"problem": issue.message}),
                line=issue.line,
                xpath=issue.xpath,
            )


_QUOTED = re.compile(r"'([^']*)'")


def _is_value(text: str, match: re.Match[str]) -> bool:
    """Whether a quoted segment of a libxml2 message is a value taken from the document.

    Element names ('{namespace}Name'), types ('xs:date') and facet names ([facet 'pattern'])
    are not; patterns and enumerations come from the schema, after "pattern" or "set".
    """
    quoted = match.group(1)
    before = text[: match.start()].rstrip()
    in_set = "set {" in before  # the allowed values of an enumeration
    schema_words = ("[facet", "pattern", "type")
    return not (quoted.startswith(("{", "xs:")) or before.endswith(schema_words) or in_set)


def _masked_values(text: str) -> tuple[str, dict[str, MessageArg]]:
    """An XSD error message as a template whose quoted values are personal (masked) arguments."""
    parts: list[str] = []
    args: dict[str, MessageArg] = {}
    position = 0
    for index, match in enumerate(m for m in _QUOTED.finditer(text) if _is_value(text, m)):
        args[f"p{index}"] = text[position : match.start(1)]
        args[f"v{index}"] = Personal(match.group(1))
        parts.append(f"{{p{index}}}{{v{index}}}")
        position = match.end(1)
    args["rest"] = text[position:]
    return "".join(parts) + "{rest}", args
