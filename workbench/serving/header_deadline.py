"""A deadline for a request's line and headers, which uvicorn does not have.

uvicorn 0.55 times out idle keep-alive connections, but a client that opens a connection
and sends half a header (slowloris), one byte now and then, holds it open for ever: the
keep-alive timer is cancelled by the first byte and nothing else runs until the headers
are complete. :func:`header_deadline_protocol` returns uvicorn's h11 protocol with one
timer more: armed when a connection opens or a request's first bytes arrive, cancelled
once h11 has parsed the request's headers. When it fires first the client gets a JSON
408 and the connection is closed.

It is h11's protocol on purpose, whatever else is installed: ``http="auto"`` would pick
httptools when present, which this module does not extend.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_TIMEOUT = "HEADER_TIMEOUT"
"""The request line and headers did not arrive within the header deadline (408)."""


def header_deadline_protocol(seconds: float) -> type[asyncio.Protocol]:
    """uvicorn's h11 protocol with a ``seconds`` deadline for each request's headers; pass
    it as ``uvicorn.Config(http=...)``."""

    class HeaderDeadlineProtocol(_HeaderDeadline):
        header_timeout = seconds

    return HeaderDeadlineProtocol


class _HeaderDeadline(H11Protocol):
    header_timeout: float = 10.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._awaiting_headers():
            if self._header_timer is None:  # first bytes of the next request on this connection
                self._arm()
        else:
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _awaiting_headers(self) -> bool:
        """True while the current request's headers are not complete (h11's IDLE)."""
        return self.conn.their_state is h11.IDLE

    def _arm(self) -> None:
        self._disarm()
        self._header_timer = self.loop.call_later(self.header_timeout, self._expired)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _expired(self) -> None:
        self._header_timer = None
        if self.transport.is_closing() or not self._awaiting_headers():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            return  # a response is still being written (pipelining); it closes later
        body = json.dumps(
            {
                "error_code": HEADER_TIMEOUT,
                "message": f"the request headers did not arrive within "
                f"{self.header_timeout:g} s; the connection is closed",
            }
        ).encode()
        head = (
            "HTTP/1.1 408 Request Timeout\r\n"
            "content-type: application/json\r\n"
            f"content-length: {len(body)}\r\n"
            "connection: close\r\n\r\n"
        ).encode("ascii")
        # Written raw: h11 will not send a response to a request it has not seen.
        self.transport.write(head + body)
        self.transport.close()
