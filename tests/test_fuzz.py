"""Property-based fuzzing (Hypothesis): whatever the input, the kit returns findings.

The three readers (a JSON document, an NDJSON file, a KITH XML message) get arbitrary bytes;
whole small exports built from the examples get random mutations: bytes flipped, members
removed or duplicated, values replaced by extreme strings, numbers and dates, lines and
elements removed or repeated. The property: nothing raises, and no check fails inside
(no INTERNAL-001 finding, which is how the engine reports a rule that raised).

Two profiles (``PAKKEFORLOP_FUZZ`` chooses): ``ci`` (the default) is bounded and deterministic,
a minute at most for the whole file; ``long`` explores for as long as it is let run, e.g.
``PAKKEFORLOP_FUZZ=long python -m pytest tests/test_fuzz.py``. What a long run tried and
found is recorded in ``docs/guides/safety.md``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pakkeforlop.engine import check_export, check_file
from pakkeforlop.kith import parse_xml
from pakkeforlop.read import (
    DEFAULT_LIMITS,
    RECOVERABLE,
    InputProblemCode,
    iter_ndjson_file,
    parse_json,
)
from pakkeforlop.read.fast_json import fast_object
from pakkeforlop.read.files import _ndjson_line, _only_malformed
from pakkeforlop.read.json_parse import _Decoders
from pakkeforlop.report.build import build_report
from pakkeforlop.report.formats import html, json_report, junit, text

from .conftest import EXAMPLES
from .golden import everything

settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "long",
    max_examples=20_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("PAKKEFORLOP_FUZZ", "ci"))

_DEEP: list[Any] = []
for _ in range(70):
    _DEEP = [_DEEP]
#: Values that have broken parsers and date arithmetic elsewhere.
EXTREMES: list[Any] = [
    "",
    " ",
    "\x00",
    "\u202e",
    "\ud800",
    "x" * 70_000,
    "0001-01-01",
    "9999-12-31",
    "0001-01-01T00:00:00+02:00",
    "9999-12-31T23:59:59Z",
    "9999-12-31T23:59:59-14:00",
    "2025-02-29",
    "2025-13-01",
    "24:00:00",
    "14038510070",
    "140385 10070",
    "00000000000",
    "D11",
    "D11XG",
    "D99ZZ",
    0,
    -1,
    2**70,
    -(2**63),
    1e308,
    -1e-308,
    0.5,
    True,
    False,
    None,
    [],
    {},
    _DEEP,
    {"$schema": "https://schemas.pakkeforlop.no/v1/referral.schema.json"},
]
EXPORTS = ("d11-phv-adults-completed", "d10-newborn-ongoing", "kith-d11-phv-adults")


def _no_internal_error(findings: list[Any]) -> None:
    failed = [f.message() for f in findings if f.rule == "INTERNAL-001"]
    assert failed == []


def _render_all(result: Any) -> None:
    report = build_report([result])
    for render in (json_report.render, junit.render, html.render, text.render):
        assert render(report)


# --- The readers ---------------------------------------------------------------------------------


@given(st.binary(max_size=2000))
def test_any_bytes_as_a_json_document_give_a_value_or_problems(data):
    result = parse_json(data)
    if result.text is None:
        assert result.problems
    else:
        assert all(problem.code in RECOVERABLE for problem in result.problems)


@given(st.binary(max_size=2000))
def test_the_fast_parse_accepts_only_what_the_exact_parse_accepts_without_a_problem(data):
    value = fast_object(data, DEFAULT_LIMITS)
    if value is not None:
        exact = parse_json(data)
        assert exact.problems == ()
        assert exact.text is not None
        assert repr(exact.text.value) == repr(value)  # repr: 1 and 1.0, 0.0 and -0.0 differ


@given(st.text(max_size=500))
def test_any_text_as_a_json_document_gives_a_value_or_problems(data):
    result = parse_json(data)
    assert (result.text is None) == any(p.code not in RECOVERABLE for p in result.problems)


@given(st.binary(max_size=400) | st.text(max_size=200).map(lambda t: ("{" + t).encode()))
def test_a_line_read_briefly_is_one_the_full_parse_calls_malformed_only(line):
    # The reader skips the parse of a line when its one problem is surely that it is
    # malformed (beyond the findings kept): the full parse must say exactly that.
    if not _only_malformed(line, DEFAULT_LIMITS):
        return
    result = _ndjson_line(line, 1, 0, DEFAULT_LIMITS, _Decoders(DEFAULT_LIMITS.max_number_chars))
    assert result is not None
    assert [problem.code for problem in result.problems] == [InputProblemCode.MALFORMED]


@given(st.lists(st.binary(max_size=120), max_size=40))
def test_any_lines_as_an_events_file_give_results_in_order(tmp_path_factory, lines):
    path = tmp_path_factory.mktemp("ndjson") / "events.ndjson"
    path.write_bytes(b"\n".join(lines))
    numbers = [number for number, _ in iter_ndjson_file(path)]
    assert numbers == sorted(numbers)
    result = check_file(path)
    _no_internal_error(result.findings)
    assert everything(result) == everything(check_file(path, exact=True))


@given(st.binary(max_size=3000))
def test_any_bytes_as_xml_give_a_tree_or_problems(data):
    result = parse_xml(data)
    assert result.tree is not None or result.problems


# --- Whole exports, mutated ----------------------------------------------------------------------


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _mutate_json(document: Any, draw: Callable[[Any], Any]) -> str:
    """A JSON text: the document with one member removed, replaced or repeated."""
    paths = [path for path in _paths(document) if path]
    if not paths:
        return json.dumps(draw(st.sampled_from(EXTREMES)))
    path = draw(st.sampled_from(paths))
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    action = draw(st.sampled_from(["remove", "replace", "repeat"]))
    if action == "remove":
        del parent[path[-1]]
    elif action == "replace":
        parent[path[-1]] = draw(st.sampled_from(EXTREMES))
    elif isinstance(parent, dict):  # repeat a member: a duplicate key in the text
        key = json.dumps(path[-1])
        text = json.dumps(document, ensure_ascii=False)
        member = f"{key}: {json.dumps(parent[path[-1]], ensure_ascii=False)}"
        return text.replace(member, f"{member}, {member}", 1)
    else:
        parent.insert(path[-1], parent[path[-1]])
    return json.dumps(document, ensure_ascii=False, allow_nan=True)


def _mutate_xml(text: str, draw: Callable[[Any], Any]) -> str:
    """The message with an attribute or a text replaced, or an element removed or repeated."""
    action = draw(st.sampled_from(["attribute", "text", "remove", "repeat"]))
    if action == "attribute":
        sites = list(re.finditer(r'="([^"]*)"', text))
        site = draw(st.sampled_from(sites))
        value = str(draw(st.sampled_from(EXTREMES))).replace("&", "&amp;").replace('"', "&quot;")
        value = value.replace("<", "&lt;")
        return text[: site.start(1)] + value + text[site.end(1) :]
    if action == "text":
        sites = list(re.finditer(r">([^<]+)</", text))
        site = draw(st.sampled_from(sites))
        value = str(draw(st.sampled_from(EXTREMES))).replace("&", "&amp;").replace("<", "&lt;")
        return text[: site.start(1)] + value + text[site.end(1) :]
    elements = list(re.finditer(r"<(\w+)[^<>]*>[^<]*</\1>", text))
    element = draw(st.sampled_from(elements))
    kept = "" if action == "remove" else element.group() * 2
    return text[: element.start()] + kept + text[element.end() :]


def _encoded(text: str) -> bytes:
    """UTF-8, with a lone surrogate (an extreme value) written as its bytes: not UTF-8."""
    return text.encode("utf-8", "surrogatepass")


def _mutate_file(path: Path, draw: Callable[[Any], Any]) -> None:
    data = path.read_bytes()
    how = draw(st.sampled_from(["bytes", "structure", "lines"]))
    if how == "bytes" and data:
        positions = st.integers(0, len(data) - 1)
        flips = draw(st.lists(st.tuples(positions, st.integers(0, 255)), max_size=6))
        changed = bytearray(data)
        for position, value in flips:
            changed[position] = value
        path.write_bytes(bytes(changed))
    elif path.suffix == ".xml":
        path.write_bytes(_encoded(_mutate_xml(data.decode("utf-8"), draw)))
    elif path.suffix == ".ndjson":
        lines = data.decode("utf-8").splitlines()
        index = draw(st.integers(0, len(lines) - 1))
        if how == "lines":
            added = ["", "{", "[]", lines[index] * 2, lines[index]]
            lines.insert(index, draw(st.sampled_from(added)))
        else:
            lines[index] = _mutate_json(json.loads(lines[index]), draw)
        path.write_bytes(_encoded("\n".join(lines) + "\n"))
    else:
        path.write_bytes(_encoded(_mutate_json(json.loads(data), draw)))


@settings(max_examples=120) if os.environ.get("PAKKEFORLOP_FUZZ", "ci") == "ci" else settings()
@given(st.sampled_from(EXPORTS), st.data())
def test_a_mutated_export_gives_findings_never_an_error(tmp_path_factory, example, data):
    root = tmp_path_factory.mktemp("fuzz") / example
    shutil.copytree(EXAMPLES / "valid" / example, root)
    files = sorted(path for path in root.iterdir() if path.is_file())
    for path in data.draw(st.lists(st.sampled_from(files), min_size=1, max_size=3, unique=True)):
        _mutate_file(path, data.draw)
    result = check_export(root, display_root=example)
    _no_internal_error(result.findings)
    _render_all(result)
    # The fast paths take what they can of the mutated files: the exact path must agree.
    assert everything(result) == everything(check_export(root, display_root=example, exact=True))
