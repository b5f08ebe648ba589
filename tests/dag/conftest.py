"""Shared shapes for the DAG tests: a recording hooks object and an executor."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from workbench.dag import RunHooks, ThreadExecutor

WAIT_S = 5.0
"""Upper bound for any wait on an event in these tests; reached only when a test fails."""


class RecordingHooks(RunHooks):
    """Hooks that keep every call, in order, as ``(method, *args)`` tuples."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self._lock = threading.Lock()

    def _keep(self, *call: Any) -> None:
        with self._lock:
            self.calls.append(call)

    def named(self, method: str) -> list[tuple[Any, ...]]:
        """The arguments of every call to ``method``, in order."""
        with self._lock:
            return [call[1:] for call in self.calls if call[0] == method]

    def on_run_start(self, run_id: str, pipeline: Any) -> None:
        self._keep("on_run_start", run_id, pipeline.name)

    def on_task_start(self, run_id: str, task_name: str, attempt: int) -> None:
        self._keep("on_task_start", run_id, task_name, attempt)

    def on_task_end(self, run_id: str, outcome: Any) -> None:
        self._keep("on_task_end", run_id, outcome)

    def on_task_retry(self, run_id: str, task_name: str, attempt: int, error: str) -> None:
        self._keep("on_task_retry", run_id, task_name, attempt, error)

    def on_metric(self, run_id: str, task_name: str, key: str, value: float, step: Any) -> None:
        self._keep("on_metric", run_id, task_name, key, value, step)

    def on_params(self, run_id: str, task_name: str, params: dict[str, object]) -> None:
        self._keep("on_params", run_id, task_name, params)

    def on_artifact(self, run_id: str, task_name: str, name: str, data: bytes) -> None:
        self._keep("on_artifact", run_id, task_name, name, data)

    def on_run_end(self, run_id: str, outcome: Any) -> None:
        self._keep("on_run_end", run_id, outcome)


@pytest.fixture
def hooks() -> RecordingHooks:
    return RecordingHooks()


@pytest.fixture
def executor() -> ThreadExecutor:
    return ThreadExecutor(max_workers=4)
