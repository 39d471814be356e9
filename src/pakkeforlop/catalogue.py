"""The rule catalogue: every requirement the kit checks, as data in ``spec/rules/<family>.toml``."""

from __future__ import annotations

import re
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from typing import Any

from pakkeforlop._resources import rules_dir
from pakkeforlop.evidence import Evidence
from pakkeforlop.findings import Severity

RULE_ID = re.compile(r"^(?P<family>[A-Z]+)-(?P<number>[0-9]{3})$")

#: The document kinds a rule can apply to; ``export`` means the export as a whole, and
#: ``kith-message`` a KITH XML message as a whole (envelope and contents).
KINDS = frozenset(
    {"export-manifest", "referral", "epicrisis", "pathway-event", "export", "kith-message"}
)

DOCS_RULE_URL = "https://pakkeforlop.no/docs/rules/{family}.html#{anchor}"


class CatalogueError(ValueError):
    """A rule entry breaks the documented format."""


class Verb(StrEnum):
    """The normative verb: MUST for *skal / må*, SHOULD for *bør / anbefales / tilstrebes*."""

    MUST = "MUST"
    SHOULD = "SHOULD"
    MAY = "MAY"


@dataclass(frozen=True, slots=True)
class Rule:
    """One requirement: identity, severity, scope, statement and source."""

    id: str
    title: str
    severity: Severity
    verb: Verb
    source_verb: str
    applies_to: frozenset[str]
    statement: str
    message: str
    message_nb: str
    evidence: Evidence
    source: str
    source_url: str
    since: str
    rationale: str = ""
    severity_note: str = ""
    schema_pointers: tuple[str, ...] = ()
    applies_from: date | None = None
    applies_until: date | None = None

    @property
    def family(self) -> str:
        """The readable prefix of the id: ``REFERRAL`` for ``REFERRAL-001``."""
        return self.id.split("-", 1)[0]

    @property
    def anchor(self) -> str:
        """The anchor of the rule's section on its docs page."""
        return self.id.lower()

    @property
    def url(self) -> str:
        """Where the rule is documented."""
        return DOCS_RULE_URL.format(family=self.family.lower(), anchor=self.anchor)

    def applies_on(self, start: date) -> bool:
        """Whether the rule applies to a pathway started on ``start`` (era rules)."""
        if self.applies_from is not None and start < self.applies_from:
            return False
        return self.applies_until is None or start <= self.applies_until


def _parse_rule(raw: Mapping[str, Any], where: str) -> Rule:
    try:
        rule = Rule(
            id=raw["id"],
            title=raw["title"],
            severity=Severity(raw["severity"]),
            verb=Verb(raw["verb"]),
            source_verb=raw["source_verb"],
            applies_to=frozenset(raw["applies_to"]),
            statement=raw["statement"],
            message=raw["message"],
            message_nb=raw["message_nb"],
            evidence=Evidence(raw["evidence"]),
            source=raw["source"],
            source_url=raw.get("source_url", ""),
            since=raw["since"],
            rationale=raw.get("rationale", ""),
            severity_note=raw.get("severity_note", ""),
            schema_pointers=tuple(raw.get("schema_pointers", ())),
            applies_from=raw.get("applies_from"),
            applies_until=raw.get("applies_until"),
        )
    except (KeyError, ValueError, TypeError) as error:
        msg = f"{where}: {error!r}"
        raise CatalogueError(msg) from error
    _check_rule(rule, where)
    return rule


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _check_rule(rule: Rule, where: str) -> None:
    problems = []
    if not RULE_ID.match(rule.id):
        problems.append(f"id {rule.id!r} is not FAMILY-NNN")
    if not rule.applies_to or not rule.applies_to <= KINDS:
        problems.append(f"applies_to must be a non-empty subset of {sorted(KINDS)}")
    if rule.evidence is Evidence.UNCONFIRMED and rule.severity is Severity.ERROR:
        problems.append("an unconfirmed requirement can never be an error")
    if rule.verb is not Verb.MUST and rule.severity is Severity.ERROR:
        problems.append(f"a {rule.verb} requirement cannot be an error")
    if rule.verb is Verb.MUST and rule.severity is not Severity.ERROR and not rule.severity_note:
        problems.append("a MUST below error needs a severity_note saying why")
    if rule.family == "TIMELIMIT" and rule.severity is not Severity.INFO:
        problems.append("time limits are guidance (veiledende): their rules are info only")
    if rule.schema_pointers and _placeholders(rule.message):
        problems.append("a rule that claims schema violations needs a message without placeholders")
    if problems:
        msg = f"{where} ({rule.id}): " + "; ".join(problems)
        raise CatalogueError(msg)


@cache
def catalogue() -> Mapping[str, Rule]:
    """Every rule, keyed by id, in id order."""
    rules: dict[str, Rule] = {}
    for path in sorted(rules_dir().glob("*.toml")):
        with path.open("rb") as handle:
            entries = tomllib.load(handle).get("rules", [])
        for index, raw in enumerate(entries):
            rule = _parse_rule(raw, f"{path} rules[{index}]")
            if rule.id in rules:
                msg = f"{path}: duplicate rule id {rule.id}"
                raise CatalogueError(msg)
            if rule.family.lower() != path.stem:
                msg = f"{path}: {rule.id} belongs in {rule.family.lower()}.toml"
                raise CatalogueError(msg)
            rules[rule.id] = rule
    return dict(sorted(rules.items()))


def rule(rule_id: str) -> Rule:
    """One rule by id."""
    try:
        return catalogue()[rule_id]
    except KeyError:
        msg = f"no rule {rule_id!r} in the catalogue"
        raise KeyError(msg) from None
