"""The pathway pages: an index of the pathway types, one page per pathway, and the anchors page.

A pathway's page shows its facts, a timeline of the steps its time limits run between, the
time-limit table with the evidence of every value, its ordering rules and its event codes; the
anchors page lists the named steps. The TOML sources and JSON copies are published.
"""

from __future__ import annotations

from collections.abc import Mapping

import pakkeforlop
from generated_pages import citations
from generated_pages.code_pages import code_anchors
from generated_pages.markdown import (
    code,
    enum_doc,
    field_list,
    href,
    inline,
    list_table,
    paragraphs,
    raw_html,
    raw_link,
    ref,
    toctree,
)
from generated_pages.site import Site
from generated_pages.timeline import days, timeline_svg
from pakkeforlop.data import pathways as pathways_module
from pakkeforlop.data.evidence import Evidence
from pakkeforlop.data.locations import pathways_dir

EVENT_PAGE = f"codes/{pathways_module.EVENT_KODEVERK}"


def build(site: Site) -> None:
    """The anchors page, every pathway's page (with their artefacts), and the index."""
    _anchors_page(site)
    events = site.data.code_systems.get(pathways_module.EVENT_KODEVERK)
    event_anchors = code_anchors(events) if events is not None else {}
    rows = []
    toc = []
    for pathway in site.data.pathways.values():
        _pathway_page(site, pathway, event_anchors)
        rows.append(
            [
                ref(f"pathway-{pathway.code.lower()}", pathway.code),
                inline(pathway.name),
                inline(pathway.short_name),
                inline(pathway.kind),
                inline(pathway.service),
                pathway.patients_from.isoformat(),
                inline(pathway.time_limits_status.value),
            ]
        )
        toc.append(f"/pathways/{pathway.code}")
    toc.append("/pathways/anchors")
    site.page(
        "pathways/index",
        "(pathways)=\n# Pathways",
        paragraphs(
            "The pathway types of kodeverk 9321, one page each with its codes (from the "
            "9327 list), the parameters of the ordering rules, a timeline of the steps "
            "its time limits (forløpstider) run between, and the time-limit table with "
            "the source and evidence of every value. A table that is not known is "
            "marked unknown and left empty: nothing is guessed."
        ),
        list_table(
            ["Code", "Name", "Short name", "Kind", "Service", "Patients from", "Time limits"],
            rows,
            widths=[7, 38, 10, 14, 8, 11, 12],
        ),
        paragraphs("The steps that time limits are measured between: ")
        + " "
        + ref("pathway-anchors", "Pathway steps (anchors)")
        + ".",
        "## Evidence values",
        enum_doc(Evidence),
        toctree(toc, hidden=True),
    )


# -- the anchors ----------------------------------------------------------------------------


def _anchors_page(site: Site) -> None:
    docname = "pathways/anchors"
    source = pathways_dir() / "anchors.toml"
    paths = site.toml_artefacts(
        kind="pathway-anchors",
        path="pathways/anchors",
        content=source.read_bytes(),
        id="anchors",
        name="anchors",
        title="Pathway steps that time limits are measured between",
        version=pakkeforlop.SPEC_VERSION,
        source=site.source_rel(source),
        page="pathways/anchors.html",
    )
    blocks = [
        "(pathway-anchors)=\n# Pathway steps (anchors)",
        paragraphs(
            "The named steps of a pathway that guiding time limits are measured between, "
            "and the kodeverk 9327 event letter (if any) whose date marks each step. The "
            "evidence is that of the step-to-code mapping, not of the time limits; a step "
            "whose mapping is unconfirmed is never the basis of an error."
        ),
        field_list([("Download", site.downloads(docname, *paths))]),
    ]
    for anchor in site.data.anchors.values():
        blocks.extend(_anchor_section(site, anchor))
    site.page(docname, *blocks)


def _anchor_section(site: Site, anchor: pathways_module.Anchor) -> list[str]:
    used_by = [
        p
        for p in site.data.pathways.values()
        if any(anchor.id in (t.from_anchor, t.to_anchor) for t in p.time_limits)
    ]
    marked_by = (
        f"event letter {code(anchor.event)}, {anchor.occurrence} occurrence"
        if anchor.event
        else "no 9327 code (measured from other data, or not at all)"
    )
    blocks = [
        f"(anchor-{anchor.id})=\n## {inline(anchor.label)} ({inline(anchor.label_en)})",
        field_list(
            [
                ("Id", code(anchor.id)),
                ("Marked by", marked_by),
                ("Evidence", inline(anchor.evidence.value)),
                ("Source", citations.link(anchor.source_url)),
                ("Used by", ", ".join(ref(f"pathway-{p.code.lower()}", p.code) for p in used_by)),
            ]
        ),
    ]
    if anchor.note:
        blocks.append(paragraphs(anchor.note))
    return blocks


def _anchor_ref(site: Site, anchor_id: str) -> str:
    anchor = site.data.anchors.get(anchor_id)
    if anchor is None:
        return code(anchor_id)
    return ref(f"anchor-{anchor.id}", anchor.label)


# -- one pathway ----------------------------------------------------------------------------


def _pathway_page(
    site: Site, pathway: pathways_module.Pathway, event_anchors: Mapping[str, str]
) -> None:
    docname = f"pathways/{pathway.code}"
    source = pathways_dir() / f"{pathway.code}.toml"
    paths = site.toml_artefacts(
        kind="pathway",
        path=f"pathways/{pathway.code}",
        content=source.read_bytes(),
        id=pathway.code,
        name=pathway.code,
        title=pathway.name,
        version=pakkeforlop.SPEC_VERSION,
        source=site.source_rel(source),
        page=docname + ".html",
    )
    site.page(
        docname,
        f"(pathway-{pathway.code.lower()})=\n# {pathway.code}: {inline(pathway.name)}",
        f"*{inline(pathway.name_en)}*",
        field_list(_facts(site, pathway, site.downloads(docname, *paths))),
        paragraphs(pathway.notes) if pathway.notes else "",
        *_timeline(site, pathway),
        *_time_limits(site, pathway),
        *_ordering(pathway),
        *_event_codes(site, pathway, docname, event_anchors),
    )


def _facts(site: Site, pathway: pathways_module.Pathway, downloads: str) -> list[tuple[str, str]]:
    return [
        (
            "Code",
            f"{code(pathway.code)} ({ref('kodeverk-9321', 'kodeverk 9321')})"
            if "9321" in site.data.code_systems
            else code(pathway.code),
        ),
        ("Short name", inline(pathway.short_name)),
        ("Kind", inline(pathway.kind)),
        ("Service", inline(pathway.service)),
        ("Patients from", pathway.patients_from.isoformat()),
        (
            "In the revised type list",
            ("yes" if pathway.in_revised_type_list else "no")
            + " (provisional: the date the revised list applies from is unconfirmed, "
            + ref(f"kodeverk-{pathways_module.PATHWAY_TYPE_KODEVERK}", "kodeverk 9321")
            + ")",
        ),
        ("Evidence", inline(pathway.evidence.value)),
        ("Source", citations.link(pathway.source_url)),
        ("Download", downloads),
    ]


def _timeline(site: Site, pathway: pathways_module.Pathway) -> list[str]:
    return [
        "## Timeline",
        raw_html(timeline_svg(pathway, site.data.anchors)),
        paragraphs(
            "Steps in the order the time limits connect them, not to scale. Each arc is a "
            "guiding time limit in calendar days: outpatient (poliklinikk) · inpatient "
            "(døgn). A filled dot is a step whose 9327 code is confirmed, a hollow dot one "
            "whose mapping to a code is unconfirmed, a square a step no code marks."
        ),
    ]


def _time_limits(site: Site, pathway: pathways_module.Pathway) -> list[str]:
    blocks = [
        "## Time limits",
        field_list([("Status", f"**{inline(pathway.time_limits_status.value)}**")]),
    ]
    if pathway.time_limits_note:
        blocks.append(paragraphs(pathway.time_limits_note))
    if pathway.time_limits:
        blocks.append(
            list_table(
                ["Interval", "From → to", "Outpatient", "Inpatient", "Evidence", "Note"],
                [
                    [
                        inline(limit.label)
                        + (f" ({inline(limit.variant)})" if limit.variant else ""),
                        _anchor_ref(site, limit.from_anchor)
                        + " → "
                        + _anchor_ref(site, limit.to_anchor),
                        days(limit.outpatient),
                        days(limit.inpatient),
                        inline(limit.evidence.value)
                        + " ("
                        + citations.link(limit.source_url)
                        + ")",
                        inline(limit.note),
                    ]
                    for limit in pathway.time_limits
                ],
                widths=[20, 20, 10, 10, 12, 28],
                classes="pf-limits",
            )
        )
    elif not pathway.time_limits_note:
        blocks.append(
            paragraphs(
                f"No time limits are known for {pathway.code}: the table is "
                f"{pathway.time_limits_status.value}, and nothing is encoded rather than "
                "guessed."
            )
        )
    return blocks


def _ordering(pathway: pathways_module.Pathway) -> list[str]:
    ordering = pathway.ordering
    blocks = [
        "## Ordering rules",
        field_list(
            [
                (
                    "Events allowed before the start",
                    ", ".join(code(letter) for letter in ordering.events_before_start) or "none",
                ),
                ("Clinical decisions at most", str(ordering.max_clinical_decisions)),
                ("Evidence", inline(ordering.evidence.value)),
                ("Source", citations.link(ordering.source_url)),
            ]
        ),
    ]
    if ordering.note:
        blocks.append(paragraphs(ordering.note))
    return blocks


def _event_codes(
    site: Site,
    pathway: pathways_module.Pathway,
    docname: str,
    event_anchors: Mapping[str, str],
) -> list[str]:
    """The pathway's 9327 codes, each linked to its row on the list's page."""
    codes = pathway.event_codes
    events = site.data.code_systems.get(pathways_module.EVENT_KODEVERK)
    meanings: Mapping[str, str] = getattr(events, "suffix_meanings", None) or {}
    kodeverk = pathways_module.EVENT_KODEVERK
    return [
        "## Event codes (kodeverk 9327)",
        paragraphs(f"{len(codes)} codes with the prefix {pathway.code}, read from ")
        + " "
        + ref(f"kodeverk-{kodeverk}", f"kodeverk {kodeverk}")
        + ".",
        list_table(
            ["Code", "Text", "Meaning", "Status", "Valid from", "Valid to"],
            [
                [
                    raw_link(
                        href(docname, f"{EVENT_PAGE}.html") + "#" + event_anchors[c.code], c.code
                    )
                    if c.code in event_anchors
                    else code(c.code),
                    inline(c.text),
                    inline(meanings.get(c.code[len(pathway.code) :], "")),
                    inline(c.status.value),
                    c.valid_from.isoformat() if c.valid_from else "",
                    c.valid_to.isoformat() if c.valid_to else "",
                ]
                for c in codes
            ],
            widths=[10, 34, 28, 10, 9, 9],
            classes="pf-codes",
        ),
    ]
