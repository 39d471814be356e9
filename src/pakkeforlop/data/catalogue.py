"""The rule catalogue: every requirement the kit checks, as data in ``spec/rules/<family>.toml``."""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from typing import Any

from pakkeforlop.data import sources as sources_module
from pakkeforlop.data.evidence import Evidence, SourceType
from pakkeforlop.data.locations import rules_dir
from pakkeforlop.data.toml_files import load_toml

RULE_ID = re.compile(r"^(?P<family>[A-Z]+)-(?P<number>[0-9]{3})$")

#: The document kinds a rule can apply to; ``export`` means the export as a whole, and
#: ``kith-message`` a KITH XML message as a whole (envelope and contents).
KINDS = frozenset(
    {
        "export-manifest",
        "referral",
        "epicrisis",
        "feedback",
        "pathway-event",
        "export",
        "kith-message",
    }
)

DOCS_RULE_URL = "https://pakkeforlop.no/docs/rules/{family}.html#{anchor}"


class CatalogueError(ValueError):
    """A rule entry breaks the documented format."""


class Verb(StrEnum):
    """The normative verb: MUST for *skal / må*, SHOULD for *bør / anbefales / tilstrebes*."""

    MUST = "MUST"
    SHOULD = "SHOULD"
    MAY = "MAY"


class Severity(StrEnum):
    """How serious a finding is: ``error`` breaks a MUST, ``warning`` a SHOULD, ``info`` informs."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """2 for error, 1 for warning, 0 for info: compare with a fail level."""
        return {"error": 2, "warning": 1, "info": 0}[self.value]


#: The kinds of change a rule's history records.
HISTORY_CHANGES = frozenset({"severity", "scope", "evidence", "verb"})


@dataclass(frozen=True, slots=True)
class Change:
    """One recorded change of a rule that keeps its id (its meaning): a lowered severity, a
    narrowed scope, a corrected evidence tag or verb. The changelog lists every severity change
    with its reason (a test compares the two)."""

    issue: int
    change: str
    reason: str
    before: str = ""
    after: str = ""


@dataclass(frozen=True, slots=True)
class Rule:
    """One requirement: identity, severity, scope, statement and source."""

    id: str
    title: str
    #: The title in Norwegian bokmål, for ``--lang nb`` and the docs.
    title_nb: str
    severity: Severity
    verb: Verb
    source_verb: str
    applies_to: frozenset[str]
    statement: str
    message: str
    message_nb: str
    evidence: Evidence
    source_type: SourceType
    source: str
    source_url: str
    #: The ids of the documents the rule rests on, in ``spec/sources.toml``.
    sources: tuple[str, ...]
    since: str
    rationale: str = ""
    severity_note: str = ""
    schema_pointers: tuple[str, ...] = ()
    applies_from: date | None = None
    applies_until: date | None = None
    #: False for an era rule whose effective date no source confirms: documented, not applied.
    in_force: bool = True
    history: tuple[Change, ...] = ()

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

    def title_in(self, lang: str) -> str:
        """The title in ``lang`` (``nb`` for Norwegian bokmål, English otherwise)."""
        return self.title_nb if lang == "nb" else self.title

    def as_data(self) -> dict[str, Any]:
        """The rule as plain data, the one form every JSON view publishes (``pakkeforlop rules
        --format json``, ``explain --format json``, the docs' ``catalogue.json``); the keys in
        the JSON reports' camelCase, the cited documents in full."""
        return {
            "id": self.id,
            "family": self.family,
            "title": self.title,
            "titleNb": self.title_nb,
            "severity": self.severity.value,
            "verb": self.verb.value,
            "sourceVerb": self.source_verb,
            "appliesTo": sorted(self.applies_to),
            "statement": self.statement,
            "message": self.message,
            "messageNb": self.message_nb,
            "evidence": self.evidence.value,
            "sourceType": self.source_type.value,
            "source": self.source,
            "sourceUrl": self.source_url or None,
            "sources": [sources_module.source(cited).as_data() for cited in self.sources],
            "since": self.since,
            "rationale": self.rationale or None,
            "severityNote": self.severity_note or None,
            "schemaPointers": list(self.schema_pointers),
            "appliesFrom": self.applies_from.isoformat() if self.applies_from else None,
            "appliesUntil": self.applies_until.isoformat() if self.applies_until else None,
            "inForce": self.in_force,
            "history": [
                {
                    "issue": change.issue,
                    "change": change.change,
                    "from": change.before or None,
                    "to": change.after or None,
                    "reason": change.reason,
                }
                for change in self.history
            ],
            "url": self.url,
        }

    def applies_on(self, start: date) -> bool:
        """Whether the rule applies to a pathway started on ``start`` (era rules)."""
        if not self.in_force:
            return False
        if self.applies_from is not None and start < self.applies_from:
            return False
        return self.applies_until is None or start <= self.applies_until


def _parse_rule(raw: Mapping[str, Any], where: str) -> Rule:
    try:
        rule = Rule(
            id=raw["id"],
            title=raw["title"],
            title_nb=raw["title_nb"],
            severity=Severity(raw["severity"]),
            verb=Verb(raw["verb"]),
            source_verb=raw["source_verb"],
            applies_to=frozenset(raw["applies_to"]),
            statement=raw["statement"],
            message=raw["message"],
            message_nb=raw["message_nb"],
            evidence=Evidence(raw["evidence"]),
            source_type=SourceType(raw["source_type"]),
            source=raw["source"],
            source_url=raw.get("source_url", ""),
            sources=tuple(raw["sources"]),
            since=raw["since"],
            rationale=raw.get("rationale", ""),
            severity_note=raw.get("severity_note", ""),
            schema_pointers=tuple(raw.get("schema_pointers", ())),
            applies_from=raw.get("applies_from"),
            applies_until=raw.get("applies_until"),
            in_force=raw.get("in_force", True),
            history=tuple(_parse_change(entry) for entry in raw.get("history", ())),
        )
    except (KeyError, ValueError, TypeError) as error:
        msg = f"{where}: {error!r}"
        raise CatalogueError(msg) from error
    _check_rule(rule, where)
    return rule


def _parse_change(raw: Mapping[str, Any]) -> Change:
    change = Change(
        issue=int(raw["issue"]),
        change=str(raw["change"]),
        reason=str(raw["reason"]),
        before=str(raw.get("from", "")),
        after=str(raw.get("to", "")),
    )
    if change.change not in HISTORY_CHANGES:
        msg = f"history change must be one of {sorted(HISTORY_CHANGES)}, not {change.change!r}"
        raise ValueError(msg)
    if change.change == "severity":
        Severity(change.before)
        Severity(change.after)
    return change


def expected_severity(rule: Rule) -> Severity:
    """The severity the policy gives a rule from its verb, source type, evidence and family.

    * time limits are guidance (*veiledende*): info;
    * MAY (*kan*, *vil være aktuelt*): info;
    * SHOULD (*bør*, *anbefales*, *tilstrebes*, imperatives in a checklist): warning;
    * MUST (*skal*, *må*): error only when the source is primary (Helsedirektoratet, law, a
      message standard, this specification) and the evidence confirmed; otherwise warning
      (a *skal* on a health trust's or municipality's page is at most a warning).
    """
    if rule.family == "TIMELIMIT" or rule.verb is Verb.MAY:
        return Severity.INFO
    if rule.verb is Verb.SHOULD:
        return Severity.WARNING
    if rule.source_type.primary and rule.evidence is Evidence.CONFIRMED:
        return Severity.ERROR
    return Severity.WARNING


def policy_problems(rule: Rule) -> list[str]:
    """Where a rule breaks the severity policy (empty when it keeps it).

    The severity never exceeds :func:`expected_severity`; a severity below it needs a written
    exception (``severity_note``). The evidence tag agrees with the source type: confirmed
    rests on a primary source, secondary on a secondary one, and an inferred reading is
    unconfirmed.
    """
    problems = []
    expected = expected_severity(rule)
    if rule.severity.rank > expected.rank:
        problems.append(
            f"a {rule.verb} from a {rule.source_type} source with {rule.evidence} evidence "
            f"is at most {expected}, not {rule.severity}"
        )
    elif rule.severity.rank < expected.rank and not rule.severity_note:
        problems.append(
            f"a {rule.verb} from a {rule.source_type} source with {rule.evidence} evidence is "
            f"{expected}; {rule.severity} needs a severity_note saying why"
        )
    if rule.evidence is Evidence.CONFIRMED and not rule.source_type.primary:
        problems.append(f"confirmed evidence needs a primary source, not {rule.source_type}")
    if rule.evidence is Evidence.SECONDARY and (
        rule.source_type.primary or rule.source_type is SourceType.INFERRED
    ):
        problems.append(f"secondary evidence needs a secondary source, not {rule.source_type}")
    if rule.source_type is SourceType.INFERRED and rule.evidence is not Evidence.UNCONFIRMED:
        problems.append("an inferred requirement is unconfirmed")
    severity_changes = [change for change in rule.history if change.change == "severity"]
    if severity_changes and severity_changes[-1].after != rule.severity.value:
        problems.append(
            f"history: the last severity change (#{severity_changes[-1].issue}) must end at "
            f"the rule's severity {rule.severity}"
        )
    return problems


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _source_problems(rule: Rule) -> list[str]:
    """Where a rule's sources break the format: ids of ``spec/sources.toml``, and a
    ``source_url`` that is the address of one of them."""
    known = sources_module.sources()
    problems = []
    if not rule.sources:
        problems.append("sources must name at least one id of spec/sources.toml")
    unknown = [source_id for source_id in rule.sources if source_id not in known]
    if unknown:
        problems.append(f"sources {unknown} are not in spec/sources.toml")
    if rule.source_url:
        cited = sources_module.by_url(rule.source_url)
        if cited is None or cited.id not in rule.sources:
            problems.append(
                f"source_url {rule.source_url} must be the address of one of the rule's sources"
            )
    return problems


def _check_rule(rule: Rule, where: str) -> None:
    problems = []
    if not RULE_ID.match(rule.id):
        problems.append(f"id {rule.id!r} is not FAMILY-NNN")
    if not rule.applies_to or not rule.applies_to <= KINDS:
        problems.append(f"applies_to must be a non-empty subset of {sorted(KINDS)}")
    problems.extend(policy_problems(rule))
    if not rule.title_nb.strip():
        problems.append("title_nb (the Norwegian title) is required")
    problems.extend(_source_problems(rule))
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
        entries = load_toml(path).get("rules", [])
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
