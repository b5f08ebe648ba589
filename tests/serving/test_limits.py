"""Who may call and how much: Host allowlist, CORS, concurrency cap, request timeout."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import httpx
import polars as pl
import pytest

from workbench.core.errors import ServingError
from workbench.serving import LoadedModel, ModelHolder, ServingOptions
from workbench.serving.hosts import allowed_for_bind, host_allowed, host_name

JSON_HEADERS = {"Content-Type": "application/json"}


class GatedEstimator:
    """The real estimator, but predict waits until the test releases it."""

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


@contextmanager
def one_request_in_flight(url: str, body: str) -> Iterator[list[httpx.Response]]:
    """A request stuck in the gated predict for the duration of the block."""
    answers: list[httpx.Response] = []

    def post() -> None:
        with httpx.Client(base_url=url, timeout=10.0) as client:
            answers.append(client.post("/invocations", content=body, headers=JSON_HEADERS))

    thread = threading.Thread(target=post)
    thread.start()
    try:
        yield answers
    finally:
        thread.join(10.0)


@pytest.fixture()
def gated(loaded_model: LoadedModel) -> Iterator[GatedEstimator]:
    estimator = GatedEstimator(loaded_model.estimator)
    yield estimator
    estimator.release.set()


def test_past_max_concurrency_a_request_gets_503_and_health_still_answers(
    serve_app: Callable[..., str],
    loaded_model: LoadedModel,
    gated: GatedEstimator,
    sample_rows: pl.DataFrame,
) -> None:
    holder = ModelHolder(replace(loaded_model, estimator=gated))
    url = serve_app(holder, ServingOptions(max_concurrency=1))
    body = json.dumps({"dataframe_records": sample_rows.to_dicts()})
    with one_request_in_flight(url, body) as answers, httpx.Client(base_url=url) as client:
        assert gated.entered.wait(10.0)
        refused = client.post("/invocations", content=body, headers=JSON_HEADERS)
        assert refused.status_code == 503
        assert refused.json()["error_code"] == "OVERLOADED"
        assert refused.headers["Retry-After"] == "1"
        assert client.get("/health").status_code == 200
        gated.release.set()
    assert answers[0].status_code == 200
    with httpx.Client(base_url=url) as client:  # the place is free again
        assert client.post("/invocations", content=body, headers=JSON_HEADERS).status_code == 200


def test_a_request_over_the_timeout_gets_a_json_504(
    serve_app: Callable[..., str],
    loaded_model: LoadedModel,
    gated: GatedEstimator,
    sample_rows: pl.DataFrame,
) -> None:
    holder = ModelHolder(replace(loaded_model, estimator=gated))
    url = serve_app(holder, ServingOptions(request_timeout=0.3))
    body = json.dumps({"dataframe_records": sample_rows.to_dicts()})
    with one_request_in_flight(url, body) as answers:
        assert gated.entered.wait(10.0)
    gated.release.set()
    assert answers[0].status_code == 504
    assert answers[0].json() == {
        "error_code": "REQUEST_TIMEOUT",
        "message": "the request took longer than 0.3 s",
    }
    with httpx.Client(base_url=url) as client:
        assert "workbench_serving_timeouts_total 1.0" in client.get("/metrics").text


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.evil.example"])
def test_a_foreign_host_header_is_refused_with_json_400(client: httpx.Client, host: str) -> None:
    response = client.get("/health", headers={"Host": host})
    assert response.status_code == 400
    assert response.json()["error_code"] == "INVALID_HOST"
    scoring = client.post("/invocations", content="{}", headers={"Host": host} | JSON_HEADERS)
    assert scoring.json()["error_code"] == "INVALID_HOST"


@pytest.mark.parametrize("host", ["localhost", "LOCALHOST:1234", "127.0.0.1:80", "[::1]:8000"])
def test_loopback_host_headers_are_answered(client: httpx.Client, host: str) -> None:
    assert client.get("/health", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize(
    ("header", "name"),
    [("Example.COM.", "example.com"), ("[::1]:80", "::1"), ("::1", "::1"), ("a:1", "a")],
)
def test_host_name_drops_port_brackets_case_and_trailing_dot(header: str, name: str) -> None:
    assert host_name(header) == name


def test_host_allowlist_rules() -> None:
    assert not host_allowed(None, ("localhost",))
    assert host_allowed("anything", ("*",))
    assert allowed_for_bind(("localhost",), "127.0.0.2") == ("localhost", "127.0.0.2")
    assert allowed_for_bind(("localhost",), "0.0.0.0") == ("localhost",)


def test_no_cors_headers_unless_an_origin_is_configured(
    client: httpx.Client, serve_app: Callable[..., str], loaded_model: LoadedModel
) -> None:
    origin = {"Origin": "http://localhost:3000"}
    assert "access-control-allow-origin" not in client.get("/health", headers=origin).headers
    url = serve_app(ModelHolder(loaded_model), ServingOptions(cors_origins=(origin["Origin"],)))
    with httpx.Client(base_url=url) as other:
        allowed = other.get("/health", headers=origin).headers
        assert allowed["access-control-allow-origin"] == "http://localhost:3000"
        foreign = other.get("/health", headers={"Origin": "http://evil.example"}).headers
        assert "access-control-allow-origin" not in foreign


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"cors_origins": ("*",)}, "no wildcard"),
        ({"max_concurrency": 0}, "max concurrency"),
        ({"request_timeout": 0.0}, "request timeout"),
        ({"admin_token": "short"}, "at least 16"),
        ({"allowed_hosts": ()}, "allowed hosts"),
    ],
)
def test_bad_options_are_refused_naming_the_option(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ServingError, match=message):
        ServingOptions(**changes)
