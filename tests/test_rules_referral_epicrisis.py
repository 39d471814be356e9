"""Unit tests of the REFERRAL and EPICRISIS helpers; the fixtures test the rules end to end."""

from __future__ import annotations

import copy
import string
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pakkeforlop.data.catalogue import catalogue
from pakkeforlop.model.facts import recipient_roles
from pakkeforlop.model.records import Document, EventRecord, ExportFacts, PathwayInstance
from pakkeforlop.rules import epicrisis, referral

from .date_texts import DAYS

FACTS = ExportFacts("export", date(2025, 6, 25), "test", "1.0.0")


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize(
    "rule",
    [rule for rule in catalogue().values() if rule.family in {"REFERRAL", "EPICRISIS"}],
    ids=lambda rule: rule.id,
)
def test_english_and_norwegian_messages_take_the_same_values(rule):
    assert _placeholders(rule.message) == _placeholders(rule.message_nb)


# -- referral ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2021, 2, 10), date(2021, 2, 10), 0),  # same day
        (date(2021, 2, 10), date(2021, 2, 9), 0),  # reversed
        (date(2021, 2, 12), date(2021, 2, 15), 1),  # Friday to Monday
        (date(2021, 2, 13), date(2021, 2, 14), 0),  # Saturday to Sunday
        (date(2021, 2, 10), date(2021, 2, 24), 10),  # two weeks
        (date(2021, 2, 10), date(2021, 3, 1), 13),
        (date(2025, 1, 14), date(2025, 1, 24), 8),
    ],
)
def test_weekdays_after_counts_mondays_to_fridays_after_the_start(start, end, expected):
    assert referral.weekdays_after(start, end) == expected


@settings(max_examples=1000, deadline=None)
@given(start=st.dates(), length=st.integers(-3, 60))
def test_weekdays_after_agrees_with_counting_day_by_day(start: date, length: int) -> None:
    """From every weekday, over part weeks and whole ones, to the calendar's end."""
    last = min(start.toordinal() + length, date.max.toordinal())
    end = date.fromordinal(max(last, 1))
    by_day = sum(
        1
        for ordinal in range(start.toordinal() + 1, end.toordinal() + 1)
        if date.fromordinal(ordinal).weekday() < 5
    )
    assert referral.weekdays_after(start, end) == by_day


@pytest.mark.parametrize(
    ("timestamp", "expected"),
    [
        ("2021-02-10T22:30:00Z", date(2021, 2, 10)),
        ("2021-02-10T23:30:00Z", date(2021, 2, 11)),
        ("2024-06-03T23:30:00+02:00", date(2024, 6, 3)),  # 22:30 CET: still the 3rd
        ("2024-06-04T00:30:00+02:00", date(2024, 6, 3)),  # the earliest Norwegian reading
        ("2021-02-10T10:25:00", date(2021, 2, 10)),  # no offset: taken as local
        ("not a time", None),
        (None, None),
    ],
)
def test_earliest_local_day(timestamp, expected):
    assert referral.earliest_local_day(timestamp) == expected


@pytest.mark.parametrize(
    ("value", "path", "expected"),
    [
        ({"content": {"triggers": "x"}}, ("content", "triggers"), None),
        ({"content": {}}, ("content", "triggers"), "/content"),
        ({}, ("content", "triggers"), ""),
        ({"content": "not an object"}, ("content", "triggers"), None),
        ({"diagnoses": []}, ("diagnoses",), ""),
        ({"diagnoses": [{"code": "P76"}]}, ("diagnoses",), None),
        ({}, ("medication",), ""),
    ],
)
def test_missing_at_points_at_the_nearest_existing_parent(value, path, expected):
    assert referral.missing_at(value, path) == expected


def test_every_content_rule_is_in_the_catalogue_once():
    ids = [item.rule_id for item in referral.CONTENT_ITEMS]
    assert len(ids) == len(set(ids))
    assert set(ids) <= set(catalogue())


# -- epicrisis --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"name": "Venlafaksin", "atcCode": "N06AX16", "psychotropic": True}, True),
        ({"name": "Sertralin", "atcCode": "N06AB06"}, True),
        ({"name": "Zopiklon", "atcCode": "N05CF01"}, True),
        ({"name": "Acamprosat", "atcCode": "N07BB03"}, False),
        ({"name": "Sertralin", "atcCode": "N06AB06", "psychotropic": False}, False),
        ({"name": "Levotyroksin", "atcCode": "H03AA01", "psychotropic": True}, True),
        ({"name": "Uten kode"}, False),
        ("not an object", False),
    ],
)
def test_is_psychotropic(entry, expected):
    assert epicrisis.is_psychotropic(entry) is expected


def _instance(events: str) -> PathwayInstance:
    """An instance from ``"D11A 2025-01-01, D11CK 2025-02-01, …"``."""
    records = []
    for item in events.split(","):
        code, day = item.split()
        when = date.fromisoformat(day)
        records.append(
            EventRecord(code, when, code[:3], "outpatient", "events.ndjson", 1, "FNR:x", "org=1")
        )
    return PathwayInstance("I", events=records)


@pytest.mark.parametrize(
    ("events", "decision"),
    [
        ("D11A 2025-01-01, D11CK 2025-02-01, D11XG 2025-02-02", "D11CK"),
        ("D11A 2025-01-01, D11CI 2025-02-01, D11XG 2025-02-02", "D11CI"),
        ("D11A 2025-01-01, D11CU 2025-02-01, D11CS 2025-03-01, D11XG 2025-03-02", "D11CS"),
        ("D11A 2025-01-01, D11CP 2025-02-01, D11XG 2025-02-02", None),  # treated in PHV
        ("D11A 2025-01-01, D11CK 2025-02-01, D11E 2025-03-01, D11XG 2025-04-01", None),
        ("D11A 2025-01-01, D11CK 2025-02-01", None),  # not ended
        ("D11A 2025-01-01, D11XR 2025-01-05", None),  # ended with no decision
    ],
)
def test_ended_after_assessment(events, decision):
    found = epicrisis.ended_after_assessment(_instance(events))
    assert (found.code if found else None) == decision


@dataclass(frozen=True)
class _EpicrisisWithSolution:
    """The epicrisis facts EPICRISIS-007 needs (``chosen_solution``, proposed for the model)."""

    path: str
    sent: date | None
    end_code: str | None
    pathway_type: str | None
    chosen_solution: bool


@pytest.mark.parametrize(("stated", "fires"), [(False, True), (True, False)])
def test_chosen_solution_with_the_proposed_fact(stated, fires):
    instance = _instance("D11A 2025-01-01, D11CK 2025-02-01, D11XG 2025-02-02")
    facts = _EpicrisisWithSolution("epicrisis.json", None, "D11XG", "D11", stated)
    instance.epicrises.append(facts)
    assert epicrisis.chosen_solution_applies(instance, None)
    hits = list(epicrisis.chosen_solution(instance, None))
    assert bool(hits) is fires
    if fires:
        assert hits[0].path == "epicrisis.json"
        assert hits[0].args == {"decision": "D11CK"}


#: What a content item may hold: nothing (absent), empty values of every type, and others.
_ABSENT = object()
_ITEM_VALUES = st.sampled_from([_ABSENT, None, [], {}, "", 0, False, True, 3, "x", [1], {"a": 1}])


@settings(max_examples=1000, deadline=None)
@given(data=st.data())
def test_a_referral_whose_content_is_complete_misses_no_item(data: st.DataObject) -> None:
    """``content_complete`` (the content checks' quiet test) holds only where none hits."""
    value: dict[str, object] = {}
    for item in referral.CONTENT_ITEMS:
        holder = value
        for name in item.path[:-1]:
            inner = holder.setdefault(name, {})
            assert isinstance(inner, dict)
            holder = inner
        drawn = data.draw(_ITEM_VALUES)
        if drawn is not _ABSENT:
            holder[item.path[-1]] = copy.deepcopy(drawn)
    if data.draw(st.booleans()):
        value["content"] = data.draw(_ITEM_VALUES.filter(lambda drawn: drawn is not _ABSENT))
    document = Document("referral", "r.json", value)
    if referral.content_complete(document, FACTS):
        assert all(referral.missing_at(value, item.path) is None for item in referral.CONTENT_ITEMS)


def test_a_referral_with_every_content_item_is_complete() -> None:
    value = {"content": {}, "medication": {"items": []}}
    for item in referral.CONTENT_ITEMS:
        holder: Any = value
        for name in item.path[:-1]:
            holder = holder.setdefault(name, {})
        holder[item.path[-1]] = holder.get(item.path[-1]) or "x"
    assert referral.content_complete(Document("referral", "r.json", value), FACTS)
    del value["content"]["reason"]  # type: ignore[attr-defined]
    assert not referral.content_complete(Document("referral", "r.json", value), FACTS)


def _earliest_by_conversion(value: str) -> date | None:
    """``earliest_local_day`` as it was written: every moment converted to UTC+01:00."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.date()
    try:
        return moment.astimezone(timezone(timedelta(hours=1))).date()
    except OverflowError:
        return date.max if moment.year == date.max.year else date.min


#: Times of day in Norwegian offsets and others, around midnight and the first hour.
_CLOCKS = st.sampled_from(
    ["T00:00:00", "T00:59:59.999999", "T01:00:00", "T01:30:00", "T12:00:00", "T23:00:00",
     "T23:59:59"]
)  # fmt: skip
_OFFSETS = st.sampled_from(
    ["+01:00", "+02:00", "+0200", "+01:00:00", "Z", "+00:00", "-01:00", "+03:00", "+01:30", ""]
)


@settings(max_examples=3000, deadline=None)
@given(day=DAYS, clock=_CLOCKS, offset=_OFFSETS)
def test_the_earliest_local_day_is_the_day_in_utc_plus_one(
    day: date, clock: str, offset: str
) -> None:
    """The written date stands for Norwegian offsets after the first hour (no conversion)."""
    value = f"{day.isoformat()}{clock}{offset}"
    assert referral.earliest_local_day(value) == _earliest_by_conversion(value)


def _roles_as_written(value: dict[str, Any]) -> set[str] | None:
    """``recipient_roles`` as it was written, with comprehensions."""
    recipients = value.get("recipients", [])
    if not isinstance(recipients, list):
        return None
    roles = [entry.get("role") for entry in recipients if isinstance(entry, dict)]
    if not all(isinstance(role, str) for role in roles):
        return None
    return {role for role in roles if isinstance(role, str)}


_RECIPIENT = st.one_of(
    st.fixed_dictionaries({}, optional={"role": st.sampled_from(["gp", "referrer", 3, None])}),
    st.sampled_from(["gp", None, 1, []]),
)


@settings(max_examples=1000, deadline=None)
@given(recipients=st.one_of(st.lists(_RECIPIENT, max_size=4), st.sampled_from([None, {}, "gp"])))
def test_the_recipients_roles_are_read_as_written(recipients: object) -> None:
    value: dict[str, Any] = {} if recipients is None else {"recipients": recipients}
    assert recipient_roles(value) == _roles_as_written(value)


def test_an_epicrisis_recipients_are_read_once_for_its_two_checks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    read: list[object] = []

    def counted(value: dict[str, Any]) -> set[str] | None:
        read.append(value)
        return recipient_roles(value)

    monkeypatch.setattr(epicrisis, "recipient_roles", counted)
    document = Document("epicrisis", "e.json", {"recipients": [{"role": "gp"}]})
    hits = [*epicrisis.sent_to_gp(document, FACTS), *epicrisis.sent_to_referrer(document, FACTS)]
    assert [hit.pointer for hit in hits] == ["/recipients"]
    assert len(read) == 1
