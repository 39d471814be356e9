"""What can be wrong with an input text, the limits a reader keeps, and what reading gives."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from pakkeforlop.read.json_locate import JsonText


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


@dataclass(frozen=True, slots=True)
class ReadResult:
    """The outcome of reading one JSON text.

    ``text`` is None when no usable value came out; it is set when every problem is one of
    ``RECOVERABLE`` (a byte order mark, duplicate keys).
    """

    text: JsonText | None
    problems: tuple[InputProblem, ...]
    #: Whether the guarded fast parse read it (:mod:`pakkeforlop.read.fast_json`): the text
    #: passed guards that also let jsonschema-rs check its formats natively.
    guarded: bool = False
