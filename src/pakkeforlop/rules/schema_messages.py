"""Plain messages for JSON Schema violations that never leak document values unmasked."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from pakkeforlop.data.schemas import registry
from pakkeforlop.model.findings import MessageArg, Personal

if TYPE_CHECKING:  # (jsonschema is imported when first used: see pakkeforlop.data.schemas)
    from jsonschema.exceptions import ValidationError

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


#: The schema annotation that says whether a field's value is personal: ``false`` on codes,
#: dates, enumerations and the identifiers of documents and organisations (a report may quote
#: them), ``true`` where a shared definition is used for a person (a birth date). A value with
#: no mark on the way to its schema is personal: described, never quoted.
PERSONAL = "x-personal"
#: References followed in a row at most (the published schemas chain two).
_MAX_HOPS = 8


def _marks(schema_id: str, schema_path: tuple[str | int, ...]) -> Iterator[object]:
    """The :data:`PERSONAL` marks on the way from the document's schema to a failing keyword,
    following ``$ref`` where the path steps into what it refers to."""
    resolved = registry().resolver().lookup(schema_id)
    node: Any = resolved.contents
    resolver = resolved.resolver
    for step in schema_path:
        for _ in range(_MAX_HOPS):  # a reference may lead to another, never in a loop
            if not isinstance(node, dict):
                break
            yield node.get(PERSONAL)
            if step in node or "$ref" not in node:
                break
            resolved = resolver.lookup(node["$ref"])
            node, resolver = resolved.contents, resolved.resolver
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            return


@lru_cache(maxsize=1024)
def is_quotable(schema_id: str, schema_path: tuple[str | int, ...]) -> bool:
    """Whether a report may quote the value a keyword failed on: only when the schema marks it
    as not personal, and nothing on the way marks it as personal."""
    marks = set(_marks(schema_id, schema_path))
    return False in marks and True not in marks


def _value(instance: Any, quotable: bool) -> MessageArg:
    text = instance if isinstance(instance, str) else json.dumps(instance, ensure_ascii=False)
    text = text if len(text) <= 80 else text[:77] + "..."
    return repr(text) if quotable else Personal(text)


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


def describe(error: ValidationError, schema_id: str) -> tuple[str, dict[str, MessageArg]]:
    """A message template and its arguments for a violation of the schema ``schema_id``.

    The value is quoted only where the schema marks it as not personal (:func:`is_quotable`);
    elsewhere it is a :class:`~pakkeforlop.model.findings.Personal` argument, masked in reports.
    """
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
            path = tuple(error.schema_path)
            args["value"] = _value(instance, is_quotable(schema_id, path))
        return template, args
    if keyword in {"oneOf", "anyOf"}:
        titles = [branch.get("title", f"alternative {n + 1}") for n, branch in enumerate(expected)]
        quantifier = "exactly one" if keyword == "oneOf" else "at least one"
        return "must match {quantifier} of: {titles}", {
            "quantifier": quantifier,
            "titles": "; ".join(titles),
        }
    return "fails the schema keyword '{keyword}'", {"keyword": str(keyword)}
