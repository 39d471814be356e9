"""A Dialogmelding "Status på henvisning" read as the feedback of the JSON model
(src/pakkeforlop/kith/feedback.py, spec/kith-mapping.md table 5)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pakkeforlop.engine import check_export, check_file
from pakkeforlop.findings import Severity
from pakkeforlop.kith import map_documents, parse_xml, read_message

from .conftest import shared_file

STATUS = (
    "sarepta-standarder",
    "dialogmelding",
    "Status_paa_henvisning-InnkaltEtterViderehenvisning.xml",
)


def _status() -> bytes:
    return shared_file("samples", *STATUS).read_bytes()


def _feedback(data: bytes, supplement: dict | None = None) -> dict:
    message = read_message(parse_xml(data).tree, "status.xml")
    documents = map_documents(message, supplement)
    assert [document.kind for document in documents] == ["feedback"]
    return documents[0].value


def test_the_official_status_on_referral_maps_to_a_feedback():
    value = _feedback(_status())
    assert value["occasion"] == "referral-assessed"  # kodeverk 9148 code 1: called in
    assert value["id"] == "797700e0-2d17-11e8-b566-0800200c9a66"
    assert value["sent"] == "2018-01-19"
    assert value["sender"]["organisation"]["herId"] == "59"
    assert value["sender"]["professional"]["hpr"] == "258521"
    assert [entry["role"] for entry in value["recipients"]] == ["referrer", "gp"]
    assert value["patient"]["identifier"] == {"type": "FNR", "value": "13116900216"}
    assert value["text"].startswith("Henvisningen er mottatt")
    assert "pathway" not in value


def test_a_rejected_referral_maps_to_a_rejection_joined_by_the_supplement():
    data = _status().replace(b'<TemaKodet V="1"', b'<TemaKodet V="4"')
    pathway = {
        "instanceId": "EKS-D11-2018-0001",
        "type": {"system": "2.16.578.1.12.4.1.1.9321", "code": "D11"},
    }
    value = _feedback(data, {"pathway": pathway})
    assert value["occasion"] == "rejection"
    assert value["pathway"] == pathway


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b'V="DIALOG_STATUS_HENVISNING"', b'V="DIALOG_NOTAT"'),  # another dialogue message
        (b'<TemaKodet V="1"', b'<TemaKodet V="9"'),  # a theme 9148 does not have
        (b'S="2.16.578.1.12.4.1.1.9148"', b'S="2.16.578.1.12.4.1.1.8445"'),  # another list
    ],
)
def test_other_dialogue_messages_are_not_mapped(old: bytes, new: bytes):
    data = _status()
    assert old in data
    message = read_message(parse_xml(data.replace(old, new, 1)).tree, "status.xml")
    assert map_documents(message) == []


def test_the_status_message_checked_on_its_own_gives_no_feedback_error():
    result = check_file(shared_file("samples", *STATUS), display="status.xml")
    feedback_rules = {
        f.rule for f in result.findings if f.rule.startswith(("FEEDBACK", "SCHEMA-005"))
    }
    assert feedback_rules == set()
    assert "feedback" in result.kinds_seen


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
    data = _status().replace(b'<TemaKodet V="1"', b'<TemaKodet V="4"')
    assert not [f for f in _export(tmp_path, data) if f.rule.startswith(("FEEDBACK", "SCHEMA-005"))]


def test_a_rejection_without_text_must_give_the_assessment_of_further_needs(tmp_path: Path):
    data = _status().replace(b'<TemaKodet V="1"', b'<TemaKodet V="4"')
    start, end = data.index(b"<TekstNotatInnhold>"), data.index(b"</TekstNotatInnhold>")
    data = data[:start] + data[end + len(b"</TekstNotatInnhold>") :]
    found = [(f.rule, f.severity) for f in _export(tmp_path, data) if f.rule.startswith("FEEDBACK")]
    assert sorted(found) == [("FEEDBACK-001", Severity.ERROR), ("FEEDBACK-002", Severity.WARNING)]
