"""The KITH mapping as data: the tables of ``spec/kith/`` read into typed records.

``henvisning-2.0.toml``, ``epikrise-1.2.toml`` and ``dialogmelding.toml`` map a business
document to the referral, the epicrisis or the feedback of the JSON model, one row per JSON
member with the XPath it is read from and the XSD element it cites; ``blocks.toml`` holds the
building blocks they share (an organisation, a professional, a patient) and describes the
format; ``dates.toml`` the XML Schema types of the dates the KITH rules check; ``scope.toml``
the words that name a PHV/TSB service. The mapper
(:mod:`pakkeforlop.kith.mapping`) and the specification page ``spec/kith-mapping.md``
(:mod:`pakkeforlop.kith.mapping_page`) are both made from these records, so they cannot
disagree. A malformed table is a :class:`TableError` when it is first read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Final

from pakkeforlop.data.locations import kith_dir
from pakkeforlop.data.toml_files import TomlFileError, load_toml
from pakkeforlop.kith.namespaces import CONTENT_STANDARDS

__all__ = [
    "CERTAINTIES",
    "Block",
    "Condition",
    "Row",
    "ScopeRule",
    "SectionMember",
    "Sections",
    "Signal",
    "Table",
    "TableError",
    "blocks",
    "date_types",
    "service_terms",
    "tables",
]

#: How sure a row is: the XSD defines it; the XSD has the element and the official examples or
#: the domain reference document its use; or a choice of this kit.
CERTAINTIES: Final = ("confirmed", "secondary", "convention")

_ROW_KEYS: Final = frozenset(
    {
        "member", "xpath", "read", "value", "block", "many", "map", "const", "set", "with",
        "from", "xsd", "certainty", "note",
    }
)  # fmt: skip
_TABLE_FILES: Final = ("henvisning-2.0.toml", "epikrise-1.2.toml", "dialogmelding.toml")
_STANDARDS: Final = {standard.key: standard for standard in CONTENT_STANDARDS.values()}


class TableError(ValueError):
    """A file of spec/kith breaks its documented format."""


@dataclass(frozen=True, slots=True)
class Row:
    """One JSON member and where it comes from."""

    member: str  # a JSON Pointer below the table's (or block's) own pointer; "" for itself
    xpath: str  # XPath 1.0 from the document (or block) element, or from MsgHead (envelope)
    xsd: str  # the element in the official XSD
    certainty: str
    read: str = "text"  # "text" or the name of the attribute read
    value: str = "text"  # the converter (pakkeforlop.kith.convert)
    block: str | None = None  # build this block from each element found instead of a value
    many: bool = False  # every element found gives one item of an array
    map: Mapping[str, str] = field(default_factory=dict)  # for value = "map"
    const: Any = None  # the value written when the XPath finds an element
    set: Mapping[str, Any] = field(default_factory=dict)  # constant members of each item
    requires: str | None = None  # the row applies only when this member was mapped
    envelope: bool = False  # the XPath starts at the MsgHead, not at the document
    note: str = ""


@dataclass(frozen=True, slots=True)
class Block:
    """A building block: one XML structure as one JSON object."""

    name: str
    title: str
    json: str  # what it becomes in the JSON model
    xsd: str
    rows: tuple[Row, ...]


@dataclass(frozen=True, slots=True)
class SectionMember:
    """Text sections with one of these headings (and this label) go to one member."""

    headings: tuple[str, ...]
    member: str
    label: str | None = None  # None: the heading's primary member
    also: Mapping[str, Any] = field(default_factory=dict)  # constants set with it


@dataclass(frozen=True, slots=True)
class Sections:
    """The free-text sections of a document: where they are and which member each feeds."""

    xpath: str
    heading: str
    text: str
    label: str  # the heading's attribute read as its sub-heading (OT of a CV, DN of a CS)
    list: str  # the kodeverk of the headings
    xsd: str
    certainty: str
    members: tuple[SectionMember, ...]


@dataclass(frozen=True, slots=True)
class Signal:
    """Something in a message that puts its document in a PHV/TSB pathway's scope."""

    xpath: str
    reason: str
    envelope: bool = False  # the XPath starts at the MsgHead
    names: bool = False  # the elements found are names matched against the service terms


@dataclass(frozen=True, slots=True)
class ScopeRule:
    """When a document belongs to a PHV/TSB pathway (besides a manifest that declares it)."""

    cancellation: str | None  # XPath: the document cancels an earlier one (None: it cannot)
    outside: str  # why a document without any signal is out of scope
    signals: tuple[Signal, ...]


@dataclass(frozen=True, slots=True)
class Condition:
    """Which documents of its standards a table maps; the others are not read at all."""

    xpath: str  # must find an element
    members: tuple[str, ...]  # and the rows must have given each of these members a value
    reason: str
    envelope: bool = False  # the XPath starts at the MsgHead


@dataclass(frozen=True, slots=True)
class Table:
    """The mapping of one business document to one JSON document."""

    key: str  # the file name without .toml
    #: Standard.keys of pakkeforlop.kith.namespaces: versions with the same element names, read
    #: by the same rows with the prefix of ``root`` bound to the namespace of the version read.
    standards: tuple[str, ...]
    document: str  # referral, epicrisis or feedback
    title: str
    root: str
    xsd: str
    rows: tuple[Row, ...]
    sections: Sections | None
    supplement: tuple[str, ...]  # members an export's manifest may supply
    unmapped: tuple[tuple[str, str], ...]  # (member, why no element maps to it)
    scope: ScopeRule
    source: str  # the file name, for messages and the docs
    when: Condition | None = None  # None: every document of the standards is mapped

    @property
    def prefix(self) -> str:
        """The prefix of the document's own elements (``hen``, ``epi``, ``dia``)."""
        return self.root.partition(":")[0]

    def bindings(self, standard: str) -> tuple[tuple[str, str], ...]:
        """The prefix of the document's elements bound to the namespace of ``standard``."""
        return ((self.prefix, _STANDARDS[standard].namespace),)


def _load(name: str) -> dict[str, Any]:
    path = kith_dir() / name
    try:
        return load_toml(path)
    except (OSError, TomlFileError) as error:
        msg = f"spec/kith/{name}: {error}"
        raise TableError(msg) from error


def _row(raw: Mapping[str, Any], where: str) -> Row:
    unknown = set(raw) - _ROW_KEYS
    if unknown:
        msg = f"{where}: unknown keys {sorted(unknown)}"
        raise TableError(msg)
    for key in ("member", "xpath", "xsd", "certainty"):
        if not isinstance(raw.get(key), str):
            msg = f"{where}: {key!r} is required"
            raise TableError(msg)
    if raw["certainty"] not in CERTAINTIES:
        msg = f"{where}: certainty {raw['certainty']!r} is not one of {CERTAINTIES}"
        raise TableError(msg)
    if raw.get("from", "document") not in {"document", "envelope"}:
        msg = f"{where}: 'from' is document or envelope"
        raise TableError(msg)
    return Row(
        member=raw["member"],
        xpath=raw["xpath"],
        xsd=raw["xsd"],
        certainty=raw["certainty"],
        read=raw.get("read", "text"),
        value=raw.get("value", "text"),
        block=raw.get("block"),
        many=bool(raw.get("many", False)),
        map=dict(raw.get("map", {})),
        const=raw.get("const"),
        set=dict(raw.get("set", {})),
        requires=raw.get("with"),
        envelope=raw.get("from") == "envelope",
        note=raw.get("note", ""),
    )


def _rows(raw: Any, where: str) -> tuple[Row, ...]:
    if not isinstance(raw, list) or not raw:
        msg = f"{where}: no rows"
        raise TableError(msg)
    return tuple(_row(item, f"{where} row {index + 1}") for index, item in enumerate(raw))


@cache
def blocks() -> Mapping[str, Block]:
    """The building blocks of spec/kith/blocks.toml, by name."""
    raw = _load("blocks.toml").get("blocks", {})
    found = {
        name: Block(
            name,
            entry["title"],
            entry["json"],
            entry["xsd"],
            _rows(entry.get("rows"), f"blocks.toml {name}"),
        )
        for name, entry in raw.items()
    }
    for block in found.values():
        for row in block.rows:
            if row.block is not None and row.block not in found:
                msg = f"blocks.toml {block.name}: no block {row.block!r}"
                raise TableError(msg)
    return found


def _sections(raw: Mapping[str, Any], where: str) -> Sections:
    members = tuple(
        SectionMember(
            tuple(entry["heading"]), entry["member"], entry.get("label"), entry.get("also", {})
        )
        for entry in raw.get("members", [])
    )
    return Sections(
        raw["xpath"],
        raw["heading"],
        raw["text"],
        raw["label"],
        raw["list"],
        raw["xsd"],
        raw["certainty"],
        members,
    )


def _scope(raw: Mapping[str, Any]) -> ScopeRule:
    signals = tuple(
        Signal(
            entry["xpath"],
            entry["reason"],
            envelope=entry.get("from") == "envelope",
            names=bool(entry.get("names", False)),
        )
        for entry in raw["signals"]
    )
    return ScopeRule(raw.get("cancellation"), raw["outside"], signals)


def _condition(raw: Mapping[str, Any] | None) -> Condition | None:
    if raw is None:
        return None
    return Condition(
        raw["xpath"],
        tuple(raw.get("members", ())),
        raw["reason"],
        envelope=raw.get("from") == "envelope",
    )


def _check_standards(table: Table) -> None:
    for key in table.standards:
        standard = _STANDARDS.get(key)
        if standard is None or table.root.partition(":")[2] != standard.root:
            msg = f"{table.source}: {key!r} is not a standard whose root is {table.root!r}"
            raise TableError(msg)


@cache
def tables() -> Mapping[str, Table]:
    """The mapping tables, by their key (the file name without ``.toml``), in page order."""
    found = {}
    known = blocks()
    for name in _TABLE_FILES:
        raw = _load(name)
        try:
            table = Table(
                key=name.removesuffix(".toml"),
                standards=tuple(raw["standards"]),
                document=raw["document"],
                title=raw["title"],
                root=raw["root"],
                xsd=raw["xsd"],
                rows=_rows(raw.get("rows"), name),
                sections=_sections(raw["sections"], name) if "sections" in raw else None,
                supplement=tuple(entry["member"] for entry in raw.get("supplement", [])),
                unmapped=tuple((entry["member"], entry["reason"]) for entry in raw["unmapped"]),
                scope=_scope(raw["scope"]),
                source=name,
                when=_condition(raw.get("when")),
            )
        except KeyError as error:
            msg = f"spec/kith/{name}: {error.args[0]!r} is required"
            raise TableError(msg) from error
        _check_standards(table)
        for row in table.rows:
            if row.block is not None and row.block not in known:
                msg = f"{name}: no block {row.block!r}"
                raise TableError(msg)
        found[table.key] = table
    return found


@cache
def date_types() -> Mapping[str, Mapping[str, tuple[str, str]]]:
    """``{namespace: {element: (XML Schema type, "text" or "V")}}`` of spec/kith/dates.toml."""
    found: dict[str, dict[str, tuple[str, str]]] = {}
    for entry in _load("dates.toml")["namespaces"]:
        types = found.setdefault(entry["namespace"], {})
        for element, type_name in entry.get("text", {}).items():
            types[element] = (type_name, "text")
        for element in entry.get("ts", []):
            types[element] = ("TS", "V")
    return found


@cache
def service_terms() -> tuple[str, ...]:
    """The words that name a PHV or TSB service (spec/kith/scope.toml)."""
    return tuple(_load("scope.toml")["service_terms"])
