"""Clean generated exports changed in clinically correct ways give no error finding.

The domain review (issue 15) found false errors on correct hospital data; each class of its
probes is applied here to freshly generated exports of several seeds, the way a hospital's
real export differs from the generator's: an extract of a period, a move between units of one
health trust, a patient without a GP, a medication list given as text or without regular
medication, referrals from services with no municipal coordinator, and codes added to the
code list after the kit's snapshot. None of them may give an error; the fixtures in
``spec/fixtures`` pin the same classes on the bundled examples.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from pakkeforlop.data import fixtures
from pakkeforlop.data.catalogue import Severity
from pakkeforlop.engine import check_export
from pakkeforlop.model.findings import Finding
from pakkeforlop.synthetic import GeneratorConfig, generate

from .conftest import EXAMPLES

SEEDS = (3, 11, 29)
GENERATED_EXAMPLE = EXAMPLES / "valid" / "generated-seed-7"
GENERATED_EXAMPLE_CONFIG = {
    "pathways": 8,
    "seed": 7,
    "start": "2023-06-01",
    "end": "2025-06-30",
}


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _dump(path: Path, value: Any) -> None:
    path.write_text(json.dumps(value, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _documents(root: Path, folder: str) -> Iterator[tuple[Path, dict[str, Any]]]:
    for path in sorted((root / folder).rglob("*.json")):
        yield path, _load(path)


def _events(root: Path) -> Iterator[tuple[Path, list[dict[str, Any]]]]:
    for path in sorted((root / "events").glob("*.ndjson")):
        lines = path.read_text(encoding="utf-8").splitlines()
        yield path, [json.loads(line) for line in lines]


def _write_events(path: Path, events: list[dict[str, Any]]) -> None:
    text = "".join(json.dumps(event, ensure_ascii=False) + "\n" for event in events)
    path.write_text(text, encoding="utf-8")


# -- the probes -----------------------------------------------------------------------------------


def calendar_year(root: Path) -> None:
    """An extract of calendar year 2024."""
    fixtures.apply_edit(root, fixtures.Edit(op="slice-period", value=_year(2024)))


def tertial(root: Path) -> None:
    """NPR's second tertial of 2024."""
    period = {"from": "2024-05-01", "to": "2024-08-31"}
    fixtures.apply_edit(root, fixtures.Edit(op="slice-period", value=period))


def events_of_a_year_all_documents(root: Path) -> None:
    """The events of 2024 with every document of the patients, as an extract that selects
    events by date and documents by patient does: epicrises sent after the year included."""
    for path, events in _events(root):
        _write_events(path, [event for event in events if event["date"].startswith("2024")])
    manifest = _load(root / "manifest.json")
    manifest["period"] = _year(2024)
    _dump(root / "manifest.json", manifest)


def _year(year: int) -> dict[str, str]:
    return {"from": f"{year}-01-01", "to": f"{year}-12-31"}


def move_between_units(root: Path) -> None:
    """Every instance's later events are registered by another unit of the same trust."""
    units = sorted({e["institution"]["reshId"] for _, es in _events(root) for e in es})
    seen: dict[str, int] = {}
    for path, events in _events(root):
        for event in events:
            count = seen[event["instanceId"]] = seen.get(event["instanceId"], 0) + 1
            if count > 2:
                current = event["institution"]["reshId"]
                event["institution"]["reshId"] = next(u for u in units if u != current)
        _write_events(path, events)


def _without_gp(root: Path, *, stated: bool) -> None:
    for path, document in _documents(root, "referrals"):
        document.pop("gp", None)
        if stated:
            document["patient"]["hasRegularGp"] = False
        _dump(path, document)
    for folder in ("epicrises", "feedback"):
        for path, document in _documents(root, folder):
            document["recipients"] = [r for r in document["recipients"] if r["role"] != "gp"]
            if stated:
                document["patient"]["hasRegularGp"] = False
            _dump(path, document)


def no_gp_stated(root: Path) -> None:
    """Patients without a regular GP, stated as such; documents go to the referrer."""
    _without_gp(root, stated=True)


def no_gp_unstated(root: Path) -> None:
    """The same, without the statement (a system that has no field for it)."""
    _without_gp(root, stated=False)


def medication_as_text(root: Path) -> None:
    """Epicrises whose medication list is text, says no regular medication, or is missing."""
    for index, (path, document) in enumerate(_documents(root, "epicrises")):
        updated = document["medication"]["updated"]
        if index % 3 == 0:
            document["medication"] = {"updated": updated, "text": "Se legemiddelliste i teksten."}
        elif index % 3 == 1:
            document["medication"] = {"updated": updated, "noRegularMedication": True}
        else:
            del document["medication"]
        _dump(path, document)


SERVICES = ("nav", "child-welfare", "prison-health-service", "specialist-health-service")


def referrals_without_coordinator(root: Path) -> None:
    """Referrals from NAV, child welfare, the prison health service and other specialist
    units, none naming a municipal coordinator; a third of them onward referrals."""
    for index, (path, document) in enumerate(_documents(root, "referrals")):
        document.pop("municipalCoordinator", None)
        sender = document["sender"]
        sender["service"] = SERVICES[index % len(SERVICES)]
        sender["referrerIsGp"] = False
        if sender["service"] in ("nav", "child-welfare"):
            sender["referrer"].pop("hpr", None)  # not health personnel
        document["gpConsulted"] = True
        if index % 3 == 0:
            document["kind"] = "onward"
        _dump(path, document)


def codes_added_later(root: Path) -> None:
    """A completed pathway ends with a reason the snapshot lacks (as the 2023 transfer to a
    contract specialist would), in the events and in the epicrises."""
    for path, events in _events(root):
        for event in events:
            if event["code"].endswith("XG"):
                event["code"] = event["code"][:3] + "XS"
        _write_events(path, events)
    for path, document in _documents(root, "epicrises"):
        end = document["pathway"].get("endCode", "")
        if end.endswith("XG"):
            document["pathway"]["endCode"] = end[:3] + "XS"
            _dump(path, document)


PROBES: dict[str, Callable[[Path], None]] = {
    probe.__name__: probe
    for probe in (
        calendar_year,
        tertial,
        events_of_a_year_all_documents,
        move_between_units,
        no_gp_stated,
        no_gp_unstated,
        medication_as_text,
        referrals_without_coordinator,
        codes_added_later,
    )
}


def _errors(root: Path) -> list[Finding]:
    result = check_export(root, display_root="")
    return [finding for finding in result.findings if finding.severity is Severity.ERROR]


@pytest.fixture(scope="module", params=SEEDS)
def clean_export(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp(f"clean-{request.param}") / "export"
    generate(GeneratorConfig(out=root, pathways=40, seed=request.param))
    return root


def test_the_clean_generated_exports_have_no_error_or_warning(clean_export):
    result = check_export(clean_export, display_root="")
    assert [f.rule for f in result.findings if f.severity is not Severity.INFO] == []


@pytest.mark.parametrize("probe", PROBES)
def test_a_clinically_correct_change_gives_no_error(clean_export, probe, tmp_path):
    root = tmp_path / "probe"
    shutil.copytree(clean_export, root)
    PROBES[probe](root)
    fixtures.refresh_digests(root)
    assert [(f.rule, f.file, f.pointer) for f in _errors(root)] == []


def test_the_year_extract_reports_its_slices_for_information(clean_export, tmp_path):
    root = tmp_path / "probe"
    shutil.copytree(clean_export, root)
    calendar_year(root)
    fixtures.refresh_digests(root)
    findings = check_export(root, display_root="").findings
    slices = [f for f in findings if f.rule == "PATHWAY-020"]
    assert slices
    assert {f.severity for f in slices} == {Severity.INFO}
    assert not [f for f in findings if f.rule in {"PATHWAY-001", "PATHWAY-012"}]


def test_the_bundled_generated_example_is_what_the_generator_writes(tmp_path):
    root = tmp_path / "generated"
    config = GENERATED_EXAMPLE_CONFIG
    generate(
        GeneratorConfig(
            out=root,
            pathways=int(config["pathways"]),
            seed=int(config["seed"]),
            start=date.fromisoformat(str(config["start"])),
            end=date.fromisoformat(str(config["end"])),
        )
    )
    written = sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file())
    bundled = sorted(
        p.relative_to(GENERATED_EXAMPLE)
        for p in GENERATED_EXAMPLE.rglob("*")
        if p.is_file() and p.name != "README.md"
    )
    assert written == bundled
    for relative in written:
        assert (root / relative).read_bytes() == (GENERATED_EXAMPLE / relative).read_bytes()
