"""The suite's network guard (pytest-socket, pyproject addopts) is in force in every xdist worker:
a connection outside localhost is refused before it leaves the machine; localhost is allowed."""

from __future__ import annotations

import socket

import pytest
from pytest_socket import SocketConnectBlockedError


def test_a_connection_outside_localhost_is_blocked():
    with pytest.raises(SocketConnectBlockedError):
        socket.create_connection(("192.0.2.1", 443), timeout=1)  # TEST-NET-1: never routed


def test_localhost_is_allowed():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        socket.create_connection(listener.getsockname(), timeout=5).close()
