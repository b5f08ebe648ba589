"""Runs a dead engine left behind: marked crashed when the workspace opens, their input
queued again once.

Only one process can hold the store, so a run still ``running`` or ``queued`` when an
engine opens it belonged to an engine that is gone (killed, crashed, power lost). The
runs are marked crashed at open; the first time the engine watches, it queues one
``recovered`` run for them (the training window holds their input) and claims them, so a
later watch after a pause does not queue them again.
"""

from __future__ import annotations

import threading

from workbench.core.vocabulary import RUN_ACTIVE, RunState
from workbench.engine.context import Emit
from workbench.store.runs import RunRepo


class CrashedRuns:
    """The runs found interrupted at open, until the watch service claims them.

    Args:
        runs: The store's runs, where the interrupted ones are found and marked.
        emit: Says which runs were marked crashed.
    """

    def __init__(self, runs: RunRepo, emit: Emit) -> None:
        self._runs = runs
        self._emit = emit
        self._ids: list[int] = []
        self._lock = threading.Lock()

    def mark(self) -> None:
        """Mark every run left running or queued as crashed, and remember it."""
        for status in RUN_ACTIVE:
            for run in self._runs.list(status=status, limit=10_000):
                self._runs.finish(run.id, RunState.CRASHED, "the engine stopped during the run")
                with self._lock:
                    self._ids.append(run.id)
                self._emit(
                    "run.crashed",
                    f"run {run.id} was interrupted when the engine stopped; marked crashed",
                    level="error",
                    run_id=run.id,
                )

    def claim(self) -> list[int]:
        """The crashed runs whose input was not queued again yet; forgotten once claimed."""
        with self._lock:
            ids, self._ids = self._ids, []
        return ids
