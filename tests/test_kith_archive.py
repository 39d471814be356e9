"""Constructs of the archive's other official examples, those not in ../shared.

The standards archive's public mirror (oslokommune/sarepta-standarder) has more official
examples than ../shared/samples/sarepta-standarder holds: the other Henvisning 2.0 and Epikrise
1.2 examples, the older Henvisning 1.0/1.1 and Epikrise 1.0/1.1 ones, more Dialogmelding and
AppRec examples. They were run through the kit and every error and warning was reviewed
against the official XSDs. The tests do not read those files: each reproduces, in a small
message written here or an edit of a bundled example, the construct behind one judgement, and
names the official example (path in the archive, and the commit it was read at).
"""

from __future__ import annotations

import pytest

from pakkeforlop.data.catalogue import Severity
from pakkeforlop.engine import check_file
from pakkeforlop.kith.namespaces import (
    EPIKRISE_1_0,
    EPIKRISE_1_1,
    HENVISNING_1_0,
    HENVISNING_1_1,
)

from .conftest import EXAMPLES

VALID = EXAMPLES / "valid" / "kith-d11-phv-adults"
EPIKRISE = (VALID / "epikrise.xml").read_text(encoding="utf-8")


def _check(tmp_path, text: str):
    path = tmp_path / "message.xml"
    path.write_text(text, encoding="utf-8")
    return check_file(path)


def _bare_epikrise() -> str:
    """The bundled Epikrise 1.2 on its own, as the archive publishes its Epikrise examples."""
    start = EPIKRISE.index("<Message ")
    end = EPIKRISE.index("</Content>")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + EPIKRISE[start:end]


def _older(namespace: str, body: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<Message xmlns="{namespace}">\n{body}\n</Message>\n'
    )


@pytest.mark.parametrize(
    ("namespace", "code", "example"),
    [
        # eksempel/Henvisning/Henvisning_v1-0/henvisning_v1.0_n.xml @ 8f3c6de6 (and every
        # other Henvisning 1.0 example of the archive)
        (HENVISNING_1_0, "H", "Henvisning 1.0"),
        # eksempel/Henvisning/Henvisning_v1-1/Henvisning_v1-1_Eksempel_Fastlege_Endring.xml
        # @ 18116e5a (the other Henvisning 1.1 examples have HENVISNING)
        (HENVISNING_1_1, "H", "Henvisning 1.1"),
        # eksempel/epikrise/v1.0/Epikrise-ex-1.xml @ b93538a9
        (EPIKRISE_1_0, "E", "Epikrise 1.0"),
        # eksempel/Epikrise/Epikrise_v1-1/epikrise_v1.1_n.xml @ 97792ef6 and the six
        # eksempel/epikrise/Epikrise_v1-1/Epikrise_v1-1_Eksempel_*.xml
        (EPIKRISE_1_1, "E", "Epikrise 1.1"),
    ],
)
def test_an_older_versions_message_type_is_not_held_to_kodeverk_8279(
    tmp_path, namespace, code, example
):
    # The older XSDs type Message/Type as a CS without naming a list, and the archive's
    # examples of these versions use one-letter types: kodeverk 8279 is MsgHead's list
    # (MsgInfo/Type), and Epikrise 1.2's own Message/Type. KITH-009 warned on every one.
    text = _older(namespace, f'  <Type V="{code}"/>\n  <MIGversion>v1</MIGversion>')
    result = _check(tmp_path, text)
    assert [f.rule for f in result.findings] == ["KITH-019"], example


def test_an_epikrise_1_2_message_type_is_still_a_code_of_kodeverk_8279(tmp_path):
    text = _bare_epikrise().replace('<Type V="EPIKRISE"', '<Type V="E"', 1)
    (finding,) = [f for f in _check(tmp_path, text).findings if f.rule == "KITH-009"]
    assert finding.severity is Severity.WARNING
    assert finding.xpath == "/epi:Message/epi:Type"
    assert 'V="E" is not in kodeverk 8279' in finding.message()


def test_the_checks_that_apply_anywhere_still_catch_the_older_examples_defects(tmp_path):
    # eksempel/epikrise/v1.0/Epikrise-ex-mflere-opphold.xml @ 22bc9229: the patient's FNR
    # written with a space ("131169 00216") and a HER-id with a thousands separator
    # ("258.521"); both are true defects, whatever the version.
    body = (
        "  <MIGversion>v1.0 2002-11-07</MIGversion>\n"
        "  <ServRprt>\n"
        '    <Patient><OffId>131169 00216</OffId><TypeOffId V="FNR"/></Patient>\n'
        "    <ServProvider><HCP><Inst><HCPerson><Name>Rita Lin</Name><Id>258.521</Id>"
        '<TypeId V="HER"/></HCPerson></Inst></HCP></ServProvider>\n'
        "  </ServRprt>"
    )
    result = _check(tmp_path, _older(EPIKRISE_1_0, body))
    errors = sorted((f.rule, f.line) for f in result.findings if f.severity is Severity.ERROR)
    assert errors == [("KITH-012", 5), ("KITH-012", 6)]
    assert [f.rule for f in result.findings if f.severity is Severity.WARNING] == []
