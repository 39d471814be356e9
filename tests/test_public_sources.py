"""Public pages cite public sources, never the project's internal notes.

Everything the documentation publishes (the rule pages, from spec/rules/*.toml and the rules'
fixtures; the pathway, anchor and code-list pages, from spec/pathways/ and spec/codes/; the
traceability matrix; the spec chapters; the guides and the README) is held to two checks:

* no text cites a working note a reader outside cannot follow: a seed file (``seed 002…``, a
  seed's file name), the domain reference (``domain.md §4.7``, ``domain reference §5.1``), its
  open questions (``§11 q21``) or its rule labels (``REG-05``);
* the JSON Schemas' descriptions (the schema pages) do the same;
* every ``source_url`` of a rule, pathway, time limit, ordering rule, anchor or code list is the
  address of a document in spec/sources.toml, so the pages name its title, publisher and date.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pakkeforlop.data import sources as sources_module
from pakkeforlop.data.catalogue import catalogue
from pakkeforlop.data.codes import code_systems
from pakkeforlop.data.pathways import anchors, pathways

from .conftest import REPO_ROOT

#: Citations of internal notes: a seed file, the domain reference, its open questions and labels.
INTERNAL = re.compile(
    r"seeds?\s*`?0[0-9]{2}"
    r"|\b00[0-4]_[0-9a-f]{16}\b"
    r"|domain\.md"
    r"|domain\s+reference"
    r"|§\s*11\s*q\s*[0-9]+"
    r"|\bREG-[0-9]{2}\b",
    re.IGNORECASE,
)
#: Keys that hold internal provenance (the seed a source or statement is), never shown as text.
PROVENANCE_KEYS = frozenset({"seed", "seeds", "base"})

SPEC = REPO_ROOT / "spec"
DOCS = REPO_ROOT / "docs"


def _strings(node: Any, where: str) -> Iterator[tuple[str, str]]:
    """Every string in parsed TOML, with where it is; provenance keys are skipped."""
    if isinstance(node, str):
        yield where, node
    elif isinstance(node, dict):
        for key, value in node.items():
            if key not in PROVENANCE_KEYS:
                yield from _strings(value, f"{where}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _strings(value, f"{where}[{index}]")


def _toml_texts(*patterns: str) -> list[tuple[str, str]]:
    found = []
    for pattern in patterns:
        for path in sorted(SPEC.glob(pattern)):
            data = tomllib.loads(path.read_text(encoding="utf-8"))
            found.extend(_strings(data, str(path.relative_to(REPO_ROOT))))
    return found


def _pages() -> list[Path]:
    """The hand-written pages the site and the repository publish."""
    return [
        *sorted(SPEC.glob("*.md")),
        SPEC / "rules" / "README.md",
        SPEC / "kith" / "mapping-page.md",
        *sorted(DOCS.glob("*.md")),
        *sorted((DOCS / "guides").glob("*.md")),
        *sorted((DOCS / "reference").glob("*.md")),
        *sorted((DOCS / "notebooks").glob("*.ipynb")),
        REPO_ROOT / "README.md",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "seed 002_da5865dbae374e3c.txt",
        "(seed `000_121aa0c4cdba5451.txt`)",
        "Seeds 001",
        "domain.md §4.7",
        "domain reference §5.1 R11",
        "§11 q21",
        "(REG-05)",
        "shared/reference/domain.md",
    ],
)
def test_the_check_recognises_internal_citations(text):
    assert INTERNAL.search(text)


@pytest.mark.parametrize(
    "text",
    [
        "Heim kommune, 'Pakkeforløp'",
        "generated-seed-7",
        "pakkeforlop generate --seed 5",
        "pasient- og brukerrettighetsloven § 2-2",
        "RFC 8259 §8.1",
    ],
)
def test_the_check_lets_public_citations_through(text):
    assert not INTERNAL.search(text)


def test_rule_pages_cite_no_internal_note():
    cited = [
        (f"{rule.id}.{name}", text)
        for rule in catalogue().values()
        for name, text in (
            ("title", rule.title),
            ("title_nb", rule.title_nb),
            ("statement", rule.statement),
            ("source_verb", rule.source_verb),
            ("source", rule.source),
            ("rationale", rule.rationale),
            ("severity_note", rule.severity_note),
            *((f"history[{i}]", change.reason) for i, change in enumerate(rule.history)),
        )
    ]
    cited += _toml_texts("rules/*.toml", "fixtures/*.toml")
    assert [(where, text) for where, text in cited if INTERNAL.search(text)] == []


def test_pathway_anchor_and_code_pages_cite_no_internal_note():
    texts = _toml_texts("pathways/*.toml", "codes/*.toml", "traceability.toml", "sources.toml")
    texts += _toml_texts("kith/*.toml")
    assert [(where, text[:120]) for where, text in texts if INTERNAL.search(text)] == []


def test_schema_pages_cite_no_internal_note():
    texts = []
    for path in sorted((REPO_ROOT / "schemas").rglob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        texts.extend(_strings(data, str(path.relative_to(REPO_ROOT))))
    assert texts
    assert [(where, text[:120]) for where, text in texts if INTERNAL.search(text)] == []


@pytest.mark.parametrize("page", _pages(), ids=lambda path: str(path.relative_to(REPO_ROOT)))
def test_published_pages_cite_no_internal_note(page):
    text = page.read_text(encoding="utf-8")
    found = [
        f"line {text.count(chr(10), 0, match.start()) + 1}: {match.group(0)!r}"
        for match in INTERNAL.finditer(text)
    ]
    assert found == []


def _source_urls() -> Iterator[tuple[str, str]]:
    for rule in catalogue().values():
        if rule.source_url:
            yield rule.id, rule.source_url
    for pathway in pathways().values():
        yield pathway.code, pathway.source_url
        yield f"{pathway.code} ordering", pathway.ordering.source_url
        for limit in pathway.time_limits:
            yield f"{pathway.code} {limit.id}", limit.source_url
    for anchor in anchors().values():
        yield f"anchor {anchor.id}", anchor.source_url
    for system in code_systems().values():
        yield f"kodeverk {system.kodeverk}", system.source_url or ""
        for version in system.versions:
            yield f"kodeverk {system.kodeverk} {version.id}", version.source_url or ""
        for gap in system.known_gaps:
            yield f"kodeverk {system.kodeverk} gap", gap.source_url or ""


def test_every_source_link_names_a_registered_document():
    unregistered = [
        (where, url) for where, url in _source_urls() if url and sources_module.by_url(url) is None
    ]
    assert unregistered == []


def test_every_rule_source_is_registered_and_its_link_is_one_of_them():
    known = sources_module.sources()
    for rule in catalogue().values():
        assert rule.sources, rule.id
        assert set(rule.sources) <= set(known), rule.id
        if rule.source_url:
            cited = sources_module.by_url(rule.source_url)
            assert cited is not None
            assert cited.id in rule.sources, rule.id


def test_a_source_without_an_address_says_so_and_every_source_is_dated_or_says_why():
    for source in sources_module.sources().values():
        if not source.url:
            assert "public copy" in source.note, source.id
        assert source.published or source.updated or source.date_note, source.id


def test_the_first_documents_are_all_registered():
    seeds = {source.seed for source in sources_module.sources().values() if source.seed}
    from pakkeforlop.data.traceability import SEEDS  # noqa: PLC0415

    assert seeds == set(SEEDS)
