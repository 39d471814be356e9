"""What the engine reads an export into: documents, and the compact per-instance state."""

from __future__ import annotations

import struct
from array import array
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from operator import itemgetter
from typing import Any, NamedTuple, Protocol

from pakkeforlop.read import JsonText


class XmlOrigin(Protocol):
    """Where a document read from KITH XML came from (``pakkeforlop.kith``)."""

    @property
    def schema_claims(self) -> Mapping[str, str]:
        """Rule ids that claim the JSON Schema's finding of a missing member at these pointers
        (a member the message standard has no element for)."""

    def locate(self, pointer: str) -> tuple[str | None, int | None]:
        """``(xpath, line)`` of the element a pointer's value came from."""


@dataclass(slots=True)
class Document:
    """One parsed document: a manifest, referral or epicrisis, one NDJSON event line, or a
    KITH XML message (kind ``kith-message``).

    ``origin`` is set for documents read from XML: a referral or epicrisis mapped from a KITH
    message (whose ``value`` is the JSON model), or the message itself (``message`` is then
    the :class:`pakkeforlop.kith.KithMessage` and ``value`` is empty).

    Made once and then only read (a changed document is a new one, made with
    :func:`dataclasses.replace`), but not frozen: a frozen dataclass sets each field through
    ``object.__setattr__``, which made a document cost four times as much to create (about
    1.5 µs more, for every document and every event line read exactly).
    """

    kind: str
    path: str
    value: dict[str, Any]
    source: JsonText | None = None
    line: int | None = None
    origin: XmlOrigin | None = None
    message: Any = None
    #: The ``$id`` of the schema the document passed, once it did (see
    #: :func:`pakkeforlop.rules._per_document.placed`).
    passed: str | None = field(default=None, compare=False, repr=False)
    #: What checks derived from the document, shared among them (see
    #: :mod:`pakkeforlop.rules._per_document`); it goes with the document.
    memo: dict[Any, Any] = field(default_factory=dict, init=False, compare=False, repr=False)

    def locate(self, pointer: str) -> tuple[int | None, int | None]:
        """Line and column of the value at ``pointer`` (the NDJSON line when unknown)."""
        if self.origin is not None:
            return self.origin.locate(pointer)[1], None
        position = self.source.locate(pointer) if self.source is not None else None
        if position is None:
            return self.line, None
        return position

    def xpath(self, pointer: str | None) -> str | None:
        """For a document read from XML: the XPath of the element a pointer's value came from."""
        if self.origin is None or pointer is None:
            return None
        return self.origin.locate(pointer)[0]


class EventRecord(NamedTuple):
    """What the pathway rules need of one measurement point; small, so millions fit.

    A named tuple rather than a dataclass: as immutable, and several times cheaper to create
    and to pickle (workers send millions of these to the main process).
    """

    code: str
    day: date
    pathway_type: str
    care_level: str
    path: str
    line: int
    patient: str
    institution: str

    @property
    def event(self) -> str:
        """The event letter: ``C`` for ``D11CP``."""
        return self.code[3:4]

    @property
    def outcome(self) -> str:
        """The outcome letter, or ``""``: ``P`` for ``D11CP``."""
        return self.code[4:]

    @property
    def suffix(self) -> str:
        """Event and outcome letters: ``CP`` for ``D11CP``."""
        return self.code[3:]


# The records of pathway facts below are made once per document and then only read, but are
# not frozen dataclasses (as :class:`Document` is not): a frozen dataclass sets each field
# through ``object.__setattr__``, which made a record cost four times as much to make (about
# 0.5 µs more for every referral, epicrisis and feedback, and again for each one the main
# process reads from a worker: see :mod:`pakkeforlop.model.packed`).


@dataclass(slots=True)
class ReferralFacts:
    """What the pathway rules need of a referral that names a pathway instance.

    ``onward`` is true for an onward referral (viderehenvisning): it names the instance it
    *continues*, so its dates say nothing about when that instance started.
    """

    path: str
    issued: date | None
    received: date | None
    assessed: date | None
    onward: bool = False


@dataclass(slots=True)
class EpicrisisFacts:
    """What the pathway rules need of an epicrisis."""

    path: str
    sent: date | None
    end_code: str | None
    pathway_type: str | None
    chosen_solution: bool = False


@dataclass(slots=True)
class FeedbackFacts:
    """What the feedback rules need of a feedback to the referrer and the GP."""

    path: str
    sent: date | None
    occasion: str | None
    #: The recipients' roles (referrer, gp, patient, other).
    roles: frozenset[str]
    #: Whether it names the specialist service's pathway coordinator.
    names_coordinator: bool
    #: False when it states that the patient has no regular GP.
    patient_has_gp: bool = True


class EventTable:
    """The values of event records, each kept once and numbered.

    A million events repeat a few thousand codes, days, files, patients and institutions, so
    a :class:`PathwayInstance` keeps an event as eight numbers in an array (its line, and the
    number of each other value in a table) and makes it an :class:`EventRecord` again only
    while checks read it. One table serves one part of an export (one process's, or one
    worker task's), and goes with the instances whose rows refer to it.
    """

    __slots__ = ("_numbers", "values")

    def __init__(self) -> None:
        self.values: list[Any] = []
        self._numbers: dict[Any, int] | None = {}

    def number(self, value: Hashable) -> int:
        """The number of ``value`` in this table (added when it is new)."""
        numbers = self._numbers
        if numbers is None:  # a table sent from another process: numbered again when added to
            numbers = self._numbers = {known: index for index, known in enumerate(self.values)}
        found = numbers.get(value)
        if found is None:
            found = numbers[value] = len(self.values)
            self.values.append(value)
        return found

    def row(self, record: EventRecord) -> tuple[int, ...]:
        """An event record as the numbers a :class:`PathwayInstance` keeps (see ``ROW``)."""
        number = self.number
        return (
            number(record.code),
            number(record.day),
            number(record.pathway_type),
            number(record.care_level),
            number(record.path),
            record.line,
            number(record.patient),
            number(record.institution),
        )

    def __getstate__(self) -> tuple[list[Any]]:
        # The numbers are only needed to add more: made again if asked. (A tuple: an empty
        # state would not be restored at all.)
        return (self.values,)

    def __setstate__(self, state: tuple[list[Any]]) -> None:
        (self.values,) = state
        self._numbers = None


#: How many numbers an event takes in a :class:`PathwayInstance`'s rows: those of its code,
#: day, pathway type, care level and file in its table, its line, then those of its patient
#: and institution (the order of :class:`EventRecord`'s fields).
ROW = 8
_TYPE, _LINE, _PATIENT, _INSTITUTION = 2, 5, 6, 7
#: The numbers of a row that tell the instance's identity: pathway type, patient, institution.
_IDENTITY = (_TYPE, _PATIENT, _INSTITUTION)
#: The largest number a block of rows holds in 4 bytes.
_SMALL = 2**31 - 1
#: A row as the bytes of a block of rows of each type (native, as ``array`` holds them).
_PACKED: dict[str, Callable[..., bytes]] = {
    code: struct.Struct(f"{ROW}{code}").pack for code in ("i", "q")
}
_make_record = partial(tuple.__new__, EventRecord)
#: An instance's pathway type before it is looked for (``None`` is an answer: no events).
_UNKNOWN: Any = object()
_day = itemgetter(1)


class Materialised:
    """The instances whose event records were made last, at most ``kept`` of them: when more
    are made, the oldest's are let go (and made again from its rows if asked for), so that
    checks reading every instance in turn hold a few instances' records, not all of them."""

    __slots__ = ("kept", "recent")

    def __init__(self, kept: int) -> None:
        self.kept = kept
        self.recent: deque[PathwayInstance] = deque()

    def add(self, instance: PathwayInstance) -> None:
        """``instance`` has made its records."""
        recent = self.recent
        recent.append(instance)
        if len(recent) > self.kept:
            recent.popleft().release()


#: What an instance remembers (see :meth:`PathwayInstance.remember`): by name, the counts of
#: events, referrals, epicrises and feedback it was derived from, and the value.
Memory = dict[str, tuple[tuple[int, int, int, int], Any]]

#: The instances holding their records, for every instance of this process. Checks read one
#: instance after another, so a few suffice; the fewer, the more likely the records let go are
#: still in the processor's cache (64 rather than 1,024: the instance checks of 20,000
#: pathways took 7 % less CPU).
MATERIALISED = Materialised(64)


class PathwayInstance:
    """Everything the export says about one pathway instance, across files.

    The events are kept as rows of numbers (see :class:`EventTable`), in file order, one block
    per table; :meth:`ordered` makes their records, by date, and keeps them while they are
    among the last few made (see :class:`Materialised`).
    """

    __slots__ = (
        "_count",
        "_derived",
        "_events",
        "_letters",
        "_rows",
        "_type",
        "epicrises",
        "feedbacks",
        "id",
        "referrals",
    )

    def __init__(
        self,
        instance_id: str,
        events: Iterable[EventRecord] = (),
        referrals: list[ReferralFacts] | None = None,
        epicrises: list[EpicrisisFacts] | None = None,
        feedbacks: list[FeedbackFacts] | None = None,
    ) -> None:
        self.id = instance_id
        self.referrals = [] if referrals is None else referrals
        self.epicrises = [] if epicrises is None else epicrises
        self.feedbacks = [] if feedbacks is None else feedbacks
        #: The events' rows, in file order: blocks of ``ROW`` numbers, with their table.
        self._rows: list[tuple[EventTable, array[int]]] = []
        self._count = 0
        #: The pathway type, once known (see :attr:`pathway_type`).
        self._type: str | None = _UNKNOWN
        #: The events' records by date, while they are kept (see :meth:`ordered`).
        self._events: list[EventRecord] | None = None
        #: The events grouped by letter (see :meth:`lettered`), while the records are kept.
        self._letters: dict[str, tuple[EventRecord, ...]] | None = None
        #: What checks derived from the instance, by name, with the counts of events,
        #: referrals, epicrises and feedback it was derived from (see :meth:`remember`).
        self._derived: Memory | None = None
        for record in events:
            self.add(record)

    def __repr__(self) -> str:
        return (
            f"PathwayInstance({self.id!r}, {self.event_count} events, "
            f"{len(self.referrals)} referrals, {len(self.epicrises)} epicrises, "
            f"{len(self.feedbacks)} feedbacks)"
        )

    def __getstate__(self) -> tuple[Any, ...]:
        return (self.id, self._rows, self._count, self.referrals, self.epicrises, self.feedbacks)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        self.id, self._rows, self._count, self.referrals, self.epicrises, self.feedbacks = state
        self._events = self._letters = self._derived = None
        self._type = _UNKNOWN

    def add(self, record: EventRecord, table: EventTable | None = None) -> None:
        """Add an event (to the rows of ``table``: by default the last one's, else a new one)."""
        if table is None:
            table = self._rows[-1][0] if self._rows else EventTable()
        self.add_row(table, table.row(record))

    def add_row(self, table: EventTable, row: tuple[int, ...]) -> None:
        """Add an event given as its row of numbers in ``table`` (see ``ROW``)."""
        rows = self._rows
        small = row[_LINE] <= _SMALL
        if rows and rows[-1][0] is table and (small or rows[-1][1].typecode == "q"):
            block = rows[-1][1]
            # Packed, then copied: a third of what extending by the tuple's items costs.
            block.frombytes(_PACKED[block.typecode](*row))
        else:  # a new block (a line number over 2**31 - 1 starts one of wider numbers)
            rows.append((table, array("i" if small else "q", row)))
        self._count += 1
        self._events = self._letters = None
        self._type = _UNKNOWN

    def extend(self, other: PathwayInstance) -> None:
        """Add what ``other`` holds (the same instance, read from later files) after this."""
        self.add_blocks(*other.blocks())
        self.referrals.extend(other.referrals)
        self.epicrises.extend(other.epicrises)
        self.feedbacks.extend(other.feedbacks)

    def blocks(self) -> tuple[list[tuple[EventTable, array[int]]], int]:
        """The events' blocks of rows, with their tables, and how many events they hold."""
        return self._rows, self._count

    def add_blocks(self, blocks: list[tuple[EventTable, array[int]]], count: int) -> None:
        """Add events given as :meth:`blocks` gives them (of the same instance, read from
        later files), after this instance's."""
        self._rows.extend(blocks)
        self._count += count
        self._type = _UNKNOWN
        self._events = self._letters = None

    @property
    def event_count(self) -> int:
        """How many events the instance has."""
        return self._count

    @property
    def events(self) -> Sequence[EventRecord]:
        """The events' records, by date (the same as :meth:`ordered`)."""
        events = self._events
        return self.ordered() if events is None else events  # (kept: without the call)

    def ordered(self) -> list[EventRecord]:
        """The events by date; events on the same date keep their file order.

        The records are made once and kept while the instance is among the last few whose
        records were made: checks call this often. An instance without events (one read
        only from documents) has none to make or keep: it is not among those few, so that
        asking does not let another instance's records go (every instance of an export of
        documents alone is asked).
        """
        events = self._events
        if events is None:
            if not self._count:
                return []
            events = []
            for table, rows in self._rows:
                values = table.values
                numbers = iter(rows)
                events.extend(
                    _make_record(
                        (
                            values[c],
                            values[d],
                            values[t],
                            values[k],
                            values[f],
                            line,
                            values[p],
                            values[i],
                        )
                    )
                    for c, d, t, k, f, line, p, i in zip(*[numbers] * ROW, strict=True)
                )
            events.sort(key=_day)
            self._events = events
            MATERIALISED.add(self)
        return events

    def release(self) -> None:
        """Let the records go (made again from the rows when asked for)."""
        self._events = self._letters = None

    def one_identity(self) -> bool:
        """Whether every event carries the same pathway type, patient and institution (as
        every event of nearly every instance does), found in the rows without making the
        records: per block, one number in each of those columns, and one value across blocks
        (a table numbers each value once, so different numbers are different values)."""
        seen: tuple[Any, ...] | None = None
        for table, rows in self._rows:
            for column in _IDENTITY:
                if len(set(rows[column::ROW])) != 1:
                    return False
            values = table.values
            found = (values[rows[_TYPE]], values[rows[_PATIENT]], values[rows[_INSTITUTION]])
            if seen is None:
                seen = found
            elif found != seen:
                return False
        return True

    def remember(self, name: str, value: object) -> None:
        """Remember ``value`` (not ``None``) under ``name`` until more is added to the instance.

        For what one check derives from the instance and another needs again (the summary's
        part of the time-limit measurements, for the instance's check and the export's).
        """
        if self._derived is None:
            self._derived = {}
        self._derived[name] = (self._counts(), value)

    def remembered(self, name: str) -> Any:
        """What was remembered under ``name`` for what the instance holds now, or ``None``."""
        known = None if self._derived is None else self._derived.get(name)
        return known[1] if known is not None and known[0] == self._counts() else None

    def _counts(self) -> tuple[int, int, int, int]:
        return (self.event_count, len(self.referrals), len(self.epicrises), len(self.feedbacks))

    def lettered(self, letter: str) -> tuple[EventRecord, ...]:
        """The events with this event letter, by date; the events are grouped by letter once
        (while the records are kept), since most instance checks look for one letter or
        another, dozens of times per instance."""
        letters = self._letters
        if letters is None:
            letters = self._letters = self._by_letter()
        return letters.get(letter, ())

    def _by_letter(self) -> dict[str, tuple[EventRecord, ...]]:
        groups: dict[str, list[EventRecord]] = {}
        for event in self.ordered():
            groups.setdefault(event.code[3:4], []).append(event)  # event.event, without a call
        return {letter: tuple(events) for letter, events in groups.items()}

    def with_event(self, letter: str) -> list[EventRecord]:
        """The events with this event letter, by date."""
        return list(self.lettered(letter))

    def first(self, letter: str | None = None) -> EventRecord | None:
        """The first event by date (in file order on the same date), of those with this event
        letter when one is given; found in the rows when the records are not kept, so that
        checks of every instance in turn (the export's) need not make them."""
        found: Sequence[EventRecord] | None = self._events
        if found is not None:
            if letter is not None:  # (lettered, without the call: checks ask this often)
                letters = self._letters
                if letters is None:
                    letters = self._letters = self._by_letter()
                found = letters.get(letter, ())
            return found[0] if found else None
        best: tuple[date, list[Any], array[int], int] | None = None
        for table, rows in self._rows:
            values = table.values
            for offset in range(0, len(rows), ROW):
                if letter is not None and values[rows[offset]][3:4] != letter:
                    continue
                day = values[rows[offset + 1]]
                if best is None or day < best[0]:
                    best = (day, values, rows, offset)
        if best is None:
            return None
        _, values, rows, offset = best
        c, d, t, k, f, line, p, i = rows[offset : offset + ROW]
        return _make_record(
            (values[c], values[d], values[t], values[k], values[f], line, values[p], values[i])
        )

    def reference(self) -> EventRecord | None:
        """The event the instance's identity is read from: its first start (A), else its first
        event (by date, in file order on the same date).

        The pathway type is read from it (see :attr:`pathway_type`) and kept: an export
        check reads both of every instance, and for an instance whose checks ran in another
        process (or whose records are not kept) each is a search of its rows."""
        start = self.first("A")
        found = start if start is not None else self.first()
        self._type = None if found is None else found.pathway_type
        return found

    @property
    def pathway_type(self) -> str | None:
        """The instance's pathway type: that of its :meth:`reference` event (kept once found:
        checks of every instance in turn ask for it, several times)."""
        found = self._type
        if found is _UNKNOWN:
            reference = self.reference()
            found = self._type = None if reference is None else reference.pathway_type
        return found

    @property
    def start(self) -> EventRecord | None:
        """The first start (A) event, if any."""
        return self.first("A")

    @property
    def end(self) -> EventRecord | None:
        """The first ending (X) event, if any."""
        return self.first("X")


class Period(NamedTuple):
    """The first and the last day an export covers (inclusive)."""

    first: date
    last: date


@dataclass(frozen=True, slots=True)
class ExportFacts:
    """What every check may need of the export as a whole (from its manifest)."""

    root: str
    created: date | None
    environment: str | None
    spec_version: str | None
    #: The day the check started: every document of one run is judged against the same day.
    checked_on: date = field(default_factory=date.today, compare=False, repr=False)
    #: The period of care the export covers (the manifest's ``period``, first and last day):
    #: an export of a period holds slices of the pathways that cross its bounds.
    period: Period | None = None
    #: Whether the manifest declares feedback documents: only then are the pathways judged on
    #: the feedback they should have (an export without any says nothing about feedback).
    feedback_exported: bool = False
