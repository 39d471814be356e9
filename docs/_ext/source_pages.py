"""The cited sources on the public pages: the Sources page, and a citation wherever data links one.

``spec/sources.toml`` records every document the specification rests on (title, publisher,
kind, address, dates). This module renders it for the generated pages: the Sources page lists
every document with an anchor; a rule's page lists its sources in full; a link from a pathway,
anchor or code list to a source's address shows the document's title, publisher and date
rather than a bare "source"; the traceability matrix names the five first documents by their
public titles. A document without a public copy is shown without a link, with its note.

The Markdown helpers of ``pakkeforlop_docs`` are passed in (``inline``, ``ref``), so that
module can import this one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from pakkeforlop.sources import Source, by_url, sources

__all__ = ["DOCNAME", "Citations"]

#: The Sources page.
DOCNAME = "sources/index"


def anchor(source: Source) -> str:
    """The label of a source's entry on the Sources page."""
    return f"source-{source.id}"


@dataclass(frozen=True)
class Citations:
    """Renders sources with the page generator's Markdown helpers."""

    inline: Callable[[object], str]
    ref: Callable[[str, str], str]

    def dates(self, source: Source) -> str:
        """``published …, updated …``, or ``date not confirmed``."""
        return source.dates or "date not confirmed"

    def full(self, source: Source) -> str:
        """A source in full, as one line of Markdown: publisher, title (linked), kind, dates."""
        title = f"«{self.inline(source.title)}»"
        linked = f"[{title}]({source.url})" if source.url else title
        text = (
            f"{self.inline(source.publisher)}: {linked} "
            f"({self.inline(source.kind)}; {self.inline(self.dates(source))})"
        )
        if not source.url:
            text += f". No public copy identified: {self.inline(source.note)}"
        return text

    def short(self, source: Source) -> str:
        """A source in a table cell: its title, linked, with publisher and date."""
        title = self.inline(source.title)
        linked = f"[{title}]({source.url})" if source.url else title
        return f"{linked} ({self.inline(source.publisher)}, {self.inline(self.dates(source))})"

    def link(self, url: str | None, fallback: str = "source") -> str:
        """A link to ``url`` named by the source registered at that address (a link into a
        document, ``…#section``, goes to the section); a bare link where none is registered."""
        if not url:
            return ""
        source = by_url(url)
        if source is None:
            return f"[{self.inline(fallback)}]({url})"
        return (
            f"[{self.inline(source.title)}]({url}) "
            f"({self.inline(source.publisher)}, {self.inline(self.dates(source))})"
        )

    def listed(self, source_ids: Iterable[str]) -> str:
        """A Markdown list of sources in full, each linked to its entry on the Sources page."""
        registry = sources()
        return "\n".join(
            f"- {self.full(registry[source_id])} "
            f"({self.ref(anchor(registry[source_id]), 'about this source')})"
            for source_id in source_ids
        )

    def seed(self, seed_file: str) -> str:
        """One of the five first documents, by its short public name, linked to its entry."""
        for source in sources().values():
            if source.seed == seed_file:
                return self.ref(anchor(source), source.short)
        return self.inline(seed_file)

    def page(self) -> str:
        """The Sources page: every cited document, with an anchor each."""
        registry = list(sources().values())
        public = sum(source.public for source in registry)
        blocks = [
            "(sources)=\n# Sources",
            self.inline(
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
                ("Publisher", self.inline(source.publisher)),
                ("Kind", self.inline(source.kind)),
                (
                    "Address",
                    f"<{source.url}>" if source.url else "no public copy identified",
                ),
                ("Date", self.inline(self.dates(source))),
                ("About the date", self.inline(source.date_note)),
                ("Note", self.inline(source.note)),
                ("Id", f"`{source.id}`"),
            ]
            blocks.append(f"({anchor(source)})=\n## {self.inline(source.title)}")
            blocks.append("\n".join(f":{name}: {value}" for name, value in facts if value))
        return "\n\n".join(blocks) + "\n"
