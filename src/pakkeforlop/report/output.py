"""Where a report goes: written the way a shell redirection would write it, and never harmfully.

``--output FILE`` behaves like ``> FILE``, with one difference that only makes it safer: a
regular file (or a new one) is written atomically, to a temporary file in the same folder that
is then renamed over the target, so that a failed or interrupted run never leaves half a report.
Everything else is written in place, exactly where a redirection would write:

- a symbolic link is followed (as far as it leads): its target is written, the link stays;
- a FIFO or a character device (``/dev/null``, a terminal) is opened and written into, never
  renamed over, so that running as root can never replace a device node;
- a folder, a block device, a socket or anything else is refused with a clear message.

Every problem with where the report goes is an :class:`OutputError` (the command's exit status
2), never an internal error: a missing folder, no permission, a read-only file system, a full
disk, a closed standard output or a reader that stopped reading.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import BinaryIO, TextIO

__all__ = ["Destination", "OutputError", "destination", "write_file", "write_stream"]


class OutputError(Exception):
    """The report cannot be written where it was asked to go."""


class Method(Enum):
    """How a destination is written."""

    #: A new or regular file: a temporary file beside it, then renamed over it.
    REPLACE = "replace"
    #: A FIFO or a character device: opened and written into.
    STREAM = "stream"


@dataclass(frozen=True, slots=True)
class Destination:
    """Where ``--output`` writes: the file as given, the file it leads to, and how."""

    given: str
    target: Path
    method: Method
    #: The option that named it, for messages (``--output-sarif``, ``--write-baseline``).
    option: str = "--output"


def _describe(mode: int) -> str | None:
    """What kind of file that cannot take a report ``mode`` is (``None``: it can take one)."""
    if stat.S_ISREG(mode) or stat.S_ISFIFO(mode) or stat.S_ISCHR(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a folder; give a file name"
    if stat.S_ISBLK(mode):
        return "is a block device; a report is never written onto a disk"
    if stat.S_ISSOCK(mode):
        return "is a socket; a report is written to a file, a FIFO or a character device"
    return "is not a file, a FIFO or a character device"


def _inside(target: Path, path: Path) -> bool:
    """Whether ``target`` is ``path`` or a file below the folder ``path``."""
    try:
        resolved = path.resolve()
        return target == resolved or (path.is_dir() and target.is_relative_to(resolved))
    except (OSError, RuntimeError):
        return False


def destination(given: str, checked: Sequence[Path] = (), option: str = "--output") -> Destination:
    """Where ``--output given`` writes, after making sure it can: raises :class:`OutputError`.

    Called before any work is done, so that a bad ``--output`` costs nothing; :func:`write_file`
    looks again when it writes. ``checked`` are the paths being checked: a report never
    overwrites one of them. ``option`` names the option in messages.
    """
    if not given:
        msg = f"{option}: the file name is empty"
        raise OutputError(msg)
    target = Path(os.path.realpath(given))  # a symbolic link's target, even a missing one
    try:
        status = target.stat()
    except FileNotFoundError:
        if not target.parent.is_dir():
            msg = f"{option} {given}: the folder {target.parent} does not exist"
            raise OutputError(msg) from None
        _probe(given, target, option)
        return Destination(given, target, Method.REPLACE, option)
    except OSError as error:
        msg = f"{option} {given}: {error.strerror or error}"
        raise OutputError(msg) from error
    problem = _describe(status.st_mode)
    if problem is not None:
        msg = f"{option} {given}: {problem}"
        raise OutputError(msg)
    if not os.access(target, os.W_OK):
        msg = f"{option} {given}: not writable (permission denied)"
        raise OutputError(msg)
    if not stat.S_ISREG(status.st_mode):
        return Destination(given, target, Method.STREAM, option)
    if any(_inside(target, path) for path in checked):
        msg = f"{option} {given}: would overwrite a file that is being checked"
        raise OutputError(msg)
    _probe(given, target, option)
    return Destination(given, target, Method.REPLACE, option)


def _probe(given: str, target: Path, option: str) -> None:
    """Make sure a file can be made beside ``target`` (as the report's temporary file will be).

    Permissions alone do not tell: root may write anywhere the file system lets it, and a
    read-only file system or ``/proc`` refuses what the permissions allow.
    """
    try:
        descriptor, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    except OSError as error:
        msg = f"{option} {given}: not writable ({error.strerror or error})"
        raise OutputError(msg) from error
    os.close(descriptor)
    Path(name).unlink()


def write_file(data: bytes, where: Destination) -> None:
    """Write ``data`` to ``where`` (see the module's description); raises :class:`OutputError`."""
    try:
        status: os.stat_result | None = where.target.stat()
    except FileNotFoundError:
        status = None
    except OSError as error:
        raise _failed(where, error) from error
    if status is not None:
        problem = _describe(status.st_mode)
        if problem is not None:  # it changed since destination() looked
            msg = f"{where.option} {where.given}: {problem}"
            raise OutputError(msg)
        if not stat.S_ISREG(status.st_mode):
            _write_in_place(data, where)
            return
    _replace(data, where, status)


def _write_in_place(data: bytes, where: Destination) -> None:
    flags = os.O_WRONLY | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)
    try:
        descriptor = os.open(where.target, flags)
        with open(descriptor, "wb") as handle:  # noqa: PTH123 - a descriptor, not a path
            handle.write(data)
    except OSError as error:
        raise _failed(where, error) from error


def _new_file_mode() -> int:
    """The permissions a redirection gives a new file: 0666 less the process's umask."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def _replace(data: bytes, where: Destination, status: os.stat_result | None) -> None:
    """Write a temporary file beside the target, then rename it over the target."""
    folder, name = where.target.parent, where.target.name
    try:
        descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
    except OSError as error:
        raise _failed(where, error) from error
    try:
        with open(descriptor, "wb") as handle:  # noqa: PTH123 - a descriptor, not a path
            if status is None:
                os.fchmod(handle.fileno(), _new_file_mode())
            else:  # the file keeps its permissions and, where this process may say so, owner
                os.fchmod(handle.fileno(), stat.S_IMODE(status.st_mode))
                with contextlib.suppress(PermissionError):
                    os.fchown(handle.fileno(), status.st_uid, status.st_gid)
            handle.write(data)
        Path(temporary).replace(where.target)
    except BaseException as error:  # a failure, Ctrl-C or a signal: leave nothing behind
        with contextlib.suppress(OSError):
            os.unlink(temporary)  # noqa: PTH108 - a path from mkstemp
        if isinstance(error, OSError):
            raise _failed(where, error) from error
        raise


def _failed(where: Destination, error: OSError) -> OutputError:
    reason = error.strerror or error
    return OutputError(f"{where.option} {where.given}: cannot write the report: {reason}")


def write_stream(data: bytes, stream: TextIO | None) -> None:
    """Write ``data`` to standard output (``stream``); raises :class:`OutputError` when it cannot.

    A closed standard output, a full disk behind it, or a reader that stopped reading (a closed
    pipe) is a problem with where the report goes, not a failure of the kit.
    """
    if stream is None:
        msg = "standard output is closed; give --output FILE"
        raise OutputError(msg)
    try:
        buffer = getattr(stream, "buffer", None)
        if buffer is None:  # a text stream with no bytes below it (a test's StringIO)
            stream.write(data.decode("utf-8"))
            stream.flush()
        else:
            stream.flush()
            _write_all(buffer, data)
            buffer.flush()
    except BrokenPipeError as error:
        msg = "standard output was closed before the whole report was written (broken pipe)"
        raise OutputError(msg) from error
    except (OSError, ValueError) as error:  # ValueError: a closed Python stream
        reason = error.strerror if isinstance(error, OSError) else None
        msg = f"cannot write the report to standard output: {reason or error}"
        raise OutputError(msg) from error


def _write_all(buffer: BinaryIO, data: bytes) -> None:
    """Write all of ``data``: a buffered write can stop short (at a closed pipe) without raising,
    and only the next write meets the error."""
    view = memoryview(data)
    while view:
        written = buffer.write(view)
        if not written:  # a non-blocking stream that takes nothing now
            msg = "standard output takes no more data"
            raise OSError(msg)
        view = view[written:]
