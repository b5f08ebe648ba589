"""``/metrics`` in the Prometheus text format, through ``prometheus_client``.

Each app has its own registry (tests and notebooks run several servers in one process).
Request counts, errors and latency are observed by the middleware for every route;
what is state rather than an event (the served version, requests in progress, the
prediction log's counters) is read at scrape time by a collector, so it is never stale.
The registry also carries prometheus_client's process, platform and garbage collector
collectors, as a Prometheus user expects of any Python service.

Behind one port, several worker processes answer (``pool.py``), and a scrape must give
the pool's figures whichever worker it reaches. Event metrics then use
prometheus_client's multiprocess mode (the pool sets ``PROMETHEUS_MULTIPROC_DIR`` for its
workers, each writes its own file, a scrape merges them), and state is read from the
shared scoreboard every worker publishes its row to (``shared_state.py``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector

from workbench.serving.limits import RequestGate
from workbench.serving.loaded import ModelHolder
from workbench.serving.prediction_log import PredictionLog
from workbench.serving.shared_state import MULTIPROC_ENV, Scores, SharedState

PREFIX = "workbench_serving"
LATENCY_BUCKETS = (
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0,
)  # fmt: skip
"""Seconds; fine at the low end, where a loopback scoring request lands."""
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256)
CONTENT_TYPE = CONTENT_TYPE_LATEST
"""The ``Content-Type`` of ``/metrics``."""


@dataclass(frozen=True)
class PoolSeat:
    """Where one worker of a pool publishes its state: the shared memory and its row."""

    state: SharedState
    """The pool's shared scoreboard."""
    worker: int
    """This worker's row (1-based)."""


class ServingMetrics:
    """The server's metrics and their registry."""

    def __init__(
        self,
        holder: ModelHolder,
        gate: RequestGate,
        prediction_log: PredictionLog | None = None,
        seat: PoolSeat | None = None,
    ) -> None:
        self._seat = seat
        self._state = _StateCollector(holder, gate, prediction_log, seat)
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            f"{PREFIX}_requests",
            "HTTP requests answered, by route, method and status.",
            ["endpoint", "method", "status"],
            registry=self.registry,
        )
        self.errors = Counter(
            f"{PREFIX}_errors",
            "HTTP requests answered with a 4xx or 5xx status, by route and status.",
            ["endpoint", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            f"{PREFIX}_request_duration_seconds",
            "Seconds from a request's arrival to its response, by route.",
            ["endpoint"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.batch_rows = Histogram(
            f"{PREFIX}_batch_rows",
            "Rows predicted per model call when micro-batching is on.",
            buckets=BATCH_BUCKETS,
            registry=self.registry,
        )
        self.swaps = Counter(
            f"{PREFIX}_model_swaps",
            "Hot-swap attempts through /admin/swap, by outcome.",
            ["outcome"],
            registry=self.registry,
        )
        self._multiprocess_dir = os.environ.get(MULTIPROC_ENV) or None
        self.exposed = self.registry
        """The registry a scrape renders: this one, or the pool's merged view."""
        if self._multiprocess_dir is not None:
            from prometheus_client.multiprocess import MultiProcessCollector

            self.exposed = CollectorRegistry()
            MultiProcessCollector(  # type: ignore[no-untyped-call]  # an untyped constructor
                self.exposed, path=self._multiprocess_dir
            )
        self.exposed.register(self._state)
        ProcessCollector(registry=self.exposed)
        PlatformCollector(registry=self.exposed)
        GCCollector(registry=self.exposed)

    def observe_request(self, endpoint: str, method: str, status: int, seconds: float) -> None:
        """Count one answered request and its latency."""
        code = str(status)
        self.requests.labels(endpoint, method, code).inc()
        self.latency.labels(endpoint).observe(seconds)
        if status >= 400:
            self.errors.labels(endpoint, code).inc()

    def observe_batch(self, rows: int, requests: int) -> None:
        """Record one batched model call."""
        self.batch_rows.observe(rows)

    def publish(self) -> None:
        """Write this worker's state to its scoreboard row (a pool worker does so often)."""
        self._state.publish()

    def render(self) -> bytes:
        """The exposition text."""
        return generate_latest(self.exposed)


class _StateCollector(Collector):
    """Values read at scrape time: served model, admission counters, prediction log."""

    def __init__(
        self,
        holder: ModelHolder,
        gate: RequestGate,
        prediction_log: PredictionLog | None,
        seat: PoolSeat | None,
    ) -> None:
        self._holder = holder
        self._gate = gate
        self._log = prediction_log
        self._seat = seat

    def local(self) -> Scores:
        """This process's figures."""
        gate = self._gate
        if self._log is None:
            return Scores(gate.in_progress, gate.rejected, gate.timed_out)
        stats = self._log.stats()
        return Scores(
            gate.in_progress,
            gate.rejected,
            gate.timed_out,
            stats.written_rows,
            stats.dropped_rows,
            stats.files,
            stats.write_errors,
            stats.queued_rows,
        )

    def publish(self) -> None:
        if self._seat is not None:
            self._seat.state.write_scores(self._seat.worker, self.local())

    def scores(self) -> Scores:
        """This process's figures, or the whole pool's (with this row fresh)."""
        if self._seat is None:
            return self.local()
        self.publish()
        return self._seat.state.total()

    def collect(self) -> Iterator[Metric]:
        model = self._holder.current
        version = GaugeMetricFamily(
            f"{PREFIX}_model_version", "Version of the model now served.", labels=["model_name"]
        )
        version.add_metric([model.name], model.version)
        yield version
        info = GaugeMetricFamily(
            f"{PREFIX}_model_info",
            "The model now served (always 1; the labels carry the facts).",
            labels=["model_name", "model_version", "sha256"],
        )
        info.add_metric([model.name, str(model.version), model.sha256], 1)
        yield info
        scores = self.scores()
        yield _gauge("in_progress", "Scoring requests in progress.", scores.in_progress)
        yield _counter("rejected", "Requests refused with 503 (overloaded).", scores.rejected)
        yield _counter("timeouts", "Requests answered 504 (timed out).", scores.timed_out)
        if self._log is not None:
            yield from _log_metrics(scores)


def _log_metrics(scores: Scores) -> Iterator[Metric]:
    yield _counter("prediction_log_rows", "Rows written to the log.", scores.log_written)
    yield _counter(
        "prediction_log_dropped_rows",
        "Rows not logged: queue full or write failed.",
        scores.log_dropped,
    )
    yield _counter("prediction_log_files", "Prediction log files written.", scores.log_files)
    yield _counter(
        "prediction_log_write_errors", "Failed prediction log writes.", scores.log_errors
    )
    yield _gauge("prediction_log_queued_rows", "Rows waiting to be written.", scores.log_queued)


def _gauge(name: str, doc: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(f"{PREFIX}_{name}", doc, value=value)


def _counter(name: str, doc: str, value: float) -> CounterMetricFamily:
    return CounterMetricFamily(f"{PREFIX}_{name}", doc, value=value)
