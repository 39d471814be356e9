"""Reading an NDJSON events file: each line on the fast path when it can be, else exactly."""

from __future__ import annotations

import sys
from pathlib import Path

from pakkeforlop.engine.documents import EVENT_KIND, DocumentChecker
from pakkeforlop.engine.event_lines import EventLines, add_row, located_line
from pakkeforlop.model.records import Document
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
        taken = 0

        def take(number: int, line: bytes) -> bool:
            nonlocal taken
            if lines is not None and self.take(lines, shown, number, line):
                taken += 1
                return True
            return False

        for line, result in iter_ndjson_file(
            path, self.limits, sink=sink, wanted=wanted, fast=None if lines is None else take
        ):
            recorder.input_problems(shown, result.problems, line or None)
            if result.text is None:
                recorder.result.unread += 1
            else:
                value = result.text.value
                self.documents.check(Document(EVENT_KIND, shown, value, result.text, line))
        if taken and lines is not None:
            recorder.result.kinds_seen.add(EVENT_KIND)
            recorder.result.exercised |= self.documents.schema_rules[EVENT_KIND] | lines.exercised

    def fast_path(self) -> EventLines | None:
        """The fast path of event lines (made once per run), or ``None`` for the exact path."""
        if self.exact:
            return None
        facts = self.recorder.facts
        if self.lines is None or self.lines.facts is not facts:
            self.lines = EventLines.build(self.documents.checks_of(EVENT_KIND), facts)
        return self.lines

    def take(self, lines: EventLines, shown: str, number: int, line: bytes) -> bool:
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
        recorder = self.recorder
        result = recorder.result
        result.events += 1
        result.fast += 1
        document = None
        for check, hits, once in outcomes:
            if check.once_per_file is not None and not recorder.first_in_file(check, shown, once):
                continue
            if document is None:
                document = located_line(shown, line, number)
            for hit in hits:
                recorder.hit(check, hit, shown, document)
        table = result.table
        row = lines.row_of(items, table, table.number(shown), number)
        if row is not None:
            add_row(result.instances, items[lines.instance], table, row)
        return True
