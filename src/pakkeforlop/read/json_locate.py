"""Where a JSON Pointer's value is in a parsed text: 1-based line and column, found lazily."""

from __future__ import annotations

import bisect
import json
import re
from typing import Any

_WHITESPACE = re.compile(r"[ \t\r\n]*+")
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
_BAD_TILDE = re.compile(r"~(?![01])")
_SMALL_TEXT_BYTES = 64 * 1024
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
        "_text",
        "line_offset",
        "value",
    )

    def __init__(
        self,
        value: Any,
        source: str | bytes,
        line_offset: int = 0,
        *,
        may_have_duplicate_keys: bool = True,
    ) -> None:
        self.value = value
        self.line_offset = line_offset
        #: The text, or its UTF-8 bytes until a lookup needs the text: most texts are never
        #: located, and decoding one costs about as much as parsing it fast.
        self._text = source
        self._may_repeat = may_have_duplicate_keys
        self._lines: _Lines | None = None  # made when first asked: most texts never are
        #: What is known of each container scanned, by offset; made when first asked (most
        #: texts never are: an empty dict for each cost about 30 ns per document).
        self._containers: dict[int, _Members] | None = None
        #: Whether every member name is written as itself (no escapes) and appears once per
        #: object; ``None`` until a lookup asks.
        self._literal_keys: bool | None = None

    @property
    def _source(self) -> str:
        text = self._text
        if isinstance(text, bytes):
            text = self._text = text.decode("utf-8")
        return text

    def located(self) -> JsonText:
        """This text without its parsed value: what locating pointers needs, and no more."""
        return JsonText(
            None, self._text, self.line_offset, may_have_duplicate_keys=self._may_repeat
        )

    def plain_bytes(self) -> bytes | None:
        """The text as UTF-8 when it writes no key twice and holds no backslash, else ``None``.

        In such a text every quote opens or closes a string and every string is written as
        itself: a search of the bytes finds exactly the members and string values the parsed
        value has.
        """
        text = self._text
        data = text if isinstance(text, bytes) else text.encode("utf-8")
        return None if self._may_repeat or b"\\" in data else data

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
        containers = self._containers
        if containers is None:
            containers = self._containers = {}
        members = containers.get(offset)
        if members is None:
            members = containers[offset] = _Members(self._source, offset)
        complete = self._may_repeat and opener == "{"
        return members.lookup(self._source, token, complete=complete)
