"""``python -m workbench.serving --manifest -``: started before the model is chosen.

The engine starts the server first (it imports scikit-learn meanwhile) and writes the
manifest as one line on its stdin once it has one. Real processes: one server, or a
pool of two, on a free port, driven through their stdin as the engine drives them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.children import process_state
from workbench.serving import ServingManifest

WAIT_S = 60.0
WORKERS = [pytest.param("1", id="one-process"), pytest.param("2", id="pool")]


def waiting_server(workers: str) -> subprocess.Popen[str]:
    """A server started with ``--manifest -``: it waits for its manifest on stdin."""
    return subprocess.Popen(
        [
            sys.executable, "-m", "workbench.serving", "--manifest", "-", "--port", "0",
            "--workers", workers, "--exit-with-parent",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ | {"PYTHONUNBUFFERED": "1"},
    )  # fmt: skip


def ready_url(process: subprocess.Popen[str]) -> str:
    """The URL of the ready line (fails with stderr if the process ends first)."""
    lines: list[str] = []
    done = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        lines.append(process.stdout.readline())
        done.set()

    threading.Thread(target=read, daemon=True).start()
    if not done.wait(WAIT_S) or not lines[0]:
        process.kill()
        pytest.fail(f"no ready line: {process.communicate()[1]}")
    return lines[0].rsplit(" on ", 1)[1].strip()


def stderr_of(process: subprocess.Popen[str]) -> str:
    """What an ended process wrote to stderr."""
    assert process.stderr is not None
    return process.stderr.read()


@pytest.mark.parametrize("workers", WORKERS)
def test_the_manifest_handed_on_stdin_is_served_and_closing_stdin_stops_it(
    workers: str, manifest: ServingManifest
) -> None:
    process = waiting_server(workers)
    assert process.stdin is not None
    time.sleep(0.2)  # the engine hands it over later; the server waits meanwhile
    assert process.poll() is None
    process.stdin.write(manifest.to_line())
    process.stdin.flush()
    url = ready_url(process)
    health = httpx.get(f"{url}/health", timeout=WAIT_S).json()
    assert health == {"status": "ok", "model_version": 3, "model_name": "churn"}
    process.stdin.close()  # the engine is gone: the server stops as on SIGTERM
    assert process.wait(WAIT_S) == -signal.SIGTERM
    assert "the engine that started this server is gone" in stderr_of(process)


@pytest.mark.parametrize("workers", WORKERS)
def test_stdin_closing_before_a_manifest_came_stops_the_server_quietly(workers: str) -> None:
    """An engine that will not serve after all (no production, another engine owns the
    workspace) closes the pipe: the server exits 0 and its workers with it."""
    process = waiting_server(workers)
    assert process.stdin is not None
    process.stdin.close()
    assert process.wait(WAIT_S) == 0
    stderr = stderr_of(process)
    assert "no model was handed over" in stderr
    assert process.stdout is not None and process.stdout.read() == ""
    assert "Traceback" not in stderr


def test_a_bad_manifest_line_is_an_error_that_names_it(manifest: ServingManifest) -> None:
    process = waiting_server("2")
    assert process.stdin is not None
    process.stdin.write(manifest.to_line().replace('"version":3', '"version":"three"'))
    process.stdin.flush()
    _, stderr = process.communicate(timeout=WAIT_S)
    assert process.returncode == 1
    assert "the manifest on stdin" in stderr and "version" in stderr, stderr
    assert "Traceback" not in stderr


@pytest.mark.parametrize("stdin_closes_too", [False, True], ids=["sigterm", "stdin-then-sigterm"])
def test_sigterm_while_waiting_for_the_manifest_stops_the_pool_and_its_worker_with_0(
    stdin_closes_too: bool,
) -> None:
    """SIGTERM before a model is how an engine discards the server it launched early
    (after closing stdin, which the pool may be busy acting on): exit 0 either way, as
    the single-process server does, and no worker left behind."""
    process = waiting_server("2")
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    deadline = time.monotonic() + WAIT_S
    while not children.read_text().split():  # the first worker starts at once
        assert time.monotonic() < deadline, "the pool started no worker"
        time.sleep(0.05)
    worker = int(children.read_text().split()[0])
    if stdin_closes_too:
        assert process.stdin is not None
        process.stdin.close()
    process.terminate()
    assert process.wait(WAIT_S) == 0
    assert "Traceback" not in stderr_of(process)
    deadline = time.monotonic() + WAIT_S
    while process_state(worker) not in ("gone", "Z"):
        assert time.monotonic() < deadline, "the worker outlived its pool"
        time.sleep(0.05)


def test_sigint_while_waiting_for_the_manifest_ends_the_pool_by_sigint() -> None:
    process = waiting_server("2")
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    deadline = time.monotonic() + WAIT_S
    while not children.read_text().split():
        assert time.monotonic() < deadline, "the pool started no worker"
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    assert process.wait(WAIT_S) == -signal.SIGINT
