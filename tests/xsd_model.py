"""A small reading of XML Schema content models, for tests that hold data to the official XSDs.

Enough of XML Schema for the KITH schemas: global and local element declarations, named and
anonymous complex types, sequences, choices and groups, extension of a complex type, and the
element's simple type. ``children`` answers "which elements may this element contain?"; the
tests walk the mapping's XPaths with it, and list the typed dates of each namespace.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

XS = "http://www.w3.org/2001/XMLSchema"
_PARTICLES = {f"{{{XS}}}{name}" for name in ("sequence", "choice", "all")}


def _qname(node: Any, value: str) -> tuple[str, str]:
    prefix, _, name = value.rpartition(":")
    return node.nsmap.get(prefix or None, ""), name


@dataclass
class SchemaSet:
    """Every schema of a folder, by target namespace."""

    elements: dict[tuple[str, str], Any] = field(default_factory=dict)
    types: dict[tuple[str, str], Any] = field(default_factory=dict)
    roots: dict[str, list[Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: Path) -> SchemaSet:
        found = cls()
        parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True)
        for path in sorted(folder.glob("*.xsd")):
            root = etree.parse(str(path), parser).getroot()
            target = root.get("targetNamespace", "")
            found.roots.setdefault(target, []).append(root)
            for node in root:
                if node.tag == f"{{{XS}}}element":
                    found.elements[(target, node.get("name"))] = node
                elif node.tag == f"{{{XS}}}complexType":
                    found.types[(target, node.get("name"))] = node
        return found

    def element(self, namespace: str, name: str) -> Any:
        """A global element declaration."""
        return self.elements[(namespace, name)]

    @staticmethod
    def _target(node: Any) -> str:
        return node.getroottree().getroot().get("targetNamespace", "")

    def type_of(self, declaration: Any) -> tuple[str, str] | Any | None:
        """An element declaration's complex type node, or its simple type's QName."""
        inline = declaration.find(f"{{{XS}}}complexType")
        if inline is not None:
            return inline
        named = declaration.get("type")
        if named is None:
            return None
        qname = _qname(declaration, named)
        return self.types.get(qname, qname)

    def _particles(self, node: Any) -> Iterator[Any]:
        """The element declarations a complex type's content model allows."""
        for item in node:
            tag = item.tag
            if tag == f"{{{XS}}}element":
                yield item
            elif tag in _PARTICLES:
                yield from self._particles(item)
            elif tag == f"{{{XS}}}complexContent":
                for derivation in item:
                    if derivation.tag == f"{{{XS}}}extension":
                        base = self.types.get(_qname(derivation, derivation.get("base")))
                        if base is not None:
                            yield from self._particles(base)
                    yield from self._particles(derivation)

    def children(self, declaration: Any) -> dict[tuple[str, str], Any]:
        """``{(namespace, name): declaration}`` of the elements ``declaration`` may contain."""
        found: dict[tuple[str, str], Any] = {}
        complex_type = self.type_of(declaration)
        if complex_type is None or isinstance(complex_type, tuple):
            return found
        for item in self._particles(complex_type):
            if item.get("ref") is not None:
                qname = _qname(item, item.get("ref"))
                found[qname] = self.elements[qname]
            else:
                qualified = item.getroottree().getroot().get("elementFormDefault") == "qualified"
                found[(self._target(item) if qualified else "", item.get("name"))] = item
        return found

    def declarations(self, namespace: str) -> Iterator[Any]:
        """Every element declaration (global and local) in the schemas of a namespace."""
        for root in self.roots.get(namespace, []):
            yield from root.iter(f"{{{XS}}}element")
