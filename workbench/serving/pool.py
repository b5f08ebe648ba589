"""Several scoring processes behind one port: the pool that starts, swaps and stops them.

One Python process scores on one core; ``serve.workers`` of them use the others. The
pool binds the port (with ``SO_REUSEADDR``, so a port a stopped server used is
reusable at once) and hands listening sockets to the workers (``worker.py``).

Each worker gets its own listening socket, all bound to the port with
``SO_REUSEPORT``: the kernel spreads new connections evenly over the workers by a hash
of the connection, where one shared socket would hand most of them to whichever worker
wakes first (in a benchmark, one worker took every keep-alive connection). The pool
keeps the sockets open, so connections that arrive while a crashed worker is replaced
wait in its queue instead of being refused. Without ``SO_REUSEPORT`` (not Linux or a
BSD) the workers share one socket. The kernel lets only processes of the same user
bind a port that is already bound this way.

**Starting.** The first worker starts at once and imports what scoring needs while the
model is still on its way (with ``--manifest -`` the engine hands it over later); the
pool answers as soon as that worker listens. The others start only then, one core each
being what a cold start is short of: on a machine with as many cores as workers, every
worker importing scikit-learn at once makes the first answer wait for all of them. A
later worker's socket joins the port only when that worker listens (uvicorn calls
``listen`` on it), so no connection waits in the queue of a worker still starting; the
pool prints ``all N scoring workers ready`` to stderr when the last one listens.

The pool itself stays small: it imports neither scikit-learn nor polars, it never
scores, and it keeps the one thing that must be single across workers, the current
*generation* of the model:

* **Hot swap.** ``/admin/swap`` reaches one worker, which forwards it here. The pool
  asks every worker to load and warm the new version as the next generation, and only
  when all have it does it store that generation in shared memory
  (``shared_state.py``); a request reads it once. So no worker answers with the new
  version before every worker holds it, a request is answered wholly by one version,
  and if any worker refuses the model, none switches.
* **Crashes.** A worker that exits on its own is replaced, loaded with the current
  generation, its counters folded into the pool's totals. Until the replacement
  listens, a live worker also accepts on the crashed one's socket (every worker
  inherits its siblings' sockets), so the connections the kernel keeps handing that
  socket are answered at once instead of after the replacement's imports. Past
  :data:`RESTARTS` in :data:`RESTART_WINDOW_S` the pool gives up and exits 1, so
  the engine's supervisor sees it.
* **Stopping.** SIGTERM or SIGINT stops every worker gracefully (requests in flight
  answered, prediction logs flushed); the pool then ends by the same signal, as a
  single uvicorn process does.
"""

from __future__ import annotations

import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from workbench.core.errors import ServingError
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
from workbench.serving.manifest import ManifestSource, ServingManifest
from workbench.serving.shared_state import MULTIPROC_ENV, SharedState

READY_TIMEOUT_S = 120.0
"""Longest a worker may take from its start to listening with its model loaded."""
PREPARE_TIMEOUT_S = 300.0
"""Longest every worker together may take to load a new version for a swap."""
STOP_GRACE_S = 15.0
"""Longest a worker may take to finish its requests when stopped, before it is killed."""
RESTARTS = 5
"""Replacements of crashed workers allowed within :data:`RESTART_WINDOW_S`."""
RESTART_WINDOW_S = 60.0
LISTEN_BACKLOG = 2048
REFUSED = "MODEL_REFUSED"

Announce = Callable[[str, int, int], None]
"""Called once the first worker listens (the others start then): name, version, port."""


@dataclass
class Worker:
    """One worker process and the pool's end of its control line."""

    number: int
    """1-based; also the worker's scoreboard row."""
    process: subprocess.Popen[bytes]
    channel: Channel
    replies: queue.Queue[Message | None] = field(default_factory=queue.Queue)
    """Its answers to ``prepare``; ``None`` once it is gone."""
    ready: threading.Event = field(default_factory=threading.Event)
    """Set when it said ``ready`` or ``failed``, or went away."""
    failure: str | None = None
    """Why it could not start, as it said."""


class ScoringPool:
    """The workers behind one port and the generation they answer with."""

    def __init__(self, host: str, port: int, workers: int, options_json: str) -> None:
        if workers < 2:
            raise ServingError("a pool needs at least 2 workers; serve 1 in-process")
        self.manifest: ServingManifest | None = None
        """The version every worker answers with now (set by :meth:`start`)."""
        self.host = host
        self.size = workers
        self._options_json = options_json
        self._socks = listen_sockets(host, port, workers)
        self.port: int = self._socks[0].getsockname()[1]
        """The bound port (the real one when asked for port 0)."""
        self._state = SharedState.create(workers)
        self._metrics_dir = tempfile.mkdtemp(prefix="workbench-metrics-")
        self._generation = 0
        self._workers: dict[int, Worker] = {}
        self._lock = threading.Lock()  # swaps and replacements, one at a time
        self._spawning = threading.Lock()  # a spawn and stop(): never one after the other began
        self._stop = threading.Event()
        self._stopping = False
        self.exit_code = 0
        self._restarts: deque[float] = deque()

    def start(
        self, source: ManifestSource, timeout: float = READY_TIMEOUT_S
    ) -> ServingManifest | None:
        """Start the first worker, hand it the model once ``source`` gives it, and wait
        until it listens; the other workers start after it, in the background.

        Returns:
            The manifest served, or None when ``source`` gave none (the pool is stopped).

        Raises:
            ServingError: The manifest is bad, or the first worker could not load the
                model or start; the message is the worker's own.
        """
        with self._lock:
            first = self._spawn(1)
            try:
                manifest = source()
                if manifest is None:
                    self.stop()
                    return None
                self.manifest = manifest
                self._send_prepare(first, self._generation, manifest)
            except BaseException:  # a bad manifest, or a signal while waiting for it
                self.stop()
                raise
            self._await_ready([first], timeout)
        threading.Thread(target=self._start_others, name="pool-start", daemon=True).start()
        return manifest

    def _start_others(self) -> None:
        """Workers 2..N, once the first answers: each loads the current generation. One
        that fails is replaced as a crashed one is (its exit is watched), within
        :data:`RESTARTS`."""
        with self._lock:
            if self._stopping or self.manifest is None:
                return
            try:
                others = [self._spawn(number) for number in range(2, self.size + 1)]
            except _Stopping:
                return  # stop() terminates the ones that started
            for worker in others:
                self._send_prepare(worker, self._generation, self.manifest)
                self._watch_exit(worker)
            deadline = time.monotonic() + READY_TIMEOUT_S
            for worker in others:
                worker.ready.wait(max(0.0, deadline - time.monotonic()))
        if self._stopping:  # stop() may have listed the workers before these started
            for worker in others:
                if worker.process.poll() is None:
                    worker.process.terminate()
            return
        if all(_listening(w) for w in others):
            print(
                f"workbench.serving: all {self.size} scoring workers ready",
                file=sys.stderr,
                flush=True,
            )

    def _await_ready(self, workers: list[Worker], timeout: float) -> None:
        """Wait until ``workers`` listen; watch their exits from then on.

        Raises:
            ServingError: One could not start (the pool is stopped).
        """
        deadline = time.monotonic() + timeout
        for worker in workers:
            worker.ready.wait(max(0.0, deadline - time.monotonic()))
            if worker.failure is not None or not worker.ready.is_set():
                self.stop()
                raise ServingError(worker.failure or "a scoring worker did not start")
            if worker.process.poll() is not None:
                self.stop()
                raise ServingError("a scoring worker exited while starting")
        for worker in workers:
            self._watch_exit(worker)

    def wait(self) -> int:
        """Block until stopped (a signal or :meth:`request_stop`); return the exit code."""
        while not self._stop.wait(0.5):
            pass
        self.stop()
        return self.exit_code

    def request_stop(self, code: int = 0) -> None:
        """Ask :meth:`wait` to stop the pool (safe from a signal handler)."""
        if code:
            self.exit_code = code
        self._stop.set()

    def stop(self) -> None:
        """Stop every worker gracefully (SIGTERM), then release the socket and memory."""
        with self._spawning:
            self._stopping = True
            workers = list(self._workers.values())
        for worker in workers:
            if worker.process.poll() is None:
                worker.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_S
        for worker in workers:
            try:
                worker.process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait()
            worker.channel.close()
        self._workers.clear()
        if self._socks:
            for sock in self._socks:
                sock.close()
            self._socks = []
            self._state.close()
            shutil.rmtree(self._metrics_dir, ignore_errors=True)

    def _spawn(self, number: int) -> Worker:
        """Start worker ``number``.

        Raises:
            _Stopping: :meth:`stop` has begun (it would not see this worker).
        """
        with self._spawning:
            if self._stopping:
                raise _Stopping
            return self._spawn_unlocked(number)

    def _spawn_unlocked(self, number: int) -> Worker:
        ours, theirs = socket.socketpair()
        listening = self._socks[(number - 1) % len(self._socks)]
        # with a socket per worker, each worker also holds its siblings', to cover a crash
        siblings = {
            slot: sock.fileno()
            for slot, sock in enumerate(self._socks, start=1)
            if len(self._socks) > 1 and slot != number
        }
        fds = (listening.fileno(), theirs.fileno(), self._state.fd, *siblings.values())
        command = [
            sys.executable, "-m", "workbench.serving.worker",
            "--listen-fd", str(fds[0]), "--control-fd", str(fds[1]), "--state-fd", str(fds[2]),
            "--workers", str(self.size), "--worker", str(number),
            "--options", self._options_json,
            "--cover-fds", ",".join(f"{slot}:{fd}" for slot, fd in siblings.items()),
        ]  # fmt: skip
        process = subprocess.Popen(
            command,
            pass_fds=fds,
            stdin=subprocess.DEVNULL,
            stdout=sys.stderr,  # stdout is the engine's ready-line pipe; keep it clean
            env={**os.environ, MULTIPROC_ENV: self._metrics_dir},
        )
        theirs.close()
        worker = Worker(number, process, Channel(ours))
        self._workers[number] = worker
        threading.Thread(
            target=self._read, args=(worker,), name=f"pool-worker-{number}", daemon=True
        ).start()
        return worker

    def _send_prepare(self, worker: Worker, generation: int, manifest: ServingManifest) -> None:
        message = {"type": PREPARE, "generation": generation, "manifest": manifest.to_json()}
        worker.channel.send(message)

    def _read(self, worker: Worker) -> None:
        """One worker's messages, until it is gone."""
        for message in worker.channel.messages():
            kind = message.get("type")
            if kind == READY:
                worker.ready.set()
            elif kind == FAILED:
                worker.failure = str(message.get("message", "the worker could not start"))
                worker.ready.set()
            elif kind == PREPARED:
                worker.replies.put(message)
            elif kind == SWAP:
                threading.Thread(
                    target=self._answer_swap, args=(worker, message), daemon=True
                ).start()
        worker.replies.put(None)
        worker.ready.set()

    def _answer_swap(self, worker: Worker, message: Message) -> None:
        body: dict[str, object]
        try:
            manifest = ServingManifest.from_json(str(message.get("manifest")))
        except ServingError as exc:  # the worker checked it already; never trust, though
            status, body = 400, {"code": "BAD_MANIFEST", "message": str(exc)}
        else:
            with self._lock:
                status, body = self._swap(manifest)
        worker.channel.send(
            {"type": SWAPPED, "id": message.get("id"), "status": status, "body": body}
        )

    def _swap(self, manifest: ServingManifest) -> tuple[int, dict[str, object]]:
        """Load ``manifest`` into every worker, then make it current in one store."""
        generation = (self._generation + 1) % 256
        live = [w for w in self._workers.values() if w.process.poll() is None]
        for worker in live:
            self._send_prepare(worker, generation, manifest)
        deadline = time.monotonic() + PREPARE_TIMEOUT_S
        refusal: dict[str, object] | None = None
        for worker in live:
            reply = _reply_for(worker, generation, deadline)
            if reply is None:
                continue  # gone: it is replaced with whatever is current after this swap
            if not reply.get("ok") and refusal is None:
                refusal = reply
        if refusal is not None:
            status = int(str(refusal.get("status", 422)))
            message = refusal.get("message", "a worker could not load the model")
            return status, {"code": refusal.get("code", REFUSED), "message": message}
        previous = self.manifest.version if self.manifest is not None else 0
        self._state.publish_generation(generation)
        self._generation, self.manifest = generation, manifest
        return 200, {"model_version": manifest.version, "previous_version": previous}

    def _watch_exit(self, worker: Worker) -> None:
        def watch() -> None:
            code = worker.process.wait()
            if not self._stopping and not self._stop.is_set():
                self._replace(worker, code)

        threading.Thread(target=watch, name=f"pool-exit-{worker.number}", daemon=True).start()

    def _replace(self, gone: Worker, code: int) -> None:
        """Start a new worker in a crashed one's place, on the current generation."""
        now = time.monotonic()
        while self._restarts and now - self._restarts[0] > RESTART_WINDOW_S:
            self._restarts.popleft()
        if len(self._restarts) >= RESTARTS:
            print(
                f"workbench.serving: scoring worker {gone.number} exited (code {code}) again; "
                "too many restarts, stopping",
                file=sys.stderr,
                flush=True,
            )
            self.request_stop(1)
            return
        self._restarts.append(now)
        covering = self._cover(gone.number)
        print(
            f"workbench.serving: scoring worker {gone.number} exited (code {code}); replacing it"
            + (f", worker {covering.number} takes its connections meanwhile" if covering else ""),
            file=sys.stderr,
            flush=True,
        )
        worker: Worker | None = None
        try:
            with self._lock:
                if self._stopping or self.manifest is None:
                    return
                gone.channel.close()
                self._state.retire(gone.number)
                try:
                    worker = self._spawn(gone.number)
                except _Stopping:
                    return
                self._send_prepare(worker, self._generation, self.manifest)
                worker.ready.wait(READY_TIMEOUT_S)
        finally:
            # a replacement that never came up leaves the cover in place: else that
            # socket's share of connections would wait for nobody
            if covering is not None and worker is not None and _listening(worker):
                covering.channel.send({"type": UNCOVER, "slot": gone.number})
        if worker is not None:
            self._watch_exit(worker)

    def _cover(self, slot: int) -> Worker | None:
        """Ask a live worker to accept on ``slot``'s socket until its replacement listens.

        The kernel keeps handing that socket its share of new connections; unanswered,
        they would wait for the replacement to import scikit-learn (a second or two).
        With one socket for all workers (no ``SO_REUSEPORT``) the others take them anyway.
        """
        if len(self._socks) < 2:
            return None
        for worker in list(self._workers.values()):
            covers = worker.number != slot and _listening(worker)
            if covers and worker.channel.send({"type": COVER, "slot": slot}):
                return worker
        return None


def _listening(worker: Worker) -> bool:
    """Whether ``worker`` said ``ready`` and is still running."""
    return worker.ready.is_set() and worker.failure is None and worker.process.poll() is None


def _reply_for(worker: Worker, generation: int, deadline: float) -> Message | None:
    """The worker's answer to the ``prepare`` of ``generation`` (None: it is gone)."""
    while True:
        try:
            reply = worker.replies.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            message = f"scoring worker {worker.number} did not load the model in time"
            return {"ok": False, "status": 422, "code": REFUSED, "message": message}
        if reply is None:
            return None
        if reply.get("generation") == generation:
            return reply


def listen_sockets(host: str, port: int, count: int) -> list[socket.socket]:
    """Sockets for ``count`` workers on one port, reusable at once after a stop.

    With ``SO_REUSEPORT``, ``count`` sockets bound to the same port (the first one picks
    it when ``port`` is 0); without it, one socket for all. Only the first listens now:
    the others join the port when their worker's server listens on them, so the kernel
    hands no connection to a worker still starting.

    Raises:
        ServingError: The address cannot be bound (say, the port is taken).
    """
    reuse_port = hasattr(socket, "SO_REUSEPORT")
    if reuse_port and port:  # a port another pool holds would otherwise be shared silently
        _listen_socket(host, port, reuse_port=False).close()
    first = _listen_socket(host, port, reuse_port)
    socks = [first]
    try:
        while reuse_port and len(socks) < count:
            socks.append(_listen_socket(host, first.getsockname()[1], reuse_port, listen=False))
    except ServingError:
        for sock in socks:
            sock.close()
        raise
    return socks


def _listen_socket(host: str, port: int, reuse_port: bool, *, listen: bool = True) -> socket.socket:
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
    except OSError as exc:
        raise ServingError(f"scoring server could not listen on {host}:{port}: {exc}") from exc
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(address)
        if listen:
            sock.listen(LISTEN_BACKLOG)
    except OSError as exc:
        sock.close()
        raise ServingError(f"scoring server could not listen on {host}:{port}: {exc}") from exc
    sock.set_inheritable(True)
    return sock


class _Stopping(Exception):
    """A worker would be started after :meth:`ScoringPool.stop` began."""


class _Interrupted(Exception):
    """SIGTERM or SIGINT before the model came: the pool stops without serving."""


def serve_pool(
    source: ManifestSource,
    host: str,
    port: int,
    workers: int,
    options_json: str,
    announce: Announce,
) -> int:
    """Run a pool until SIGTERM or SIGINT; then end by that signal, or return 1 on failure.

    Before a model comes, SIGTERM means what stdin ending means (an engine discarding
    the server it launched early): the pool stops and returns 0, as the single-process
    server does; SIGINT still ends it by SIGINT. Only the wait for the model is broken
    off by a signal: one that lands while the pool is stopping lets the stop finish,
    and the pool is stopped however this ends, so no worker, socket or shared memory
    outlives it.

    Raises:
        ServingError: The port cannot be bound or the first worker could not start.
    """
    caught: list[int] = []
    awaiting = threading.Event()
    pool: ScoringPool | None = None

    def on_signal(number: int, frame: object) -> None:
        caught.append(number)
        if pool is not None:
            pool.request_stop()
        if awaiting.is_set():  # still waiting for the model on stdin: stop waiting
            awaiting.clear()
            raise _Interrupted

    def awaited() -> ServingManifest | None:
        awaiting.set()
        try:
            if caught:  # a signal while the first worker was being started
                raise _Interrupted
            return source()
        finally:
            awaiting.clear()

    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, on_signal)
    try:
        pool = ScoringPool(host, port, workers, options_json)
        try:
            manifest = pool.start(awaited)
        except _Interrupted:
            manifest = None
        if manifest is None:
            code = 0
            stopped_by: int | None = signal.SIGINT if signal.SIGINT in caught else None
        else:
            announce(manifest.model_name, manifest.version, pool.port)
            code = pool.wait()
            stopped_by = caught[0] if caught else None
    finally:
        if pool is not None:
            pool.stop()
    if stopped_by is not None and not code:
        signal.signal(stopped_by, signal.SIG_DFL)
        os.kill(os.getpid(), stopped_by)
    return code
