"""The published JSON Schemas, resolved offline through one ``referencing`` registry.

What loads with this module is what the fast paths use: the schemas and jsonschema-rs's
validity checks. The reference implementation (jsonschema: about 0.02 s to import) is in
``pakkeforlop.data.reference_validator``, and ``referencing`` (with attrs and rpds, about
0.02 s) is imported by :func:`registry`: each only when first used, so that the command starts
sooner (a check of documents jsonschema-rs accepts never uses the reference).
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Callable, Iterator, Mapping
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from pakkeforlop.data.locations import schemas_dir

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator, FormatChecker
    from referencing import Registry

SCHEMA_ROOT_URI = "https://schemas.pakkeforlop.no/"
SCHEMA_BASE_URI = SCHEMA_ROOT_URI + "v1/"

#: The document kinds of an export and the schema each follows.
DOCUMENT_SCHEMAS: Mapping[str, str] = {
    "referral": SCHEMA_BASE_URI + "referral.schema.json",
    "epicrisis": SCHEMA_BASE_URI + "epicrisis.schema.json",
    "feedback": SCHEMA_BASE_URI + "feedback.schema.json",
    "pathway-events": SCHEMA_BASE_URI + "pathway-event.schema.json",
    "export-manifest": SCHEMA_BASE_URI + "export-manifest.schema.json",
}


class SchemaNotFoundError(LookupError):
    """No schema with that ``$id`` or name is published."""


class MissingFormatCheckerError(RuntimeError):
    """A schema uses a ``format`` that this installation cannot check.

    jsonschema treats such formats as always valid without a word, so the kit refuses to use
    the reference's format checks (:func:`format_checker`: every use of the reference, and the
    fast check of a text whose formats jsonschema-rs does not check itself).
    """


@cache
def _schemas() -> Mapping[str, Mapping[str, Any]]:
    loaded: dict[str, Mapping[str, Any]] = {}
    for path in sorted(schemas_dir().rglob("*.schema.json")):
        with path.open(encoding="utf-8") as handle:
            contents = json.load(handle)
        loaded[contents["$id"]] = contents
    return loaded


def schema_ids() -> tuple[str, ...]:
    """The ``$id`` of every published schema, sorted."""
    return tuple(sorted(_schemas()))


def short_name(schema_id: str) -> str:
    """A schema's name without ``.schema.json``: ``"referral"`` for the v1 document schemas,
    ``"report/v1/report"`` for schemas published elsewhere under the root."""
    if schema_id.startswith(SCHEMA_BASE_URI):
        return schema_id.removeprefix(SCHEMA_BASE_URI).removesuffix(".schema.json")
    return schema_id.removeprefix(SCHEMA_ROOT_URI).removesuffix(".schema.json")


def schema(id_or_name: str) -> Mapping[str, Any]:
    """A published schema by ``$id`` or short name (``"referral"``, ``"codes/kodeverk-9321"``)."""
    schemas = _schemas()
    for key in (
        id_or_name,
        f"{SCHEMA_BASE_URI}{id_or_name}.schema.json",
        f"{SCHEMA_ROOT_URI}{id_or_name}.schema.json",
    ):
        if key in schemas:
            return schemas[key]
    msg = f"no published schema {id_or_name!r}; known: {', '.join(map(short_name, schemas))}"
    raise SchemaNotFoundError(msg)


def _id_of(id_or_name: str) -> str:
    return str(schema(id_or_name)["$id"])


@cache
def registry() -> Registry[Any]:
    """A registry holding every published schema and nothing else.

    It has no retrieval function: a ``$ref`` to anything unpublished fails instead of
    reaching for the network.
    """
    # Imported here, not with the module (see the module's docstring).
    from referencing import Registry, Resource  # noqa: PLC0415
    from referencing.jsonschema import DRAFT202012  # noqa: PLC0415

    resources = [
        (schema_id, Resource.from_contents(contents, default_specification=DRAFT202012))
        for schema_id, contents in _schemas().items()
    ]
    return Registry().with_resources(resources).crawl()


def _formats_in(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("format"), str):
            yield node["format"]
        for value in node.values():
            yield from _formats_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from _formats_in(value)


@cache
def used_formats() -> frozenset[str]:
    """Every ``format`` the published schemas use."""
    return frozenset(fmt for contents in _schemas().values() for fmt in _formats_in(contents))


def ensure_format_checkers() -> None:
    """Fail loudly if any ``format`` used by the schemas has no registered checker (asked
    whenever the reference checks formats: see :func:`format_checker`)."""
    from pakkeforlop.data import reference_validator  # noqa: PLC0415  (see the module's docstring)

    reference_validator.ensure_format_checkers()


def ecma_pattern(pattern: str) -> str:
    """Translate a JSON Schema (ECMA-262) pattern's ``$`` to Python's end-of-input ``\\Z``.

    In Python, ``$`` also matches before a trailing newline, so ``"D11A\\n"`` would match
    ``^D11A$``; in ECMA-262, as JSON Schema requires, it does not.
    """
    translated, escaped, in_class = [], False, False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "$" and not in_class:
            translated.append(r"\Z")
            continue
        translated.append(char)
    return "".join(translated)


@cache
def validator(id_or_name: str) -> Draft202012Validator:
    """A compiled validator for one schema (the reference implementation's, see
    ``pakkeforlop.data.reference_validator``), with format checking switched on."""
    from pakkeforlop.data import reference_validator  # noqa: PLC0415  (see the module's docstring)

    return reference_validator.StrictValidator(
        schema(id_or_name),
        registry=registry(),
        format_checker=format_checker(),
    )


@cache
def format_checker() -> FormatChecker:
    """The formats the reference checks: jsonschema's own (draft 2020-12), with ``date-time``
    held to the whole string (see ``reference_validator.format_checker``)."""
    from pakkeforlop.data import reference_validator  # noqa: PLC0415  (see the module's docstring)

    return reference_validator.format_checker()


#: Set to 1 to validate with the reference implementation (jsonschema) only.
REFERENCE_ONLY_VARIABLE = "PAKKEFORLOP_REFERENCE_VALIDATION"


def _reference_format(name: str) -> Callable[[str], bool]:
    """The reference's check of one format, memoised: a large export repeats its dates.

    The reference's checker (and jsonschema with it) is asked for at the first value checked,
    not before: the fast path of event lines (:mod:`pakkeforlop.engine.event_lines`) keeps such
    a check for the values the native one may not judge, and most exports have none.
    """

    @lru_cache(maxsize=4096)
    def conforms(value: str) -> bool:
        return bool(format_checker().conforms(value, name))

    return conforms


Validity = Callable[[Any], bool]


def fast_validity(id_or_name: str, *, native_formats: bool = False) -> Validity | None:
    """A fast yes/no validity check for one schema, or ``None`` when none is available.

    ``native_formats`` uses jsonschema-rs's own ``date`` and ``date-time`` checks instead of
    the reference's: only for a text that passed
    :func:`pakkeforlop.read.fast_json.formats_agree`, which excludes the values on which the
    two differ. See :func:`_fast_validity`.
    """
    if os.environ.get(REFERENCE_ONLY_VARIABLE) == "1":
        return None
    return _fast_validity(_id_of(id_or_name), native_formats)


def member_validity(id_or_name: str, member: str, *, native_formats: bool = False) -> Validity:
    """Whether a value is valid for one property of an object schema: the fast check when
    there is one (``native_formats`` as for :func:`fast_validity`), else the reference's."""
    node = f"{_id_of(id_or_name)}#/properties/{member.replace('~', '~0').replace('/', '~1')}"
    if os.environ.get(REFERENCE_ONLY_VARIABLE) != "1":
        fast = _fast_validity(node, native_formats)
        if fast is not None:
            return fast
    return _reference_validity(node)


@cache
def _reference_validity(node: str) -> Validity:
    from pakkeforlop.data import reference_validator  # noqa: PLC0415  (see the module's docstring)

    compiled = reference_validator.StrictValidator(
        {"$ref": node}, registry=registry(), format_checker=format_checker()
    )
    is_valid: Validity = compiled.is_valid
    return is_valid


@cache
def _fast_validity(node: str, native_formats: bool) -> Validity | None:
    """A fast yes/no validity check for one schema, or ``None`` when none is available.

    With the optional ``fast`` extra (jsonschema-rs) installed, documents are first checked by
    jsonschema-rs; only those it rejects go through :func:`validator` for their detailed
    errors. Its answers are the reference's by construction where the two libraries differ
    (formats use the reference's own checkers; patterns have ECMA-262 semantics in both), and
    a differential test over generated exports proves the rest. Set
    ``PAKKEFORLOP_REFERENCE_VALIDATION=1`` to use the reference implementation alone.
    """
    try:
        fast = importlib.import_module("jsonschema_rs")
    except ImportError:
        return None
    # The reference's format checks (which ask for jsonschema) only where they are used.
    formats = {} if native_formats else {name: _reference_format(name) for name in used_formats()}
    try:
        compiled = fast.Draft202012Validator(
            {"$ref": node},
            registry=_fast_registry(fast),
            validate_formats=True,
            formats=formats,
            offline=True,
        )
    except (TypeError, AttributeError):  # a jsonschema-rs older than the `fast` extra asks for
        return None
    is_valid: Validity = compiled.is_valid
    return is_valid


@cache
def _fast_registry(fast: Any) -> Any:
    return fast.Registry([(schema_id, contents) for schema_id, contents in _schemas().items()])
