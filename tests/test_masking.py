"""Masking that holds: no identifier, name or HPR number reaches a report unmasked.

With masking on (the default), a report quotes a value from the input only where the schema
marks the field as not personal (``x-personal: false``: codes, dates, enumerations); every
person number is masked in whatever form it is written (14038510070, 140385 10070,
140385-10070, 14.03.85.10070) wherever it appears: values, member names, KITH coded values and
attributes, file and folder names. Each crafted export below puts them in those places, and
every report format is searched for them.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pakkeforlop import cli
from pakkeforlop.data.schemas import DOCUMENT_SCHEMAS, _schemas, validator
from pakkeforlop.model import pointers
from pakkeforlop.model.findings import Personal
from pakkeforlop.rules.schema_messages import PERSONAL, describe

from .conftest import EXAMPLES

#: One person number (a synthetic Test-Norge one) in each printed form, and its birth date part.
FORMS = ("14038510070", "140385 10070", "140385-10070", "14.03.85.10070")
DUF = "123456789012"
NAME = "Zyxwv Qwertyson"
HPR = "91449OO"
#: What must never appear in a masked report.
SECRETS = (*FORMS, "140385", "14.03.85", DUF, NAME, "Zyxwv", "Qwertyson", HPR)
FORMATS = (
    ["--format", "text"],
    ["--format", "text", "--verbose"],
    ["--format", "json"],
    ["--format", "junit"],
    ["--format", "html"],
    ["--format", "sarif"],
    ["--format", "gitlab"],
    ["--format", "github"],
    ["--format", "json", "--lang", "nb"],
    ["--format", "text", "--progress", "--verbose"],
)
KEYWORDS = ("format", "pattern", "enum", "const")


# --- The schemas mark every value a message could quote ----------------------------------------


def _quoting_keywords(node: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every subschema with a keyword whose message quotes the value (not inside ``if``,
    whose failures are never reported)."""
    if isinstance(node, dict):
        if any(keyword in node for keyword in KEYWORDS):
            yield path, node
        for key, value in node.items():
            if key != "if":
                yield from _quoting_keywords(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _quoting_keywords(value, f"{path}/{index}")


def test_every_keyword_that_quotes_a_value_says_whether_the_value_is_personal():
    unmarked = [
        f"{schema_id}#{path}"
        for schema_id, contents in _schemas().items()
        if "/report/" not in schema_id
        for path, node in _quoting_keywords(contents)
        if not isinstance(node.get(PERSONAL), bool)
    ]
    assert unmarked == []


#: (pointer, bad value, quoted?) for a referral: codes, dates and enumerations are quoted;
#: a birth date, a person number, an HPR number, a phone number and free text are not.
REFERRAL_VALUES = [
    ("/issued", "yesterday", True),
    ("/kind", "urgent", True),
    ("/targetPathway/code", "D99", True),
    ("/receiver/organisation/herId", "H-1", True),
    ("/patient/birthDate", "02.10.79", False),
    ("/patient/identifier/value", "0290793109", False),
    ("/sender/referrer/hpr", "9145O44", False),
    ("/sender/referrer/phone", "three-three", False),
    ("/sender/referrer/email", "jon at testvik", False),
    ("/content/reason", "   ", False),
]


def _set(document: dict[str, Any], pointer: str, value: str) -> None:
    *parents, last = pointer.strip("/").split("/")
    for part in parents:
        document = document[part]
    document[last] = value


@pytest.mark.parametrize(("pointer", "value", "quoted"), REFERRAL_VALUES)
def test_a_schema_message_quotes_a_value_only_where_the_schema_says_it_is_not_personal(
    pointer, value, quoted
):
    schema_id = DOCUMENT_SCHEMAS["referral"]
    document = json.loads(
        (EXAMPLES / "valid" / "d11-phv-adults-completed" / "referral.json").read_text("utf-8")
    )
    _set(document, pointer, value)
    errors = [
        error
        for error in validator(schema_id).iter_errors(document)
        if pointers.pointer(error.absolute_path) == pointer
    ]
    assert errors, f"{pointer}: the bad value must break the schema"
    for error in errors:
        _, args = describe(error, schema_id)
        if "value" in args:
            assert isinstance(args["value"], Personal) is not quoted


# --- Crafted exports ---------------------------------------------------------------------------


def _report(*args: object) -> str:
    out, err = io.StringIO(), io.StringIO()
    cli.main(["check", *map(str, args)], stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def _leaks(root: Path) -> dict[str, list[str]]:
    found = {}
    for options in FORMATS:
        printed = _report(root, *options)
        leaked = [secret for secret in SECRETS if secret in printed]
        if leaked:
            found[" ".join(options)] = leaked
    return found


def _copy(tmp_path: Path, example: str, name: str = "export") -> Path:
    root = tmp_path / name
    shutil.copytree(EXAMPLES / "valid" / example, root)
    return root


def _edit_json(path: Path, change: Callable[[Any], Any]) -> None:
    if path.suffix == ".ndjson":
        lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        text = "\n".join(json.dumps(change(line), ensure_ascii=False) for line in lines) + "\n"
    else:
        text = json.dumps(change(json.loads(path.read_text(encoding="utf-8"))), ensure_ascii=False)
    path.write_text(text, encoding="utf-8")


def _every_string(value: Any, replace: Callable[[str, str], str], key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _every_string(v, replace, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_every_string(v, replace, key) for v in value]
    if isinstance(value, str) and key != "$schema":
        return replace(key, value)
    return value


def _forms() -> Iterator[str]:
    while True:
        yield from FORMS


def test_identifiers_in_every_value_are_masked_in_every_format(tmp_path):
    root = _copy(tmp_path, "d11-phv-adults-completed")
    forms = _forms()
    for name in ("referral.json", "epicrisis.json", "events.ndjson", "manifest.json"):
        _edit_json(root / name, lambda doc: _every_string(doc, lambda _k, _v: next(forms)))
    assert _leaks(root) == {}


def test_identifiers_next_to_text_in_every_value_are_masked(tmp_path):
    root = _copy(tmp_path, "d11-phv-adults-completed")
    forms = _forms()
    for name in ("referral.json", "epicrisis.json", "events.ndjson"):
        _edit_json(root / name, lambda doc: _every_string(doc, lambda _k, v: f"{v} {next(forms)}"))
    assert _leaks(root) == {}


def test_identifiers_as_member_names_are_masked(tmp_path):
    root = _copy(tmp_path, "d11-phv-adults-completed")

    def add_members(document: Any) -> Any:
        document[FORMS[0]] = FORMS[1]
        document["patient"][FORMS[2]] = {FORMS[3]: DUF}
        return document

    for name in ("referral.json", "epicrisis.json", "events.ndjson"):
        _edit_json(root / name, add_members)
    referral = root / "referral.json"
    text = referral.read_text(encoding="utf-8")
    duplicate = f'{{"{FORMS[3]}": 1, "{FORMS[3]}": 2, '  # a duplicate key named by the number
    referral.write_text(duplicate + text.lstrip()[1:], encoding="utf-8")
    assert _leaks(root) == {}


def test_names_and_hpr_numbers_in_personal_fields_are_never_quoted(tmp_path):
    root = _copy(tmp_path, "d11-phv-adults-completed")

    def personal(key: str, value: str) -> str:
        if key in {"given", "family", "name"}:
            return NAME if len(value) % 2 else NAME * 30  # also too long: a schema finding
        if key == "hpr":
            return HPR
        if key == "phone":
            return f"{NAME} {FORMS[1]}"
        if key == "email":
            return NAME
        return value

    for name in ("referral.json", "epicrisis.json"):
        _edit_json(root / name, lambda doc: _every_string(doc, personal))
    assert _leaks(root) == {}


def test_identifiers_in_file_and_folder_names_are_masked(tmp_path):
    root = _copy(tmp_path, "d11-phv-adults-completed", name=f"export {FORMS[1]}")
    (root / f"{FORMS[3]}.json").write_text("{}", encoding="utf-8")  # undeclared
    folder = root / FORMS[2]
    folder.mkdir()
    (root / "referral.json").rename(folder / f"{FORMS[0]}.json")
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"][0]["path"] = f"{FORMS[2]}/{FORMS[0]}.json"
    manifest["files"].append({"path": f"{FORMS[3]}-missing.json", "kind": "referral"})
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert _leaks(tmp_path) == {}


def test_identifiers_and_names_in_kith_values_and_attributes_are_masked(tmp_path):
    root = _copy(tmp_path, "kith-d11-phv-adults")
    forms = _forms()
    for message in root.glob("*.xml"):
        text = message.read_text(encoding="utf-8")
        text = re.sub(r'\b(V|DN|S)="[^"]*"', lambda m: f'{m.group(1)}="{next(forms)}"', text)
        text = re.sub(r"<(GivenName|FamilyName)>[^<]*<", f"<\\1>{NAME}<", text)
        text = re.sub(r"<Id>[^<]*<", lambda _m: f"<Id>{next(forms)}<", text)
        message.write_text(text, encoding="utf-8")
    assert _leaks(root) == {}


def test_unmasked_reports_show_what_masked_ones_hide(tmp_path):
    # The searches above find what they look for: --no-mask shows it.
    root = _copy(tmp_path, "d11-phv-adults-completed", name=f"export {FORMS[1]}")
    assert FORMS[1] in _report(root, "--no-mask", "--verbose")
