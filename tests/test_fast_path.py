"""The fast paths find exactly what the exact path finds: a golden comparison of whole results.

``check_export(..., exact=True)`` sends every file through the exact, hardened path (the
reference); the default takes the fast paths wherever their guards allow. On every example,
every rule fixture, generated exports with defects and an export of crafted edge cases, the two
must give the same findings (rule, place, count, message), the same exercised rules, counts and
pathway records.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pakkeforlop.data import fixtures
from pakkeforlop.engine import ExportResult, check_export, check_file, workers
from pakkeforlop.engine import event_lines as fast_lines
from pakkeforlop.engine.caps import FindingCaps
from pakkeforlop.model.records import Document, ExportFacts
from pakkeforlop.rules.checks import Check, Scope, always, by_scope
from pakkeforlop.synthetic import GeneratorConfig, generate

from .conftest import EXAMPLES, REPO_ROOT
from .golden import crafted_export, event_lines, everything

EXPORTS = sorted(
    [path for path in (EXAMPLES / "valid").iterdir() if path.is_dir()]
    + [path for path in (EXAMPLES / "invalid").iterdir() if path.is_dir()]
)
RULE_FIXTURES = fixtures.load(REPO_ROOT / "spec" / "fixtures")


def assert_same(root: Path, **options: Any) -> ExportResult:
    """Check ``root`` both ways and compare; the fast result, for further assertions."""
    exact = check_export(root, display_root="", exact=True, jobs=1, **options)
    fast = check_export(root, display_root="", **{"jobs": 1, **options})
    assert everything(fast) == everything(exact)
    return fast


@pytest.mark.parametrize("export", EXPORTS, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_every_example_gives_the_same_result_on_both_paths(export: Path) -> None:
    assert_same(export)


@pytest.mark.parametrize("rule", sorted(RULE_FIXTURES))
def test_every_rule_fixture_gives_the_same_result_on_both_paths(rule: str, tmp_path: Path) -> None:
    for case in RULE_FIXTURES[rule].cases:
        target = tmp_path / case.name
        try:
            root = fixtures.materialize(case, EXAMPLES / "valid", target)
        except OSError:
            continue  # a case whose files this platform cannot write (it is skipped elsewhere)
        assert_same(root)


@pytest.fixture(scope="module")
def defective(tmp_path_factory: pytest.TempPathFactory) -> Path:
    export = tmp_path_factory.mktemp("golden") / "export"
    generate(GeneratorConfig(out=export, pathways=300, seed=17, defect_rate=0.5))
    return export


def test_a_generated_export_with_defects_gives_the_same_result(defective: Path) -> None:
    result = assert_same(defective)
    assert len(result.findings) > 100  # the defects are there to be found
    assert result.events > 1000
    # Most of it is clean, and the fast paths took that: the comparison compared something.
    assert result.fast > 0.8 * (result.documents + result.events)


def test_the_exact_path_takes_nothing_fast(defective: Path) -> None:
    assert check_export(defective, display_root="", exact=True).fast == 0


def test_worker_processes_take_the_fast_path_to_the_same_result(defective: Path) -> None:
    exact = check_export(defective, display_root="", exact=True, jobs=1)
    assert everything(check_export(defective, display_root="", jobs=2)) == everything(exact)


def test_tight_caps_give_the_same_summaries_on_both_paths(defective: Path) -> None:
    result = assert_same(defective, caps=FindingCaps.of(2))
    assert any(finding.summary for finding in result.findings)


def test_rules_closed_while_the_workers_run_give_the_same_result(
    defective: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Many small tasks under tight caps: the main process closes rules as it merges, and the
    # workers count their later findings instead of sending them.
    monkeypatch.setattr(workers, "TASK_FILES", 8)
    closed: list[list[str]] = []
    close = workers.ClosedRules.close

    def recording(self: workers.ClosedRules, rules: list[str]) -> None:
        closed.append(rules)
        close(self, rules)

    monkeypatch.setattr(workers.ClosedRules, "close", recording)
    caps = FindingCaps(2, 6)
    exact = check_export(defective, display_root="", exact=True, jobs=1, caps=caps)
    assert everything(check_export(defective, display_root="", jobs=2, caps=caps)) == everything(
        exact
    )
    assert any(closed[:-1])  # rules were closed before the last task was merged


def test_memos_that_start_afresh_give_the_same_result(
    defective: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Memos of two entries are full all the time: every line is judged almost afresh.
    monkeypatch.setattr(fast_lines, "MEMO_KEPT", 2)
    monkeypatch.setattr(fast_lines, "ENTRIES_KEPT", 2)
    monkeypatch.setattr(fast_lines, "VALUES_KEPT", 2)
    result = assert_same(defective)
    assert result.fast > 0.8 * (result.documents + result.events)


def test_crafted_edge_cases_give_the_same_result(tmp_path: Path) -> None:
    root = crafted_export(tmp_path / "crafted")
    result = assert_same(root)
    assert result.fast > 20  # the valid spellings, and the lines with only findings of rules
    found = {finding.rule for finding in result.findings}
    # The crafted input reaches every input rule a line or document can break.
    assert {f"INPUT-{n:03}" for n in (3, 4, 6, 7, 8, 9, 10, 11)} <= found
    assert result.events > 40


def test_crafted_edge_cases_give_the_same_result_in_two_processes(tmp_path: Path) -> None:
    root = crafted_export(tmp_path / "crafted")
    exact = check_export(root, display_root="", exact=True, jobs=1)
    assert everything(check_export(root, display_root="", jobs=2)) == everything(exact)


def test_a_file_checked_alone_gives_the_same_result(tmp_path: Path) -> None:
    root = crafted_export(tmp_path / "crafted")
    for name in sorted(path.name for path in root.iterdir()):
        path = root / name
        exact = check_file(path, display=name, exact=True)
        assert everything(check_file(path, display=name)) == everything(exact), name


def test_a_copied_example_in_another_folder_names_its_files_the_same(tmp_path: Path) -> None:
    copy = shutil.copytree(EXAMPLES / "valid" / "d11-phv-adults-completed", tmp_path / "x")
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    manifest["environment"] = "production"
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    fixtures.refresh_digests(copy)
    result = assert_same(copy)
    assert "IDENTIFIER-004" in {finding.rule for finding in result.findings}


def _event_values() -> list[dict[str, Any]]:
    values = []
    for line in [*event_lines().values(), *(EXAMPLES / "valid").glob("*/events.ndjson")]:
        texts = line.read_bytes().splitlines() if isinstance(line, Path) else [line]
        for text in texts:
            try:
                value = json.loads(text)
            except (ValueError, RecursionError):
                continue
            if isinstance(value, dict):
                values.append(value)
    return values


EVENT_VALUES = _event_values()
EVENT_CHECKS = [c for c in by_scope(Scope.DOCUMENT) if "pathway-event" in c.kinds]
FACTS = [
    ExportFacts("", None, None, None),
    ExportFacts("", date(2025, 6, 25), "production", "1.0.0"),
    ExportFacts("", date(2021, 3, 1), "test", "1.0.0"),
]


def _outcome(check: Check, value: dict[str, Any], facts: ExportFacts) -> Any:
    document = Document("pathway-event", "events.ndjson", value, line=1)
    try:
        if check.applies is not always and not check.applies(document, facts):
            return "does not apply"
        hits = [
            (hit.pointer, dict(hit.args), hit.path, hit.line)
            for hit in check.function(document, facts)
        ]
        # What makes repeats of a check reported once per file is of what it reads too.
        once = check.once_per_file
        return hits, None if once is None or not hits else once(document, facts)
    except Exception as error:
        return type(error).__name__


def test_every_check_of_event_lines_declares_what_it_reads() -> None:
    assert EVENT_CHECKS
    assert all(check.reads for check in EVENT_CHECKS)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_an_event_check_reads_nothing_but_what_it_declares(data: st.DataObject) -> None:
    # Lines equal in what a check reads get equal outcomes: the fast path checks each distinct
    # combination once, on a line of those members alone. Every other member is changed to
    # another line's (or removed).
    check = data.draw(st.sampled_from(EVENT_CHECKS))
    facts = data.draw(st.sampled_from(FACTS))
    value = data.draw(st.sampled_from(EVENT_VALUES))
    other = data.draw(st.sampled_from(EVENT_VALUES))
    reads = check.reads or ()
    changed = {key: item for key, item in value.items() if key in reads}
    for key, item in other.items():
        if key not in reads and data.draw(st.booleans()):
            changed[key] = item
    assert _outcome(check, changed, facts) == _outcome(check, value, facts)
