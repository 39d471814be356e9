"""One export's check, in order: the manifest, the declared files (in this process or in
workers), the files nobody declared, then the pathway instances and the export as a whole."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import partial
from itertools import islice
from operator import itemgetter
from pathlib import Path
from typing import Any

from pakkeforlop import kith
from pakkeforlop.engine import parallel, tuning
from pakkeforlop.engine.caps import DEFAULT_CAPS, FindingCaps
from pakkeforlop.engine.documents import DocumentChecker
from pakkeforlop.engine.events import EventReader
from pakkeforlop.engine.files import Declared, DigestAside, FileChecker, text_again
from pakkeforlop.engine.kith_files import KithReader
from pakkeforlop.engine.recorder import Recorder
from pakkeforlop.engine.workers import (
    ClosedRules,
    PackedTask,
    WorkerPart,
    WorkerSetup,
    check_instance_task,
    check_task,
    instance_split,
    plan_tasks,
    start_instance_worker,
    start_worker,
    worker_count,
)
from pakkeforlop.model import facts as extract
from pakkeforlop.model.records import Document, PathwayInstance
from pakkeforlop.read import Limits
from pakkeforlop.read.folders import (
    MANIFEST_NAME,
    Identity,
    Unlisted,
    data_files,
    identity,
)
from pakkeforlop.rules.checks import (
    Applies,
    Check,
    ExportView,
    InstanceStep,
    Scope,
    always,
    by_scope,
)
from pakkeforlop.rules.engine_reported import (
    DIGEST_RULE,
    KITH_MESSAGE,
    MISSING_FILE_RULE,
    UNDECLARED_FILE_RULE,
    UNLISTED_FOLDER_RULE,
)

Progress = Callable[[str], None]


class Run:
    """The check of one export (or of one file): what reads, what checks, what records."""

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
        self.limits = limits
        self.xsd = xsd
        #: Whether every file goes through the exact, hardened path (no fast path): the
        #: reference the fast paths are compared with.
        self.exact = exact
        self.recorder = Recorder(root, display_root, caps)
        self.documents = DocumentChecker(self.recorder)
        self.events = EventReader(self.documents, limits, exact=exact)
        self.kith = KithReader(self.documents, limits, xsd)
        self.files = FileChecker(self.documents, self.events, self.kith, limits, exact=exact)
        #: The export's data files not yet found declared, by identity (once listed).
        self.present: dict[Identity, list[tuple[str, ...]]] | None = None
        #: How many processes read the files (the instance checks use as many).
        self.workers = 1

    def read_manifest(self) -> list[Declared]:
        """Read and check the manifest; the files it declares.

        Its digest (kept to tell, should a finding be located in it later, whether it is still
        the file that was read) is computed aside while it is parsed and checked: see
        :class:`~pakkeforlop.engine.files.DigestAside`.
        """
        with DigestAside() as digest:
            return self._read_manifest(digest)

    def _read_manifest(self, digest: DigestAside) -> list[Declared]:
        recorder = self.recorder
        path = recorder.root / MANIFEST_NAME
        read = self.files.read_document(path, digest)
        if read.text is None:
            return []
        document = Document("export-manifest", recorder.display(path), read.text.value, read.text)
        recorder.manifest = document
        # One pass over the manifest's entries: what its files' kinds and its KITH messages'
        # supplements tell is gathered from the well-formed entries it gives.
        declared = extract.declared_files(document.value)
        kinds = set(map(itemgetter(2), declared))
        kith_entries = (
            [index for index, _, kind, _ in declared if kind == KITH_MESSAGE]
            if KITH_MESSAGE in kinds
            else []
        )
        self.files.supplements = extract.declared_supplements(document.value, kith_entries)
        recorder.facts = extract.export_facts(document.value, recorder.display_root, kinds)
        self.documents.check(document, native_formats=read.guarded)
        # A large export's lists hundreds of thousands of files: only where things are in its
        # text is needed from here on (see keep_manifest).
        again = partial(text_again, path, digest.digest(), self.limits, exact=self.exact)
        recorder.keep_manifest(document, again)
        return declared

    def check_files(
        self, declared: list[Declared], progress: Progress | None, jobs: int | None
    ) -> None:
        """Check the declared files (in ``jobs`` processes), then look for undeclared ones.

        ``declared`` is emptied: for hundreds of thousands of files the entries take memory,
        and each is let go once its file is checked (the same for the identities of the files
        present, let go as the files are found declared).
        """
        recorder, files = self.recorder, self.files
        files.identities.add(identity(recorder.root / MANIFEST_NAME))
        digests = any(digest is not None for *_, digest in declared)
        # Entries only, not paths: for hundreds of thousands of files those take memory.
        # A file found by a path the manifest declares (``known``) is declared: only files
        # found under other names need their identities compared (a stat each otherwise).
        entries, known = files.checkable_once(declared)
        declared.clear()
        tasks = plan_tasks(entries, recorder.root)
        workers = self.workers = worker_count(jobs, tasks)
        unlisted: list[Unlisted] = []

        def look() -> None:
            found, unlisted_found = data_files(recorder.root, known)
            known.clear()  # let the paths go
            present = self.present = {}
            for parts, found_identity in found:
                present.setdefault(found_identity, []).append(parts)
            unlisted.extend(unlisted_found)
            self.seen(files.identities)
            files.identities = set()

        if workers > 1:
            closed = ClosedRules(recorder.rules)
            weights = [weight for _, weight in tasks]
            work = [PackedTask.of(task) for task, _ in tasks]  # each goes once it is done
            del entries, tasks
            # The manifest's parse and the entries, before the workers share the pages.
            tuning.release_freed_memory()
            for part in parallel.ordered_map(
                check_task,
                work,
                weights=weights,
                workers=workers,
                initializer=start_worker,
                initargs=(self.worker_setup(closed),),
                meanwhile=look,
                keep_tasks=False,
            ):
                self.absorb(part, progress)
                closed.close(recorder.found.filled())
        else:
            for entry in entries:
                where, shown = files.place(entry)
                if progress is not None:
                    progress(shown)
                files.check(entry, where, shown)
            look()
        result = recorder.result
        result.exercised.update({MISSING_FILE_RULE, UNDECLARED_FILE_RULE, UNLISTED_FOLDER_RULE})
        result.unread += len(unlisted)
        for folder in unlisted:
            shown = recorder.display(recorder.root.joinpath(*folder.parts))
            recorder.report(UNLISTED_FOLDER_RULE, shown, ("{reason}", {"reason": folder.reason}))
        if digests:
            result.exercised.add(DIGEST_RULE)
        undeclared = sorted(parts for named in (self.present or {}).values() for parts in named)
        self.present = None
        for parts in undeclared:
            shown = recorder.display(recorder.root.joinpath(*parts))
            recorder.report(UNDECLARED_FILE_RULE, shown)
        files.identities = set()

    def seen(self, identities: Iterable[Identity]) -> None:
        """Files found declared: none of their names is undeclared (once the export's files
        were listed; until then they are remembered)."""
        present = self.present
        if present is None:
            self.files.identities.update(identities)
            return
        for found in identities:
            present.pop(found, None)

    def check_part(self, entries: list[Declared]) -> WorkerPart:
        """Check some declared files as a part of the export (a worker's task).

        The young objects are collected as the task starts, once the last task's part is let
        go: nearly all a task makes is freed with its part, by reference counting, so a
        collection then scans only what lives on (what the checks learnt and remember), where
        one every so many documents scanned each document's findings and records as well,
        about 1 µs per document. The few reference cycles a task may leave are freed then.
        """
        recorder, files = self.recorder, self.files
        recorder.new_part()
        tuning.collect_young()
        files.identities = set()
        shown = []
        for entry in entries:
            where, named = files.place(entry)
            files.check(entry, where, named)
            shown.append(named)
        return self.part(shown, files.identities)

    def part(
        self, files: list[str] | None = None, identities: set[Identity] | None = None
    ) -> WorkerPart:
        """What was recorded since :meth:`Recorder.new_part`, as a part to merge (with the
        files it read, as findings name them, and their identities)."""
        recorder = self.recorder
        recorder.result.findings = recorder.found.kept
        return WorkerPart(recorder.result, recorder.found.omitted, files or [], identities or set())

    def worker_setup(self, closed: ClosedRules | None = None) -> WorkerSetup:
        """What a worker process needs to check files of this export (``closed``: the rules
        its findings no longer add to, as the main process merges)."""
        recorder = self.recorder
        return WorkerSetup(
            recorder.root,
            recorder.display_root,
            self.limits,
            recorder.caps,
            recorder.facts,
            self.files.supplements,
            self.xsd.folder if self.xsd is not None else None,
            self.xsd.files if self.xsd is not None else {},
            self.exact,
            closed,
        )

    def absorb(self, part: WorkerPart, progress: Progress | None) -> None:
        """Merge what a worker found, in declared-file order (as one process would have)."""
        if progress is not None:
            for shown in part.files:
                progress(shown)
        recorder = self.recorder
        found = part.result
        recorder.found.merge(
            (recorder.located_in_manifest(f) for f in found.findings), part.omitted
        )
        self.seen(part.identities)
        tuning.release_freed_memory()  # the part's pickled bytes, read and now freed
        tuning.collect_young()  # what was read is kept: scanned once, then left alone
        recorder.result.absorb(found)

    def check_instance_range(self, instances: Iterable[PathwayInstance]) -> None:
        """Every instance check on these instances, one instance after another.

        The checks run in steps and blocks (see :class:`~pakkeforlop.rules.checks.InstanceStep`):
        each distinct condition, and each ``given`` (see ``Check.given``), is asked once per
        instance, its answer kept for the others (conditions are pure functions of the
        instance and the export's facts); a block whose ``given`` does not hold is skipped,
        and a step whose ``quiet`` test holds (see ``Check.quiet``) is exercised but not run.
        A condition that fails is reported for each check of its step (of its block, for a
        ``given``), as each would have asked it; the next that shares it asks again.
        """
        recorder = self.recorder
        blocks = InstanceStep.plan(by_scope(Scope.INSTANCE))
        facts = recorder.facts
        exercised = recorder.result.exercised
        count = self.documents.collector.count

        def failed(checks: Iterable[Check], instance: PathwayInstance, error: Exception) -> None:
            for check in checks:  # the kit's bug must not cost the other checks
                shown = recorder.manifest_shown
                recorder.internal_error(check.rule_id, shown, error, instance=instance.id)

        def holds(
            given: Applies,
            instance: PathwayInstance,
            steps: list[InstanceStep],
            answers: dict[Applies, bool],
        ) -> bool:
            try:
                held = answers[given] = bool(given(instance, facts))
            except Exception as error:  # each check of the block reports it
                failed([check for step in steps for check in step.checks], instance, error)
                return False
            return held

        for instance in instances:
            count()
            answers: dict[Applies, bool] = {always: True}
            for given, steps in blocks:
                held = answers.get(given)
                if not (held or (held is None and holds(given, instance, steps, answers))):
                    continue
                for step in steps:
                    applies = step.applies
                    answer = answers.get(applies)
                    if answer is None:
                        try:
                            answer = answers[applies] = bool(applies(instance, facts))
                        except Exception as error:  # each of the step's checks reports it
                            failed(step.checks, instance, error)
                            continue
                    if not answer:
                        continue
                    if step.exercised_into is not exercised:
                        exercised.update(step.rule_ids)
                        step.exercised_into = exercised
                    if step.quiet is not None and step.quiet(instance, facts):
                        continue  # none of its checks finds anything (total: see plan)
                    for check in step.checks:
                        try:
                            for hit in check.function(instance, facts):
                                recorder.hit(check, hit, hit.path or "", instance=instance.id)
                        except Exception as error:
                            failed((check,), instance, error)

    def check_instance_part(self, start: int, stop: int) -> WorkerPart:
        """Check the instances from ``start`` to ``stop``, in the order they were found, as a
        part of the export (a forked worker's task: it inherited every instance), with the
        parts of them of the export checks made of parts (see :meth:`check_instances`)."""
        recorder = self.recorder
        checked = list(islice(recorder.result.instances.values(), start, stop))
        recorder.new_part()
        self.check_instance_range(checked)
        part = self.part()
        part.export_parts = self.export_check_parts(checked)
        return part

    def check_instances(self) -> None:
        """Run the instance checks, then the export checks.

        Where workers read the files and can be forked, one forked worker checks the last
        instances while this process checks the first ones and then runs the export checks
        (see :func:`~pakkeforlop.engine.workers.instance_split`); the worker's part and then
        the export checks' are merged after this process's findings, as one process would
        have recorded them all. A fork inherits the instances, so only the findings, and the
        parts of the export checks made of parts (see ``Check.part``: the time-limit summary
        sums up what the instance checks measured), are sent back; it copies only the memory
        pages it writes to (the reference counts of what it reads; the instances' events are
        rows of numbers in a few arrays). This process makes its own parts meanwhile; the
        checks made of parts, and those after them, run once the worker's part has come (as
        a second part of export findings). Where workers cannot be forked, this process runs
        every check.
        """
        recorder = self.recorder
        instances = recorder.result.instances
        count = len(instances)
        forks = self.workers > 1 and parallel.can_fork()
        split = instance_split(instances.values()) if forks else 0
        if 0 < split < count:
            checks = by_scope(Scope.EXPORT)
            cut = next((at for at, check in enumerate(checks) if check.part), len(checks))
            export: list[WorkerPart] = []
            parts: dict[str, list[Any]] = {}

            def meanwhile() -> None:
                self.check_instance_range(islice(instances.values(), split))
                mine = self.export_check_parts(islice(instances.values(), split))
                parts.update((rule_id, [part]) for rule_id, part in mine.items())
                export.append(self.export_part(instances, checks[:cut]))

            for part in parallel.ordered_map(
                check_instance_task,
                [(split, count)],
                weights=[count - split],
                workers=1,
                initializer=start_instance_worker,
                initargs=(self,),
                meanwhile=meanwhile,
            ):
                self.absorb(part, None)
                for rule_id, theirs in part.export_parts.items():
                    if rule_id in parts:
                        parts[rule_id].append(theirs)
            self.absorb(export[0], None)
            if cut < len(checks):
                whole = {rule_id: found for rule_id, found in parts.items() if len(found) == 2}
                self.absorb(self.export_part(instances, checks[cut:], whole), None)
        else:
            self.check_instance_range(instances.values())
            self.check_export(instances)

    def export_check_parts(self, instances: Iterable[PathwayInstance]) -> dict[str, Any]:
        """The parts of these instances of each export check made of parts (see
        ``Check.part``), where they were checked. A part that fails is left out: the check
        then makes its part of every instance itself, and reports why it fails."""
        facts = self.recorder.facts
        checked = list(instances)
        found: dict[str, Any] = {}
        for check in by_scope(Scope.EXPORT):
            if check.part is not None:
                try:
                    found[check.rule_id] = check.part(checked, facts)
                except Exception:  # reported where the check runs: it makes its part then
                    continue
        return found

    def export_part(
        self,
        instances: Mapping[str, PathwayInstance],
        checks: list[Check],
        parts: Mapping[str, list[Any]] | None = None,
    ) -> WorkerPart:
        """These export checks' findings as a part of their own, to merge after others
        (``parts``: see :meth:`check_export`)."""
        recorder = self.recorder
        whole = recorder.result, recorder.found, recorder.once_seen
        recorder.new_part()
        try:
            self.check_export(instances, checks, parts)
            return self.part()
        finally:
            recorder.result, recorder.found, recorder.once_seen = whole

    def check_export(
        self,
        instances: Mapping[str, PathwayInstance],
        checks: list[Check] | None = None,
        parts: Mapping[str, list[Any]] | None = None,
    ) -> None:
        """Run the export checks (``checks``: these of them) over these instances; a check
        made of parts is given those of ``parts`` (every process's, by rule), else makes its
        part of every instance."""
        recorder = self.recorder
        facts = recorder.facts
        view = ExportView(facts, instances)
        for check in by_scope(Scope.EXPORT) if checks is None else checks:
            try:
                if check.applies(view, facts):
                    recorder.result.exercised.add(check.rule_id)
                    if check.part is None:
                        hits = check.function(view)
                    else:
                        given = None if parts is None else parts.get(check.rule_id)
                        made = given or [check.part(instances.values(), facts)]
                        hits = check.function(view, made)
                    for hit in hits:
                        recorder.hit(check, hit, hit.path or recorder.manifest_shown)
            except Exception as error:  # the kit's bug must not cost the other checks
                recorder.internal_error(check.rule_id, recorder.manifest_shown, error)
