"""Checking one parsed document: its schema, its document checks, and its record for the
pathway rules."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pakkeforlop.data.schemas import DOCUMENT_SCHEMAS, Validity, fast_validity, validator
from pakkeforlop.engine.recorder import Recorder
from pakkeforlop.engine.tuning import Collector
from pakkeforlop.model import facts as extract
from pakkeforlop.model import pointers
from pakkeforlop.model.records import Document, ExportFacts
from pakkeforlop.rules.checks import (
    Applies,
    Check,
    Hit,
    Quiet,
    Scope,
    alike_runs,
    always,
    by_scope,
    of_the_export,
)
from pakkeforlop.rules.engine_reported import GENERIC_SCHEMA_RULE
from pakkeforlop.rules.schema_messages import describe, missing_member

#: The schema of each document kind.
SCHEMA_OF_KIND: Mapping[str, str] = {
    "export-manifest": DOCUMENT_SCHEMAS["export-manifest"],
    "referral": DOCUMENT_SCHEMAS["referral"],
    "epicrisis": DOCUMENT_SCHEMAS["epicrisis"],
    "feedback": DOCUMENT_SCHEMAS["feedback"],
    "pathway-event": DOCUMENT_SCHEMAS["pathway-events"],
}
EVENT_KIND = "pathway-event"


class DocumentChecker:
    """Checks documents one at a time, reporting to one run's recorder."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder
        self.document_checks = by_scope(Scope.DOCUMENT)
        rules = recorder.rules
        #: Per document kind, the rules that its schema validation exercises.
        self.schema_rules = {
            kind: frozenset(
                {generic}
                | {r.id for r in rules.values() if r.schema_pointers and kind in r.applies_to}
            )
            for kind, generic in GENERIC_SCHEMA_RULE.items()
        }
        self.checks_of_kind: dict[str, list[Check]] = {}
        self.steps_of_kind: dict[str, list[Step]] = {}
        #: The export facts the steps of :attr:`steps_of_kind` were planned for.
        self._planned_for: ExportFacts | None = None
        self.collector = Collector()
        #: The fast validity check of each schema, looked up once per run (the lookup reads
        #: the environment: a cost per document).
        #: (By kind, one table each without and with native formats: a key of the kind alone
        #: costs less to look up than one of the kind and the flag.)
        self._quick: tuple[dict[str, Validity | None], dict[str, Validity | None]] = ({}, {})
        #: Per document kind, the set of exercised rules its schema rules were last added to:
        #: the same set (of the same result) needs them once, not once per document.
        self._schema_exercised_into: dict[str, set[str]] = {}

    def checks_of(self, kind: str) -> list[Check]:
        """The document checks of one kind of document, in rule-id order."""
        checks = self.checks_of_kind.get(kind)
        if checks is None:
            checks = [check for check in self.document_checks if kind in check.kinds]
            self.checks_of_kind[kind] = checks
        return checks

    def check(self, document: Document, *, native_formats: bool = False) -> None:
        """Validate ``document``, run its checks, and keep its record if it is schema-valid.

        ``native_formats``: the text passed the fast parse's guards (see
        :func:`pakkeforlop.data.schemas.fast_validity`).
        """
        recorder = self.recorder
        result = recorder.result
        kind = document.kind
        result.kinds_seen.add(kind)
        if kind == EVENT_KIND:
            result.events += 1
        elif document.origin is None:  # one mapped from XML is counted as its message
            result.documents += 1
        try:
            schema_valid = self.schema_findings(document, native_formats=native_formats)
        except Exception as error:  # the kit's bug must not cost the other checks
            recorder.internal_error("schema validation", document.path, error, line=document.line)
            schema_valid = False
        if schema_valid:
            document.passed = SCHEMA_OF_KIND[kind]
        self.run_checks(document)
        if schema_valid:
            try:
                extract.collect(document, result.instances, result.table)
            except Exception as error:  # the kit's bug must not cost the other documents
                step = "collecting pathway facts"
                recorder.internal_error(step, document.path, error, line=document.line)
        self.collector.count()

    def schema_rule(
        self, kind: str, pointer: str, document: Document | None = None, *, missing: bool = False
    ) -> str:
        """The rule a schema violation at ``pointer`` is reported under."""
        if missing and document is not None and document.origin is not None:
            claimed = document.origin.schema_claims.get(pointer)  # a member XML cannot carry
            if claimed is not None:
                return claimed
        for rule in self.recorder.rules.values():
            if kind in rule.applies_to and any(
                pointer == prefix or pointer.startswith(prefix + "/")
                for prefix in rule.schema_pointers
            ):
                return rule.id
        return GENERIC_SCHEMA_RULE[kind]

    def schema_findings(self, document: Document, *, native_formats: bool = False) -> bool:
        """Report the document's schema violations; whether it had none."""
        recorder = self.recorder
        kind = document.kind
        schema_id = SCHEMA_OF_KIND[kind]
        known = self._quick[native_formats]
        try:
            quick = known[kind]
        except KeyError:
            quick = known[kind] = fast_validity(schema_id, native_formats=native_formats)
        if quick is not None and quick(document.value):
            errors = []
        else:
            errors = sorted(
                validator(schema_id).iter_errors(document.value),
                key=lambda error: (list(map(str, error.absolute_path)), str(error.validator)),
            )
        for error in errors:
            pointer = pointers.pointer(error.absolute_path)
            member = missing_member(error)
            governed = f"{pointer}/{member}" if member else pointer
            line, column = document.locate(pointer)
            recorder.report(
                self.schema_rule(document.kind, governed, document, missing=member is not None),
                document.path,
                describe(error, schema_id),
                pointer=pointer,
                line=line,
                column=column,
                xpath=document.xpath(governed),
            )
        exercised = recorder.result.exercised
        if self._schema_exercised_into.get(kind) is not exercised:
            exercised.update(self.schema_rules[kind])
            self._schema_exercised_into[kind] = exercised
        if document.origin is not None:
            recorder.result.exercised.update(document.origin.schema_claims.values())
        return not errors

    def steps_of(self, kind: str) -> list[Step]:
        """The document checks of one kind, in rule-id order, as steps (see :class:`Step`),
        planned for the export's facts (see :meth:`Step.plan`)."""
        facts = self.recorder.facts
        if facts is not self._planned_for:
            self.steps_of_kind.clear()
            self._planned_for = facts
        steps = self.steps_of_kind.get(kind)
        if steps is None:
            steps = self.steps_of_kind[kind] = Step.plan(self.checks_of(kind), facts)
        return steps

    def run_checks(self, document: Document) -> None:  # noqa: PLR0912 (one loop: see below)
        """Run every document check of the document's kind (a failing one is reported).

        Many checks share a condition (``planned`` for most of a referral's): each distinct
        one is asked once per document, its answer kept for the others (conditions are pure
        functions of the document and the export's facts; one that fails is asked again, so
        that each check reports its own failure). A table's ``quiet`` test is asked once per
        document too (see :attr:`Check.quiet`), here, where one that fails clears nothing: the
        checks then run, and report what they find, as they would without it. (Asked through
        a total version of it, a function that catches its failure, each cost a call more:
        about 0.1 µs for each table of each document.) The loop is one function, with its
        branches, for that reason: it calls nothing per step but the tests and the checks.
        """
        recorder = self.recorder
        facts = recorder.facts
        exercised = recorder.result.exercised
        path = document.path
        # Whether other documents may share its file: the lines of an NDJSON file and what one
        # XML message maps to do; a JSON document's file holds it alone, so each value a check
        # reports once per file is its file's first (see _first_in_file), with nothing to note.
        shares_file = document.line is not None or document.origin is not None
        # The steps planned for the export's facts, looked up with no call (a cost per
        # document); planned by steps_of when there are none yet, or the facts are new.
        kind = document.kind
        steps = self.steps_of_kind.get(kind) if facts is self._planned_for else None
        if steps is None:
            steps = self.steps_of(kind)
        # What each condition and quiet test gave for this document, at its place (see
        # Step: at most two tests per step).
        answers: list[bool | None] = [None] * (2 * len(steps))
        for step in steps:
            applies = step.applies
            if applies is not None:
                answer = answers[step.applies_at]
                if answer is None:
                    try:
                        answer = answers[step.applies_at] = bool(applies(document, facts))
                    except Exception:  # each of the step's checks asks again, and reports it
                        self._run_alone(step.checks, document)
                        continue
                if not answer:
                    continue
            if step.exercised_into is not exercised:
                exercised.update(step.rule_ids)
                step.exercised_into = exercised
            quiet = step.quiet
            if quiet is not None:
                calm = answers[step.quiet_at]
                if calm is None:
                    try:
                        calm = answers[step.quiet_at] = bool(quiet(document, facts))
                    except Exception:  # a shortcut only (asked again by the table's next step)
                        calm = False
                if calm:
                    continue
            for check in step.checks:
                try:
                    hits = check.function(document, facts)
                    if hits:  # (not an empty tuple: most checks of most documents give one)
                        self._report(check, hits, document, shares_file=shares_file)
                except Exception as error:  # the kit's bug must not cost the other checks
                    recorder.internal_error(check.rule_id, path, error, line=document.line)

    def _report(
        self, check: Check, hits: Iterable[Hit], document: Document, *, shares_file: bool
    ) -> None:
        """Report a check's hits on ``document`` (``shares_file``: see :meth:`run_checks`)."""
        if shares_file and check.once_per_file is not None:
            hits = self._first_in_file(check, hits, document)
        recorder = self.recorder
        # (Types as a tuple, a constant: ``tuple | list`` would make a union at every call.)
        if isinstance(hits, (tuple, list)) and recorder.found.omit_all(check.rule_id, len(hits)):
            return  # the rule is full: its hits are counted (its step marked it exercised)
        for hit in hits:
            recorder.hit(check, hit, document.path, document)

    def _first_in_file(
        self, check: Check, hits: Iterable[Hit], document: Document
    ) -> Iterable[Hit]:
        """A check's hits on ``document``, or none when they repeat an earlier document's in
        the same file (see :attr:`Check.once_per_file`)."""
        found = list(hits)
        if not found or check.once_per_file is None:
            return found
        value = check.once_per_file(document, self.recorder.facts)
        return found if self.recorder.first_in_file(check, document.path, value) else ()

    def _run_alone(self, checks: Iterable[Check], document: Document) -> None:
        """Run checks each on its own: each asks its condition and reports its own failure
        (what the checks of a step do when their shared condition fails)."""
        recorder = self.recorder
        facts = recorder.facts
        for check in checks:
            try:
                if not check.applies(document, facts):
                    continue
                recorder.result.exercised.add(check.rule_id)
                hits = check.function(document, facts)
                if check.once_per_file is not None:
                    hits = self._first_in_file(check, hits, document)
                for hit in hits:
                    recorder.hit(check, hit, document.path, document)
            except Exception as error:  # the kit's bug must not cost the other checks
                recorder.internal_error(check.rule_id, document.path, error, line=document.line)


class Step:
    """Document checks next to each other in rule-id order that share their condition
    (``applies``) and their ``quiet`` test (see :attr:`Check.quiet`), run as one.

    Why: a referral runs some thirty checks, most of them in a few such runs. Per check, the
    engine looked up its condition's answer and added its rule to the exercised rules; a step
    asks once and adds its rules to a result's exercised rules once, the first time its
    condition holds (the set only grows, and a new part's result is a new set: the step
    remembers which set it last added them to). Identical to checking one by one: a step
    whose condition holds runs (and so exercises) every one of its checks.

    What a test gave for a document is kept at the test's place (``applies_at``,
    ``quiet_at``) in a list, for the steps that share the test: looked up by its index, it
    costs a fraction of a lookup by the test itself (about 0.25 µs per document, for the
    fifteen or so tests of a referral).
    """

    __slots__ = (
        "applies",
        "applies_at",
        "checks",
        "exercised_into",
        "quiet",
        "quiet_at",
        "rule_ids",
    )

    def __init__(
        self,
        checks: tuple[Check, ...],
        applies: Applies | None,
        quiet: Quiet | None,
        places: dict[Applies | Quiet, int],
    ) -> None:
        #: The condition, or ``None`` where it holds for every document (see :meth:`plan`).
        self.applies = applies
        #: The quiet test (see :meth:`DocumentChecker.run_checks`), or ``None`` for checks
        #: that have none: they always run.
        self.quiet = quiet
        #: The places of their answers (see above): one for each distinct test in
        #: ``places`` (those of the steps planned so far): at most two per step.
        self.applies_at = -1 if applies is None else places.setdefault(applies, len(places))
        self.quiet_at = -1 if quiet is None else places.setdefault(quiet, len(places))
        self.checks = checks
        self.rule_ids = tuple(check.rule_id for check in checks)
        #: The set of exercised rules the step's rules were last added to.
        self.exercised_into: set[str] | None = None

    @classmethod
    def plan(cls, checks: Iterable[Check], facts: ExportFacts) -> list[Step]:
        """``checks`` (in rule-id order) as steps, in the same order, for an export with these
        ``facts`` (the steps of one quiet test share it: it is asked once per document).

        A condition that reads only the export's facts (see
        :func:`~pakkeforlop.rules.checks.export_condition`) is asked here, once: a step whose
        condition does not hold is left out, and one whose condition holds is run as a step
        without a condition (as one with ``always``). One that fails stays, to be asked for
        each document (and its failure reported, as without the plan).
        """
        steps = []
        places: dict[Applies | Quiet, int] = {}
        for run in alike_runs(checks):
            applies: Applies | None = run[0].applies
            if applies is always:
                applies = None
            elif applies is not None and of_the_export(applies):
                try:
                    holds = bool(applies(None, facts))
                except Exception:  # asked again per document, where each check reports it
                    holds = None
                if holds is False:
                    continue
                if holds:
                    applies = None
            steps.append(cls(tuple(run), applies, run[0].quiet, places))
        return steps
