"""Rules the engine reports itself while reading files and validating them against the schemas."""

from __future__ import annotations

from pakkeforlop.checks import engine_rule

DOCUMENT_KINDS = ("export-manifest", "referral", "epicrisis", "pathway-event")

for _number in range(1, 13):
    engine_rule(f"INPUT-{_number:03}", *DOCUMENT_KINDS)
for _number in range(13, 19):
    engine_rule(f"INPUT-{_number:03}", "export")
for _number, _kind in enumerate(DOCUMENT_KINDS, start=1):
    engine_rule(f"SCHEMA-{_number:03}", _kind)
engine_rule("INTERNAL-001", *DOCUMENT_KINDS, "kith-message", "export")
