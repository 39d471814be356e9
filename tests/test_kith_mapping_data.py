"""The KITH mapping tables (spec/kith/) against their sources and their views.

* every XPath of the tables (rows, blocks, sections, conditions, scope signals) and of the KITH
  rules walks a path the official XSDs allow, element by element, for every version a table
  reads (../shared/samples/sarepta-standarder/xsd: the Dialogmelding table against both
  dialogmelding-v1.1.xsd and the 1.0 dialogmelding.xsd);
* every JSON member they name is a member of the JSON model's schemas;
* the table of typed dates is exactly what the XSDs type as dates, both ways;
* spec/kith-mapping.md is what the generator makes of the tables and its template.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any
from urllib.parse import urljoin

import pytest

from pakkeforlop.data.schemas import DOCUMENT_SCHEMAS, schema
from pakkeforlop.kith.convert import CONVERTERS, DESCRIPTIONS
from pakkeforlop.kith.mapping_page import render
from pakkeforlop.kith.message import select
from pakkeforlop.kith.namespaces import CONTENT_STANDARDS, HENVISNING_2_0, MSGHEAD, PREFIXES
from pakkeforlop.kith.table import Row, Table, blocks, date_types, tables
from pakkeforlop.rules.kith_codes import DIAGNOSES

from .conftest import REPO_ROOT, shared_file
from .xsd_model import XS, SchemaSet

NAMESPACES: Mapping[str, str] = {prefix: uri for uri, prefix in PREFIXES.items()}
STANDARDS = {standard.key: standard for standard in CONTENT_STANDARDS.values()}
_STRING = re.compile(r"'[^']*'|\"[^\"]*\"")
_RELATIVE = re.compile(r"(?<![\w:/@.])([a-z0-9]+:[A-Za-z]+(?:/[a-z0-9]+:[A-Za-z]+)*)(?!\()")
_GROUPED = re.compile(r"\(([^()]*)\)((?:/[a-z0-9]+:[A-Za-z]+)+)")
TYPED = ("date", "dateTime", "gYear", "gYearMonth", "time", "TS")


@cache
def _xsds() -> SchemaSet:
    return SchemaSet.load(shared_file("samples", "sarepta-standarder", "xsd", "kith.xsd").parent)


def _split_predicates(expression: str) -> tuple[str, list[str]]:
    """The expression without its predicates, and the predicates' contents."""
    outer, predicates, depth, current = [], [], 0, []
    for character in expression:
        if character == "[":
            depth += 1
            if depth == 1:
                current = []
                continue
        elif character == "]":
            depth -= 1
            if depth == 0:
                predicates.append("".join(current))
                continue
        (current if depth else outer).append(character)
    return "".join(outer), predicates


def _location_paths(expression: str) -> Iterator[list[str]]:
    """The element steps of each location path of a union (predicates set aside)."""
    main, _ = _split_predicates(expression)
    for path in main.split("|"):
        steps = path.strip().replace("(", "").replace(")", "").split("/")
        yield [step.strip() for step in steps if step.strip() not in {"", ".", "self::*"}]


def _steps(path: str, separator: str = "/") -> list[str]:
    """A location path's steps, each with its predicates (a ``/`` inside one does not split);
    with ``separator="|"``, the paths of a union (a ``|`` inside a predicate does not split)."""
    steps, depth, current = [], 0, []
    for character in path:
        depth += {"[": 1, "]": -1}.get(character, 0)
        if character == separator and depth == 0:
            steps.append("".join(current))
            current = []
        else:
            current.append(character)
    return [*steps, "".join(current)]


def _predicate_paths(expression: str) -> Iterator[tuple[list[str], list[str]]]:
    """``(steps to the predicate's element, steps inside the predicate)`` of simple predicates."""
    for path in _steps(expression, "|"):
        prefix: list[str] = []
        for part in _steps(path.strip()):
            step, predicates = _split_predicates(part)
            step = step.replace("(", "").replace(")", "").strip()
            if step not in {"", ".", "self::*"}:
                prefix.append(step)
            for predicate in predicates:
                plain = _ungrouped(_STRING.sub("''", predicate))
                if ".." in plain or "::" in plain:
                    continue  # an axis: walked by the XPath itself, not checked here
                for found in _RELATIVE.findall(plain):
                    yield list(prefix), found.split("/")


def _ungrouped(predicate: str) -> str:
    """``(a | b)/c`` written out as ``a/c | b/c``, so that each path is walked to its end."""
    return _GROUPED.sub(
        lambda found: " | ".join(
            f"{path.strip()}{found.group(2)}" for path in found.group(1).split("|")
        ),
        predicate,
    )


def _walk(
    start: Any, steps: list[str], where: str, namespaces: Mapping[str, str] = NAMESPACES
) -> Any:
    declaration = start
    for step in steps:
        prefix, name = step.split(":")
        children = _xsds().children(declaration)
        key = (namespaces[prefix], name)
        assert key in children, f"{where}: {step} is not a child of {declaration.get('name')}"
        declaration = children[key]
    return declaration


def _check(
    start: Any, expression: str, where: str, namespaces: Mapping[str, str] = NAMESPACES
) -> list[Any]:
    """Walk every path of ``expression``; the declarations the element steps end at."""
    ends = [_walk(start, steps, where, namespaces) for steps in _location_paths(expression)]
    for prefix, inside in _predicate_paths(expression):
        _walk(_walk(start, prefix, where, namespaces), inside, f"{where} (predicate)", namespaces)
    return ends


def _versions() -> Iterator[tuple[str, Table, Any, Mapping[str, str]]]:
    """``(where, table, root declaration, prefixes)`` for every version every table reads."""
    for table in tables().values():
        for key in table.standards:
            standard = STANDARDS[key]
            namespaces = {**NAMESPACES, **dict(table.bindings(key))}
            root = _xsds().element(standard.namespace, standard.root)
            yield f"{table.source} ({standard.label})", table, root, namespaces


def _row_start(row: Row, root: Any) -> Any:
    return _xsds().element(MSGHEAD, "MsgHead") if row.envelope else root


def _checked_rows() -> Iterator[tuple[str, Row, Any, Mapping[str, str]]]:
    """Every row of the tables and blocks with the declaration it starts from, per version."""
    pending: list[tuple[str, Any, Mapping[str, str]]] = []
    for where, table, root, namespaces in _versions():
        for row in table.rows:
            start = _row_start(row, root)
            yield where, row, start, namespaces
            if row.block is not None:
                ends = _check(start, row.xpath, where, namespaces)
                pending += [(row.block, end, namespaces) for end in ends]
    seen: set[tuple[str, int]] = set()
    while pending:
        name, start, namespaces = pending.pop()
        if (name, id(start)) in seen:
            continue
        seen.add((name, id(start)))
        for row in blocks()[name].rows:
            yield f"blocks.toml {name}", row, start, namespaces
            if row.block is not None:
                ends = _check(start, row.xpath, name, namespaces)
                pending += [(row.block, end, namespaces) for end in ends]


def test_every_xpath_of_the_tables_walks_the_official_xsds():
    checked = 0
    for where, row, start, namespaces in _checked_rows():
        _check(start, row.xpath, f"{where} {row.member}", namespaces)
        checked += 1
    assert checked > 60
    envelope = _xsds().element(MSGHEAD, "MsgHead")
    for where, table, root, namespaces in _versions():
        if table.sections is not None:
            (section,) = _check(root, table.sections.xpath, f"{where} sections", namespaces)
            _check(section, table.sections.heading, f"{where} heading", namespaces)
            _check(section, table.sections.text, f"{where} text", namespaces)
        if table.scope.cancellation is not None:
            _check(root, table.scope.cancellation, f"{where} cancellation", namespaces)
        for signal in table.scope.signals:
            start = envelope if signal.envelope else root
            _check(start, signal.xpath, f"{where} scope", namespaces)
        if table.when is not None:
            start = envelope if table.when.envelope else root
            _check(start, table.when.xpath, f"{where} condition", namespaces)


def test_the_dialogmelding_table_is_walked_in_both_versions():
    walked = {(where, row.xpath) for where, row, _, _ in _checked_rows()}
    for row in tables()["dialogmelding"].rows:
        for version in ("Dialogmelding 1.1", "Dialogmelding 1.0"):
            assert (f"dialogmelding.toml ({version})", row.xpath) in walked
    dia10 = {**NAMESPACES, "dia": STANDARDS["dialog-1.0"].namespace}
    root = _xsds().element(STANDARDS["dialog-1.0"].namespace, "Dialogmelding")
    with pytest.raises(AssertionError, match="TilknyttetEnhet is not a child"):
        _check(root, "dia:Notat/dia:RollerRelatertNotat/dia:TilknyttetEnhet", "1.1 only", dia10)


def test_a_grouped_path_in_a_predicate_is_walked_to_its_end():
    other = _xsds().element(MSGHEAD, "OtherReceiver")
    grouped = (
        "self::*[(mh:Organisation/mh:HealthcareProfessional | mh:HealthcareProfessional)"
        "/mh:{}[@V = '6']]"
    )
    _check(other, grouped.format("RoleToPatient"), "a GP")
    with pytest.raises(AssertionError, match="RoleReceiver is not a child of Healthcare"):
        _check(other, grouped.format("RoleReceiver"), "the role of the other receiver")


@pytest.mark.parametrize("namespace", sorted(DIAGNOSES))
def test_the_diagnoses_kith_021_reads_are_where_the_xsds_put_them(namespace):
    standard = CONTENT_STANDARDS[namespace]
    _check(_xsds().element(namespace, standard.root), DIAGNOSES[namespace], "KITH-021")


def test_an_xpath_off_the_xsd_fails_the_walk():
    root = _xsds().element(HENVISNING_2_0, "Henvisning")
    with pytest.raises(AssertionError, match="ForlopsId is not a child of Henvisning"):
        _check(root, "hen:ForlopsId", "the old reading")  # it is under Opplysninger
    with pytest.raises(AssertionError, match="Omsorgsniva"):
        _check(root, "hen:VurderingAvHenvisning/hen:Opplysninger/hen:Omsorgsniva", "removed")


def test_every_xpath_compiles_with_the_kits_prefixes():
    for _, row, _, _ in _checked_rows():
        select(None, row.xpath)  # compiled on first use; an error raises here
    assert select(None, "hen:DocumentId") == []


# -- the JSON side -----------------------------------------------------------------------------


def _resolve(node: Any, base: str) -> tuple[Any, str]:
    while isinstance(node, dict) and "$ref" in node:
        url = urljoin(base, node["$ref"])
        document_url, _, fragment = url.partition("#")
        node = schema(document_url)
        for token in [token for token in fragment.split("/") if token]:
            node = node[token]
        base = document_url
    return node, base


def _member(node: Any, base: str, token: str) -> tuple[Any, str] | None:
    node, base = _resolve(node, base)
    if token == "*":
        return (node["items"], base) if "items" in node else None
    for candidate in [node, *node.get("allOf", [])]:
        branch, branch_base = _resolve(candidate, base)
        if token in branch.get("properties", {}):
            return branch["properties"][token], branch_base
    return None


def _schema_at(start: tuple[Any, str], pointer: str, where: str) -> tuple[Any, str]:
    current = start
    for token in [token for token in pointer.split("/") if token]:
        found = _member(*current, token)
        assert found is not None, f"{where}: {pointer} is not in the JSON model ({token})"
        current = found
    return current


def _document(table: Table) -> tuple[Any, str]:
    identifier = DOCUMENT_SCHEMAS[table.document]
    return schema(identifier), identifier


def _json_rows(table: Table) -> Iterator[tuple[str, Row, tuple[Any, str]]]:
    pending: list[tuple[str, tuple[Any, str]]] = []
    for row in table.rows:
        yield table.source, row, _document(table)
        if row.block is not None:
            target = _schema_at(_document(table), row.member, table.source)
            pending.append((row.block, _schema_at(target, "*", row.member) if row.many else target))
    while pending:
        name, start = pending.pop()
        for row in blocks()[name].rows:
            yield name, row, start
            if row.block is not None:
                target = _schema_at(start, row.member, name)
                pending.append((row.block, _schema_at(target, "*", name) if row.many else target))


@pytest.mark.parametrize("key", sorted(tables()))
def test_every_json_member_of_the_tables_is_in_the_json_model(key):
    table = tables()[key]
    for where, row, start in _json_rows(table):
        _schema_at(start, row.member, where)
        for member in row.set:
            _schema_at(_schema_at(start, row.member, where), f"*/{member}", where)
    for member in table.sections.members if table.sections is not None else ():
        _schema_at(_document(table), member.member, key)
        for extra in member.also:
            _schema_at(_document(table), extra, key)
    for member in table.when.members if table.when is not None else ():
        _schema_at(_document(table), member, key)
    for member in table.supplement:
        _schema_at(_document(table), member, key)
    for member, reason in table.unmapped:
        assert reason
        _schema_at(_document(table), member, key)


def test_every_value_a_row_names_is_a_converter_with_a_description():
    named = {
        row.value for _, row, _, _ in _checked_rows() if row.block is None and row.const is None
    }
    assert named <= set(CONVERTERS)
    assert set(CONVERTERS) == set(DESCRIPTIONS)


# -- dates ----------------------------------------------------------------------------------


def _typed_in_xsds(namespace: str) -> dict[str, tuple[str, str]]:
    """``{element: (type, where)}`` of the date-typed elements the XSDs of ``namespace`` declare."""
    found: dict[str, tuple[str, str]] = {}
    for declaration in _xsds().declarations(namespace):
        named = declaration.get("type")
        if named is None or declaration.get("name") is None:
            continue
        prefix, _, local = named.rpartition(":")
        uri = declaration.nsmap.get(prefix or None, "")
        if local == "TS" and uri != XS:
            found[declaration.get("name")] = ("TS", "V")
        elif uri == XS and local in TYPED:
            found[declaration.get("name")] = (local, "text")
    return found


@pytest.mark.parametrize("namespace", sorted(date_types()))
def test_the_table_of_typed_dates_is_what_the_xsds_type_as_dates(namespace):
    assert dict(date_types()[namespace]) == _typed_in_xsds(namespace)


# -- the page -----------------------------------------------------------------------------------


def test_the_mapping_page_is_generated_from_the_tables():
    page = (REPO_ROOT / "spec" / "kith-mapping.md").read_text(encoding="utf-8")
    assert page == render(), (
        "spec/kith-mapping.md is stale: "
        "python -m pakkeforlop.kith.mapping_page > spec/kith-mapping.md"
    )


def test_the_page_shows_every_row_of_every_table():
    page = render()
    for _, row, _, _ in _checked_rows():
        assert row.xpath.replace("|", "\\|") in page, row.xpath
    assert "{{" not in page
