"""The code-system pages: an index of the kodeverk the kit carries, and one page per list.

A list's page shows its facts, every code with its text, status and validity (each row with an
HTML id, ``code-<code in lower case>``), the list's versions, suffix meanings and known gaps; the
TOML source and a JSON copy are published as artefacts.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from generated_pages import citations
from generated_pages.markdown import (
    code,
    enum_doc,
    field_list,
    inline,
    link_or_text,
    list_table,
    paragraphs,
    ref,
    slug,
    toctree,
)
from generated_pages.site import Site
from pakkeforlop.data import codes as codes_module
from pakkeforlop.data import pathways as pathways_module
from pakkeforlop.data import schemas as registry_module
from pakkeforlop.data.evidence import CodeStatus
from pakkeforlop.data.locations import code_lists_dir


def build(site: Site) -> None:
    """Every code system's page (and artefacts), and the index of them."""
    rows = []
    toc = []
    for kodeverk, system in site.data.code_systems.items():
        _code_page(site, system)
        rows.append(
            [
                ref(f"kodeverk-{kodeverk}", kodeverk),
                inline(system.name),
                inline(system.name_en),
                str(len(system)),
                inline(system.version),
                inline(system.status.value),
            ]
        )
        toc.append(f"/codes/{kodeverk}")
    site.page(
        "codes/index",
        "(codes)=\n# Code systems",
        paragraphs(
            "The code systems (kodeverk) the kit carries, one page each with every code, "
            "its text, its status and its validity. Each list is also published as TOML "
            "(the source) and as JSON."
        ),
        list_table(
            ["Kodeverk", "Name", "English name", "Codes", "Version", "Status"],
            rows,
            widths=[10, 35, 30, 7, 10, 8],
        ),
        "## Status values",
        enum_doc(CodeStatus),
        toctree(toc, hidden=True),
    )


def code_anchors(system: codes_module.CodeSystem) -> dict[str, str]:
    """The HTML id of each code's row on its list's page (unique within the page)."""
    anchors: dict[str, str] = {}
    used: set[str] = set()
    for item in system.codes:
        candidate = base = "code-" + slug(item.code)
        number = 2
        while candidate in used:
            candidate = f"{base}-{number}"
            number += 1
        used.add(candidate)
        anchors[item.code] = candidate
    return anchors


def _code_page(site: Site, system: codes_module.CodeSystem) -> None:
    docname = f"codes/{system.kodeverk}"
    source = code_lists_dir() / f"{system.kodeverk}.toml"
    toml_path, json_path = site.toml_artefacts(
        kind="code-list",
        path=f"codes/{system.kodeverk}",
        content=source.read_bytes(),
        id=system.oid,
        name=system.kodeverk,
        title=system.name,
        version=system.version,
        source=site.source_rel(source),
        page=docname + ".html",
    )
    site.page(
        docname,
        f"(kodeverk-{system.kodeverk})=\n# Kodeverk {system.kodeverk}: {inline(system.name)}",
        paragraphs(system.description),
        field_list(_facts(site, system, docname, (toml_path, json_path))),
        "## Codes",
        paragraphs(f"{len(system)} codes. An empty validity date means no limit on that side."),
        _codes_table(system),
        *_versions(system),
        *_suffix_meanings(system),
        *_known_gaps(system),
        *_by_pathway(site, system),
    )


def _facts(
    site: Site, system: codes_module.CodeSystem, docname: str, paths: tuple[str, str]
) -> list[tuple[str, str]]:
    schema_id = f"{registry_module.SCHEMA_BASE_URI}codes/kodeverk-{system.kodeverk}.schema.json"
    schema = site.data.schemas.get(schema_id)
    return [
        ("English name", inline(system.name_en)),
        ("OID", code(system.oid)),
        ("Version", inline(system.version)),
        ("Status", inline(system.status.value)),
        ("Source", link_or_text(system.source, system.source_url)),
        ("Schema constraint", inline(system.schema_constraint.value)),
        ("Grammar", code(system.grammar) if system.grammar else ""),
        ("Schema", ref(schema.label, schema.title) if schema else ""),
        ("Download", site.downloads(docname, *paths)),
    ]


def _codes_table(system: codes_module.CodeSystem) -> str:
    anchors = code_anchors(system)
    return list_table(
        ["Code", "Text", "Status", "Valid from", "Valid to", "Note"],
        [
            [
                f'<span id="{anchors[c.code]}"></span>{code(c.code)}',
                inline(c.text),
                inline(c.status.value),
                c.valid_from.isoformat() if c.valid_from else "",
                c.valid_to.isoformat() if c.valid_to else "",
                " ".join(filter(None, [inline(c.note or ""), link_or_text("source", c.source_url)]))
                if c.source_url
                else inline(c.note or ""),
            ]
            for c in system.codes
        ],
        widths=[10, 40, 10, 10, 10, 20],
        classes="pf-codes",
    )


def _versions(system: codes_module.CodeSystem) -> list[str]:
    """The list's versions and the periods the kit applies them in."""
    declared = [version for version in system.versions if version.valid_from != date.min]
    if not declared:
        return []
    rows = [
        [
            code(version.id),
            inline(version.name),
            inline(version.status.value),
            _period(version),
            _version_codes(system, version),
            link_or_text(version.source, version.source_url)
            + (" " + inline(version.note) if version.note else ""),
        ]
        for version in declared
    ]
    return [
        "## List versions",
        paragraphs(
            "The versions of the list and the period each applies to. The kit judges a "
            "code against the version in force on its document's date (CODE-002 names "
            "it). A version without a confirmed start is provisional data: it is shown "
            "here and not applied until a primary source gives the date."
        ),
        list_table(
            ["Version", "Name", "Status", "Applied", "Codes", "Source"],
            rows,
            widths=[12, 22, 10, 16, 12, 28],
        ),
    ]


def _period(version: codes_module.ListVersion) -> str:
    if version.valid_from is None:
        return "not applied: no source gives the date it applies from"
    return f"from {version.valid_from.isoformat()}" + (
        f" to {version.valid_to.isoformat()}" if version.valid_to else ""
    )


def _version_codes(system: codes_module.CodeSystem, version: codes_module.ListVersion) -> str:
    if not version.codes_known:
        return "unknown"
    if version.codes is None:
        return f"all {len(system)}"
    return ", ".join(code(value) for value in sorted(version.codes))


def _suffix_meanings(system: codes_module.CodeSystem) -> list[str]:
    meanings: Mapping[str, str] = getattr(system, "suffix_meanings", None) or {}
    if not meanings:
        return []
    return [
        "## Suffix meanings",
        paragraphs(
            "What the part of a composite code after its prefix means (in English), "
            "as the list gives it."
        ),
        list_table(
            ["Suffix", "Meaning"],
            [[code(suffix), inline(meaning)] for suffix, meaning in meanings.items()],
            widths=[15, 85],
        ),
    ]


def _known_gaps(system: codes_module.CodeSystem) -> list[str]:
    if not system.known_gaps:
        return []
    return [
        "## Known gaps",
        paragraphs("Codes known to exist whose value is not known, so they are not listed."),
        list_table(
            ["Description", "Status", "Source"],
            [
                [inline(gap.description), inline(gap.status.value), citations.link(gap.source_url)]
                for gap in system.known_gaps
            ],
            widths=[70, 10, 20],
        ),
    ]


def _by_pathway(site: Site, system: codes_module.CodeSystem) -> list[str]:
    """The event list's page links every pathway (each uses its codes)."""
    if system.kodeverk != pathways_module.EVENT_KODEVERK or not site.data.pathways:
        return []
    return [
        "## By pathway",
        ", ".join(
            ref(f"pathway-{p.code.lower()}", f"{p.code} {p.short_name}")
            for p in site.data.pathways.values()
        ),
    ]
