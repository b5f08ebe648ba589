"""The scoring server over real HTTP: formats, endpoints, and every refusal as JSON 4xx."""

from __future__ import annotations

import io
import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import httpx
import numpy as np
import polars as pl
import pytest

from workbench import __version__
from workbench.serving import LoadedModel, ModelHolder

SECRET = "s3cret-value-991"
JSON_HEADERS = {"Content-Type": "application/json"}


def post_json(client: httpx.Client, document: object) -> httpx.Response:
    return client.post("/invocations", content=json.dumps(document), headers=JSON_HEADERS)


def records(rows: pl.DataFrame) -> list[dict[str, Any]]:
    return rows.to_dicts()


def payloads(rows: pl.DataFrame) -> dict[str, tuple[str, bytes]]:
    """The same rows in every accepted format, as (content type, body)."""
    split = {"columns": rows.columns, "data": [list(row) for row in rows.rows()]}
    documents = {
        "dataframe_split": {"dataframe_split": split},
        "dataframe_records": {"dataframe_records": records(rows)},
        "instances": {"instances": records(rows)},
        "inputs": {"inputs": rows.to_dict(as_series=False)},
    }
    bodies = {k: ("application/json", json.dumps(d).encode()) for k, d in documents.items()}
    csv = io.BytesIO()
    rows.write_csv(csv)
    return bodies | {"text/csv": ("text/csv", csv.getvalue())}


def assert_error(response: httpx.Response, status: int, code: str) -> str:
    """Check the shared error shape; return the message."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error_code", "message"}
    assert body["error_code"] == code
    assert "Traceback" not in response.text
    return str(body["message"])


@pytest.mark.parametrize(
    "fmt", ["dataframe_split", "dataframe_records", "instances", "inputs", "text/csv"]
)
def test_each_payload_format_returns_the_in_process_predictions(
    client: httpx.Client, sample_rows: pl.DataFrame, reference_estimator: Any, fmt: str
) -> None:
    content_type, body = payloads(sample_rows)[fmt]
    response = client.post("/invocations", content=body, headers={"Content-Type": content_type})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["predictions"] == reference_estimator.predict(sample_rows).tolist()
    assert set(answer["predictions"]) == {"yes", "no"}  # string labels stay strings
    assert answer["model_version"] == 3
    assert response.headers["X-Model-Version"] == "3"
    assert answer["classes"] == ["no", "yes"]
    expected = reference_estimator.predict_proba(sample_rows).tolist()
    np.testing.assert_allclose(answer["probabilities"], expected, rtol=1e-12)


def test_ping_answers_200_with_an_empty_body(client: httpx.Client) -> None:
    response = client.get("/ping")
    assert (response.status_code, response.content) == (200, b"")


def test_health_names_the_served_model(client: httpx.Client) -> None:
    response = client.get("/health")
    assert response.json() == {"status": "ok", "model_version": 3, "model_name": "churn"}


def test_version_reports_workbench_and_model_versions(
    client: httpx.Client, loaded_model: LoadedModel
) -> None:
    body = client.get("/version").json()
    assert body["workbench_version"] == __version__
    assert (body["model_version"], body["model_sha256"]) == (3, loaded_model.sha256)


def test_missing_column_is_a_json_400_naming_it_and_the_server_keeps_serving(
    client: httpx.Client, sample_rows: pl.DataFrame
) -> None:
    rows = [{"amount": r["amount"], "channel": SECRET} for r in records(sample_rows)]
    response = post_json(client, {"dataframe_records": rows})
    message = assert_error(response, 400, "MISSING_COLUMNS")
    assert "'age'" in message and SECRET not in response.text
    assert post_json(client, {"dataframe_records": records(sample_rows)}).status_code == 200


def test_wrong_type_is_a_json_400_naming_column_and_row(
    client: httpx.Client, sample_rows: pl.DataFrame
) -> None:
    rows = records(sample_rows)
    rows[1]["age"] = SECRET
    message = assert_error(post_json(client, {"instances": rows}), 400, "INVALID_VALUE")
    assert "column 'age' row 2" in message
    assert SECRET not in message


def test_nan_in_numeric_input_is_refused_naming_the_column(
    client: httpx.Client, sample_rows: pl.DataFrame
) -> None:
    body = json.dumps({"dataframe_records": records(sample_rows)}).replace(
        str(sample_rows["amount"][2]), "NaN", 1
    )
    response = client.post("/invocations", content=body, headers=JSON_HEADERS)
    assert "column 'amount' row 3" in assert_error(response, 400, "INVALID_VALUE")


def test_a_null_the_model_cannot_impute_is_a_400_not_a_500(
    client: httpx.Client, sample_rows: pl.DataFrame
) -> None:
    rows = records(sample_rows)
    rows[0]["amount"] = None
    assert_error(post_json(client, {"dataframe_records": rows}), 400, "PREDICTION_FAILED")


def test_extra_columns_are_ignored_and_named_in_a_header(
    client: httpx.Client, sample_rows: pl.DataFrame, reference_estimator: Any
) -> None:
    rows = [r | {"note, with comma": SECRET, "id": 1} for r in records(sample_rows)]
    response = post_json(client, {"dataframe_records": rows})
    assert response.status_code == 200
    assert response.headers["X-Workbench-Ignored-Columns"] == "note%2C%20with%20comma,id"
    assert response.headers["X-Workbench-Ignored-Column-Count"] == "2"
    assert response.json()["predictions"] == reference_estimator.predict(sample_rows).tolist()


def test_strict_mode_refuses_extra_columns(
    serve_app: Callable[..., str], loaded_model: LoadedModel, sample_rows: pl.DataFrame
) -> None:
    url = serve_app(ModelHolder(loaded_model), strict=True)
    rows = [r | {"id": SECRET} for r in records(sample_rows)]
    with httpx.Client(base_url=url, timeout=10.0) as client:
        response = post_json(client, {"dataframe_records": rows})
        assert "'id'" in assert_error(response, 400, "UNEXPECTED_COLUMNS")
        assert SECRET not in response.text
        assert post_json(client, {"dataframe_records": records(sample_rows)}).status_code == 200


def test_malformed_json_is_a_400_without_the_body(client: httpx.Client) -> None:
    body = '{"dataframe_records": [{"age": "' + SECRET + '"'
    response = client.post("/invocations", content=body, headers=JSON_HEADERS)
    assert_error(response, 400, "MALFORMED_REQUEST")
    assert SECRET not in response.text


@pytest.mark.parametrize(
    "body",
    [
        '{"dataframe_records": [{"amount": 1.0, "age": 3, "channel": "\\ud800"}]}',
        '{"dataframe_records": [{"amount": 1.0, "age": 3, "channel": "web", "\\udc80": 1}]}',
        '{"dataframe_split": {"columns": ["\\udfff"], "data": [[1]]}}',
    ],
    ids=["value", "extra-column", "split-column"],
)
def test_a_lone_surrogate_escape_is_a_400_not_a_500(client: httpx.Client, body: str) -> None:
    response = client.post("/invocations", content=body, headers=JSON_HEADERS)
    assert "lone surrogate" in assert_error(response, 400, "MALFORMED_REQUEST")


def test_a_surrogate_pair_escape_is_ordinary_text(
    client: httpx.Client, sample_rows: pl.DataFrame
) -> None:
    rows = records(sample_rows)
    body = json.dumps({"dataframe_records": [{**rows[0], "note": "\U0001f600"}]})
    assert "\\ud83d\\ude00" in body  # json.dumps escapes it as a pair
    assert client.post("/invocations", content=body, headers=JSON_HEADERS).status_code == 200


def test_unknown_top_level_key_is_a_400_naming_the_accepted_keys(client: httpx.Client) -> None:
    message = assert_error(post_json(client, {"data": [[1]]}), 400, "MALFORMED_REQUEST")
    assert "dataframe_split" in message and "inputs" in message


def test_wrong_content_type_is_a_415(client: httpx.Client, sample_rows: pl.DataFrame) -> None:
    body = json.dumps({"dataframe_records": records(sample_rows)})
    response = client.post("/invocations", content=body, headers={"Content-Type": "text/plain"})
    assert_error(response, 415, "UNSUPPORTED_MEDIA_TYPE")


@pytest.mark.parametrize(
    "body",
    ["", '{"dataframe_records": []}', '{"inputs": {"amount": []}}'],
    ids=["no-body", "no-records", "no-values"],
)
def test_empty_input_is_a_400(client: httpx.Client, body: str) -> None:
    response = client.post("/invocations", content=body, headers=JSON_HEADERS)
    assert_error(response, 400, "EMPTY_INPUT")


def test_unknown_route_and_wrong_method_are_json_errors(client: httpx.Client) -> None:
    assert_error(client.get("/predict"), 404, "NOT_FOUND")
    response = client.get("/invocations")
    assert_error(response, 405, "METHOD_NOT_ALLOWED")
    assert response.headers["allow"] == "POST"


@pytest.fixture()
def small_cap_url(serve_app: Callable[..., str], loaded_model: LoadedModel) -> str:
    return serve_app(ModelHolder(loaded_model), max_body_bytes=2048)


def test_a_body_over_the_cap_is_a_413(small_cap_url: str, sample_rows: pl.DataFrame) -> None:
    rows = records(sample_rows) * 20  # about 5 KB
    with httpx.Client(base_url=small_cap_url, timeout=10.0) as client:
        assert_error(post_json(client, {"dataframe_records": rows}), 413, "PAYLOAD_TOO_LARGE")

        def chunks() -> Iterator[bytes]:  # no Content-Length: the cap applies while streaming
            body = json.dumps({"dataframe_records": rows}).encode()
            for start in range(0, len(body), 512):
                yield body[start : start + 512]

        response = client.post("/invocations", content=chunks(), headers=JSON_HEADERS)
        assert_error(response, 413, "PAYLOAD_TOO_LARGE")
        small = {"dataframe_records": records(sample_rows)[:2]}
        assert post_json(client, small).status_code == 200


def test_the_413_comes_before_the_rest_of_the_body_is_sent(small_cap_url: str) -> None:
    host, port = small_cap_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10.0) as raw:
        raw.sendall(
            b"POST /invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n" + b"c00\r\n" + b" " * 0xC00 + b"\r\n"
        )  # 3 KB sent, body not finished: the server must answer without waiting for more
        assert raw.recv(64).startswith(b"HTTP/1.1 413 ")


class GatedEstimator:
    """Wraps the real estimator; predict waits until the test releases it."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.classes_ = inner.classes_
        self.entered = threading.Event()
        self.release = threading.Event()

    def predict(self, frame: pl.DataFrame) -> Any:
        self.entered.set()
        assert self.release.wait(10.0), "test never released the gated prediction"
        return self.inner.predict(frame)

    def predict_proba(self, frame: pl.DataFrame) -> Any:
        return self.inner.predict_proba(frame)


def test_a_swap_mid_request_leaves_that_request_on_its_version_and_loop_responsive(
    serve_app: Callable[..., str], loaded_model: LoadedModel, sample_rows: pl.DataFrame
) -> None:
    gated = GatedEstimator(loaded_model.estimator)
    holder = ModelHolder(replace(loaded_model, version=1, estimator=gated))
    url = serve_app(holder)
    document = {"dataframe_records": records(sample_rows)}
    answers: list[httpx.Response] = []
    with (
        httpx.Client(base_url=url, timeout=10.0) as first,
        httpx.Client(base_url=url, timeout=10.0) as second,
    ):
        request = threading.Thread(target=lambda: answers.append(post_json(first, document)))
        request.start()
        try:
            assert gated.entered.wait(10.0)
            # the prediction is blocked in a worker thread; the event loop still answers
            assert second.get("/ping").status_code == 200
            holder.swap(replace(loaded_model, version=2))
            assert second.get("/health").json()["model_version"] == 2
        finally:
            gated.release.set()
            request.join(10.0)
        assert answers[0].json()["model_version"] == 1
        assert answers[0].headers["X-Model-Version"] == "1"
        after = post_json(second, document)
        assert (after.json()["model_version"], after.headers["X-Model-Version"]) == (2, "2")


class Exploding:
    """An estimator with a bug: predict raises something other than a bad-input error."""

    def predict(self, frame: pl.DataFrame) -> Any:
        raise RuntimeError(f"internal state lost near {SECRET}")


def test_an_unexpected_estimator_error_is_a_json_500_without_details(
    serve_app: Callable[..., str],
    loaded_model: LoadedModel,
    sample_rows: pl.DataFrame,
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = serve_app(ModelHolder(replace(loaded_model, estimator=Exploding())))
    with httpx.Client(base_url=url, timeout=10.0) as client:
        response = post_json(client, {"dataframe_records": records(sample_rows)})
        assert_error(response, 500, "INTERNAL_ERROR")
        assert SECRET not in response.text
        assert client.get("/health").status_code == 200
    assert "RuntimeError" in caplog.text  # the details went to the log instead
