"""``python -m workbench.serving.worker``: one scoring process of a pool.

Only ``pool.py`` starts it. It inherits three descriptors: the listening socket every
worker accepts on, its end of a control socket pair, and the shared memory with the
current generation and the scoreboard. It may start before the model is known: it
imports what scoring needs, then waits for the pool's first ``prepare`` message, loads
that model, starts uvicorn on the shared socket and says ``ready``.

An ``/admin/swap`` that reaches this worker is forwarded to the pool, which loads the new
version into every worker and only then makes it current (``pool.py``); the answer comes
back the same way. End-of-file on the control socket means the pool is gone: the
worker stops as on SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import signal
import sys
import threading
from concurrent.futures import Future
from dataclasses import replace
from typing import Any

from workbench.serving.control import (
    COVER,
    FAILED,
    PREPARE,
    PREPARED,
    READY,
    SWAP,
    SWAPPED,
    UNCOVER,
    Channel,
    Message,
)
from workbench.serving.scoring_imports import import_scoring
from workbench.serving.shared_state import SharedState

PUBLISH_SECONDS = 0.25
"""How often a worker writes its counters to the scoreboard (a scrape also does)."""
SWAP_TIMEOUT_S = 300.0
"""Longest a forwarded swap waits for the pool (loading a large model in every worker)."""
GRACE_S = 10.0


def build_parser() -> argparse.ArgumentParser:
    """The worker's command line: the descriptors and the server's options as JSON."""
    parser = argparse.ArgumentParser(prog="python -m workbench.serving.worker")
    parser.add_argument("--listen-fd", type=int, required=True)
    parser.add_argument("--control-fd", type=int, required=True)
    parser.add_argument("--state-fd", type=int, required=True)
    parser.add_argument("--workers", type=int, required=True)
    parser.add_argument("--worker", type=int, required=True, help="this worker's number, from 1")
    parser.add_argument("--options", required=True, help="the pool's parsed command line, JSON")
    parser.add_argument(
        "--cover-fds",
        default="",
        help="SLOT:FD,...: the other workers' listening sockets, for covering a crashed one",
    )
    return parser


def cover_fds(text: str) -> dict[int, int]:
    """``--cover-fds`` as slot number to descriptor."""
    pairs = (item.split(":") for item in text.split(",") if item)
    return {int(slot): int(fd) for slot, fd in pairs}


class PoolLink:
    """The worker's side of the control socket: swaps forwarded up, prepares answered."""

    def __init__(self, channel: Channel, cover_fds: dict[int, int] | None = None) -> None:
        self.channel = channel
        self._cover_fds = cover_fds or {}
        self.server: Any = None
        """The :class:`ScoringServer`, once built: it covers a crashed sibling's socket."""
        self._pending: dict[int, Future[Message]] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.holder: Any = None
        """The :class:`GenerationHolder`, once the first model is loaded."""

    def first_prepare(self) -> Message | None:
        """Wait for the pool's first ``prepare``: the model to start with."""
        for message in self.channel.messages():
            if message.get("type") == PREPARE:
                return message
        return None

    async def swap(self, manifest: Any) -> tuple[int, int]:
        """Ask the pool to swap every worker; the :data:`admin.Swapper` of a worker.

        Raises:
            RequestError: The pool refused (a worker could not load the model) or is gone.
        """
        from workbench.serving.errors import RequestError, internal_error

        future: Future[Message] = Future()
        with self._lock:
            number = next(self._ids)
            self._pending[number] = future
        if not self.channel.send({"type": SWAP, "id": number, "manifest": manifest.to_json()}):
            raise internal_error()
        try:
            answer = await asyncio.wait_for(asyncio.wrap_future(future), SWAP_TIMEOUT_S)
        finally:
            with self._lock:
                self._pending.pop(number, None)
        body = answer.get("body", {})
        if answer.get("status") != 200:
            raise RequestError(int(answer["status"]), body["code"], body["message"])
        return int(body["model_version"]), int(body["previous_version"])

    def listen(self) -> None:
        """Read the pool's messages until it is gone, then stop this process."""
        for message in self.channel.messages():
            kind = message.get("type")
            if kind == PREPARE:
                self.channel.send(self._prepare(message))
            elif kind == SWAPPED:
                with self._lock:
                    future = self._pending.get(int(message.get("id", 0)))
                if future is not None and not future.done():
                    future.set_result(message)
            elif kind == COVER:
                self._cover(int(message.get("slot", 0)))
            elif kind == UNCOVER and self.server is not None:
                self.server.uncover(int(message.get("slot", 0)))
        os.kill(os.getpid(), signal.SIGTERM)
        threading.Timer(GRACE_S, os._exit, args=(0,)).start()

    def _cover(self, slot: int) -> None:
        """Accept on a crashed sibling's socket (a duplicate of the inherited descriptor,
        so a later crash of the same slot can be covered again)."""
        import socket

        fd = self._cover_fds.get(slot)
        if fd is not None and self.server is not None:
            self.server.cover(slot, socket.socket(fileno=os.dup(fd)))

    def _prepare(self, message: Message) -> Message:
        from workbench.serving.admin import load_for_swap
        from workbench.serving.errors import RequestError
        from workbench.serving.manifest import ServingManifest

        generation = int(message["generation"])
        try:
            model = load_for_swap(ServingManifest.from_json(message["manifest"]))
        except RequestError as exc:
            refused = {"status": exc.status, "code": exc.error_code, "message": exc.message}
            return {"type": PREPARED, "generation": generation, "ok": False, **refused}
        except Exception as exc:  # a bad manifest from the pool is a bug; say so
            reason = f"{type(exc).__name__}: {exc}"
            failed = {"status": 422, "code": "MODEL_REFUSED", "message": reason}
            return {"type": PREPARED, "generation": generation, "ok": False, **failed}
        self.holder.prepare(generation, model)
        return {"type": PREPARED, "generation": generation, "ok": True}


def main(argv: list[str] | None = None) -> int:
    """Serve as one worker of a pool until stopped; return the exit status."""
    args = build_parser().parse_args(argv)
    link = PoolLink(Channel.from_fd(args.control_fd), cover_fds(args.cover_fds))
    state = SharedState(args.state_fd, args.workers)
    import_scoring()  # before the model is known: a pool started early hides this cost
    first = link.first_prepare()
    if first is None:
        return 0  # the pool went away before giving a model
    try:
        server = _build(args, link, state, first)
    except Exception as exc:
        message = str(exc) if _is_ours(exc) else f"{type(exc).__name__}: {exc}"
        link.channel.send({"type": FAILED, "message": message})  # the pool reports it
        return 1
    link.server = server
    threading.Thread(target=link.listen, name="serving-pool-link", daemon=True).start()
    metrics = server.config.app.state.service.metrics
    stop_publishing = threading.Event()
    threading.Thread(
        target=_publish, args=(metrics, stop_publishing), name="serving-scores", daemon=True
    ).start()
    try:
        server.run(sockets=[_listening_socket(args.listen_fd)])
    finally:
        stop_publishing.set()
    return 0


def _build(args: argparse.Namespace, link: PoolLink, state: SharedState, first: Message) -> Any:
    """Load the first model and build this worker's server around a generation holder."""
    from workbench.serving.__main__ import options_from
    from workbench.serving.app import create_app
    from workbench.serving.hosts import allowed_for_bind
    from workbench.serving.loaded import GenerationHolder, LoadedModel
    from workbench.serving.manifest import ServingManifest
    from workbench.serving.metrics import PoolSeat
    from workbench.serving.server import server_for

    namespace = argparse.Namespace(**json.loads(args.options))
    options = options_from(namespace, os.environ)
    options = replace(
        options, allowed_hosts=allowed_for_bind(options.allowed_hosts, namespace.host)
    )
    generation = int(first["generation"])
    model = LoadedModel.load(ServingManifest.from_json(first["manifest"]))
    holder = GenerationHolder(model, generation, lambda: state.generation)
    link.holder = holder
    app = create_app(holder, options, swapper=link.swap, seat=PoolSeat(state, args.worker))

    def ready(server: Any) -> None:
        link.channel.send({"type": READY, "name": model.name, "version": model.version})

    return server_for(
        app, holder, options, namespace.host, namespace.port,
        log_level=namespace.log_level, on_ready=ready,
    )  # fmt: skip


def _listening_socket(fd: int) -> Any:
    import socket

    return socket.socket(fileno=fd)


def _publish(metrics: Any, stop: threading.Event) -> None:
    while not stop.wait(PUBLISH_SECONDS):
        metrics.publish()


def _is_ours(exc: Exception) -> bool:
    from workbench.core.errors import WorkbenchError

    return isinstance(exc, WorkbenchError)


if __name__ == "__main__":
    sys.exit(main())
