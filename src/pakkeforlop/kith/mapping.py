"""Map Henvisning 2.0, Epikrise 1.2 and Dialogmelding to the JSON model's documents.

The mapping is data: the tables of ``spec/kith/`` (:mod:`pakkeforlop.kith.table`), one row per
JSON member with the XPath it is read from, and ``spec/kith-mapping.md`` is generated from the
same tables. This module is their interpreter: it evaluates each row's XPath (exact, with the
namespaces of the official XSDs; the prefix of the table's root is bound to the namespace of
the version read, so that one table reads Dialogmelding 1.0 and 1.1), converts what it finds
(:mod:`pakkeforlop.kith.convert`), and records for every JSON Pointer it fills the element the
value came from, so that findings on the JSON carry an XPath and a line. Values whose validity
the JSON rules judge are recorded as *covered*, and the KITH rules leave those alone.

It is lenient by design: it carries values over as they are (a malformed date stays malformed,
so the JSON Schema reports it at the element it came from), derives only what the tables say
it derives, and leaves out what has no element. A table with a condition (``[when]``: the
Dialogmelding table maps a status on a referral, not any dialogue message) maps only the
documents that meet it. Which documents the pathway rules then check is decided by
:mod:`pakkeforlop.kith.scope`; the others are still mapped (the documentation shows them), but
checked by the KITH rules only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from pakkeforlop.data.schemas import DOCUMENT_SCHEMAS
from pakkeforlop.kith.convert import CONVERTERS, label, lines_of
from pakkeforlop.kith.message import Content, Element, KithMessage, select, xpath_of
from pakkeforlop.kith.scope import Scope, decide
from pakkeforlop.kith.table import Block, Row, Sections, Table, blocks, tables

__all__ = [
    "SUPPLEMENT_MEMBERS",
    "MappedDocument",
    "ScopedContent",
    "map_content",
    "map_contents",
    "map_documents",
]

#: The rule that claims the schema's finding of a missing pathway in an Epikrise-mapped epicrisis.
EPIKRISE_PATHWAY_RULE: Final = "KITH-017"
#: The rule that claims the schema's findings of members a bare document's envelope would give.
WITHOUT_ENVELOPE_RULE: Final = "KITH-022"


def _supplement_members() -> frozenset[tuple[str, ...]]:
    return frozenset(
        tuple(member.strip("/").split("/"))
        for table in tables().values()
        for member in table.supplement
    )


#: Members a manifest entry of kind ``kith-message`` may supply, because the message standard
#: has no element for them (spec/kith-mapping.md, "Facts the message cannot carry").
SUPPLEMENT_MEMBERS: Final = _supplement_members()


@dataclass(frozen=True, slots=True)
class MappedDocument:
    """A referral, epicrisis or feedback read from a KITH message, with where each value came
    from."""

    kind: str
    value: dict[str, Any]
    locations: Mapping[str, tuple[str, int | None]]
    content: Content
    scope: Scope
    schema_claims: Mapping[str, str] = field(default_factory=dict)
    covered: frozenset[tuple[Element, str]] = frozenset()

    def locate(self, pointer: str) -> tuple[str | None, int | None]:
        """``(xpath, line)`` of the element a pointer's value came from (or its nearest parent)."""
        current = pointer
        while True:
            if current in self.locations:
                return self.locations[current]
            if not current:
                return None, None
            current = current.rsplit("/", 1)[0]


@dataclass(frozen=True, slots=True)
class ScopedContent:
    """What the mapping read of one business document, for KITH-023 and the documentation."""

    content: Content
    kind: str
    scope: Scope
    summary: str


def _tokens(pointer: str) -> list[str]:
    return [token for token in pointer.split("/") if token]


def _at(target: Mapping[str, Any], pointer: str) -> Any:
    """The value at ``pointer`` in ``target``, or ``None``."""
    current: Any = target
    for token in _tokens(pointer):
        current = current.get(token) if isinstance(current, dict) else None
    return current


def _has(target: Mapping[str, Any], pointer: str) -> bool:
    current: Any = target
    for token in _tokens(pointer):
        if not isinstance(current, dict) or token not in current:
            return False
        current = current[token]
    return True


@dataclass(slots=True)
class _Mapper:
    """Builds one JSON document and remembers which element each pointer came from."""

    envelope: Element | None
    bindings: tuple[tuple[str, str], ...] = ()  # the table's prefix bound to the version read
    where: dict[str, Element] = field(default_factory=dict)
    covered: set[tuple[Element, str]] = field(default_factory=set)

    def mark(self, pointer: str, element: Element) -> None:
        self.where.setdefault(pointer, element)

    def put(self, target: dict[str, Any], base: str, member: str, value: Any, at: Element) -> None:
        """Set ``member`` (a pointer below ``base``) in ``target``, creating its parents."""
        tokens = _tokens(member)
        current = target
        pointer = base
        for token in tokens[:-1]:
            pointer += f"/{token}"
            if not isinstance(current.get(token), dict):
                current[token] = {}
            self.mark(pointer, at)
            current = current[token]
        pointer += f"/{tokens[-1]}"
        current[tokens[-1]] = value
        self.mark(pointer, at)

    def rows(self, target: dict[str, Any], base: str, rows: Sequence[Row], at: Element) -> None:
        """Fill ``target`` (whose pointer is ``base``) from ``rows`` read at element ``at``."""
        for row in rows:
            if row.requires is not None and not _has(target, row.requires):
                continue
            if not row.many and row.member and _has(target, row.member):
                continue  # an earlier row of the member gave a value
            start = self.envelope if row.envelope else at
            found = select(start, row.xpath, self.bindings)
            if not found:
                continue
            if row.many:
                self.items(target, base, row, found)
                continue
            pointer = base + row.member
            value = self.value(row, found[0], pointer)
            if value is None:
                continue
            if not row.member and isinstance(value, dict):
                target.update(value)
            else:
                self.put(target, base, row.member, value, found[0])

    def items(self, target: dict[str, Any], base: str, row: Row, found: list[Element]) -> None:
        existing = _at(target, row.member)
        items: list[Any] = existing if isinstance(existing, list) else []
        for element in found:
            pointer = f"{base}{row.member}/{len(items)}"
            value = self.value(row, element, pointer)
            if value is not None:
                self.mark(pointer, element)
                items.append(value)
        if items and not isinstance(existing, list):
            self.put(target, base, row.member, items, found[0])

    def value(self, row: Row, element: Element, pointer: str) -> Any:
        """The value of one element a row found: a block, the row's constant, or a conversion."""
        if row.block is not None:
            built = self.block(blocks()[row.block], element, pointer)
            if row.set:
                built = {**(built or {}), **row.set}
                for key in row.set:
                    self.mark(f"{pointer}/{key}", element)
            return built
        if row.const is not None:
            return row.const
        reading = CONVERTERS[row.value](element, row)
        if reading is None:
            return None
        self.covered.update(reading.covered)
        for part, at in reading.parts.items():
            self.mark(pointer + part, at)
        return reading.value

    def block(self, block: Block, element: Element, pointer: str) -> dict[str, Any] | None:
        built: dict[str, Any] = {}
        self.rows(built, pointer, block.rows, element)
        if not built:
            return None
        self.mark(pointer, element)
        return built

    def sections(self, target: dict[str, Any], sections: Sections, at: Element) -> None:
        """Free-text sections into their members; sections with one target are joined."""
        for section in select(at, sections.xpath, self.bindings):
            headings = select(section, sections.heading, self.bindings)
            heading = headings[0] if headings else None
            code = heading.get("V") if heading is not None else None
            body_found = select(section, sections.text, self.bindings)
            body = body_found[0] if body_found else None
            content = lines_of(body)
            member = _section_member(sections, code, heading)
            if member is None or content is None or body is None:
                continue
            previous = _at(target, member.member)
            joined = f"{previous}\n\n{content}" if isinstance(previous, str) else content
            self.put(target, "", member.member, joined, section)
            for extra, constant in member.also.items():
                if not _has(target, extra):
                    self.put(target, "", extra, constant, section)
            self.covered.add((body, "text"))


def _section_member(sections: Sections, code: str | None, heading: Element | None) -> Any:
    if code is None or heading is None:
        return None
    wanted = label(heading.get(sections.label))
    primary = None
    for member in sections.members:
        if code not in member.headings:
            continue
        if member.label is None:
            primary = primary or member
        elif label(member.label) == wanted:
            return member
    return primary


def _supplement(value: dict[str, Any], supplement: Mapping[str, Any] | None) -> None:
    """Merge the manifest's supplement (the members the standards have no element for).

    Every member the manifest schema allows is merged, whatever the document: one that does
    not belong to this kind of document (a pathway for a referral) breaks its schema and is
    reported there, rather than silently dropped.
    """
    for path in sorted(SUPPLEMENT_MEMBERS):
        source: Any = supplement or {}
        for key in path:
            source = source.get(key) if isinstance(source, dict) else None
        if source is None:
            continue
        target = value
        for key in path[:-1]:
            if not isinstance(target.get(key), dict):
                target[key] = {}
            target = target[key]
        target.setdefault(path[-1], source)


def _claims(message: KithMessage, table: Table) -> dict[str, str]:
    """Rule ids that report the schema's findings of members the message cannot carry."""
    claims = {"/pathway": EPIKRISE_PATHWAY_RULE} if table.document == "epicrisis" else {}
    if message.bare:
        for row in table.rows:
            if row.envelope:
                tokens = _tokens(row.member)
                for end in range(1, len(tokens) + 1):
                    claims["/" + "/".join(tokens[:end])] = WITHOUT_ENVELOPE_RULE
    return claims


def table_for(content: Content) -> Table | None:
    """The mapping table of a business document, if the kit maps its standard."""
    standard = content.standard
    if standard is None:
        return None
    return next((t for t in tables().values() if standard.key in t.standards), None)


def _meets(table: Table, mapper: _Mapper, value: Mapping[str, Any], at: Element) -> bool:
    """Whether a document meets its table's condition (``[when]``), once its rows are read."""
    when = table.when
    if when is None:
        return True
    found = select(mapper.envelope if when.envelope else at, when.xpath, mapper.bindings)
    return bool(found) and all(_has(value, member) for member in when.members)


def map_content(
    message: KithMessage, content: Content, supplement: Mapping[str, Any] | None = None
) -> MappedDocument | None:
    """One business document as its JSON document, whatever its scope; ``None`` if unmapped
    (a standard the kit does not map, or a document its table's condition leaves out).

    ``supplement`` is the manifest entry's supplement: ``{}`` when an export's manifest
    declares the message without one, ``None`` when the message is checked on its own.
    """
    table = table_for(content)
    if table is None or content.standard is None:
        return None
    mapper = _Mapper(
        message.envelope if message.is_msghead else None, table.bindings(content.standard.key)
    )
    value: dict[str, Any] = {"$schema": DOCUMENT_SCHEMAS[table.document]}
    mapper.rows(value, "", table.rows, content.element)
    if not _meets(table, mapper, value, content.element):
        return None
    if table.sections is not None:
        mapper.sections(value, table.sections, content.element)
    _supplement(value, supplement)
    mapper.mark("", content.element)
    locations = {
        pointer: (xpath_of(element), element.sourceline)
        for pointer, element in mapper.where.items()
    }
    return MappedDocument(
        table.document,
        value,
        locations,
        content,
        decide(message, content, table, supplement),
        _claims(message, table),
        frozenset(mapper.covered),
    )


def map_contents(
    message: KithMessage, supplement: Mapping[str, Any] | None = None
) -> list[MappedDocument]:
    """Every document the tables map in the message (Henvisning 2.0, Epikrise 1.2, a
    Dialogmelding status on a referral), in or out of scope."""
    if message.envelope is None:
        return []
    mapped = (map_content(message, content, supplement) for content in message.contents)
    return [document for document in mapped if document is not None]


def summary(document: MappedDocument) -> str:
    """What the mapping found, for a message: members, counts and the period (no values)."""
    parts = []
    for key, member in document.value.items():
        if key == "$schema":
            continue
        if isinstance(member, list):
            parts.append(f"{key} ({len(member)})")
        elif key == "medication" and isinstance(member, dict) and "items" in member:
            parts.append(f"medication ({len(member['items'])})")
        elif key == "period" and isinstance(member, dict):
            parts.append(f"period {member.get('start', '?')} to {member.get('end', '?')}")
        else:
            parts.append(key)
    return ", ".join(parts) or "nothing"


def map_documents(
    message: KithMessage, supplement: Mapping[str, Any] | None = None
) -> list[MappedDocument]:
    """The documents of the message the pathway rules check (the engine's entry point).

    Every mapped document's scope is recorded on the message (``message.scopes``, read by
    KITH-023); only the documents in scope are returned, and only their values are *covered*
    (left to the JSON rules): out of scope, the KITH rules check everything.
    """
    in_scope = []
    for document in map_contents(message, supplement):
        message.scopes.append(
            ScopedContent(document.content, document.kind, document.scope, summary(document))
        )
        if document.scope.applies:
            message.covered.update(document.covered)
            in_scope.append(document)
    return in_scope
