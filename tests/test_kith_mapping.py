"""The mapping of Henvisning 2.0 and Epikrise 1.2 to the JSON model (spec/kith-mapping.md).

Each test edits the bundled examples (which follow the official XSDs) and checks one row or
rule of the mapping; the review of the kit against the official examples
(shared/reference/review-kith-real-messages.md, §3.1 and §3.2) named the readings tested here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pakkeforlop.data.catalogue import Severity
from pakkeforlop.data.schemas import validator
from pakkeforlop.engine import check_export, check_file
from pakkeforlop.kith import map_contents, map_documents, parse_xml, read_message
from pakkeforlop.kith.convert import to_date, to_datetime

from .conftest import EXAMPLES

VALID = EXAMPLES / "valid" / "kith-d11-phv-adults"
HENVISNING = (VALID / "henvisning.xml").read_text(encoding="utf-8")
EPIKRISE = (VALID / "epikrise.xml").read_text(encoding="utf-8")
#: The calendar's limits, as issue 13 lists them.
EXTREME = [
    "0001-01-01T00:00:00+02:00",
    "9999-12-31T23:59:59Z",
    "9999-12-31T23:59:59-14:00",
    "0001-01-01",
]


def _message(text: str) -> object:
    return read_message(parse_xml(text.encode()).tree, "message.xml")


def _mapped(text: str, supplement: dict | None = None) -> dict:
    (document,) = map_contents(_message(text), supplement)
    return document.value


def _edited(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def _out_of_scope(text: str) -> str:
    """The bundled referral without its pathway code and with a somatic receiver."""
    text = _edited(text, 'S="2.16.578.1.12.4.1.1.9321"', 'S="2.16.578.1.12.4.1.1.8480"')
    return _edited(text, "DPS Testvik, allmennpsykiatrisk poliklinikk", "Ortopedisk poliklinikk")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-01-13T09:50:00", "2025-01-13T09:50:00+01:00"),  # winter: CET
        ("2025-06-23T15:10:00", "2025-06-23T15:10:00+02:00"),  # summer: CEST
        ("2025-03-30T01:59:59", "2025-03-30T01:59:59+01:00"),  # before the change in March
        ("2025-03-30T03:00:00", "2025-03-30T03:00:00+02:00"),  # after it
        ("2025-10-26T02:30:00", "2025-10-26T02:30:00+02:00"),  # the repeated hour: summer time
        ("2025-10-26T03:00:00", "2025-10-26T03:00:00+01:00"),
        ("2025-01-13T09:50:00.25", "2025-01-13T09:50:00.25+01:00"),
        ("2025-01-13T09:50:00Z", "2025-01-13T09:50:00Z"),  # an offset is kept
        ("2025-01-13T09:50:00+05:00", "2025-01-13T09:50:00+05:00"),
        ("0001-01-01T00:00:00", "0001-01-01T00:00:00+01:00"),
        ("9999-12-31T23:59:59", "9999-12-31T23:59:59+01:00"),
        ("0001-01-01T00:00:00+02:00", "0001-01-01T00:00:00+02:00"),
        ("9999-12-31T23:59:59-14:00", "9999-12-31T23:59:59-14:00"),
        ("10000-01-01T00:00:00", "10000-01-01T00:00:00"),  # no RFC 3339 form: for the schema
        ("2025-01-14T24:00:00", "2025-01-14T24:00:00"),
        ("2025-02-30T09:50:00", "2025-02-30T09:50:00"),  # not a date: left for the schema
        ("2025-01-13T09:50:00+14:30", "2025-01-13T09:50:00+14:30"),
        ("13.01.2025 09:50", "13.01.2025 09:50"),
    ],
)
def test_local_times_get_the_norwegian_offset_of_their_date(value, expected):
    assert to_datetime(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-01-14", "2025-01-14"),
        ("2025-01-14+01:00", "2025-01-14"),
        ("2025-06-23T10:00:00", "2025-06-23"),
        (" 2025-01-14 ", "2025-01-14"),
        ("0001-01-01", "0001-01-01"),
        ("9999-12-31T23:59:59-14:00", "9999-12-31"),
        ("0001-01-01T00:00:00+02:00", "0001-01-01"),
        ("1991-12-4", "1991-12-4"),  # not an xs:date: left for the schema to report
        ("2025-02-29", "2025-02-29"),
    ],
)
def test_dates_are_taken_as_they_are_or_from_a_date_time(value, expected):
    assert to_date(value) == expected


@pytest.mark.parametrize("value", EXTREME)
def test_dates_at_the_calendars_limits_map_and_validate_without_error(value):
    referral = _mapped(
        _edited(
            HENVISNING,
            "<IssueDate>2025-01-13T09:50:00</IssueDate>",
            f"<IssueDate>{value}</IssueDate>",
        )
    )
    assert referral["issued"] == value  # with an offset, or not a date-time: as it is
    epicrisis = _mapped(
        _edited(EPIKRISE, '<StartDateTime V="2025-02-10"/>', f'<StartDateTime V="{value}"/>')
    )
    assert epicrisis["period"]["start"] == value[:10]
    for document in (referral, epicrisis):
        list(validator(document["$schema"]).iter_errors(document))  # judged, never raises


@pytest.mark.parametrize("value", EXTREME)
def test_dates_at_the_calendars_limits_never_stop_a_check_of_a_message(tmp_path, value):
    henvisning = _out_of_scope(HENVISNING)
    for old in (
        "<GenDate>2025-01-13T09:50:00</GenDate>",
        "<IssueDate>2025-01-13T09:50:00</IssueDate>",
    ):
        tag = old[1 : old.index(">")]
        henvisning = _edited(henvisning, old, f"<{tag}>{value}</{tag}>")
    epikrise = _edited(EPIKRISE, '<StartDateTime V="2025-02-10"/>', f'<StartDateTime V="{value}"/>')
    epikrise = _edited(epikrise, '<GenDate V="2025-06-23T15:10:00"/>', f'<GenDate V="{value}"/>')
    for name, text in (("henvisning.xml", henvisning), ("epikrise.xml", epikrise)):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        result = check_file(path)
        assert result.documents == 1
        wrong_type = [f.message() for f in result.findings if f.rule == "KITH-014"]
        if "T" in value or name == "epikrise.xml":
            assert wrong_type == []  # valid values of xs:dateTime and TS, all of them
        else:  # a date where the Henvisning's GenDate and IssueDate must be date-times
            assert len(wrong_type) == 2
            assert all("not a valid xs:dateTime" in message for message in wrong_type)


def test_the_referrer_is_the_responsible_professional_of_relation_hhe_not_the_msghead_sender():
    referral = _mapped(HENVISNING)
    assert referral["sender"]["referrer"]["hpr"] == "9145044"
    text = _edited(HENVISNING, '<po:TypeRelasjon V="HHE"', '<po:TypeRelasjon V="KLE"')
    assert "referrer" not in _mapped(text)["sender"]


def test_the_contact_person_with_role_6_is_the_gp_not_the_coordinator():
    referral = _mapped(HENVISNING)
    assert referral["gp"]["hpr"] == "9145044"
    assert referral["municipalCoordinator"]["name"] == {"given": "Hilde", "family": "Øvingsen"}
    text = _edited(HENVISNING, "<po:StillingRolle>Forløpskoordinator", "<po:StillingRolle>Lærer")
    assert "municipalCoordinator" not in _mapped(text)


def test_the_pathway_instance_and_the_right_to_care_are_read_from_opplysninger():
    assessment = _mapped(HENVISNING)["assessment"]
    assert assessment == {
        "received": "2025-01-14",
        "assessed": "2025-01-24",
        "deadline": "2025-02-24",
        "rightToHealthcare": True,
    }
    assert _mapped(HENVISNING)["pathwayInstanceId"] == "EKS-D11-2025-0001"


def test_medication_is_read_inside_infitem():
    items = _mapped(HENVISNING)["medication"]["items"]
    assert [item["atcCode"] for item in items] == ["N06AB10", "N05CF01", "H03AA01"]
    text = _edited(HENVISNING, 'V="N06AB10"', 'V="N06A B10"')  # the display form with a space
    assert _mapped(text)["medication"]["items"][0]["atcCode"] == "N06AB10"


def test_an_ot_label_names_the_member_and_an_unknown_label_falls_back_to_the_heading():
    text = _edited(
        HENVISNING,
        'OT="Pasientens syn og ønske om hjelp"',
        'OT="  pasientens   SYN og ønske om hjelp "',
    )
    assert "patientView" in _mapped(text)["content"]
    text = _edited(HENVISNING, 'OT="Mulige utløsende årsaker"', 'OT="Utløsende hendelser"')
    content = _mapped(text)["content"]
    assert "triggers" not in content
    assert content["symptomsAndFunctioning"].startswith("Langvarig belastning")  # joined to PROB
    assert "\n\n" in content["symptomsAndFunctioning"]


def test_the_first_pathway_code_of_this_kits_lists_marks_the_target_pathway():
    cancer = (
        '<Pakkeforlop>\n            <Pakkeforlopskode V="A16A" S="2.16.578.1.12.4.1.1.8480"/>\n'
        "          </Pakkeforlop>\n          <Pakkeforlop>"
    )
    text = _edited(HENVISNING, "<Pakkeforlop>", cancer)
    assert _mapped(text)["targetPathway"]["code"] == "D11"
    text = _edited(
        HENVISNING,
        '<Pakkeforlopskode V="D11" S="2.16.578.1.12.4.1.1.9321"',
        '<Pakkeforlopskode V="D11A" S="2.16.578.1.12.4.1.1.9327"',
    )
    assert _mapped(text)["targetPathway"] == {"system": "2.16.578.1.12.4.1.1.9321", "code": "D11"}


def test_the_referrer_is_the_gp_only_with_role_6_of_kodeverk_9034():
    assert _mapped(HENVISNING)["sender"]["referrerIsGp"] is True
    responsible = HENVISNING.index("<po:AnsvarligRapport>")
    head, tail = HENVISNING[:responsible], HENVISNING[responsible:]
    text = head + _edited(tail, '<fk1:RoleToPatient V="6"', '<fk1:RoleToPatient V="19"')
    assert _mapped(text)["sender"]["referrerIsGp"] is False
    role = '<fk1:RoleToPatient V="6" S="2.16.578.1.12.4.1.1.9034" DN="Fastlege"/>\n'
    text = head + _edited(tail, role, "")
    assert "referrerIsGp" not in _mapped(text)["sender"]


def test_the_first_diagnosis_is_the_main_one():
    text = _edited(
        HENVISNING,
        "</Diagnosis>",
        '</Diagnosis>\n          <Diagnosis><Concept V="T90" S="2.16.578.1.12.4.1.1.7170"/>'
        "</Diagnosis>",
    )
    assert [d["kind"] for d in _mapped(text)["diagnoses"]] == ["main", "secondary"]


def test_an_epikrise_is_read_from_its_event_not_from_its_referral():
    epicrisis = _mapped(EPIKRISE)
    assert epicrisis["period"] == {"start": "2025-02-10", "end": "2025-06-23"}
    assert [(d["code"], d["kind"]) for d in epicrisis["diagnoses"]] == [
        ("F33.1", "main"),
        ("E03.9", "secondary"),
    ]  # ServReq/Diagnosis (P76) is the original referral's, and is not mapped
    assert epicrisis["author"]["hpr"] == "9145052"
    assert epicrisis["summary"]["assessment"].startswith("Basisutredning")
    assert epicrisis["followUp"]["somaticHealth"].startswith("Kontroll av BT")
    assert [item["name"] for item in epicrisis["medication"]["items"]] == [
        "Venlafaksin",
        "Levotyroksin",
    ]
    assert [recipient["role"] for recipient in epicrisis["recipients"]] == ["gp", "referrer"]


def test_a_bare_epikrise_maps_as_in_a_msghead():
    start = EPIKRISE.index("<Message ")
    bare = EPIKRISE[:start].split("<MsgHead")[0] + EPIKRISE[start : EPIKRISE.index("</Content>")]
    assert _mapped(bare) == _mapped(EPIKRISE)


def test_the_supplement_fills_only_what_the_standard_cannot_carry():
    supplement = {
        "reviewedWithPatient": True,
        "followUp": {"gpAppointmentOffered": True},
        "id": "X",
    }
    referral = _mapped(HENVISNING, supplement)
    assert referral["reviewedWithPatient"] is True
    assert referral["id"] != "X"  # not a supplement member: ignored
    assert referral["followUp"] == {"gpAppointmentOffered": True}  # merged; the schema rejects it
    epicrisis = _mapped(EPIKRISE, supplement)
    assert epicrisis["followUp"]["gpAppointmentOffered"] is True
    assert epicrisis["followUp"]["advice"].startswith("Avsluttes i DPS")


def test_a_supplement_member_of_the_other_document_kind_breaks_its_schema(tmp_path):
    root = tmp_path / "export"
    root.mkdir()
    (root / "henvisning.xml").write_text(HENVISNING, encoding="utf-8")
    manifest = json.loads((VALID / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"] = [
        {
            "path": "henvisning.xml",
            "kind": "kith-message",
            "supplement": {"careLevel": "outpatient"},
        }
    ]
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    findings = check_export(root, display_root="").findings
    schema = [f for f in findings if f.rule == "SCHEMA-002"]
    assert len(schema) == 1
    assert "careLevel" in schema[0].message()


def test_an_epikrise_checked_on_its_own_warns_that_its_pathway_is_not_declared(tmp_path):
    path = tmp_path / "epikrise.xml"
    path.write_text(EPIKRISE, encoding="utf-8")
    result = check_file(path)
    pathway = [f for f in result.findings if f.rule == "KITH-017"]
    assert [(f.severity, f.pointer) for f in pathway] == [(Severity.WARNING, "")]
    assert not any(f.rule == "SCHEMA-003" for f in result.findings)
    assert result.instances == {}  # no pathway instance to link it to


def test_a_malformed_date_is_reported_by_the_schema_at_its_element(tmp_path):
    path = tmp_path / "henvisning.xml"
    path.write_text(
        _edited(HENVISNING, "<Dato>2025-01-14</Dato>", "<Dato>2025-01-32</Dato>"), encoding="utf-8"
    )
    findings = [f for f in check_file(path).findings if f.severity is Severity.ERROR]
    assert [(f.rule, f.pointer, f.line) for f in findings] == [
        ("SCHEMA-002", "/assessment/received", 231)
    ]
    assert findings[0].xpath.endswith("hen:DatoMottakOgVurdering[1]/hen:Dato")


def test_a_referral_read_from_xml_joins_its_pathway_instance():
    result = check_export(VALID, display_root="")
    (instance,) = result.instances.values()
    assert [referral.path for referral in instance.referrals] == ["henvisning.xml"]
    assert [epicrisis.path for epicrisis in instance.epicrises] == ["epikrise.xml"]
    assert result.documents == 3  # the manifest and the two messages, each counted once
    assert result.events == 10


def test_one_mistake_gives_one_finding_the_json_rules_judge_mapped_values(tmp_path):
    # A wrong check digit in the mapped patient FNR is IDENTIFIER-001's, not KITH-012's.
    path = tmp_path / "henvisning.xml"
    path.write_text(
        _edited(HENVISNING, "<Id>02907931091</Id>", "<Id>02907931092</Id>"), encoding="utf-8"
    )
    assert [f.rule for f in check_file(path).findings if f.severity is Severity.ERROR] == [
        "IDENTIFIER-001"
    ]


def test_out_of_scope_the_kith_rules_judge_what_the_json_rules_would(tmp_path):
    path = tmp_path / "henvisning.xml"
    text = _edited(_out_of_scope(HENVISNING), "<Id>02907931091</Id>", "<Id>02907931092</Id>")
    path.write_text(text, encoding="utf-8")
    findings = check_file(path).findings
    assert [f.rule for f in findings if f.severity is Severity.ERROR] == ["KITH-012"]
    assert [f.rule for f in findings if f.severity is Severity.INFO] == ["KITH-023"]


def test_content_the_kit_does_not_read_is_named_not_passed(tmp_path):
    text = _edited(
        HENVISNING,
        'Henvisning xmlns="http://ehelse.no/xmlstds/henvisning/2017-11-30"',
        'Henvisning xmlns="urn:example:henvisning"',
    )
    path = tmp_path / "henvisning.xml"
    path.write_text(text, encoding="utf-8")
    result = check_file(path)
    assert [f.rule for f in result.findings if f.severity is not Severity.WARNING] == ["KITH-019"]
    assert "referral" not in result.kinds_seen


def test_the_mapping_records_where_every_value_came_from():
    message = read_message(parse_xml(HENVISNING.encode()).tree, "henvisning.xml")
    (document,) = map_documents(message)
    assert document.locate("/patient/identifier/value") == (
        "/mh:MsgHead/mh:MsgInfo/mh:Patient/mh:Ident/mh:Id",
        66,
    )
    assert document.locate("/content/triggers")[0].endswith("hen:ReasonAsText[3]")
    assert document.locate("/sender/referrer/hpr")[0].endswith(
        "po:AnsvarForRapport/po:AnsvarligRapport/fk1:Ident[1]/fk1:Id"
    )
    assert document.locate("/no/such/member") == document.locate("")
    assert Path(document.locate("")[0]).name == "hen:Henvisning"
