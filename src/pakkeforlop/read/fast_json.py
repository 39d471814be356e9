"""A guarded fast parse: msgspec decodes, byte-level guards prove the exact parser would agree.

The exact, hardened parser (:mod:`pakkeforlop.read.json_parse`) reports duplicate keys, overlong
numbers, deep nesting, non-standard constants, byte order marks and encoding errors, with
their places. msgspec reports none of these; it decodes several times faster and accepts a
subset of what :func:`json.loads` accepts, to the same values (it refuses ``NaN``, lone
surrogates, a byte order mark and invalid UTF-8 outright). :func:`fast_object` returns a
value only when msgspec accepted the text **and** three guards pass, so that the exact parser
would have given the same value with no problem at all:

* **duplicate keys**: outside strings a colon follows a key and nothing else, and msgspec
  writes every colon of a string as itself; so, when no colon is escaped in the text
  (``\\u003a``), the text and the value encoded again hold equally many colons exactly when
  no key (with its value) was dropped as a repeat; both are counted at C speed;
* **long numbers**: no run of digits long enough for a number over the limit (at C speed),
  but in a string: in a text without a backslash every quote opens or closes a string, so
  a run is in a string when an odd number of quotes comes before it (a manifest's digests
  are hexadecimal strings, some with long runs of digits);
* **depth**: no more ``[`` and ``{`` in the text than the limit, else a measured depth
  within it;
* **formats**: no string of the value starts with ``0000-`` (year zero) or holds ``:60``
  (a leap second): jsonschema-rs's own ``date`` and ``date-time`` formats accept those
  values where the reference implementation does not, and agree on every other value (a test
  compares them), so a text that passes may be validated with jsonschema-rs's formats. The
  value encoded again is searched, so that no escape hides them.

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


def _long_run_outside_strings(data: bytes, shape: bytes, max_number_chars: int) -> bool:
    """Whether a run of digits long enough for a number over the limit may lie outside the
    strings of ``data`` (``shape`` is ``data`` translated by ``SHAPE``)."""
    if b"\\" in data:
        return True  # an escaped quote: the quotes cannot be counted
    run = b"0" * shortest_run(max_number_chars)
    start = shape.find(run)
    while start != -1:
        if data.count(b'"', 0, start) % 2 == 0:
            return True
        start = shape.find(run, start + len(run))
    return False


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
    shape = data.translate(SHAPE)
    if may_hold_long_number(shape, limits.max_number_chars) and _long_run_outside_strings(
        data, shape, limits.max_number_chars
    ):
        return None
    if shape.count(b"[") > limits.max_depth and keys_and_depth(value)[1] > limits.max_depth:
        return None
    return value if _no_key_dropped(data, value) else None
