"""Which mapped documents the pathway rules check (spec/kith-mapping.md, "Scope")."""

from __future__ import annotations

import pytest

from pakkeforlop.kith import map_contents, parse_xml, read_message
from pakkeforlop.kith.scope import CANCELLED, DECLARED, service_term_in

from .conftest import EXAMPLES

VALID = EXAMPLES / "valid" / "kith-d11-phv-adults"
HENVISNING = (VALID / "henvisning.xml").read_text(encoding="utf-8")
EPIKRISE = (VALID / "epikrise.xml").read_text(encoding="utf-8")
UNIT = "DPS Testvik, allmennpsykiatrisk poliklinikk"
SOMATIC = "Ortopedisk poliklinikk"


def _scope(text: str, supplement: dict | None = None) -> tuple[bool, str]:
    message = read_message(parse_xml(text.encode()).tree, "message.xml")
    (document,) = map_contents(message, supplement)
    return document.scope.applies, document.scope.reason


def _edited(text: str, *pairs: tuple[str, str]) -> str:
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new)
    return text


WITHOUT_CODE = ('S="2.16.578.1.12.4.1.1.9321"', 'S="2.16.578.1.12.4.1.1.8480"')


@pytest.mark.parametrize(
    ("name", "term"),
    [
        ("DPS Testvik, allmennpsykiatrisk poliklinikk", "dps"),
        ("Sykehuset Innlandet, divisjon psykisk helsevern", "psykisk helsevern"),
        ("BUP Testvik", "bup"),
        ("Barne- og ungdomspsykiatrisk poliklinikk", "barne- og ungdomspsykiatrisk"),
        ("Avdeling for rus og avhengighet", "rus og avhengighet"),
        ("Klinikk psykisk helse og rus", "psykisk helse og rus"),
        ("Seksjon for TSB, poliklinikk", "tsb"),
        ("Akuttpsykiatrisk avdeling", None),  # a compound: the term must stand as a word
        ("Ortopedisk kirurgi", None),
        ("Russisk-norsk helsesenter", None),
        ("Psykiatrisk   ungdomsteam", "psykiatrisk"),
        ("", None),
        (None, None),
    ],
)
def test_a_phv_or_tsb_service_is_recognised_by_the_words_of_its_name(name, term):
    assert service_term_in(name) == term


def test_a_referral_marked_with_a_pathway_type_is_in_scope():
    assert _scope(_edited(HENVISNING, (UNIT, SOMATIC)))[0] is True


def test_a_referral_marked_with_a_pathway_code_of_9327_is_in_scope():
    text = _edited(
        HENVISNING,
        (UNIT, SOMATIC),
        ('V="D11" S="2.16.578.1.12.4.1.1.9321"', 'V="D11A" S="2.16.578.1.12.4.1.1.9327"'),
    )
    applies, reason = _scope(text)
    assert applies
    assert "kodeverk 9321 or 9327" in reason


def test_a_referral_to_a_phv_service_is_in_scope_without_a_code():
    applies, reason = _scope(_edited(HENVISNING, WITHOUT_CODE))
    assert applies
    assert reason == "its receiver is named as a PHV/TSB service (dps)"


def test_a_referral_to_bup_is_in_scope_by_its_message_type():
    text = _edited(
        HENVISNING,
        WITHOUT_CODE,
        (UNIT, SOMATIC),
        ('V="HENVISNING_NYTILSTAND" DN="Henvisning ny tilstand"', 'V="HENVISNING_BUP"'),
    )
    assert _scope(text) == (True, "it is a referral to BUP (MsgInfo/Type HENVISNING_BUP)")


def test_a_somatic_referral_without_a_pathway_code_is_out_of_scope_unless_declared():
    text = _edited(HENVISNING, WITHOUT_CODE, (UNIT, SOMATIC))
    applies, reason = _scope(text)
    assert not applies
    assert reason.startswith("it is not marked with a PHV/TSB pathway")
    assert _scope(text, {}) == (True, DECLARED)


def test_a_cancellation_is_out_of_scope_even_when_declared():
    text = _edited(
        HENVISNING,
        (
            '<ServType V="N" DN="Ny"/>\n          <IssueDate>',
            '<ServType V="C"/>\n          <IssueDate>',
        ),
    )
    assert _scope(text, {}) == (False, CANCELLED)


def test_an_epikrise_is_in_scope_when_a_phv_service_writes_it():
    assert _scope(EPIKRISE)[0] is True
    text = _edited(EPIKRISE, (UNIT, SOMATIC))
    applies, reason = _scope(text)
    assert not applies
    assert reason.startswith("Epikrise 1.2 has no pathway element")
