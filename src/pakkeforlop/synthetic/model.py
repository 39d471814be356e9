"""What the generator builds for one pathway instance before it writes anything."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pakkeforlop.synthetic.cast import Patient, Unit
from pakkeforlop.synthetic.timeline import Timeline


@dataclass(slots=True)
class TruthEntry:
    """One injected defect: where the engine must report it, and under which rules.

    ``file`` is relative to the export root; ``line`` is the 1-based NDJSON line (set when the
    event is written); ``pointer`` is a JSON Pointer into the document or the NDJSON line. Both
    may be ``None`` when the finding carries no such location.
    """

    defect: str
    instance: str
    rules: tuple[str, ...]
    description: str
    file: str | None = None
    pointer: str | None = None
    line: int | None = None

    def as_json(self) -> dict[str, Any]:
        """The entry as written to the truth file."""
        return {
            "defect": self.defect,
            "rules": list(self.rules),
            "file": self.file,
            "line": self.line,
            "pointer": self.pointer,
            "instance": self.instance,
            "description": self.description,
        }

    def sort_key(self) -> tuple[str, int, str, str]:
        """Truth-file order: file, line, pointer, defect."""
        return (self.file or "", self.line or 0, self.pointer or "", self.defect)


@dataclass(slots=True)
class Event:
    """One measurement point of an instance, as it will be written to an NDJSON line.

    ``recorded`` and ``minute`` give the registration time, which orders the events files;
    ``raw`` replaces the serialised line (a malformed line is not JSON).
    """

    suffix: str
    day: date
    recorded: date
    minute: int
    value: dict[str, Any]
    raw: str | None = None
    truth: list[TruthEntry] = field(default_factory=list)

    @property
    def letter(self) -> str:
        """The event letter: ``C`` for ``CP``."""
        return self.suffix[:1]


@dataclass(frozen=True, slots=True)
class Identity:
    """What every measurement point of an instance repeats: instance, type, patient, unit."""

    instance_id: str
    pathway: str
    care_level: str
    patient: Patient
    unit: Unit
    org_number: str


@dataclass(slots=True)
class Plan:
    """One pathway instance with its referral, events, feedback and (if it ended) epicrisis."""

    number: int
    identity: Identity
    start: date
    pf_era: bool
    timeline: Timeline
    events: list[Event]
    referral: dict[str, Any]
    referral_path: str
    epicrisis: dict[str, Any] | None = None
    epicrisis_path: str | None = None
    referral_bom: bool = False
    referral_wrong_digest: bool = False
    truth: list[TruthEntry] = field(default_factory=list)
    #: Feedback to the referrer and the GP: (path, document), in the order sent.
    feedbacks: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    @property
    def instance_id(self) -> str:
        """The pathway instance identifier."""
        return self.identity.instance_id

    @property
    def pathway(self) -> str:
        """The pathway type (kodeverk 9321)."""
        return self.identity.pathway

    @property
    def care_level(self) -> str:
        """outpatient or inpatient."""
        return self.identity.care_level

    @property
    def patient(self) -> Patient:
        """The instance's patient."""
        return self.identity.patient

    @property
    def unit(self) -> Unit:
        """The unit that registers the instance's events."""
        return self.identity.unit

    @property
    def ending(self) -> Event | None:
        """The ending event (X), when the instance ended within the export."""
        return next((event for event in self.events if event.letter == "X"), None)

    def first(self, letter: str) -> Event | None:
        """The first event with this letter."""
        return next((event for event in self.events if event.letter == letter), None)

    def with_letter(self, letter: str) -> list[Event]:
        """The events with this letter, in order."""
        return [event for event in self.events if event.letter == letter]
