"""Reading JSON documents and NDJSON files: bounded, through one descriptor, never a traceback."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO, Final, Protocol, cast

from pakkeforlop.read.fast_json import fast_object
from pakkeforlop.read.json_locate import JsonText
from pakkeforlop.read.json_parse import SHAPE, _Decoders, _parse, may_hold_long_number
from pakkeforlop.read.problems import (
    DEFAULT_LIMITS,
    InputProblem,
    InputProblemCode,
    Limits,
    ReadResult,
)

_BLANK_BYTES = re.compile(rb"[ \t\r\n]*+")
#: How much of an NDJSON file is read at a time.
_BLOCK_BYTES = 128 * 1024


class Sink(Protocol):
    """Receives every byte a file reader reads, in order (e.g. to compute the file's digest)."""

    def update(self, data: bytes, /) -> None: ...


def _unreadable(error: OSError | ValueError, after_line: int | None = None) -> InputProblem:
    reason = error.strerror if isinstance(error, OSError) and error.strerror else "invalid path"
    where = "" if after_line is None else f" after line {after_line}"
    return InputProblem(InputProblemCode.UNREADABLE, f"cannot read the file{where}: {reason}")


def _file_problem(
    path: str | Path, max_bytes: int | None, status: os.stat_result | None = None
) -> InputProblem | int:
    """Why ``path`` must not be opened (missing, a folder, a pipe, too large); else its size.

    ``status``: the path's, if the caller has just taken it (else it is taken here).
    """
    if status is None:
        try:
            status = os.stat(path)  # noqa: PTH116 (a path as text, or a Path)
        except (OSError, ValueError) as error:
            return _unreadable(error)
    if stat.S_ISREG(status.st_mode):  # (the common case first: one test)
        size = status.st_size
        return size if max_bytes is None or size <= max_bytes else _too_large_file(size, max_bytes)
    if stat.S_ISDIR(status.st_mode):
        return InputProblem(InputProblemCode.UNREADABLE, "cannot read the file: it is a directory")
    message = "cannot read the file: it is not a regular file (a device, pipe or socket)"
    return InputProblem(InputProblemCode.UNREADABLE, message)


def _too_large_file(size: int, max_bytes: int) -> InputProblem:
    message = f"the file is {size} bytes, over the limit of {max_bytes} bytes; it was not read"
    return InputProblem(InputProblemCode.TOO_LARGE, message)


#: Read-only and binary (Windows); non-blocking, so that opening a named pipe returns at once.
#: Python opens descriptors not inheritable (PEP 446).
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)


def _read_up_to(descriptor: int, count: int) -> bytes:
    """Up to ``count`` bytes, fewer only at the end of the file."""
    data = os.read(descriptor, count)
    if len(data) == count or not data:
        return data
    parts = [data]
    remaining = count - len(data)
    while remaining and (part := os.read(descriptor, remaining)):
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)


def _read_on(descriptor: int, data: bytes, size: int, max_bytes: int) -> bytes:
    """The file's bytes, after a first read (``data``, of ``size + 1`` asked for) that did not
    stop where the file was measured to end (``size``): short (a network file system may read
    in pieces: read on), or longer (the file grew after it was measured: read on to the limit).
    """
    if 0 < len(data) < size:
        data += _read_up_to(descriptor, size + 1 - len(data))
    if len(data) > size:
        data += _read_up_to(descriptor, max_bytes + 1 - len(data))
    return data


def read_whole(
    path: str | Path, max_bytes: int, status: os.stat_result | None = None
) -> tuple[bytes, InputProblem | None]:
    """The whole file and ``None``; or why it was not read whole, with the bytes read before
    that was found (none, unless the file grew over the limit while it was read).

    Only what its status shows to be a regular file is opened (a device, pipe or folder is
    not), and read through a descriptor, without a file object. Something put in its place
    meanwhile cannot block the read (the open does not wait for a pipe's writer) nor make it
    longer than the limit.

    ``status`` is the path's status (``os.stat``, following links) if the caller has just
    taken it, as the engine does to identify each declared file: then it is not taken again
    (a system call per file). It is judged exactly as one taken here, and the guarantees above
    do not depend on when it was taken.

    One read, of what was measured and a byte more, reads a regular file whole: a read that
    gives exactly the size measured stopped at the end of the file (the byte more was not
    there), so no second read is made to see the end (a system call per file). A read of any
    other length is read on from: a file system that reads in pieces, a file that changed
    after it was measured. A buffer for the limit would cost far more than the byte more.

    A regular file within the limit, whose status the caller gave (nearly every file of a
    large export), is judged here, as :func:`_file_problem` would: a call spared per file.
    """
    if status is not None and stat.S_ISREG(status.st_mode) and status.st_size <= max_bytes:
        size = status.st_size
    else:
        judged = _file_problem(path, max_bytes, status)
        if isinstance(judged, InputProblem):
            return b"", judged
        size = judged
    try:
        descriptor = os.open(path, _OPEN_FLAGS)
        try:
            data = os.read(descriptor, size + 1)
            if len(data) != size:
                data = _read_on(descriptor, data, size, max_bytes)
        finally:
            os.close(descriptor)
    except (OSError, ValueError) as error:
        return b"", _unreadable(error)
    if len(data) > max_bytes:  # the file grew after it was measured
        message = f"the file is over the limit of {max_bytes} bytes; it was not read"
        return data, InputProblem(InputProblemCode.TOO_LARGE, message)
    return data, None


def read_bounded(
    path: str | Path,
    max_bytes: int,
    sink: Sink | None = None,
    status: os.stat_result | None = None,
) -> bytes | InputProblem:
    """The whole file, or why it was not read (see :func:`read_whole`); ``sink`` receives the
    bytes read, whether or not they were the whole file."""
    data, problem = read_whole(path, max_bytes, status)
    if sink is not None and data:
        sink.update(data)
    return data if problem is None else problem


def fast_text(data: bytes, limits: Limits) -> JsonText | None:
    """The document in ``data`` as the guarded fast parse reads it
    (:func:`pakkeforlop.read.fast_json.fast_object`); ``None`` when it does not, and the exact
    parser must. What it reads, the exact parser reads alike, without a problem."""
    value = fast_object(data, limits)
    return None if value is None else JsonText(value, data, may_have_duplicate_keys=False)


def parse_document(data: bytes, limits: Limits = DEFAULT_LIMITS, *, fast: bool) -> ReadResult:
    """One JSON document (a top-level object) from the bytes of its file, read whole.

    ``fast`` tries the guarded fast parse first (:func:`fast_text`): the result is the same,
    and ``guarded`` tells that it came that way.
    """
    if fast:
        text = fast_text(data, limits)
        if text is not None:
            return ReadResult(text, (), guarded=True)
    return _parse(data, limits)


def read_json_file(
    path: str | Path,
    limits: Limits = DEFAULT_LIMITS,
    *,
    sink: Sink | None = None,
    fast: bool = False,
    status: os.stat_result | None = None,
) -> ReadResult:
    """Read one JSON document (a top-level object) from ``path``, opened read-only.

    ``sink`` receives the bytes read: all of the file's, unless it could not be read whole.
    ``fast``: see :func:`parse_document`. ``status``: the path's, if the caller has just taken
    it (see :func:`read_whole`).
    """
    data = read_bounded(path, limits.max_file_bytes, sink, status)
    if isinstance(data, InputProblem):
        return ReadResult(None, (data,))
    return parse_document(data, limits, fast=fast)


#: The lines ended in one block read from an NDJSON file: the number of the first, the byte
#: offset where it starts, the lines without their newlines (``None`` for one longer than the
#: limit), and each line's length in bytes.
LineBlock = tuple[int, int, list[bytes | None], list[int]]


def _line_blocks(handle: BinaryIO, max_line_bytes: int, sink: Sink | None) -> Iterator[LineBlock]:
    """The file's lines, a block read at a time (see ``LineBlock``); the last one may lack a
    newline.

    The file is read in blocks and split at C speed; at most a block and one line are held.
    A line longer than ``max_line_bytes`` is passed by, not kept: its bytes are counted only.
    Lines come a block at a time so that a caller can take the common ones in one loop of its
    own, with no call per line in between.
    """
    number = 1  # of the next line
    start = 0  # where the line being gathered across blocks starts
    gathered: list[bytes] = []  # its pieces so far, unless it is already too long
    gathered_bytes = 0
    while block := handle.read(_BLOCK_BYTES):
        if sink is not None:
            sink.update(block)
        ended = block.split(b"\n")
        rest = ended.pop()  # what follows the block's last newline: a line not yet ended
        if ended:
            lengths = list(map(len, ended))
            if gathered_bytes:  # the first line began in an earlier block
                lengths[0] += gathered_bytes
                ended[0] = b"".join((*gathered, ended[0]))  # (nothing gathered: too long)
                gathered, gathered_bytes = [], 0
            lines = (
                cast("list[bytes | None]", ended)
                if max(lengths) <= max_line_bytes
                else [
                    None if length > max_line_bytes else line
                    for line, length in zip(ended, lengths, strict=True)
                ]
            )
            yield number, start, lines, lengths
            number += len(lines)
            start += sum(lengths) + len(lengths)
        if rest:
            gathered_bytes += len(rest)
            if gathered_bytes <= max_line_bytes:
                gathered.append(rest)
            else:
                gathered = []  # too long: counted, no longer kept
    if gathered_bytes:
        line = b"".join(gathered) if gathered_bytes <= max_line_bytes else None
        yield number, start, [line], [gathered_bytes]


def _ndjson_line(
    line: bytes | None, number: int, byte_offset: int, limits: Limits, decoders: _Decoders
) -> ReadResult | None:
    if line is None:
        message = f"the line is longer than {limits.max_line_bytes} bytes; it was skipped"
        return ReadResult(None, (InputProblem(InputProblemCode.TOO_LARGE, message, number),))
    if _BLANK_BYTES.fullmatch(line):
        return None
    line = line.removesuffix(b"\r")  # positions stay on this line
    return _parse(line, limits, line_offset=number - 1, byte_offset=byte_offset, decoders=decoders)


#: The first bytes a JSON value can start with (``N`` and ``I`` for NaN and Infinity, which the
#: reader reports as non-standard), and the first byte of a UTF-8 byte order mark.
_VALUE_STARTS = frozenset(b'{["-0123456789tfnNI\xef')


def _only_malformed(line: bytes, limits: Limits) -> bool:
    """Whether the one problem the full parse would find in ``line`` is that it is malformed.

    True for a line in valid UTF-8 that cannot start a JSON value at all, or that opens an
    object it never closes (a JSON object text ends with ``}``) and holds nothing the parser's
    hooks would report before it fails: no non-standard constant, no number longer than the
    limit, no nesting near the limit.
    """
    text = line.strip(b" \t\r\n")
    if not text:
        return False
    if text[0] in _VALUE_STARTS and not _unclosed_plain_object(text, limits):
        return False
    try:
        text.decode("utf-8")
    except UnicodeDecodeError:  # not UTF-8 is what the line is reported for
        return False
    return True


def _unclosed_plain_object(text: bytes, limits: Limits) -> bool:
    """An object never closed, with no constant, long number or deep nesting in it."""
    return (
        text[:1] == b"{"
        and text[-1:] != b"}"
        and b"NaN" not in text
        and b"Infinity" not in text
        and text.count(b"{") + text.count(b"[") <= limits.max_depth
        and not may_hold_long_number(text.translate(SHAPE), limits.max_number_chars)
    )


#: What a line read briefly is reported as (never listed: only counted).
_BRIEFLY_MALFORMED: Final = ReadResult(
    None, (InputProblem(InputProblemCode.MALFORMED, "malformed JSON (counted, not parsed)"),)
)


def iter_ndjson_file(
    path: Path,
    limits: Limits = DEFAULT_LIMITS,
    *,
    sink: Sink | None = None,
    wanted: Callable[[InputProblemCode], bool] | None = None,
    fast: Callable[[int, list[bytes | None], int], int] | None = None,
) -> Iterator[tuple[int, ReadResult]]:
    """(1-based line number, result) for every non-blank line of an NDJSON file, streamed.

    Only ``max_line_bytes`` applies (per line), not ``max_file_bytes``. Problems with the file
    itself are yielded with line number 0. An empty file yields nothing. ``sink`` receives the
    bytes read, as for :func:`read_json_file`. ``wanted(code)`` tells whether the caller still
    keeps problems of that code: when it keeps no more malformed lines, a line whose only
    problem is surely that (see :func:`_only_malformed`) is reported briefly, unparsed (a
    shared problem without a position), so that a flood of broken lines costs little.

    ``fast(first, lines, index)`` is offered the lines of each block first (``first``: the
    number of ``lines[0]``; ``None`` for a line over the limit) from ``index`` on: it takes
    lines in order, and returns the index of the first it leaves (``len(lines)``: it took them
    all). A line it takes is not parsed here, and nothing is yielded for it; the line it left
    is, and it is offered the lines after that one. So every line is handled in file order,
    and the common ones in the caller's own loop, with no call per line.
    """
    problem = _file_problem(path, None)
    if isinstance(problem, InputProblem):
        yield 0, ReadResult(None, (problem,))
        return
    number = 0
    decoders = _Decoders(limits.max_number_chars)
    malformed = InputProblemCode.MALFORMED
    try:
        with Path(path).open("rb", buffering=0) as handle:
            for first, start, lines, lengths in _line_blocks(handle, limits.max_line_bytes, sink):
                number = first + len(lines) - 1  # the last line read, should reading fail
                index, offset, counted = 0, start, 0  # ``offset``: where line ``counted`` starts
                while index < len(lines):
                    if fast is not None:
                        index = fast(first, lines, index)
                        if index == len(lines):
                            break
                    line = lines[index]
                    offset += sum(lengths[counted:index]) + index - counted
                    counted = index
                    index += 1
                    if (
                        wanted is not None
                        and line is not None
                        and not line.endswith(b"}")  # at C speed, for the lines that are whole
                        and not wanted(malformed)
                        and _only_malformed(line, limits)
                    ):
                        yield first + counted, _BRIEFLY_MALFORMED
                        continue
                    result = _ndjson_line(line, first + counted, offset, limits, decoders)
                    if result is not None:
                        yield first + counted, result
    except OSError as error:
        yield 0, ReadResult(None, (_unreadable(error, after_line=number or None),))
