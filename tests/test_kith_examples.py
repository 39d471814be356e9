"""The KITH XML examples follow the official XSDs and give the same results as their JSON twins.

Every example export holding KITH XML messages (``examples/*/kith-*``) has a sibling folder
named ``<name>-json`` with the same export in the JSON model: ``referral.json`` for each
Henvisning 2.0, ``epicrisis.json`` for each Epikrise 1.2, the same other files. The XML export
must give the same findings as its twin, rule by rule and severity by severity (locations
differ: the XML findings point into the XML), and each message must map to exactly its twin's
document.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from pakkeforlop.data.catalogue import Severity
from pakkeforlop.engine import ExportResult, check_export
from pakkeforlop.kith import XsdCatalog, XsdOutcome, map_documents, read_message, read_xml_file
from pakkeforlop.kith.namespaces import PREFIXES

from .conftest import EXAMPLES, shared_file

XML_EXAMPLES = sorted(
    folder for folder in EXAMPLES.glob("*/*") if folder.is_dir() and any(folder.glob("*.xml"))
)
TWIN_FILES = {"referral": "referral.json", "epicrisis": "epicrisis.json"}
NAMESPACES = {prefix: uri for uri, prefix in PREFIXES.items()}


def _twin(folder: Path) -> Path:
    return folder.with_name(f"{folder.name}-json")


def _results(folder: Path) -> Counter[tuple[str, Severity]]:
    result = check_export(folder, display_root="")
    return Counter((finding.rule, finding.severity) for finding in result.findings)


def test_there_are_valid_and_invalid_xml_examples_of_both_documents():
    kinds: set[tuple[str, str]] = set()
    for folder in XML_EXAMPLES:
        for path in folder.glob("*.xml"):
            message = read_message(read_xml_file(path).tree, path.name)
            for document in map_documents(message):
                kinds.add((folder.parent.name, document.kind))
    assert kinds == {
        ("valid", "referral"),
        ("valid", "epicrisis"),
        ("invalid", "referral"),
        ("invalid", "epicrisis"),
    }


@pytest.mark.parametrize("folder", XML_EXAMPLES, ids=lambda path: path.name)
def test_every_xml_example_has_a_json_twin(folder):
    twin = _twin(folder)
    assert (twin / "manifest.json").is_file(), f"add {twin.relative_to(EXAMPLES)}"
    assert not any(twin.glob("*.xml"))


@pytest.mark.parametrize("folder", XML_EXAMPLES, ids=lambda path: path.name)
def test_each_xml_example_gives_the_same_rule_results_as_its_json_twin(folder):
    assert _results(folder) == _results(_twin(folder))


@pytest.mark.parametrize("folder", XML_EXAMPLES, ids=lambda path: path.name)
def test_each_message_maps_to_exactly_its_twins_document(folder):
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        if entry["kind"] != "kith-message":
            assert (folder / entry["path"]).read_bytes() == (
                _twin(folder) / entry["path"]
            ).read_bytes()
            continue
        path = folder / entry["path"]
        message = read_message(read_xml_file(path).tree, path.name)
        (document,) = map_documents(message, entry.get("supplement"))
        twin = _twin(folder) / TWIN_FILES[document.kind]
        assert document.value == json.loads(twin.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "path",
    [path for folder in XML_EXAMPLES for path in sorted(folder.glob("*.xml"))],
    ids=lambda path: f"{path.parent.name}/{path.name}",
)
def test_each_xml_example_follows_the_official_xsds(path):
    official = shared_file("samples", "sarepta-standarder", "xsd", "Henvisning-v2.0.xsd").parent
    message = read_message(read_xml_file(path).tree, path.name)
    assert XsdCatalog.load(official).validate(message) == XsdOutcome()


@pytest.mark.parametrize("folder", XML_EXAMPLES, ids=lambda path: path.name)
def test_findings_on_xml_carry_an_xpath_and_the_line_of_its_element(folder):
    result: ExportResult = check_export(folder, display_root="")
    trees = {path.name: read_xml_file(path).tree for path in folder.glob("*.xml")}
    on_xml = [finding for finding in result.findings if finding.file in trees]
    assert on_xml, "the examples have findings on their XML (at least the synthetic FNR info)"
    for finding in on_xml:
        assert finding.xpath is not None
        assert finding.pointer is not None  # the JSON Pointer into the mapped document
        (element,) = trees[finding.file].xpath(finding.xpath, namespaces=NAMESPACES)
        assert element.sourceline == finding.line


def test_the_valid_xml_example_fills_every_member_its_json_rules_look_for():
    folder = EXAMPLES / "valid" / "kith-d11-phv-adults"
    referral = json.loads((_twin(folder) / "referral.json").read_text(encoding="utf-8"))
    assert set(referral["content"]) == {
        "reason",
        "patientView",
        "triggers",
        "symptomsAndFunctioning",
        "substanceUse",
        "resources",
        "somaticStatusAndLifestyle",
        "socialAndFamily",
        "previousTreatment",
        "expectedBenefit",
        "suicideRisk",
        "violenceRisk",
        "previousIllness",
    }
    epicrisis = json.loads((_twin(folder) / "epicrisis.json").read_text(encoding="utf-8"))
    assert [recipient["role"] for recipient in epicrisis["recipients"]] == ["gp", "referrer"]
    assert epicrisis["followUp"]["psychotropics"].keys() == {
        "continuedUse",
        "tapering",
        "yearlyReview",
    }
