"""A KITH message as the kit sees it: the envelope, the business documents inside, and XPaths.

The envelope is a MsgHead 1.2 (``MsgInfo`` plus one ``Document/RefDoc/Content`` per business
document) or an AppRec 1.0 / 1.1 on its own. NAV's ``EI_fellesformat`` wrapper is unwrapped.
Elements are found by local name, because KITH standards mix namespaces (Dialogmelding 1.1 puts
felleskomponent1 ``Id`` and ``TypeId`` inside its own ``Ident``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pakkeforlop.kith.namespaces import (
    CONTENT_STANDARDS,
    EI_FELLESFORMAT,
    MSGHEAD,
    PREFIXES,
    ROOT_STANDARDS,
    Standard,
)

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
    """One business document in ``MsgHead/Document/RefDoc/Content``."""

    element: Element  # the content's root element (Henvisning, Message, Dialogmelding, …)
    refdoc: Element
    standard: Standard | None  # None when the namespace is not one the kit knows


@dataclass(slots=True)
class KithMessage:
    """One KITH XML file: its envelope, its contents, and what the JSON mapping took from it.

    ``covered`` holds ``(element, attribute)`` pairs whose values the JSON mapping carries into
    the referral or epicrisis model (``"text"`` for element text); the KITH rules leave those
    to the rules that judge the JSON, so that one mistake gives one finding.
    """

    path: str
    tree: Any
    envelope: Element | None
    standard: Standard | None
    wrapper: Element | None = None
    contents: list[Content] = field(default_factory=list)
    covered: set[tuple[Element, str]] = field(default_factory=set)

    @property
    def root(self) -> Element:
        """The document's root element (``EI_fellesformat`` when wrapped)."""
        return self.tree.getroot()

    @property
    def is_msghead(self) -> bool:
        """Whether the envelope is a MsgHead."""
        return self.envelope is not None and namespace(self.envelope) == MSGHEAD

    @property
    def msg_info(self) -> Element | None:
        """``MsgHead/MsgInfo``."""
        return child(self.envelope, "MsgInfo") if self.is_msghead else None

    @property
    def message_type(self) -> Element | None:
        """``MsgInfo/Type`` of a MsgHead, ``MsgType`` of an AppRec."""
        if self.is_msghead:
            return child(self.msg_info, "Type")
        return child(self.envelope, "MsgType")

    def is_covered(self, element: Element, attribute: str) -> bool:
        """Whether the JSON mapping carries this value (so JSON rules judge it)."""
        return (element, attribute) in self.covered


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
    standard = ROOT_STANDARDS.get(namespace(envelope)) if envelope is not None else None
    if standard is None or local(envelope) != standard.root:
        return KithMessage(path, tree, None, None, wrapper)
    message = KithMessage(path, tree, envelope, standard, wrapper)
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
