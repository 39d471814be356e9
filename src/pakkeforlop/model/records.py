"""What the engine reads an export into: documents, and the compact per-instance state."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple, Protocol, TypeVar, cast

from pakkeforlop.read import JsonText

T = TypeVar("T")


class XmlOrigin(Protocol):
    """Where a document read from KITH XML came from (``pakkeforlop.kith``)."""

    @property
    def schema_claims(self) -> Mapping[str, str]:
        """Rule ids that claim the JSON Schema's finding of a missing member at these pointers
        (a member the message standard has no element for)."""

    def locate(self, pointer: str) -> tuple[str | None, int | None]:
        """``(xpath, line)`` of the element a pointer's value came from."""


@dataclass(frozen=True, slots=True)
class Document:
    """One parsed document: a manifest, referral or epicrisis, one NDJSON event line, or a
    KITH XML message (kind ``kith-message``).

    ``origin`` is set for documents read from XML: a referral or epicrisis mapped from a KITH
    message (whose ``value`` is the JSON model), or the message itself (``message`` is then
    the :class:`pakkeforlop.kith.KithMessage` and ``value`` is empty).
    """

    kind: str
    path: str
    value: dict[str, Any]
    source: JsonText | None = None
    line: int | None = None
    origin: XmlOrigin | None = None
    message: Any = None
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


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class EpicrisisFacts:
    """What the pathway rules need of an epicrisis."""

    path: str
    sent: date | None
    end_code: str | None
    pathway_type: str | None
    chosen_solution: bool = False


@dataclass(frozen=True, slots=True)
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


@dataclass(slots=True)
class PathwayInstance:
    """Everything the export says about one pathway instance, across files."""

    id: str
    events: list[EventRecord] = field(default_factory=list)
    referrals: list[ReferralFacts] = field(default_factory=list)
    epicrises: list[EpicrisisFacts] = field(default_factory=list)
    feedbacks: list[FeedbackFacts] = field(default_factory=list)
    _sorted_upto: int = field(default=0, repr=False, compare=False)
    #: What checks derived from the instance, by name, with the counts of events, referrals
    #: and epicrises it was derived from (see :meth:`derived`).
    _derived: dict[str, tuple[tuple[int, int, int, int], Any]] | None = field(
        default=None, repr=False, compare=False
    )
    #: The events grouped by letter (see :meth:`lettered`), and how many events were grouped.
    _letters: dict[str, tuple[EventRecord, ...]] | None = field(
        default=None, repr=False, compare=False
    )
    _letters_upto: int = field(default=0, repr=False, compare=False)

    def ordered(self) -> list[EventRecord]:
        """The events by date; events on the same date keep their file order.

        Events are only ever appended, so the list is sorted in place (stably) once, and again
        only after new events arrive: checks call this often on large exports.
        """
        if self._sorted_upto != len(self.events):
            self.events.sort(key=lambda event: event.day)
            self._sorted_upto = len(self.events)
        return self.events

    def derived(self, name: str, compute: Callable[[], T]) -> T:
        """``compute()``, remembered under ``name`` until more is added to the instance.

        For what several checks derive from the same instance (the time-limit measurements,
        for the instance's check and for the export's summary).
        """
        if self._derived is None:
            self._derived = {}
        counts = (len(self.events), len(self.referrals), len(self.epicrises), len(self.feedbacks))
        known = self._derived.get(name)
        if known is not None and known[0] == counts:
            return cast(T, known[1])
        value = compute()
        self._derived[name] = (counts, value)
        return value

    def lettered(self, letter: str) -> tuple[EventRecord, ...]:
        """The events with this event letter, by date; the events are grouped by letter once
        (until more events arrive), since most instance checks look for one letter or another,
        dozens of times per instance."""
        letters = self._letters
        if letters is None or self._letters_upto != len(self.events):
            letters = self._letters = self._by_letter()
            self._letters_upto = len(self.events)
        return letters.get(letter, ())

    def _by_letter(self) -> dict[str, tuple[EventRecord, ...]]:
        groups: dict[str, list[EventRecord]] = {}
        for event in self.ordered():
            groups.setdefault(event.code[3:4], []).append(event)  # event.event, without a call
        return {letter: tuple(events) for letter, events in groups.items()}

    def with_event(self, letter: str) -> list[EventRecord]:
        """The events with this event letter, by date."""
        return list(self.lettered(letter))

    @property
    def start(self) -> EventRecord | None:
        """The first start (A) event, if any."""
        starts = self.lettered("A")
        return starts[0] if starts else None

    @property
    def end(self) -> EventRecord | None:
        """The first ending (X) event, if any."""
        ends = self.lettered("X")
        return ends[0] if ends else None


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
