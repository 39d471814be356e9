"""The installed distribution carries its data and loads it without the network."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import pakkeforlop

from .conftest import REPO_ROOT

PROBE = textwrap.dedent(
    """
    import socket

    def refuse(*args, **kwargs):
        raise RuntimeError("network used")

    socket.socket.connect = refuse
    socket.create_connection = refuse

    from pakkeforlop.data import locations
    from pakkeforlop.data import codes
    from pakkeforlop.data import pathways
    from pakkeforlop.data import schemas

    schemas.ensure_format_checkers()
    for schema_id in schemas.schema_ids():
        schemas.validator(schema_id)
    import pakkeforlop

    print(pakkeforlop.__file__)
    print(locations.data_root())
    print(len(schemas.schema_ids()), len(codes.code_systems()), len(pathways.pathways()))
    """
)


def _installed_from_checkout() -> bool:
    return Path(pakkeforlop.__file__).resolve().is_relative_to(REPO_ROOT / "src")


@pytest.mark.skipif(
    _installed_from_checkout(),
    reason="pakkeforlop is imported from the source tree (editable install); "
    "install it with `pip install .` to test the wheel",
)
def test_the_installed_wheel_loads_every_schema_code_list_and_pathway_offline(tmp_path):
    result = subprocess.run(
        [sys.executable, "-I", "-c", PROBE],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    package_file, data_root, counts = result.stdout.splitlines()
    assert not Path(package_file).is_relative_to(REPO_ROOT / "src")
    assert Path(data_root) == Path(package_file).parent / "_data"
    schemas, code_lists, pathway_count = map(int, counts.split())
    assert schemas == len(list((REPO_ROOT / "schemas").rglob("*.schema.json")))
    assert code_lists == len(list((REPO_ROOT / "spec" / "codes").glob("*.toml")))
    assert pathway_count == 8
