"""The kit tests itself: every rule is implemented, has fixtures, and each fixture fires exactly."""

from __future__ import annotations

from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from pakkeforlop import fixtures
from pakkeforlop.catalogue import catalogue
from pakkeforlop.checks import registered
from pakkeforlop.engine import check_export
from pakkeforlop.jsonread import Limits
from pakkeforlop.kith import XsdCatalog

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
    assert FIXTURES[rule_id].of("fires"), "needs a case that fires"
    assert FIXTURES[rule_id].of("passes"), "needs a case that passes"


def test_every_fixture_file_names_a_catalogue_rule():
    assert sorted(set(FIXTURES) - set(catalogue())) == []


def _rule_counts(
    root: Path, limits: Limits | None = None, xsd: XsdCatalog | None = None
) -> Counter[str]:
    result = check_export(root, display_root="", limits=limits, xsd=xsd)
    return Counter(finding.rule for finding in result.findings)


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
def _baseline(base: str | None) -> Counter[str]:
    return Counter() if base is None else _rule_counts(EXAMPLES / "valid" / base)


@pytest.mark.parametrize(("rule_id", "case"), CASES)
def test_each_fixture_triggers_exactly_its_expected_rules(rule_id, case, tmp_path):
    root = fixtures.materialize(case, EXAMPLES / "valid", tmp_path / "export")
    found = _rule_counts(root, Limits(**case.limits), _xsd(case.xsd_dir))
    new = set(found - _baseline(case.base))
    if case.expect == "fires":
        assert new == {rule_id} | case.also
    else:
        assert rule_id not in found
        assert new == set(case.also)
