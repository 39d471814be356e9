"""NDJSON event lines decoded into typed records, for the fast path; the exact parser does the rest.

The record type is generated from ``pathway-event.schema.json``: one msgspec Struct per object
of the schema, a field per property (string-valued properties are ``str``; required ones have
no default), unknown members refused where the schema refuses them. msgspec decodes a line
into it, or refuses it (malformed, a wrong type, a missing or unknown member, ``NaN``, a lone
surrogate, a byte order mark, invalid UTF-8, trailing data). What msgspec accepts the exact
parser accepts too, to the same values; the one thing it cannot tell, a key written twice,
:func:`keys_once` tells. A line refused for any reason goes to the exact path.

What the schema says about the values (patterns, enumerations, formats, lengths) is not
checked here: the fast path judges each distinct value once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import msgspec
from msgspec import UNSET, Struct, UnsetType
from msgspec.structs import astuple

from pakkeforlop.read.fast_json import key_tokens

#: JSON Schema keywords an event property may carry and still be a string in the record.
_STRING_KEYWORDS: Final = frozenset({"type", "enum", "const", "pattern", "format", "maxLength"})
_ANNOTATIONS: Final = frozenset({"$schema", "$id", "title", "description", "examples"})


class UnsupportedSchemaError(Exception):
    """The schema has a construct the generated records cannot carry (no fast path then)."""


@dataclass(frozen=True, slots=True)
class RecordType:
    """A Struct generated from one object schema: its fields are the schema's properties, in
    order (``msgspec.structs.astuple`` gives their values; ``UNSET`` for an absent one)."""

    struct: type[Struct]
    #: The properties' names, in field order.
    members: tuple[str, ...]
    #: Per field, the record type of a nested object (``None`` for a string).
    nested: tuple[RecordType | None, ...]
    #: ``(index, record type)`` of the fields that hold nested objects.
    objects: tuple[tuple[int, RecordType], ...]

    def count(self, items: tuple[Any, ...]) -> int:
        """How many members a decoded value has (``items``: its fields' values), nested
        objects' included."""
        count = len(items) - items.count(UNSET)
        for index, nested in self.objects:
            item = items[index]
            if item is not UNSET:
                count += nested.count(astuple(item))
        return count

    def quotes(self, items: tuple[Any, ...]) -> int:
        """How many quotes a decoded value (``items``: its fields' values) is written with when
        no string of it holds an escaped quote: two for each member's key, two for each
        string (every value is a string or an object)."""
        quotes = 4 * (len(items) - items.count(UNSET))
        for index, nested in self.objects:
            item = items[index]
            if item is not UNSET:
                quotes += nested.quotes(astuple(item)) - 2
        return quotes

    def builtins(self, value: Any) -> dict[str, Any]:
        """The decoded ``value`` as the exact parser gives it (in field order)."""
        return {
            member: item if nested is None else nested.builtins(item)
            for member, item, nested in zip(self.members, astuple(value), self.nested, strict=True)
            if item is not UNSET
        }


Resolve = Callable[[dict[str, Any]], tuple[dict[str, Any], "Resolve"]]


def _is_string(node: dict[str, Any]) -> bool:
    kinds = set(node) - _ANNOTATIONS - {"x-personal"}
    if not kinds <= _STRING_KEYWORDS:
        return False
    values = [node["const"]] if "const" in node else node.get("enum", [])
    return node.get("type", "string") == "string" and all(isinstance(v, str) for v in values)


def record_type(
    name: str, node: dict[str, Any], resolve: Resolve, *, top: bool = True
) -> RecordType:
    """The record type of an object schema (``resolve`` follows a ``$ref``).

    At the top, the schema must say nothing but what each member is (a line is then valid
    exactly when each member's value is valid for that member's schema); a nested object's
    value is judged whole, so its schema may say more. The Structs are frozen, so that equal
    values are equal, hashable keys.
    """
    allowed = _ANNOTATIONS | {"type", "properties", "required", "additionalProperties"}
    if node.get("type") != "object" or "properties" not in node or (top and set(node) - allowed):
        raise UnsupportedSchemaError(name)
    required = set(node.get("required", ()))
    members: list[str] = []
    nested: list[RecordType | None] = []
    definitions: list[tuple[str, Any] | tuple[str, Any, Any]] = []
    for index, (member, sub) in enumerate(node["properties"].items()):
        target, inner = resolve(sub)
        inner_type = None if _is_string(target) else record_type(member, target, inner, top=False)
        kind: Any = str if inner_type is None else inner_type.struct
        attribute = f"f{index}"
        if member in required:
            definitions.append((attribute, kind))
        else:
            definitions.append((attribute, kind | UnsetType, UNSET))
        members.append(member)
        nested.append(inner_type)
    struct = msgspec.defstruct(
        name,
        definitions,
        kw_only=True,
        frozen=True,
        forbid_unknown_fields=node.get("additionalProperties") is False,
        rename={f"f{index}": member for index, member in enumerate(members)},
        gc=False,
    )
    objects = tuple((index, inner) for index, inner in enumerate(nested) if inner is not None)
    return RecordType(struct, tuple(members), tuple(nested), objects)


class EventDecoder:
    """Decodes a line into the event record (see :func:`keys_once` for the one guard the line
    needs besides)."""

    __slots__ = ("decode", "record")

    def __init__(self, record: RecordType) -> None:
        self.record = record
        #: The line's record; ``msgspec.DecodeError`` (or ``RecursionError``) when msgspec
        #: refuses the line.
        self.decode: Callable[[bytes], Any] = msgspec.json.Decoder(record.struct).decode


def keys_once(line: bytes, record: RecordType, items: tuple[Any, ...], quotes: int) -> bool:
    """Whether ``line``, which msgspec decoded into a record whose fields' values are ``items``,
    writes no key twice (``quotes``: ``record.quotes(items)``, which a caller may know).

    In JSON text a quote opens or closes a key or a string, or is escaped in a string; the
    text holds every key and string of its value, and a key written twice (and its value) on
    top. So a line holding exactly ``quotes`` quotes writes no key twice (nor escapes a
    quote): the common case, told by counting one byte at C speed. Any other line is judged
    by its key tokens (:func:`pakkeforlop.read.fast_json.key_tokens`): exactly as many as
    the record's members.
    """
    return line.count(b'"') == quotes or record.count(items) == key_tokens(line)
