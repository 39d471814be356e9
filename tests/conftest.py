"""Test-wide fixtures: no network, and paths to the repository and ../shared."""

from __future__ import annotations

import socket
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from pakkeforlop.model.records import Document, ExportFacts
    from pakkeforlop.rules.checks import Check, Hit

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT.parent / "shared"
EXAMPLES = REPO_ROOT / "examples"


class NetworkAccessError(RuntimeError):
    """A test tried to open a network connection."""


def _refuse(*_args: object, **_kwargs: object) -> None:
    msg = "tests must not touch the network"
    raise NetworkAccessError(msg)


_LOCAL_FAMILIES = {getattr(socket, "AF_UNIX", None)} - {None}
_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex


def _local_only(connect: Any) -> Any:
    """``connect`` for local (Unix-domain) sockets, such as a multiprocessing fork server's."""

    def guarded(self: socket.socket, address: Any) -> Any:
        if self.family not in _LOCAL_FAMILIES:
            _refuse()
        return connect(self, address)

    return guarded


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _local_only(_connect))
    monkeypatch.setattr(socket.socket, "connect_ex", _local_only(_connect_ex))
    monkeypatch.setattr(socket, "create_connection", _refuse)


def shared_file(*parts: str) -> Path:
    """A file under ../shared, or skip the test when that folder is not beside the checkout."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not available; CI always has ../shared beside the checkout")
    return path


def spied(check: Check, called: list[str]) -> Check:
    """``check``, noting its rule id in ``called`` each time its function runs."""

    def function(document: Document, facts: ExportFacts) -> Iterable[Hit]:
        called.append(check.rule_id)
        return check.function(document, facts)

    return replace(check, function=function)
