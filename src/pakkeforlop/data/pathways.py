"""Pathway definitions as data: loaded from ``spec/pathways/``.

Each pathway type of kodeverk 9321 has a file ``<code>.toml`` with its names, the
pathway-specific ordering parameters and its guiding time limits (*forløpstider*).
``anchors.toml`` names the steps that time limits are measured between and the 9327 event
letter (if any) that marks each step. Which 9327 codes apply to a pathway is not repeated
here: it is read from the 9327 code list (codes whose prefix is the pathway code).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from typing import Any, NamedTuple

from pakkeforlop.data.codes import Code, code_system
from pakkeforlop.data.evidence import Evidence
from pakkeforlop.data.locations import pathways_dir
from pakkeforlop.data.toml_files import load_toml

PATHWAY_TYPE_KODEVERK = "9321"
EVENT_KODEVERK = "9327"
#: The version of kodeverk 9321 that holds the revised (2024/25) type list.
REVISED_TYPE_LIST = "revised-2024-25"


class PathwayDataError(ValueError):
    """A pathway file breaks the documented format."""


class Occurrence(StrEnum):
    """Which occurrence of an event marks an anchor."""

    FIRST = "first"
    LAST = "last"
    EACH = "each"
    NEXT = "next"


class TimeLimitsStatus(StrEnum):
    """How much of a pathway's time-limit table is known."""

    COMPLETE = "complete"
    PARTIAL = "partial"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Anchor:
    """A step of a pathway that a time limit is measured from or to."""

    id: str
    label: str
    label_en: str
    event: str | None
    occurrence: Occurrence | None
    evidence: Evidence
    source_url: str
    note: str = ""

    @property
    def measurable(self) -> bool:
        """Whether a pathway-event code marks this step, so that exports can show its date."""
        return self.event is not None


class DayRange(NamedTuple):
    """A time limit's value in calendar days: one number, or a range such as D09's "3 to 7
    kalenderdager" (the source's lower bound is kept; the upper bound is the limit)."""

    low: int
    high: int

    def __str__(self) -> str:
        return str(self.high) if self.low == self.high else f"{self.low}\u2013{self.high}"


@dataclass(frozen=True, slots=True)
class TimeLimit:
    """One guiding time limit: at most ``high`` calendar days from one anchor to another, per
    care level (``None``: no value for that care level)."""

    id: str
    label: str
    from_anchor: str
    to_anchor: str
    outpatient: DayRange | None
    inpatient: DayRange | None
    evidence: Evidence
    source_url: str
    variant: str | None = None
    note: str = ""

    @property
    def outpatient_days(self) -> int | None:
        """The outpatient limit (the upper bound of a range)."""
        return self.outpatient.high if self.outpatient is not None else None

    @property
    def inpatient_days(self) -> int | None:
        """The inpatient limit (the upper bound of a range)."""
        return self.inpatient.high if self.inpatient is not None else None


@dataclass(frozen=True, slots=True)
class Ordering:
    """The pathway-specific parameters of the ordering rules."""

    events_before_start: tuple[str, ...]
    max_clinical_decisions: int
    evidence: Evidence
    source_url: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class Pathway:
    """A pathway type (kodeverk 9321) with its ordering parameters and time limits."""

    code: str
    name: str
    name_en: str
    short_name: str
    kind: str
    service: str
    patients_from: date
    evidence: Evidence
    source_url: str
    ordering: Ordering
    time_limits_status: TimeLimitsStatus
    time_limits_note: str
    time_limits: tuple[TimeLimit, ...]
    notes: str = ""

    @property
    def in_revised_type_list(self) -> bool:
        """Whether the revised (2024/25) type list of kodeverk 9321 has this type (provisional:
        the list's effective date is not confirmed)."""
        return any(
            version.id == REVISED_TYPE_LIST and version.has(self.code)
            for version in code_system(PATHWAY_TYPE_KODEVERK).versions
        )

    @property
    def event_codes(self) -> tuple[Code, ...]:
        """The 9327 codes of this pathway, read from the 9327 code list."""
        return tuple(code for code in code_system(EVENT_KODEVERK) if code.code[:3] == self.code)


def _evidence(raw: Mapping[str, Any], where: str) -> Evidence:
    try:
        return Evidence(raw["evidence"])
    except (KeyError, ValueError) as error:
        msg = f"{where}: evidence must be one of {[e.value for e in Evidence]}"
        raise PathwayDataError(msg) from error


def _whole_days(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _days(raw: Mapping[str, Any], key: str, where: str) -> DayRange | None:
    """A value in calendar days: a whole number, or ``[low, high]`` for a range."""
    value = raw.get(key)
    if value is None:
        return None
    if _whole_days(value):
        return DayRange(value, value)
    if (
        isinstance(value, list)
        and len(value) == 2
        and all(_whole_days(item) for item in value)
        and value[0] < value[1]
    ):
        return DayRange(value[0], value[1])
    msg = (
        f"{where}: {key} must be a whole number of calendar days >= 0 or a range [low, high], "
        f"got {value!r}"
    )
    raise PathwayDataError(msg)


def _parse_anchor(raw: Mapping[str, Any], where: str) -> Anchor:
    event = raw.get("event")
    occurrence = raw.get("occurrence")
    if (event is None) != (occurrence is None):
        msg = f"{where}: 'event' and 'occurrence' go together"
        raise PathwayDataError(msg)
    return Anchor(
        id=raw["id"],
        label=raw["label"],
        label_en=raw["label_en"],
        event=event,
        occurrence=Occurrence(occurrence) if occurrence else None,
        evidence=_evidence(raw, where),
        source_url=raw["source_url"],
        note=raw.get("note", ""),
    )


def _parse_time_limit(
    raw: Mapping[str, Any], where: str, anchors: Mapping[str, Anchor]
) -> TimeLimit:
    for key in ("from", "to"):
        if raw[key] not in anchors:
            msg = f"{where}: unknown anchor {raw[key]!r} in {key!r}; known: {sorted(anchors)}"
            raise PathwayDataError(msg)
    limit = TimeLimit(
        id=raw["id"],
        label=raw["label"],
        from_anchor=raw["from"],
        to_anchor=raw["to"],
        outpatient=_days(raw, "outpatient_days", where),
        inpatient=_days(raw, "inpatient_days", where),
        evidence=_evidence(raw, where),
        source_url=raw["source_url"],
        variant=raw.get("variant"),
        note=raw.get("note", ""),
    )
    if limit.outpatient is None and limit.inpatient is None:
        msg = f"{where}: a time limit needs outpatient_days or inpatient_days"
        raise PathwayDataError(msg)
    return limit


def _check_pathway(pathway: Pathway, where: str) -> None:
    if not isinstance(pathway.patients_from, date):
        msg = f"{where}: patients_from must be a TOML date"
        raise PathwayDataError(msg)
    ids = [limit.id for limit in pathway.time_limits]
    if len(ids) != len(set(ids)):
        msg = f"{where}: duplicate time-limit ids"
        raise PathwayDataError(msg)
    if pathway.time_limits_status is TimeLimitsStatus.UNKNOWN and pathway.time_limits:
        msg = f"{where}: time limits marked unknown must have no rows"
        raise PathwayDataError(msg)
    if pathway.time_limits_status is not TimeLimitsStatus.COMPLETE and not (
        pathway.time_limits_note.strip()
    ):
        msg = (
            f"{where}: time limits that are not complete need a note saying what is missing and why"
        )
        raise PathwayDataError(msg)
    letters = {code.code[3:4] for code in pathway.event_codes}
    stray = set(pathway.ordering.events_before_start) - letters
    if stray:
        msg = f"{where}: events_before_start names letters with no code for {pathway.code}: {stray}"
        raise PathwayDataError(msg)


def _parse_pathway(raw: Mapping[str, Any], where: str, anchors: Mapping[str, Anchor]) -> Pathway:
    ordering = raw["ordering"]
    limits = raw["time_limits"]
    rows = limits.get("rows", [])
    pathway = Pathway(
        code=raw["code"],
        name=raw["name"],
        name_en=raw["name_en"],
        short_name=raw["short_name"],
        kind=raw["kind"],
        service=raw["service"],
        patients_from=raw["patients_from"],
        evidence=_evidence(raw, where),
        source_url=raw["source_url"],
        notes=raw.get("notes", ""),
        ordering=Ordering(
            events_before_start=tuple(ordering.get("events_before_start", ())),
            max_clinical_decisions=ordering["max_clinical_decisions"],
            evidence=_evidence(ordering, f"{where} [ordering]"),
            source_url=ordering["source_url"],
            note=ordering.get("note", ""),
        ),
        time_limits_status=TimeLimitsStatus(limits["status"]),
        time_limits_note=limits.get("note", ""),
        time_limits=tuple(
            _parse_time_limit(row, f"{where} time_limits.rows[{index}]", anchors)
            for index, row in enumerate(rows)
        ),
    )
    _check_pathway(pathway, where)
    return pathway


@cache
def anchors() -> Mapping[str, Anchor]:
    """The named pathway steps that time limits refer to, keyed by id."""
    path = pathways_dir() / "anchors.toml"
    try:
        parsed = [
            _parse_anchor(raw, f"{path} anchors[{index}]")
            for index, raw in enumerate(load_toml(path)["anchors"])
        ]
    except (KeyError, ValueError, TypeError) as error:
        msg = f"{path}: {error!r}"
        raise PathwayDataError(msg) from error
    ids = [anchor.id for anchor in parsed]
    if len(ids) != len(set(ids)):
        msg = f"{path}: duplicate anchor ids"
        raise PathwayDataError(msg)
    return {anchor.id: anchor for anchor in parsed}


@cache
def pathways() -> Mapping[str, Pathway]:
    """Every pathway definition, keyed by 9321 code, in code order."""
    known = anchors()
    result: dict[str, Pathway] = {}
    for path in sorted(pathways_dir().glob("D*.toml")):
        try:
            pathway = _parse_pathway(load_toml(path), str(path), known)
        except (KeyError, ValueError, TypeError) as error:
            msg = f"{path}: {error!r}"
            raise PathwayDataError(msg) from error
        if pathway.code != path.stem:
            msg = f"{path}: file name must be the pathway code {pathway.code}"
            raise PathwayDataError(msg)
        result[pathway.code] = pathway
    return result


def pathway(code: str) -> Pathway:
    """The definition of one pathway type, e.g. ``pathway("D11")``."""
    try:
        return pathways()[code]
    except KeyError:
        msg = f"no pathway definition for {code!r}; known: {', '.join(pathways())}"
        raise KeyError(msg) from None


def pathway_codes() -> Sequence[str]:
    """The 9321 codes that have a definition."""
    return tuple(pathways())
