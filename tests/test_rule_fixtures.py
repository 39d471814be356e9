"""The kit tests itself: every rule is implemented, has fixtures, and each fixture fires exactly:
the rules it adds, and for a case that fires its rule, where (file and pointer, line or XPath)
and how many findings of the rule it adds."""

from __future__ import annotations

from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from pakkeforlop.data import fixtures
from pakkeforlop.data.catalogue import catalogue
from pakkeforlop.engine import check_export
from pakkeforlop.kith import XsdCatalog
from pakkeforlop.model.findings import Finding
from pakkeforlop.read import Limits
from pakkeforlop.rules.checks import registered

from .conftest import EXAMPLES, REPO_ROOT

FIXTURES = fixtures.load(REPO_ROOT / "spec" / "fixtures")
CASES = [
    pytest.param(rule, case, id=f"{rule}-{case.expect}-{case.name}")
    for rule, rule_fixtures in FIXTURES.items()
    for case in rule_fixtures.cases
]


def test_every_catalogue_rule_has_an_implementation():
    assert sorted(set(catalogue()) - set(registered())) == []


def test_every_implementation_has_a_catalogue_entry():
    assert sorted(set(registered()) - set(catalogue())) == []


#: Rules no edit of an example export can make fire, each with the test that fires it instead:
#: a failure of the kit's own code, and a folder nested beyond the system's path length.
FIRED_ELSEWHERE = {
    "INTERNAL-001": (
        "test_robustness.py",
        "test_a_rule_that_raises_becomes_an_internal_error_finding_and_nothing_else_is_lost",
    ),
    "INPUT-018": ("test_folders.py", "test_a_folder_nested_beyond_the_path_limit_is_a_finding"),
}


@pytest.mark.parametrize("rule_id", sorted(FIRED_ELSEWHERE))
def test_a_rule_no_fixture_can_fire_is_fired_by_a_named_test(rule_id):
    module, name = FIRED_ELSEWHERE[rule_id]
    source = (Path(__file__).parent / module).read_text(encoding="utf-8")
    assert f"def {name}(" in source
    assert rule_id in source


@pytest.mark.parametrize("rule_id", sorted(set(catalogue()) - set(FIRED_ELSEWHERE)))
def test_every_rule_has_fixtures_that_fire_it_and_fixtures_that_do_not(rule_id):
    assert rule_id in FIXTURES, f"add spec/fixtures/{rule_id}.toml"
    assert FIXTURES[rule_id].of("passes"), "needs a case that passes"
    if catalogue()[rule_id].in_force:
        assert FIXTURES[rule_id].of("fires"), "needs a case that fires"
    else:  # a rule whose effective date is unconfirmed is not applied, so it cannot fire
        assert not FIXTURES[rule_id].of("fires"), "a rule not in force cannot fire"


def test_every_fixture_file_names_a_catalogue_rule():
    assert sorted(set(FIXTURES) - set(catalogue())) == []


def _findings(
    root: Path, limits: Limits | None = None, xsd: XsdCatalog | None = None
) -> list[Finding]:
    return check_export(root, display_root="", limits=limits, xsd=xsd).findings


def _rule_counts(findings: list[Finding]) -> Counter[str]:
    return Counter(finding.rule for finding in findings)


Place = tuple[str, str | None, int | None, str | None]


def _places(findings: list[Finding], rule_id: str) -> Counter[Place]:
    return Counter(
        (finding.file, finding.pointer, finding.line, finding.xpath)
        for finding in findings
        if finding.rule == rule_id
    )


def _unmatched(expected: tuple[fixtures.Expected, ...], added: Counter[Place]) -> list[str]:
    """What differs between the expected findings and the places of the added ones."""
    pool = list(added.elements())
    problems = []
    for entry in expected:
        matching = [place for place in pool if entry.matches(*place)]
        if len(matching) != entry.count:
            problems.append(f"{entry}: {len(matching)} found")
        for place in matching[: entry.count]:
            pool.remove(place)
    problems.extend(f"not expected: {place}" for place in pool)
    return problems


@cache
def _xsd(folder: str | None) -> XsdCatalog | None:
    """The XSDs a case is checked with (``xsd_dir``, e.g. the KITH XSDs in ../shared)."""
    if folder is None:
        return None
    path = REPO_ROOT / folder
    if not path.is_dir():
        pytest.skip(f"{path} is not available; CI always has ../shared beside the checkout")
    return XsdCatalog.load(path)


@cache
def _baseline(base: str | None) -> tuple[Finding, ...]:
    return () if base is None else tuple(_findings(EXAMPLES / "valid" / base))


@pytest.mark.parametrize(("rule_id", "case"), CASES)
def test_each_fixture_triggers_exactly_its_expected_rules(rule_id, case, tmp_path):
    root = fixtures.materialize(case, EXAMPLES / "valid", tmp_path / "export")
    found = _findings(root, Limits(**case.limits), _xsd(case.xsd_dir))
    baseline = list(_baseline(case.base))
    new = set(_rule_counts(found) - _rule_counts(baseline))
    if case.expect == "fires":
        assert new == {rule_id} | case.also
        added = _places(found, rule_id) - _places(baseline, rule_id)
        assert _unmatched(case.findings, added) == []
    else:
        assert rule_id not in _rule_counts(found)
        assert new == set(case.also)


def test_the_place_and_count_comparison_fails_on_a_wrong_place_or_a_double_report():
    expected = (fixtures.Expected(file="events.ndjson", pointer="/code", line=5),)
    right = Counter({("events.ndjson", "/code", 5, None): 1})
    assert _unmatched(expected, right) == []
    assert _unmatched(expected, Counter({("events.ndjson", "/date", 5, None): 1}))
    assert _unmatched(expected, Counter({("events.ndjson", "/code", 6, None): 1}))
    assert _unmatched(expected, Counter({("events.ndjson", "/code", 5, None): 2}))
    assert _unmatched(expected, Counter())
