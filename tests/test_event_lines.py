"""The devices of the event lines' fast path: what each proves, and what each saves.

The golden tests (``test_fast_path.py``) hold the fast path's results to the exact path's;
these hold each device to what it is there for.
"""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pytest
from msgspec.structs import astuple

from pakkeforlop.engine import check_file
from pakkeforlop.engine import events as event_reading
from pakkeforlop.engine.caps import FindingCaps
from pakkeforlop.engine.event_lines import event_record
from pakkeforlop.engine.recorder import Recorder
from pakkeforlop.read.events import keys_once

from .golden import EVENT_LINE, event_lines, everything


def _writes_a_key_twice(line: bytes) -> bool:
    twice = False

    def pairs(items: list[tuple[str, object]]) -> dict[str, object]:
        nonlocal twice
        twice = twice or len({key for key, _ in items}) < len(items)
        return dict(items)

    json.loads(line, object_pairs_hook=pairs)
    return twice


@pytest.mark.parametrize("name", sorted(event_lines()))
def test_counting_quotes_tells_a_key_written_twice(name: str) -> None:
    line = event_lines()[name]
    record = event_record()
    assert record is not None
    try:
        items = astuple(msgspec.json.Decoder(record.struct).decode(line))
    except msgspec.DecodeError:
        return  # the exact path reads it
    once = keys_once(line, record, items, record.quotes(items))
    if _writes_a_key_twice(line):
        assert not once
    elif b"\\" not in line:  # (an escaped quote before a colon may look like a key: exact path)
        assert once


def _events_file(tmp_path: Path, lines: list[bytes]) -> Path:
    path = tmp_path / "events.ndjson"
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def _patients(value: str) -> list[bytes]:
    """The example's line, and the same instance with another patient."""
    other = json.loads(EVENT_LINE)
    other["patient"] = {"type": "FNR", "value": value}
    return [EVENT_LINE, json.dumps(other).encode(), EVENT_LINE]


@pytest.mark.parametrize("value", ["02907931092", "13880450071"])
def test_lines_of_one_instance_with_another_patient_are_judged_by_their_own(
    tmp_path: Path, value: str
) -> None:
    # The entries of an instance are found by its id: the patient is compared, not assumed.
    path = _events_file(tmp_path, _patients(value))
    fast = check_file(path, display="events.ndjson")
    assert fast.fast == 3
    assert everything(fast) == everything(check_file(path, display="events.ndjson", exact=True))


def test_a_value_reported_once_per_file_is_looked_for_once_per_entry_and_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[object] = []
    first_in_file = Recorder.first_in_file

    def counted(self: Recorder, *args: object) -> bool:
        asked.append(args)
        return first_in_file(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(Recorder, "first_in_file", counted)
    path = _events_file(tmp_path, [EVENT_LINE] * 50)
    result = check_file(path, display="events.ndjson")
    assert "IDENTIFIER-003" in {finding.rule for finding in result.findings}
    assert len(asked) == 1  # not once per line


def test_a_hit_only_counted_is_not_located(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    located: list[int] = []
    locate = event_reading.located_line

    def counted(path: str, line: bytes, number: int) -> object:
        located.append(number)
        return locate(path, line, number)

    monkeypatch.setattr(event_reading, "located_line", counted)
    line = json.loads(EVENT_LINE)
    line["code"] = "D11QQ"  # not in the code list: a finding on every line
    path = _events_file(tmp_path, [json.dumps(line).encode()] * 30)
    result = check_file(path, display="events.ndjson", caps=FindingCaps.of(2))
    assert result.fast == 30
    assert sum(finding.count for finding in result.findings if not finding.summary) > 2
    assert len(located) == 2  # the findings kept, not the 28 counted
