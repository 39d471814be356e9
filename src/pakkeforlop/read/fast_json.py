"""A guarded fast parse: msgspec decodes, byte-level guards prove the exact parser would agree.

The exact, hardened parser (:mod:`pakkeforlop.jsonread`) reports duplicate keys, overlong
numbers, deep nesting, non-standard constants, byte order marks and encoding errors, with
their places. msgspec reports none of these; it decodes several times faster and accepts a
subset of what :func:`json.loads` accepts, to the same values (it refuses ``NaN``, lone
surrogates, a byte order mark and invalid UTF-8 outright). :func:`fast_object` returns a
value only when msgspec accepted the text **and** three guards pass, so that the exact parser
would have given the same value with no problem at all:

* **duplicate keys**: every key is followed by a quote, optional whitespace and a colon, so
  the text holds at least as many such tokens as keys written; when that count equals the
  number of keys in the decoded value, no key was written twice (a ``":`` inside a string
  only makes the count larger: such a text goes to the exact parser);
* **long numbers**: no run of digits long enough for a number over the limit (at C speed);
* **depth**: a measured depth within the limit;
* **formats**: no ``"0000-`` (year zero), no ``:60`` (a leap second) and no escaped digit or
  colon (``\\u003``): jsonschema-rs's own ``date`` and ``date-time`` formats accept those
  values where the reference implementation does not, and agree on every other value (a test
  compares them), so a text that passes may be validated with jsonschema-rs's formats.

Anything else returns ``None``: the caller parses the text exactly, and reports what it finds.
"""

from __future__ import annotations

import re
from typing import Any, Final

import msgspec

from pakkeforlop.read.json_parse import SHAPE, may_hold_long_number
from pakkeforlop.read.problems import Limits

#: The end of a key written with whitespace before its colon (the common ``":`` is counted
#: with ``bytes.count``).
_SPACED_KEY_END: Final = re.compile(rb'"[ \t\r\n]+:')
_QUOTE_SPACE: Final = re.compile(rb'"[ \t\r\n]')
_DECODER: Final = msgspec.json.Decoder()
#: What jsonschema-rs's ``date``/``date-time`` formats judge differently from the reference.
_FORMAT_DOUBTS: Final = (b'"0000-', b":60", b"\\u003")


def formats_agree(data: bytes) -> bool:
    """Whether jsonschema-rs's native formats judge every string of ``data`` as the reference
    does: no value the two libraries are known to disagree on is written in it."""
    return not any(doubt in data for doubt in _FORMAT_DOUBTS)


def key_tokens(data: bytes) -> int:
    """How many times a quote is followed by optional whitespace and a colon: at least the
    number of keys written in the text."""
    count = data.count(b'":')
    if _QUOTE_SPACE.search(data) is not None:
        count += len(_SPACED_KEY_END.findall(data))
    return count


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
    if may_hold_long_number(data.translate(SHAPE), limits.max_number_chars):
        return None
    keys, depth = keys_and_depth(value)
    if depth > limits.max_depth or keys != key_tokens(data) or not formats_agree(data):
        return None
    return value
