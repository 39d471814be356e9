"""Progress of a long check, on standard error.

On a terminal: one line, redrawn in place by tqdm, with the export being checked, the bytes of
its files read and to read, files done, the rate and the time left, and the events read in the
exports already done. Off a terminal (a CI log, with ``--progress``): a line when an export
starts, then the same figures once every few seconds, never a line per file. Paths are masked
and escaped like every other path the kit prints.

The engine reports a file when it starts reading it; the file before it is then done. The
size of an export is the size of the files in its folder (what the manifest declares, give or
take a file it does not), measured when the export starts.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from pakkeforlop.engine import ExportResult
from pakkeforlop.report.formats import shown_file

if TYPE_CHECKING:
    from tqdm import tqdm

__all__ = ["Progress"]

#: Off a terminal, at most one status line per this many seconds.
INTERVAL = 5.0
_FORMAT = (
    "{desc}: {n_fmt}B of {total_fmt}B ({percentage:.0f} %), {rate_fmt}, {remaining} left{postfix}"
)


def _sizes(path: Path) -> dict[str, int]:
    """The size of every regular file below ``path`` (or of ``path``), by path."""
    if path.is_file():
        return {str(path): path.stat().st_size}
    sizes: dict[str, int] = {}
    for folder, _, names in os.walk(path):
        for name in names:
            file = Path(folder, name)
            try:
                if file.is_file():
                    sizes[str(file)] = file.stat().st_size
            except OSError:  # unreadable: the engine reports it
                continue
    return sizes


class Progress:
    """What a check has done and has left, for a person watching it."""

    def __init__(
        self,
        stream: TextIO,
        *,
        masked: bool,
        terminal: bool,
        interval: float = INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stream = stream
        self._masked = masked
        self._terminal = terminal
        self._interval = interval
        self._clock = clock
        self._bar: tqdm[Any] | None = None
        self._sizes: dict[str, int] = {}
        self._current: str | None = None
        self._done_bytes = 0
        self._files = 0
        self._started = 0.0
        self._last_line = 0.0
        self._events = 0
        self._exports = 0
        self._shown = ""

    def _show(self, path: str) -> str:
        return shown_file(path, masked=self._masked) or "."

    def _say(self, line: str) -> None:
        print(line, file=self._stream, flush=True)

    def export(self, path: str) -> None:
        """An export (or a single file) is about to be checked."""
        self._finish_file()
        self._sizes = _sizes(Path(path))
        self._current, self._done_bytes, self._files = None, 0, 0
        self._started = self._last_line = self._clock()
        self._shown = self._show(path)
        total = sum(self._sizes.values())
        if self._terminal:
            bar = self._terminal_bar()
            bar.reset(total=total)
            bar.set_description_str(self._shown, refresh=False)
            self._postfix()
        else:
            self._say(f"checking {self._shown} …")

    def _terminal_bar(self) -> tqdm[Any]:
        """The one line redrawn on the terminal, made on first use."""
        if self._bar is not None:
            return self._bar
        from tqdm import tqdm  # noqa: PLC0415  (see _status)

        bar: tqdm[Any] = tqdm(
            file=self._stream,
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            dynamic_ncols=True,
            leave=False,
            mininterval=0.2,
        )
        self._bar = bar
        return bar

    def file(self, path: str) -> None:
        """A file of the current export is about to be read (the one before it is done)."""
        self._finish_file()
        self._current = path

    def done(self, result: ExportResult) -> None:
        """An export is checked."""
        self._finish_file()
        self._events += result.events
        self._exports += 1
        self._postfix()

    def close(self) -> None:
        """The check is over: clear the terminal's line."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def _finish_file(self) -> None:
        if self._current is None:
            return
        size = self._sizes.get(str(Path(self._current)), 0)
        self._current = None
        self._done_bytes += size
        self._files += 1
        if self._bar is not None:
            self._bar.update(size)
            self._postfix()
        elif self._clock() - self._last_line >= self._interval:
            self._last_line = self._clock()
            self._say(f"  {self._status()}")

    def _figures(self) -> str:
        total_files = max(len(self._sizes) - 1, self._files)  # the manifest is read apart
        figures = f", {self._files}/{total_files} files"
        if self._exports:
            figures += f"; {self._exports} exports done, {self._events:,} events"
        return figures

    def _postfix(self) -> None:
        if self._bar is not None:
            self._bar.set_postfix_str(self._figures().lstrip(", "), refresh=True)

    def _status(self) -> str:
        from tqdm import tqdm  # noqa: PLC0415  (imported when a meter is shown: see below)

        # tqdm imports importlib.metadata for its own version: with tqdm, about 0.02 s of the
        # command's start, which a run with no meter (``--quiet``, a report for a program) spares.
        return str(
            tqdm.format_meter(
                self._done_bytes,
                sum(self._sizes.values()),
                self._clock() - self._started,
                prefix=self._shown,
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                bar_format=_FORMAT,
                postfix=self._figures().lstrip(", "),
            )
        )
