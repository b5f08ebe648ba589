"""The free-port probe: a port whose server stopped with clients connected is free at once.

The server side that closes a connection first keeps it in ``TIME_WAIT`` for about a
minute; a plain ``bind`` refuses the port meanwhile, while the server itself (uvicorn,
the pool) binds with ``SO_REUSEADDR`` and could listen. The probe must agree with it.
"""

from __future__ import annotations

import socket

from workbench.engine.deploy.supervisor import port_is_free


def _stopped_server_with_a_client() -> int:
    """A server that accepted a client and closed the connection first; its port."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port))
    accepted, _ = server.accept()
    accepted.close()  # the server side closes first: its end goes to TIME_WAIT
    server.close()
    client.recv(1)  # end-of-file: the close reached the client
    client.close()
    return port


def test_a_port_in_time_wait_is_free_to_the_probe_though_a_plain_bind_refuses_it() -> None:
    port = _stopped_server_with_a_client()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as plain:
        try:
            plain.bind(("127.0.0.1", port))
            refused = False
        except OSError:
            refused = True
    assert refused, "the connection did not stay in TIME_WAIT; the test proves nothing"
    assert port_is_free("127.0.0.1", port)


def test_a_port_with_a_listener_is_not_free() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        assert not port_is_free("127.0.0.1", listener.getsockname()[1])
