"""Reading KITH XML safely: bombs, external entities and XInclude are findings, fast, read nothing.

"Read nothing outside the message" is checked with a named pipe (FIFO): every external
reference points at one, and opening a FIFO with no writer blocks forever, so any attempt to
read it would hang the check instead of finishing within the time limit.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from pakkeforlop.engine import ExportResult, check_file
from pakkeforlop.jsonread import Limits
from pakkeforlop.kith import XmlProblemCode, parse_xml, read_message, read_xml_file

from .conftest import EXAMPLES, shared_file

SECOND = 1.0
MSGHEAD = "http://www.kith.no/xmlstds/msghead/2006-05-24"


def _billion_laughs() -> str:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">' for level in range(1, 10)
    )
    return f'<?xml version="1.0"?>\n<!DOCTYPE lolz [{entities}]>\n<lolz>&lol9;</lolz>\n'


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    """A named pipe nobody writes to: opening it for reading would block."""
    if not hasattr(os, "mkfifo"):
        pytest.skip("named pipes are POSIX-only")
    path = tmp_path / "secret.fifo"
    os.mkfifo(path)
    return path


def _hostile(fifo: Path) -> dict[str, str]:
    uri = fifo.as_uri()
    return {
        "billion-laughs": _billion_laughs(),
        "external-entity-passwd": (
            '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
            "<r>&x;</r>\n"
        ),
        "external-entity": f'<!DOCTYPE r [<!ENTITY x SYSTEM "{uri}">]>\n<r>&x;</r>\n',
        "parameter-entity": f'<!DOCTYPE r [<!ENTITY % p SYSTEM "{uri}"> %p;]>\n<r/>\n',
        "external-dtd": f'<!DOCTYPE r SYSTEM "{uri}">\n<r/>\n',
        "network-dtd": '<!DOCTYPE r SYSTEM "http://example.invalid/evil.dtd">\n<r/>\n',
        "xinclude": (
            f'<MsgHead xmlns="{MSGHEAD}" xmlns:xi="http://www.w3.org/2001/XInclude">\n'
            f'  <xi:include href="{uri}" parse="text"/>\n</MsgHead>\n'
        ),
    }


def _check_within(path: Path, seconds: float) -> tuple[ExportResult | None, float]:
    """Check a file in a thread; (result or None if it did not finish, elapsed seconds)."""
    outcome: dict[str, ExportResult] = {}
    worker = threading.Thread(
        target=lambda: outcome.setdefault("result", check_file(path)), daemon=True
    )
    start = time.perf_counter()
    worker.start()
    worker.join(seconds * 5)
    return outcome.get("result"), time.perf_counter() - start


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("billion-laughs", "KITH-002"),
        ("external-entity-passwd", "KITH-002"),
        ("external-entity", "KITH-002"),
        ("parameter-entity", "KITH-002"),
        ("external-dtd", "KITH-002"),
        ("network-dtd", "KITH-002"),
        ("xinclude", "KITH-003"),
    ],
)
def test_hostile_xml_is_a_finding_within_a_second_and_reads_nothing_outside(
    name, rule, fifo, tmp_path
):
    path = tmp_path / f"{name}.xml"
    path.write_text(_hostile(fifo)[name], encoding="utf-8")
    result, elapsed = _check_within(path, SECOND)
    assert result is not None, f"{name}: the check hung (it opened the FIFO?)"
    assert elapsed < SECOND
    rules = {finding.rule for finding in result.findings}
    assert rule in rules
    rendered = " ".join(f.message(masked=False) for f in result.findings)
    assert "root:" not in rendered  # nothing of /etc/passwd


def test_a_doctype_stops_reading_before_any_entity_is_used(tmp_path):
    path = tmp_path / "passwd.xml"
    path.write_text(_hostile(Path("/nonexistent"))["external-entity-passwd"], encoding="utf-8")
    result = read_xml_file(path)
    assert result.tree is None
    assert [problem.code for problem in result.problems] == [XmlProblemCode.DOCTYPE]


def test_an_xinclude_element_is_reported_and_left_unprocessed(fifo):
    data = _hostile(fifo)["xinclude"].encode()
    result = parse_xml(data)
    assert [problem.code for problem in result.problems] == [XmlProblemCode.XINCLUDE]
    assert result.problems[0].line == 2
    include = result.tree.getroot()[0]
    assert include.tag == "{http://www.w3.org/2001/XInclude}include"  # still there, not expanded


def test_malformed_xml_is_a_finding_with_line_and_column(tmp_path):
    path = tmp_path / "broken.xml"
    path.write_text(f'<MsgHead xmlns="{MSGHEAD}">\n  <MsgInfo>\n</MsgHead>\n', encoding="utf-8")
    findings = check_file(path).findings
    assert [(f.rule, f.line, f.column) for f in findings] == [("KITH-001", 3, 11)]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", XmlProblemCode.MALFORMED),
        (b"   \n", XmlProblemCode.MALFORMED),
        (b"<a>\xe6\xf8\xe5</a>", XmlProblemCode.MALFORMED),  # Latin-1 bytes, no declaration
        (b'<?xml version="1.0" encoding="UTF-16"?><a/>', XmlProblemCode.MALFORMED),
        (b"\x00\x01\x02", XmlProblemCode.MALFORMED),
        (b"<a>" * 300 + b"</a>" * 300, XmlProblemCode.TOO_DEEP),
        (b"<a>&undefined;</a>", XmlProblemCode.MALFORMED),
    ],
)
def test_garbage_becomes_a_problem_never_an_exception(data, code):
    result = parse_xml(data)
    assert result.tree is None
    assert [problem.code for problem in result.problems] == [code]


def test_the_depth_limit_is_the_documents_limit():
    data = b"<a>" * 10 + b"</a>" * 10
    assert parse_xml(data, Limits(max_depth=10)).tree is not None
    result = parse_xml(data, Limits(max_depth=9))
    assert [problem.code for problem in result.problems] == [XmlProblemCode.TOO_DEEP]


def test_the_size_limit_is_the_documents_limit(tmp_path):
    path = tmp_path / "big.xml"
    path.write_bytes(b"<a>" + b" " * 2000 + b"</a>")
    result = read_xml_file(path, Limits(max_file_bytes=1000))
    assert [problem.code for problem in result.problems] == [XmlProblemCode.TOO_LARGE]
    assert [f.rule for f in check_file(path, limits=Limits(max_file_bytes=1000)).findings] == [
        "INPUT-002"
    ]


def test_an_unreadable_file_is_input_001(tmp_path):
    assert [f.rule for f in check_file(tmp_path / "missing.xml").findings] == ["INPUT-001"]


def test_the_xml_declaration_decides_the_encoding():
    path = shared_file("samples", "navikt_padm2", "dialogmelding_dialog_notat_dnr.xml")
    assert b'encoding="ISO-8859-1"' in path.read_bytes()[:60]
    message = read_message(read_xml_file(path).tree, path.name)
    sender = message.msg_info.find(f"{{{MSGHEAD}}}Sender")
    dn = [element.get("DN") for element in sender.iter(f"{{{MSGHEAD}}}TypeId")]
    assert "Organisasjonsnummeret i Enhetsregister (Brønnøysund)" in dn


def test_the_bundled_examples_parse_cleanly():
    for path in sorted(EXAMPLES.rglob("*.xml")):
        result = read_xml_file(path)
        assert result.problems == (), path
