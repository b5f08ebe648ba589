"""auto-with-veto: a candidate that beats production is approved after a veto window.

Deadlines are derived from the version's registration time, so an engine restarted
during a window reschedules them (and approves at once if the window passed while it
was down). A rejection in the window simply leaves nothing to approve.

The timers know nothing of the engine: they get the window, a clock, a way to start a
timer, and two callables (is this version still a candidate; approve it). A test passes
a fake clock and timers it fires itself, so no test waits for a window to pass.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from workbench.core.errors import WorkbenchError

ACTOR = "policy:auto-with-veto"


class Timer(Protocol):
    """What the timers need of a started timer: a way to cancel it."""

    def cancel(self) -> None:
        """Stop it from firing (no effect once it has)."""


def thread_timer(delay_s: float, fire: Callable[[], None]) -> Timer:
    """A daemon ``threading.Timer`` firing ``fire`` after ``delay_s`` seconds, started."""
    timer = threading.Timer(delay_s, fire)
    timer.daemon = True
    timer.start()
    return timer


def utc_now() -> datetime:
    """The real clock."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class VetoActions:
    """The arrows back into the engine: check a version, approve it, report a failure."""

    is_candidate: Callable[[int], bool]
    """Whether the version is still a candidate (not rejected or decided meanwhile)."""
    approve: Callable[[int, str, str], object]
    """Approve ``version`` with ``comment`` as ``actor`` (the engine's ``approve``)."""
    failed: Callable[[int, str], None]
    """Say that approving ``version`` failed, and why."""


class VetoTimers:
    """One timer per candidate awaiting its veto deadline."""

    def __init__(
        self,
        window: Callable[[], float],
        actions: VetoActions,
        clock: Callable[[], datetime] = utc_now,
        start_timer: Callable[[float, Callable[[], None]], Timer] = thread_timer,
    ) -> None:
        """``start_timer(delay_s, fire)`` starts a timer; it must not call ``fire`` itself."""
        self._window = window
        self._actions = actions
        self._clock = clock
        self._start_timer = start_timer
        self._timers: dict[int, Timer] = {}
        self._lock = threading.Lock()

    def deadline(self, created_at: datetime) -> datetime:
        """When a candidate registered at ``created_at`` is approved if nobody objects."""
        return created_at + timedelta(minutes=self._window())

    def schedule(self, version: int, created_at: datetime, why: str) -> None:
        """Approve ``version`` at its deadline unless it stopped being a candidate."""
        delay = max(0.0, (self.deadline(created_at) - self._clock()).total_seconds())
        with self._lock:  # held while starting: a timer due at once waits to find its entry
            old = self._timers.pop(version, None)
            if old is not None:
                old.cancel()
            self._timers[version] = self._start_timer(delay, lambda: self._fire(version, why))

    def pending(self) -> list[int]:
        """Versions with a timer still waiting."""
        with self._lock:
            return sorted(self._timers)

    def _fire(self, version: int, why: str) -> None:
        with self._lock:
            self._timers.pop(version, None)
        if not self._actions.is_candidate(version):
            return  # vetoed (rejected) or decided by a person meanwhile
        try:
            self._actions.approve(version, f"no veto within the window: {why}", ACTOR)
        except WorkbenchError as exc:
            self._actions.failed(version, f"auto-approval of v{version} failed: {exc}")

    def cancel_all(self) -> None:
        """Stop every pending timer (engine shutdown); deadlines survive in the store."""
        with self._lock:
            timers, self._timers = list(self._timers.values()), {}
        for timer in timers:
            timer.cancel()
