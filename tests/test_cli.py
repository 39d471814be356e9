"""The ``pakkeforlop`` command: paths, options, exit statuses, progress, and garbage input."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from pakkeforlop import SPEC_VERSION, __version__, cli
from pakkeforlop.data.catalogue import catalogue
from pakkeforlop.data.schemas import validator
from pakkeforlop.report.formats.json_report import REPORT_SCHEMA_ID

from .conftest import EXAMPLES, REPO_ROOT

VALID = EXAMPLES / "valid"
INVALID = EXAMPLES / "invalid"
MANIFEST_SCHEMA = "https://schemas.pakkeforlop.no/v1/export-manifest.schema.json"


@dataclass(frozen=True)
class Run:
    """What one command run produced."""

    code: int
    out: str
    err: str

    def json(self) -> dict:
        report = json.loads(self.out)
        errors = sorted(validator(REPORT_SCHEMA_ID).iter_errors(report), key=str)
        assert errors == [], errors[0].message if errors else ""
        return report


def invoke(capsys: pytest.CaptureFixture[str], *args: object) -> Run:
    """Run the command in-process with ``args`` and capture what it printed."""
    code = cli.main([str(arg) for arg in args])
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


def manifest(*files: tuple[str, str]) -> bytes:
    """A schema-valid export manifest declaring ``files`` as (path, kind) pairs."""
    document = {
        "$schema": MANIFEST_SCHEMA,
        "specVersion": SPEC_VERSION,
        "producer": {"system": "Test-EPJ", "version": "1.0", "vendor": "pakkeforlop tests"},
        "created": "2025-03-20T08:15:00+01:00",
        "environment": "test",
        "period": {"from": "2025-01-01", "to": "2025-03-18"},
        "files": [{"path": path, "kind": kind} for path, kind in files],
    }
    return json.dumps(document, indent=2).encode()


def make_export(folder: Path, files: dict[str, bytes], kinds: dict[str, str] | None = None) -> Path:
    """An export folder holding ``files``, each declared in the manifest (kind ``referral``)."""
    kinds = kinds or {}
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / name).write_bytes(content)
    (folder / "manifest.json").write_bytes(
        manifest(*((name, kinds.get(name, "referral")) for name in files))
    )
    return folder


def fingerprint(folder: Path) -> dict[str, str]:
    """Every entry below ``folder``: a file's SHA-256, or a symbolic link's target."""
    prints = {}
    for path in sorted(folder.rglob("*")):
        key = path.relative_to(folder).as_posix()
        if path.is_symlink():
            prints[key] = f"-> {path.readlink()}"
        elif path.is_file():
            prints[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return prints


# --- Basics -------------------------------------------------------------------------------------


def test_version_names_the_tool_and_the_specification(capsys):
    run = invoke(capsys, "--version")
    assert run.code == cli.EXIT_OK
    assert run.out.startswith("pakkeforlop ")
    # Two versions, each named: the package's, and the specification's it checks against.
    assert f"{__version__} (package); specification {SPEC_VERSION}" in run.out


def test_the_valid_examples_pass_with_exit_status_0(capsys):
    run = invoke(capsys, "check", VALID)
    assert run.code == cli.EXIT_OK, run.out
    assert run.out.splitlines()[1].startswith("PASS (fail on error): ")


def test_the_invalid_examples_fail_with_exit_status_1_and_name_file_line_column_and_pointer(
    capsys,
):
    run = invoke(capsys, "check", INVALID)
    assert run.code == cli.EXIT_FINDINGS
    assert run.out.splitlines()[1].startswith("FAIL (fail on error): ")
    assert "referral-fnr-ten-digits/referral.json:45:16 /patient/identifier/value " in run.out


def test_a_folder_without_a_manifest_is_a_finding_not_a_usage_error(capsys, tmp_path):
    run = invoke(capsys, "check", tmp_path, "--format", "json")
    assert run.code == cli.EXIT_FINDINGS
    assert {finding["rule"] for finding in run.json()["findings"]} == {"INPUT-015"}


def test_a_path_named_twice_is_checked_once(capsys):
    export = VALID / "d11-phv-adults-completed"
    run = invoke(capsys, "check", VALID, export, "--format", "json")
    paths = [entry["path"] for entry in run.json()["exports"]]
    assert len(paths) == len(set(paths)) == len([p for p in VALID.iterdir() if p.is_dir()])


def test_a_single_document_and_a_single_events_file_can_be_checked(capsys):
    export = VALID / "d11-phv-adults-completed"
    for name in ("referral.json", "events.ndjson"):
        run = invoke(capsys, "check", export / name, "--format", "json")
        assert run.code == cli.EXIT_OK, run.out
        report = run.json()
        assert report["summary"]["documents"] + report["summary"]["events"] > 0


# --- Usage errors (exit status 2, nothing checked) ----------------------------------------------


def test_a_missing_path_is_a_usage_error_found_before_any_work(capsys, tmp_path, monkeypatch):
    def must_not_run(*_args, **_kwargs):
        raise AssertionError

    monkeypatch.setattr(cli.check, "check_paths", must_not_run)
    run = invoke(capsys, "check", VALID, tmp_path / "missing")
    assert run.code == cli.EXIT_USAGE
    assert "no such file or folder" in run.err
    assert run.out == ""


@pytest.mark.parametrize(
    "args",
    [
        ["check"],
        ["check", "--format", "xml", "examples"],
        ["check", "--fail-on", "info", "examples"],
        ["check", "--max-file-size", "lots", "examples"],
        ["check", "--max-file-size", "0", "examples"],
        ["frobnicate"],
        [],
    ],
    ids=["no-path", "bad-format", "bad-fail-level", "bad-size", "zero-size", "bad-command", "none"],
)
def test_a_bad_command_line_is_a_usage_error(capsys, args):
    run = invoke(capsys, *args)
    assert run.code == cli.EXIT_USAGE
    assert "usage: pakkeforlop" in run.err
    assert run.out == ""


def test_an_output_in_a_missing_folder_is_a_usage_error_with_a_clear_message(capsys, tmp_path):
    target = tmp_path / "no-such-folder" / "report.json"
    run = invoke(capsys, "check", VALID, "--output", target)
    assert run.code == cli.EXIT_USAGE
    assert "does not exist" in run.err
    assert not target.parent.exists()


def test_an_output_that_is_a_folder_is_a_usage_error(capsys, tmp_path):
    run = invoke(capsys, "check", VALID, "--output", tmp_path)
    assert run.code == cli.EXIT_USAGE
    assert "is a folder" in run.err


def test_an_output_that_would_overwrite_a_checked_file_is_refused(capsys, tmp_path):
    export = make_export(tmp_path / "export", {"referral.json": b"{}"})
    before = fingerprint(export)
    run = invoke(capsys, "check", export, "--output", export / "referral.json")
    assert run.code == cli.EXIT_USAGE
    assert "would overwrite" in run.err
    assert fingerprint(export) == before


def test_sizes_take_binary_units():
    assert cli.byte_size("4096") == 4096
    assert cli.byte_size("4k") == cli.byte_size("4KiB") == 4096
    assert cli.byte_size("10M") == 10 * 1024 * 1024
    assert cli.byte_size("1g") == 1 << 30


# --- Output, fail level, quiet, progress --------------------------------------------------------


def test_the_report_goes_to_the_output_file_and_nothing_to_stdout(capsys, tmp_path):
    target = tmp_path / "report.json"
    run = invoke(capsys, "check", VALID, "--format", "json", "--output", target)
    assert run.code == cli.EXIT_OK
    assert run.out == ""
    assert json.loads(target.read_text(encoding="utf-8"))["summary"]["result"] == "passed"
    assert [path.name for path in tmp_path.iterdir()] == ["report.json"]  # no temporary file left


def test_output_dash_means_standard_output(capsys):
    run = invoke(capsys, "check", VALID, "--format", "json", "--output", "-")
    assert run.json()["summary"]["result"] == "passed"


def test_the_fail_level_decides_the_exit_status(capsys, tmp_path):
    # an undeclared data file is a warning-level finding; the rest of the export is valid
    export = VALID / "d11-phv-adults-completed"
    copy = tmp_path / "export"
    copy.mkdir()
    for path in export.iterdir():
        (copy / path.name).write_bytes(path.read_bytes())
    (copy / "notes.json").write_bytes(b"{}")  # an undeclared data file
    results = {}
    for level in ("error", "warning"):
        run = invoke(capsys, "check", copy, "--format", "json", "--fail-on", level)
        report = run.json()
        severities = {finding["severity"] for finding in report["findings"]}
        fails = severities & ({"error", "warning"} if level == "warning" else {"error"})
        assert run.code == (cli.EXIT_FINDINGS if fails else cli.EXIT_OK)
        assert report["failOn"] == level
        results[level] = run.code
    assert "warning" in severities, "the test needs a warning-level finding"
    assert results == {"error": cli.EXIT_OK, "warning": cli.EXIT_FINDINGS}


def test_quiet_prints_only_the_header_and_the_summary(capsys):
    run = invoke(capsys, "check", INVALID, "--quiet")
    assert run.code == cli.EXIT_FINDINGS
    lines = run.out.splitlines()
    assert len(lines) == 2
    assert lines[1].startswith("FAIL")


def test_progress_goes_to_stderr_only_when_asked_and_never_to_stdout(capsys):
    quiet = invoke(capsys, "check", VALID, "--format", "json")
    assert quiet.err == ""  # stderr is not a terminal under pytest
    loud = invoke(capsys, "check", VALID, "--format", "json", "--progress")
    assert loud.out == quiet.out
    assert loud.err.count("checking ") == len([p for p in VALID.iterdir() if p.is_dir()])
    assert "checking" not in loud.out


def test_a_report_the_kit_cannot_make_is_exit_status_3_without_a_traceback(capsys, monkeypatch):
    # A check that fails is a finding (INTERNAL-001, tests/test_robustness.py); exit status 3
    # is for the kit's own failure to produce a report at all.
    def broken(*_args, **_kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(cli.check, "build_report", broken)
    run = invoke(capsys, "check", VALID)
    assert run.code == cli.EXIT_INTERNAL
    assert "internal error: ZeroDivisionError: a bug" in run.err
    assert "Traceback" not in run.err
    assert run.out == ""


# --- The rules subcommand -----------------------------------------------------------------------


def test_rules_lists_every_catalogue_rule_with_severity_and_title(capsys):
    run = invoke(capsys, "rules")
    assert run.code == cli.EXIT_OK
    listed = [line.split()[:2] for line in run.out.splitlines()]
    assert listed == [[rule.id, rule.severity.value] for rule in catalogue().values()]


def test_rules_lists_the_catalogue_as_json(capsys):
    run = invoke(capsys, "rules", "--format", "json")
    listed = json.loads(run.out)
    assert [entry["id"] for entry in listed] == list(catalogue())
    assert all(entry["url"].startswith("https://") for entry in listed)


# --- Garbage in ---------------------------------------------------------------------------------

SIZE_LIMIT = 4096
GARBAGE: dict[str, bytes | None] = {
    "empty": b"",
    "binary": bytes(range(256)) * 4,
    "truncated": b'{"$schema": "https://schemas.pakkeforlop.no/v1/referral.schema.json", "a": [1,',
    "invalid-utf8": b'{"a": "\xc3\x28 \xff"}',
    "byte-order-mark": b'\xef\xbb\xbf{"a": 1}',
    "deep-array": b"[" * 100_000 + b"]" * 100_000,
    "long-number": b'{"a": ' + b"7" * 100_000 + b"}",
    "nan": b'{"a": NaN}',
    "duplicate-keys": b'{"a": 1, "a": 2}',
    "top-level-array": b"[]",
    "top-level-null": b"null",
    "over-size-limit": b'{"a": "' + b"x" * (2 * SIZE_LIMIT) + b'"}',
    "symlink-loop": None,
}


def _plant(folder: Path, name: str, kind: str) -> Path:
    """Write the garbage ``kind`` as ``folder/name`` (a self-referencing link for the loop)."""
    path = folder / name
    content = GARBAGE[kind]
    if content is None:
        path.symlink_to(name)
    else:
        path.write_bytes(content)
    return path


def _garbage_export(folder: Path, name: str, file_kind: str, kind: str) -> Path:
    """An export whose manifest declares one file, ``name``, holding the garbage ``kind``."""
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_bytes(manifest((name, file_kind)))
    _plant(folder, name, kind)
    return folder


def _concerns(finding: dict, name: str) -> bool:
    return finding["file"].endswith(name) or name in finding["message"]


@pytest.mark.parametrize("kind", list(GARBAGE))
def test_garbage_as_a_single_file_is_a_finding_not_a_traceback(capsys, tmp_path, kind):
    path = _plant(tmp_path, "document.json", kind)
    before = fingerprint(tmp_path)
    run = invoke(capsys, "check", path, "--format", "json", "--max-file-size", SIZE_LIMIT)
    assert run.code == cli.EXIT_FINDINGS, run.err
    assert run.err == ""
    findings = run.json()["findings"]
    assert any(_concerns(finding, "document.json") for finding in findings)
    assert fingerprint(tmp_path) == before


@pytest.mark.parametrize("kind", list(GARBAGE))
def test_garbage_inside_an_export_is_a_finding_not_a_traceback(capsys, tmp_path, kind):
    export = _garbage_export(tmp_path / "export", "referral.json", "referral", kind)
    before = fingerprint(tmp_path)
    run = invoke(capsys, "check", export, "--format", "json", "--max-file-size", SIZE_LIMIT)
    assert run.code == cli.EXIT_FINDINGS, run.err
    assert run.err == ""
    report = run.json()
    assert any(_concerns(finding, "referral.json") for finding in report["findings"])
    assert fingerprint(tmp_path) == before


@pytest.mark.parametrize("kind", [kind for kind in GARBAGE if kind != "empty"])
def test_garbage_as_an_events_file_is_a_finding_not_a_traceback(capsys, tmp_path, kind):
    export = _garbage_export(tmp_path / "export", "events.ndjson", "pathway-events", kind)
    before = fingerprint(tmp_path)
    run = invoke(capsys, "check", export, "--format", "json", "--max-file-size", SIZE_LIMIT)
    assert run.code == cli.EXIT_FINDINGS, run.err
    assert any(_concerns(finding, "events.ndjson") for finding in run.json()["findings"])
    assert fingerprint(tmp_path) == before


def test_a_symbolic_link_loop_named_on_the_command_line_is_a_finding_not_a_usage_error(
    capsys, tmp_path
):
    loop = tmp_path / "loop"
    loop.symlink_to("loop")
    run = invoke(capsys, "check", loop, "--format", "json")
    assert run.code == cli.EXIT_FINDINGS
    assert run.json()["summary"]["partial"] is True


def test_a_folder_of_garbage_exports_never_prints_a_traceback_in_any_format(tmp_path):
    for kind in GARBAGE:
        _garbage_export(tmp_path / "exports" / kind, "referral.json", "referral", kind)
    before = fingerprint(tmp_path / "exports")
    environment = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "src")}
    for fmt in cli.FORMATS:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pakkeforlop.cli",
                "check",
                "exports",
                "--format",
                fmt,
                "--max-file-size",
                str(SIZE_LIMIT),
            ],
            cwd=tmp_path,
            capture_output=True,
            env=environment,
            check=False,
        )
        assert result.returncode == cli.EXIT_FINDINGS, result.stderr
        assert b"Traceback" not in result.stderr
        assert result.stdout
    assert fingerprint(tmp_path / "exports") == before


# --- The generate subcommand ---------------------------------------------------------------------


def test_generate_writes_an_export_that_checks_clean(capsys, tmp_path):
    out = tmp_path / "export"
    assert cli.main(["generate", "--pathways", "40", "--seed", "7", "--out", str(out), "-q"]) == 0
    run = invoke(capsys, "check", out, "--fail-on", "warning")
    assert run.code == cli.EXIT_OK, run.out


def test_generate_is_listed_in_the_help(capsys):
    assert cli.main(["--help"]) == cli.EXIT_OK
    assert "generate" in capsys.readouterr().out


#: Modules a check of JSON files does without, imported only when asked for (a check starts
#: sooner): the generator's (``generate``), the package metadata (the kit's version is written
#: in its ``__init__``; tqdm looks up its own when a meter is shown), the KITH mapping, XSDs,
#: reading of XML files (lxml), tables and data types (see ``pakkeforlop.kith``), the reference
#: validator (jsonschema: only for documents jsonschema-rs rejects, see
#: ``pakkeforlop.data.schemas``), the renderers of the formats not asked for (see
#: ``pakkeforlop.cli.outputs.RENDERERS``), ``explain`` and ``rules`` with the rules' fixtures,
#: importlib.resources (see ``pakkeforlop.data.locations.data_root``).
NOT_IMPORTED = (
    "pakkeforlop.synthetic",
    "importlib.metadata",
    "tqdm",
    "pakkeforlop.kith.mapping",
    "pakkeforlop.kith.xsd",
    "pakkeforlop.kith.parse",
    "pakkeforlop.kith.table",
    "pakkeforlop.kith.datatypes",
    "lxml",
    "jsonschema",
    "pakkeforlop.data.reference_validator",
    "pakkeforlop.report.formats.json_report",
    "pakkeforlop.report.formats.junit",
    "pakkeforlop.report.formats.html",
    "pakkeforlop.report.formats.sarif",
    "pakkeforlop.report.formats.gitlab",
    "pakkeforlop.cli.explain",
    "pakkeforlop.data.fixtures",
    "importlib.resources",
)


#: What a check of documents alone (no events, so no time limits measured) does without besides:
#: the statistics of the time limits' summaries (see ``pakkeforlop.rules.summaries``).
NOT_IMPORTED_WITHOUT_EVENTS = ("statistics", "fractions")


@pytest.mark.parametrize(
    ("checked", "unused"),
    [
        ("d11-phv-adults-completed", NOT_IMPORTED),
        ("d11-phv-adults-completed/referral.json", NOT_IMPORTED + NOT_IMPORTED_WITHOUT_EVENTS),
    ],
)
def test_the_check_imports_only_what_it_uses(checked: str, unused: tuple[str, ...]) -> None:
    code = (
        "import sys\n"
        "from pakkeforlop.cli import main\n"
        f"status = main(['check', {str(EXAMPLES / 'valid' / checked)!r}, '--quiet'])\n"
        f"unused = {unused!r}\n"
        "print(status, sorted(name for name in sys.modules if name in unused\n"
        "      or name.startswith(tuple(module + '.' for module in unused))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.splitlines()[-1] == "0 []"


def test_a_kith_name_imported_later_is_the_one_its_module_defines() -> None:
    from pakkeforlop import kith  # noqa: PLC0415
    from pakkeforlop.kith import mapping, parse, xsd  # noqa: PLC0415

    assert kith.read_xml_file is parse.read_xml_file
    assert kith.XmlProblemCode is parse.XmlProblemCode
    assert kith.parse is parse
    assert kith.XsdCatalog is xsd.XsdCatalog
    assert kith.map_documents is mapping.map_documents
    assert kith.xsd is xsd
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = kith.no_such_name  # type: ignore[attr-defined]
