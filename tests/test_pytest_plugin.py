"""The pytest plugin and the conformance suite, run in pytest subprocesses through ``pytester``.

Every run is a subprocess: in-process runs would share the already imported kit (and, with the
plugin installed, trip pytest's assertion-rewrite warning). Expected outcomes are never
written down here: they come from the engine and the report in this process, so the suite
stays right while rule families are added, and this checks that pytest and the command give
the same results for the same export.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import xml.etree.ElementTree as ET
from importlib.metadata import entry_points
from pathlib import Path

import pytest

import pakkeforlop
import pakkeforlop.rules  # imported before pytester snapshots sys.modules: see below
from pakkeforlop import SPEC_VERSION, cli
from pakkeforlop.data.catalogue import Severity, catalogue
from pakkeforlop.engine import ExportResult, check_export, iter_exports
from pakkeforlop.pytest_plugin import MAX_LISTED
from pakkeforlop.report.build import Outcome, Report, build_report
from pakkeforlop.report.formats import finding_line

from .conftest import EXAMPLES, REPO_ROOT

pytest_plugins = ["pytester"]

# Why `import pakkeforlop.rules` above: pytester removes the modules a test imports when the
# test ends. The rule modules register their checks on import, so a second import would
# register them twice. Importing them with this module, before any test, keeps them out of
# that clean-up.

CONFORMANCE = REPO_ROOT / "conformance"
VALID = EXAMPLES / "valid" / "d11-phv-adults-completed"
#: An export whose one defect the engine itself reports (a schema violation): SCHEMA-002.
NO_HPR = EXAMPLES / "invalid" / "referral-referrer-without-hpr"

IMPORTED_FROM_CHECKOUT = Path(pakkeforlop.__file__).resolve().is_relative_to(REPO_ROOT / "src")
ENTRY_POINT_INSTALLED = bool(entry_points(group="pytest11", name="pakkeforlop"))
#: How a run outside conformance/ loads the plugin: the entry point, or -p without one.
LOAD_PLUGIN = [] if ENTRY_POINT_INSTALLED else ["-p", "pakkeforlop.pytest_plugin"]


@pytest.fixture
def run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch):
    """Run pytest in a subprocess, importing pakkeforlop from wherever this process does."""
    if IMPORTED_FROM_CHECKOUT:
        paths = [str(REPO_ROOT / "src")]
        paths += [
            str(Path(p).resolve()) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p
        ]
        monkeypatch.setenv("PYTHONPATH", os.pathsep.join(paths))

    def run_pytest(*args: str) -> pytest.RunResult:
        return pytester.runpytest_subprocess("-p", "no:cacheprovider", *args)

    return run_pytest


def expected_report(
    path: Path, *, fail_on: Severity = Severity.ERROR, masked: bool = True
) -> Report:
    """What the engine and the report say about ``path``: the command's view of it."""
    results: list[ExportResult] = [check_export(root) for root in iter_exports(path)]
    return build_report(results, fail_on=fail_on, masked=masked)


def junit_outcomes(path: Path) -> dict[str, tuple[str, str]]:
    """Each rule's outcome in a JUnit XML file, with the failure or skip message."""
    outcomes = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        name = case.get("name", "")
        assert name.startswith("test_rule["), name
        assert name.endswith("]"), name
        rule_id = name.removeprefix("test_rule[").removesuffix("]")
        assert rule_id not in outcomes, f"{rule_id} has two testcases"
        outcome, message = "passed", ""
        for kind in ("failure", "error", "skipped"):
            element = case.find(kind)
            if element is not None:
                outcome = {"failure": "failed", "error": "error", "skipped": "skipped"}[kind]
                message = f"{element.get('message', '')}\n{element.text or ''}"
        outcomes[rule_id] = (outcome, message)
    return outcomes


def report_outcomes(report: Report) -> dict[str, str]:
    return {result.rule.id: str(result.outcome) for result in report.rule_results}


# -- inert until asked ---------------------------------------------------------------------

PROBE = """
import sys

import pytest

def pytest_sessionfinish(session):
    loaded = sorted(name for name in sys.modules if name.split(".")[0] == "pakkeforlop")
    with open("loaded.txt", "w", encoding="utf-8") as handle:
        handle.write("\\n".join(loaded))
"""


def test_without_an_export_the_plugin_changes_nothing_in_an_unrelated_run(pytester, run):
    pytester.makepyfile(test_unrelated="def test_unrelated():\n    assert 1 + 1 == 2\n")
    pytester.makepyfile(probe=PROBE)
    result = run(*LOAD_PLUGIN, "-p", "probe", "-W", "error")
    result.assert_outcomes(passed=1)
    assert not [line for line in result.outlines if line.startswith("pakkeforlop")]
    assert "pakkeforlop conformance" not in result.stdout.str()
    # Nothing of the kit but the plugin module itself was imported.
    loaded = (pytester.path / "loaded.txt").read_text(encoding="utf-8").split()
    assert set(loaded) <= {"pakkeforlop", "pakkeforlop.pytest_plugin"}
    # ... and the plugin was loaded: its options are there.
    assert "--pakkeforlop-export" in run(*LOAD_PLUGIN, "--help").stdout.str()


def test_the_suite_without_an_export_is_a_usage_error_not_a_green_run(run):
    # A CI job that forgot --export must fail, not pass with every rule skipped.
    result = run(str(CONFORMANCE))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "no export given: pass --pakkeforlop-export=PATH" in result.stderr.str()
    result.assert_outcomes()  # nothing ran


def test_the_suite_with_the_plugin_switched_off_is_a_usage_error_too(run):
    result = run(str(CONFORMANCE), "-p", "no:pakkeforlop")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "plugin is disabled" in result.stderr.str()


def test_a_missing_export_is_a_usage_error(run, tmp_path):
    result = run(str(CONFORMANCE), "--export", str(tmp_path / "missing"))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "no such file or folder" in result.stderr.str()


# -- outcomes per rule ---------------------------------------------------------------------


def test_a_valid_export_fails_nothing_and_skips_what_it_does_not_exercise(run, tmp_path):
    report = expected_report(VALID)
    counts = {
        outcome: sum(r.outcome is outcome for r in report.rule_results) for outcome in Outcome
    }
    assert counts[Outcome.FAILED] == 0
    assert counts[Outcome.SKIPPED] > 0
    result = run(
        str(CONFORMANCE), "--export", str(VALID), "--junitxml", str(tmp_path / "junit.xml")
    )
    result.assert_outcomes(passed=counts[Outcome.PASSED], skipped=counts[Outcome.SKIPPED])
    result.stdout.fnmatch_lines(
        [
            f"pakkeforlop {pakkeforlop.__version__} (spec {SPEC_VERSION}), fail on error, "
            "personal values masked",
            "pakkeforlop code lists: 9321 *, 9327 *",
            f"pakkeforlop exports: {VALID.as_posix()}",
        ]
    )
    # Never exercised means skipped, with the report's reason, and never passed.
    outcomes = junit_outcomes(tmp_path / "junit.xml")
    assert {rule: outcome for rule, (outcome, _) in outcomes.items()} == report_outcomes(report)
    for rule_result in report.rule_results:
        if rule_result.outcome is Outcome.SKIPPED:
            outcome, message = outcomes[rule_result.rule.id]
            assert outcome == "skipped"
            assert f"{rule_result.rule.id} {rule_result.reason}" in message


@pytest.mark.parametrize(
    "export",
    [NO_HPR, EXAMPLES / "invalid" / "event-ungrammatical-code"],
    ids=lambda path: path.name,
)
def test_every_rule_gets_one_junit_testcase_with_the_reports_outcome(run, tmp_path, export):
    result = run(
        str(CONFORMANCE), "--export", str(export), "--junitxml", str(tmp_path / "junit.xml")
    )
    expected = report_outcomes(expected_report(export))
    outcomes = junit_outcomes(tmp_path / "junit.xml")
    assert {rule: outcome for rule, (outcome, _) in outcomes.items()} == expected
    assert result.ret == (
        pytest.ExitCode.TESTS_FAILED if "failed" in expected.values() else pytest.ExitCode.OK
    )


def test_a_failed_rule_shows_its_findings_instead_of_a_traceback(run):
    result = run(str(CONFORMANCE), "--export", str(NO_HPR), "-k", "SCHEMA-002")
    result.assert_outcomes(failed=1, deselected=len(catalogue()) - 1)
    (finding,) = [f for f in expected_report(NO_HPR).findings if f.rule == "SCHEMA-002"]
    assert (finding.pointer, finding.file) == (
        "/sender/referrer",
        f"{NO_HPR.as_posix()}/referral.json",
    )
    result.stdout.fnmatch_lines(
        [
            "*_ test_rule[[]SCHEMA-002[]] _*",
            "SCHEMA-002 [[]error[]] * 1 finding, fails at --pakkeforlop-fail-on error",
            f"  {finding_line(finding, masked=True)}",
        ]
    )
    output = result.stdout.str()
    for trace in ("Traceback", "def test_rule", "pytest.fail(", "\nE   "):
        assert trace not in output


def test_k_selects_a_family_by_its_prefix(run):
    result = run(str(CONFORMANCE), "--export", str(NO_HPR), "-k", "SCHEMA", "--collect-only", "-q")
    schema_rules = [rule_id for rule_id in catalogue() if rule_id.startswith("SCHEMA-")]
    selected = [line for line in result.outlines if "::test_rule[" in line]
    assert sorted(line.split("[")[-1].rstrip("]") for line in selected) == schema_rules


# -- the same findings as the command ------------------------------------------------------


#: What a finding is, in the command's JSON report and in the findings JSON of a pytest run.
FINDING_KEYS = ("rule", "severity", "file", "line", "column", "pointer", "xpath", "instance")


def _findings(entries, *, keys=(*FINDING_KEYS, "message")):
    return sorted(json.dumps({key: entry.get(key) for key in keys}) for entry in entries)


@pytest.mark.parametrize(("fail_on", "masked"), [("error", True), ("warning", False)])
def test_pytest_and_the_command_give_the_same_findings_for_the_same_export(
    run, tmp_path, fail_on, masked
):
    invalid = EXAMPLES / "invalid"
    stdout, stderr = io.StringIO(), io.StringIO()
    command_line = ["check", str(invalid), "--format", "json", "--fail-on", fail_on]
    status = cli.main(
        command_line + ([] if masked else ["--no-mask"]), stdout=stdout, stderr=stderr
    )
    assert status == cli.EXIT_FINDINGS, stderr.getvalue()
    command = json.loads(stdout.getvalue())

    options = ["--export", str(invalid), "--pakkeforlop-fail-on", fail_on]
    options += ["--pakkeforlop-findings-json", str(tmp_path / "findings.json")]
    options += ["--junitxml", str(tmp_path / "junit.xml")]
    run(str(CONFORMANCE), *options, *([] if masked else ["--pakkeforlop-no-mask"]))
    recorded = json.loads((tmp_path / "findings.json").read_text(encoding="utf-8"))
    assert (recorded["fail_on"], recorded["masked"]) == (fail_on, masked)
    items = recorded["items"]
    assert {item["rule"]: item["outcome"] for item in items} == {
        rule["id"]: rule["outcome"] for rule in command["rules"]
    }
    assert "failed" in {item["outcome"] for item in items}
    reported = [finding for item in items for finding in item["findings"]]
    assert _findings(reported) == _findings(command["findings"])

    # A failed item's failure text lists the rule's findings as the command's text report does.
    report = expected_report(invalid, fail_on=Severity(fail_on), masked=masked)
    outcomes = junit_outcomes(tmp_path / "junit.xml")
    for rule_result in report.rule_results:
        if rule_result.outcome is Outcome.FAILED:
            outcome, message = outcomes[rule_result.rule.id]
            assert outcome == "failed"
            findings = [f for f in report.findings if f.rule == rule_result.rule.id]
            for finding in findings[:MAX_LISTED]:
                assert finding_line(finding, masked=masked) in message


def _findings(entries):
    """Findings as comparable text: what they are and say (the command adds the rule's URL)."""
    keys = ("rule", "severity", "file", "line", "column", "pointer", "xpath", "instance", "message")
    return sorted(json.dumps({key: entry.get(key) for key in keys}) for entry in entries)


PATCH_ENGINE = """
import pakkeforlop.engine.entry

calls = []
_check_export = pakkeforlop.engine.entry.check_export

def counting_check_export(*args, **kwargs):
    calls.append(args[0])
    return _check_export(*args, **kwargs)

pakkeforlop.engine.entry.check_export = counting_check_export

def pytest_sessionfinish(session):
    with open("calls.txt", "w", encoding="utf-8") as handle:
        handle.write(str(len(calls)))
"""


def test_the_exports_are_checked_once_per_session(pytester, run):
    pytester.makepyfile(count_checks=PATCH_ENGINE)
    valid = EXAMPLES / "valid"
    result = run(str(CONFORMANCE), "--export", str(valid), "-p", "count_checks")
    passed = sum(r.outcome is Outcome.PASSED for r in expected_report(valid).rule_results)
    result.assert_outcomes(passed=passed, skipped=len(catalogue()) - passed)
    assert int((pytester.path / "calls.txt").read_text(encoding="utf-8")) == len(
        list(iter_exports(valid))
    )


# -- from the installed package ------------------------------------------------------------


@pytest.mark.skipif(
    IMPORTED_FROM_CHECKOUT,
    reason="pakkeforlop is imported from the source tree (PYTHONPATH=src or an editable install), "
    "which has no pakkeforlop.conformance; install it with `pip install .` to test --pyargs",
)
def test_the_installed_package_runs_the_suite_with_pyargs(pytester, run):
    shutil.copytree(VALID, pytester.path / "export")
    report = expected_report(VALID)
    result = run("--pyargs", "pakkeforlop.conformance", "--export", "export")
    passed = sum(r.outcome is Outcome.PASSED for r in report.rule_results)
    result.assert_outcomes(passed=passed, skipped=len(report.rule_results) - passed)
    result.stdout.fnmatch_lines(["pakkeforlop exports: export"])
