"""The reference implementation as the kit uses it: jsonschema's Draft 2020-12 validator with
ECMA-262 ``pattern``, a linear ``uniqueItems`` and the whole-string ``date-time``.

Why a module of its own: jsonschema (with what it imports: its format checkers,
jsonschema-specifications, fractions, idna...) takes about 0.02 s to import, and a check whose
documents jsonschema-rs accepts never needs it; :mod:`pakkeforlop.data.schemas` imports this
module only when the reference is first asked for (a document's detailed errors, a format
check of a text the fast paths' guard kept from the native formats).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from jsonschema import Draft202012Validator, FormatChecker, validators
from jsonschema.exceptions import ValidationError

from pakkeforlop.data.schemas import MissingFormatCheckerError, ecma_pattern, used_formats

__all__ = ["StrictValidator", "ensure_format_checkers", "format_checker"]


def ensure_format_checkers() -> None:
    """Fail loudly if any ``format`` used by the schemas has no registered checker."""
    missing = sorted(used_formats() - set(Draft202012Validator.FORMAT_CHECKER.checkers))
    if missing:
        msg = (
            f"this installation cannot check the formats {missing}; install the kit with its "
            "dependencies (`pip install pakkeforlop`, which pulls rfc3339-validator and "
            "jsonpointer)"
        )
        raise MissingFormatCheckerError(msg)


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(ecma_pattern(pattern))


def _pattern(
    _validator: object, pattern: str, instance: object, _schema: object
) -> Iterator[ValidationError]:
    if isinstance(instance, str) and not _compiled(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _canonical(value: object) -> object:
    """A hashable form in which equal JSON values (by JSON Schema's rules) are equal."""
    if isinstance(value, dict):
        return ("object", frozenset((key, _canonical(item)) for key, item in value.items()))
    if isinstance(value, list):
        return ("array", tuple(_canonical(item) for item in value))
    if isinstance(value, bool) or value is None:
        return ("literal", value)
    if isinstance(value, float) and value.is_integer():
        return ("number", int(value))
    if isinstance(value, int | float):
        return ("number", value)
    return ("string", value)


def _unique_items(
    _validator: object, unique: bool, instance: object, _schema: object
) -> Iterator[ValidationError]:
    """``uniqueItems`` in linear time (jsonschema compares every pair: hours for 150,000 files)."""
    if not unique or not isinstance(instance, list):
        return
    seen: set[object] = set()
    for item in instance:
        key = _canonical(item)
        if key in seen:
            yield ValidationError(f"{instance!r} has non-unique elements")
            return
        seen.add(key)


#: Draft 2020-12 with ECMA-262 semantics for ``pattern`` and a linear ``uniqueItems``.
StrictValidator: type[Draft202012Validator] = validators.extend(  # type: ignore[no-untyped-call]
    Draft202012Validator, {"pattern": _pattern, "uniqueItems": _unique_items}
)  # jsonschema's extend() has no annotations; it returns a Draft202012Validator subclass


def _whole_date_time(value: object) -> bool:
    """RFC 3339's ``date-time``, the whole string: rfc3339-validator's pattern ends in ``$``,
    which also matches before a final newline, so ``"2025-01-01T00:00:00Z\n"`` passed (RFC
    3339 has no such form; jsonschema-rs rejects it)."""
    if isinstance(value, str) and value.endswith("\n"):
        return False
    return bool(Draft202012Validator.FORMAT_CHECKER.conforms(value, "date-time"))


@cache
def format_checker() -> FormatChecker:
    """The formats the kit checks: jsonschema's own (draft 2020-12), with ``date-time`` held
    to the whole string. The library's checker is left as it is. Raises
    :class:`~pakkeforlop.data.schemas.MissingFormatCheckerError` where a format the schemas
    use has no checker (jsonschema would pass its every value without a word)."""
    ensure_format_checkers()
    checker = FormatChecker(formats=())
    checker.checkers = dict(Draft202012Validator.FORMAT_CHECKER.checkers)
    if "date-time" in checker.checkers:  # (a schema without date-time need not have it)
        checker.checks("date-time")(_whole_date_time)
    return checker
