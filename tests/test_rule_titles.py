"""Every rule has a Norwegian title, and ``--lang nb`` shows it wherever a report names a rule.

The catalogue requires ``title_nb``; the text, JSON, JUnit, HTML, SARIF and GitHub outputs and
``pakkeforlop rules`` show the rule's title in the report's language, English by default.
"""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pakkeforlop.data.catalogue import CatalogueError, _parse_rule, catalogue
from pakkeforlop.engine import check_export
from pakkeforlop.report.build import build_report
from pakkeforlop.report.formats import github, html, json_report, junit, sarif, text

from .conftest import EXAMPLES
from .test_cli import invoke

RULES = sorted(catalogue().values(), key=lambda rule: rule.id)
LATE = EXAMPLES / "invalid" / "event-after-ending"  # PATHWAY-010, an error
FAILING = "PATHWAY-010"

#: Words that mark an English title left untranslated (none is a Norwegian word).
ENGLISH_WORDS = {"the", "of", "and", "with", "when", "after", "before", "follows", "named"}


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_every_rule_has_a_norwegian_title_of_its_own(rule):
    assert rule.title_nb.strip()
    assert rule.title_nb != rule.title
    assert not ENGLISH_WORDS & set(rule.title_nb.lower().split()), rule.title_nb
    assert rule.title_in("nb") == rule.title_nb
    assert rule.title_in("en") == rule.title


def test_the_catalogue_rejects_a_rule_without_a_norwegian_title():
    raw = {
        "id": "REFERRAL-999",
        "title": "A test rule",
        "severity": "warning",
        "verb": "SHOULD",
        "source_verb": "bør",
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
    with pytest.raises(CatalogueError, match="title_nb"):
        _parse_rule(raw, "test")
    with pytest.raises(CatalogueError, match="Norwegian title"):
        _parse_rule({**raw, "title_nb": " "}, "test")
    assert _parse_rule({**raw, "title_nb": "En testregel"}, "test").title_nb == "En testregel"


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("late") / "late"
    shutil.copytree(LATE, folder)
    result = check_export(folder)
    return {lang: build_report([result], lang=lang) for lang in ("en", "nb")}


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_every_format_names_the_failing_rule_in_the_report_language(reports, lang):
    report = reports[lang]
    rule = catalogue()[FAILING]
    wanted, other = (rule.title_nb, rule.title) if lang == "nb" else (rule.title, rule.title_nb)

    assert f"{FAILING} " in text.render(report)
    assert wanted in text.render(report)
    assert other not in text.render(report)

    (entry,) = [r for r in json.loads(json_report.render(report))["rules"] if r["id"] == FAILING]
    assert entry["title"] == wanted

    cases = ET.fromstring(junit.render(report)).iter("testcase")
    (case,) = [c for c in cases if c.get("name", "").startswith(FAILING)]
    assert case.get("name") == f"{FAILING} {wanted}"
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("message", "").endswith(wanted)

    page = html.render(report)
    assert wanted in page
    assert other not in page

    (descriptor,) = [
        r
        for r in json.loads(sarif.render(report))["runs"][0]["tool"]["driver"]["rules"]
        if r["id"] == FAILING
    ]
    assert descriptor["shortDescription"]["text"] == wanted

    assert f"title={FAILING} {wanted}" in github.render(report)


def test_the_rules_command_lists_titles_in_the_language_asked(capsys):
    english = invoke(capsys, "rules").out
    norwegian = invoke(capsys, "rules", "--lang", "nb").out
    for rule in RULES:
        assert rule.title in english
        assert rule.title_nb in norwegian
    entries = {
        entry["id"]: entry for entry in json.loads(invoke(capsys, "rules", "--format", "json").out)
    }
    assert {rule.id: rule.title_nb for rule in RULES} == {
        rule_id: entry["titleNb"] for rule_id, entry in entries.items()
    }


def test_explain_shows_both_titles(capsys):
    out = invoke(capsys, "explain", "REFERRAL-001").out
    rule = catalogue()["REFERRAL-001"]
    assert rule.title in out
    assert rule.title_nb in out


def test_a_rule_title_translation_is_used_by_the_check_command(capsys, tmp_path: Path):
    folder = tmp_path / "late"
    shutil.copytree(LATE, folder)
    out = invoke(capsys, "check", str(folder), "--lang", "nb").out
    assert catalogue()[FAILING].title_nb in out
