"""The exact, hardened JSON parser: json.loads with hooks, pre-scans and located problems."""

from __future__ import annotations

import json
import re
from typing import Any, NoReturn

from pakkeforlop.read.json_diagnose import (
    _TOO_DEEP_FOR_PARSER,
    _diagnose,
    _diagnosed,
    _malformed,
    _RejectedError,
)
from pakkeforlop.read.json_locate import JsonText, _Lines, _quoted, _skip_whitespace
from pakkeforlop.read.problems import (
    DEFAULT_LIMITS,
    RECOVERABLE,
    InputProblem,
    InputProblemCode,
    Limits,
    ReadResult,
)

_WHITESPACE = re.compile(r"[ \t\r\n]*+")
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
#: Maps ASCII digits to b"0", opening brackets to b"[" and every other byte to b" ": to find
#: long runs of digits and count brackets in one pass.
SHAPE = bytes(
    0x30 if 0x30 <= byte <= 0x39 else 0x5B if byte in b"[{" else 0x20 for byte in range(256)
)
_SMALL_TEXT_BYTES = 64 * 1024


class _Hooks:
    """json.loads hooks: refuse NaN/Infinity and overlong numbers, notice duplicate keys."""

    __slots__ = ("_max_number_chars", "duplicate_key")

    def __init__(self, max_number_chars: int) -> None:
        self._max_number_chars = max_number_chars
        self.duplicate_key: str | None = None

    def object_from_pairs(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        value = dict(pairs)
        if len(value) != len(pairs) and self.duplicate_key is None:
            self.duplicate_key = _first_duplicate(pairs)
        return value

    def constant(self, name: str) -> NoReturn:
        raise _RejectedError(InputProblemCode.NON_STANDARD, f"{name} is not allowed in JSON")

    def integer(self, literal: str) -> int:
        self._check_length(literal)
        return int(literal)

    def real(self, literal: str) -> float:
        self._check_length(literal)
        return float(literal)

    def _check_length(self, literal: str) -> None:
        if len(literal) > self._max_number_chars:
            message = (
                f"a number of {len(literal)} characters is longer than the limit of "
                f"{self._max_number_chars}"
            )
            raise _RejectedError(InputProblemCode.NUMBER_TOO_LONG, message)


class _Decoders:
    """JSON decoders that share one set of hooks; one per document, or per NDJSON file."""

    __slots__ = ("_checked", "_plain", "hooks")

    def __init__(self, max_number_chars: int) -> None:
        self.hooks = _Hooks(max_number_chars)
        self._plain = json.JSONDecoder(
            object_pairs_hook=self.hooks.object_from_pairs, parse_constant=self.hooks.constant
        )
        self._checked: json.JSONDecoder | None = None

    def decode(self, text: str, *, check_numbers: bool) -> Any:
        """Parse ``text`` like json.loads; ``check_numbers`` also measures every number."""
        self.hooks.duplicate_key = None
        if not check_numbers:
            return self._plain.decode(text)
        if self._checked is None:
            self._checked = json.JSONDecoder(
                object_pairs_hook=self.hooks.object_from_pairs,
                parse_constant=self.hooks.constant,
                parse_int=self.hooks.integer,
                parse_float=self.hooks.real,
            )
        return self._checked.decode(text)


def _first_duplicate(pairs: list[tuple[str, Any]]) -> str:
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            return key
        seen.add(key)
    return ""


def _may_be_too_deep(raw: bytes, shape: bytes, max_depth: int) -> bool:
    """False when there are too few brackets to nest that deep (checked for small texts only).

    ``shape`` is ``raw`` translated by :data:`SHAPE`.
    """
    return len(raw) > _SMALL_TEXT_BYTES or shape.count(b"[") > max_depth


def _exceeds_depth(value: Any, max_depth: int) -> bool:
    """Whether containers nest deeper than ``max_depth``; breadth-first, without recursion."""
    level = [value] if type(value) in (dict, list) else []
    depth = 0
    while level:
        depth += 1
        if depth > max_depth:
            return True
        level = [
            child
            for container in level
            for child in (container.values() if type(container) is dict else container)
            if type(child) is dict or type(child) is list
        ]
    return False


def may_hold_long_number(shape: bytes, max_number_chars: int) -> bool:
    """False when no number literal can be longer than the limit; at C speed.

    A literal has at most four characters that are not digits (``-``, ``.``, ``e``, a sign) and
    at most three runs of digits, so a literal over the limit has a run of at least this length.
    ``shape`` is the text translated by :data:`SHAPE`.
    """
    return b"0" * shortest_run(max_number_chars) in shape


def shortest_run(max_number_chars: int) -> int:
    """The shortest run of digits a number literal over ``max_number_chars`` must hold (see
    :func:`may_hold_long_number`)."""
    return max(1, -(-(max_number_chars - 3) // 3))


def _load(
    text: str, raw: bytes | None, limits: Limits, line_offset: int, decoders: _Decoders
) -> tuple[bool, Any, list[InputProblem]]:
    """json.loads with this reader's checks: (parsed?, value, problems).

    ``raw`` is ``text`` as UTF-8 if the caller has it. Numbers go through a (slower) length
    check only when a long enough run of digits appears anywhere in the text.
    """
    if raw is None:
        raw = text.encode("utf-8", "surrogatepass")
    shape = raw.translate(SHAPE)
    check_numbers = may_hold_long_number(shape, limits.max_number_chars)
    try:
        value = decoders.decode(text, check_numbers=check_numbers)
    except json.JSONDecodeError as error:
        return False, None, [_malformed(text, error, line_offset)]
    except (_RejectedError, RecursionError, ValueError) as error:
        return False, None, _diagnosed(text, limits, line_offset, error)
    duplicate_key = decoders.hooks.duplicate_key
    too_deep = _may_be_too_deep(raw, shape, limits.max_depth) and _exceeds_depth(
        value, limits.max_depth
    )
    if duplicate_key is None and not too_deep:
        return True, value, []
    problems = _diagnose(text, limits, line_offset)
    if too_deep and all(problem.code in RECOVERABLE for problem in problems):
        problems.append(_TOO_DEEP_FOR_PARSER)
    if duplicate_key is not None and not problems:
        message = f"duplicate key {_quoted(duplicate_key)}; the last value is used"
        problems.append(InputProblem(InputProblemCode.DUPLICATE_KEY, message))
    return all(problem.code in RECOVERABLE for problem in problems), value, problems


def _not_utf8(
    data: bytes, error: UnicodeDecodeError, line_offset: int, byte_offset: int
) -> InputProblem:
    bad = error.start
    line_start = data.rfind(b"\n", 0, bad) + 1
    column = len(data[line_start:bad].decode("utf-8", "replace")) + 1
    message = f"not valid UTF-8 at byte {byte_offset + bad}: {error.reason}"
    if data.startswith(_UTF16_BOMS):
        message += " (the file looks like UTF-16 or UTF-32; save it as UTF-8)"
    line = data.count(b"\n", 0, bad) + 1 + line_offset
    return InputProblem(InputProblemCode.NOT_UTF8, message, line, column)


def _bom_problem(line_offset: int) -> InputProblem:
    message = "the text starts with a UTF-8 byte order mark (ignored; JSON must not have one)"
    return InputProblem(InputProblemCode.BYTE_ORDER_MARK, message, 1 + line_offset, 1)


def _decode(
    data: bytes | str, line_offset: int, byte_offset: int
) -> tuple[str | None, bytes | None, list[InputProblem]]:
    """(text, its UTF-8 bytes if at hand, problems): strict UTF-8, byte order mark removed."""
    problems: list[InputProblem] = []
    if isinstance(data, str):
        if data.startswith("\ufeff"):
            problems.append(_bom_problem(line_offset))
            data = data[1:]
        return data, None, problems
    if data.startswith(_UTF8_BOM):
        problems.append(_bom_problem(line_offset))
        data = data[len(_UTF8_BOM) :]
        byte_offset += len(_UTF8_BOM)
    try:
        return data.decode("utf-8"), data, problems
    except UnicodeDecodeError as error:
        problems.append(_not_utf8(data, error, line_offset, byte_offset))
        return None, None, problems


def _kind_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    return "a number"


def _not_an_object(text: str, value: Any, line_offset: int) -> InputProblem:
    line, column = _Lines(text, line_offset).position(_skip_whitespace(text, 0))
    message = f"the top-level value is {_kind_of(value)}, not an object"
    return InputProblem(InputProblemCode.NOT_AN_OBJECT, message, line, column, "")


def _parse(
    data: bytes | str,
    limits: Limits,
    *,
    line_offset: int = 0,
    require_object: bool = True,
    byte_offset: int = 0,
    decoders: _Decoders | None = None,
) -> ReadResult:
    text, raw, problems = _decode(data, line_offset, byte_offset)
    if text is None:
        return ReadResult(None, tuple(problems))
    if _WHITESPACE.fullmatch(text):
        message = "the input is empty" if not text else "the input holds only whitespace"
        problems.append(InputProblem(InputProblemCode.EMPTY, message))
        return ReadResult(None, tuple(problems))
    if decoders is None:
        decoders = _Decoders(limits.max_number_chars)
    parsed, value, found = _load(text, raw, limits, line_offset, decoders)
    problems.extend(found)
    if not parsed:
        return ReadResult(None, tuple(problems))
    if require_object and type(value) is not dict:
        problems.append(_not_an_object(text, value, line_offset))
        return ReadResult(None, tuple(problems))
    if not problems:  # the common case, without the tuple and the search below
        return ReadResult(JsonText(value, text, line_offset, may_have_duplicate_keys=False), ())
    repeats = any(problem.code is InputProblemCode.DUPLICATE_KEY for problem in problems)
    json_text = JsonText(value, text, line_offset, may_have_duplicate_keys=repeats)
    return ReadResult(json_text, tuple(problems))


def parse_json(
    data: bytes | str,
    limits: Limits = DEFAULT_LIMITS,
    *,
    line_offset: int = 0,
    require_object: bool = True,
) -> ReadResult:
    """Parse one JSON text strictly; every failure becomes an InputProblem, never an exception.

    ``data`` longer than ``limits.max_file_bytes`` (bytes, or characters for a str) is refused
    unread. ``line_offset`` is added to every line number (for a line of a larger file).
    """
    if len(data) > limits.max_file_bytes:
        unit = "characters" if isinstance(data, str) else "bytes"
        message = f"the input is {len(data)} {unit}, over the limit of {limits.max_file_bytes}"
        return ReadResult(None, (InputProblem(InputProblemCode.TOO_LARGE, message),))
    return _parse(data, limits, line_offset=line_offset, require_object=require_object)


# --- Files --------------------------------------------------------------------------------------
