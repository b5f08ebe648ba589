"""Latency, throughput, cold start and memory of serving, against its floor and MLflow.

Two models on scikit-learn's breast cancer table (569 rows, 30 features; it ships with
scikit-learn, nothing is downloaded): StandardScaler + LogisticRegression, and
RandomForest(n_estimators=50). Each is served by ``python -m workbench.serving`` with
``--workers 1`` (scoring in the server process) and ``--workers N`` (N = cores: a
small pool process and N scoring workers behind one port), and measured on loopback by
one asyncio load generator with keep-alive connections (raw HTTP/1.1, so the generator
costs little of the 2 cores it shares with the server):

* single-row requests (``dataframe_records``) at concurrency 1, 8 and 32 for a fixed
  duration: p50/p95/p99 and requests per second;
* a 1,000-row request (``dataframe_split``): p50 and p95;
* the cold start's floor: a fresh interpreter importing what scoring needs, whatever the
  model (scikit-learn, skops, polars, starlette);
* cold start: process start to the first 200 on ``/invocations`` (a pool answers once
  its first worker listens and starts the others then; the load phases wait until every
  worker listens);
* peak memory of the whole process tree: the sum of every process's RSS, sampled every
  50 ms (what MLflow's 507 MiB was), and the tree's PSS at the end (shared library pages
  counted once, divided among the processes that map them).

``workbench serve`` itself (a workspace whose production model is the engine's own
logistic regression on the same table): process start to the first 200 on
``/invocations`` (the command starts the server before it opens the workspace), and the
tree's peak RSS (the CLI process, which owns the workspace, plus the server's) at rest;
then c=8 as a user runs it, every prediction logged and the engine ingesting the log and
checking drift each 500 predictions: requests per second and the tree's peak RSS under
that load (the engine then holds polars, scipy.stats and production's training rows:
monitoring MLflow does not do).

The floor: the model's in-process ``predict_proba`` on one row plus the round trip of a
bare Starlette endpoint under uvicorn (h11, asyncio). The HTTP stack is measured on that
bare endpoint too, with httptools and uvloop when they are installed.

MLflow 3.17 ``mlflow models serve`` figures on this machine kind (issue 15): LogReg
44 req/s and RF50 28 req/s at c=8, LogReg c=1 p50 20.8 ms, cold start 12.5 s, LogReg
1,000-row p50 47.7 ms, tree RSS 507 MiB. Goals: c=8 >= 10x MLflow, c=1 p50 <= 2x the
floor, cold start < 2 s, batch faster than MLflow, tree RSS below MLflow's.

Prints one JSON object: per figure the median over ``--repeat`` runs and the runs.

    python benchmarks/serving.py [--repeat 3] [--duration 4] [--batch-repeats 20]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import importlib.util
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import polars as pl
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from workbench.core.config import WorkbenchConfig, with_overrides
from workbench.core.signature import ColumnSpec, Signature
from workbench.core.workspace import init_workspace
from workbench.modelfile import dump_model
from workbench.serving import ServingManifest, write_manifest

MLFLOW: dict[str, Any] = {
    "logistic_regression": {"c8_rps": 44.0, "c1_p50_ms": 20.8, "batch_p50_ms": 47.7},
    "random_forest": {"c8_rps": 28.0},
    "cold_start_s": 12.5,
    "tree_rss_mib": 507.0,
}
"""``mlflow models serve`` 3.17 on the same machine kind and bodies (issue 15)."""
READY_TIMEOUT = 120.0
CONCURRENCIES = (1, 8, 32)
BARE_APP = """
import sys, uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

async def echo(request: Request) -> JSONResponse:
    await request.body()
    return JSONResponse({"predictions": [0], "model_version": 1})

app = Starlette(routes=[Route("/invocations", echo, methods=["POST"])])

class Server(uvicorn.Server):
    async def startup(self, sockets=None):
        await super().startup(sockets=sockets)
        port = self.servers[0].sockets[0].getsockname()[1]
        print(f"serving model bare version 1 on http://127.0.0.1:{port}", flush=True)

Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off",
                      server_header=False, http=sys.argv[1], loop=sys.argv[2])).run()
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


# -- the process tree ------------------------------------------------------------------


def tree(pid: int) -> list[int]:
    """``pid`` and its descendants, from /proc."""
    found = [pid]
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            children = Path(f"/proc/{pid}/task/{task}/children").read_text().split()
            for child in children:
                found += tree(int(child))
    except OSError:
        pass
    return found


def _status_kib(pid: int, field: str, path: str = "status") -> int:
    try:
        for line in Path(f"/proc/{pid}/{path}").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeMemory:
    """Samples the sum of RSS over a process tree every 50 ms; keeps the peak."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            total = sum(_status_kib(p, "VmRSS:") for p in tree(self.pid))
            self.peak_kib = max(self.peak_kib, total)

    def pss_mib(self) -> float:
        return sum(_status_kib(p, "Pss:", "smaps_rollup") for p in tree(self.pid)) / 1024

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return round(self.peak_kib / 1024, 1)


ALL_READY = "scoring workers ready"
"""What a pool writes to stderr once every worker listens (the first answers earlier)."""


class Server:
    """A server subprocess (its own session), ready at its first 200 on /invocations."""

    def __init__(self, command: list[str], probe: bytes, url: str | None = None) -> None:
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
            env=os.environ | {"PYTHONUNBUFFERED": "1"},
        )
        self.all_ready = threading.Event()
        threading.Thread(target=self._read_stderr, daemon=True).start()
        self.memory = TreeMemory(self.proc.pid)
        self.url = url or self._ready_url()
        host, port = self.url.removeprefix("http://").rsplit(":", 1)
        self.address = (host, int(port))
        deadline = time.monotonic() + READY_TIMEOUT
        while asyncio.run(_first_status(self.address, probe)) != 200:
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.stop()
                raise RuntimeError(f"{command[:4]} did not answer 200 on /invocations")
            time.sleep(0.005)
        self.cold_start_s = round(time.perf_counter() - self.started, 3)

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            if ALL_READY in line:
                self.all_ready.set()

    def _ready_url(self) -> str:
        found: list[str] = []
        done = threading.Event()

        def read() -> None:
            assert self.proc.stdout is not None
            for line in self.proc.stdout:
                if line.startswith("serving model") and not found:
                    found.append(line.rsplit(" on ", 1)[1].strip())
                    done.set()
            done.set()

        threading.Thread(target=read, daemon=True).start()
        if not done.wait(READY_TIMEOUT) or not found:
            self.stop()
            raise RuntimeError("the server printed no ready line")
        return found[0]

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(20.0)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


# -- the load generator ----------------------------------------------------------------


def _request(address: tuple[str, int], body: bytes) -> bytes:
    head = (
        f"POST /invocations HTTP/1.1\r\nHost: {address[0]}:{address[1]}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, data: bytes) -> int:
    """Send one request on a keep-alive connection; read its whole response; its status."""
    writer.write(data)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    await reader.readexactly(length)
    return status


async def _first_status(address: tuple[str, int], body: bytes) -> int:
    try:
        reader, writer = await asyncio.open_connection(*address)
    except OSError:
        return 0
    try:
        return await _exchange(reader, writer, _request(address, body))
    except (OSError, asyncio.IncompleteReadError):
        return 0
    finally:
        writer.close()


async def _load(
    address: tuple[str, int], bodies: list[bytes], concurrency: int, duration: float
) -> tuple[list[float], int]:
    requests = [_request(address, b) for b in bodies]
    latencies: list[float] = []
    errors = 0
    connections = [await asyncio.open_connection(*address) for _ in range(concurrency)]
    deadline = time.perf_counter() + duration

    async def client(n: int) -> None:
        nonlocal errors
        reader, writer = connections[n]
        i = n
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            status = await _exchange(reader, writer, requests[i % len(requests)])
            latencies.append(time.perf_counter() - t0)
            errors += status != 200
            i += concurrency

    await asyncio.gather(*(client(n) for n in range(concurrency)))
    for _, writer in connections:
        writer.close()
    return latencies, errors


async def _load_through_a_crash(
    address: tuple[str, int], bodies: list[bytes], victim: int, duration: float
) -> dict[str, Any]:
    """c=8 for ``duration`` s, one worker SIGKILLed after a third of it. A client whose
    connection breaks counts an error and reconnects (a new connection, which the kernel
    may place on the dead worker's socket). The figures: errors, and the slowest answer
    begun after the kill, against the p99 before it."""
    requests = [_request(address, b) for b in bodies]
    before: list[float] = []
    after: list[float] = []
    errors = 0
    start = time.perf_counter()
    killed_at = start + duration / 3
    deadline = start + duration

    async def client(n: int) -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(*address)
        i = n
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            try:
                status = await _exchange(reader, writer, requests[i % len(requests)])
            except (OSError, asyncio.IncompleteReadError):
                errors += 1
                writer.close()
                reader, writer = await asyncio.open_connection(*address)
                continue
            (after if t0 >= killed_at else before).append(time.perf_counter() - t0)
            errors += status != 200
            i += 8
        writer.close()

    async def kill() -> None:
        await asyncio.sleep(killed_at - time.perf_counter())
        os.kill(victim, signal.SIGKILL)

    await asyncio.gather(kill(), *(client(n) for n in range(8)))
    return {
        "errors": errors,
        "p99_before_ms": summary(before)["p99_ms"],
        "slowest_after_ms": round(max(after, default=0.0) * 1000, 3),
        "answered_after": len(after),
    }


def load(
    address: tuple[str, int], bodies: list[bytes], concurrency: int, duration: float
) -> dict[str, Any]:
    latencies, errors = asyncio.run(_load(address, bodies, concurrency, duration))
    return {**summary(latencies, duration), "errors": errors}


def summary(latencies_s: list[float], seconds: float | None = None) -> dict[str, float]:
    ms = sorted(s * 1000 for s in latencies_s)
    if not ms:
        return {"n": 0}
    cuts = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else ms * 99
    out = {"n": len(ms), "p50_ms": cuts[49], "p95_ms": cuts[94], "p99_ms": cuts[98]}
    if seconds is not None:
        out["requests_per_s"] = len(ms) / seconds
    return {k: round(v, 3) for k, v in out.items()}


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


# -- the measurements ------------------------------------------------------------------


def measure_bare(script: Path, bodies: list[bytes], args: argparse.Namespace) -> dict[str, Any]:
    """The bare endpoint's c=1 p50 and c=8 req/s under each available HTTP stack."""
    stacks = [("h11", "asyncio")]
    if importlib.util.find_spec("httptools"):
        stacks.append(("httptools", "asyncio"))
    if importlib.util.find_spec("httptools") and importlib.util.find_spec("uvloop"):
        stacks.append(("httptools", "uvloop"))
    out: dict[str, Any] = {}
    for http, loop in stacks:
        server = Server([sys.executable, str(script), http, loop], bodies[0])
        try:
            load(server.address, bodies, 1, 1.0)  # warm-up
            c1 = load(server.address, bodies, 1, args.duration)
            c8 = load(server.address, bodies, 8, args.duration)
        finally:
            server.stop()
        out[f"{http}+{loop}"] = {"c1_p50_ms": c1["p50_ms"], "c8_rps": c8["requests_per_s"]}
    return out


def measure_server(
    manifest: Path, workers: int, bodies: list[bytes], batch: bytes, args: argparse.Namespace
) -> dict[str, Any]:
    command = [sys.executable, "-m", "workbench.serving", "--manifest", str(manifest)]
    server = Server([*command, "--port", "0", "--workers", str(workers)], bodies[0])
    try:
        if workers > 1:  # the others start once the first answers
            assert server.all_ready.wait(READY_TIMEOUT), "the pool's workers did not all start"
        load(server.address, bodies, 8, 1.0)  # warm-up
        result: dict[str, Any] = {"cold_start_s": server.cold_start_s}
        for concurrency in CONCURRENCIES:
            result[f"c{concurrency}"] = load(server.address, bodies, concurrency, args.duration)
        times = []
        for _ in range(args.batch_repeats + 1):
            t0 = time.perf_counter()
            assert asyncio.run(_first_status(server.address, batch)) == 200
            times.append(time.perf_counter() - t0)
        result["batch_1000_rows"] = summary(times[1:])
        result["tree_pss_mib"] = round(server.memory.pss_mib(), 1)
        if workers > 1:  # last: the pool replaces the worker while the test goes on
            result["tree_peak_rss_mib"] = round(server.memory.peak_kib / 1024, 1)
            victim = max(tree(server.proc.pid)[1:])  # a worker, not the pool itself
            result["c8_through_a_worker_crash"] = asyncio.run(
                _load_through_a_crash(server.address, bodies, victim, args.duration)
            )
    finally:
        peak = server.memory.stop()
        result.setdefault("tree_peak_rss_mib", peak)  # before the crash, where there was one
        server.stop()
    return result


def production_workspace(root: Path, frame: pl.DataFrame, target: Any) -> Path:
    """A workspace whose production model is the engine's logistic regression."""
    from workbench.engine.engine import Engine

    settings = with_overrides(WorkbenchConfig(), "train", candidates=["logistic_regression"])
    settings = with_overrides(settings, "promotion", policy="auto")
    ws = init_workspace(root, target="malignant", config=settings)
    data = root / "breast_cancer.csv"
    frame.with_columns(malignant=pl.Series(target)).write_csv(data)
    with Engine(ws) as engine:
        engine.ingest(data, move=False)
        engine.run()
        assert engine.serving_manifest().version == 1
    return root


def measure_workbench_serve(
    root: Path, workers: int, body: bytes, port: int, bodies: list[bytes], duration: float
) -> dict[str, Any]:
    """``workbench serve`` with ``serve.workers = workers`` to its first 200; tree RSS at
    rest; then c=8 for ``duration`` s as a user runs it (every prediction logged, the
    engine ingesting the log and checking drift each 500): req/s and the tree's peak."""
    config = root / "workbench.toml"
    text = config.read_text()
    lines = [line for line in text.splitlines() if not line.startswith("workers =")]
    at = lines.index("[serve] # The scoring server") + 1
    config.write_text("\n".join([*lines[:at], f"workers = {workers}", *lines[at:]]) + "\n")
    command = [str(Path(sys.executable).with_name("workbench")), "serve", "-w", str(root)]
    log = root / ".workbench" / "logs" / "serving.log"
    seen = log.read_text().count(ALL_READY) if log.exists() else 0
    server = Server([*command, "--port", str(port)], body, url=f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        while workers > 1 and log.read_text().count(ALL_READY) == seen:  # the pool's stderr
            assert time.monotonic() < deadline, "the pool's workers did not all start"
            time.sleep(0.1)
        time.sleep(1.0)  # the CLI prints its example once the server is up; count it too
        pss = round(server.memory.pss_mib(), 1)
        at_rest = round(server.memory.peak_kib / 1024, 1)
        loaded = load(server.address, bodies, 8, duration)
        time.sleep(2.0)  # the engine ingests the last second's log and checks drift
    finally:
        peak = server.memory.stop()
        server.stop()
    return {
        "cold_start_s": server.cold_start_s,
        "tree_peak_rss_mib": at_rest,
        "tree_pss_mib": pss,
        "c8_logged": {
            "requests_per_s": loaded.get("requests_per_s", 0.0),  # none answered: 0
            "errors": loaded["errors"],
        },
        "tree_peak_rss_under_load_mib": peak,
    }


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


LIBRARY_IMPORTS = "import workbench.modelfile, workbench.serving.app, workbench.serving.server"
"""What every scoring process imports before it can load any model, as the libraries ship."""
SCORING_IMPORTS = "from workbench.serving.scoring_imports import import_scoring; import_scoring()"
"""The same imports as a scoring process makes them (SciPy's docstrings left unrendered):
the cold start's floor."""


def imports_s(code: str) -> float:
    """A fresh interpreter's start plus ``code``, in seconds: what a cold start cannot go
    below, measured in the same run (this machine's speed varies by a third from one hour
    to the next)."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return round(time.perf_counter() - started, 3)


def one_run(
    args: argparse.Namespace, tmp: Path, fitted: dict[str, Any], frame: pl.DataFrame
) -> dict[str, Any]:
    bodies = single_row_bodies(frame)
    rows = pl.concat([frame, frame]).head(1000)
    batch = json.dumps({"dataframe_split": {"columns": rows.columns, "data": rows.rows()}}).encode()
    script = tmp / "bare.py"
    script.write_text(BARE_APP)
    report: dict[str, Any] = {
        "library_imports_s": imports_s(LIBRARY_IMPORTS),
        "scoring_imports_s": imports_s(SCORING_IMPORTS),
        "http_stack_bare": measure_bare(script, bodies, args),
    }
    bare_p50 = report["http_stack_bare"]["h11+asyncio"]["c1_p50_ms"]
    cores = os.cpu_count() or 1
    for name, model in fitted.items():
        manifest = write_model(tmp, name, model, frame)
        predict_ms = in_process_predict_ms(model, frame.head(1))
        entry: dict[str, Any] = {
            "in_process_predict_ms": predict_ms,
            "floor_p50_ms": round(bare_p50 + predict_ms, 3),
        }
        for workers in sorted({1, cores}):
            entry[f"workers_{workers}"] = measure_server(manifest, workers, bodies, batch, args)
        report[name] = entry
    probe = json.dumps({"dataframe_records": frame.head(1).to_dicts()}).encode()
    workspace = tmp / "ws"
    if not workspace.exists():
        production_workspace(workspace, frame, table()[1])
    report["workbench_serve"] = {
        f"workers_{w}": measure_workbench_serve(
            workspace, w, probe, free_port(), bodies, args.duration
        )
        for w in sorted({1, cores})
    }
    return report


def medians(runs: list[Any]) -> Any:
    """The per-figure median over runs of the same nested shape (numbers only)."""
    first = runs[0]
    if isinstance(first, dict):
        return {k: medians([r[k] for r in runs]) for k in first}
    if isinstance(first, int | float) and not isinstance(first, bool):
        return round(statistics.median(runs), 3)
    return first


def goals(report: dict[str, Any]) -> dict[str, Any]:
    """Each goal, the figure it is judged on (medians, workers = cores), and whether it holds."""
    cores = os.cpu_count() or 1
    lr, rf = report["logistic_regression"], report["random_forest"]
    lr_n, rf_n = lr[f"workers_{cores}"], rf[f"workers_{cores}"]
    serve = report["workbench_serve"][f"workers_{cores}"]
    c1 = min(lr["workers_1"]["c1"]["p50_ms"], lr_n["c1"]["p50_ms"])
    out = {
        "lr_c8_rps_vs_mlflow": lr_n["c8"]["requests_per_s"]
        / MLFLOW["logistic_regression"]["c8_rps"],
        "rf_c8_rps_vs_mlflow": rf_n["c8"]["requests_per_s"] / MLFLOW["random_forest"]["c8_rps"],
        "lr_c1_p50_vs_floor": c1 / lr["floor_p50_ms"],
        "workbench_serve_cold_start_s": serve["cold_start_s"],
        "lr_batch_p50_ms_vs_mlflow_47_7": lr_n["batch_1000_rows"]["p50_ms"],
        "rf_batch_p50_ms_vs_mlflow_47_7": rf_n["batch_1000_rows"]["p50_ms"],
        "workbench_serve_tree_peak_rss_mib_vs_507": serve["tree_peak_rss_mib"],
    }
    held = {
        "lr_c8_rps_vs_mlflow": out["lr_c8_rps_vs_mlflow"] >= 10,
        "rf_c8_rps_vs_mlflow": out["rf_c8_rps_vs_mlflow"] >= 10,
        "lr_c1_p50_vs_floor": out["lr_c1_p50_vs_floor"] <= 2,
        "workbench_serve_cold_start_s": out["workbench_serve_cold_start_s"] < 2,
        "lr_batch_p50_ms_vs_mlflow_47_7": out["lr_batch_p50_ms_vs_mlflow_47_7"] < 47.7,
        "rf_batch_p50_ms_vs_mlflow_47_7": out["rf_batch_p50_ms_vs_mlflow_47_7"] < 47.7,
        "workbench_serve_tree_peak_rss_mib_vs_507": out["workbench_serve_tree_peak_rss_mib_vs_507"]
        < 507,
    }
    return {k: {"figure": round(v, 3), "ok": held[k]} for k, v in out.items()}


def beyond_the_goals(report: dict[str, Any]) -> dict[str, Any]:
    """Figures with no goal of their own, printed beside the goals so they are not missed.

    The memory goal compares resident trees, as issue 15 measured both servers (its
    568 MiB was a parent and a scorer resident side by side). Under c=8, ``workbench
    serve`` also logs every prediction and the engine ingests the log and tests drift
    (scipy.stats, pyarrow): monitoring that ``mlflow models serve`` does not do, so the
    tree's peak then is reported, against MLflow's 507 MiB, not judged. The server alone
    under c=8 and c=32 is the like-for-like figure.
    """
    cores = os.cpu_count() or 1
    serve = report["workbench_serve"][f"workers_{cores}"]
    server = report["logistic_regression"][f"workers_{cores}"]
    return {
        "workbench_serve_c8_logged_and_monitored_tree_peak_rss_mib": serve[
            "tree_peak_rss_under_load_mib"
        ],
        "server_alone_c8_c32_tree_peak_rss_mib": server["tree_peak_rss_mib"],
        "c8_through_a_worker_crash": server.get("c8_through_a_worker_crash"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs; figures are their medians")
    parser.add_argument("--duration", type=float, default=4.0, help="seconds per load phase")
    parser.add_argument("--batch-repeats", type=int, default=20)
    args = parser.parse_args()
    frame, target = table()
    fitted = models(frame, target)
    machine = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_at_start": os.getloadavg()[0],
    }
    runs = []
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(args.repeat):
            runs.append(one_run(args, Path(folder), fitted, frame))
    report = medians(runs)
    print(
        json.dumps(
            {
                "machine": machine,
                "duration_s": args.duration,
                "mlflow": MLFLOW,
                "goals": goals(report),
                "beyond_the_goals": beyond_the_goals(report),
                "median": report,
                "runs": runs,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
