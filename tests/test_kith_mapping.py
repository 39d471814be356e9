"""The mapping of Henvisning 2.0 and Epikrise 1.2 to the JSON model (spec/kith-mapping.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pakkeforlop.engine import check_export, check_file
from pakkeforlop.findings import Severity
from pakkeforlop.kith import map_documents, parse_xml, read_message
from pakkeforlop.kith.mapping import to_date, to_datetime

from .conftest import EXAMPLES

VALID = EXAMPLES / "valid" / "kith-d11-phv-adults"
HENVISNING = (VALID / "henvisning.xml").read_text(encoding="utf-8")
EPIKRISE = (VALID / "epikrise.xml").read_text(encoding="utf-8")


def _mapped(text: str, supplement: dict | None = None) -> dict:
    message = read_message(parse_xml(text.encode()).tree, "message.xml")
    (document,) = map_documents(message, supplement)
    return document.value


def _edited(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


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
        ("2025-02-30T09:50:00", "2025-02-30T09:50:00"),  # not a date: left for the schema
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
        ("1991-12-4", "1991-12-4"),  # not an xs:date: left for the schema to report
    ],
)
def test_dates_are_taken_as_they_are_or_from_a_date_time(value, expected):
    assert to_date(value) == expected


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


def test_a_9327_code_marks_the_target_pathway_by_its_prefix():
    text = _edited(
        HENVISNING,
        '<Pakkeforlopskode V="D11" S="2.16.578.1.12.4.1.1.9321"',
        '<Pakkeforlopskode V="D11A" S="2.16.578.1.12.4.1.1.9327"',
    )
    assert _mapped(text)["targetPathway"] == {"system": "2.16.578.1.12.4.1.1.9321", "code": "D11"}


def test_the_referrer_is_the_gp_only_with_role_6_of_kodeverk_9034():
    assert _mapped(HENVISNING)["sender"]["referrerIsGp"] is True
    text = _edited(HENVISNING, '<RoleToPatient V="6"', '<RoleToPatient V="19"')
    assert _mapped(text)["sender"]["referrerIsGp"] is False
    text = _edited(
        HENVISNING, '<RoleToPatient V="6" S="2.16.578.1.12.4.1.1.9034" DN="Fastlege"/>\n', ""
    )
    assert "referrerIsGp" not in _mapped(text)["sender"]


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
        ("SCHEMA-002", "/assessment/received", 187)
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


def test_content_the_kit_does_not_read_is_named_not_passed(tmp_path):
    text = _edited(
        HENVISNING,
        'Henvisning xmlns="http://ehelse.no/xmlstds/henvisning/2017-11-30"',
        'Henvisning xmlns="urn:example:henvisning"',
    )
    path = tmp_path / "henvisning.xml"
    path.write_text(text, encoding="utf-8")
    result = check_file(path)
    assert [f.rule for f in result.findings] == ["KITH-019"]
    assert "referral" not in result.kinds_seen


def test_the_mapping_records_where_every_value_came_from():
    message = read_message(parse_xml(HENVISNING.encode()).tree, "henvisning.xml")
    (document,) = map_documents(message)
    assert document.locate("/patient/identifier/value") == (
        "/mh:MsgHead/mh:MsgInfo/mh:Patient/mh:Ident/mh:Id",
        73,
    )
    assert document.locate("/content/triggers")[0].endswith("hen:ReasonAsText[3]")
    assert document.locate("/no/such/member") == document.locate("")
    assert Path(document.locate("")[0]).name == "hen:Henvisning"
