"""Several scoring workers behind one port (``--workers 2``): swaps, metrics, logs, crashes.

Each test runs the real ``python -m workbench.serving --workers 2`` process tree on a
free port. Connections are spread over the workers by the kernel (``SO_REUSEPORT``), so
the tests send many fresh connections where they must reach every worker; the
prediction log's file names carry the process id that wrote them, which shows that
both workers answered.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import polars as pl
import pytest

from tests.children import started_at
from tests.serving.conftest import fit_pipeline, manifest_for
from tests.serving.test_server import start_module
from tests.serving.test_swap import PHASE_ANSWERS, Hammer
from workbench.modelfile import dump_model, load_model
from workbench.serving import TOKEN_ENV, ServingManifest, write_manifest
from workbench.serving.worker import PUBLISH_SECONDS

TOKEN = "pool-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
JSON_HEADERS = {"Content-Type": "application/json"}
FRESH_CONNECTIONS = 24
"""Requests each on its own connection: all on one of 2 workers has odds 2**-23."""
WAIT_LIMIT = 30.0


@pytest.fixture(scope="module")
def versions(
    tmp_path_factory: pytest.TempPathFactory, training_frame: pl.DataFrame, model_file: Path
) -> dict[int, ServingManifest]:
    """Version 3 (the session model, what the pool starts with) and version 4."""
    second = tmp_path_factory.mktemp("pool-v4") / "model.skops"
    second.write_bytes(dump_model(fit_pipeline(training_frame, c=0.05)))
    return {3: manifest_for(model_file, 3), 4: manifest_for(second, 4)}


class Pool:
    """A running ``--workers 2`` process tree, once both workers listen.

    The pool announces itself when its first worker listens and starts the second then;
    it says ``all 2 scoring workers ready`` on stderr when that one listens too.
    """

    def __init__(self, manifest_file: Path, log_dir: Path, *, wait_all: bool = True) -> None:
        self.log_dir = log_dir
        self.process, self.url = start_module(
            manifest_file, "--workers", "2", "--log-dir", str(log_dir),
            "--log-flush-seconds", "0.2", env={TOKEN_ENV: TOKEN},
        )  # fmt: skip
        self.announced = time.time()
        """When the URL came (the first worker listened a little before)."""
        self._stderr: list[str] = []
        self._all_ready = threading.Event()
        self._reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._reader.start()
        if wait_all:
            assert self._all_ready.wait(WAIT_LIMIT), "".join(self._stderr)

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self._stderr.append(line)
            if "all 2 scoring workers ready" in line:
                self._all_ready.set()

    def workers(self) -> list[int]:
        """Process ids of the pool's workers (its children).

        Linux lists a child under the thread that started it (a replacement is started
        by the thread that saw its predecessor exit), so every thread is read.
        """
        pids = set()
        for children in Path(f"/proc/{self.process.pid}/task").glob("*/children"):
            with contextlib.suppress(FileNotFoundError):  # a thread that just ended
                pids.update(int(pid) for pid in children.read_text().split())
        return sorted(pids)

    def stop(self) -> tuple[int, str]:
        self.process.terminate()
        self.process.wait(timeout=WAIT_LIMIT)
        self._reader.join(WAIT_LIMIT)  # it reads to the end of the pool's stderr
        return self.process.returncode, "".join(self._stderr)


@pytest.fixture(scope="module")
def pool(
    tmp_path_factory: pytest.TempPathFactory, versions: dict[int, ServingManifest]
) -> Iterator[Pool]:
    folder = tmp_path_factory.mktemp("pool")
    write_manifest(versions[3], folder / "serving.json")
    running = Pool(folder / "serving.json", folder / "predictions")
    try:
        yield running
    finally:
        running.stop()


def fresh_requests(url: str, body: str, count: int = FRESH_CONNECTIONS) -> list[httpx.Response]:
    """``count`` requests, each on a new connection (so the kernel places each anew)."""
    answers = []
    for _ in range(count):
        with httpx.Client(base_url=url, timeout=WAIT_LIMIT) as client:
            answers.append(client.post("/invocations", content=body, headers=JSON_HEADERS))
    return answers


def samples(text: str) -> dict[str, float]:
    """``name{labels} value`` lines of an exposition, keyed by everything before the value."""
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, value = line.rsplit(" ", 1)
            out[key] = float(value)
    return out


def wait_for(check: Any, what: str) -> None:
    deadline = time.monotonic() + WAIT_LIMIT
    while not check():
        assert time.monotonic() < deadline, f"waited {WAIT_LIMIT} s for {what}"
        time.sleep(0.1)


def logged_pids(log_dir: Path) -> set[int]:
    return {int(f.name.split("-")[2]) for f in log_dir.glob("predictions-*.parquet")}


def test_swaps_under_load_reach_every_worker_before_any_answers_and_fail_nothing(
    pool: Pool, versions: dict[int, ServingManifest], sample_rows: pl.DataFrame
) -> None:
    expected = {
        v: load_model(Path(m.artifact_path)).predict_proba(sample_rows) for v, m in versions.items()
    }
    body = json.dumps({"dataframe_records": sample_rows.to_dicts()})
    hammer = Hammer(pool.url, body)
    swaps: list[tuple[float, float, int]] = []
    fresh: dict[int, list[httpx.Response]] = {}
    for thread in hammer.threads:
        thread.start()
    try:
        with httpx.Client(base_url=pool.url, timeout=WAIT_LIMIT) as admin:
            hammer.run_phase()
            for target, previous in ((4, 3), (3, 4)):  # promote, then roll back
                sent = time.monotonic()
                response = admin.post(
                    "/admin/swap", content=versions[target].to_json(), headers=AUTH
                )
                swaps.append((sent, time.monotonic(), target))
                assert response.status_code == 200, response.text
                assert response.json() == {"model_version": target, "previous_version": previous}
                fresh[target] = fresh_requests(pool.url, body)
                hammer.run_phase()
    finally:
        hammer.stop.set()
        for thread in hammer.threads:
            thread.join(WAIT_LIMIT)
    assert hammer.failures == []
    outcomes = hammer.outcomes
    assert {o.status for o in outcomes} == {200}
    for o in outcomes:  # each answer wholly from one loaded version, never a mixture
        assert o.version in (3, 4) and o.header == str(o.version)
        np.testing.assert_allclose(o.probabilities, expected[o.version], rtol=1e-12)
    assert all(o.version == 3 for o in outcomes if o.ended < swaps[0][0])
    for i, (_, done, target) in enumerate(swaps):
        next_sent = swaps[i + 1][0] if i + 1 < len(swaps) else float("inf")
        after = [o for o in outcomes if done < o.started and o.ended < next_sent]
        assert len(after) >= PHASE_ANSWERS // 2
        assert {o.version for o in after} == {target}
        # every worker, wherever the kernel put a connection, answers with the new version
        assert {r.json()["model_version"] for r in fresh[target]} == {target}
    wait_for(lambda: len(logged_pids(pool.log_dir)) == 2, "both workers to log predictions")
    assert logged_pids(pool.log_dir) == set(pool.workers())


def test_metrics_and_the_prediction_log_add_up_over_every_worker(
    pool: Pool, sample_rows: pl.DataFrame
) -> None:
    body = json.dumps({"dataframe_records": sample_rows.to_dicts()})
    key = 'workbench_serving_requests_total{endpoint="/invocations",method="POST",status="200"}'
    rows = "workbench_serving_prediction_log_rows_total"

    def scrape() -> dict[str, float]:
        with httpx.Client(base_url=pool.url, timeout=WAIT_LIMIT) as client:
            return samples(client.get("/metrics").text)

    def settled() -> bool:
        """Nothing queued, and the row count the same over more than a worker's publishing
        period (a worker's row in the scoreboard can lag its own count by that much)."""
        first = scrape()
        time.sleep(2 * PUBLISH_SECONDS)
        second = scrape()
        return second[rows] == first[rows] and second[queued] == 0

    queued = "workbench_serving_prediction_log_queued_rows"
    wait_for(settled, "the earlier tests' log rows to settle")
    before = scrape()
    assert all(r.status_code == 200 for r in fresh_requests(pool.url, body))
    wanted = before[rows] + FRESH_CONNECTIONS * sample_rows.height
    wait_for(lambda: scrape()[rows] == wanted, "every worker's log rows in /metrics")
    after = scrape()  # whichever worker answers the scrape, the figures are the pool's
    assert after[key] - before[key] == FRESH_CONNECTIONS
    assert after["workbench_serving_in_progress"] == 0
    assert "process_resident_memory_bytes" in after
    assert any(name.startswith("python_gc_collections_total") for name in after)
    assert any(name.startswith("python_info") for name in after)


def test_a_model_one_worker_cannot_load_leaves_every_worker_on_the_old_one(
    pool: Pool, versions: dict[int, ServingManifest], tmp_path: Path, sample_rows: pl.DataFrame
) -> None:
    missing = replace(versions[4], artifact_path=str(tmp_path / "missing.skops"))
    with httpx.Client(base_url=pool.url, timeout=WAIT_LIMIT) as client:
        response = client.post("/admin/swap", content=missing.to_json(), headers=AUTH)
    assert response.status_code == 422, response.text
    assert response.json()["error_code"] == "MODEL_REFUSED"
    body = json.dumps({"dataframe_records": sample_rows.to_dicts()})
    assert {r.json()["model_version"] for r in fresh_requests(pool.url, body)} == {3}


def test_a_killed_worker_is_replaced_on_the_current_version_and_sigterm_flushes_all(
    tmp_path: Path, versions: dict[int, ServingManifest], sample_rows: pl.DataFrame
) -> None:
    write_manifest(versions[3], tmp_path / "serving.json")
    pool = Pool(tmp_path / "serving.json", tmp_path / "predictions")
    body = json.dumps({"dataframe_records": sample_rows.to_dicts()})
    try:
        with httpx.Client(base_url=pool.url, timeout=WAIT_LIMIT) as client:
            swap = client.post("/admin/swap", content=versions[4].to_json(), headers=AUTH)
            assert swap.status_code == 200, swap.text
        victim = pool.workers()[0]
        os.kill(victim, signal.SIGKILL)
        wait_for(lambda: victim not in pool.workers() and len(pool.workers()) == 2, "a new one")
        # connections the kernel gives the replaced worker's socket wait for the new one
        answers = fresh_requests(pool.url, body)
        assert {(r.status_code, r.json()["model_version"]) for r in answers} == {(200, 4)}
    finally:
        code, stderr = pool.stop()
    assert code == -signal.SIGTERM, stderr
    assert "Traceback" not in stderr
    assert "replacing it" in stderr
    logged = pl.concat([pl.read_parquet(f) for f in pool.log_dir.glob("predictions-*.parquet")])
    assert logged.height == FRESH_CONNECTIONS * sample_rows.height


def test_a_crashed_workers_connections_are_answered_by_another_until_it_is_back(
    tmp_path: Path, versions: dict[int, ServingManifest], sample_rows: pl.DataFrame
) -> None:
    """Each worker has its own socket on the port, and the kernel keeps handing the
    crashed one's socket about half of the new connections. Here the replacement is
    stopped (SIGSTOP) before it can listen: every fresh connection must still be
    answered, which only the live worker accepting on that socket too can do."""
    write_manifest(versions[3], tmp_path / "serving.json")
    pool = Pool(tmp_path / "serving.json", tmp_path / "predictions")
    body = json.dumps({"dataframe_records": sample_rows.to_dicts()})
    try:
        victim, survivor = pool.workers()
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + WAIT_LIMIT
        while not (new := set(pool.workers()) - {victim, survivor}):
            assert time.monotonic() < deadline, "no replacement started"
            time.sleep(0.005)
        (replacement,) = new
        os.kill(replacement, signal.SIGSTOP)  # its imports take over a second: not listening
        try:
            answers = fresh_requests(pool.url, body)
            assert {r.status_code for r in answers} == {200}
            wait_for(lambda: logged_pids(pool.log_dir) >= {survivor}, "the survivor's log")
            assert replacement not in logged_pids(pool.log_dir)
        finally:
            os.kill(replacement, signal.SIGCONT)

        def replacement_answers() -> bool:
            assert {r.status_code for r in fresh_requests(pool.url, body)} == {200}
            return replacement in logged_pids(pool.log_dir)

        wait_for(replacement_answers, "the replacement to answer on its socket")
    finally:
        code, stderr = pool.stop()
    assert code == -signal.SIGTERM, stderr
    assert "Traceback" not in stderr
    assert "takes its connections meanwhile" in stderr


def test_the_second_worker_starts_only_once_the_first_answers(
    tmp_path: Path, versions: dict[int, ServingManifest], sample_rows: pl.DataFrame
) -> None:
    """Workers that all import scikit-learn at once, one per core, would make the first
    answer wait for every one of them: the second starts after the pool announced."""
    write_manifest(versions[3], tmp_path / "serving.json")
    pool = Pool(tmp_path / "serving.json", tmp_path / "predictions")
    body = json.dumps({"dataframe_records": sample_rows.to_dicts()})
    try:
        first, second = sorted(pool.workers(), key=started_at)
        # the URL reaches this test a little after the pool printed it; the second
        # worker started right after that print, so not much before the URL arrived
        # (at once, it would have started with the first, the imports' time before)
        assert started_at(second) > pool.announced - 0.5, (started_at(first), pool.announced)
        assert {r.status_code for r in fresh_requests(pool.url, body)} == {200}
        wait_for(lambda: len(logged_pids(pool.log_dir)) == 2, "both workers to log")
    finally:
        code, stderr = pool.stop()
    assert code == -signal.SIGTERM, stderr
    assert "Traceback" not in stderr


def test_the_pool_process_imports_neither_scikit_learn_nor_polars() -> None:
    code = (
        "import sys, workbench.serving.__main__, workbench.serving.pool; "
        "heavy = {'sklearn', 'polars', 'numpy', 'textual', 'starlette'} & set(sys.modules); "
        "print(sorted(heavy))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], check=False, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
