"""The third-party KITH samples in ../shared/samples: the issue's "done when" for XML.

* With the KITH XSDs (``--xsd-dir``), Norsk helsenett's two conformance-test messages and the
  AppRec sample pass: no finding at error level.
* navikt/padm2's messy messages fail with precise findings (wrong OIDs, invalid identifiers,
  invalid dates), at the right lines and elements, and never crash the kit, also when cut
  short or stripped of elements.
"""

from __future__ import annotations

import io
import json
import random
from collections import Counter
from functools import cache

import pytest
from lxml import etree

from pakkeforlop import cli
from pakkeforlop.data.catalogue import Severity
from pakkeforlop.engine import ExportResult, check_file
from pakkeforlop.kith import XsdCatalog, parse_xml, read_message
from pakkeforlop.kith.message import xpath_of
from pakkeforlop.kith.namespaces import PREFIXES

from .conftest import shared_file

NHN = ("samples", "ks-no_fiks-nhn-client")
PADM2 = ("samples", "navikt_padm2")
CONFORMANCE = [
    "samsvar-test-message.xml",
    "dialog-foresporsel-samsvar-test.xml",
    "example-avvist.xml",
]
MESSY = ["dialogmelding_dialog_notat_dnr.xml", "dialogmelding_dialog_notat_invalid.xml"]
#: The prefixes of the XPaths in findings (documented in spec/kith-mapping.md).
NAMESPACES = {prefix: uri for uri, prefix in PREFIXES.items()}


@cache
def _xsd() -> XsdCatalog:
    return XsdCatalog.load(shared_file(*NHN, "MsgHead-v1_2.xsd").parent)


def _check(folder: tuple[str, ...], name: str, *, xsd: bool = True) -> ExportResult:
    return check_file(shared_file(*folder, name), xsd=_xsd() if xsd else None)


def _keys(result: ExportResult) -> Counter[tuple[str, int | None]]:
    return Counter((finding.rule, finding.line) for finding in result.findings)


@pytest.mark.parametrize("name", CONFORMANCE)
def test_the_nhn_conformance_messages_pass_with_their_xsds(name):
    result = _check(NHN, name)
    assert [f for f in result.findings if f.severity is Severity.ERROR] == []
    assert result.documents == 1
    assert "KITH-016" in result.exercised  # they were validated, and validated cleanly


@pytest.mark.parametrize("name", CONFORMANCE)
def test_the_cli_passes_the_nhn_conformance_messages(name):
    out = io.StringIO()
    path = shared_file(*NHN, name)
    code = cli.main(
        ["check", str(path), "--xsd-dir", str(path.parent), "--format", "json"], stdout=out
    )
    assert code == 0
    report = json.loads(out.getvalue())
    outcomes = {rule["id"]: rule["outcome"] for rule in report["rules"]}
    assert outcomes["KITH-016"] == "passed"


def test_the_nhn_fictional_hpr_number_is_only_a_warning():
    findings = _check(NHN, "dialog-foresporsel-samsvar-test.xml").findings
    assert [(f.rule, f.severity, f.line) for f in findings] == [("KITH-013", Severity.WARNING, 67)]


def test_the_messy_dnr_message_fails_with_precise_findings():
    result = _check(PADM2, MESSY[0])
    assert _keys(result) == Counter(
        {
            ("KITH-012", 15): 1,  # organisation number 223456789: check digit
            ("KITH-007", 16): 1,  # S="1.16.578.1.12.3.1.1.9051"
            ("KITH-012", 19): 1,  # HER-id "0123": leading zero
            ("KITH-007", 20): 1,  # S="1.23.456.7.89.1.2.3.4567.8912"
            ("KITH-007", 34): 1,  # S="1.16.578.1.12.4.3.1.8116"
            ("KITH-013", 37): 1,  # HPR 1234567: the mod-11 heuristic (a warning)
            ("KITH-007", 38): 1,  # S="1.16.578.1.12.3.1.1.8116"
            ("KITH-007", 42): 1,  # S="6.87.654.3.21.9.8.7.6543.2198"
            ("KITH-007", 46): 1,  # S="6.16.578.1.12.4.1.4.8116"
            ("KITH-016", 55): 1,  # XSD: TypeTelecom not expected
            ("KITH-014", 76): 1,  # DateOfBirth 1991-12-4 is not an xs:date
            ("KITH-015", 76): 1,  # … and is not the date of the D-nummer (05.08.86)
            ("KITH-016", 76): 1,  # XSD: the same date
            ("KITH-007", 80): 1,  # the patient's S="6.16.578.1.12.4.1.4.8116"
        }
    )
    wrong_oid = next(f for f in result.findings if f.rule == "KITH-007" and f.line == 16)
    assert "did you mean 2.16.578.1.12.4.1.1.9051?" in wrong_oid.message()
    assert wrong_oid.xpath == (
        "/eiff:EI_fellesformat/mh:MsgHead/mh:MsgInfo/mh:Sender/mh:Organisation/mh:Ident[1]"
        "/mh:TypeId"
    )


def test_the_messy_invalid_message_rejects_the_ten_digit_fnr():
    result = _check(PADM2, MESSY[1])
    fnr = [f for f in result.findings if f.rule == "KITH-012" and f.line == 79]
    assert len(fnr) == 1
    assert fnr[0].severity is Severity.ERROR
    message = fnr[0].message()
    assert "length" in message
    assert "AppRec E31" in message
    assert "3143242342" not in message  # identifiers never appear in messages
    assert ("KITH-014", 76) in _keys(result)


@pytest.mark.parametrize("name", MESSY)
def test_the_messy_messages_fail_without_xsds_too(name):
    result = _check(PADM2, name, xsd=False)
    errors = {f.rule for f in result.findings if f.severity is Severity.ERROR}
    assert {"KITH-007", "KITH-012", "KITH-014"} <= errors
    assert "KITH-016" not in result.exercised
    assert result.skip_reasons["KITH-016"].startswith("not exercised: XSD validation")


@pytest.mark.parametrize("name", MESSY)
def test_the_cli_fails_the_messy_messages(name):
    out = io.StringIO()
    path = shared_file(*PADM2, name)
    code = cli.main(["check", str(path), "--xsd-dir", str(_xsd().folder)], stdout=out)
    assert code == 1


@pytest.mark.parametrize("name", [*CONFORMANCE, *MESSY])
def test_every_xml_finding_has_an_xpath_that_names_its_element_at_its_line(name):
    folder = NHN if name in CONFORMANCE else PADM2
    path = shared_file(*folder, name)
    tree = parse_xml(path.read_bytes()).tree
    for finding in _check(folder, name).findings:
        assert finding.xpath is not None, finding
        found = tree.xpath(finding.xpath, namespaces=NAMESPACES)
        assert len(found) == 1, finding.xpath
        assert found[0].sourceline == finding.line


def _mutations(data: bytes, seed: int) -> list[bytes]:
    """Truncations and element deletions of a message, deterministic for a seed."""
    generator = random.Random(seed)
    cuts = [data[: generator.randrange(len(data))] for _ in range(15)]
    tree = parse_xml(data).tree
    removed = []
    elements = [element for element in tree.getroot().iter() if isinstance(element.tag, str)]
    for _ in range(25):
        copy = parse_xml(data).tree
        victims = [e for e in copy.getroot().iter() if isinstance(e.tag, str)]
        victim = victims[generator.randrange(1, len(elements))]
        victim.getparent().remove(victim)
        removed.append(etree.tostring(copy, xml_declaration=True, encoding="UTF-8"))
    return cuts + removed


@pytest.mark.parametrize("name", [*CONFORMANCE, *MESSY])
def test_cut_or_pruned_messages_never_crash_the_kit(name, tmp_path):
    folder = NHN if name in CONFORMANCE else PADM2
    data = shared_file(*folder, name).read_bytes()
    for index, mutated in enumerate(_mutations(data, seed=len(name))):
        path = tmp_path / f"{index}.xml"
        path.write_bytes(mutated)
        result = check_file(path, xsd=_xsd())
        for finding in result.findings:
            finding.message()  # every template renders


def test_unwrapping_keeps_the_wrapper_out_of_the_message():
    path = shared_file(*PADM2, MESSY[0])
    message = read_message(parse_xml(path.read_bytes()).tree, path.name)
    assert message.wrapper is not None
    assert xpath_of(message.envelope) == "/eiff:EI_fellesformat/mh:MsgHead"
    assert [content.standard.label for content in message.contents] == ["Dialogmelding 1.0"]


def test_xsd_validation_never_reads_xsi_schema_location(tmp_path):
    # The NHN 1.0 sample points xsi:schemaLocation at "dialogmelding.xsd", which does not exist;
    # a location pointing anywhere else changes nothing either.
    data = shared_file(*NHN, "dialog-foresporsel-samsvar-test.xml").read_bytes()
    data = data.replace(b"dialogmelding.xsd", b"http://example.invalid/evil.xsd")
    path = tmp_path / "message.xml"
    path.write_bytes(data)
    result = check_file(path, xsd=_xsd())
    assert {f.rule for f in result.findings} == {"KITH-013"}


def test_values_quoted_in_xsd_errors_are_masked_unless_asked(capsys):
    path = shared_file(*PADM2, MESSY[0])
    arguments = ["check", str(path), "--xsd-dir", str(_xsd().folder), "--format", "json"]
    assert cli.main(arguments) == 1
    masked = capsys.readouterr().out
    assert "1991-12-4" not in masked
    assert "xs:date" in masked
    assert cli.main([*arguments, "--no-mask"]) == 1
    assert "1991-12-4" in capsys.readouterr().out


def test_a_message_refused_for_its_doctype_counts_as_unread(capsys, tmp_path):
    path = tmp_path / "bomb.xml"
    path.write_text('<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', encoding="utf-8")
    assert cli.main(["check", str(path), "--format", "json"]) == 1
    summary = json.loads(capsys.readouterr().out)["summary"]
    assert summary["partial"] is True
    assert summary["unread"] == 1
