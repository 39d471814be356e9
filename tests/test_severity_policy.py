"""The severity policy: the catalogue holds itself to it, and breaking it fails the loader.

Error only for a *skal / må* from a primary normative source (Helsedirektoratet, law, a message
standard, this specification) with confirmed evidence; a *skal* on a health trust's or a
municipality's page is at most a warning; *bør / anbefales / tilstrebes* is a warning; time
limits are information. A severity below the policy's needs a written exception.
"""

from __future__ import annotations

import io
import re
import tomllib
from typing import Any

import pytest

from pakkeforlop import cli
from pakkeforlop.data.catalogue import (
    CatalogueError,
    Severity,
    _parse_rule,
    catalogue,
    expected_severity,
    policy_problems,
)
from pakkeforlop.data.evidence import Evidence, SourceType

from .conftest import REPO_ROOT

RULES = sorted(catalogue().values(), key=lambda rule: rule.id)


def _raw(**changes: Any) -> dict[str, Any]:
    """A valid rule entry, changed as given (``None`` removes a member)."""
    raw: dict[str, Any] = {
        "id": "REFERRAL-999",
        "title": "A test rule",
        "title_nb": "En testregel",
        "severity": "error",
        "verb": "MUST",
        "source_verb": "skal",
        "applies_to": ["referral"],
        "statement": "A referral does something.",
        "message": "It does not",
        "message_nb": "Den gjør det ikke",
        "evidence": "confirmed",
        "source_type": "authority",
        "source": "Helsedirektoratet",
        "sources": ["hdir-phv-adults-referral"],
        "since": "1.0.0",
    }
    for key, value in changes.items():
        if value is None:
            raw.pop(key, None)
        else:
            raw[key] = value
    return raw


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_every_rule_keeps_the_severity_policy(rule):
    assert policy_problems(rule) == []


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_every_rule_below_the_policy_says_why(rule):
    if rule.severity.rank < expected_severity(rule).rank:
        assert rule.severity_note.strip()


def test_a_valid_entry_loads():
    assert _parse_rule(_raw(), "test").severity is Severity.ERROR


BREACHES = {
    "municipal skal as error": _raw(source_type="municipality", evidence="secondary"),
    "health trust skal as error": _raw(source_type="health-trust", evidence="secondary"),
    "vendor skal as error": _raw(source_type="vendor", evidence="secondary"),
    "unconfirmed as error": _raw(evidence="unconfirmed"),
    "bør as error": _raw(verb="SHOULD", source_verb="bør"),
    "kan as warning": _raw(verb="MAY", source_verb="kan", severity="warning"),
    "time limit as warning": _raw(id="TIMELIMIT-999", severity="warning", verb="SHOULD"),
    "skal below error without a note": _raw(severity="warning"),
    "bør below warning without a note": _raw(verb="SHOULD", severity="info"),
    "confirmed on a municipal page": _raw(
        source_type="municipality", severity="warning", severity_note="why"
    ),
    "secondary evidence on an authority": _raw(evidence="secondary", severity="warning"),
    "an inferred reading confirmed": _raw(
        source_type="inferred", severity="warning", severity_note="why"
    ),
    "history ends elsewhere": _raw(
        history=[{"issue": 1, "change": "severity", "from": "warning", "to": "info", "reason": "x"}]
    ),
    "unknown source type": _raw(source_type="blog"),
    "no source type": _raw(source_type=None),
}


@pytest.mark.parametrize("raw", BREACHES.values(), ids=BREACHES.keys())
def test_the_loader_rejects_a_rule_that_breaks_the_policy(raw):
    with pytest.raises(CatalogueError):
        _parse_rule(raw, "test")


@pytest.mark.parametrize(
    ("source_type", "evidence", "expected"),
    [
        ("authority", "confirmed", Severity.ERROR),
        ("law", "confirmed", Severity.ERROR),
        ("standard", "confirmed", Severity.ERROR),
        ("specification", "confirmed", Severity.ERROR),
        ("authority", "unconfirmed", Severity.WARNING),
        ("health-trust", "secondary", Severity.WARNING),
        ("municipality", "secondary", Severity.WARNING),
        ("inferred", "unconfirmed", Severity.WARNING),
    ],
)
def test_a_must_is_an_error_only_from_a_primary_confirmed_source(source_type, evidence, expected):
    rule = _parse_rule(
        _raw(source_type=source_type, evidence=evidence, severity="info", severity_note="n"),
        "test",
    )
    assert expected_severity(rule) is expected
    primary_and_confirmed = (
        SourceType(source_type).primary and Evidence(evidence) is Evidence.CONFIRMED
    )
    assert primary_and_confirmed is (expected is Severity.ERROR)


SEVERITY_CHANGES = [
    pytest.param(rule, change, id=f"{rule.id}-{change.before}-{change.after}")
    for rule in RULES
    for change in rule.history
    if change.change == "severity"
]


def test_issue_15_corrected_the_severities_the_review_found():
    changed = {param.values[0].id for param in SEVERITY_CHANGES}
    assert {
        "EPICRISIS-001",
        "EPICRISIS-002",
        "REFERRAL-001",
        "REFERRAL-002",
        "REFERRAL-004",
    } <= changed


@pytest.mark.parametrize(("rule", "change"), SEVERITY_CHANGES)
def test_the_changelog_lists_every_severity_change_with_its_reason(rule, change):
    text = (REPO_ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    entries = [entry for entry in re.split(r"\n(?=- )", text) if rule.id in entry]
    pattern = rf"{change.before}\s*(→|->)\s*{change.after}"
    assert any(re.search(pattern, entry) and f"#{change.issue}" in entry for entry in entries)
    assert change.reason.strip()


@pytest.mark.parametrize(("rule", "change"), SEVERITY_CHANGES)
def test_pakkeforlop_rules_shows_the_corrected_severity(rule, change):
    out = io.StringIO()
    assert cli.main(["rules"], stdout=out) == 0
    line = next(line for line in out.getvalue().splitlines() if line.startswith(rule.id + " "))
    assert line.split()[1] == change.after


def test_every_rule_file_names_a_source_type_for_every_rule():
    for path in sorted((REPO_ROOT / "spec" / "rules").glob("*.toml")):
        with path.open("rb") as handle:
            entries = tomllib.load(handle).get("rules", [])
        assert all("source_type" in entry for entry in entries), path
