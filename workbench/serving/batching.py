"""Adaptive micro-batching: concurrent small requests share one ``predict`` call.

A scikit-learn ``predict`` on one row costs nearly what it costs on thirty (a random
forest walks its trees once per call, not per row), so under concurrent traffic the
server gathers requests into one call, the way BentoML's adaptive batching does, and
splits the answer back per request.

The batch size adapts to load on its own: a single predictor thread takes everything
that queued up while it was busy (up to ``max_batch_rows``). Under the GIL the event
loop cannot parse new requests while the model runs, so after each call the predictor
also waits (at most ``max_wait_ms``) for requests the server has already admitted and
is still reading or parsing; when none are on their way, as at low traffic, a request
is predicted at once and batching adds no latency.

A batch never mixes model versions (each request brings the model it read from the
holder), and one bad request cannot fail its neighbours: if the batch is refused, its
requests are predicted one by one so only the bad one gets its 400.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field

import polars as pl

from workbench.serving.errors import RequestError
from workbench.serving.loaded import LoadedModel
from workbench.serving.options import BatchingOptions
from workbench.serving.scoring import Prediction, predict_frame

logger = logging.getLogger(__name__)

BatchObserver = Callable[[int, int], None]
"""Called after each predict call with (rows, requests), for ``/metrics``."""


@dataclass
class _Item:
    model: LoadedModel
    frame: pl.DataFrame
    enqueued: float
    future: Future[Prediction] = field(default_factory=Future)


class MicroBatcher:
    """A queue of small prediction requests and the one thread that batches them."""

    def __init__(
        self,
        options: BatchingOptions,
        observe: BatchObserver | None = None,
        arriving: Callable[[], int] | None = None,
    ) -> None:
        """Set up the batcher (call :meth:`start` to run it).

        Args:
            options: Batch size and wait.
            observe: Called with (rows, requests) after each predict call.
            arriving: How many requests are admitted but not yet submitted (still being
                read or parsed). With it, a batch waits only while such requests exist;
                without it, a batch always waits ``max_wait_ms`` to fill.
        """
        self.options = options
        self._observe = observe
        self._arriving = arriving
        self._queue: deque[_Item] = deque()
        self._cond = threading.Condition()
        self._closing = False
        self._thread: threading.Thread | None = None

    def accepts(self, rows: int) -> bool:
        """Whether a request of ``rows`` rows is small enough to be batched."""
        return rows < self.options.max_batch_rows

    def start(self) -> None:
        """Start the predictor thread (idempotent)."""
        with self._cond:
            if self._thread is None:
                self._closing = False
                self._thread = threading.Thread(target=self._run, name="micro-batcher", daemon=True)
                self._thread.start()

    def submit(self, model: LoadedModel, frame: pl.DataFrame) -> Future[Prediction]:
        """Queue conformed rows for prediction; the future holds their slice of the answer.

        Cancelling the future (a timed-out request) before its batch runs skips it.
        """
        item = _Item(model, frame, time.monotonic())
        with self._cond:
            if self._thread is None:  # not started (no lifespan): predict right here
                item.future.set_running_or_notify_cancel()
                self._predict([item])
                return item.future
            self._queue.append(item)
            self._cond.notify()
        return item.future

    def close(self, timeout: float = 10.0) -> None:
        """Predict what is queued, then stop the thread."""
        with self._cond:
            thread, self._thread = self._thread, None
            self._closing = True
            self._cond.notify()
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        while True:
            batch = self._take()
            if batch is None:
                return
            live = [item for item in batch if item.future.set_running_or_notify_cancel()]
            if live:
                self._predict(live)

    def _take(self) -> list[_Item] | None:
        """Wait for work; return the next batch (one model, at most max rows)."""
        wait_s = self.options.max_wait_ms / 1000.0
        with self._cond:
            while not self._queue:
                if self._closing:
                    return None
                self._cond.wait()
            if wait_s > 0:
                deadline = self._queue[0].enqueued + wait_s
                while self._worth_waiting():
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    self._cond.wait(left)
            model = self._queue[0].model
            batch = [self._queue.popleft()]
            rows = batch[0].frame.height
            while self._queue and self._queue[0].model is model:
                nxt = self._queue[0].frame.height
                if rows + nxt > self.options.max_batch_rows:
                    break
                batch.append(self._queue.popleft())
                rows += nxt
            return batch

    def _worth_waiting(self) -> bool:
        """Whether more rows may join this batch: room left and (if known) some coming."""
        if self._closing or self._rows_queued() >= self.options.max_batch_rows:
            return False
        return self._arriving is None or self._arriving() > 0

    def _rows_queued(self) -> int:
        return sum(item.frame.height for item in self._queue)

    def _predict(self, items: list[_Item]) -> None:
        """Predict the items in one call and hand each its rows; never raises."""
        model = items[0].model
        frame = items[0].frame if len(items) == 1 else pl.concat([i.frame for i in items])
        try:
            prediction = predict_frame(model, frame)
        except RequestError as exc:
            if len(items) == 1:
                items[0].future.set_exception(exc)
            else:  # someone's rows were refused: find out whose, alone
                for item in items:
                    self._predict([item])
            return
        except Exception as exc:  # a bug in the model: every request in it gets the 500
            logger.exception("batched prediction failed for model version %d", model.version)
            for item in items:
                item.future.set_exception(exc)
            return
        if self._observe is not None:
            self._observe(frame.height, len(items))
        start = 0
        for item in items:
            stop = start + item.frame.height
            item.future.set_result(prediction.rows(start, stop))
            start = stop
