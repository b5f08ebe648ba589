"""Starting the server: loopback only by default, and the module entry point a parent runs."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import polars as pl
import pytest

from workbench.core.errors import ModelFileError, ServingError
from workbench.serving import TOKEN_ENV, ServingManifest, build_server, check_host, serve
from workbench.serving.__main__ import build_parser, main, options_from

READY_TIMEOUT = 30.0  # a cold interpreter imports sklearn, skops, polars and starlette


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost"])
def test_loopback_hosts_are_allowed(host: str) -> None:
    check_host(host, allow_remote=False)


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::", "example.com", ""])
def test_other_hosts_are_refused_unless_allow_remote(host: str) -> None:
    with pytest.raises(ServingError, match="allow_remote"):
        check_host(host, allow_remote=False)
    check_host(host, allow_remote=True)


def test_serve_refuses_a_remote_host_before_loading_anything(manifest: ServingManifest) -> None:
    missing_artifact = replace(manifest, artifact_path="/nonexistent/model.skops")
    with pytest.raises(ServingError, match="--allow-remote"):
        serve(missing_artifact, host="0.0.0.0", port=0)


def test_build_server_refuses_a_tampered_model(manifest: ServingManifest) -> None:
    with pytest.raises(ModelFileError):
        build_server(replace(manifest, sha256="0" * 64), port=0)


def test_a_taken_port_is_a_serving_error_not_a_hang(
    manifest: ServingManifest, base_url: str
) -> None:
    port = int(base_url.rsplit(":", 1)[1])  # the session server holds it
    with pytest.raises(ServingError, match=f"could not listen on 127.0.0.1:{port}"):
        serve(manifest, port=port)


def test_main_reports_a_bad_manifest_on_stderr_with_status_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "serving.json"
    bad.write_text('{"model_name": "churn"}')
    assert main(["--manifest", str(bad), "--port", "0"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "missing field" in captured.err and "serving.json" in captured.err


def start_module(manifest_file: Path, *options: str, env: dict[str, str]) -> tuple[Any, str]:
    """Start ``python -m workbench.serving`` on port 0; return the process and its URL.

    The ready line is the engine's contract, so its exact shape is checked here.
    """
    command = [sys.executable, "-m", "workbench.serving", "--manifest", str(manifest_file)]
    process = subprocess.Popen(
        [*command, "--port", "0", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ | {"PYTHONUNBUFFERED": "1"} | env,
    )
    lines: queue.Queue[str] = queue.Queue()
    stdout = process.stdout
    assert stdout is not None
    threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
    try:
        line = lines.get(timeout=READY_TIMEOUT)
    except queue.Empty:
        process.kill()
        pytest.fail(f"no ready line within {READY_TIMEOUT} s")
    assert line.startswith("serving model churn version 3 on http://127.0.0.1:"), line
    return process, line.split(" on ", 1)[1].strip()


def test_the_supervised_process_announces_swaps_and_flushes_its_log_on_sigterm(
    manifest_file: Path, manifest: ServingManifest, tmp_path: Path, sample_rows: Any
) -> None:
    token = "engine-token-0123456789abcdef"
    log_dir = tmp_path / "predictions"
    process, url = start_module(
        manifest_file, "--log-dir", str(log_dir), "--log-flush-seconds", "60",
        env={TOKEN_ENV: token},
    )  # fmt: skip
    body = json.dumps({"dataframe_records": sample_rows.to_dicts()})
    headers = {"Content-Type": "application/json"}
    try:
        with httpx.Client(base_url=url, timeout=30.0) as client:
            health = client.get("/health").json()
            assert health == {"status": "ok", "model_version": 3, "model_name": "churn"}
            assert client.post("/invocations", content=body, headers=headers).is_success
            swap = client.post(
                "/admin/swap",
                content=replace(manifest, version=4).to_json(),
                headers={"Authorization": f"Bearer {token}"} | headers,
            )
            assert swap.json() == {"model_version": 4, "previous_version": 3}
            after = client.post("/invocations", content=body, headers=headers)
            assert after.json()["model_version"] == 4
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=10.0)
    # uvicorn shuts down gracefully (flushing the log), then re-raises the signal it caught
    assert process.returncode in (0, -signal.SIGTERM), stderr
    assert "Traceback" not in stderr
    files = sorted(log_dir.glob("predictions-*.parquet"))
    logged = pl.concat([pl.read_parquet(f) for f in files])
    assert sorted(logged["model_version"].to_list()) == [3] * 6 + [4] * 6


def test_options_from_maps_every_flag(tmp_path: Path) -> None:
    args = build_parser().parse_args(
        ["--manifest", "m.json", "--request-timeout", "2.5", "--max-concurrency", "3",
         "--allowed-host", "scoring.internal", "--cors-origin", "http://localhost:3000",
         "--log-dir", str(tmp_path), "--log-sample-rate", "0.1", "--log-flush-seconds", "2",
         "--log-batch", "50", "--max-batch", "16", "--max-batch-wait-ms", "1.5", "--strict"]
    )  # fmt: skip
    options = options_from(args, {TOKEN_ENV: "x" * 20})
    assert (options.request_timeout, options.max_concurrency, options.strict) == (2.5, 3, True)
    assert options.allowed_hosts == ("scoring.internal",)
    assert options.cors_origins == ("http://localhost:3000",)
    assert options.admin_token == "x" * 20
    assert options.prediction_log is not None
    assert (options.prediction_log.sample_rate, options.prediction_log.batch_rows) == (0.1, 50)
    assert options.batching is not None and options.batching.max_batch_rows == 16
    defaults = options_from(build_parser().parse_args(["--manifest", "m.json"]), {})
    assert defaults.admin_token is None and defaults.prediction_log is None
    assert defaults.allowed_hosts == ("localhost", "127.0.0.1", "::1")
    assert defaults.batching is not None  # micro-batching is on unless turned off
    off = build_parser().parse_args(["--manifest", "m.json", "--max-batch", "0"])
    assert options_from(off, {}).batching is None


def test_main_reports_a_bad_option_on_stderr_with_status_1(
    manifest_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    command = ["--manifest", str(manifest_file), "--port", "0", "--log-dir", str(tmp_path)]
    assert main([*command, "--log-sample-rate", "2"]) == 1
    assert "sample rate must be between 0 and 1" in capsys.readouterr().err
