"""Validate KITH messages against XSDs the user supplies (``pakkeforlop check --xsd-dir DIR``).

The kit ships no third-party schema. The official XSDs are public (the standards archive,
Sarepta, mirrored at https://github.com/oslokommune/sarepta-standarder) and work as
published: the catalogue maps each ``targetNamespace`` found in DIR (and below it) to its
files, and every ``xs:import`` is resolved **by namespace** from that catalogue, whatever its
``schemaLocation`` says: a W3C URL (MsgHead 1.2 imports xmldsig so), a URL on kith.no (Epikrise
1.2 imports ``kith.xsd`` so), a path into Sarepta's folder tree (Dialogmelding 1.1 imports
``../../felleskomponenter/kith.xsd``) or a bare file name. When the location names a file in
DIR that declares the namespace, that file is used; otherwise the first file in path order
that declares it. An ``xs:include`` is resolved by its path inside DIR, else by its file name.
So the flat folder of the shared samples and Sarepta's tree layout both work. A message's
``xsi:schemaLocation`` is never read.

Every schema is read by the kit (internal entities only, nothing loaded from outside), its
imports and includes are rewritten to in-memory addresses, and libxml2 compiles the result
through a resolver that serves only those addresses and the in-memory stubs: nothing is ever
read from the network or from outside DIR. ``MsgHead/…/Content`` has
``processContents="strict"``, so a message is validated against a small wrapper schema that
imports the envelope's namespace and every content namespace. A content namespace without a
schema in DIR is imported as a stub that accepts anything under its root element: the
envelope is still validated, and the content is reported as not validated. Each wrapper is
compiled once per run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit
from xml.sax.saxutils import quoteattr

from lxml import etree

from pakkeforlop.kith.message import KithMessage, local, namespace, xpath_of
from pakkeforlop.kith.namespaces import MSGHEAD

STUB_SCHEME = "pakkeforlop-stub:"
SCHEMA_SCHEME = "pakkeforlop-xsd:"
_XS = "http://www.w3.org/2001/XMLSchema"
_EMPTY_SCHEMA = f'<xs:schema xmlns:xs="{_XS}"/>'
_LOCATED = frozenset({f"{{{_XS}}}import", f"{{{_XS}}}include", f"{{{_XS}}}redefine"})


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


class _RefuseAll(etree.Resolver):
    """Answers every load a schema file's parser might attempt with an empty document."""

    def resolve(self, system_url: str, public_id: str, context: Any = None) -> Any:
        return self.resolve_string("", context, base_url=None)


class _Resolver(etree.Resolver):
    """Serves the catalogue's rewritten schemas and the stubs; refuses everything else."""

    def __init__(self, served: Mapping[str, bytes]) -> None:
        super().__init__()
        self._served = served
        self.refused: list[str] = []

    def resolve(self, system_url: str, public_id: str, context: Any = None) -> Any:
        found = self._served.get(system_url)
        if found is not None:
            return self.resolve_string(found, context, base_url=system_url)
        self.refused.append(system_url)
        # libxml2 keys loaded schemas by URL, so each refusal gets a URL of its own.
        refused = f"pakkeforlop-refused:{len(self.refused)}"
        return self.resolve_string(_EMPTY_SCHEMA, context, base_url=refused)


def _schema_parser() -> Any:
    """A parser for schema files: internal entities only (xmldsig's DTD declares some)."""
    parser = etree.XMLParser(
        resolve_entities="internal",  # type: ignore[arg-type]  # lxml >= 5; the stubs predate it
        load_dtd=False,
        no_network=True,
        huge_tree=False,
    )
    parser.resolvers.add(_RefuseAll())
    return parser


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


def _relative_target(location: str, importer: Path) -> Path | None:
    """The file a relative (or file:) schemaLocation names, seen from the importing file."""
    parts = urlsplit(location)
    if parts.scheme not in {"", "file"} or parts.netloc not in {"", "localhost"}:
        return None
    path = unquote(parts.path)
    target = Path(path) if parts.scheme == "file" else importer.parent / PurePosixPath(path)
    try:
        return target.resolve()
    except (OSError, ValueError, RuntimeError):
        return None


@dataclass(frozen=True, slots=True)
class _Rewritten:
    """A schema file as served: its text, the files it loads, the namespaces it lacks."""

    source: bytes
    loads: tuple[Path, ...]
    missing: tuple[str, ...]


@dataclass(slots=True)
class XsdCatalog:
    """The schemas of one XSD folder, by target namespace, and the wrappers compiled so far."""

    folder: Path
    files: dict[str, list[Path]] = field(default_factory=dict)
    _compiled: dict[tuple[tuple[str, str], ...], Any] = field(default_factory=dict)
    _sources: dict[Path, _Rewritten] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: Path) -> XsdCatalog:
        """Scan ``folder`` (and its subfolders) for ``*.xsd`` files and read their namespaces."""
        if not folder.is_dir():
            msg = f"{folder} is not a folder"
            raise XsdError(msg)
        catalog = cls(folder.resolve())
        for path in catalog.schema_files():
            root = catalog.parse(path)
            target = root.get("targetNamespace")
            if target:
                catalog.files.setdefault(target, []).append(path)
        if not catalog.files:
            msg = f"{folder} holds no XML schema (*.xsd) with a target namespace"
            raise XsdError(msg)
        return catalog

    def schema_files(self) -> list[Path]:
        """Every ``*.xsd`` below the folder, in path order (never a link out of the folder)."""
        found = (path.resolve() for path in self.folder.rglob("*.xsd") if path.is_file())
        return sorted(path for path in found if path.is_relative_to(self.folder))

    @staticmethod
    def parse(path: Path) -> Any:
        """A schema file's root element; :class:`XsdError` when it is not an XML schema."""
        try:
            root = etree.parse(BytesIO(path.read_bytes()), _schema_parser()).getroot()
        except (etree.XMLSyntaxError, OSError) as error:
            msg = f"{path.name} is not a readable XML schema: {error}"
            raise XsdError(msg) from error
        if local(root) != "schema" or namespace(root) != _XS:
            msg = f"{path.name} is not an XML schema (its root is {local(root)})"
            raise XsdError(msg)
        return root

    def file_for(self, namespace_uri: str) -> Path | None:
        """The schema used for a namespace: the first file in path order that declares it."""
        found = self.files.get(namespace_uri)
        return found[0] if found else None

    def duplicates(self) -> dict[str, list[Path]]:
        """Namespaces that more than one file declares (the first is used by default)."""
        return {uri: paths for uri, paths in self.files.items() if len(paths) > 1}

    def _address(self, path: Path) -> str:
        """The in-memory address of a schema file (its path inside the folder)."""
        return SCHEMA_SCHEME + path.relative_to(self.folder).as_posix()

    def _imported(
        self, namespace_uri: str | None, location: str | None, importer: Path
    ) -> Path | None:
        """The file an ``xs:import`` resolves to: by namespace, preferring the one named."""
        candidates = self.files.get(namespace_uri or "", [])
        named = _relative_target(location, importer) if location else None
        if named is not None and named in candidates:
            return named
        return candidates[0] if candidates else None

    def _included(self, location: str | None, importer: Path) -> Path | None:
        """The file an ``xs:include`` or ``xs:redefine`` names: by path, else by file name."""
        if not location:
            return None
        named = _relative_target(location, importer)
        files = self.schema_files()
        if named is not None and named in files:
            return named
        name = PurePosixPath(urlsplit(location).path).name
        return next((path for path in files if path.name == name), None)

    def _rewritten(self, path: Path) -> _Rewritten:
        """A schema file with its imports and includes pointed at in-memory addresses."""
        found = self._sources.get(path)
        if found is not None:
            return found
        root = self.parse(path)
        loads: list[Path] = []
        missing: list[str] = []
        for element in root.iter(*_LOCATED):
            location = element.get("schemaLocation")
            if local(element) == "import":
                uri = element.get("namespace") or ""
                target = self._imported(uri, location, path)
                if target is None and uri:
                    missing.append(uri)
            else:
                target = self._included(location, path)
            if target is None:
                element.attrib.pop("schemaLocation", None)
            else:
                element.set("schemaLocation", self._address(target))
                loads.append(target)
        source = etree.tostring(root, encoding="UTF-8", xml_declaration=True)
        found = self._sources[path] = _Rewritten(source, tuple(loads), tuple(missing))
        return found

    def _serve(self, path: Path, served: dict[str, bytes], missing: set[str]) -> str:
        """Put a schema file and everything it loads, rewritten, into ``served``."""
        address = self._address(path)
        pending = [path]
        while pending:
            current = pending.pop()
            if self._address(current) in served:
                continue
            rewritten = self._rewritten(current)
            served[self._address(current)] = rewritten.source
            missing.update(rewritten.missing)
            pending.extend(rewritten.loads)
        return address

    def _schema(self, imports: list[tuple[str, str]], stubs: dict[str, str]) -> Any:
        """The compiled wrapper for these imports; compiled on first use, then reused."""
        key = tuple((uri, stubs.get(location, location)) for uri, location in imports)
        schema = self._compiled.get(key)
        if schema is not None:
            return schema
        served: dict[str, bytes] = {name: text.encode() for name, text in stubs.items()}
        body = []
        missing: set[str] = set()
        for uri, location in imports:
            address = (
                location if location in stubs else self._serve(Path(location), served, missing)
            )
            body.append(
                f"<xs:import namespace={quoteattr(uri)} schemaLocation={quoteattr(address)}/>"
            )
        parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True)
        resolver = _Resolver(served)
        parser.resolvers.add(resolver)
        wrapper = etree.fromstring(
            f'<xs:schema xmlns:xs="{_XS}">{"".join(body)}</xs:schema>'.encode(),
            parser,
            base_url=SCHEMA_SCHEME + "pakkeforlop-wrapper.xsd",
        )
        try:
            schema = etree.XMLSchema(wrapper)
        except etree.XMLSchemaParseError as error:
            msg = f"the schemas in {self.folder} do not compile: {error}"
            if missing:
                msg += f" (no file in the folder declares {', '.join(sorted(missing))})"
            if resolver.refused:
                msg += f" (refused to load {', '.join(resolver.refused)})"
            raise XsdError(msg) from error
        self._compiled[key] = schema
        return schema

    def validate(self, message: KithMessage) -> XsdOutcome:
        """Validate the message's envelope (unwrapped) and contents, or its bare document."""
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
                imports.append((uri, str(path)))
                continue
            if uri == namespace(envelope):
                reason = (
                    f"no schema for the namespace {uri} of {local(envelope)} in {self.folder.name}"
                )
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
        # lxml validates the envelope as a document of its own: "/*" is the envelope. The
        # path uses the message's own prefixes (po:, fk1:, …).
        relative = "." + path[2:] if path.startswith("/*") else ""
        envelope = message.envelope
        prefixes = {
            prefix: uri
            for element in (envelope.iter() if envelope is not None else ())
            if isinstance(element.tag, str)
            for prefix, uri in element.nsmap.items()
            if prefix
        }
        try:
            found = (
                envelope.xpath(relative, namespaces=prefixes)
                if relative and envelope is not None
                else []
            )
        except etree.XPathError:
            found = []
        if isinstance(found, list) and found and hasattr(found[0], "tag"):
            xpath = xpath_of(found[0])
        text = str(entry.message)
        return XsdIssue(text, entry.line or None, xpath)
