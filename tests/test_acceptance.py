"""Configuration, rule selection, waivers, the baseline and fingerprints, through the command."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pakkeforlop import cli
from pakkeforlop.data.catalogue import Severity
from pakkeforlop.engine import check_export
from pakkeforlop.model.findings import Finding, Personal
from pakkeforlop.report import build
from pakkeforlop.report.acceptance import Baseline
from pakkeforlop.report.build import build_report
from pakkeforlop.report.fingerprints import fingerprint_identity, fingerprints
from pakkeforlop.report.formats import github

from .conftest import EXAMPLES
from .test_cli import invoke

LATE = EXAMPLES / "invalid" / "event-after-ending"  # PATHWAY-010, an error


@pytest.fixture
def export(tmp_path: Path) -> Path:
    target = tmp_path / "repo" / "exports" / "late"
    shutil.copytree(LATE, target)
    return target


def _config(folder: Path, text: str, name: str = "pakkeforlop.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _json(capsys, *args: object) -> tuple[int, dict]:
    run = invoke(capsys, "check", *args, "--format", "json")
    return run.code, json.loads(run.out) if run.out else {}


def test_a_waiver_accepts_its_findings_reports_them_and_passes_the_run(capsys, export):
    _config(
        export.parent.parent,
        '[[waivers]]\nrule = "PATHWAY-010"\nfiles = "events.ndjson"\n'
        'justification = "Corrections the registry accepts"\nexpires = 2099-01-01\n',
    )
    code, report = _json(capsys, export)
    assert code == cli.EXIT_OK
    (late,) = [f for f in report["findings"] if f["rule"] == "PATHWAY-010"]
    assert late["accepted"]["by"] == "waiver"
    assert report["summary"]["findings"]["error"] == 0
    assert report["summary"]["accepted"]["waived"] == 1
    assert report["waivers"][0]["state"] == "used"


def test_a_waiver_for_other_files_accepts_nothing_and_is_reported_unused(capsys, export):
    _config(
        export.parent.parent,
        '[[waivers]]\nrule = "PATHWAY-010"\nfiles = "other/*.ndjson"\njustification = "x"\n',
    )
    code, report = _json(capsys, export)
    assert code == cli.EXIT_FINDINGS
    assert report["waivers"][0]["state"] == "unused"


def test_an_expired_waiver_accepts_nothing_and_is_a_warning(capsys, export):
    _config(
        export.parent.parent,
        '[[waivers]]\nrule = "PATHWAY"\njustification = "old"\nexpires = "2020-01-01"\n',
    )
    run = invoke(capsys, "check", export)
    assert run.code == cli.EXIT_FINDINGS
    assert "warning: expired waiver (pakkeforlop.toml: waivers[0])" in run.err
    assert "WARNING: expired waiver" in run.out


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[waivers]]\nrule = "PATHWAY-010"\n', "justification is required"),
        ('[[waivers]]\nrule = "PATHWAY-999"\njustification = "x"\n', "not a rule of the catalogue"),
        ('[[waivers]]\nrule = "PATHWAY-010"\njustification = "  "\n', "needs a justification"),
        ('[[waivers]]\nrule = "PATHWAY-010"\njustification = "x"\nexpires = "soon"\n', "a date"),
        ('fail-on = "never"\n', "fail-on: must be one of error, warning"),
        ('select = ["NOPE"]\n', "neither a rule id nor a rule family"),
        ("jobs = 0\n", "at least 1"),
        ("colour = true\n", "unknown key 'colour'"),
        ("fail-on = [\n", "not valid TOML"),
    ],
)
def test_a_bad_configuration_is_a_usage_error_before_any_work(
    capsys, export, monkeypatch, text, message
):
    _config(export.parent.parent, text)
    monkeypatch.setattr(cli.check, "check_paths", lambda *a, **k: pytest.fail("checked"))
    run = invoke(capsys, "check", export)
    assert run.code == cli.EXIT_USAGE, run.err
    assert message in run.err


def test_pyproject_tool_table_is_read_and_the_command_line_wins(capsys, export):
    _config(export.parent.parent, '[tool.pakkeforlop]\nignore = ["PATHWAY"]\n', "pyproject.toml")
    code, report = _json(capsys, export)
    assert code == cli.EXIT_OK  # PATHWAY-010 ignored
    ignored = {r["id"]: r for r in report["rules"]}["PATHWAY-010"]
    assert ignored["outcome"] == "skipped"
    assert ignored["reason"] == "ignored (ignore = PATHWAY)"
    assert not [f for f in report["findings"] if f["rule"].startswith("PATHWAY")]
    code, _ = _json(capsys, export, "--ignore", "CODE")
    assert code == cli.EXIT_FINDINGS  # the command line's ignore replaces the file's
    code, _ = _json(capsys, export, "--no-config")
    assert code == cli.EXIT_FINDINGS


def test_select_reports_only_the_selected_rules(capsys, export):
    code, report = _json(capsys, export, "--select", "IDENTIFIER,CODE-001")
    assert code == cli.EXIT_OK
    assert {f["rule"] for f in report["findings"]} <= {"IDENTIFIER-003", "CODE-001"}
    outcomes = {r["id"]: r["outcome"] for r in report["rules"]}
    assert outcomes["PATHWAY-010"] == "skipped"


def test_a_config_file_beside_the_export_is_found_and_its_paths_are_its_own(capsys, export):
    _config(export.parent.parent, 'outputs = { sarif = "reports/out.sarif" }\nlang = "nb"\n')
    (export.parent.parent / "reports").mkdir()
    run = invoke(capsys, "check", export)
    assert run.code == cli.EXIT_FINDINGS
    assert "IKKE BESTÅTT" in run.out
    sarif = json.loads((export.parent.parent / "reports" / "out.sarif").read_text("utf-8"))
    assert sarif["runs"][0]["language"] == "nb"


def test_the_baseline_accepts_known_findings_and_fails_new_ones(capsys, export, tmp_path):
    baseline = tmp_path / "baseline.json"
    run = invoke(capsys, "check", export, "--write-baseline", baseline)
    assert run.code == cli.EXIT_OK, run.err
    code, report = _json(capsys, export, "--baseline", baseline)
    assert code == cli.EXIT_OK
    assert report["summary"]["accepted"]["baseline"] == 1
    # A second export with the same defect is new: its fingerprints are not in the baseline.
    shutil.copytree(LATE, export.parent / "late-2")
    code, report = _json(capsys, export.parent, "--baseline", baseline)
    assert code == cli.EXIT_FINDINGS
    new = [f for f in report["findings"] if f["rule"] == "PATHWAY-010" and "accepted" not in f]
    assert [f["file"].split("/")[-2] for f in new] == ["late-2"]


def test_a_bad_baseline_is_a_usage_error(capsys, export, tmp_path):
    bad = tmp_path / "baseline.json"
    bad.write_text('{"findings": []}', encoding="utf-8")
    run = invoke(capsys, "check", export, "--baseline", bad)
    assert run.code == cli.EXIT_USAGE
    assert "not a pakkeforlop baseline" in run.err
    run = invoke(capsys, "check", export, "--baseline", tmp_path / "missing.json")
    assert run.code == cli.EXIT_USAGE


# --- Fingerprints ---------------------------------------------------------------------------------


def test_fingerprints_ignore_where_the_export_lies_and_the_line(tmp_path):
    one = check_export(LATE, display_root="a/late")
    two = check_export(LATE, display_root="elsewhere/deeper/late")
    assert list(fingerprints([one])) == list(fingerprints([two]))
    finding = one.findings[0]
    moved = Finding(**{**{n: getattr(finding, n) for n in finding.__slots__}, "line": 999})
    assert fingerprint_identity(moved, "a/late") == fingerprint_identity(finding, "a/late")


def test_fingerprints_never_hold_a_person_number_and_tell_equal_findings_apart():
    def finding(value: str) -> Finding:
        return Finding(
            rule="IDENTIFIER-001",
            severity=Severity.ERROR,
            file="x/12345678901.json",
            template="{who}",
            args={"who": Personal(value)},
            pointer="/patient",
        )

    identity = fingerprint_identity(finding("12345678901"), "x")
    assert "12345678901" not in identity
    assert "*********01" in identity
    export = check_export(LATE)
    export.findings[:] = [finding("12345678901"), finding("12345678901")]
    first, second = fingerprints([export])
    assert first != second
    assert len(first) == 32


def test_fingerprints_are_made_once_and_only_when_asked_for(monkeypatch):
    # A report whose findings no waiver or baseline judges makes their fingerprints only when
    # a view asks for one (the summary of a --quiet run asks none); then all at once, the same
    # as made straight away.
    made: list[int] = []

    def counted(exports):
        made.append(1)
        return fingerprints(exports)

    monkeypatch.setattr(build, "fingerprints", counted)
    export = check_export(LATE)
    report = build_report([export])
    assert report.findings
    assert made == []
    assert report.failed
    assert made == []
    expected = list(fingerprints([export]))
    assert [report.status(f).fingerprint for f in report.findings] == expected
    assert made == [1]
    baseline = Baseline(
        "test",
        {
            fingerprint: finding.count
            for fingerprint, finding in zip(expected, report.findings, strict=True)
        },
    )
    judged = build_report([export], baseline=baseline)
    assert made == [1, 1]
    assert judged.active == []


# --- Formats --------------------------------------------------------------------------------------


def test_github_annotations_escape_what_would_end_or_forge_a_command():
    assert github.escape_data("50%\r\n::error::x") == "50%25%0D%0A::error::x"
    assert github.escape_property("a,b:c%") == "a%2Cb%3Ac%25"
    export = check_export(LATE, display_root="exp,1:x\nforged")
    lines = github.render(build_report([export])).splitlines()
    assert lines
    assert all(line.startswith(("::error ", "::warning ")) for line in lines)
    assert "file=exp%2C1%3Ax" in lines[0]


def test_github_annotations_follow_the_text_report_only_on_github(capsys, export, monkeypatch):
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    assert "::error " not in invoke(capsys, "check", export).out
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert "::error file=" in invoke(capsys, "check", export).out
    assert "::error" not in invoke(capsys, "check", export, "--format", "json").out


def test_one_run_writes_every_format_and_checks_every_destination_first(
    capsys, export, tmp_path, monkeypatch
):
    out = tmp_path / "out"
    out.mkdir()
    run = invoke(
        capsys, "check", export, "--output-json", out / "r.json", "--output-junit", out / "r.xml",
        "--output-html", out / "r.html", "--format", f"sarif:{out / 'r.sarif'}",
        "--format", f"gitlab:{out / 'cq.json'}",
    )  # fmt: skip
    assert run.code == cli.EXIT_FINDINGS
    assert run.out.splitlines()[1].startswith("FAIL")  # text on the terminal alongside
    assert sorted(path.name for path in out.iterdir()) == [
        "cq.json", "r.html", "r.json", "r.sarif", "r.xml"
    ]  # fmt: skip
    monkeypatch.setattr(cli.check, "check_paths", lambda *a, **k: pytest.fail("checked"))
    for options in (
        ["--output-sarif", str(tmp_path / "missing" / "r.sarif")],
        ["--format", "json", "--format", "html"],
        [
            "--output-json",
            str(out / "same"),
            "--format",
            f"json:{out / 'same'}",
            "-f",
            "sarif:" + str(out / "same"),
        ],
        ["--format", "nope:x"],
    ):
        assert invoke(capsys, "check", export, *options).code == cli.EXIT_USAGE, options


def test_explain_prints_the_rule_its_source_and_a_failing_and_a_passing_case(capsys):
    run = invoke(capsys, "explain", "referral-003")
    assert run.code == cli.EXIT_OK
    for expected in ("REFERRAL-003", "Requirement:", "Severity:", "Source:", "Fails: ", "Passes: "):
        assert expected in run.out
    assert invoke(capsys, "explain", "NOPE-001").code == cli.EXIT_USAGE


def test_rules_json_carries_the_whole_catalogue_entry(capsys):
    listed = json.loads(invoke(capsys, "rules", "--format", "json").out)
    entry = {rule["id"]: rule for rule in listed}["REFERRAL-003"]
    for key in ("statement", "messageNb", "evidence", "sourceType", "source", "verb", "since"):
        assert entry[key], key


def test_norwegian_messages_come_from_the_catalogue(capsys, export):
    code, report = _json(capsys, export, "--lang", "nb")
    assert report["lang"] == "nb"
    late = next(f for f in report["findings"] if f["rule"] == "PATHWAY-010")
    english = next(f for f in _json(capsys, export)[1]["findings"] if f["rule"] == "PATHWAY-010")
    assert late["message"] != english["message"]
    assert late["fingerprint"] == english["fingerprint"]  # the language changes no fingerprint
    assert code == cli.EXIT_FINDINGS
