"""The ``pakkeforlop`` command: argument parsing, output and exit codes only.

The engine collects findings, :func:`pakkeforlop.report.build.build_report` turns them into one
report, and renderers of :mod:`pakkeforlop.report.formats` write it. The exit status is decided in
one place, :func:`main`: 0 when no finding reaches the fail level, 1 when one does, 2 for a
usage error (found before any work is done) or a report that cannot be written, 3 when the kit
itself failed, 128+N when a signal ended the run.

The command's parts: :mod:`~pakkeforlop.cli.arguments` (the parser),
:mod:`~pakkeforlop.cli.config` (the configuration file), :mod:`~pakkeforlop.cli.check` (the
check), :mod:`~pakkeforlop.cli.outputs` (where reports go), :mod:`~pakkeforlop.cli.progress`
and :mod:`~pakkeforlop.cli.explain` (``explain`` and ``rules``).
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import io
import json
import os
import sys
import threading
import traceback
from collections.abc import Sequence
from typing import NoReturn, TextIO

from pakkeforlop.cli import check
from pakkeforlop.cli.arguments import DEBUG_VARIABLE, build_parser, byte_size
from pakkeforlop.cli.check import UsageError
from pakkeforlop.cli.outputs import FORMATS
from pakkeforlop.cli.progress import Progress
from pakkeforlop.data.catalogue import catalogue
from pakkeforlop.engine.interrupts import Terminated, stop_on_signals
from pakkeforlop.report import output
from pakkeforlop.report.formats import clean, redact

__all__ = [
    "EXIT_FINDINGS",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "FORMATS",
    "Progress",
    "UsageError",
    "build_parser",
    "byte_size",
    "command",
    "main",
]

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130


def _write(document: str, stdout: TextIO | None) -> None:
    output.write_stream(document.encode("utf-8", "backslashreplace"), stdout)


def _detach(stdout: TextIO | None) -> None:
    """Point a closed standard output at the null device, so the exit flush stays silent."""
    # Not a real file (no descriptor): nothing to flush, nothing to do.
    with contextlib.suppress(OSError, ValueError, AttributeError):
        descriptor = stdout.fileno()  # type: ignore[union-attr]
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, descriptor)
        finally:
            os.close(null)


def _explain(args: argparse.Namespace, stdout: TextIO | None) -> int:
    # Imported only here and for ``rules``: it reads the rules' fixtures, no check's concern.
    from pakkeforlop.cli import explain  # noqa: PLC0415  (see above)

    rule_id = args.rule.strip().upper()
    if rule_id not in catalogue():
        msg = f"{args.rule}: no such rule; `pakkeforlop rules` lists them"
        raise UsageError(msg)
    if args.format == "json":
        document = json.dumps(catalogue()[rule_id].as_data(), ensure_ascii=False, indent=2)
        _write(document + "\n", stdout)
    else:
        _write(explain.explain(rule_id), stdout)
    return EXIT_OK


def main(
    argv: Sequence[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """Entry point of the ``pakkeforlop`` command; returns the exit status.

    A closed standard error (``2>&-``) silences messages; a closed standard output is reported
    when the report is to be written there.
    """
    stdout = stdout if stdout is not None else sys.stdout
    stderr = stderr if stderr is not None else (sys.stderr or io.StringIO())
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["generate"]:  # its own parser: see pakkeforlop.cli.generate
        # Imported only here: the generator's modules are a tenth of the check's start.
        from pakkeforlop.cli import generate  # noqa: PLC0415  (see above)

        return generate.main(arguments[1:], stdout=stdout, stderr=stderr)
    with stop_on_signals():
        return _run(arguments, stdout, stderr)


def command() -> NoReturn:
    """The installed ``pakkeforlop`` command (and ``python -m pakkeforlop.cli``): :func:`main`,
    then the process ends at once (see :func:`end`)."""
    end(main())


def end(status: int) -> NoReturn:
    """End the process with exit status ``status`` once what it started is done, without the
    interpreter's own clean-up.

    Why: when the report is written, all that is left is to free what the run built, and the
    operating system takes a process's memory back at once, where the interpreter's exit
    first frees every object and every module one by one (0.05 s after a check of 150,000
    documents on an idle machine, several times that on a busy one). mypy ends its command
    the same way. What could still matter is done first, as the interpreter's exit does it:
    other threads (not daemons) are waited for, the functions registered with :mod:`atexit`
    run (a coverage or profiling tool saves its data there), and standard output and error
    are flushed. If flushing fails, the process exits the ordinary way, which reports that.
    """
    current = threading.current_thread()
    for thread in threading.enumerate():
        if thread is not current and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()  # (what the interpreter's exit calls; there is no public name)
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):  # a closed or broken stream: let the ordinary exit say so
        raise SystemExit(status) from None
    os._exit(status)


def _say(stderr: TextIO, message: str) -> None:
    """Print a message on standard error, which may itself be closed or full."""
    with contextlib.suppress(OSError, ValueError):
        print(message, file=stderr, flush=True)


def _run(arguments: list[str], stdout: TextIO | None, stderr: TextIO) -> int:
    """The ``check``, ``rules`` and ``explain`` commands, every failure an exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(arguments)
    except SystemExit as exit_:  # --help, --version (0) and usage errors (2)
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    try:
        if args.command == "rules":
            from pakkeforlop.cli import explain  # noqa: PLC0415  (see _explain)

            _write(explain.listing(args.format, args.lang), stdout)
            return EXIT_OK
        if args.command == "explain":
            return _explain(args, stdout)
        return check.run(args, stdout, stderr)
    except (UsageError, output.OutputError, KeyboardInterrupt, Terminated) as stop:
        return _stopped(stop, parser, stdout, stderr)
    except Exception as error:  # the kit's own bug: say so clearly instead of a traceback
        if os.environ.get(DEBUG_VARIABLE) == "1":
            with contextlib.suppress(OSError, ValueError):
                traceback.print_exc(file=stderr)
        _say(
            stderr,
            f"pakkeforlop: internal error: {type(error).__name__}: "
            f"{clean(redact(str(error), masked=True))}\n"
            "This is a bug in pakkeforlop, not a finding about the export; please report it "
            f"with the command line. Set {DEBUG_VARIABLE}=1 to see the traceback.",
        )
        return EXIT_INTERNAL


def _stopped(
    stop: BaseException, parser: argparse.ArgumentParser, stdout: TextIO | None, stderr: TextIO
) -> int:
    """The exit status of a run that stopped before its report was written, said on stderr."""
    if isinstance(stop, UsageError):
        with contextlib.suppress(OSError, ValueError):
            parser.print_usage(stderr)
        _say(stderr, f"pakkeforlop: error: {clean(str(stop))}")
        return EXIT_USAGE
    if isinstance(stop, output.OutputError):
        _detach(stdout)  # a broken pipe: nothing more reaches it, not even at exit
        _say(stderr, f"pakkeforlop: error: {clean(str(stop))}")
        return EXIT_USAGE
    if isinstance(stop, Terminated):
        _say(stderr, f"pakkeforlop: stopped by {stop}; no report was written")
        return stop.exit_status
    _say(stderr, "pakkeforlop: interrupted; no report was written")
    return EXIT_INTERRUPTED


if __name__ == "__main__":
    command()
