"""KITH rules: KITH XML messages (domain reference §9); the catalogue is spec/rules/kith.toml.

The checks run on documents of kind ``kith-message`` (the whole message: envelope and
contents); ``document.message`` is the :class:`pakkeforlop.kith.KithMessage`. Each hit carries
the element's XPath and line. Values the JSON mapping carries into a referral or epicrisis
(``KithMessage.covered``) are left to the JSON rules, so that one mistake gives one finding.
Identifier checks are the ones of :mod:`pakkeforlop.identifiers`, shared with the IDENTIFIER
rules; code lists are those of :mod:`pakkeforlop.codes`.

The engine itself reports KITH-001 to KITH-003 (reading), KITH-016 and KITH-020 (XSDs),
KITH-017 (a schema violation of an Epikrise-mapped epicrisis) and the schema violations of a
bare Henvisning's envelope members (KITH-022). The XML Schema types of dates are judged by
:mod:`pakkeforlop.kith.datatypes`, with the element types of ``spec/kith/dates.toml``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any, Final

from pakkeforlop.checks import Hit, document_check, engine_rule
from pakkeforlop.codes import VOLVEN_OID_PREFIX, code_system, code_system_by_oid
from pakkeforlop.findings import MessageArg, Personal
from pakkeforlop.identifiers import (
    IdCheck,
    PersonIdType,
    ProblemCode,
    check_hpr_number,
    check_org_number,
    check_person_id,
)
from pakkeforlop.kith.datatypes import CHECKS
from pakkeforlop.kith.message import (
    Element,
    KithMessage,
    attr,
    child,
    children,
    local,
    namespace,
    select,
    text,
    xpath_of,
)
from pakkeforlop.kith.namespaces import (
    APPREC_1_0,
    APPREC_1_1,
    BASE64,
    EPIKRISE_1_2,
    EPIKRISER,
    HENVISNING_2_0,
    HENVISNINGER,
    expected_content,
)
from pakkeforlop.kith.table import date_types
from pakkeforlop.model import Document, ExportFacts
from pakkeforlop.registry import schema
from pakkeforlop.rules.code import version_label
from pakkeforlop.rules.identifier import errors, today_for

KIND = "kith-message"

for _rule in ("KITH-001", "KITH-002", "KITH-003", "KITH-016", "KITH-020"):
    engine_rule(_rule, KIND)
engine_rule("KITH-017", "epicrisis")

OID_9051: Final = VOLVEN_OID_PREFIX + "9051"
OID_8116: Final = VOLVEN_OID_PREFIX + "8116"
OID_9321: Final = VOLVEN_OID_PREFIX + "9321"
OID_9327: Final = VOLVEN_OID_PREFIX + "9327"
#: The cancer pathway lists the display file also accepts in Pakkeforlopskode (not judged).
CANCER_PATHWAY_LISTS: Final = frozenset(
    VOLVEN_OID_PREFIX + number for number in ("8480", "9173", "9174", "9175", "9176")
)
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
APPREC_NAMESPACES: Final = frozenset({APPREC_1_0, APPREC_1_1})
#: The kodeverk of the AppRec error list every receiver knows; others are message-specific.
APPREC_ERRORS: Final = "8221"
#: Where a Henvisning 2.0 and an Epikrise 1.2 carry their diagnoses (the coded concept).
DIAGNOSES: Final = {
    HENVISNING_2_0: "hen:Diagnosis/hen:Concept",
    EPIKRISE_1_2: (
        "epi:ServRprt/epi:ServReq/epi:Diagnosis/epi:Concept"
        " | epi:ServRprt/epi:Event/epi:InfItem[epi:Type/@V = 'H' or epi:Type/@V = 'B']"
        "/epi:Observation/epi:CodedDescr/epi:Concept"
    ),
}
_LENIENT_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})")
#: How a finding names an XML Schema type.
_TYPE_NAMES: Final = {"TS": "date or time (TS)"}


# -- helpers ----------------------------------------------------------------------------------


def _message(document: Document) -> KithMessage:
    message: KithMessage = document.message
    return message


def _recognised(document: Document, _facts: ExportFacts) -> bool:
    return isinstance(document.message, KithMessage) and document.message.envelope is not None


def _msghead(document: Document, facts: ExportFacts) -> bool:
    return _recognised(document, facts) and _message(document).is_msghead


def _apprec(document: Document, facts: ExportFacts) -> bool:
    return _recognised(document, facts) and namespace(_message(document).envelope) in (
        APPREC_NAMESPACES
    )


def _has_henvisning(document: Document, facts: ExportFacts) -> bool:
    return _recognised(document, facts) and any(
        namespace(content.element) == HENVISNING_2_0 for content in _message(document).contents
    )


def _bare(document: Document, facts: ExportFacts) -> bool:
    return _recognised(document, facts) and _message(document).bare


def _names_contents(document: Document, facts: ExportFacts) -> bool:
    return _msghead(document, facts) or _bare(document, facts)


def _mapped(document: Document, _facts: ExportFacts) -> bool:
    return isinstance(document.message, KithMessage) and bool(document.message.scopes)


def _has_diagnoses(document: Document, facts: ExportFacts) -> bool:
    return _recognised(document, facts) and any(
        namespace(content.element) in DIAGNOSES for content in _message(document).contents
    )


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


def _oid_hint(oid: str) -> str:
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
def recognised_message(document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    """The root is a MsgHead 1.2, an AppRec 1.0/1.1, or a KITH business document the kit knows
    (inside EI_fellesformat, if wrapped)."""
    message = _message(document)
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


@document_check("KITH-005", KIND, applies=_recognised)
def mig_version(document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    """The MIGversion is the one the namespace fixes (of the envelope, and of an Epikrise)."""
    for holder, standard in _mig_holders(_message(document)):
        element = child(holder, "MIGversion")
        found = text(element)
        if found != standard.mig_version:
            yield at(
                element if element is not None else holder,
                found="missing" if found is None else repr(found),
                standard=standard.label,
                expected=standard.mig_version,
            )


@document_check("KITH-006", KIND, applies=_msghead)
def type_agrees_with_content(document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    """MsgInfo/Type announces the business document the message carries."""
    message = _message(document)
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
    message = _message(document)
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
    message = _message(document)
    standard = message.standard
    if standard is not None and standard.enveloped:
        yield at(message.envelope)


@document_check("KITH-023", KIND, applies=_mapped)
def pathway_rules_applied(document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    """A mapped referral or epicrisis outside a PHV/TSB pathway, and why it is outside."""
    for scoped in _message(document).scopes:
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


@document_check("KITH-018", KIND, applies=_msghead)
def parties_have_her_ids(document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    """Sender and receiver are addressed by HER-id."""
    info = _message(document).msg_info
    for party in ("Sender", "Receiver"):
        party_element = child(info, party)
        if party_element is None:
            continue  # the XSD requires both; KITH-016 reports a missing one
        organisation = child(party_element, "Organisation")
        idents = children(organisation, "Ident")
        if not any(attr(child(ident, "TypeId"), "V") == "HER" for ident in idents):
            where = organisation if organisation is not None else party_element
            yield at(where, element=f"{party}/Organisation")


# -- coded values -----------------------------------------------------------------------------


@document_check("KITH-007", KIND, applies=_recognised)
def oids_known(document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    """Every S is a known code-system OID."""
    message = _message(document)
    for element in all_elements(message.envelope):
        oid = attr(element, "S")
        if oid is None or message.is_covered(element, "S"):
            continue
        if not known_oid(oid.strip()):
            yield at(element, oid=oid, element=name_of(element), hint=_oid_hint(oid.strip()))


@document_check("KITH-008", KIND, applies=_recognised)
def identifier_types(document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    """Ident/TypeId comes from kodeverk 9051 (organisations) or 8116 (persons)."""
    message = _message(document)
    for found in identifiers(message):
        expected = "9051" if found.is_organisation else "8116"
        oid = attr(found.type_element, "S")
        if oid is not None and not known_oid(oid.strip()):
            continue  # KITH-007's finding
        code = found.code
        allowed = {VOLVEN_OID_PREFIX + expected} | (
            {OID_9051, OID_8116} if code == "HER" else set()
        )
        wrong_list = oid is not None and oid.strip() not in allowed
        covered = message.is_covered(found.type_element, "V")
        unknown_code = not covered and (code is None or code not in code_system(expected))
        if wrong_list or unknown_code:
            hint = " (AppRec E31)" if local(found.owner) == "Patient" else ""
            yield at(
                found.type_element,
                element=name_of(found.type_element),
                typed=_typed(code, oid),
                expected=expected,
                owner="organisation" if found.is_organisation else "person",
                hint=hint,
            )


def _typed(code: str | None, oid: str | None) -> str:
    """How KITH-008 shows a TypeId: its V and S as written, or that one is absent."""
    shown = f'V="{code}"' if code is not None else "no V"
    return f'{shown} S="{oid}"' if oid is not None else f"{shown}, no S"


def _fixed_list(element: Element) -> str | None:
    """The kodeverk of a CS whose list is fixed by its position (message types)."""
    name, parent = local(element), local(element.getparent())
    if name == "Type" and parent == "MsgInfo":
        return "8279"
    if name == "Type" and parent == "Message" and namespace(element) in HENVISNINGER | EPIKRISER:
        return "8279"  # the message type of a KITH v1 message (Epikrise 1.2 Message/Type)
    if name == "MsgType" and (parent == "OriginalMsgId" or namespace(element) in APPREC_NAMESPACES):
        return "8279"
    return None


#: Elements other rules own: identifier types (KITH-008), the pathway code's list (KITH-010
#: for its grammar), the AppRec status and errors (KITH-011).
_OWNED_ELSEWHERE: Final = frozenset({"TypeId", "TypeOffId", "Pakkeforlopskode"})


@document_check("KITH-009", KIND, applies=_recognised)
def codes_in_lists(document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    """A V from a code list the kit carries is in that list."""
    message = _message(document)
    apprec = namespace(message.envelope) in APPREC_NAMESPACES
    for element in all_elements(message.envelope):
        code = attr(element, "V")
        if code is None or local(element) in _OWNED_ELSEWHERE:
            continue
        if (
            apprec
            and local(element) in {"Status", "Error"}
            and element.getparent() is (message.envelope)
        ):
            continue
        if message.is_covered(element, "V"):
            continue
        fixed = _fixed_list(element)
        oid = attr(element, "S")
        system = code_system(fixed) if fixed else code_system_by_oid(oid.strip()) if oid else None
        if system is None or code in system:
            continue
        hint = " (AppRec T10)" if fixed == "8279" else ""
        yield at(
            element,
            element=name_of(element),
            code=code,
            kodeverk=system.kodeverk,
            version=version_label(system),
            hint=hint,
        )


@document_check("KITH-010", KIND, applies=_has_henvisning)
def pathway_code(document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    """Pakkeforlop/Pakkeforlopskode uses kodeverk 9321 or 9327 correctly."""
    message = _message(document)
    for content in message.contents:
        if namespace(content.element) != HENVISNING_2_0:
            continue
        for pathway in children(content.element, "Pakkeforlop"):
            for element in children(pathway, "Pakkeforlopskode"):
                problem = _pathway_problem(attr(element, "V"), attr(element, "S"))
                if problem is not None:
                    yield at(
                        element,
                        code=attr(element, "V") or "",
                        oid=attr(element, "S") or "",
                        problem=problem,
                    )


def _pathway_problem(code: str | None, oid: str | None) -> str | None:
    """What is wrong with a Pakkeforlopskode, or ``None`` (also when another rule judges it)."""
    oid = oid.strip() if oid is not None else None
    judged_elsewhere = (
        oid == OID_9321  # the referral's targetPathway, judged by its schema
        or oid in CANCER_PATHWAY_LISTS  # outside this kit's pathways
        or (oid is not None and not known_oid(oid))  # KITH-007's finding
    )
    if judged_elsewhere:
        return None
    if oid is None:
        return "no S: name the list, kodeverk 9321 (pathway type) or 9327 (pathway code)"
    if oid != OID_9327:
        return f"{oid} is not a pathway code list (kodeverk 9321 or 9327)"
    return _event_code_problem(code)


def _event_code_problem(code: str | None) -> str | None:
    if code is None:
        return "no code (V)"
    if not code_system("9327").matches_grammar(code):
        hint = " (a pathway type belongs to kodeverk 9321)" if code in code_system("9321") else ""
        return f"not a kodeverk 9327 code (D, pathway number, event letter){hint}"
    if code[:3] not in code_system("9321"):
        return f"the prefix {code[:3]} is not a pathway type of kodeverk 9321"
    return None


@document_check("KITH-011", KIND, applies=_apprec)
def apprec_codes(document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    """The AppRec's Status (8258) and its Error codes are known in their lists.

    An Error without S, or with the S of kodeverk 8221, is a code of 8221. An Error from a
    message-specific list (for example 8223, the billing message's own errors, as in the
    official AppRec example) names that list in S and is judged there (KITH-007 for the OID,
    KITH-009 for a list the kit carries).
    """
    envelope = _message(document).envelope
    status = child(envelope, "Status")
    if status is not None and attr(status, "V") not in code_system("8258"):
        problem = f"status {attr(status, 'V')!r} is not a code of kodeverk 8258 (1, 2 or 3)"
        yield at(status, element="Status", problem=problem)
    for error in children(envelope, "Error"):
        oid, code = attr(error, "S"), attr(error, "V")
        if oid is not None and oid.strip() != VOLVEN_OID_PREFIX + APPREC_ERRORS:
            continue
        if code not in code_system(APPREC_ERRORS):
            problem = f"error code {code!r} is not a code of kodeverk {APPREC_ERRORS}"
            yield at(error, element="Error", problem=problem)


# -- identifiers and dates --------------------------------------------------------------------


def _check_identifier(found: Identifier, value: str, today: date) -> IdCheck | None:
    """The shared identifier check for the declared type, or ``None`` for unchecked types."""
    code = found.code
    if code in {member.value for member in PersonIdType}:
        return check_person_id(value, code or "", today=today)
    if code == "ENH":
        return check_org_number(value)
    if code == "HPR":
        return check_hpr_number(value)
    return None


def _her_problem(value: str) -> tuple[str, str] | None:
    """``(problem code, explanation)`` of a HER-id or RESH-id that is not a valid number."""
    if not (value.isascii() and value.isdigit()):
        return "not-digits", "a HER-id is digits only"
    if value.startswith("0"):
        return "leading-zero", "a HER-id has no leading zero"
    return None


@document_check("KITH-012", KIND, applies=_recognised)
def identifiers_valid(document: Document, facts: ExportFacts) -> Iterator[Hit]:
    """Identifiers the mapping does not carry pass the checks of their declared type."""
    message = _message(document)
    today = today_for(facts)
    for found in identifiers(message):
        if message.is_covered(found.id_element, "text"):
            continue  # the IDENTIFIER rules judge it in the referral or epicrisis
        value = text(found.id_element) or ""
        code = found.code or ""
        if code in {"HER", "RSH"}:
            problem = _her_problem(value)
            if problem is not None:
                yield at(
                    found.id_element,
                    element=name_of(found.id_element),
                    type=code,
                    codes=problem[0],
                    detail=problem[1],
                    hint="",
                )
            continue
        check = _check_identifier(found, value, today)
        if check is None or check.valid:
            continue
        found_errors = errors(check)
        patient = local(found.owner) == "Patient"
        hint = " (AppRec E31)" if patient and code == "FNR" else ""
        yield at(
            found.id_element,
            element=name_of(found.id_element),
            type=code,
            codes=", ".join(problem_code for problem_code, _ in found_errors),
            detail="; ".join(message_text for _, message_text in found_errors),
            hint=hint,
        )


@document_check("KITH-013", KIND, applies=_recognised)
def hpr_heuristic(document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    """HPR numbers the mapping does not carry fit the mod-11 heuristic (a warning at most)."""
    message = _message(document)
    for found in identifiers(message):
        if found.code != "HPR" or message.is_covered(found.id_element, "text"):
            continue
        check = check_hpr_number(text(found.id_element) or "")
        if ProblemCode.HPR_CHECKSUM_HEURISTIC in {problem.code for problem in check.problems}:
            yield at(found.id_element, element=name_of(found.id_element))


def _dates(message: KithMessage) -> Iterator[tuple[Element, str, str, str]]:
    """``(element, "text" or "V", value, type)`` of every typed date of spec/kith/dates.toml."""
    types = date_types()
    for element in all_elements(message.envelope):
        typed = types.get(namespace(element), {}).get(local(element))
        if typed is None:
            continue
        type_name, where = typed
        value = (element.text or "") if where == "text" else attr(element, "V")
        if value is not None:
            yield element, where, value.strip(), type_name


@document_check("KITH-014", KIND, applies=_recognised)
def dates_valid(document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    """Dates the KITH XSDs type are valid values of their type."""
    message = _message(document)
    for element, attribute, value, type_name in _dates(message):
        if message.is_covered(element, attribute) or CHECKS[type_name](value):
            continue
        shown: MessageArg = Personal(value) if local(element) == "DateOfBirth" else value
        kind = _TYPE_NAMES.get(type_name, f"xs:{type_name}")
        yield at(element, element=name_of(element), value=shown, type=kind)


def _lenient_day(value: str | None) -> date | None:
    match = _LENIENT_DATE.match(value or "")
    if match is None:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


@document_check("KITH-015", KIND, applies=_recognised)
def birth_date_agrees(document: Document, facts: ExportFacts) -> Iterator[Hit]:
    """A stated DateOfBirth agrees with the date in the person's identifier."""
    message = _message(document)
    today = today_for(facts)
    people: dict[Any, Identifier] = {}
    for found in identifiers(message):
        if found.code in {member.value for member in PersonIdType} and found.owner not in people:
            people[found.owner] = found
    for owner, found in people.items():
        stated_element = child(owner, "DateOfBirth")
        if stated_element is None or message.is_covered(found.id_element, "text"):
            continue
        stated = _lenient_day(text(stated_element) or attr(stated_element, "V"))
        check = check_person_id(text(found.id_element) or "", found.code or "", today=today)
        if stated is not None and check.birth_date is not None and stated != check.birth_date:
            yield at(stated_element, element=name_of(stated_element), type=found.code or "")


@cache
def diagnosis_systems() -> frozenset[str]:
    """The code systems of a diagnosis: those the JSON model's diagnosis allows."""
    allowed = schema("defs")["$defs"]["diagnosis"]["properties"]["system"]["enum"]
    return frozenset(allowed)


@document_check("KITH-021", KIND, applies=_has_diagnoses)
def diagnosis_classification(document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    """Diagnoses the mapping does not carry name ICD-10 or ICPC-2 in S."""
    message = _message(document)
    for content in message.contents:
        expression = DIAGNOSES.get(namespace(content.element))
        for concept in select(content.element, expression) if expression else ():
            oid = attr(concept, "S")
            if message.is_covered(concept, "S") or (oid or "").strip() in diagnosis_systems():
                continue
            if oid is not None and not known_oid(oid.strip()):
                continue  # KITH-007's finding
            yield at(concept, code=attr(concept, "V") or "", system=_system_name(oid))


def _system_name(oid: str | None) -> str:
    if oid is None:
        return "no S"
    system = code_system_by_oid(oid.strip())
    shown = f"S={oid}"
    if system is not None:
        return f"{shown} (kodeverk {system.kodeverk}, {system.name_en})"
    if oid.strip() == VOLVEN_OID_PREFIX + "7180":
        return f"{shown} (kodeverk 7180, ATC, a classification of drugs)"
    return shown
