"""No date can crash a run, and a failing check costs nothing but its own verdict.

Every date and date-time of the examples (referral, epicrisis, event lines, manifest, KITH
message) is set, one at a time, to a value at the calendar's ends; each run must give a report
in every format. An unexpected error inside one rule becomes an INTERNAL-001 finding on that
document, and every other check, file and export keeps its results.
"""

from __future__ import annotations

import gc
import io
import json
import re
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from pakkeforlop import cli
from pakkeforlop.engine import check_export, iter_exports
from pakkeforlop.engine.files import Declared
from pakkeforlop.engine.run import Run
from pakkeforlop.model.person_numbers import make_fnr
from pakkeforlop.report.build import build_report
from pakkeforlop.report.formats import html, json_report, junit, text
from pakkeforlop.rules import checks

from .conftest import EXAMPLES

EXTREMES = (
    "0001-01-01T00:00:00+02:00",
    "9999-12-31T23:59:59Z",
    "9999-12-31T23:59:59-14:00",
    "0001-01-01",
)
#: A date or date-time as JSON strings and KITH XML values hold them.
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?")
#: Where a date stands: after the member name (JSON) or the element name (XML) before it.
_CONTEXT = re.compile(r'"([A-Za-z]+)"\s*:\s*"$|<(?:\w+:)?([A-Za-z]+)(?: [^>]*)?>$|V="$')


def _sites(export: Path) -> list[tuple[str, int, int, str]]:
    """(file, start, end, field) for the first date of each field in each file of ``export``."""
    found = []
    for path in sorted(export.iterdir()):
        content = path.read_text(encoding="utf-8", errors="replace")
        seen: set[str] = set()
        for match in _DATE.finditer(content):
            before = content[max(0, match.start() - 60) : match.start()]
            context = _CONTEXT.search(before)
            name = next((group for group in context.groups() if group), "V") if context else "?"
            if name not in seen:
                seen.add(name)
                found.append((path.name, match.start(), match.end(), name))
    return found


CASES = [
    pytest.param(export, (file, start, end), value, id=f"{export}-{file}-{name}-{value}")
    for export in ("d11-phv-adults-completed", "d10-newborn-ongoing", "kith-d11-phv-adults")
    for file, start, end, name in _sites(EXAMPLES / "valid" / export)
    for value in EXTREMES
]


@pytest.mark.parametrize(("export", "site", "value"), CASES)
def test_a_date_at_the_calendars_end_gives_findings_never_a_crash(tmp_path, export, site, value):
    file, start, end = site
    root = tmp_path / export
    shutil.copytree(EXAMPLES / "valid" / export, root)
    content = (root / file).read_text(encoding="utf-8")
    (root / file).write_text(content[:start] + value + content[end:], encoding="utf-8")
    result = check_export(root, display_root=export)
    assert [f for f in result.findings if f.rule == "INTERNAL-001"] == []
    report = build_report([result])
    for render in (json_report.render, junit.render, html.render, text.render):
        assert render(report)


def test_the_date_cases_cover_every_kind_of_file():
    files = {case.values[1][0] for case in CASES}
    assert {"referral.json", "epicrisis.json", "events.ndjson", "manifest.json"} <= files
    assert any(name.endswith(".xml") for name in files)


# --- A failing check is a finding, and the run goes on -----------------------------------------


def _boom(*_args: object) -> list[checks.Hit]:
    raise ZeroDivisionError


def _failing(monkeypatch: pytest.MonkeyPatch, rule_id: str) -> None:
    registered = checks.registered()[rule_id]
    monkeypatch.setitem(checks._REGISTRY, rule_id, replace(registered, function=_boom))


@pytest.mark.parametrize(
    ("rule_id", "scope"),
    # (A document rule that runs on every referral: REFERRAL-027 to 029 run only where their
    # quiet test does not hold, and the example's referral is in order. The same for an
    # instance rule that runs on every instance with events: PATHWAY-004 to 006 run only
    # where their quiet test does not hold, and the example's events are of one patient.)
    [("REFERRAL-007", "document"), ("PATHWAY-001", "instance"), ("PATHWAY-009", "export")],
)
def test_a_rule_that_raises_becomes_an_internal_error_finding_and_nothing_else_is_lost(
    monkeypatch, rule_id, scope
):
    export = EXAMPLES / "valid" / "d11-phv-adults-completed"
    before = check_export(export, display_root="")
    _failing(monkeypatch, rule_id)
    after = check_export(export, display_root="")
    (internal,) = [f for f in after.findings if f.rule == "INTERNAL-001"]
    message = internal.message()
    assert rule_id in message
    assert "ZeroDivisionError" in message
    assert "test_robustness.py" not in message  # the kit's code is named, not the caller's
    assert internal.file in {"referral.json", "manifest.json"}
    others = [f for f in after.findings if f.rule != "INTERNAL-001"]
    assert [f.rule for f in others] == [f.rule for f in before.findings if f.rule != rule_id]
    assert scope  # the three scopes each have their own guard


def test_an_identity_check_that_raises_is_reported_where_its_quiet_test_does_not_hold(
    tmp_path, monkeypatch
):
    """PATHWAY-004 to 006 run only for an instance whose events are not all of one type,
    patient and institution (their quiet test): there, a failing one is an internal error as
    any other check's."""
    root = tmp_path / "export"
    shutil.copytree(EXAMPLES / "valid" / "d11-phv-adults-completed", root)
    (events,) = root.rglob("*.ndjson")
    lines = events.read_text(encoding="utf-8").splitlines()
    last = json.loads(lines[-1])
    another = make_fnr(date(1980, 5, 17), 123)  # a synthetic (Test-Norge) number
    last["patient"] = dict(last["patient"], value=another)
    events.write_text("\n".join([*lines[:-1], json.dumps(last)]) + "\n", encoding="utf-8")
    before = check_export(root, display_root="")
    assert "PATHWAY-005" in {f.rule for f in before.findings}
    _failing(monkeypatch, "PATHWAY-005")
    result = check_export(root, display_root="")
    (internal,) = [f for f in result.findings if f.rule == "INTERNAL-001"]
    assert "PATHWAY-005" in internal.message()


def test_a_receipt_check_that_raises_is_reported_where_its_quiet_test_does_not_hold(
    tmp_path, monkeypatch
):
    """REFERRAL-027 to 029 run only for a referral out of order (their quiet test): there, a
    failing one is an internal error as any other check's."""
    root = tmp_path / "export"
    shutil.copytree(EXAMPLES / "valid" / "d11-phv-adults-completed", root)
    path = root / "referral.json"
    value = json.loads(path.read_text(encoding="utf-8"))
    value["assessment"]["received"] = "2025-01-10"  # before the referral was issued
    path.write_text(json.dumps(value), encoding="utf-8")
    _failing(monkeypatch, "REFERRAL-027")
    result = check_export(root, display_root="")
    (internal,) = [f for f in result.findings if f.rule == "INTERNAL-001"]
    assert "REFERRAL-027" in internal.message()
    assert internal.file == "referral.json"


def test_an_export_whose_check_fails_outright_leaves_the_others_their_results(monkeypatch, capsys):
    failing = "d10-newborn-ongoing"
    read_manifest = Run.read_manifest

    def broken(self: Run) -> list[Declared]:
        if self.recorder.root.name == failing:
            raise MemoryError
        return read_manifest(self)

    monkeypatch.setattr(Run, "read_manifest", broken)
    output = io.StringIO()
    code = cli.main(["check", str(EXAMPLES / "valid"), "-v"], stdout=output)
    shown = output.getvalue()
    assert code == cli.EXIT_FINDINGS  # a finding, not exit status 3
    assert "INTERNAL-001" in shown
    assert f"{len(list(iter_exports(EXAMPLES / 'valid')))} exports" in shown
    assert "MemoryError" in shown
    assert "reading the manifest" in shown


@pytest.mark.parametrize("path", ["\x00", "referral.json\x00", "a/\x00/b.json"])
def test_a_declared_path_with_a_nul_is_a_schema_finding_not_a_lost_export(tmp_path, path):
    # Found by the long fuzzing profile: a NUL in a declared path escaped the engine and cost
    # the export all its results.
    root = tmp_path / "export"
    shutil.copytree(EXAMPLES / "valid" / "d11-phv-adults-completed", root)
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"][0]["path"] = path
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    result = check_export(root, display_root="export")
    rules = {finding.rule for finding in result.findings}
    assert "INTERNAL-001" not in rules
    assert "SCHEMA-001" in rules
    assert result.events > 0  # the other files were checked


@pytest.mark.parametrize("role", [[], {}, None, 6])
@pytest.mark.parametrize(
    ("example", "file"),
    [
        ("d11-phv-adults-completed", "epicrisis.json"),
        ("d11-phv-adults-completed", "referral.json"),
        ("d11-phv-adults-rejected-2022", "feedback.json"),
    ],
)
def test_a_recipient_role_of_the_wrong_type_is_the_schemas_finding(tmp_path, role, example, file):
    # Found by the long fuzzing profile: a role that is a list made EPICRISIS-002 raise.
    root = tmp_path / "export"
    shutil.copytree(EXAMPLES / "valid" / example, root)
    document = json.loads((root / file).read_text(encoding="utf-8"))
    document["recipients"] = [{"role": role}, {"role": "gp"}]
    (root / file).write_text(json.dumps(document), encoding="utf-8")
    rules = {finding.rule for finding in check_export(root, display_root="").findings}
    assert "INTERNAL-001" not in rules
    assert rules & {"SCHEMA-002", "SCHEMA-003", "SCHEMA-005"}


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_run_leaves_no_cycle_that_keeps_its_result_alive(jobs: int) -> None:
    """A run's recorder, its result and their findings and instances are freed as soon as the
    caller lets the result go (automatic garbage collection is off during a check, and at the
    end of a command the collection at exit took 0.2 s for a large export's result)."""
    root = EXAMPLES / "valid" / "d11-phv-adults-completed"
    check_export(root, display_root="", jobs=jobs)  # caches filled once, by the first run
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        check_export(root, display_root="", jobs=jobs)
        gc.collect()
        left = {type(thing).__name__ for thing in gc.garbage}
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was_enabled:
            gc.enable()
    assert not left & {"Recorder", "ExportResult", "Run", "FileChecker", "PathwayInstance"}
