"""Run the scoring app under uvicorn, startable and stoppable from code.

The engine supervises the server as a child process (``python -m workbench.serving``);
tests and notebooks run it in a thread. Both need to know when it is listening, so
:class:`ScoringServer` sets an event (and calls a callback) once uvicorn's startup has
bound the socket, and reports the real port when asked for port 0.
"""

from __future__ import annotations

import asyncio
import socket
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import replace

import uvicorn
from starlette.applications import Starlette

from workbench.core.errors import ServingError
from workbench.serving.app import create_app
from workbench.serving.header_deadline import header_deadline_protocol
from workbench.serving.hosts import allowed_for_bind, check_host
from workbench.serving.loaded import LoadedModel, ModelHolder
from workbench.serving.manifest import ServingManifest
from workbench.serving.options import ServingOptions

ReadyCallback = Callable[["ScoringServer"], None]


class ScoringServer(uvicorn.Server):
    """A ``uvicorn.Server`` that signals when it is ready and which port it bound.

    Stop it from any thread with ``server.should_exit = True``.
    """

    def __init__(
        self, config: uvicorn.Config, holder: ModelHolder, on_ready: ReadyCallback | None = None
    ) -> None:
        super().__init__(config)
        self.holder = holder
        """The holder the app serves from; swap it to change the model."""
        self.port: int | None = None
        """The bound port once ready (the real one when the config asked for port 0)."""
        self._on_ready = on_ready
        self._settled = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._covering: dict[int, asyncio.Server] = {}

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        self._loop = asyncio.get_running_loop()
        try:
            await super().startup(sockets=sockets)
        finally:  # uvicorn raises SystemExit when it cannot bind; wake any waiter
            if self.started:
                self.port = self.servers[0].sockets[0].getsockname()[1]
            self._settled.set()
        if self.started and self._on_ready is not None:
            self._on_ready(self)

    def cover(self, slot: int, sock: socket.socket) -> None:
        """Also accept connections on ``sock``, a crashed pool sibling's listening socket,
        until :meth:`uncover` (callable from any thread).

        The kernel keeps queueing a share of new connections on that socket; without
        this they would wait for the replacement's imports, a second or two.
        """
        loop = self._loop
        try:
            done = asyncio.run_coroutine_threadsafe(self._cover(slot, sock), loop)  # type: ignore[arg-type]
        except (RuntimeError, AttributeError):  # no loop yet, or it has closed
            sock.close()
            return
        done.add_done_callback(_say_if_failed)

    def uncover(self, slot: int) -> None:
        """Stop accepting on ``slot``'s socket; connections already taken are answered."""
        if self._loop is not None:
            asyncio.run_coroutine_threadsafe(self._uncover(slot), self._loop)

    async def _cover(self, slot: int, sock: socket.socket) -> None:
        """On the loop, so it cannot cross a shutdown: a listener added after uvicorn
        closed its servers would keep the shutdown waiting for it."""
        if self.should_exit or not self.started or slot in self._covering:
            sock.close()
            return
        try:
            server = await asyncio.get_running_loop().create_server(
                self._new_protocol, sock=sock, backlog=self.config.backlog
            )
        except BaseException:
            sock.close()
            raise
        self._covering[slot] = server
        self.servers.append(server)  # uvicorn's shutdown closes it with the others

    async def _uncover(self, slot: int) -> None:
        server = self._covering.pop(slot, None)
        if server is not None:
            server.close()
            self.servers.remove(server)

    def _new_protocol(self) -> asyncio.Protocol:
        """A connection's protocol, made as uvicorn's startup makes it for its sockets."""
        protocol: asyncio.Protocol = self.config.http_protocol_class(  # type: ignore[call-arg]
            config=self.config, server_state=self.server_state, app_state=self.lifespan.state
        )
        return protocol

    def wait_ready(self, timeout: float) -> int:
        """Block until the server listens; return its port.

        Raises:
            ServingError: Startup failed (e.g. the port is taken) or took longer than
                ``timeout`` seconds.
        """
        if not self._settled.wait(timeout):
            raise ServingError(f"scoring server did not start within {timeout} s")
        if not self.started or self.port is None:
            raise ServingError(
                f"scoring server could not listen on {self.config.host}:{self.config.port}"
            )
        return self.port


def build_server(
    manifest: ServingManifest,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    options: ServingOptions | None = None,
    strict: bool | None = None,
    log_level: str = "warning",
    allow_remote: bool = False,
    max_body_bytes: int | None = None,
    on_ready: ReadyCallback | None = None,
) -> ScoringServer:
    """Load the manifest's model and build a server for it, without starting it.

    The Host header allowlist gains ``host`` itself when it is one address (a server on
    ``127.0.0.2`` answers to that name).

    Raises:
        ServingError: ``host`` is not a loopback address and ``allow_remote`` is false,
            or the model disagrees with its signature.
        ModelFileError: The artifact is missing, changed, or untrusted.
    """
    check_host(host, allow_remote=allow_remote)
    options = options or ServingOptions()
    options = replace(options, allowed_hosts=allowed_for_bind(options.allowed_hosts, host))
    holder = ModelHolder(LoadedModel.load(manifest))
    app = create_app(holder, options, strict=strict, max_body_bytes=max_body_bytes)
    return server_for(app, holder, options, host, port, log_level=log_level, on_ready=on_ready)


def server_for(
    app: Starlette,
    holder: ModelHolder,
    options: ServingOptions,
    host: str,
    port: int,
    *,
    log_level: str = "warning",
    on_ready: ReadyCallback | None = None,
) -> ScoringServer:
    """A server for an app already built (a pool worker builds its own holder and app).

    The app's Host allowlist must already hold what ``options.allowed_hosts`` says; the
    server adds nothing to it.
    """
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        lifespan="on",
        server_header=False,
        http=header_deadline_protocol(options.header_timeout),
    )
    return ScoringServer(config, holder, on_ready=on_ready)


def serve(
    manifest: ServingManifest,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    options: ServingOptions | None = None,
    strict: bool | None = None,
    log_level: str = "warning",
    allow_remote: bool = False,
    max_body_bytes: int | None = None,
    on_ready: ReadyCallback | None = None,
) -> None:
    """Serve the manifest's model until interrupted (SIGINT/SIGTERM) or told to exit.

    Raises:
        ServingError: The host is refused (see :func:`check_host`), the model is
            unusable, or the port cannot be bound.
        ModelFileError: The artifact cannot be trusted.
    """
    server = build_server(
        manifest,
        host,
        port,
        options=options,
        strict=strict,
        log_level=log_level,
        allow_remote=allow_remote,
        max_body_bytes=max_body_bytes,
        on_ready=on_ready,
    )
    try:
        server.run()
    except SystemExit as exc:  # uvicorn exits the process when startup fails
        raise ServingError(f"scoring server could not listen on {host}:{port}") from exc


def _say_if_failed(done: Future[None]) -> None:
    """Report on stderr a cover that could not start; the pool's replacement still will."""
    if not done.cancelled() and (exc := done.exception()) is not None:
        print(f"workbench.serving: could not cover a crashed worker: {exc}", file=sys.stderr)
