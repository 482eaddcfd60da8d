"""`workbench apps` restarted within a minute: the port its last run used sits in TIME-WAIT,
which must not count as "in use" (issue 12, item 5)."""

from __future__ import annotations

import socket
import time

import pytest

from workbench.errors import WorkbenchError
from workbench.ui.serve import _require_free_port


def _port_left_in_time_wait() -> int:
    """A port whose listener closed right after serving a connection it closed first (the
    server side of that connection is then in TIME-WAIT, as after stopping Voila)."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port))
    connection, _ = server.accept()
    connection.close()  # the server closes first: its side goes to TIME-WAIT
    client.recv(1)  # sees the close
    client.close()
    server.close()
    time.sleep(0.1)
    return port


def test_a_port_in_time_wait_counts_as_free():
    port = _port_left_in_time_wait()
    plain = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        with pytest.raises(OSError):  # what the old check did: bind without SO_REUSEADDR
            plain.bind(("127.0.0.1", port))
    finally:
        plain.close()
    _require_free_port(port)  # no error: a restarted `workbench apps` may use it


def test_a_port_with_a_listener_is_still_in_use():
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen()
    try:
        with pytest.raises(WorkbenchError, match="in use"):
            _require_free_port(server.getsockname()[1])
    finally:
        server.close()
