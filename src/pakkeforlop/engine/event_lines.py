"""The fast path of NDJSON event lines: typed records, each distinct value judged once.

A line is taken here only when the exact path would find in it exactly what this path
reports, and otherwise left to the exact path (:meth:`EventLines.judge` returns ``None``):

1. :class:`pakkeforlop.read.events.EventDecoder` decodes it into the record generated from
   the event schema, and :func:`pakkeforlop.read.events.keys_once` proves that it writes no
   key twice: the value is the exact parser's, with no input problem; else the exact path.
2. Each member's value is valid for that member's schema, judged once per distinct value (the
   event schema is an object of independent properties: a line is valid exactly when each of
   its members is); else the exact path, which reports the schema's findings.
3. The document checks of event lines declare what they read (``Check.reads``): each distinct
   combination of those members is checked once, on a line of those members alone, and its
   hits are reported for every line that has it, located in that line (once per file for a
   check that says so). A check that fails sends the line to the exact path, which reports it.
4. The line's record for the pathway rules is made as :func:`pakkeforlop.model.facts.collect`
   makes it, as a row of numbers (see :class:`pakkeforlop.model.records.EventTable`), each value
   numbered once per distinct value.

What a line costs is mostly looking these up: so a record is judged in parts (the pathway
instance's members, the date, the rest; see :class:`Entry`), and what holds for one part's
values (2, the checks of 3 that read no other part, the numbers of 4, how many quotes they
are written with for 1) is one entry, found with one look-up. A file repeats each part's
values on many lines, where it repeats the whole combination far less.

The golden tests compare the two paths' results on every example, fixture, crafted edge case
and generated export with defects.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from functools import cache
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Final

import msgspec
from msgspec import UNSET
from msgspec.structs import astuple

from pakkeforlop.data.schemas import DOCUMENT_SCHEMAS, member_validity, registry, schema
from pakkeforlop.engine.documents import EVENT_KIND
from pakkeforlop.model.facts import institution_key, parse_day
from pakkeforlop.model.records import Document, EventTable, ExportFacts
from pakkeforlop.read import JsonText
from pakkeforlop.read.events import (
    EventDecoder,
    RecordType,
    UnsupportedSchemaError,
    keys_once,
    record_type,
)
from pakkeforlop.rules.checks import Check, Hit, always

if TYPE_CHECKING:
    from referencing._core import Resolver


EVENT_SCHEMA = DOCUMENT_SCHEMAS["pathway-events"]
#: At most this many distinct valid values of one member are remembered (others are judged
#: again each time: a timestamp or a note may be new on every line).
VALUES_KEPT = 1 << 14
#: At most this many outcomes of one group of checks are remembered, and this many entries of
#: one part (see :class:`Entry`): the memos of a file of a million lines would otherwise hold
#: every patient and every code on every day (hundreds of MiB in each worker process). A full
#: memo starts afresh: lines near one another repeat the same values.
MEMO_KEPT = 1 << 15
#: The entries: a file of the target export (100,000 pathways) names up to 46,659 pathway
#: instances, each on lines weeks apart. With as many as the outcomes, 214,190 instance
#: entries were made where 167,667 (one per instance and file, as now) do, and the event lines
#: took 12 % more CPU time; the larger memo costs about 13 MiB more per process (the outcomes'
#: memos as large would cost as much again for a further 1 %: measured on that export).
ENTRIES_KEPT = 1 << 16
#: What jsonschema-rs's own ``date``/``date-time`` formats judge differently from the
#: reference's (year zero, a leap second): values holding neither may use them.
_FORMAT_DOUBTS: Final = ("0000-", ":60")
#: A line's record is judged in parts, each distinct combination of a part's values once (see
#: :class:`Entry`): the members whose values are the same on every line of a pathway instance,
#: the date, and the rest, which a file repeats most; the members (strings) new on nearly every
#: line are judged alone.
PATHWAY_MEMBERS: Final = frozenset({"instanceId", "patient"})
DATE_MEMBERS: Final = frozenset({"date"})
LINE_MEMBERS: Final = frozenset({"recorded"})


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

    first, second = _FORMAT_DOUBTS

    def valid(value: Any) -> bool:
        if type(value) is str and first not in value and second not in value:
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
#: A line the fast path takes: its record's fields' values, the entries of its shared part,
#: its date and its pathway instance, and the outcomes of the checks that read several parts.
Judged = tuple[tuple[Any, ...], "Entry", "Entry", "Entry", tuple[Outcome, ...]]


@dataclass(slots=True)
class _Group:
    """The checks that read the same members, and their outcomes by those members' values."""

    indexes: tuple[int, ...]
    checks: tuple[Check, ...]
    outcomes: dict[Any, tuple[Outcome, ...]] = field(default_factory=dict)
    key: Callable[[tuple[Any, ...]], Any] = field(init=False)

    def __post_init__(self) -> None:
        self.key = _getter(self.indexes)


def _getter(indexes: Sequence[int]) -> Callable[[tuple[Any, ...]], Any]:
    """What a key of these fields' values is made by (at C speed)."""
    return itemgetter(*indexes) if indexes else (lambda _items: ())


@dataclass(slots=True, eq=False)
class Entry:
    """What holds for every line whose values of the members of one part of the record are
    these: they are valid, the outcomes of the checks that read no other member, how many
    quotes they are written with, and their numbers in the table of the rows."""

    outcomes: tuple[Outcome, ...]
    #: How many quotes the values are written with (see :meth:`RecordType.quotes`).
    quotes: int
    #: Their numbers for the line's row (see :class:`_Part`).
    numbers: tuple[int, ...]
    #: Whether an outcome is reported on every line (not once per file).
    repeats: bool
    #: The values of the part's members that the entries are not found by (see :class:`_Part`).
    rest: Any
    #: The file (a marker of one reading of it) in which each outcome's once-per-file value has
    #: been seen already: nothing more to report there.
    seen: object = None


class _Part:
    """Some members of the record, and the entries of their values (see :class:`Entry`).

    The entries are found by the values of the first ``keyed`` members (all by default); the
    others' (``rest``) are compared with the entry's: an instance's id, say, is enough to find
    the entry of the instance and its patient, and cheaper to hash than both.
    """

    __slots__ = ("entries", "groups", "indexes", "key", "numbers", "rest")

    def __init__(
        self,
        indexes: list[int],
        groups: list[_Group],
        numbers: Callable[[tuple[Any, ...], EventTable], tuple[int, ...]],
        keyed: int | None = None,
    ) -> None:
        self.indexes = tuple(indexes)
        #: The groups of checks that read no member outside the part.
        self.groups = [group for group in groups if set(group.indexes) <= set(indexes)]
        self.key = _getter(self.indexes[:keyed])
        #: The values of the members not in the key, as an entry holds them.
        self.rest = _getter(self.indexes[keyed:]) if keyed is not None else _nothing
        #: The numbers of the part's values for a line's row, in a table.
        self.numbers = numbers
        self.entries: dict[Any, Entry] = {}


def _nothing(_items: tuple[Any, ...]) -> tuple[()]:
    return ()


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
        for member in self.members:
            member.known.add(UNSET)  # an absent member is valid (a required one never is)
        by_reads: dict[tuple[int, ...], list[Check]] = {}
        for check in checks:
            reads = tuple(sorted(where[member] for member in check.reads or ()))
            by_reads.setdefault(reads, []).append(check)
        groups = [_Group(indexes, tuple(found)) for indexes, found in by_reads.items()]
        self.code, self.pathway_type = where["code"], where["pathwayType"]
        self.date, self.care_level = where["date"], where["careLevel"]
        self.instance, self.patient = where["instanceId"], where["patient"]
        self.institution = where["institution"]
        shared, dated, pathway, line = _parts(record)
        self.shared = _Part(shared, groups, self._shared_numbers)
        self.dated = _Part(dated, groups, self._day_numbers)
        self.pathway = _Part(pathway, groups, self._patient_numbers, keyed=1)
        parts = (self.shared, self.dated, self.pathway)
        #: The checks that read members of more than one part: judged line by line.
        self.line_groups = [
            group
            for group in groups
            if not any(group is other for part in parts for other in part.groups)
        ]
        #: The members new on nearly every line (strings), each with its known valid values.
        self.line_members = [(index, self.members[index].known) for index in line]
        #: The table the entries' numbers are in (see :meth:`use_table`).
        self.table = EventTable()
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

    def use_table(self, table: EventTable) -> None:
        """Number the rows of the lines to come in ``table`` (the entries made for another
        table go: their numbers are that table's)."""
        if table is not self.table:
            self.table = table
            for part in (self.shared, self.dated, self.pathway):
                part.entries.clear()

    def learn(self, index: int, item: Any) -> bool:
        """Whether a value not yet known valid for member ``index`` is valid (and then known)."""
        member = self.members[index]
        if not member.valid(item):
            return False
        if len(member.known) >= VALUES_KEPT:  # a window: values often repeat nearby
            member.known.clear()
            member.known.add(UNSET)
        member.known.add(item)
        return True

    def judge(self, line: bytes) -> Judged | None:
        """The line's record and what holds for it (see :class:`Entry`), when the fast path
        takes the line; else ``None``.

        A line whose parts' values are all known costs its decoding, a look-up per part and
        per group of checks reading several parts, the count of its quotes and the look-up of
        the values new on each line.
        """
        try:
            items = astuple(self.decoder.decode(line))
        except (msgspec.DecodeError, RecursionError):
            return None
        shared, dated, pathway = self.shared, self.dated, self.pathway
        # Look-ups written out, not called: they are most of what a line costs.
        values = shared.entries.get(shared.key(items)) or self.entry(shared, items)
        day = dated.entries.get(dated.key(items)) or self.entry(dated, items)
        person = pathway.entries.get(pathway.key(items))
        if person is None or person.rest != pathway.rest(items):  # (keyed by the instance)
            person = self.entry(pathway, items)
        if values is None or day is None or person is None:
            return None
        quotes = values.quotes + day.quotes + person.quotes
        for index, known in self.line_members:
            item = items[index]
            if item is not UNSET:
                quotes += 4  # a string member: its key and value
                if item not in known and not self.learn(index, item):
                    return None
        if line.count(b'"') != quotes and not keys_once(line, self.record, items, quotes):
            return None  # (the common case of keys_once written out)
        for group in self.line_groups:
            if group.outcomes.get(group.key(items)) != ():  # hits to report, or to find
                more = self.outcomes(self.line_groups, items)
                return None if more is None else (items, values, day, person, more)
        return items, values, day, person, ()

    def entry(self, part: _Part, items: tuple[Any, ...]) -> Entry | None:
        """The entry of the line's values of the members of ``part``, made and remembered
        (``None``: they are not valid, or a check failed: the line goes to the exact path).

        The checks may run on a line the exact path reads in the end: it runs them too, on the
        same values (a key written twice keeps its last value in both), and exercises the same
        rules.
        """
        members = self.members
        for index in part.indexes:
            if items[index] not in members[index].known and not self.learn(index, items[index]):
                return None
        outcomes = self.outcomes(part.groups, items)
        if outcomes is None:
            return None
        quotes = 0
        for index in part.indexes:
            item = items[index]
            if item is not UNSET:
                nested = self.record.nested[index]
                quotes += 4 if nested is None else 2 + nested.quotes(astuple(item))
        repeats = any(check.once_per_file is None for check, _, _ in outcomes)
        numbers = part.numbers(items, self.table)
        entry = Entry(outcomes, quotes, numbers, repeats, part.rest(items))
        if len(part.entries) >= ENTRIES_KEPT:  # a window: lines near one another repeat values
            part.entries.clear()
        part.entries[part.key(items)] = entry
        return entry

    def _shared_numbers(self, items: tuple[Any, ...], table: EventTable) -> tuple[int, ...]:
        """The numbers of code, pathway type, care level and institution."""
        nested = self.record.nested[self.institution]
        assert nested is not None
        return (
            table.number(sys.intern(items[self.code])),
            table.number(sys.intern(items[self.pathway_type])),
            table.number(sys.intern(items[self.care_level])),
            table.number(institution_key(nested.builtins(items[self.institution]))),
        )

    def _day_numbers(self, items: tuple[Any, ...], table: EventTable) -> tuple[int, ...]:
        """The number of the day (none: the date is not a day, and the line makes no row)."""
        day = parse_day(items[self.date])
        return () if day is None else (table.number(day),)

    def _patient_numbers(self, items: tuple[Any, ...], table: EventTable) -> tuple[int, ...]:
        """The number of the patient."""
        nested = self.record.nested[self.patient]
        assert nested is not None
        value = nested.builtins(items[self.patient])
        return (table.number(sys.intern(f"{value['type']}:{value['value']}")),)

    def outcomes(self, groups: list[_Group], items: tuple[Any, ...]) -> tuple[Outcome, ...] | None:
        """The outcomes of these groups of checks on the line (``None``: a check failed; the
        exact path says how)."""
        found: list[Outcome] = []
        for group in groups:
            key = group.key(items)
            known = group.outcomes.get(key)
            if known is None:
                computed = self._run(group, items)
                if computed is None:
                    return None
                if len(group.outcomes) >= MEMO_KEPT:
                    group.outcomes.clear()
                known = group.outcomes[key] = computed
            found.extend(known)
        return tuple(found)

    def _run(self, group: _Group, items: tuple[Any, ...]) -> tuple[Outcome, ...] | None:
        """The group's outcomes, found on a line that holds only the members its checks read:
        what they find depends on nothing else (a test holds every check to that)."""
        record, value = self.record, {}
        for index in group.indexes:
            item, nested = items[index], record.nested[index]
            if item is not UNSET:
                value[record.members[index]] = item if nested is None else nested.builtins(item)
        probe = Document(EVENT_KIND, "", value)
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


def _parts(record: RecordType) -> tuple[list[int], list[int], list[int], list[int]]:
    """The indexes of the shared members, the date's, the pathway's and the line's."""
    parts: tuple[list[int], list[int], list[int], list[int]] = ([], [], [], [])
    for index, (member, nested) in enumerate(zip(record.members, record.nested, strict=True)):
        if member in LINE_MEMBERS and nested is None:
            parts[3].append(index)
        elif member in PATHWAY_MEMBERS:
            parts[2].append(index)
        else:
            parts[1 if member in DATE_MEMBERS else 0].append(index)
    return parts


def located_line(path: str, line: bytes, number: int) -> Document:
    """An event line taken by the fast path, as a document to locate its findings in."""
    text = JsonText(None, line.removesuffix(b"\r"), number - 1, may_have_duplicate_keys=False)
    return Document(EVENT_KIND, path, {}, text, number)
