"""Map a Dialogmelding "Status på henvisning" to the feedback of the JSON model.

Feedback to the referrer and the GP travels in practice as a Dialogmelding (1.0 or 1.1) in a
MsgHead whose message type is ``DIALOG_STATUS_HENVISNING``: the referral's status as a code of
kodeverk 9148 in ``Notat/TemaKodet`` and the feedback as free text in
``Notat/TekstNotatInnhold`` (NHN's example "Status på henvisning", the patient called in after
an onward referral). The mapping (``spec/kith-mapping.md``, table 3):

* ``occasion``: ``rejection`` for 9148 code 4 (the referral is rejected), ``referral-assessed``
  for codes 1 to 3 (called in, right granted with a time to come, forwarded); a message with
  another theme is not mapped, since what it feeds back is unknown;
* ``id``: ``MsgInfo/MsgId``; ``sent``: the date of ``MsgInfo/GenDate``;
* ``sender``: ``MsgInfo/Sender/Organisation``, with the note's health professional
  (``RollerRelatertNotat/HealthcareProfessional``) as the professional;
* ``recipients``: ``MsgInfo/Receiver`` as the referrer (a status goes to whoever referred),
  each ``OtherReceiver`` as the GP when its professional's role is Fastlege (kodeverk 9034
  code 6 or 8254 FLE), else as other;
* ``patient``: ``MsgInfo/Patient``; ``text``: the note's text;
* ``pathway``: the manifest entry's ``supplement.pathway`` (a Dialogmelding has no pathway
  element), so that the feedback joins its instance's measurement points.

The note is one text: whether it gives the assessment of further needs or the reason for a
rejection cannot be read, so the rules that look for those members leave text-only feedback
alone (FEEDBACK-001, FEEDBACK-002).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from pakkeforlop.codes import VOLVEN_OID_PREFIX
from pakkeforlop.kith.mapping import (
    OID_8254,
    OID_9034,
    MappedDocument,
    _Mapper,
    _professional_in,
    to_date,
)
from pakkeforlop.kith.mapping import map_documents as map_referrals_and_epicrises
from pakkeforlop.kith.message import Content, Element, KithMessage, attr, child, children, text
from pakkeforlop.kith.namespaces import DIALOG_1_0, DIALOG_1_1
from pakkeforlop.registry import DOCUMENT_SCHEMAS

#: The MsgHead message type of a status on a referral (kodeverk 8279).
STATUS_ON_REFERRAL: Final = "DIALOG_STATUS_HENVISNING"
OID_9148: Final = VOLVEN_OID_PREFIX + "9148"
#: Kodeverk 9148 (status on a referral) → the feedback's occasion.
OCCASIONS: Final[Mapping[str, str]] = {
    "1": "referral-assessed",
    "2": "referral-assessed",
    "3": "referral-assessed",
    "4": "rejection",
}
GP_ROLES: Final = frozenset({(OID_9034, "6"), (OID_8254, "FLE")})


def _occasion(theme: Element | None) -> str | None:
    if attr(theme, "S") != OID_9148:
        return None
    return OCCASIONS.get(attr(theme, "V") or "")


def _recipient_role(organisation: Element | None) -> str:
    role = child(_professional_in(organisation), "RoleToPatient")
    return "gp" if (attr(role, "S"), attr(role, "V")) in GP_ROLES else "other"


def _recipients(m: _Mapper, info: Element | None) -> list[dict[str, Any]]:
    parties = [("referrer", child(info, "Receiver"))]
    parties += [("", party) for party in children(info, "OtherReceiver")]
    found: list[dict[str, Any]] = []
    for role, party in parties:
        organisation = child(party, "Organisation")
        if organisation is None:
            continue
        pointer = f"/recipients/{len(found)}"
        entry: dict[str, Any] = {"role": role or _recipient_role(organisation)}
        person = _professional_in(organisation)
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


def map_feedback(
    message: KithMessage, content: Content, supplement: Mapping[str, Any] | None = None
) -> MappedDocument | None:
    """A Dialogmelding "Status på henvisning" as a feedback; ``None`` for other dialogue
    messages, and for a status whose theme is not a code of kodeverk 9148."""
    note = child(content.element, "Notat")
    theme = child(note, "TemaKodet")
    occasion = _occasion(theme)
    if attr(message.message_type, "V") != STATUS_ON_REFERRAL or occasion is None:
        return None
    m = _Mapper(message)
    info = message.msg_info
    value: dict[str, Any] = {"$schema": DOCUMENT_SCHEMAS["feedback"]}
    msg_id = child(info, "MsgId")
    m.put(value, "", "id", text(msg_id), msg_id, "text")
    m.put(value, "", "occasion", occasion, theme)
    generated = child(info, "GenDate")
    m.put(value, "", "sent", to_date(text(generated)), generated, "text")
    sender_organisation = child(info, "Sender", "Organisation")
    sender: dict[str, Any] = {}
    m.put(
        sender,
        "/sender",
        "organisation",
        m.organisation(sender_organisation, "/sender/organisation"),
        sender_organisation,
    )
    contact = child(note, "RollerRelatertNotat", "HealthcareProfessional")
    m.put(
        sender, "/sender", "professional", m.professional(contact, "/sender/professional"), contact
    )
    m.put(value, "", "sender", sender, sender_organisation)
    recipients = _recipients(m, info)
    if recipients:
        m.put(value, "", "recipients", recipients, child(info, "Receiver"))
    patient = child(info, "Patient")
    m.put(value, "", "patient", m.patient(patient, "/patient"), patient)
    m.text_of(value, "", "text", child(note, "TekstNotatInnhold"))
    pathway = (supplement or {}).get("pathway")
    if isinstance(pathway, dict):
        value["pathway"] = pathway
    return m.finish("feedback", value, content, {})


def map_documents(
    message: KithMessage, supplement: Mapping[str, Any] | None = None
) -> list[MappedDocument]:
    """Every document of the JSON model in the message: the referrals and epicrises of
    :func:`pakkeforlop.kith.mapping.map_documents`, then the feedback of each Dialogmelding
    "Status på henvisning"."""
    mapped = map_referrals_and_epicrises(message, supplement)
    if not message.is_msghead:
        return mapped
    for content in message.contents:
        standard = content.standard
        if standard is not None and standard.namespace in {DIALOG_1_0, DIALOG_1_1}:
            found = map_feedback(message, content, supplement)
            if found is not None:
                mapped.append(found)
    return mapped
