"""Write a synthetic export incrementally: nothing of the export is held in memory whole.

Layout (``--out DIR``)::

    manifest.json                         written last: every file with its SHA-256
    referrals/000/REF-2024-0000001.json   one JSON document per referral, 1000 per folder
    epicrises/000/EPI-2024-0000001.json   one per epicrisis of an ended instance
    feedback/000/FB-2024-0000001-1.json   feedback to the referrer and the GP, in the folder
                                          of its instance's number
    events/events-2024-001.ndjson         measurement points, one per line

Events are written in registration order (``recorded``), as a system logs them: an instance's
events are held back only until no later instance can register anything earlier, so what
waits in memory is the events of the instances still open, never the whole file. The files
roll over by registration year and after ``events_per_file`` lines. With
``event_order="instance"`` each instance's events are written together instead.

Digests are computed from the bytes as they are written; the manifest's file list is spooled
to temporary files and streamed into ``manifest.json`` at the end.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any, Final

from pakkeforlop.synthetic.defects import wrong_digest
from pakkeforlop.synthetic.model import Event, Plan, TruthEntry

MANIFEST: Final = "manifest.json"
EVENT_ORDERS: Final = ("recorded", "instance")


@dataclass(slots=True)
class WriteStats:
    """What was written."""

    referrals: int = 0
    epicrises: int = 0
    feedbacks: int = 0
    events: int = 0
    event_files: int = 0
    bytes: int = 0
    files: list[str] = field(default_factory=list)  # event files only


def _document_bytes(value: dict[str, Any]) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _line_bytes(event: Event) -> bytes:
    if event.raw is not None:
        return (event.raw + "\n").encode("utf-8")
    return (json.dumps(event.value, ensure_ascii=False, separators=(",", ":")) + "\n").encode(
        "utf-8"
    )


class _EventsFile:
    """One NDJSON file being written, with its running digest and line count."""

    def __init__(self, root: Path, relative: str) -> None:
        self.relative = relative
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        self.handle: IO[bytes] = path.open("wb")
        self.digest = hashlib.sha256()
        self.lines = 0
        self.size = 0

    def write(self, data: bytes) -> int:
        self.handle.write(data)
        self.digest.update(data)
        self.lines += 1
        self.size += len(data)
        return self.lines

    def close(self) -> str:
        self.handle.close()
        return self.digest.hexdigest()


class ExportWriter:
    """Writes documents and events as they come, and the manifest at the end."""

    def __init__(
        self, root: Path, *, event_order: str = "recorded", events_per_file: int = 250_000
    ) -> None:
        if event_order not in EVENT_ORDERS:
            msg = f"event_order must be one of {EVENT_ORDERS}, not {event_order!r}"
            raise ValueError(msg)
        self.root = root
        self.event_order = event_order
        self.events_per_file = events_per_file
        self.stats = WriteStats()
        self._spool = {
            kind: tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 - closed in finish
            for kind in ("referral", "pathway-events", "epicrisis", "feedback")
        }
        self._counts = dict.fromkeys(self._spool, 0)
        self._manifest_truth: list[tuple[int, TruthEntry]] = []
        self._pending: list[tuple[int, int, int, bytes, list[TruthEntry]]] = []
        self._sequence = 0
        self._file: _EventsFile | None = None
        self._file_key: object = None
        self._part = 0
        self._folders: set[Path] = set()

    # -- documents ---------------------------------------------------------------------------

    def _declare(self, kind: str, relative: str, digest: str) -> int:
        entry = {"path": relative, "kind": kind, "sha256": digest}
        self._spool[kind].write(json.dumps(entry, ensure_ascii=False) + "\n")
        self._counts[kind] += 1
        return self._counts[kind] - 1

    def _write_document(self, relative: str, data: bytes) -> None:
        path = self.root / relative
        if path.parent not in self._folders:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(path.parent)
        path.write_bytes(data)
        self.stats.bytes += len(data)

    def write_plan(self, plan: Plan) -> None:
        """Write an instance's referral, epicrisis and feedback now, and its events in order."""
        data = _document_bytes(plan.referral)
        if plan.referral_bom:
            data = b"\xef\xbb\xbf" + data
        self._write_document(plan.referral_path, data)
        digest = hashlib.sha256(data).hexdigest()
        if plan.referral_wrong_digest:
            digest = wrong_digest(data)
            index = self._declare("referral", plan.referral_path, digest)
            self._manifest_truth.extend(
                (index, entry) for entry in plan.truth if entry.defect == "manifest-wrong-digest"
            )
        else:
            self._declare("referral", plan.referral_path, digest)
        self.stats.referrals += 1
        if plan.epicrisis is not None and plan.epicrisis_path is not None:
            data = _document_bytes(plan.epicrisis)
            self._write_document(plan.epicrisis_path, data)
            self._declare("epicrisis", plan.epicrisis_path, hashlib.sha256(data).hexdigest())
            self.stats.epicrises += 1
        for relative, value in plan.feedbacks:
            data = _document_bytes(value)
            self._write_document(relative, data)
            self._declare("feedback", relative, hashlib.sha256(data).hexdigest())
            self.stats.feedbacks += 1
        self._add_events(plan.start, plan.events)

    # -- events ------------------------------------------------------------------------------

    def _add_events(self, start: date, events: Iterable[Event]) -> None:
        if self.event_order == "instance":
            batch = list(events)
            if self._file is not None and self._file.lines + len(batch) > self.events_per_file:
                self._close_file()
            for event in batch:
                self._emit("instance", _line_bytes(event), event.truth)
            return
        threshold = start.toordinal()
        while self._pending and self._pending[0][0] < threshold:
            recorded, _minute, _seq, data, truth = heapq.heappop(self._pending)
            self._emit(date.fromordinal(recorded).year, data, truth)
        for event in events:
            self._sequence += 1
            heapq.heappush(
                self._pending,
                (
                    event.recorded.toordinal(),
                    event.minute,
                    self._sequence,
                    _line_bytes(event),
                    event.truth,
                ),
            )

    def _emit(self, key: object, data: bytes, truth: list[TruthEntry]) -> None:
        file = self._file
        if file is None or key != self._file_key or file.lines >= self.events_per_file:
            self._close_file()
            if key != self._file_key:
                self._part = 0
            self._part += 1
            self._file_key = key
            name = (
                f"events/events-{self._part:04d}.ndjson"
                if key == "instance"
                else f"events/events-{key}-{self._part:03d}.ndjson"
            )
            file = self._file = _EventsFile(self.root, name)
        line = file.write(data)
        self.stats.events += 1
        for entry in truth:
            entry.file, entry.line = file.relative, line

    def _close_file(self) -> None:
        if self._file is None:
            return
        digest = self._file.close()
        self._declare("pathway-events", self._file.relative, digest)
        self.stats.bytes += self._file.size
        self.stats.event_files += 1
        self.stats.files.append(self._file.relative)
        self._file = None

    # -- the manifest --------------------------------------------------------------------------

    def finish(self, manifest: dict[str, Any]) -> None:
        """Flush the events, then write ``manifest.json`` with every file (``manifest`` is
        the manifest without ``files``)."""
        while self._pending:
            recorded, _minute, _seq, data, truth = heapq.heappop(self._pending)
            self._emit(date.fromordinal(recorded).year, data, truth)
        self._close_file()
        head = dict(manifest)
        head["files"] = "\0files\0"
        before, after = json.dumps(head, ensure_ascii=False, indent=2).split(
            '"\\u0000files\\u0000"'
        )
        for index, entry in self._manifest_truth:
            entry.pointer = f"/files/{index}/sha256"
        path = self.root / MANIFEST
        with path.open("w", encoding="utf-8", newline="\n") as handle:
            handle.write(before + "[")
            first = True
            for kind in ("referral", "pathway-events", "epicrisis", "feedback"):
                spool = self._spool[kind]
                spool.seek(0)
                for line in spool:
                    entry = json.loads(line)
                    rendered = json.dumps(entry, ensure_ascii=False, indent=2)
                    handle.write(("\n" if first else ",\n") + _indent(rendered, 4))
                    first = False
                spool.close()
            handle.write("\n  ]" + after + "\n")
        self.stats.bytes += path.stat().st_size


def _indent(text: str, spaces: int) -> str:
    pad = " " * spaces
    return "\n".join(pad + line for line in text.splitlines())
