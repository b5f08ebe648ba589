"""The live scoring server as its process reports it: alive or not, traffic, latency.

Whether the scoring server is alive, and how busy, is known only to the process that
supervises it (the store knows what was decided, not what runs); the probe reads the
supervisor and the server's ``/metrics`` and answers for the api, so a TUI attached
over the control API sees the same as one in the engine's process.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

from workbench.core.errors import WorkbenchError
from workbench.core.records import ServingStatus

if TYPE_CHECKING:
    from workbench.engine.deploy.supervisor import ServingSupervisor

METRICS_TIMEOUT_S = 0.5
"""How long a status read waits for the server's ``/metrics`` (a busy server is not
slowed down by the dashboard, and the dashboard does not hang on a stuck server)."""

RATE_WINDOW_S = 30.0
"""Requests/s and p99 cover roughly the last this many seconds (between status reads)."""

MIN_WINDOW_S = 1.0
"""Two reads closer than this give no figures: too short a window to mean anything."""

_PREFIX = "workbench_serving"


# the scoring server --------------------------------------------------------------------


@dataclass(frozen=True)
class _Scrape:
    """The cumulative scoring counters of one ``/metrics`` read."""

    at: float
    pid: int
    requests: float
    buckets: tuple[tuple[float, float], ...]
    """(upper bound, cumulative count) of the latency histogram, ascending bounds."""
    version: int | None


class ServingProbe:
    """Reads the server's ``/metrics`` and turns its counters into recent rates.

    Prometheus counters only grow, so a rate needs two reads: the probe keeps the reads
    of the last :data:`RATE_WINDOW_S` seconds and compares the newest with the oldest.
    One probe per api object; safe to call from several threads.
    """

    def __init__(self, window_s: float = RATE_WINDOW_S, timeout_s: float = METRICS_TIMEOUT_S):
        self._window_s = window_s
        self._timeout_s = timeout_s
        self._reads: deque[_Scrape] = deque()
        self._lock = threading.Lock()

    def status(self, server: ServingSupervisor | None) -> ServingStatus:
        """Whether the scoring server ``server`` supervises is alive, and its recent traffic."""
        info = server.info if server is not None else None
        if server is None or info is None:
            with self._lock:
                self._reads.clear()
            return ServingStatus("not_serving", None, None, None, None, None, 0.0, None)
        if not server.running:
            with self._lock:
                self._reads.clear()
            note = f"the scoring server process (pid {info.pid}) has exited"
            return ServingStatus(
                "stopped", info.url, info.version, info.pid, None, None, 0.0, None, note
            )
        try:
            scrape = _scrape(info.url, info.pid, self._timeout_s)
        except WorkbenchError as exc:
            return ServingStatus(
                "running", info.url, info.version, info.pid, None, None, 0.0, None, str(exc)
            )
        base = self._remember(scrape)
        version = scrape.version if scrape.version is not None else info.version
        window = scrape.at - base.at
        if window < MIN_WINDOW_S:
            return ServingStatus(
                "running",
                info.url,
                version,
                info.pid,
                None,
                None,
                0.0,
                int(scrape.requests),
                "measuring: request rate and latency come with the next read",
            )
        count = scrape.requests - base.requests
        return ServingStatus(
            "running",
            info.url,
            version,
            info.pid,
            count / window,
            histogram_quantile(0.99, _bucket_deltas(scrape.buckets, base.buckets)),
            window,
            int(scrape.requests),
            "" if count else "no scoring requests in this window",
        )

    def _remember(self, scrape: _Scrape) -> _Scrape:
        """Keep ``scrape``; return the read to compare it with (at most a window old)."""
        with self._lock:
            reads = self._reads
            if reads and (reads[-1].pid != scrape.pid or reads[-1].requests > scrape.requests):
                reads.clear()  # another server process: its counters started again
            reads.append(scrape)
            while len(reads) > 1 and scrape.at - reads[1].at >= self._window_s:
                reads.popleft()
            return reads[0]


def _is_scoring(endpoint: str) -> bool:
    """MLflow's ``/invocations`` and the V2 ``.../infer`` routes (not health or metrics)."""
    return endpoint == "/invocations" or endpoint.endswith("/infer")


def _scrape(url: str, pid: int, timeout_s: float) -> _Scrape:
    """The scoring counters from ``url/metrics``.

    Raises:
        WorkbenchError: The server did not answer in time or answered something else.
    """
    import httpx  # 0.1 s to import: only when a running server is asked
    from prometheus_client.parser import text_string_to_metric_families

    try:
        response = httpx.get(f"{url}/metrics", timeout=timeout_s)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise WorkbenchError(
            f"the scoring server's /metrics did not answer within {timeout_s:g} s: {exc}"
        ) from exc
    at = time.monotonic()
    requests = 0.0
    buckets: dict[float, float] = {}
    version: int | None = None
    try:
        for family in text_string_to_metric_families(response.text):
            for sample in family.samples:
                endpoint = sample.labels.get("endpoint", "")
                if sample.name == f"{_PREFIX}_requests_total" and _is_scoring(endpoint):
                    requests += sample.value
                elif sample.name == f"{_PREFIX}_request_duration_seconds_bucket" and _is_scoring(
                    endpoint
                ):
                    bound = float(sample.labels["le"])
                    buckets[bound] = buckets.get(bound, 0.0) + sample.value
                elif sample.name == f"{_PREFIX}_model_version":
                    version = int(sample.value)
    except (ValueError, KeyError) as exc:
        raise WorkbenchError(f"the scoring server's /metrics is not readable: {exc}") from exc
    return _Scrape(at, pid, requests, tuple(sorted(buckets.items())), version)


def _bucket_deltas(
    new: tuple[tuple[float, float], ...], old: tuple[tuple[float, float], ...]
) -> list[tuple[float, float]]:
    """Cumulative bucket counts of the requests between two reads."""
    before = dict(old)
    return [(bound, count - before.get(bound, 0.0)) for bound, count in new]


def histogram_quantile(q: float, buckets: list[tuple[float, float]]) -> float | None:
    """The ``q`` quantile of a cumulative histogram, as Prometheus' histogram_quantile.

    Linear within the bucket the rank falls in; a rank in the ``+Inf`` bucket gives the
    highest finite bound (the histogram cannot say more).
    """
    if not buckets or buckets[-1][1] <= 0:
        return None
    rank = q * buckets[-1][1]
    lower, below = 0.0, 0.0
    for bound, count in buckets:
        if count >= rank:
            if bound == float("inf"):
                return lower
            share = (rank - below) / (count - below) if count > below else 1.0
            return lower + (bound - lower) * share
        lower, below = bound, count
    return lower
