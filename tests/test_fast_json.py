"""The guarded fast parse gives a value only where the exact parser gives the same with no
problem, and its guards let the common document through.

A differential test writes random JSON texts the way exporters and attackers might: keys
repeated in nested objects, names and strings with colons, quotes and digits written plainly
or escaped, whitespace before colons, long runs of digits in strings and in numbers, deep
nesting, and the values jsonschema-rs's formats judge differently (year zero, a leap second).
Small limits put the depth and number guards at their edges. Each guard also has examples
that fail without it.

A second differential test is for the decoder (msgspec): any characters written raw or
escaped (surrogates, control characters, invalid UTF-8), numbers of every form and size,
constants and odd bytes; the texts on which JSON decoders are known to read otherwise than
json.loads are examples of their own.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import msgspec
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
    arrays = "[" * DEFAULT_LIMITS.max_depth + "]" * DEFAULT_LIMITS.max_depth
    assert fast_object(f'{{"a": {arrays}}}'.encode(), DEFAULT_LIMITS) is None
    assert fast_object(f'{{"a": {arrays[1:-1]}}}'.encode(), DEFAULT_LIMITS) is not None
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


def test_msgspec_escapes_only_quotes_backslashes_and_control_characters() -> None:
    # What the guard of a text with a backslash rests on (fast_json._no_key_dropped): the
    # value encoded again writes no escape in place of a colon or a digit, so its colons and
    # format doubts are those of its strings, written plainly.
    characters = [chr(code) for code in range(0x110000) if not 0xD800 <= code < 0xE000]
    written = msgspec.json.encode(characters)[2:-2].split(b'","')
    escaped = {
        char for char, item in zip(characters, written, strict=True) if item != char.encode()
    }
    assert escaped == {chr(code) for code in range(0x20)} | {'"', "\\"}


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


# --- The decoder ---------------------------------------------------------------------------------

#: Texts on which JSON decoders are known to differ from json.loads, or might: numbers at and
#: beyond the 64-bit ranges (orjson, for one, reads such an integer as a float) and a float's,
#: constants, surrogates, encodings, control characters, whitespace, trailing data. The fast
#: parse takes a text only as the exact parser reads it.
EDGES = [
    b'{"n": 18446744073709551616}',
    b'{"n": 18446744073709551615}',
    b'{"n": -9223372036854775809}',
    b'{"n": -9223372036854775808}',
    b'{"n": 123456789012345678901234567890}',
    b'{"n": [1, {"m": -123456789012345678901234567890}], "s": "x"}',
    b'{"n": -0, "m": -0.0, "o": 1E5, "p": 1e-400, "q": 9007199254740993.0}',
    b'{"n": 2.2250738585072011e-308, "m": 0.30000000000000004, "o": 5e-324}',
    b'{"n": 1e400}',
    b'{"n": NaN}',
    b'{"n": -Infinity}',
    b'\xef\xbb\xbf{"a": "b"}',
    b'{"a": "\\ud800"}',
    b'{"a": "\\udc00\\ud800"}',
    b'{"a": "\\ud800\\u0041"}',
    b'{"a": "\\ud83d\\ude00", "b": "\xf0\x9f\x98\x80"}',
    b'{"a": "\xed\xa0\x80"}',
    b'{"a": "\xc0\x80"}',
    b'{"a": "\xf4\x90\x80\x80"}',
    b'{"a": "\xff"}',
    b'{"a": "\x01"}',
    b'{"a": "\t"}',
    b'{"a": "\x7f\\u0000\xef\xbf\xbe\xe2\x80\xa8"}',
    b'{"a": "b"}\x00',
    b'{"a": "b"} x',
    b'{"a": "b"}\x0c',
    b'{"a"\x0b: "b"}',
    b'\xc2\xa0{"a": "b"}',
    b'{"a": ["b",]}',
    b'{"a": "b" /* c */}',
    b'{"a": 01}',
    b'{"a": "\\x41"}',
    b'{"a": "\\U00e9"}',
    b'{"\\u00e9": "x", "\xc3\xa9": "y"}',
]


SURROGATES = st.integers(0xD800, 0xDFFF).map(chr)
ONE_IN_TEN = st.sampled_from([False] * 9 + [True])


@st.composite
def decoder_strings(draw: st.DrawFn) -> bytes:
    """A string for the decoder: any character written raw or escaped; one time in ten, with
    surrogates (escaped, or as the bytes they would have: invalid UTF-8)."""
    if draw(ONE_IN_TEN):
        text = draw(st.text(st.characters() | SURROGATES, min_size=1))
        if draw(st.booleans()):
            return ('"' + text + '"').encode("utf-8", "surrogatepass")
        return json.dumps(text).encode()
    return json.dumps(draw(st.text()), ensure_ascii=draw(st.booleans())).encode()


STRINGS = decoder_strings()
#: Values: strings, numbers of every form and size, constants.
VALUES = STRINGS | st.one_of(
    st.integers().map(lambda number: str(number).encode()),
    st.integers(-(2**70), 2**70).map(lambda number: str(number).encode()),
    st.floats(allow_nan=False, allow_infinity=False).map(lambda number: repr(number).encode()),
    st.sampled_from([b"-0", b"1E400", b"-1e-400", b"true", b"false", b"null", b"[]", b"{}"]),
)
#: What may not belong in a text: invalid numbers, constants, control characters, odd whitespace
#: and bytes, a byte order mark.
ODD = st.sampled_from(
    [b"01", b"1.", b".5", b"+1", b"0x1", b"NaN", b"Infinity", b"True", b"\\", b"\x00", b"\t"]
)
ODD |= st.sampled_from(
    [b"\xef\xbb\xbf", b"\x0c", b"\x0b", b"\xc2\xa0", b"\xe2\x80\xa8", b",", b"]", b"}", b"\xff"]
)


@st.composite
def decoder_texts(draw: st.DrawFn) -> bytes:
    """An object of members (names and values as above); one time in ten, an odd piece in
    place of a value, in a string, or around the object."""
    names = draw(st.lists(STRINGS, max_size=5, unique=True))
    members = [name + b": " + draw(ODD if draw(ONE_IN_TEN) else VALUES) for name in names]
    text = b"{" + b", ".join(members) + b"}"
    if not draw(ONE_IN_TEN):
        return text
    where = draw(st.sampled_from(["string", "before", "after"]))
    if where == "string" and b'"' in text:
        at = text.index(b'"') + 1
        return text[:at] + draw(ODD) + text[at:]
    return draw(ODD) + text if where == "before" else text + draw(ODD)


@settings(max_examples=1000, deadline=None, derandomize=True, database=None)
@given(decoder_texts())
def test_the_decoder_gives_only_what_the_exact_parse_gives(data: bytes) -> None:
    _agrees(data, DEFAULT_LIMITS)


@pytest.mark.parametrize("data", EDGES)
def test_texts_a_decoder_may_read_otherwise_are_taken_only_as_the_exact_parse_reads_them(
    data: bytes,
) -> None:
    _agrees(data, DEFAULT_LIMITS)
