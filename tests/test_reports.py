"""The reports: one Report rendered as text, JSON, JUnit XML and HTML, privately and alike."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
from collections import Counter
from functools import cache
from pathlib import Path
from urllib.parse import unquote

import pytest
from lxml import etree
from lxml import html as lxml_html

from pakkeforlop import cli
from pakkeforlop.data import schemas
from pakkeforlop.data.catalogue import Severity, catalogue
from pakkeforlop.engine import ExportResult, check_export
from pakkeforlop.model.findings import Finding, Personal
from pakkeforlop.report.build import Outcome, build_report
from pakkeforlop.report.formats import github, gitlab, html, json_report, junit, redact, sarif, text
from pakkeforlop.report.formats.json_report import REPORT_SCHEMA_ID

from .conftest import EXAMPLES, REPO_ROOT
from .test_cli import GARBAGE, Run, _garbage_export, invoke, make_export

VALID = EXAMPLES / "valid"
INVALID = EXAMPLES / "invalid"
RENDERERS = {
    "text": lambda report: text.render(report, verbose=True),
    "json": json_report.render,
    "junit": junit.render,
    "html": html.render,
    "sarif": sarif.render,
    "gitlab": gitlab.render,
    "github": github.render,
}

Key = tuple[str, str, int | None, str | None]  # (rule, file, line, pointer)


@cache
def run_check(*args: str) -> Run:
    """``pakkeforlop check *args``, run once per session for the same arguments."""
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(["check", *args], stdout=out, stderr=err)
    return Run(code, out.getvalue(), err.getvalue())


# --- The report schema --------------------------------------------------------------------------


def test_the_report_schema_is_published_through_the_registry():
    assert REPORT_SCHEMA_ID in schemas.schema_ids()
    contents = schemas.schema(REPORT_SCHEMA_ID)
    assert contents["$id"] == REPORT_SCHEMA_ID
    assert contents["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    schemas.validator(REPORT_SCHEMA_ID).check_schema(contents)


def _undescribed(node: object, path: str = "") -> list[str]:
    found = []
    if isinstance(node, dict):
        for name, subschema in node.get("properties", {}).items():
            if not (isinstance(subschema, dict) and subschema.get("description", "").strip()):
                found.append(f"{path}/properties/{name}")
        for key, value in node.items():
            found.extend(_undescribed(value, f"{path}/{key}"))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.extend(_undescribed(value, f"{path}/{index}"))
    return found


def test_every_property_of_the_report_schema_is_described():
    assert _undescribed(schemas.schema(REPORT_SCHEMA_ID)) == []


@pytest.mark.parametrize("folder", [VALID, INVALID], ids=["valid", "invalid"])
def test_the_json_report_follows_the_report_schema(folder):
    report = run_check(str(folder), "--format", "json").json()
    assert report["tool"]["name"] == "pakkeforlop"
    assert report["summary"]["result"] == ("passed" if folder == VALID else "failed")


def test_the_json_report_of_garbage_follows_the_report_schema_and_says_it_is_partial(
    capsys, tmp_path
):
    for kind in GARBAGE:
        _garbage_export(tmp_path / kind, "referral.json", "referral", kind)
    report = invoke(capsys, "check", tmp_path, "--format", "json", "--max-file-size", "4k").json()
    assert report["summary"]["partial"] is True
    assert report["summary"]["unread"] > 0


def test_the_json_summary_agrees_with_the_findings_and_the_rules():
    report = run_check(str(EXAMPLES), "--format", "json").json()
    counted = Counter(finding["severity"] for finding in report["findings"])
    assert report["summary"]["findings"] == {s.value: counted[s.value] for s in Severity}
    outcomes = Counter(rule["outcome"] for rule in report["rules"])
    assert report["summary"]["rules"] == {o.value: outcomes[o.value] for o in Outcome}
    assert [rule["id"] for rule in report["rules"]] == list(catalogue())
    assert all(("reason" in rule) == (rule["outcome"] == "skipped") for rule in report["rules"])
    assert sum(export["findings"] for export in report["exports"]) == len(report["findings"])


def test_the_json_report_is_the_same_for_the_same_input(capsys):
    first = run_check(str(EXAMPLES), "--format", "json").out
    second = invoke(capsys, "check", EXAMPLES, "--format", "json").out
    assert first == second


# --- One report, four formats: the same findings ------------------------------------------------

_TEXT_FINDING = re.compile(r"^  (?P<file>\S+?)(?::(?P<line>[0-9]+)(?::[0-9]+)?)? (?P<pointer>\S+) ")


def _pointer(shown: str) -> str | None:
    return {"-": None, "(root)": ""}.get(shown, shown)


def _from_text(output: str) -> Counter[Key]:
    keys: Counter[Key] = Counter()
    rule = ""
    for line in output.splitlines():
        if line.startswith("Skipped"):
            break
        heading = re.match(r"^([A-Z]+-[0-9]{3}) ", line)
        if heading:
            rule = heading.group(1)
        match = _TEXT_FINDING.match(line)
        if match and not line.startswith("   "):
            number = match.group("line")
            keys[
                (
                    rule,
                    match.group("file"),
                    int(number) if number else None,
                    _pointer(match.group("pointer")),
                )
            ] += 1
    return keys


def _from_json(output: str) -> Counter[Key]:
    return Counter(
        (finding["rule"], finding["file"], finding["line"], finding["pointer"])
        for finding in json.loads(output)["findings"]
    )


def _from_junit(output: str) -> Counter[Key]:
    keys: Counter[Key] = Counter()
    root = etree.fromstring(output.encode())
    for case in root.iter("testcase"):
        rule = case.get("name").split()[0]
        for node in [*case.iter("failure"), *case.iter("system-out")]:
            for line in (node.text or "").splitlines():
                match = _TEXT_FINDING.match(f"  {line}")
                if match and not line.startswith("http") and " below the fail level" not in line:
                    number = match.group("line")
                    keys[
                        (
                            rule,
                            match.group("file"),
                            int(number) if number else None,
                            _pointer(match.group("pointer")),
                        )
                    ] += 1
    return keys


def _from_html(output: str) -> Counter[Key]:
    keys: Counter[Key] = Counter()
    document = lxml_html.fromstring(output)
    for row in document.xpath("//tr[contains(@class, 'finding')]"):
        cells = [cell.text_content() for cell in row.xpath("./td")]
        file = row.get("data-file")
        place = cells[0].removeprefix(file).split(":")
        pointer = None if cells[1] == "\u2013" else cells[1]
        keys[(row.get("data-rule"), file, int(place[1]) if len(place) > 1 else None, pointer)] += 1
    return keys


def _from_sarif(output: str) -> Counter[Key]:
    keys: Counter[Key] = Counter()
    for result in json.loads(output)["runs"][0]["results"]:
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        pointers = [
            logical["fullyQualifiedName"]
            for logical in location.get("logicalLocations", [])
            if logical["kind"] == "member"
        ]
        keys[
            (
                result["ruleId"],
                unquote(physical["artifactLocation"]["uri"].removeprefix("file://")),
                physical.get("region", {}).get("startLine"),
                pointers[0] if pointers else None,
            )
        ] += 1
    return keys


@pytest.mark.parametrize("folder", [INVALID, EXAMPLES], ids=["invalid", "all"])
def test_every_format_reports_the_same_findings(folder):
    outputs = {fmt: run_check(str(folder), "--format", fmt, "--verbose").out for fmt in cli.FORMATS}
    expected = _from_json(outputs["json"])
    assert expected, "the examples must produce findings for this test to mean anything"
    assert _from_text(outputs["text"]) == expected
    assert _from_junit(outputs["junit"]) == expected
    assert _from_html(outputs["html"]) == expected
    assert _from_sarif(outputs["sarif"]) == expected


def test_every_format_reports_the_same_findings_for_garbage(capsys, tmp_path):
    for kind in GARBAGE:
        _garbage_export(tmp_path / "exports" / kind, "referral.json", "referral", kind)
    folder = tmp_path / "exports"
    outputs = {
        fmt: invoke(
            capsys, "check", folder, "--format", fmt, "--verbose", "--max-file-size", "4k"
        ).out
        for fmt in cli.FORMATS
    }
    expected = _from_json(outputs["json"])
    assert _from_text(outputs["text"]) == expected
    assert _from_junit(outputs["junit"]) == expected
    assert _from_html(outputs["html"]) == expected
    assert _from_sarif(outputs["sarif"]) == expected


# --- Privacy ------------------------------------------------------------------------------------


def _documents(folder: Path):
    for path in sorted(folder.rglob("*")):
        if path.suffix == ".json":
            try:
                yield json.loads(path.read_text(encoding="utf-8"))
            except ValueError:
                continue
        elif path.suffix == ".ndjson":
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    yield json.loads(line)
                except ValueError:
                    continue


def _personal(node: object, found: set[str]) -> None:
    if isinstance(node, dict):
        patient = node.get("patient")
        if isinstance(patient, dict):
            for holder in (patient, patient.get("identifier")):
                if isinstance(holder, dict) and isinstance(holder.get("value"), str):
                    found.add(holder["value"])
        if isinstance(node.get("family"), str):  # a person's name: {"given": …, "family": …}
            found.add(node["family"])
            if isinstance(node.get("given"), str):
                found.add(node["given"])
        for value in node.values():
            _personal(value, found)
    elif isinstance(node, list):
        for value in node:
            _personal(value, found)


def personal_values() -> set[str]:
    """Every patient identifier value and every given or family name in the examples."""
    found: set[str] = set()
    for folder in (VALID, INVALID):
        for document in _documents(folder):
            _personal(document, found)
    return found


#: Report vocabulary that is also a given name in the examples: removed before scanning.
REPORT_WORDS = (">Line</th>",)


def _leaks(output: str, values: set[str]) -> set[str]:
    """The values found in ``output`` as whole numbers or whole words."""
    for word in REPORT_WORDS:
        output = output.replace(word, "")
    numbers = sorted((v for v in values if v.isdigit()), key=len, reverse=True)
    # a name counts only as a whole word: "Per" must not match the rule title "Per-substance"
    names = sorted((v for v in values if not v.isdigit()), key=len, reverse=True)
    leaked: set[str] = set()
    for found, boundary in ((numbers, r"[0-9]"), (names, r"[\w-]")):
        if found:
            alternatives = "|".join(map(re.escape, found))
            pattern = re.compile(rf"(?<!{boundary})(?:{alternatives})(?!{boundary})")
            leaked.update(pattern.findall(output))
    return leaked


def test_the_examples_hold_identifiers_and_names_to_look_for():
    values = personal_values()
    assert any(value.isdigit() and len(value) >= 10 for value in values)
    assert any(not value.isdigit() for value in values)


@pytest.mark.parametrize("fmt", cli.FORMATS)
def test_no_identifier_or_name_of_the_examples_appears_in_a_masked_report(fmt):
    run = run_check(str(EXAMPLES), "--format", fmt)
    assert run.code == cli.EXIT_FINDINGS
    assert _leaks(run.out, personal_values()) == set()


def test_the_privacy_check_can_fail_identifiers_appear_with_no_mask():
    leaked = set()
    for fmt in cli.FORMATS:
        run = run_check(str(EXAMPLES), "--format", fmt, "--no-mask")
        leaked |= _leaks(run.out, personal_values())
    assert leaked


def _personal_report(folder: Path, *, masked: bool):
    export = ExportResult(
        root=f"{folder.as_posix()}/12345678901",
        findings=[
            Finding(
                rule="INPUT-001",
                severity=Severity.ERROR,
                file=f"{folder.as_posix()}/12345678901/Kari-Nordmann.json",
                template="The file of {who} cannot be read",
                args={"who": Personal("Kari Nordmann")},
                pointer="/patients/12345678901",
                line=1,
                column=1,
                instance="PF-12345678901",
            )
        ],
        exercised={"INPUT-001"},
    )
    return build_report([export], masked=masked)


@pytest.mark.parametrize("fmt", cli.FORMATS)
def test_person_numbers_in_paths_pointers_and_instance_ids_are_masked_too(tmp_path, fmt):
    masked = RENDERERS[fmt](_personal_report(tmp_path, masked=True))
    assert "12345678901" not in masked
    assert "Kari Nordmann" not in masked
    assert "*********01" in masked
    unmasked = RENDERERS[fmt](_personal_report(tmp_path, masked=False))
    assert "12345678901" in unmasked
    assert "Kari Nordmann" in unmasked


def test_redaction_masks_person_and_duf_numbers_but_not_other_digit_runs():
    assert redact("a/12345678901/b", masked=True) == "a/*********01/b"
    assert redact("123456789012", masked=True) == "**********12"
    assert redact("org 974760673, hpr 9144919, 2025-03-20", masked=True) == (
        "org 974760673, hpr 9144919, 2025-03-20"
    )
    assert redact("12345678901", masked=False) == "12345678901"


# --- Text ---------------------------------------------------------------------------------------


def test_the_text_report_leads_with_the_summary_and_ends_with_the_skipped_rules(capsys, tmp_path):
    export = make_export(tmp_path / "export", {"referral.json": b"{}"})
    run = invoke(capsys, "check", export)
    lines = run.out.splitlines()
    assert lines[0].startswith("pakkeforlop ")
    assert re.match(
        r"^FAIL \(fail on error\): 1 export, [0-9]+ documents?, [0-9]+ events?; [0-9]+ errors?, "
        r"[0-9]+ warnings?, [0-9]+ info; rules: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$",
        lines[1],
    )
    skipped_at = next(i for i, line in enumerate(lines) if line.startswith("Skipped"))
    assert len(lines) - skipped_at <= 4
    assert all(line.startswith("  ") for line in lines[skipped_at + 1 :])


def test_the_text_report_groups_findings_by_rule_most_severe_first():
    run = run_check(str(INVALID))
    headings = [
        (line.split()[1].rstrip(":"), line.split()[0])
        for line in run.out.splitlines()
        if re.match(r"^[A-Z]+-[0-9]", line)
    ]
    rank = {"error": 0, "warning": 1, "info": 2}
    assert headings == sorted(headings, key=lambda heading: (rank[heading[0]], heading[1]))
    assert len(headings) == len({rule for _, rule in headings})


def test_the_text_report_folds_findings_below_the_fail_level_unless_verbose():
    report = build_report([check_export(export) for export in sorted(VALID.iterdir())])
    synthetic = [f for f in report.findings if f.rule == "IDENTIFIER-003"]
    assert len(synthetic) > text.SHOWN_BELOW_FAIL_LEVEL
    folded = text.render(report)
    assert f"… and {len(synthetic) - text.SHOWN_BELOW_FAIL_LEVEL} more" in folded
    assert "more (--verbose" not in text.render(report, verbose=True)


def test_the_text_report_says_out_loud_when_files_could_not_be_read(capsys, tmp_path):
    export = make_export(tmp_path / "export", {"referral.json": b"\xff"})
    run = invoke(capsys, "check", export)
    assert run.out.splitlines()[2].startswith("PARTIAL: 1 file or line could not be read")


def test_skipped_rule_ids_are_listed_compactly():
    ids = ["CODE-003", "PATHWAY-001", "PATHWAY-002", "PATHWAY-003", "PATHWAY-005", "X-1"]
    assert text.compact_ids(ids) == ["CODE-003", "PATHWAY-001..003", "PATHWAY-005", "X-1"]


def test_control_characters_in_file_names_cannot_forge_report_lines(capsys, tmp_path):
    export = make_export(tmp_path / "export", {})
    (export / "evil\nINPUT-001 error: forged.json").write_bytes(b"{}")
    run = invoke(capsys, "check", export)
    assert "\\x0aINPUT-001" in run.out
    assert not any(line.startswith("INPUT-001 error: forged") for line in run.out.splitlines())


# --- JUnit --------------------------------------------------------------------------------------


def test_the_junit_report_has_one_suite_per_export_and_one_case_per_rule():
    run = run_check(str(EXAMPLES), "--format", "junit")
    root = etree.fromstring(run.out.encode())
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    exports = run_check(str(EXAMPLES), "--format", "json").json()["exports"]
    assert [suite.get("name") for suite in suites] == [export["path"] for export in exports]
    rules = catalogue()
    for suite in suites:
        cases = suite.findall("testcase")
        assert [case.get("name") for case in cases] == [f"{r.id} {r.title}" for r in rules.values()]
        assert [case.get("classname") for case in cases] == [r.family for r in rules.values()]
        assert int(suite.get("tests")) == len(cases)
        assert int(suite.get("failures")) == len(suite.findall("testcase/failure"))
        assert int(suite.get("skipped")) == len(suite.findall("testcase/skipped"))
        assert suite.get("errors") == "0"
    for name in ("tests", "failures", "errors"):
        assert int(root.get(name)) == sum(int(suite.get(name)) for suite in suites)
    assert int(root.get("failures")) > 0
    # Jenkins xUnit's strict schema has no `skipped` on <testsuites>, and rejects the report.
    assert "skipped" not in root.attrib
    schema = etree.XMLSchema(etree.parse(str(REPO_ROOT / "tests" / "data" / "junit-10.xsd")))
    assert schema.validate(root), schema.error_log


def test_junit_lists_findings_below_the_fail_level_as_output_not_as_failures(capsys, tmp_path):
    export = make_export(tmp_path / "export", {"referral.json": b'{"a": 1, "a": 2}'})
    run = invoke(capsys, "check", export, "--format", "junit")
    root = etree.fromstring(run.out.encode())
    (case,) = [c for c in root.iter("testcase") if c.get("name").startswith("INPUT-008 ")]
    assert catalogue()["INPUT-008"].severity is Severity.WARNING
    assert case.find("failure") is None
    assert "referral.json:1:" in case.findtext("system-out")
    failing = invoke(capsys, "check", export, "--format", "junit", "--fail-on", "warning").out
    root = etree.fromstring(failing.encode())
    (case,) = [c for c in root.iter("testcase") if c.get("name").startswith("INPUT-008 ")]
    assert case.find("failure").get("type") == "warning"


def test_junit_says_why_a_rule_was_skipped(capsys):
    run = invoke(capsys, "check", VALID / "d11-phv-adults-completed", "--format", "junit")
    skipped = etree.fromstring(run.out.encode()).findall(".//testcase/skipped")
    assert skipped
    assert all(node.get("message") for node in skipped)


# --- HTML ---------------------------------------------------------------------------------------


def _html(*args: object):
    run = run_check(*map(str, args), "--format", "html")
    return run, lxml_html.document_fromstring(run.out)


def test_the_html_report_is_self_contained():
    run, document = _html(EXAMPLES)
    assert run.out.startswith("<!DOCTYPE html>")
    # One inline script (the filters), allowed by its hash and nothing else: the page's
    # Content-Security-Policy forbids loading anything from anywhere.
    (script,) = document.xpath("//script")
    assert script.get("src") is None
    (policy,) = document.xpath('//meta[@http-equiv="Content-Security-Policy"]/@content')
    assert "default-src 'none'" in policy
    digest = base64.b64encode(hashlib.sha256(script.text.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in policy
    assert document.xpath("//link[@href]") == []
    assert document.xpath("//img") == []
    assert document.xpath("//iframe|//object|//embed") == []
    assert not re.search(r"url\(|@import", "".join(document.xpath("//style/text()")))
    assert all(
        href.startswith(("https://pakkeforlop.no/", "#")) for href in document.xpath("//a/@href")
    )


def test_the_html_report_has_the_summary_the_rules_the_findings_and_the_durations():
    _run, document = _html(EXAMPLES)
    sections = document.xpath("//main/section/@id")
    assert sections == ["summary", "failed", "findings", "rules", "durations", "exports"]
    rows = document.xpath('//section[@id="rules"]//tbody/tr')
    assert len(rows) == len(catalogue())
    links = {row.xpath(".//a/@href")[0] for row in rows}
    assert links == {rule.url for rule in catalogue().values()}


def test_the_html_report_leads_with_the_rules_that_failed_or_warned_and_folds_the_rest():
    _run, document = _html(EXAMPLES)
    report = json.loads(run_check(str(EXAMPLES), "--format", "json").out)
    failed = {r["id"] for r in report["rules"] if r["outcome"] == "failed"}
    warned = {
        r["id"] for r in report["rules"] if r["outcome"] == "passed" and r["counts"]["warning"]
    }
    first = document.xpath('//section[@id="failed"]/details[contains(@class, "rule")]')
    ids = [block.xpath("./summary/code/text()")[0] for block in first]
    assert set(ids) == failed | warned
    assert ids[: len(failed)] == sorted(failed, key=ids.index)  # failed rules come first
    assert all(block.get("open") is not None for block in first)
    folded = document.xpath('//section[@id="findings"]/details[contains(@class, "rule")]')
    assert folded
    assert all(block.get("open") is None for block in folded)
    # Every finding is one row, under its rule, with what the filters match on.
    rows = document.xpath("//tr[contains(@class, 'finding')]")
    assert len(rows) == len(report["findings"])
    assert {row.get("data-severity") for row in rows} <= {"error", "warning", "info"}
    labels = document.xpath('//section[@id="rules"]//tbody/tr/td[4]/text()')
    assert "passed with warnings" in labels  # never "passed" beside a warning


def test_the_html_report_shows_every_interval_per_time_limit():
    _run, document = _html(VALID)
    rows = document.xpath('//section[@id="durations"]//tbody/tr')
    assert rows
    for row in rows:
        assert row.xpath('.//svg[@class="share"]/rect[@class="within"]')
        histogram = row.xpath('.//svg[@class="histogram"]')[0]
        assert histogram.xpath('.//line[@class="limit"]')
        counted = sum(
            int(title.rpartition(": ")[2]) for title in histogram.xpath(".//rect/title/text()")
        )
        assert counted == int(row.xpath("./td[3]/text()")[0])  # every interval, none sampled


def test_the_html_report_escapes_what_comes_from_the_input(tmp_path):
    export = make_export(tmp_path / "export", {})
    (export / "<em>bold.json").write_bytes(b"{}")
    run, document = _html(export)
    assert document.xpath("//em") == []
    assert "<em>bold.json" in document.text_content()
    assert "&lt;em&gt;bold.json" in run.out


def test_a_report_with_no_exports_renders_in_every_format():
    report = build_report([])
    for name, render in RENDERERS.items():
        # GitHub annotations are one line per finding: none here.
        assert render(report) if name != "github" else render(report) == ""


def test_the_reports_of_one_export_are_built_from_one_report_object():
    export = check_export(VALID / "d11-phv-adults-completed")
    report = build_report([export])
    assert json.loads(json_report.render(report))["summary"]["exports"] == 1
    assert "1 export" in text.render(report)
