"""The run queue: one worker thread runs pipelines one at a time, coalescing requests.

Runs train on the training window, so two requests waiting at once would train on the
same data: they merge into one run (its trigger lists both). A burst of dropped files
therefore starts one or two runs, never one per file.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from workbench.core.records import RunRecord
from workbench.core.vocabulary import join_triggers


@dataclass
class _Pending:
    triggers: list[str] = field(default_factory=list)


class RunQueue:
    """Serialises runs on a background thread; ``submit`` never blocks on training."""

    def __init__(
        self,
        execute: Callable[[str], RunRecord],
        on_error: Callable[[BaseException], None],
    ) -> None:
        self._execute = execute
        self._on_error = on_error
        self._cond = threading.Condition()
        self._pending: _Pending | None = None
        self._busy = False
        self._stopped = False
        self._thread = threading.Thread(target=self._loop, name="workbench-runs", daemon=True)
        self._thread.start()

    def submit(self, trigger: str) -> bool:
        """Ask for a run; returns False when it merged into one already waiting."""
        with self._cond:
            merged = self._pending is not None
            if self._pending is None:
                self._pending = _Pending()
            if trigger not in self._pending.triggers:
                self._pending.triggers.append(trigger)
            self._cond.notify_all()
            return not merged

    def _loop(self) -> None:
        while True:
            with self._cond:
                while self._pending is None and not self._stopped:
                    self._cond.wait()
                if self._stopped:
                    return
                pending, self._pending = self._pending, None
                self._busy = True
            try:
                assert pending is not None
                self._execute(join_triggers(pending.triggers))
            except BaseException as exc:  # the queue must outlive any one run
                self._on_error(exc)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    @property
    def depth(self) -> int:
        """Runs waiting (0 or 1, since waiting requests merge) plus the one running."""
        with self._cond:
            return int(self._pending is not None) + int(self._busy)

    def wait_idle(self, timeout: float) -> bool:
        """Block until nothing is running or waiting; False on timeout."""
        with self._cond:
            return self._cond.wait_for(
                lambda: self._pending is None and not self._busy, timeout=timeout
            )

    def stop(self, timeout: float = 60.0) -> None:
        """Let the running run finish, drop nothing silently, and end the thread."""
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        self._thread.join(timeout)
