"""Map Henvisning 2.0 and Epikrise 1.2 messages to the kit's JSON model (referral, epicrisis).

The mapping is normative and documented in ``spec/kith-mapping.md``; this module follows it
table by table. It is lenient by design: it carries values over as they are (a malformed date
stays malformed, so the JSON Schema reports it at the element it came from), derives only what
the documentation says it derives, and leaves out what has no element. Every JSON Pointer it
fills is recorded with the element it came from, so that findings on the JSON carry an XPath and
a line. Values whose validity the JSON rules judge are recorded as *covered*, and the KITH
rules leave those alone.

Henvisning 2.0 and Epikrise 1.2 have no public XSD: the element names come from NHN's display
files (domain reference §9.5, §9.6) and are reliable, their cardinalities are not. Where an
element may repeat, the mapping says which occurrence it takes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Final

from pakkeforlop.codes import VOLVEN_OID_PREFIX, code_system
from pakkeforlop.identifiers import PersonIdType
from pakkeforlop.kith.message import (
    Content,
    Element,
    KithMessage,
    attr,
    child,
    children,
    descendants,
    text,
    xpath_of,
)
from pakkeforlop.kith.namespaces import EPIKRISE_1_2, HENVISNING_2_0
from pakkeforlop.registry import DOCUMENT_SCHEMAS

__all__ = [
    "EPICRISIS_TEXTS",
    "REFERRAL_TEXTS",
    "SUPPLEMENT_MEMBERS",
    "MappedDocument",
    "map_documents",
    "norwegian_offset",
    "to_date",
    "to_datetime",
]

OID_9034: Final = VOLVEN_OID_PREFIX + "9034"
OID_8254: Final = VOLVEN_OID_PREFIX + "8254"
OID_9321: Final = VOLVEN_OID_PREFIX + "9321"
OID_9327: Final = VOLVEN_OID_PREFIX + "9327"
OID_ATC: Final = VOLVEN_OID_PREFIX + "7180"
PSYCHOTROPIC_ATC: Final = ("N05", "N06")

#: Members a manifest entry of kind ``kith-message`` may supply, because the message standard
#: has no element for them (spec/kith-mapping.md, "Facts the message cannot carry").
SUPPLEMENT_MEMBERS: Final[Mapping[str, frozenset[tuple[str, ...]]]] = {
    "referral": frozenset(
        {("reviewedWithPatient",), ("copyToPatient",), ("gpConsulted",), ("acute",)}
    ),
    "epicrisis": frozenset({("pathway",), ("careLevel",), ("followUp", "gpAppointmentOffered")}),
}

#: The rule that claims the schema's finding of a missing pathway in an Epikrise-mapped epicrisis.
EPIKRISE_PATHWAY_RULE: Final = "KITH-017"

#: ReasonAsText in a Henvisning 2.0: (Heading/@V of kodeverk 8231, Heading/@OT label) → member
#: path. ``None`` as label is the heading's primary member, used when OT is absent or unknown.
REFERRAL_TEXTS: Final[Mapping[tuple[str, str | None], tuple[str, ...]]] = {
    ("BG", None): ("content", "reason"),
    ("BUP-HG", None): ("content", "reason"),
    ("PROB", None): ("content", "symptomsAndFunctioning"),
    ("PROB", "pasientens syn og ønske om hjelp"): ("content", "patientView"),
    ("PROB", "mulige utløsende årsaker"): ("content", "triggers"),
    ("PROB", "bruk av rusmidler"): ("content", "substanceUse", "summary"),
    ("HJ", None): ("content", "resources"),
    ("FU", None): ("content", "somaticStatusAndLifestyle"),
    ("FA", None): ("content", "socialAndFamily"),
    ("BUP-BM", None): ("content", "socialAndFamily"),
    ("FO", None): ("content", "previousTreatment"),
    ("UTRED", None): ("content", "expectedBenefit"),
    ("MAAL", None): ("content", "expectedBenefit"),
    ("VU", "risiko for selvskading og selvmord"): ("content", "suicideRisk"),
    ("VU", "risiko for vold"): ("content", "violenceRisk"),
}

#: ReasonAsText in an Epikrise 1.2: (Heading/@V of kodeverk 8311, Heading/@OT label) → member.
EPICRISIS_TEXTS: Final[Mapping[tuple[str, str | None], tuple[str, ...]]] = {
    ("VU", None): ("summary", "assessment"),
    ("VU", "valgt løsning"): ("summary", "chosenSolution"),
    ("FO", None): ("summary", "treatment"),
    ("OP", None): ("followUp", "advice"),
    ("OP", "somatisk helse"): ("followUp", "somaticHealth"),
    ("OP", "levevaner"): ("followUp", "lifestyle"),
    ("OP", "oppfølging i kommunen"): ("municipalFollowUp", "plan"),
    ("OP", "kriseplan"): ("crisisPlan", "summary"),
    ("ME", "videre bruk av psykofarmaka"): ("followUp", "psychotropics", "continuedUse"),
    ("ME", "nedtrapping"): ("followUp", "psychotropics", "tapering"),
    ("ME", "årlig gjennomgang"): ("followUp", "psychotropics", "yearlyReview"),
}

REFERRAL_KINDS: Final[Mapping[str, str]] = {
    "HENVISNING_NYTILSTAND": "new-condition",
    "HENVISNING_VIDERE": "onward",
    "HENVISNING_BUP": "child-adolescent",
}
#: Kodeverk 9147 (TypeDato) → assessment member.
ASSESSMENT_DATES: Final[Mapping[str, str]] = {"1": "received", "2": "assessed", "3": "deadline"}
#: Kodeverk 8406 (Omsorgsniva) → care level.
CARE_LEVELS: Final[Mapping[str, str]] = {"1": "inpatient", "3": "outpatient"}
PERSON_ID_TYPES: Final = frozenset(member.value for member in PersonIdType)

_SPACE = re.compile(r"\s+")
_XS_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:Z|[+-]\d{2}:\d{2})?$")
_XS_DATETIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$"
)


# -- values -----------------------------------------------------------------------------------


def label(value: str | None) -> str | None:
    """An OT label as the tables compare it: NFC, single spaces, no case."""
    if value is None:
        return None
    return _SPACE.sub(" ", unicodedata.normalize("NFC", value)).strip().casefold() or None


def _last_sunday(year: int, month: int) -> date:
    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() + 1) % 7)


def norwegian_offset(moment: datetime) -> str:
    """The UTC offset of Norwegian local time at a naive local ``moment``.

    Norway follows the EU summer-time rules (last Sunday of March 02:00 to last Sunday of
    October 03:00, in force since 1996); in the repeated hour of October, summer time is taken.
    """
    start = datetime.combine(_last_sunday(moment.year, 3), datetime.min.time()).replace(hour=2)
    end = datetime.combine(_last_sunday(moment.year, 10), datetime.min.time()).replace(hour=3)
    return "+02:00" if start <= moment < end else "+01:00"


def to_datetime(value: str | None) -> str | None:
    """An xs:dateTime as RFC 3339: kept as it is with an offset; a local time gets Norway's.

    A value that is not an xs:dateTime is returned unchanged, for the schema to report.
    """
    if value is None:
        return None
    match = _XS_DATETIME.match(value.strip())
    if match is None or match.group(8) is not None:
        return value.strip()
    year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
    try:
        moment = datetime(year, month, day, hour, minute, second)  # a naive local time, on purpose
    except ValueError:
        return value.strip()
    return f"{value.strip()}{norwegian_offset(moment)}"


def to_date(value: str | None) -> str | None:
    """An xs:date (or the date of an xs:dateTime) as ``YYYY-MM-DD``; other text unchanged."""
    if value is None:
        return None
    stripped = value.strip()
    for pattern in (_XS_DATE, _XS_DATETIME):
        match = pattern.match(stripped)
        if match is not None:
            return "-".join(match.groups()[:3])
    return stripped


def pathway_type_of_event_code(code: str | None) -> str | None:
    """The pathway type (kodeverk 9321) a grammatical kodeverk 9327 code starts with, if listed."""
    if code is None or not code_system("9327").matches_grammar(code):
        return None
    return code[:3] if code[:3] in code_system("9321") else None


def _boolean(value: str | None) -> bool | str | None:
    """An xs:boolean as a JSON boolean; other text unchanged (the schema reports it)."""
    if value is None:
        return None
    return {"true": True, "1": True, "false": False, "0": False}.get(value.strip(), value.strip())


def _tele(element: Element | None, scheme: str) -> tuple[Element, str] | None:
    """The first ``TeleAddress`` below ``element`` with this URL scheme (``tel:``, ``mailto:``)."""
    for address in descendants(element, "TeleAddress"):
        value = attr(address, "V")
        if value is not None and value.lower().startswith(scheme):
            return address, value[len(scheme) :].strip()
    return None


# -- the recorder -----------------------------------------------------------------------------


@dataclass(slots=True)
class _Mapper:
    """Builds one JSON document and remembers which element each pointer came from."""

    message: KithMessage
    where: dict[str, Element] = field(default_factory=dict)

    def mark(self, pointer: str, element: Element | None, *covered: str) -> None:
        if element is None:
            return
        self.where.setdefault(pointer, element)
        for attribute in covered:
            self.message.covered.add((element, attribute))

    def put(
        self,
        target: dict[str, Any],
        pointer: str,
        key: str,
        value: Any,
        element: Element | None,
        *covered: str,
    ) -> None:
        if value is None:
            return
        target[key] = value
        self.mark(f"{pointer}/{key}", element, *covered)

    def text_of(
        self, target: dict[str, Any], pointer: str, key: str, element: Element | None
    ) -> None:
        self.put(target, pointer, key, text(element), element, "text")

    # -- shared building blocks --------------------------------------------------------------

    def name(self, person: Element | None, pointer: str) -> dict[str, Any] | None:
        family, given, middle = (
            child(person, n) for n in ("FamilyName", "GivenName", "MiddleName")
        )
        if family is None and given is None:
            return None
        value: dict[str, Any] = {}
        given_names = " ".join(part for part in (text(given), text(middle)) if part)
        self.put(value, pointer, "given", given_names or None, given, "text")
        if middle is not None:
            self.message.covered.add((middle, "text"))
        self.text_of(value, pointer, "family", family)
        self.mark(pointer, person)
        return value

    def idents(self, owner: Element | None) -> dict[str, tuple[Element, Element]]:
        """``{TypeId/@V: (Id, TypeId)}`` of the owner's direct ``Ident`` children (first wins)."""
        found: dict[str, tuple[Element, Element]] = {}
        for ident in children(owner, "Ident"):
            id_element, type_element = child(ident, "Id"), child(ident, "TypeId")
            kind = attr(type_element, "V")
            if id_element is not None and kind is not None and kind not in found:
                found[kind] = (id_element, type_element)
        return found

    def ident_value(
        self, target: dict[str, Any], pointer: str, key: str, found: tuple[Element, Element] | None
    ) -> None:
        if found is None:
            return
        id_element, type_element = found
        self.put(target, pointer, key, text(id_element), id_element, "text")
        self.message.covered.add((type_element, "V"))

    def organisation(self, organisation: Element | None, pointer: str) -> dict[str, Any] | None:
        """A MsgHead ``Organisation`` (with its nested unit) as the JSON ``organisation``."""
        if organisation is None:
            return None
        value: dict[str, Any] = {}
        self.text_of(value, pointer, "name", child(organisation, "OrganisationName"))
        idents = self.idents(organisation)
        self.ident_value(value, pointer, "herId", idents.get("HER"))
        self.ident_value(value, pointer, "orgNumber", idents.get("ENH"))
        self.ident_value(value, pointer, "reshId", idents.get("RSH"))
        unit = child(organisation, "Organisation")
        if unit is not None:
            unit_value: dict[str, Any] = {}
            unit_pointer = f"{pointer}/unit"
            self.text_of(unit_value, unit_pointer, "name", child(unit, "OrganisationName"))
            unit_idents = self.idents(unit)
            self.ident_value(unit_value, unit_pointer, "herId", unit_idents.get("HER"))
            self.ident_value(unit_value, unit_pointer, "reshId", unit_idents.get("RSH"))
            self.put(value, pointer, "unit", unit_value, unit)
        self.mark(pointer, organisation)
        return value

    def professional(self, person: Element | None, pointer: str) -> dict[str, Any] | None:
        """A ``HealthcareProfessional`` as the JSON ``healthcareProfessional``."""
        if person is None:
            return None
        value: dict[str, Any] = {}
        self.put(value, pointer, "name", self.name(person, f"{pointer}/name"), person)
        idents = self.idents(person)
        self.ident_value(value, pointer, "hpr", idents.get("HPR"))
        phone = _tele(person, "tel:")
        if phone is not None:
            self.put(value, pointer, "phone", phone[1], phone[0], "V")
        email = _tele(person, "mailto:")
        if email is not None:
            self.put(value, pointer, "email", email[1], email[0], "V")
        self.ident_value(value, pointer, "herId", idents.get("HER"))
        self.mark(pointer, person)
        return value

    def patient(self, patient: Element | None, pointer: str) -> dict[str, Any] | None:
        """``MsgInfo/Patient``: the first Ident of a kodeverk 8116 person-number type."""
        if patient is None:
            return None
        value: dict[str, Any] = {}
        for kind, (id_element, type_element) in self.idents(patient).items():
            if kind in PERSON_ID_TYPES:
                identifier = {"type": kind, "value": text(id_element) or ""}
                self.put(value, pointer, "identifier", identifier, id_element.getparent())
                self.mark(f"{pointer}/identifier/type", type_element, "V")
                self.mark(f"{pointer}/identifier/value", id_element, "text")
                break
        self.put(value, pointer, "name", self.name(patient, f"{pointer}/name"), patient)
        birth = child(patient, "DateOfBirth")
        self.put(value, pointer, "birthDate", to_date(text(birth)), birth, "text")
        self.mark(pointer, patient)
        return value

    def coded(self, element: Element | None) -> dict[str, Any] | None:
        """A CV as the JSON coded value (``system``, ``code``, ``display``)."""
        if element is None:
            return None
        value: dict[str, Any] = {}
        for key, name in (("system", "S"), ("code", "V"), ("display", "DN")):
            if attr(element, name) is not None:
                value[key] = attr(element, name)
                self.message.covered.add((element, name))
        return value

    def texts(
        self,
        document: dict[str, Any],
        container: Element,
        table: Mapping[tuple[str, str | None], tuple[str, ...]],
    ) -> None:
        """ReasonAsText sections into their members; repeated sections are joined."""
        for section in children(container, "ReasonAsText"):
            heading = child(section, "Heading")
            code = attr(heading, "V")
            if code is None:
                continue
            target = table.get((code, label(attr(heading, "OT")))) or table.get((code, None))
            body = child(section, "TextResultValue")
            content = text(body)
            if target is None or content is None:
                continue
            parent = document
            pointer = ""
            for member in target[:-1]:
                pointer += f"/{member}"
                parent = parent.setdefault(member, {})
                self.mark(pointer, section)
            key = target[-1]
            joined = f"{parent[key]}\n\n{content}" if isinstance(parent.get(key), str) else content
            self.put(parent, pointer, key, joined, section)
            self.message.covered.add((body, "text"))

    def diagnoses(self, container: Element) -> list[dict[str, Any]]:
        """``Diagnosis/Concept``: the first is the main diagnosis, later ones secondary."""
        found = []
        for index, diagnosis in enumerate(children(container, "Diagnosis")):
            concept = child(diagnosis, "Concept")
            value = self.coded(concept) or {}
            value["kind"] = "main" if index == 0 else "secondary"
            self.mark(f"/diagnoses/{index}", diagnosis)
            for key, name in (("system", "S"), ("code", "V"), ("display", "DN")):
                self.mark(f"/diagnoses/{index}/{key}", concept, name)
            found.append(value)
        return found

    def medication(self, container: Element, updated: tuple[str | None, Element | None]) -> Any:
        """``Medication`` elements as the medication list, dated by ``updated``."""
        items = []
        for index, medication in enumerate(children(container, "Medication")):
            pointer = f"/medication/items/{index}"
            item: dict[str, Any] = {}
            drug = child(medication, "DrugId")
            name = attr(drug, "DN") or text(drug) or attr(drug, "V")
            self.put(item, pointer, "name", name, drug, "DN")
            if attr(drug, "S") == OID_ATC and attr(drug, "V") is not None:
                atc = attr(drug, "V") or ""
                self.put(item, pointer, "atcCode", atc, drug, "V", "S")
                item["psychotropic"] = atc.startswith(PSYCHOTROPIC_ATC)
                self.mark(f"{pointer}/psychotropic", drug)
            self.text_of(item, pointer, "dosage", child(medication, "DosageText"))
            status = child(medication, "Status")
            self.put(item, pointer, "use", self.coded(status), status)
            self.mark(pointer, medication)
            items.append(item)
        if not items:
            return None
        value: dict[str, Any] = {}
        self.put(value, "/medication", "updated", updated[0], updated[1])
        value["items"] = items
        self.mark("/medication/items", container)
        return value

    def finish(
        self, kind: str, value: dict[str, Any], content: Content, claims: Mapping[str, str]
    ) -> MappedDocument:
        self.where.setdefault("", content.element)
        locations = {
            pointer: (xpath_of(element), element.sourceline)
            for pointer, element in self.where.items()
        }
        return MappedDocument(kind, value, locations, content, dict(claims))


@dataclass(frozen=True, slots=True)
class MappedDocument:
    """A referral or epicrisis read from a KITH message, with where each value came from."""

    kind: str
    value: dict[str, Any]
    locations: Mapping[str, tuple[str, int | None]]
    content: Content
    schema_claims: Mapping[str, str] = field(default_factory=dict)

    def locate(self, pointer: str) -> tuple[str | None, int | None]:
        """``(xpath, line)`` of the element a pointer's value came from (or its nearest parent)."""
        current = pointer
        while True:
            if current in self.locations:
                return self.locations[current]
            if not current:
                return None, None
            current = current.rsplit("/", 1)[0]


def _supplement(value: dict[str, Any], supplement: Mapping[str, Any] | None) -> None:
    """Merge the manifest's supplement (the members the standards have no element for).

    Every member the manifest schema allows is merged, whatever the document: one that does
    not belong to this kind of document (a pathway for a referral) breaks its schema and is
    reported there, rather than silently dropped.
    """
    for path in sorted(set().union(*SUPPLEMENT_MEMBERS.values())):
        source: Any = supplement or {}
        for key in path:
            source = source.get(key) if isinstance(source, dict) else None
        if source is None:
            continue
        target = value
        for key in path[:-1]:
            if not isinstance(target.get(key), dict):
                target[key] = {}
            target = target[key]
        target.setdefault(path[-1], source)


# -- Henvisning 2.0 ---------------------------------------------------------------------------


def map_referral(
    message: KithMessage, content: Content, supplement: Mapping[str, Any] | None = None
) -> MappedDocument:
    """A Henvisning 2.0 (with its MsgHead) as a referral; spec/kith-mapping.md, table 1."""
    m = _Mapper(message)
    referral = content.element
    info = message.msg_info
    value: dict[str, Any] = {"$schema": DOCUMENT_SCHEMAS["referral"]}
    _referral_head(m, value, content)
    m.put(
        value,
        "",
        "sender",
        _sender(m, child(info, "Sender", "Organisation")),
        child(info, "Sender"),
    )
    receiver = m.organisation(child(info, "Receiver", "Organisation"), "/receiver/organisation")
    if receiver is not None:
        m.put(value, "", "receiver", {"organisation": receiver}, child(info, "Receiver"))
    patient = child(info, "Patient")
    m.put(value, "", "patient", m.patient(patient, "/patient"), patient)
    _pathway_marking(m, value, child(referral, "Pakkeforlop", "Pakkeforlopskode"))
    forlop = child(referral, "ForlopsId")
    m.put(value, "", "pathwayInstanceId", text(forlop), forlop, "text")
    contact = child(referral, "KontaktpersonHelsepersonell")
    m.put(value, "", "municipalCoordinator", _contact(m, contact), contact)
    plan = child(referral, "OpplysningerOmIndividuellPlan")
    m.put(value, "", "individualPlan", _individual_plan(m, plan), plan)
    m.texts(value, referral, REFERRAL_TEXTS)
    _previous_illness(m, value, referral)
    diagnoses = m.diagnoses(referral)
    if diagnoses:
        m.put(value, "", "diagnoses", diagnoses, referral)
    reconciled = child(referral, "Legemiddelgjennomgang", "DatoSamstemming")
    medication = m.medication(referral, (to_date(text(reconciled)), reconciled))
    if reconciled is not None:
        message.covered.add((reconciled, "text"))
    m.put(value, "", "medication", medication, referral)
    assessment = child(referral, "VurderingAvHenvisning")
    m.put(value, "", "assessment", _assessment(m, assessment), assessment)
    _supplement(value, supplement)
    return m.finish("referral", value, content, {})


def _referral_head(m: _Mapper, value: dict[str, Any], content: Content) -> None:
    """``id`` (MsgId), ``issued`` (RefDoc/IssueDate, else GenDate) and ``kind`` (MsgInfo/Type)."""
    info = m.message.msg_info
    msg_id = child(info, "MsgId")
    m.put(value, "", "id", text(msg_id), msg_id, "text")
    issue = child(content.refdoc, "IssueDate")
    issued = attr(issue, "V")
    if issued is not None and "T" in issued:
        m.put(value, "", "issued", to_datetime(issued), issue, "V")
    else:
        generated = child(info, "GenDate")
        m.put(value, "", "issued", to_datetime(text(generated)), generated, "text")
    message_type = m.message.message_type
    m.put(value, "", "kind", REFERRAL_KINDS.get(attr(message_type, "V") or ""), message_type)


def _sender(m: _Mapper, organisation: Element | None) -> dict[str, Any]:
    """The referring professional, the organisation, its phone, and whether the referrer is GP."""
    sender: dict[str, Any] = {}
    referrer = _professional_in(organisation)
    m.put(sender, "/sender", "referrer", m.professional(referrer, "/sender/referrer"), referrer)
    m.put(
        sender,
        "/sender",
        "organisation",
        m.organisation(organisation, "/sender/organisation"),
        organisation,
    )
    phone = _tele(_own_telecom(organisation), "tel:")
    if phone is not None:
        m.put(sender, "/sender", "phone", phone[1], phone[0], "V")
    role = child(referrer, "RoleToPatient")
    if role is not None:
        is_gp = attr(role, "S") == OID_9034 and attr(role, "V") == "6"
        m.put(sender, "/sender", "referrerIsGp", is_gp, role)
    return sender


def _pathway_marking(m: _Mapper, value: dict[str, Any], code: Element | None) -> None:
    """Pakkeforlopskode as ``targetPathway``: a 9321 code as it is, a 9327 code by its prefix."""
    if attr(code, "S") == OID_9321:
        m.put(value, "", "targetPathway", m.coded(code), code)
        for key, name in (("system", "S"), ("code", "V"), ("display", "DN")):
            m.mark(f"/targetPathway/{key}", code, name)
    elif attr(code, "S") == OID_9327:
        pathway_type = pathway_type_of_event_code(attr(code, "V"))
        if pathway_type is not None:  # derived: the prefix of a 9327 code is its pathway type
            m.put(value, "", "targetPathway", {"system": OID_9321, "code": pathway_type}, code)


def _individual_plan(m: _Mapper, plan: Element | None) -> dict[str, Any] | None:
    if plan is None:
        return None
    value: dict[str, Any] = {}
    for key, name in (
        ("exists", "IndividuellPlanForeligger"),
        ("coordinatorAppointed", "KoordinatorOppnevnt"),
    ):
        element = child(plan, name)
        m.put(value, "/individualPlan", key, _boolean(text(element)), element, "text")
    return value


def _previous_illness(m: _Mapper, value: dict[str, Any], referral: Element) -> None:
    """The first ``InfItem`` of type ANAM (kodeverk 8233) as ``content.previousIllness``."""
    for item in children(referral, "InfItem"):
        if attr(child(item, "Type"), "V") == "ANAM":
            described = child(item, "Observation", "Description")
            if text(described) is not None:
                m.mark("/content", item)
                m.text_of(value.setdefault("content", {}), "/content", "previousIllness", described)
            return


def _own_telecom(organisation: Element | None) -> Element | None:
    """A wrapper holding only the organisation's own TeleCom (not its people's or units')."""
    telecoms = children(organisation, "TeleCom")
    return telecoms[0] if telecoms else None


def _professional_in(organisation: Element | None) -> Element | None:
    """The HealthcareProfessional of an organisation, or of its nested unit."""
    found = child(organisation, "HealthcareProfessional")
    if found is None:
        found = child(organisation, "Organisation", "HealthcareProfessional")
    return found


def _contact(m: _Mapper, contact: Element | None) -> dict[str, Any] | None:
    """KontaktpersonHelsepersonell as the municipal coordinator (a convention, ❓)."""
    if contact is None:
        return None
    value: dict[str, Any] = {}
    people = descendants(contact, "FamilyName")
    person = people[0].getparent() if people else contact
    m.put(
        value, "/municipalCoordinator", "name", m.name(person, "/municipalCoordinator/name"), person
    )
    phone = _tele(contact, "tel:")
    if phone is not None:
        m.put(value, "/municipalCoordinator", "phone", phone[1], phone[0], "V")
    email = _tele(contact, "mailto:")
    if email is not None:
        m.put(value, "/municipalCoordinator", "email", email[1], email[0], "V")
    names = descendants(contact, "OrganisationName")
    if names:
        m.text_of(value, "/municipalCoordinator", "organisation", names[0])
    for ident in descendants(contact, "Ident"):
        if attr(child(ident, "TypeId"), "V") == "HER":
            found = (child(ident, "Id"), child(ident, "TypeId"))
            m.ident_value(value, "/municipalCoordinator", "herId", found)
            break
    return value


def _assessment(m: _Mapper, assessment: Element | None) -> dict[str, Any] | None:
    if assessment is None:
        return None
    value: dict[str, Any] = {}
    for dated in children(assessment, "DatoMottakOgVurdering"):
        member = ASSESSMENT_DATES.get(attr(child(dated, "TypeDato"), "V") or "")
        day = child(dated, "Dato")
        raw = text(day) if day is not None else attr(dated, "V")
        if member is not None and raw is not None and member not in value:
            m.put(
                value,
                "/assessment",
                member,
                to_date(raw),
                day if day is not None else dated,
                "text" if day is not None else "V",
            )
    right = child(assessment, "RettTilHelsehjelp")
    m.put(value, "/assessment", "rightToHealthcare", _boolean(text(right)), right, "text")
    level = child(assessment, "Omsorgsniva")
    m.put(value, "/assessment", "careLevel", CARE_LEVELS.get(attr(level, "V") or ""), level)
    return value or None


# -- Epikrise 1.2 -----------------------------------------------------------------------------


def map_epicrisis(
    message: KithMessage, content: Content, supplement: Mapping[str, Any] | None = None
) -> MappedDocument:
    """An Epikrise 1.2 (with its MsgHead) as an epicrisis; spec/kith-mapping.md, table 2."""
    m = _Mapper(message)
    report = child(content.element, "ServRprt")
    info = message.msg_info
    value: dict[str, Any] = {"$schema": DOCUMENT_SCHEMAS["epicrisis"]}
    msg_id = child(info, "MsgId")
    m.put(value, "", "id", text(msg_id), msg_id, "text")
    sender_organisation = child(info, "Sender", "Organisation")
    author = _professional_in(sender_organisation)
    m.put(value, "", "author", m.professional(author, "/author"), author)
    m.put(
        value,
        "",
        "institution",
        m.organisation(sender_organisation, "/institution"),
        sender_organisation,
    )
    recipients = _recipients(m, info, report)
    if recipients:
        m.put(value, "", "recipients", recipients, child(info, "Receiver"))
    m.put(
        value, "", "patient", m.patient(child(info, "Patient"), "/patient"), child(info, "Patient")
    )
    event = child(report, "Event")
    if event is not None:
        period: dict[str, Any] = {}
        start, end = child(event, "StartDateTime"), child(event, "EndDateTime")
        m.put(period, "/period", "start", to_date(attr(start, "V")), start, "V")
        m.put(period, "/period", "end", to_date(attr(end, "V")), end, "V")
        m.put(value, "", "period", period, event)
    if report is not None:
        diagnoses = m.diagnoses(report)
        if diagnoses:
            m.put(value, "", "diagnoses", diagnoses, report)
        m.texts(value, report, EPICRISIS_TEXTS)
        if "crisisPlan" in value:
            value["crisisPlan"] = {"exists": True, **value["crisisPlan"]}
    issue = child(report, "IssueDate")
    sent = to_date(attr(issue, "V") or text(issue))
    medication = m.medication(report, (sent, issue)) if report is not None else None
    m.put(value, "", "medication", medication, report)
    m.put(value, "", "sent", sent, issue, "V", "text")
    _supplement(value, supplement)
    return m.finish("epicrisis", value, content, {"/pathway": EPIKRISE_PATHWAY_RULE})


def _role(person: Element | None) -> str:
    """A recipient's role from its RoleToPatient (spec/kith-mapping.md, recipients)."""
    role = child(person, "RoleToPatient")
    system, code = attr(role, "S"), attr(role, "V")
    if (system, code) in {(OID_9034, "6"), (OID_8254, "FLE")}:
        return "gp"
    if (system, code) == (OID_8254, "HHE"):
        return "referrer"
    return "follow-up"


def _her_ids(element: Element | None) -> set[str]:
    """Every HER-id in an element (MsgHead ``Ident`` or KITH v1 ``Id`` + ``TypeId``)."""
    found = set()
    for candidate in [element, *(element.iterdescendants() if element is not None else ())]:
        type_id = child(candidate, "TypeId")
        identifier = child(candidate, "Id")
        if attr(type_id, "V") == "HER" and text(identifier):
            found.add(text(identifier) or "")
    return found


def _recipients(m: _Mapper, info: Element | None, report: Element | None) -> list[dict[str, Any]]:
    """Receiver and each OtherReceiver with an Organisation; the Requester adds ``referrer``."""
    parties = [child(info, "Receiver"), *children(info, "OtherReceiver")]
    requester = _her_ids(child(report, "Requester"))
    found: list[dict[str, Any]] = []
    for party in parties:
        organisation = child(party, "Organisation")
        if organisation is None:
            continue
        person = _professional_in(organisation)
        roles = [_role(person)]
        if roles[0] != "referrer" and requester & _her_ids(organisation):
            roles.append("referrer")
        for role in roles:
            pointer = f"/recipients/{len(found)}"
            entry: dict[str, Any] = {"role": role}
            role_element = child(person, "RoleToPatient")
            m.mark(f"{pointer}/role", role_element if role_element is not None else party)
            m.put(
                entry,
                pointer,
                "professional",
                m.professional(person, f"{pointer}/professional"),
                person,
            )
            m.put(
                entry,
                pointer,
                "organisation",
                m.organisation(organisation, f"{pointer}/organisation"),
                organisation,
            )
            m.mark(pointer, party)
            found.append(entry)
    return found


def map_documents(
    message: KithMessage, supplement: Mapping[str, Any] | None = None
) -> list[MappedDocument]:
    """Every Henvisning 2.0 and Epikrise 1.2 in the message, mapped."""
    if not message.is_msghead:
        return []
    mapped = []
    for content in message.contents:
        standard = content.standard
        if standard is not None and standard.namespace == HENVISNING_2_0:
            mapped.append(map_referral(message, content, supplement))
        elif standard is not None and standard.namespace == EPIKRISE_1_2:
            mapped.append(map_epicrisis(message, content, supplement))
    return mapped
