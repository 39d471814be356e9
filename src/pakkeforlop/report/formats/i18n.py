"""The report's language: English (``en``, the default) or Norwegian bokmål (``nb``).

A finding's message comes from the rule catalogue, which has every rule's message in both
languages (``message`` and ``message_nb``); details the kit adds after the rule's message (a
schema validator's explanation) stay in English. The labels of every report format are here.
"""

from __future__ import annotations

from collections.abc import Mapping

from pakkeforlop.data.catalogue import catalogue
from pakkeforlop.engine.caps import FILE_SUMMARY, RULE_SUMMARY
from pakkeforlop.model.findings import Finding

__all__ = ["LANGUAGES", "label", "template"]

#: The languages a report can be written in.
LANGUAGES = ("en", "nb")

_SUMMARIES_NB: Mapping[str, str] = {
    FILE_SUMMARY: (
        "{count} flere funn av denne regelen i denne filen er ikke listet (de første {kept} er); "
        "--max-findings 0 eller --verbose lister alle"
    ),
    RULE_SUMMARY: (
        "{count} flere funn av denne regelen i dette uttrekket er ikke listet (de første {kept} "
        "er); --max-findings 0 eller --verbose lister alle"
    ),
}


def template(finding: Finding, lang: str) -> str:
    """The message template of ``finding`` in ``lang``."""
    if lang != "nb":
        return finding.template
    if finding.template in _SUMMARIES_NB:
        return _SUMMARIES_NB[finding.template]
    rule = catalogue().get(finding.rule)
    if rule is None:
        return finding.template
    if finding.template == rule.message:
        return rule.message_nb
    if finding.template.startswith(rule.message + ": "):  # the rule's message and a detail
        return rule.message_nb + finding.template[len(rule.message) :]
    return finding.template


#: Every label of every format: key -> (English, Norwegian bokmål).
_LABELS: Mapping[str, tuple[str, str]] = {
    "PASS": ("PASS", "BESTÅTT"),
    "FAIL": ("FAIL", "IKKE BESTÅTT"),
    "report": ("Conformance report", "Samsvarsrapport"),
    "fail on": ("fail on", "feiler på"),
    "masked": ("personal data masked", "personopplysninger maskert"),
    "not masked": (
        "personal data NOT masked (--no-mask)",
        "personopplysninger IKKE maskert (--no-mask)",
    ),
    "specification": ("specification", "spesifikasjon"),
    "export": ("export", "uttrekk"),
    "exports": ("exports", "uttrekk"),
    "document": ("document", "dokument"),
    "documents": ("documents", "dokumenter"),
    "event": ("event", "hendelse"),
    "events": ("events", "hendelser"),
    "instances": ("instances", "forløp"),
    "error": ("error", "feil"),
    "errors": ("errors", "feil"),
    "warning": ("warning", "advarsel"),
    "warnings": ("warnings", "advarsler"),
    "info": ("info", "info"),
    "rules": ("rules", "regler"),
    "passed": ("passed", "bestått"),
    "failed": ("failed", "feilet"),
    "skipped": ("skipped", "hoppet over"),
    "passed with warnings": ("passed with warnings", "bestått med advarsler"),
    "waived": ("waived", "unntatt"),
    "baseline": ("in the baseline", "i grunnlinjen"),
    "finding": ("finding", "funn"),
    "findings": ("findings", "funn"),
    "summary": ("Summary", "Sammendrag"),
    "rule": ("Rule", "Regel"),
    "title": ("Title", "Tittel"),
    "severity": ("Severity", "Alvorlighet"),
    "outcome": ("Outcome", "Utfall"),
    "note": ("Note", "Merknad"),
    "file": ("File", "Fil"),
    "line": ("Line", "Linje"),
    "col": ("Col", "Kol."),
    "pointer": ("Pointer", "Peker"),
    "message": ("Message", "Melding"),
    "all": ("all", "alle"),
    "filter": ("Filter", "Filtrer"),
    "rules failed and warned": (
        "Rules that failed or warned",
        "Regler som feilet eller ga advarsler",
    ),
    "other rules": ("Other rules", "Andre regler"),
    "time limits": ("Time limits", "Forløpstider"),
    "checked exports": ("Checked exports", "Kontrollerte uttrekk"),
    "accepted findings": ("Accepted findings", "Aksepterte funn"),
    "waivers": ("Waivers", "Unntak"),
    "below the fail level": ("below the fail level", "under feilnivået"),
    "does not fail the run": ("does not fail the run", "feiler ikke kjøringen"),
    "partial": (
        "PARTIAL: {files} could not be read, so their content was not checked (see the INPUT "
        "findings below).",
        "DELVIS: {files} kunne ikke leses, så innholdet ble ikke kontrollert (se INPUT-funnene "
        "nedenfor).",
    ),
    "file or line": ("file or line", "fil eller linje"),
    "files or lines": ("files or lines", "filer eller linjer"),
    "skipped rules": (
        "Skipped, not exercised by the checked files",
        "Hoppet over, ikke berørt av de kontrollerte filene",
    ),
    "more": (
        "… and {count} more (--verbose lists them all)",
        "… og {count} til (--verbose lister alle)",
    ),
}


def label(key: str, lang: str) -> str:
    """The label ``key`` in ``lang``."""
    english, norwegian = _LABELS[key]
    return norwegian if lang == "nb" else english
