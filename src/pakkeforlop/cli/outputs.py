"""Where a run's reports go: one report on standard output and any number of report files.

``--format FMT`` picks the format of standard output (``--output FILE`` sends it to a file
instead); ``--format FMT:FILE``, ``--output-json FILE`` (and ``-junit``, ``-html``,
``-sarif``, ``-gitlab``) and the configuration's ``outputs`` table add report files, so that
one run writes every format. Every destination is checked before the check starts (a bad
one is exit status 2 and costs nothing), and each is written the way ``--output`` is
(:mod:`pakkeforlop.report.output`): atomically for a regular file, in place for a FIFO or a device.

When GitHub Actions runs the kit (``GITHUB_ACTIONS=true``) and standard output is the text
report, the GitHub annotations of the findings follow it, so that they show in the pull
request's diff.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from pakkeforlop.report import output
from pakkeforlop.report.build import Report
from pakkeforlop.report.formats import github, text

__all__ = ["FILE_FORMATS", "FORMATS", "Output", "plan", "render", "write"]

#: Every report format.
FORMATS = ("text", "json", "junit", "html", "sarif", "gitlab", "github")
#: The formats with an ``--output-FMT FILE`` option.
FILE_FORMATS = ("json", "junit", "html", "sarif", "gitlab")
#: The module of :mod:`pakkeforlop.report.formats` that renders each format but ``text``, each
#: imported when a report in its format is first rendered. Why: together they take about
#: 0.006 s to import (html's templates, junit's ElementTree...), paid on every run's start,
#: where most runs write the text report alone (``github`` adds the annotations to it).
RENDERERS: Mapping[str, str] = {
    "json": "json_report",
    "junit": "junit",
    "html": "html",
    "sarif": "sarif",
    "gitlab": "gitlab",
    "github": "github",
}


class OutputsError(Exception):
    """The outputs asked for contradict each other (a usage error)."""


@dataclass(frozen=True, slots=True)
class Output:
    """One report: its format and where it goes (None: standard output)."""

    format: str
    target: output.Destination | None = None


def parse_format(value: str) -> tuple[str, str | None]:
    """``FMT`` or ``FMT:FILE`` of ``--format``; raises :class:`OutputsError`."""
    name, colon, file = value.partition(":")
    if name not in FORMATS:
        msg = f"--format {value}: the format is one of {', '.join(FORMATS)}"
        raise OutputsError(msg)
    if colon and not file:
        msg = f"--format {value}: give a file after the colon, or no colon for standard output"
        raise OutputsError(msg)
    return name, file or None


def plan(
    *,
    formats: Sequence[str],
    output_file: str | None,
    files: Mapping[str, str],
    configured_format: str | None,
    configured_files: Mapping[str, str],
    checked: Sequence[Path],
) -> list[Output]:
    """Every report of the run, each destination checked; raises :class:`OutputsError` or
    :class:`pakkeforlop.report.output.OutputError`.

    ``formats`` are the ``--format`` values, ``files`` the ``--output-FMT`` options (format ->
    file); a report file given on the command line replaces the configuration's file of the
    same format.
    """
    terminal: list[str] = []
    wanted: dict[str, tuple[str, str]] = {
        name: (file, "outputs") for name, file in configured_files.items()
    }
    for value in formats:
        name, file = parse_format(value)
        if file is None:
            terminal.append(name)
        else:
            wanted[name] = (file, "--format")
    for name, file in files.items():
        wanted[name] = (file, f"--output-{name}")
    if len(terminal) > 1:
        msg = f"--format: one format goes to standard output, not {', '.join(terminal)}"
        raise OutputsError(msg)
    stdout_format = terminal[0] if terminal else configured_format or "text"
    stdout = Output(stdout_format)
    if output_file is not None and output_file != "-":
        stdout = Output(stdout_format, output.destination(output_file, checked))
    outputs = [stdout]
    targets = {stdout.target.target: "--output"} if stdout.target else {}
    for name, (file, option) in wanted.items():
        where = output.destination(file, checked, option)
        if where.target in targets and where.method is output.Method.REPLACE:
            msg = f"{option} {file}: {targets[where.target]} writes the same file"
            raise OutputsError(msg)
        targets[where.target] = option
        outputs.append(Output(name, where))
    return outputs


def render(report: Report, fmt: str, *, quiet: bool, verbose: bool) -> str:
    """The report in one format."""
    if fmt == "text":
        return text.render(report, quiet=quiet, verbose=verbose)
    module = importlib.import_module(f"pakkeforlop.report.formats.{RENDERERS[fmt]}")
    rendered: str = module.render(report)
    return rendered


def write(
    outputs: Sequence[Output],
    report: Report,
    stdout: TextIO | None,
    *,
    quiet: bool,
    verbose: bool,
    annotate: bool,
) -> None:
    """Render and write every report: the files first, then standard output (with the GitHub
    annotations when ``annotate`` and standard output is the text report)."""
    for item in outputs:
        if item.target is not None:
            data = render(report, item.format, quiet=quiet, verbose=verbose)
            output.write_file(data.encode("utf-8", "backslashreplace"), item.target)
    for item in outputs:
        if item.target is None:
            document = render(report, item.format, quiet=quiet, verbose=verbose)
            if annotate and item.format == "text":
                document += github.render(report)
            output.write_stream(document.encode("utf-8", "backslashreplace"), stdout)
