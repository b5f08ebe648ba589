"""Serving supervised by the engine: hot swap on approval and rollback under load, and
the prediction log handed back into the store."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest

from workbench.core.workspace import Workspace
from workbench.engine.engine import Engine

from ..eventually import eventually

pytestmark = pytest.mark.slow


def _hammer(
    url: str,
    body: dict,
    stop: threading.Event,
    seen: list[int],
    failures: list[str],
    sent: list[tuple[float, int]],
) -> None:
    """Score in a loop; ``seen`` gets versions in the order answers arrive, ``sent`` each
    answer's version with the time its request was sent."""
    with httpx.Client(timeout=30) as client:
        while not stop.is_set():
            started = time.monotonic()
            try:
                response = client.post(f"{url}/invocations", json=body)
            except httpx.HTTPError as exc:
                failures.append(f"{type(exc).__name__}: {exc}")
                continue
            if response.status_code != 200:
                failures.append(f"{response.status_code}: {response.text[:200]}")
            else:
                version = response.json()["model_version"]
                seen.append(version)
                sent.append((started, version))


def test_approval_and_rollback_swap_the_served_model_without_a_failed_request(
    workspace: Workspace, small_sample: Path, free_port: int
) -> None:
    with Engine(workspace) as engine:
        dataset = engine.ingest(small_sample, move=False).dataset
        assert dataset is not None
        engine.run([dataset.id])
        engine.approve(1)
        info = engine.serve_when_ready(port=free_port)
        assert info is not None and info.version == 1
        body = {"dataframe_records": [engine.example_request()]}
        stop, seen, failures = threading.Event(), [], []
        sent: list[tuple[float, int]] = []
        clients = [
            threading.Thread(target=_hammer, args=(info.url, body, stop, seen, failures, sent))
            for _ in range(3)
        ]
        for client in clients:
            client.start()
        try:
            engine.run([dataset.id])
            engine.approve(2)
            swapped = time.monotonic()  # every worker serves v2 before approve returns
            assert engine.store.events.since(0)[-1].kind == "serving.swapped"
            eventually(lambda: 2 in seen[-20:], 30, "clients see version 2 after the swap")
            rolling = time.monotonic()
            engine.rollback("back to v1")
            count = len(seen)
            eventually(
                lambda: len(seen) > count and seen[-1] == 1, 30, "clients see v1 after rollback"
            )
        finally:
            stop.set()
            for client in clients:
                client.join(30)
        assert failures == []
        assert set(seen) == {1, 2}
        assert seen[-1] == 1
        # no flapping: once the swap returned, every request sent (to any worker) gets v2
        # until the rollback starts (answers arrive out of order across connections)
        between = [v for at, v in sent if swapped < at < rolling]
        assert between and set(between) == {2}, "no flapping after a swap"

        eventually(
            engine.store.monitoring.prediction_count, 30, "the server's predictions are logged"
        )
        logged = engine.store.monitoring.recent_predictions(5)
        assert logged and logged[-1]["model_version"] in (1, 2)
        assert "amount" in logged[-1]["inputs"]
