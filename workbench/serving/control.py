"""The pool's private line to each worker: JSON messages, one per line, over a socket pair.

The pool (``pool.py``) and each worker (``worker.py``) hold the two ends of one
``socket.socketpair()``. Messages are small JSON objects with a ``"type"``; both sides
send from several threads, so sending is serialised, and one thread per side reads.
End-of-file means the other side is gone: a worker then stops, as it does when the
engine that started the pool is gone.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Iterator
from typing import Any

Message = dict[str, Any]

READY = "ready"
"""worker -> pool: loaded and listening; carries ``name`` and ``version``."""
FAILED = "failed"
"""worker -> pool: could not load the model at start; carries ``message``."""
SWAP = "swap"
"""worker -> pool: an ``/admin/swap`` arrived here; carries ``id`` and ``manifest``."""
SWAPPED = "swapped"
"""pool -> worker: the answer to a ``swap``: ``id``, ``status`` and the JSON ``body``."""
PREPARE = "prepare"
"""pool -> worker: load ``manifest`` as ``generation`` and say when it is warm."""
PREPARED = "prepared"
"""worker -> pool: the answer to ``prepare``: ``ok``, else ``status``/``code``/``message``."""
COVER = "cover"
"""pool -> worker: accept on worker ``slot``'s socket too; that worker crashed."""
UNCOVER = "uncover"
"""pool -> worker: stop accepting on ``slot``'s socket; its replacement listens."""


class Channel:
    """One end of a pool-worker socket pair."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._reader = sock.makefile("rb")
        self._send_lock = threading.Lock()

    @classmethod
    def from_fd(cls, fd: int) -> Channel:
        """The worker's end, from the descriptor the pool passed it."""
        return cls(socket.socket(fileno=fd))

    def send(self, message: Message) -> bool:
        """Send one message; False when the other side is gone."""
        data = json.dumps(message, separators=(",", ":")).encode() + b"\n"
        with self._send_lock:
            try:
                self._sock.sendall(data)
            except OSError:
                return False
        return True

    def messages(self) -> Iterator[Message]:
        """Messages as they arrive, until the other side closes (or sends garbage).

        A side that dies with messages unread resets the connection instead of closing
        it (a worker stopped while it was still importing): that ends them too.
        """
        while True:
            try:
                line = self._reader.readline()
            except OSError:  # reset by a side that died, or this side closed
                return
            if not line:
                return
            try:
                message = json.loads(line)
            except ValueError:
                return
            if isinstance(message, dict):
                yield message

    def close(self) -> None:
        """Close this end; the other side's reader sees end-of-file."""
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self._reader.close()
        self._sock.close()
