"""Task logs, validation reports and the live serving status, local and over the wire."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from workbench.api import LocalApi
from workbench.api.control import ControlServer
from workbench.api.remote import RemoteApi
from workbench.core.errors import DataError, WorkbenchError, WorkspaceError
from workbench.core.workspace import open_workspace
from workbench.engine.deploy.status import histogram_quantile
from workbench.engine.engine import Engine

from ..eventually import eventually

WAIT_S = 30.0
"""Bound on a wait for the server to be measured or to be found stopped."""


@pytest.fixture
def failed(
    trained: Path, failing_pipeline: Callable[[Path], None]
) -> Iterator[tuple[LocalApi, RemoteApi]]:
    """Run 4 of the trained copy ran the failing pipeline; the api locally and remotely."""
    failing_pipeline(trained)
    local = LocalApi(Engine(open_workspace(trained)))
    control = ControlServer(local).start()
    remote = RemoteApi.attach(control.url, control.token)
    try:
        run = local.run()
        assert (run.id, run.status) == (4, "failed")
        yield local, remote
    finally:
        remote.close()
        control.stop()
        local.close()


def test_a_failed_task_log_holds_its_traceback_locally_and_remotely(
    failed: tuple[LocalApi, RemoteApi],
) -> None:
    local, remote = failed
    log = local.task_log(4, "explode")
    assert log.path == ".workbench/logs/run-4/explode.log"
    assert "Traceback (most recent call last)" in log.text
    assert "ValueError: boom after" in log.text
    assert (log.size, log.truncated) == (len(log.text.encode()), False)
    assert remote.task_log(4, "explode") == log
    quiet = remote.task_log(4, "count_rows")
    assert (quiet.text, quiet.size, quiet.path) == ("", 0, ".workbench/logs/run-4/count_rows.log")


@pytest.mark.parametrize("name", ["../../x", "../../../../../../etc/passwd", "a/b", "..", ""])
def test_a_task_name_that_is_a_path_is_refused_with_a_clear_error(
    failed: tuple[LocalApi, RemoteApi], name: str
) -> None:
    local, remote = failed
    for api in (local, remote):
        with pytest.raises(WorkspaceError, match="not a plain name: task logs are read only"):
            api.task_log(4, name)


def test_a_log_that_is_a_symlink_out_of_the_workspace_is_refused(
    failed: tuple[LocalApi, RemoteApi], tmp_path: Path
) -> None:
    local, _ = failed
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the TUI", encoding="utf-8")
    link = local.engine.workspace.logs / "run-4" / "count_rows.log"
    link.symlink_to(secret)
    with pytest.raises(WorkspaceError, match="leads outside the workspace"):
        local.task_log(4, "count_rows")


def test_an_unknown_run_or_task_is_named_in_the_error(failed: tuple[LocalApi, RemoteApi]) -> None:
    local, remote = failed
    with pytest.raises(WorkbenchError, match="there is no run 99"):
        remote.task_log(99, "explode")
    with pytest.raises(WorkbenchError, match=r"run 4 has no task 'nope'; its tasks: .*explode"):
        remote.task_log(4, "nope")
    assert local.task_log(4, "explode").text  # the refusals changed nothing


def test_a_long_log_is_returned_by_its_end_from_a_whole_line(
    failed: tuple[LocalApi, RemoteApi],
) -> None:
    local, _ = failed
    path = local.engine.workspace.logs / "run-4" / "explode.log"
    whole = path.read_text(encoding="utf-8")
    with path.open("a", encoding="utf-8") as handle:
        handle.write("".join(f"line {i}\n" for i in range(100)))
    log = local.engine.task_log(4, "explode", max_bytes=60)
    assert log.truncated and log.size == len(whole) + sum(len(f"line {i}\n") for i in range(100))
    assert log.text.endswith("line 99\n") and log.text.startswith("line ")
    assert len(log.text.encode()) <= 60


def test_the_validation_report_of_a_dataset_is_the_one_stored_at_ingest(
    local_api: LocalApi, control: ControlServer
) -> None:
    report = local_api.validation_report(1)
    assert report.passed is True and report.rows == 2_000 and not report.error
    assert report.profile and report.source.endswith(".csv")
    assert all(check.passed for check in report.checks if check.severity == "error")
    with RemoteApi.attach(control.url, control.token) as remote:
        assert remote.validation_report(1) == report
        with pytest.raises(DataError, match="there is no dataset 42"):
            remote.validation_report(42)


def test_serving_status_follows_the_process_and_measures_its_traffic(
    local_api: LocalApi, free_port: int
) -> None:
    assert local_api.serving_status().state == "not_serving"
    local_api.approve(2, "serve it")
    info = local_api.serve(port=free_port)
    first = local_api.serving_status()
    assert (first.state, first.url, first.version, first.pid) == ("running", info.url, 2, info.pid)
    body = {"dataframe_records": [local_api.example_request()]}
    deadline = time.monotonic() + WAIT_S
    with httpx.Client(timeout=10) as client:
        status = first
        while status.requests_per_s is None or not status.requests_total:
            assert time.monotonic() < deadline, f"never measured: {status}"
            for _ in range(5):
                assert client.post(f"{info.url}/invocations", json=body).status_code == 200
            status = local_api.serving_status()
    assert status.requests_total is not None and status.requests_total >= 5
    assert status.requests_per_s > 0 and status.window_s >= 1.0
    assert status.p99_latency_s is not None and 0 < status.p99_latency_s < 30
    os.kill(info.pid, signal.SIGTERM)
    stopped = eventually(
        lambda: (s := local_api.serving_status()).state == "stopped" and s,
        WAIT_S,
        "the dead server reads as stopped",
    )
    assert (stopped.url, stopped.version, stopped.requests_per_s) == (info.url, 2, None)
    assert f"pid {info.pid}" in stopped.note


def test_histogram_quantile_interpolates_within_the_bucket_like_prometheus() -> None:
    buckets = [(0.01, 50.0), (0.1, 99.0), (1.0, 100.0), (float("inf"), 100.0)]
    assert histogram_quantile(0.5, buckets) == pytest.approx(0.01)
    assert histogram_quantile(0.99, buckets) == pytest.approx(0.1)
    assert histogram_quantile(0.995, buckets) == pytest.approx(0.55)
    assert histogram_quantile(0.99, [(0.1, 0.0), (float("inf"), 0.0)]) is None
    assert histogram_quantile(0.99, [(0.1, 1.0), (float("inf"), 100.0)]) == 0.1
