"""A guarded fast parse: msgspec decodes, byte-level guards prove the exact parser would agree.

The exact, hardened parser (:mod:`pakkeforlop.read.json_parse`) reports duplicate keys, overlong
numbers, deep nesting, non-standard constants, byte order marks and encoding errors, with
their places. msgspec reports none of these; it decodes several times faster and accepts a
subset of what :func:`json.loads` accepts, to the same values (it refuses ``NaN``, lone
surrogates, a byte order mark and invalid UTF-8 outright). :func:`fast_object` returns a
value only when msgspec accepted the text **and** four guards pass, so that the exact parser
would have given the same value with no problem at all:

* **duplicate keys**: nothing the text writes was dropped from the value (a key written twice
  in one object keeps one member);
* **long numbers**: no number literal outside strings is longer than the limit;
* **depth**: containers nest no deeper than the limit;
* **formats**: no string of the value starts with ``0000-`` (year zero) or holds ``:60``
  (a leap second): jsonschema-rs's own ``date`` and ``date-time`` formats accept those
  values where the reference implementation does not, and agree on every other value (a test
  compares them), so a text that passes may be validated with jsonschema-rs's formats.

Every text accepted by msgspec is first made into a *skeleton*, in one pass: the bytes the
guards look at (quotes, colons, hyphens, digits and backslashes), a fifth of a typical
document. Most texts hold no backslash (the skeleton tells, :func:`_plain_text_agrees`). Then
every quote opens or closes a string, and every string of the value is written as it is in
the text; the guards cost that pass (the skeleton counted and searched) and one walk of the
value (:func:`census`), which counts its strings, measures its depth and tells whether it
holds a number at all (documents of the kit's formats hold none, so their texts are not
searched for long runs of digits). A text with a backslash is searched as it is, and the
value encoded again, so that no escape hides a quote, a colon, a digit or a format's value
(:func:`_escaped_text_agrees`).

Anything else returns ``None``: the caller parses the text exactly, and reports what it finds.

msgspec, not orjson (measured 2026-12-07, Python 3.11, orjson 3.13): orjson decodes a kit's
document in about 0.8 of msgspec's CPU, but makes each object of more than five members a
dictionary of CPython's general key layout (it creates them presized, and
``_PyDict_NewPresized`` has no layout for keys that are all strings: CPython issue 139772),
on which every later lookup by the checks costs more. In a whole check the two cancelled out
(the CPU of a documents-only export of 20,000 pathways, jobs=1, moved by +0.02 ± 0.03 s of
3.0 s over 16 paired runs), and orjson reads an integer outside the 64-bit ranges as a float.
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
#: What the guards look at (see :func:`_plain_text_agrees`): every byte but quotes, colons,
#: hyphens, digits and backslashes is dropped, in one pass. (A backslash is kept so that the
#: skeleton, a fifth of the text, tells whether the text holds one: a cheaper search.)
_SKELETON_DROPS: Final = bytes(sorted(set(range(256)) - set(b'":-0123456789\\')))
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


def census(value: Any) -> tuple[int, int, bool]:
    """Of a decoded JSON ``value``: how many strings it holds (every key of every object, and
    every string that is a member's value or an array's item), how deep its containers nest,
    and whether it holds a number (an ``int`` or ``float``; ``true`` and ``false`` are not).

    One walk, level by level without recursion, that looks at each value once. It costs about
    what encoding the value again and counting the colons did (msgspec first writes out the
    UTF-8 of each non-ASCII string of a fresh value), and answers three guards at once: the
    text need not be searched for brackets, nor, when the value holds no number, for long runs
    of digits.

    Counting the quotes of msgspec's encoding of the value instead (each string is written
    between two quotes when the text has no backslash), with the depth bounded by the
    skeleton's opening brackets and long numbers ruled out by its runs of digits, was measured
    (2026-12-07): 0.4 % fewer instructions per document in a whole check, but 2 to 3 us more
    CPU (the encoding allocates and writes 4 KB where the walk allocates little), so the walk
    stays.
    """
    strings = 0
    depth = 0
    holds_number = False
    level: list[Any] = [value] if type(value) is dict or type(value) is list else []
    while level:
        depth += 1
        below: list[Any] = []
        for container in level:
            if type(container) is dict:
                strings += len(container)
                items = container.values()
            else:
                items = container
            for item in items:
                kind = type(item)
                if kind is str:
                    strings += 1
                elif kind is dict or kind is list:
                    below.append(item)
                elif kind is not bool and item is not None:
                    holds_number = True
        level = below
    return strings, depth, holds_number


def _plain_text_agrees(data: bytes, skeleton: bytes, value: dict[str, Any], limits: Limits) -> bool:
    """Whether the exact parser gives ``value`` from ``data``, a text without a backslash, with
    no problem, and its strings pass :func:`formats_agree`. ``skeleton``: ``data`` without
    the bytes the guards do not look at (see :data:`_SKELETON_DROPS`).

    Without a backslash every quote in the text opens or closes a string (a quote in a string
    is written ``\\"``, and UTF-8 writes no byte of a multi-byte character below 0x80), and
    every string of the value is written as it is in the text. So:

    * **duplicate keys**: the text holds twice as many quotes as string tokens (names and
      string values). Each string of the value (see :func:`census`) comes from its own string
      token, so ``quotes / 2`` (string tokens written) ``>=`` strings in the value. A key
      written twice in one object keeps one member: the other's name (and all its value) is
      not in the value, so the inequality is strict. Equality means nothing was dropped, and
      no key was written twice. (Counting quotes in the skeleton is exact where counting key
      tokens, a quote then optional whitespace then a colon, is only a bound, and costs a
      search of the whole text besides.)
    * **long numbers**: a number literal outside strings is an item or a member's value, kept
      in the value unless dropped with a repeated key (ruled out above) as an ``int`` or
      ``float``. So a value without numbers, every document of the kit's formats, comes from a
      text without number literals; any other text is searched as it is
      (:func:`_long_run_outside_strings_of`).
    * **depth**: nothing dropped, the value nests as the text does; the exact parser measures
      the same value the same way.
    * **formats**: the skeleton keeps every byte of ``"0000-`` and ``:60``: what the text's
      strings hold, the skeleton does (bytes dropped between others can only make it find
      more). It is about a fifth of a typical document, so the two searches and the count of
      quotes cost little; making it is one pass over the text (see :data:`_SKELETON_DROPS`).
    """
    if b'"0000-' in skeleton or b":60" in skeleton:
        return False
    strings, depth, holds_number = census(value)
    if skeleton.count(b'"') != 2 * strings or depth > limits.max_depth:
        return False
    return not (holds_number and _long_run_outside_strings_of(data, limits.max_number_chars))


def _long_run_outside_strings_of(data: bytes, max_number_chars: int) -> bool:
    """Whether a number literal over the limit may lie outside the strings of ``data``, a text
    without a backslash.

    A literal over the limit holds a run of :func:`shortest_run` digits. A run between an odd
    number of quotes lies in a string: the quotes before each run are counted on from the
    last, so that many runs (a manifest's digests) cost one pass.
    """
    digits = data.translate(_DIGIT_CLASS)
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
    skeleton = data.translate(None, _SKELETON_DROPS)
    if b"\\" in skeleton:
        return value if _escaped_text_agrees(data, value, limits) else None
    return value if _plain_text_agrees(data, skeleton, value, limits) else None


def _escaped_text_agrees(data: bytes, value: dict[str, Any], limits: Limits) -> bool:
    """As :func:`_plain_text_agrees`, for a text with a backslash: its bytes searched as they
    are, and the value encoded again (an escape may write a quote, a colon or a digit)."""
    shape = data.translate(SHAPE)
    if may_hold_long_number(shape, limits.max_number_chars):  # an escaped quote: in a string?
        return False
    if shape.count(b"[") > limits.max_depth and census(value)[1] > limits.max_depth:
        return False
    return _no_key_dropped(data, value) is True
