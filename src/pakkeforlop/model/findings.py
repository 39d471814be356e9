"""Findings: what a check reports, and how personal data in them is masked when rendered."""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pakkeforlop.data.catalogue import Severity
from pakkeforlop.model.identifiers import mask


@dataclass(frozen=True, slots=True)
class Personal:
    """A value that identifies or describes a person: masked in reports unless asked otherwise."""

    value: str

    def render(self, *, masked: bool) -> str:
        """The value, or its masked form."""
        return mask(self.value) if masked else self.value


MessageArg = str | int | Personal


def render_template(template: str, args: Mapping[str, MessageArg], *, masked: bool) -> str:
    """Fill ``{name}`` placeholders; personal values are masked unless ``masked`` is false."""
    values = {
        name: value.render(masked=masked) if isinstance(value, Personal) else str(value)
        for name, value in args.items()
    }
    names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    missing = names - values.keys()
    if missing:
        msg = f"message template {template!r} lacks values for {sorted(missing)}"
        raise KeyError(msg)
    return template.format_map(values)


@dataclass(frozen=True, slots=True)
class Finding:
    """One finding: a rule broken (or informed about) at one place of one file.

    ``file`` is the path as the report shows it (relative to the checked path); ``pointer`` is
    an RFC 6901 JSON Pointer into the document, or into the NDJSON line when ``line`` is set;
    ``xpath`` is used for XML; a ``summary`` stands for ``count`` findings that were counted but
    not listed one by one. The message is a template rendered at report time, so that
    masking is a rendering choice and no report needs personal data it was not asked for.
    """

    rule: str
    severity: Severity
    file: str
    template: str
    args: Mapping[str, MessageArg] = field(default_factory=dict)
    pointer: str | None = None
    line: int | None = None
    column: int | None = None
    xpath: str | None = None
    instance: str | None = None
    #: How many findings this one stands for: 1, or for a summary of findings that were
    #: counted but not listed (see :mod:`pakkeforlop.engine.caps`), their number.
    count: int = 1
    #: Whether this finding is such a summary.
    summary: bool = False

    def __reduce__(self) -> tuple[type[Finding], tuple[Any, ...]]:
        """Pickle as a constructor call (worker processes send findings to the main one)."""
        return (Finding, tuple(getattr(self, name) for name in self.__slots__))

    def message(self, *, masked: bool = True) -> str:
        """The finding's message, with personal values masked unless ``masked`` is false."""
        return render_template(self.template, self.args, masked=masked)

    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Deterministic report order: file, line, column, pointer, rule."""
        return (self.file, self.line or 0, self.column or 0, self.pointer or "", self.rule)


def total(findings: Iterable[Finding]) -> int:
    """How many findings these are, counting what each summary stands for."""
    return sum(finding.count for finding in findings)
