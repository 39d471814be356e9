"""The conformance engine: one pass over an export, from files to findings.

The pipeline, module by module: :mod:`~pakkeforlop.engine.entry` (check an export, a file, or
command-line paths) starts a :mod:`~pakkeforlop.engine.run` (manifest, declared files,
undeclared files, then the instance and export checks); :mod:`~pakkeforlop.engine.files`
reads each declared file once, with :mod:`~pakkeforlop.engine.events` (NDJSON lines, on the
typed fast path of :mod:`~pakkeforlop.engine.event_lines` where it can) and
:mod:`~pakkeforlop.engine.kith_files` (XML messages); :mod:`~pakkeforlop.engine.documents`
validates and checks each document; :mod:`~pakkeforlop.engine.recorder` turns hits and
problems into findings, and :mod:`~pakkeforlop.engine.caps` keeps them under the caps and
merges the parts of a run exactly. :mod:`~pakkeforlop.engine.workers` and
:mod:`~pakkeforlop.engine.parallel` spread the files, then the instances, over processes;
:mod:`~pakkeforlop.engine.tuning` holds the interpreter and allocator devices. Nothing here
prints.
"""

from __future__ import annotations

from pakkeforlop.engine.documents import SCHEMA_OF_KIND
from pakkeforlop.engine.entry import check_export, check_file, check_paths, iter_exports
from pakkeforlop.engine.files import FILE_KINDS
from pakkeforlop.engine.result import ExportResult
from pakkeforlop.engine.run import Progress

__all__ = [
    "FILE_KINDS",
    "SCHEMA_OF_KIND",
    "ExportResult",
    "Progress",
    "check_export",
    "check_file",
    "check_paths",
    "iter_exports",
]
