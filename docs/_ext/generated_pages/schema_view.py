"""A merged view of a JSON Schema subschema, and a walk over its properties as table rows.

A property's constraints are spread over ``$ref``, ``allOf`` and ``$defs`` in other files; the
view follows them (through the package's offline registry) and merges what they say, the first
value of each keyword winning, so that a page can show one row per property.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urldefrag, urljoin

from generated_pages.data import Data
from generated_pages.markdown import code, json_value
from pakkeforlop.data import schemas as registry_module

#: ``$id`` of a code-list schema: a bare code when it has a fragment, else a coded value.
CODE_SCHEMA = re.compile(
    re.escape(registry_module.SCHEMA_BASE_URI)
    + r"codes/kodeverk-(?P<kodeverk>[0-9]+)\.schema\.json(?P<fragment>#.*)?$"
)
#: How deep the property tables go into nested objects.
MAX_DEPTH = 8

BOUND_KEYWORDS = (
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minItems",
    "maxItems",
    "uniqueItems",
)


@dataclass
class View:
    """What one subschema says once ``$ref`` and ``allOf`` are followed and merged."""

    description: str | None = None
    title: str | None = None
    types: list[str] = field(default_factory=list)
    format: str | None = None
    pattern: str | None = None
    const: Any = None
    has_const: bool = False
    enum: list[Any] | None = None
    examples: list[Any] | None = None
    bounds: dict[str, Any] = field(default_factory=dict)
    properties: dict[str, list[tuple[Any, str]]] = field(default_factory=dict)
    required: set[str] = field(default_factory=set)
    items: list[tuple[Any, str]] = field(default_factory=list)
    variants: list[tuple[Any, str]] = field(default_factory=list)
    variant_kind: str = ""
    conditionals: list[tuple[Any, Any, Any]] = field(default_factory=list)
    closed: bool = False
    code_system: str | None = None
    code_kind: str | None = None  # "code" (a bare code) or "coded-value" (system + code)
    definition: tuple[str, str] | None = None  # (label, title) of the first $defs entry used
    refs: set[str] = field(default_factory=set)
    recursive: bool = False


@dataclass
class Row:
    """One property of a schema, as a table row."""

    path: str
    required: bool
    view: View
    example: str | None
    notes: list[str]


class SchemaReader:
    """Reads schemas through the offline registry."""

    def __init__(self, data: Data) -> None:
        self.data = data
        self.registry = registry_module.registry()

    # -- resolution -----------------------------------------------------------------------

    def lookup(self, uri: str) -> tuple[Any, str]:
        base = urldefrag(uri).url
        resolved = self.registry.resolver(base_uri=base).lookup(uri)
        return resolved.contents, base

    def definition_of(self, uri: str) -> tuple[str, str] | None:
        base, fragment = urldefrag(uri)
        match = re.fullmatch(r"/\$defs/([^/]+)", fragment)
        schema = self.data.schemas.get(base)
        if not match or schema is None:
            return None
        name = match.group(1)
        target = schema.contents.get("$defs", {}).get(name, {})
        return schema.def_label(name), str(target.get("title") or name)

    # -- merging --------------------------------------------------------------------------

    def view(self, sources: Iterable[tuple[Any, str]], seen: frozenset[str] = frozenset()) -> View:
        result = View()
        for node, base in sources:
            self._merge(result, node, base, seen)
        return result

    def _merge(self, view: View, node: Any, base: str, seen: frozenset[str]) -> None:
        """Add what ``node`` says to ``view``: its own keywords, then its ``allOf``, then the
        target of its ``$ref``."""
        if not isinstance(node, Mapping):
            return
        _merge_annotations(view, node)
        _merge_types(view, node)
        _merge_values(view, node)
        _merge_structure(view, node, base)
        for sub in node.get("allOf", ()):
            self._merge(view, sub, base, seen)
        if isinstance(node.get("$ref"), str):
            self._merge_reference(view, urljoin(base, node["$ref"]), seen)

    def _merge_reference(self, view: View, uri: str, seen: frozenset[str]) -> None:
        if uri in seen:
            view.recursive = True
            return
        view.refs.add(uri)
        match = CODE_SCHEMA.match(uri)
        if match and view.code_system is None:
            view.code_system = match.group("kodeverk")
            view.code_kind = "code" if match.group("fragment") else "coded-value"
        if view.definition is None:
            view.definition = self.definition_of(uri)
        target, target_base = self.lookup(uri)
        self._merge(view, target, target_base, seen | {uri})

    # -- rows -----------------------------------------------------------------------------

    def rows(self, view: View, seen: frozenset[str], examples: list[tuple[str, Any]]) -> list[Row]:
        """One row per property of ``view``, nested properties after their parent."""
        return self._rows(view, "", depth=0, seen=seen | frozenset(view.refs), examples=examples)

    def _rows(
        self,
        view: View,
        path: str,
        *,
        depth: int,
        seen: frozenset[str],
        examples: list[tuple[str, Any]],
    ) -> list[Row]:
        notes = _conditional_notes(view)
        rows: list[Row] = []
        for name, sources in view.properties.items():
            child = self.view(sources, seen)
            child_path = f"{path}.{name}" if path else name
            example = _example(child, child_path, examples)
            rows.append(Row(child_path, name in view.required, child, example, notes.get(name, [])))
            rows.extend(
                self._nested_rows(child, child_path, depth=depth, seen=seen, examples=examples)
            )
        return rows

    def _nested_rows(
        self,
        child: View,
        path: str,
        *,
        depth: int,
        seen: frozenset[str],
        examples: list[tuple[str, Any]],
    ) -> list[Row]:
        """The rows below a property: those of its own properties, then of its items'."""
        if child.code_kind == "coded-value" or child.recursive or depth >= MAX_DEPTH:
            return []
        child_seen = seen | frozenset(child.refs)
        rows: list[Row] = []
        if child.properties:
            rows += self._rows(child, path, depth=depth + 1, seen=child_seen, examples=examples)
        if child.items:
            items = self.view(child.items, child_seen)
            if items.properties and items.code_kind != "coded-value":
                rows += self._rows(
                    items,
                    path + "[]",
                    depth=depth + 1,
                    seen=child_seen | items.refs,
                    examples=examples,
                )
        return rows


# -- merging one node's keywords (the first value of each wins) ---------------------------


def _merge_annotations(view: View, node: Mapping[str, Any]) -> None:
    if view.description is None and isinstance(node.get("description"), str):
        view.description = node["description"]
    if view.title is None and isinstance(node.get("title"), str):
        view.title = node["title"]
    if view.format is None and "format" in node:
        view.format = node["format"]
    if view.pattern is None and "pattern" in node:
        view.pattern = node["pattern"]


def _merge_types(view: View, node: Mapping[str, Any]) -> None:
    kinds = node.get("type")
    for kind in [kinds] if isinstance(kinds, str) else (kinds or []):
        if kind not in view.types:
            view.types.append(kind)


def _merge_values(view: View, node: Mapping[str, Any]) -> None:
    if not view.has_const and "const" in node:
        view.const, view.has_const = node["const"], True
    if view.enum is None and "enum" in node:
        view.enum = list(node["enum"])
    if view.examples is None and node.get("examples"):
        view.examples = list(node["examples"])
    for keyword in BOUND_KEYWORDS:
        if keyword in node:
            view.bounds.setdefault(keyword, node[keyword])


def _merge_structure(view: View, node: Mapping[str, Any], base: str) -> None:
    for name, sub in (node.get("properties") or {}).items():
        view.properties.setdefault(name, []).append((sub, base))
    view.required.update(node.get("required", ()))
    if "items" in node and isinstance(node["items"], Mapping | bool):
        view.items.append((node["items"], base))
    for keyword in ("oneOf", "anyOf"):
        if keyword in node:
            view.variants.extend((sub, base) for sub in node[keyword])
            view.variant_kind = keyword
    if "if" in node:
        view.conditionals.append((node["if"], node.get("then"), node.get("else")))
    if node.get("additionalProperties") is False:
        view.closed = True


# -- what a row says besides the view ---------------------------------------------------------


def _conditional_notes(view: View) -> dict[str, list[str]]:
    """What ``if``/``then``/``else`` add to each property, by property name."""
    notes: dict[str, list[str]] = {}
    for condition, then, otherwise in view.conditionals:
        when = _condition_text(condition)
        for prefix, branch in ((f"if {when}", then), ("otherwise", otherwise)):
            if not isinstance(branch, Mapping):
                continue
            for name, sub in (branch.get("properties") or {}).items():
                summary = _constraint_summary(sub)
                if summary:
                    notes.setdefault(name, []).append(f"{prefix}: {summary}")
            for name in branch.get("required", ()):
                notes.setdefault(name, []).append(f"{prefix}: required")
    return notes


def _example(view: View, path: str, examples: list[tuple[str, Any]]) -> str | None:
    """The schema's own example, else the value at ``path`` in the first example document
    that has a plain value there."""
    if view.examples:
        return json_value(view.examples[0])
    if view.has_const or view.properties or view.code_kind == "coded-value":
        return None
    tokens = path.split(".")
    for _where, document in examples:
        found, value = _value_at(document, tokens)
        if found and _is_plain(value):
            return json_value(value)
    return None


def _is_plain(value: Any) -> bool:
    """Not an object, nor an array of objects."""
    if isinstance(value, Mapping):
        return False
    return not (isinstance(value, list) and any(isinstance(item, Mapping) for item in value))


def _value_at(document: Any, tokens: Sequence[str]) -> tuple[bool, Any]:
    value = document
    for token in tokens:
        name, arrays = token.removesuffix("[]" * token.count("[]")), token.count("[]")
        if not isinstance(value, Mapping) or name not in value:
            return False, None
        value = value[name]
        for _ in range(arrays):
            if not isinstance(value, list) or not value:
                return False, None
            value = value[0]
    return True, value


def _condition_text(condition: Any) -> str:
    if isinstance(condition, Mapping):
        parts = [
            f"{code(name)} = {code(json_value(sub['const']))}"
            for name, sub in (condition.get("properties") or {}).items()
            if isinstance(sub, Mapping) and "const" in sub
        ]
        if parts:
            return " and ".join(parts)
    return "the condition holds"


def _constraint_summary(node: Any) -> str:
    if not isinstance(node, Mapping):
        return ""
    parts = []
    if "const" in node:
        parts.append(f"always {code(json_value(node['const']))}")
    if "enum" in node:
        parts.append("one of " + ", ".join(code(json_value(v)) for v in node["enum"]))
    if "pattern" in node:
        parts.append(f"pattern {code(node['pattern'])}")
    for keyword in BOUND_KEYWORDS:
        if keyword in node:
            parts.append(f"{keyword} {code(json_value(node[keyword]))}")
    return "; ".join(parts)


# -- schemas as a whole -------------------------------------------------------------------------


def refers_to(node: Any, base: str, target: str) -> bool:
    """Whether a ``$ref`` anywhere in ``node`` points into the schema ``target``."""
    if isinstance(node, Mapping):
        reference = node.get("$ref")
        if isinstance(reference, str) and urldefrag(urljoin(base, reference)).url == target:
            return True
        return any(refers_to(value, base, target) for value in node.values())
    if isinstance(node, list):
        return any(refers_to(value, base, target) for value in node)
    return False


def without_definition(view: View) -> View:
    """A copy of ``view`` that does not name the ``$defs`` entry it came from."""
    copy = View(**{**view.__dict__})
    copy.definition = None
    return copy
