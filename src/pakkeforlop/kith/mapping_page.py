"""Generate ``spec/kith-mapping.md`` from its template and the mapping tables of ``spec/kith/``.

The page's narrative is ``spec/kith/mapping-page.md``; every table in it is made here from the
same records the mapper interprets (:mod:`pakkeforlop.kith.table`), the standards the kit
recognises (:mod:`pakkeforlop.kith.namespaces`) and the converters' descriptions
(:mod:`pakkeforlop.kith.convert`). Regenerate the page with::

    python -m pakkeforlop.kith.mapping_page > spec/kith-mapping.md

``tests/test_kith_mapping_data.py`` fails when the committed page differs from this output.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Sequence
from typing import Final

from pakkeforlop.data.locations import kith_dir
from pakkeforlop.kith.convert import DESCRIPTIONS
from pakkeforlop.kith.namespaces import CONTENT_STANDARDS, PREFIXES, ROOT_STANDARDS
from pakkeforlop.kith.table import Condition, Row, Table, blocks, service_terms, tables

__all__ = ["render"]

MARKS: Final = {"confirmed": "✅", "secondary": "🟡", "convention": "❓"}
_PLACEHOLDER = re.compile(r"\{\{([a-z_]+)(?::([a-z0-9.\-]+))?\}\}")
_TABLE_HEADING = re.compile(r"^## Table (\d+)\b")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    return f"`{_cell(text)}`" if text else ""


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _how(row: Row) -> str:
    """How a row turns what it finds into its member."""
    if row.block is not None:
        how = f"block *{row.block}*"
    elif row.const is not None:
        how = f"the constant `{row.const}`"
    elif row.value == "map":
        how = "; ".join(f"`{key}` → `{value}`" for key, value in row.map.items())
    else:
        how = f"*{row.value}*" + (f" of `@{row.read}`" if row.read != "text" else "")
    if row.many:
        how = f"one item per element found: {how}"
    if row.set:
        how += ", with " + ", ".join(f"`{key}` = `{value}`" for key, value in row.set.items())
    if row.requires is not None:
        how += f" (only with `{row.requires}`)"
    return how + (f"; {row.note}" if row.note else "")


def _rows(rows: Sequence[Row]) -> str:
    return _table(
        ("JSON member", "XPath", "XSD element", "Value", "Certainty"),
        (
            (
                _code(row.member or "(the object)"),
                ("envelope: " if row.envelope else "") + _code(row.xpath),
                _cell(row.xsd),
                _cell(_how(row)),
                MARKS[row.certainty],
            )
            for row in rows
        ),
    )


def _versions(table: Table) -> str:
    """Which versions a table reads, when it reads more than one."""
    if len(table.standards) == 1:
        return ""
    by_key = {standard.key: standard for standard in CONTENT_STANDARDS.values()}
    read = ", ".join(f"{by_key[key].label} (`{by_key[key].namespace}`)" for key in table.standards)
    return f", with `{table.prefix}` bound to the namespace of the version read: {read}"


def _condition(when: Condition | None) -> str:
    if when is None:
        return ""
    start = "envelope: " if when.envelope else ""
    members = " and ".join(f"`{member}`" for member in when.members)
    given = f", and the rows give {members} a value" if members else ""
    return (
        f"\n\n**Mapped only when** {start}{_code(when.xpath)} finds an element{given}: "
        f"{_cell(when.reason)}."
    )


def _document_rows(table: Table) -> str:
    return (
        f"From `{table.root}`{_versions(table)}; the official XSDs: {table.xsd} "
        f"(`spec/kith/{table.source}`).{_condition(table.when)}\n\n{_rows(table.rows)}"
    )


def _sections(table: Table) -> str:
    sections = table.sections
    if sections is None:
        msg = f"{table.source} has no sections"
        raise ValueError(msg)
    intro = (
        f"**{table.title}**: `{sections.xpath}`, heading `{sections.heading}` (kodeverk "
        f"{sections.list}), label `@{sections.label}`, text `{sections.text}`; "
        f"{_cell(sections.xsd)} {MARKS[sections.certainty]}"
    )
    rows = (
        (
            ", ".join(f"`{code}`" for code in member.headings),
            member.label or "(primary)",
            _code(member.member)
            + "".join(f", `{extra}` = `{value}`" for extra, value in member.also.items()),
        )
        for member in sections.members
    )
    return intro + "\n\n" + _table(("Heading V", "Label", "JSON member"), rows)


def _numbers(template: str) -> dict[str, int]:
    """The number of the page's table each mapping table's rows are shown in."""
    numbers: dict[str, int] = {}
    current = 0
    for line in template.splitlines():
        heading = _TABLE_HEADING.match(line)
        if heading is not None:
            current = int(heading.group(1))
        for name, argument in _PLACEHOLDER.findall(line):
            if name == "rows":
                numbers[argument] = current
    return numbers


def _standards(numbers: dict[str, int]) -> str:
    rows = []
    for standard in ROOT_STANDARDS.values():
        rows.append((standard.label, _code(standard.namespace), f"`{standard.root}`", "envelope"))
    mapped = {key: table for table in tables().values() for key in table.standards}
    for standard in CONTENT_STANDARDS.values():
        if standard.key in mapped:
            table = mapped[standard.key]
            read = f"{table.document} (table {numbers[table.key]})"
            if table.when is not None:
                read += ", when its condition holds; otherwise KITH rules only"
        elif standard.key == "base64":
            read = "attachment, not read"
        elif standard.supported:
            read = "KITH rules only"
        else:
            read = f"recognised, not read (the kit reads {standard.successor})"
        rows.append((standard.label, _code(standard.namespace), f"`{standard.root}`", read))
    return _table(("Standard", "Namespace", "Root or content element", "Read as"), rows)


def _prefixes() -> str:
    rows = sorted((f"`{prefix}`", _code(uri)) for uri, prefix in PREFIXES.items())
    return _table(("Prefix", "Namespace"), rows)


def _scope() -> str:
    lines = []
    for table in tables().values():
        for signal in table.scope.signals:
            start = "envelope: " if signal.envelope else ""
            names = " (names matched against the service terms)" if signal.names else ""
            lines.append(
                f"  - {table.title.split(' →')[0]}: {signal.reason}: "
                f"{start}`{_cell(signal.xpath)}`{names};"
            )
    return "\n".join(lines)


def _service_terms() -> str:
    return ", ".join(f"`{term}`" for term in service_terms()) + "."


def _blocks() -> str:
    parts = []
    for block in blocks().values():
        parts.append(
            f"### {block.name}\n\n{block.title}, as a JSON *{block.json}*; {block.xsd}.\n\n"
            + _rows(block.rows)
        )
    return "\n\n".join(parts)


def _values() -> str:
    return _table(
        ("Value", "What it gives"),
        ((f"*{name}*", _cell(description)) for name, description in DESCRIPTIONS.items()),
    )


def _supplement() -> str:
    lines = [
        f"- {table.title.split(' →')[0]} ({table.document}): "
        + ", ".join(f"`{member}`" for member in table.supplement)
        + "."
        for table in tables().values()
    ]
    return "The members a supplement may carry:\n\n" + "\n".join(lines)


def _unmapped() -> str:
    rows = (
        (table.document, _code(member), _cell(reason))
        for table in tables().values()
        for member, reason in table.unmapped
    )
    return _table(("Document", "JSON member", "Why no element maps to it"), rows)


def render() -> str:
    """The page: the template with every placeholder replaced by its generated table."""
    template = (kith_dir() / "mapping-page.md").read_text(encoding="utf-8")
    known = tables()
    numbers = _numbers(template)
    simple = {
        "standards": lambda: _standards(numbers),
        "prefixes": _prefixes,
        "scope": _scope,
        "service_terms": _service_terms,
        "blocks": _blocks,
        "values": _values,
        "supplement": _supplement,
        "unmapped": _unmapped,
    }

    def replace(found: re.Match[str]) -> str:
        name, argument = found.group(1), found.group(2)
        if argument is None:
            return simple[name]()
        table = known[argument]
        return _document_rows(table) if name == "rows" else _sections(table)

    return _PLACEHOLDER.sub(replace, template)


def main() -> None:
    """Write the page to standard output."""
    sys.stdout.write(render())


if __name__ == "__main__":
    main()
