"""Whether a referral, epicrisis or feedback read from a KITH message belongs to a PHV/TSB pathway.

The pathway rules (REFERRAL, EPICRISIS, PATHWAY and the JSON Schemas of the pathway contract)
apply only to documents of a pathway in mental health care or substance-use treatment. A
Henvisning 2.0 about rheumatology, a dental referral or a prostate-cancer pathway, and an
Epikrise from a surgical ward, are legitimate messages that the pathway rules would only
misjudge. A document is in scope when

1. an export's manifest declares its message (a manifest is this specification's pathway
   export), or
2. one of its table's signals holds (``spec/kith/*.toml``, ``[scope]``): a Henvisning marked
   with a pathway of kodeverk 9321 or 9327, a referral to BUP, a receiver (or, for an
   Epikrise, a writing institution; for a Dialogmelding status on a referral, its sender)
   named as a PHV/TSB service (``spec/kith/scope.toml``);

and never when it is a cancellation (ServType C), which carries no content to check. A document
out of scope gets the KITH checks only, and KITH-023 says why the pathway rules were not applied.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

from pakkeforlop.kith.message import Content, KithMessage, select, text
from pakkeforlop.kith.table import Table, service_terms

__all__ = ["Scope", "decide", "service_term_in"]

DECLARED: Final = "an export's manifest declares it"
CANCELLED: Final = (
    "it is a cancellation (ServType C, kodeverk 7309), which carries no content to check"
)


@dataclass(frozen=True, slots=True)
class Scope:
    """Whether the pathway rules apply to a mapped document, and why (or why not)."""

    applies: bool
    reason: str


@cache
def _terms() -> re.Pattern[str]:
    alternatives = []
    for term in service_terms():
        words = re.escape(_normal(term.removesuffix("*")))
        alternatives.append(words + (r"\w*" if term.endswith("*") else ""))
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")


def _normal(value: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", value)).strip().casefold()


def service_term_in(name: str | None) -> str | None:
    """The PHV/TSB service term an organisation's name contains, if any."""
    if not name:
        return None
    found = _terms().search(_normal(name))
    return found.group(0) if found is not None else None


def decide(
    message: KithMessage, content: Content, table: Table, supplement: Mapping[str, Any] | None
) -> Scope:
    """The scope decision for one business document of a message."""
    rule = table.scope
    bindings = table.bindings(content.standard.key) if content.standard is not None else ()
    if rule.cancellation is not None and select(content.element, rule.cancellation, bindings):
        return Scope(applies=False, reason=CANCELLED)
    if supplement is not None:
        return Scope(applies=True, reason=DECLARED)
    envelope = message.envelope if message.is_msghead else None
    for signal in rule.signals:
        start = envelope if signal.envelope else content.element
        found = select(start, signal.xpath, bindings)
        if signal.names:
            terms = [term for term in (service_term_in(text(name)) for name in found) if term]
            if terms:
                return Scope(applies=True, reason=f"{signal.reason} ({terms[0]})")
        elif found:
            return Scope(applies=True, reason=signal.reason)
    return Scope(applies=False, reason=rule.outside)
