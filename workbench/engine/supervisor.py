"""The scoring server's process, started and watched by the engine.

Serving runs in its own process (DESIGN.md, Processes) so training never steals the GIL
from requests and a crash in one does not take the other down. The engine hands it a
manifest (artifact path, hash, signature) and waits for its ready line.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import threading
from pathlib import Path

import httpx

from workbench.core.errors import ServingError
from workbench.core.records import ServerInfo
from workbench.serving.manifest import ServingManifest
from workbench.serving.options import TOKEN_ENV

READY_PREFIX = "serving model "


def port_is_free(host: str, port: int) -> bool:
    """Whether ``host:port`` can be bound now (checked before starting, for a clear error)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


class ServingSupervisor:
    """Starts, stops and reports on the scoring server process."""

    def __init__(self, manifest_path: Path, log_path: Path, predictions: Path) -> None:
        self._manifest_path = manifest_path
        self._log_path = log_path
        self.predictions = predictions
        """Folder the server writes sampled prediction logs to (Parquet batches)."""
        self.token = secrets.token_urlsafe(32)
        """Bearer token of the server's admin routes (hot swap); never leaves this process."""
        self._proc: subprocess.Popen[str] | None = None
        self.info: ServerInfo | None = None

    def start(
        self,
        manifest: ServingManifest,
        host: str,
        port: int,
        *,
        allow_remote: bool = False,
        timeout: float = 30.0,
        env: dict[str, str] | None = None,
    ) -> ServerInfo:
        """Write the manifest, start the server and wait until it says it is ready.

        Raises:
            ServingError: The server exited or did not become ready within ``timeout``;
                the message carries the end of its log.
        """
        self._manifest_path.parent.mkdir(parents=True, exist_ok=True)
        self._manifest_path.write_text(manifest.to_json(), encoding="utf-8")
        os.chmod(self._manifest_path, 0o600)
        cmd = [
            sys.executable,
            "-m",
            "workbench.serving",
            "--manifest",
            str(self._manifest_path),
            "--host",
            host,
            "--port",
            str(port),
        ]
        if allow_remote:
            cmd.append("--allow-remote")
        self.predictions.mkdir(parents=True, exist_ok=True)
        cmd += ["--log-dir", str(self.predictions)]
        self._log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self._log_path.open("a", encoding="utf-8")
        self._proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            bufsize=1,
            env={**os.environ, TOKEN_ENV: self.token, **(env or {})},
        )
        ready = self._wait_ready(timeout)
        if ready is None:
            self.stop()
            tail = self._log_path.read_text(encoding="utf-8", errors="replace")[-800:]
            raise ServingError(f"the scoring server did not start on {host}:{port}:\n{tail}")
        self.info = ServerInfo(ready, manifest.version, self._proc.pid)
        return self.info

    def _wait_ready(self, timeout: float) -> str | None:
        """Read the server's stdout until its ready line; return its URL."""
        assert self._proc is not None and self._proc.stdout is not None
        found: list[str] = []
        done = threading.Event()
        stdout = self._proc.stdout

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
        self._manifest_path.write_text(manifest.to_json(), encoding="utf-8")
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

    @property
    def running(self) -> bool:
        """Whether the server process is alive."""
        return self._proc is not None and self._proc.poll() is None

    def wait(self) -> int:
        """Block until the server exits (``workbench serve`` in the foreground)."""
        assert self._proc is not None
        return self._proc.wait()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the server to stop, then make it."""
        if self._proc is None:
            return
        if self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._proc = None
        self.info = None
