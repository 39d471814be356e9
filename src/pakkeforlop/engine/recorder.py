"""Where one run's findings go: hits and problems become findings, under the caps.

A finding gets its rule's severity and message from the catalogue, its place (line and column
from the JSON Pointer, only for a finding that is kept) and shared copies of its arguments
and pointer (most findings of a large export repeat a few).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Container, Hashable, Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from pakkeforlop.data.catalogue import Rule, catalogue
from pakkeforlop.engine.caps import CappedFindings, FindingCaps
from pakkeforlop.engine.failures import code_location
from pakkeforlop.engine.result import ExportResult
from pakkeforlop.model.findings import Finding, MessageArg
from pakkeforlop.model.records import Document, ExportFacts
from pakkeforlop.read import InputProblem, JsonText
from pakkeforlop.read.folders import MANIFEST_NAME
from pakkeforlop.rules.checks import Check, Hit
from pakkeforlop.rules.engine_reported import INPUT_RULES, INTERNAL_RULE, WRONG_SCHEMA_RULE

#: At most this many distinct sets of finding arguments are shared (see ``shared_args``).
SHARED_ARGS = 4096


class Recorder:
    """One run's findings and result, and the export facts its checks judge by."""

    def __init__(self, root: Path, display_root: str, caps: FindingCaps) -> None:
        self.root = root
        self.display_root = display_root
        self.caps = caps
        self.rules = catalogue()
        self.result = ExportResult(display_root)
        #: Rules whose findings are only counted (see :class:`~.finding_caps.CappedFindings`).
        self.closed: Container[str] = ()
        #: The findings so far, kept under the caps (the result's list is made at the end).
        self.found = CappedFindings(caps)
        self.facts = ExportFacts(display_root, None, None, None)
        #: The manifest, to locate findings on it (without its parsed value once it is read).
        self.manifest: Document | None = None
        #: Once it is read, how to have the manifest's text again (see :meth:`keep_manifest`).
        self._text_again: Callable[[], JsonText | None] | None = None
        #: How findings name the manifest.
        self.manifest_shown = self.display(root / MANIFEST_NAME)
        #: What checks that report a value once per file reported: (rule, file, value).
        self.once_seen: set[tuple[str, str, Hashable]] = set()
        #: The set of exercised rules :meth:`mark_read` last added the input rules to.
        self._read_exercised_into: set[str] | None = None
        #: One copy of each set of finding arguments (see :meth:`shared_args`).
        self.args_seen: dict[tuple[tuple[str, MessageArg], ...], Mapping[str, MessageArg]] = {}

    def keep_manifest(self, document: Document, again: Callable[[], JsonText | None]) -> None:
        """Keep what locating findings on the manifest needs, once it is read: not its parsed
        value (nor what checks derived from it), nor its text, but ``again``, which reads the
        text again (or ``None``: the file is no longer what was checked) when a finding must
        be located in it.

        Why: a large export's manifest is tens of MiB, and few runs report anything on it
        once it is read (a declared file missing, a digest that differs). Compressing the
        text to keep it cost 0.3 s, before any other file could be checked, for 282,776
        declared files; reading it again costs only the runs that need it.
        """
        self.manifest = replace(document, value={}, source=None)
        self._text_again = again

    def _located_manifest(self, manifest: Document) -> Document:
        """The manifest with its text, read again once a finding must be located in it
        (without, if it cannot be: findings on it are then reported without a line)."""
        again = self._text_again
        if again is not None:
            self._text_again = None
            source = again()
            if source is not None:
                manifest = self.manifest = replace(manifest, source=source)
        return manifest

    def new_part(self) -> None:
        """Start recording a new part of the export (a worker's task)."""
        self.result = ExportResult(self.display_root)
        self.found = CappedFindings(self.caps, self.closed)
        self.once_seen = set()

    def display(self, path: Path) -> str:
        """How findings name a file: relative to the export, under its displayed root."""
        try:
            relative = path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)
        return self.display_relative(relative)

    def display_relative(self, relative: str) -> str:
        """How findings name a file at ``relative`` (a POSIX path, normalised) in the export."""
        return relative if self.display_root in {"", "."} else f"{self.display_root}/{relative}"

    def report(
        self,
        rule_id: str,
        path: str,
        detail: tuple[str, Mapping[str, MessageArg]] | None = None,
        args: Mapping[str, MessageArg] | None = None,
        **where: Any,
    ) -> None:
        """A finding the engine reports itself (``detail`` adds to the rule's message)."""
        self.result.exercised.add(rule_id)
        if self.found.omit(rule_id, path):  # counted, not kept: nothing more to make
            return
        rule: Rule = self.rules[rule_id]
        if where.get("pointer"):
            where["pointer"] = sys.intern(where["pointer"])  # one copy of each, as in hit()
        manifest = self.manifest
        if (
            manifest is not None
            and path == manifest.path
            and where.get("pointer")
            and "line" not in where
        ):
            where["line"], where["column"] = self._located_manifest(manifest).locate(
                where["pointer"]
            )
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
        """Reading a file exercises every input rule, whether or not it fires.

        They are added to a result's set of exercised rules once (a cost per file otherwise):
        again only when the result is a new one (a new part).
        """
        exercised = self.result.exercised
        if self._read_exercised_into is not exercised:
            exercised.update(INPUT_RULES.values())
            exercised.add(WRONG_SCHEMA_RULE)
            self._read_exercised_into = exercised

    def input_problems(
        self, path: str, problems: Iterable[InputProblem], line: int | None = None
    ) -> None:
        """Report what reading a JSON text found."""
        for problem in problems:
            self.report(
                INPUT_RULES[problem.code],
                path,
                ("{problem}", {"problem": problem.message}),
                pointer=problem.pointer,
                line=problem.line if problem.line is not None else line,
                column=problem.column,
            )

    def hit(
        self,
        check: Check,
        hit: Hit,
        path: str,
        document: Document | None = None,
        instance: str | None = None,
    ) -> None:
        """A check's hit, as a finding located in ``document`` (only when it is kept)."""
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

    def first_in_file(self, check: Check, path: str, value: Hashable) -> bool:
        """For a check that reports a value once per file: whether ``value`` is new in it."""
        key = (check.rule_id, path, value)
        if key in self.once_seen:
            return False
        self.once_seen.add(key)
        return True

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

    def located_in_manifest(self, finding: Finding) -> Finding:
        """A worker's finding on the manifest, with the line and column only this process knows."""
        manifest = self.manifest
        if manifest is None or finding.file != manifest.path or finding.pointer is None:
            return finding
        line, column = self._located_manifest(manifest).locate(finding.pointer)
        return replace(finding, line=line, column=column)

    def finish(self) -> ExportResult:
        """The result: the findings kept and the summaries of those counted, in report order."""
        severities = {rule_id: rule.severity for rule_id, rule in self.rules.items()}
        self.result.findings = self.found.kept + self.found.summaries(severities, self.display_root)
        self.result.findings.sort(key=Finding.sort_key)
        self.result.facts = self.facts
        return self.result
