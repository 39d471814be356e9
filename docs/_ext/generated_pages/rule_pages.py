"""The rule pages: an index of every rule, and one page per rule family with a section per rule.

A rule's section has the HTML id ``Rule.anchor`` (the rule id in lower case) on the page
``rules/<family in lower case>.html``, which is what ``Rule.url`` points at. The catalogue
(JSON), the rule files (TOML and JSON) and the fixtures are published as artefacts.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pakkeforlop
from generated_pages import citations
from generated_pages.markdown import (
    code,
    doc_link,
    enum_doc,
    field_list,
    inline,
    list_table,
    paragraphs,
    ref,
    to_json,
    toctree,
)
from generated_pages.site import Site
from pakkeforlop.data import catalogue as catalogue_module
from pakkeforlop.data.catalogue import Severity
from pakkeforlop.data.evidence import Evidence, SourceType
from pakkeforlop.data.fixtures import Expected
from pakkeforlop.data.locations import rules_dir


def build(site: Site) -> None:
    """The artefacts, every family's page and the index of all rules."""
    catalogue_path = _catalogue_artefact(site)
    _family_artefacts(site)
    fixture_paths = _fixture_artefacts(site)
    families = site.data.families()
    for family, rules in families.items():
        _family_page(site, family, rules, fixture_paths)
    _index_page(site, catalogue_path)


# -- artefacts --------------------------------------------------------------------------------


def _catalogue_entry(rule: catalogue_module.Rule) -> dict[str, Any]:
    """A rule as published in ``rules/catalogue.json``: its data, and its section's page."""
    return {**rule.as_data(), "page": f"rules/{rule.family.lower()}.html#{rule.anchor}"}


def _catalogue_artefact(site: Site) -> str:
    entries = [_catalogue_entry(rule) for rule in site.data.rules.values()]
    return site.artefact(
        kind="rule-catalogue",
        id="catalogue",
        name="catalogue",
        title="The rule catalogue",
        version=pakkeforlop.SPEC_VERSION,
        path="rules/catalogue.json",
        content=to_json({"specVersion": pakkeforlop.SPEC_VERSION, "rules": entries}).encode(
            "utf-8"
        ),
        media_type="application/json",
        source=None,
        page="rules/index.html",
    )


def _family_artefacts(site: Site) -> None:
    """Every rule file as authored (TOML) and as JSON."""
    families = site.data.families()
    for path in sorted(rules_dir().glob("*.toml")):
        family = path.stem.upper()
        site.toml_artefacts(
            kind="rule-family",
            path=f"rules/{path.stem}",
            content=path.read_bytes(),
            id=family,
            name=path.stem,
            title=site.data.family_titles.get(family, f"Rule family {family}"),
            version=pakkeforlop.SPEC_VERSION,
            source=site.source_rel(path),
            page=f"rules/{path.stem}.html" if family in families else None,
        )


def _fixture_artefacts(site: Site) -> dict[str, str]:
    """Every rule's fixture file; their site paths by rule id."""
    fixture_paths: dict[str, str] = {}
    fixtures_dir = site.data.repo / "spec" / "fixtures"
    for rule_id in site.data.fixtures:
        path = fixtures_dir / f"{rule_id}.toml"
        owner = site.data.rules.get(rule_id)
        fixture_paths[rule_id] = site.artefact(
            kind="rule-fixtures",
            id=rule_id,
            name=rule_id,
            title=f"Fixtures of {rule_id}",
            version=pakkeforlop.SPEC_VERSION,
            path=f"fixtures/{path.name}",
            content=path.read_bytes(),
            media_type="application/toml",
            source=site.source_rel(path),
            page=f"rules/{owner.family.lower()}.html#{owner.anchor}" if owner else None,
        )
    return fixture_paths


# -- the index ------------------------------------------------------------------------------


def _index_page(site: Site, catalogue_path: str) -> None:
    families = site.data.families()
    rows = [
        [
            ref(rule.anchor, rule.id),
            inline(rule.title),
            severity(rule.severity.value),
            inline(rule.verb.value),
            ", ".join(code(kind) for kind in sorted(rule.applies_to)),
            inline(rule.evidence.value),
            inline(rule.source_type.value),
        ]
        for rule in site.data.rules.values()
    ]
    family_rows = [
        [
            doc_link(f"rules/{family.lower()}", family),
            inline(site.data.family_titles.get(family, "")),
            str(len(rules)),
        ]
        for family, rules in families.items()
    ]
    readme = rules_dir() / "README.md"
    blocks = [
        "(rules)=\n# Rules",
        paragraphs(
            "Every requirement the kit checks, one section per rule on the page of its "
            "family. A finding's link (`Rule.url`) points at the rule's section: "
            f"`{catalogue_module.DOCS_RULE_URL}`. Each rule shows its severity, the normative "
            "verb, the statement, where it comes from, and the fixtures (small exports) that "
            "make it fire and pass."
        ),
        field_list([("Download", site.download("rules/index", catalogue_path, "catalogue.json"))]),
        "## Families",
        list_table(["Family", "About", "Rules"], family_rows, widths=[15, 75, 10]),
        "## All rules",
        list_table(
            ["Rule", "Title", "Severity", "Verb", "Applies to", "Evidence", "Source type"],
            rows,
            widths=[12, 32, 9, 8, 19, 10, 10],
        ),
        "## Severity and evidence",
        enum_doc(Severity),
        enum_doc(catalogue_module.Verb),
        enum_doc(Evidence),
        enum_doc(SourceType),
    ]
    if readme.is_file():
        blocks.append(
            f"```{{include}} {_relative(readme, site.data.repo / 'docs' / 'rules')}\n"
            ":heading-offset: 1\n```"
        )
    blocks.append(toctree([f"/rules/{family.lower()}" for family in families], hidden=True))
    site.page("rules/index", *blocks)


def _relative(path: Path, folder: Path) -> str:
    return posixpath.relpath(path.as_posix(), folder.as_posix())


# -- a family and its rules -------------------------------------------------------------------


def _family_page(
    site: Site, family: str, rules: list[catalogue_module.Rule], fixture_paths: Mapping[str, str]
) -> None:
    docname = f"rules/{family.lower()}"
    about = site.data.family_titles.get(family)
    blocks = [
        f"(rules-{family.lower()})=\n# {family} rules",
        paragraphs(f"{about[0].upper()}{about[1:]}.") if about else "",
        list_table(
            ["Rule", "Title", "Tittel (nb)", "Severity"],
            [
                [
                    ref(rule.anchor, rule.id),
                    inline(rule.title),
                    inline(rule.title_nb),
                    inline(rule.severity.value),
                ]
                for rule in rules
            ],
            widths=[13, 38, 37, 12],
        ),
    ]
    for rule in rules:
        blocks.extend(_rule_section(site, rule, docname, fixture_paths.get(rule.id)))
    site.page(docname, *blocks)


def _rule_section(
    site: Site, rule: catalogue_module.Rule, docname: str, fixture_path: str | None
) -> list[str]:
    blocks = [
        f"({rule.anchor})=\n## {inline(rule.id)}: {inline(rule.title)}",
        f":::{{container}} pf-statement\n{paragraphs(rule.statement)}\n:::",
        field_list(_rule_facts(rule)),
        "**Sources.**\n\n" + citations.listed(rule.sources),
    ]
    if rule.rationale:
        blocks.append(paragraphs(rule.rationale))
    if rule.severity_note:
        blocks.append("**Severity note.** " + paragraphs(rule.severity_note))
    if rule.history:
        blocks.append("**History.**\n\n" + "\n".join(map(_change, rule.history)))
    blocks.extend(_fixtures(site, rule, docname, fixture_path))
    return blocks


def _rule_facts(rule: catalogue_module.Rule) -> list[tuple[str, str]]:
    return [
        ("Title (nb)", inline(rule.title_nb)),
        ("Severity", severity(rule.severity.value)),
        ("Verb", f"{inline(rule.verb.value)} (source: *{inline(rule.source_verb)}*)"),
        ("Applies to", ", ".join(code(kind) for kind in sorted(rule.applies_to))),
        ("Era", " and ".join(_era(rule))),
        ("Evidence", inline(rule.evidence.value)),
        ("Source type", inline(rule.source_type.value)),
        ("Source", inline(rule.source)),
        ("Since", inline(rule.since)),
        ("Message", inline(rule.message)),
        ("Message (nb)", inline(rule.message_nb)),
        ("Schema pointers", ", ".join(code(p) for p in rule.schema_pointers)),
    ]


def _era(rule: catalogue_module.Rule) -> list[str]:
    """When the rule applies: in force or not, and the pathways' start dates it covers."""
    era = []
    if not rule.in_force:
        era.append("not in force: its effective date is unconfirmed, so it is not applied")
    if rule.applies_from:
        era.append(f"pathways started on or after {rule.applies_from.isoformat()}")
    if rule.applies_until:
        era.append(f"pathways started on or before {rule.applies_until.isoformat()}")
    return era


def _change(change: catalogue_module.Change) -> str:
    """One entry of a rule's history, as a list item."""
    before_after = f" {inline(change.before)} → {inline(change.after)}" if change.before else ""
    return f"- #{change.issue}, {inline(change.change)}{before_after}: {inline(change.reason)}"


def _fixtures(
    site: Site, rule: catalogue_module.Rule, docname: str, fixture_path: str | None
) -> list[str]:
    """The rule's fixture cases: what each starts from, and whether it must fire or pass."""
    fixtures = site.data.fixtures.get(rule.id)
    if not fixtures or not fixtures.cases:
        return ["**Fixtures.** None yet."]
    intro = f"**Fixtures.** {len(fixtures.cases)} cases"
    if fixture_path:
        intro += " (" + site.download(docname, fixture_path, f"{rule.id}.toml") + ")"
    return [
        intro + ": each edits a bundled valid export and must fire or pass the rule.",
        list_table(
            ["Case", "Expect", "Description", "Starts from", "Findings (place, count)"],
            [
                [
                    code(case.name),
                    f'<span class="pf-expect pf-expect-{case.expect}">{case.expect}</span>',
                    inline(case.description),
                    code(case.base) if case.base else "an empty export",
                    "; ".join(_expected_place(entry) for entry in case.findings) or "none",
                ]
                for case in fixtures.cases
            ],
            widths=[18, 8, 38, 16, 20],
            classes="pf-fixtures",
        ),
    ]


def _expected_place(entry: Expected) -> str:
    """Where a fixture expects findings, for the fixture table: ``events.ndjson line 5 /code, 1``
    (the file, the place and the count)."""
    place = code(entry.file) if entry.file else "the export"
    if entry.line is not None:
        place += f" line {entry.line}"
    if entry.pointer is not None:
        place += " " + code(entry.pointer or "/")
    if entry.xpath is not None:
        place += " " + code(entry.xpath)
    return f"{place}, {entry.count}"


def severity(value: str) -> str:
    """A severity as a coloured badge."""
    return f'<span class="pf-severity pf-severity-{value}">{value}</span>'
