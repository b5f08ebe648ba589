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
