"""KITH rules: KITH XML messages (domain reference §9); the catalogue is spec/rules/kith.toml.

This module has the family's shared helpers and the rules on the message as a whole (what it
is, its envelope, its contents and their scope: KITH-004 to -006, -018, -019, -022, -023);
:mod:`pakkeforlop.rules.kith_codes` has the rules on coded values (KITH-007 to -011, -021)
and :mod:`pakkeforlop.rules.kith_values` those on identifiers and dates (KITH-012 to -015).

The checks run on documents of kind ``kith-message`` (the whole message: envelope and
contents); ``document.message`` is the :class:`pakkeforlop.kith.KithMessage`. Each hit carries
the element's XPath and line. Values the JSON mapping carries into a referral or epicrisis
(``KithMessage.covered``) are left to the JSON rules, so that one mistake gives one finding.
Identifier checks are the ones of :mod:`pakkeforlop.model.identifiers`, shared with the IDENTIFIER
rules; code lists are those of :mod:`pakkeforlop.data.codes`.

The engine itself reports KITH-001 to KITH-003 (reading), KITH-016 and KITH-020 (XSDs),
KITH-017 (a schema violation of an Epikrise-mapped epicrisis) and the schema violations of a
bare Henvisning's envelope members (KITH-022). The XML Schema types of dates are judged by
:mod:`pakkeforlop.kith.datatypes`, with the element types of ``spec/kith/dates.toml``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

from pakkeforlop.data.codes import VOLVEN_OID_PREFIX, code_system_by_oid
from pakkeforlop.kith.message import (
    Element,
    KithMessage,
    attr,
    child,
    children,
    local,
    namespace,
    text,
    xpath_of,
)
from pakkeforlop.kith.namespaces import (
    APPREC_NAMESPACES,
    BASE64,
    HENVISNING_2_0,
    expected_content,
)
from pakkeforlop.model.findings import MessageArg
from pakkeforlop.model.records import Document, ExportFacts
from pakkeforlop.rules.checks import Hit, document_check, engine_rule

KIND = "kith-message"

engine_rule("KITH-017", "epicrisis")

OID_9051: Final = VOLVEN_OID_PREFIX + "9051"
OID_8116: Final = VOLVEN_OID_PREFIX + "8116"
OID_9321: Final = VOLVEN_OID_PREFIX + "9321"
OID_9327: Final = VOLVEN_OID_PREFIX + "9327"
#: International code systems that may appear in S (HL7 OIDs).
INTERNATIONAL_OIDS: Final = {
    "2.16.840.1.113883.6.96": "SNOMED CT",
    "2.16.840.1.113883.6.139": "ICPC-2",
    "2.16.840.1.113883.6.1": "LOINC",
    "2.16.840.1.113883.6.8": "UCUM",
    "2.16.840.1.113883.6.73": "ATC (WHO)",
}
_VOLVEN_OID = re.compile(r"^2\.16\.578\.1\.12\.4\.1\.1\.[1-9][0-9]{0,5}$")
_IDENTIFIER_OID = re.compile(r"^2\.16\.578\.1\.12\.4\.1\.4\.[0-9]+$")
_LAST_ARC = re.compile(r"\.([0-9]{4})$")

#: Owners of an identifier that are organisations (kodeverk 9051); all others are persons. The
#: XSD types them so: MsgHead and felleskomponent1 ``Organisation`` (po:TilknyttetEnhet's
#: ``Kontaktenhet`` is one), KITH v1 ``Inst`` and ``Dept``, Dialogmelding's ``TilknyttetEnhet``.
ORGANISATION_OWNERS: Final = frozenset(
    {"Organisation", "Inst", "Dept", "TilknyttetEnhet", "Kontaktenhet"}
)


# -- helpers ----------------------------------------------------------------------------------


def message_of(document: Document) -> KithMessage:
    """The message a ``kith-message`` document holds."""
    message: KithMessage = document.message
    return message


def recognised(document: Document, _facts: ExportFacts) -> bool:
    """A message the kit recognises (an envelope, or a business document on its own)."""
    return isinstance(document.message, KithMessage) and document.message.envelope is not None


def msghead(document: Document, facts: ExportFacts) -> bool:
    """A message in a MsgHead."""
    return recognised(document, facts) and message_of(document).is_msghead


def apprec(document: Document, facts: ExportFacts) -> bool:
    """An AppRec."""
    return recognised(document, facts) and namespace(message_of(document).envelope) in (
        APPREC_NAMESPACES
    )


def has_henvisning(document: Document, facts: ExportFacts) -> bool:
    """A recognised message with a Henvisning 2.0."""
    return recognised(document, facts) and any(
        namespace(content.element) == HENVISNING_2_0 for content in message_of(document).contents
    )


def _bare(document: Document, facts: ExportFacts) -> bool:
    return recognised(document, facts) and message_of(document).bare


def _names_contents(document: Document, facts: ExportFacts) -> bool:
    return msghead(document, facts) or _bare(document, facts)


def _mapped(document: Document, _facts: ExportFacts) -> bool:
    return isinstance(document.message, KithMessage) and bool(document.message.scopes)


def at(node: Element, /, **args: MessageArg) -> Hit:
    """A hit on an element: its XPath, its line, and the message arguments."""
    return Hit(xpath=xpath_of(node), line=node.sourceline, args=args)


def all_elements(scope: Element) -> Iterator[Element]:
    """The scope and every element below it (no comments or processing instructions)."""
    return (element for element in scope.iter() if isinstance(element.tag, str))


def name_of(element: Element) -> str:
    """``Parent/Element``: how messages name an element (the XPath gives the exact place)."""
    parent = element.getparent()
    return f"{local(parent)}/{local(element)}" if parent is not None else local(element)


def known_oid(oid: str) -> bool:
    """A Volven code-system OID, or one of the international code systems."""
    return _VOLVEN_OID.match(oid) is not None or oid in INTERNATIONAL_OIDS


def oid_hint(oid: str) -> str:
    if _IDENTIFIER_OID.match(oid):
        return "; it is a FHIR identifier system, not a KITH code list (use kodeverk 8116 or 9051)"
    last = _LAST_ARC.search(oid)
    if last is not None and code_system_by_oid(VOLVEN_OID_PREFIX + last.group(1)) is not None:
        return f"; did you mean {VOLVEN_OID_PREFIX}{last.group(1)}?"
    return ""


@dataclass(frozen=True, slots=True)
class Identifier:
    """An identifier in a message: its owner, the Id and TypeId elements, and its kind."""

    owner: Element
    id_element: Element
    type_element: Element

    @property
    def is_organisation(self) -> bool:
        """Whether the owner is an organisation (kodeverk 9051) rather than a person (8116)."""
        return local(self.owner) in ORGANISATION_OWNERS

    @property
    def code(self) -> str | None:
        """TypeId/@V."""
        return attr(self.type_element, "V")


def identifiers(message: KithMessage) -> Iterator[Identifier]:
    """Every identifier: MsgHead/felleskomponent ``Ident`` (Id + TypeId), and KITH v1 / AppRec
    owners with ``Id`` + ``TypeId`` or ``OffId`` + ``TypeOffId`` children."""
    scope = message.envelope
    if scope is None:
        return
    for element in all_elements(scope):
        if local(element) == "Ident":
            id_element, type_element = child(element, "Id"), child(element, "TypeId")
            owner = element.getparent()
        else:
            id_element, type_element = child(element, "Id"), child(element, "TypeId")
            if id_element is None or type_element is None:
                id_element, type_element = child(element, "OffId"), child(element, "TypeOffId")
            owner = element
        if id_element is not None and type_element is not None and owner is not None:
            yield Identifier(owner, id_element, type_element)


# -- the message ------------------------------------------------------------------------------


@document_check("KITH-004", KIND)
def recognisedmessage_of(document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    """The root is a MsgHead 1.2, an AppRec 1.0/1.1, or a KITH business document the kit knows
    (inside EI_fellesformat, if wrapped)."""
    message = message_of(document)
    if message.envelope is not None:
        return
    root = message.root
    if message.wrapper is not None:
        inner = [element for element in message.wrapper if isinstance(element.tag, str)]
        root = inner[0] if inner else message.wrapper
    uri = namespace(root)
    shown = f"{local(root)} (namespace {uri})" if uri else f"{local(root)} (no namespace)"
    yield at(root, root=shown)


def _mig_holders(message: KithMessage) -> Iterator[tuple[Element, Any]]:
    """``(element holding MIGversion, standard)`` of the envelope and of each content."""
    standard = message.standard
    if standard is not None and standard.mig_version is not None and not message.bare:
        holder = message.msg_info if message.is_msghead else message.envelope
        if holder is not None:
            yield holder, standard
    for content in message.contents:
        if content.standard is not None and content.standard.mig_version is not None:
            yield content.element, content.standard


@document_check("KITH-005", KIND, applies=recognised)
def mig_version(document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    """The MIGversion is the one the namespace fixes (of the envelope, and of an Epikrise)."""
    for holder, standard in _mig_holders(message_of(document)):
        element = child(holder, "MIGversion")
        found = text(element)
        if found != standard.mig_version:
            yield at(
                element if element is not None else holder,
                found="missing" if found is None else repr(found),
                standard=standard.label,
                expected=standard.mig_version,
            )


@document_check("KITH-006", KIND, applies=msghead)
def type_agrees_with_content(document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    """MsgInfo/Type announces the business document the message carries."""
    message = message_of(document)
    type_element = message.message_type
    code = attr(type_element, "V")
    expected = expected_content(code) if code else None
    if expected is None or type_element is None:
        return
    for content in message.contents:
        uri = namespace(content.element)
        if uri == BASE64 or uri in expected or content.standard is None:
            continue  # content the kit does not know is KITH-019's finding
        yield at(type_element, type=code or "", content=content.standard.label)


#: What KITH-019 says was checked in content the kit does not read.
GENERIC_CHECKS: Final = (
    "it was not mapped to the JSON model; only the checks that apply anywhere in a message "
    "(code systems, identifiers, dates) ran on it"
)


@document_check("KITH-019", KIND, applies=_names_contents)
def content_checked(document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    """Business documents the kit does not read are named, with what was checked in them."""
    message = message_of(document)
    documents = [content for content in message.contents if namespace(content.element) != BASE64]
    if not documents:
        envelope = message.envelope
        what = (
            "The MsgHead carries no XML business document (Content): only its envelope was checked"
        )

        yield at(envelope, what=what)
        return
    for content in documents:
        standard = content.standard
        if standard is not None and standard.supported:
            continue
        if standard is not None:
            what = f"{standard.label} recognised; this kit reads {standard.successor}"
        else:
            uri = namespace(content.element) or "no namespace"
            what = f"{local(content.element)} ({uri}) is not a standard the kit reads"
        yield at(content.element, what=f"{what}: {GENERIC_CHECKS}")


@document_check("KITH-022", KIND, applies=_bare)
def without_envelope(document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    """A business document that travels in a MsgHead, found without one."""
    message = message_of(document)
    standard = message.standard
    if standard is not None and standard.enveloped:
        yield at(message.envelope)


@document_check("KITH-023", KIND, applies=_mapped)
def pathway_rules_applied(document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    """A mapped referral, epicrisis or feedback outside a PHV/TSB pathway, and why it is outside."""
    for scoped in message_of(document).scopes:
        if scoped.scope.applies:
            continue
        standard = scoped.content.standard
        yield at(
            scoped.content.element,
            standard=standard.label if standard is not None else "",
            kind="an epicrisis" if scoped.kind == "epicrisis" else f"a {scoped.kind}",
            mapped=scoped.summary,
            reason=scoped.scope.reason,
        )


@document_check("KITH-018", KIND, applies=msghead)
def parties_have_her_ids(document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    """Sender and receiver are addressed by HER-id."""
    info = message_of(document).msg_info
    for party in ("Sender", "Receiver"):
        party_element = child(info, party)
        if party_element is None:
            continue  # the XSD requires both; KITH-016 reports a missing one
        organisation = child(party_element, "Organisation")
        idents = children(organisation, "Ident")
        if not any(attr(child(ident, "TypeId"), "V") == "HER" for ident in idents):
            where = organisation if organisation is not None else party_element
            yield at(where, element=f"{party}/Organisation")
