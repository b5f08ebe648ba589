"""Following the control API's event stream from another process.

A background thread reads ``GET /api/events/stream`` (server-sent events) and calls the
subscriber for each event. When the connection drops (the engine restarts, a laptop
sleeps) it reconnects with ``after=<last id seen>``, so the subscriber sees every event
once, in id order, with no gap.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import suppress
from typing import Any

import httpx

from workbench.api import codec
from workbench.core.errors import WorkbenchError
from workbench.core.records import EventRecord

RETRY_S = (0.1, 0.25, 0.5, 1.0, 2.0)
"""Waits before successive reconnect attempts (the last one repeats)."""


class EventStream:
    """One subscription: a thread that follows the stream until :meth:`stop`."""

    def __init__(
        self,
        url: str,
        token: str,
        callback: Callable[[EventRecord], None],
        *,
        after: int | None = None,
    ) -> None:
        """Prepare (not start) a subscription.

        Args:
            url: Base URL of the control API, ``http://127.0.0.1:PORT``.
            token: Its bearer token.
            callback: Called on the stream's thread for each event; must be quick.
            after: Resume after this event id; None means "events from now on".
        """
        self._url = url.rstrip("/") + "/api/events/stream"
        self._headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
        self._callback = callback
        self.last_id = after
        """The id of the last event delivered (or the stream's start), for resuming."""
        self._stopped = threading.Event()
        self._ready = threading.Event()
        self._lock = threading.RLock()
        self._response: httpx.Response | None = None
        self.error: WorkbenchError | None = None
        """Why the stream gave up (a refused token), or None while it follows."""
        self._thread = threading.Thread(target=self._follow, name="workbench-events", daemon=True)

    def start(self, timeout: float = 10.0) -> EventStream:
        """Connect and return once the engine has subscribed us (later events will arrive).

        Raises:
            WorkbenchError: The engine refused or did not answer within ``timeout``.
        """
        self._thread.start()
        if not self._ready.wait(timeout):
            self.stop()
            raise self.error or WorkbenchError(
                f"the engine at {self._url} did not open an event stream within {timeout:g} s"
            )
        if self.error is not None:
            raise self.error
        return self

    def stop(self) -> None:
        """Stop delivering now; the thread ends as its connection is shut (idempotent)."""
        with self._lock:
            self._stopped.set()
            response = self._response
        if response is not None:
            _shutdown(response)

    @property
    def alive(self) -> bool:
        """Whether the thread still follows the stream."""
        return self._thread.is_alive()

    def join(self, timeout: float | None = None) -> None:
        """Wait for the thread to end (after :meth:`stop`)."""
        self._thread.join(timeout)

    def _follow(self) -> None:
        attempt = 0
        with httpx.Client(timeout=httpx.Timeout(5.0, read=None)) as client:
            while not self._stopped.is_set():
                try:
                    if self._read(client):
                        attempt = 0
                except httpx.HTTPError:
                    pass
                if self.error is not None:
                    self._ready.set()
                    return
                if self._stopped.wait(RETRY_S[min(attempt, len(RETRY_S) - 1)]):
                    return
                attempt += 1

    def _read(self, client: httpx.Client) -> bool:
        """Read one connection until it ends; True if it delivered the ready frame."""
        params = {} if self.last_id is None else {"after": str(self.last_id)}
        with client.stream("GET", self._url, params=params, headers=self._headers) as response:
            if response.status_code != 200:
                response.read()
                if response.status_code in (401, 400):
                    self.error = codec.error_from_body(
                        _json(response.text),
                        f"the engine refused the event stream: {response.text}",
                    )
                return False
            with self._lock:
                if self._stopped.is_set():
                    return False
                self._response = response
            try:
                for kind, data in _frames(response.iter_lines()):
                    self._dispatch(kind, data)
            finally:
                with self._lock:
                    self._response = None
        return True

    def _dispatch(self, kind: str, data: str) -> None:
        if kind == "ready":
            if self.last_id is None:
                self.last_id = int(json.loads(data)["last_id"])
            self._ready.set()
            return
        event = codec.decode(json.loads(data), EventRecord, "event")
        if self.last_id is not None and event.id <= self.last_id:
            return
        with self._lock:  # held while calling back: nothing is delivered after stop()
            if self._stopped.is_set():
                return
            self.last_id = event.id
            with suppress(Exception):  # a subscriber's bug must not end the stream
                self._callback(event)


def _frames(lines: Iterator[str]) -> Iterator[tuple[str, str]]:
    """(event name, data) per server-sent event; comments and ids are skipped."""
    kind = "message"
    data: list[str] = []
    for line in lines:
        if not line:
            if data:
                yield kind, "\n".join(data)
            kind, data = "message", []
        elif line.startswith("event:"):
            kind = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _shutdown(response: httpx.Response) -> None:
    """Wake the thread blocked reading ``response`` by shutting its socket down."""
    stream = response.extensions.get("network_stream")
    sock = stream.get_extra_info("socket") if stream is not None else None
    if isinstance(sock, socket.socket):
        with suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
