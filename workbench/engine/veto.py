"""auto-with-veto: a candidate that beats production is approved after a veto window.

Deadlines are derived from the version's registration time, so an engine restarted
during a window reschedules them (and approves at once if the window passed while it
was down). A rejection in the window simply leaves nothing to approve.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from workbench.core.errors import WorkbenchError

if TYPE_CHECKING:
    from workbench.engine.engine import Engine

ACTOR = "policy:auto-with-veto"


class VetoTimers:
    """One timer per candidate awaiting its veto deadline."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._timers: dict[int, threading.Timer] = {}
        self._lock = threading.Lock()

    def deadline(self, created_at: datetime) -> datetime:
        """When a candidate registered at ``created_at`` is approved if nobody objects."""
        return created_at + timedelta(minutes=self._engine.config.promotion.veto_minutes)

    def schedule(self, version: int, created_at: datetime, why: str) -> None:
        """Approve ``version`` at its deadline unless it stopped being a candidate."""
        delay = max(0.0, (self.deadline(created_at) - datetime.now(UTC)).total_seconds())
        timer = threading.Timer(delay, self._fire, args=(version, why))
        timer.daemon = True
        with self._lock:
            old = self._timers.pop(version, None)
            self._timers[version] = timer
        if old is not None:
            old.cancel()
        timer.start()

    def _fire(self, version: int, why: str) -> None:
        with self._lock:
            self._timers.pop(version, None)
        model = self._engine.store.registry.get(version)
        if model is None or model.status != "candidate":
            return  # vetoed (rejected) or decided by a person meanwhile
        try:
            self._engine.approve(version, f"no veto within the window: {why}", actor=ACTOR)
        except WorkbenchError as exc:
            self._engine.emit(
                "model.veto_error",
                f"auto-approval of v{version} failed: {exc}",
                level="error",
                version=version,
            )

    def cancel_all(self) -> None:
        """Stop every pending timer (engine shutdown); deadlines survive in the store."""
        with self._lock:
            timers, self._timers = list(self._timers.values()), {}
        for timer in timers:
            timer.cancel()
