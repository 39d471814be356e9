"""What a check of one export produced."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pakkeforlop.model.findings import Finding
from pakkeforlop.model.packed import PackedInstances
from pakkeforlop.model.records import EventTable, ExportFacts, PathwayInstance


@dataclass(slots=True)
class ExportResult:
    """Everything one export produced.

    A result sent to another process (a worker's part of the export) sends its pathway
    instances packed (module ``pakkeforlop.model.packed``): the result read back holds them
    in ``packed``, not ``instances``, until ``absorb`` merges them into another result.
    """

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
    #: The values the instances' event rows number (this part's: another part's instances
    #: keep their own table when they are absorbed).
    table: EventTable = field(default_factory=EventTable, repr=False, compare=False)
    facts: ExportFacts | None = None
    skip_reasons: dict[str, str] = field(default_factory=dict)
    #: The instances of a result read back from another process, until they are absorbed.
    packed: PackedInstances | None = field(default=None, repr=False, compare=False)

    def __getstate__(self) -> dict[str, Any]:
        state = {name: getattr(self, name) for name in self.__slots__}
        if self.instances:
            if self.packed is not None:
                msg = "a result holds instances both packed and not"
                raise ValueError(msg)
            state["instances"], state["packed"] = {}, PackedInstances.of(self.instances)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            setattr(self, name, value)

    def absorb(self, part: ExportResult) -> None:
        """Add what another result (a worker's part of the export) found, after this one's."""
        self.exercised |= part.exercised
        self.kinds_seen |= part.kinds_seen
        self.documents += part.documents
        self.events += part.events
        self.unread += part.unread
        self.fast += part.fast
        for reason in part.skip_reasons.items():
            self.skip_reasons.setdefault(*reason)
        instances = self.instances
        for instance_id, instance in part.instances.items():
            merged = instances.get(instance_id)
            if merged is None:
                instances[instance_id] = instance
            else:
                merged.extend(instance)
        if part.packed is not None:
            part.packed.merge_into(instances)
