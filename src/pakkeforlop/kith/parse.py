"""Read XML defensively: a tree or located problems, never a traceback, a hang or a leak.

Every parse uses one hardened lxml configuration: no DTD loading, no entity resolution, no
network, libxml2's own size and depth caps on, and a resolver that answers every external load
(DTD, entity, XInclude, schema location) with nothing, so that parsing a message never opens a
file or a connection. A document with a DOCTYPE is refused outright (entity-expansion bombs and
external entities need one), XInclude elements are never processed, and the tree is refused
when it nests deeper than the limit.

One cap is lifted where it is safe: libxml2 refuses a text node over 10 MB, and a message with
a large attachment (a ``Base64Container``) has one. When a parse fails on a resource limit and
the document declares no DOCTYPE (so it can define no entity to expand), it is parsed again
with ``huge_tree``; the kit's own file size limit still bounds it, and its depth limit still
applies to the tree. The encoding is left to
lxml, which reads the XML declaration (the KITH samples are ISO-8859-1): bytes are never
decoded here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from io import BytesIO
from pathlib import Path
from typing import Any, Final

from lxml import etree

from pakkeforlop.kith.namespaces import XINCLUDE
from pakkeforlop.read import DEFAULT_LIMITS, InputProblem, Limits, Sink, read_bounded

__all__ = [
    "XmlProblem",
    "XmlProblemCode",
    "XmlReadResult",
    "hardened_parser",
    "parse_xml",
    "read_xml_file",
]


class XmlProblemCode(StrEnum):
    """Stable machine codes for XML input the kit cannot use as it is."""

    UNREADABLE = "unreadable"
    TOO_LARGE = "too-large"
    MALFORMED = "malformed"
    DOCTYPE = "doctype"
    XINCLUDE = "xinclude"
    TOO_DEEP = "too-deep"


#: Problems that leave a usable tree (``XmlReadResult.tree`` is set): the XInclude element is
#: simply never processed, and the rest of the message can be checked.
RECOVERABLE: Final = frozenset({XmlProblemCode.XINCLUDE})


@dataclass(frozen=True, slots=True)
class XmlProblem:
    """A problem with an XML file; ``line`` and ``column`` are 1-based when known."""

    code: XmlProblemCode
    message: str
    line: int | None = None
    column: int | None = None


@dataclass(frozen=True, slots=True)
class XmlReadResult:
    """The outcome of reading one XML file: the tree, unless a problem made it unusable."""

    tree: Any  # lxml.etree._ElementTree | None (lxml's types are not public API)
    problems: tuple[XmlProblem, ...]


class _RefuseExternal(etree.Resolver):
    """Answers every external load with an empty document and remembers what was asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.refused: list[str] = []

    def resolve(self, system_url: str, public_id: str, context: Any = None) -> Any:
        self.refused.append(system_url)
        return self.resolve_string("", context, base_url=None)


def hardened_parser(
    *, recover: bool = False, refuse_external: bool = True, large_text: bool = False
) -> Any:
    """A new lxml parser with the kit's safe options (a parser is not thread-safe: one per use).

    ``refuse_external=False`` leaves resolving to a resolver the caller adds (the XSD loader,
    which serves files from the XSD folder only). ``large_text`` lifts libxml2's caps on text
    and nesting (``huge_tree``): only for a document that declares no DOCTYPE.
    """
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=large_text,
        remove_blank_text=False,
        recover=recover,
    )
    if refuse_external:
        parser.resolvers.add(_RefuseExternal())
    return parser


def _has_doctype(tree: Any) -> bool:
    info = tree.docinfo
    return bool(info.doctype) or info.internalDTD is not None or info.externalDTD is not None


def _doctype_problem() -> XmlProblem:
    message = "no DTD was loaded, no entity expanded and nothing outside the file read"
    return XmlProblem(XmlProblemCode.DOCTYPE, message, 1, 1)


def _over_a_cap(error: etree.XMLSyntaxError) -> bool:
    """Whether a parse failed on one of libxml2's resource limits (a text node over 10 MB)."""
    code = getattr(error, "code", None)  # libxml2's error number (not in lxml's stubs)
    return bool(code == etree.ErrorTypes.ERR_RESOURCE_LIMIT)


def _declares_doctype(data: bytes) -> bool:
    """Whether the document has a DOCTYPE, by its bytes or (another encoding) its prolog."""
    if b"<!DOCTYPE" in data:
        return True
    try:
        recovered = etree.parse(BytesIO(data), hardened_parser(recover=True))
        return recovered.getroot() is not None and _has_doctype(recovered)
    except (etree.LxmlError, ValueError, AssertionError):  # lxml asserts on a rootless tree
        return True  # not known: the caps stay on


def _diagnose(data: bytes, error: etree.XMLSyntaxError) -> XmlProblem:
    """Why a strict parse failed: a DOCTYPE (bombs fail here), too deep, or malformed."""
    try:
        recovered = etree.parse(BytesIO(data), hardened_parser(recover=True))
        doctype = recovered.getroot() is not None and _has_doctype(recovered)
    except (etree.LxmlError, ValueError, AssertionError):  # lxml asserts on a rootless tree
        doctype = False
    if doctype:
        return _doctype_problem()
    line, column = error.position if error.position else (error.lineno, None)
    text = str(error.msg or error).split(", line ")[0]
    if "depth" in text.lower():
        return XmlProblem(XmlProblemCode.TOO_DEEP, f"the elements nest too deep: {text}", line)
    detail = text[:1].lower() + text[1:] if text else "the parser rejected the input"
    return XmlProblem(XmlProblemCode.MALFORMED, f"malformed XML: {detail}", line, column)


def _depth_problem(root: Any, max_depth: int) -> XmlProblem | None:
    """The first element nested deeper than ``max_depth``, without recursion."""
    depth = 0
    for event, element in etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        if depth > max_depth:
            message = f"the elements nest deeper than {max_depth} levels"
            return XmlProblem(XmlProblemCode.TOO_DEEP, message, element.sourceline)
    return None


def _xinclude_problems(root: Any) -> list[XmlProblem]:
    found = []
    for element in root.iter():
        tag = element.tag
        if isinstance(tag, str) and tag.startswith("{") and tag[1:].split("}")[0] in XINCLUDE:
            message = "the kit never includes other files, and KITH messages do not use XInclude"
            found.append(XmlProblem(XmlProblemCode.XINCLUDE, message, element.sourceline))
    return found


def parse_xml(data: bytes, limits: Limits = DEFAULT_LIMITS) -> XmlReadResult:
    """Parse one XML document safely; every failure becomes an XmlProblem, never an exception."""
    try:
        return _parse_xml(data, limits)
    except (etree.LxmlError, ValueError, AssertionError) as error:  # lxml's own assertions
        message = f"malformed XML: the parser failed ({type(error).__name__})"
        return XmlReadResult(None, (XmlProblem(XmlProblemCode.MALFORMED, message),))


def _parse_xml(data: bytes, limits: Limits) -> XmlReadResult:
    if len(data) > limits.max_file_bytes:
        message = f"the input is {len(data)} bytes, over the limit of {limits.max_file_bytes}"
        return XmlReadResult(None, (XmlProblem(XmlProblemCode.TOO_LARGE, message),))
    try:
        tree = etree.parse(BytesIO(data), hardened_parser())
    except etree.XMLSyntaxError as error:
        if not _over_a_cap(error) or _declares_doctype(data):
            return XmlReadResult(None, (_diagnose(data, error),))
        try:  # a large attachment, say: no DOCTYPE, so no entity can be expanded
            tree = etree.parse(BytesIO(data), hardened_parser(large_text=True))
        except etree.XMLSyntaxError as again:
            return XmlReadResult(None, (_diagnose(data, again),))
    if _has_doctype(tree):
        return XmlReadResult(None, (_doctype_problem(),))
    root = tree.getroot()
    deep = _depth_problem(root, limits.max_depth)
    if deep is not None:
        return XmlReadResult(None, (deep,))
    return XmlReadResult(tree, tuple(_xinclude_problems(root)))


def _from_input_problem(problem: InputProblem) -> XmlProblem:
    code = XmlProblemCode.TOO_LARGE if problem.code == "too-large" else XmlProblemCode.UNREADABLE
    return XmlProblem(code, problem.message)


def read_xml_file(
    path: Path, limits: Limits = DEFAULT_LIMITS, *, sink: Sink | None = None
) -> XmlReadResult:
    """Read one XML file (at most ``limits.max_file_bytes``) and parse it safely.

    ``sink`` receives the bytes read, as for :func:`pakkeforlop.read.read_json_file`.
    """
    data = read_bounded(path, limits.max_file_bytes, sink)
    if isinstance(data, InputProblem):
        return XmlReadResult(None, (_from_input_problem(data),))
    return parse_xml(data, limits)
