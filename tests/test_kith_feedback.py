"""A Dialogmelding "Status på henvisning" read as the feedback of the JSON model
(spec/kith/dialogmelding.toml, spec/kith-mapping.md table 4), and when the pathway rules
check it (spec/kith-mapping.md, "Scope")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

from pakkeforlop.data.catalogue import Severity
from pakkeforlop.engine import check_export, check_file
from pakkeforlop.kith import MappedDocument, map_contents, map_documents, parse_xml, read_message
from pakkeforlop.kith.scope import DECLARED

from .conftest import shared_file

STATUS = (
    "sarepta-standarder",
    "dialogmelding",
    "Status_paa_henvisning-InnkaltEtterViderehenvisning.xml",
)
DIALOG_1_1 = b"http://www.kith.no/xmlstds/dialog/2013-01-23"
DIALOG_1_0 = b"http://www.kith.no/xmlstds/dialog/2006-10-11"
#: The sending unit renamed as a PHV service (the official example is an orthopaedic one).
PHV_UNIT = (b"Ortopedisk kirurgi", b"Distriktspsykiatrisk senter")
REJECTED = (b'<TemaKodet V="1"', b'<TemaKodet V="4"')
GP_ROLE = b'<RoleToPatient DN="Fastlege" V="6" S="2.16.578.1.12.4.1.1.9034"/>'
PATHWAY = {
    "instanceId": "EKS-D11-2018-0001",
    "type": {"system": "2.16.578.1.12.4.1.1.9321", "code": "D11"},
}


def _status(*edits: tuple[bytes, bytes]) -> bytes:
    data = shared_file("samples", *STATUS).read_bytes()
    for old, new in edits:
        assert old in data, old
        data = data.replace(old, new)
    return data


def _message(data: bytes):
    return read_message(parse_xml(data).tree, "status.xml")


def _mapped(data: bytes, supplement: dict | None = None) -> MappedDocument:
    documents = map_contents(_message(data), supplement)
    assert [document.kind for document in documents] == ["feedback"]
    return documents[0]


def test_the_official_status_on_referral_maps_to_a_feedback():
    value = _mapped(_status()).value
    assert value["occasion"] == "referral-assessed"  # kodeverk 9148 code 1: called in
    assert value["id"] == "797700e0-2d17-11e8-b566-0800200c9a66"
    assert value["sent"] == "2018-01-19"
    assert value["sender"]["organisation"] == {
        "name": "ST OLAVS HOSPITAL HF",
        "herId": "59",
        "unit": {"name": "Ortopedisk kirurgi", "herId": "90998"},
    }
    assert value["sender"]["professional"] == {
        "name": {"given": "May", "family": "Jones"},
        "hpr": "258521",
        "phone": "12345678",
    }
    assert [entry["role"] for entry in value["recipients"]] == ["referrer", "gp"]
    assert value["recipients"][0]["organisation"]["herId"] == "62"
    assert value["recipients"][1]["professional"]["name"] == {"given": "Rita", "family": "Lin"}
    assert value["patient"]["identifier"] == {"type": "FNR", "value": "13116900216"}
    lines = value["text"].splitlines()
    assert lines[0].startswith("Henvisningen er mottatt")
    assert "Tid: 05.02.2018, klokken 11:00" in lines  # one line per line, stripped
    assert "" not in lines
    assert "pathway" not in value


def test_every_member_points_at_the_element_it_came_from():
    document = _mapped(_status())
    content = "/mh:MsgHead/mh:Document/mh:RefDoc/mh:Content/dia:Dialogmelding"
    assert document.locate("/occasion") == (f"{content}/dia:Notat/dia:TemaKodet", 89)
    assert document.locate("/id") == ("/mh:MsgHead/mh:MsgInfo/mh:MsgId", 11)
    assert document.locate("/recipients/1/role") == ("/mh:MsgHead/mh:MsgInfo/mh:OtherReceiver", 51)
    professional = f"{content}/dia:Notat/dia:RollerRelatertNotat/dia:HealthcareProfessional"
    assert document.locate("/sender/professional/hpr") == (f"{professional}/dia:Ident/fk1:Id", 108)


def test_a_dialogmelding_1_0_maps_the_same_with_its_own_namespace():
    document = _mapped(_status((DIALOG_1_1, DIALOG_1_0)))
    assert document.value == _mapped(_status()).value
    assert document.content.standard is not None
    assert document.content.standard.label == "Dialogmelding 1.0"
    xpath, _ = document.locate("/text")
    assert xpath is not None
    assert xpath.endswith("dia10:Dialogmelding/dia10:Notat/dia10:TekstNotatInnhold")


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (GP_ROLE, "gp"),
        (b'<RoleToPatient V="FLE" S="2.16.578.1.12.4.1.1.8254"/>', "gp"),
        (b'<RoleToPatient V="6"/>', "gp"),  # no S: 6 of kodeverk 9034, as the referral reads it
        (b'<RoleToPatient V="21" S="2.16.578.1.12.4.1.1.9034"/>', "other"),
        (b'<RoleToPatient V="6" S="2.16.578.1.12.4.1.1.8254"/>', "other"),  # not 8254's code
        (b"", "other"),
    ],
)
def test_an_other_receiver_is_the_gp_only_when_its_professional_is_the_fastlege(role, expected):
    value = _mapped(_status((GP_ROLE, role))).value
    assert [entry["role"] for entry in value["recipients"]] == ["referrer", expected]


def test_an_other_receiver_that_is_the_patient_or_a_bare_professional():
    patient = (
        b"<OtherReceiver><RoleReceiver V='COP'/>"
        b"<Patient><FamilyName>Danser</FamilyName></Patient></OtherReceiver>"
    )
    professional = (
        b"<OtherReceiver><RoleReceiver V='COP'/><HealthcareProfessional>"
        + GP_ROLE
        + b"<FamilyName>Lege</FamilyName><Ident><Id>9</Id><TypeId V='HPR'/></Ident>"
        b"</HealthcareProfessional></OtherReceiver>"
    )
    value = _mapped(_status((b"<Patient>", patient + professional + b"<Patient>"))).value
    assert [entry["role"] for entry in value["recipients"]] == ["referrer", "gp", "patient", "gp"]
    assert value["recipients"][2] == {"role": "patient"}
    assert value["recipients"][3]["professional"] == {"name": {"family": "Lege"}, "hpr": "9"}


def test_a_rejected_referral_maps_to_a_rejection_joined_by_the_supplement():
    message = _message(_status(REJECTED))
    (document,) = map_documents(message, {"pathway": PATHWAY})
    assert document.kind == "feedback"
    assert document.value["occasion"] == "rejection"
    assert document.value["pathway"] == PATHWAY
    assert document.scope.applies
    assert document.scope.reason == DECLARED


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b'V="DIALOG_STATUS_HENVISNING"', b'V="DIALOG_NOTAT"'),  # another dialogue message
        (b'<TemaKodet V="1"', b'<TemaKodet V="9"'),  # a theme 9148 does not have
        (b'S="2.16.578.1.12.4.1.1.9148"', b'S="2.16.578.1.12.4.1.1.8445"'),  # another list
    ],
)
def test_other_dialogue_messages_are_not_mapped(old: bytes, new: bytes):
    message = _message(_status((old, new), PHV_UNIT))
    assert map_contents(message, {}) == []
    assert map_documents(message, {}) == []
    assert message.scopes == []  # nothing mapped: KITH-023 has nothing to say


def test_a_dialogmelding_without_its_msghead_is_not_mapped():
    tree = etree.fromstring(_status())
    (dialog,) = tree.iter(f"{{{DIALOG_1_1.decode()}}}Dialogmelding")
    message = _message(etree.tostring(dialog))
    assert message.bare
    assert map_contents(message, {}) == []  # no message type: not known to be a status


def test_a_status_is_in_scope_when_its_sender_is_a_phv_tsb_service():
    official = _mapped(_status())
    assert not official.scope.applies  # an orthopaedic department
    assert "sender is not named as a PHV/TSB service" in official.scope.reason
    phv = _mapped(_status(PHV_UNIT))
    assert phv.scope.applies
    assert phv.scope.reason == "its sender is named as a PHV/TSB service (distriktspsykiatrisk)"


def _checked_alone(tmp_path: Path, data: bytes):
    path = tmp_path / "status.xml"
    path.write_bytes(data)
    return check_file(path, display="status.xml")


def test_the_official_status_checked_on_its_own_is_left_to_the_kith_rules(tmp_path: Path):
    result = _checked_alone(tmp_path, _status())
    assert "feedback" not in result.kinds_seen
    found = [(f.rule, f.severity, f.line) for f in result.findings]
    assert ("KITH-023", Severity.INFO, 87) in found  # says why the pathway rules did not apply
    assert not [f for f in result.findings if f.rule.startswith(("FEEDBACK", "SCHEMA"))]


def test_a_phv_status_checked_on_its_own_gives_no_feedback_error(tmp_path: Path):
    result = _checked_alone(tmp_path, _status(PHV_UNIT))
    assert "feedback" in result.kinds_seen
    pathway = [f for f in result.findings if f.rule.startswith(("FEEDBACK", "SCHEMA", "KITH-023"))]
    assert pathway == []


def _export(tmp_path: Path, data: bytes) -> list:
    root = tmp_path / "export"
    root.mkdir()
    (root / "status.xml").write_bytes(data)
    manifest = {
        "$schema": "https://schemas.pakkeforlop.no/v1/export-manifest.schema.json",
        "specVersion": "1.0.0",
        "producer": {"system": "test", "version": "1"},
        "created": "2018-01-20T08:00:00+01:00",
        "environment": "test",
        "period": {"from": "2018-01-01", "to": "2018-01-19"},
        "files": [{"path": "status.xml", "kind": "kith-message"}],
    }
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return check_export(root, display_root="").findings


def test_a_text_only_rejection_is_not_held_to_structured_members(tmp_path: Path):
    findings = _export(tmp_path, _status(REJECTED))
    assert not [f for f in findings if f.rule.startswith(("FEEDBACK", "SCHEMA-005", "KITH-023"))]


def test_a_rejection_without_text_must_give_the_assessment_of_further_needs(tmp_path: Path):
    data = _status(REJECTED)
    start, end = data.index(b"<TekstNotatInnhold>"), data.index(b"</TekstNotatInnhold>")
    data = data[:start] + data[end + len(b"</TekstNotatInnhold>") :]
    found = [(f.rule, f.severity) for f in _export(tmp_path, data) if f.rule.startswith("FEEDBACK")]
    assert sorted(found) == [("FEEDBACK-001", Severity.ERROR), ("FEEDBACK-002", Severity.WARNING)]
