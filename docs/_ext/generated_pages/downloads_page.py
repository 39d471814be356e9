"""The downloads page: every published artefact, by kind, with its version and digest."""

from __future__ import annotations

from typing import Any

from generated_pages.markdown import inline, list_table, paragraphs
from generated_pages.site import ARTEFACTS, Site

DOCNAME = "downloads/index"

#: Section titles of the downloads page, in order, by artefact kind.
KIND_TITLES = {
    "schema": "Schemas",
    "code-list": "Code lists",
    "pathway": "Pathway definitions",
    "pathway-anchors": "Pathway steps",
    "rule-catalogue": "Rule catalogue",
    "rule-family": "Rule families",
    "rule-fixtures": "Rule fixtures",
    "traceability": "Traceability",
}


def build(site: Site) -> None:
    """The page listing what the other pages published (so it is built last)."""
    kinds: dict[str, list[dict[str, Any]]] = {}
    for entry in site.index:
        kinds.setdefault(entry["kind"], []).append(entry)
    blocks = [
        "(downloads)=\n# Downloads",
        paragraphs(
            "Every published artefact: the raw schema files, the code lists (TOML as "
            "authored, and JSON), the pathway definitions, the rule catalogue and the "
            "rule fixtures. Paths are stable. The machine-readable index lists each "
            "artefact with its kind, id, version, path (relative to the index), media "
            "type, size, SHA-256 and the page that documents it: "
        )
        + " "
        + site.download(DOCNAME, f"{ARTEFACTS}/index.json", "artefacts/index.json")
        + ".",
    ]
    order = list(KIND_TITLES)
    for kind, entries in sorted(
        kinds.items(), key=lambda item: order.index(item[0]) if item[0] in order else 99
    ):
        blocks.append(f"({ARTEFACTS}-{kind})=\n## {inline(KIND_TITLES.get(kind, kind))}")
        blocks.append(
            list_table(
                ["File", "Version", "SHA-256"],
                [
                    [
                        site.download(DOCNAME, f"{ARTEFACTS}/{entry['path']}", entry["path"]),
                        inline(entry["version"]),
                        f'<code class="pf-digest">{entry["sha256"][:16]}…</code>',
                    ]
                    for entry in entries
                ],
                widths=[60, 15, 25],
            )
        )
    site.page(DOCNAME, *blocks)
