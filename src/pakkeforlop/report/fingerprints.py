"""Stable fingerprints of findings: the same finding gets the same fingerprint on every run and
machine, and a fingerprint never carries a personal identifier.

A baseline (:mod:`pakkeforlop.report.acceptance`) records the fingerprints of today's findings so
that only new ones fail; a waiver may name one fingerprint; SARIF (``partialFingerprints``) and
GitLab Code Quality (``fingerprint``) carry them so that those tools recognise a finding from one
run to the next.

The recipe (version 1), documented in the vendors' guide:

1. The finding's *identity*: its rule id; the name of its export's folder (its last path
   component, which tells the exports of a folder of exports apart) and the path of its file
   **within** that folder (where the folder lies is left out, so moving the export changes
   nothing; a file checked on its own is its name); its JSON Pointer, or its XPath for an XML
   finding; its pathway instance id; the message arguments, each written as the masked report
   writes it (a person number as ``*********01``); and whether it is a summary of findings
   not listed.
   Line and column numbers are left out: adding a line above a finding does not change it.
2. Every part is masked as a masked report prints it (:func:`pakkeforlop.report.redaction.redact`),
   so the fingerprint is made only of what a masked report shows anyway; it cannot be turned
   back into a person number by trying candidates.
3. The identity is written as JSON (UTF-8, sorted keys) after the prefix
   ``pakkeforlop-fingerprint/1`` and a NUL, with the number of findings of the same identity
   before it in report order (0 for the first) after another NUL, hashed with SHA-256; the
   fingerprint is the first 32 hexadecimal digits. Two findings of one identity (the same
   problem on two lines of one file) thus get different fingerprints, which stay stable while
   their order does.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath

from pakkeforlop.engine import ExportResult
from pakkeforlop.model.findings import Finding, Personal
from pakkeforlop.model.identifiers import mask
from pakkeforlop.report.redaction import redact

__all__ = ["RECIPE", "fingerprint_identity", "fingerprints", "path_in_export"]

#: The recipe's name and version, hashed into every fingerprint; a new recipe is a new version.
RECIPE = "pakkeforlop-fingerprint/1"
#: Hexadecimal digits kept: 128 bits.
LENGTH = 32


def path_in_export(file: str, root: str) -> str:
    """``file`` relative to its export's folder ``root`` (both as the report spells them).

    A file checked on its own (``file == root``) is its name; a file outside the folder (which
    the engine never reports) keeps its path.
    """
    if file == root:
        return PurePosixPath(file).name or file
    if root in {"", "."}:
        return file
    prefix = root.rstrip("/") + "/"
    return file[len(prefix) :] if file.startswith(prefix) else file


def _argument(value: str | int | Personal) -> str:
    return mask(value.value) if isinstance(value, Personal) else str(value)


def fingerprint_identity(finding: Finding, root: str) -> str:
    """What a finding's fingerprint is made of (step 1 and 2 of the recipe), as JSON."""

    def shown(value: str | None) -> str | None:
        return None if value is None else redact(value, masked=True)

    identity = {
        "rule": finding.rule,
        "export": shown(PurePosixPath(root).name),
        "file": shown(path_in_export(finding.file, root)),
        "pointer": shown(finding.pointer),
        "xpath": shown(finding.xpath),
        "instance": shown(finding.instance),
        "args": {name: shown(_argument(value)) for name, value in sorted(finding.args.items())},
        "summary": finding.summary,
    }
    return json.dumps(identity, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _digest(identity: str, occurrence: int) -> str:
    data = f"{RECIPE}\0{identity}\0{occurrence}".encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()[:LENGTH]


def fingerprints(exports: Iterable[ExportResult]) -> Iterator[str]:
    """The fingerprint of every finding of ``exports``, in report order."""
    seen: Counter[str] = Counter()
    for export in exports:
        for finding in export.findings:
            identity = fingerprint_identity(finding, export.root)
            yield _digest(identity, seen[identity])
            seen[identity] += 1
