"""The conformance engine: one pass over an export, from files to findings.

Files are read one at a time (NDJSON line by line); what crosses files is only the compact
per-instance state the pathway rules need. Each step yields findings; nothing here prints.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import sys
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from pakkeforlop import facts as extract
from pakkeforlop import garbage, kith, parallel, pointers
from pakkeforlop.catalogue import Rule, catalogue
from pakkeforlop.checks import Check, ExportView, Hit, Scope, always, by_scope
from pakkeforlop.event_lines import EVENT_KIND, EventLines, add_record, located_line
from pakkeforlop.failures import code_location
from pakkeforlop.finding_caps import DEFAULT_CAPS, CappedFindings, FindingCaps, Omitted
from pakkeforlop.findings import Finding, MessageArg, Personal
from pakkeforlop.folders import (
    MANIFEST_NAME,
    DataFile,
    Identity,
    Unlisted,
    data_files,
    exports_below,
    identity,
)
from pakkeforlop.model import Document, ExportFacts, PathwayInstance
from pakkeforlop.read import (
    InputProblem,
    Limits,
    ReadResult,
    Sink,
    iter_ndjson_file,
    read_json_file,
)
from pakkeforlop.registry import DOCUMENT_SCHEMAS, fast_validity, validator
from pakkeforlop.rules._per_document import forget_latest
from pakkeforlop.schema_messages import describe, missing_member

XML_SUFFIX = ".xml"
KITH_MESSAGE = "kith-message"

#: The export-manifest file kinds and the document kind of what they hold.
FILE_KINDS: Mapping[str, str] = {
    "referral": "referral",
    "epicrisis": "epicrisis",
    "feedback": "feedback",
    "pathway-events": "pathway-event",
    KITH_MESSAGE: KITH_MESSAGE,
}
SCHEMA_OF_KIND: Mapping[str, str] = {
    "export-manifest": DOCUMENT_SCHEMAS["export-manifest"],
    "referral": DOCUMENT_SCHEMAS["referral"],
    "epicrisis": DOCUMENT_SCHEMAS["epicrisis"],
    "feedback": DOCUMENT_SCHEMAS["feedback"],
    "pathway-event": DOCUMENT_SCHEMAS["pathway-events"],
}
GENERIC_SCHEMA_RULE: Mapping[str, str] = {
    "export-manifest": "SCHEMA-001",
    "referral": "SCHEMA-002",
    "epicrisis": "SCHEMA-003",
    "pathway-event": "SCHEMA-004",
    "feedback": "SCHEMA-005",
}
INPUT_RULES: Mapping[str, str] = {
    "unreadable": "INPUT-001",
    "too-large": "INPUT-002",
    "not-utf8": "INPUT-003",
    "byte-order-mark": "INPUT-004",
    "empty": "INPUT-005",
    "malformed": "INPUT-006",
    "non-standard": "INPUT-007",
    "duplicate-key": "INPUT-008",
    "too-deep": "INPUT-009",
    "number-too-long": "INPUT-010",
    "not-an-object": "INPUT-011",
}
WRONG_SCHEMA_RULE = "INPUT-012"
MISSING_FILE_RULE = "INPUT-013"
UNDECLARED_FILE_RULE = "INPUT-014"
NO_MANIFEST_RULE = "INPUT-015"
DIGEST_RULE = "INPUT-016"
REPEATED_FILE_RULE = "INPUT-017"
UNLISTED_FOLDER_RULE = "INPUT-018"
#: A check of the kit failed unexpectedly: reported, and the run goes on.
INTERNAL_RULE = "INTERNAL-001"
#: What goes wrong reading an XML file, and the rule that reports it.
XML_RULES: Mapping[str, str] = {
    "unreadable": "INPUT-001",
    "too-large": "INPUT-002",
    "too-deep": "INPUT-009",
    "malformed": "KITH-001",
    "doctype": "KITH-002",
    "xinclude": "KITH-003",
}
XSD_RULE = "KITH-016"
XSD_INCOMPLETE_RULE = "KITH-020"
XSD_SKIPPED = (
    "not exercised: XSD validation was not requested; give --xsd-dir DIR with the official "
    "KITH XSDs (the kit ships none)"
)

#: Below this many bytes of declared files an export is checked in one process: starting
#: workers costs more than they save.
PARALLEL_MIN_BYTES = 16 << 20
#: A task for a worker process: consecutive declared files up to this many bytes (a larger
#: file is a task of its own; an NDJSON file is never split, so that per-file rules see it whole).
TASK_BYTES = 4 << 20
TASK_FILES = 500

#: At most this many distinct sets of finding arguments are shared (see ``_Run.shared_args``).
SHARED_ARGS = 4096

Progress = Callable[[str], None]
#: One file declared in the manifest: (index, path as written, kind, SHA-256 or None).
Declared = tuple[int, str, str, str | None]


@dataclass(slots=True)
class ExportResult:
    """Everything one export produced."""

    root: str
    findings: list[Finding] = field(default_factory=list)
    exercised: set[str] = field(default_factory=set)
    kinds_seen: set[str] = field(default_factory=set)
    documents: int = 0
    events: int = 0
    #: Files and NDJSON lines that could not be read or parsed, so their content went unchecked.
    unread: int = 0
    #: Documents and NDJSON lines the fast paths took (the others took the exact path; the
    #: findings are the same either way).
    fast: int = 0
    instances: dict[str, PathwayInstance] = field(default_factory=dict)
    facts: ExportFacts | None = None
    skip_reasons: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class _Part:
    """What a worker process found in one task's files, to merge into the export's result."""

    result: ExportResult
    omitted: Omitted
    files: list[str]
    identities: set[Identity]


@dataclass(frozen=True, slots=True)
class _WorkerSetup:
    """What a worker process needs to check files of an export (sent to it once)."""

    root: Path
    display_root: str
    limits: Limits
    caps: FindingCaps
    facts: ExportFacts
    supplements: dict[int, dict[str, Any]]
    xsd_folder: Path | None
    xsd_files: dict[str, list[Path]]
    exact: bool


class _Run:
    """The state of one export's check; private to the engine."""

    def __init__(
        self,
        root: Path,
        display_root: str,
        limits: Limits,
        xsd: kith.XsdCatalog | None = None,
        caps: FindingCaps = DEFAULT_CAPS,
        *,
        exact: bool = False,
    ) -> None:
        self.root = root
        #: Whether every file goes through the exact, hardened path (no fast path): the
        #: reference the fast paths are compared with.
        self.exact = exact
        self.display_root = display_root
        self.limits = limits
        self.xsd = xsd
        self.caps = caps
        self.rules = catalogue()
        self.result = ExportResult(display_root)
        #: The findings so far, kept under the caps (the result's list is made at the end).
        self.found = CappedFindings(caps)
        self.facts = ExportFacts(display_root, None, None, None)
        self.document_checks = by_scope(Scope.DOCUMENT)
        #: Per document kind, the rules that its schema validation exercises.
        self.schema_rules = {
            kind: frozenset(
                {generic}
                | {r.id for r in self.rules.values() if r.schema_pointers and kind in r.applies_to}
            )
            for kind, generic in GENERIC_SCHEMA_RULE.items()
        }
        self.manifest: Document | None = None
        self.supplements: dict[int, dict[str, Any]] = {}
        self.checks_of_kind: dict[str, list[Check]] = {}
        #: The declared files read so far, to tell undeclared files from them.
        self.identities: set[Identity] = set()
        #: What checks that report a value once per file reported: (rule, file, value).
        self.once_seen: set[tuple[str, str, Hashable]] = set()
        #: One copy of each set of finding arguments (see :meth:`shared_args`).
        self.args_seen: dict[tuple[tuple[str, MessageArg], ...], Mapping[str, MessageArg]] = {}
        #: How findings name the manifest.
        self.manifest_shown = self.display(self.root / MANIFEST_NAME)
        self.collector = garbage.Collector()
        #: The fast path of event lines, made when the first events file is read.
        self.event_lines: EventLines | None = None

    # -- findings ---------------------------------------------------------------------------

    def display(self, path: Path) -> str:
        try:
            relative = path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)
        return relative if self.display_root in {"", "."} else f"{self.display_root}/{relative}"

    def report(
        self,
        rule_id: str,
        path: str,
        detail: tuple[str, Mapping[str, MessageArg]] | None = None,
        args: Mapping[str, MessageArg] | None = None,
        **where: Any,
    ) -> None:
        self.result.exercised.add(rule_id)
        if self.found.omit(rule_id, path):  # counted, not kept: nothing more to make
            return
        rule: Rule = self.rules[rule_id]
        if where.get("pointer"):
            where["pointer"] = sys.intern(where["pointer"])  # one copy of each, as in hit()
        if (
            self.manifest is not None
            and path == self.manifest.path
            and where.get("pointer")
            and "line" not in where
        ):
            where["line"], where["column"] = self.manifest.locate(where["pointer"])
        template, values = rule.message, dict(args or {})
        if detail is not None:
            template = f"{rule.message}: {detail[0]}"
            values.update(detail[1])
        self.found.keep(
            Finding(
                rule=rule_id,
                severity=rule.severity,
                file=path,
                template=template,
                args=values,
                **where,
            )
        )

    def internal_error(self, step: str, path: str, error: Exception, **where: Any) -> None:
        """Report an unexpected failure of the kit's own code; the run goes on.

        The finding names the step (a rule id, or reading, mapping …) and where in the kit's
        code it failed, never the error's text, which could quote the data.
        """
        args = {"step": step, "error": type(error).__name__, "where": code_location(error)}
        self.report(INTERNAL_RULE, path, args=args, **where)

    def mark_read(self) -> None:
        """Reading a file exercises every input rule, whether or not it fires."""
        self.result.exercised.update(INPUT_RULES.values())
        self.result.exercised.add(WRONG_SCHEMA_RULE)

    def input_problems(
        self, path: str, problems: Iterable[InputProblem], line: int | None = None
    ) -> None:
        for problem in problems:
            self.report(
                INPUT_RULES[problem.code],
                path,
                ("{problem}", {"problem": problem.message}),
                pointer=problem.pointer,
                line=problem.line if problem.line is not None else line,
                column=problem.column,
            )

    # -- documents --------------------------------------------------------------------------

    def schema_rule(
        self, kind: str, pointer: str, document: Document | None = None, *, missing: bool = False
    ) -> str:
        if missing and document is not None and document.origin is not None:
            claimed = document.origin.schema_claims.get(pointer)  # a member XML cannot carry
            if claimed is not None:
                return claimed
        for rule in self.rules.values():
            if kind in rule.applies_to and any(
                pointer == prefix or pointer.startswith(prefix + "/")
                for prefix in rule.schema_pointers
            ):
                return rule.id
        return GENERIC_SCHEMA_RULE[kind]

    def schema_findings(self, document: Document, *, native_formats: bool = False) -> bool:
        schema_id = SCHEMA_OF_KIND[document.kind]
        quick = fast_validity(schema_id, native_formats=native_formats)
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
            self.report(
                self.schema_rule(document.kind, governed, document, missing=member is not None),
                document.path,
                describe(error, schema_id),
                pointer=pointer,
                line=line,
                column=column,
                xpath=document.xpath(governed),
            )
        self.result.exercised.update(self.schema_rules[document.kind])
        if document.origin is not None:
            self.result.exercised.update(document.origin.schema_claims.values())
        return not errors

    def run_document_checks(self, document: Document) -> None:
        checks = self.checks_of_kind.get(document.kind)
        if checks is None:
            checks = [check for check in self.document_checks if document.kind in check.kinds]
            self.checks_of_kind[document.kind] = checks
        facts = self.facts
        exercised = self.result.exercised
        for check in checks:
            try:
                if check.applies is always or check.applies(document, facts):
                    exercised.add(check.rule_id)
                    hits = check.function(document, facts)
                    if check.once_per_file is not None:
                        hits = self.first_in_file(check, document, hits)
                    for hit in hits:
                        self.hit(check, hit, document.path, document)
            except Exception as error:  # the kit's bug must not cost the other checks
                self.internal_error(check.rule_id, document.path, error, line=document.line)

    def first_in_file(self, check: Check, document: Document, hits: Iterable[Hit]) -> list[Hit]:
        """The hits of a check that reports a value once per file, unless its value was reported
        in the file already."""
        found = list(hits)
        if found and check.once_per_file is not None:
            key = (check.rule_id, document.path, check.once_per_file(document, self.facts))
            if key in self.once_seen:
                return []
            self.once_seen.add(key)
        return found

    def hit(
        self,
        check: Check,
        hit: Hit,
        path: str,
        document: Document | None = None,
        instance: str | None = None,
    ) -> None:
        self.result.exercised.add(check.rule_id)
        if self.found.omit(check.rule_id, hit.path or path):
            return
        line, column = (None, None)
        xpath = hit.xpath
        if document is not None and hit.pointer is not None:
            line, column = document.locate(hit.pointer)
            xpath = xpath or document.xpath(hit.pointer)
        rule = self.rules[check.rule_id]
        self.found.keep(
            Finding(
                rule=check.rule_id,
                severity=rule.severity,
                file=hit.path or path,
                template=rule.message,
                args=self.shared_args(hit.args),
                # One copy of each pointer: most findings of a large export repeat a few.
                pointer=None if hit.pointer is None else sys.intern(hit.pointer),
                line=hit.line if hit.line is not None else line,
                column=column if hit.line is None else None,
                xpath=xpath,
                instance=instance,
            )
        )

    def shared_args(self, args: Mapping[str, MessageArg]) -> Mapping[str, MessageArg]:
        """A finding's message arguments, one copy for equal ones (which findings never change).

        Most findings of a large export repeat a few argument sets (one informational finding
        per file, say); sharing them saves memory in every process and in what workers send.
        """
        try:
            key = tuple(args.items())
            shared = self.args_seen.get(key)
        except TypeError:  # an argument that cannot be a key
            return dict(args)
        if shared is None:
            shared = dict(args)
            if len(self.args_seen) < SHARED_ARGS:
                self.args_seen[key] = shared
        return shared

    def check_document(self, document: Document, *, native_formats: bool = False) -> None:
        self.result.kinds_seen.add(document.kind)
        # A referral or epicrisis mapped from XML is counted as its message, not again.
        self.result.documents += document.kind != "pathway-event" and document.origin is None
        self.result.events += document.kind == "pathway-event"
        try:
            schema_valid = self.schema_findings(document, native_formats=native_formats)
        except Exception as error:  # the kit's bug must not cost the other checks
            self.internal_error("schema validation", document.path, error, line=document.line)
            schema_valid = False
        self.run_document_checks(document)
        if schema_valid:
            try:
                extract.collect(document, self.result.instances)
            except Exception as error:  # the kit's bug must not cost the other documents
                step = "collecting pathway facts"
                self.internal_error(step, document.path, error, line=document.line)
        self.collector.count()

    def read_document(self, path: Path, sink: Sink | None = None) -> ReadResult:
        """Read a JSON document; the problems found are reported, the result returned."""
        shown = self.display(path)
        self.mark_read()
        result: ReadResult = read_json_file(path, self.limits, sink=sink, fast=not self.exact)
        self.input_problems(shown, result.problems)
        if result.text is None:
            self.result.unread += 1
        self.result.fast += result.guarded
        return result

    # -- KITH XML messages -------------------------------------------------------------------

    def read_kith(
        self,
        path: Path,
        supplement: Mapping[str, Any] | None = None,
        sink: Sink | None = None,
    ) -> None:
        """Read one KITH XML message, check it, and check what it maps to in the JSON model."""
        shown = self.display(path)
        self.result.exercised.update(XML_RULES.values())
        result = kith.read_xml_file(path, self.limits, sink=sink)
        for problem in result.problems:
            self.report(
                XML_RULES[problem.code],
                shown,
                ("{problem}", {"problem": problem.message}),
                line=problem.line,
                column=problem.column,
            )
        if result.tree is None:
            self.result.unread += 1
            return
        message = kith.read_message(result.tree, shown)
        mapped = kith.map_documents(message, supplement)  # first: it marks what JSON rules judge
        self.result.kinds_seen.add(KITH_MESSAGE)
        self.result.documents += 1
        document = Document(
            KITH_MESSAGE, shown, {}, origin=kith.MessageOrigin(message), message=message
        )
        self.run_document_checks(document)
        self.validate_xsd(message, shown)
        for found in mapped:
            self.check_document(Document(found.kind, shown, found.value, origin=found))

    def validate_xsd(self, message: kith.KithMessage, shown: str) -> None:
        """Validate against the user's XSDs (``--xsd-dir``), when given and the message is known."""
        if self.xsd is None:
            self.result.skip_reasons.setdefault(XSD_RULE, XSD_SKIPPED)
            return
        if message.envelope is None:
            return  # KITH-004 reports a message the kit does not recognise
        self.result.exercised.update({XSD_RULE, XSD_INCOMPLETE_RULE})
        try:
            outcome = self.xsd.validate(message)
        except kith.XsdError as error:
            outcome = kith.XsdOutcome((), (kith.xsd.XsdIssue(str(error)),))
        for issue in outcome.violations:
            self.report(
                XSD_RULE, shown, _masked_values(issue.message), line=issue.line, xpath=issue.xpath
            )
        for issue in outcome.not_validated:
            self.report(
                XSD_INCOMPLETE_RULE,
                shown,
                ("{problem}", {"problem": issue.message}),
                line=issue.line,
                xpath=issue.xpath,
            )

    def read_events(self, path: Path, sink: Sink | None = None) -> None:
        shown = sys.intern(self.display(path))
        self.mark_read()
        found = self.found

        def wanted(code: str) -> bool:
            return not found.full(INPUT_RULES[code], shown)

        lines = self.fast_events()
        taken = 0

        def take(number: int, line: bytes) -> bool:
            nonlocal taken
            assert lines is not None
            if self.take_event(lines, shown, number, line):
                taken += 1
                return True
            return False

        fast = None if lines is None else take
        for line, result in iter_ndjson_file(
            path, self.limits, sink=sink, wanted=wanted, fast=fast
        ):
            self.input_problems(shown, result.problems, line or None)
            if result.text is None:
                self.result.unread += 1
            else:
                self.check_document(
                    Document("pathway-event", shown, result.text.value, result.text, line)
                )
        if taken and lines is not None:
            self.result.kinds_seen.add(EVENT_KIND)
            self.result.exercised |= self.schema_rules[EVENT_KIND] | lines.exercised

    def fast_events(self) -> EventLines | None:
        """The fast path of event lines (made once per run), or ``None`` for the exact path."""
        if self.exact:
            return None
        if self.event_lines is None or self.event_lines.facts is not self.facts:
            checks = [check for check in self.document_checks if EVENT_KIND in check.kinds]
            self.event_lines = EventLines.build(checks, self.facts)
        return self.event_lines

    def take_event(self, lines: EventLines, shown: str, number: int, line: bytes) -> bool:
        """Check an event line on the fast path; False leaves it to the exact path."""
        decoded = lines.decoder.decode(line)
        if decoded is None:
            return False
        event, items = decoded
        if not lines.accepts(items):
            return False
        outcomes = lines.outcomes(event, items)
        if outcomes is None:
            return False
        self.result.events += 1
        self.result.fast += 1
        document = None
        for check, hits, once in outcomes:
            if check.once_per_file is not None:
                key = (check.rule_id, shown, once)
                if key in self.once_seen:
                    continue
                self.once_seen.add(key)
            if document is None:
                document = located_line(shown, line, number)
            for hit in hits:
                self.hit(check, hit, shown, document)
        record = lines.record_of(items, shown, number)
        if record is not None:
            add_record(self.result.instances, items[lines.instance], record)
        return True

    # -- the export -------------------------------------------------------------------------

    def read_manifest(self) -> list[Declared]:
        path = self.root / MANIFEST_NAME
        read = self.read_document(path)
        if read.text is None:
            return []
        document = Document("export-manifest", self.display(path), read.text.value, read.text)
        self.manifest = document
        self.supplements = extract.declared_supplements(document.value)
        self.facts = extract.export_facts(document.value, self.display_root)
        self.check_document(document, native_formats=read.guarded)
        declared = extract.declared_files(document.value)
        # From here on only where things are in the manifest is needed, not its parsed value:
        # the manifest of a large export lists hundreds of thousands of files.
        forget_latest()
        source = document.source
        self.manifest = replace(document, value={}, source=source.located() if source else None)
        return declared

    def check_files(
        self, declared: list[Declared], progress: Progress | None, jobs: int | None
    ) -> None:
        """Check the declared files (in ``jobs`` processes), then look for undeclared ones."""
        self.identities.add(identity(self.root / MANIFEST_NAME))
        # Entries only, not paths: for hundreds of thousands of files those take memory.
        checkable = self.once_each([entry for entry in declared if _checkable(entry)])
        tasks = _tasks(checkable, self.root)
        workers = _workers(jobs, tasks)
        present: list[DataFile] = []
        unlisted: list[Unlisted] = []

        def look() -> None:
            found = data_files(self.root)
            present.extend(found[0])
            unlisted.extend(found[1])

        if workers > 1:
            for part in parallel.ordered_map(
                _check_task,
                [entries for entries, _ in tasks],
                weights=[weight for _, weight in tasks],
                workers=workers,
                initializer=_start_worker,
                initargs=(self.worker_setup(),),
                meanwhile=look,
            ):
                self.absorb(part, progress)
        else:
            for entry in checkable:
                path = self.path_of(entry)
                if progress is not None:
                    progress(self.display(path))
                self.check_declared(entry, path)
            look()
        self.result.exercised.update({MISSING_FILE_RULE, UNDECLARED_FILE_RULE})
        self.result.exercised.add(UNLISTED_FOLDER_RULE)
        self.result.unread += len(unlisted)
        for folder in unlisted:
            shown = self.display(self.root.joinpath(*folder.parts))
            self.report(UNLISTED_FOLDER_RULE, shown, ("{reason}", {"reason": folder.reason}))
        if any(digest is not None for *_, digest in declared):
            self.result.exercised.add(DIGEST_RULE)
        for parts, found in present:
            if found not in self.identities:
                self.report(UNDECLARED_FILE_RULE, self.display(self.root.joinpath(*parts)))
        self.identities = set()  # one per file of a large export, and no longer needed

    def once_each(self, declared: list[Declared]) -> list[Declared]:
        """The declared files, each once: a later declaration of the same file (under another
        kind, or another spelling of its path) is a finding, and is not checked again."""
        self.result.exercised.add(REPEATED_FILE_RULE)
        first: dict[str, int] = {}
        once = []
        for entry in declared:
            index, relative, _, _ = entry
            key = "/".join(part for part in relative.split("/") if part not in {"", "."})
            earlier = first.setdefault(key, index)
            if earlier == index:
                once.append(entry)
                continue
            self.report(
                REPEATED_FILE_RULE,
                self.manifest_shown,
                (
                    "{file} is declared at /files/{earlier} too",
                    {"file": relative, "earlier": earlier},
                ),
                pointer=f"/files/{index}/path",
            )
        return once

    def path_of(self, entry: Declared) -> Path:
        """Where a (checkable) declared file is."""
        return self.root.joinpath(*entry[1].split("/"))

    def check_declared(self, entry: Declared, path: Path) -> None:
        """Check one declared file (at ``path``): that it exists, its digest, what it holds."""
        index, relative, kind, digest = entry
        try:
            status: os.stat_result | None = path.stat()
        except (FileNotFoundError, NotADirectoryError):
            status = None
            missing = not path.is_symlink()  # a dangling link is there; reading it reports why
        except (OSError, ValueError):  # there, but not to be looked at: reading it reports why
            status, missing = None, False
        else:
            missing = False
        self.identities.add(identity(path, status))
        manifest = self.manifest_shown
        if missing:
            self.result.unread += 1
            self.report(
                MISSING_FILE_RULE,
                manifest,
                ("{file}", {"file": relative}),
                pointer=f"/files/{index}/path",
            )
            return
        read = _Digest() if digest is not None else None
        try:
            if FILE_KINDS[kind] == "pathway-event":
                self.read_events(path, read)
            elif FILE_KINDS[kind] == KITH_MESSAGE:
                self.read_kith(path, self.supplements.get(index, {}), read)
            else:
                found = self.read_document(path, read)
                if found.text is not None:
                    shown = self.display(path)
                    document = Document(FILE_KINDS[kind], shown, found.text.value, found.text)
                    self.check_document(document, native_formats=found.guarded)
        except Exception as error:  # the kit's bug must not cost the other files
            self.internal_error("reading the file", self.display(path), error)
            return
        if read is not None and _sha256(path, read, status) not in {digest, None}:
            self.report(
                DIGEST_RULE,
                manifest,
                ("{file}", {"file": relative}),
                pointer=f"/files/{index}/sha256",
            )

    def check_instance_range(self, instances: Iterable[PathwayInstance]) -> None:
        """Every instance check on these instances, one instance after another."""
        checks = by_scope(Scope.INSTANCE)
        facts = self.facts
        exercised = self.result.exercised
        for instance in instances:
            self.collector.count()
            for check in checks:
                try:
                    if check.applies is always or check.applies(instance, facts):
                        exercised.add(check.rule_id)
                        for hit in check.function(instance, facts):
                            self.hit(check, hit, hit.path or "", instance=instance.id)
                except Exception as error:  # the kit's bug must not cost the other checks
                    shown = self.manifest_shown
                    self.internal_error(check.rule_id, shown, error, instance=instance.id)

    # -- worker processes -------------------------------------------------------------------

    def worker_setup(self) -> _WorkerSetup:
        return _WorkerSetup(
            self.root,
            self.display_root,
            self.limits,
            self.caps,
            self.facts,
            self.supplements,
            self.xsd.folder if self.xsd is not None else None,
            self.xsd.files if self.xsd is not None else {},
            self.exact,
        )

    def absorb(self, part: _Part, progress: Progress | None) -> None:
        """Merge what a worker found, in declared-file order (as one process would have)."""
        if progress is not None:
            for shown in part.files:
                progress(shown)
        found = part.result
        self.found.merge((self.located_in_manifest(f) for f in found.findings), part.omitted)
        self.result.exercised |= found.exercised
        self.result.kinds_seen |= found.kinds_seen
        self.result.documents += found.documents
        self.result.events += found.events
        self.result.unread += found.unread
        self.result.fast += found.fast
        for reason in found.skip_reasons.items():
            self.result.skip_reasons.setdefault(*reason)
        self.identities |= part.identities
        parallel.release_freed_memory()  # the part's pickled bytes, read and now freed
        garbage.collect_young()  # what was read is kept: scanned once, then left alone
        instances = self.result.instances
        for instance_id, instance in found.instances.items():
            merged = instances.get(instance_id)
            if merged is None:
                instances[instance_id] = instance
            else:
                merged.events.extend(instance.events)
                merged.referrals.extend(instance.referrals)
                merged.epicrises.extend(instance.epicrises)
                merged.feedbacks.extend(instance.feedbacks)

    def located_in_manifest(self, finding: Finding) -> Finding:
        """A worker's finding on the manifest, with the line and column only this process knows."""
        manifest = self.manifest
        if manifest is None or finding.file != manifest.path or finding.pointer is None:
            return finding
        line, column = manifest.locate(finding.pointer)
        return replace(finding, line=line, column=column)

    def check_instances(self) -> None:
        """Run the instance checks, then the export checks, in this process.

        Not in workers: a forked worker touching the instances would copy the memory pages
        that hold them (hundreds of MiB for a million events), and sending them costs about
        what checking them does.
        """
        self.check_instance_range(self.result.instances.values())
        view = ExportView(self.facts, self.result.instances)
        for check in by_scope(Scope.EXPORT):
            try:
                if check.applies(view, self.facts):
                    self.result.exercised.add(check.rule_id)
                    for hit in check.function(view):
                        self.hit(check, hit, hit.path or self.manifest_shown)
            except Exception as error:  # the kit's bug must not cost the other checks
                self.internal_error(check.rule_id, self.manifest_shown, error)
        forget_latest()  # the memos would keep this export's instances alive


_QUOTED = re.compile(r"'([^']*)'")


def _is_value(text: str, match: re.Match[str]) -> bool:
    """Whether a quoted segment of a libxml2 message is a value taken from the document.

    Element names ('{namespace}Name'), types ('xs:date') and facet names ([facet 'pattern'])
    are not; patterns and enumerations come from the schema, after "pattern" or "set".
    """
    quoted = match.group(1)
    before = text[: match.start()].rstrip()
    in_set = "set {" in before  # the allowed values of an enumeration
    schema_words = ("[facet", "pattern", "type")
    return not (quoted.startswith(("{", "xs:")) or before.endswith(schema_words) or in_set)


def _masked_values(text: str) -> tuple[str, dict[str, MessageArg]]:
    """An XSD error message as a template whose quoted values are personal (masked) arguments."""
    parts: list[str] = []
    args: dict[str, MessageArg] = {}
    position = 0
    for index, match in enumerate(m for m in _QUOTED.finditer(text) if _is_value(text, m)):
        args[f"p{index}"] = text[position : match.start(1)]
        args[f"v{index}"] = Personal(match.group(1))
        parts.append(f"{{p{index}}}{{v{index}}}")
        position = match.end(1)
    args["rest"] = text[position:]
    return "".join(parts) + "{rest}", args


def _size(path: str) -> int:
    """The size of a file in bytes, or 0 when it cannot be stat'ed (reading reports why)."""
    try:
        return os.stat(path).st_size  # noqa: PTH116 (no Path per file)
    except (OSError, ValueError):
        return 0


def _checkable(entry: Declared) -> bool:
    """False for a path or kind the manifest's schema rejects (its findings report those)."""
    _, relative, kind, _ = entry
    return (
        not relative.startswith("/")
        and ".." not in relative.split("/")
        and "\x00" not in relative
        and kind in FILE_KINDS
    )


def _tasks(files: list[Declared], root: Path) -> list[tuple[list[Declared], int]]:
    """Consecutive declared files grouped into worker tasks, each with its weight in bytes."""
    tasks: list[tuple[list[Declared], int]] = []
    current: list[Declared] = []
    weight = 0
    folder = os.fspath(root)
    for file in files:
        size = _size(os.path.join(folder, file[1]))  # noqa: PTH118 (no Path per file)
        if current and (weight + size > TASK_BYTES or len(current) >= TASK_FILES):
            tasks.append((current, weight))
            current, weight = [], 0
        current.append(file)
        weight += size
    if current:
        tasks.append((current, weight))
    return tasks


def _workers(jobs: int | None, tasks: list[tuple[list[Declared], int]]) -> int:
    """How many processes check the files: ``jobs`` (``None``: every CPU for a large export)."""
    if jobs is None:
        large = sum(weight for _, weight in tasks) >= PARALLEL_MIN_BYTES
        jobs = parallel.available_cpus() if large else 1
    return max(1, min(jobs, len(tasks)))


_worker_run: _Run | None = None


def _start_worker(setup: _WorkerSetup) -> None:
    """Prepare a worker process: one :class:`_Run` that checks the tasks it is given."""
    global _worker_run  # noqa: PLW0603  (one run per worker process, set once)
    garbage.no_automatic_collection()  # forked workers inherit that; others start with it on
    xsd = None
    if setup.xsd_folder is not None:
        xsd = kith.XsdCatalog(setup.xsd_folder, setup.xsd_files)
    _worker_run = _Run(
        setup.root, setup.display_root, setup.limits, xsd, setup.caps, exact=setup.exact
    )
    _worker_run.facts = setup.facts
    _worker_run.supplements = setup.supplements


def _started_run() -> _Run:
    if _worker_run is None:
        msg = "a worker process was not started with its initializer"
        raise RuntimeError(msg)
    return _worker_run


def _check_task(files: list[Declared]) -> _Part:
    """Check a task's declared files in a worker process; return what was found."""
    parallel.release_freed_memory()  # what the last task's result took, before this one grows
    run = _started_run()
    run.result = ExportResult(run.display_root)
    run.found = CappedFindings(run.caps)
    run.identities = set()
    run.once_seen = set()  # a task holds whole files
    shown = []
    for entry in files:
        path = run.path_of(entry)
        run.check_declared(entry, path)
        shown.append(run.display(path))
    run.result.findings = run.found.kept
    return _Part(run.result, run.found.omitted, shown, run.identities)


class _Digest:
    """The SHA-256 of the bytes a reader read, and how many it read."""

    __slots__ = ("hash", "size")

    def __init__(self) -> None:
        self.hash = hashlib.sha256()
        self.size = 0

    def update(self, data: bytes, /) -> None:
        self.hash.update(data)
        self.size += len(data)


def _sha256(path: Path, read: _Digest, status: os.stat_result | None) -> str | None:
    """The file's digest: of the bytes ``read`` when they were the whole file (as ``status``,
    taken before reading, measured it), else read again.

    ``None`` when it is not a regular file or cannot be read (reading the file reports that).
    """
    if status is None or not stat.S_ISREG(status.st_mode):
        return None
    if read.size == status.st_size:
        return read.hash.hexdigest()
    digest = hashlib.sha256()  # not read, or not whole: a file over the size limit, say
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def check_export(
    root: Path,
    *,
    display_root: str | None = None,
    limits: Limits | None = None,
    progress: Progress | None = None,
    xsd: kith.XsdCatalog | None = None,
    jobs: int | None = None,
    caps: FindingCaps = DEFAULT_CAPS,
    exact: bool = False,
) -> ExportResult:
    """Check one export folder (holding ``manifest.json``).

    ``xsd`` validates KITH XML messages against the user's XSDs (``--xsd-dir``). ``jobs`` is
    the number of processes that read the files (``None``: one per CPU when the export is
    large); the result is the same for any number. ``caps`` bounds the findings kept per rule
    and file (the others are counted; see :mod:`pakkeforlop.finding_caps`). ``exact`` sends
    every file through the exact, hardened path instead of the fast paths: the result is the
    same (tests compare the two), only slower.
    """
    run = _Run(
        root,
        display_root if display_root is not None else root.as_posix(),
        limits or Limits(),
        xsd,
        caps,
        exact=exact,
    )
    run.result.exercised.add(NO_MANIFEST_RULE)
    if not (root / MANIFEST_NAME).is_file():
        run.result.unread += 1
        run.report(NO_MANIFEST_RULE, run.display_root)
        return _finish(run)
    run.result.kinds_seen.add("export")
    with garbage.automatic_collection_off():
        try:
            declared = run.read_manifest()
        except Exception as error:  # the kit's bug: reported, and the files are not found
            run.internal_error("reading the manifest", run.manifest_shown, error)
            declared = []
        run.check_files(declared, progress, jobs)  # the entries go with the files
        run.check_instances()
        return _finish(run)


def check_file(
    path: Path,
    *,
    display: str | None = None,
    limits: Limits | None = None,
    xsd: kith.XsdCatalog | None = None,
    caps: FindingCaps = DEFAULT_CAPS,
    exact: bool = False,
) -> ExportResult:
    """Check one document, NDJSON events file or KITH XML message outside an export.

    There are no cross-file rules beyond the file's own pathway instance. ``display`` is how
    findings name the file (default: the path as given); ``caps`` and ``exact`` are as for
    :func:`check_export`.
    """
    with garbage.automatic_collection_off():
        return _check_one_file(path, display, limits, xsd, caps, exact=exact)


def _check_one_file(
    path: Path,
    display: str | None,
    limits: Limits | None,
    xsd: kith.XsdCatalog | None,
    caps: FindingCaps,
    *,
    exact: bool,
) -> ExportResult:
    shown_file = display if display is not None else path.as_posix()
    shown_parent = PurePosixPath(shown_file).parent.as_posix()
    run = _Run(path.parent, shown_parent, limits or Limits(), xsd, caps, exact=exact)
    try:
        _read_one_file(run, path)
    except Exception as error:  # the kit's bug: reported as a finding, with the rest
        run.internal_error("reading the file", run.display(path), error)
    run.check_instances()
    return _finish(run)


def _read_one_file(run: _Run, path: Path) -> None:
    """Read and check a file named on its own: its kind from its suffix or its ``$schema``."""
    if path.suffix == ".ndjson":
        run.read_events(path)
    elif path.suffix.lower() == XML_SUFFIX:
        run.read_kith(path)
    else:
        shown = run.display(path)
        result = run.read_document(path)
        if result.text is not None:
            named = result.text.value.get("$schema")
            kind = next((k for k, schema_id in SCHEMA_OF_KIND.items() if schema_id == named), None)
            if kind is None:
                run.report(
                    WRONG_SCHEMA_RULE,
                    shown,
                    ("it names {named}", {"named": repr(named)}),
                    pointer="/$schema",
                )
            else:
                document = Document(kind, shown, result.text.value, result.text)
                run.check_document(document, native_formats=result.guarded)


def _finish(run: _Run) -> ExportResult:
    severities = {rule_id: rule.severity for rule_id, rule in run.rules.items()}
    run.result.findings = run.found.kept + run.found.summaries(severities, run.display_root)
    run.result.findings.sort(key=Finding.sort_key)
    run.result.facts = run.facts
    return run.result


def check_paths(
    paths: Iterable[tuple[Path, str]],
    *,
    limits: Limits | None = None,
    on_export: Callable[[str], None] | None = None,
    progress: Progress | None = None,
    xsd: kith.XsdCatalog | None = None,
    jobs: int | None = None,
    caps: FindingCaps = DEFAULT_CAPS,
) -> Iterator[ExportResult]:
    """Check what command-line paths name; each item is a path to read and its spelling.

    A folder holding ``manifest.json`` is one export; a folder of exports gives one result per
    export below it, sorted; a folder with no export is checked as one (and reported as lacking
    its manifest); a file is checked on its own. Each export is checked once, and findings name
    files the way the command line spelled them. ``jobs`` and ``caps`` are as for
    :func:`check_export`.
    """
    seen: set[str] = set()
    for path, spelled in paths:
        roots, unlisted = exports_below(path) if path.is_dir() else ([path], [])
        for folder in unlisted:
            yield _unlisted(path.joinpath(*folder.parts), spelled, folder)
        for root in roots or [path]:
            key = str(root.absolute())  # not resolve(): a symbolic-link loop must not raise
            if key in seen:
                continue
            seen.add(key)
            shown = (PurePosixPath(spelled) / root.relative_to(path).as_posix()).as_posix()
            if on_export is not None:
                on_export(shown)
            try:
                if root.is_dir():
                    yield check_export(
                        root,
                        display_root=shown,
                        limits=limits,
                        progress=progress,
                        xsd=xsd,
                        jobs=jobs,
                        caps=caps,
                    )
                else:
                    yield check_file(root, display=shown, limits=limits, xsd=xsd, caps=caps)
            except Exception as error:  # the kit's bug: this export's finding, and on to the next
                yield _failed(root, shown, error)


def _failed(root: Path, shown: str, error: Exception) -> ExportResult:
    """The result of an export whose check failed outright: one finding that says so."""
    run = _Run(root, shown, Limits())
    run.internal_error("checking the export", shown, error)
    return _finish(run)


def _unlisted(folder: Path, spelled: str, unlisted: Unlisted) -> ExportResult:
    """The result for a folder that was searched for exports but could not be listed."""
    shown = (PurePosixPath(spelled) / PurePosixPath(*unlisted.parts)).as_posix()
    run = _Run(folder, shown, Limits())
    run.result.unread += 1
    run.report(UNLISTED_FOLDER_RULE, shown, ("{reason}", {"reason": unlisted.reason}))
    return _finish(run)


def iter_exports(path: Path) -> Iterator[Path]:
    """The export folders at or below ``path``, sorted; ``path`` itself if it has a manifest.

    Folders below ``path`` that cannot be listed are passed over here; :func:`check_paths`
    reports them (INPUT-018).
    """
    yield from exports_below(path)[0]
