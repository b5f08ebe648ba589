"""The protocols completed for issue 15: MLflow's ``params`` and Parquet bodies, V2 versions.

Requests are shaped as the clients send them: MLflow's ``ScoringServerClient`` posts
``dataframe_split`` with pandas' ``index`` and, when given, ``params`` beside it (as
``application/json``), after polling ``GET /ping``; a V2 client addresses a model by
name and version, or by the ``production`` alias.
"""

from __future__ import annotations

import io
import json
from typing import Any

import httpx
import numpy as np
import polars as pl
import pytest

from workbench.serving.app import IGNORED_PARAMS_HEADER

JSON_HEADERS = {"Content-Type": "application/json"}
PARQUET_HEADERS = {"Content-Type": "application/vnd.apache.parquet"}


def mlflow_client_body(rows: pl.DataFrame, params: dict[str, Any] | None) -> str:
    """What ``ScoringServerClient.invoke(df, params)`` sends: pandas' split orient."""
    body: dict[str, Any] = {
        "dataframe_split": {
            "index": list(range(rows.height)),
            "columns": rows.columns,
            "data": [list(row) for row in rows.rows()],
        }
    }
    if params is not None:
        body["params"] = params
    return json.dumps(body)


def test_mlflow_params_are_accepted_and_named_as_ignored(
    client: httpx.Client, sample_rows: pl.DataFrame, reference_estimator: Any
) -> None:
    assert client.get("/ping").status_code == 200  # the client's readiness poll
    params = {"predict_method": "predict_proba", "temperature, max": 0.5}
    response = client.post(
        "/invocations", content=mlflow_client_body(sample_rows, params), headers=JSON_HEADERS
    )
    assert response.status_code == 200, response.text
    np.testing.assert_allclose(
        response.json()["probabilities"], reference_estimator.predict_proba(sample_rows)
    )
    assert response.headers[IGNORED_PARAMS_HEADER] == "predict_method,temperature%2C%20max"
    without = client.post(
        "/invocations", content=mlflow_client_body(sample_rows, None), headers=JSON_HEADERS
    )
    assert without.status_code == 200
    assert IGNORED_PARAMS_HEADER not in without.headers


@pytest.mark.parametrize("params", [[1, 2], "temperature", None])
def test_params_that_are_not_an_object_are_a_400(
    client: httpx.Client, sample_rows: pl.DataFrame, params: Any
) -> None:
    body = json.loads(mlflow_client_body(sample_rows, {}))
    body["params"] = params
    response = client.post("/invocations", content=json.dumps(body), headers=JSON_HEADERS)
    assert response.status_code == 400
    assert response.json()["error_code"] == "MALFORMED_REQUEST"
    assert "'params' must be an object" in response.json()["message"]


def test_a_parquet_body_scores_like_the_same_rows_in_json(
    client: httpx.Client, sample_rows: pl.DataFrame
) -> None:
    buffer = io.BytesIO()
    sample_rows.write_parquet(buffer)
    response = client.post("/invocations", content=buffer.getvalue(), headers=PARQUET_HEADERS)
    assert response.status_code == 200, response.text
    as_json = client.post(
        "/invocations",
        content=json.dumps({"dataframe_records": sample_rows.to_dicts()}),
        headers=JSON_HEADERS,
    )
    parquet_answer, json_answer = response.json(), as_json.json()
    # a request can share its predict call with another in flight (micro-batching), and
    # a matrix of other rows may round in the last bits: the probabilities are compared
    # as the other payload tests compare them, everything else exactly
    np.testing.assert_allclose(
        parquet_answer.pop("probabilities"), json_answer.pop("probabilities"), rtol=1e-12
    )
    assert parquet_answer == json_answer


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        (None, "not a readable Parquet file"),
        (pl.DataFrame({"amount": [[1.0, 2.0]], "age": [3], "channel": ["web"]}), "lists or"),
    ],
    ids=["not-parquet", "nested-column"],
)
def test_a_bad_parquet_body_is_a_400_and_the_server_keeps_serving(
    client: httpx.Client, frame: pl.DataFrame | None, expected: str
) -> None:
    content = b"PAR1 this is not parquet PAR1"
    if frame is not None:
        buffer = io.BytesIO()
        frame.write_parquet(buffer)
        content = buffer.getvalue()
    response = client.post("/invocations", content=content, headers=PARQUET_HEADERS)
    assert response.status_code == 400
    assert expected in response.json()["message"]
    assert client.get("/health").status_code == 200


def test_v2_lists_the_served_model_with_its_version_and_alias(client: httpx.Client) -> None:
    response = client.get("/v2/models")
    assert response.status_code == 200
    assert response.json() == {
        "models": [{"name": "churn", "versions": ["3"], "aliases": ["production"], "ready": True}]
    }


@pytest.mark.parametrize("version", ["3", "production"])
def test_a_v2_client_passing_a_version_or_the_alias_gets_metadata_readiness_and_answers(
    client: httpx.Client, sample_rows: pl.DataFrame, reference_estimator: Any, version: str
) -> None:
    base = f"/v2/models/churn/versions/{version}"
    metadata = client.get(base)
    assert metadata.status_code == 200
    assert metadata.json()["name"] == "churn" and metadata.json()["versions"] == ["3"]
    assert client.get(f"{base}/ready").json() == {"name": "churn", "ready": True}
    tensors = [
        {"name": name, "shape": [sample_rows.height], "datatype": datatype, "data": values}
        for name, datatype, values in (
            ("amount", "FP64", sample_rows["amount"].to_list()),
            ("age", "INT64", sample_rows["age"].to_list()),
            ("channel", "BYTES", sample_rows["channel"].to_list()),
        )
    ]
    infer = client.post(f"{base}/infer", json={"inputs": tensors})
    assert infer.status_code == 200, infer.text
    assert infer.json()["model_version"] == "3"
    proba = next(o for o in infer.json()["outputs"] if o["name"] == "predict_proba")
    np.testing.assert_allclose(
        np.reshape(proba["data"], proba["shape"]), reference_estimator.predict_proba(sample_rows)
    )


@pytest.mark.parametrize("path", ["versions/4", "versions/staging", "versions/4/ready"])
def test_a_v2_path_naming_another_version_is_a_404(client: httpx.Client, path: str) -> None:
    response = client.get(f"/v2/models/churn/{path}")
    assert response.status_code == 404
    assert response.json()["error_code"] == "MODEL_NOT_FOUND"
    assert "version 3" in response.json()["message"]


def test_metrics_carry_the_process_platform_and_gc_collectors(client: httpx.Client) -> None:
    text = client.get("/metrics").text
    for name in ("process_resident_memory_bytes", "python_info", "python_gc_collections_total"):
        assert f"\n{name}" in text, name
