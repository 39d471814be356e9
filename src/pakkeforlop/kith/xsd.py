"""Validate KITH messages against XSDs the user supplies (``pakkeforlop check --xsd-dir DIR``).

The kit ships no third-party schema. The catalogue maps each ``targetNamespace`` found in DIR
to its file; a message's ``xsi:schemaLocation`` is never read. ``MsgHead/…/Content`` has
``processContents="strict"``, so a message is validated against a small wrapper schema, built
in memory, that imports the envelope's namespace and every content namespace. A content
namespace without a schema in DIR (Henvisning 2.0 and Epikrise 1.2 have no public XSD) is
imported as an in-memory stub that accepts anything under its root element: the envelope is
still validated, and the content is reported as not validated. Every schema load goes through
a resolver that serves only files inside DIR and the in-memory stubs; anything else (a network
URL, a file elsewhere) is answered with an empty schema. Each wrapper is compiled once per run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from lxml import etree

from pakkeforlop.kith.message import KithMessage, local, namespace, xpath_of
from pakkeforlop.kith.namespaces import MSGHEAD
from pakkeforlop.kith.parse import hardened_parser

STUB_SCHEME = "pakkeforlop-stub:"
REFUSED_SCHEME = "pakkeforlop-refused:"
_XS = "http://www.w3.org/2001/XMLSchema"
_EMPTY_SCHEMA = f'<xs:schema xmlns:xs="{_XS}"/>'


class XsdError(ValueError):
    """The XSD folder cannot be used (no such folder, no schema in it, a broken schema)."""


@dataclass(frozen=True, slots=True)
class XsdIssue:
    """One schema violation, or one namespace that could not be validated."""

    message: str
    line: int | None = None
    xpath: str | None = None


@dataclass(frozen=True, slots=True)
class XsdOutcome:
    """What validating one message found: violations, and what was not validated."""

    violations: tuple[XsdIssue, ...] = ()
    not_validated: tuple[XsdIssue, ...] = ()


class _Resolver(etree.Resolver):
    """Serves schema files inside the XSD folder and in-memory stubs; refuses everything else."""

    def __init__(self, folder: Path, stubs: Mapping[str, str]) -> None:
        super().__init__()
        self._folder = folder
        self._stubs = stubs
        self.refused: list[str] = []

    def resolve(self, system_url: str, public_id: str, context: Any = None) -> Any:
        if system_url in self._stubs:
            return self.resolve_string(self._stubs[system_url], context, base_url=system_url)
        if system_url.startswith("file:"):
            try:
                path = Path(_path_of_file_uri(system_url)).resolve()
            except (OSError, ValueError):
                path = None
            if path is not None and path.is_relative_to(self._folder) and path.is_file():
                return None  # lxml's own loader reads the file (it is inside the XSD folder)
        self.refused.append(system_url)
        # An empty schema in place of the refused one; libxml2 keys loaded schemas by URL, so
        # each refusal gets a URL of its own.
        refused = f"{REFUSED_SCHEME}{len(self.refused)}"
        return self.resolve_string(_EMPTY_SCHEMA, context, base_url=refused)


def _path_of_file_uri(uri: str) -> str:
    from urllib.parse import unquote, urlparse  # noqa: PLC0415 - only needed here

    parsed = urlparse(uri)
    return unquote(parsed.path)


def _stub(namespace_uri: str, roots: Iterable[str]) -> str:
    declarations = "".join(
        f'<xs:element name={quoteattr(name)}><xs:complexType mixed="true"><xs:sequence>'
        '<xs:any processContents="skip" minOccurs="0" maxOccurs="unbounded"/>'
        '</xs:sequence><xs:anyAttribute processContents="skip"/></xs:complexType></xs:element>'
        for name in sorted(set(roots))
    )
    return (
        f'<xs:schema xmlns:xs="{_XS}" targetNamespace={quoteattr(namespace_uri)} '
        f'elementFormDefault="qualified">{declarations}</xs:schema>'
    )


@dataclass(slots=True)
class XsdCatalog:
    """The schemas of one XSD folder, by target namespace, and the wrappers compiled so far."""

    folder: Path
    files: dict[str, list[Path]] = field(default_factory=dict)
    _compiled: dict[tuple[tuple[str, str], ...], Any] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: Path) -> XsdCatalog:
        """Scan ``folder`` (and its subfolders) for ``*.xsd`` files and read their namespaces."""
        if not folder.is_dir():
            msg = f"{folder} is not a folder"
            raise XsdError(msg)
        catalog = cls(folder.resolve())
        for path in sorted(catalog.folder.rglob("*.xsd")):
            try:
                root = etree.parse(BytesIO(path.read_bytes()), hardened_parser()).getroot()
            except (etree.XMLSyntaxError, OSError) as error:
                msg = f"{path.name} is not a readable XML schema: {error}"
                raise XsdError(msg) from error
            target = root.get("targetNamespace")
            if local(root) == "schema" and namespace(root) == _XS and target:
                catalog.files.setdefault(target, []).append(path)
        if not catalog.files:
            msg = f"{folder} holds no XML schema (*.xsd) with a target namespace"
            raise XsdError(msg)
        return catalog

    def file_for(self, namespace_uri: str) -> Path | None:
        """The schema used for a namespace: the first file in path order that declares it."""
        found = self.files.get(namespace_uri)
        return found[0] if found else None

    def duplicates(self) -> dict[str, list[Path]]:
        """Namespaces that more than one file declares (only the first is used)."""
        return {uri: paths for uri, paths in self.files.items() if len(paths) > 1}

    def _schema(self, imports: list[tuple[str, str]], stubs: dict[str, str]) -> Any:
        """The compiled wrapper for these imports; compiled on first use, then reused."""
        key = tuple((uri, stubs.get(location, location)) for uri, location in imports)
        schema = self._compiled.get(key)
        if schema is not None:
            return schema
        body = "".join(
            f"<xs:import namespace={quoteattr(uri)} schemaLocation={quoteattr(location)}/>"
            for uri, location in imports
        )
        parser = hardened_parser(refuse_external=False)
        resolver = _Resolver(self.folder, stubs)
        parser.resolvers.add(resolver)
        wrapper = etree.fromstring(
            f'<xs:schema xmlns:xs="{_XS}">{body}</xs:schema>'.encode(),
            parser,
            base_url=(self.folder / "pakkeforlop-wrapper.xsd").as_uri(),
        )
        try:
            schema = etree.XMLSchema(wrapper)
        except etree.XMLSchemaParseError as error:
            msg = f"the schemas in {self.folder} do not compile: {error}"
            if resolver.refused:
                msg += f" (imports outside the folder were refused: {', '.join(resolver.refused)})"
            raise XsdError(msg) from error
        self._compiled[key] = schema
        return schema

    def validate(self, message: KithMessage) -> XsdOutcome:
        """Validate the message's envelope (unwrapped) and contents."""
        envelope = message.envelope
        if envelope is None:
            return XsdOutcome()
        needed: dict[str, set[str]] = {namespace(envelope): {local(envelope)}}
        if namespace(envelope) == MSGHEAD:
            for content in message.contents:
                needed.setdefault(namespace(content.element), set()).add(local(content.element))
        not_validated: list[XsdIssue] = []
        imports: list[tuple[str, str]] = []
        stubs: dict[str, str] = {}
        for uri in sorted(needed):
            path = self.file_for(uri)
            if path is not None:
                imports.append((uri, path.as_uri()))
                continue
            if uri == namespace(envelope):
                reason = f"no schema for the envelope's namespace {uri} in {self.folder.name}"
                return XsdOutcome((), (XsdIssue(reason, envelope.sourceline, xpath_of(envelope)),))
            location = f"{STUB_SCHEME}{len(stubs)}"
            stubs[location] = _stub(uri, needed[uri])
            imports.append((uri, location))
            first = next(c.element for c in message.contents if namespace(c.element) == uri)
            reason = f"no schema for {uri} in {self.folder.name}: its content was not validated"
            not_validated.append(XsdIssue(reason, first.sourceline, xpath_of(first)))
        schema = self._schema(imports, stubs)
        valid = schema.validate(envelope)
        violations = [] if valid else [self._issue(message, entry) for entry in schema.error_log]
        return XsdOutcome(tuple(violations), tuple(not_validated))

    @staticmethod
    def _issue(message: KithMessage, entry: Any) -> XsdIssue:
        xpath = None
        path = str(entry.path or "")
        # lxml validates the envelope as a document of its own: "/*" is the envelope.
        relative = "." + path[2:] if path.startswith("/*") else ""
        envelope = message.envelope
        try:
            found = envelope.xpath(relative) if relative and envelope is not None else []
        except etree.XPathError:
            found = []
        if isinstance(found, list) and found and hasattr(found[0], "tag"):
            xpath = xpath_of(found[0])
        text = str(entry.message)
        return XsdIssue(text, entry.line or None, xpath)
