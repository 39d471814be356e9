"""Code systems (kodeverk) as data: loaded from ``spec/codes/<kodeverk>.toml``."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from pakkeforlop.data.evidence import CodeStatus
from pakkeforlop.data.locations import code_lists_dir
from pakkeforlop.data.toml_files import load_toml

VOLVEN_OID_PREFIX = "2.16.578.1.12.4.1.1."


class SchemaConstraint(StrEnum):
    """How the generated JSON Schema constrains a code from this list.

    * ``enum``: the code must be one of the listed codes.
    * ``grammar``: the code must match the list's grammar; membership in the list is checked by
      the conformance rules instead, so that a grammatical code missing from a snapshot gives a
      warning rather than a schema error (used for kodeverk 9327).
    """

    ENUM = "enum"
    GRAMMAR = "grammar"


class CodeListError(ValueError):
    """A code-list file breaks the documented format."""


@dataclass(frozen=True, slots=True)
class Code:
    """One code of a code system."""

    code: str
    text: str
    status: CodeStatus
    valid_from: date | None = None
    valid_to: date | None = None
    note: str | None = None
    source_url: str | None = None

    def valid_on(self, day: date) -> bool:
        """Whether the code may be used for an event dated ``day``."""
        if self.valid_from is not None and day < self.valid_from:
            return False
        return self.valid_to is None or day <= self.valid_to


@dataclass(frozen=True, slots=True)
class ListVersion:
    """One version of a code list, with the period it applies to.

    ``codes`` names the codes of the file that the version has (``None``: all of them). A
    version without ``valid_from`` is known to exist but not from when it applies: it is data,
    marked provisional, and the kit does not apply it until a source gives the date.
    ``codes_known`` is false for a version whose codes are not known yet.
    """

    id: str
    name: str
    status: CodeStatus
    source: str
    source_url: str
    valid_from: date | None = None
    valid_to: date | None = None
    codes: frozenset[str] | None = None
    codes_known: bool = True
    note: str = ""

    @property
    def in_force(self) -> bool:
        """Whether a source gives the date the version applies from, so the kit applies it."""
        return self.valid_from is not None

    def covers(self, day: date) -> bool:
        """Whether the version is in force and applies on ``day``."""
        if self.valid_from is None or day < self.valid_from:
            return False
        return self.valid_to is None or day <= self.valid_to

    def has(self, code: str) -> bool:
        """Whether the version has ``code`` (a code of the file)."""
        return self.codes is None or code in self.codes


@dataclass(frozen=True, slots=True)
class KnownGap:
    """A code known to exist whose value is not known, so it cannot be listed."""

    description: str
    status: CodeStatus
    source_url: str


@dataclass(frozen=True, slots=True)
class CodeSystem:
    """A kodeverk: its identity, provenance and codes."""

    kodeverk: str
    oid: str
    name: str
    name_en: str
    description: str
    version: str
    status: CodeStatus
    source: str
    source_url: str
    schema_constraint: SchemaConstraint
    codes: tuple[Code, ...]
    grammar: str | None = None
    known_gaps: tuple[KnownGap, ...] = ()
    suffix_meanings: Mapping[str, str] = field(default_factory=dict)
    #: The list's versions with their periods; a list without any has one, always in force.
    versions: tuple[ListVersion, ...] = ()
    _index: Mapping[str, Code] = field(init=False, repr=False, compare=False)
    _grammar: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    _periods: tuple[tuple[date, ...], tuple[ListVersion, ...]] | None = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {code.code: code for code in self.codes})
        grammar = re.compile(self.grammar) if self.grammar is not None else None
        object.__setattr__(self, "_grammar", grammar)
        if not self.versions:
            whole = ListVersion(
                self.version, self.name, self.status, self.source, self.source_url, date.min
            )
            object.__setattr__(self, "versions", (whole,))
        in_force = any(version.in_force for version in self.versions)
        object.__setattr__(self, "_periods", self._version_periods() if in_force else None)

    def _version_periods(self) -> tuple[tuple[date, ...], tuple[ListVersion, ...]]:
        """The days on which the version applied changes, and the version of each period.

        Why: the event checks ask for the version on each distinct day of an export
        (thousands), while a list has a few versions. Which versions cover a day changes only
        where one starts or the day after one ends, so :meth:`_version_by_rule` on each such
        day gives the version until the next; before the first, it gives the one for no day.
        """
        changes: set[date] = set()
        for version in self.versions:
            if version.valid_from is not None:
                changes.add(version.valid_from)
                if version.valid_to is not None and version.valid_to < date.max:
                    changes.add(version.valid_to + timedelta(days=1))
        starts = tuple(sorted(changes))
        applied = (self._version_by_rule(None), *map(self._version_by_rule, starts))
        return starts, applied

    def __contains__(self, code: object) -> bool:
        return code in self._index

    def __iter__(self) -> Iterator[Code]:
        return iter(self.codes)

    def __len__(self) -> int:
        return len(self.codes)

    def get(self, code: str) -> Code | None:
        """The code with this value, or ``None`` when it is not listed."""
        return self._index.get(code)

    def meaning(self, suffix: str) -> str | None:
        """The English meaning of a composite code's suffix (``"CP"``), if the list gives one."""
        return self.suffix_meanings.get(suffix)

    def matches_grammar(self, code: str) -> bool:
        """Whether ``code`` is well-formed for this list (always true when no grammar is set)."""
        return self._grammar is None or self._grammar.fullmatch(code) is not None

    def version_on(self, day: date | None) -> ListVersion:
        """The list version the kit applies on ``day``: of the versions in force that cover
        it, the one that began last; without a day (or when none covers it), the earliest in
        force. Versions whose start no source gives are never chosen."""
        if self._periods is None:
            return self._version_by_rule(day)  # none is in force: a list the loader rejects
        starts, applied = self._periods
        return applied[0 if day is None else bisect_right(starts, day)]

    def _version_by_rule(self, day: date | None) -> ListVersion:
        """:meth:`version_on` by its rule, version by version."""
        in_force = [version for version in self.versions if version.in_force]
        covering = [version for version in in_force if day is not None and version.covers(day)]
        if covering:
            return max(covering, key=lambda version: version.valid_from or date.min)
        return min(in_force, key=lambda version: version.valid_from or date.min)

    def lists_on(self, code: str, day: date | None) -> bool:
        """Whether ``code`` is in the list version the kit applies on ``day``."""
        return code in self._index and self.version_on(day).has(code)


def _date_or_none(raw: object, where: str) -> date | None:
    if raw is None or isinstance(raw, date):
        return raw
    msg = f"{where}: expected a TOML date (YYYY-MM-DD), got {raw!r}"
    raise CodeListError(msg)


def _parse_code(raw: Mapping[str, Any], where: str) -> Code:
    try:
        return Code(
            code=str(raw["code"]),
            text=str(raw["text"]),
            status=CodeStatus(raw["status"]),
            valid_from=_date_or_none(raw.get("valid_from"), where),
            valid_to=_date_or_none(raw.get("valid_to"), where),
            note=raw.get("note"),
            source_url=raw.get("source_url"),
        )
    except (KeyError, ValueError) as error:
        msg = f"{where}: {error}"
        raise CodeListError(msg) from error


def _parse_version(raw: Mapping[str, Any], where: str) -> ListVersion:
    codes = raw.get("codes")
    return ListVersion(
        id=str(raw["id"]),
        name=str(raw["name"]),
        status=CodeStatus(raw["status"]),
        source=str(raw["source"]),
        source_url=str(raw["source_url"]),
        valid_from=_date_or_none(raw.get("valid_from"), where),
        valid_to=_date_or_none(raw.get("valid_to"), where),
        codes=frozenset(str(code) for code in codes) if codes is not None else None,
        codes_known=bool(raw.get("codes_known", True)),
        note=str(raw.get("note", "")),
    )


def parse_code_system(document: Mapping[str, Any], where: str) -> CodeSystem:
    """Build a :class:`CodeSystem` from the parsed TOML of one code-list file."""
    try:
        codes = tuple(
            _parse_code(raw, f"{where} codes[{index}]")
            for index, raw in enumerate(document["codes"])
        )
        gaps = tuple(
            KnownGap(str(gap["description"]), CodeStatus(gap["status"]), str(gap["source_url"]))
            for gap in document.get("known_gaps", ())
        )
        system = CodeSystem(
            kodeverk=str(document["kodeverk"]),
            oid=str(document["oid"]),
            name=str(document["name"]),
            name_en=str(document["name_en"]),
            description=str(document["description"]),
            version=str(document["version"]),
            status=CodeStatus(document["status"]),
            source=str(document["source"]),
            source_url=str(document["source_url"]),
            schema_constraint=SchemaConstraint(document.get("schema_constraint", "enum")),
            grammar=document.get("grammar"),
            codes=codes,
            known_gaps=gaps,
            suffix_meanings=dict(document.get("suffix_meanings", {})),
            versions=tuple(
                _parse_version(raw, f"{where} versions[{index}]")
                for index, raw in enumerate(document.get("versions", ()))
            ),
        )
    except (KeyError, ValueError, TypeError) as error:
        msg = f"{where}: {error!r}"
        raise CodeListError(msg) from error
    _check_consistency(system, where)
    return system


def _check_consistency(system: CodeSystem, where: str) -> None:
    if system.oid != VOLVEN_OID_PREFIX + system.kodeverk:
        msg = f"{where}: OID {system.oid} does not match kodeverk {system.kodeverk}"
        raise CodeListError(msg)
    values = [code.code for code in system.codes]
    if len(values) != len(set(values)):
        msg = f"{where}: duplicate codes"
        raise CodeListError(msg)
    if system.schema_constraint is SchemaConstraint.GRAMMAR and system.grammar is None:
        msg = f"{where}: schema_constraint 'grammar' needs a grammar"
        raise CodeListError(msg)
    malformed = [value for value in values if not system.matches_grammar(value)]
    if malformed:
        msg = f"{where}: codes break the list's grammar: {malformed}"
        raise CodeListError(msg)
    if not any(version.in_force for version in system.versions):
        msg = f"{where}: at least one list version needs a valid_from"
        raise CodeListError(msg)
    for version in system.versions:
        stray = sorted((version.codes or frozenset()) - set(values))
        if stray:
            msg = f"{where}: version {version.id} names codes the list lacks: {stray}"
            raise CodeListError(msg)
        if version.in_force and not version.codes_known:
            msg = f"{where}: version {version.id} is in force but its codes are unknown"
            raise CodeListError(msg)
        if not version.in_force and version.status is not CodeStatus.PROVISIONAL:
            msg = f"{where}: version {version.id} has no valid_from, so it is provisional"
            raise CodeListError(msg)


def load_code_system_file(path: Path) -> CodeSystem:
    """Load one code-list file."""
    return parse_code_system(load_toml(path), str(path))


@cache
def code_systems() -> Mapping[str, CodeSystem]:
    """Every code system the kit carries, keyed by kodeverk number."""
    systems = {}
    for path in sorted(code_lists_dir().glob("*.toml")):
        system = load_code_system_file(path)
        if path.stem != system.kodeverk:
            msg = f"{path}: file name must be the kodeverk number {system.kodeverk}"
            raise CodeListError(msg)
        systems[system.kodeverk] = system
    return systems


def code_system(kodeverk: str) -> CodeSystem:
    """The code system with this kodeverk number (e.g. ``"9321"``)."""
    try:
        return code_systems()[kodeverk]
    except KeyError:
        msg = f"no code list for kodeverk {kodeverk}; known: {', '.join(code_systems())}"
        raise KeyError(msg) from None


def code_system_by_oid(oid: str) -> CodeSystem | None:
    """The code system with this OID, or ``None`` when the kit does not carry it."""
    if not oid.startswith(VOLVEN_OID_PREFIX):
        return None
    return code_systems().get(oid.removeprefix(VOLVEN_OID_PREFIX))
