"""The rules the engine reports itself, declared once: while reading files, validating them
against the schemas and the message standards' XSDs, and finding the export's files.

The engine imports these tables; nothing else names these rule ids.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from pakkeforlop.rules.checks import engine_rule

DOCUMENT_KINDS = ("export-manifest", "referral", "epicrisis", "pathway-event")
KITH_MESSAGE: Final = "kith-message"

#: What can be wrong with a JSON text or NDJSON line (``read.InputProblemCode``), and its rule.
INPUT_RULES: Mapping[str, str] = {
    "unreadable": "INPUT-001",
    "too-large": "INPUT-002",
    "not-utf8": "INPUT-003",
    "byte-order-mark": "INPUT-004",
    "empty": "INPUT-005",
    "malformed": "INPUT-006",
    "non-standard": "INPUT-007",
    "duplicate-key": "INPUT-008",
    "too-deep": "INPUT-009",
    "number-too-long": "INPUT-010",
    "not-an-object": "INPUT-011",
}
WRONG_SCHEMA_RULE: Final = "INPUT-012"
MISSING_FILE_RULE: Final = "INPUT-013"
UNDECLARED_FILE_RULE: Final = "INPUT-014"
NO_MANIFEST_RULE: Final = "INPUT-015"
DIGEST_RULE: Final = "INPUT-016"
REPEATED_FILE_RULE: Final = "INPUT-017"
UNLISTED_FOLDER_RULE: Final = "INPUT-018"
EXPORT_RULES = (
    MISSING_FILE_RULE,
    UNDECLARED_FILE_RULE,
    NO_MANIFEST_RULE,
    DIGEST_RULE,
    REPEATED_FILE_RULE,
    UNLISTED_FOLDER_RULE,
)
#: The rule a document's schema violation is reported under when no more specific rule
#: claims its place (``Rule.schema_pointers``).
GENERIC_SCHEMA_RULE: Mapping[str, str] = {
    "export-manifest": "SCHEMA-001",
    "referral": "SCHEMA-002",
    "epicrisis": "SCHEMA-003",
    "pathway-event": "SCHEMA-004",
    "feedback": "SCHEMA-005",
}
#: A check of the kit failed unexpectedly: reported, and the run goes on.
INTERNAL_RULE: Final = "INTERNAL-001"
#: What goes wrong reading an XML file, and the rule that reports it.
XML_RULES: Mapping[str, str] = {
    "unreadable": "INPUT-001",
    "too-large": "INPUT-002",
    "too-deep": "INPUT-009",
    "malformed": "KITH-001",
    "doctype": "KITH-002",
    "xinclude": "KITH-003",
}
#: A message the user's XSDs reject, and one they could not validate completely.
XSD_RULE: Final = "KITH-016"
XSD_INCOMPLETE_RULE: Final = "KITH-020"

for _rule in (*INPUT_RULES.values(), WRONG_SCHEMA_RULE):
    engine_rule(_rule, *DOCUMENT_KINDS)
for _rule in EXPORT_RULES:
    engine_rule(_rule, "export")
for _kind, _rule in GENERIC_SCHEMA_RULE.items():
    engine_rule(_rule, _kind)
engine_rule(INTERNAL_RULE, *DOCUMENT_KINDS, KITH_MESSAGE, "export")
for _rule in ("KITH-001", "KITH-002", "KITH-003", XSD_RULE, XSD_INCOMPLETE_RULE):
    engine_rule(_rule, KITH_MESSAGE)
