"""A KITH message as the kit sees it: the envelope, the business documents inside, and XPaths.

The envelope is a MsgHead 1.2 (``MsgInfo`` plus one ``Document/RefDoc/Content`` per business
document) or an AppRec 1.0 / 1.1 on its own. A business document may also be the root of a
file without its MsgHead (a *bare* document, as the standards archive publishes Epikrise
examples and as EHRs export them); it is then its own scope. NAV's ``EI_fellesformat``
wrapper is unwrapped. The generic checks find elements by local name, because KITH standards
mix namespaces (Dialogmelding 1.1 puts felleskomponent1 ``Id`` and ``TypeId`` inside its own
``Ident``); the mapping to the JSON model uses exact, namespace-qualified XPaths.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from pakkeforlop.kith.namespaces import (
    BASE64,
    CONTENT_STANDARDS,
    EI_FELLESFORMAT,
    MSGHEAD,
    PREFIXES,
    ROOT_STANDARDS,
    Standard,
)

if TYPE_CHECKING:
    from pakkeforlop.kith.mapping import ScopedContent

Element = Any  # lxml.etree._Element; lxml's classes are not part of its typed public API


def namespace(element: Element) -> str:
    """The element's namespace URI ('' when it has none)."""
    tag = element.tag
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def local(element: Element) -> str:
    """The element's local name ('' for comments and processing instructions)."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def elements(parent: Element) -> Iterator[Element]:
    """The child elements (no comments or processing instructions)."""
    return (child for child in parent if isinstance(child.tag, str))


def children(parent: Element | None, name: str) -> list[Element]:
    """The child elements with this local name, in document order."""
    if parent is None:
        return []
    return [child for child in elements(parent) if local(child) == name]


def child(parent: Element | None, *path: str) -> Element | None:
    """The first element down the path of local names, or ``None``."""
    current = parent
    for name in path:
        found = children(current, name)
        if not found:
            return None
        current = found[0]
    return current


def descendants(parent: Element | None, name: str) -> list[Element]:
    """Every descendant element with this local name, in document order."""
    if parent is None:
        return []
    return [element for element in parent.iterdescendants() if local(element) == name]


def text(element: Element | None) -> str | None:
    """The element's text with surrounding whitespace removed; ``None`` when empty or absent."""
    if element is None:
        return None
    value = "".join(element.itertext()).strip()
    return value or None


def attr(element: Element | None, name: str) -> str | None:
    """An attribute's value, or ``None``."""
    if element is None:
        return None
    value = element.get(name)
    return value if isinstance(value, str) else None


@cache
def _compiled(expression: str, bindings: tuple[tuple[str, str], ...]) -> Any:
    # lxml is imported with the first message read (see pakkeforlop.kith), not with the rules
    # of the KITH family, which every check imports to register them.
    from lxml import etree  # noqa: PLC0415

    namespaces = {prefix: uri for uri, prefix in PREFIXES.items()}
    namespaces.update(bindings)
    return etree.XPath(expression, namespaces=namespaces)


def select(
    element: Element | None, expression: str, bindings: tuple[tuple[str, str], ...] = ()
) -> list[Element]:
    """The elements an XPath 1.0 expression finds from ``element``, in document order.

    The expression uses the kit's prefixes (:data:`PREFIXES`: ``mh``, ``hen``, ``po``, ``fk1``,
    ``epi`` …), so it names elements exactly, namespace and all; ``bindings`` (``(prefix,
    namespace)`` pairs) rebinds some, so that one expression reads two versions of a standard
    with the same element names. Anything but elements (text, attributes, numbers) is left out.
    """
    if element is None:
        return []
    found = _compiled(expression, bindings)(element)
    if not isinstance(found, list):
        return []
    return [node for node in found if isinstance(getattr(node, "tag", None), str)]


def qualified(element: Element) -> str:
    """``prefix:local`` with the kit's prefixes; ``*[local-name()='X']`` for other namespaces."""
    uri = namespace(element)
    name = local(element)
    if not uri:
        return name
    prefix = PREFIXES.get(uri)
    return f"{prefix}:{name}" if prefix else f"*[local-name()='{name}']"


def xpath_of(element: Element) -> str:
    """An exact XPath to the element, using the prefixes of :data:`PREFIXES`."""
    steps = []
    node = element
    while node is not None:
        step = qualified(node)
        parent = node.getparent()
        if parent is not None:
            same = [sibling for sibling in elements(parent) if sibling.tag == node.tag]
            if len(same) > 1:
                step += f"[{same.index(node) + 1}]"
        steps.append(step)
        node = parent
    return "/" + "/".join(reversed(steps))


@dataclass(slots=True)
class Content:
    """One business document: in ``MsgHead/Document/RefDoc/Content``, or the root of the file."""

    element: Element  # the content's root element (Henvisning, Message, Dialogmelding, …)
    refdoc: Element | None  # None for a bare document (no MsgHead)
    standard: Standard | None  # None when the namespace is not one the kit knows


@dataclass(slots=True)
class KithMessage:
    """One KITH XML file: its envelope, its contents, and what the JSON mapping took from it.

    ``envelope`` is the element the message's checks look at: the MsgHead or AppRec, or a bare
    business document itself; ``None`` when the root is nothing the kit recognises.
    ``covered`` holds ``(element, attribute)`` pairs whose values the JSON mapping carries into
    the referral or epicrisis model (``"text"`` for element text); the KITH rules leave those
    to the rules that judge the JSON, so that one mistake gives one finding. ``scopes`` holds,
    per business document the mapping read, whether the pathway rules apply and why
    (:mod:`pakkeforlop.kith.scope`).
    """

    path: str
    tree: Any
    envelope: Element | None
    standard: Standard | None
    wrapper: Element | None = None
    contents: list[Content] = field(default_factory=list)
    covered: set[tuple[Element, str]] = field(default_factory=set)
    scopes: list[ScopedContent] = field(default_factory=list)

    @property
    def root(self) -> Element:
        """The document's root element (``EI_fellesformat`` when wrapped)."""
        return self.tree.getroot()

    @property
    def is_msghead(self) -> bool:
        """Whether the envelope is a MsgHead."""
        return self.envelope is not None and namespace(self.envelope) == MSGHEAD

    @property
    def bare(self) -> bool:
        """Whether the message is a business document without its MsgHead."""
        return self.envelope is not None and namespace(self.envelope) in CONTENT_STANDARDS

    @property
    def msg_info(self) -> Element | None:
        """``MsgHead/MsgInfo``."""
        return child(self.envelope, "MsgInfo") if self.is_msghead else None

    @property
    def message_type(self) -> Element | None:
        """``MsgInfo/Type`` of a MsgHead, ``MsgType`` of an AppRec."""
        if self.is_msghead:
            return child(self.msg_info, "Type")
        return child(self.envelope, "MsgType") if not self.bare else None

    def is_covered(self, element: Element, attribute: str) -> bool:
        """Whether the JSON mapping carries this value (so JSON rules judge it)."""
        return (element, attribute) in self.covered


def _standard_of(root: Element | None) -> Standard | None:
    """The envelope or bare business document ``root`` is, if the kit knows it."""
    if root is None:
        return None
    uri = namespace(root)
    standard = ROOT_STANDARDS.get(uri) or CONTENT_STANDARDS.get(uri)
    if standard is None or local(root) != standard.root or standard.namespace == BASE64:
        return None
    return standard


def read_message(tree: Any, path: str) -> KithMessage:
    """Recognise the envelope and the contents of a parsed XML document."""
    root = tree.getroot()
    wrapper = None
    envelope = root
    if namespace(root) == EI_FELLESFORMAT:
        wrapper = root
        envelope = next(
            (element for element in elements(root) if namespace(element) in ROOT_STANDARDS),
            None,
        )
    standard = _standard_of(envelope)
    if standard is None:
        return KithMessage(path, tree, None, None, wrapper)
    message = KithMessage(path, tree, envelope, standard, wrapper)
    if namespace(envelope) in CONTENT_STANDARDS:
        message.contents.append(Content(envelope, None, standard))
    if standard.namespace == MSGHEAD:
        for document in children(envelope, "Document"):
            refdoc = child(document, "RefDoc")
            content = child(refdoc, "Content")
            for content_root in elements(content) if content is not None else ():
                content_standard = CONTENT_STANDARDS.get(namespace(content_root))
                if content_standard is not None and local(content_root) != content_standard.root:
                    content_standard = None
                message.contents.append(Content(content_root, refdoc, content_standard))
    return message
