"""The scoring server's process, started before its model is known.

Most of a server's cold start is importing scikit-learn, skops and polars (about 1.6 s
of CPU here), and none of it depends on the model. So the engine starts the process
first, with ``--manifest -``, and hands it the manifest as one line on its stdin once
the model is chosen (:meth:`LaunchedServer.hand`; see ``workbench.serving.__main__``).

``workbench serve`` goes further: :func:`launch_early` starts the server as soon as the
command line is parsed, from the workspace's settings alone, so the imports overlap the
command's own (the api, the engine, DuckDB) and the opening of the workspace. The engine
that opens then adopts it (``Engine(launched_server=...)``) and hands it production's
manifest; if the workspace turns out to be served by another engine, or has no
production model, the process is discarded: it has loaded nothing, and stdin closing
before a manifest makes it exit.

This module imports little on purpose: ``launch_early`` runs before the rest of the
command has been imported.
"""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.core.errors import WorkbenchError
from workbench.core.workspace import Workspace, open_workspace, refuse_writable_by_others
from workbench.serving.options import TOKEN_ENV

if TYPE_CHECKING:
    from workbench.core.config import ServeConfig

DISCARD_GRACE_S = 0.3
"""How long a discarded server has to see its stdin end before it is sent SIGTERM."""
DISCARD_MIN_AGE_S = 1.0
"""A server is not sent SIGTERM younger than this: until its Python has installed its
handler (about 0.1 s in), SIGTERM would end it by the signal instead of "no model"."""
DISCARD_WAIT_S = 5.0
"""How long a discarded server may take to exit after SIGTERM, before it is killed."""


@dataclass(frozen=True)
class Launch:
    """What a scoring server process is started with, apart from its model."""

    host: str
    port: int
    """0 lets the OS pick one."""
    workers: int
    """Scoring processes behind the port; 0 means one per core."""
    allow_remote: bool = False

    @classmethod
    def resolve(
        cls, serve: ServeConfig, host: str | None, port: int | None, *, allow_remote: bool
    ) -> Launch:
        """What ``serve`` asks for: the command's host and port, else the settings'.

        The one place a launch is worked out, so the server ``workbench serve`` starts
        early and the one the engine then wants compare equal exactly when they are the
        same server.
        """
        return cls(
            host or serve.host,
            serve.port if port is None else port,
            serve.workers,
            allow_remote,
        )


@dataclass(frozen=True)
class ServingPaths:
    """Where a workspace's scoring server keeps its manifest, log and predictions."""

    manifest: Path
    log: Path
    predictions: Path
    """Folder the server writes sampled prediction logs to (Parquet batches)."""
    record: Path
    """The running server's pid and URL, for the next engine if this one dies."""

    @classmethod
    def of(cls, workspace: Workspace) -> ServingPaths:
        from workbench.engine.ownership import server_record_path

        return cls(
            workspace.state / "serving" / "manifest.json",
            workspace.logs / "serving.log",
            workspace.state / "predictions",
            server_record_path(workspace),
        )


@dataclass(frozen=True)
class LaunchedServer:
    """A started server process and what it was started with; it waits for its model."""

    launch: Launch
    process: subprocess.Popen[str]
    token: str
    """Bearer token of its admin routes (hot swap); never leaves the engine's process."""
    log_start: int
    """Where its lines begin in the shared serving log (an error quotes only those)."""
    started: float
    """``time.monotonic()`` when it was started."""

    def hand(self, manifest_line: str) -> bool:
        """Give the waiting server its manifest (one line); False if it is gone."""
        stdin = self.process.stdin
        if stdin is None or self.process.poll() is not None:
            return False
        try:
            stdin.write(manifest_line)
            stdin.flush()
        except (BrokenPipeError, ValueError):  # exited meanwhile, or stdin closed
            return False
        return True

    def discard(self) -> None:
        """Stop a server that will not be handed a model: its stdin closes, so it exits.

        A pool sees that at once; a single-process server only after its imports (a
        second or more), so it is then sent SIGTERM, which before a model means the
        same to it: exit 0, having loaded nothing. Never before the server is
        :data:`DISCARD_MIN_AGE_S` old, so the signal finds its handler in place.
        """
        if self.process.stdin is not None:
            self.process.stdin.close()
        grace = max(DISCARD_GRACE_S, self.started + DISCARD_MIN_AGE_S - time.monotonic())
        try:
            self.process.wait(grace)
        except subprocess.TimeoutExpired:
            self.process.terminate()
            try:
                self.process.wait(DISCARD_WAIT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


def port_is_free(host: str, port: int) -> bool:
    """Whether ``host:port`` can be bound now (checked before starting, for a clear error).

    The probe binds with ``SO_REUSEADDR``, as the server does: a port whose last server
    stopped with clients connected (its connections in ``TIME_WAIT``) is free, where a
    plain bind would refuse it for about a minute.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def launch_server(
    paths: ServingPaths, launch: Launch, *, env: dict[str, str] | None = None
) -> LaunchedServer:
    """Start a scoring server that imports what scoring needs and waits for its manifest.

    Its stdin is a pipe only this process holds: the manifest line, then end-of-file
    when this process ends (the server stops with it). Its stderr goes to the serving log.
    """
    command = [
        sys.executable, "-m", "workbench.serving", "--manifest", "-",
        "--host", launch.host, "--port", str(launch.port), "--workers", str(launch.workers),
        "--exit-with-parent", "--log-dir", str(paths.predictions),
    ]  # fmt: skip
    if launch.allow_remote:
        command.append("--allow-remote")
    paths.predictions.mkdir(parents=True, exist_ok=True)
    paths.log.parent.mkdir(parents=True, exist_ok=True)
    # secrets.token_urlsafe(32) itself; the secrets module would load OpenSSL (through
    # hmac) before the server starts, 20 ms of workbench serve's cold start
    token = base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode("ascii")
    with paths.log.open("a", encoding="utf-8") as log:
        log_start = log.tell()
        started = time.monotonic()
        process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            bufsize=1,
            env={**os.environ, TOKEN_ENV: token, **(env or {})},
        )
    return LaunchedServer(launch, process, token, log_start, started)


def launch_early(
    path: str | Path, host: str | None, port: int | None, *, allow_remote: bool = False
) -> LaunchedServer | None:
    """Start the workspace's scoring server before its engine opens (``workbench serve``).

    Returns None, starting nothing, when the engine that opens would not start this very
    server: ``path`` is not a workspace, an engine already owns it, its files are open
    to other users, or the port is taken (the engine then says so in its own words).
    """
    from workbench.engine.ownership import live_owner

    try:
        workspace = open_workspace(path)
        config = workspace.load_config()
        refuse_writable_by_others(workspace, config)
    except WorkbenchError:
        return None
    if live_owner(workspace):
        return None
    launch = Launch.resolve(config.serve, host, port, allow_remote=allow_remote)
    if launch.port and not port_is_free(launch.host, launch.port):
        return None
    try:
        return launch_server(ServingPaths.of(workspace), launch)
    except OSError:  # only a head start: the engine starts it and says what is wrong
        return None
