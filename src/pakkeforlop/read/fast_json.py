"""A guarded fast parse: msgspec decodes, byte-level guards prove the exact parser would agree.

The exact, hardened parser (:mod:`pakkeforlop.read.json_parse`) reports duplicate keys, overlong
numbers, deep nesting, non-standard constants, byte order marks and encoding errors, with
their places. msgspec reports none of these; it decodes several times faster and accepts a
subset of what :func:`json.loads` accepts, to the same values (it refuses ``NaN``, lone
surrogates, a byte order mark and invalid UTF-8 outright). :func:`fast_object` returns a
value only when msgspec accepted the text **and** four guards pass, so that the exact parser
would have given the same value with no problem at all:

* **duplicate keys**: outside strings a colon follows a key and nothing else, and msgspec
  writes every colon of a string as itself; so, when no colon is escaped in the text
  (``\\u003a``), the text and the value encoded again hold equally many colons exactly when
  no key (with its value) was dropped as a repeat;
* **long numbers**: no run of digits long enough for a number over the limit, but in a
  string: in a text without a backslash every quote opens or closes a string, so a run is in
  a string when an odd number of quotes comes before it (a manifest's digests are
  hexadecimal strings, some with long runs of digits);
* **depth**: no more ``[`` and ``{`` in the text than the limit, else a measured depth
  within it;
* **formats**: no string of the value starts with ``0000-`` (year zero) or holds ``:60``
  (a leap second): jsonschema-rs's own ``date`` and ``date-time`` formats accept those
  values where the reference implementation does not, and agree on every other value (a test
  compares them), so a text that passes may be validated with jsonschema-rs's formats.

Most texts hold no backslash; then every string of the value is written as it is in the
text, and the guards search and count one *skeleton* of the text, made in one pass, that
keeps only the bytes they look at (:func:`_plain_text_agrees`: a quarter of a document's
bytes; the guards cost a quarter less than when they searched the text and its encoding). A
text with a backslash is searched as it is, and the value encoded again, so that no escape
hides a colon, a digit or a format's value (:func:`_escaped_text_agrees`).

Anything else returns ``None``: the caller parses the text exactly, and reports what it finds.
"""

from __future__ import annotations

import re
from typing import Any, Final

import msgspec

from pakkeforlop.read.json_parse import SHAPE, may_hold_long_number, shortest_run
from pakkeforlop.read.problems import Limits

_QUOTE_SPACE: Final = re.compile(rb'"[ \t\r\n]')
_SPACED_KEY_END: Final = re.compile(rb'"[ \t\r\n]+:')
_DECODER: Final = msgspec.json.Decoder()
_ENCODER: Final = msgspec.json.Encoder()
#: What the guards of a text without a backslash look at (see :func:`_plain_text_agrees`):
#: the bytes kept, ``{`` as ``[`` (both open a container) ...
_SKELETON: Final = bytes(0x5B if byte == 0x7B else byte for byte in range(256))
#: ... and every other byte dropped, in the same pass.
_SKELETON_DROPS: Final = bytes(sorted(set(range(256)) - set(b'":,[{-0123456789')))
#: Every digit as ``0``, to find runs of digits with one search.
_DIGIT_CLASS: Final = bytes(0x30 if 0x30 <= byte <= 0x39 else byte for byte in range(256))


def formats_agree(data: bytes) -> bool:
    """Whether jsonschema-rs's native formats judge every string of the JSON text ``data`` as
    the reference does: no value the two libraries are known to disagree on is written in it
    (``"0000-``, year zero; ``:60``, a leap second; ``\\u003``, an escaped digit or colon
    that could hide either)."""
    return b'"0000-' not in data and b":60" not in data and b"\\u003" not in data


def key_tokens(data: bytes) -> int:
    """How many times a quote is followed by optional whitespace and a colon: at least the
    number of keys written in the text."""
    count = data.count(b'":')
    if _QUOTE_SPACE.search(data) is not None:
        count += len(_SPACED_KEY_END.findall(data))
    return count


def _no_key_dropped(data: bytes, value: Any) -> bool | None:
    """Whether the text ``data`` wrote no key twice, given its decoded ``value`` (``None``:
    this guard cannot tell); whether the value's strings pass :func:`formats_agree` too."""
    if b"\\" in data and b"\\u003" in data:
        return None  # an escaped colon (or digit): the colons cannot be compared
    try:
        encoded = _ENCODER.encode(value)
    except (TypeError, ValueError, OverflowError):  # not expected of a decoded value
        return None
    # msgspec writes no escape in place of a digit or colon: two of the three format doubts.
    return (
        data.count(b":") == encoded.count(b":")
        and b'"0000-' not in encoded
        and b":60" not in encoded
    )


def keys_and_depth(value: Any) -> tuple[int, int]:
    """The number of keys of every object in ``value``, and how deep its containers nest."""
    keys = 0
    depth = 0
    level = [value] if type(value) in (dict, list) else []
    while level:
        depth += 1
        below: list[Any] = []
        for container in level:
            if type(container) is dict:
                keys += len(container)
                items = container.values()
            else:
                items = container
            below.extend(item for item in items if type(item) is dict or type(item) is list)
        level = below
    return keys, depth


def _plain_text_agrees(data: bytes, value: dict[str, Any], limits: Limits) -> bool:
    """Whether the exact parser gives ``value`` from ``data``, a text without a backslash, with
    no problem, and its strings pass :func:`formats_agree`: four guards on one skeleton.

    Without a backslash every quote opens or closes a string, and every string of the value
    is written as it is in the text. The skeleton keeps, in order, only the bytes the guards
    look at (quotes, colons, commas, opening brackets, ``-`` and digits) and is about a
    quarter of a typical document, so each guard searches or counts far fewer bytes than the
    text has; it costs one pass over the text (see :data:`_SKELETON_DROPS`).
    """
    skeleton = data.translate(_SKELETON, _SKELETON_DROPS)
    # Every byte of ``"0000-`` and ``:60`` is kept: what the text's strings hold, the skeleton
    # does (bytes dropped between others can only make it find more).
    if b'"0000-' in skeleton or b":60" in skeleton:
        return False
    if skeleton.count(b"[") > limits.max_depth and keys_and_depth(value)[1] > limits.max_depth:
        return False
    # A large text's own bytes are searched for long runs: its skeleton joins the digits of
    # each hexadecimal digest (letters dropped) into a long run, each then looked at (0.16 s
    # for a manifest of 282,776 files, against 0.10 s for its text, where few runs are long).
    searched = data if len(data) > LARGE_TEXT_BYTES else skeleton
    if _long_run_outside_strings_of(searched, limits.max_number_chars):
        return False
    return skeleton.count(b":") == _colons(value)


#: A text larger than this is searched for long runs of digits as it is, not as its skeleton.
LARGE_TEXT_BYTES: Final = 64 * 1024


def _long_run_outside_strings_of(skeleton: bytes, max_number_chars: int) -> bool:
    """Whether a number literal over the limit may lie outside the strings of a text without
    a backslash, given its skeleton (see :func:`_plain_text_agrees`) or the text itself.

    A literal over the limit holds a run of :func:`shortest_run` digits, and so does the
    skeleton where the text does (dropping bytes only joins runs; the commas kept part every
    two literals). A run between an odd number of quotes lies in a string: the quotes before
    each run are counted on from the last, so that many runs (a manifest's digests, whose
    letters the skeleton drops) cost one pass.
    """
    digits = skeleton.translate(_DIGIT_CLASS)
    run = b"0" * shortest_run(max_number_chars)
    start = digits.find(run)
    quotes = 0
    counted = 0
    while start != -1:
        quotes += digits.count(b'"', counted, start)
        if quotes % 2 == 0:
            return True
        counted = digits.find(b'"', start)  # the string's closing quote (msgspec read it)
        if counted == -1:
            return True
        start = digits.find(run, counted)
    return False


def _colons(value: dict[str, Any]) -> int | None:
    """How many colons ``value`` written again as JSON holds: one per key, and those of its
    strings (``None``: it cannot be written, which a decoded value always can)."""
    try:
        return _ENCODER.encode(value).count(b":")
    except (TypeError, ValueError, OverflowError):
        return None


def fast_object(data: bytes, limits: Limits) -> dict[str, Any] | None:
    """The object ``data`` holds, when the exact parser would give it with no problem; else
    ``None`` (parse exactly: there may be a problem to report, or the guards could not tell).
    """
    if len(data) > limits.max_file_bytes:
        return None
    try:
        value = _DECODER.decode(data)
    except (msgspec.DecodeError, RecursionError):  # msgspec's own depth limit raises the latter
        return None
    if type(value) is not dict:
        return None
    agrees = _escaped_text_agrees if b"\\" in data else _plain_text_agrees
    return value if agrees(data, value, limits) else None


def _escaped_text_agrees(data: bytes, value: dict[str, Any], limits: Limits) -> bool:
    """As :func:`_plain_text_agrees`, for a text with a backslash: its bytes searched as they
    are, and the value encoded again (an escape may write a quote, a colon or a digit)."""
    shape = data.translate(SHAPE)
    if may_hold_long_number(shape, limits.max_number_chars):  # an escaped quote: in a string?
        return False
    if shape.count(b"[") > limits.max_depth and keys_and_depth(value)[1] > limits.max_depth:
        return False
    return _no_key_dropped(data, value) is True
