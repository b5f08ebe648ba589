"""Write sampled predictions to Parquet in batches, off the request path.

Monitoring (drift, the engine's ingest into DuckDB) reads what the server answered.
The server may not open the store, so it leaves files in a folder the engine watches:
``predictions-<epochms>-<pid>-<seq>.parquet`` (the process id keeps the names of a
pool's workers, which share the folder, apart), each written under a hidden temporary name
and renamed into place, so a reader never sees half a file. The engine reads and
deletes them.

A request only appends to an in-memory queue (a lock and a deque append); one daemon
thread builds frames and writes files. The queue is bounded in rows: when monitoring
cannot keep up, rows are dropped and counted (``/metrics``) rather than slowing or
failing a request. A failed write is logged and counted the same way.
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from workbench.core.errors import ServingError
from workbench.serving.options import PredictionLogOptions
from workbench.serving.scoring import Scored

logger = logging.getLogger(__name__)

META_COLUMNS = ("ts", "model_version", "latency_ms", "request_id")
"""Columns before the inputs in every file; ``prediction`` and ``probability`` follow."""
FILE_PREFIX = "predictions-"
"""Finished files start with this and end in ``.parquet``; temporary ones start with a dot."""


@dataclass(frozen=True)
class LogRecord:
    """One answered request waiting to be written."""

    ts: datetime
    """When the answer was ready (UTC)."""
    request_id: str
    """The id the response carried in ``X-Request-Id``."""
    latency_ms: float
    """Milliseconds from the request's arrival to its answer."""
    scored: Scored
    """The conformed inputs and what the model answered."""


@dataclass(frozen=True)
class LogStats:
    """Counters for ``/metrics``, read as one consistent snapshot."""

    written_rows: int
    """Rows written to finished files."""
    dropped_rows: int
    """Rows thrown away because the queue was full or a write failed."""
    files: int
    """Files written."""
    write_errors: int
    """Writes that failed (their rows are counted in ``dropped_rows``)."""
    queued_rows: int
    """Rows waiting in memory now."""


class PredictionLog:
    """A bounded queue of answered requests and the thread that writes them out."""

    def __init__(self, options: PredictionLogOptions) -> None:
        """Create the log folder now, so a bad path stops the server before it is ready.

        Raises:
            ServingError: The folder cannot be created.
        """
        self.options = options
        try:
            options.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ServingError(
                f"cannot create the prediction log folder {options.directory}: {exc}"
            ) from exc
        self._queue: deque[LogRecord] = deque()
        self._queued_rows = 0
        self._cond = threading.Condition()
        self._closing = False
        self._writing = False
        self._thread: threading.Thread | None = None
        self._seq = 0
        self._written = self._dropped = self._files = self._errors = 0
        self._random = random.Random()

    def start(self) -> None:
        """Start the writer thread (idempotent)."""
        with self._cond:
            if self._thread is not None:
                return
            self._closing = False
            self._thread = threading.Thread(
                target=self._run, name="prediction-log-writer", daemon=True
            )
            self._thread.start()

    def sampled(self) -> bool:
        """Whether to log the next request (decided before any record is built)."""
        rate = self.options.sample_rate
        return rate >= 1.0 or (rate > 0.0 and self._random.random() < rate)

    def submit(self, record: LogRecord) -> None:
        """Queue a record without waiting; drop it (and count it) if the queue is full."""
        rows = record.scored.inputs.height
        with self._cond:
            if self._queued_rows + rows > self.options.max_queued_rows:
                self._dropped += rows
                return
            self._queue.append(record)
            self._queued_rows += rows
            if len(self._queue) == 1 or self._queued_rows >= self.options.batch_rows:
                self._cond.notify_all()  # start the flush clock, or write a full batch now

    def stats(self) -> LogStats:
        """The counters as of now."""
        with self._cond:
            return LogStats(
                self._written, self._dropped, self._files, self._errors, self._queued_rows
            )

    def wait_idle(self, timeout: float) -> bool:
        """Block until everything submitted so far is written (or dropped); False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._queue and not self._writing, timeout)

    def close(self, timeout: float = 10.0) -> None:
        """Write what is queued and stop the thread (at shutdown)."""
        with self._cond:
            thread, self._thread = self._thread, None
            self._closing = True
            self._cond.notify_all()
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        while True:
            batch, closing = self._next_batch()
            try:
                if batch:
                    self._write(batch)
            finally:
                with self._cond:
                    self._writing = False
                    self._cond.notify_all()
            if closing:
                return

    def _next_batch(self) -> tuple[list[LogRecord], bool]:
        """Wait until a batch is due (full, old enough, or closing); take up to a file's worth."""
        with self._cond:
            deadline: float | None = None
            while not self._closing:
                if self._queued_rows >= self.options.batch_rows:
                    break
                now = time.monotonic()
                if self._queue and deadline is None:
                    deadline = now + self.options.flush_seconds
                if deadline is not None and now >= deadline:
                    break
                self._cond.wait(None if deadline is None else deadline - now)
            batch: list[LogRecord] = []
            rows = 0
            while self._queue and rows < self.options.batch_rows:  # files of about batch_rows
                record = self._queue.popleft()
                batch.append(record)
                rows += record.scored.inputs.height
            self._queued_rows -= rows
            self._writing = bool(batch)
            return batch, self._closing and not self._queue

    def _write(self, batch: list[LogRecord]) -> None:
        """Write one file per model version (versions may differ in columns)."""
        by_version: dict[int, list[LogRecord]] = {}
        for record in batch:
            by_version.setdefault(record.scored.model_version, []).append(record)
        for records in by_version.values():
            rows = sum(r.scored.inputs.height for r in records)
            try:
                path = self._write_file(records_frame(records))
            except Exception:
                logger.exception("could not write %d logged predictions; dropped them", rows)
                with self._cond:
                    self._errors += 1
                    self._dropped += rows
                continue
            logger.debug("wrote %d logged predictions to %s", rows, path)
            with self._cond:
                self._written += rows
                self._files += 1

    def _write_file(self, frame: pl.DataFrame) -> Path:
        self._seq += 1
        stamp = time.time_ns() // 1_000_000
        name = f"{FILE_PREFIX}{stamp}-{os.getpid()}-{self._seq:06d}.parquet"
        final = self.options.directory / name
        temporary = final.with_name(f".{name}.tmp")
        try:
            frame.write_parquet(temporary)
            temporary.replace(final)
        finally:
            temporary.unlink(missing_ok=True)
        return final


def records_frame(records: list[LogRecord]) -> pl.DataFrame:
    """The rows of some records (one model version) as one frame in the file's column order.

    Built column by column for the whole batch: the inputs are concatenated once and
    the other columns come from plain lists, because a frame per record (hundreds of
    one-row requests a second) cost the scoring process more than the requests did.
    """
    heights = [r.scored.inputs.height for r in records]

    def per_row(values: list[Any]) -> list[Any]:
        return [value for value, rows in zip(values, heights, strict=True) for _ in range(rows)]

    inputs = pl.concat([r.scored.inputs for r in records], how="vertical_relaxed")
    inputs = inputs.rename({n: f"input_{n}" for n in inputs.columns if n in _TAKEN})
    meta = pl.DataFrame(
        {
            "ts": pl.Series(per_row([r.ts for r in records]), dtype=pl.Datetime("us", "UTC")),
            "model_version": pl.Series(
                per_row([r.scored.model_version for r in records]), dtype=pl.Int64
            ),
            "latency_ms": pl.Series(per_row([r.latency_ms for r in records]), dtype=pl.Float64),
            "request_id": pl.Series(per_row([r.request_id for r in records]), dtype=pl.String),
        }
    )
    predictions = [p for r in records for p in r.scored.prediction.predictions]
    outputs: dict[str, Any] = {"prediction": _series(predictions)}
    probabilities = [_probability_of_prediction(r.scored) for r in records]
    if any(p is not None for p in probabilities):
        outputs["probability"] = pl.Series(
            [
                value
                for p, rows in zip(probabilities, heights, strict=True)
                for value in (p if p is not None else [None] * rows)
            ],
            dtype=pl.Float64,
        )
    return pl.concat([meta, inputs, pl.DataFrame(outputs)], how="horizontal")


_TAKEN = frozenset((*META_COLUMNS, "prediction", "probability"))
"""Input columns with these names are written as ``input_<name>`` so nothing is lost."""


def _series(values: list[Any]) -> pl.Series:
    """Predictions as a column; labels of mixed types fall back to text."""
    try:
        return pl.Series(values, strict=True)
    except (TypeError, pl.exceptions.PolarsError):
        return pl.Series([None if v is None else str(v) for v in values], dtype=pl.String)


def _probability_of_prediction(scored: Scored) -> list[float | None] | None:
    """For a classifier, the probability it gave the class it predicted, per row."""
    prediction = scored.prediction
    if prediction.probabilities is None or not prediction.classes:
        return None
    index = {label: i for i, label in enumerate(prediction.classes)}
    out: list[float | None] = []
    for label, row in zip(prediction.predictions, prediction.probabilities, strict=True):
        position = index.get(label)
        out.append(row[position] if position is not None else (max(row) if row else None))
    return out


def utc_now() -> datetime:
    """The record timestamp: aware UTC, as the ``ts`` column stores it."""
    return datetime.now(UTC)
