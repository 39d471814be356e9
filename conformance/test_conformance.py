"""One test per rule of the catalogue, over the exports given with ``--export PATH``.

Each item is named by its rule id, so ``-k SCHEMA-002`` selects one rule and ``-k SCHEMA``
its family. An item fails with the rule's findings (file, line, JSON Pointer, message) when
one reaches the fail level; passes when the exports exercise the rule and nothing reaches the
fail level; and is skipped, with the reason, when nothing in the exports exercises the rule:
a rule that was not verified is never reported as passed.
"""

from __future__ import annotations

import pytest

from pakkeforlop.data.catalogue import catalogue
from pakkeforlop.pytest_plugin import rule_verdict

RULES = [pytest.param(rule_id, id=rule_id) for rule_id in catalogue()]


@pytest.mark.parametrize("rule_id", RULES)
def test_rule(rule_id: str, request: pytest.FixtureRequest) -> None:
    """The exports meet ``rule_id`` (the verdict comes from the same report as the CLI's)."""
    verdict = rule_verdict(request, rule_id)
    if verdict.skipped:
        pytest.skip(verdict.reason)
    if verdict.failed:
        pytest.fail(verdict.text, pytrace=False)
