"""The code lists in ``spec/codes`` load, and are faithful to the kodeverk snapshot they come from.

The snapshot is ``shared/samples/derived/volven_subset_from_kith-visningsfiler.csv`` (NHN
display-file tables, 2025-06-03). It lives beside the repository, not in it, so the tests that
compare against it are skipped when it is absent.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from pakkeforlop.data.codes import (
    VOLVEN_OID_PREFIX,
    CodeListError,
    CodeSystem,
    SchemaConstraint,
    code_system,
    code_systems,
    parse_code_system,
)
from pakkeforlop.data.evidence import CodeStatus

SNAPSHOT_CSV = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "samples"
    / "derived"
    / "volven_subset_from_kith-visningsfiler.csv"
)
SNAPSHOT_VERSION = "2025-06-03"

SNAPSHOT_KODEVERK = (
    "9321", "9327", "8410", "8380", "8279", "8116", "9051", "8231", "8311", "8233", "8455", "9146",
    "9147", "9148", "8445", "8406", "8485", "9034", "8254", "7309", "9101", "8258", "8221", "9152",
    "8451", "8471",
)  # fmt: skip

PATHWAY_TYPES = ("D01", "D06", "D07", "D08", "D09", "D10", "D11", "D12")

# Snapshot codes per pathway: the totals row of the matrix in domain.md §2.4.
SNAPSHOT_EVENT_CODES_PER_PATHWAY = {
    "D01": 31,
    "D06": 30,
    "D07": 33,
    "D08": 30,
    "D09": 30,
    "D10": 30,
    "D11": 31,
    "D12": 31,
}

# First referral date of each pathway (domain.md §1.2); D09/D10 have no certain start.
PATHWAY_VALID_FROM = {
    "D01": date(2019, 1, 1),
    "D06": date(2019, 2, 15),
    "D07": date(2019, 2, 15),
    "D08": date(2019, 2, 15),
    "D09": None,
    "D10": None,
    "D11": date(2019, 1, 1),
    "D12": date(2019, 1, 1),
}


@pytest.fixture(scope="module")
def snapshot_rows() -> list[dict[str, str]]:
    """The rows of the snapshot CSV (kodeverk, oid, kode, tekst, description)."""
    if not SNAPSHOT_CSV.is_file():
        pytest.skip(f"the kodeverk snapshot is not available at {SNAPSHOT_CSV}")
    with SNAPSHOT_CSV.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


@pytest.fixture(scope="module")
def snapshot(snapshot_rows) -> dict[str, dict[str, str]]:
    """The snapshot as {kodeverk: {code: text}}, with its duplicate rows merged."""
    lists: dict[str, dict[str, str]] = {}
    for row in snapshot_rows:
        codes = lists.setdefault(row["kodeverk"], {})
        previous = codes.setdefault(row["kode"], row["tekst"])
        assert previous == row["tekst"], f"the snapshot gives two texts for {row}"
    return lists


@pytest.fixture(scope="module")
def event_codes() -> CodeSystem:
    return code_system("9327")


def snapshot_codes_of(system: CodeSystem, pathway: str) -> list[str]:
    return [
        code.code
        for code in system
        if code.code.startswith(pathway) and code.status is CodeStatus.SNAPSHOT
    ]


# 1. Every code list loads, and the kit carries exactly the snapshot's lists.


def test_every_code_list_loads_and_the_kit_carries_exactly_the_26_snapshot_kodeverk():
    assert sorted(code_systems()) == sorted(SNAPSHOT_KODEVERK)
    assert len(SNAPSHOT_KODEVERK) == 26


def test_the_snapshot_holds_exactly_the_kodeverk_the_kit_expects(snapshot):
    assert sorted(snapshot) == sorted(SNAPSHOT_KODEVERK)


@pytest.mark.parametrize("kodeverk", SNAPSHOT_KODEVERK)
def test_every_code_list_is_described_and_dated_as_the_snapshot(kodeverk):
    system = code_system(kodeverk)
    assert system.oid == VOLVEN_OID_PREFIX + kodeverk
    assert system.name.strip()
    assert system.name_en.strip()
    assert system.description.strip()
    assert system.version == SNAPSHOT_VERSION
    assert system.status is CodeStatus.SNAPSHOT
    assert "7a97da8aca67d80883b2400551b8948ac6ca785f" in system.source
    assert "7a97da8aca67d80883b2400551b8948ac6ca785f" in system.source_url
    assert all(code.text.strip() == code.text and code.text for code in system)


# 2. Faithful to the snapshot.


@pytest.mark.parametrize("kodeverk", SNAPSHOT_KODEVERK)
def test_every_snapshot_code_is_in_the_kit_with_the_same_text(snapshot, kodeverk):
    system = code_system(kodeverk)
    kit = {code.code: (code.text, code.status) for code in system}
    expected = {code: (text, CodeStatus.SNAPSHOT) for code, text in snapshot[kodeverk].items()}
    assert {code: kit.get(code) for code in expected} == expected


@pytest.mark.parametrize("kodeverk", SNAPSHOT_KODEVERK)
def test_every_kit_code_absent_from_the_snapshot_is_provisional(snapshot, kodeverk):
    extra = [code for code in code_system(kodeverk) if code.code not in snapshot[kodeverk]]
    assert [code.code for code in extra if code.status is not CodeStatus.PROVISIONAL] == []


@pytest.mark.parametrize("kodeverk", SNAPSHOT_KODEVERK)
def test_every_provisional_code_says_why_and_where_it_comes_from(kodeverk):
    for code in code_system(kodeverk):
        if code.status is CodeStatus.PROVISIONAL:
            assert code.note, code.code
            assert code.source_url, code.code
            assert code.source_url.startswith("https://"), code.code


def test_the_kit_oids_match_the_snapshot_oids(snapshot_rows):
    oids = {row["kodeverk"]: row["oid"] for row in snapshot_rows}
    assert {kodeverk: code_system(kodeverk).oid for kodeverk in oids} == oids


# 3. Pathway types (9321) and which event codes (9327) exist for which pathway.


def test_the_pathway_types_are_exactly_d01_and_d06_to_d12():
    assert [code.code for code in code_system("9321")] == list(PATHWAY_TYPES)


@pytest.mark.parametrize(("pathway", "valid_from"), PATHWAY_VALID_FROM.items())
def test_each_pathway_type_is_valid_from_its_first_referral_date(pathway, valid_from):
    code = code_system("9321").get(pathway)
    assert code is not None
    assert code.valid_from == valid_from
    assert code.source_url
    assert code.note


@pytest.mark.parametrize(("pathway", "count"), SNAPSHOT_EVENT_CODES_PER_PATHWAY.items())
def test_each_pathway_has_as_many_snapshot_event_codes_as_the_domain_matrix(
    event_codes, pathway, count
):
    assert len(snapshot_codes_of(event_codes, pathway)) == count


def test_the_snapshot_event_codes_total_246(event_codes):
    snapshot_codes = [code for code in event_codes if code.status is CodeStatus.SNAPSHOT]
    assert len(snapshot_codes) == 246


@pytest.mark.parametrize("pathway", PATHWAY_TYPES)
def test_every_event_code_is_valid_from_the_start_of_its_pathway(event_codes, pathway):
    starts = {code.valid_from for code in event_codes if code.code.startswith(pathway)}
    assert starts == {PATHWAY_VALID_FROM[pathway]}


def test_the_extended_assessment_decision_cu_exists_only_for_d01_d11_and_d12(event_codes):
    with_cu = sorted(code.code[:3] for code in event_codes if code.code.endswith("CU"))
    assert with_cu == ["D01", "D11", "D12"]


@pytest.mark.parametrize("code", ["D06P", "D07T", "D07UE", "D07UM", "D08US", "D11CP", "D12UF"])
def test_pathway_specific_codes_are_in_the_snapshot(event_codes, code):
    found = event_codes.get(code)
    assert found is not None
    assert found.status is CodeStatus.SNAPSHOT


@pytest.mark.parametrize("code", ["D06XM", "D08UF", "D06CU", "D11P", "D01UV"])
def test_grammatical_codes_missing_from_the_snapshot_are_not_listed(event_codes, code):
    assert event_codes.matches_grammar(code)
    assert code not in event_codes


def test_the_only_provisional_event_code_is_tsb_pasientutsatt_d01l(event_codes):
    provisional = [code for code in event_codes if code.status is CodeStatus.PROVISIONAL]
    assert [code.code for code in provisional] == ["D01L"]
    assert provisional[0].text == "TSB pasientutsatt pakkeforløp"
    assert "D11L" not in event_codes


def test_the_event_code_list_records_its_known_gaps_as_provisional(event_codes):
    assert len(event_codes.known_gaps) == 3
    for gap in event_codes.known_gaps:
        assert gap.status is CodeStatus.PROVISIONAL
        assert gap.source_url.startswith("https://")


# 4. The 9327 grammar.


def test_only_the_event_code_list_is_constrained_by_a_grammar():
    by_grammar = [
        kodeverk
        for kodeverk, system in code_systems().items()
        if system.schema_constraint is SchemaConstraint.GRAMMAR
    ]
    assert by_grammar == ["9327"]


def test_every_event_code_matches_the_grammar(event_codes):
    assert event_codes.grammar is not None
    assert [code.code for code in event_codes if not event_codes.matches_grammar(code.code)] == []


@pytest.mark.parametrize(
    "value",
    ["D11", "d11A", "D11a", "D1A", "D111A", "E11A", "D11ABCD", "D11A\n", " D11A", "D11-A", ""],
)
def test_strings_that_are_not_event_codes_do_not_match_the_grammar(event_codes, value):
    assert not event_codes.matches_grammar(value)


@pytest.mark.parametrize("value", ["D02A", "D05A", "D11Q", "D11CUX", "D11C", "D11HU", "D11XS"])
def test_well_formed_codes_with_letters_the_2019_list_lacks_match_the_grammar_and_are_unlisted(
    event_codes, value
):
    # Codes added later (the 2023 contract-specialist code, the revised code set) have values
    # the snapshot does not know: their form is right, their membership a warning (CODE-002).
    assert event_codes.matches_grammar(value)
    assert not event_codes.lists_on(value, date(2024, 6, 1))


def test_the_kit_applies_the_list_version_in_force_on_the_date(event_codes):
    assert event_codes.version_on(date(2019, 3, 1)).id == "2019"
    assert event_codes.version_on(date(2026, 1, 1)).id == "2019"
    assert event_codes.version_on(None).id == "2019"
    assert event_codes.lists_on("D11CP", date(2025, 6, 1))


def test_the_revised_lists_are_provisional_and_not_applied_without_a_confirmed_date():
    for kodeverk in ("9321", "9327"):
        revised = [v for v in code_systems()[kodeverk].versions if v.id == "revised-2024-25"]
        assert len(revised) == 1
        assert revised[0].status is CodeStatus.PROVISIONAL
        assert revised[0].valid_from is None
        assert not revised[0].in_force
        assert revised[0].source_url.startswith("https://www.helsedirektoratet.no/")
    types = code_systems()["9321"]
    revised_types = next(v for v in types.versions if v.id == "revised-2024-25")
    assert sorted(revised_types.codes or ()) == ["D01", "D11", "D12"]
    assert types.lists_on("D06", date(2026, 1, 1))  # the revision is not applied


def test_a_version_in_force_replaces_the_earlier_one_from_its_date():
    raw = {
        "kodeverk": "9321",
        "oid": "2.16.578.1.12.4.1.1.9321",
        "name": "n",
        "name_en": "n",
        "description": "d",
        "version": "v",
        "status": "snapshot",
        "source": "s",
        "source_url": "https://example.org",
        "codes": [
            {"code": "D01", "text": "a", "status": "snapshot"},
            {"code": "D06", "text": "b", "status": "snapshot"},
        ],
        "versions": [
            {
                "id": "old",
                "name": "o",
                "status": "snapshot",
                "source": "s",
                "source_url": "u",
                "valid_from": date(2019, 1, 1),
            },
            {
                "id": "new",
                "name": "n",
                "status": "confirmed",
                "source": "s",
                "source_url": "u",
                "valid_from": date(2025, 1, 1),
                "codes": ["D01"],
            },
        ],
    }
    system = parse_code_system(raw, "test")
    assert system.lists_on("D06", date(2024, 12, 31))
    assert not system.lists_on("D06", date(2025, 1, 1))
    assert system.lists_on("D01", date(2025, 1, 1))
    raw["versions"][1]["codes"] = ["D09"]
    with pytest.raises(CodeListError, match="lacks"):
        parse_code_system(raw, "test")


# 5. Validity dates.


def test_a_code_is_valid_from_its_valid_from_date_and_not_the_day_before(event_codes):
    start = event_codes.get("D06A")
    assert start is not None
    assert start.valid_from == date(2019, 2, 15)
    assert start.valid_on(date(2019, 2, 15))
    assert start.valid_on(date(2025, 6, 3))
    assert not start.valid_on(date(2019, 2, 14))


def test_a_code_without_valid_from_is_valid_on_any_date(event_codes):
    start = event_codes.get("D09A")
    assert start is not None
    assert start.valid_from is None
    assert start.valid_on(date(2019, 1, 1))
