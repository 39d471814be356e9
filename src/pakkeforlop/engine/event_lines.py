"""The fast path of NDJSON event lines: typed records, each distinct value judged once.

A line is taken here only when the exact path would find in it exactly what this path
reports, and otherwise left to the exact path (``take`` returns False):

1. :class:`pakkeforlop.read.events.EventDecoder` decodes it into the record generated from
   the event schema, under the guards that make the value the exact parser's, with no input
   problem; else the exact path.
2. Each member's value is valid for that member's schema, judged once per distinct value (the
   event schema is an object of independent properties: a line is valid exactly when each of
   its members is); else the exact path, which reports the schema's findings.
3. The document checks of event lines declare what they read (``Check.reads``): each distinct
   combination of those members is checked once, on the first line that has it, and its hits
   are reported for every line that has it, located in that line (once per file for a check
   that says so). A check that fails sends the line to the exact path, which reports it.
4. The line's record for the pathway rules is made as :func:`pakkeforlop.model.facts.collect`
   makes it, as a row of numbers (see :class:`pakkeforlop.model.records.EventTable`), each value
   numbered once per distinct value.

The golden tests compare the two paths' results on every example, fixture, crafted edge case
and generated export with defects.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from functools import cache
from operator import contains, itemgetter
from typing import TYPE_CHECKING, Any, Final

from msgspec import UNSET

from pakkeforlop.data.schemas import DOCUMENT_SCHEMAS, member_validity, registry, schema
from pakkeforlop.engine.documents import EVENT_KIND
from pakkeforlop.model.facts import institution_key, parse_day
from pakkeforlop.model.records import Document, EventTable, ExportFacts, PathwayInstance
from pakkeforlop.read import JsonText
from pakkeforlop.read.events import EventDecoder, RecordType, UnsupportedSchemaError, record_type
from pakkeforlop.rules.checks import Check, Hit, always

if TYPE_CHECKING:
    from referencing._core import Resolver


EVENT_SCHEMA = DOCUMENT_SCHEMAS["pathway-events"]
#: At most this many distinct valid values of one member are remembered (others are judged
#: again each time: a timestamp or a note may be new on every line).
VALUES_KEPT = 1 << 14
#: At most this many outcomes of one group of checks, and shared copies of one kind, are
#: remembered: the memos of a file of a million lines would otherwise hold every patient and
#: every code on every day (hundreds of MiB in each worker process). A full memo starts
#: afresh: lines near one another repeat the same values.
MEMO_KEPT = 1 << 15
#: What jsonschema-rs's own ``date``/``date-time`` formats judge differently from the
#: reference's (year zero, a leap second): values holding neither may use them.
_FORMAT_DOUBTS: Final = ("0000-", ":60")


def _resolving(resolver: Resolver[Any]) -> Callable[[dict[str, Any]], Any]:
    def resolve(node: dict[str, Any]) -> Any:
        if "$ref" not in node:
            return node, resolve
        resolved = resolver.lookup(node["$ref"])
        return resolved.contents, _resolving(resolved.resolver)

    return resolve


@cache
def event_record() -> RecordType | None:
    """The record type generated from the event schema (``None``: it cannot carry the schema,
    and every line takes the exact path)."""
    resolver = registry().resolver(base_uri=EVENT_SCHEMA)
    try:
        return record_type("PathwayEvent", dict(schema(EVENT_SCHEMA)), _resolving(resolver))
    except UnsupportedSchemaError:
        return None


def _string_validity(member: str) -> Callable[[Any], bool]:
    exact = member_validity(EVENT_SCHEMA, member)
    native = member_validity(EVENT_SCHEMA, member, native_formats=True)

    def valid(value: Any) -> bool:
        if type(value) is str and not any(doubt in value for doubt in _FORMAT_DOUBTS):
            return native(value)
        return exact(value)

    return valid


@dataclass(slots=True)
class _Member:
    """What is known of one member's values."""

    index: int
    valid: Callable[[Any], bool]
    known: set[Hashable] = field(default_factory=set)


#: A check's outcome on every line with one combination of the members it reads: the hits and,
#: for a check that reports once per file, the value that makes repeats.
Outcome = tuple[Check, tuple[Hit, ...], Hashable]


@dataclass(slots=True)
class _Group:
    """The checks that read the same members, and their outcomes by those members' values."""

    indexes: tuple[int, ...]
    checks: tuple[Check, ...]
    outcomes: dict[Any, tuple[Outcome, ...]] = field(default_factory=dict)
    key: Callable[[tuple[Any, ...]], Any] = field(init=False)

    def __post_init__(self) -> None:
        self.key = itemgetter(*self.indexes) if self.indexes else (lambda _items: ())


class EventLines:
    """The fast path of one run's event lines (see the module's description).

    What it learns (valid values, the checks' outcomes) holds for the run's export facts, and
    goes with the run.
    """

    def __init__(self, record: RecordType, checks: list[Check], facts: ExportFacts) -> None:
        self.record = record
        self.decoder = EventDecoder(record)
        self.facts = facts
        where = {member: index for index, member in enumerate(record.members)}
        self.members = [
            _Member(index, _string_validity(member) if nested is None else self._nested(member))
            for index, (member, nested) in enumerate(
                zip(record.members, record.nested, strict=True)
            )
        ]
        #: Each member's known valid values (an absent member is valid: a required one is
        #: never absent from a decoded record).
        self.known = [member.known for member in self.members]
        for known in self.known:
            known.add(UNSET)
        groups: dict[tuple[int, ...], list[Check]] = {}
        for check in checks:
            reads = check.reads or ()
            groups.setdefault(tuple(sorted(where[member] for member in reads)), []).append(check)
        self.groups = [_Group(indexes, tuple(found)) for indexes, found in groups.items()]
        self.code, self.pathway_type = where["code"], where["pathwayType"]
        self.date, self.care_level = where["date"], where["careLevel"]
        self.instance, self.patient = where["instanceId"], where["patient"]
        self.institution = where["institution"]
        self.shared_key = itemgetter(self.code, self.pathway_type, self.care_level, self.date)
        #: The numbers in ``table`` of each code, day, type and care level (none: the date is
        #: not a day), patient and institution (most lines repeat a few).
        self.table: EventTable | None = None
        self.shared: dict[Any, tuple[int, ...]] = {}
        self.patients: dict[Any, int] = {}
        self.institutions: dict[Any, int] = {}
        #: The rules a line exercises: added when the first line of a run is taken.
        self.exercised: set[str] = set()

    @staticmethod
    def build(checks: list[Check], facts: ExportFacts) -> EventLines | None:
        """The fast path for these checks of event lines, or ``None`` when one of them does not
        declare what it reads (or the schema has no record type)."""
        record = event_record()
        if record is None or any(check.reads is None for check in checks):
            return None
        return EventLines(record, checks, facts)

    def _nested(self, member: str) -> Callable[[Any], bool]:
        validity = member_validity(EVENT_SCHEMA, member)
        nested = self.record.nested[self.record.members.index(member)]
        assert nested is not None

        def valid(value: Any) -> bool:
            return validity(nested.builtins(value))

        return valid

    def accepts(self, items: tuple[Any, ...]) -> bool:
        """Whether every member's value is valid for its schema."""
        if all(map(contains, self.known, items)):  # the common case, at C speed
            return True
        checked = map(contains, self.known, items)
        for member, item, known in zip(self.members, items, checked, strict=True):
            if known:
                continue
            if not member.valid(item):
                return False
            if len(member.known) >= VALUES_KEPT:  # a window: values often repeat nearby
                member.known.clear()
                member.known.add(UNSET)
            member.known.add(item)
        return True

    def outcomes(self, event: Any, items: tuple[Any, ...]) -> list[Outcome] | None:
        """The checks' outcomes on this line (``None``: a check failed; the exact path says how)."""
        found: list[Outcome] = []
        probe: Document | None = None
        for group in self.groups:
            key = group.key(items)
            known = group.outcomes.get(key)
            if known is None:
                if probe is None:
                    probe = Document(EVENT_KIND, "", self.record.builtins(event))
                computed = self._run(group, probe)
                if computed is None:
                    return None
                if len(group.outcomes) >= MEMO_KEPT:
                    group.outcomes.clear()
                known = group.outcomes[key] = computed
            found.extend(known)
        return found

    def _run(self, group: _Group, probe: Document) -> tuple[Outcome, ...] | None:
        outcomes: list[Outcome] = []
        facts = self.facts
        try:
            for check in group.checks:
                if check.applies is always or check.applies(probe, facts):
                    self.exercised.add(check.rule_id)
                    hits = tuple(check.function(probe, facts))
                    if hits:
                        once = check.once_per_file
                        outcomes.append((check, hits, None if once is None else once(probe, facts)))
        except Exception:
            return None
        return tuple(outcomes)

    def _numbered(self, key: Any, table: EventTable) -> tuple[int, ...]:
        code, pathway_type, care_level, day = key
        if len(self.shared) >= MEMO_KEPT:
            self.shared.clear()
        parsed = parse_day(day)
        numbers = self.shared[key] = (
            ()
            if parsed is None
            else (
                table.number(sys.intern(code)),
                table.number(parsed),
                table.number(sys.intern(pathway_type)),
                table.number(sys.intern(care_level)),
            )
        )
        return numbers

    def row_of(
        self, items: tuple[Any, ...], table: EventTable, path: int, line: int
    ) -> tuple[int, ...] | None:
        """The line's record for the pathway rules, as :func:`pakkeforlop.model.facts.collect` makes
        it, as its row of numbers in ``table`` (``path``: the file's number in it); ``None``
        when its date is not a day."""
        if table is not self.table:  # the numbers remembered are another table's
            self.table = table
            self.shared.clear()
            self.patients.clear()
            self.institutions.clear()
        key = self.shared_key(items)
        shared = self.shared.get(key)
        if shared is None:
            shared = self._numbered(key, table)
        if not shared:  # the date is not a day
            return None
        code, day, pathway_type, care_level = shared
        patient = items[self.patient]
        patient_number = self.patients.get(patient)
        if patient_number is None:
            nested = self.record.nested[self.patient]
            assert nested is not None
            value = nested.builtins(patient)
            if len(self.patients) >= MEMO_KEPT:
                self.patients.clear()
            patient_key = sys.intern(f"{value['type']}:{value['value']}")
            patient_number = self.patients[patient] = table.number(patient_key)
        institution = items[self.institution]
        place = self.institutions.get(institution)
        if place is None:
            nested = self.record.nested[self.institution]
            assert nested is not None
            if len(self.institutions) >= MEMO_KEPT:
                self.institutions.clear()
            place_key = institution_key(nested.builtins(institution))
            place = self.institutions[institution] = table.number(place_key)
        return (code, day, pathway_type, care_level, path, line, patient_number, place)


def located_line(path: str, line: bytes, number: int) -> Document:
    """An event line taken by the fast path, as a document to locate its findings in."""
    text = JsonText(None, line.removesuffix(b"\r"), number - 1, may_have_duplicate_keys=False)
    return Document(EVENT_KIND, path, {}, text, number)


def add_row(
    instances: dict[str, PathwayInstance], instance_id: str, table: EventTable, row: tuple[int, ...]
) -> None:
    """Add an event's row (in ``table``) to its pathway instance."""
    instance = instances.get(instance_id)
    if instance is None:
        instance = instances[instance_id] = PathwayInstance(instance_id)
    instance.add_row(table, row)
