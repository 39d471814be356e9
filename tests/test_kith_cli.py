"""KITH XML through the command and the engine: single files, exports, --xsd-dir, reports."""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path

import pytest

from pakkeforlop import cli, engine, kith
from pakkeforlop.data.schemas import validator
from pakkeforlop.kith import XsdCatalog, XsdError, XsdOutcome, parse_xml, read_message
from pakkeforlop.report.formats.json_report import REPORT_SCHEMA_ID

from .conftest import EXAMPLES, shared_file

VALID = EXAMPLES / "valid" / "kith-d11-phv-adults"
INVALID = EXAMPLES / "invalid" / "kith-henvisning-fnr-check-digit"


def _xsd_folder() -> Path:
    return shared_file("samples", "ks-no_fiks-nhn-client", "MsgHead-v1_2.xsd").parent


def _run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = cli.main([str(arg) for arg in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_single_xml_file_is_checked_as_a_kith_message(capsys):
    code, out, _ = _run(capsys, "check", INVALID / "henvisning.xml", "--verbose")
    assert code == 1
    assert "IDENTIFIER-001" in out
    assert "[at /mh:MsgHead/mh:MsgInfo/mh:Patient/mh:Ident/mh:Id]" in out


def test_the_json_report_of_an_xml_export_follows_the_report_schema_and_has_xpaths(capsys):
    code, out, _ = _run(capsys, "check", INVALID, "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert sorted(validator(REPORT_SCHEMA_ID).iter_errors(report), key=str) == []
    finding = next(f for f in report["findings"] if f["rule"] == "REFERRAL-028")
    assert finding["file"].endswith("henvisning.xml")
    assert finding["pointer"] == "/assessment/assessed"
    assert finding["xpath"].endswith("hen:DatoMottakOgVurdering[2]/hen:Dato")
    assert finding["line"] == 236


def test_the_html_report_shows_the_xpath(capsys):
    _, out, _ = _run(capsys, "check", INVALID, "--format", "html")
    assert "hen:VurderingAvHenvisning/hen:DatoMottakOgVurdering[2]/hen:Dato" in out


def test_xsd_validation_is_skipped_with_its_reason_without_xsd_dir(capsys):
    code, out, _ = _run(capsys, "check", VALID, "--format", "json")
    assert code == 0
    rules = {rule["id"]: rule for rule in json.loads(out)["rules"]}
    assert rules["KITH-016"]["outcome"] == "skipped"
    assert "--xsd-dir" in rules["KITH-016"]["reason"]


def test_xsd_dir_validates_the_envelopes_and_names_content_without_a_schema(capsys):
    code, out, _ = _run(capsys, "check", VALID, "--xsd-dir", _xsd_folder(), "--format", "json")
    assert code == 0
    report = json.loads(out)
    rules = {rule["id"]: rule["outcome"] for rule in report["rules"]}
    assert rules["KITH-016"] == "passed"
    not_validated = [f for f in report["findings"] if f["rule"] == "KITH-020"]
    assert sorted(f["file"].rsplit("/", 1)[-1] for f in not_validated) == [
        "epikrise.xml",
        "henvisning.xml",
    ]


@pytest.mark.parametrize("folder", ["no-such-folder", "empty"])
def test_an_unusable_xsd_dir_is_a_usage_error(capsys, tmp_path, folder):
    (tmp_path / "empty").mkdir()
    code, out, err = _run(capsys, "check", VALID, "--xsd-dir", tmp_path / folder)
    assert code == cli.EXIT_USAGE
    assert out == ""
    assert "--xsd-dir" in err


def test_a_broken_schema_in_xsd_dir_is_a_usage_error(capsys, tmp_path):
    (tmp_path / "broken.xsd").write_text("<schema", encoding="utf-8")
    code, _, err = _run(capsys, "check", VALID, "--xsd-dir", tmp_path)
    assert code == cli.EXIT_USAGE
    assert "broken.xsd" in err


def test_two_schemas_for_one_namespace_are_named_and_the_first_is_used(capsys, tmp_path):
    for path in _xsd_folder().glob("*.xsd"):
        shutil.copy(path, tmp_path / path.name)
    shutil.copy(tmp_path / "dialogmelding-v1.1.xsd", tmp_path / "dialogmelding-v1.1-2013.xsd")
    code, _, err = _run(capsys, "check", VALID, "--xsd-dir", tmp_path)
    assert code == 0
    assert "dialogmelding-v1.1-2013.xsd, dialogmelding-v1.1.xsd all declare" in err
    assert "using dialogmelding-v1.1-2013.xsd" in err


def test_each_wrapper_schema_is_compiled_once_per_run(monkeypatch):
    catalog = XsdCatalog.load(_xsd_folder())
    compiled = []
    original = kith.xsd.etree.XMLSchema

    def counting(*args: object, **kwargs: object) -> object:
        compiled.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(kith.xsd.etree, "XMLSchema", counting)
    for _ in range(3):
        engine.check_export(VALID, display_root="", xsd=catalog)
    # henvisning.xml and epikrise.xml need different wrappers (their content namespaces differ)
    assert len(compiled) == 2


def _hostile_folder(tmp_path: Path, imports: str) -> Path:
    """A copy of the XSD folder whose kith.xsd also imports ``imports`` (XML)."""
    folder = tmp_path / "xsd"
    folder.mkdir()
    for path in _xsd_folder().glob("*.xsd"):
        shutil.copy(path, folder / path.name)
    schema = (folder / "kith.xsd").read_text(encoding="utf-8")
    hostile = schema.replace(
        'targetNamespace="http://www.kith.no/xmlstds">',
        f'targetNamespace="http://www.kith.no/xmlstds">\n{imports}',
    )
    assert hostile != schema
    (folder / "kith.xsd").write_text(hostile, encoding="utf-8")
    return folder


def _validated_in_time(catalog: XsdCatalog) -> object:
    """Validate the NHN AppRec sample in a thread; a hang means something outside was opened."""
    message = read_message(
        parse_xml(
            shared_file("samples", "ks-no_fiks-nhn-client", "example-avvist.xml").read_bytes()
        ).tree,
        "example-avvist.xml",
    )
    outcome: dict[str, object] = {}

    def validate() -> None:
        try:
            outcome["result"] = catalog.validate(message)
        except XsdError as error:
            outcome["result"] = error

    worker = threading.Thread(target=validate, daemon=True)
    worker.start()
    worker.join(5)
    assert "result" in outcome, "validation hung: it opened the FIFO outside the XSD folder"
    return outcome["result"]


def test_schema_imports_outside_the_xsd_dir_are_never_read(tmp_path):
    if not hasattr(os, "mkfifo"):
        pytest.skip("named pipes are POSIX-only")
    fifo = tmp_path / "outside.fifo"
    os.mkfifo(fifo)
    folder = _hostile_folder(
        tmp_path,
        f'<import namespace="urn:outside" schemaLocation="{fifo.as_uri()}"/>\n'
        '<import namespace="urn:network" schemaLocation="http://example.invalid/x.xsd"/>',
    )
    # Imports are resolved by namespace from the folder: no file declares these namespaces,
    # so their locations are never loaded, and nothing uses them.
    result = _validated_in_time(XsdCatalog.load(folder))
    assert result == XsdOutcome()


def test_a_schema_that_needs_a_namespace_missing_from_the_folder_names_it(tmp_path):
    folder = _hostile_folder(
        tmp_path,
        '<import namespace="urn:missing" schemaLocation="http://example.invalid/x.xsd"/>\n'
        '<complexType name="Uses" xmlns:m="urn:missing"><sequence>'
        '<element name="x" type="m:Gone"/></sequence></complexType>',
    )
    result = _validated_in_time(XsdCatalog.load(folder))
    assert isinstance(result, XsdError)
    assert "no file in the folder declares urn:missing" in str(result)


def test_the_catalog_refuses_a_folder_without_schemas(tmp_path):
    with pytest.raises(XsdError):
        XsdCatalog.load(tmp_path)


def test_an_undeclared_xml_file_in_an_export_is_reported(tmp_path):
    root = tmp_path / "export"
    shutil.copytree(VALID, root)
    shutil.copy(root / "henvisning.xml", root / "copy.xml")
    findings = engine.check_export(root, display_root="").findings
    assert [(f.rule, f.file) for f in findings if f.rule == "INPUT-014"] == [
        ("INPUT-014", "copy.xml")
    ]


def test_a_supplement_on_a_json_file_entry_breaks_the_manifest_schema(tmp_path):
    root = tmp_path / "export"
    shutil.copytree(EXAMPLES / "valid" / "d11-phv-adults-completed", root)
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"][0]["supplement"] = {"reviewedWithPatient": True}
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    rules = {f.rule for f in engine.check_export(root, display_root="").findings}
    assert "SCHEMA-001" in rules
