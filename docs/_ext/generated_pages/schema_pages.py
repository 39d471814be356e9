"""The schema pages: an index of every published JSON Schema, and one page per schema.

A schema's page shows its facts, a table of every property (type, required, description,
allowed values, an example), its ``$defs``, an example document from the bundled valid exports
and the raw file, which is also published as an artefact.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
from collections.abc import Mapping, Sequence
from typing import Any

import pakkeforlop
from generated_pages.data import SchemaFile
from generated_pages.markdown import (
    code,
    doc_link,
    escape_plain,
    fenced,
    field_list,
    inline,
    json_value,
    list_table,
    paragraphs,
    ref,
    toctree,
)
from generated_pages.schema_text import allowed_text, type_text
from generated_pages.schema_view import (
    CODE_SCHEMA,
    Row,
    SchemaReader,
    View,
    refers_to,
    without_definition,
)
from generated_pages.site import ARTEFACTS, Site
from pakkeforlop.data import schemas as registry_module

#: The public host of the schemas' ``$id``s.
SCHEMA_HOST = "https://schemas.pakkeforlop.no/"
#: A folder with more schemas than this gets its own index page.
SCHEMA_GROUP_PAGE_LIMIT = 8


def build(site: Site) -> None:
    """Every schema's page (and artefact), and the index of them by folder."""
    reader = SchemaReader(site.data)
    documents = list(registry_module.DOCUMENT_SCHEMAS.values())
    groups: dict[str, list[SchemaFile]] = {}
    for schema in sorted(
        site.data.schemas.values(),
        key=lambda item: (
            item.group != "v1",
            item.group,
            documents.index(item.id) if item.id in documents else len(documents),
            item.slug,
        ),
    ):
        groups.setdefault(schema.group, []).append(schema)
        _schema_page(site, reader, schema)
    blocks = [
        "(schemas)=\n# Schemas",
        paragraphs(
            "Every JSON Schema (draft 2020-12) the kit publishes, one page each with a "
            "table of every property: its type, whether it is required, its description, "
            "the values it allows (with a link to the code system where a code list "
            "governs it) and an example. Each `$id` is stable and is never fetched: "
            "validators resolve the schemas offline. Every raw schema file can be "
            "downloaded from its page and from the downloads page."
        ),
    ]
    toc = []
    for group, members in groups.items():
        blocks.append(f"## {inline(group + '/')}")
        if len(members) > SCHEMA_GROUP_PAGE_LIMIT:
            index = _group_index(site, group, members)
            blocks.append(
                paragraphs(f"{len(members)} schemas, listed on their own page: ")
                + " "
                + doc_link(index, f"{group}/")
                + "."
            )
            toc.append(f"/{index}")
        else:
            blocks.append(_schema_table(site, "schemas/index", members))
            toc.extend(f"/{schema.docname}" for schema in members)
    blocks.append(toctree(toc, hidden=True))
    site.page("schemas/index", *blocks)


def _group_index(site: Site, group: str, members: Sequence[SchemaFile]) -> str:
    """The index page of one folder of schemas; its docname."""
    index = f"schemas/{group}/index"
    site.page(
        index,
        f"# {inline(group + '/')} schemas",
        paragraphs(f"The {len(members)} schemas under `{SCHEMA_HOST}{group}/`."),
        _schema_table(site, index, members),
        toctree([f"/{schema.docname}" for schema in members], hidden=True),
    )
    return index


def _schema_table(site: Site, docname: str, members: Sequence[SchemaFile]) -> str:
    return list_table(
        ["Schema", "`$id`", "Download"],
        [
            [
                ref(schema.label, schema.title),
                code(schema.id),
                site.download(docname, f"{ARTEFACTS}/schemas/{schema.rel}", "JSON"),
            ]
            for schema in members
        ],
        widths=[35, 50, 15],
    )


def _schema_page(site: Site, reader: SchemaReader, schema: SchemaFile) -> None:
    raw = schema.file.read_bytes()
    site_path = site.artefact(
        kind="schema",
        id=schema.id,
        name=schema.slug,
        title=schema.title,
        version=pakkeforlop.SPEC_VERSION,
        path=f"schemas/{schema.rel}",
        content=raw,
        media_type="application/schema+json",
        source=site.source_rel(schema.file),
        page=schema.docname + ".html",
    )
    root = reader.view([(schema.contents, schema.id)])
    examples = site.data.examples.get(schema.id, [])
    site.page(
        schema.docname,
        f"({schema.label})=\n# {inline(schema.title)}",
        paragraphs(str(schema.contents.get("description", ""))),
        field_list(_facts(site, schema, root, site_path)),
        *_properties(reader, schema, root, examples),
        *_definitions(reader, schema),
        *_example(examples),
        *_raw_schema(site, schema, raw, site_path),
    )


def _facts(site: Site, schema: SchemaFile, root: View, site_path: str) -> list[tuple[str, str]]:
    facts = [
        ("`$id`", code(schema.id)),
        ("Dialect", code(str(schema.contents.get("$schema", "")))),
        ("Download", site.download(schema.docname, site_path, posixpath.basename(schema.rel))),
    ]
    match = CODE_SCHEMA.match(schema.id)
    if match and match.group("kodeverk") in site.data.code_systems:
        kodeverk = match.group("kodeverk")
        facts.append(("Code system", ref(f"kodeverk-{kodeverk}", f"kodeverk {kodeverk}")))
    users = [
        other
        for other in site.data.schemas.values()
        if other.id != schema.id and refers_to(other.contents, other.id, schema.id)
    ]
    if users:
        facts.append(("Used by", ", ".join(ref(u.label, u.title) for u in users)))
    if root.required:
        facts.append(("Required", ", ".join(code(name) for name in sorted(root.required))))
    return facts


def _properties(
    reader: SchemaReader, schema: SchemaFile, root: View, examples: list[tuple[str, Any]]
) -> list[str]:
    if not root.properties:
        return []
    blocks = ["## Properties"]
    if examples:
        blocks.append(
            paragraphs(
                "Examples come from the schema's `examples` keywords, or else from "
                f"the bundled valid exports ({len(examples)} documents follow this "
                "schema)."
            )
        )
    rows = reader.rows(root, frozenset({schema.id}), examples)
    blocks.append(property_table(reader, rows))
    return blocks


def _definitions(reader: SchemaReader, schema: SchemaFile) -> list[str]:
    definitions = schema.contents.get("$defs") or {}
    if not definitions:
        return []
    blocks = [
        "## Definitions",
        paragraphs(
            f"The `$defs` of this schema; other schemas refer to them as "
            f"`{posixpath.basename(schema.rel)}#/$defs/<name>`."
        ),
    ]
    for name, definition in definitions.items():
        blocks.extend(_definition(reader, schema, name, definition))
    return blocks


def _definition(reader: SchemaReader, schema: SchemaFile, name: str, definition: Any) -> list[str]:
    """One ``$defs`` entry: heading, description, summary and its own property table."""
    view = reader.view([(definition, schema.id)])
    heading = f"{code(name)}" + (
        f": {inline(definition['title'])}" if definition.get("title") else ""
    )
    blocks = [f"({schema.def_label(name)})=\n### {heading}"]
    if view.description:
        blocks.append(paragraphs(view.description))
    summary = [
        ("Type", type_text(without_definition(view), reader)),
        ("Allowed", allowed_text(view, reader.data.code_systems)),
    ]
    if view.examples:
        summary.append(("Example", code(json_value(view.examples[0], 200))))
    if view.required and view.properties:
        summary.append(("Required", ", ".join(code(name) for name in sorted(view.required))))
    blocks.append(field_list(summary))
    if view.properties and view.code_kind != "coded-value":
        rows = reader.rows(view, frozenset({f"{schema.id}#/$defs/{name}"}), [])
        blocks.append(property_table(reader, rows))
    return blocks


def _example(examples: list[tuple[str, Any]]) -> list[str]:
    if not examples:
        return []
    where, document = examples[0]
    return [
        "## Example",
        paragraphs(f"From {code(where)}, a synthetic export bundled with the kit."),
        fenced("json", json.dumps(document, ensure_ascii=False, indent=2)),
    ]


def _raw_schema(site: Site, schema: SchemaFile, raw: bytes, site_path: str) -> list[str]:
    name = posixpath.basename(schema.rel)
    return [
        "## Raw schema",
        paragraphs("The published file, byte for byte: ")
        + " "
        + site.download(schema.docname, site_path, f"download {name}")
        + f" (SHA-256 {code(hashlib.sha256(raw).hexdigest())}).",
        fenced("json", raw.decode("utf-8").rstrip("\n")),
    ]


def property_table(reader: SchemaReader, rows: list[Row]) -> str:
    """The property table: name (with its path when nested), type, description, values."""
    return list_table(
        ["Property", "Type", "Description", "Allowed values and example"],
        [
            [
                _property_name(row),
                type_text(row.view, reader),
                inline(row.view.description or ""),
                _allowed_and_example(row, reader.data.code_systems),
            ]
            for row in rows
        ],
        widths=[26, 16, 34, 24],
        classes="pf-properties",
    )


def _property_name(row: Row) -> str:
    segments = row.path.split(".")
    depth = min(len(segments) - 1, 6)
    name = f'<span class="pf-depth pf-depth-{depth}"></span>{code(segments[-1])}'
    if row.required:
        name += ' <span class="pf-required">required</span>'
    if depth:
        name += (
            '<br><span class="pf-path">'
            + ".<wbr>".join(escape_plain(segment) for segment in segments)
            + "</span>"
        )
    return name


def _allowed_and_example(row: Row, code_systems: Mapping[str, object]) -> str:
    allowed = allowed_text(row.view, code_systems)
    if row.notes:
        allowed = "; ".join(filter(None, [allowed, *row.notes]))
    if row.example:
        allowed = " ".join(
            filter(None, [allowed + ("." if allowed else ""), f"Example: {code(row.example)}"])
        )
    return allowed
