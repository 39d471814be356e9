"""The authorities' own example messages: every finding reviewed, every message validated.

The standards archive (Sarepta, mirrored at https://github.com/oslokommune/sarepta-standarder,
commit 2cb26c1d) publishes official examples of each KITH standard; ../shared/samples/
sarepta-standarder holds six Henvisning 2.0, four Epikrise 1.2, three AppRec and three
Dialogmelding examples with the official XSDs (origins in ../shared/samples/SOURCES.md). They
are the ground truth for KITH: a finding on them is either a true defect of the example, and
the table below says what it is, or a defect of the kit.

``REVIEW`` lists, per file, what the example is and every finding the kit gives on it (error,
warning and information), each with its line and the reason it is right. A new file in the
folder fails the test until it is reviewed and added.
"""

from __future__ import annotations

import io
import json
import shutil
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from pakkeforlop import cli
from pakkeforlop.engine import ExportResult, check_file
from pakkeforlop.kith import XsdCatalog, map_contents, read_message, read_xml_file

from .conftest import SHARED
from .test_pytest_plugin import CONFORMANCE, junit_outcomes, run  # noqa: F401 (a fixture)

pytest_plugins = ["pytester"]

OFFICIAL = SHARED / "samples" / "sarepta-standarder"
XSD = OFFICIAL / "xsd"
pytestmark = pytest.mark.skipif(
    not OFFICIAL.is_dir(), reason=f"{OFFICIAL} is not available; CI always has ../shared"
)


@dataclass(frozen=True)
class Seen:
    """One finding the kit gives on an official example, and why it is right."""

    rule: str
    severity: str
    line: int
    reason: str


@dataclass(frozen=True)
class Review:
    """An official example: what it is, and every finding on it."""

    about: str
    findings: tuple[Seen, ...] = ()


ENVELOPE_ABSENT = (
    "published as a bare Message, as the archive publishes its Epikrise examples: the envelope "
    "facts (sender, receiver, MsgInfo) could not be checked; a warning, not a defect of the content"
)
NOT_A_PATHWAY = (
    "no 9321/9327 pathway code, not a referral to BUP, a somatic receiver, no manifest: the "
    "pathway rules rightly do not apply, and the finding says so and what was mapped"
)
EPIKRISE_OUT = (
    "a somatic hospital's epikrise (Epikrise 1.2 has no pathway element, the writer is not a "
    "PHV/TSB service, no manifest): the pathway rules rightly do not apply"
)
HPR_HEURISTIC = (
    "the example's fictitious HPR number does not fit the unofficial mod-11 heuristic; a "
    "warning only, as there is no published check-digit rule"
)

REVIEW: dict[str, Review] = {
    "apprec/AppRec-v1-eksempel-avvist.xml": Review("AppRec 1.0, status 2 (rejected), E-codes"),
    "apprec/AppRec-v1-eksempel-ok.xml": Review("AppRec 1.0, status 1 (OK)"),
    "apprec/apprec-eksempel.xml": Review(
        "AppRec 1.0 of the billing message package: status 3 with five errors of kodeverk "
        "8223, the billing message's own list (accepted since KITH-011 holds only 8221 errors "
        "to kodeverk 8221)"
    ),
    "dialogmelding/Dialogmelding_foresporsel_PLO_v1-0.xml": Review(
        "Dialogmelding 1.0 request (PLO)",
        (Seen("KITH-013", "warning", 71, HPR_HEURISTIC),),
    ),
    "dialogmelding/Helsefaglig dialog.xml": Review(
        "Dialogmelding 1.1, helsefaglig dialog",
        (Seen("KITH-013", "warning", 72, HPR_HEURISTIC),),
    ),
    "dialogmelding/Status_paa_henvisning-InnkaltEtterViderehenvisning.xml": Review(
        "Dialogmelding 1.1, status on a referral (DIALOG_STATUS_HENVISNING): a feedback",
        (
            Seen(
                "KITH-023",
                "info",
                87,
                "an orthopaedic department's status (a Dialogmelding has no pathway element, the "
                "sender is not a PHV/TSB service, no manifest): the pathway rules rightly do not "
                "apply to the feedback it maps to",
            ),
            Seen("KITH-013", "warning", 108, HPR_HEURISTIC),
        ),
    ),
    "epikrise-1.2/Epikrise_v1-2_Eksempel_Fastlege_Ny.xml": Review(
        "Epikrise 1.2, new, to the GP: endocarditis; period, 3 diagnoses, 5 medicines, sections",
        (
            Seen("KITH-022", "warning", 5, ENVELOPE_ABSENT),
            Seen("KITH-023", "info", 5, EPIKRISE_OUT),
        ),
    ),
    "epikrise-1.2/Epikrise_v1-2_Eksempel_Legevakt_Ny.xml": Review(
        "Epikrise 1.2, new, to an emergency ward: kidney stone; medication only as text (MEDB)",
        (
            Seen("KITH-022", "warning", 5, ENVELOPE_ABSENT),
            Seen("KITH-023", "info", 5, EPIKRISE_OUT),
        ),
    ),
    "epikrise-1.2/epikrise_v1.2_c.xml": Review(
        "Epikrise 1.2, cancellation (ServType C): no event, no content",
        (
            Seen("KITH-022", "warning", 3, ENVELOPE_ABSENT),
            Seen(
                "KITH-023",
                "info",
                3,
                "a cancellation carries no content for the pathway rules, whatever its scope",
            ),
            Seen(
                "KITH-024",
                "warning",
                53,
                "the GP (PatRelHCP FLE, 'Tulle tre') has HPR number 'xxx', a placeholder: worth a "
                "warning, not an error (no rule for the form of an HPR number is published)",
            ),
        ),
    ),
    "epikrise-1.2/epikrise_v1.2_m.xml": Review(
        "Epikrise 1.2, change (ServType M) of the same epikrise: endocarditis, Albyl-E added",
        (
            Seen("KITH-022", "warning", 3, ENVELOPE_ABSENT),
            Seen("KITH-023", "info", 3, EPIKRISE_OUT),
            Seen(
                "KITH-024",
                "warning",
                374,
                "the same GP placeholder, HPR number 'xxx': a warning, as above",
            ),
        ),
    ),
    "henvisning-2.0/Henvisning_ny_tilstand_v2-0_Endring.xml": Review(
        "Henvisning 2.0, new condition, change: rheumatology (ICPC-2 L88)",
        (Seen("KITH-023", "info", 72, NOT_A_PATHWAY),),
    ),
    "henvisning-2.0/Henvisning_ny_tilstand_v2-0_Ny.xml": Review(
        "Henvisning 2.0, new condition: rheumatology (ICPC-2 L88)",
        (Seen("KITH-023", "info", 68, NOT_A_PATHWAY),),
    ),
    "henvisning-2.0/Henvisning_ny_tilstand_v2-0_Test_mange_elementer.xml": Review(
        "Henvisning 2.0 with many elements, rheumatology: every po: component filled",
        (
            Seen("KITH-023", "info", 68, NOT_A_PATHWAY),
            Seen(
                "KITH-012",
                "error",
                101,
                "a true defect of the example: the associated unit (TilknyttetEnhet/Kontaktenhet, "
                "an organisation) has the made-up organisation number 999888777, whose mod-11 "
                "check digit is wrong",
            ),
        ),
    ),
    "henvisning-2.0/Henvisning_ny_tilstand_v2-0_Uten_rettighetsvurdering_Ny.xml": Review(
        "Henvisning 2.0, new condition without right-to-care assessment: dental (ICD-10 K01.1, "
        "K05.3)",
        (Seen("KITH-023", "info", 70, NOT_A_PATHWAY),),
    ),
    "henvisning-2.0/Viderehenvisning_v2-0_Rettighetsvurdert_etter_ventetid_pakkeforlop_Ny.xml": (
        Review(
            "Onward referral after assessment, prostate-cancer pathway (kodeverk 8480 codes), "
            "ForlopsId and RettTilHelsehjelp in Opplysninger, a PDF attachment",
            (
                Seen(
                    "KITH-023",
                    "info",
                    75,
                    "cancer-pathway codes (kodeverk 8480) are legitimate and not this kit's; "
                    + NOT_A_PATHWAY,
                ),
                Seen(
                    "KITH-021",
                    "error",
                    176,
                    "a true defect of the example: the ICD-10 diagnosis C61 is coded with "
                    "S = 2.16.578.1.12.4.1.1.7180, the OID of the ATC classification of drugs",
                ),
            ),
        )
    ),
    "henvisning-2.0/Viderehenvisning_v2-0_Uten_rettighetsvurdering_Kansellering.xml": Review(
        "Onward referral without assessment, cancellation (ServType C)",
        (
            Seen(
                "KITH-023",
                "info",
                76,
                "a cancellation carries no content for the pathway rules, whatever its scope",
            ),
        ),
    ),
}


def _examples() -> list[str]:
    if not OFFICIAL.is_dir():
        return []
    found = (path for path in OFFICIAL.rglob("*.xml") if XSD not in path.parents)
    return sorted(path.relative_to(OFFICIAL).as_posix() for path in found)


@cache
def _catalog() -> XsdCatalog:
    return XsdCatalog.load(XSD)


def _seen(result: ExportResult) -> list[tuple[str, str, int | None]]:
    return sorted((f.rule, str(f.severity), f.line) for f in result.findings)


def _expected(name: str) -> list[tuple[str, str, int]]:
    return sorted((seen.rule, seen.severity, seen.line) for seen in REVIEW[name].findings)


def test_every_official_example_is_reviewed():
    assert _examples() == sorted(REVIEW), "review the new example and add it to REVIEW"
    for review in REVIEW.values():
        assert review.about
        assert all(seen.reason for seen in review.findings)


@pytest.mark.parametrize("name", _examples())
def test_an_official_example_gives_exactly_its_reviewed_findings(name):
    result = check_file(OFFICIAL / name)
    assert result.documents == 1
    assert _seen(result) == _expected(name)


@pytest.mark.parametrize("name", _examples())
def test_an_official_example_validates_against_the_official_xsds_with_the_cli(name):
    out = io.StringIO()
    arguments = ["check", str(OFFICIAL / name), "--xsd-dir", str(XSD), "--format", "json"]
    code = cli.main(arguments, stdout=out)
    report = json.loads(out.getvalue())
    outcomes = {rule["id"]: rule["outcome"] for rule in report["rules"]}
    assert outcomes["KITH-016"] == "passed"  # validated, and valid
    assert outcomes["KITH-020"] == "passed"  # every namespace had its schema
    assert outcomes["KITH-004"] == "passed"  # recognised
    seen = sorted((f["rule"], f["severity"], f["line"]) for f in report["findings"])
    assert seen == _expected(name)
    errors = any(seen.severity == "error" for seen in REVIEW[name].findings)
    assert code == (1 if errors else 0)


def test_the_official_examples_validate_with_the_pytest_plugin(run, tmp_path):  # noqa: F811
    exports = [argument for name in _examples() for argument in ("--export", str(OFFICIAL / name))]
    junit = tmp_path / "junit.xml"
    run(str(CONFORMANCE), *exports, "--pakkeforlop-xsd-dir", str(XSD), "--junitxml", str(junit))
    outcomes = junit_outcomes(junit)
    assert outcomes["KITH-016"][0] == "passed"
    assert outcomes["KITH-020"][0] == "passed"
    assert outcomes["KITH-004"][0] == "passed"
    assert outcomes["KITH-021"][0] == "failed"  # the ATC-coded diagnosis, nothing else:
    assert outcomes["KITH-012"][0] == "failed"  # the made-up organisation number 999888777


def _sarepta_tree(root: Path) -> Path:
    """The flat official XSDs laid out in the archive's folder tree (skjema/…), with copies."""
    layout = {
        "MsgHead-v1_2.xsd": "msghead",
        "kith.xsd": "felleskomponenter",
        "felleskomponent1.xsd": "felleskomponenter",
        "kith-base64.xsd": "felleskomponenter",
        "xmldsig-core-schema.xsd": "felleskomponenter",
        "Henvisning-v2.0.xsd": "henvisning",
        "poKomponent-v2.0.xsd": "plo/v2.0",
        "EPJ-cave-mv.xsd": "plo/v2.0",
        "EPJ-journalnotat-mv.xsd": "plo/v2.0",
        "EPJ-legemiddel-mv.xsd": "plo/v2.0",
        "EPJ-meta.xsd": "plo/v2.0",
        "Epikrise-v1.2.xsd": "epikrise",
        "dialogmelding-v1.1.xsd": "dialogmelding/v1.1",
        "dialogmelding.xsd": "dialogmelding/v1.0",
        "AppRec-v1-2004-11-21.xsd": "apprec",
        "AppRec-v1.1.xsd": "apprec",
    }
    for name, folder in layout.items():
        target = root / "skjema" / folder
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(XSD / name, target / name)
    # the archive keeps copies of the shared components beside the schemas that use them
    for folder in ("henvisning", "epikrise", "dialogmelding/v1.0"):
        shutil.copy(XSD / "kith.xsd", root / "skjema" / folder / "kith.xsd")
    shutil.copy(
        XSD / "felleskomponent1.xsd", root / "skjema" / "henvisning" / "felleskomponent1.xsd"
    )
    return root / "skjema"


def test_the_official_xsds_in_the_archives_folder_tree_validate_every_example(tmp_path):
    catalog = XsdCatalog.load(_sarepta_tree(tmp_path))
    assert "http://www.kith.no/xmlstds" in catalog.duplicates()
    for name in _examples():
        message = read_message(read_xml_file(OFFICIAL / name).tree, name)
        outcome = catalog.validate(message)
        assert (outcome.violations, outcome.not_validated) == ((), ()), name


@pytest.mark.parametrize("name", [name for name in sorted(REVIEW) if name.startswith("epikrise")])
def test_an_official_epikrise_is_read_as_an_epicrisis_with_its_content(name):
    result = check_file(OFFICIAL / name)
    assert result.documents == 1
    assert not any(f.rule == "KITH-004" for f in result.findings)
    (document,) = map_contents(read_message(read_xml_file(OFFICIAL / name).tree, name))
    value = document.value
    assert document.kind == "epicrisis"
    assert value["author"]["hpr"]  # the responsible doctor (RelServProvider AHP)
    assert value["institution"]["herId"]
    assert value["patient"]["identifier"]["type"] == "FNR"
    if "_c." in name:  # the cancellation has no event
        assert {"period", "diagnoses", "medication", "summary"}.isdisjoint(value)
        return
    assert value["period"]["start"] <= value["period"]["end"]
    assert value["diagnoses"][0]["kind"] == "main"
    assert value["followUp"]["advice"]
    assert value["summary"]["treatment"]
    if "Legevakt" not in name:  # the emergency ward lists its medication as text only
        assert len(value["medication"]["items"]) == 5
    (info,) = [f for f in result.findings if f.rule == "KITH-023"]
    assert "read as an epicrisis (" in info.message()


@pytest.mark.parametrize("name", [name for name in sorted(REVIEW) if name.startswith("henvisning")])
def test_an_official_henvisning_is_read_where_the_xsd_puts_things(name):
    (document,) = map_contents(read_message(read_xml_file(OFFICIAL / name).tree, name))
    value = document.value
    assert value["sender"]["referrer"]["hpr"]  # AnsvarForRapport (HHE), with its HPR
    assert "municipalCoordinator" not in value  # the GP is not a coordinator
    if "gp" in value:
        assert value["gp"]["hpr"]
    if "Rettighetsvurdert" in name:
        assert value["pathwayInstanceId"]  # VurderingAvHenvisning/Opplysninger/ForlopsId
        assert value["assessment"]["rightToHealthcare"] is True
        assert "targetPathway" not in value  # cancer-pathway codes are not this kit's
    assert not document.scope.applies
