"""Reading KITH XML safely: bombs, external entities and XInclude are findings, read nothing.

"Read nothing outside the message" is checked with a named pipe (FIFO): every external
reference points at one, and opening a FIFO with no writer blocks forever, so any attempt to
read it would hang the check (a guard catches that); the bytes read are counted too. No test
here asserts a time: entities are shown unexpanded in the tree itself.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from lxml import etree

from pakkeforlop.engine import ExportResult, check_file
from pakkeforlop.kith import XmlProblemCode, parse, parse_xml, read_message, read_xml_file
from pakkeforlop.kith.parse import hardened_parser
from pakkeforlop.read import Limits

from .conftest import EXAMPLES, shared_file

#: Only a guard against a hang (a FIFO opened for reading blocks forever), not a time bound:
#: what the tests assert is the work done.
HANG_GUARD_SECONDS = 120.0
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


class _Counted:
    """A sink that counts the bytes the reader read."""

    def __init__(self) -> None:
        self.size = 0

    def update(self, data: bytes, /) -> None:
        self.size += len(data)


def _check_guarded(path: Path) -> ExportResult | None:
    """Check a file in a thread; its result, or None if it hung (it opened the FIFO)."""
    outcome: dict[str, ExportResult] = {}
    worker = threading.Thread(
        target=lambda: outcome.setdefault("result", check_file(path)), daemon=True
    )
    worker.start()
    worker.join(HANG_GUARD_SECONDS)
    return outcome.get("result")


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
def test_hostile_xml_is_a_finding_and_reads_nothing_outside(name, rule, fifo, tmp_path):
    path = tmp_path / f"{name}.xml"
    path.write_text(_hostile(fifo)[name], encoding="utf-8")
    result = _check_guarded(path)
    assert result is not None, f"{name}: the check hung (it opened the FIFO?)"
    rules = {finding.rule for finding in result.findings}
    assert rule in rules
    rendered = " ".join(f.message(masked=False) for f in result.findings)
    assert "root:" not in rendered  # nothing of /etc/passwd
    read = _Counted()
    read_xml_file(path, sink=read)
    assert read.size == path.stat().st_size  # the file itself, and nothing else, was read


def test_no_entity_is_ever_expanded_whatever_the_caps():
    declared = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "expanded">]><r>&a;</r>'
    bomb = _billion_laughs().encode()
    for large_text in (False, True):
        parser = hardened_parser(large_text=large_text)
        root = etree.fromstring(declared, parser)
        (reference,) = root  # the reference stays a reference: nothing was expanded
        assert reference.tag is etree.Entity
        assert reference.text == "&a;"
        assert root.text is None
        with pytest.raises(etree.XMLSyntaxError, match="amplification"):
            etree.fromstring(bomb, hardened_parser(large_text=large_text))
    assert [p.code for p in parse_xml(bomb).problems] == [XmlProblemCode.DOCTYPE]


def test_a_document_with_a_doctype_is_never_parsed_without_the_caps(monkeypatch):
    large = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "b">]><r>' + b"QUFB" * 3_000_000 + b"</r>"
    )
    asked: list[bool] = []
    original = parse.hardened_parser

    def watched(**options: bool) -> object:
        asked.append(options.get("large_text", False))
        return original(**options)

    monkeypatch.setattr(parse, "hardened_parser", watched)
    result = parse_xml(large)
    assert [problem.code for problem in result.problems] == [XmlProblemCode.DOCTYPE]
    assert not any(asked)


def test_a_text_node_over_10_mb_is_read_without_a_doctype():
    large = b'<?xml version="1.0"?><r><b>' + b"QUFB" * 3_000_000 + b"</b></r>"
    result = parse_xml(large)
    assert result.problems == ()
    assert len(result.tree.getroot()[0].text) == 12_000_000


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


def test_a_message_with_an_attachment_over_10_mb_is_checked_like_without_it(tmp_path):
    original = EXAMPLES / "valid" / "kith-d11-phv-adults" / "henvisning.xml"
    text = original.read_text(encoding="utf-8")
    attachment = (
        "  <Document>\n    <RefDoc>\n"
        '      <MsgType V="A" DN="Vedlegg"/>\n'
        "      <MimeType>application/pdf</MimeType>\n"
        "      <Content>\n"
        '        <Base64Container xmlns="http://www.kith.no/xmlstds/base64container">'
        + "JVBERi0x"
        * 1_500_000
        + "</Base64Container>\n"
        "      </Content>\n    </RefDoc>\n  </Document>\n"
    )
    large = tmp_path / "henvisning.xml"
    large.write_text(text.replace("</MsgHead>", attachment + "</MsgHead>"), encoding="utf-8")
    assert large.stat().st_size > 12_000_000

    def rules(path: Path) -> list[str]:
        return sorted(f.rule for f in check_file(path, display="henvisning.xml").findings)

    assert "KITH-001" not in rules(large)
    assert rules(large) == rules(original)
