"""Latency and throughput of the scoring server, against its floor and MLflow's figures.

Two models on scikit-learn's breast cancer table (569 rows, 30 features; it ships with
scikit-learn): StandardScaler + LogisticRegression, and RandomForest(n_estimators=50).
Each is served by ``python -m workbench.serving`` in a subprocess, with micro-batching
off (``--max-batch 0``) and on (the default), and measured on loopback with keep-alive
httpx clients in threads (the clients share the machine's cores with the server):

* single-row requests at concurrency 1 and 8 for a fixed duration: p50/p95/p99,
  requests per second, and the server's CPU milliseconds per request;
* a 1,000-row request (``dataframe_split``): median and p95 latency;
* cold start: process start to the first healthy ``/health``;
* peak RSS of the serving process (``VmHWM`` in ``/proc/PID/status``).

The floor, measured in the same run: the model's in-process ``predict_proba`` on one
row, plus the round trip of a bare Starlette endpoint under uvicorn in a subprocess.
Goals: at concurrency 8 at least 10x MLflow's 46 req/s (LR) and 36 req/s (RF); p50 at
concurrency 1 within 2x of the floor; cold start under 2 s; the 1,000-row batch in 50 ms
or less. Prints one JSON object; the machine is shared and noisy, so quote medians.

    python benchmarks/serving.py [--duration 5] [--batch-repeats 20]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import polars as pl
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from workbench.core.signature import ColumnSpec, Signature
from workbench.modelfile import dump_model
from workbench.serving import ServingManifest, write_manifest

MLFLOW_RPS = {"logistic_regression": 46.0, "random_forest": 36.0}
"""MLflow's scoring server at concurrency 8 on the same kind of model (the issue's figures)."""
READY_TIMEOUT = 60.0
JSON_HEADERS = {"Content-Type": "application/json"}
BARE_APP = """
import sys, uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

async def echo(request: Request) -> JSONResponse:
    await request.body()
    return JSONResponse({"predictions": [0], "model_version": 1})

async def health(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})

app = Starlette(routes=[Route("/invocations", echo, methods=["POST"]),
                        Route("/health", health)])

class Server(uvicorn.Server):
    async def startup(self, sockets=None):
        await super().startup(sockets=sockets)
        port = self.servers[0].sockets[0].getsockname()[1]
        print(f"serving model bare version 1 on http://127.0.0.1:{port}", flush=True)

Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning",
                      lifespan="off", server_header=False)).run()
"""


def table() -> tuple[pl.DataFrame, Any]:
    data = load_breast_cancer()
    names = [n.replace(" ", "_") for n in data.feature_names]
    return pl.DataFrame(data.data, schema=names, orient="row"), data.target


def models(frame: pl.DataFrame, target: Any) -> dict[str, Any]:
    lr = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression(max_iter=1000))])
    rf = RandomForestClassifier(n_estimators=50, random_state=0)
    return {"logistic_regression": lr.fit(frame, target), "random_forest": rf.fit(frame, target)}


def write_model(folder: Path, name: str, model: Any, frame: pl.DataFrame) -> Path:
    artifact = folder / f"{name}.skops"
    artifact.write_bytes(dump_model(model))
    signature = Signature(
        inputs=tuple(ColumnSpec(c, "float") for c in frame.columns),
        target="malignant",
        task="binary",
        classes=(0, 1),
    )
    manifest = ServingManifest(
        model_name=name,
        version=1,
        artifact_path=str(artifact),
        sha256=hashlib.sha256(artifact.read_bytes()).hexdigest(),
        signature=signature.to_dict(),
    )
    path = folder / f"{name}.json"
    write_manifest(manifest, path)
    return path


class Process:
    """A server subprocess: started, waited for (ready line, then /health), measured."""

    def __init__(self, command: list[str]) -> None:
        self.started = time.perf_counter()
        env = os.environ | {"PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        )
        assert self.proc.stdout is not None
        line = self._ready_line()
        self.url = line.rsplit(" on ", 1)[1].strip()
        with httpx.Client(timeout=5.0) as client:
            while client.get(f"{self.url}/health").status_code != 200:
                pass
        self.cold_start_s = time.perf_counter() - self.started

    def _ready_line(self) -> str:
        found: list[str] = []
        done = threading.Event()

        def read() -> None:
            assert self.proc.stdout is not None
            found.append(self.proc.stdout.readline())
            done.set()

        threading.Thread(target=read, daemon=True).start()
        if not done.wait(READY_TIMEOUT) or not found[0].startswith("serving model"):
            self.proc.kill()
            raise RuntimeError(f"server did not start: {self.proc.stderr.read()[-800:]}")
        return found[0]

    def peak_rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process so far (all its threads)."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10.0)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def summary(latencies_s: list[float], seconds: float | None = None) -> dict[str, float]:
    ms = sorted(s * 1000 for s in latencies_s)
    if not ms:
        return {"n": 0}
    cuts = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else ms * 99
    out = {"n": len(ms), "p50_ms": cuts[49], "p95_ms": cuts[94], "p99_ms": cuts[98]}
    if seconds is not None:
        out["requests_per_s"] = len(ms) / seconds
    return {k: round(v, 3) for k, v in out.items()}


def load(url: str, bodies: list[bytes], concurrency: int, duration: float) -> dict[str, Any]:
    """Keep-alive clients in threads posting single rows for ``duration`` seconds."""
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors = [0] * concurrency
    deadline: list[float] = []  # set when every client is connected and waiting
    start = threading.Barrier(
        concurrency + 1, action=lambda: deadline.append(time.perf_counter() + duration)
    )

    def client(n: int) -> None:
        with httpx.Client(base_url=url, timeout=30.0) as http:
            http.get("/health")  # open the keep-alive connection before the clock starts
            start.wait()
            i = n
            while time.perf_counter() < deadline[0]:
                t0 = time.perf_counter()
                response = http.post(
                    "/invocations", content=bodies[i % len(bodies)], headers=JSON_HEADERS
                )
                latencies[n].append(time.perf_counter() - t0)
                errors[n] += response.status_code != 200
                i += concurrency

    threads = [threading.Thread(target=client, args=(n,)) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    start.wait()
    for thread in threads:
        thread.join()
    result: dict[str, Any] = summary([s for per in latencies for s in per], duration)
    result["errors"] = sum(errors)
    return result


def batch_latency(url: str, body: bytes, repeats: int) -> dict[str, float]:
    with httpx.Client(base_url=url, timeout=30.0) as http:
        http.post("/invocations", content=body, headers=JSON_HEADERS)  # warm
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            assert http.post("/invocations", content=body, headers=JSON_HEADERS).status_code == 200
            times.append(time.perf_counter() - t0)
    return summary(times)


def in_process_predict_ms(model: Any, row: pl.DataFrame, repeats: int = 300) -> float:
    model.predict_proba(row)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        model.predict_proba(row)
        times.append(time.perf_counter() - t0)
    return round(statistics.median(times) * 1000, 3)


def single_row_bodies(frame: pl.DataFrame, count: int = 64) -> list[bytes]:
    return [
        json.dumps({"dataframe_records": frame.slice(i, 1).to_dicts()}).encode()
        for i in range(count)
    ]


def measure_server(
    manifest: Path, options: list[str], bodies: list[bytes], batch: bytes, args: argparse.Namespace
) -> dict[str, Any]:
    command = [sys.executable, "-m", "workbench.serving", "--manifest", str(manifest)]
    server = Process([*command, "--port", "0", *options])
    try:
        load(server.url, bodies, 1, min(1.0, args.duration))  # warm-up
        result: dict[str, Any] = {"cold_start_s": round(server.cold_start_s, 3)}
        for concurrency in (1, 8):
            cpu = server.cpu_seconds()
            figures = load(server.url, bodies, concurrency, args.duration)
            # CPU per request is steadier than req/s on a shared machine
            spent_ms = (server.cpu_seconds() - cpu) * 1000
            figures["server_cpu_ms_per_request"] = round(spent_ms / max(1, figures["n"]), 3)
            result[f"concurrency_{concurrency}"] = figures
        result["batch_1000_rows"] = batch_latency(server.url, batch, args.batch_repeats)
        result["peak_rss_mb"] = round(server.peak_rss_mb(), 1)
    finally:
        server.stop()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per load phase")
    parser.add_argument("--batch-repeats", type=int, default=20)
    args = parser.parse_args()
    frame, target = table()
    fitted = models(frame, target)
    bodies = single_row_bodies(frame)
    rows = pl.concat([frame, frame]).head(1000)
    batch = json.dumps({"dataframe_split": {"columns": rows.columns, "data": rows.rows()}}).encode()
    report: dict[str, Any] = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_average_at_start": os.getloadavg()[0],
        },
        "duration_s": args.duration,
    }
    with tempfile.TemporaryDirectory() as tmp:
        bare_script = Path(tmp) / "bare.py"
        bare_script.write_text(BARE_APP)
        bare = Process([sys.executable, str(bare_script)])
        try:
            load(bare.url, bodies, 1, min(1.0, args.duration))
            bare_c1 = load(bare.url, bodies, 1, args.duration)
        finally:
            bare.stop()
        report["bare_starlette_concurrency_1"] = bare_c1
        for name, model in fitted.items():
            manifest = write_model(Path(tmp), name, model, frame)
            predict_ms = in_process_predict_ms(model, frame.head(1))
            floor_ms = round(bare_c1["p50_ms"] + predict_ms, 3)
            entry: dict[str, Any] = {"in_process_predict_ms": predict_ms, "floor_p50_ms": floor_ms}
            for label, options in (
                ("batching_off", ["--max-batch", "0"]),
                ("batching_on", []),  # the default
            ):
                entry[label] = measure_server(manifest, options, bodies, batch, args)
                entry[label]["goals"] = goals(name, entry[label], floor_ms)
            report[name] = entry
    print(json.dumps(report, indent=2))


def goals(name: str, result: dict[str, Any], floor_ms: float) -> dict[str, Any]:
    """Each goal with the figure it is judged on and whether it holds."""
    rps = result["concurrency_8"]["requests_per_s"]
    p50 = result["concurrency_1"]["p50_ms"]
    batch_p50 = result["batch_1000_rows"]["p50_ms"]
    return {
        "c8_at_least_10x_mlflow": {
            "target": 10 * MLFLOW_RPS[name],
            "got": rps,
            "ok": rps >= 10 * MLFLOW_RPS[name],
        },
        "c1_p50_within_2x_floor": {"target": 2 * floor_ms, "got": p50, "ok": p50 <= 2 * floor_ms},
        "cold_start_under_2s": {"got": result["cold_start_s"], "ok": result["cold_start_s"] < 2.0},
        "batch_1000_at_most_50ms": {"got": batch_p50, "ok": batch_p50 <= 50.0},
    }


if __name__ == "__main__":
    main()
