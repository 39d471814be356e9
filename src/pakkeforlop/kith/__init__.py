"""KITH XML messages: safe reading, recognition, the mapping to the JSON model, and XSDs.

* :mod:`~pakkeforlop.kith.parse` reads a file with a hardened lxml parser;
* :mod:`~pakkeforlop.kith.message` recognises MsgHead 1.2 / AppRec 1.0 / 1.1 (unwrapping NAV's
  ``EI_fellesformat``) and the business documents inside;
* :mod:`~pakkeforlop.kith.mapping` maps Henvisning 2.0 and Epikrise 1.2 to the referral and
  epicrisis JSON model (``spec/kith-mapping.md``), and :mod:`~pakkeforlop.kith.feedback` a
  Dialogmelding "Status på henvisning" to the feedback;
* :mod:`~pakkeforlop.kith.xsd` validates against XSDs the user supplies (``--xsd-dir``).

The rules of the KITH family are in :mod:`pakkeforlop.rules.kith`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from pakkeforlop.kith.feedback import map_documents
from pakkeforlop.kith.mapping import MappedDocument
from pakkeforlop.kith.message import KithMessage, read_message, xpath_of
from pakkeforlop.kith.parse import (
    XmlProblem,
    XmlProblemCode,
    XmlReadResult,
    parse_xml,
    read_xml_file,
)
from pakkeforlop.kith.xsd import XsdCatalog, XsdError, XsdOutcome

__all__ = [
    "KithMessage",
    "MappedDocument",
    "MessageOrigin",
    "XmlProblem",
    "XmlProblemCode",
    "XmlReadResult",
    "XsdCatalog",
    "XsdError",
    "XsdOutcome",
    "map_documents",
    "parse_xml",
    "read_message",
    "read_xml_file",
    "xpath_of",
]


@dataclass(frozen=True, slots=True)
class MessageOrigin:
    """The origin of a ``kith-message`` document: the message's root element."""

    message: KithMessage
    schema_claims: Mapping[str, str] = field(default_factory=dict)

    def locate(self, _pointer: str) -> tuple[str | None, int | None]:
        """The root element's XPath and line (a message has no JSON pointers)."""
        element = self.message.envelope if self.message.envelope is not None else self.message.root
        return xpath_of(element), element.sourceline
