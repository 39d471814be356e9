"""KITH rules on coded values: code systems, identifier types, code lists, the pathway code,
AppRec codes and diagnoses (KITH-007 to KITH-011, KITH-021); see :mod:`pakkeforlop.rules.kith`.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Final

from pakkeforlop.data.codes import VOLVEN_OID_PREFIX, code_system, code_system_by_oid
from pakkeforlop.data.schemas import schema
from pakkeforlop.kith.message import Element, attr, child, children, local, namespace, select
from pakkeforlop.kith.namespaces import (
    APPREC_NAMESPACES,
    EPIKRISE_1_2,
    HENVISNING_2_0,
)
from pakkeforlop.model.records import Document, ExportFacts
from pakkeforlop.rules.checks import Hit, document_check
from pakkeforlop.rules.code import version_label
from pakkeforlop.rules.kith import (
    KIND,
    OID_8116,
    OID_9051,
    OID_9321,
    OID_9327,
    all_elements,
    apprec,
    at,
    has_henvisning,
    identifiers,
    known_oid,
    message_of,
    name_of,
    oid_hint,
    recognised,
)

#: The cancer pathway lists the display file also accepts in Pakkeforlopskode (not judged).
CANCER_PATHWAY_LISTS: Final = frozenset(
    VOLVEN_OID_PREFIX + number for number in ("8480", "9173", "9174", "9175", "9176")
)
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


def has_diagnoses(document: Document, facts: ExportFacts) -> bool:
    """A recognised message with a Henvisning 2.0 or an Epikrise 1.2."""
    return recognised(document, facts) and any(
        namespace(content.element) in DIAGNOSES for content in message_of(document).contents
    )


# -- coded values -----------------------------------------------------------------------------


@document_check("KITH-007", KIND, applies=recognised)
def oids_known(document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    """Every S is a known code-system OID."""
    message = message_of(document)
    for element in all_elements(message.envelope):
        oid = attr(element, "S")
        if oid is None or message.is_covered(element, "S"):
            continue
        if not known_oid(oid.strip()):
            yield at(element, oid=oid, element=name_of(element), hint=oid_hint(oid.strip()))


@document_check("KITH-008", KIND, applies=recognised)
def identifier_types(document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    """Ident/TypeId comes from kodeverk 9051 (organisations) or 8116 (persons)."""
    message = message_of(document)
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
    if name == "Type" and parent == "Message" and namespace(element) == EPIKRISE_1_2:
        # Epikrise 1.2's own message type (EPIKRISE in the official examples). The older
        # Henvisning and Epikrise XSDs type it as a CS without a list, and their official
        # examples use one-letter types (H, E) from before kodeverk 8279: not judged.
        return "8279"
    if name == "MsgType" and (parent == "OriginalMsgId" or namespace(element) in APPREC_NAMESPACES):
        return "8279"
    return None


#: Elements other rules own: identifier types (KITH-008), the pathway code's list (KITH-010
#: for its grammar), the AppRec status and errors (KITH-011).
_OWNED_ELSEWHERE: Final = frozenset({"TypeId", "TypeOffId", "Pakkeforlopskode"})


@document_check("KITH-009", KIND, applies=recognised)
def codes_in_lists(document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    """A V from a code list the kit carries is in that list."""
    message = message_of(document)
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


@document_check("KITH-010", KIND, applies=has_henvisning)
def pathway_code(document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    """Pakkeforlop/Pakkeforlopskode uses kodeverk 9321 or 9327 correctly."""
    message = message_of(document)
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


@document_check("KITH-011", KIND, applies=apprec)
def apprec_codes(document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    """The AppRec's Status (8258) and its Error codes are known in their lists.

    An Error without S, or with the S of kodeverk 8221, is a code of 8221. An Error from a
    message-specific list (for example 8223, the billing message's own errors, as in the
    official AppRec example) names that list in S and is judged there (KITH-007 for the OID,
    KITH-009 for a list the kit carries).
    """
    envelope = message_of(document).envelope
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


@cache
def diagnosis_systems() -> frozenset[str]:
    """The code systems of a diagnosis: those the JSON model's diagnosis allows."""
    allowed = schema("defs")["$defs"]["diagnosis"]["properties"]["system"]["enum"]
    return frozenset(allowed)


@document_check("KITH-021", KIND, applies=has_diagnoses)
def diagnosis_classification(document: Document, _facts: ExportFacts) -> Iterator[Hit]:
    """Diagnoses the mapping does not carry name ICD-10 or ICPC-2 in S."""
    message = message_of(document)
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
