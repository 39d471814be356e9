"""What a KITH message is: bare business documents, older versions, and what the findings say.

A business document without its MsgHead is read as what it is (KITH-022 names what only the
envelope could show); an older version is named with the version the kit reads (KITH-019); a
root nothing like KITH is KITH-004. The findings say exactly what they saw.
"""

from __future__ import annotations

import pytest

from pakkeforlop.data.catalogue import Severity
from pakkeforlop.engine import check_file
from pakkeforlop.kith import map_contents, parse_xml, read_message
from pakkeforlop.kith.namespaces import EPIKRISE_1_0, EPIKRISE_1_1, HENVISNING_1_1

from .conftest import EXAMPLES

VALID = EXAMPLES / "valid" / "kith-d11-phv-adults"
HENVISNING = (VALID / "henvisning.xml").read_text(encoding="utf-8")
EPIKRISE = (VALID / "epikrise.xml").read_text(encoding="utf-8")


def _bare(text: str, root: str) -> str:
    """The business document of a bundled message on its own, namespaces declared on it."""
    start = text.index(f"<{root} ")
    end = text.index("</Content>")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + text[start:end]


def _check(tmp_path, text: str, name: str = "message.xml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return check_file(path)


def _rules(result, severity: Severity | None = None) -> list[str]:
    return sorted(f.rule for f in result.findings if severity in {None, f.severity})


def test_a_bare_epikrise_is_checked_as_an_epikrise(tmp_path):
    result = _check(tmp_path, _bare(EPIKRISE, "Message"))
    assert result.documents == 1
    assert "KITH-004" not in _rules(result)
    (warning,) = [f for f in result.findings if f.rule == "KITH-022"]
    message = warning.message()
    assert message.startswith("The business document travels without its MsgHead")
    assert "the sender and the receiver with their HER-ids" in message
    assert warning.xpath == "/epi:Message"
    assert "epicrisis" in result.kinds_seen  # in scope: written by a DPS


def test_a_bare_henvisning_lacks_what_its_envelope_carries_and_says_so(tmp_path):
    result = _check(tmp_path, _bare(HENVISNING, "Henvisning"))
    assert "KITH-004" not in _rules(result)
    assert _rules(result, Severity.ERROR) == []
    envelope = sorted(f.pointer or "" for f in result.findings if f.rule == "KITH-022")
    # The message-level warning, and the schema's missing members the envelope would give.
    assert envelope == ["", "", "", "/sender"]
    missing = sorted(
        f.message().rsplit(": ", 1)[-1]
        for f in result.findings
        if f.rule == "KITH-022" and f.pointer is not None
    )
    assert missing == [
        "the member 'organisation' is missing",
        "the member 'patient' is missing",
        "the member 'receiver' is missing",
    ]


def test_xsd_validation_validates_a_bare_document_against_its_own_schema(tmp_path):
    message = read_message(parse_xml(_bare(EPIKRISE, "Message").encode()).tree, "bare.xml")
    assert message.bare
    assert [content.element for content in message.contents] == [message.envelope]
    (document,) = map_contents(message)
    assert document.kind == "epicrisis"


@pytest.mark.parametrize(
    ("namespace", "label", "successor"),
    [
        (EPIKRISE_1_1, "Epikrise 1.1", "Epikrise 1.2"),
        (EPIKRISE_1_0, "Epikrise 1.0", "Epikrise 1.2"),
        (HENVISNING_1_1, "Henvisning 1.1", "Henvisning 2.0"),
    ],
)
def test_an_older_version_is_named_by_name_and_version_not_as_an_unknown_root(
    tmp_path, namespace, label, successor
):
    text = f'<Message xmlns="{namespace}"><MIGversion>v1</MIGversion></Message>'
    result = _check(tmp_path, text)
    assert _rules(result) == ["KITH-019"]
    (finding,) = result.findings
    assert finding.severity is Severity.INFO
    assert finding.message().startswith(f"{label} recognised; this kit reads {successor}:")


def test_a_root_the_kit_does_not_know_is_kith_004(tmp_path):
    result = _check(tmp_path, '<Message xmlns="urn:example:other"/>')
    assert _rules(result) == ["KITH-004"]
    assert "not a KITH message the kit recognises" in result.findings[0].message()


def test_kith_019_on_content_it_does_not_read_says_what_was_checked_inside(tmp_path):
    # A MsgHead nested in Content (the PRIDOK bug of real dialogue messages) is not read as a
    # document, but its identifiers are checked like any in the message, and KITH-019 says so.
    nested = (
        '<MsgHead xmlns="urn:example:nested"><Ident><Id>0123</Id>'
        '<TypeId V="HER" S="2.16.578.1.12.4.1.1.9051"/></Ident></MsgHead>'
    )
    text = HENVISNING.replace(
        HENVISNING[HENVISNING.index("<Henvisning ") : HENVISNING.index("</Content>")], nested
    )
    result = _check(tmp_path, text)
    (named,) = [f for f in result.findings if f.rule == "KITH-019"]
    assert "only the checks that apply anywhere in a message" in named.message()
    (her,) = [f for f in result.findings if f.rule == "KITH-012"]
    assert "(leading-zero): a HER-id has no leading zero" in her.message()


def test_kith_008_says_no_v_when_there_is_none(tmp_path):
    text = HENVISNING.replace('<TypeId V="ENH" S=', "<TypeId S=", 1)
    (finding,) = [f for f in _check(tmp_path, text).findings if f.rule == "KITH-008"]
    message = finding.message()
    assert 'TypeId no V S="2.16.578.1.12.4.1.1.9051"' in message
    assert 'V=""' not in message


def test_an_organisation_of_the_po_component_is_checked_as_an_organisation(tmp_path):
    unit = (
        "<po:TilknyttetEnhet><po:Kontaktenhet><fk1:OrganisationName>Testvik sykehjem"
        "</fk1:OrganisationName><fk1:Ident><fk1:Id>974633760</fk1:Id>"
        '<fk1:TypeId V="ENH" S="2.16.578.1.12.4.1.1.9051"/></fk1:Ident></po:Kontaktenhet>'
        "</po:TilknyttetEnhet>\n          <po:KontaktpersonHelsepersonell>"
    )
    text = HENVISNING.replace("<po:KontaktpersonHelsepersonell>", unit, 1)
    assert _rules(_check(tmp_path, text), Severity.ERROR) == []
