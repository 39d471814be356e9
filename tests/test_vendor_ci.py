"""A vendor's CI, end to end, from the built wheel: install, configure, waive, baseline, report
once in every format, and the pre-commit hook, the GitHub Action and the GitLab template.

Everything runs offline: the wheel and the sdist are built here (``python -m build
--no-isolation``), and pip installs them and every dependency from a wheelhouse made from
the test environment's own distributions (``tests/wheelhouse.py``), with no package index.
The reports are checked by their consumers' rules: SARIF against the SARIF 2.1.0 schema, JUnit
against Jenkins xUnit's strict schema (both in ``tests/data``), the JSON report against the
kit's report schema, and the HTML report in headless Chromium.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import textwrap
import zipfile
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest
import yaml
from lxml import etree

from pakkeforlop import __version__
from pakkeforlop.data import schemas
from pakkeforlop.report.formats.json_report import REPORT_SCHEMA_ID

from . import wheelhouse
from .conftest import EXAMPLES, REPO_ROOT
from .test_docs import CHROMIUM, Chromium, needs_chromium

DATA = REPO_ROOT / "tests" / "data"
WAIVED = "Late events after D11XG are corrections the registry accepts (ticket EPJ-1234)."


@dataclass(frozen=True)
class Built:
    """The built distributions and an offline wheelhouse with everything they need."""

    wheel: Path
    sdist: Path
    wheelhouse: Path

    def pip_environment(self, **more: str) -> dict[str, str]:
        """The environment of a pip that installs from the wheelhouse alone."""
        return {
            **os.environ,
            "PIP_NO_INDEX": "1",
            "PIP_FIND_LINKS": str(self.wheelhouse),
            "PIP_CONFIG_FILE": os.devnull,
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            **more,
        }


def _run(command: list[str], **options: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        command, capture_output=True, text=True, check=False, timeout=600, **options
    )


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """``python -m build`` (sdist, then the wheel from the sdist), and the wheelhouse."""
    out = tmp_path_factory.mktemp("dist")
    build = _run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(REPO_ROOT)]
    )
    assert build.returncode == 0, build.stdout + build.stderr
    (wheel,) = out.glob("pakkeforlop-*.whl")
    (sdist,) = out.glob("pakkeforlop-*.tar.gz")
    house = tmp_path_factory.mktemp("wheelhouse")
    wheelhouse.build(house, ["pakkeforlop", "hatchling", "pytest"])
    shutil.copy2(wheel, house)
    return Built(wheel, sdist, house)


@pytest.fixture(scope="session")
def installed(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel installed from the wheelhouse: its bin/."""
    venv = tmp_path_factory.mktemp("vendor-venv")
    assert _run([sys.executable, "-m", "venv", str(venv)]).returncode == 0
    pip = [str(venv / "bin" / "python"), "-m", "pip"]
    result = _run([*pip, "install", str(built.wheel), "pytest"], env=built.pip_environment())
    assert result.returncode == 0, result.stdout + result.stderr
    check = _run([*pip, "check"], env=built.pip_environment())
    assert check.returncode == 0, check.stdout
    return venv / "bin"


def test_the_sdist_and_the_wheel_carry_what_a_user_needs(built: Built):
    with zipfile.ZipFile(built.wheel) as wheel:
        names = set(wheel.namelist())
        metadata = wheel.read(f"pakkeforlop-{__version__}.dist-info/METADATA").decode()
    assert "pakkeforlop/py.typed" in names
    assert f"pakkeforlop-{__version__}.dist-info/licenses/LICENSE" in names
    assert "pakkeforlop/_data/spec/fixtures/REFERRAL-003.toml" in names  # for `explain`
    assert "pakkeforlop/conformance/test_conformance.py" in names
    assert "License-Expression: MIT" in metadata
    assert "Requires-Dist: jsonschema-rs" in metadata  # the fast validator is not optional
    assert "Typing :: Typed" in metadata
    with tarfile.open(built.sdist) as sdist:
        members = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
        files = {
            member.name.split("/", 1)[1] for member in sdist.getmembers() if not member.isdir()
        }
    for needed in ("CHANGELOG.md", "LICENSE", "README.md", "action.yml", ".pre-commit-hooks.yaml"):
        assert needed in members, needed
    assert "integrations/pakkeforlop.gitlab-ci.yml" in members
    tracked = _run(["git", "ls-files"], cwd=REPO_ROOT)
    if tracked.returncode == 0:  # a checkout: the sdist holds sources only, nothing a run left
        assert files - set(tracked.stdout.splitlines()) == {"PKG-INFO"}


# --- The vendor's repository ---------------------------------------------------------------------

CONFIG = """
[project]
name = "vendor-epj"
version = "1.0"

[tool.pakkeforlop]
fail-on = "error"
{baseline}
[tool.pakkeforlop.outputs]
json = "reports/pakkeforlop.json"
junit = "reports/pakkeforlop-junit.xml"
html = "reports/pakkeforlop.html"
sarif = "reports/pakkeforlop.sarif"

[[tool.pakkeforlop.waivers]]
rule = "PATHWAY-010"
files = "events.ndjson"
justification = "{waived}"
expires = 2099-12-31

[[tool.pakkeforlop.waivers]]
rule = "CODE-002"
justification = "Accepted until the 2024 code list was confirmed."
expires = 2020-01-01
"""


def _vendor_repository(root: Path, *, baseline: bool) -> Path:
    """A vendor's repository: two exports with one error each, and its configuration."""
    exports = root / "exports"
    if not exports.exists():
        shutil.copytree(EXAMPLES / "invalid" / "event-after-ending", exports / "late-events")
        shutil.copytree(EXAMPLES / "invalid" / "event-prefix-mismatch", exports / "legacy")
        (root / "reports").mkdir()
    line = 'baseline = "pakkeforlop-baseline.json"\n' if baseline else ""
    (root / "pyproject.toml").write_text(CONFIG.format(baseline=line, waived=WAIVED), "utf-8")
    return root


def _reports(root: Path) -> dict[str, Path]:
    folder = root / "reports"
    return {
        "json": folder / "pakkeforlop.json",
        "junit": folder / "pakkeforlop-junit.xml",
        "html": folder / "pakkeforlop.html",
        "sarif": folder / "pakkeforlop.sarif",
    }


def _check_reports(root: Path) -> tuple[dict, dict]:
    """Every report of the run, each checked against its consumer's schema."""
    files = _reports(root)
    report = json.loads(files["json"].read_text("utf-8"))
    errors = sorted(schemas.validator(REPORT_SCHEMA_ID).iter_errors(report), key=str)
    assert not errors, errors[0].message
    sarif = json.loads(files["sarif"].read_text("utf-8"))
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text("utf-8"))
    validator = jsonschema.Draft4Validator(schema)
    errors = sorted(validator.iter_errors(sarif), key=str)
    assert not errors, f"{errors[0].json_path}: {errors[0].message}"
    junit = etree.parse(str(files["junit"]))
    strict = etree.XMLSchema(etree.parse(str(DATA / "junit-10.xsd")))
    assert strict.validate(junit), strict.error_log
    page = files["html"].read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "http://" not in page.split("</head>")[0]
    return report, sarif


def _results(sarif: dict) -> dict[str, list[dict]]:
    by_rule: dict[str, list[dict]] = {}
    for result in sarif["runs"][0]["results"]:
        by_rule.setdefault(result["ruleId"], []).append(result)
    return by_rule


def test_a_vendors_ci_from_the_built_wheel(installed: Path, tmp_path: Path):
    command = str(installed / "pakkeforlop")
    root = _vendor_repository(tmp_path / "vendor", baseline=False)
    _first_run_waives_one_finding_and_fails_on_the_other(command, root)
    fingerprints = _a_baseline_accepts_todays_findings(command, root)
    _fingerprints_are_the_same_elsewhere(command, root, tmp_path, fingerprints)
    _a_new_defect_fails_the_run_and_only_it_is_new(command, root)
    _bad_settings_are_exit_status_2_before_any_work(command, root)


def _first_run_waives_one_finding_and_fails_on_the_other(command: str, root: Path) -> None:
    # 1. The first run: PATHWAY-010 is waived, CODE-004 is not, so the run fails; one run
    #    writes every report, and the expired waiver is a warning.
    first = _run([command, "check", "exports"], cwd=root)
    assert first.returncode == 1, first.stdout + first.stderr
    assert "pakkeforlop: warning: expired waiver (pyproject.toml: waivers[1])" in first.stderr
    assert first.stdout.splitlines()[1].startswith("FAIL (fail on error)")
    assert "CODE-004 error" in first.stdout
    report, sarif = _check_reports(root)
    waived = [f for f in report["findings"] if f.get("accepted", {}).get("by") == "waiver"]
    assert [f["rule"] for f in waived] == ["PATHWAY-010"]
    assert waived[0]["accepted"] == {
        "by": "waiver",
        "justification": WAIVED,
        "expires": "2099-12-31",
    }
    assert report["summary"]["accepted"] == {"waived": 1, "baseline": 0}
    assert [w["state"] for w in report["waivers"]] == ["used", "expired"]
    (late,) = _results(sarif)["PATHWAY-010"]
    assert late["suppressions"] == [
        {"kind": "external", "status": "accepted", "justification": WAIVED}
    ]
    assert "suppressions" not in _results(sarif)["CODE-004"][0]


def _a_baseline_accepts_todays_findings(command: str, root: Path) -> list[str]:
    # 2. Accept today's findings: write a baseline. The run then passes.
    written = _run(
        [command, "check", "exports", "--write-baseline", "pakkeforlop-baseline.json"], cwd=root
    )
    assert written.returncode == 0, written.stdout + written.stderr
    baseline = json.loads((root / "pakkeforlop-baseline.json").read_text("utf-8"))
    assert {entry["rule"] for entry in baseline["findings"]} >= {"CODE-004"}
    assert "PATHWAY-010" not in {entry["rule"] for entry in baseline["findings"]}  # waived

    # 3. With the baseline in the configuration: the known finding is reported, not failed.
    _vendor_repository(root, baseline=True)
    known = _run([command, "check", "exports"], cwd=root)
    assert known.returncode == 0, known.stdout + known.stderr
    report, sarif = _check_reports(root)
    assert report["summary"]["result"] == "passed"
    assert report["baseline"].endswith("pakkeforlop-baseline.json")
    assert {r["baselineState"] for r in _results(sarif)["CODE-004"]} == {"unchanged"}
    fingerprints = [f["fingerprint"] for f in report["findings"]]
    assert len(set(fingerprints)) == len(fingerprints)
    return fingerprints


def _fingerprints_are_the_same_elsewhere(
    command: str, root: Path, tmp_path: Path, fingerprints: list[str]
) -> None:
    # The fingerprints are the same on another machine, with the repository elsewhere.
    elsewhere = tmp_path / "another" / "checkout"
    shutil.copytree(root, elsewhere)
    again = _run([command, "check", "exports", "-q"], cwd=elsewhere)
    assert again.returncode == 0, again.stdout + again.stderr
    moved = json.loads(_reports(elsewhere)["json"].read_text("utf-8"))
    assert [f["fingerprint"] for f in moved["findings"]] == fingerprints


def _a_new_defect_fails_the_run_and_only_it_is_new(command: str, root: Path) -> None:
    # 4. A new defect fails the run, and only it is new.
    shutil.copytree(EXAMPLES / "invalid" / "event-ungrammatical-code", root / "exports" / "new")
    new = _run([command, "check", "exports"], cwd=root)
    assert new.returncode == 1, new.stdout + new.stderr
    report, sarif = _check_reports(root)
    states = {
        (result["ruleId"], result["baselineState"])
        for result in sarif["runs"][0]["results"]
        if result["level"] == "error"
    }
    assert ("CODE-001", "new") in states
    assert ("CODE-004", "unchanged") in states
    failing = {
        f["rule"] for f in report["findings"] if f["severity"] == "error" and "accepted" not in f
    }
    assert "CODE-001" in failing
    assert "CODE-004" not in failing

    # 5. --exit-zero writes the reports and leaves the decision to a later step.
    assert _run([command, "check", "exports", "--exit-zero", "-q"], cwd=root).returncode == 0


def _bad_settings_are_exit_status_2_before_any_work(command: str, root: Path) -> None:
    # 6. A report that cannot go where it is asked to is exit status 2, before any work.
    for report_file in _reports(root).values():
        report_file.unlink()
    bad = _run([command, "check", "exports", "--output-sarif", "missing/folder/r.sarif"], cwd=root)
    assert bad.returncode == 2, bad.stderr
    assert "--output-sarif missing/folder/r.sarif" in bad.stderr
    assert not any(path.exists() for path in _reports(root).values())

    # 7. A misspelt key in the configuration is exit status 2 too: a waiver never silently
    #    waives nothing.
    pyproject = root / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text("utf-8").replace("justification", "justifcation", 1), "utf-8"
    )
    typo = _run([command, "check", "exports"], cwd=root)
    assert typo.returncode == 2
    assert "unknown key 'justifcation'" in typo.stderr


@needs_chromium
def test_the_html_report_of_the_vendor_run_renders_in_chromium(
    installed: Path, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
):
    root = _vendor_repository(tmp_path / "vendor", baseline=False)
    shutil.copytree(EXAMPLES / "valid", root / "exports" / "valid")
    result = _run([str(installed / "pakkeforlop"), "check", "exports", "-q"], cwd=root)
    assert result.returncode == 1, result.stderr
    page = _reports(root)["html"]
    assert CHROMIUM is not None
    browser = Chromium(CHROMIUM, tmp_path_factory.mktemp("chromium-profile"))
    try:
        rendered = browser.render(
            page.as_uri(),
            "JSON.stringify({failed: document.querySelectorAll('#failed .rule').length,"
            " text: document.body.innerText.length})",
        )
    finally:
        browser.close()
    assert not rendered.errors, rendered.errors
    seen = json.loads(rendered.value)
    assert seen["failed"] >= 1, seen
    assert seen["text"] > 1000, seen
    assert rendered.screenshot.startswith(b"\x89PNG")
    assert len(rendered.screenshot) > 20_000, "the screenshot looks empty"
    (tmp_path / "report.png").write_bytes(rendered.screenshot)


def test_the_conformance_suite_without_an_export_fails_as_a_usage_error(installed: Path, tmp_path):
    result = _run(
        [str(installed / "python"), "-m", "pytest", "--pyargs", "pakkeforlop.conformance", "-q"],
        cwd=tmp_path,
    )
    assert result.returncode == pytest.ExitCode.USAGE_ERROR, result.stdout + result.stderr
    assert "no export given" in result.stderr
    passing = _run(
        [
            str(installed / "python"),
            "-m",
            "pytest",
            "--pyargs",
            "pakkeforlop.conformance",
            "-q",
            f"--pakkeforlop-export={EXAMPLES / 'valid' / 'd11-phv-adults-completed'}",
        ],
        cwd=tmp_path,
    )
    assert passing.returncode == 0, passing.stdout[-3000:]


def test_explain_works_from_the_wheel(installed: Path):
    result = _run([str(installed / "pakkeforlop"), "explain", "REFERRAL-003"])
    assert result.returncode == 0, result.stderr
    assert "Fails: " in result.stdout
    assert "Passes: " in result.stdout


# --- pre-commit, the GitHub Action and the GitLab template -------------------------------------


@pytest.fixture(scope="session")
def hook_repository(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """This repository as it is now (committed or not), committed in a fresh git repository:
    what pre-commit clones, and what the GitHub Action runs from."""
    listed = _run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO_ROOT
    )
    assert listed.returncode == 0, listed.stderr
    target = tmp_path_factory.mktemp("hook-repository")
    for name in filter(None, listed.stdout.split("\0")):
        source = REPO_ROOT / name
        if source.is_file() and not source.is_symlink():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid"]
    for step in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "snapshot"]):
        result = _run([*git, *step], cwd=target)
        assert result.returncode == 0, result.stderr
    head = _run(["git", "rev-parse", "HEAD"], cwd=target).stdout.strip()
    return target, head


def _git_repository(root: Path) -> None:
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid"]
    for step in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "exports"]):
        assert _run([*git, *step], cwd=root).returncode == 0


def test_the_pre_commit_hook_runs_in_pre_commit(built: Built, hook_repository, tmp_path: Path):
    hooks = yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert [hook["id"] for hook in hooks] == ["pakkeforlop"]
    repository, head = hook_repository
    vendor = tmp_path / "vendor"
    shutil.copytree(
        EXAMPLES / "valid" / "d11-phv-adults-completed", vendor / "test-exports" / "d11"
    )
    (vendor / ".pre-commit-config.yaml").write_text(
        textwrap.dedent(
            f"""\
            repos:
              - repo: {repository.as_uri()}
                rev: {head}
                hooks:
                  - id: pakkeforlop
                    args: [test-exports/]
                    files: ^test-exports/
            """
        ),
        "utf-8",
    )
    _git_repository(vendor)
    environment = built.pip_environment(PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"))
    pre_commit = [sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"]
    clean = _run(pre_commit, cwd=vendor, env=environment)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "pakkeforlop conformance check" in clean.stdout
    assert "Passed" in clean.stdout
    # A defect in a test export fails the commit, with the finding.
    shutil.copy2(
        EXAMPLES / "invalid" / "event-prefix-mismatch" / "events.ndjson",
        vendor / "test-exports" / "d11" / "events.ndjson",
    )
    failing = _run(pre_commit, cwd=vendor, env=environment)
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "Failed" in failing.stdout
    assert "CODE-004" in failing.stdout or "INPUT-" in failing.stdout


def test_the_github_actions_script_runs_as_the_action_defines_it(
    built: Built, hook_repository, tmp_path: Path
):
    action = yaml.safe_load((REPO_ROOT / "action.yml").read_text("utf-8"))
    assert action["runs"]["using"] == "composite"
    (step,) = action["runs"]["steps"]
    assert step["run"] == '"$GITHUB_ACTION_PATH/integrations/github-action.sh"'
    # Every input reaches the script, under the name the script reads.
    script_text = (REPO_ROOT / "integrations" / "github-action.sh").read_text("utf-8")
    for name in action["inputs"]:
        variable = "INPUT_" + name.upper().replace("-", "_")
        assert step["env"][variable] == f"${{{{ inputs.{name} }}}}"
        assert variable in script_text or variable in {
            "INPUT_SARIF",
            "INPUT_JUNIT",
            "INPUT_HTML",
            "INPUT_JSON",
        }
    repository, _ = hook_repository
    root = _vendor_repository(tmp_path / "workspace", baseline=False)
    outputs = tmp_path / "github-output"
    environment = built.pip_environment(
        GITHUB_ACTIONS="true",
        GITHUB_ACTION_PATH=str(repository),
        GITHUB_OUTPUT=str(outputs),
        RUNNER_TEMP=str(tmp_path / "runner-temp"),
        INPUT_PATHS="exports",
        INPUT_ARGS="--lang nb",
        INPUT_SARIF="pakkeforlop.sarif",
        INPUT_JUNIT="pakkeforlop-junit.xml",
        INPUT_HTML="pakkeforlop.html",
        INPUT_JSON="",
        INPUT_FAIL_ON_FINDINGS="true",
        INPUT_PYTHON=sys.executable,
        INPUT_PACKAGE="",
    )
    (tmp_path / "runner-temp").mkdir()
    script = str(repository / "integrations" / "github-action.sh")
    result = _run(["bash", script], cwd=root, env=environment)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "exit-code=1" in outputs.read_text("utf-8")
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::error ")]
    assert any(
        "CODE-004" in line and "file=exports/legacy/events.ndjson,line=3" in line
        for line in annotations
    ), annotations
    assert not any("PATHWAY-010" in line for line in annotations)  # waived
    assert "IKKE BESTÅTT" in result.stdout  # --lang nb
    for name in ("pakkeforlop.sarif", "pakkeforlop-junit.xml", "pakkeforlop.html"):
        assert (root / name).is_file(), name
    # With fail-on-findings false the step passes and the exit code is an output.
    environment["INPUT_FAIL_ON_FINDINGS"] = "false"
    environment["INPUT_PACKAGE"] = str(built.wheel)
    lenient = _run(["bash", script], cwd=root, env=environment)
    assert lenient.returncode == 0, lenient.stdout + lenient.stderr
    assert outputs.read_text("utf-8").count("exit-code=1") == 2


def test_the_gitlab_template_job_runs_its_script(built: Built, tmp_path: Path):
    template = yaml.safe_load(
        (REPO_ROOT / "integrations" / "pakkeforlop.gitlab-ci.yml").read_text("utf-8")
    )
    job = template[".pakkeforlop"]
    root = _vendor_repository(tmp_path / "project", baseline=False)
    venv = tmp_path / "image"
    assert _run([sys.executable, "-m", "venv", str(venv)]).returncode == 0
    variables = {
        **job["variables"],
        "PAKKEFORLOP_PATHS": "exports",
        "PAKKEFORLOP_PACKAGE": str(built.wheel),
    }
    environment = built.pip_environment(
        **variables, PATH=f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}"
    )
    script = "set -e\n" + "\n".join(job["script"]) + "\n"
    result = _run(["bash", "-c", script], cwd=root, env=environment)
    assert result.returncode == 1, result.stdout + result.stderr  # the job fails on CODE-004
    reports = job["artifacts"]["reports"]
    junit = etree.parse(str(root / reports["junit"]))
    strict = etree.XMLSchema(etree.parse(str(DATA / "junit-10.xsd")))
    assert strict.validate(junit), strict.error_log
    issues = json.loads((root / reports["codequality"]).read_text("utf-8"))
    assert issues, "the Code Quality report lists the findings"
    for issue in issues:
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert issue["location"]["lines"]["begin"] >= 1
    assert len({issue["fingerprint"] for issue in issues}) == len(issues)
    assert any(
        issue["check_name"] == "CODE-004" and issue["severity"] == "major" for issue in issues
    )
    assert not any(issue["check_name"] == "PATHWAY-010" for issue in issues)  # waived
    for path in job["artifacts"]["paths"]:
        assert (root / path).is_file(), path
