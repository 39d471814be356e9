"""KITH XML messages: safe reading, recognition, the mapping to the JSON model, and XSDs.

* :mod:`~pakkeforlop.kith.parse` reads a file with a hardened lxml parser;
* :mod:`~pakkeforlop.kith.message` recognises MsgHead 1.2 / AppRec 1.0 / 1.1 (unwrapping NAV's
  ``EI_fellesformat``), the business documents inside, and business documents on their own;
* :mod:`~pakkeforlop.kith.datatypes` judges the XML Schema dates, times and booleans;
* :mod:`~pakkeforlop.kith.table` reads the mapping tables of ``spec/kith/``, which
  :mod:`~pakkeforlop.kith.mapping` interprets to map Henvisning 2.0, Epikrise 1.2 and a
  Dialogmelding "Status på henvisning" to the referral, epicrisis and feedback of the JSON
  model (``spec/kith-mapping.md``, generated from the same tables by
  :mod:`~pakkeforlop.kith.mapping_page`), with :mod:`~pakkeforlop.kith.convert`;
* :mod:`~pakkeforlop.kith.scope` decides whether the pathway rules apply to a mapped document;
* :mod:`~pakkeforlop.kith.xsd` validates against XSDs the user supplies (``--xsd-dir``).

The rules of the KITH family are in :mod:`pakkeforlop.rules.kith`.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING

from pakkeforlop.kith.message import KithMessage, read_message, xpath_of

if TYPE_CHECKING:
    from pakkeforlop.kith.mapping import MappedDocument, map_contents, map_documents
    from pakkeforlop.kith.parse import (
        XmlProblem,
        XmlProblemCode,
        XmlReadResult,
        parse_xml,
        read_xml_file,
    )
    from pakkeforlop.kith.xsd import XsdCatalog, XsdError, XsdOutcome

#: What is imported only when first asked for, by name: the reading of XML files (lxml), the
#: mapping to the JSON model and the XSD validation (with what they import: the mapping
#: tables, urllib for the XSDs' addresses: about 0.03 s of the command's start), which a check
#: of JSON files alone does without. The rules of the KITH family import the recognition of
#: messages only (``message``, which imports lxml when it first compiles an XPath).
_LATER = {
    "parse": ("parse", None),
    "XmlProblem": ("parse", "XmlProblem"),
    "XmlProblemCode": ("parse", "XmlProblemCode"),
    "XmlReadResult": ("parse", "XmlReadResult"),
    "parse_xml": ("parse", "parse_xml"),
    "read_xml_file": ("parse", "read_xml_file"),
    "mapping": ("mapping", None),
    "MappedDocument": ("mapping", "MappedDocument"),
    "map_contents": ("mapping", "map_contents"),
    "map_documents": ("mapping", "map_documents"),
    "xsd": ("xsd", None),
    "XsdCatalog": ("xsd", "XsdCatalog"),
    "XsdError": ("xsd", "XsdError"),
    "XsdOutcome": ("xsd", "XsdOutcome"),
}


def __getattr__(name: str) -> object:
    """A name of :data:`_LATER`, imported now (and kept: it is asked for once)."""
    later = _LATER.get(name)
    if later is None:
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)
    module_name, attribute = later
    module: ModuleType = importlib.import_module(f"{__name__}.{module_name}")
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value
    return value


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
    "map_contents",
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
