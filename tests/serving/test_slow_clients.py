"""Slow and idle clients cannot starve the server: slowloris at 1 byte/s and many idle
sockets, while a normal client is still answered promptly."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import polars as pl
import pytest

pytestmark = pytest.mark.slow

IDLE = 500
SLOW = 20


def test_slowloris_and_idle_sockets_do_not_stop_other_clients(
    base_url: str, sample_rows: pl.DataFrame
) -> None:
    host, port = base_url.removeprefix("http://").split(":")
    idle = [socket.create_connection((host, int(port)), timeout=5) for _ in range(IDLE)]
    stop = threading.Event()

    def slowloris() -> None:
        sock = socket.create_connection((host, int(port)), timeout=5)
        request = b"POST /invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n"
        try:
            for byte in request:
                if stop.wait(1.0):
                    break
                sock.send(bytes([byte]))
        except OSError:
            pass  # the server may close a client that is too slow: that is allowed
        finally:
            sock.close()

    drips = [threading.Thread(target=slowloris, daemon=True) for _ in range(SLOW)]
    for drip in drips:
        drip.start()
    try:
        body = {"dataframe_records": sample_rows.head(1).to_dicts()}
        with httpx.Client(base_url=base_url, timeout=10.0) as client:
            for _ in range(20):
                started = time.monotonic()
                response = client.post("/invocations", json=body)
                assert response.status_code == 200, response.text
                assert time.monotonic() - started < 5.0
            assert client.get("/health").status_code == 200
    finally:
        stop.set()
        for sock in idle:
            sock.close()
        for drip in drips:
            drip.join(5)
