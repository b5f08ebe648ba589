"""Online features through a real scoring server and a real HTTP client: a request that
names the customer gets the stored features joined in by the training join, an unknown
customer gets the training defaults (and is told), and a new file's features are
published to the running server."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import polars as pl
import pytest

from workbench.core.config import WorkbenchConfig, with_overrides
from workbench.core.workspace import init_workspace
from workbench.engine.engine import Engine
from workbench.features import JoinPlan, join_features
from workbench.modelfile import load_model

from ..engine.helpers import wait_for
from ..features.history import START, VIEWS, transactions

LATER = START + timedelta(days=12)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, str]]:
    """An engine serving a model trained on the ``activity`` view, on a free port; shared
    by the module's tests (each computes what it expects from the store as it is then)."""
    tmp_path = tmp_path_factory.mktemp("served")
    settings = with_overrides(WorkbenchConfig(), "features", path="features.py", views=["activity"])
    settings = with_overrides(settings, "train", candidates=["logistic_regression"])
    ws = init_workspace(tmp_path / "ws", target="label", config=settings)
    (ws.root / "features.py").write_text(VIEWS.format(ttl="30d"), encoding="utf-8")
    data = tmp_path / "first.csv"
    transactions(1500, seed=1, days=6).write_csv(data)
    with Engine(ws) as engine:
        engine.ingest(data, move=False)
        assert engine.run().status == "success"
        engine.approve(1)
        info = engine.serve(port=0)
        yield engine, info.url


def _expected(engine: Engine, request: dict[str, Any]) -> tuple[float, list[str]]:
    """P(label = 1) for ``request`` with features joined offline, and what was defaulted."""
    model = engine.store.registry.get(1)
    assert model is not None
    plan = JoinPlan.from_dict(model.signature["features"])
    tables = {v.name: engine.store.features.view_rows(v.name, v.code_hash) for v in plan.views}
    rows = pl.DataFrame([request]).with_columns(pl.col("timestamp").str.to_datetime())
    joined, defaulted = join_features(rows, tables, plan)
    estimator = load_model(
        engine.store.artifacts.path(model.artifact_sha256), model.artifact_sha256
    )
    names = [c["name"] for c in model.signature["inputs"]]
    return float(estimator.predict_proba(joined.select(names))[0, 1]), list(defaulted[0])


def _score(url: str, request: dict[str, Any]) -> dict[str, Any]:
    response = httpx.post(f"{url}/invocations", json={"dataframe_records": [request]})
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_a_request_naming_the_customer_is_scored_with_the_stored_features(
    served: tuple[Engine, str],
) -> None:
    engine, url = served
    request = {"customer_id": "c007", "amount": 42.0, "timestamp": LATER.isoformat()}

    answer = _score(url, request)
    probability, defaulted = _expected(engine, request)

    assert answer["defaulted_features"] == [[]] and defaulted == []
    assert answer["probabilities"][0][1] == pytest.approx(probability, abs=1e-9)


def test_an_unknown_customer_gets_the_training_defaults_and_is_told(
    served: tuple[Engine, str],
) -> None:
    engine, url = served
    request = {"customer_id": "nobody", "amount": 42.0, "timestamp": LATER.isoformat()}

    answer = _score(url, request)
    probability, defaulted = _expected(engine, request)

    assert answer["defaulted_features"] == [["n_tx_24h", "mean_2d"]] == [defaulted]
    assert answer["probabilities"][0][1] == pytest.approx(probability, abs=1e-9)
    missing = httpx.post(
        f"{url}/invocations", json={"dataframe_records": [{"amount": 1.0, "timestamp": "x"}]}
    )
    assert missing.status_code == 400 and "customer_id" in missing.json()["message"]


def test_a_new_files_features_are_published_to_the_running_server(
    served: tuple[Engine, str], tmp_path: Path
) -> None:
    engine, url = served
    request = {"customer_id": "c007", "amount": 42.0, "timestamp": LATER.isoformat()}
    before = _score(url, request)["probabilities"][0][1]
    newer = transactions(400, seed=9, days=1, start=START + timedelta(days=10))
    newer = newer.with_columns(pl.lit("c007").alias("customer_id"))  # a burst of c007's
    path = tmp_path / "second.csv"
    newer.write_csv(path)

    with engine.bus.listen() as inbox:
        engine.ingest(path, move=False)
        wait_for(inbox, "features.published", timeout=30)

    after = _score(url, request)["probabilities"][0][1]
    assert after == pytest.approx(_expected(engine, request)[0], abs=1e-9)
    assert after != pytest.approx(before)
    assert engine.feature_lookup("activity", "c007").latest["n_tx_24h"] > 100  # type: ignore[index]


def test_served_feature_vectors_are_checked_against_the_offline_store(
    served: tuple[Engine, str], tmp_path: Path
) -> None:
    engine, url = served
    marked = 4242.5  # an amount no other test sends: the other tests' logs may land later
    _score(url, {"customer_id": "c007", "amount": marked, "timestamp": LATER.isoformat()})
    deadline = time.monotonic() + 30
    ours: list[dict[str, Any]] = []
    while not ours:  # logged, ingested, checked
        assert time.monotonic() < deadline, "the prediction was never logged"
        time.sleep(0.05)
        recent = engine.store.monitoring.recent_predictions(20)
        ours = [p["inputs"] for p in recent if p["inputs"].get("amount") == marked]
    logged = pl.DataFrame(ours)
    assert logged["customer_id"].to_list() == ["c007"]  # the key is logged beside them
    assert engine.features.check_skew(logged) == (1, 0)

    late = transactions(50, seed=5, days=1, start=START + timedelta(days=10))
    path = tmp_path / "late.csv"
    late.with_columns(pl.lit("c007").alias("customer_id")).write_csv(path)
    engine.ingest(path, move=False)  # c007's history before the request changed since
    with engine.bus.listen() as inbox:
        assert engine.features.check_skew(logged) == (1, 1)
        alert = wait_for(inbox, "features.skew", timeout=5)
    assert alert.level == "warning" and "c007" in alert.message
    assert "n_tx_24h" in alert.payload["columns"]


def test_an_open_inference_request_is_enriched_as_an_invocations_request_is(
    served: tuple[Engine, str],
) -> None:
    """V2 tensors name the entity key and the event time, not the stored features."""
    engine, url = served
    request = {"customer_id": "c007", "amount": 42.0, "timestamp": LATER.isoformat()}
    name = httpx.get(f"{url}/v2/models").json()["models"][0]["name"]
    tensors = [
        {"name": "customer_id", "datatype": "BYTES", "shape": [1], "data": ["c007"]},
        {"name": "amount", "datatype": "FP64", "shape": [1], "data": [42.0]},
        {"name": "timestamp", "datatype": "BYTES", "shape": [1], "data": [LATER.isoformat()]},
    ]
    response = httpx.post(f"{url}/v2/models/{name}/infer", json={"inputs": tensors})
    assert response.status_code == 200, response.text
    outputs = {o["name"]: o for o in response.json()["outputs"]}
    probability, _ = _expected(engine, request)
    assert outputs["predict_proba"]["data"][1] == pytest.approx(probability, abs=1e-9)
    assert outputs["predict"]["data"] == _score(url, request)["predictions"]
