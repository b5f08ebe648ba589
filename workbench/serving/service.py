"""The path every scoring request takes, whatever protocol it came in by.

MLflow's ``/invocations`` and the Open Inference Protocol's ``/v2/.../infer`` differ
only in how a body becomes a frame and how the answer is shaped; between the two,
:meth:`ScoringService.score` does the same for both: admit (or 503), read the body
under the size cap, read the served model once, parse and conform, predict in a
worker thread (or in a micro-batch), time out (504), and hand a sample to the
prediction log. It owns the threads that do this work and is started and closed by the
app's lifespan.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import quote

import polars as pl
from starlette.requests import ClientDisconnect, Request

from workbench.serving.batching import MicroBatcher
from workbench.serving.errors import MALFORMED_REQUEST, PAYLOAD_TOO_LARGE, RequestError
from workbench.serving.limits import RequestGate
from workbench.serving.loaded import LoadedModel, ModelHolder
from workbench.serving.metrics import PoolSeat, ServingMetrics
from workbench.serving.options import ServingOptions
from workbench.serving.prediction_log import LogRecord, PredictionLog, utc_now
from workbench.serving.scoring import Prepared, Scored, predict_frame, prepare, score_frame

logger = logging.getLogger(__name__)

Parser = Callable[[bytes, LoadedModel], pl.DataFrame]
"""Turns a request body into a frame; may use the model's signature (V2 tensors)."""

INLINE_PARSE_BYTES = 16 * 1024
"""With batching on, bodies this small are parsed on the event loop (about a
millisecond), saving a thread hop before they join a batch."""
MAX_SCORING_THREADS = 16
INLINE_PREDICT_S = 0.01
"""A lone small request is predicted on the event loop only while the model's recent
predictions averaged less than this: what ``/health`` or a timeout may wait for."""
INLINE_MAX_ROWS = 8
"""Most rows a request predicted on the event loop may have (the pace is learned on
requests of any size up to the batch limit; this keeps the inline ones near one row)."""
PACE_SAMPLES = 3
PACE_WEIGHT = 0.2
"""Weight of the newest prediction in :class:`Pace`'s moving average."""
MAX_HEADER_NAMES = 50
"""Most ignored column names listed in the response header (the count header is exact)."""
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


@dataclass(frozen=True)
class Answer:
    """A scored request and the id it is known by in logs and headers."""

    scored: Scored
    """What the model answered, with the version that answered."""
    request_id: str
    """The client's ``X-Request-Id`` when it sent a sane one, else a fresh one."""

    def headers(self) -> dict[str, str]:
        """Response headers: the answering version, the request id, ignored columns."""
        headers = {
            "X-Model-Version": str(self.scored.model_version),
            "X-Request-Id": self.request_id,
        }
        ignored = self.scored.ignored_columns
        if ignored:
            headers["X-Workbench-Ignored-Columns"] = ",".join(
                quote(name, safe="") for name in ignored[:MAX_HEADER_NAMES]
            )
            headers["X-Workbench-Ignored-Column-Count"] = str(len(ignored))
        return headers


class ScoringService:
    """Admission, threads, batching and the prediction log around :mod:`scoring`."""

    def __init__(
        self, holder: ModelHolder, options: ServingOptions, seat: PoolSeat | None = None
    ) -> None:
        self.holder = holder
        self.options = options
        self.gate = RequestGate(options.max_concurrency, options.request_timeout)
        self.prediction_log = (
            PredictionLog(options.prediction_log) if options.prediction_log else None
        )
        self.metrics = ServingMetrics(holder, self.gate, self.prediction_log, seat)
        self._arriving = 0  # admitted, not yet handed to the batcher (event loop only)
        self.batcher = (
            MicroBatcher(options.batching, self.metrics.observe_batch, lambda: self._arriving)
            if options.batching
            else None
        )
        self._pace = Pace()
        self._executor = ThreadPoolExecutor(
            max_workers=min(options.max_concurrency, MAX_SCORING_THREADS),
            thread_name_prefix="scoring",
        )

    def start(self) -> None:
        """Start the background threads (the app's lifespan calls this)."""
        if self.prediction_log is not None:
            self.prediction_log.start()
        if self.batcher is not None:
            self.batcher.start()

    def close(self) -> None:
        """Finish queued predictions, flush the prediction log, release the threads."""
        if self.batcher is not None:
            self.batcher.close()
        self._executor.shutdown(wait=False, cancel_futures=True)
        if self.prediction_log is not None:
            self.prediction_log.close()

    async def score(self, request: Request, parse: Parser) -> Answer:
        """Score one request end to end.

        Raises:
            RequestError: Anything wrong with the request (4xx), too many requests
                (503), too slow (504) or a body that stopped short (408).
        """
        started = time.perf_counter()
        request_id = request_id_for(request)
        async with self.gate.admit() as admission:
            self._arriving += 1
            pending = [True]

            def arrived() -> None:  # once: when queued for a batch, or done otherwise
                if pending:
                    pending.clear()
                    self._arriving -= 1

            try:
                admission.reading_body = True
                body = await read_body(request, self.options.max_body_bytes)
                admission.reading_body = False
                model = self.holder.current  # read once: this request is answered by it
                scored = await self._score(model, body, parse, arrived)
            finally:
                arrived()
        log = self.prediction_log
        if log is not None and log.sampled():
            latency_ms = (time.perf_counter() - started) * 1000.0
            log.submit(LogRecord(utc_now(), request_id, latency_ms, scored))
        return Answer(scored, request_id)

    async def _score(
        self, model: LoadedModel, body: bytes, parse: Parser, arrived: Callable[[], None]
    ) -> Scored:
        loop = asyncio.get_running_loop()
        strict = self.options.strict
        if self.batcher is None:
            return await loop.run_in_executor(
                self._executor, lambda: score_frame(model, parse(body, model), strict=strict)
            )
        if len(body) <= INLINE_PARSE_BYTES:
            ready = prepare(model, parse(body, model), strict=strict)
        else:
            ready = await loop.run_in_executor(
                self._executor, lambda: prepare(model, parse(body, model), strict=strict)
            )
        return await self._predict(model, ready, arrived)

    async def _predict(
        self, model: LoadedModel, ready: Prepared, arrived: Callable[[], None]
    ) -> Scored:
        """Predict a prepared request: in the batcher, in a thread, or right here.

        A request that is the only one admitted is predicted on the event loop: no
        other request is being read, parsed or predicted, so none can join its batch,
        and the two thread hops to the batcher and back (a third of the server's own
        time on a one-row request) are saved. Only requests of a few rows to a model
        whose recent predictions were quick qualify (:class:`Pace`), so the loop, which
        answers ``/health``, is held for milliseconds at most. Such a request cannot be
        cut off by the request timeout while it predicts; its pace is what bounds it.
        """
        assert self.batcher is not None
        conformed = ready.conformed
        frame = conformed.frame
        arrived()
        if not self.batcher.accepts(frame.height):
            prediction = await asyncio.get_running_loop().run_in_executor(
                self._executor, predict_frame, model, frame
            )
        elif (
            self.gate.in_progress == 1
            and frame.height <= INLINE_MAX_ROWS
            and self._pace.quick(model.version)
        ):
            started = time.perf_counter()
            prediction = predict_frame(model, frame)  # alone and quick: see the docstring
            self._pace.observe(model.version, time.perf_counter() - started)
            self.metrics.observe_batch(frame.height, 1)
        else:
            started = time.perf_counter()
            prediction = await asyncio.wrap_future(self.batcher.submit(model, frame))
            self._pace.observe(model.version, time.perf_counter() - started)
        return Scored(
            model.version, prediction, conformed.ignored_columns, ready.logged, ready.defaulted
        )


class Pace:
    """How long the served version's recent small requests waited for their prediction
    (a moving average): the predict call alone when done on the event loop, the queue,
    the batch and the thread hops when done by the batcher. The second overstates the
    model's own time, which only makes the loop slower to take a request on.

    A version is *quick* once a few averaged under :data:`INLINE_PREDICT_S`; a new
    version starts unknown, so its first requests go through the batcher's thread
    whatever they cost.
    """

    def __init__(self) -> None:
        self._version = -1
        self._seen = 0
        self._average_s = 0.0

    def quick(self, version: int) -> bool:
        """Whether a small request to ``version`` may be predicted on the event loop."""
        return (
            version == self._version
            and self._seen >= PACE_SAMPLES
            and self._average_s < INLINE_PREDICT_S
        )

    def observe(self, version: int, seconds: float) -> None:
        """Count one small prediction of ``version`` that took ``seconds``."""
        if version != self._version:
            self._version, self._seen, self._average_s = version, 0, seconds
        self._seen += 1
        self._average_s += (seconds - self._average_s) * PACE_WEIGHT


def request_id_for(request: Request) -> str:
    """The client's ``X-Request-Id`` if it is a short token, else a new random one."""
    given = request.headers.get("x-request-id")
    if given is not None and _REQUEST_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex


async def read_body(request: Request, max_body_bytes: int) -> bytes:
    """Read the body chunk by chunk, stopping with a 413 as soon as it passes the cap.

    A declared ``Content-Length`` over the cap is refused before reading anything; a
    chunked body is counted as it arrives, so at most one chunk past the cap is held.
    """
    too_large = RequestError(
        413, PAYLOAD_TOO_LARGE, f"the request body is larger than {max_body_bytes} bytes"
    )
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_body_bytes:
        raise too_large
    body = bytearray()
    try:
        async for chunk in request.stream():
            body += chunk
            if len(body) > max_body_bytes:
                raise too_large
    except ClientDisconnect as exc:
        raise RequestError(400, MALFORMED_REQUEST, "the client disconnected mid-body") from exc
    return bytes(body)
