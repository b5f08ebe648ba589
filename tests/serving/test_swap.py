"""Hot swap through POST /admin/swap: under load, refused models, and the token."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import polars as pl
import pytest

from tests.serving.conftest import fit_pipeline, manifest_for
from workbench.modelfile import dump_model, load_model
from workbench.serving import LoadedModel, ModelHolder, ServingManifest, ServingOptions

TOKEN = "swap-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
JSON_HEADERS = {"Content-Type": "application/json"}
HAMMER_THREADS = 4
PHASE_SECONDS = 0.6
PHASE_ANSWERS = 20
WAIT_LIMIT = 20.0


@pytest.fixture(scope="module")
def versions(
    tmp_path_factory: pytest.TempPathFactory, training_frame: pl.DataFrame, model_file: Path
) -> dict[int, ServingManifest]:
    """Version 1 (the session model) and version 2 (a more regularised fit)."""
    second = tmp_path_factory.mktemp("v2") / "model.skops"
    second.write_bytes(dump_model(fit_pipeline(training_frame, c=0.05)))
    return {1: manifest_for(model_file, 1), 2: manifest_for(second, 2)}


@pytest.fixture()
def swap_url(serve_app: Callable[..., str], versions: dict[int, ServingManifest]) -> str:
    holder = ModelHolder(LoadedModel.load(versions[1]))
    return serve_app(holder, ServingOptions(admin_token=TOKEN))


@dataclass(frozen=True)
class Outcome:
    started: float
    ended: float
    status: int
    version: int | None
    header: str | None
    probabilities: Any


class Hammer:
    """Client threads posting /invocations until stopped, recording every outcome."""

    def __init__(self, url: str, body: str) -> None:
        self.url, self.body = url, body
        self.outcomes: list[Outcome] = []
        self.failures: list[str] = []
        self.stop = threading.Event()
        self.progress = threading.Condition()
        self.threads = [threading.Thread(target=self._run) for _ in range(HAMMER_THREADS)]

    def _run(self) -> None:
        deadline = time.monotonic() + 3 * WAIT_LIMIT
        with httpx.Client(base_url=self.url, timeout=10.0) as client:
            while not self.stop.is_set() and time.monotonic() < deadline:
                started = time.monotonic()
                try:
                    r = client.post("/invocations", content=self.body, headers=JSON_HEADERS)
                except httpx.HTTPError as exc:
                    self.failures.append(repr(exc))
                    continue
                body = r.json()
                outcome = Outcome(
                    started,
                    time.monotonic(),
                    r.status_code,
                    body.get("model_version"),
                    r.headers.get("X-Model-Version"),
                    body.get("probabilities"),
                )
                with self.progress:
                    self.outcomes.append(outcome)
                    self.progress.notify_all()

    def run_phase(self) -> None:
        """Let the load run for a phase: some time and some answers, both bounded."""
        with self.progress:
            target = len(self.outcomes) + PHASE_ANSWERS
            assert self.progress.wait_for(lambda: len(self.outcomes) >= target, WAIT_LIMIT)
        self.stop.wait(PHASE_SECONDS)


def test_swaps_under_load_fail_no_request_and_switch_cleanly(
    swap_url: str,
    versions: dict[int, ServingManifest],
    sample_rows: pl.DataFrame,
) -> None:
    expected = {
        v: load_model(Path(m.artifact_path)).predict_proba(sample_rows) for v, m in versions.items()
    }
    hammer = Hammer(swap_url, json.dumps({"dataframe_records": sample_rows.to_dicts()}))
    swaps: list[tuple[float, float, int]] = []
    for thread in hammer.threads:
        thread.start()
    try:
        with httpx.Client(base_url=swap_url, timeout=30.0) as admin:
            hammer.run_phase()
            for target, previous in ((2, 1), (1, 2)):  # promote, then roll back
                sent = time.monotonic()
                response = admin.post(
                    "/admin/swap", content=versions[target].to_json(), headers=AUTH
                )
                swaps.append((sent, time.monotonic(), target))
                assert response.status_code == 200, response.text
                assert response.json() == {"model_version": target, "previous_version": previous}
                hammer.run_phase()
    finally:
        hammer.stop.set()
        for thread in hammer.threads:
            thread.join(WAIT_LIMIT)
    assert hammer.failures == []
    outcomes = hammer.outcomes
    assert {o.status for o in outcomes} == {200}
    for o in outcomes:  # each answer wholly from one loaded version, never a mixture
        assert o.version in (1, 2) and o.header == str(o.version)
        np.testing.assert_allclose(o.probabilities, expected[o.version], rtol=1e-12)
    assert all(o.version == 1 for o in outcomes if o.ended < swaps[0][0])
    for i, (_, done, target) in enumerate(swaps):
        next_sent = swaps[i + 1][0] if i + 1 < len(swaps) else float("inf")
        after = [o for o in outcomes if done < o.started and o.ended < next_sent]
        assert len(after) >= PHASE_ANSWERS // 2
        assert {o.version for o in after} == {target}


def test_a_tampered_model_is_refused_and_the_old_one_keeps_serving(
    swap_url: str, versions: dict[int, ServingManifest], tmp_path: Path
) -> None:
    data = bytearray(Path(versions[2].artifact_path).read_bytes())
    data[len(data) // 2] ^= 0x01
    tampered = tmp_path / "model.skops"
    tampered.write_bytes(bytes(data))
    with httpx.Client(base_url=swap_url, timeout=30.0) as client:
        for manifest in (
            replace(versions[2], artifact_path=str(tampered)),
            replace(versions[2], artifact_path=str(tmp_path / "missing.skops")),
        ):
            response = client.post("/admin/swap", content=manifest.to_json(), headers=AUTH)
            assert response.status_code == 422, response.text
            assert response.json()["error_code"] == "MODEL_REFUSED"
            assert "version 2" in response.json()["message"]
        assert client.get("/health").json()["model_version"] == 1
        text = client.get("/metrics").text
    assert 'workbench_serving_model_swaps_total{outcome="refused"} 2.0' in text


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("{not json", "not valid JSON"),
        ('{"model_name": "churn"}', "missing field"),
        ("relative", "must be absolute"),
    ],
    ids=["not-json", "incomplete", "relative-path"],
)
def test_a_bad_manifest_is_a_400_naming_the_problem(
    swap_url: str, versions: dict[int, ServingManifest], body: str, expected: str
) -> None:
    if body == "relative":
        body = replace(versions[2], artifact_path="model.skops").to_json()
    with httpx.Client(base_url=swap_url, timeout=10.0) as client:
        response = client.post("/admin/swap", content=body, headers=AUTH)
    assert response.status_code == 400
    assert response.json()["error_code"] == "BAD_MANIFEST"
    assert expected in response.json()["message"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"artifact_path": "/models/a\x00b.skops"}, "without NUL bytes"),
        ({"model_name": "SURROGATE"}, "lone surrogate"),
        ({"metrics": {"roc_auc": 10**400}}, "'metrics.roc_auc' must be a finite number"),
        ({"signature": "NESTED"}, "not valid JSON"),
    ],
    ids=["nul-in-path", "lone-surrogate", "huge-metric", "nested-too-deep"],
)
def test_manifests_that_used_to_crash_the_swap_are_a_400(
    swap_url: str, versions: dict[int, ServingManifest], change: dict[str, Any], expected: str
) -> None:
    body = json.dumps({**json.loads(versions[2].to_json()), **change})
    body = body.replace('"SURROGATE"', '"\\ud800"').replace('"NESTED"', "[" * 100_000)
    with httpx.Client(base_url=swap_url, timeout=10.0) as client:
        response = client.post("/admin/swap", content=body, headers=AUTH)
        assert response.status_code == 400, response.text
        assert response.json()["error_code"] == "BAD_MANIFEST"
        assert expected in response.json()["message"]
        assert client.get("/health").json()["model_version"] == 1


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong-token-0123456789"}, {"Authorization": TOKEN}],
    ids=["none", "wrong", "no-scheme"],
)
def test_admin_without_the_right_token_is_401_and_changes_nothing(
    swap_url: str, versions: dict[int, ServingManifest], headers: dict[str, str]
) -> None:
    with httpx.Client(base_url=swap_url, timeout=10.0) as client:
        response = client.post("/admin/swap", content=versions[2].to_json(), headers=headers)
        assert response.status_code == 401
        assert response.json()["error_code"] == "UNAUTHORIZED"
        assert response.headers["WWW-Authenticate"] == "Bearer"
        assert client.get("/health").json()["model_version"] == 1


def test_without_a_token_the_admin_route_does_not_exist(
    client: httpx.Client, versions: dict[int, ServingManifest]
) -> None:
    response = client.post("/admin/swap", content=versions[2].to_json(), headers=AUTH)
    assert response.status_code == 404
    assert client.get("/health").json()["model_version"] == 3
