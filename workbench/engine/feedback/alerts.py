"""Alert sinks: a shell command and a webhook, besides the UIs and the event log.

Events of the configured levels are queued to one background thread, so a slow or
failing sink never blocks the engine; each sink is retried a few times with backoff and
the outcome is recorded as an event (``alert.failed`` is never itself alerted on).
"""

from __future__ import annotations

import json
import queue
import subprocess
import threading
import time
from contextlib import suppress

from workbench.core.config import AlertsConfig
from workbench.core.events import EventBus
from workbench.core.records import EventRecord, to_jsonable
from workbench.engine.context import Emit

SINK_TIMEOUT = 10.0


class AlertSinks:
    """Delivers alerts to the sinks in workbench.toml's [alerts]."""

    def __init__(self, settings: AlertsConfig, bus: EventBus, emit: Emit) -> None:
        """Follow ``bus``; a sink that keeps failing is reported through ``emit``."""
        self._emit = emit
        self._settings = settings
        self._inbox: queue.Queue[EventRecord | None] = queue.Queue(maxsize=1000)
        self._thread: threading.Thread | None = None
        self._unsubscribe = None
        if self._settings.command or self._settings.webhook:
            self._thread = threading.Thread(target=self._loop, name="workbench-alerts", daemon=True)
            self._thread.start()
            self._unsubscribe = bus.subscribe(self._offer)

    def _offer(self, event: EventRecord) -> None:
        if event.level in self._settings.levels and not event.kind.startswith("alert."):
            with suppress(queue.Full):  # the event log keeps it; the sinks are best effort
                self._inbox.put_nowait(event)

    def _loop(self) -> None:
        while (event := self._inbox.get()) is not None:
            body = json.dumps(to_jsonable(event))
            for name, send in (("command", self._command), ("webhook", self._webhook)):
                if getattr(self._settings, name):
                    self._deliver(name, send, body, event)

    def _deliver(self, name: str, send: object, body: str, event: EventRecord) -> None:
        import httpx  # loaded by the first alert: most engines never send one

        error = ""
        for attempt in range(1, self._settings.retries + 1):
            try:
                send(body)  # type: ignore[operator]
                return
            except (OSError, subprocess.SubprocessError, httpx.HTTPError, ValueError) as exc:
                error = f"{type(exc).__name__}: {exc}"
                time.sleep(min(2.0, 0.2 * 2 ** (attempt - 1)))
        self._emit(
            "alert.failed",
            f"alert {event.kind} not delivered to the {name} sink after "
            f"{self._settings.retries} attempts: {error}",
            level="warning",
            sink=name,
            event_id=event.id,
        )

    def _command(self, body: str) -> None:
        done = subprocess.run(
            self._settings.command,
            shell=True,
            input=body,
            text=True,
            capture_output=True,
            timeout=SINK_TIMEOUT,
            check=False,
        )
        if done.returncode != 0:
            raise ValueError(f"exit status {done.returncode}: {done.stderr.strip()[:200]}")

    def _webhook(self, body: str) -> None:
        import httpx  # loaded by the first alert: most engines never send one

        response = httpx.post(
            self._settings.webhook,
            content=body,
            headers={"Content-Type": "application/json"},
            timeout=SINK_TIMEOUT,
        )
        response.raise_for_status()

    def close(self) -> None:
        """Deliver what is queued (briefly), then stop."""
        if self._thread is None:
            return
        if self._unsubscribe is not None:
            self._unsubscribe()
        self._inbox.put(None)
        self._thread.join(timeout=SINK_TIMEOUT)
