"""The Quickstart's demo: trained, approved by the demo policy, served; its curl works."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest


def test_demo_serves_an_approved_model_and_its_printed_curl_example_works(
    tmp_path: Path, free_port: int
) -> None:
    port = free_port
    env = {**os.environ, "COLUMNS": "400", "NO_COLOR": "1"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "workbench.cli.main",
            "demo",
            "--path",
            str(tmp_path / "demo"),
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    lines: list[str] = []
    found = threading.Event()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("curl "):
                found.set()
        found.set()  # the process ended without a curl line: fail fast below

    threading.Thread(target=read, daemon=True).start()
    try:
        assert found.wait(240), "no output within 240 s"
        if not any(line.startswith("curl ") for line in lines):
            proc.wait(10)
            pytest.fail("".join(lines) + (proc.stderr.read() if proc.stderr else ""))
        curl = shlex.split(next(line for line in lines if line.startswith("curl ")))
        url = next(a for a in curl if a.startswith("http://"))
        body = curl[curl.index("-d") + 1]
        assert url == f"http://127.0.0.1:{port}/invocations"
        response = httpx.post(url, content=body, headers={"Content-Type": "application/json"})
        assert response.status_code == 200, response.text
        payload = response.json()
        assert payload["model_version"] == 1
        assert payload["predictions"][0] in (0, 1)
        # an entity-only request: the customer's history came from features.py's view
        request = json.loads(body)["dataframe_records"][0]
        assert "customer_id" in request and "n_tx_last_24h" not in request
        assert payload["defaulted_features"] == [[]]
        assert any("production: model version 1" in line for line in lines)
        story = "".join(lines)
        for shown in ("validation  val ", "test        test ", "threshold   ", "95% paired"):
            assert shown in story, shown
        # the second run's challenger is compared with production on an interval
        assert "vs v1 +0.0000 [+0.0000, +0.0000] not significant" in story
        assert "watching incoming/ for new data files\n" in lines  # no key to press
        missing = json.loads(body)
        del missing["dataframe_records"][0]["amount"]
        bad = httpx.post(url, json=missing)
        assert 400 <= bad.status_code < 500
        assert "amount" in bad.json()["message"]
        assert httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(30)
    assert proc.returncode == 0
