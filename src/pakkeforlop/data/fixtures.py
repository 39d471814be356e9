"""Rule fixtures: per rule, small exports that must fire it and exports that must not.

A fixture file ``spec/fixtures/<RULE-ID>.toml`` holds cases. A case starts from a bundled
valid export (``base``, a folder of ``examples/valid``) or from nothing, applies edits to its
documents (JSON Pointer operations, also inside NDJSON lines, and two operations on the export
as a whole: deleting a file, and cutting the export to a period) and may write raw files. After
the edits, SHA-256 digests in the manifest are brought up to date unless the case keeps them.

A case that fires its rule pins where and how often: ``findings`` lists the findings of the
rule it adds to those of its base, each by file and place (JSON Pointer, line, or XPath) with a
count, and the meta-test compares rule, place and count.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pakkeforlop.data.toml_files import load_toml

EXPECTATIONS = frozenset({"fires", "passes"})
OPERATIONS = frozenset(
    {"add", "replace", "remove", "delete-line", "append-line", "delete-file", "slice-period"}
)
#: What a period slice keeps of a document: the date members that place it in time.
DOCUMENT_DATES = {
    "referral": (("assessment", "received"), ("issued",)),
    "epicrisis": (("sent",),),
    "feedback": (("sent",),),
}


class FixtureError(ValueError):
    """A fixture file breaks the documented format."""


@dataclass(frozen=True, slots=True)
class Edit:
    """One change to one file of the base export.

    ``add`` / ``replace`` / ``remove`` work at ``path`` (a JSON Pointer; ``add`` to an array
    accepts ``-``) inside the document, or inside NDJSON line ``line``. ``delete-line`` removes
    NDJSON line ``line``; ``append-line`` appends ``value`` as a new line. ``delete-file``
    deletes ``file`` and its manifest entry. ``slice-period`` (no ``file``) cuts the export to
    the period ``value = { from = …, to = … }``, as an extract of that period would be: the
    manifest's period becomes it, event lines dated outside it are dropped, and so are the
    referrals (by receipt, else issue), epicrises and feedback (by sending) dated outside it.
    """

    op: str
    file: str = ""
    path: str = ""
    value: Any = None
    line: int | None = None


@dataclass(frozen=True, slots=True)
class RawFile:
    """A file written as given, or an existing file changed byte-wise.

    Exactly one of: ``text`` (UTF-8), ``hex`` (bytes), ``symlink_to`` (a symbolic link),
    ``replace`` (``[old, new]``: the first occurrence of ``old`` in the file's text becomes
    ``new``) or ``prepend_hex`` (bytes put before the file's content).
    """

    path: str
    text: str | None = None
    hex: str | None = None
    symlink_to: str | None = None
    replace: tuple[str, str] | None = None
    prepend_hex: str | None = None


@dataclass(frozen=True, slots=True)
class Expected:
    """Where a firing case expects its rule's findings: ``count`` findings in ``file`` at the
    given place. ``pointer``, ``line`` and ``xpath`` are compared when given (``pointer = ""``
    is the document root); an entry with none of them expects findings without a place."""

    file: str
    pointer: str | None = None
    line: int | None = None
    xpath: str | None = None
    count: int = 1

    def matches(self, file: str, pointer: str | None, line: int | None, xpath: str | None) -> bool:
        """Whether a finding at this place is one this entry expects. An entry that names no
        place expects a finding without one (on the export or the file as a whole)."""
        if self.pointer is None and self.line is None and self.xpath is None:
            return file == self.file and pointer is None and line is None and xpath is None
        return (
            file == self.file
            and (self.pointer is None or pointer == self.pointer)
            and (self.line is None or line == self.line)
            and (self.xpath is None or xpath == self.xpath)
        )


@dataclass(frozen=True, slots=True)
class Case:
    """One fixture case."""

    name: str
    expect: str
    description: str
    base: str | None
    edits: tuple[Edit, ...]
    files: tuple[RawFile, ...]
    also: frozenset[str]
    keep_digests: bool
    limits: Mapping[str, int]
    xsd_dir: str | None = None  # checked with these XSDs (a folder relative to the repository)
    findings: tuple[Expected, ...] = ()


@dataclass(frozen=True, slots=True)
class RuleFixtures:
    """All cases of one rule."""

    rule: str
    cases: tuple[Case, ...]

    def of(self, expect: str) -> tuple[Case, ...]:
        """The cases with this expectation."""
        return tuple(case for case in self.cases if case.expect == expect)


def _raw_file(raw: Mapping[str, Any]) -> RawFile:
    fields = dict(raw)
    if "replace" in fields:
        old, new = fields["replace"]
        fields["replace"] = (str(old), str(new))
    return RawFile(**fields)


def _case(raw: Mapping[str, Any], where: str) -> Case:
    try:
        case = Case(
            name=raw["name"],
            expect=raw["expect"],
            description=raw.get("description", ""),
            base=raw.get("base"),
            edits=tuple(Edit(**edit) for edit in raw.get("edits", ())),
            files=tuple(_raw_file(file) for file in raw.get("files", ())),
            also=frozenset(raw.get("also", ())),
            keep_digests=raw.get("keep_digests", False),
            limits=dict(raw.get("limits", {})),
            xsd_dir=raw.get("xsd_dir"),
            findings=tuple(Expected(**entry) for entry in raw.get("findings", ())),
        )
    except (KeyError, TypeError) as error:
        msg = f"{where}: {error!r}"
        raise FixtureError(msg) from error
    if case.expect not in EXPECTATIONS:
        msg = f"{where}: expect must be one of {sorted(EXPECTATIONS)}"
        raise FixtureError(msg)
    if case.expect == "fires" and not case.findings:
        msg = f"{where}: a case that fires states its findings (file, place and count)"
        raise FixtureError(msg)
    if case.expect == "passes" and case.findings:
        msg = f"{where}: a case that passes expects no finding of its rule"
        raise FixtureError(msg)
    for entry in case.findings:
        if entry.count < 1:
            msg = f"{where}: an expected finding's count is at least 1"
            raise FixtureError(msg)
    bad = [edit.op for edit in case.edits if edit.op not in OPERATIONS]
    if bad:
        msg = f"{where}: unknown edit operations {bad}"
        raise FixtureError(msg)
    return case


def load(folder: Path) -> dict[str, RuleFixtures]:
    """Every fixture file in ``folder``, keyed by rule id."""
    result = {}
    for path in sorted(folder.glob("*.toml")):
        raw = load_toml(path)
        rule = raw.get("rule")
        if rule != path.stem:
            msg = f"{path}: 'rule' must be {path.stem!r}"
            raise FixtureError(msg)
        cases = tuple(
            _case(case, f"{path} cases[{n}]") for n, case in enumerate(raw.get("cases", ()))
        )
        names = [case.name for case in cases]
        if len(names) != len(set(names)):
            msg = f"{path}: case names must be unique"
            raise FixtureError(msg)
        result[rule] = RuleFixtures(rule, cases)
    return result


def _tokens(pointer: str) -> list[str]:
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        msg = f"not a JSON Pointer: {pointer!r}"
        raise FixtureError(msg)
    return [token.replace("~1", "/").replace("~0", "~") for token in pointer[1:].split("/")]


def apply_pointer_edit(document: Any, op: str, pointer: str, value: Any = None) -> Any:
    """Apply an ``add``, ``replace`` or ``remove`` at ``pointer``; return the new document."""
    tokens = _tokens(pointer)
    if not tokens:
        return None if op == "remove" else value
    parent = document
    for token in tokens[:-1]:
        parent = parent[int(token)] if isinstance(parent, list) else parent[token]
    last = tokens[-1]
    if isinstance(parent, list):
        index = len(parent) if last == "-" else int(last)
        if op == "add":
            parent.insert(index, value)
        elif op == "replace":
            parent[index] = value
        else:
            del parent[index]
    elif op == "remove":
        del parent[last]
    else:
        if op == "replace" and last not in parent:
            msg = f"replace: {pointer!r} does not exist"
            raise FixtureError(msg)
        parent[last] = value
    return document


def _load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _dump_json(path: Path, value: Any) -> None:
    path.write_text(json.dumps(value, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _delete_file(root: Path, relative: str) -> None:
    """Delete a file of the export and its manifest entry."""
    (root / relative).unlink()
    manifest_path = root / "manifest.json"
    manifest = _load_json(manifest_path)
    manifest["files"] = [entry for entry in manifest["files"] if entry.get("path") != relative]
    _dump_json(manifest_path, manifest)


def _in_period(value: object, first: str, last: str) -> bool:
    return isinstance(value, str) and first <= value[:10] <= last


def _document_day(document: Any, kind: str) -> object:
    for path in DOCUMENT_DATES.get(kind, ()):
        value = document
        for member in path:
            value = value.get(member) if isinstance(value, dict) else None
        if value is not None:
            return value
    return None


def _slice_period(root: Path, period: Mapping[str, str]) -> None:
    """Cut the export to ``period`` (``from`` and ``to``, ISO dates), as a period extract."""
    first, last = str(period["from"]), str(period["to"])
    manifest_path = root / "manifest.json"
    manifest = _load_json(manifest_path)
    manifest["period"] = {"from": first, "to": last}
    _dump_json(manifest_path, manifest)
    for entry in list(manifest["files"]):
        path = root / entry["path"]
        if entry["kind"] == "pathway-events":
            lines = path.read_text(encoding="utf-8").splitlines()
            kept = [line for line in lines if _in_period(json.loads(line).get("date"), first, last)]
            path.write_text("".join(line + "\n" for line in kept), encoding="utf-8")
        elif entry["kind"] in DOCUMENT_DATES:
            day = _document_day(_load_json(path), entry["kind"])
            if not _in_period(day, first, last):
                _delete_file(root, entry["path"])


def apply_edit(root: Path, edit: Edit) -> None:
    """Apply one edit to the export at ``root``."""
    if edit.op == "slice-period":
        if not isinstance(edit.value, dict):
            msg = "slice-period needs value = { from = …, to = … }"
            raise FixtureError(msg)
        _slice_period(root, edit.value)
    elif edit.op == "delete-file":
        _delete_file(root, edit.file)
    else:
        _edit_file(root / edit.file, edit)


def _edit_file(target: Path, edit: Edit) -> None:
    if target.suffix == ".ndjson":
        lines = target.read_text(encoding="utf-8").splitlines()
        if edit.op == "append-line":
            lines.append(json.dumps(edit.value, ensure_ascii=False))
        elif edit.line is None:
            msg = f"{edit.file}: NDJSON edits need a line"
            raise FixtureError(msg)
        elif edit.op == "delete-line":
            del lines[edit.line - 1]
        else:
            changed = apply_pointer_edit(
                json.loads(lines[edit.line - 1]), edit.op, edit.path, edit.value
            )
            lines[edit.line - 1] = json.dumps(changed, ensure_ascii=False)
        target.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        return
    document = json.loads(target.read_text(encoding="utf-8"))
    changed = apply_pointer_edit(document, edit.op, edit.path, edit.value)
    target.write_text(json.dumps(changed, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _write_raw(root: Path, raw: RawFile) -> None:
    target = root / raw.path
    target.parent.mkdir(parents=True, exist_ok=True)
    if raw.replace is not None:
        old, new = raw.replace
        text = target.read_text(encoding="utf-8")
        if old not in text:
            msg = f"{raw.path}: {old!r} does not occur"
            raise FixtureError(msg)
        target.write_text(text.replace(old, new, 1), encoding="utf-8")
        return
    if raw.prepend_hex is not None:
        target.write_bytes(bytes.fromhex(raw.prepend_hex) + target.read_bytes())
        return
    if target.is_symlink() or target.exists():
        target.unlink()
    if raw.symlink_to is not None:
        target.symlink_to(raw.symlink_to)
    elif raw.hex is not None:
        target.write_bytes(bytes.fromhex(raw.hex))
    else:
        target.write_text(raw.text or "", encoding="utf-8")


def refresh_digests(root: Path) -> None:
    """Bring the manifest's SHA-256 digests up to date with the files."""
    manifest_path = root / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    changed = False
    for entry in manifest.get("files", []) if isinstance(manifest, dict) else []:
        if (
            isinstance(entry, dict)
            and "sha256" in entry
            and (root / str(entry.get("path"))).is_file()
        ):
            digest = hashlib.sha256((root / entry["path"]).read_bytes()).hexdigest()
            changed |= entry["sha256"] != digest
            entry["sha256"] = digest
    if changed:
        manifest_path.write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )


def materialize(case: Case, examples: Path, target: Path) -> Path:
    """Write the case's export into ``target`` (which must not exist) and return it."""
    if case.base is not None:
        shutil.copytree(examples / case.base, target)
    else:
        target.mkdir(parents=True)
    for edit in case.edits:
        apply_edit(target, edit)
    for raw in case.files:
        _write_raw(target, raw)
    if not case.keep_digests:
        refresh_digests(target)
    return target
