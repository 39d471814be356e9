"""Unit tests for the IDENTIFIER and CODE rule implementations (src/pakkeforlop/rules/)."""

from __future__ import annotations

import copy
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from pakkeforlop.data.catalogue import catalogue
from pakkeforlop.engine import check_export
from pakkeforlop.model.findings import render_template
from pakkeforlop.model.identifiers import check_person_id, make_fnr
from pakkeforlop.model.records import Document, ExportFacts
from pakkeforlop.rules import identifier as identifier_rules
from pakkeforlop.rules.checks import Hit, registered
from pakkeforlop.rules.code import normalise_display
from pakkeforlop.rules.identifier import today_for

CREATED = date(2025, 6, 25)
TEST = ExportFacts("export", CREATED, "test", "1.0.0")
PRODUCTION = ExportFacts("export", CREATED, "production", "1.0.0")
NO_MANIFEST = ExportFacts("file", None, None, None)


def event(**changes: Any) -> dict[str, Any]:
    value: dict[str, Any] = {
        "instanceId": "X-1",
        "patient": {"type": "FNR", "value": "02907931091"},
        "institution": {"orgNumber": "314592018"},
        "pathwayType": "D11",
        "code": "D11A",
        "date": "2025-01-24",
        "careLevel": "outpatient",
    }
    value.update(changes)
    return value


def referral(
    id_type: str = "FNR", number: str = "02907931091", birth: str | None = "1979-10-02"
) -> dict[str, Any]:
    patient: dict[str, Any] = {"identifier": {"type": id_type, "value": number}}
    if birth is not None:
        patient["birthDate"] = birth
    return {
        "patient": patient,
        "targetPathway": {"system": "2.16.578.1.12.4.1.1.9321", "code": "D11"},
    }


def epicrisis(end_code: str = "D11XG", pathway_type: str = "D11") -> dict[str, Any]:
    return {
        **referral(),
        "pathway": {
            "instanceId": "X-1",
            "type": {"system": "2.16.578.1.12.4.1.1.9321", "code": pathway_type},
            "endCode": end_code,
        },
    }


def hits(rule_id: str, kind: str, value: dict[str, Any], facts: ExportFacts = TEST) -> list[Hit]:
    """The rule's hits on one document, after checking every hit renders both templates."""
    check = registered()[rule_id]
    assert kind in check.kinds
    assert kind in catalogue()[rule_id].applies_to
    document = Document(kind, "doc.json", value)
    if not check.applies(document, facts):
        return []
    found = list(check.function(document, facts))
    rule = catalogue()[rule_id]
    for hit in found:
        render_template(rule.message, hit.args, masked=True)
        render_template(rule.message_nb, hit.args, masked=True)
    return found


def messages(rule_id: str, found: list[Hit]) -> list[str]:
    return [render_template(catalogue()[rule_id].message, hit.args, masked=True) for hit in found]


# --- catalogue and registry -----------------------------------------------------------------


@pytest.mark.parametrize("family", ["IDENTIFIER", "CODE"])
def test_every_rule_of_the_family_is_registered(family: str) -> None:
    ids = {rule_id for rule_id in catalogue() if rule_id.startswith(family + "-")}
    assert ids
    for rule_id in ids:
        assert set(registered()[rule_id].kinds) == set(catalogue()[rule_id].applies_to), rule_id


def test_engine_reported_code_001_has_a_message_without_placeholders() -> None:
    rule = catalogue()["CODE-001"]
    assert "{" not in rule.message
    assert "{" not in rule.message_nb
    assert rule.schema_pointers == ("/code", "/pathway/endCode")


def test_every_grammar_suffix_has_a_meaning() -> None:
    from pakkeforlop.data.codes import code_system  # noqa: PLC0415

    events = code_system("9327")
    assert {code.code[3:] for code in events} <= set(events.suffix_meanings)


# --- IDENTIFIER -----------------------------------------------------------------------------


def test_today_is_the_export_creation_date_but_never_after_the_real_today() -> None:
    assert today_for(TEST) == CREATED
    assert today_for(NO_MANIFEST) == date.today()
    assert today_for(ExportFacts("x", date(2999, 1, 1), "test", None)) == date.today()


def test_one_run_is_judged_against_the_day_it_started() -> None:
    started = date(2026, 11, 23)
    assert today_for(ExportFacts("x", None, "test", None, checked_on=started)) == started
    later = ExportFacts("x", date(2026, 12, 1), "test", None, checked_on=started)
    assert today_for(later) == started


@pytest.mark.parametrize(
    ("number", "id_type", "codes"),
    [
        ("02907931092", "FNR", "checksum"),
        ("29029900157", "FNR", "invalid-date"),
        ("01922550189", "FNR", "future-birth-date"),
        ("02907931091", "DNR", "type-mismatch"),
        ("81234567803", "FHN", "checksum"),
    ],
)
def test_identifier_001_names_the_problem_never_the_number(
    number: str, id_type: str, codes: str
) -> None:
    found = hits("IDENTIFIER-001", "referral", referral(id_type, number))
    assert [hit.pointer for hit in found] == ["/patient/identifier/value"]
    assert found[0].args["codes"] == codes
    assert number not in messages("IDENTIFIER-001", found)[0]


def test_identifier_001_on_an_event_points_at_the_patient_value() -> None:
    found = hits(
        "IDENTIFIER-001", "pathway-event", event(patient={"type": "FNR", "value": "02907931092"})
    )
    assert [hit.pointer for hit in found] == ["/patient/value"]


@pytest.mark.parametrize(
    "identifier",
    [
        {"type": "FNR", "value": "0290793109"},  # 10 digits: the schema's pattern reports it
        {"type": "PNR", "value": "02907931092"},  # a type outside the schema's enum
        {"type": "FNR", "value": 2907931092},  # not a string
        {"value": "02907931092"},
    ],
)
def test_identifier_001_leaves_schema_violations_to_the_schema(identifier: dict[str, Any]) -> None:
    value = referral()
    value["patient"]["identifier"] = identifier
    assert hits("IDENTIFIER-001", "referral", value) == []


def test_identifier_001_reports_what_the_schema_pattern_lets_through() -> None:
    # jsonschema applies "^[0-9]{11}$" with re.search, which accepts a trailing newline.
    found = hits("IDENTIFIER-001", "referral", referral("FNR", "02907931091\n"))
    assert found[0].args["codes"] == "not-digits, length"


def test_identifier_001_accepts_valid_numbers_of_every_type() -> None:
    for id_type, number in [
        ("FNR", "12057900499"),
        ("DNR", "42051199116"),
        ("HNR", "01415612385"),
        ("FHN", "81234567802"),
        ("DUF", "123456789012"),
        ("FNR", "30108299939"),  # 2032 rule: never rejected
    ]:
        assert hits("IDENTIFIER-001", "referral", referral(id_type, number, None)) == [], number


def test_identifier_002_only_before_2032() -> None:
    value = referral("FNR", "30108299939", "1982-10-30")
    assert len(hits("IDENTIFIER-002", "referral", value)) == 1
    assert hits("IDENTIFIER-002", "referral", referral("FNR", "30108299920", "1982-10-30")) == []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("pakkeforlop.rules.identifier.today_for", lambda _facts: date(2032, 3, 1))
        assert hits("IDENTIFIER-002", "referral", value) == []


@pytest.mark.parametrize(
    ("number", "marker"),
    [
        ("02907931091", "Test-Norge"),
        ("15507600333", "Dolly"),
        ("15720255178", "no known offset"),
    ],
)
def test_synthetic_numbers_are_info_in_test_and_a_warning_in_production(
    number: str, marker: str
) -> None:
    value = referral("FNR", number, None)
    for facts in (TEST, NO_MANIFEST):
        found = hits("IDENTIFIER-003", "referral", value, facts)
        assert len(found) == 1
        assert marker in str(found[0].args["marker"])
        assert hits("IDENTIFIER-004", "referral", value, facts) == []
    assert hits("IDENTIFIER-003", "referral", value, PRODUCTION) == []
    assert len(hits("IDENTIFIER-004", "referral", value, PRODUCTION)) == 1


def test_synthetic_rules_ignore_invalid_and_unmarked_numbers() -> None:
    for number in ("02907931092", "12057900499"):
        assert hits("IDENTIFIER-003", "referral", referral("FNR", number, None)) == []
        assert hits("IDENTIFIER-004", "referral", referral("FNR", number, None), PRODUCTION) == []
    # An H-nummer has +40 on the month by definition: not Dolly.
    assert hits("IDENTIFIER-003", "referral", referral("HNR", "01415612385", None)) == []


def test_identifier_005_walks_every_org_number() -> None:
    value = {
        "sender": {"organisation": {"orgNumber": "321884033"}},
        "recipients": [
            {"organisation": {"orgNumber": "974633760"}},
            {"organisation": {"orgNumber": "321884130"}},
        ],
        "odd/key": {"orgNumber": "988077918"},
        "short": {"orgNumber": "12345678"},  # the schema reports it
        "number": {"orgNumber": 988077918},  # the schema reports it
    }
    found = hits("IDENTIFIER-005", "referral", value)
    assert [hit.pointer for hit in found] == [
        "/sender/organisation/orgNumber",
        "/recipients/1/organisation/orgNumber",
        "/odd~1key/orgNumber",
    ]
    assert [hit.args["codes"] for hit in found] == ["checksum"] * 3
    assert (
        hits("IDENTIFIER-005", "export-manifest", {"institution": {"orgNumber": "314592018"}}) == []
    )


def test_identifier_006_is_a_heuristic_on_digits_only() -> None:
    value = {"author": {"hpr": "1234567"}, "gp": {"hpr": "9144900"}, "other": {"hpr": "12a"}}
    assert [hit.pointer for hit in hits("IDENTIFIER-006", "epicrisis", value)] == ["/author/hpr"]
    assert catalogue()["IDENTIFIER-006"].severity == "warning"


@pytest.mark.parametrize(
    ("id_type", "number", "birth", "fires"),
    [
        ("FNR", "02907931091", "1979-10-02", False),
        ("FNR", "02907931091", "1979-10-03", True),
        ("DNR", "42051199116", "2011-05-02", False),
        ("DNR", "42051199116", "1911-05-02", True),
        ("HNR", "01415612385", "1956-01-01", False),
        ("FHN", "81234567802", "2025-06-18", False),  # no date in an FH-nummer
        ("FNR", "15720255178", "2002-07-15", False),  # unknown month offset: no date
        ("FNR", "02907931092", "1900-01-01", False),  # invalid: IDENTIFIER-001's
        ("FNR", "02907931091", "not a date", False),  # the schema's
    ],
)
def test_identifier_007_compares_only_a_single_known_birth_date(
    id_type: str, number: str, birth: str, fires: bool
) -> None:
    found = hits("IDENTIFIER-007", "referral", referral(id_type, number, birth))
    assert [hit.pointer for hit in found] == (["/patient/birthDate"] if fires else [])


# --- CODE -----------------------------------------------------------------------------------


def test_code_002_explains_the_missing_code_for_a_clinician_facing_developer() -> None:
    found = hits("CODE-002", "pathway-event", event(pathwayType="D08", code="D08UF"))
    assert messages("CODE-002", found) == [
        "D08UF is not in kodeverk 9327 (list 2019, 2025-06-03 snapshot): pathway D08 (Eating "
        "disorders in children and young people) has no UF code (feedback tool used); UF is "
        "listed for: D01, "
        "D06, D07, D09, D10, D11, D12"
    ]


def test_code_002_on_an_epicrisis_end_code() -> None:
    found = hits("CODE-002", "epicrisis", epicrisis("D06XM", "D06"))
    assert [hit.pointer for hit in found] == ["/pathway/endCode"]
    assert "D06XM" in messages("CODE-002", found)[0]


@pytest.mark.parametrize("code", ["D11 Q", "D11A\n", "d11a", "D1A"])
def test_code_rules_leave_ungrammatical_codes_to_code_001(code: str) -> None:
    for rule_id in ("CODE-002", "CODE-003", "CODE-004", "CODE-005"):
        assert hits(rule_id, "pathway-event", event(code=code)) == [], rule_id


@pytest.mark.parametrize("code", ["D11Q", "D11XS", "D11CUX"])
def test_a_well_formed_code_with_new_letters_is_code_002_not_code_001(code: str) -> None:
    # A code added after the snapshot (the 2023 contract-specialist code, the revised set)
    # is a warning that names the list version, never the grammar's error.
    found = hits("CODE-002", "pathway-event", event(code=code))
    assert [hit.pointer for hit in found] == ["/code"]
    assert "(list 2019, 2025-06-03 snapshot)" in messages("CODE-002", found)[0]


def test_code_003_reports_provisional_codes_only() -> None:
    found = hits("CODE-003", "pathway-event", event(pathwayType="D01", code="D01L"))
    assert messages("CODE-003", found) == [
        "D01L is a provisional code: the coding guide has it, "
        "but kodeverk 9327 (2025-06-03 snapshot) does not"
    ]
    assert hits("CODE-002", "pathway-event", event(pathwayType="D01", code="D01L")) == []
    assert hits("CODE-003", "pathway-event", event(pathwayType="D11", code="D11L")) == []


def test_code_004_on_events_and_epicrises() -> None:
    assert messages("CODE-004", hits("CODE-004", "pathway-event", event(code="D12CP"))) == [
        "The code D12CP belongs to pathway D12, but the pathway type is D11"
    ]
    assert [h.pointer for h in hits("CODE-004", "epicrisis", epicrisis("D12XG", "D11"))] == [
        "/pathway/endCode"
    ]
    assert hits("CODE-004", "epicrisis", epicrisis("D11XG", "D11")) == []
    assert hits("CODE-004", "pathway-event", event(pathwayType="D13", code="D12CP")) == []


def test_code_005_judges_listed_codes_and_their_pathway_type() -> None:
    found = hits(
        "CODE-005", "pathway-event", event(pathwayType="D06", code="D06A", date="2019-01-20")
    )
    assert messages("CODE-005", found) == [
        "D06A is not valid on 2019-01-20: "
        "kodeverk 9327 (2025-06-03 snapshot) lists it from 2019-02-15"
    ]
    assert (
        hits("CODE-005", "pathway-event", event(pathwayType="D06", code="D06A", date="2019-02-15"))
        == []
    )
    # A valid D11 code on a D06 event (CODE-004's) dated before D06 opened: the type is judged.
    found = hits(
        "CODE-005", "pathway-event", event(pathwayType="D06", code="D11A", date="2019-01-20")
    )
    assert [(hit.pointer, hit.args["code"], hit.args["kodeverk"]) for hit in found] == [
        ("/pathwayType", "D06", "9321")
    ]


@pytest.mark.parametrize(
    ("pathway_type", "code", "day"),
    [
        ("D09", "D09A", "2015-01-01"),  # no validity dates: always valid here (EVENT-003's)
        ("D06", "D06P", "2017-05-01"),  # symptom onset: a historical date
        ("D06", "D06XM", "2019-01-20"),  # not listed: CODE-002 and EVENT-003
        ("D06", "D06A", "2019-02-30"),  # not a date: the schema's
    ],
)
def test_code_005_leaves_alone(pathway_type: str, code: str, day: str) -> None:
    assert (
        hits("CODE-005", "pathway-event", event(pathwayType=pathway_type, code=code, date=day))
        == []
    )


def test_code_006_compares_display_texts_loosely() -> None:
    value = referral()
    value["targetPathway"]["display"] = "Utredning og behandling i psykisk helsevern, voksne"
    value["items"] = [
        {"use": {"system": "2.16.578.1.12.4.1.1.9101", "code": "1", "display": "  fast "}},
        {"use": {"system": "2.16.578.1.12.4.1.1.9101", "code": "1", "display": "Ved behov"}},
        # a code the list lacks (the schema's), and a list the kit does not carry
        {"use": {"system": "2.16.578.1.12.4.1.1.9101", "code": "9", "display": "Ukjent"}},
        {"diagnosis": {"system": "2.16.578.1.12.4.1.1.7110", "code": "F33.1", "display": "x"}},
    ]
    found = hits("CODE-006", "referral", value)
    assert [hit.pointer for hit in found] == ["/items/1/use/display"]
    assert messages("CODE-006", found) == [
        "The display text 'Ved behov' of code 1 differs from the text in "
        "kodeverk 9101 (2025-06-03 snapshot): 'Fast'"
    ]


def test_display_normalisation() -> None:
    assert normalise_display(" Næringsmiddel/\tvitaminer ") == normalise_display(
        "næringsmiddel/ vitaminer"
    )
    decomposed = "Spiseforstyrrelser hos barn og unge".replace("o", "o\u0308")
    assert normalise_display(decomposed) == normalise_display(
        decomposed.replace("o\u0308", "\u00f6")
    )


def test_checks_never_raise_on_broken_documents() -> None:
    broken: list[dict[str, Any]] = [
        {},
        {"patient": None, "pathway": [], "code": 5, "date": None},
        {
            "patient": {"identifier": "x", "birthDate": 19791002},
            "pathway": {"type": "D11", "endCode": None},
        },
        {"a": [{"orgNumber": None, "hpr": ["1"], "system": 1, "code": "1", "display": "x"}]},
    ]
    for rule_id, check in registered().items():
        if not rule_id.startswith(("IDENTIFIER-", "CODE-")) or rule_id == "CODE-001":
            continue
        for kind in check.kinds:
            for value in broken:
                list(check.function(Document(kind, "doc.json", copy.deepcopy(value)), TEST))


def test_a_patients_number_is_checked_once_for_every_document_and_line_that_holds_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A number is checked by the common case's check (nearly every one) or by the full check
    (the others, after the common case's check declined them): each at most once."""
    export = Path(__file__).resolve().parents[1] / "examples" / "valid" / "d11-phv-adults-completed"
    checked: dict[str, list[str]] = {"common_person_id": [], "check_person_id": []}
    for name, numbers in checked.items():
        real = getattr(identifier_rules, name)

        def counted(
            value: str, *args: Any, real: Any = real, numbers: Any = numbers, **kw: Any
        ) -> Any:
            numbers.append(value)
            return real(value, *args, **kw)

        monkeypatch.setattr(identifier_rules, name, counted)
    identifier_rules._checked.clear()
    result = check_export(export, display_root="", jobs=1)
    identifier_rules._checked.clear()
    common, full = checked["common_person_id"], checked["check_person_id"]
    assert result.documents + result.events > len(common) == len(set(common)) > 0
    assert len(full) == len(set(full))


def test_the_person_memo_tells_days_and_types_apart_and_holds_at_most_its_size() -> None:
    memo = identifier_rules._PersonChecks(kept=2)
    value = make_fnr(date(2020, 5, 17), 500, synthetic=None)
    assert value is not None
    before_birth, after_birth = date(2020, 5, 16), date(2020, 5, 18)
    after = memo("FNR", value, after_birth)
    assert after is not None
    assert after.check == check_person_id(value, "FNR", today=after_birth)
    born_later = memo("FNR", value, before_birth)  # another day: not the memo's answer
    assert born_later is not None
    assert born_later.check == check_person_id(value, "FNR", today=before_birth)
    assert not born_later.check.valid
    as_dnr = memo("DNR", value, before_birth)  # another type: not the FNR's answer
    assert as_dnr is not None
    assert as_dnr.check == check_person_id(value, "DNR", today=before_birth)
    assert memo("FNR", value[:10], before_birth) is None  # the schema reports the form
    assert memo("XYZ", value, before_birth) is None  # the schema reports the type
    assert sum(len(known) for known in memo.by_type.values()) <= 2


@pytest.mark.parametrize("raw_type", ["FNR", "DNR", "HNR", "FHN", "DUF", "XYZ", "fnr"])
@pytest.mark.parametrize(
    "value",
    [
        "02907931091",
        "029079310910",
        "0290793109",
        "02907931091\n",  # the schema's ``$`` matches before a final newline
        "029079310910\n",
        "\n02907931091",
        # Arabic-Indic and fullwidth digits: digits to ``isdigit``, not to ``[0-9]``
        "".join(chr(0x660 + int(c)) for c in "02907931091"),
        "".join(chr(0xFF10 + int(c)) for c in "02907931091"),
        "0290793109x",
        "",
    ],
)
def test_a_person_number_is_checked_exactly_when_the_schema_accepts_its_form(
    raw_type: str, value: str
) -> None:
    """The memo's short test of the form (length and ASCII digits) agrees with the schema's."""
    pattern = r"^[0-9]{12}$" if raw_type == "DUF" else r"^[0-9]{11}$"
    accepted = raw_type in {"FNR", "DNR", "HNR", "FHN", "DUF"} and re.search(pattern, value)
    found = identifier_rules._PersonChecks(4)(raw_type, value, CREATED)
    assert (found is not None) == bool(accepted)
    if found is not None:
        assert found.value == value
        assert found.check == check_person_id(value, raw_type, today=CREATED)
