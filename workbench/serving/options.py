"""What a scoring server can be told at start: limits, logging, batching, who may call it.

Every option has a default that works on a laptop, so ``create_app(holder)`` and
``python -m workbench.serving --manifest FILE`` need nothing else. The command line flags
in ``__main__.py`` map one to one onto these fields.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from workbench.core.errors import ServingError

DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024
"""Largest request body accepted by default (10 MiB); larger bodies get a 413."""
LOOPBACK_NAMES: tuple[str, ...] = ("localhost", "127.0.0.1", "::1")
"""Host header names accepted by default: this machine only (DNS-rebinding defence)."""
ANY_HOST = "*"
"""The one allowed-hosts entry that turns the Host header check off (behind a proxy)."""
TOKEN_ENV = "WORKBENCH_SERVING_TOKEN"
"""Environment variable holding the admin bearer token; unset means no admin routes."""


@dataclass(frozen=True)
class PredictionLogOptions:
    """Where and how much of the traffic is written for monitoring to read."""

    directory: Path
    """Folder the Parquet files ``predictions-<epochms>-<pid>-<seq>.parquet`` appear in."""
    sample_rate: float = 1.0
    """Share of requests logged, 0 to 1 (all rows of a sampled request are logged)."""
    flush_seconds: float = 1.0
    """Longest a logged row waits in memory before its file is written."""
    batch_rows: int = 500
    """A file is written as soon as this many rows are waiting."""
    max_queued_rows: int = 100_000
    """Rows held in memory at most; past it rows are dropped (and counted), never waited for."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "directory", Path(self.directory))
        _check(0.0 <= self.sample_rate <= 1.0, "log sample rate", "between 0 and 1")
        _check(self.flush_seconds > 0, "log flush interval", "a positive number of seconds")
        _check(self.batch_rows > 0, "log batch size", "a positive number of rows")
        _check(self.max_queued_rows > 0, "log queue size", "a positive number of rows")


@dataclass(frozen=True)
class BatchingOptions:
    """Adaptive micro-batching: concurrent small requests share one ``predict`` call."""

    max_batch_rows: int = 64
    """Most rows predicted in one call; requests with this many rows or more are scored
    on their own."""
    max_wait_ms: float = 5.0
    """Longest the first request of a batch waits for requests already admitted and
    still being read or parsed. With none on their way it does not wait at all, so a
    lone request is never delayed; 0 never waits."""

    def __post_init__(self) -> None:
        _check(self.max_batch_rows > 1, "max batch", "at least 2 rows (0 turns batching off)")
        _check(
            0.0 <= self.max_wait_ms <= 1000.0 and math.isfinite(self.max_wait_ms),
            "max batch wait",
            "between 0 and 1000 ms",
        )


@dataclass(frozen=True)
class ServingOptions:
    """Everything about a scoring server except the model it serves and where it listens."""

    strict: bool = False
    """Refuse requests with columns the model does not use (400) instead of ignoring them."""
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    """Body size cap, enforced while the body streams in (413)."""
    request_timeout: float = 30.0
    """Seconds a scoring request may take, body upload included, before a 504."""
    max_concurrency: int = 64
    """Scoring requests in progress at once; one more is answered 503 at once."""
    header_timeout: float = 10.0
    """Seconds a client may take to send a request's line and headers (from the
    connection or the request's first byte); past it, a 408 and the connection closes."""
    allowed_hosts: tuple[str, ...] = LOOPBACK_NAMES
    """Host header names (no port) accepted; others get a 400. ``("*",)`` accepts any."""
    cors_origins: tuple[str, ...] = ()
    """Browser origins allowed to call the server (exact ``scheme://host[:port]``); none by
    default, and never a wildcard."""
    admin_token: str | None = field(default=None, repr=False)
    """Bearer token for ``POST /admin/swap``; ``None`` leaves the admin routes out (404)."""
    prediction_log: PredictionLogOptions | None = None
    """Write sampled predictions to Parquet for monitoring; ``None`` logs nothing."""
    batching: BatchingOptions | None = field(default_factory=BatchingOptions)
    """Micro-batch concurrent small requests (on by default: it pays for every model in
    ``benchmarks/serving.py``); ``None`` scores each request on its own."""

    def __post_init__(self) -> None:
        _check(self.max_body_bytes > 0, "max body size", "a positive number of bytes")
        _check(
            self.request_timeout > 0 and math.isfinite(self.request_timeout),
            "request timeout",
            "a positive number of seconds",
        )
        _check(self.max_concurrency > 0, "max concurrency", "a positive number of requests")
        _check(
            self.header_timeout > 0 and math.isfinite(self.header_timeout),
            "header timeout",
            "a positive number of seconds",
        )
        _check(bool(self.allowed_hosts), "allowed hosts", "at least one name (or '*')")
        object.__setattr__(self, "allowed_hosts", tuple(h.lower() for h in self.allowed_hosts))
        for origin in self.cors_origins:
            _check(
                origin != ANY_HOST and "://" in origin,
                f"CORS origin {origin!r}",
                "an exact origin such as http://localhost:3000 (no wildcard)",
            )
        if self.admin_token is not None:
            _check(len(self.admin_token) >= 16, "admin token", "at least 16 characters")


def _check(ok: bool, what: str, expected: str) -> None:
    if not ok:
        raise ServingError(f"scoring server option {what} must be {expected}")
