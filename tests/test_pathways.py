"""The pathway definitions in ``spec/pathways`` load, agree with the code lists, and encode
exactly the time limits of the domain reference (``shared/reference/domain.md`` §4).

The expected day values below are copied from domain.md, not from the data files, so that they
are an independent check of the data.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date, datetime

import pytest

from pakkeforlop.data.codes import code_system
from pakkeforlop.data.evidence import Evidence
from pakkeforlop.data.locations import pathways_dir
from pakkeforlop.data.pathways import (
    Occurrence,
    Pathway,
    TimeLimitsStatus,
    anchors,
    pathway,
    pathway_codes,
    pathways,
)

# The eight types of kodeverk 9321 (domain.md §2.2), with a readable test id for each.
PATHWAY_TYPES = {
    "D01": "TSB",
    "D06": "psychosis",
    "D07": "OCD",
    "D08": "eating-disorders",
    "D09": "pregnant-woman",
    "D10": "newborn",
    "D11": "PHV-adults",
    "D12": "PHV-children",
}
CODES = tuple(PATHWAY_TYPES)
IDS = [f"{code}-{label}" for code, label in PATHWAY_TYPES.items()]

# The short names used in the 9327 snapshot texts (domain.md §2.3).
SHORT_NAMES = {
    "D01": "TSB",
    "D06": "Psykose",
    "D07": "Tvang",
    "D08": "Spiseforstyrr",
    "D09": "Rus gravid",
    "D10": "Rus nyfødt",
    "D11": "PHV-V",
    "D12": "PHV-BU",
}

# Pathways with the extended-assessment decision CU (domain.md §2.4).
WITH_EXTENDED_ASSESSMENT = {"D01", "D11", "D12"}
# The NPF revised type list (domain.md §2.2) and the general pathways (§1.2).
REVISED_TYPE_LIST = {"D01", "D11", "D12"}
GENERAL = {"D01", "D11", "D12"}
CHILDREN_AND_YOUNG_PEOPLE = {"D08", "D12"}

# The time-limit tables of domain.md §4: (from, to, variant) -> (outpatient, inpatient, evidence).
# None for a care level means the source gives no value for it.
CONFIRMED = Evidence.CONFIRMED
SECONDARY = Evidence.SECONDARY
Step = tuple[str, str, str | None]
Limit = tuple[int | None, int | None, Evidence]
EXPECTED_LIMITS: dict[str, dict[Step, Limit]] = {
    # §4.1
    "D01": {
        ("first-attendance", "clinical-decision", None): (21, 7, CONFIRMED),
        ("detox-completed", "other-treatment-start", None): (3, 0, CONFIRMED),
        ("final-clinical-decision", "first-evaluation", None): (7, 7, CONFIRMED),
        ("evaluation", "next-evaluation", None): (56, 42, CONFIRMED),
    },
    # §4.2: one value for both care levels ("same")
    "D06": {
        ("referral-received", "first-attendance", None): (7, 7, CONFIRMED),
        ("emergency-assessment", "pathway-start", None): (14, 14, CONFIRMED),
    },
    # §4.3
    "D07": {
        ("ocd-team-received", "first-attendance", None): (42, 42, CONFIRMED),
        ("first-attendance", "clinical-decision", None): (56, 56, CONFIRMED),
        ("evaluation", "next-evaluation", None): (84, 84, CONFIRMED),
    },
    # §4.4
    "D08": {
        ("referral-received", "first-attendance", "severe"): (7, 7, CONFIRMED),
        ("referral-received", "first-attendance", "less-severe"): (28, 28, CONFIRMED),
        ("first-attendance", "clinical-decision", None): (42, 14, CONFIRMED),
        ("clinical-decision", "first-evaluation", None): (28, 14, CONFIRMED),
        ("evaluation", "next-evaluation", None): (42, 14, CONFIRMED),
    },
    # §4.5: inpatient 3-7 kd is a range; the upper bound is the limit
    "D09": {
        ("first-attendance", "clinical-decision", None): (7, 7, CONFIRMED),
        ("detox-completed", "other-treatment-start", None): (0, 0, CONFIRMED),
        ("clinical-decision", "first-evaluation", None): (14, 7, CONFIRMED),
        ("evaluation", "next-evaluation", None): (42, 42, CONFIRMED),
    },
    # §4.5: whether the D09 table applies to the newborn is unknown
    "D10": {},
    # §4.7: unknown
    "D11": {},
    # §4.6: a health trust's summary, one value for all patients
    "D12": {
        ("assessment-start", "final-clinical-decision", None): (42, 42, SECONDARY),
        ("final-clinical-decision", "first-evaluation", None): (42, 42, SECONDARY),
        ("evaluation", "next-evaluation", None): (84, 84, SECONDARY),
    },
}

KEBAB_CASE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def _event_letter(code: str) -> str:
    """The event letter of a 9327 code: the character after the pathway number (domain.md §2.3)."""
    return code[3]


def _event_letters(definition: Pathway) -> set[str]:
    return {_event_letter(code.code) for code in definition.event_codes}


parametrize_pathways = pytest.mark.parametrize("code", CODES, ids=IDS)


# --- The set of definitions -------------------------------------------------------------------


def test_every_pathway_type_of_kodeverk_9321_has_a_definition() -> None:
    assert set(pathways()) == {code.code for code in code_system("9321")}
    assert set(pathways()) == set(CODES)


def test_the_definitions_are_listed_in_code_order() -> None:
    assert pathway_codes() == CODES


@parametrize_pathways
def test_a_definition_can_be_looked_up_by_its_code(code: str) -> None:
    assert pathway(code).code == code


def test_looking_up_an_unknown_pathway_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="D01"):
        pathway("D02")


# --- Names and classification -----------------------------------------------------------------


@parametrize_pathways
def test_the_name_is_the_9321_code_text(code: str) -> None:
    listed = code_system("9321").get(code)
    assert listed is not None
    assert pathway(code).name == listed.text


@parametrize_pathways
def test_the_short_name_is_the_one_the_9327_texts_use(code: str) -> None:
    definition = pathway(code)
    assert definition.short_name == SHORT_NAMES[code]
    assert definition.event_codes
    for event in definition.event_codes:
        assert event.text.startswith(f"{definition.short_name} "), event


@parametrize_pathways
def test_the_english_name_and_notes_are_filled_in(code: str) -> None:
    definition = pathway(code)
    assert definition.name_en.strip()
    assert definition.notes.strip()


@parametrize_pathways
def test_only_the_three_general_pathways_are_general(code: str) -> None:
    expected = "general" if code in GENERAL else "condition-specific"
    assert pathway(code).kind == expected


@parametrize_pathways
def test_the_service_area_is_tsb_phv_or_phbu(code: str) -> None:
    service = pathway(code).service
    assert service in {"TSB", "PHV", "PHBU"}
    assert (service == "PHBU") == (code in CHILDREN_AND_YOUNG_PEOPLE)
    if code == "D01":
        assert service == "TSB"


@parametrize_pathways
def test_only_d01_d11_and_d12_are_in_the_revised_type_list(code: str) -> None:
    assert pathway(code).in_revised_type_list is (code in REVISED_TYPE_LIST)


# --- Dates --------------------------------------------------------------------------------------


@parametrize_pathways
def test_patients_from_is_a_date(code: str) -> None:
    patients_from = pathway(code).patients_from
    assert isinstance(patients_from, date)
    assert not isinstance(patients_from, datetime)


@parametrize_pathways
def test_patients_from_agrees_with_the_9321_code_list(code: str) -> None:
    definition = pathway(code)
    listed = code_system("9321").get(code)
    assert listed is not None
    if listed.valid_from is not None:
        assert definition.patients_from == listed.valid_from
    else:
        # No certain start date (D09/D10): the definition must not claim one as confirmed.
        assert definition.evidence is not Evidence.CONFIRMED


def test_the_pregnancy_pathways_take_patients_from_2020_on_secondary_evidence() -> None:
    for code in ("D09", "D10"):
        definition = pathway(code)
        assert definition.patients_from == date(2020, 1, 1)
        assert definition.evidence is Evidence.SECONDARY
        assert "2 October 2019" in definition.notes


# --- Ordering parameters ------------------------------------------------------------------------


@parametrize_pathways
def test_two_clinical_decisions_exactly_where_the_pathway_has_a_cu_code(code: str) -> None:
    definition = pathway(code)
    has_cu = any(event.code == f"{code}CU" for event in definition.event_codes)
    assert has_cu is (code in WITH_EXTENDED_ASSESSMENT)
    assert definition.ordering.max_clinical_decisions == (2 if has_cu else 1)


@parametrize_pathways
def test_the_clinical_decision_limit_is_never_confirmed(code: str) -> None:
    # REG-10/11: a secondary source for the two-decision rule, an inference for the one-decision
    # rule where there is no CU.
    expected = Evidence.SECONDARY if code in WITH_EXTENDED_ASSESSMENT else Evidence.UNCONFIRMED
    assert pathway(code).ordering.evidence is expected


@parametrize_pathways
def test_events_allowed_before_the_start_exist_for_the_pathway(code: str) -> None:
    definition = pathway(code)
    allowed = definition.ordering.events_before_start
    assert set(allowed) <= _event_letters(definition)
    assert "A" not in allowed
    assert len(allowed) == len(set(allowed))


def test_only_psychosis_symptom_onset_may_precede_the_start() -> None:
    for code in CODES:
        expected = ("P",) if code == "D06" else ()
        assert pathway(code).ordering.events_before_start == expected, code


# --- Anchors ------------------------------------------------------------------------------------


def _raw_anchor_ids() -> list[str]:
    with (pathways_dir() / "anchors.toml").open("rb") as handle:
        return [raw["id"] for raw in tomllib.load(handle)["anchors"]]


def test_anchor_ids_are_unique_kebab_case() -> None:
    # The loader keys anchors by id, so a duplicate would silently replace an earlier anchor.
    ids = _raw_anchor_ids()
    assert len(ids) == len(set(ids))
    assert all(KEBAB_CASE.match(anchor_id) for anchor_id in ids)


def test_anchors_name_only_event_letters_that_exist_in_kodeverk_9327() -> None:
    letters = {_event_letter(code.code) for code in code_system("9327")}
    for anchor in anchors().values():
        assert anchor.event is None or anchor.event in letters, anchor.id


def test_the_pathway_start_is_the_first_a_and_confirmed() -> None:
    start = anchors()["pathway-start"]
    assert start.event == "A"
    assert start.occurrence is Occurrence.FIRST
    assert start.evidence is Evidence.CONFIRMED


def test_every_other_step_to_code_mapping_is_unconfirmed() -> None:
    # domain.md §4: første fremmøte ≈ M, klinisk beslutning ≈ C, evaluering ≈ E and
    # avrusning avsluttet ≈ D are inferred; T for the OCD team is a guess in §2.3.
    for anchor in anchors().values():
        if anchor.event is not None and anchor.event != "A":
            assert anchor.evidence is Evidence.UNCONFIRMED, anchor.id


def test_the_documented_steps_are_marked_by_the_documented_codes() -> None:
    expected = {
        "pathway-start": ("A", Occurrence.FIRST),
        "referral-received": (None, None),
        "emergency-assessment": (None, None),
        "ocd-team-received": ("T", Occurrence.FIRST),
        "first-attendance": ("M", Occurrence.FIRST),
        "clinical-decision": ("C", Occurrence.FIRST),
        "final-clinical-decision": ("C", Occurrence.LAST),
        "first-evaluation": ("E", Occurrence.FIRST),
        "evaluation": ("E", Occurrence.EACH),
        "next-evaluation": ("E", Occurrence.NEXT),
        "detox-completed": ("D", Occurrence.EACH),
        "other-treatment-start": (None, None),
    }
    known = anchors()
    for anchor_id, marked_by in expected.items():
        anchor = known[anchor_id]
        assert (anchor.event, anchor.occurrence) == marked_by, anchor_id


def test_steps_no_code_marks_are_not_measurable() -> None:
    known = anchors()
    for anchor_id in ("referral-received", "emergency-assessment", "other-treatment-start"):
        assert not known[anchor_id].measurable, anchor_id
    assert known["first-attendance"].measurable


def test_every_anchor_is_used_by_some_time_limit() -> None:
    used = {
        anchor_id
        for definition in pathways().values()
        for row in definition.time_limits
        for anchor_id in (row.from_anchor, row.to_anchor)
    }
    assert used == set(anchors())


def test_anchors_carry_labels_and_sources() -> None:
    for anchor in anchors().values():
        assert anchor.label.strip(), anchor.id
        assert anchor.label_en.strip(), anchor.id
        assert anchor.note.strip(), anchor.id
        assert anchor.source_url.startswith("https://"), anchor.id


# --- Time limits --------------------------------------------------------------------------------


@parametrize_pathways
def test_time_limit_ids_are_unique_kebab_case(code: str) -> None:
    ids = [row.id for row in pathway(code).time_limits]
    assert len(ids) == len(set(ids))
    assert all(KEBAB_CASE.match(row_id) for row_id in ids)


@parametrize_pathways
def test_time_limits_are_whole_non_negative_days(code: str) -> None:
    for row in pathway(code).time_limits:
        values = [days for days in (row.outpatient_days, row.inpatient_days) if days is not None]
        assert values, row.id
        for days in values:
            assert type(days) is int, row.id
            assert days >= 0, row.id


@parametrize_pathways
def test_time_limits_use_known_anchors(code: str) -> None:
    known = anchors()
    for row in pathway(code).time_limits:
        assert row.from_anchor in known, row.id
        assert row.to_anchor in known, row.id
        assert row.from_anchor != row.to_anchor, row.id


@parametrize_pathways
def test_code_marked_steps_of_a_time_limit_exist_in_the_pathway(code: str) -> None:
    definition = pathway(code)
    letters = _event_letters(definition)
    known = anchors()
    for row in definition.time_limits:
        for anchor_id in (row.from_anchor, row.to_anchor):
            event = known[anchor_id].event
            assert event is None or event in letters, (row.id, anchor_id)


@parametrize_pathways
def test_a_next_occurrence_follows_each_occurrence_of_the_same_event(code: str) -> None:
    known = anchors()
    for row in pathway(code).time_limits:
        start, end = known[row.from_anchor], known[row.to_anchor]
        assert start.occurrence is not Occurrence.NEXT, row.id
        if end.occurrence is Occurrence.NEXT:
            assert start.occurrence is Occurrence.EACH, row.id
            assert start.event == end.event, row.id


@parametrize_pathways
def test_row_evidence_is_never_stronger_than_the_status_allows(code: str) -> None:
    definition = pathway(code)
    status = definition.time_limits_status
    rows = definition.time_limits
    if status is TimeLimitsStatus.UNKNOWN:
        assert rows == ()
    else:
        assert rows
    if status is TimeLimitsStatus.COMPLETE:
        # A table can only be claimed complete on confirmed values.
        assert all(row.evidence is Evidence.CONFIRMED for row in rows)
    # Never a guessed value: unconfirmed values are left out.
    assert all(row.evidence is not Evidence.UNCONFIRMED for row in rows)


@parametrize_pathways
def test_an_incomplete_table_says_what_is_missing(code: str) -> None:
    definition = pathway(code)
    if definition.time_limits_status is not TimeLimitsStatus.COMPLETE:
        assert "not published in any source found" in definition.time_limits_note


@parametrize_pathways
def test_only_the_eating_disorder_pathway_has_severity_variants(code: str) -> None:
    variants = {row.variant for row in pathway(code).time_limits}
    if code == "D08":
        assert variants == {None, "severe", "less-severe"}
    else:
        assert variants <= {None}


@parametrize_pathways
def test_time_limits_carry_labels_and_sources(code: str) -> None:
    for row in pathway(code).time_limits:
        assert row.label.strip(), row.id
        assert row.source_url.startswith("https://"), row.id


@parametrize_pathways
def test_every_fact_names_an_https_source(code: str) -> None:
    definition = pathway(code)
    assert definition.source_url.startswith("https://")
    assert definition.ordering.source_url.startswith("https://")


@parametrize_pathways
def test_the_time_limits_are_exactly_the_reference_table(code: str) -> None:
    encoded = {
        (row.from_anchor, row.to_anchor, row.variant): (
            row.outpatient_days,
            row.inpatient_days,
            row.evidence,
        )
        for row in pathway(code).time_limits
    }
    assert len(encoded) == len(pathway(code).time_limits)
    assert encoded == EXPECTED_LIMITS[code]


def test_d01_has_the_four_confirmed_tsb_limits() -> None:
    # domain.md §4.1, independently of the table above.
    rows = {row.id: row for row in pathway("D01").time_limits}
    assert len(rows) == 4
    assert all(row.evidence is Evidence.CONFIRMED for row in rows.values())
    first = rows["first-attendance-to-clinical-decision"]
    assert (first.outpatient_days, first.inpatient_days) == (21, 7)
    detox = rows["detox-completed-to-other-treatment-start"]
    assert (detox.outpatient_days, detox.inpatient_days) == (3, 0)
    evaluation = rows["final-clinical-decision-to-first-evaluation"]
    assert (evaluation.outpatient_days, evaluation.inpatient_days) == (7, 7)
    between = rows["evaluation-to-next-evaluation"]
    assert (between.outpatient_days, between.inpatient_days) == (56, 42)
    # The overdose part has no known day values, so the table is partial.
    assert pathway("D01").time_limits_status is TimeLimitsStatus.PARTIAL


def test_d08_has_limits_for_both_severity_variants() -> None:
    by_variant = {row.variant: row for row in pathway("D08").time_limits if row.variant}
    assert set(by_variant) == {"severe", "less-severe"}
    assert by_variant["severe"].outpatient_days == 7
    assert by_variant["less-severe"].outpatient_days == 28
    for row in by_variant.values():
        assert (row.from_anchor, row.to_anchor) == ("referral-received", "first-attendance")


@pytest.mark.parametrize("code", ["D10", "D11"], ids=["D10-newborn", "D11-PHV-adults"])
def test_pathways_without_known_limits_have_status_unknown_and_no_rows(code: str) -> None:
    definition = pathway(code)
    assert definition.time_limits_status is TimeLimitsStatus.UNKNOWN
    assert definition.time_limits == ()
    assert definition.time_limits_note.strip()


def test_d12_limits_come_from_a_secondary_source_and_are_partial() -> None:
    definition = pathway("D12")
    assert definition.time_limits_status is TimeLimitsStatus.PARTIAL
    assert all(row.evidence is Evidence.SECONDARY for row in definition.time_limits)


# --- Event codes --------------------------------------------------------------------------------


def test_d07_has_33_event_codes() -> None:
    assert len(pathway("D07").event_codes) == 33


@parametrize_pathways
def test_event_codes_all_belong_to_the_pathway(code: str) -> None:
    assert all(event.code.startswith(code) for event in pathway(code).event_codes)
