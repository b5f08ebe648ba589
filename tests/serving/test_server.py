"""Starting the server: loopback only by default, and the module entry point a parent runs."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from workbench.core.errors import ModelFileError, ServingError
from workbench.serving import ServingManifest, build_server, check_host, serve
from workbench.serving.__main__ import main

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


def test_module_entry_prints_its_ready_line_and_answers_health(manifest_file: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "workbench.serving",
        "--manifest",
        str(manifest_file),
        "--port",
        "0",
    ]
    env = os.environ | {"PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    lines: queue.Queue[str] = queue.Queue()
    stdout = process.stdout
    assert stdout is not None
    reader = threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True)
    reader.start()
    try:
        try:
            line = lines.get(timeout=READY_TIMEOUT)
        except queue.Empty:
            pytest.fail(f"no ready line within {READY_TIMEOUT} s")
        assert line.startswith("serving model churn version 3 on http://127.0.0.1:"), line
        url = line.split(" on ", 1)[1].strip()
        health = httpx.get(f"{url}/health", timeout=10.0)
        assert health.json() == {"status": "ok", "model_version": 3, "model_name": "churn"}
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=10.0)
    # uvicorn shuts down gracefully, then re-raises the signal it caught
    assert process.returncode in (0, -signal.SIGTERM), stderr
    assert "Traceback" not in stderr
