"""Why json.loads refused a text, or what it accepted with reservations, located."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from pakkeforlop.read.json_locate import (
    _Lines,
    _pointer,
    _quoted,
    _skip_whitespace,
    _unescape_string,
)
from pakkeforlop.read.problems import RECOVERABLE, InputProblem, InputProblemCode, Limits

_WHITESPACE = re.compile(r"[ \t\r\n]*+")
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
_MAX_REPORTS_PER_CODE = 50


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
