"""The ``pakkeforlop check`` command: output and exit codes."""

from __future__ import annotations

import pytest

from pakkeforlop import cli

from .conftest import EXAMPLES


def test_it_exits_0_on_the_valid_examples(capsys):
    assert cli.main(["check", str(EXAMPLES / "valid")]) == cli.EXIT_OK
    assert "0 violation(s)" in capsys.readouterr().out


def test_it_exits_1_and_names_file_and_pointer_on_an_invalid_export(capsys):
    assert cli.main(["check", str(EXAMPLES / "invalid")]) == cli.EXIT_VIOLATIONS
    output = capsys.readouterr().out
    assert ".json: /" in output


def test_it_exits_2_on_a_missing_path(capsys, tmp_path):
    with pytest.raises(SystemExit) as raised:
        cli.main(["check", str(tmp_path / "missing")])
    assert raised.value.code == cli.EXIT_USAGE
    assert "no such file or folder" in capsys.readouterr().err


def test_a_folder_without_a_manifest_is_reported(tmp_path, capsys):
    assert cli.main(["check", str(tmp_path)]) == cli.EXIT_VIOLATIONS
    assert "no manifest.json" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "malformed JSON"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b'{"a": NaN}', "not valid JSON"),
        (b'{"$schema": "https://example.org/x"}', "names no published schema"),
    ],
    ids=["empty", "not-utf8", "nan", "unknown-schema"],
)
def test_bad_input_is_a_violation_not_a_traceback(tmp_path, capsys, content, message):
    document = tmp_path / "document.json"
    document.write_bytes(content)
    assert cli.main(["check", str(document)]) == cli.EXIT_VIOLATIONS
    assert message in capsys.readouterr().out
    assert document.read_bytes() == content
