"""The traceability matrix: every normative statement of the first documents, mapped to the
rules that check it or to the reason an export cannot show it (``spec/traceability.toml``)."""

from __future__ import annotations

import pakkeforlop
from generated_pages import citations
from generated_pages.markdown import field_list, inline, list_table, paragraphs, ref
from generated_pages.site import Site

DOCNAME = "traceability/index"


def build(site: Site) -> None:
    """The matrix page, and its source published as an artefact."""
    source = site.data.repo / "spec" / "traceability.toml"
    statements = site.data.statements
    toml_path = site.artefact(
        kind="traceability",
        id="traceability",
        name="traceability",
        title="Traceability of the first documents' statements",
        version=pakkeforlop.SPEC_VERSION,
        path="traceability/traceability.toml",
        content=source.read_bytes(),
        media_type="application/toml",
        source=site.source_rel(source),
        page="traceability/index.html",
    )
    checked = sum(statement.checked for statement in statements)
    rows = [
        [
            inline(statement.id),
            ", ".join(citations.seed(seed) for seed in statement.seeds),
            f"{inline(statement.verb.value)} (*{inline(statement.source_verb)}*)",
            inline(statement.statement) + f" «{inline(statement.quote)}»",
            ", ".join(ref(site.data.rules[rule_id].anchor, rule_id) for rule_id in statement.rules)
            or "none",
            inline(statement.reason),
        ]
        for statement in statements
    ]
    site.page(
        DOCNAME,
        "(traceability)=\n# Traceability",
        paragraphs(
            "Every normative statement of the five documents the specification was first "
            "written from (listed with their publishers and dates under Sources), with the "
            "verb the document uses and the verb the specification reads it as, mapped to "
            "the rules that check it, or to the reason an export cannot show it (and, where "
            "rules check part of it, what they leave out). The statements are paraphrased; "
            "the quote is the document's own words around the verb. The matrix is "
            "generated from `spec/traceability.toml`; a test fails when a statement has "
            f"neither rules nor a reason. {len(statements)} statements: {checked} checked "
            f"by rules, {len(statements) - checked} with a reason only; every one is "
            "covered."
        ),
        field_list([("Download", site.download(DOCNAME, toml_path, "traceability.toml"))]),
        list_table(
            ["Id", "Documents", "Verb", "Statement", "Rules", "Reason or note"],
            rows,
            widths=[5, 10, 12, 33, 15, 25],
            classes="pf-traceability",
        ),
    )
