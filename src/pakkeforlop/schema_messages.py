"""Plain messages for JSON Schema violations that never leak document values unmasked."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from jsonschema.exceptions import ValidationError

from pakkeforlop.findings import MessageArg, Personal

MAX_LISTED = 8


def missing_member(error: ValidationError) -> str | None:
    """For a ``required`` violation, the name of the missing member."""
    if error.validator != "required" or not isinstance(error.instance, dict):
        return None
    required: Any = error.validator_value
    missing = [name for name in required if name not in error.instance]
    for name in missing:
        if error.message.startswith(repr(name)):
            return str(name)
    return str(missing[0]) if missing else None


#: Pointer segments under which a value identifies or describes a person.
PERSONAL_SEGMENTS = frozenset({"patient", "given", "family", "birthDate", "hpr", "phone", "email"})


def is_personal(pointer: str) -> bool:
    """Whether the value at ``pointer`` is personal data that reports mask by default."""
    return not PERSONAL_SEGMENTS.isdisjoint(pointer.split("/"))


def _value(instance: Any, pointer: str) -> MessageArg:
    text = instance if isinstance(instance, str) else json.dumps(instance, ensure_ascii=False)
    text = text if len(text) <= 80 else text[:77] + "..."
    return Personal(text) if is_personal(pointer) else repr(text)


def _listed(values: list[Any]) -> str:
    shown = ", ".join(json.dumps(value, ensure_ascii=False) for value in values[:MAX_LISTED])
    return shown + (f" (and {len(values) - MAX_LISTED} more)" if len(values) > MAX_LISTED else "")


def _expected(value: Any) -> dict[str, MessageArg]:
    return {"expected": str(value)}


def _nothing(_value: Any) -> dict[str, MessageArg]:
    return {}


_SIMPLE: dict[str, tuple[str, Callable[[Any], dict[str, MessageArg]]]] = {
    "format": ("the value {value} is not a valid {format}", lambda fmt: {"format": str(fmt)}),
    "pattern": ("the value {value} does not have the expected form", _nothing),
    "enum": (
        "the value {value} is not one of {allowed}",
        lambda allowed: {"allowed": _listed(allowed)},
    ),
    "const": (
        "the value {value} must be {expected}",
        lambda const: {"expected": json.dumps(const)},
    ),
    "type": ("expected a value of type {expected}", _expected),
    "minItems": ("needs at least {expected} item(s)", _expected),
    "maxItems": ("allows at most {expected} item(s)", _expected),
    "minLength": ("needs at least {expected} character(s)", _expected),
    "maxLength": ("allows at most {expected} character(s)", _expected),
    "minProperties": ("needs at least {expected} member(s)", _expected),
    "uniqueItems": ("has duplicate items", _nothing),
}


def describe(error: ValidationError, pointer: str) -> tuple[str, dict[str, MessageArg]]:
    """A message template and its arguments for the violation at ``pointer``."""
    keyword = error.validator
    instance: Any = error.instance
    expected: Any = error.validator_value
    schema: Any = error.schema
    if keyword == "required":
        return "the member '{name}' is missing", {"name": missing_member(error) or "?"}
    if keyword == "additionalProperties":
        extra = sorted(set(instance) - set(schema.get("properties", {})))
        return "unexpected member(s) {names}", {"names": ", ".join(map(repr, extra))}
    simple = _SIMPLE.get(str(keyword))
    if simple is not None:
        template, make_args = simple
        args = make_args(expected)
        if "{value}" in template:
            args["value"] = _value(instance, pointer)
        return template, args
    if keyword in {"oneOf", "anyOf"}:
        titles = [branch.get("title", f"alternative {n + 1}") for n, branch in enumerate(expected)]
        quantifier = "exactly one" if keyword == "oneOf" else "at least one"
        return "must match {quantifier} of: {titles}", {
            "quantifier": quantifier,
            "titles": "; ".join(titles),
        }
    return "fails the schema keyword '{keyword}'", {"keyword": str(keyword)}
