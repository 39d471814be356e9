"""The cited sources on the public pages: the Sources page, and a citation wherever data links one.

``spec/sources.toml`` records every document the specification rests on (title, publisher,
kind, address, dates). This module renders it for the generated pages: the Sources page lists
every document with an anchor; a rule's page lists its sources in full; a link from a pathway,
anchor or code list to a source's address shows the document's title, publisher and date
rather than a bare "source"; the traceability matrix names the five first documents by their
public titles. A document without a public copy is shown without a link, with its note.
"""

from __future__ import annotations

from collections.abc import Iterable

from generated_pages.markdown import inline, ref
from pakkeforlop.data.sources import Source, by_url, sources

__all__ = ["DOCNAME", "link", "listed", "page", "seed"]

#: The Sources page.
DOCNAME = "sources/index"


def anchor(source: Source) -> str:
    """The label of a source's entry on the Sources page."""
    return f"source-{source.id}"


def dates(source: Source) -> str:
    """``published …, updated …``, or ``date not confirmed``."""
    return source.dates or "date not confirmed"


def full(source: Source) -> str:
    """A source in full, as one line of Markdown: publisher, title (linked), kind, dates."""
    title = f"«{inline(source.title)}»"
    linked = f"[{title}]({source.url})" if source.url else title
    text = f"{inline(source.publisher)}: {linked} ({inline(source.kind)}; {inline(dates(source))})"
    if not source.url:
        text += f". No public copy identified: {inline(source.note)}"
    return text


def link(url: str | None, fallback: str = "source") -> str:
    """A link to ``url`` named by the source registered at that address (a link into a
    document, ``…#section``, goes to the section); a bare link where none is registered."""
    if not url:
        return ""
    source = by_url(url)
    if source is None:
        return f"[{inline(fallback)}]({url})"
    return f"[{inline(source.title)}]({url}) ({inline(source.publisher)}, {inline(dates(source))})"


def listed(source_ids: Iterable[str]) -> str:
    """A Markdown list of sources in full, each linked to its entry on the Sources page."""
    registry = sources()
    return "\n".join(
        f"- {full(registry[source_id])} ({ref(anchor(registry[source_id]), 'about this source')})"
        for source_id in source_ids
    )


def seed(seed_file: str) -> str:
    """One of the five first documents, by its short public name, linked to its entry."""
    for source in sources().values():
        if source.seed == seed_file:
            return ref(anchor(source), source.short)
    return inline(seed_file)


def page() -> str:
    """The Sources page: every cited document, with an anchor each."""
    registry = list(sources().values())
    public = sum(source.public for source in registry)
    blocks = [
        "(sources)=\n# Sources",
        inline(
            f"Every document the specification cites: {len(registry)} documents, "
            f"{public} with a public address. Rules name their sources by these entries; "
            "pathway pages, code lists and chapters link to the same addresses. Dates are "
            "those the publisher shows; where none could be confirmed the entry says so. "
            "A document of which no public copy has been found is listed all the same, "
            "without an address, so that a reader can see what a rule rests on. The list "
            "is generated from spec/sources.toml."
        ),
    ]
    for source in registry:
        facts = [
            ("Publisher", inline(source.publisher)),
            ("Kind", inline(source.kind)),
            ("Address", f"<{source.url}>" if source.url else "no public copy identified"),
            ("Date", inline(dates(source))),
            ("About the date", inline(source.date_note)),
            ("Note", inline(source.note)),
            ("Id", f"`{source.id}`"),
        ]
        blocks.append(f"({anchor(source)})=\n## {inline(source.title)}")
        blocks.append("\n".join(f":{name}: {value}" for name, value in facts if value))
    return "\n\n".join(blocks) + "\n"
