"""The Open Inference Protocol (V2) over real HTTP: same answers as /invocations."""

from __future__ import annotations

import json
from typing import Any

import httpx
import numpy as np
import polars as pl
import pytest

from workbench.core.signature import Signature
from workbench.serving.open_inference import parse_infer

JSON_HEADERS = {"Content-Type": "application/json"}
DATATYPES = {"amount": "FP64", "age": "INT64", "channel": "BYTES"}


def column_tensors(rows: pl.DataFrame) -> list[dict[str, Any]]:
    """One tensor per column, as MLServer's pandas codec sends them."""
    return [
        {"name": n, "shape": [rows.height], "datatype": DATATYPES[n], "data": rows[n].to_list()}
        for n in rows.columns
    ]


def infer(client: httpx.Client, document: object, path: str = "/v2/models/churn/infer") -> Any:
    return client.post(path, content=json.dumps(document), headers=JSON_HEADERS)


def test_v2_infer_answers_exactly_what_invocations_answers(
    client: httpx.Client, sample_rows: pl.DataFrame
) -> None:
    mlflow = client.post(
        "/invocations",
        content=json.dumps({"dataframe_records": sample_rows.to_dicts()}),
        headers=JSON_HEADERS,
    ).json()
    response = infer(client, {"id": "req-7", "inputs": column_tensors(sample_rows)})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["model_name"], body["model_version"], body["id"]) == ("churn", "3", "req-7")
    assert response.headers["X-Model-Version"] == "3"
    outputs = {o["name"]: o for o in body["outputs"]}
    predict = outputs["predict"]
    assert predict == {
        "name": "predict",
        "datatype": "BYTES",
        "shape": [6],
        "data": mlflow["predictions"],
    }
    proba = outputs["predict_proba"]
    assert proba["shape"] == [6, 2] and proba["parameters"] == {"classes": ["no", "yes"]}
    np.testing.assert_allclose(
        np.reshape(proba["data"], (6, 2)), mlflow["probabilities"], rtol=1e-12
    )


def test_v2_infer_accepts_nested_data_and_a_pinned_version(
    client: httpx.Client, sample_rows: pl.DataFrame, reference_estimator: Any
) -> None:
    tensors = column_tensors(sample_rows)
    for tensor in tensors:
        tensor["shape"] = [sample_rows.height, 1]
        tensor["data"] = [[v] for v in tensor["data"]]
    document = {"inputs": tensors, "outputs": [{"name": "predict"}]}
    body = infer(client, document, "/v2/models/churn/versions/3/infer").json()
    assert [o["name"] for o in body["outputs"]] == ["predict"]
    assert body["outputs"][0]["data"] == reference_estimator.predict(sample_rows).tolist()
    assert "id" not in body


def test_one_two_dimensional_tensor_is_read_in_signature_order(signature: Signature) -> None:
    document = {
        "inputs": [
            {
                "name": "features",
                "shape": [2, 3],
                "datatype": "BYTES",
                "data": ["10.5", "30", "web", "99", "41", "store"],
            }
        ]
    }
    frame, outputs, _ = parse_infer(json.dumps(document).encode(), signature)
    assert frame.columns == ["amount", "age", "channel"]
    assert frame["channel"].to_list() == ["web", "store"]
    assert outputs == ["predict", "predict_proba"]


def test_v2_health_and_metadata_describe_the_served_model(client: httpx.Client) -> None:
    assert client.get("/v2/health/live").json() == {"live": True}
    assert client.get("/v2/health/ready").json() == {"ready": True}
    assert client.get("/v2/models/churn/ready").json() == {"name": "churn", "ready": True}
    assert client.get("/v2").json()["name"] == "workbench"
    meta = client.get("/v2/models/churn").json()
    assert meta["versions"] == ["3"]
    assert meta["inputs"] == [
        {"name": "amount", "datatype": "FP64", "shape": [-1]},
        {"name": "age", "datatype": "INT64", "shape": [-1]},
        {"name": "channel", "datatype": "BYTES", "shape": [-1]},
    ]
    assert [o["name"] for o in meta["outputs"]] == ["predict", "predict_proba"]


@pytest.mark.parametrize(
    "path", ["/v2/models/other/infer", "/v2/models/churn/versions/2/infer"], ids=["name", "version"]
)
def test_another_model_or_version_is_a_v2_404_naming_what_is_served(
    client: httpx.Client, sample_rows: pl.DataFrame, path: str
) -> None:
    response = infer(client, {"inputs": column_tensors(sample_rows)}, path)
    assert response.status_code == 404
    body = response.json()
    assert body["error_code"] == "MODEL_NOT_FOUND"
    assert body["error"] == body["message"] and "version 3" in body["message"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"shape": [5]}, "shape [5] holds 5 values but 'data' has 6"),
        ({"datatype": "FP128"}, "'datatype' must be one of"),
        ({"data": [1, 2, 3, 4, 5, "x"]}, "value 6 is not of datatype FP64"),
    ],
    ids=["shape", "datatype", "value"],
)
def test_a_bad_tensor_is_a_400_naming_the_input(
    client: httpx.Client, sample_rows: pl.DataFrame, change: dict[str, Any], expected: str
) -> None:
    tensors = column_tensors(sample_rows)
    tensors[0] |= change
    response = infer(client, {"inputs": tensors})
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error_code"] == "MALFORMED_REQUEST"
    assert "input 'amount'" in body["error"] and expected in body["error"]


def test_a_missing_column_tensor_is_the_same_400_as_for_invocations(
    client: httpx.Client, sample_rows: pl.DataFrame
) -> None:
    response = infer(client, {"inputs": column_tensors(sample_rows)[:2]})
    assert response.status_code == 400
    assert response.json()["error_code"] == "MISSING_COLUMNS"


def test_v2_infer_wants_json(client: httpx.Client) -> None:
    response = client.post(
        "/v2/models/churn/infer", content=b"a,b\n1,2\n", headers={"Content-Type": "text/csv"}
    )
    assert response.status_code == 415
    assert response.json()["error_code"] == "UNSUPPORTED_MEDIA_TYPE"


@pytest.mark.parametrize("where", ["id", "name"])
def test_a_lone_surrogate_or_a_non_string_id_is_a_v2_400(
    client: httpx.Client, sample_rows: pl.DataFrame, where: str
) -> None:
    tensors = column_tensors(sample_rows)
    document: dict[str, Any] = {"inputs": tensors}
    if where == "id":
        document["id"] = {"not": "a string"}
        expected = "'id' must be a string"
    else:
        tensors[0]["name"] = "SURROGATE"
        expected = "lone surrogate"
    body = json.dumps(document).replace("SURROGATE", "\\ud800")
    response = client.post(
        "/v2/models/churn/infer", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400, response.text
    assert expected in response.json()["error"]
