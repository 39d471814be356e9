"""How a merged schema view reads in a property table: its type, and the values it allows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generated_pages.markdown import code, inline, json_value, ref
from generated_pages.schema_view import SchemaReader, View

#: A longer enum of codes is counted, not listed (the code system's page lists it).
INLINE_ENUM_LIMIT = 12
#: How deep "array of array of …" goes.
MAX_ARRAY_DEPTH = 3


def type_text(view: View, reader: SchemaReader, depth: int = 0) -> str:
    """``string (date)``, ``array of object``, ``object (coded value)``, with a link to the
    ``$defs`` entry the view comes from."""
    text = _kind_text(view, reader, depth)
    if view.definition and depth == 0:
        label, title = view.definition
        text += f" — {ref(label, title)}"
    return text


def _kind_text(view: View, reader: SchemaReader, depth: int) -> str:
    types = _types(view)
    if view.code_kind == "coded-value":
        return "object (coded value)"
    if "array" in types and view.items and depth < MAX_ARRAY_DEPTH:
        items = reader.view(view.items, frozenset(view.refs))
        return "array of " + type_text(items, reader, depth + 1)
    text = " or ".join(types) if types else "any"
    if view.format:
        text += f" ({view.format})"
    return text


def _types(view: View) -> list[str]:
    """The declared types, else those of the constant or the enum's values."""
    if view.types:
        return list(view.types)
    if view.has_const:
        return [_json_type(view.const)]
    if view.enum:
        return sorted({_json_type(value) for value in view.enum})
    return []


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    return "array" if isinstance(value, list) else "object"


def allowed_text(view: View, code_systems: Mapping[str, object]) -> str:
    """The values ``view`` allows, in words: code list, constant, enum, pattern, bounds,
    variants, and whether other properties are allowed."""
    parts = [
        *_code_system_parts(view, code_systems),
        *_value_parts(view),
        *_bound_parts(view.bounds),
        *_variant_parts(view),
    ]
    if view.properties and view.closed and view.code_kind != "coded-value":
        parts.append("no other properties")
    return "; ".join(parts)


def _code_system_parts(view: View, code_systems: Mapping[str, object]) -> list[str]:
    if not view.code_system:
        return []
    target = (
        ref(f"kodeverk-{view.code_system}", f"kodeverk {view.code_system}")
        if code_systems.get(view.code_system)
        else f"kodeverk {view.code_system}"
    )
    if view.code_kind == "coded-value":
        return [f"coded value: `system` and a `code` from {target}"]
    return [f"a code from {target}"]


def _value_parts(view: View) -> list[str]:
    parts = []
    if view.has_const:
        parts.append(f"always {code(json_value(view.const, 200))}")
    if view.enum is not None:
        if view.code_system and len(view.enum) > INLINE_ENUM_LIMIT:
            parts.append(f"one of {len(view.enum)} codes")
        else:
            parts.append("one of " + ", ".join(code(json_value(v, 200)) for v in view.enum))
    if view.pattern is not None and view.code_kind != "coded-value":
        parts.append(f"pattern {code(view.pattern)}")
    return parts


def _bound_parts(bounds: Mapping[str, Any]) -> list[str]:
    parts = []
    for low, high, what in (
        ("minLength", "maxLength", "length"),
        ("minimum", "maximum", "value"),
        ("minItems", "maxItems", "items"),
    ):
        if low in bounds and high in bounds:
            parts.append(f"{what} {bounds[low]}\u2013{bounds[high]}")
        elif low in bounds:
            parts.append(f"{what} ≥ {bounds[low]}")
        elif high in bounds:
            parts.append(f"{what} ≤ {bounds[high]}")
    if bounds.get("uniqueItems"):
        parts.append("unique items")
    return parts


def _variant_parts(view: View) -> list[str]:
    if not view.variants:
        return []
    names = [
        inline(str(sub.get("title") or f"variant {index}"))
        if isinstance(sub, Mapping)
        else f"variant {index}"
        for index, (sub, _base) in enumerate(view.variants, start=1)
    ]
    word = "exactly one of" if view.variant_kind == "oneOf" else "at least one of"
    return [f"{word}: " + "; ".join(names)]
