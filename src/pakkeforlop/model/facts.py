"""Extract the small facts that cross files: manifest facts and per-instance state."""

from __future__ import annotations

import sys
from collections.abc import Collection, Iterable, Mapping, MutableMapping
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from pakkeforlop.model.records import (
    Document,
    EpicrisisFacts,
    EventRecord,
    EventTable,
    ExportFacts,
    FeedbackFacts,
    PathwayInstance,
    Period,
    ReferralFacts,
)


def parse_day(value: object) -> date | None:
    """A ``date`` from an ISO date or RFC 3339 date-time string, or ``None``.

    A date-time is parsed afresh: its time of day makes it all but unique (a referral's
    issued time), so a memo would miss on it and push out the days that recur.
    """
    if isinstance(value, str) and "T" not in value:
        return _parsed_day(value)
    return read_day(value)


@lru_cache(maxsize=8192)
def _parsed_day(value: str) -> date | None:
    """Parse a date once: a million events share a few thousand days (and date objects)."""
    return read_day(value)


def read_day(value: object) -> date | None:
    """What :func:`parse_day` gives, parsed afresh, for the dates of one document.

    Why: :func:`parse_day`'s memo pays for the dates that recur by the hundred thousand (the
    events'); a date read once or twice for one document costs more to look up there (the
    hash of a new string, a move in the memo's order, mostly out of the processor's cache)
    than to parse in C, and would push the events' days out.
    """
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value).date() if "T" in value else date.fromisoformat(value)
    except ValueError:
        return None


#: Dates of things that have happened, per document kind: (JSON Pointer, the member holding the
#: date or ``None`` for the document itself, the date's member, label).
DOCUMENT_DATES: dict[str, tuple[tuple[str, str | None, str, str], ...]] = {
    "referral": (
        ("/issued", None, "issued", "The referral's issued time"),
        ("/assessment/received", "assessment", "received", "The referral's received date"),
        ("/assessment/assessed", "assessment", "assessed", "The referral's assessment date"),
    ),
    "epicrisis": (
        ("/sent", None, "sent", "The epicrisis's sent date"),
        ("/period/start", "period", "start", "The epicrisis period's start"),
        ("/period/end", "period", "end", "The epicrisis period's end"),
    ),
    "feedback": (("/sent", None, "sent", "The feedback's sent date"),),
}


#: :data:`DOCUMENT_DATES` per kind as (the member holding the date or ``None``, the date's).
_DATE_PLACES: dict[str, tuple[tuple[str | None, str], ...]] = {
    kind: tuple((parent, name) for _, parent, name, _ in dates)
    for kind, dates in DOCUMENT_DATES.items()
}


def document_days(document: Document) -> Mapping[str, date | None]:
    """The day each date of :data:`DOCUMENT_DATES` in ``document`` writes, by its member's
    name (``None`` where it is missing or not a date): :func:`read_day`'s reading, written
    out here.

    Read once per document and kept in its memo: EVENT-002 reads every date of a referral or
    an epicrisis, and three other checks of each read two of them again; each read cost two
    look-ups and a parse (or a memo's look-up, :func:`parse_day`), where the memo costs one
    look-up. The days are read afresh, not from :func:`parse_day`'s memo (see
    :func:`read_day`), and parsed here rather than by a call of :func:`read_day` each (a
    seventh of the reading's cost). A date-time's moment is kept too
    (:func:`document_moment`): REFERRAL-027 judges a referral's issued time in Norwegian
    time, and parsing it again cost as much as reading its day.
    """
    memo = document.memo
    days: dict[str, date | None] | None = memo.get(document_days)
    if days is None:
        top: Any = document.value
        days = memo[document_days] = {}
        in_object = isinstance(top, dict)
        for parent, name in _DATE_PLACES.get(document.kind, ()):
            holder = top if parent is None else top.get(parent) if in_object else None
            value = holder.get(name) if isinstance(holder, dict) else None
            if not isinstance(value, str):
                days[name] = None
                continue
            try:
                if "T" in value:
                    moment = datetime.fromisoformat(value)
                    days[name] = moment.date()
                    memo[document_moment, name] = moment
                else:
                    days[name] = date.fromisoformat(value)
            except ValueError:
                days[name] = None
    return days


def document_moment(document: Document, name: str) -> datetime | None:
    """The date-time :func:`document_days` parsed for the date member ``name`` (``None`` where
    its text has no ``T`` or is not a date-time)."""
    document_days(document)
    moment: datetime | None = document.memo.get((document_moment, name))
    return moment


def get(value: Any, *path: str) -> Any:
    """``value[path[0]][path[1]]…``, or ``None`` when any step is missing."""
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def recipient_roles(value: Mapping[str, Any]) -> set[str] | None:
    """The roles of a document's ``recipients``; ``None`` when the list or a role is not what
    the schema says (its finding), so that no rule judges a malformed list."""
    recipients = value.get("recipients", [])
    if not isinstance(recipients, list):
        return None
    roles = set()
    for entry in recipients:  # (a loop: comprehensions cost a call each, on every document)
        if isinstance(entry, dict):
            role = entry.get("role")
            if not isinstance(role, str):
                return None
            roles.add(role)
    return roles


def export_period(manifest: dict[str, Any]) -> Period | None:
    """The manifest's ``period`` as first and last day, when it gives both in order."""
    first = parse_day(get(manifest, "period", "from"))
    last = parse_day(get(manifest, "period", "to"))
    if first is None or last is None or first > last:
        return None
    return Period(first, last)


def export_facts(manifest: dict[str, Any], root: str, kinds: Collection[str]) -> ExportFacts:
    """The facts of an export's manifest (``kinds``: those of its well-formed file entries,
    see :func:`declared_files`)."""
    return ExportFacts(
        root=root,
        created=parse_day(manifest.get("created")),
        environment=manifest.get("environment")
        if isinstance(manifest.get("environment"), str)
        else None,
        spec_version=manifest.get("specVersion")
        if isinstance(manifest.get("specVersion"), str)
        else None,
        period=export_period(manifest),
        # Told from the declared files' kinds, gathered once, rather than by a pass of its own
        # over the manifest's entries (8 ms of the serial start for 150,000 of them).
        feedback_exported="feedback" in kinds,
    )


def declared_files(manifest: dict[str, Any]) -> list[tuple[int, str, str, str | None]]:
    """``(index, path, kind, sha256)`` of every well-formed file entry of a manifest.

    Each member is looked up once, kept by ``:=`` for the entry's tuple (looking it up again
    there cost 8 ms of the serial start for 150,000 declared files).
    """
    files = manifest.get("files")
    if not isinstance(files, list):
        return []
    intern = sys.intern
    return [
        (
            index,
            path,
            intern(kind),
            digest if isinstance(digest := entry.get("sha256"), str) else None,
        )
        for index, entry in enumerate(files)
        if isinstance(entry, dict)
        and isinstance(path := entry.get("path"), str)
        and isinstance(kind := entry.get("kind"), str)
    ]


def declared_supplements(
    manifest: dict[str, Any], indexes: Iterable[int]
) -> dict[int, dict[str, Any]]:
    """``{index: supplement}`` of the file entries at ``indexes`` (those of the KITH messages
    :func:`declared_files` gives) that supply facts a KITH message cannot carry.

    Only a KITH message's supplement is ever read: looking at these entries alone spares a
    pass over every entry of the manifest (25 ms of the serial start for 150,000 documents).
    """
    files = manifest.get("files")
    if not isinstance(files, list):
        return {}
    found = {}
    for index in indexes:
        supplement = files[index].get("supplement")
        if isinstance(supplement, dict):
            found[index] = supplement
    return found


def _instance(instances: MutableMapping[str, PathwayInstance], instance_id: str) -> PathwayInstance:
    instance = instances.get(instance_id)
    if instance is None:
        instance = instances[instance_id] = PathwayInstance(instance_id)
    return instance


def institution_key(institution: dict[str, Any]) -> str:
    """How an event's institution is kept: its members, sorted, as one (shared) string."""
    return sys.intern("|".join(f"{key}={institution[key]}" for key in sorted(institution)))


def _shared(value: Any) -> Any:
    """One copy of each string (documents of a large export repeat a few codes)."""
    return sys.intern(value) if type(value) is str else value


@lru_cache(maxsize=64)
def _role_set(roles: frozenset[str]) -> frozenset[str]:
    """One copy of each set of recipient roles (a few sets recur in every document)."""
    return roles


def collect(
    document: Document,
    instances: MutableMapping[str, PathwayInstance],
    table: EventTable | None = None,
) -> None:
    """Add what a schema-valid document says about its pathway instance (an event's values
    numbered in ``table``; see :meth:`PathwayInstance.add`)."""
    value = document.value
    if document.kind == "pathway-event":
        day = parse_day(value["date"])
        if day is None:
            return
        _instance(instances, value["instanceId"]).add(
            EventRecord(
                # A million events repeat a few thousand distinct strings: share one copy each.
                code=sys.intern(value["code"]),
                day=day,
                pathway_type=sys.intern(value["pathwayType"]),
                care_level=sys.intern(value["careLevel"]),
                path=sys.intern(document.path),
                line=document.line or 0,
                patient=sys.intern(f"{value['patient']['type']}:{value['patient']['value']}"),
                institution=institution_key(value["institution"]),
            ),
            table,
        )
    elif document.kind == "referral":
        instance_id = value.get("pathwayInstanceId")
        if isinstance(instance_id, str):
            days = document_days(document)  # (read by the checks: their memo's)
            _instance(instances, instance_id).referrals.append(
                ReferralFacts(
                    document.path,
                    days["issued"],
                    days["received"],
                    days["assessed"],
                    value.get("kind") == "onward",
                )
            )
    elif document.kind == "feedback" and isinstance(get(value, "pathway", "instanceId"), str):
        recipients = value["recipients"]
        _instance(instances, value["pathway"]["instanceId"]).feedbacks.append(
            FeedbackFacts(
                path=document.path,
                sent=document_days(document)["sent"],  # (read by the checks: their memo's)
                occasion=_shared(value["occasion"]),
                roles=_role_set(frozenset(entry["role"] for entry in recipients)),
                names_coordinator="specialist" in (value.get("coordinators") or {}),
                patient_has_gp=get(value, "patient", "hasRegularGp") is not False,
            )
        )
    elif document.kind == "epicrisis":
        pathway = value["pathway"]
        end_code, pathway_type = pathway.get("endCode"), get(pathway, "type", "code")
        _instance(instances, pathway["instanceId"]).epicrises.append(
            EpicrisisFacts(
                document.path,
                document_days(document)["sent"],  # (read by the checks: their memo's)
                sys.intern(end_code) if type(end_code) is str else end_code,
                sys.intern(pathway_type) if type(pathway_type) is str else pathway_type,
                "chosenSolution" in value["summary"],
            )
        )
