"""The guarded fast parse gives a value only where the exact parser gives the same with no
problem, and its guards let the common document through.

A differential test writes random JSON texts the way exporters and attackers might: keys
repeated in nested objects, names and strings with colons, quotes and digits written plainly
or escaped, whitespace before colons, long runs of digits in strings and in numbers, deep
nesting, and the values jsonschema-rs's formats judge differently (year zero, a leap second).
Small limits put the depth and number guards at their edges. Each guard also has examples
that fail without it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from pakkeforlop.read import DEFAULT_LIMITS, Limits, fast_json, parse_json
from pakkeforlop.read.fast_json import fast_object

#: Limits small enough that random texts cross them often.
SMALL = Limits(max_depth=3, max_number_chars=10)
SPACES = st.sampled_from(["", " ", "\n  ", "\t", " \r\n"])
#: Names and strings that test the guards: colons, quotes, digits, format edges.
WORDS = st.sampled_from(
    [
        "a",
        "b",
        ":",
        '":',
        'a":',
        "x y",
        "{[",
        "0000-01-01",
        "2016-12-31T23:59:60Z",
        "10:60",
        "12345678901234",
        "2024-06-17T10:39:00+02:00",
        "\\",
        "é",
    ]
)
NUMBERS = st.sampled_from(
    ["0", "-0", "1.5", "1e5", "-12.25E-3", "60", "9" * 11, "-1." + "0" * 101, "1" * 40 + "e1"]
) | st.integers(min_value=1, max_value=30).map(lambda length: "9" * length)


@st.composite
def json_strings(draw: st.DrawFn, plain: bool) -> str:
    """A JSON string literal: each character written as itself, or escaped (unless
    ``plain``: then the text has no backslash, the case the fast parse's guards favour)."""
    alphabet = ":0123456789-{[, aé" + ("" if plain else '"\\')
    text = draw(WORDS | st.text(alphabet=st.sampled_from(alphabet), max_size=12))
    if plain:
        assume("\\" not in text and '"' not in text)
    escaped = draw(st.sampled_from(["none"] if plain else ["none", "ascii", "all"]))
    if escaped == "none":
        return json.dumps(text, ensure_ascii=False)
    if escaped == "ascii":
        return json.dumps(text)
    return '"' + "".join(f"\\u{ord(char):04x}" for char in text) + '"'


def _join(draw: st.DrawFn, parts: list[str], opening: str, closing: str) -> str:
    gap = draw(SPACES)
    return opening + gap + f"{draw(SPACES)},{gap}".join(parts) + draw(SPACES) + closing


@st.composite
def json_values(draw: st.DrawFn, plain: bool, depth: int = 0) -> str:
    """A JSON value whose objects may repeat keys, however it is written."""
    kind = draw(st.sampled_from(["object", "array", "string", "number", "constant"]))
    if depth > 5 or kind == "string":
        return draw(json_strings(plain))
    if kind == "number":
        return draw(NUMBERS)
    if kind == "constant":
        return draw(st.sampled_from(["true", "false", "null"]))
    if kind == "array":
        items = draw(st.lists(json_values(plain, depth + 1), max_size=4))
        return _join(draw, items, "[", "]")
    return draw(json_objects(plain, depth))


@st.composite
def json_objects(draw: st.DrawFn, plain: bool, depth: int = 0) -> str:
    """A JSON object; a key may be written twice (the second time maybe spelled otherwise)."""
    keys = draw(st.lists(json_strings(plain), max_size=4))
    if keys and draw(st.integers(0, 5)) == 0:
        repeated = json.loads(draw(st.sampled_from(keys)))
        spelling = draw(st.sampled_from([False] if plain else [False, True]))
        keys.insert(draw(st.integers(0, len(keys))), json.dumps(repeated, ensure_ascii=spelling))
    values = [draw(json_values(plain, depth + 1)) for _ in keys]
    members = [
        key + draw(SPACES) + ":" + draw(SPACES) + value
        for key, value in zip(keys, values, strict=True)
    ]
    return _join(draw, members, "{", "}")


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [*value, *(s for item in value.values() for s in _strings(item))]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def _agrees(data: bytes, limits: Limits) -> bool:
    """The property: a value from the fast parse is the exact parser's, with no problem, and
    holds no string jsonschema-rs's formats judge otherwise. Whether it gave one."""
    value = fast_object(data, limits)
    if value is None:
        return False
    exact = parse_json(data, limits)
    assert exact.problems == ()
    assert exact.text is not None
    assert repr(exact.text.value) == repr(value)  # repr: 1 and 1.0, 0.0 and -0.0 differ
    assert not [s for s in _strings(value) if s.startswith("0000-") or ":60" in s]
    return True


@settings(
    max_examples=1000,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(st.booleans().flatmap(json_objects), st.sampled_from([DEFAULT_LIMITS, SMALL]))
def test_the_fast_parse_gives_only_what_the_exact_parse_gives_without_a_problem(
    text: str, limits: Limits
) -> None:
    _agrees(text.encode(), limits)


def test_random_texts_are_often_taken_fast_and_often_not() -> None:
    # The differential test compared something: its texts fall on both sides of the guards.
    taken = 0
    total = 0

    @settings(max_examples=400, deadline=None, derandomize=True, database=None)
    @given(st.booleans().flatmap(json_objects), st.sampled_from([DEFAULT_LIMITS, SMALL]))
    def count(text: str, limits: Limits) -> None:
        nonlocal taken, total
        total += 1
        taken += _agrees(text.encode(), limits)

    count()
    assert 0.1 * total < taken < 0.9 * total


def _nested(depth: int) -> bytes:
    return ('{"a": ' * (depth - 1) + "{}" + "}" * (depth - 1)).encode()


LONG = "1" * 101


@pytest.mark.parametrize(
    "text",
    [
        '{"a": {"b": 1, "b": 2}}',  # a key repeated in a nested object
        '{"a": [{"b": ":", "b": 1}]}',
        '{"x": ":", "x": "::"}',
        '{"a" : 1, "a":2}',  # whitespace before a colon
        '{"a"\n:1, "b": {"a": 1, "a": 1}}',
        '{"\\u0061": 1, "a": 2}',  # the same key, written otherwise
        '{"q\\":": 1, "q\\":": 2}',  # an escaped quote before a colon
        '{"n": ' + LONG + "}",  # a number over the limit
        '{"n": ' + LONG + ', "s": "x"}',  # ... with a string after it
        '{"s": "' + "2" * 40 + '", "n": ' + LONG + ', "t": "y"}',
        '{"s": "' + "2" * 40 + '", "n": ' + LONG + "}",  # a long run in a string, then one out
        '{"s": ["' + '", "'.join(["3" * 40] * 30) + '"], "n": -' + LONG + ".5}",
        '{"s": "\\"' + "4" * 40 + '", "n": ' + LONG + "}",
        '{"d": "0000-01-01"}',  # year zero
        '{"t": "2016-12-31T23:59:60Z"}',  # a leap second
        '{"t": "2016-12-31T23:59\\u003a60Z"}',
        '{"k": {"0000-": 1}}',
        # A repeated key whose dropped member held what another guard looks for: the value
        # keeps none of it, so only the count of strings tells.
        '{"a": "x", "a": "y"}',
        '{"a" : "x",\n  "a"\n  : "y"}',  # whitespace before both colons
        '{"a": 1, "a": "s"}',  # a number dropped, a string kept: as many strings as values
        '{"a": {"b": "c"}, "a": "d"}',
        '{"a": [":", "\\":"], "a": [":", "\\":"]}',
        '{"n": ' + LONG + ', "n": "x"}',  # the value holds no number
        '{"n": -' + LONG + '.5, "n": "x"}',
        '{"a": ' + "[" * 70 + "]" * 70 + ', "a": []}',  # the value nests two deep
        '{"d": "0000-01-01", "d": "2024-01-01"}',  # the value holds no format doubt
        '{"t": "23:59:60", "t": "23:59:59"}',
        # A number over the limit where the value holds it deep, or as a float.
        '{"a": [{"b": [' + LONG + "]}]}",
        '{"a": [true, null, "' + "5" * 40 + '", 1.' + "0" * 100 + "]}",
        '{"a": [1' + "0" * 100 + "e-100]}",
        # A format doubt in an array, in a name, after other strings.
        '{"a": ["x", "2016-12-31T23:59:60+01:00"]}',
        '{"a": {"b": "c", "0000-01-01": "d"}}',
        '{"a": "b", "c": "10:60"}',
    ],
)
def test_what_the_exact_parse_would_report_or_formats_judge_otherwise_is_not_taken(
    text: str,
) -> None:
    assert fast_object(text.encode(), DEFAULT_LIMITS) is None


def test_nesting_beyond_the_limit_is_not_taken_and_up_to_it_is() -> None:
    assert fast_object(_nested(DEFAULT_LIMITS.max_depth + 1), DEFAULT_LIMITS) is None
    assert fast_object(_nested(DEFAULT_LIMITS.max_depth), DEFAULT_LIMITS) is not None
    brackets = '{"s": "' + "[{" * 40 + '", "a": [[[]]]}'  # many brackets, but in a string
    assert fast_object(brackets.encode(), DEFAULT_LIMITS) is not None


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1, "b": {"a": 2}}',  # the same key in two objects
        '{"x": ":", "y": "\\":", ":": {"::": ":"}}',
        '{"id": "' + "5" * 200 + '", "hex": "' + "ab12" * 40 + '"}',  # long runs in strings
        '{"many": ["' + '", "'.join(["6" * 40] * 50) + '"], "n": ' + "7" * 20 + "}",
        '{"short numbers": [' + ", ".join(["8"] * 60) + "]}",  # commas part them
        '{"when": "2024-06-17T10:39:00+02:00", "day": "2024-06-17", "minutes": 59}',
        '{\n  "name" : "Astrid",\n  "list": [\n    1,\n    2.5\n  ]\n}',
        '{"a": "b", "a ": "b", "A": "b", "b": {"a": "b"}}',  # alike, not repeated
        '{"a": [], "b": {}, "c": [[]], "d": [{}], "e": true, "f": null, "g": ["", ""]}',
        '{"s": "' + "9" * 200 + '", "t": true, "u": [false, null]}',  # no number in the value
        '{"a": ' + "[" * 63 + "]" * 63 + "}",  # nested as deep as the limit
        '{"t": "23:59:59", "d": "0001-01-01", "m": "12:06", "n": "x:6"}',
    ],
)
def test_common_texts_are_taken_fast(text: str) -> None:
    assert _agrees(text.encode(), DEFAULT_LIMITS)


def _manifest(*members: str) -> bytes:
    """A manifest-like text: many hexadecimal digests (long runs of digits in strings), and
    these members."""
    digests = ", ".join(
        f'{{"sha256": "{hashlib.sha256(bytes([index % 256, index // 256])).hexdigest()}"}}'
        for index in range(1500)
    )
    return ("{" + ", ".join([f'"files": [{digests}]', *members]) + "}").encode()


@pytest.mark.parametrize(
    ("members", "taken", "searched"),
    [
        ((), True, False),
        (('"digits": "' + "4" * 150 + '"',), True, False),  # a long run in a string
        (('"flags": [true, false, null]',), True, False),
        (('"count": 1500',), True, True),  # a number within the limit
        (('"number": ' + "4" * 150,), False, True),  # a number over the limit
        (('"number": -' + "4" * 150 + ".5",), False, True),
    ],
)
def test_a_text_is_searched_for_long_numbers_as_it_is_when_its_value_holds_a_number(
    members: tuple[str, ...], taken: bool, searched: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _manifest(*members)
    texts: list[bytes] = []
    real = fast_json._long_run_outside_strings_of

    def spied(text: bytes, max_number_chars: int) -> bool:
        texts.append(text)
        return real(text, max_number_chars)

    monkeypatch.setattr(fast_json, "_long_run_outside_strings_of", spied)
    assert _agrees(data, DEFAULT_LIMITS) is taken
    assert texts == ([data] if searched else [])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({}, (0, 1, False)),
        ({"a": "b"}, (2, 1, False)),
        ({"a": ["b", "c", [], {}], "d": {"e": {"f": "g"}}}, (7, 3, False)),
        ({"a": [True, False, None]}, (1, 2, False)),
        ({"a": [[[0]]]}, (1, 4, True)),
        ({"a": {"b": -1.5}}, (2, 2, True)),
        ({"a": "1", "b": ["2", 3]}, (4, 2, True)),
    ],
)
def test_the_census_counts_strings_measures_depth_and_finds_numbers(
    value: dict[str, Any], expected: tuple[int, int, bool]
) -> None:
    assert fast_json.census(value) == expected
