"""Deadlines and charsets against a real server over real sockets.

A client that sends half its headers gets a 408 once the header deadline passes (the
deadline runs from the first byte: more drips do not extend it), a body that stops short
gets a 408 (not a 504: the client, not the model, was slow), and a charset other than
UTF-8 gets a 415.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator

import httpx
import polars as pl
import pytest

from workbench.serving import ServingManifest, ServingOptions, build_server

from .conftest import running

HEADER_S = 0.5
BOUND_S = 10.0
"""How long a test waits for the server's answer before failing (never a tuned sleep)."""


@pytest.fixture(scope="module")
def strict_url(manifest: ServingManifest) -> Iterator[str]:
    """A server with a short header deadline and request timeout."""
    options = ServingOptions(header_timeout=HEADER_S, request_timeout=HEADER_S)
    with running(build_server(manifest, port=0, options=options)) as url:
        yield url


def _connect(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=BOUND_S)


def _read_until_closed(sock: socket.socket) -> bytes:
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def _read_response(sock: socket.socket) -> bytes:
    """One response: its head, then as many body bytes as its Content-Length says."""
    raw = b""
    while b"\r\n\r\n" not in raw:
        raw += sock.recv(65536)
    head, _, body = raw.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += sock.recv(65536)
    return head + b"\r\n\r\n" + body


def _answer(raw: bytes) -> tuple[int, dict[str, str]]:
    head, _, body = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, json.loads(body)


def test_half_sent_headers_get_a_408_and_the_connection_is_closed(strict_url: str) -> None:
    with _connect(strict_url) as sock:
        sock.sendall(b"POST /invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty")
        started = time.monotonic()
        raw = _read_until_closed(sock)
    status, body = _answer(raw)
    assert status == 408 and body["error_code"] == "HEADER_TIMEOUT"
    assert time.monotonic() - started < BOUND_S


def test_dripping_header_bytes_does_not_extend_the_deadline(strict_url: str) -> None:
    request = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Drip: " + b"a" * 200
    with _connect(strict_url) as sock:
        sock.settimeout(HEADER_S / 5)
        sent = 0
        raw = b""
        started = time.monotonic()
        while time.monotonic() - started < BOUND_S:
            try:
                raw = sock.recv(65536)
                break  # the server spoke (and closes): the deadline held
            except TimeoutError:
                if sent < len(request):
                    sock.send(request[sent : sent + 1])  # one byte per tick, never done
                    sent += 1
        sock.settimeout(BOUND_S)
        raw += _read_until_closed(sock)
    assert _answer(raw)[0] == 408
    assert sent < len(request)


def test_the_deadline_applies_to_the_next_request_on_a_kept_alive_connection(
    strict_url: str,
) -> None:
    with _connect(strict_url) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        first = sock.recv(65536)
        assert first.startswith(b"HTTP/1.1 200")
        sock.sendall(b"GET /health HTTP/1.1\r\nHo")
        raw = _read_until_closed(sock)
    assert _answer(raw)[0] == 408


def test_a_body_that_stops_short_gets_a_408_not_a_504(strict_url: str) -> None:
    head = (
        b"POST /invocations HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"
    )
    with _connect(strict_url) as sock:
        sock.sendall(head + b'{"datafr')
        raw = _read_response(sock)
    status, body = _answer(raw)
    assert status == 408 and body["error_code"] == "BODY_TIMEOUT"
    assert "stopped short" in body["message"]


@pytest.mark.parametrize("charset", ["latin-1", "UTF-16", '"iso-8859-1"'])
def test_a_charset_other_than_utf8_gets_a_415(
    client: httpx.Client, sample_rows: pl.DataFrame, charset: str
) -> None:
    body = json.dumps({"dataframe_records": sample_rows.head(1).to_dicts()})
    headers = {"Content-Type": f"application/json; charset={charset}"}
    refused = client.post("/invocations", content=body, headers=headers)
    assert refused.status_code == 415, refused.text
    assert refused.json()["error_code"] == "UNSUPPORTED_MEDIA_TYPE"
    assert "UTF-8" in refused.json()["message"]
    for fine in ("utf-8", "UTF8", '"utf-8"'):
        headers = {"Content-Type": f"application/json; charset={fine}"}
        assert client.post("/invocations", content=body, headers=headers).status_code == 200
