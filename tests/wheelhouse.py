"""An offline wheelhouse for the tests that install the kit as a vendor would.

The tests never use the network, but ``pip install`` of the built wheel (and pre-commit's
``pip install .`` of this repository) must find the kit's dependencies and its build backend
somewhere. This module makes a folder of wheels for them from the distributions installed in
the test environment: each installed distribution is packed back into the wheel it came
from (its files as its ``RECORD`` lists them, its tags from its ``WHEEL`` file). pip then
installs from that folder alone (``--no-index --find-links``), resolving and checking every
requirement as it would from a package index.
"""

from __future__ import annotations

import base64
import hashlib
import re
import zipfile
from collections.abc import Iterable, Iterator
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name


def _closure(
    names: Iterable[str], extras_of: dict[str, set[str]]
) -> dict[str, metadata.Distribution]:
    """The installed distributions ``names`` need, themselves included, by canonical name."""
    found: dict[str, metadata.Distribution] = {}
    pending = [(canonicalize_name(name), extras_of.get(name, set())) for name in names]
    environment = default_environment()
    while pending:
        name, extras = pending.pop()
        if name in found:
            continue
        distribution = metadata.distribution(name)
        found[name] = distribution
        for line in distribution.requires or ():
            requirement = Requirement(line)
            marker = requirement.marker
            wanted = marker is None or any(
                marker.evaluate({**environment, "extra": extra}) for extra in ({""} | extras)
            )
            if wanted:
                pending.append((canonicalize_name(requirement.name), set(requirement.extras)))
    return found


def _files(distribution: metadata.Distribution) -> Iterator[tuple[str, Path]]:
    """(name in the wheel, file on disk) of every file of the distribution inside site-packages."""
    for entry in distribution.files or ():
        name = entry.as_posix()
        if name.startswith("..") or "__pycache__" in name or name.endswith(".pyc"):
            continue  # scripts (made again from entry points) and byte code
        if name.endswith(".dist-info/RECORD") or name.endswith(".dist-info/INSTALLER"):
            continue
        if name.endswith(".dist-info/direct_url.json") or name.endswith(".dist-info/REQUESTED"):
            continue
        path = Path(str(distribution.locate_file(entry)))
        if path.is_file():
            yield name, path


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def repack(distribution: metadata.Distribution, folder: Path) -> Path:
    """The installed ``distribution`` as a wheel file in ``folder``."""
    name = re.sub(r"[-_.]+", "_", distribution.metadata["Name"])
    version = distribution.version
    info = f"{name}-{version}.dist-info"
    wheel_text = distribution.read_text("WHEEL") or ""
    tags = [
        line.split(":", 1)[1].strip() for line in wheel_text.splitlines() if line.startswith("Tag:")
    ]
    pythons, abis, platforms = (sorted({tag.split("-")[i] for tag in tags}) for i in range(3))
    target = (
        folder / f"{name}-{version}-{'.'.join(pythons)}-{'.'.join(abis)}-{'.'.join(platforms)}.whl"
    )
    records = []
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for listed, path in _files(distribution):
            head, _, rest = listed.partition("/")
            member = f"{info}/{rest}" if head.endswith(".dist-info") else listed
            data = path.read_bytes()
            archive.writestr(member, data)
            records.append(_record_line(member, data))
        records.append(f"{info}/RECORD,,")
        archive.writestr(f"{info}/RECORD", "\n".join(records) + "\n")
    return target


def build(
    folder: Path, requirements: Iterable[str], extras: dict[str, set[str]] | None = None
) -> list[Path]:
    """Wheels of the installed distributions that ``requirements`` need, written to ``folder``.

    ``requirements`` are distribution names; a name installed in editable mode (this kit, in a
    developer's environment) is left out: the tests build its wheel themselves.
    """
    folder.mkdir(parents=True, exist_ok=True)
    wheels = []
    for name, distribution in sorted(_closure(requirements, extras or {}).items()):
        if name == "pakkeforlop":
            continue
        wheels.append(repack(distribution, folder))
    return wheels
