"""The local server's port check (pure socket logic; starting the real server is an integration test)."""

from __future__ import annotations

import socket

from feedcorpus.studio.local_server import HOST, free_port, port_is_free


def test_a_port_with_only_time_wait_connections_is_free_and_a_listening_one_is_not():
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((HOST, 0))
    listener.listen()
    port = listener.getsockname()[1]
    assert not port_is_free(port)
    client = socket.create_connection((HOST, port))
    accepted, _ = listener.accept()
    accepted.close()  # the server side closes first: its end of the connection waits in TIME-WAIT
    client.close()
    listener.close()
    assert port_is_free(port)


def test_free_port_gives_a_bindable_port():
    assert port_is_free(free_port())
