"""Control, bidi and other invisible characters never reach any output raw.

File and folder names and document values may hold an ANSI escape sequence, a C1 control or a
right-to-left override (U+202E, "Trojan Source"): every text output (each report format,
--progress, usage errors) shows them as escapes, so that a report can neither drive the
terminal nor make a reader see another text than the kit wrote.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import pytest

from pakkeforlop import cli
from pakkeforlop.report.formats import clean

from .conftest import EXAMPLES

#: Characters that must never appear as they are in what the kit prints.
DANGEROUS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]"
)
SNEAKY = "\u202egnp.exe\x1b[31m\x85\u2066\u200b"


@pytest.fixture
def export(tmp_path: Path) -> Path:
    """An export whose folder, an undeclared file and a code value hold sneaky characters."""
    root = tmp_path / f"export{SNEAKY}"
    shutil.copytree(EXAMPLES / "valid" / "d11-phv-adults-completed", root)
    (root / f"stray{SNEAKY}.json").write_text("{}", encoding="utf-8")
    referral = json.loads((root / "referral.json").read_text(encoding="utf-8"))
    referral["pathwayType"] = f"D11{SNEAKY}"
    (root / "referral.json").write_text(json.dumps(referral, ensure_ascii=False), "utf-8")
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        entry.pop("sha256", None)
    manifest["producer"]["system"] = f"EPJ{SNEAKY}"
    (root / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    return root


@pytest.mark.parametrize(
    "options",
    [
        ["--format", "text"],
        ["--format", "text", "--verbose"],
        ["--format", "json"],
        ["--format", "junit"],
        ["--format", "html"],
        ["--format", "sarif"],
        ["--format", "gitlab"],
        ["--format", "github"],
        ["--format", "text", "--lang", "nb"],
        ["--format", "text", "--progress", "--no-mask"],
    ],
    ids=["text", "verbose", "json", "junit", "html", "sarif", "gitlab", "github", "nb", "progress"],
)
def test_no_output_carries_a_control_or_bidi_character(export, options):
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(["check", str(export), *options], stdout=out, stderr=err)
    assert code == cli.EXIT_FINDINGS
    printed = out.getvalue() + err.getvalue()
    assert "stray" in printed  # the sneaky names are reported …
    assert DANGEROUS.findall(printed) == []  # … but never raw
    assert "u202e" in printed  # as an escape (and in SARIF's URIs, percent-encoded too)


def test_a_usage_error_naming_a_sneaky_path_escapes_it(tmp_path):
    err = io.StringIO()
    code = cli.main(["check", str(tmp_path / f"missing{SNEAKY}")], stderr=err)
    assert code == cli.EXIT_USAGE
    assert DANGEROUS.findall(err.getvalue()) == []
    assert "missing\\u202e" in err.getvalue()


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[2J", "\\x1b[2J"),
        ("\x85", "\\x85"),
        ("\u202e", "\\u202e"),
        ("\u2066\u2069", "\\u2066\\u2069"),
        ("\u200b", "\\u200b"),
        ("\ud800", "\\ud800"),
        ("\ufeff", "\\ufeff"),
        ("æøå ÆØÅ é ü", "æøå ÆØÅ é ü"),
    ],
)
def test_clean_escapes_what_could_move_or_hide_text_and_keeps_letters(raw, shown):
    assert clean(raw) == shown
