"""Where a member can be in a document its schema accepts: paths derived from the schemas.

The kit's document schemas are closed (``additionalProperties: false`` on every object), so a
document that passes its schema holds a member of a given name only where the schema places
one. Checks that look everywhere in a document for a member (an organisation number, an HPR
number, a coded value) read a valid document at those few places instead of walking or
searching all of it (see :func:`pakkeforlop.rules._per_document.placed`).

The paths are a superset: the members of every branch of ``allOf``, ``anyOf``, ``oneOf``,
``if``, ``then`` and ``else`` and every ``$ref`` are taken, so a document may lack some of
them, never hold one elsewhere. Where a schema leaves a place open (an object whose members
are not all named, ``patternProperties``, an array with ``prefixItems``, a value of no stated
type that may be an object or an array), there are no paths for it: ``None``, and the checks
look everywhere, as for a document that fails its schema.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pakkeforlop.data.schemas import registry, schema

#: A path to a member: member names, ``None`` for any item of an array.
Path = tuple[str | None, ...]
#: What a schema places under a value: the members it may have, by name (``None``: the items,
#: when it is an array), each with what is placed under it.
Tree = dict[str | None, "Tree"]

#: A schema may nest this deep; deeper, or in a cycle of references, it is taken as open.
MAX_DEPTH = 32
#: Keywords that place members or items in ways not followed here: a schema with one is open.
_NOT_FOLLOWED = frozenset(
    {
        "patternProperties",
        "prefixItems",
        "dependentSchemas",
        "additionalItems",
        "unevaluatedItems",
        "contains",
        "$dynamicRef",
        "$recursiveRef",
    }
)
#: referencing's resolver of a schema's references (its class is not exported by name).
Resolver = Any
#: Subschemas that all constrain one value (a conjunction); an empty one constrains nothing.
Conjunction = tuple[tuple[Any, Resolver], ...]


class OpenSchemaError(ValueError):
    """A schema leaves a place open: a member of any name could be there."""


@dataclass(frozen=True)
class _Shape:
    """What subschemas say of a value: its possible JSON types (``None``: any), whether its
    members are only those named, and, for each member and for the items, the alternatives
    (one of which holds) of what constrains them."""

    types: frozenset[str] | None
    closed: bool
    members: Mapping[str, tuple[Conjunction, ...]]
    items: tuple[Conjunction, ...]


_ANYTHING = _Shape(None, False, {}, ((),))


def _both(first: _Shape, second: _Shape) -> _Shape:
    """A value that satisfies both."""
    if first.types is None or second.types is None:
        types = first.types if second.types is None else second.types
    else:
        types = first.types & second.types
    members = dict(first.members)
    for name, alternatives in second.members.items():
        known = members.get(name)
        members[name] = alternatives if known is None else _product(known, alternatives)
    return _Shape(
        types, first.closed or second.closed, members, _product(first.items, second.items)
    )


def _either(shapes: list[_Shape]) -> _Shape:
    """A value that satisfies one of them at least."""
    types: set[str] | None = set()
    members: dict[str, tuple[Conjunction, ...]] = {}
    for shape in shapes:
        types = None if types is None or shape.types is None else types | shape.types
        for name, alternatives in shape.members.items():
            members[name] = members.get(name, ()) + alternatives
    # A member that a shape of an object leaves unconstrained (and allowed) may hold anything.
    for name, alternatives in members.items():
        if any(
            name not in shape.members and not shape.closed and _may_be(shape, "object")
            for shape in shapes
        ):
            members[name] = (*alternatives, ())
    items = tuple(item for shape in shapes if _may_be(shape, "array") for item in shape.items)
    return _Shape(
        None if types is None else frozenset(types),
        all(shape.closed for shape in shapes if _may_be(shape, "object")),
        members,
        items,
    )


def _may_be(shape: _Shape, json_type: str) -> bool:
    return shape.types is None or json_type in shape.types


def _product(
    first: tuple[Conjunction, ...], second: tuple[Conjunction, ...]
) -> tuple[Conjunction, ...]:
    return tuple(one + other for one in first for other in second)


def _json_type(value: object) -> str:
    """The JSON type of an ``enum`` or ``const`` value: ``"scalar"`` for any but an object or
    an array (only those can hold members or items)."""
    if isinstance(value, dict):
        return "object"
    return "array" if isinstance(value, list) else "scalar"


def _shape(node: Any, resolver: Resolver, depth: int) -> _Shape:
    """What one subschema, with its references and branches, says of a value."""
    if depth > MAX_DEPTH:
        raise OpenSchemaError("nested too deep, or references without end")
    if node is True or node == {}:
        return _ANYTHING
    if not isinstance(node, Mapping):
        raise OpenSchemaError("a subschema that is not an object")
    if _NOT_FOLLOWED & node.keys():
        raise OpenSchemaError("members or items placed in a way not followed")
    types: set[str] | None = None
    declared = node.get("type")
    if declared is not None:
        types = {declared} if isinstance(declared, str) else set(declared)
    for fixed in ([*node["enum"]] if "enum" in node else []) + (
        [node["const"]] if "const" in node else []
    ):
        types = (types or set()) | {_json_type(fixed)}
    extra = node.get("additionalProperties", node.get("unevaluatedProperties"))
    if extra is not None and extra is not False:
        raise OpenSchemaError("members of any name")
    members = {
        name: (((member, resolver),),) for name, member in node.get("properties", {}).items()
    }
    items = (((node["items"], resolver),),) if "items" in node else ((),)
    shape = _Shape(None if types is None else frozenset(types), extra is False, members, items)
    if "$ref" in node:
        found = resolver.lookup(node["$ref"])
        shape = _both(shape, _shape(found.contents, found.resolver, depth + 1))
    for branch in node.get("allOf", ()):
        shape = _both(shape, _shape(branch, resolver, depth + 1))
    for keyword in ("anyOf", "oneOf"):
        if keyword in node:
            branches = [_shape(branch, resolver, depth + 1) for branch in node[keyword]]
            shape = _both(shape, _either(branches))
    if "then" in node or "else" in node:  # each applies or not, as the ``if`` holds or not
        outcomes = [
            _shape(node[key], resolver, depth + 1) for key in ("then", "else") if key in node
        ]
        shape = _both(shape, _either([*outcomes, _ANYTHING]))
    return shape


def tree_of(constraints: Conjunction, depth: int = 0) -> Tree:
    """What a value that satisfies all these subschemas holds (see :data:`Tree`); raises
    :class:`OpenSchemaError` where they leave a place open."""
    shape = _ANYTHING
    for node, resolver in constraints:
        shape = _both(shape, _shape(node, resolver, depth))
    types = shape.types
    if types is None or ("object" in types and not shape.closed):
        raise OpenSchemaError("a value that may hold members of any name")
    tree: Tree = {}
    placed: list[tuple[str | None, tuple[Conjunction, ...]]] = []
    if "object" in types:
        placed.extend(shape.members.items())
    if "array" in types:
        placed.append((None, shape.items))
    for name, alternatives in placed:
        below = tree.setdefault(name, {})
        for alternative in alternatives:
            _merge(below, tree_of(alternative, depth + 1))
    return tree


def _merge(into: Tree, more: Tree) -> None:
    for name, below in more.items():
        _merge(into.setdefault(name, {}), below)


@cache
def document_tree(schema_id: str) -> Tree | None:
    """What the published schema ``schema_id`` places in a document (``None``: it leaves a
    place open)."""
    contents = schema(schema_id)
    try:
        return tree_of(((contents, registry().resolver(base_uri=str(contents["$id"]))),))
    except OpenSchemaError:
        return None


def _paths(tree: Tree, wanted: Any, prefix: Path = ()) -> Iterator[Path]:
    for name, below in tree.items():
        path = (*prefix, name)
        if wanted(name, below):
            yield path
        yield from _paths(below, wanted, path)


@cache
def member_paths(schema_id: str, name: str) -> tuple[Path, ...] | None:
    """Every place the schema may hold a member called ``name`` (``None``: it cannot tell)."""
    tree = document_tree(schema_id)
    if tree is None:
        return None
    return tuple(_paths(tree, lambda member, _below: member == name))


@cache
def object_paths(schema_id: str, names: tuple[str, ...]) -> tuple[Path, ...] | None:
    """Every place the schema may hold an object with members of all these ``names``
    (``None``: it cannot tell)."""
    tree = document_tree(schema_id)
    if tree is None:
        return None
    return tuple(_paths(tree, lambda _member, below: set(names) <= below.keys()))


#: A function that reads a document's value at the places a schema gives.
Reader = Callable[[Any], list[Any]]


@cache
def string_reader(schema_id: str, name: str) -> Reader | None:
    """A function that gives every string value of a member ``name`` in a document that
    passed the schema ``schema_id`` (``None``: the schema cannot tell where they are)."""
    paths = member_paths(schema_id, name)
    if paths is None:
        return None
    read: Reader = _reader(
        paths, "str", lambda item: [f"found.append({item})"], ("found = []",), "found"
    )
    return read


@cache
def members_reader(schema_id: str, names: tuple[str, ...]) -> Reader | None:
    """A function that gives, for every object with string members of all these ``names`` in a
    document that passed the schema ``schema_id``, the tuple of their values (``None``: the
    schema cannot tell where they are)."""
    paths = object_paths(schema_id, names)
    if paths is None:
        return None
    found = [f"member{at}" for at in range(len(names))]
    strings = " and ".join(f"type({one}) is str" for one in found)
    read: Reader = _reader(
        paths,
        "dict",
        lambda item: [
            *(f"{one} = {item}.get({name!r})" for one, name in zip(found, names, strict=True)),
            f"if {strings}:",
            f"    found.append(({', '.join(found)},))",
        ],
        ("found = []",),
        "found",
    )
    return read


#: A function that looks up, in a table, what a document's value holds at a schema's places.
Lookup = Callable[[Any, Mapping[Any, bool]], bool | None]


@cache
def members_lookup(schema_id: str, names: tuple[str, ...]) -> Lookup | None:
    """A function that looks up in a ``table`` the tuple of the ``names`` members of every
    object at the places where a document that passed the schema ``schema_id`` may hold
    objects with all of them (see :func:`members_reader`): the first tuple whose entry is
    not ``False`` gives the answer (``True``; ``None`` if the table lacks it, or for an
    object that lacks a member, or whose members cannot be a key); else ``False``. (``None``
    as a whole: the schema cannot tell where they are.)

    Why: a check that keeps a verdict (``True``: it gives a finding) for every tuple of
    strings it met answers a document whose tuples it knows without building them into a
    list and testing their types first. A table whose keys are all tuples of strings finds
    only a tuple of strings, so a ``False`` here means what the same look-ups of what
    :func:`members_reader` gives would; anything else sends the caller to that reader.
    """
    paths = object_paths(schema_id, names)
    if paths is None:
        return None
    key = ", ".join(f"{{item}}[{name!r}]" for name in names)
    lookup: Lookup = _reader(
        paths,
        "dict",
        lambda item: [
            "try:",
            f"    answer = table.get(({key.format(item=item)},))",
            "except (KeyError, TypeError):  # a member missing, or a list or object",
            "    return None",
            "if answer is not False:",
            "    return answer",
        ],
        (),
        "False",
        "table",
    )
    return lookup


def _reader(
    paths: tuple[Path, ...],
    kind: str,
    at_end: Callable[[str], list[str]],
    start: tuple[str, ...],
    result: str,
    *arguments: str,
) -> Any:
    """A function of a document's value (and ``arguments``) that runs ``start``, then the
    lines ``at_end`` gives for each value at these paths that is of type ``kind`` (given the
    value's variable), and gives ``result``.

    Why generated: a check reads a few paths in every document, and a loop that interprets
    them step by step costs several times the look-ups themselves (3 µs, against 0.6, for
    the coded values of a referral). The function is written as the look-ups would be by
    hand, one nested block per step with the member names as literals (``repr``), and is
    compiled once per schema and name, as :mod:`dataclasses` does for the methods it writes.
    Paths that start alike share their steps (see :class:`_Steps`), so each value is looked
    up and its type tested once, however many paths pass through it.
    """
    lines = [f"def read({', '.join(('value', *arguments))}):"]
    lines.extend(f"    {line}" for line in start)
    lines.extend(_reading(_Steps.of(paths), kind, at_end))
    lines.append(f"    return {result}")
    namespace: dict[str, Any] = {}
    exec(compile("\n".join(lines), f"<read {paths!r}>", "exec"), namespace)
    return namespace["read"]


@dataclass
class _Steps:
    """Paths as a tree of their steps: whether a path ends here, and the steps that follow,
    in the order the paths first take them. A reader gives its values path by path where the
    paths part before a list, and item by item where they share it (its callers judge the
    values as a whole: whether any gives a finding)."""

    ends: bool = False
    below: dict[str | None, _Steps] = field(default_factory=dict)

    @classmethod
    def of(cls, paths: tuple[Path, ...]) -> _Steps:
        root = cls()
        for path in paths:
            node = root
            for step in path:
                node = node.below.setdefault(step, cls())
            node.ends = True
        return root


def _reading(
    steps: _Steps,
    kind: str,
    at_end: Callable[[str], list[str]],
    depth: int = 0,
    indent: str = "    ",
) -> list[str]:
    """The lines of a reader (see :func:`_reader`) for the value reached by ``depth`` steps
    (``value`` at the start, then ``item1``, ``item2``...) and the values below it.

    A missing member is looked up as ``None``, which fails every type test that follows (a
    member that is ``null`` holds nothing either), so no sentinel is needed.
    """
    item, below_item = (f"item{depth}" if depth else "value"), f"item{depth + 1}"
    lines: list[str] = []
    if steps.ends and kind == "str":
        lines.append(f"{indent}if type({item}) is str:")
        lines.extend(f"{indent}    {line}" for line in at_end(item))
    named = [(step, below) for step, below in steps.below.items() if step is not None]
    here = steps.ends and kind == "dict"
    if here or named:
        lines.append(f"{indent}if type({item}) is dict:")
        inner = indent + "    "
        if here:
            lines.extend(f"{inner}{line}" for line in at_end(item))
        for step, below in named:
            lines.append(f"{inner}{below_item} = {item}.get({step!r})")
            lines.extend(_reading(below, kind, at_end, depth + 1, inner))
    items = steps.below.get(None)
    if items is not None:
        lines.append(f"{indent}if type({item}) is list:")
        lines.append(f"{indent}    for {below_item} in {item}:")
        lines.extend(_reading(items, kind, at_end, depth + 1, indent + "        "))
    return lines
