"""The files an export's manifest declares: each found, read once, checked, and its digest
compared; the same file declared twice is checked once."""

from __future__ import annotations

import hashlib
import os
import posixpath
import stat
import threading
from collections.abc import Mapping
from operator import itemgetter
from pathlib import Path
from typing import Any

from pakkeforlop.engine.documents import DocumentChecker
from pakkeforlop.engine.events import EventReader
from pakkeforlop.engine.kith_files import KithReader
from pakkeforlop.model.records import Document
from pakkeforlop.read import (
    JsonText,
    Limits,
    ReadResult,
    Sink,
    fast_text,
    parse_document,
    read_json_file,
    read_whole,
)
from pakkeforlop.read.folders import Identity, identity, relative_key, status_id
from pakkeforlop.rules.engine_reported import (
    DIGEST_RULE,
    KITH_MESSAGE,
    MISSING_FILE_RULE,
    REPEATED_FILE_RULE,
)

#: The export-manifest file kinds and the document kind of what they hold.
FILE_KINDS: Mapping[str, str] = {
    "referral": "referral",
    "epicrisis": "epicrisis",
    "feedback": "feedback",
    "pathway-events": "pathway-event",
    KITH_MESSAGE: KITH_MESSAGE,
}
#: One file declared in the manifest: (index, path as written, kind, SHA-256 or None).
Declared = tuple[int, str, str, str | None]
#: What the files that have readers of their own hold (NDJSON event lines, KITH messages);
#: the files of every other kind hold a JSON document.
_READ_APART = frozenset({"pathway-event", KITH_MESSAGE})
#: Whether a relative path (with no leading ``/``) joins to a folder as text: ``os.path.join``
#: gives the same on POSIX, at about 0.9 µs per file; elsewhere (drive letters) it joins.
_JOINED_AS_TEXT = os.path is posixpath


def checkable(entry: Declared) -> bool:
    """False for a path or kind the manifest's schema rejects (its findings report those)."""
    _, relative, kind, _ = entry
    return (
        not relative.startswith("/")
        and (".." not in relative or ".." not in relative.split("/"))  # (split only if there)
        and "\x00" not in relative
        and kind in FILE_KINDS
    )


def plainly_spelled(paths: list[str]) -> bool:
    """Whether every path is :func:`checkable` as far as its text goes, and spelled as
    :func:`~pakkeforlop.read.folders.relative_key` spells it: none empty, none starting with
    ``/`` or ``.``, none ending with ``/``, none holding ``//``, ``/.`` or NUL. (Stricter
    than needed: a part such as ``.hidden`` fails it too; the caller then tests each path.)

    Why: told of all the paths at once, joined by ``/`` (a path that starts with ``/`` or
    ``.``, or ends with ``/``, then makes ``//`` or ``/.`` with its neighbour), by three
    searches of the joined text in C (13 ms for 150,000 paths, where :func:`checkable`
    called on each cost 23 ms, and spelling each as its key more).
    """
    text = "/".join(paths)
    return (
        (bool(text) or not paths)  # (a single path, empty)
        and not text.startswith(("/", "."))
        and not text.endswith("/")
        and "//" not in text
        and "/." not in text
        and "\x00" not in text
    )


class FileChecker:
    """Reads and checks one run's declared files, and remembers which files it read."""

    def __init__(
        self,
        documents: DocumentChecker,
        events: EventReader,
        kith: KithReader,
        limits: Limits,
        *,
        exact: bool,
    ) -> None:
        self.documents = documents
        self.recorder = documents.recorder
        self.events = events
        self.kith = kith
        self.limits = limits
        self.exact = exact
        #: The export's folder as text, to join the paths the manifest declares to.
        self.root = os.fspath(self.recorder.root)
        #: The same, with a separator after it: a relative path is joined by adding it.
        self.prefix = os.path.join(self.root, "")  # noqa: PTH118
        #: The declared files read so far, to tell undeclared files from them.
        self.identities: set[Identity] = set()
        #: What the manifest supplies for KITH messages, by the index of their entry.
        self.supplements: dict[int, dict[str, Any]] = {}

    def read_document(
        self,
        path: str | Path,
        sink: Sink | None = None,
        shown: str | None = None,
        status: os.stat_result | None = None,
    ) -> ReadResult:
        """Read a JSON document (the fast parse first, unless exact); its problems reported
        under ``shown`` (default: how findings name ``path``). ``status``: the path's, if just
        taken (see :func:`pakkeforlop.read.read_bounded`)."""
        result = read_json_file(path, self.limits, sink=sink, fast=not self.exact, status=status)
        self._record(result, path, shown)
        return result

    def _record(self, result: ReadResult, path: str | Path, shown: str | None) -> None:
        """What reading a document tells: its problems, whether it was read, and how."""
        recorder = self.recorder
        recorder.mark_read()
        if result.problems:
            recorder.input_problems(shown or recorder.display(Path(path)), result.problems)
        if result.text is None:
            recorder.result.unread += 1
        recorder.result.fast += result.guarded

    def checkable_once(
        self, declared: list[Declared]
    ) -> tuple[list[Declared], set[str] | dict[str, int]]:
        """The :func:`checkable` declared files, each once, and the paths they are declared
        by: :meth:`once_each` of them.

        Where every path is :func:`plainly_spelled`, of a kind in :data:`FILE_KINDS`, and
        declared once, every entry is checkable and its own first declaration: the entries
        are given back as they are (in a new list: the caller empties its own), with the set
        of their paths. Why: the test per entry and the spelling of each path it stood for (a
        call each, and a dictionary's insertion) cost 80 ms of the serial start for 150,000
        declared files; these tests, in C over all of them, cost about 30 ms. The
        paths are a set, not a dictionary: only membership is asked of them
        (:func:`~pakkeforlop.read.folders.data_files`).
        """
        paths = list(map(itemgetter(1), declared))
        if (
            FILE_KINDS.keys() >= set(map(itemgetter(2), declared))
            and plainly_spelled(paths)
            and len(distinct := set(paths)) == len(paths)
        ):
            self.recorder.result.exercised.add(REPEATED_FILE_RULE)
            return declared.copy(), distinct
        return self.once_each([entry for entry in declared if checkable(entry)])

    def once_each(self, declared: list[Declared]) -> tuple[list[Declared], dict[str, int]]:
        """The declared files, each once: a later declaration of the same file (under another
        kind, or another spelling of its path) is a finding, and is not checked again. With
        them, each declared path (as :func:`~pakkeforlop.read.folders.relative_key` spells it)
        and the index of its first entry."""
        recorder = self.recorder
        recorder.result.exercised.add(REPEATED_FILE_RULE)
        first: dict[str, int] = {}
        once = []
        for entry in declared:
            index, relative, _, _ = entry
            earlier = first.setdefault(relative_key(relative), index)
            if earlier == index:
                once.append(entry)
                continue
            recorder.report(
                REPEATED_FILE_RULE,
                recorder.manifest_shown,
                (
                    "{file} is declared at /files/{earlier} too",
                    {"file": relative, "earlier": earlier},
                ),
                pointer=f"/files/{index}/path",
            )
        return once, first

    def place(self, entry: Declared) -> tuple[str, str]:
        """Where a (checkable) declared file is, and how findings name it.

        A path spelled plainly (no empty or ``.`` part) is joined as text: pathlib would give
        the same, at a cost that counts for hundreds of thousands of files. (Its parts are
        plain when, wrapped in ``/``, it holds neither ``//`` nor ``/./``: a test of the text,
        cheaper than splitting it.)
        """
        relative = entry[1]
        recorder = self.recorder
        wrapped = f"/{relative}/"
        if "//" in wrapped or "/./" in wrapped:
            path = recorder.root.joinpath(*relative.split("/"))
            return os.fspath(path), recorder.display(path)
        if _JOINED_AS_TEXT:
            return self.prefix + relative, recorder.display_relative(relative)
        return os.path.join(self.root, relative), recorder.display_relative(relative)  # noqa: PTH118

    def check(self, entry: Declared, where: str, shown: str) -> None:
        """Check one declared file (at ``where``, named ``shown``): that it exists, its digest,
        what it holds."""
        recorder = self.recorder
        index, relative, kind, digest = entry
        try:
            status: os.stat_result | None = os.stat(where)  # noqa: PTH116 (no Path per file)
        except (FileNotFoundError, NotADirectoryError):
            status = None
            missing = not Path(where).is_symlink()  # a dangling link is there: reading says why
        except (OSError, ValueError):  # there, but not to be looked at: reading it reports why
            status, missing = None, False
        else:
            missing = False
        self.identities.add(identity(Path(where), status) if status is None else status_id(status))
        if missing:
            recorder.result.unread += 1
            recorder.report(
                MISSING_FILE_RULE,
                recorder.manifest_shown,
                ("{file}", {"file": relative}),
                pointer=f"/files/{index}/path",
            )
            return
        holds = FILE_KINDS[kind]
        read: bytes | Digest | None = None
        try:
            if holds in _READ_APART:
                read = Digest() if digest is not None else None
                self._read_apart(where, holds, index, read)
            else:
                read = self._document(where, shown, holds, status)
        except Exception as error:  # the kit's bug must not cost the other files
            recorder.internal_error("reading the file", shown, error)
            return
        if digest is None:
            return
        found = sha256(where, read, status)
        if found is not None and found != digest:
            recorder.report(
                DIGEST_RULE,
                recorder.manifest_shown,
                ("{file}", {"file": relative}),
                pointer=f"/files/{index}/sha256",
            )

    def _read_apart(self, where: str, kind: str, index: int, read: Sink | None) -> None:
        """Read and check one declared NDJSON file or KITH message (each has its reader)."""
        if kind == "pathway-event":
            self.events.read(Path(where), read)
        else:
            self.kith.read(Path(where), self.supplements.get(index, {}), read)

    def _document(self, where: str, shown: str, kind: str, status: os.stat_result | None) -> bytes:
        """Read and check one declared JSON document; the bytes read, for its digest.

        ``status``, taken just before, spares the reader a second system call for it. What
        the fast parse reads is checked straight away: the :class:`ReadResult` the others
        report through (a frozen dataclass) would cost about 1 µs per document, which counts
        for hundreds of thousands of them.
        """
        limits = self.limits
        data, problem = read_whole(where, limits.max_file_bytes, status)
        text = fast_text(data, limits) if problem is None and not self.exact else None
        if text is not None:
            recorder = self.recorder
            recorder.mark_read()
            recorder.result.fast += 1
            self.documents.check(Document(kind, shown, text.value, text), native_formats=True)
            return data
        if problem is None:
            result = parse_document(data, self.limits, fast=False)  # (the fast one was tried)
        else:
            result = ReadResult(None, (problem,))
        self._record(result, where, shown)
        if result.text is not None:
            document = Document(kind, shown, result.text.value, result.text)
            self.documents.check(document, native_formats=False)
        return data


def text_again(path: Path, digest: bytes, limits: Limits, *, exact: bool) -> JsonText | None:
    """The text of the document at ``path``, read and parsed again as it was the first time
    (``exact``: by the exact path alone), without its value; ``None`` unless its bytes are
    still those whose SHA-256 is ``digest`` (it changed, or cannot be read: its places are not
    known). Nothing is reported: the document's problems were when it was first read.

    A function, not a method: the recorder keeps it (bound to its arguments) for a run's
    whole length, and a reference back to the reader would make a cycle that only a full
    garbage collection frees, keeping the run's result alive after its last use (at the
    end of a command, the collection at exit took 0.2 s to free 150,000 documents' facts).
    """
    again = Digest()
    result = read_json_file(path, limits, sink=again, fast=not exact)
    if result.text is None or again.hash.digest() != digest:
        return None
    return result.text.located()


class Digest:
    """The SHA-256 of the bytes a reader read, and how many it read."""

    __slots__ = ("hash", "size")

    def __init__(self) -> None:
        self.hash = hashlib.sha256()
        self.size = 0

    def update(self, data: bytes, /) -> None:
        """More bytes read."""
        self.hash.update(data)
        self.size += len(data)


#: From how many bytes :class:`DigestAside` hashes in a thread (fewer cost less than starting one).
ASIDE_BYTES = 1 << 20


class DigestAside:
    """The SHA-256 of the bytes a reader read, computed in a thread of its own while this one
    goes on; a context, whose end waits for the thread.

    Why: :mod:`hashlib` lets other threads run while it hashes more than a few KiB, so the
    manifest's digest (19 ms of CPU for the 22 MB that declare 150,000 files) is computed on
    the core that the serial start otherwise leaves idle, while this thread parses and checks
    the manifest. The thread has ended once the context is left: before any worker process is
    forked (a fork is made only with one thread running: see
    :func:`~pakkeforlop.engine.parallel.can_fork`). Fewer than :data:`ASIDE_BYTES` are hashed
    at once, in this thread.
    """

    __slots__ = ("_hash", "_thread")

    def __init__(self) -> None:
        self._hash = hashlib.sha256()
        self._thread: threading.Thread | None = None

    def update(self, data: bytes, /) -> None:
        """More bytes read (hashed after the ones before)."""
        self.wait()
        if len(data) < ASIDE_BYTES:
            self._hash.update(data)
            return
        self._thread = threading.Thread(target=self._hash.update, args=(data,), name="digest")
        self._thread.start()

    def wait(self) -> None:
        """Wait until every byte read is hashed."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def digest(self) -> bytes:
        """The SHA-256 of every byte read."""
        self.wait()
        return self._hash.digest()

    def __enter__(self) -> DigestAside:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.wait()


def sha256(path: str, read: bytes | Digest | None, status: os.stat_result | None) -> str | None:
    """The file's digest: of the bytes read (``read``: them, or a :class:`Digest` of them)
    when they were the whole file (as ``status``, taken before reading, measured it), else
    read again. The bytes of a document read in one piece are hashed in one call, with no
    :class:`Digest` fed along the way.

    ``None`` when it is not a regular file or cannot be read (reading the file reports that).
    """
    if status is None or not stat.S_ISREG(status.st_mode):
        return None
    if isinstance(read, bytes):
        if len(read) == status.st_size:
            return hashlib.sha256(read).hexdigest()
    elif read is not None and read.size == status.st_size:
        return read.hash.hexdigest()
    digest = hashlib.sha256()  # not read, or not whole: a file over the size limit, say
    try:
        with open(path, "rb") as handle:  # noqa: PTH123 (a path as text)
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()
