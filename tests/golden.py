"""Golden comparisons: a result in comparable form, and crafted input that a fast parser or a
typed decoder could get wrong.

Each case is bytes: an NDJSON event line (from a valid example's line) or a whole document
(from a valid example's referral). :func:`crafted_export` writes them all into one export.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from pakkeforlop.data import fixtures
from pakkeforlop.engine import ExportResult

from .conftest import EXAMPLES

BASE = EXAMPLES / "valid" / "d11-phv-adults-completed"
EVENT_LINE: bytes = (BASE / "events.ndjson").read_bytes().splitlines()[2]
REFERRAL: bytes = (BASE / "referral.json").read_bytes()


def everything(result: ExportResult) -> dict[str, Any]:
    """All a result holds, in comparable form (findings and instances in their order)."""
    return {
        "findings": [
            (
                f.rule,
                f.severity,
                f.file,
                f.line,
                f.column,
                f.pointer,
                f.xpath,
                f.instance,
                f.count,
                f.summary,
                f.message(masked=False),
            )
            for f in result.findings
        ],
        "exercised": sorted(result.exercised),
        "kinds": sorted(result.kinds_seen),
        "counts": (result.documents, result.events, result.unread),  # not .fast: it differs
        "skips": result.skip_reasons,
        "instances": [
            (key, instance.ordered(), instance.referrals, instance.epicrises, instance.feedbacks)
            for key, instance in result.instances.items()
        ],
    }


def _event(**changes: object) -> dict[str, object]:
    value: dict[str, object] = json.loads(EVENT_LINE)
    value.update(changes)
    return value


def _compact(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _with_member(text: bytes, member: bytes) -> bytes:
    """``text`` (an object) with ``member`` (``"name":value``) added at its end."""
    end = text.rindex(b"}")
    return text[:end] + b"," + member + text[end:]


def _deep(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def event_lines() -> dict[str, bytes]:
    """Event lines, by name: valid ones in unusual spellings, and broken ones."""
    line = EVENT_LINE
    reordered = dict(reversed(list(json.loads(line).items())))
    return {
        "as-written": line,
        "duplicate-key": _with_member(line, b'"code":"D11A"'),
        "duplicate-key-same-value": _with_member(line, b'"careLevel":"outpatient"'),
        "duplicate-nested-key": line.replace(b'"type":"FNR"', b'"type":"FNR","type":"DNR"'),
        "colon-quote-in-string": _with_member(line, b'"note":"a\\":b\\":c"'),
        "colon-quote-in-string-and-duplicate": _with_member(line, b'"note":"x\\":y","note":"z"'),
        "spaced-colons": line.replace(b'":', b'" :'),
        "spaced-everywhere": json.dumps(json.loads(line), indent=1).replace("\n", " ").encode(),
        "escaped-key": line.replace(b'"code"', b'"co\\u0064e"'),
        "escaped-value": line.replace(b'"outpatient"', b'"outp\\u0061tient"'),
        "nan": _with_member(line, b'"note":NaN'),
        "infinity": _with_member(line, b'"note":-Infinity'),
        "number-note": _with_member(line, b'"note":12'),
        "long-int": _with_member(line, b'"note":' + b"7" * 200),
        "huge-int": _with_member(line, b'"note":' + b"7" * 5000),
        "long-float": _with_member(line, b'"note":1.' + b"5" * 120),
        "deep-nesting": _with_member(line, b'"note":' + _deep(100)),
        "very-deep-nesting": _with_member(line, b'"note":' + _deep(3000)),
        "shallow-nesting": _with_member(line, b'"note":' + _deep(3)),
        "lone-surrogate": _with_member(line, b'"note":"\\ud800"'),
        "surrogate-pair": _with_member(line, b'"note":"\\ud83d\\ude00"'),
        "bom": b"\xef\xbb\xbf" + line,
        "invalid-utf8": _with_member(line, b'"note":"\xff\xfe"'),
        "nul-in-string": _with_member(line, b'"note":"a\\u0000b"'),
        "raw-control": _with_member(line, b'"note":"a\tb"'),
        "crlf": line + b"\r",
        "trailing-space": line + b"  ",
        "trailing-garbage": line + b" x",
        "two-values": line + line,
        "truncated": line[:-9],
        "unclosed": line[:-1],
        "fields-out-of-order": _compact(reordered),
        "unknown-member": _with_member(line, b'"extra":1'),
        "schema-member": _with_member(
            line, b'"$schema":"https://schemas.pakkeforlop.no/v1/pathway-event.schema.json"'
        ),
        "wrong-schema-member": _with_member(line, b'"$schema":"https://example.org/x"'),
        "code-a-number": _compact(_event(code=5)),
        "code-null": _compact(_event(code=None)),
        "patient-a-string": _compact(_event(patient="02907931091")),
        "institution-empty": _compact(_event(institution={})),
        "institution-a-list": _compact(_event(institution=["314592018"])),
        "code-missing": _compact({k: v for k, v in _event().items() if k != "code"}),
        "ungrammatical-code": _compact(_event(code="D11a")),
        "unlisted-code": _compact(_event(code="D11QQ")),
        "prefix-mismatch": _compact(_event(code="D08A")),
        "impossible-date": _compact(_event(date="2025-02-30")),
        "date-with-time": _compact(_event(date="2025-02-10T10:00:00Z")),
        "date-year-zero": _compact(_event(date="0000-01-01")),
        "date-before-programme": _compact(_event(code="D11QQ", date="2018-12-31")),
        "date-after-export": _compact(_event(date="2026-01-01")),
        "recorded-lowercase": _compact(_event(recorded="2025-02-10t10:40:00z")),
        "recorded-leap-second": _compact(_event(recorded="2025-12-31T23:59:60Z")),
        "recorded-no-offset": _compact(_event(recorded="2025-02-10T10:40:00")),
        "care-level-unknown": _compact(_event(careLevel="day")),
        "pathway-type-unknown": _compact(_event(pathwayType="D99")),
        "instance-bad-characters": _compact(_event(instanceId="EKS D11")),
        "instance-too-long": _compact(_event(instanceId="E" * 65)),
        "org-number-bad-check-digit": _compact(_event(institution={"orgNumber": "314592019"})),
        "org-number-eight-digits": _compact(_event(institution={"orgNumber": "31459201"})),
        "org-number-newline": _compact(_event(institution={"orgNumber": "314592018\n"})),
        "her-id-leading-zero": _compact(_event(institution={"herId": "0123"})),
        "resh-id-only": _compact(_event(institution={"reshId": "4210311"})),
        "fnr-bad-check-digit": _compact(_event(patient={"type": "FNR", "value": "02907931092"})),
        "fnr-ten-digits": _compact(_event(patient={"type": "FNR", "value": "0290793109"})),
        "fnr-non-ascii-digits": _compact(_event(patient={"type": "FNR", "value": "\u0660" * 11})),
        "dnr": _compact(_event(patient={"type": "DNR", "value": "42907931091"})),
        "duf": _compact(_event(patient={"type": "DUF", "value": "123456789012"})),
        "duf-eleven-digits": _compact(_event(patient={"type": "DUF", "value": "12345678901"})),
        "patient-type-unknown": _compact(_event(patient={"type": "XYZ", "value": "02907931091"})),
        "patient-extra-member": _compact(
            _event(patient={"type": "FNR", "value": "02907931091", "x": "y"})
        ),
        "note-long": _compact(_event(note="n" * 501)),
        "note-at-limit": _compact(_event(note="\u00e6" * 500)),
        "note-astral": _compact(_event(note="\U0001f600" * 300)),
        "not-an-object": b'["D11A"]',
        "a-string": b'"D11A"',
        "empty-object": b"{}",
        "null": b"null",
        "only-spaces": b"   ",
        "whitespace-only-tab": b"\t",
    }


def documents() -> dict[str, bytes]:
    """Referral documents, by name: valid ones in unusual spellings, and broken ones."""
    text = REFERRAL
    value = json.loads(text)
    compact = _compact(value)
    return {
        "as-written": text,
        "compact": compact,
        "crlf": text.replace(b"\n", b"\r\n"),
        "bom": b"\xef\xbb\xbf" + text,
        "duplicate-key": _with_member(text, b'"kind":"new-condition"'),
        "duplicate-key-compact": _with_member(compact, b'"kind":"onward"'),
        "colon-quote-in-string": text.replace(b'"Jon"', b'"J\\":on"'),
        "colon-quote-in-string-and-duplicate": _with_member(
            text.replace(b'"Jon"', b'"J\\":on"'), b'"id":"x"'
        ),
        "escaped-key": text.replace(b'"issued"', b'"\\u0069ssued"', 1),
        "escaped-colon": text.replace(b'"Jon"', b'"J\\u003Aon"'),
        "escaped-colon-and-duplicate": _with_member(
            text.replace(b'"Jon"', b'"J\\u003aon"'), b'"id":"x"'
        ),
        "duplicate-key-with-colons": _with_member(text, b'"issued":"2025-01-13T09:50:00+01:00"'),
        "duplicate-key-escaped-hyphen": _with_member(text, b'"kind":"new\\u002dcondition"'),
        "year-zero": text.replace(b'"1979-10-02"', b'"0000-10-02"'),
        "year-zero-escaped-hyphen": text.replace(b'"1979-10-02"', b'"0000\\u002d10-02"'),
        "leap-second": text.replace(b"2025-01-13T09:50:00", b"2025-01-13T23:59:60"),
        "nan": _with_member(text, b'"x":NaN'),
        "infinity": _with_member(text, b'"x":Infinity'),
        "long-int": _with_member(text, b'"x":' + b"9" * 150),
        "int-just-under-limit": _with_member(text, b'"x":' + b"9" * 99),
        "huge-int": _with_member(text, b'"x":' + b"9" * 6000),
        "big-but-short-int": _with_member(text, b'"x":' + b"9" * 30),
        "long-digits-in-a-string": _with_member(text, b'"x":"' + b"9" * 150 + b'"'),
        "long-digits-in-a-string-and-a-long-int": _with_member(
            text, b'"x":"' + b"9" * 150 + b'","y":' + b"9" * 150
        ),
        "long-digits-in-an-escaped-string": _with_member(text, b'"x":"\\"' + b"9" * 150 + b'"'),
        "deep-nesting": _with_member(text, b'"x":' + _deep(70)),
        "very-deep-nesting": _with_member(text, b'"x":' + _deep(5000)),
        "nesting-at-limit": _with_member(text, b'"x":' + _deep(63)),
        "lone-surrogate": text.replace(b'"Jon"', b'"\\udc00"'),
        "invalid-utf8": text.replace(b'"Jon"', b'"J\xc3\x28n"'),
        "trailing-garbage": text + b"x",
        "trailing-newlines": text + b"\n\n",
        "truncated": text[: len(text) // 2],
        "unknown-member": _with_member(text, b'"unexpected":{"a":[1,2,{"b":null}]}'),
        "reordered": _compact(dict(reversed(list(value.items())))),
        "wrong-type": _compact({**value, "issued": 20250113}),
        "not-an-object": b"[1,2,3]",
        "empty": b"",
        "spaces": b"  \n ",
    }


def crafted_export(target: Path) -> Path:
    """A copy of a valid example with every crafted event line and document added."""
    shutil.copytree(BASE, target)
    lines = list(event_lines().values())
    # Blank lines and lines over the limit between the crafted ones, as real files have them.
    body = b"\n".join([*lines, b"", *lines[:3]]) + b"\n"
    (target / "crafted.ndjson").write_bytes(body)
    (target / "crafted-crlf.ndjson").write_bytes(body.replace(b"\n", b"\r\n"))
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    files = manifest["files"]
    files.append({"path": "crafted.ndjson", "kind": "pathway-events"})
    files.append({"path": "crafted-crlf.ndjson", "kind": "pathway-events"})
    for name, text in documents().items():
        (target / f"referral-{name}.json").write_bytes(text)
        files.append({"path": f"referral-{name}.json", "kind": "referral"})
    (target / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    fixtures.refresh_digests(target)
    return target
