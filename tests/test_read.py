"""The hardened JSON reader: any input gives a value or located problems; input is never touched."""

from __future__ import annotations

import errno
import json
import os
import random
import socket
import sys
import tracemalloc
from pathlib import Path

import pytest

from pakkeforlop.read import (
    DEFAULT_LIMITS,
    RECOVERABLE,
    InputProblem,
    InputProblemCode,
    JsonText,
    Limits,
    ReadResult,
    iter_ndjson_file,
    parse_json,
    read_json_file,
)
from pakkeforlop.read import files as read_files

Code = InputProblemCode


# --- helpers ------------------------------------------------------------------------------------


def _fingerprint(path: Path) -> tuple[bytes, int, int]:
    status = path.stat()
    return path.read_bytes(), status.st_mtime_ns, status.st_mode


def _read_file(tmp_path: Path, data: bytes, limits: Limits = DEFAULT_LIMITS) -> ReadResult:
    """Write ``data``, read it with read_json_file, and check that the file is left as it was."""
    path = tmp_path / "document.json"
    path.write_bytes(data)
    before = _fingerprint(path)
    result = read_json_file(path, limits)
    assert _fingerprint(path) == before
    return result


def _read_ndjson(
    tmp_path: Path, data: bytes, limits: Limits = DEFAULT_LIMITS
) -> list[tuple[int, ReadResult]]:
    path = tmp_path / "events.ndjson"
    path.write_bytes(data)
    before = _fingerprint(path)
    results = list(iter_ndjson_file(path, limits))
    assert _fingerprint(path) == before
    return results


def _symlink_loop(folder: Path) -> None:
    (folder / "a").symlink_to(folder / "b")
    (folder / "b").symlink_to(folder / "a")


def _codes(result: ReadResult) -> list[InputProblemCode]:
    return [problem.code for problem in result.problems]


def _only(result: ReadResult, code: InputProblemCode) -> InputProblem:
    assert _codes(result) == [code], result.problems
    return result.problems[0]


def _offset(text: str, line: int, column: int) -> int:
    lines = text.split("\n")
    return sum(len(earlier) + 1 for earlier in lines[: line - 1]) + column - 1


def _pointers(value: object, pointer: str = "") -> list[tuple[str, object]]:
    found = [(pointer, value)]
    if isinstance(value, dict):
        for key, child in value.items():
            token = key.replace("~", "~0").replace("/", "~1")
            found += _pointers(child, f"{pointer}/{token}")
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _pointers(child, f"{pointer}/{index}")
    return found


# --- empty, whitespace, garbage -----------------------------------------------------------------


def test_an_empty_file_is_reported_as_empty(tmp_path):
    result = _read_file(tmp_path, b"")
    assert result.text is None
    assert _only(result, Code.EMPTY).message == "the input is empty"


@pytest.mark.parametrize(
    "data", [b" ", b"\n\n", b" \t\r\n  \n"], ids=["space", "newlines", "mixed"]
)
def test_a_whitespace_only_file_is_reported_as_empty(tmp_path, data):
    result = _read_file(tmp_path, data)
    assert result.text is None
    assert "whitespace" in _only(result, Code.EMPTY).message


def test_binary_garbage_is_not_utf8_with_the_byte_offset_and_line(tmp_path):
    garbage = b"\x00\x00" + random.Random(20251123).randbytes(4096)
    with pytest.raises(UnicodeDecodeError) as expected:
        garbage.decode("utf-8")
    result = _read_file(tmp_path, garbage)
    problem = _only(result, Code.NOT_UTF8)
    assert result.text is None
    assert f"at byte {expected.value.start}:" in problem.message
    assert problem.line == garbage.count(b"\n", 0, expected.value.start) + 1


def test_nul_bytes_that_are_valid_utf8_are_malformed_with_a_hint(tmp_path):
    problem = _only(_read_file(tmp_path, b"\x00\x00\x00\x00"), Code.MALFORMED)
    assert (problem.line, problem.column) == (1, 1)
    assert "NUL" in problem.message


def test_utf16_is_not_utf8_and_the_message_says_so(tmp_path):
    problem = _only(_read_file(tmp_path, '{"a": 1}'.encode("utf-16")), Code.NOT_UTF8)
    assert "UTF-16" in problem.message


# --- syntax -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "line", "column"),
    [
        (b'{"a": 1', 1, 8),
        (b'{"a": [1, 2', 1, 12),
        (b'{\n  "a": {\n    "b":', 3, 9),
        (b"{", 1, 2),
        (b'{"a": tr', 1, 7),
    ],
    ids=["after-a-number", "inside-an-array", "after-a-colon", "after-the-brace", "inside-true"],
)
def test_a_truncated_document_is_malformed_with_its_position(tmp_path, data, line, column):
    result = _read_file(tmp_path, data)
    problem = _only(result, Code.MALFORMED)
    assert result.text is None
    assert (problem.line, problem.column) == (line, column)
    if not data.endswith(b"tr"):
        assert "unexpected end of input" in problem.message


def test_a_document_truncated_inside_a_string_points_at_the_string(tmp_path):
    problem = _only(_read_file(tmp_path, b'{"a": 1,\n "b": "text that st'), Code.MALFORMED)
    assert (problem.line, problem.column) == (2, 7)
    assert "unexpected end of input" in problem.message


@pytest.mark.parametrize(
    ("data", "line", "column", "words"),
    [
        (b'{"a": 1,}', 1, 9, "double quotes"),
        (b'{"a": 1}\n{"b": 2}', 2, 1, "more data"),
        (b'{"a": "line\nbreak"}', 1, 12, "control character"),
        (b"{'a': 1}", 1, 2, "double quotes"),
    ],
    ids=["trailing-comma", "two-documents", "raw-newline-in-string", "single-quotes"],
)
def test_a_syntax_error_is_malformed_with_line_and_column(tmp_path, data, line, column, words):
    problem = _only(_read_file(tmp_path, data), Code.MALFORMED)
    assert (problem.line, problem.column) == (line, column)
    assert words in problem.message


def test_every_truncation_of_a_valid_document_is_a_problem_and_never_an_exception():
    document = '{\n  "navn": "Ærlig \\"Øst\\"",\n  "liste": [1, -2.5e3, true, null, {"x": []}]\n}\n'
    for end in range(len(document.rstrip())):
        result = parse_json(document[:end])
        assert result.text is None
        assert _codes(result) in ([Code.EMPTY], [Code.MALFORMED])


def test_randomly_damaged_documents_never_raise():
    original = json.dumps({"a": [1, 2.5, "x", {"b": None}], "c": {"d": [[True]]}}).encode()
    rng = random.Random(6901)
    for _ in range(2000):
        damaged = bytearray(original)
        for _ in range(rng.randint(1, 4)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        result = parse_json(bytes(damaged))
        assert all(isinstance(problem.code, InputProblemCode) for problem in result.problems)
        assert (result.text is None) == any(p.code not in RECOVERABLE for p in result.problems)


# --- byte order mark ----------------------------------------------------------------------------


def test_a_byte_order_mark_is_reported_and_the_document_still_parses(tmp_path):
    result = _read_file(tmp_path, b'\xef\xbb\xbf{\n  "a": [1, 2]\n}')
    assert _only(result, Code.BYTE_ORDER_MARK).line == 1
    assert result.text is not None
    assert result.text.value == {"a": [1, 2]}
    assert result.text.locate("/a/1") == (2, 12)


def test_a_byte_order_mark_does_not_hide_invalid_utf8_after_it(tmp_path):
    result = _read_file(tmp_path, b'\xef\xbb\xbf{"a": "\xff"}')
    assert _codes(result) == [Code.BYTE_ORDER_MARK, Code.NOT_UTF8]
    assert "at byte 10:" in result.problems[1].message


# --- UTF-8 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "byte", "line", "column"),
    [
        (b'{"a": "\xff"}', 7, 1, 8),
        (b'{\n  "a": "ok",\n  "b": "\xc3\xa6\xc3\x28"\n}', 25, 3, 10),
        (b'{\n  "a": "\xed\xa0\x80"\n}', 10, 2, 9),
    ],
    ids=["invalid-start-byte", "bad-continuation-on-line-3", "encoded-surrogate"],
)
def test_invalid_utf8_is_reported_with_byte_offset_line_and_column(
    tmp_path, data, byte, line, column
):
    problem = _only(_read_file(tmp_path, data), Code.NOT_UTF8)
    assert f"at byte {byte}:" in problem.message
    assert (problem.line, problem.column) == (line, column)


# --- depth and numbers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b"[" * 100_000,
        b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
    ],
    ids=["balanced-arrays", "unclosed-arrays", "objects"],
)
def test_a_100000_deep_nesting_is_too_deep_without_recursion_error(tmp_path, data):
    result = _read_file(tmp_path, data)
    problem = _only(result, Code.TOO_DEEP)
    assert result.text is None
    assert (problem.line, problem.column) == (1, 65 if data.startswith(b"[") else 321)
    assert problem.pointer is not None
    assert problem.pointer.count("/") == 64


@pytest.mark.parametrize(("depth", "too_deep"), [(64, False), (65, True), (500, True)])
def test_nesting_is_allowed_up_to_max_depth(depth, too_deep):
    result = parse_json('{"a":' + "[" * (depth - 1) + "]" * (depth - 1) + "}")
    assert (Code.TOO_DEEP in _codes(result)) is too_deep
    assert (result.text is None) is too_deep


def test_a_smaller_max_depth_reports_the_pointer_of_the_first_value_too_deep():
    problem = _only(parse_json('{"a": {"b": [1, [2]]}}', Limits(max_depth=3)), Code.TOO_DEEP)
    assert problem.pointer == "/a/b/1"
    assert (problem.line, problem.column) == (1, 17)


@pytest.mark.parametrize(
    ("literal", "length"),
    [
        ("9" * 100_000, 100_000),
        ("-" + "1" * 5000, 5001),
        ("0." + "5" * 200, 202),
        ("1" * 34 + "." + "2" * 33 + "e-" + "3" * 33, 103),
    ],
    ids=["100000-digit-integer", "5000-digit-negative", "long-fraction", "long-exponent"],
)
def test_a_long_number_is_number_too_long_with_its_pointer(tmp_path, literal, length):
    result = _read_file(tmp_path, b'{"n": [0, ' + literal.encode() + b"]}")
    problem = _only(result, Code.NUMBER_TOO_LONG)
    assert result.text is None
    assert (problem.pointer, problem.line, problem.column) == ("/n/1", 1, 11)
    assert f"{length} characters" in problem.message


def test_a_number_of_exactly_max_number_chars_is_accepted():
    literal = "1" * 50 + "." + "2" * 49
    result = parse_json('{"n": ' + literal + "}")
    assert result.problems == ()
    assert result.text is not None
    assert result.text.value["n"] == float(literal)


def test_a_long_run_of_digits_inside_a_string_is_not_a_number():
    result = parse_json('{"id": "' + "7" * 5000 + '", "n": 12}')
    assert result.problems == ()
    assert result.text is not None
    assert result.text.value["n"] == 12


# --- NaN and Infinity ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["NaN", "Infinity", "-Infinity"])
def test_non_standard_constants_are_refused_with_their_pointer(tmp_path, name):
    result = _read_file(tmp_path, b'{\n  "a": [1, ' + name.encode() + b"]\n}")
    problem = _only(result, Code.NON_STANDARD)
    assert result.text is None
    assert (problem.pointer, problem.line, problem.column) == ("/a/1", 2, 12)
    assert name in problem.message


def test_every_non_standard_constant_is_reported():
    result = parse_json('{"a": NaN, "b": {"c": Infinity}}')
    assert [(p.code, p.pointer) for p in result.problems] == [
        (Code.NON_STANDARD, "/a"),
        (Code.NON_STANDARD, "/b/c"),
    ]


# --- duplicate keys -----------------------------------------------------------------------------


def test_a_duplicate_key_is_reported_with_the_object_pointer_and_the_key(tmp_path):
    data = b'{\n  "a": {"x": 1, "y": 2,\n        "x": 3},\n  "b": 4\n}'
    result = _read_file(tmp_path, data)
    problem = _only(result, Code.DUPLICATE_KEY)
    assert problem.pointer == "/a"
    assert '"x"' in problem.message
    assert (problem.line, problem.column) == (3, 9)
    assert result.text is not None
    assert result.text.value == {"a": {"x": 3, "y": 2}, "b": 4}


def test_a_key_repeated_three_times_is_reported_once_and_the_last_value_wins():
    result = parse_json('{"k": 1, "k": 2, "k": 3}')
    problem = _only(result, Code.DUPLICATE_KEY)
    assert (problem.pointer, problem.column) == ("", 10)
    assert result.text is not None
    assert result.text.value == {"k": 3}
    assert result.text.locate("/k") == (1, 23)


def test_duplicates_in_different_objects_are_each_reported():
    result = parse_json('{"a": [{"k": 1, "k": 2}, {"k": 1}, {"a~/b": 1, "a~/b": 2}]}')
    assert [(p.code, p.pointer) for p in result.problems] == [
        (Code.DUPLICATE_KEY, "/a/0"),
        (Code.DUPLICATE_KEY, "/a/2"),
    ]
    assert '"a~/b"' in result.problems[1].message


def test_a_duplicate_key_written_with_escapes_is_still_a_duplicate():
    problem = _only(parse_json('{"\\u00e6": 1, "æ": 2}'), Code.DUPLICATE_KEY)
    assert '"æ"' in problem.message


@pytest.mark.parametrize(
    ("text", "repeated"),
    [
        ('{"a" :1, "a":2, "b":3}', "a"),  # as many '":' as members kept, but one name is spaced
        ('{"a"\n:1, "a":2, "b":3}', "a"),
        ('{"a"\t:1, "a":2, "b":3}', "a"),
        ('{"x": ":", "x": 1}', "x"),  # a string that starts with a colon
        ('{"q": "\\":", "q": 1}', "q"),  # an escaped quote before a colon
        ('{"a" : 1, "b" : {"a" : 2}}', None),
        ('{"x": ":", "y": "\\":"}', None),
        ('{":": 1, "::": {":": 2}}', None),
    ],
)
def test_repeated_keys_are_found_however_names_and_colons_are_written(
    text: str, repeated: str | None
) -> None:
    result = parse_json(text)
    found = [p for p in result.problems if p.code is Code.DUPLICATE_KEY]
    assert [json.dumps(repeated) in p.message for p in found] == ([True] if repeated else [])
    assert result.text is not None
    assert result.text.value == json.loads(text)


def _repeated_key(text: str) -> bool:
    """The oracle: whether any object of ``text`` repeats a key."""
    repeated = False

    def pairs(items: list[tuple[str, object]]) -> dict[str, object]:
        nonlocal repeated
        repeated = repeated or len({key for key, _ in items}) != len(items)
        return dict(items)

    json.loads(text, object_pairs_hook=pairs)
    return repeated


def _random_json(rng: random.Random, depth: int = 0) -> str:
    names = ["a", "b", ":", "a:", 'q\\"', "c d"]
    spaces = ["", " ", "\n", "\t "]
    if depth > 3 or rng.random() < 0.3:
        return rng.choice(['":"', '"::x"', '"\\":"', "1", "true", '"text"', "[]"])
    if rng.random() < 0.3:
        return "[" + ", ".join(_random_json(rng, depth + 1) for _ in range(rng.randint(0, 3))) + "]"
    members = [
        f'"{rng.choice(names)}"{rng.choice(spaces)}:{rng.choice(spaces)}'
        + _random_json(rng, depth + 1)
        for _ in range(rng.randint(0, 4))
    ]
    return "{" + ", ".join(members) + "}"


def test_repeated_keys_are_found_as_the_exact_parser_finds_them() -> None:
    rng = random.Random(9321)
    texts = [_random_json(rng) for _ in range(3000)]
    for text in texts:
        result = parse_json(text, require_object=False)
        found = any(p.code is Code.DUPLICATE_KEY for p in result.problems)
        assert found == _repeated_key(text), text
    assert 100 < sum(map(_repeated_key, texts)) < 2900


# --- top-level value ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "kind", "position"),
    [
        (b"[1, 2]", "an array", (1, 1)),
        (b"null", "null", (1, 1)),
        (b' "text"', "a string", (1, 2)),
        (b"\n42", "a number", (2, 1)),
    ],
    ids=["array", "null", "string", "number"],
)
def test_a_top_level_value_that_is_not_an_object_is_reported(tmp_path, data, kind, position):
    result = _read_file(tmp_path, data)
    problem = _only(result, Code.NOT_AN_OBJECT)
    assert result.text is None
    assert kind in problem.message
    assert problem.pointer == ""
    assert (problem.line, problem.column) == position


def test_any_top_level_value_is_accepted_when_no_object_is_required():
    result = parse_json("[1, null]", require_object=False)
    assert result.problems == ()
    assert result.text is not None
    assert result.text.value == [1, None]


# --- files --------------------------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_too_large_and_one_at_the_limit_is_read(tmp_path):
    assert _only(_read_file(tmp_path, b'{"a": 12345}', Limits(max_file_bytes=11)), Code.TOO_LARGE)
    assert _read_file(tmp_path, b'{"a": 12345}', Limits(max_file_bytes=12)).problems == ()


def test_a_symlink_loop_is_unreadable(tmp_path):
    _symlink_loop(tmp_path)
    result = read_json_file(tmp_path / "a")
    assert result.text is None
    assert "symbolic links" in _only(result, Code.UNREADABLE).message


def test_a_directory_is_unreadable(tmp_path):
    assert "directory" in _only(read_json_file(tmp_path), Code.UNREADABLE).message


@pytest.mark.parametrize(
    "name", ["missing.json", "bad\x00name.json"], ids=["missing", "nul-in-path"]
)
def test_a_path_that_cannot_be_opened_is_unreadable(tmp_path, name):
    _only(read_json_file(tmp_path / name), Code.UNREADABLE)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_is_unreadable_and_is_not_opened(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    assert "regular file" in _only(read_json_file(tmp_path / "pipe"), Code.UNREADABLE).message


def test_a_file_without_read_permission_is_unreadable(tmp_path, monkeypatch):
    # Root may read a file whatever its mode, so the refusal is the system's, simulated: the
    # same branch runs for root (as in CI) and for anyone else.
    path = tmp_path / "secret.json"
    path.write_bytes(b"{}")
    real_open = os.open

    def refused(file: object, flags: int, *args: object) -> int:
        if Path(str(file)) == path:
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, flags, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", refused)
    assert "denied" in _only(read_json_file(path), Code.UNREADABLE).message


def test_a_valid_file_gives_its_value_and_no_problems(tmp_path):
    result = _read_file(tmp_path, '{"navn": "Ærlig", "n": [1, 2.5]}'.encode())
    assert result.problems == ()
    assert result.text is not None
    assert result.text.value == {"navn": "Ærlig", "n": [1, 2.5]}


# --- NDJSON -------------------------------------------------------------------------------------


def test_an_ndjson_bad_line_in_the_middle_leaves_the_other_lines_readable(tmp_path):
    data = b'{"n": 1}\n\n{"n": 2,\n   \n{"n": 3}\n{"n": 3, "n": 4}\n[5]\n'
    results = _read_ndjson(tmp_path, data)
    assert [number for number, _ in results] == [1, 3, 5, 6, 7]
    assert [_codes(result) for _, result in results] == [
        [],
        [Code.MALFORMED],
        [],
        [Code.DUPLICATE_KEY],
        [Code.NOT_AN_OBJECT],
    ]
    assert [r.text.value if r.text else None for _, r in results] == [
        {"n": 1},
        None,
        {"n": 3},
        {"n": 4},
        None,
    ]
    malformed = results[1][1].problems[0]
    assert (malformed.line, malformed.column) == (3, 9)
    duplicate = results[3][1].problems[0]
    assert (duplicate.line, duplicate.column, duplicate.pointer) == (6, 10, "")


def test_an_ndjson_line_over_the_line_limit_is_too_large_and_reading_continues(tmp_path):
    long_line = b'{"text": "' + b"x" * 100 + b'"}'
    data = b'{"n": 1}\n' + long_line + b'\n{"n": 3}\n' + long_line
    results = _read_ndjson(tmp_path, data, Limits(max_line_bytes=20, max_file_bytes=10))
    assert [(number, _codes(result)) for number, result in results] == [
        (1, []),
        (2, [Code.TOO_LARGE]),
        (3, []),
        (4, [Code.TOO_LARGE]),
    ]
    assert results[1][1].problems[0].line == 2
    assert results[2][1].text is not None
    assert results[2][1].text.value == {"n": 3}


def test_an_ndjson_line_exactly_at_the_line_limit_is_read(tmp_path):
    results = _read_ndjson(tmp_path, b'{"n": 12345}\n{"n": 123456}\n', Limits(max_line_bytes=12))
    assert [(number, _codes(result)) for number, result in results] == [
        (1, []),
        (2, [Code.TOO_LARGE]),
    ]


def test_ndjson_invalid_utf8_gives_the_line_and_the_byte_offset_in_the_file(tmp_path):
    results = _read_ndjson(tmp_path, b'{"n": 1}\r\n{"n": "\xff"}\r\n{"n": 3}\r\n')
    assert [(number, _codes(result)) for number, result in results] == [
        (1, []),
        (2, [Code.NOT_UTF8]),
        (3, []),
    ]
    problem = results[1][1].problems[0]
    assert (problem.line, problem.column) == (2, 8)
    assert "at byte 17:" in problem.message


def test_ndjson_with_a_byte_order_mark_reports_it_on_line_1_and_reads_the_line(tmp_path):
    results = _read_ndjson(tmp_path, b'\xef\xbb\xbf{"n": 1}\n{"n": 2}\n')
    assert [(number, _codes(result)) for number, result in results] == [
        (1, [Code.BYTE_ORDER_MARK]),
        (2, []),
    ]


def test_ndjson_binary_garbage_never_raises(tmp_path):
    results = _read_ndjson(tmp_path, random.Random(3).randbytes(20_000))
    numbers = [number for number, _ in results]
    assert numbers == sorted(set(numbers))
    assert all(result.problems for _, result in results)


def test_an_empty_ndjson_file_yields_nothing(tmp_path):
    assert _read_ndjson(tmp_path, b"") == []
    assert _read_ndjson(tmp_path, b"\n \n") == []


def test_an_ndjson_directory_or_symlink_loop_is_one_problem_on_line_0(tmp_path):
    _symlink_loop(tmp_path)
    for path in (tmp_path, tmp_path / "a", tmp_path / "missing.ndjson"):
        results = list(iter_ndjson_file(path))
        assert [(number, _codes(result)) for number, result in results] == [(0, [Code.UNREADABLE])]


def test_the_ndjson_file_size_limit_is_not_applied_to_the_whole_file(tmp_path):
    results = _read_ndjson(tmp_path, b'{"n": 1}\n' * 100, Limits(max_file_bytes=50))
    assert len(results) == 100
    assert all(result.problems == () for _, result in results)


def test_a_deep_ndjson_line_is_too_deep_on_its_own_line(tmp_path):
    results = _read_ndjson(tmp_path, b'{"n": 1}\n{"a": ' + b"[" * 100_000 + b"\n{}\n")
    assert [(number, _codes(result)) for number, result in results] == [
        (1, []),
        (2, [Code.TOO_DEEP]),
        (3, []),
    ]
    assert results[1][1].problems[0].line == 2


# --- locate -------------------------------------------------------------------------------------

LOCATE_SOURCE = """{
  "pasient": {"navn": "Åse Ørn 😀", "født": "1980-01-01"},
  "hendelser": [
    {"kode": "A11", "tider": [1, 2.5, -3e2]},
    {"kode": "B22", "merknad": null, "ok": true}
  ],
  "a/b": {"m~n": 1, "q\\"uote": 2, "back\\\\slash": 3, "\\u00fc\\/x": [[], {}]},
  "": "empty key",
  "😀": "æøå 😀", "tail": false
}
"""


@pytest.fixture(scope="module")
def located() -> JsonText:
    result = parse_json(LOCATE_SOURCE)
    assert result.problems == ()
    assert result.text is not None
    return result.text


@pytest.mark.parametrize(
    ("pointer", "position"),
    [
        ("", (1, 1)),
        ("/pasient", (2, 14)),
        ("/pasient/født", (2, 44)),
        ("/hendelser", (3, 16)),
        ("/hendelser/0/tider/2", (4, 39)),
        ("/hendelser/1/ok", (5, 44)),
        ("/a~1b/m~0n", (7, 18)),
        ('/a~1b/q"uote', (7, 32)),
        ("/a~1b/back\\slash", (7, 50)),
        ("/a~1b/ü~1x/1", (7, 71)),
        ("/", (8, 7)),
        ("/tail", (9, 25)),
    ],
)
def test_locate_finds_nested_values_escaped_keys_and_columns_in_characters(
    located, pointer, position
):
    assert located.locate(pointer) == position


def test_locate_finds_the_start_of_every_value_in_the_document(located):
    decoder = json.JSONDecoder()
    for pointer, value in _pointers(located.value):
        position = located.locate(pointer)
        assert position is not None, pointer
        found, _ = decoder.raw_decode(LOCATE_SOURCE, _offset(LOCATE_SOURCE, *position))
        assert found == value, pointer


@pytest.mark.parametrize(
    ("pointer", "position"),
    [
        ("/missing", (1, 1)),
        ("/pasient/missing", (2, 14)),
        ("/pasient/missing/deeper", (2, 14)),
        ("/hendelser/2", (3, 16)),
        ("/hendelser/-", (3, 16)),
        ("/hendelser/01", (3, 16)),
        ("/pasient/navn/0", (2, 23)),
        ("/ü~1x/1", (1, 1)),
    ],
)
def test_locate_gives_the_deepest_existing_value_for_a_pointer_that_does_not_exist(
    located, pointer, position
):
    assert located.locate(pointer) == position


@pytest.mark.parametrize("pointer", ["pasient", "#/pasient", "/pasient~2", "/~"])
def test_locate_gives_none_for_a_string_that_is_not_a_json_pointer(located, pointer):
    assert located.locate(pointer) is None


def test_locate_on_an_ndjson_line_counts_lines_from_the_start_of_the_file(tmp_path):
    results = _read_ndjson(tmp_path, b'{"n": 1}\n\n{"a": {"b": [true, "x"]}}\n')
    number, result = results[1]
    assert number == 3
    assert result.text is not None
    assert result.text.line_offset == 2
    assert result.text.locate("/a/b/1") == (3, 20)
    assert result.text.locate("/nothing") == (3, 1)


def test_locate_with_a_line_offset_from_parse_json():
    result = parse_json('{"a":\n  [1, 2]}', line_offset=10)
    assert result.text is not None
    assert result.text.locate("/a/1") == (12, 7)


def test_locate_scans_a_100000_deep_source_without_recursion():
    text = JsonText(None, "[" * 100_000 + "]" * 100_000)
    assert text.locate("/0/0/0") == (1, 4)
    assert text.locate("/0" * 1000) == (1, 1001)
    assert text.locate("/0/0/1") == (1, 3)


def test_locate_is_cached_and_repeatable(located):
    first = located.locate("/hendelser/1/merknad")
    assert first == (5, 32)
    assert located.locate("/hendelser/1/merknad") == first


# --- failures while reading, report limits, privacy ----------------------------------------------


class _FailingReader:
    """A binary file whose second read fails, as a disk or network share might."""

    def __init__(self, handle):
        self._handle = handle
        self._calls = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self._handle.close()

    def read(self, size=-1):
        self._calls += 1
        if self._calls == 2:
            raise OSError(errno.EIO, "Input/output error")
        return self._handle.read(size)


def test_a_read_error_in_the_middle_of_an_ndjson_file_is_reported_on_line_0(tmp_path, monkeypatch):
    path = tmp_path / "events.ndjson"
    path.write_bytes(b'{"n": 1}\n{"n": 2}\n')
    real_open = Path.open
    monkeypatch.setattr(read_files, "_BLOCK_BYTES", 9)  # one line per read
    monkeypatch.setattr(
        Path, "open", lambda self, *a, **k: _FailingReader(real_open(self, *a, **k))
    )
    results = list(iter_ndjson_file(path))
    monkeypatch.undo()
    assert [(number, _codes(result)) for number, result in results] == [
        (1, []),
        (0, [Code.UNREADABLE]),
    ]
    assert "after line 1: Input/output error" in results[1][1].problems[0].message
    assert path.read_bytes() == b'{"n": 1}\n{"n": 2}\n'


class _Collected(bytearray):
    """A sink that keeps what it is given."""

    def update(self, data: bytes, /) -> None:
        self.extend(data)


def _lines_by_splitting(data: bytes, max_line_bytes: int) -> list[tuple[int, bytes | None, int]]:
    """What reading NDJSON line by line gives: the reference for the block reader."""
    pieces = data.split(b"\n")
    if pieces[-1] == b"":
        pieces.pop()  # a newline ends the last line; it does not start another
    lines, start = [], 0
    for number, piece in enumerate(pieces, 1):
        lines.append((number, piece if len(piece) <= max_line_bytes else None, start))
        start += len(piece) + 1
    return lines


@pytest.mark.parametrize("seed", range(40))
def test_ndjson_lines_read_in_blocks_are_the_lines_of_the_file(tmp_path, monkeypatch, seed):
    """Lines across block boundaries, over the limit, at its edge, or with no final newline."""
    rng = random.Random(seed)
    data = bytes(rng.choice(b"ab\r\n") for _ in range(rng.randrange(0, 300)))
    max_line_bytes = rng.randrange(1, 12)
    monkeypatch.setattr(read_files, "_BLOCK_BYTES", rng.randrange(1, 16))
    path = tmp_path / "events.ndjson"
    path.write_bytes(data)
    read = _Collected()
    lines = []
    with path.open("rb", buffering=0) as handle:
        for first, block_start, block, lengths in read_files._line_blocks(
            handle, max_line_bytes, read
        ):
            assert block  # no empty block
            start = block_start
            for index, (line, length) in enumerate(zip(block, lengths, strict=True)):
                lines.append((first + index, line, start))
                start += length + 1
    assert lines == _lines_by_splitting(data, max_line_bytes)
    assert bytes(read) == data  # the digest sees every byte, in order


@pytest.mark.parametrize("seed", range(20))
def test_lines_taken_a_block_at_a_time_leave_the_others_as_they_were(tmp_path, monkeypatch, seed):
    """The lines a fast reader leaves are read as if it were not there, in file order (their
    places in the file too: a byte not UTF-8 is reported at its offset)."""
    rng = random.Random(seed)
    pieces = [
        rng.choice([b'{"n": 1}', b"{", b"", b"  ", b'{"n": "x"}\r', b"[" * 9, b'"\xff"'])
        for _ in range(60)
    ]
    path = tmp_path / "events.ndjson"
    path.write_bytes(b"\n".join(pieces) + rng.choice([b"", b"\n"]))
    limits = Limits(max_line_bytes=8)
    monkeypatch.setattr(read_files, "_BLOCK_BYTES", rng.randrange(1, 40))
    offered: list[int] = []
    taken: set[int] = set()

    def fast(first: int, lines: list[bytes | None], index: int) -> int:
        while index < len(lines):
            if lines[index] is None or rng.random() < 0.5:  # (over the limit: left)
                return index
            offered.append(first + index)
            taken.add(first + index)
            index += 1
        return index

    def comparable(number: int, result: ReadResult) -> tuple[object, ...]:
        return number, result.problems, None if result.text is None else result.text.value

    results = [comparable(*found) for found in iter_ndjson_file(path, limits, fast=fast)]
    everything = [comparable(*found) for found in iter_ndjson_file(path, limits)]
    assert results == [found for found in everything if found[0] not in taken]
    data = path.read_bytes()
    starts = {number: start for number, _, start in _lines_by_splitting(data, 8)}
    for number, problems, _ in results:
        for problem in problems:
            if problem.code is InputProblemCode.NOT_UTF8:  # at its place in the file
                place = data.index(b"\xff", starts[number])
                assert f"at byte {place}:" in problem.message
    assert offered == sorted(set(offered))  # each line taken once, in order
    assert len(taken) > 5


def test_a_permission_error_on_open_is_unreadable(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    path = tmp_path / "document.json"
    path.write_bytes(b"{}")
    monkeypatch.setattr(os, "open", refuse)
    problem = _only(read_json_file(path), Code.UNREADABLE)
    assert problem.message == "cannot read the file: Permission denied"


def test_at_most_50_problems_of_one_kind_are_listed_and_the_rest_are_counted():
    result = parse_json('{"a": [' + ", ".join(["NaN"] * 60) + "]}")
    assert len(result.problems) == 51
    assert result.problems[49].pointer == "/a/49"
    assert result.problems[50].message == "10 more non-standard problem(s) not listed"


SECRET = "Kari Nordmann 01017012345"


@pytest.mark.parametrize(
    "data",
    [
        f'{{"navn": "{SECRET}" "x": 1}}'.encode(),
        f'{{"navn": "{SECRET}\n"}}'.encode(),
        f'{{"navn": "{SECRET}'.encode(),
        f'{{"navn": "{SECRET}", "x": NaN}}'.encode(),
        f'{{"navn": "{SECRET}", "x": {"1" * 200}}}'.encode(),
        f'{{"navn": "{SECRET}", "navn": 1}}'.encode(),
        f'{{"navn": "{SECRET}\xff"}}'.encode("latin-1"),
        f'["{SECRET}"]'.encode(),
    ],
    ids=["malformed", "control-char", "truncated", "nan", "long-number", "dup", "latin-1", "array"],
)
def test_messages_never_quote_document_content(data):
    result = parse_json(data)
    assert result.problems
    for problem in result.problems:
        assert "Kari" not in problem.message
        assert "01017012345" not in problem.message


def test_ndjson_is_streamed_so_memory_does_not_grow_with_the_file(tmp_path):
    path = tmp_path / "events.ndjson"
    line = json.dumps({"kode": "A11", "tekst": "x" * 200}).encode() + b"\n"
    path.write_bytes(line * 20_000)  # about 5 MB
    tracemalloc.start()
    try:
        count = sum(1 for _, result in iter_ndjson_file(path) if result.text is not None)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 20_000
    assert peak < 1_000_000


def test_a_line_over_the_limit_is_passed_by_without_being_kept(tmp_path):
    path = tmp_path / "events.ndjson"
    path.write_bytes(b'{"n": 1}\n' + b"x" * 5_000_000 + b'\n{"n": 3}\n')
    tracemalloc.start()
    try:
        results = list(iter_ndjson_file(path, Limits(max_line_bytes=1000)))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [(number, _codes(result)) for number, result in results] == [
        (1, []),
        (2, [Code.TOO_LARGE]),
        (3, []),
    ]
    assert peak < 1_000_000


# --- limits beyond what the interpreter itself allows --------------------------------------------


def test_a_max_depth_beyond_the_interpreter_stack_still_gives_too_deep_not_an_exception():
    result = parse_json("[" * 5000 + "]" * 5000, Limits(max_depth=10**6), require_object=False)
    assert result.text is None
    assert _only(result, Code.TOO_DEEP).message == "the nesting is too deep for the parser"


@pytest.mark.skipif(sys.get_int_max_str_digits() == 0, reason="no integer digit limit is set")
def test_a_max_number_chars_beyond_the_interpreter_int_limit_still_gives_number_too_long():
    digits = sys.get_int_max_str_digits() + 1
    result = parse_json('{"n": ' + "7" * digits + "}", Limits(max_number_chars=10**6))
    assert result.text is None
    assert (
        "more digits than the interpreter converts" in _only(result, Code.NUMBER_TOO_LONG).message
    )


def test_a_json_text_built_directly_assumes_keys_may_repeat_and_finds_the_last():
    text = JsonText({"a": {"b": 2}}, '{"a": 1, "a": {"b": 2}}')
    assert text.locate("/a/b") == (1, 21)


@pytest.mark.parametrize(("max_bytes", "whole"), [(1000, True), (20, False)])
def test_a_file_that_grew_after_it_was_measured_is_read_to_the_limit(
    tmp_path: Path, max_bytes: int, whole: bool
) -> None:
    path = tmp_path / "grew.json"
    path.write_bytes(b"{} ")
    measured = path.stat()  # measured earlier (by the reader's caller)
    path.write_bytes(b'{"a": "0123456789012345"}')
    result = read_json_file(path, Limits(max_file_bytes=max_bytes), status=measured)
    if whole:
        assert result.problems == ()
        assert result.text is not None
        assert result.text.value == {"a": "0123456789012345"}
    else:
        assert _only(result, Code.TOO_LARGE).message.endswith("it was not read")


def test_a_file_read_in_short_pieces_is_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """os.read may return fewer bytes than asked for (a network file system, say)."""
    path = tmp_path / "document.json"
    path.write_bytes(b'{"a": "0123456789", "b": [1, 2, 3]}')
    real_read = os.read
    monkeypatch.setattr(os, "read", lambda descriptor, count: real_read(descriptor, min(count, 2)))
    result = read_json_file(path)
    monkeypatch.undo()
    assert result.problems == ()
    assert result.text is not None
    assert result.text.value == {"a": "0123456789", "b": [1, 2, 3]}


#: Names that repeat at other depths and as string values, in one text with no escapes, where
#: locating may search for a member's name instead of scanning its object.
REPEATED_NAMES_SOURCE = """{"code": "code",
  "inner": {"code": "x", "list": [{"code": 1}, {"k": "code"}]},
  "list" :  [ {"inner" : {"value": "inner"}}, [], {} ],
  "unique": {"deep": {"code": null, "value": [0, {"value": "v"}]}},
  "value": "unique", "last": {"list": []}}"""
#: A member whose name is escaped, and the name written plainly once, in an inner object.
ESCAPED_NAME_SOURCE = '{"b": {"\\u0070": 1, "c": {"p": 2}}, "\\"q\\"": {"x": 3}, "y": "\\"q\\""}'
#: A name's quoted form found across two strings: the end of one, a separator, the start of
#: the next (which starts with a colon).
ACROSS_STRINGS_SOURCES = {
    "across-strings-colon": '{"a":":b",":":1}',
    "across-strings-comma": '{"a":"b",":x":1,",":2}',
    "across-strings-inner": '{"p":{"a":":b",":":1}}',
}
#: Over the size up to which a name is searched for in the rest of the text.
LARGE_SOURCE = json.dumps(
    {"meta": {"rows": [{"code": str(n), "value": n} for n in range(5000)]}, "code": "last"}
)
CRAFTED_SOURCES = {
    "repeated-names": REPEATED_NAMES_SOURCE,
    "escaped-name": ESCAPED_NAME_SOURCE,
    **ACROSS_STRINGS_SOURCES,
    "large": LARGE_SOURCE,
}


def _pointers_with_misses(value: object) -> list[str]:
    found = [pointer for pointer, _ in _pointers(value)]
    return found + [f"{pointer}/{miss}" for pointer in found for miss in ("nope", "9", "01", "-")]


EXAMPLES_VALID = Path(__file__).parent.parent / "examples" / "valid"
EXAMPLE_DOCUMENTS = sorted(EXAMPLES_VALID.glob("*/**/*.json"))


@pytest.mark.parametrize(
    "path",
    [*CRAFTED_SOURCES, *EXAMPLE_DOCUMENTS],
    ids=lambda path: path if isinstance(path, str) else f"{path.parent.name}/{path.name}",
)
def test_locating_by_a_unique_name_gives_what_scanning_gives(path: Path | str) -> None:
    source = CRAFTED_SOURCES[path] if isinstance(path, str) else path.read_text(encoding="utf-8")
    result = parse_json(source)
    assert result.text is not None
    scanned = JsonText(None, source, may_have_duplicate_keys=False)  # no value: scans only
    decoder = json.JSONDecoder()
    for pointer in _pointers_with_misses(result.text.value):
        position = result.text.locate(pointer)
        assert position == scanned.locate(pointer), pointer
    for pointer, value in _pointers(result.text.value):
        position = result.text.locate(pointer)
        assert position is not None
        assert decoder.raw_decode(source, _offset(source, *position))[0] == value, pointer


def test_an_error_on_closing_a_file_is_a_problem_not_an_exception(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "document.json"
    path.write_bytes(b"{}")
    real_close = os.close

    def failing(descriptor: int) -> None:
        real_close(descriptor)
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "close", failing)
    problem = _only(read_json_file(path), Code.UNREADABLE)
    monkeypatch.undo()
    assert problem.message == "cannot read the file: Input/output error"


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="no Unix sockets")
def test_a_socket_is_not_opened_and_is_not_a_regular_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a short relative name fits any socket address
    with socket.socket(socket.AF_UNIX) as listening:
        listening.bind("document.json")
        problem = _only(read_json_file(tmp_path / "document.json"), Code.UNREADABLE)
    assert "not a regular file" in problem.message


_TRICKY_NAMES = ["a", "b", ":", ",", "a:", "{", "}", "[", "]", " ", ": ", "x y", "code"]
_TRICKY_STRINGS = ['":"', '":b"', '","', '"{"', '"}"', '"["', '"a"', '"code"', '": x"', '""']


def _tricky_json(rng: random.Random, depth: int = 0) -> str:
    """Texts whose names and strings hold colons, commas and brackets, with no escapes."""
    roll = rng.random()
    if depth > 3 or roll < 0.3:
        return rng.choice([*_TRICKY_STRINGS, "1", "true", "null", "[]", "{}"])
    space = ["", " ", "\n  "]
    if roll < 0.45:
        items = [_tricky_json(rng, depth + 1) for _ in range(rng.randint(0, 3))]
        return "[" + rng.choice(space) + ",".join(items) + "]"
    members = [
        f'{rng.choice(space)}"{name}"{rng.choice(space)}:{rng.choice(space)}'
        + _tricky_json(rng, depth + 1)
        for name in rng.sample(_TRICKY_NAMES, rng.randint(0, 4))
    ]
    return "{" + ",".join(members) + rng.choice(space) + "}"


def test_locating_by_name_gives_what_scanning_gives_on_random_texts() -> None:
    rng = random.Random(9327)
    compared = 0
    for _ in range(1500):
        source = '{"r": ' + _tricky_json(rng) + "}"
        result = parse_json(source)
        assert result.text is not None
        scanned = JsonText(None, source, may_have_duplicate_keys=False)
        for pointer in _pointers_with_misses(result.text.value):
            assert result.text.locate(pointer) == scanned.locate(pointer), (source, pointer)
            compared += 1
    assert compared > 20_000
