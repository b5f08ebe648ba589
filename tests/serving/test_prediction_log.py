"""The prediction log: Parquet files with the right rows, sampling, drops, never in the way."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import polars as pl
import pytest

from tests.serving.conftest import running
from workbench.core.errors import ServingError
from workbench.serving import (
    LoadedModel,
    ModelHolder,
    PredictionLog,
    PredictionLogOptions,
    ServingManifest,
    ServingOptions,
    build_server,
)
from workbench.serving.prediction_log import LogRecord
from workbench.serving.scoring import score_frame

JSON_HEADERS = {"Content-Type": "application/json"}


def post_rows(url: str, rows: pl.DataFrame, times: int) -> list[httpx.Response]:
    body = json.dumps({"dataframe_records": rows.to_dicts()})
    with httpx.Client(base_url=url, timeout=10.0) as client:
        answers = [
            client.post("/invocations", content=body, headers=JSON_HEADERS) for _ in range(times)
        ]
    assert all(a.status_code == 200 for a in answers)
    return answers


def read_log(directory: Path) -> pl.DataFrame:
    files = sorted(directory.glob("predictions-*.parquet"))
    return pl.concat([pl.read_parquet(f) for f in files]) if files else pl.DataFrame()


def log_options(directory: Path, **changes: Any) -> ServingOptions:
    return ServingOptions(prediction_log=PredictionLogOptions(directory, **changes))


def test_logged_rows_carry_inputs_outputs_version_latency_and_request_id(
    manifest: ServingManifest,
    tmp_path: Path,
    sample_rows: pl.DataFrame,
    reference_estimator: Any,
) -> None:
    server = build_server(manifest, port=0, options=log_options(tmp_path / "log"))
    with running(server) as url:
        answers = post_rows(url, sample_rows, times=3)
    # stopping the server flushed the log: no waiting on the flush interval
    assert not list((tmp_path / "log").glob(".*")), "a temporary file was left behind"
    log = read_log(tmp_path / "log")
    assert log.columns == [
        "ts", "model_version", "latency_ms", "request_id", "amount", "age", "channel",
        "prediction", "probability",
    ]  # fmt: skip
    assert log.schema["ts"] == pl.Datetime("us", "UTC")
    assert (log.height, log["model_version"].unique().to_list()) == (18, [3])
    ids = [a.headers["X-Request-Id"] for a in answers]
    assert log["request_id"].unique(maintain_order=True).to_list() == ids
    first = log.filter(pl.col("request_id") == ids[0])
    assert first.select("amount", "age", "channel").equals(sample_rows)
    assert first["prediction"].to_list() == reference_estimator.predict(sample_rows).tolist()
    probabilities = reference_estimator.predict_proba(sample_rows).max(axis=1)
    np.testing.assert_allclose(first["probability"].to_numpy(), probabilities, rtol=1e-12)
    assert (log["latency_ms"] > 0).all()
    assert log["ts"].max() <= datetime.now(UTC)


def test_sample_rate_zero_writes_nothing(
    manifest: ServingManifest, tmp_path: Path, sample_rows: pl.DataFrame
) -> None:
    server = build_server(manifest, port=0, options=log_options(tmp_path, sample_rate=0.0))
    with running(server) as url:
        post_rows(url, sample_rows, times=5)
    assert list(tmp_path.iterdir()) == []


def test_sample_rate_keeps_about_that_share_of_requests(tmp_path: Path) -> None:
    log = PredictionLog(PredictionLogOptions(tmp_path, sample_rate=0.25))
    kept = sum(log.sampled() for _ in range(4000))
    assert 800 < kept < 1200


def test_a_full_queue_drops_rows_and_counts_them_without_failing_requests(
    serve_app: Callable[..., str],
    loaded_model: LoadedModel,
    tmp_path: Path,
    sample_rows: pl.DataFrame,
) -> None:
    options = log_options(tmp_path, flush_seconds=60.0, batch_rows=1000, max_queued_rows=10)
    url = serve_app(ModelHolder(loaded_model), options)
    post_rows(url, sample_rows, times=3)  # 6 rows queue, then 6 + 6 do not fit
    text = httpx.get(f"{url}/metrics").text
    assert "workbench_serving_prediction_log_dropped_rows_total 12.0" in text
    assert "workbench_serving_prediction_log_queued_rows 6.0" in text


def test_a_failing_write_is_counted_and_requests_still_succeed(
    manifest: ServingManifest, tmp_path: Path, sample_rows: pl.DataFrame
) -> None:
    directory = tmp_path / "log"
    server = build_server(manifest, port=0, options=log_options(directory, batch_rows=6))
    log = server.config.app.state.service.prediction_log
    with running(server) as url:
        directory.rmdir()
        directory.write_text("not a folder any more")  # every write now fails
        post_rows(url, sample_rows, times=2)
        assert log.wait_idle(10.0)
        stats = log.stats()
        assert (stats.write_errors, stats.dropped_rows, stats.written_rows) == (2, 12, 0)
        assert post_rows(url, sample_rows, times=1)[0].json()["model_version"] == 3


def test_the_writer_batches_by_size_and_by_time(
    tmp_path: Path, loaded_model: LoadedModel, sample_rows: pl.DataFrame
) -> None:
    log = PredictionLog(PredictionLogOptions(tmp_path, flush_seconds=0.2, batch_rows=12))
    scored = score_frame(loaded_model, sample_rows, strict=False)
    log.start()
    try:
        for i in range(3):  # 18 rows: one full file of 12 at once, 6 more on the timer
            log.submit(LogRecord(datetime.now(UTC), f"r{i}", 1.0, scored))
        assert log.wait_idle(10.0)
    finally:
        log.close()
    heights = sorted(pl.read_parquet(f).height for f in tmp_path.glob("predictions-*.parquet"))
    assert heights == [6, 12]
    assert log.stats().files == 2


@pytest.mark.parametrize("rate", [-0.1, 1.5])
def test_a_sample_rate_outside_zero_to_one_is_refused(tmp_path: Path, rate: float) -> None:
    with pytest.raises(ServingError, match="sample rate"):
        PredictionLogOptions(tmp_path, sample_rate=rate)
