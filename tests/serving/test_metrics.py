"""/metrics in Prometheus format and /openapi.json, read back by real parsers."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import polars as pl
from prometheus_client.parser import text_string_to_metric_families

from workbench.serving import LoadedModel, ModelHolder, ServingOptions

JSON_HEADERS = {"Content-Type": "application/json"}
TOKEN = "t" * 32


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample as {(name, sorted labels): value}."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_metrics_count_requests_errors_latency_and_the_served_version(
    serve_app: Callable[..., str], loaded_model: LoadedModel, sample_rows: pl.DataFrame
) -> None:
    url = serve_app(ModelHolder(loaded_model))
    good = json.dumps({"dataframe_records": sample_rows.to_dicts()})
    with httpx.Client(base_url=url, timeout=10.0) as client:
        for _ in range(3):
            assert client.post("/invocations", content=good, headers=JSON_HEADERS).is_success
        bad = client.post("/invocations", content="{", headers=JSON_HEADERS)
        assert bad.status_code == 400
        response = client.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain; version=")
    values = samples(response.text)
    ok = (("endpoint", "/invocations"), ("method", "POST"), ("status", "200"))
    assert values[("workbench_serving_requests_total", ok)] == 3
    errors = (("endpoint", "/invocations"), ("status", "400"))
    assert values[("workbench_serving_errors_total", errors)] == 1
    buckets = {
        dict(labels)["le"]: value
        for (name, labels), value in values.items()
        if name == "workbench_serving_request_duration_seconds_bucket"
        and dict(labels)["endpoint"] == "/invocations"
    }
    assert buckets["+Inf"] == 4 and "0.005" in buckets
    assert values[("workbench_serving_model_version", (("model_name", "churn"),))] == 3


def test_an_unknown_path_is_counted_under_one_label_not_its_own(
    serve_app: Callable[..., str], loaded_model: LoadedModel
) -> None:
    url = serve_app(ModelHolder(loaded_model))
    with httpx.Client(base_url=url, timeout=10.0) as client:
        for i in range(3):
            assert client.get(f"/scan-{i}").status_code == 404
        text = client.get("/metrics").text
    assert "scan-" not in text
    labels = (("endpoint", "unmatched"), ("method", "GET"), ("status", "404"))
    assert samples(text)[("workbench_serving_requests_total", labels)] == 3


def test_every_response_names_the_model_version(client: httpx.Client) -> None:
    for path in ("/ping", "/metrics", "/openapi.json", "/v2/health/live", "/nowhere"):
        assert client.get(path).headers["X-Model-Version"] == "3", path


def test_openapi_lists_every_route_with_its_bodies(
    serve_app: Callable[..., str], loaded_model: LoadedModel
) -> None:
    url = serve_app(ModelHolder(loaded_model), ServingOptions(admin_token=TOKEN))
    with httpx.Client(base_url=url, timeout=10.0) as client:
        document = client.get("/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    paths = document["paths"]
    for path, method in [
        ("/invocations", "post"),
        ("/health", "get"),
        ("/metrics", "get"),
        ("/v2/models/{name}/infer", "post"),
        ("/v2/health/ready", "get"),
        ("/admin/swap", "post"),
    ]:
        assert "responses" in paths[path][method], (path, method)
    invocations = paths["/invocations"]["post"]["requestBody"]["content"]
    assert set(invocations) == {"application/json", "text/csv"}
    assert paths["/v2/models/{name}/infer"]["post"]["parameters"][0]["name"] == "name"
    schemas = document["components"]["schemas"]
    for operation in (op for ops in paths.values() for op in ops.values()):
        for answer in operation["responses"].values():
            for media in answer.get("content", {}).values():
                ref = media.get("schema", {}).get("$ref")
                assert ref is None or ref.rsplit("/", 1)[1] in schemas, ref


def test_openapi_leaves_out_admin_routes_when_there_is_no_token(client: httpx.Client) -> None:
    assert "/admin/swap" not in client.get("/openapi.json").json()["paths"]
