"""Admission and deadlines for scoring requests: a concurrency cap and a timeout.

Past ``max_concurrency`` requests in progress the server answers 503 at once (with
``Retry-After``) instead of queueing without bound, so an overloaded server stays
quick to say no and ``/health`` keeps answering. A request that takes longer than
``request_timeout`` is answered 504, unless its body had not fully arrived by then: a
body that stops short is the client's doing and is answered 408. The worker thread
scoring a request cannot be interrupted, so it finishes in the background and its
result is dropped.
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
BODY_TIMEOUT = "BODY_TIMEOUT"
"""The request's body stopped short: it had not all arrived by the timeout (408)."""
RETRY_AFTER_SECONDS = 1
"""What a 503 tells the client to wait before trying again."""


class Admission:
    """One admitted request; the service says while it is still reading the body."""

    def __init__(self) -> None:
        self.reading_body = False
        """True while the body is being received (a timeout then is the client's: 408)."""


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
        """Requests answered 504 or 408."""

    @asynccontextmanager
    async def admit(self) -> AsyncIterator[Admission]:
        """Hold a place for one request for the duration of the block.

        Raises:
            RequestError: 503 ``OVERLOADED`` when no place is free; 504
                ``REQUEST_TIMEOUT`` when the block outlives the timeout, 408
                ``BODY_TIMEOUT`` when it does so while still reading the body.
        """
        if self.in_progress >= self.max_concurrency:
            self.rejected += 1
            raise RequestError(
                503,
                OVERLOADED,
                f"the server is busy with {self.max_concurrency} requests; retry shortly",
            )
        self.in_progress += 1
        admission = Admission()
        try:
            async with asyncio.timeout(self.timeout):
                yield admission
        except TimeoutError as exc:
            self.timed_out += 1
            if admission.reading_body:
                raise RequestError(
                    408,
                    BODY_TIMEOUT,
                    f"the request body stopped short: not all of it arrived within "
                    f"{self.timeout:g} s",
                ) from exc
            raise RequestError(
                504, REQUEST_TIMEOUT, f"the request took longer than {self.timeout:g} s"
            ) from exc
        finally:
            self.in_progress -= 1
