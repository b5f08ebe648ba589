"""Shared shapes for the serving tests: one real fitted model, its manifest, real servers.

The model is a small scikit-learn Pipeline (scaler + one-hot encoder + logistic
regression) fitted on a polars frame, saved with ``workbench.modelfile`` and served by a
real uvicorn server on a free 127.0.0.1 port in a background thread.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import polars as pl
import pytest
import uvicorn
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from workbench.core.signature import ColumnSpec, Signature
from workbench.modelfile import dump_model, load_model
from workbench.serving import (
    LoadedModel,
    ModelHolder,
    ScoringServer,
    ServingManifest,
    ServingOptions,
    build_server,
    create_app,
    write_manifest,
)

FEATURES = ("amount", "age", "channel")
STARTUP_TIMEOUT = 10.0

SIGNATURE = Signature(
    inputs=(
        ColumnSpec("amount", "float"),
        ColumnSpec("age", "int"),
        ColumnSpec("channel", "string"),
    ),
    target="label",
    task="binary",
    classes=("no", "yes"),
)


@pytest.fixture(scope="session")
def signature() -> Signature:
    """The served model's signature: amount float, age int, channel string."""
    return SIGNATURE


@pytest.fixture(scope="session")
def training_frame() -> pl.DataFrame:
    """80 rows whose label depends on amount and channel, with string labels."""
    rng = np.random.default_rng(7)
    n = 80
    frame = pl.DataFrame(
        {
            "amount": rng.normal(100.0, 30.0, n).round(2),
            "age": rng.integers(18, 80, n),
            "channel": rng.choice(["web", "store", "phone"], n).tolist(),
        }
    )
    score = pl.col("amount") + pl.when(pl.col("channel") == "web").then(25.0).otherwise(0.0)
    return frame.with_columns(
        label=pl.when(score > 110).then(pl.lit("yes")).otherwise(pl.lit("no"))
    )


@pytest.fixture(scope="session")
def model_file(tmp_path_factory: pytest.TempPathFactory, training_frame: pl.DataFrame) -> Path:
    """The fitted pipeline saved as a skops artifact."""
    pipeline = fit_pipeline(training_frame)
    path = tmp_path_factory.mktemp("artifacts") / "model.skops"
    path.write_bytes(dump_model(pipeline))
    return path


def fit_pipeline(training_frame: pl.DataFrame, c: float = 1.0) -> Pipeline:
    """The served pipeline: scaled numbers, one-hot channel, logistic regression."""
    pipeline = Pipeline(
        [
            (
                "prep",
                ColumnTransformer(
                    [
                        ("num", StandardScaler(), ["amount", "age"]),
                        ("cat", OneHotEncoder(handle_unknown="ignore"), ["channel"]),
                    ]
                ),
            ),
            ("clf", LogisticRegression(C=c)),
        ]
    )
    return pipeline.fit(training_frame.select(FEATURES), training_frame["label"].to_numpy())


def manifest_for(path: Path, version: int) -> ServingManifest:
    """A manifest serving the artifact at ``path`` as ``version`` of model "churn"."""
    return ServingManifest(
        model_name="churn",
        version=version,
        artifact_path=str(path),
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        signature=SIGNATURE.to_dict(),
        metrics={"roc_auc": 0.91},
    )


@pytest.fixture(scope="session")
def manifest(model_file: Path) -> ServingManifest:
    return manifest_for(model_file, 3)


@pytest.fixture(scope="session")
def manifest_file(tmp_path_factory: pytest.TempPathFactory, manifest: ServingManifest) -> Path:
    path = tmp_path_factory.mktemp("manifests") / "serving.json"
    write_manifest(manifest, path)
    return path


@pytest.fixture(scope="session")
def reference_estimator(model_file: Path) -> Any:
    """The same artifact loaded in-process: what the server's answers must equal."""
    return load_model(model_file)


@pytest.fixture(scope="session")
def loaded_model(manifest: ServingManifest) -> LoadedModel:
    return LoadedModel.load(manifest)


@pytest.fixture(scope="session")
def sample_rows(training_frame: pl.DataFrame) -> pl.DataFrame:
    """Six feature rows, three of each label, so predictions are not all alike."""
    by_label = [training_frame.filter(pl.col("label") == label).head(3) for label in ("yes", "no")]
    return pl.concat(by_label).select(FEATURES)


@contextmanager
def running(server: ScoringServer) -> Iterator[str]:
    """Run a server in a thread; yield its base URL; stop it and join the thread."""
    thread = threading.Thread(target=server.run, name="test-scoring-server", daemon=True)
    thread.start()
    try:
        port = server.wait_ready(STARTUP_TIMEOUT)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(STARTUP_TIMEOUT)
        assert not thread.is_alive(), "scoring server thread did not stop"


@pytest.fixture(scope="session")
def base_url(manifest: ServingManifest) -> Iterator[str]:
    """The default server (not strict, 10 MiB cap) built from the manifest, on port 0."""
    with running(build_server(manifest, port=0)) as url:
        yield url


@pytest.fixture()
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=10.0) as http:
        yield http


@pytest.fixture()
def serve_app() -> Iterator[Callable[..., str]]:
    """Start extra servers for one test: ``serve_app(holder, options, strict=...) -> url``.

    Each server is stopped (and its lifespan shutdown run) when the test ends.
    """
    with ExitStack() as stack:

        def start(holder: ModelHolder, options: ServingOptions | None = None, **kw: Any) -> str:
            app = create_app(holder, options, **kw)
            config = uvicorn.Config(
                app, host="127.0.0.1", port=0, log_level="warning", lifespan="on"
            )
            return stack.enter_context(running(ScoringServer(config, holder)))

        yield start
