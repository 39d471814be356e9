"""The fast validator (jsonschema-rs, optional) gives exactly the reference's answers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pakkeforlop.cli import generate
from pakkeforlop.data import fixtures, schemas
from pakkeforlop.engine import SCHEMA_OF_KIND, check_export
from pakkeforlop.read.fast_json import formats_agree

from .conftest import EXAMPLES, REPO_ROOT

jsonschema_rs = pytest.importorskip(
    "jsonschema_rs", reason="the optional `fast` extra is not installed"
)

KIND_OF_SCHEMA = {schema_id: kind for kind, schema_id in SCHEMA_OF_KIND.items()}
EVENT_SCHEMA = SCHEMA_OF_KIND["pathway-event"]
BASES = {
    "event": ("events.ndjson", EVENT_SCHEMA),
    "referral": ("referral.json", SCHEMA_OF_KIND["referral"]),
}

#: Values where the two libraries' own rules differ (year 0, leap seconds, lower-case
#: separators, a trailing newline against ``$``, non-ASCII digits and spaces), each placed where
#: a document uses that definition: the fast path must agree with the reference on every one.
EDGE_CASES = {
    ("event", "/date"): ["0000-01-01", "2024-02-29", "2023-02-29", "2025-1-05", "٢٠٢٥-01-05"],
    ("event", "/recorded"): [
        "2025-03-14T09:30:00+01:00",
        "2025-03-14t09:30:00z",
        "2025-03-14T09:30:00",
        "2025-03-14T23:59:60Z",
        "2025-12-31T23:59:60Z",
        "2025-03-14T24:00:00Z",
        "2025-03-14T09:30:00.123456789+01:00",
    ],
    ("event", "/institution/orgNumber"): [
        "974633760",
        "974633760\n",
        "\uff19\uff17\uff14\uff16\uff13\uff13\uff17\uff16\uff10",
    ],
    ("event", "/institution/herId"): ["0", "01", "8094866", "\uff11\uff12", "8094866\n"],
    ("event", "/code"): ["D11A", "D11A\n", "d11a", "D11CP "],
    ("referral", "/sender/phone"): ["+47 22 11 84 00", "22  118400", "2211 8400\n"],
    ("referral", "/content/reason"): [" ", "\n", "a", "\u00a0", "\u2003x"],
}


def _agree(schema_id: str, value: Any) -> bool:
    fast = schemas.fast_validity(schema_id)
    assert fast is not None
    return fast(value) == schemas.validator(schema_id).is_valid(value)


def _base(kind: str) -> Any:
    name, _ = BASES[kind]
    text = (EXAMPLES / "valid" / "d11-phv-adults-completed" / name).read_text(encoding="utf-8")
    return json.loads(text.splitlines()[0] if name.endswith(".ndjson") else text)


def _documents_in(root: Path) -> Iterator[tuple[str, Any]]:
    for path in sorted(root.rglob("*.json")):
        try:
            value = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, ValueError, OSError):
            continue
        if isinstance(value, dict) and value.get("$schema") in KIND_OF_SCHEMA:
            yield value["$schema"], value
    for path in sorted(root.rglob("*.ndjson")):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                yield EVENT_SCHEMA, json.loads(line)
            except ValueError:
                continue


def _fixture_exports(tmp_path: Path) -> Iterator[Path]:
    for rule_fixtures in fixtures.load(REPO_ROOT / "spec" / "fixtures").values():
        for case in rule_fixtures.cases:
            if case.base is None:
                continue
            try:
                yield fixtures.materialize(
                    case, EXAMPLES / "valid", tmp_path / f"{rule_fixtures.rule}-{case.name}"
                )
            except OSError:
                continue


def _findings(root: Path) -> list[tuple[str, str, int | None, str | None]]:
    return [
        (f.rule, f.file, f.line, f.pointer) for f in check_export(root, display_root="").findings
    ]


def test_the_fast_path_is_in_use():
    assert schemas.fast_validity(EVENT_SCHEMA) is not None


@pytest.mark.parametrize(
    ("kind", "pointer", "value"),
    [(kind, pointer, value) for (kind, pointer), values in EDGE_CASES.items() for value in values],
)
def test_the_fast_path_agrees_on_edge_cases(kind, pointer, value):
    document = fixtures.apply_pointer_edit(_base(kind), "add", pointer, value)
    assert _agree(BASES[kind][1], document)


def test_the_fast_path_agrees_on_every_example_and_fixture_document(tmp_path):
    checked = disagreements = 0
    for root in [EXAMPLES, *_fixture_exports(tmp_path)]:
        for schema_id, value in _documents_in(root):
            checked += 1
            disagreements += not _agree(schema_id, value)
    assert checked > 500
    assert disagreements == 0


@pytest.mark.parametrize(
    "export", sorted((EXAMPLES / "invalid").iterdir()), ids=lambda path: path.name
)
def test_the_engine_finds_the_same_with_and_without_the_fast_path(export, monkeypatch):
    fast = _findings(export)
    monkeypatch.setenv(schemas.REFERENCE_ONLY_VARIABLE, "1")
    assert schemas.fast_validity(EVENT_SCHEMA) is None
    assert _findings(export) == fast


@pytest.mark.parametrize("seed", [3, 11])
def test_the_fast_path_agrees_on_generated_exports_with_defects(tmp_path, seed):
    out = tmp_path / f"export-{seed}"
    arguments = ["--pathways", "150", "--seed", str(seed), "--defect-rate", "0.4", "-q"]
    assert generate.main([*arguments, "--out", str(out)]) == 0
    checked = disagreements = 0
    for schema_id, value in _documents_in(out):
        checked += 1
        disagreements += not _agree(schema_id, value)
    assert checked > 1000
    assert disagreements == 0


FORMAT_VALUES = [
    "2021-01-01",
    "2021-02-30",
    "2020-02-29",
    "2021-13-01",
    "2021-1-01",
    "2021-01-01T10:50:00+01:00",
    "2021-01-01t10:50:00z",
    "2021-01-01T24:00:00Z",
    "2021-01-01T23:59:60Z",
    "2021-01-01 10:50:00Z",
    "",
    "/a/b",
    "/a~1b/~0",
    "a",
    "/~2",
    "\u0662\u0660\u0662\u0661-01-01",  # digits, but not ASCII ones
]


@pytest.mark.parametrize("name", ["date", "date-time", "json-pointer", "not-a-format"])
def test_the_fast_paths_format_checks_answer_as_the_reference_does(name: str) -> None:
    conforms = schemas._reference_format(name)
    reference = schemas.format_checker()
    answers = [conforms(value) for value in FORMAT_VALUES]
    assert answers == [reference.conforms(value, name) for value in FORMAT_VALUES]
    assert any(answers)  # the values exercise both answers (an unknown format conforms)
    assert not all(answers) or name == "not-a-format"


DATE_LIKE = st.from_regex(
    r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"([Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2})?)?\n?\Z"
)


@pytest.mark.parametrize("name", ["date", "date-time"])
@given(value=DATE_LIKE | st.sampled_from(FORMAT_VALUES) | st.text(max_size=30))
@settings(max_examples=400, deadline=None)
def test_native_formats_agree_with_the_reference_where_the_guard_lets_them(name, value):
    text = json.dumps({"v": value}, ensure_ascii=False).encode()
    native = jsonschema_rs.validator_for({"format": name}, validate_formats=True)
    if formats_agree(text):
        assert native.is_valid(value) == schemas.format_checker().conforms(value, name)


@pytest.mark.parametrize(
    "text", [b'{"v":"0000-01-01"}', b'{"v":"2025-12-31T23:59:60Z"}', b'{"v":"\\u0030000-01-01"}']
)
def test_the_guard_keeps_the_values_the_formats_disagree_on_from_the_native_check(text):
    value = json.loads(text)["v"]
    name = "date-time" if "T" in value else "date"
    native = jsonschema_rs.validator_for({"format": name}, validate_formats=True)
    assert native.is_valid(value)
    assert not schemas.format_checker().conforms(value, name)
    assert not formats_agree(text)
