"""Every normative statement of the seeds is traced to rules or to a written reason."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pakkeforlop.data.catalogue import catalogue
from pakkeforlop.data.traceability import SEEDS, Statement, TraceabilityError, load

from .conftest import REPO_ROOT, shared_file

TRACEABILITY = REPO_ROOT / "spec" / "traceability.toml"
STATEMENTS = load(TRACEABILITY)


def test_the_review_s_48_statements_and_more_are_listed():
    ids = [statement.id for statement in STATEMENTS]
    assert ids[:48] == [f"S{number:02d}" for number in range(1, 49)]
    assert len(ids) > 48


@pytest.mark.parametrize("statement", STATEMENTS, ids=lambda statement: statement.id)
def test_every_statement_has_rules_or_a_reason(statement: Statement):
    assert statement.rules or statement.reason


@pytest.mark.parametrize("statement", STATEMENTS, ids=lambda statement: statement.id)
def test_every_rule_a_statement_names_is_in_the_catalogue(statement: Statement):
    assert set(statement.rules) <= set(catalogue())


def test_every_seed_has_statements():
    assert {seed for statement in STATEMENTS for seed in statement.seeds} == set(SEEDS)


def _normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("«", "").replace("»", "")).strip().casefold()


@pytest.mark.parametrize("statement", STATEMENTS, ids=lambda statement: statement.id)
def test_every_quote_is_in_its_seeds(statement: Statement):
    texts = [
        _normalised(shared_file("seeds", seed).read_text(encoding="utf-8"))
        for seed in statement.seeds
    ]
    for part in (part.strip() for part in statement.quote.split("...")):
        assert any(_normalised(part) in text for text in texts), part


def test_a_statement_without_rules_or_reason_is_rejected(tmp_path: Path):
    path = tmp_path / "traceability.toml"
    path.write_text(
        '[[statements]]\nid = "S01"\nseeds = ["000_121aa0c4cdba5451.txt"]\n'
        'source_verb = "skal"\nverb = "MUST"\nstatement = "x"\nquote = "y"\nrules = []\n',
        encoding="utf-8",
    )
    with pytest.raises(TraceabilityError, match="rules that check it or a reason"):
        load(path)


def test_duplicate_ids_are_rejected(tmp_path: Path):
    entry = (
        '[[statements]]\nid = "S01"\nseeds = ["000_121aa0c4cdba5451.txt"]\n'
        'source_verb = "skal"\nverb = "MUST"\nstatement = "x"\nquote = "y"\nrules = ["INPUT-001"]\n'
    )
    path = tmp_path / "traceability.toml"
    path.write_text(entry + entry, encoding="utf-8")
    with pytest.raises(TraceabilityError, match="unique"):
        load(path)
