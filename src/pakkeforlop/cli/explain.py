"""``pakkeforlop explain RULE`` and ``pakkeforlop rules``: the catalogue, offline.

``explain`` prints what a finding's rule requires and why: its title and message in both
languages, statement, severity, verb, its sources with title, publisher, date and URL
(``spec/sources.toml``), evidence, rationale, and a failing and a passing
case from the rule's fixtures (the edits that make a bundled example export fire it, or not).
``rules --format json`` lists every catalogue entry whole, in the same shape.
"""

from __future__ import annotations

import json
import textwrap

from pakkeforlop.data.catalogue import catalogue
from pakkeforlop.data.fixtures import Case, RawFile
from pakkeforlop.data.fixtures import load as load_fixtures
from pakkeforlop.data.locations import fixtures_dir
from pakkeforlop.data.sources import source

__all__ = ["explain", "listing"]

WIDTH = 100


def listing(fmt: str, lang: str = "en") -> str:
    """The catalogue: ``json`` (every entry whole) or ``text`` (id, severity, title in
    ``lang``)."""
    rules = list(catalogue().values())
    if fmt == "json":
        return json.dumps([rule.as_data() for rule in rules], ensure_ascii=False, indent=2) + "\n"
    width = max((len(rule.id) for rule in rules), default=0)
    return "".join(
        f"{rule.id:<{width}}  {rule.severity.value:<7}  {rule.title_in(lang)}\n" for rule in rules
    )


def _wrap(label: str, text: str) -> list[str]:
    return textwrap.wrap(
        f"{label}: {text}", WIDTH, subsequent_indent="  ", break_on_hyphens=False
    ) or [f"{label}:"]


def _raw(raw: RawFile) -> str:
    if raw.text is not None:
        shown = raw.text if len(raw.text) <= 300 else raw.text[:300] + " …"
        return f"write {raw.path}: {shown!r}"
    if raw.hex is not None:
        return f"write {raw.path} (bytes): {raw.hex[:120]}"
    if raw.symlink_to is not None:
        return f"link {raw.path} -> {raw.symlink_to}"
    if raw.replace is not None:
        return f"in {raw.path}, replace {raw.replace[0]!r} by {raw.replace[1]!r}"
    return f"prepend to {raw.path} (bytes): {raw.prepend_hex}"


def _case(case: Case, heading: str) -> list[str]:
    base = f"examples/valid/{case.base}" if case.base else "an empty export"
    lines = [f"{heading}: {case.name}", *_wrap("  what", case.description or "-")]
    lines.append(f"  start from: {base}")
    for edit in case.edits:
        where = " ".join(
            part
            for part in (
                edit.file,
                f"line {edit.line}" if edit.line is not None else "",
                edit.path,
            )
            if part
        )
        value = "" if edit.value is None else f" = {json.dumps(edit.value, ensure_ascii=False)}"
        lines.append(f"  {edit.op} {where}{value}")
    lines += [f"  {_raw(raw)}" for raw in case.files]
    for expected in case.findings:
        if expected.pointer is not None:
            place = expected.pointer or "(the document)"
        elif expected.xpath is not None:
            place = expected.xpath
        else:
            place = f"line {expected.line}" if expected.line is not None else "(the file)"
        lines.append(f"  finds: {expected.count} at {expected.file} {place}")
    return lines


def explain(rule_id: str) -> str:
    """The rule explained, as text; raises KeyError for an id the catalogue does not have."""
    rule = catalogue()[rule_id]
    lines = [f"{rule.id}: {rule.title}", f"({rule.title_nb})", ""]
    lines += _wrap("Requirement", rule.statement)
    lines.append(
        f"Severity: {rule.severity.value} ({rule.verb.value}; the source says "
        f"'{rule.source_verb}'); evidence: {rule.evidence.value} ({rule.source_type.value})"
    )
    lines += _wrap("Applies to", ", ".join(sorted(rule.applies_to)))
    lines += _wrap("Source", rule.source)
    lines.append("Sources:")
    for source_id in rule.sources:
        cited = source(source_id)
        lines += textwrap.wrap(
            f"- {cited.publisher}: «{cited.title}» ({cited.kind}; "
            f"{cited.dates or 'date not confirmed'})",
            WIDTH,
            initial_indent="  ",
            subsequent_indent="    ",
            break_on_hyphens=False,
        )
        if cited.url:
            lines.append(f"    {cited.url}")
        else:
            lines += textwrap.wrap(
                cited.note, WIDTH, initial_indent="    ", subsequent_indent="    "
            )
    if rule.severity_note:
        lines += _wrap("Severity note", rule.severity_note)
    if rule.rationale:
        lines += _wrap("Why", rule.rationale)
    if not rule.in_force:
        lines.append("Not in force: documented, not applied (no source confirms its date).")
    lines += _wrap("Message", rule.message)
    lines += _wrap("Melding (nb)", rule.message_nb)
    lines.append(f"Documentation: {rule.url}")
    fixtures = load_fixtures(fixtures_dir()).get(rule.id)
    if fixtures is not None:
        for expect, heading in (("fires", "Fails"), ("passes", "Passes")):
            cases = fixtures.of(expect)
            if cases:
                lines += ["", *_case(cases[0], heading)]
    return "\n".join(lines) + "\n"
