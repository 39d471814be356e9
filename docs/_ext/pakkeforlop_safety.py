"""Sphinx extension: the safety page's figures and tables, taken from the code at build time.

``docs/guides/safety.md`` states the kit's limits (sizes, depths, findings kept, signals) and
which schema fields a report may quote. Those facts live in the code and the schemas; this
module turns them into MyST substitutions (``{{ max_file_mib }}``), so that the page cannot
drift from what the kit does.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config

import pakkeforlop
from pakkeforlop.data import schemas
from pakkeforlop.engine.caps import DEFAULT_CAPS
from pakkeforlop.engine.interrupts import STOPPING_SIGNALS
from pakkeforlop.read import DEFAULT_LIMITS
from pakkeforlop.rules.schema_messages import PERSONAL

MIB = 1 << 20


def _marked(node: Any, path: str = "") -> Iterator[tuple[str, bool]]:
    """(JSON path within the schema, personal?) of every subschema that carries the mark."""
    if isinstance(node, dict):
        if isinstance(node.get(PERSONAL), bool):
            yield path or "/", node[PERSONAL]
        for key, value in node.items():
            if key != "if":  # a condition: its failures are never reported
                yield from _marked(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _marked(value, f"{path}/{index}")


def personal_fields_table() -> str:
    """A MyST list-table of the marked fields of the document schemas (code lists in a row)."""
    rows = []
    code_lists = 0
    for schema_id in schemas.schema_ids():
        name = schemas.short_name(schema_id)
        if name.startswith("report/"):
            continue
        marked = list(_marked(schemas.schema(schema_id)))
        if name.startswith("codes/"):
            code_lists += bool(marked)
            continue
        rows += [
            (f"`{name}`", f"`{path}`", "described, never quoted" if personal else "may be quoted")
            for path, personal in marked
        ]
    rows.append(
        (
            f"`codes/*` ({code_lists} code lists)",
            "`/properties/system`, `/$defs/code`",
            "may be quoted",
        )
    )
    lines = [
        ":::{list-table}",
        ":header-rows: 1",
        ":widths: 20 55 25",
        ":class: pf-table",
        "",
        "* - Schema",
        "  - Where (a path within the schema)",
        "  - In a masked report",
    ]
    for schema, where, shown in rows:
        lines += [f"* - {schema}", f"  - {where}", f"  - {shown}"]
    lines.append(":::")
    return "\n".join(lines)


def substitutions() -> dict[str, str]:
    """Every figure the safety page shows, by name."""
    limits = DEFAULT_LIMITS
    signals = ", ".join(
        f"{signal.Signals(signum).name} ({128 + signum})" for signum in STOPPING_SIGNALS
    )
    return {
        "max_file_mib": f"{limits.max_file_bytes // MIB}",
        "max_line_mib": f"{limits.max_line_bytes // MIB}",
        "max_depth": f"{limits.max_depth}",
        "max_number_chars": f"{limits.max_number_chars}",
        "findings_per_file": f"{DEFAULT_CAPS.per_file:,}",
        "findings_per_rule": f"{DEFAULT_CAPS.per_rule:,}",
        "stopping_signals": signals,
        "personal_mark": f"`{PERSONAL}`",
        "personal_fields": personal_fields_table(),
    }


def _substitute(_app: Sphinx, config: Config) -> None:
    config.myst_substitutions = {**config.myst_substitutions, **substitutions()}


def setup(app: Sphinx) -> dict[str, Any]:
    """Add the substitutions once the configuration is read."""
    app.connect("config-inited", _substitute)
    return {
        "version": pakkeforlop.SPEC_VERSION,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
