"""Bounded findings: at most so many per rule and file (and per rule), the rest counted exactly.

A flood of broken lines or of repeated informational findings must cost neither memory nor
report size, and every total must stay exact.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from pakkeforlop import cli
from pakkeforlop.data.catalogue import Severity
from pakkeforlop.data.schemas import validator
from pakkeforlop.engine import check_export, check_file
from pakkeforlop.engine.caps import CappedFindings, FindingCaps
from pakkeforlop.engine.recorder import Recorder
from pakkeforlop.model.findings import Finding, total
from pakkeforlop.report.build import build_report
from pakkeforlop.report.formats.json_report import REPORT_SCHEMA_ID
from pakkeforlop.synthetic import GeneratorConfig, generate

from .conftest import EXAMPLES

EVENT_LINE = (
    (EXAMPLES / "valid" / "d11-phv-adults-completed" / "events.ndjson")
    .read_text(encoding="utf-8")
    .splitlines()[0]
)


def finding(rule: str, file: str) -> Finding:
    return Finding(rule=rule, severity=Severity.ERROR, file=file, template="t")


def test_findings_beyond_the_caps_are_counted_and_summarised():
    found = CappedFindings(FindingCaps(per_file=2, per_rule=5))
    for file in ("a", "b", "c", "d"):
        for _ in range(3):
            found.add(finding("R-001", file))
    found.add(finding("R-002", "a"))
    kept = Counter((f.rule, f.file) for f in found.kept)
    assert kept == {("R-001", "a"): 2, ("R-001", "b"): 2, ("R-001", "c"): 1, ("R-002", "a"): 1}
    summaries = found.summaries({"R-001": Severity.ERROR, "R-002": Severity.ERROR}, "export")
    by_place = {(s.rule, s.file): s.count for s in summaries}
    # a and b are full (one each counted there); c's third and fourth and all of d lie
    # beyond the rule's cap of 5
    assert by_place == {("R-001", "a"): 1, ("R-001", "b"): 1, ("R-001", "export"): 5}
    assert all(s.summary for s in summaries)
    assert len(found.kept) + sum(by_place.values()) == 13  # every finding counted once


def test_a_worker_counts_the_findings_of_closed_rules_as_the_merge_would():
    caps = FindingCaps(per_file=2, per_rule=3)
    merged = CappedFindings(caps)
    for file in ("a", "b"):
        merged.add(finding("R-001", file))
        merged.add(finding("R-001", file))
    assert merged.filled() == ["R-001"]
    # A later part, checked by a worker that knows R-001 is closed, and by one that does not.
    told = CappedFindings(caps, closed={"R-001"})
    untold = CappedFindings(caps)
    for part in (told, untold):
        for file in ("c", "c", "c", "d"):
            part.add(finding("R-001", file))
        part.add(finding("R-002", "c"))
    assert [f.rule for f in told.kept] == ["R-002"]
    assert told.full("R-001", "e")
    severities = {"R-001": Severity.ERROR, "R-002": Severity.ERROR}
    results = []
    for part in (told, untold):
        whole = CappedFindings(caps)
        whole.merge(merged.kept, merged.omitted)
        whole.merge(part.kept, part.omitted)
        results.append((whole.kept, whole.summaries(severities, "export")))
    assert results[0] == results[1]


def test_unbounded_keeps_everything():
    found = CappedFindings(FindingCaps.UNBOUNDED)
    for _ in range(1000):
        found.add(finding("R-001", "a"))
    assert len(found.kept) == 1000
    assert found.summaries({"R-001": Severity.ERROR}, "export") == []


def test_max_findings_sets_both_caps():
    assert FindingCaps.of(7) == FindingCaps(7, 70)
    assert FindingCaps.of(0) == FindingCaps.UNBOUNDED


def _counted(findings: list[Finding]) -> Counter[tuple[str, str]]:
    counted: Counter[tuple[str, str]] = Counter()
    for item in findings:
        counted[item.rule, item.severity.value] += item.count
    return counted


def _flood(tmp_path: Path, broken: int) -> Path:
    lines = ["{"] * broken + [EVENT_LINE] * 3 + ['{"a": NaN'] * 3
    path = tmp_path / "events.ndjson"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_flood_of_broken_lines_keeps_the_first_and_counts_every_one(tmp_path):
    path = _flood(tmp_path, 5000)
    result = check_file(path, display="events.ndjson")
    malformed = [f for f in result.findings if f.rule == "INPUT-006"]
    listed = [f for f in malformed if not f.summary]
    (summary,) = [f for f in malformed if f.summary]
    assert len(listed) == 100
    assert [f.line for f in listed] == list(range(1, 101))  # the first ones, in order
    assert summary.count == 5000 + 3 - 100  # the NaN lines are malformed too
    assert total(malformed) == 5003
    report = build_report([result])
    assert report.counts[Severity.ERROR] == total(
        f for f in result.findings if f.severity.value == "error"
    )
    # the non-standard constants of the three NaN lines are still reported: the brief path
    # is taken only for lines whose one problem is that they are malformed
    assert Counter(f.rule for f in result.findings)["INPUT-007"] == 3
    assert result.events == 3


def test_the_brief_path_gives_the_same_counts_as_listing_every_finding(tmp_path):
    path = _flood(tmp_path, 500)
    bounded = check_file(path, display="e")
    unbounded = check_file(path, display="e", caps=FindingCaps.UNBOUNDED)
    assert _counted(bounded.findings) == _counted(unbounded.findings)
    assert sum(f.rule == "INPUT-006" for f in unbounded.findings) == 503


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    export = tmp_path_factory.mktemp("caps") / "export"
    generate(GeneratorConfig(out=export, pathways=150, seed=3, defect_rate=0.4))
    return export


@pytest.mark.parametrize("jobs", [1, 2])
def test_totals_are_exact_under_any_caps_and_any_number_of_processes(generated, jobs):
    everything = check_export(generated, display_root="", caps=FindingCaps.UNBOUNDED, jobs=1)
    capped = check_export(generated, display_root="", caps=FindingCaps(2, 12), jobs=jobs)
    assert _counted(capped.findings) == _counted(everything.findings)
    listed = Counter(f.rule for f in capped.findings if not f.summary)
    assert max(listed.values()) <= 12
    assert len(capped.findings) < len(everything.findings)


def _shown(findings: list[Finding]) -> list[tuple[object, ...]]:
    return [(f.rule, f.file, f.line, f.pointer, f.count, f.message(masked=False)) for f in findings]


def test_the_same_findings_are_kept_in_one_process_as_in_two(generated):
    serial, in_two = (
        check_export(generated, display_root="", caps=FindingCaps(2, 12), jobs=jobs)
        for jobs in (1, 2)
    )
    shown = lambda result: [  # noqa: E731
        (f.rule, f.file, f.line, f.pointer, f.count, f.message(masked=False))
        for f in result.findings
    ]
    assert shown(serial) == shown(in_two)


def test_informational_floods_are_summarised_per_rule(generated):
    result = check_export(generated, display_root="", caps=FindingCaps(5, 20))
    synthetic = [f for f in result.findings if f.rule == "IDENTIFIER-003"]
    assert sum(not f.summary for f in synthetic) == 20
    assert total(synthetic) > 150  # one per document and events file at least


def _cli(*args: object) -> tuple[int, str]:
    out = io.StringIO()
    code = cli.main(["check", *map(str, args)], stdout=out, stderr=io.StringIO())
    return code, out.getvalue()


def test_the_json_report_marks_summaries_and_validates(tmp_path):
    code, out = _cli(_flood(tmp_path, 300), "--format", "json")
    report = json.loads(out)
    assert sorted(validator(REPORT_SCHEMA_ID).iter_errors(report), key=str) == []
    (summary,) = [f for f in report["findings"] if f.get("summary")]
    assert summary["count"] == 203
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    assert report["summary"]["findings"]["error"] == sum(f.get("count", 1) for f in errors)
    assert sum(f.get("count", 1) for f in errors if f["rule"] == "INPUT-006") == 303
    assert report["summary"]["unread"] == 303
    assert code == cli.EXIT_FINDINGS


@pytest.mark.parametrize("option", [["--verbose"], ["--max-findings", "0"]])
def test_verbose_and_max_findings_0_list_every_finding(tmp_path, option):
    _, out = _cli(_flood(tmp_path, 300), "--format", "json", *option)
    findings = json.loads(out)["findings"]
    assert not any(f.get("summary") for f in findings)
    assert sum(f["rule"] == "INPUT-006" for f in findings) == 303


def test_max_findings_sets_the_cap(tmp_path):
    _, out = _cli(_flood(tmp_path, 300), "--format", "json", "--max-findings", "7")
    findings = json.loads(out)["findings"]
    assert sum(f["rule"] == "INPUT-006" and not f.get("summary") for f in findings) == 7


def test_a_large_flood_gives_a_small_junit_report_that_lxml_reads(tmp_path):
    _, out = _cli(_flood(tmp_path, 100_000), "--format", "junit")
    assert len(out) < 200_000
    root = etree.fromstring(out.encode("utf-8"))
    messages = [failure.get("message", "") for failure in root.iter("failure")]
    assert any(message.startswith("100003 errors: ") for message in messages)


def test_a_summary_is_a_finding_of_its_rule_with_its_severity():
    summary = replace(finding("INPUT-006", "f"), count=9, summary=True)
    assert total([summary, finding("INPUT-006", "f")]) == 10


def _whole_and_merged(
    sequence: list[tuple[str, str]], caps: FindingCaps, split: int
) -> tuple[object, object]:
    severities = {rule: Severity.ERROR for rule, _ in sequence}
    whole = CappedFindings(caps)
    for rule, file in sequence:
        whole.add(finding(rule, file))
    merged, part = CappedFindings(caps), CappedFindings(caps)
    for rule, file in sequence[:split]:
        merged.add(finding(rule, file))
    for rule, file in sequence[split:]:
        part.add(finding(rule, file))
    merged.merge(part.kept, part.omitted)
    return (
        (whole.kept, whole.summaries(severities, "export")),
        (merged.kept, merged.summaries(severities, "export")),
    )


def test_a_rule_that_fills_up_within_a_later_parts_file_is_summarised_as_one_process_would():
    # One finding before the part; the part's file then holds three: the rule's cap of 3 is
    # reached at the second, so the third is beyond the rule's cap (not the file's).
    sequence = [("R-001", "z"), ("R-001", "a"), ("R-001", "a"), ("R-001", "a")]
    whole, merged = _whole_and_merged(sequence, FindingCaps(2, 3), 1)
    assert merged == whole
    (summary,) = whole[1]
    assert (summary.file, summary.count) == ("export", 1)


@given(
    sequence=st.lists(st.tuples(st.sampled_from(["R-001", "R-002"]), st.sampled_from("abcd"))),
    per_file=st.integers(1, 3),
    per_rule=st.integers(1, 6),
    data=st.data(),
)
def test_parts_merge_to_what_one_process_finds_wherever_they_are_cut(
    sequence: list[tuple[str, str]], per_file: int, per_rule: int, data: st.DataObject
) -> None:
    # Cut anywhere: between files (a worker's task of whole files) or within a file's findings
    # (a half of the pathway instances reports on files the other half reports on too).
    split = data.draw(st.integers(0, len(sequence)))
    whole, merged = _whole_and_merged(sequence, FindingCaps(per_file, per_rule), split)
    assert merged == whole


def test_findings_counted_per_rule_take_no_place_and_merge_per_rule():
    # A finding on every file (a synthetic test number) fills its rule's cap early; the rest
    # are counted per rule, with no place each for the merge (the whole's rule is full too).
    caps = FindingCaps(per_file=1, per_rule=2)
    part = CappedFindings(caps)
    for number in range(1000):
        part.add(finding("R-001", f"file-{number}"))
    assert part.omitted.by_rule == {"R-001": 998}
    assert part.omitted.at == {}
    whole = CappedFindings(caps)
    whole.add(finding("R-001", "earlier"))
    whole.merge(part.kept, part.omitted)
    assert whole.omitted.by_rule == {"R-001": 999}
    assert [f.file for f in whole.kept] == ["earlier", "file-0"]


class _Flags:
    """Closed rules that count how often they are asked."""

    def __init__(self, closed: set[str]) -> None:
        self.closed = closed
        self.asked = 0

    def __contains__(self, rule: object) -> bool:
        self.asked += 1
        return rule in self.closed


def test_a_rule_found_closed_is_counted_without_asking_again() -> None:
    flags = _Flags({"IDENTIFIER-003"})
    found = CappedFindings(FindingCaps.of(100), flags)
    for number in range(5):
        assert found.omit("IDENTIFIER-003", f"{number}.json")
    assert not found.omit("REFERRAL-009", "0.json")
    assert found.omitted.by_rule == Counter({"IDENTIFIER-003": 5})
    assert flags.asked == 2  # once for the closed rule, once for the open one


def test_a_full_rules_hits_are_counted_at_once_as_one_by_one() -> None:
    caps = FindingCaps(per_file=2, per_rule=3)
    one_by_one = CappedFindings(caps, {"R-CLOSED"})
    at_once = CappedFindings(caps, {"R-CLOSED"})
    for file in ("a", "b"):
        for found in (one_by_one, at_once):
            found.add(finding("R-001", file))
            found.add(finding("R-001", file))  # R-001 fills up in b
    assert not at_once.omit_all("R-002", 3)  # not full: nothing counted
    for rule, count in (("R-001", 4), ("R-CLOSED", 2)):
        assert at_once.omit_all(rule, count)
        for _ in range(count):
            assert one_by_one.omit(rule, "c")
    assert (
        at_once.omitted.by_rule
        == one_by_one.omitted.by_rule
        == Counter({"R-001": 5, "R-CLOSED": 2})
    )


def test_a_document_checks_hits_on_a_full_rule_make_no_finding_and_count_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made: list[str] = []
    real = Recorder.hit

    def spied(self: Recorder, check: Any, *args: Any, **kwargs: Any) -> None:
        made.append(check.rule_id)
        real(self, check, *args, **kwargs)

    monkeypatch.setattr(Recorder, "hit", spied)
    caps = FindingCaps(per_file=100, per_rule=1)  # each rule full after its first finding
    export = EXAMPLES / "valid" / "d11-phv-adults-completed"
    counted = check_export(export, caps=caps, jobs=1)
    at_once = made.count("IDENTIFIER-003")
    made.clear()
    monkeypatch.setattr(CappedFindings, "omit_all", lambda _self, _rule, _count: False)
    one_by_one = check_export(export, caps=caps, jobs=1)
    assert counted.findings == one_by_one.findings
    (summary,) = [f for f in counted.findings if f.rule == "IDENTIFIER-003" and f.summary]
    assert made.count("IDENTIFIER-003") == 1 + summary.count  # every hit, one by one
    # At once: the finding kept, and the events file's line (its reader reports on its own).
    assert at_once == 2 < 1 + summary.count
