"""The test-wide network guard (conftest.py) refuses the network but not local sockets."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.conftest import NetworkAccessError


@pytest.mark.parametrize("family", [socket.AF_INET, socket.AF_INET6])
def test_internet_sockets_are_refused(family: socket.AddressFamily) -> None:
    address = ("192.0.2.1", 80) if family is socket.AF_INET else ("2001:db8::1", 80)
    with socket.socket(family) as sock, pytest.raises(NetworkAccessError):
        sock.connect(address)
    with pytest.raises(NetworkAccessError):
        socket.create_connection(("192.0.2.1", 80))


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="no Unix-domain sockets here")
def test_unix_domain_sockets_are_allowed(tmp_path: Path) -> None:
    path = str(tmp_path / "socket")
    with socket.socket(socket.AF_UNIX) as server, socket.socket(socket.AF_UNIX) as client:
        server.bind(path)
        server.listen()
        client.connect(path)
