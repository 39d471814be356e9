"""The public sources the specification cites, as data in ``spec/sources.toml``.

Every document a rule, pathway, anchor, code list or chapter rests on is one entry: its
title, publisher, kind, address and dates, so a reader outside the project can find and judge
it. A document with no public copy has no address, and its ``note`` says so. Rules name
their sources by id (``sources`` in ``spec/rules/*.toml``); a ``source_url`` anywhere in the
data is the address of one entry (the fragment aside), which is how the docs show the title
and date next to every link.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urldefrag

from pakkeforlop.data.locations import sources_file
from pakkeforlop.data.toml_files import load_toml

SOURCE_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
#: A date as a publisher shows it: a day, a month or a year.
PARTIAL_DATE = re.compile(r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$")


class SourcesError(ValueError):
    """The sources file breaks its documented format."""


@dataclass(frozen=True, slots=True)
class Source:
    """One cited document."""

    id: str
    short: str
    title: str
    publisher: str
    kind: str
    url: str = ""
    published: str = ""
    updated: str = ""
    date_note: str = ""
    note: str = ""
    #: For the five documents the specification was first written from: the seed's file name.
    seed: str = ""

    @property
    def public(self) -> bool:
        """Whether a public copy has been found (the source has an address)."""
        return bool(self.url)

    @property
    def dates(self) -> str:
        """The dates a reader sees: ``published 2018-09-13, updated 2019-02-15``, or ``""``."""
        parts = []
        if self.published:
            parts.append(f"published {self.published}")
        if self.updated:
            parts.append(f"updated {self.updated}")
        return ", ".join(parts)

    def citation(self) -> str:
        """The source as one line of plain text: publisher, title, kind, dates, address."""
        dates = self.dates or "date not confirmed"
        where = self.url or "no public copy identified"
        return f"{self.publisher}: «{self.title}» ({self.kind}; {dates}). {where}"

    def as_data(self) -> dict[str, Any]:
        """The source as plain data, for JSON (the keys in the JSON reports' camelCase)."""
        return {
            "id": self.id,
            "title": self.title,
            "publisher": self.publisher,
            "kind": self.kind,
            "url": self.url or None,
            "published": self.published or None,
            "updated": self.updated or None,
            "note": self.note or self.date_note or None,
        }


def _source(raw: Mapping[str, Any], where: str) -> Source:
    try:
        source = Source(**{key: str(value).strip() for key, value in raw.items()})
    except TypeError as error:
        msg = f"{where}: {error}"
        raise SourcesError(msg) from error
    problems = []
    if not SOURCE_ID.match(source.id):
        problems.append(f"id {source.id!r} is not lower case words joined by hyphens")
    for name in ("short", "title", "publisher", "kind"):
        if not getattr(source, name):
            problems.append(f"{name} is required")
    if source.url and not source.url.startswith(("https://", "http://")):
        problems.append(f"url {source.url!r} is not an http(s) address")
    if not source.url and not source.note:
        problems.append("a source without a url needs a note saying no public copy was found")
    for name in ("published", "updated"):
        value = getattr(source, name)
        if value and not PARTIAL_DATE.match(value):
            problems.append(f"{name} {value!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    if not source.published and not source.updated and not source.date_note:
        problems.append("a source without a date needs a date_note saying why")
    if problems:
        msg = f"{where} ({source.id}): " + "; ".join(problems)
        raise SourcesError(msg)
    return source


@cache
def sources() -> Mapping[str, Source]:
    """Every cited document, keyed by id, in file order."""
    entries = load_toml(sources_file()).get("sources", [])
    found: dict[str, Source] = {}
    addresses: dict[str, str] = {}
    for index, raw in enumerate(entries):
        source = _source(raw, f"{sources_file()} sources[{index}]")
        if source.id in found:
            msg = f"{sources_file()}: duplicate source id {source.id}"
            raise SourcesError(msg)
        if source.url and source.url in addresses:
            msg = f"{sources_file()}: {source.id} and {addresses[source.url]} share {source.url}"
            raise SourcesError(msg)
        found[source.id] = source
        addresses[source.url] = source.id
    return found


@cache
def _by_address() -> Mapping[str, Source]:
    return {source.url: source for source in sources().values() if source.url}


def by_url(url: str) -> Source | None:
    """The source at ``url`` (a link into it, ``…#section-8``, names the same document)."""
    return _by_address().get(url) or _by_address().get(urldefrag(url).url)


def source(source_id: str) -> Source:
    """One source by id."""
    try:
        return sources()[source_id]
    except KeyError:
        msg = f"no source {source_id!r} in {sources_file()}"
        raise KeyError(msg) from None
