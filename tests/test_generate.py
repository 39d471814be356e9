"""The synthetic export generator: determinism, clean exports, known defects and their truth."""

from __future__ import annotations

import hashlib
import io
import json
from collections import Counter
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from pakkeforlop.cli import generate as generate_cli
from pakkeforlop.data.catalogue import Severity
from pakkeforlop.data.schemas import validator
from pakkeforlop.engine import ExportResult, check_export
from pakkeforlop.model.findings import Finding
from pakkeforlop.model.identifiers import check_hpr_number, check_org_number, check_person_id
from pakkeforlop.synthetic import DEFECTS, GeneratorConfig, GeneratorError, estimate, generate

CLEAN = GeneratorConfig(out=Path("unused"), pathways=150, seed=3)
DEFECTIVE = GeneratorConfig(out=Path("unused"), pathways=260, seed=4, defect_rate=0.45)


def _digests(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _failing(result: ExportResult) -> list[Finding]:
    return [finding for finding in result.findings if finding.severity is not Severity.INFO]


def _lines(export: Path) -> list[dict[str, Any]]:
    manifest = json.loads((export / "manifest.json").read_text(encoding="utf-8"))
    events = []
    for entry in manifest["files"]:
        if entry["kind"] == "pathway-events":
            for line in (export / entry["path"]).read_text(encoding="utf-8").splitlines():
                try:
                    events.append(json.loads(line))
                except ValueError:
                    continue  # a malformed line injected on purpose
    return events


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ExportResult]:
    export = tmp_path_factory.mktemp("clean") / "export"
    generate(replace(CLEAN, out=export))
    return export, check_export(export, display_root="")


@pytest.fixture(scope="module")
def defective(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, dict[str, Any], ExportResult]:
    export = tmp_path_factory.mktemp("defective") / "export"
    summary = generate(replace(DEFECTIVE, out=export))
    assert summary.truth is not None
    truth = json.loads(summary.truth.read_text(encoding="utf-8"))
    return export, truth, check_export(export, display_root="")


# -- determinism ------------------------------------------------------------------------------


def test_the_same_seed_gives_byte_identical_files(tmp_path):
    config = GeneratorConfig(out=tmp_path / "a", pathways=60, seed=9, defect_rate=0.3)
    generate(config)
    generate(replace(config, out=tmp_path / "b"))
    first, second = _digests(tmp_path / "a"), _digests(tmp_path / "b")
    assert first == second
    assert len(first) > 100
    assert (tmp_path / "a.truth.json").read_bytes() == (tmp_path / "b.truth.json").read_bytes()


def test_different_seeds_give_different_exports(tmp_path):
    generate(GeneratorConfig(out=tmp_path / "a", pathways=40, seed=1))
    generate(GeneratorConfig(out=tmp_path / "b", pathways=40, seed=2))
    first, second = _digests(tmp_path / "a"), _digests(tmp_path / "b")
    assert first["manifest.json"] != second["manifest.json"]
    shared = first.keys() & second.keys()
    assert all(first[name] != second[name] for name in shared)


# -- a clean export ---------------------------------------------------------------------------


def test_a_clean_export_has_no_error_or_warning(clean):
    _export, result = clean
    assert [(f.rule, f.file, f.line, f.pointer) for f in _failing(result)] == []
    assert result.events > 1000
    assert result.documents > CLEAN.pathways


def _starts(export: Path) -> dict[str, tuple[str, str]]:
    """instance id -> (pathway type, start date) of every start event."""
    return {
        event["instanceId"]: (event["pathwayType"], event["date"])
        for event in _lines(export)
        if event["code"][3:] == "A"
    }


def test_exports_cover_every_pathway_type_and_both_eras(clean, defective):
    starts = {**_starts(clean[0]), **_starts(defective[0])}
    types = Counter(pathway for pathway, _day in starts.values())
    assert set(types) == {"D01", "D06", "D07", "D08", "D09", "D10", "D11", "D12"}
    assert {code for code, _ in types.most_common(3)} == {"D11", "D12", "D01"}
    days = sorted(day for _pathway, day in starts.values())
    assert days[0] < "2023-01-01" <= days[-1]
    levels = {event["careLevel"] for event in _lines(clean[0])}
    assert levels == {"inpatient", "outpatient"}


def test_every_instance_has_a_referral_and_every_ended_one_an_epicrisis(clean):
    export, _result = clean
    events = _lines(export)
    instances = {event["instanceId"] for event in events}
    ended = {event["instanceId"] for event in events if event["code"][3] == "X"}
    referrals = [
        json.loads(path.read_text(encoding="utf-8"))["pathwayInstanceId"]
        for path in (export / "referrals").rglob("*.json")
    ]
    epicrises = [
        json.loads(path.read_text(encoding="utf-8"))["pathway"]["instanceId"]
        for path in (export / "epicrises").rglob("*.json")
    ]
    assert len(instances) == CLEAN.pathways
    assert sorted(referrals) == sorted(instances)
    assert 0 < len(ended) < len(instances)  # ended and ongoing ones
    assert sorted(epicrises) == sorted(ended)


def test_the_manifest_validates_and_its_digests_match(clean):
    export, _result = clean
    manifest = json.loads((export / "manifest.json").read_text(encoding="utf-8"))
    assert list(validator("export-manifest").iter_errors(manifest)) == []
    declared = {entry["path"]: entry["sha256"] for entry in manifest["files"]}
    on_disk = _digests(export)
    del on_disk["manifest.json"]
    assert declared == on_disk
    assert manifest["created"].startswith("2025-07-01")  # the day after --end, not the clock


def test_events_are_written_in_registration_order(clean):
    export, _result = clean
    recorded = [event["recorded"] for event in _lines(export)]
    assert recorded == sorted(recorded, key=lambda stamp: stamp[:16])


def test_generated_identifiers_pass_their_checks(clean):
    export, _result = clean
    created = date(2025, 7, 1)
    persons = {(event["patient"]["type"], event["patient"]["value"]) for event in _lines(export)}
    for id_type, value in sorted(persons):
        check = check_person_id(value, id_type, today=created)
        assert check.valid, (id_type, check.codes)
        assert check.synthetic == "test-norge"
    referrals = sorted((export / "referrals").rglob("*.json"))
    for path in referrals[:40]:
        document = json.loads(path.read_text(encoding="utf-8"))
        for organisation in (
            document["sender"]["organisation"],
            document["receiver"]["organisation"],
        ):
            assert check_org_number(organisation["orgNumber"]).valid
            assert organisation["orgNumber"][0] in "23"
        for person in (document["sender"]["referrer"], document["gp"]):
            assert check_hpr_number(person["hpr"]).problems == ()


def test_estimate_predicts_the_generated_counts(tmp_path):
    config = GeneratorConfig(out=tmp_path / "e", pathways=80, seed=5, ended_share=0.5)
    summary = generate(config)
    assert estimate(config) == (summary.events, summary.epicrises)


# -- defects and their truth --------------------------------------------------------------------


def _matches(entry: dict[str, Any], finding: Finding) -> bool:
    return (
        finding.file == entry["file"]
        and finding.rule in entry["rules"]
        and (entry["line"] is None or finding.line == entry["line"])
        and (entry["pointer"] is None or finding.pointer == entry["pointer"])
    )


def test_every_injected_defect_is_found_where_the_truth_says(defective):
    _export, truth, result = defective
    findings = _failing(result)
    missed = [entry for entry in truth["defects"] if not any(_matches(entry, f) for f in findings)]
    assert missed == []


def test_nothing_is_found_outside_the_injected_defects(defective):
    _export, truth, result = defective
    extra = [
        (f.rule, f.file, f.line, f.pointer)
        for f in _failing(result)
        if not any(_matches(entry, f) for entry in truth["defects"])
    ]
    assert extra == []


def test_the_defects_cover_many_rules_across_families(defective):
    _export, truth, _result = defective
    rules = {rule for entry in truth["defects"] for rule in entry["rules"]}
    families = {rule.split("-")[0] for rule in rules}
    assert len(rules) >= 12
    expected = {"INPUT", "SCHEMA", "IDENTIFIER", "CODE", "EVENT", "PATHWAY", "REFERRAL"}
    assert expected | {"EPICRISIS"} <= families
    kinds = {entry["defect"] for entry in truth["defects"]}
    assert kinds == {defect.name for defect in DEFECTS}  # this size and rate reach every kind


def test_the_truth_file_lists_locations_and_rules(defective):
    export, truth, _result = defective
    assert truth["seed"] == DEFECTIVE.seed
    for entry in truth["defects"]:
        assert (export / entry["file"]).is_file(), entry
        assert entry["rules"], entry
        if entry["file"].endswith(".ndjson"):
            assert entry["line"] >= 1, entry
    assert set(truth["kinds"]) == {defect.name for defect in DEFECTS}


# -- the command ---------------------------------------------------------------------------------


def test_the_command_writes_an_export_and_a_truth_file(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    status = generate_cli.main(
        ["--pathways", "12", "--seed", "2", "--out", str(tmp_path / "x"), "--defect-rate", "0.5"],
        stdout=out,
        stderr=err,
    )
    assert status == 0, err.getvalue()
    assert (tmp_path / "x" / "manifest.json").is_file()
    assert (tmp_path / "x.truth.json").is_file()
    assert "12 pathway instances" in out.getvalue()


@pytest.mark.parametrize(
    "arguments",
    [
        ["--pathways", "0"],
        ["--pathways", "5", "--defect-rate", "1.5"],
        ["--pathways", "5", "--start", "2024-13-01"],
        ["--pathways", "5", "--start", "2025-01-01", "--end", "2024-01-01"],
    ],
)
def test_the_command_refuses_bad_arguments(tmp_path, arguments):
    err = io.StringIO()
    status = generate_cli.main([*arguments, "--out", str(tmp_path / "x")], stderr=err)
    assert status == 2
    assert not (tmp_path / "x").exists()


def test_the_command_refuses_a_non_empty_folder_and_a_truth_file_inside_the_export(tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "old.json").write_text("{}", encoding="utf-8")
    err = io.StringIO()
    full = ["--pathways", "3", "--out", str(tmp_path / "full")]
    assert generate_cli.main(full, stderr=err) == 2
    inside = ["--pathways", "3", "--out", str(tmp_path / "y"), "--truth", str(tmp_path / "y" / "t")]
    assert generate_cli.main(inside, stderr=err) == 2
    with pytest.raises(GeneratorError):
        generate(GeneratorConfig(out=tmp_path / "z", pathways=3, ended_share=2.0))
