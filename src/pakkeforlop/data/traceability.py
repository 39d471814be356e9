"""Traceability: the normative statements of the seed documents, mapped to rules or to reasons.

``spec/traceability.toml`` lists every normative statement of the five seed documents with
its verb and source, and either the rules that check it or a written reason why an export
cannot show it (or what the rules leave out). The docs render it as a matrix, and the tests
hold every statement to having one or the other.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pakkeforlop.data.catalogue import Verb
from pakkeforlop.data.toml_files import load_toml

#: The five seed documents the specification rests on.
SEEDS = (
    "000_121aa0c4cdba5451.txt",
    "001_42cbf1551ddfb700.txt",
    "002_da5865dbae374e3c.txt",
    "003_865a7bb3b0ab6744.txt",
    "004_697ef207d13b0d7c.txt",
)
STATEMENT_ID = re.compile(r"^S[0-9]{2,3}$")


class TraceabilityError(ValueError):
    """The traceability file breaks its documented format."""


@dataclass(frozen=True, slots=True)
class Statement:
    """One normative statement of the seeds and how the specification covers it."""

    id: str
    seeds: tuple[str, ...]
    source_verb: str
    verb: Verb
    statement: str
    quote: str
    rules: tuple[str, ...] = ()
    reason: str = ""

    @property
    def checked(self) -> bool:
        """Whether at least one rule checks the statement."""
        return bool(self.rules)


def _statement(raw: Mapping[str, Any], where: str) -> Statement:
    try:
        statement = Statement(
            id=str(raw["id"]),
            seeds=tuple(str(seed) for seed in raw["seeds"]),
            source_verb=str(raw["source_verb"]),
            verb=Verb(raw["verb"]),
            statement=str(raw["statement"]),
            quote=str(raw["quote"]),
            rules=tuple(str(rule) for rule in raw.get("rules", ())),
            reason=str(raw.get("reason", "")).strip(),
        )
    except (KeyError, ValueError, TypeError) as error:
        msg = f"{where}: {error!r}"
        raise TraceabilityError(msg) from error
    problems = []
    if not STATEMENT_ID.match(statement.id):
        problems.append(f"id {statement.id!r} is not S and two or three digits")
    if not statement.seeds or not set(statement.seeds) <= set(SEEDS):
        problems.append(f"seeds must name seed files: {sorted(SEEDS)}")
    if not statement.rules and not statement.reason:
        problems.append("a statement needs rules that check it or a reason why none can")
    if problems:
        msg = f"{where} ({statement.id}): " + "; ".join(problems)
        raise TraceabilityError(msg)
    return statement


def load(path: Path) -> Sequence[Statement]:
    """The statements of a traceability file, in file order."""
    raw = load_toml(path)
    statements = [
        _statement(entry, f"{path} statements[{index}]")
        for index, entry in enumerate(raw.get("statements", ()))
    ]
    ids = [statement.id for statement in statements]
    if len(ids) != len(set(ids)):
        msg = f"{path}: statement ids must be unique"
        raise TraceabilityError(msg)
    return tuple(statements)
