"""The configuration file: ``[tool.pakkeforlop]`` in ``pyproject.toml``, or ``pakkeforlop.toml``.

The keys are those of the command line (``fail-on``, ``select``, ``ignore``, ``format``,
``outputs``, ``xsd-dir``, ``jobs``, ``lang``, ``max-findings``, ``baseline``, ``exit-zero``)
and ``waivers``; an option given on the command line wins over the file. Paths in the file are
relative to the file's folder. Without ``--config FILE``, the file is looked for beside the
first checked path (the export folder, or the folder of a checked file) and in the folders
above it: in each, ``pakkeforlop.toml`` or ``.pakkeforlop.toml`` (whose keys are at the top)
before ``pyproject.toml`` (only when it has a ``[tool.pakkeforlop]`` table). ``--no-config``
uses none.

A key the kit does not know, or a value of the wrong kind, is a usage error (exit status 2)
that names the file and the key: a misspelt waiver must not silently waive nothing.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pakkeforlop.report.acceptance import AcceptanceError, Waiver

__all__ = ["CONFIG_NAMES", "Config", "ConfigError", "find", "load"]

#: File names looked for in each folder, in this order.
CONFIG_NAMES = ("pakkeforlop.toml", ".pakkeforlop.toml", "pyproject.toml")
#: The report formats (``format``, ``outputs``), as on the command line.
FORMATS = ("text", "json", "junit", "html", "sarif", "gitlab", "github")
KEYS = frozenset(
    {
        "fail-on",
        "select",
        "ignore",
        "format",
        "outputs",
        "xsd-dir",
        "jobs",
        "lang",
        "max-findings",
        "baseline",
        "exit-zero",
        "waivers",
    }
)
WAIVER_KEYS = frozenset({"rule", "files", "fingerprint", "justification", "expires"})


class ConfigError(Exception):
    """The configuration file cannot be used (exit status 2)."""


@dataclass(frozen=True, slots=True)
class Config:
    """What a configuration file says; ``None`` (or empty) where it says nothing."""

    #: The file, or None when no file is used.
    path: Path | None = None
    fail_on: str | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    format: str | None = None
    #: Format -> file, relative paths resolved against the file's folder.
    outputs: Mapping[str, str] = field(default_factory=dict)
    xsd_dir: Path | None = None
    jobs: int | None = None
    jobs_auto: bool = False
    lang: str | None = None
    max_findings: int | None = None
    baseline: str | None = None
    exit_zero: bool | None = None
    waivers: tuple[Waiver, ...] = ()


def _table(path: Path) -> dict[str, Any] | None:
    """The file's pakkeforlop table (None: a pyproject.toml without one)."""
    try:
        with path.open("rb") as handle:
            document = tomllib.load(handle)
    except OSError as error:
        msg = f"{path}: cannot read the configuration ({error.strerror or error})"
        raise ConfigError(msg) from error
    except tomllib.TOMLDecodeError as error:
        msg = f"{path}: not valid TOML ({error})"
        raise ConfigError(msg) from error
    if path.name != "pyproject.toml":
        return document
    table = document.get("tool", {}).get("pakkeforlop")
    if table is not None and not isinstance(table, dict):
        msg = f"{path}: [tool.pakkeforlop] must be a table"
        raise ConfigError(msg)
    return table


def find(start: Path) -> Path | None:
    """The configuration file that applies to ``start`` (a checked path), if any."""
    folder = start if start.is_dir() else start.parent
    for candidate in (folder.absolute(), *folder.absolute().parents):
        for name in CONFIG_NAMES:
            path = candidate / name
            if path.is_file() and (name != "pyproject.toml" or _table(path) is not None):
                return path
    return None


def _strings(where: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    msg = f"{where}: a rule id or family, or a list of them"
    raise ConfigError(msg)


def _choice(where: str, value: Any, choices: Sequence[str]) -> str:
    if value not in choices:
        msg = f"{where}: must be one of {', '.join(choices)}, not {value!r}"
        raise ConfigError(msg)
    return str(value)


def _path(folder: Path, where: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        msg = f"{where}: a file name"
        raise ConfigError(msg)
    return str(folder / value)


def _waiver(where: str, entry: Any) -> Waiver:
    if not isinstance(entry, dict):
        msg = (
            f"{where}: a table with rule, justification and optionally files, fingerprint, expires"
        )
        raise ConfigError(msg)
    unknown = sorted(set(entry) - WAIVER_KEYS)
    if unknown:
        msg = f"{where}: unknown key {unknown[0]!r} (a waiver has {', '.join(sorted(WAIVER_KEYS))})"
        raise ConfigError(msg)
    for key in ("rule", "justification"):
        if not isinstance(entry.get(key), str):
            msg = f"{where}: {key} is required (a string)"
            raise ConfigError(msg)
    for key in ("files", "fingerprint"):
        if key in entry and not isinstance(entry[key], str):
            msg = f"{where}: {key} must be a string"
            raise ConfigError(msg)
    expires = entry.get("expires")
    if isinstance(expires, str):
        try:
            expires = date.fromisoformat(expires)
        except ValueError as error:
            msg = f"{where}: expires must be a date (2026-12-31), not {expires!r}"
            raise ConfigError(msg) from error
    if expires is not None and not isinstance(expires, date):
        msg = f"{where}: expires must be a date (2026-12-31)"
        raise ConfigError(msg)
    try:
        return Waiver(
            rule=entry["rule"],
            justification=entry["justification"],
            files=entry.get("files"),
            fingerprint=entry.get("fingerprint"),
            expires=expires,
            origin=where,
        )
    except AcceptanceError as error:
        raise ConfigError(str(error)) from error


def _count(where: str, value: Any, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        msg = f"{where}: a whole number, at least {least}"
        raise ConfigError(msg)
    return value


def _outputs(where: str, folder: Path, value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        msg = f'{where}: outputs is a table of format = file (json = "report.json")'
        raise ConfigError(msg)
    return {
        _choice(f"{where}: outputs", name, FORMATS): _path(folder, f"{where}: outputs.{name}", file)
        for name, file in value.items()
    }


def _jobs(where: str, value: Any) -> dict[str, Any]:
    if value == "auto":
        return {"jobs_auto": True}
    return {"jobs": _count(f'{where}: jobs (or "auto")', value, 1)}


def _flag(where: str, value: Any) -> bool:
    if not isinstance(value, bool):
        msg = f"{where}: true or false"
        raise ConfigError(msg)
    return value


def _waivers(path: Path, where: str, value: Any) -> tuple[Waiver, ...]:
    if not isinstance(value, list):
        msg = f"{where}: waivers is an array of tables ([[tool.pakkeforlop.waivers]])"
        raise ConfigError(msg)
    return tuple(_waiver(f"{path.name}: waivers[{n}]", entry) for n, entry in enumerate(value))


#: How each key is read: (key, setting, reader(where, folder, path, value) -> value). ``jobs``
#: sets one of two settings and is read apart.
_READERS: tuple[tuple[str, str, Callable[[str, Path, Path, Any], Any]], ...] = (
    ("fail-on", "fail_on", lambda w, _f, _p, v: _choice(w, v, ("error", "warning"))),
    ("select", "select", lambda w, _f, _p, v: _strings(w, v)),
    ("ignore", "ignore", lambda w, _f, _p, v: _strings(w, v)),
    ("format", "format", lambda w, _f, _p, v: _choice(w, v, FORMATS)),
    ("outputs", "outputs", lambda w, f, _p, v: _outputs(w, f, v)),
    ("xsd-dir", "xsd_dir", lambda w, f, _p, v: Path(_path(f, w, v))),
    ("lang", "lang", lambda w, _f, _p, v: _choice(w, v, ("en", "nb"))),
    ("max-findings", "max_findings", lambda w, _f, _p, v: _count(w, v, 0)),
    ("baseline", "baseline", lambda w, f, _p, v: _path(f, w, v)),
    ("exit-zero", "exit_zero", lambda w, _f, _p, v: _flag(w, v)),
    ("waivers", "waivers", lambda w, _f, p, v: _waivers(p, w, v)),
)


def load(path: Path) -> Config:
    """Read a configuration file; raises :class:`ConfigError` when it cannot be used."""
    table = _table(path)
    if table is None:
        msg = f"{path}: no [tool.pakkeforlop] table"
        raise ConfigError(msg)
    where = f"{path}" if path.name != "pyproject.toml" else f"{path} [tool.pakkeforlop]"
    unknown = sorted(set(table) - KEYS)
    if unknown:
        msg = f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(KEYS))})"
        raise ConfigError(msg)
    settings: dict[str, Any] = {"path": path}
    for key, setting, read in _READERS:
        if key in table:
            settings[setting] = read(f"{where}: {key}", path.parent, path, table[key])
    if "jobs" in table:
        settings.update(_jobs(where, table["jobs"]))
    return Config(**settings)
