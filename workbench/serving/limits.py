"""Admission and deadlines for scoring requests: a concurrency cap and a timeout.

Past ``max_concurrency`` requests in progress the server answers 503 at once (with
``Retry-After``) instead of queueing without bound, so an overloaded server stays
quick to say no and ``/health`` keeps answering. A request that takes longer than
``request_timeout`` (body upload included) is answered 504; the worker thread scoring
it cannot be interrupted, so it finishes in the background and its result is dropped.
The counter lives on the event loop, which is single-threaded, so it needs no lock.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from workbench.serving.errors import RequestError

OVERLOADED = "OVERLOADED"
"""More scoring requests are in progress than the server admits (503)."""
REQUEST_TIMEOUT = "REQUEST_TIMEOUT"
"""The request took longer than the server's request timeout (504)."""
RETRY_AFTER_SECONDS = 1
"""What a 503 tells the client to wait before trying again."""


class RequestGate:
    """Admits scoring requests up to a limit and bounds how long each may take."""

    def __init__(self, max_concurrency: int, timeout: float) -> None:
        self.max_concurrency = max_concurrency
        self.timeout = timeout
        self.in_progress = 0
        """Scoring requests admitted and not yet answered (for ``/metrics``)."""
        self.rejected = 0
        """Requests answered 503 because the limit was reached."""
        self.timed_out = 0
        """Requests answered 504."""

    @asynccontextmanager
    async def admit(self) -> AsyncIterator[None]:
        """Hold a place for one request for the duration of the block.

        Raises:
            RequestError: 503 ``OVERLOADED`` when no place is free; 504
                ``REQUEST_TIMEOUT`` when the block outlives the timeout.
        """
        if self.in_progress >= self.max_concurrency:
            self.rejected += 1
            raise RequestError(
                503,
                OVERLOADED,
                f"the server is busy with {self.max_concurrency} requests; retry shortly",
            )
        self.in_progress += 1
        try:
            async with asyncio.timeout(self.timeout):
                yield
        except TimeoutError as exc:
            self.timed_out += 1
            raise RequestError(
                504, REQUEST_TIMEOUT, f"the request took longer than {self.timeout:g} s"
            ) from exc
        finally:
            self.in_progress -= 1
