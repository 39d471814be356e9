"""A part's pathway instances packed in columns: how a worker process sends them.

A worker sends the instances of every task it checks (about 1,000 documents) to the main
process, which merges them into the export's. As objects, each document's record and
instance were pickled one by one (about 3 µs per document in the worker), read back one by
one (about 2 µs in the main process, which runs beside the workers) and then merged, where
every instance the export already held was made only to be added to it and dropped. Packed,
the part is a few lists per kind of record, which pickle and read back at the speed of
their strings and numbers, and the main process makes each record and each new instance
once, straight into the export's instances.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping
from dataclasses import fields
from datetime import date
from itertools import chain, compress, repeat
from operator import attrgetter
from typing import Any

from pakkeforlop.model.records import (
    EpicrisisFacts,
    EventTable,
    FeedbackFacts,
    PathwayInstance,
    ReferralFacts,
)

#: The kinds of records an instance lists, by the name of its list.
KINDS: tuple[tuple[str, type[Any]], ...] = (
    ("referrals", ReferralFacts),
    ("epicrises", EpicrisisFacts),
    ("feedbacks", FeedbackFacts),
)
#: Where each kind of record holds a date (its fields annotated ``date``, or ``date | None``):
#: sent as day numbers, since pickling a ``date`` costs about fifty times an ``int``'s.
_DATE_FIELDS: dict[type[Any], tuple[int, ...]] = {
    kind: tuple(at for at, item in enumerate(fields(kind)) if item.type in {"date", "date | None"})
    for _, kind in KINDS
}
#: The day number written for a date that is missing (:meth:`date.toordinal` starts at 1).
_NO_DAY = 0


class PackedRecords:
    """The records of one kind, of every instance of a part: the position of each one's
    instance in the part, and a column per field (dates as day numbers in an array)."""

    __slots__ = ("columns", "owners")

    def __init__(self, owners: list[int], columns: list[Any]) -> None:
        self.owners = owners
        self.columns = columns

    @classmethod
    def of(
        cls, kind: type[Any], name: str, instances: list[PathwayInstance]
    ) -> PackedRecords | None:
        """The records of ``kind`` that ``instances`` list under ``name`` (``None``: none)."""
        listed = list(map(attrgetter(name), instances))
        records = list(chain.from_iterable(listed))
        if not records:
            return None
        # (Each step a loop in C: loops in Python cost as much as the rest together.)
        if len(records) == sum(map(bool, listed)):  # (as usual) none lists more than one
            owners = list(compress(range(len(listed)), listed))
        else:
            owners = list(chain.from_iterable(map(repeat, range(len(listed)), map(len, listed))))
        dates = _DATE_FIELDS[kind]
        columns: list[Any] = []
        for at, field_name in enumerate(kind.__slots__):
            column = list(map(attrgetter(field_name), records))
            if at in dates:
                days = [_NO_DAY if day is None else day.toordinal() for day in column]
                columns.append(array("i", days))
            else:
                columns.append(column)
        return cls(owners, columns)

    def records(self, kind: type[Any]) -> Iterable[Any]:
        """The records, made again in order; the dates of one day are one ``date`` object."""
        dates = _DATE_FIELDS[kind]
        columns = list(self.columns)
        for at in dates:
            numbers = columns[at]
            days: dict[int, date | None] = {_NO_DAY: None}
            for number in set(numbers).difference(days):
                days[number] = date.fromordinal(number)
            columns[at] = map(days.__getitem__, numbers)
        return map(kind, *columns)

    def __getstate__(self) -> tuple[list[int], list[Any]]:
        return (self.owners, self.columns)

    def __setstate__(self, state: tuple[list[int], list[Any]]) -> None:
        self.owners, self.columns = state


#: An instance's events as a part sends them: its position, its blocks of rows (with their
#: tables) and how many events they hold.
EventBlocks = tuple[int, list[tuple[EventTable, "array[int]"]], int]


class PackedInstances:
    """A part's pathway instances, packed (see the module's docstring): their ids in the
    part's order, the blocks of event rows of those that have events, and their records by
    kind."""

    __slots__ = ("events", "ids", "records")

    def __init__(
        self, ids: list[str], events: list[EventBlocks], records: list[PackedRecords | None]
    ) -> None:
        self.ids = ids
        self.events = events
        self.records = records

    @classmethod
    def of(cls, instances: Mapping[str, PathwayInstance]) -> PackedInstances:
        """``instances``, packed."""
        values = list(instances.values())
        return cls(
            list(instances),
            [
                (at, *instance.blocks())
                for at, instance in enumerate(values)
                if instance.event_count
            ],
            [PackedRecords.of(kind, name, values) for name, kind in KINDS],
        )

    def merge_into(self, instances: dict[str, PathwayInstance]) -> None:
        """Add the part's instances to ``instances``, after what those hold: an instance new
        to them is added at their end, in the part's order (as merging the part's own
        instances would)."""
        targets = []
        for instance_id in self.ids:
            target = instances.get(instance_id)
            if target is None:
                target = instances[instance_id] = PathwayInstance(instance_id)
            targets.append(target)
        for at, blocks, count in self.events:
            targets[at].add_blocks(blocks, count)
        for (name, kind), packed in zip(KINDS, self.records, strict=True):
            if packed is not None:
                listed = attrgetter(name)
                for at, record in zip(packed.owners, packed.records(kind), strict=True):
                    listed(targets[at]).append(record)

    def __getstate__(self) -> tuple[Any, ...]:
        return (self.ids, self.events, self.records)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        self.ids, self.events, self.records = state
