"""Reading an NDJSON events file: each line on the fast path when it can be, else exactly."""

from __future__ import annotations

import sys
from pathlib import Path

from pakkeforlop.engine.documents import EVENT_KIND, DocumentChecker
from pakkeforlop.engine.event_lines import Entry, EventLines, Outcome, located_line
from pakkeforlop.engine.recorder import Recorder
from pakkeforlop.model.records import Document, PathwayInstance
from pakkeforlop.read import Limits, Sink, iter_ndjson_file
from pakkeforlop.rules.engine_reported import INPUT_RULES


class EventReader:
    """Reads events files for one run; the fast path's memos last as long as the run's facts."""

    def __init__(self, documents: DocumentChecker, limits: Limits, *, exact: bool) -> None:
        self.documents = documents
        self.recorder = documents.recorder
        self.limits = limits
        self.exact = exact
        self.lines: EventLines | None = None

    def read(self, path: Path, sink: Sink | None = None) -> None:
        """Read and check every line of an events file."""
        recorder = self.recorder
        shown = sys.intern(recorder.display(path))
        recorder.mark_read()
        found = recorder.found

        def wanted(code: str) -> bool:
            return not found.full(INPUT_RULES[code], shown)

        lines = self.fast_path()
        taking = None if lines is None else FileLines(lines, recorder, shown)
        for line, result in iter_ndjson_file(
            path,
            self.limits,
            sink=sink,
            wanted=wanted,
            fast=None if taking is None else taking.take,
        ):
            recorder.input_problems(shown, result.problems, line or None)
            if result.text is None:
                recorder.result.unread += 1
            else:
                value = result.text.value
                self.documents.check(Document(EVENT_KIND, shown, value, result.text, line))
        if taking is not None and taking.taken:
            recorder.result.kinds_seen.add(EVENT_KIND)
            recorder.result.exercised |= self.documents.schema_rules[EVENT_KIND] | taking.exercised

    def fast_path(self) -> EventLines | None:
        """The fast path of event lines (made once per run), or ``None`` for the exact path."""
        if self.exact:
            return None
        facts = self.recorder.facts
        if self.lines is None or self.lines.facts is not facts:
            self.lines = EventLines.build(self.documents.checks_of(EVENT_KIND), facts)
        return self.lines


class FileLines:
    """The fast path over one reading of one events file: it takes the lines it can, a block
    at a time (see :func:`pakkeforlop.read.iter_ndjson_file`)."""

    __slots__ = ("exercised", "lines", "marker", "path", "recorder", "result", "shown", "taken")

    def __init__(self, lines: EventLines, recorder: Recorder, shown: str) -> None:
        self.lines = lines
        self.recorder = recorder
        self.shown = shown
        #: The part of the run the lines go to (its table numbers their rows).
        self.result = recorder.result
        lines.use_table(self.result.table)
        self.path = self.result.table.number(shown)
        #: What marks the entries whose once-per-file values this reading has seen all of.
        self.marker = object()
        self.taken = 0
        self.exercised = lines.exercised

    def take(self, first: int, block: list[bytes | None], index: int) -> int:
        """Take the lines of ``block`` from ``index`` on (``first``: the number of the block's
        first line) up to the first the exact path must read; its index.

        One loop for the lines of a block: each costs what :meth:`EventLines.judge` costs, and
        its row.
        """
        judge, marker = self.lines.judge, self.marker
        instances, instance_at = self.result.instances, self.lines.instance
        table, path = self.result.table, self.path
        start, end = index, len(block)
        try:
            while index < end:
                line = block[index]
                if line is None:  # over the limit
                    break
                judged = judge(line)
                if judged is None:
                    break
                items, values, day, person, more = judged
                number = first + index
                if (
                    more
                    or (values.outcomes and values.seen is not marker)
                    or (day.outcomes and day.seen is not marker)
                    or (person.outcomes and person.seen is not marker)
                ):
                    self.report(line, number, (values, day, person), more)
                if day.numbers:  # the date is a day: the line's record for the pathway rules
                    code, pathway_type, care_level, place = values.numbers
                    (patient,) = person.numbers
                    instance_id = items[instance_at]
                    instance = instances.get(instance_id)
                    if instance is None:
                        instance = instances[instance_id] = PathwayInstance(instance_id)
                    instance.add_row(
                        table,
                        (
                            code,
                            *day.numbers,
                            pathway_type,
                            care_level,
                            path,
                            number,
                            patient,
                            place,
                        ),
                    )
                index += 1
        finally:
            taken = index - start
            self.taken += taken
            self.result.events += taken
            self.result.fast += taken
        return index

    def report(
        self, line: bytes, number: int, entries: tuple[Entry, ...], more: tuple[Outcome, ...]
    ) -> None:
        """Report the outcomes of a line's checks (its entries', and ``more``), located in it."""
        document: Document | None = None
        for entry in entries:
            if entry.seen is not self.marker:
                document = self._report(entry.outcomes, line, number, document)
                if not entry.repeats:  # every once-per-file value of it is now seen here
                    entry.seen = self.marker
        self._report(more, line, number, document)

    def _report(
        self, outcomes: tuple[Outcome, ...], line: bytes, number: int, document: Document | None
    ) -> Document | None:
        recorder, shown, found = self.recorder, self.shown, self.recorder.found
        for check, hits, once in outcomes:
            if check.once_per_file is not None and not recorder.first_in_file(check, shown, once):
                continue
            for hit in hits:
                if document is None and not found.full(check.rule_id, hit.path or shown):
                    document = located_line(shown, line, number)
                recorder.hit(check, hit, shown, document)  # (no document: only counted)
        return document
