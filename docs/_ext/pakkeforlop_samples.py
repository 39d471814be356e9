"""Sphinx extension: sample output made by running the kit at build time.

The directive ``pakkeforlop-run`` runs ``pakkeforlop`` with its arguments, from the top of
the repository, and shows the command and what it printed as a literal block, so that the
guides' sample output is the tool's output of this very build and cannot go stale:

.. code-block:: markdown

    ```{pakkeforlop-run} check examples/invalid/event-after-ending
    ```

The exit status is shown when it is not 0; ``:lines: N`` keeps the first N lines.
"""

from __future__ import annotations

import contextlib
import io
import os
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

import pakkeforlop
from pakkeforlop import cli

REPO = Path(__file__).resolve().parents[2]


@contextlib.contextmanager
def _in(folder: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def run(arguments: list[str]) -> tuple[int, str]:
    """``pakkeforlop ARGUMENTS`` run in the repository: exit status and standard output."""
    out, err = io.StringIO(), io.StringIO()
    with _in(REPO):
        status = cli.main(arguments, stdout=out, stderr=err)
    return status, out.getvalue()


class PakkeforlopRun(SphinxDirective):
    """Run the command and show its output."""

    required_arguments = 1
    final_argument_whitespace = True
    option_spec: ClassVar[dict[str, Any]] = {"lines": directives.positive_int}

    def run(self) -> list[nodes.Node]:
        arguments = shlex.split(self.arguments[0])
        status, output = run(arguments)
        lines = output.rstrip("\n").splitlines()
        limit = self.options.get("lines")
        if limit is not None and len(lines) > limit:
            lines = [*lines[:limit], "…"]
        shown = [f"$ pakkeforlop {shlex.join(arguments)}", *lines]
        if status != 0:
            shown.append(f"(exit status {status})")
        block = nodes.literal_block("\n".join(shown), "\n".join(shown))
        block["language"] = "text"
        return [block]


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directive."""
    app.add_directive("pakkeforlop-run", PakkeforlopRun)
    return {
        "version": pakkeforlop.SPEC_VERSION,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
