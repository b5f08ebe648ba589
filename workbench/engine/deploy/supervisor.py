"""The scoring server's process, started and watched by the engine.

Serving runs in its own process (DESIGN.md, Processes) so training never steals the GIL
from requests and a crash in one does not take the other down. The process is started
first (``launch.py``: it imports scoring meanwhile); the engine then hands it a manifest
(artifact path, hash, signature) on its stdin and waits for its ready line.

The server dies with the engine (a pipe on its stdin, see
:mod:`workbench.serving.parent_watch`), its pid is recorded so an engine that starts
after a crash can stop one that did not (:func:`engine.ownership.stop_orphaned_server`),
and one that dies on its own is reported to the engine, which restarts it within a
:class:`RestartPolicy`.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import replace

import httpx

from workbench.core.errors import ServingError
from workbench.core.records import ServerInfo
from workbench.engine.deploy.launch import (
    Launch,
    LaunchedServer,
    ServingPaths,
    launch_server,
    port_is_free,
)
from workbench.engine.ownership import clear_server_record, record_server
from workbench.serving.manifest import ServingManifest

READY_PREFIX = "serving model "

RESTARTS = 3
"""Restarts of a server that died on its own allowed within :data:`RESTART_WINDOW_S`;
past them the engine gives up (a crash loop) and says so, and keeps watching."""
RESTART_WINDOW_S = 300.0
RESTART_PORT_WAIT_S = 10.0
"""How long a restart waits for the crashed server's workers to let go of its port."""


class RestartPolicy:
    """Bounded restarts: at most :data:`RESTARTS` within a sliding window."""

    def __init__(self, limit: int = RESTARTS, window_s: float = RESTART_WINDOW_S) -> None:
        self.limit = limit
        self.window_s = window_s
        self._times: deque[float] = deque()

    def allow(self) -> int | None:
        """Count a restart now and return its number, or None when the budget is spent."""
        now = time.monotonic()
        while self._times and now - self._times[0] > self.window_s:
            self._times.popleft()
        if len(self._times) >= self.limit:
            return None
        self._times.append(now)
        return len(self._times)


def wait_port_free(host: str, port: int, timeout: float) -> bool:
    """Whether ``host:port`` comes free within ``timeout`` seconds (checked every 0.1 s)."""
    deadline = time.monotonic() + timeout
    while not port_is_free(host, port):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)
    return True


class ServingSupervisor:
    """Starts, stops and reports on the scoring server process."""

    def __init__(
        self,
        paths: ServingPaths,
        *,
        on_died: Callable[[int], None] | None = None,
        launched: LaunchedServer | None = None,
    ) -> None:
        """``launched``: a server already started for these paths (``launch_early``);
        :meth:`start` hands it the model if it was started with what it asks for."""
        self._paths = paths
        self.predictions = paths.predictions
        """Folder the server writes sampled prediction logs to (Parquet batches)."""
        self._server: LaunchedServer | None = launched
        self.info: ServerInfo | None = None
        self.on_died = on_died
        """Called with the exit code when the server exits without being asked to."""
        self._stopping = threading.Event()
        self._log_start = 0
        self.record_path = paths.record
        """Where the running server's pid is recorded (see :mod:`engine.ownership`)."""

    @property
    def token(self) -> str | None:
        """Bearer token of the server's admin routes (hot swap); never leaves this process."""
        return self._server.token if self._server is not None else None

    @property
    def launched(self) -> Launch | None:
        """What the server process was started with, while it waits for its model."""
        if self._server is None or self.info is not None or self._server.process.poll() is not None:
            return None
        return self._server.launch

    def start(
        self,
        manifest: ServingManifest,
        wanted: Launch,
        *,
        timeout: float = 30.0,
        env: dict[str, str] | None = None,
    ) -> ServerInfo:
        """Write the manifest, hand it to the server (started now unless one launched
        as ``wanted`` waits for it) and wait until it says it is ready.

        The pid recorded and reported is the server's own, which stops its workers.
        ``env`` applies to a server started here.

        Raises:
            ServingError: The server exited or did not become ready within ``timeout``;
                the message carries the end of its log.
        """
        server = self._server
        if server is None or self.launched != wanted:
            if server is not None:
                server.discard()
            server = self._server = launch_server(self._paths, wanted, env=env)
        self._log_start = server.log_start  # kept past stop(): an error quotes this start
        self._paths.manifest.parent.mkdir(parents=True, exist_ok=True)
        self._paths.manifest.write_text(manifest.to_json(), encoding="utf-8")
        os.chmod(self._paths.manifest, 0o600)
        ready = self._wait_ready(timeout) if server.hand(manifest.to_line()) else None
        if ready is None:
            self.stop()
            where = f"{wanted.host}:{wanted.port}"
            raise ServingError(f"the scoring server did not start on {where}:\n{self.log_tail()}")
        self.info = ServerInfo(ready, manifest.version, server.process.pid)
        record_server(self.record_path, server.process.pid, ready, self._paths.predictions)
        threading.Thread(
            target=self._watch_exit, args=(server.process,), name="serving-exit", daemon=True
        ).start()
        return self.info

    def log_tail(self, limit: int = 800) -> str:
        """The end of what the server wrote to its log since this supervisor started it
        (the log file is shared by every start; older lines would mislead)."""
        try:
            with self._paths.log.open("rb") as log:
                log.seek(self._log_start)
                text = log.read().decode("utf-8", errors="replace")
        except OSError:
            return ""
        return text[-limit:].strip()

    def _watch_exit(self, proc: subprocess.Popen[str]) -> None:
        """Tell the engine when the server exits without having been asked to."""
        code = proc.wait()
        if self._stopping.is_set() or self._server is None or self._server.process is not proc:
            return
        clear_server_record(self.record_path, proc.pid)
        if self.on_died is not None:
            self.on_died(code)

    def _wait_ready(self, timeout: float) -> str | None:
        """Read the server's stdout until its ready line; return its URL."""
        assert self._server is not None and self._server.process.stdout is not None
        found: list[str] = []
        done = threading.Event()
        stdout = self._server.process.stdout

        def reader() -> None:
            for line in stdout:
                if line.startswith(READY_PREFIX) and not found:
                    found.append(line.rsplit(" on ", 1)[-1].strip())
                    done.set()
            done.set()

        threading.Thread(target=reader, daemon=True, name="serving-stdout").start()
        done.wait(timeout)
        return found[0] if found else None

    def swap(self, manifest: ServingManifest, timeout: float = 60.0) -> int:
        """Hot swap: the running server loads, warms and switches to ``manifest``'s model.

        No request is dropped or answered by a half-loaded model; the old model keeps
        serving if the new one cannot be loaded.

        Raises:
            ServingError: The server refused or could not be reached.
        """
        if self.info is None or not self.running:
            raise ServingError("no scoring server is running to swap")
        self._paths.manifest.write_text(manifest.to_json(), encoding="utf-8")
        try:
            response = httpx.post(
                f"{self.info.url}/admin/swap",
                content=manifest.to_json(),
                headers={
                    "Authorization": f"Bearer {self.token}",
                    "Content-Type": "application/json",
                },
                timeout=timeout,
            )
        except httpx.HTTPError as exc:
            raise ServingError(f"the scoring server did not answer the swap: {exc}") from exc
        if response.status_code != 200:
            raise ServingError(f"the scoring server refused the swap: {response.text[:300]}")
        self.info = ServerInfo(self.info.url, manifest.version, self.info.pid)
        return manifest.version

    def publish_features(self, snapshots: dict[str, dict[str, str]], timeout: float = 60.0) -> None:
        """Serve the same model with new feature snapshots: a hot swap to the manifest
        with the snapshots replaced, so every worker loads them before any answers with
        them (and a restart serves the same ones).

        Raises:
            ServingError: No manifest to amend, or the server refused or is unreachable.
        """
        try:
            manifest = ServingManifest.from_json(self._paths.manifest.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ServingError(f"no serving manifest to publish features with: {exc}") from exc
        self.swap(replace(manifest, feature_snapshots=snapshots), timeout)

    @property
    def running(self) -> bool:
        """Whether the server process is alive."""
        return self._server is not None and self._server.process.poll() is None

    def wait(self) -> int:
        """Block until the server exits (``workbench serve`` in the foreground)."""
        assert self._server is not None
        return self._server.process.wait()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the server to stop, then make it."""
        if self._server is None:
            return
        self._stopping.set()
        proc = self._server.process
        clear_server_record(self.record_path, proc.pid)
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc.stdin is not None:
            proc.stdin.close()
        self._server = None
        self.info = None
