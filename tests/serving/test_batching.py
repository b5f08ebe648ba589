"""Micro-batching: batched answers equal solo answers, one version per batch, no collateral 400s."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import httpx
import numpy as np
import polars as pl
import pytest

from workbench.serving import (
    BatchingOptions,
    LoadedModel,
    MicroBatcher,
    ModelHolder,
    RequestError,
    ServingOptions,
)
from workbench.serving.scoring import predict_frame
from workbench.serving.service import PACE_SAMPLES, Pace

JSON_HEADERS = {"Content-Type": "application/json"}
WAIT = 10.0


@pytest.fixture()
def batches() -> list[tuple[int, int]]:
    """(rows, requests) of each batched predict call, as the metrics observer sees them."""
    return []


@pytest.fixture()
def batcher(batches: list[tuple[int, int]]) -> Iterator[MicroBatcher]:
    """Waits up to 0.3 s to fill a batch of 6 rows, so a test's burst forms one batch."""
    options = BatchingOptions(max_batch_rows=6, max_wait_ms=300.0)
    batcher = MicroBatcher(options, lambda rows, requests: batches.append((rows, requests)))
    batcher.start()
    yield batcher
    batcher.close()


def single_rows(rows: pl.DataFrame) -> list[pl.DataFrame]:
    return [rows.slice(i, 1) for i in range(rows.height)]


def test_a_burst_of_single_rows_is_one_call_with_each_row_answered_as_alone(
    batcher: MicroBatcher,
    batches: list[tuple[int, int]],
    loaded_model: LoadedModel,
    sample_rows: pl.DataFrame,
) -> None:
    futures = [batcher.submit(loaded_model, row) for row in single_rows(sample_rows)]
    answers = [f.result(WAIT) for f in futures]
    assert batches == [(6, 6)]
    for row, answer in zip(single_rows(sample_rows), answers, strict=True):
        alone = predict_frame(loaded_model, row)
        assert answer.predictions == alone.predictions
        np.testing.assert_allclose(answer.probabilities, alone.probabilities, rtol=1e-12)


def test_a_refused_row_fails_only_its_own_request(
    batcher: MicroBatcher, loaded_model: LoadedModel, sample_rows: pl.DataFrame
) -> None:
    rows = single_rows(sample_rows)
    rows[2] = rows[2].with_columns(pl.lit(None, dtype=pl.Float64).alias("amount"))
    futures = [batcher.submit(loaded_model, row) for row in rows]
    with pytest.raises(RequestError, match="could not score"):
        futures[2].result(WAIT)
    for i, future in enumerate(futures):
        if i != 2:
            assert (
                future.result(WAIT).predictions == predict_frame(loaded_model, rows[i]).predictions
            )


def test_a_batch_never_mixes_model_versions(
    batcher: MicroBatcher,
    batches: list[tuple[int, int]],
    loaded_model: LoadedModel,
    sample_rows: pl.DataFrame,
) -> None:
    newer = replace(loaded_model, version=4)
    models = [loaded_model, loaded_model, loaded_model, newer, newer, newer]
    futures = [batcher.submit(m, r) for m, r in zip(models, single_rows(sample_rows), strict=True)]
    for future in futures:
        future.result(WAIT)
    assert sorted(batches) == [(3, 3), (3, 3)]


def test_a_cancelled_request_is_skipped(
    loaded_model: LoadedModel, sample_rows: pl.DataFrame
) -> None:
    batcher = MicroBatcher(BatchingOptions(max_batch_rows=6, max_wait_ms=300.0))
    batcher.start()
    try:
        first, second = (batcher.submit(loaded_model, r) for r in single_rows(sample_rows)[:2])
        assert first.cancel()  # a timed-out request gives up while its batch is forming
        assert second.result(WAIT).predictions
        assert first.cancelled()
    finally:
        batcher.close()


def test_concurrent_http_requests_with_batching_get_their_own_answers(
    serve_app: Callable[..., str],
    loaded_model: LoadedModel,
    sample_rows: pl.DataFrame,
    reference_estimator: Any,
) -> None:
    options = ServingOptions(batching=BatchingOptions(max_batch_rows=8, max_wait_ms=2.0))
    url = serve_app(ModelHolder(loaded_model), options)
    expected = reference_estimator.predict(sample_rows).tolist()
    failures: list[str] = []

    def client(offset: int) -> None:
        with httpx.Client(base_url=url, timeout=WAIT) as http:
            for i in range(12):
                row = (offset + i) % sample_rows.height
                body = json.dumps({"dataframe_records": sample_rows.slice(row, 1).to_dicts()})
                answer = http.post("/invocations", content=body, headers=JSON_HEADERS)
                if answer.json().get("predictions") != [expected[row]]:
                    failures.append(f"row {row}: {answer.text}")

    threads = [threading.Thread(target=client, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT * 3)
    assert failures == []
    text = httpx.get(f"{url}/metrics").text
    assert "workbench_serving_batch_rows_count" in text


def test_requests_at_or_above_the_batch_size_skip_the_queue(
    batcher: MicroBatcher, sample_rows: pl.DataFrame
) -> None:
    assert batcher.accepts(5) and not batcher.accepts(6)


class ThreadRecorder:
    """An estimator answering the real model's probabilities for one row, fast (or after
    ``delay_s``, to stand for a slow model), recording which thread each call ran on."""

    def __init__(self, inner: Any, row: pl.DataFrame, delay_s: float = 0.0) -> None:
        self.classes_ = inner.classes_
        self.answer = inner.predict_proba(row)
        self.delay_s = delay_s
        self.threads: list[str] = []

    def predict(self, frame: pl.DataFrame) -> Any:  # follows predict_proba: not counted
        return self.classes_.take(np.repeat(self.answer, frame.height, axis=0).argmax(axis=1))

    def predict_proba(self, frame: pl.DataFrame) -> Any:
        self.threads.append(threading.current_thread().name)
        if self.delay_s:
            threading.Event().wait(self.delay_s)
        return np.repeat(self.answer, frame.height, axis=0)


def _one_at_a_time(url: str, rows: pl.DataFrame, count: int) -> None:
    body = json.dumps({"dataframe_records": rows.head(1).to_dicts()})
    with httpx.Client(base_url=url, timeout=WAIT) as client:
        for _ in range(count):
            assert (
                client.post("/invocations", content=body, headers=JSON_HEADERS).status_code == 200
            )


def test_a_lone_request_to_a_quick_model_is_predicted_without_a_thread_hop(
    serve_app: Callable[..., str], loaded_model: LoadedModel, sample_rows: pl.DataFrame
) -> None:
    recorder = ThreadRecorder(loaded_model.estimator, sample_rows.head(1))
    url = serve_app(ModelHolder(replace(loaded_model, estimator=recorder)))
    _one_at_a_time(url, sample_rows, 40)  # a slow first call (a busy machine) fades
    first, last = recorder.threads[:PACE_SAMPLES], recorder.threads[-10:]
    assert first == ["micro-batcher"] * PACE_SAMPLES  # a new version's pace is unknown
    assert "micro-batcher" not in last


def test_a_slow_model_is_never_predicted_on_the_event_loop(
    serve_app: Callable[..., str], loaded_model: LoadedModel, sample_rows: pl.DataFrame
) -> None:
    recorder = ThreadRecorder(loaded_model.estimator, sample_rows.head(1), delay_s=0.03)
    url = serve_app(ModelHolder(replace(loaded_model, estimator=recorder)))
    _one_at_a_time(url, sample_rows, 6)
    assert recorder.threads == ["micro-batcher"] * 6


def test_pace_is_quick_only_after_enough_quick_predictions_of_the_same_version() -> None:
    pace = Pace()
    assert not pace.quick(1)
    for _ in range(PACE_SAMPLES - 1):
        pace.observe(1, 0.001)
    assert not pace.quick(1)
    pace.observe(1, 0.001)
    assert pace.quick(1)
    assert not pace.quick(2)  # another version starts unknown
    for _ in range(3):
        pace.observe(1, 0.05)  # the model slowed down: back to the thread
    assert not pace.quick(1)
    pace.observe(2, 0.001)
    assert not pace.quick(1)  # the pace follows the version being served
