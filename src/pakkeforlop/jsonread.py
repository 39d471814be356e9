"""Read JSON and NDJSON defensively: a parsed value or located problems, never a traceback."""

from __future__ import annotations

import bisect
import json
import os
import re
import stat
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, BinaryIO, Final, NoReturn, Protocol

__all__ = [
    "DEFAULT_LIMITS",
    "RECOVERABLE",
    "InputProblem",
    "InputProblemCode",
    "JsonText",
    "Limits",
    "ReadResult",
    "Sink",
    "iter_ndjson_file",
    "parse_json",
    "read_json_file",
]


class InputProblemCode(StrEnum):
    """Stable machine codes for input that cannot be used as it is."""

    UNREADABLE = "unreadable"
    TOO_LARGE = "too-large"
    NOT_UTF8 = "not-utf8"
    BYTE_ORDER_MARK = "byte-order-mark"
    EMPTY = "empty"
    MALFORMED = "malformed"
    NON_STANDARD = "non-standard"
    DUPLICATE_KEY = "duplicate-key"
    TOO_DEEP = "too-deep"
    NUMBER_TOO_LONG = "number-too-long"
    NOT_AN_OBJECT = "not-an-object"


#: Problems that still leave a usable value (``ReadResult.text`` is set); all others leave none.
RECOVERABLE: Final = frozenset({InputProblemCode.BYTE_ORDER_MARK, InputProblemCode.DUPLICATE_KEY})


@dataclass(frozen=True, slots=True)
class InputProblem:
    """A problem with an input file or NDJSON line.

    ``line`` and ``column`` are 1-based; columns count characters (code points). ``pointer`` is
    an RFC 6901 JSON Pointer. The message never quotes document content other than a key name.
    """

    code: InputProblemCode
    message: str
    line: int | None = None
    column: int | None = None
    pointer: str | None = None


@dataclass(frozen=True, slots=True)
class Limits:
    """Upper bounds that keep broken or hostile input from exhausting memory, time or the stack."""

    max_file_bytes: int = 64 * 1024 * 1024
    max_line_bytes: int = 1024 * 1024
    max_depth: int = 64
    max_number_chars: int = 100


DEFAULT_LIMITS: Final = Limits()


# --- Scanning primitives (shared by the diagnosis and by JsonText.locate) -------------------------

_WHITESPACE = re.compile(r"[ \t\r\n]*+")
_BLANK_BYTES = re.compile(rb"[ \t\r\n]*+")
_NEWLINE = re.compile(r"\n")
_STRING = re.compile(r'"(?:[^"\\\x00-\x1f]++|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*+"')
_SCALAR = re.compile(r"[-+.0-9a-zA-Z]++")
#: An object member's name, and the colon and whitespace after it: up to where its value starts.
_MEMBER_HEAD = re.compile(
    r'("(?:[^"\\\x00-\x1f]++|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*+")[ \t\r\n]*+:[ \t\r\n]*+'
)
#: Any bracket.
_BRACKET = re.compile(r"[\[\]{}]")
#: The colon after a member's name, and the whitespace around it.
_COLON = re.compile(r"[ \t\r\n]*+:[ \t\r\n]*+")
#: What follows a member or element: a comma and the whitespace after it, or the closing bracket.
_AFTER_VALUE = re.compile(r"[ \t\r\n]*+(?:(,)[ \t\r\n]*+|([\]}]))")
#: Everything up to the next bracket that is not inside a string.
_TO_BRACKET = re.compile(r'(?:[^"\[\]{}]++|"(?:[^"\\]++|\\.)*+")*+', re.DOTALL)
_TOKEN = re.compile(
    r"""[ \t\r\n]*+(?:
      (?P<open>[\[{])
    | (?P<close>[\]}])
    | (?P<colon>:)
    | (?P<comma>,)
    | (?P<string>"(?:[^"\\\x00-\x1f]++|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*+")
    | (?P<number>-?(?:0|[1-9][0-9]*+)(?:\.[0-9]++)?+(?:[eE][-+]?+[0-9]++)?+)
    | (?P<literal>true|false|null)
    | (?P<nonstandard>NaN|-?Infinity)
    )""",
    re.VERBOSE,
)
_BAD_TILDE = re.compile(r"~(?![01])")
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
#: Maps ASCII digits to b"0", opening brackets to b"[" and every other byte to b" ": to find
#: long runs of digits and count brackets in one pass.
_SHAPE = bytes(
    0x30 if 0x30 <= byte <= 0x39 else 0x5B if byte in b"[{" else 0x20 for byte in range(256)
)
#: How much of an NDJSON file is read at a time.
_BLOCK_BYTES = 128 * 1024
_SMALL_TEXT_BYTES = 64 * 1024
_MAX_REPORTS_PER_CODE = 50
_MAX_KEY_CHARS_SHOWN = 80


class _ScanError(Exception):
    """The text does not have the shape the scanner expected."""


class _Lines:
    """Maps character offsets of one text to 1-based (line, column), built lazily."""

    __slots__ = ("_line_offset", "_starts", "_text")

    def __init__(self, text: str, line_offset: int) -> None:
        self._text = text
        self._line_offset = line_offset
        self._starts: list[int] | None = None

    def position(self, offset: int) -> tuple[int, int]:
        """The line (plus the line offset) and column of the character at ``offset``.

        The first call counts newlines at C speed; later ones build the table of line starts
        once and search it (a document with many findings is located many times).
        """
        if self._starts is None:
            self._starts = []
            row = self._text.count("\n", 0, offset) + 1
            return row + self._line_offset, offset - self._text.rfind("\n", 0, offset)
        if not self._starts:
            self._starts = [0, *(match.end() for match in _NEWLINE.finditer(self._text))]
        row = bisect.bisect_right(self._starts, offset)
        return row + self._line_offset, offset - self._starts[row - 1] + 1


def _escape_token(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _pointer(tokens: list[str]) -> str:
    return "".join("/" + _escape_token(token) for token in tokens)


def _pointer_tokens(pointer: str) -> list[str] | None:
    """The reference tokens of an RFC 6901 pointer, or None when it is not a valid pointer."""
    if pointer == "":
        return []
    if not pointer.startswith("/") or _BAD_TILDE.search(pointer):
        return None
    return [token.replace("~1", "/").replace("~0", "~") for token in pointer[1:].split("/")]


def _unescape_string(token: str) -> str:
    """The value of a validated JSON string token (quotes included)."""
    if "\\" not in token:
        return token[1:-1]
    return str(json.loads(token))


def _quoted(key: str) -> str:
    shown = key if len(key) <= _MAX_KEY_CHARS_SHOWN else key[:_MAX_KEY_CHARS_SHOWN] + "…"
    quoted = json.dumps(shown, ensure_ascii=False)
    return quoted.encode("utf-8", "backslashreplace").decode("utf-8")


# --- Locating a pointer in a parsed text --------------------------------------------------------


def _skip_whitespace(text: str, pos: int) -> int:
    match = _WHITESPACE.match(text, pos)
    return pos if match is None else match.end()


def _read_string(text: str, pos: int) -> tuple[str, int]:
    match = _STRING.match(text, pos)
    if match is None:
        raise _ScanError
    return _unescape_string(match.group()), match.end()


#: Skips a value at C speed: the texts scanned were parsed already, so they are well formed.
_SKIPPER = json.JSONDecoder()


def _skip_container(text: str, pos: int) -> int:
    """The offset after the array or object at ``pos``."""
    try:
        return int(_SKIPPER.raw_decode(text, pos)[1])
    except (ValueError, RecursionError):  # too deep for the C scanner, or a malformed text
        return _skip_brackets(text, pos)


def _skip_brackets(text: str, pos: int) -> int:
    """:func:`_skip_container` by counting brackets outside strings; no nesting limit."""
    depth = 0
    while True:
        match = _TO_BRACKET.match(text, pos)
        pos = pos if match is None else match.end()
        char = text[pos : pos + 1]
        if char in ("[", "{"):
            depth += 1
        elif char in ("]", "}"):
            depth -= 1
        else:
            raise _ScanError
        pos += 1
        if depth == 0:
            return pos


def _skip_value(text: str, pos: int) -> int:
    char = text[pos : pos + 1]
    if char == '"':
        return _read_string(text, pos)[1]
    if char in ("[", "{"):
        return _skip_container(text, pos)
    match = _SCALAR.match(text, pos)
    if match is None:
        raise _ScanError
    return match.end()


def _after_member(text: str, pos: int, closer: str) -> int | None:
    """Skip the ``,`` after a member; None when the container closes instead."""
    match = _AFTER_VALUE.match(text, pos)
    if match is None or (match.group(2) is not None and match.group(2) != closer):
        raise _ScanError
    return None if match.group(2) is not None else match.end()


class _Members:
    """The members of one container as far as they have been scanned; scanning goes on lazily.

    The value of the member read last is not skipped until a later member is needed, so that
    descending into it costs nothing: a pointer into a deep chain is found in linear time.
    """

    __slots__ = ("_closer", "_pending", "found")

    def __init__(self, text: str, start: int) -> None:
        self._closer = "}" if text.startswith("{", start) else "]"
        self.found: dict[str, int] = {}
        first = _skip_whitespace(text, start + 1)
        closed = text.startswith(self._closer, first)
        self._pending: int | None = None if closed else self._read_head(text, first)

    def lookup(self, text: str, token: str, *, complete: bool) -> int | None:
        """Offset of the member's value; ``complete`` scans to the end (a repeated key wins)."""
        while self._pending is not None and (complete or token not in self.found):
            after = _after_member(text, _skip_value(text, self._pending), self._closer)
            self._pending = None if after is None else self._read_head(text, after)
        return self.found.get(token)

    def _read_head(self, text: str, pos: int) -> int:
        """Record the member starting at ``pos``; return where its value starts."""
        if self._closer == "}":
            match = _MEMBER_HEAD.match(text, pos)
            if match is None:
                raise _ScanError
            key, pos = _unescape_string(match.group(1)), match.end()
        else:
            key = str(len(self.found))
        self.found[key] = pos  # a repeated key overwrites: the last one wins, as when parsing
        return pos


def _parsed_child(value: Any, token: str) -> Any:
    """The member or element ``token`` of a parsed value; ``None`` when there is none."""
    if type(value) is dict:
        return value.get(token)
    canonical_index = token.isascii() and token.isdigit() and (token == "0" or token[0] != "0")
    if type(value) is list and canonical_index:
        index = int(token)
        return value[index] if index < len(value) else None
    return None


class JsonText:
    """One parsed JSON text and its source, for mapping JSON Pointers to lines and columns.

    ``may_have_duplicate_keys=False`` (set by the parser when it found none) lets a lookup stop
    at the first member with the name instead of scanning the whole object for a later one.
    """

    __slots__ = (
        "_containers",
        "_lines",
        "_literal_keys",
        "_may_repeat",
        "_source",
        "line_offset",
        "value",
    )

    def __init__(
        self, value: Any, source: str, line_offset: int = 0, *, may_have_duplicate_keys: bool = True
    ) -> None:
        self.value = value
        self.line_offset = line_offset
        self._source = source
        self._may_repeat = may_have_duplicate_keys
        self._lines: _Lines | None = None  # made when first asked: most texts never are
        self._containers: dict[int, _Members] = {}
        #: Whether every member name is written as itself (no escapes) and appears once per
        #: object; ``None`` until a lookup asks.
        self._literal_keys: bool | None = None

    def located(self) -> JsonText:
        """This text without its parsed value: what locating pointers needs, and no more."""
        return JsonText(
            None, self._source, self.line_offset, may_have_duplicate_keys=self._may_repeat
        )

    def locate(self, pointer: str) -> tuple[int, int] | None:
        """The 1-based (line, column) where the value at ``pointer`` starts.

        When the pointer names something that does not exist, the position of the deepest
        value on its path that does exist is returned (for a missing member: the enclosing
        object). None only for a string that is not a JSON Pointer (e.g. ``"a"`` or ``"/~2"``).
        The source is scanned iteratively and only as far as the pointer needs; what is learnt
        about each container is cached, so later calls continue where earlier ones stopped.
        """
        tokens = _pointer_tokens(pointer)
        if tokens is None:
            return None
        try:
            offset = self._offset_of(tokens)
        except _ScanError:
            return None
        if self._lines is None:
            self._lines = _Lines(self._source, self.line_offset)
        return self._lines.position(offset)

    def _offset_of(self, tokens: list[str]) -> int:
        offset = _skip_whitespace(self._source, 0)
        value = self.value  # the parsed value at ``offset``, followed along (None: unknown)
        for token in tokens:
            child = self._unique_member(offset, token, value)
            if child is None:
                child = self._child(offset, token)
            if child is None:
                return offset
            offset = child
            value = _parsed_child(value, token)
        return offset

    def _unique_member(self, offset: int, token: str, value: Any) -> int | None:
        """Where the member ``token`` of the object at ``offset`` starts, found by searching
        for its name, when the object (``value``) has the member and names are written as
        themselves (with no escapes, every quote starts or ends a string).

        The first ``"token"`` after ``offset`` that starts a string (an even number of quotes
        comes before it) is the member's name when it is the only one there, or when no
        bracket comes between the object's ``{`` and it (it is then one of the object's own
        members, and a name if a colon follows). The first test searches the rest of the
        text, so it is made only in small texts. ``None``: scan instead.
        """
        if type(value) is not dict or token not in value:
            return None
        if self._literal_keys is None:
            self._literal_keys = not self._may_repeat and "\\" not in self._source
        if not self._literal_keys:
            return None
        source = self._source
        name = f'"{token}"'
        start = source.find(name, offset)
        if start < 0 or source.count('"', offset, start) % 2:
            return None  # not found, or inside a string: '"a":":b",":":1' holds '":"' twice
        if _BRACKET.search(source, offset + 1, start) and (
            len(source) > _SMALL_TEXT_BYTES or source.find(name, start + 1) >= 0
        ):
            return None
        colon = _COLON.match(source, start + len(name))
        return None if colon is None else colon.end()

    def _child(self, offset: int, token: str) -> int | None:
        opener = self._source[offset : offset + 1]
        if opener not in ("{", "["):
            return None
        members = self._containers.get(offset)
        if members is None:
            members = self._containers[offset] = _Members(self._source, offset)
        complete = self._may_repeat and opener == "{"
        return members.lookup(self._source, token, complete=complete)


@dataclass(frozen=True, slots=True)
class ReadResult:
    """The outcome of reading one JSON text.

    ``text`` is None when no usable value came out; it is set when every problem is one of
    ``RECOVERABLE`` (a byte order mark, duplicate keys).
    """

    text: JsonText | None
    problems: tuple[InputProblem, ...]


# --- Diagnosing a text json.loads refused, or accepted with reservations -----------------------

_OPENERS = {"{": "}", "[": "]"}


@dataclass(slots=True)
class _Frame:
    """An open container during the diagnosis scan."""

    closer: str
    key: str = ""
    index: int = 0
    seen: set[str] = field(default_factory=set)
    reported: set[str] = field(default_factory=set)

    @property
    def token(self) -> str:
        return self.key if self.closer == "}" else str(self.index)


class _Expect(StrEnum):
    VALUE = "value"
    FIRST_VALUE = "value or ]"
    KEY = "key"
    FIRST_KEY = "key or }"
    COLON = ":"
    NEXT = ", or end of container"
    END = "end of input"


class _Diagnosis:
    """One iterative pass over a text: every located problem json.loads cannot locate itself."""

    def __init__(self, text: str, limits: Limits, line_offset: int) -> None:
        self._text = text
        self._limits = limits
        self._lines = _Lines(text, line_offset)
        self._stack: list[_Frame] = []
        self._expect = _Expect.VALUE
        self._counts: Counter[InputProblemCode] = Counter()
        self.problems: list[InputProblem] = []

    def run(self) -> list[InputProblem]:
        pos = 0
        while (match := _TOKEN.match(self._text, pos)) is not None:
            pos = match.end()
            if not self._step(match):
                return self._finish()
        self._check_end(pos)
        return self._finish()

    def _step(self, match: re.Match[str]) -> bool:
        kind = match.lastgroup or ""
        if self._expect in (_Expect.VALUE, _Expect.FIRST_VALUE):
            return self._value(kind, match)
        if self._expect in (_Expect.KEY, _Expect.FIRST_KEY):
            return self._key(kind, match)
        if self._expect is _Expect.COLON and kind == "colon":
            self._expect = _Expect.VALUE
            return True
        if self._expect is _Expect.NEXT:
            return self._next(kind, match)
        return self._unexpected(match.start(kind))

    def _value(self, kind: str, match: re.Match[str]) -> bool:
        start = match.start(kind)
        if kind == "open":
            return self._open(match.group(kind), start)
        if kind == "close" and self._expect is _Expect.FIRST_VALUE:
            return self._close(match.group(kind), start)
        if kind == "number":
            self._check_number(len(match.group(kind)), start)
        elif kind == "nonstandard":
            name = match.group(kind)
            self._report(InputProblemCode.NON_STANDARD, f"{name} is not allowed in JSON", start)
        elif kind not in ("string", "literal"):
            return self._unexpected(start)
        self._after_value()
        return True

    def _open(self, opener: str, start: int) -> bool:
        if len(self._stack) >= self._limits.max_depth:
            message = f"the nesting is deeper than {self._limits.max_depth} levels"
            self._report(InputProblemCode.TOO_DEEP, message, start)
            return False
        self._stack.append(_Frame(_OPENERS[opener]))
        self._expect = _Expect.FIRST_KEY if opener == "{" else _Expect.FIRST_VALUE
        return True

    def _close(self, closer: str, start: int) -> bool:
        if self._stack[-1].closer != closer:
            return self._unexpected(start)
        self._stack.pop()
        self._after_value()
        return True

    def _after_value(self) -> None:
        self._expect = _Expect.NEXT if self._stack else _Expect.END

    def _key(self, kind: str, match: re.Match[str]) -> bool:
        start = match.start(kind)
        if kind == "close" and self._expect is _Expect.FIRST_KEY:
            return self._close(match.group(kind), start)
        if kind != "string":
            return self._unexpected(start)
        frame = self._stack[-1]
        frame.key = _unescape_string(match.group(kind))
        if frame.key not in frame.seen:
            frame.seen.add(frame.key)
        elif frame.key not in frame.reported:
            frame.reported.add(frame.key)
            self._report_duplicate(frame.key, start)
        self._expect = _Expect.COLON
        return True

    def _next(self, kind: str, match: re.Match[str]) -> bool:
        if kind == "close":
            return self._close(match.group(kind), match.start(kind))
        if kind != "comma":
            return self._unexpected(match.start(kind))
        frame = self._stack[-1]
        frame.index += 1
        self._expect = _Expect.KEY if frame.closer == "}" else _Expect.VALUE
        return True

    def _check_number(self, length: int, start: int) -> None:
        limit = self._limits.max_number_chars
        if length > limit:
            message = f"a number of {length} characters is longer than the limit of {limit}"
            self._report(InputProblemCode.NUMBER_TOO_LONG, message, start)

    def _report_duplicate(self, key: str, start: int) -> None:
        tokens = [frame.token for frame in self._stack[:-1]]
        where = _pointer(tokens) or "the top level"
        message = f"duplicate key {_quoted(key)} in the object at {where}; the last value is used"
        self._report(InputProblemCode.DUPLICATE_KEY, message, start, pointer=_pointer(tokens))

    def _unexpected(self, start: int) -> bool:
        message = f"malformed JSON: unexpected character, expected {self._expect.value}"
        self._report(InputProblemCode.MALFORMED, message, start)
        return False

    def _check_end(self, pos: int) -> None:
        end = _skip_whitespace(self._text, pos)
        if end < len(self._text):
            self._unexpected(end)
        elif self._expect is not _Expect.END:
            message = "malformed JSON: unexpected end of input; the text looks truncated"
            self._report(InputProblemCode.MALFORMED, message, end)

    def _report(
        self, code: InputProblemCode, message: str, start: int, *, pointer: str | None = None
    ) -> None:
        self._counts[code] += 1
        if self._counts[code] > _MAX_REPORTS_PER_CODE:
            return
        if pointer is None:
            pointer = _pointer([frame.token for frame in self._stack])
        line, column = self._lines.position(start)
        self.problems.append(InputProblem(code, message, line, column, pointer))

    def _finish(self) -> list[InputProblem]:
        for code, count in sorted(self._counts.items()):
            if count > _MAX_REPORTS_PER_CODE:
                hidden = count - _MAX_REPORTS_PER_CODE
                message = f"{hidden} more {code.value} problem(s) not listed"
                self.problems.append(InputProblem(code, message))
        return self.problems


def _diagnose(text: str, limits: Limits, line_offset: int) -> list[InputProblem]:
    return _Diagnosis(text, limits, line_offset).run()


# --- Parsing ------------------------------------------------------------------------------------


class _RejectedError(Exception):
    """Raised from a json.loads hook to stop at input this reader refuses."""

    def __init__(self, code: InputProblemCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


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

    ``shape`` is ``raw`` translated by :data:`_SHAPE`.
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


def _malformed(text: str, error: json.JSONDecodeError, line_offset: int) -> InputProblem:
    if error.msg.startswith("Unterminated string"):
        detail = "unexpected end of input in a string that starts here; the text looks truncated"
    elif _WHITESPACE.fullmatch(text, error.pos):
        detail = f"unexpected end of input ({error.msg.lower()}); the text looks truncated"
    elif error.msg == "Extra data":
        detail = "more data after the first JSON value"
    elif error.msg.startswith("Invalid control character"):
        detail = "a raw control character inside a string (it must be escaped)"
    else:
        detail = error.msg[:1].lower() + error.msg[1:]
    if "\x00" in text:
        detail += "; the input contains NUL characters (binary data, or UTF-16/32?)"
    line = error.lineno + line_offset
    return InputProblem(InputProblemCode.MALFORMED, f"malformed JSON: {detail}", line, error.colno)


_TOO_DEEP_FOR_PARSER: Final = InputProblem(
    InputProblemCode.TOO_DEEP, "the nesting is too deep for the parser"
)


def _fallback_problem(error: Exception) -> InputProblem:
    """The problem to report when the diagnosis could not locate why json.loads failed."""
    if isinstance(error, _RejectedError):
        return InputProblem(error.code, error.message)
    if isinstance(error, RecursionError):
        return _TOO_DEEP_FOR_PARSER
    if "integer string conversion" in str(error):
        message = "a number has more digits than the interpreter converts"
        return InputProblem(InputProblemCode.NUMBER_TOO_LONG, message)
    return InputProblem(InputProblemCode.MALFORMED, "malformed JSON: the parser rejected the input")


def _diagnosed(text: str, limits: Limits, line_offset: int, error: Exception) -> list[InputProblem]:
    problems = _diagnose(text, limits, line_offset)
    if all(problem.code in RECOVERABLE for problem in problems):
        problems.append(_fallback_problem(error))
    return problems


def _may_hold_long_number(shape: bytes, max_number_chars: int) -> bool:
    """False when no number literal can be longer than the limit; at C speed.

    A literal has at most four characters that are not digits (``-``, ``.``, ``e``, a sign) and
    at most three runs of digits, so a literal over the limit has a run of at least this length.
    ``shape`` is the text translated by :data:`_SHAPE`.
    """
    shortest_run = max(1, -(-(max_number_chars - 3) // 3))
    return b"0" * shortest_run in shape


def _load(
    text: str, raw: bytes | None, limits: Limits, line_offset: int, decoders: _Decoders
) -> tuple[bool, Any, list[InputProblem]]:
    """json.loads with this reader's checks: (parsed?, value, problems).

    ``raw`` is ``text`` as UTF-8 if the caller has it. Numbers go through a (slower) length
    check only when a long enough run of digits appears anywhere in the text.
    """
    if raw is None:
        raw = text.encode("utf-8", "surrogatepass")
    shape = raw.translate(_SHAPE)
    check_numbers = _may_hold_long_number(shape, limits.max_number_chars)
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


class Sink(Protocol):
    """Receives every byte a file reader reads, in order (e.g. to compute the file's digest)."""

    def update(self, data: bytes, /) -> None: ...


def _unreadable(error: OSError | ValueError, after_line: int | None = None) -> InputProblem:
    reason = error.strerror if isinstance(error, OSError) and error.strerror else "invalid path"
    where = "" if after_line is None else f" after line {after_line}"
    return InputProblem(InputProblemCode.UNREADABLE, f"cannot read the file{where}: {reason}")


def _file_problem(path: Path, max_bytes: int | None) -> InputProblem | int:
    """Why ``path`` must not be opened (missing, a folder, a pipe, too large); else its size."""
    try:
        status = Path(path).stat()
    except (OSError, ValueError) as error:
        return _unreadable(error)
    if stat.S_ISDIR(status.st_mode):
        return InputProblem(InputProblemCode.UNREADABLE, "cannot read the file: it is a directory")
    if not stat.S_ISREG(status.st_mode):
        message = "cannot read the file: it is not a regular file (a device, pipe or socket)"
        return InputProblem(InputProblemCode.UNREADABLE, message)
    if max_bytes is not None and status.st_size > max_bytes:
        return _too_large_file(status.st_size, max_bytes)
    return status.st_size


def _too_large_file(size: int, max_bytes: int) -> InputProblem:
    message = f"the file is {size} bytes, over the limit of {max_bytes} bytes; it was not read"
    return InputProblem(InputProblemCode.TOO_LARGE, message)


#: Read-only and binary (Windows); non-blocking, so that opening a named pipe returns at once.
#: Python opens descriptors not inheritable (PEP 446).
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)


def _read_up_to(descriptor: int, count: int) -> bytes:
    """Up to ``count`` bytes, fewer only at the end of the file."""
    data = os.read(descriptor, count)
    if len(data) == count or not data:
        return data
    parts = [data]
    remaining = count - len(data)
    while remaining and (part := os.read(descriptor, remaining)):
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)


def _read_bounded(path: Path, max_bytes: int, sink: Sink | None = None) -> bytes | InputProblem:
    """The whole file, or why it was not read.

    Only what its status shows to be a regular file is opened (a device, pipe or folder is
    not), and read through a descriptor, without a file object. Something put in its place
    meanwhile cannot block the read (the open does not wait for a pipe's writer) nor make it
    longer than the limit.
    """
    size = _file_problem(path, max_bytes)
    if isinstance(size, InputProblem):
        return size
    try:
        descriptor = os.open(path, _OPEN_FLAGS)
        try:
            # What was measured, and a byte more: a buffer for the limit would cost far more.
            data = _read_up_to(descriptor, size + 1)
            if len(data) > size:  # the file grew after it was measured: read on to the limit
                data += _read_up_to(descriptor, max_bytes + 1 - len(data))
        finally:
            os.close(descriptor)
    except (OSError, ValueError) as error:
        return _unreadable(error)
    if sink is not None:
        sink.update(data)
    if len(data) > max_bytes:  # the file grew after it was measured
        message = f"the file is over the limit of {max_bytes} bytes; it was not read"
        return InputProblem(InputProblemCode.TOO_LARGE, message)
    return data


def read_json_file(
    path: Path, limits: Limits = DEFAULT_LIMITS, *, sink: Sink | None = None
) -> ReadResult:
    """Read one JSON document (a top-level object) from ``path``, opened read-only.

    ``sink`` receives the bytes read: all of the file's, unless it could not be read whole.
    """
    data = _read_bounded(path, limits.max_file_bytes, sink)
    if isinstance(data, InputProblem):
        return ReadResult(None, (data,))
    return _parse(data, limits)


def _numbered_lines(
    handle: BinaryIO, max_line_bytes: int, sink: Sink | None
) -> Iterator[tuple[int, bytes | None, int]]:
    """(1-based number, the line without its newline, byte offset of its start) per line.

    The line is ``None`` when it is longer than ``max_line_bytes``: its bytes are passed by,
    not kept. The file is read in blocks and split at C speed; at most a block and one line
    are held.
    """
    number = 0
    start = 0  # where the line being gathered across blocks starts
    gathered: list[bytes] = []  # its pieces so far, unless it is already too long
    gathered_bytes = 0
    while block := handle.read(_BLOCK_BYTES):
        if sink is not None:
            sink.update(block)
        pieces = block.split(b"\n")
        rest = pieces.pop()  # what follows the block's last newline: a line not yet ended
        for piece in pieces:
            number += 1
            if gathered_bytes:
                length = gathered_bytes + len(piece)
                line = b"".join((*gathered, piece)) if gathered else None
                gathered, gathered_bytes = [], 0
            else:
                length, line = len(piece), piece
            yield number, line if length <= max_line_bytes else None, start
            start += length + 1
        if rest:
            gathered_bytes += len(rest)
            if gathered_bytes <= max_line_bytes:
                gathered.append(rest)
            else:
                gathered = []  # too long: counted, no longer kept
    if gathered_bytes:
        line = b"".join(gathered) if gathered_bytes <= max_line_bytes else None
        yield number + 1, line, start


def _ndjson_line(
    line: bytes | None, number: int, byte_offset: int, limits: Limits, decoders: _Decoders
) -> ReadResult | None:
    if line is None:
        message = f"the line is longer than {limits.max_line_bytes} bytes; it was skipped"
        return ReadResult(None, (InputProblem(InputProblemCode.TOO_LARGE, message, number),))
    if _BLANK_BYTES.fullmatch(line):
        return None
    line = line.removesuffix(b"\r")  # positions stay on this line
    return _parse(line, limits, line_offset=number - 1, byte_offset=byte_offset, decoders=decoders)


#: The first bytes a JSON value can start with (``N`` and ``I`` for NaN and Infinity, which the
#: reader reports as non-standard), and the first byte of a UTF-8 byte order mark.
_VALUE_STARTS = frozenset(b'{["-0123456789tfnNI\xef')


def _only_malformed(line: bytes, limits: Limits) -> bool:
    """Whether the one problem the full parse would find in ``line`` is that it is malformed.

    True for a line in valid UTF-8 that cannot start a JSON value at all, or that opens an
    object it never closes (a JSON object text ends with ``}``) and holds nothing the parser's
    hooks would report before it fails: no non-standard constant, no number longer than the
    limit, no nesting near the limit.
    """
    text = line.strip(b" \t\r\n")
    if not text:
        return False
    if text[0] in _VALUE_STARTS and not _unclosed_plain_object(text, limits):
        return False
    try:
        text.decode("utf-8")
    except UnicodeDecodeError:  # not UTF-8 is what the line is reported for
        return False
    return True


def _unclosed_plain_object(text: bytes, limits: Limits) -> bool:
    """An object never closed, with no constant, long number or deep nesting in it."""
    return (
        text[:1] == b"{"
        and text[-1:] != b"}"
        and b"NaN" not in text
        and b"Infinity" not in text
        and text.count(b"{") + text.count(b"[") <= limits.max_depth
        and not _may_hold_long_number(text.translate(_SHAPE), limits.max_number_chars)
    )


#: What a line read briefly is reported as (never listed: only counted).
_BRIEFLY_MALFORMED: Final = ReadResult(
    None, (InputProblem(InputProblemCode.MALFORMED, "malformed JSON (counted, not parsed)"),)
)


def iter_ndjson_file(
    path: Path,
    limits: Limits = DEFAULT_LIMITS,
    *,
    sink: Sink | None = None,
    wanted: Callable[[InputProblemCode], bool] | None = None,
) -> Iterator[tuple[int, ReadResult]]:
    """(1-based line number, result) for every non-blank line of an NDJSON file, streamed.

    Only ``max_line_bytes`` applies (per line), not ``max_file_bytes``. Problems with the file
    itself are yielded with line number 0. An empty file yields nothing. ``sink`` receives the
    bytes read, as for :func:`read_json_file`. ``wanted(code)`` tells whether the caller still
    keeps problems of that code: when it keeps no more malformed lines, a line whose only
    problem is surely that (see :func:`_only_malformed`) is reported briefly, unparsed (a
    shared problem without a position), so that a flood of broken lines costs little.
    """
    problem = _file_problem(path, None)
    if isinstance(problem, InputProblem):
        yield 0, ReadResult(None, (problem,))
        return
    number = 0
    decoders = _Decoders(limits.max_number_chars)
    malformed = InputProblemCode.MALFORMED
    try:
        with Path(path).open("rb", buffering=0) as handle:
            for number, line, start in _numbered_lines(handle, limits.max_line_bytes, sink):
                if (
                    wanted is not None
                    and line is not None
                    and not line.endswith(b"}")  # at C speed, for the lines that are whole
                    and not wanted(malformed)
                    and _only_malformed(line, limits)
                ):
                    yield number, _BRIEFLY_MALFORMED
                    continue
                result = _ndjson_line(line, number, start, limits, decoders)
                if result is not None:
                    yield number, result
    except OSError as error:
        yield 0, ReadResult(None, (_unreadable(error, after_line=number or None),))
