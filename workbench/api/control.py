"""The control API: the engine owner's interface, published on 127.0.0.1 for other processes.

Routes are generated from :func:`operations`: ``GET /api/<name>?arg=...`` for queries and
``POST /api/<name>`` with a JSON object of parameters for actions, so a method added to
:class:`WorkbenchApi` is published without a hand-written route; ``GET
/features/{view}/{key}`` also answers ``features`` by path. ``GET /api/events/stream``
streams events as server-sent events, resumable by id. Every request needs the bearer
token from ``.workbench/engine.json`` and a loopback Host header (no DNS rebinding); the
server binds 127.0.0.1 only. Engine calls run in a threadpool so a long ``run`` does not
stall event streams or queries.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import secrets
import socket
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from workbench.api import codec
from workbench.api.codec import CodecError
from workbench.api.interface import operations
from workbench.api.local import LocalApi
from workbench.core.errors import ServingError, WorkbenchError
from workbench.core.names import shown
from workbench.core.records import EventRecord

LOOPBACK = "127.0.0.1"
"""The only address the control API binds."""

_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})
HEARTBEAT_S = 5.0
"""Seconds between keep-alive comments on an idle event stream (detects dead clients)."""
_PAGE = 500
_log = logging.getLogger(__name__)


def error_response(exc: BaseException, status: int, code: str | None = None) -> JSONResponse:
    """A JSON error a client turns back into the same exception class."""
    return JSONResponse(codec.error_body(exc, code), status_code=status)


class _Guard:
    """Refuse requests without the token or with a Host that is not loopback."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self._expected = f"Bearer {token}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        host = headers.get(b"host", b"").decode("latin-1")
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if name.lower() not in _LOOPBACK_HOSTS:
            problem = WorkbenchError(f"the control API answers loopback hosts only, not {host!r}")
            await error_response(problem, 400, "bad_host")(scope, receive, send)
            return
        if not hmac.compare_digest(headers.get(b"authorization", b""), self._expected):
            problem = WorkbenchError(
                "missing or wrong token: send 'Authorization: Bearer TOKEN' with the token "
                "from .workbench/engine.json"
            )
            await error_response(problem, 401, "unauthorized")(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _operation_endpoint(
    api: LocalApi, name: str, verb: str
) -> Callable[[Request], Awaitable[Response]]:
    method = getattr(api, name)

    async def endpoint(request: Request) -> Response:
        try:
            if verb == "GET":
                query = request.query_params  # ?run_ids=1&run_ids=2 means 1,2
                arguments = _decoded(
                    name,
                    lambda: codec.decode_query(
                        name, {k: ",".join(query.getlist(k)) for k in query}
                    ),
                )
            else:
                body = _json_body(await request.body())
                _shallow(name, body)
                arguments = _decoded(name, lambda: codec.decode_arguments(name, body))
            _in_range(name, arguments)
            _inside_workspace(api, name, arguments)
        except CodecError as exc:
            return error_response(exc, 422, "bad_argument")
        try:
            result = await run_in_threadpool(method, **arguments)
            return Response(codec.dumps(result), media_type="application/json")
        except WorkbenchError as exc:
            return error_response(exc, 400)
        except Exception as exc:  # a bug in the engine: report it, keep serving
            _log.exception("control API: %s failed", name)
            problem = WorkbenchError(f"the engine failed on {name}: {type(exc).__name__}: {exc}")
            return error_response(problem, 500, "internal")

    endpoint.__name__ = name
    return endpoint


def _json_body(body: bytes) -> Any:
    if not body.strip():
        return {}
    try:
        return json.loads(body)
    except ValueError as exc:
        raise CodecError(f"the body is not JSON: {exc}") from exc
    except RecursionError as exc:  # json's C parser gives up on very deep nesting
        raise CodecError(f"the body nests deeper than {MAX_DEPTH} levels") from exc


MAX_DEPTH = 32
"""Deepest nesting of arrays and objects an argument may have; no operation needs more
than three, and decoding deeper ones would recurse toward Python's limit."""

INT_RANGE = (-(2**63), 2**63 - 1)
"""Integers an argument may hold: what the store's BIGINT columns do."""

PATH_ARGUMENTS: dict[str, str] = {"ingest": "path"}
"""Arguments naming a file the operation may move: they must lie inside the workspace,
so a token holder cannot move a user's file from anywhere (read-only operations such as
``run(data=)`` copy and may read a file outside, as the CLI does)."""


def _decoded(name: str, decode: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    try:
        return decode()
    except RecursionError as exc:
        raise CodecError(f"{name}: an argument nests deeper than {MAX_DEPTH} levels") from exc


def _walk(value: Any) -> Iterator[tuple[Any, int]]:
    """Every value inside ``value`` with its depth, without recursion."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        yield item, depth
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list | tuple):
            stack.extend((v, depth + 1) for v in item)


def _shallow(name: str, body: Any) -> None:
    """Refuse an argument nested deeper than :data:`MAX_DEPTH`, naming it."""
    if not isinstance(body, dict):
        return  # the codec says what the body must be
    for key, value in body.items():
        if any(depth > MAX_DEPTH for _, depth in _walk(value)):
            raise CodecError(f"{name}({key}=): nested deeper than {MAX_DEPTH} levels")


def _in_range(name: str, arguments: dict[str, Any]) -> None:
    """Refuse an integer the store cannot hold, naming the argument (not DuckDB's words)."""
    low, high = INT_RANGE
    for key, value in arguments.items():
        for item, _ in _walk(value):
            if isinstance(item, int) and not isinstance(item, bool) and not low <= item <= high:
                digits = (
                    str(item) if abs(item) < 10**40 else f"a {len(str(abs(item)))}-digit number"
                )
                raise CodecError(f"{name}({key}=): {digits} is out of range (a 64-bit integer)")


def _inside_workspace(api: LocalApi, name: str, arguments: dict[str, Any]) -> None:
    """Refuse a path a moving operation would take from outside the workspace; pass on
    the resolved path, so the check and the operation see the same file."""
    key = PATH_ARGUMENTS.get(name)
    if key is None or not isinstance(value := arguments.get(key), str):
        return
    try:
        # a relative path means the workspace's (the remote client sends absolute ones)
        arguments[key] = str(api.engine.workspace.inside(Path(value).expanduser()))
    except WorkbenchError as exc:
        raise CodecError(
            f"{name}({key}=): {shown(value)} is outside the workspace and is refused; copy "
            "the file into the watched folder (incoming/) instead"
        ) from exc


class _Streams:
    """Open event streams, so stopping the server can end them instead of waiting."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: set[tuple[asyncio.AbstractEventLoop, asyncio.Queue[EventRecord | None]]] = set()
        self.closing = False

    def add(
        self, loop: asyncio.AbstractEventLoop, inbox: asyncio.Queue[EventRecord | None]
    ) -> None:
        with self._lock:
            self._open.add((loop, inbox))

    def discard(
        self, loop: asyncio.AbstractEventLoop, inbox: asyncio.Queue[EventRecord | None]
    ) -> None:
        with self._lock:
            self._open.discard((loop, inbox))

    def close_all(self) -> None:
        with self._lock:
            self.closing = True
            open_streams = list(self._open)
        for loop, inbox in open_streams:
            try:
                loop.call_soon_threadsafe(inbox.put_nowait, None)
            except RuntimeError:  # its loop is already closed
                continue


def _frame(event: EventRecord) -> bytes:
    return b"id: %d\ndata: %s\n\n" % (event.id, codec.dumps(event))


def _latest_event_id(api: LocalApi) -> int:
    newest = api.engine.reads.events(limit=1, newest=True)
    return newest[-1].id if newest else 0


async def _event_stream(
    api: LocalApi, streams: _Streams, after: int | None
) -> AsyncIterator[bytes]:
    """Backlog after ``after`` from the log, then live events from the bus, in id order.

    Subscribing before reading the backlog means nothing falls between the two; an event
    that arrives out of order (two threads emitting at once) makes us re-read the log
    from the last id sent, so a client sees every id once, ascending.
    """
    loop = asyncio.get_running_loop()
    inbox: asyncio.Queue[EventRecord | None] = asyncio.Queue()

    def deliver(event: EventRecord) -> None:
        loop.call_soon_threadsafe(inbox.put_nowait, event)

    unsubscribe = api.subscribe(deliver)
    streams.add(loop, inbox)
    try:
        last = await run_in_threadpool(_latest_event_id, api) if after is None else after
        yield b'event: ready\ndata: {"last_id": %d}\n\n' % last
        while True:
            page = await run_in_threadpool(api.events, last, _PAGE)
            for event in page:
                yield _frame(event)
                last = event.id
            if len(page) < _PAGE:
                break
        while not streams.closing:
            try:
                live = await asyncio.wait_for(inbox.get(), HEARTBEAT_S)
            except TimeoutError:
                yield b": keep-alive\n\n"
                continue
            if live is None:
                return
            if live.id <= last:
                continue
            batch = (
                [live] if live.id == last + 1 else await run_in_threadpool(api.events, last, _PAGE)
            )
            for event in batch:
                yield _frame(event)
                last = event.id
    finally:
        unsubscribe()
        streams.discard(loop, inbox)


def create_app(api: LocalApi, token: str) -> Starlette:
    """The control API over ``api``: one route per operation plus the event stream."""
    streams = _Streams()

    async def stream(request: Request) -> Response:
        text = request.query_params.get("after")
        try:
            after = None if text in (None, "") else int(text)
        except ValueError:
            return error_response(
                CodecError(f"after={text!r} is not an event id"), 422, "bad_argument"
            )
        return StreamingResponse(
            _event_stream(api, streams, after),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache"},
        )

    async def features(request: Request) -> Response:
        view, key = request.path_params["view"], request.path_params["key"]
        try:
            found = await run_in_threadpool(api.features, view, key)
        except WorkbenchError as exc:
            return error_response(exc, 404, "unknown_view")
        return Response(codec.dumps(found), media_type="application/json")

    routes = [
        Route("/api/events/stream", stream, methods=["GET"]),
        Route("/features/{view}/{key}", features, methods=["GET"]),
    ]
    for name, verb in operations().items():
        routes.append(Route(f"/api/{name}", _operation_endpoint(api, name, verb), methods=[verb]))

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        what = f"{request.method} {request.url.path}"
        if exc.status_code == 404:
            problem = WorkbenchError(f"{what}: no such operation; see GET /api/<name>")
            return error_response(problem, 404, "unknown_operation")
        return error_response(WorkbenchError(f"{what}: {exc.detail}"), exc.status_code, "http")

    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error})
    app.state.streams = streams
    app.add_middleware(_Guard, token=token)
    return app


class ControlServer:
    """The control API served by uvicorn on a background thread, on 127.0.0.1 only."""

    def __init__(self, api: LocalApi, token: str | None = None, port: int = 0) -> None:
        """Prepare (not start) the server.

        Args:
            api: The in-process api the routes call.
            token: Bearer token clients must send; a random one by default.
            port: Port on 127.0.0.1; 0 picks a free one.
        """
        self.token = token or secrets.token_urlsafe(32)
        self.app = create_app(api, self.token)
        self._requested_port = port
        self._socket: socket.socket | None = None
        self._port = 0
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The port it listens on (after :meth:`start`)."""
        if not self._port:
            raise ServingError("the control API is not started")
        return self._port

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{LOOPBACK}:{self.port}"

    def start(self, timeout: float = 10.0) -> ControlServer:
        """Bind, serve on a daemon thread, and return once it accepts connections.

        Raises:
            ServingError: The port is taken or the server did not come up in time.
        """
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # restart on the same port
        try:
            sock.bind((LOOPBACK, self._requested_port))
        except OSError as exc:
            sock.close()
            raise ServingError(
                f"the control API cannot bind {LOOPBACK}:{self._requested_port}: {exc}"
            ) from exc
        self._socket = sock
        self._port = int(sock.getsockname()[1])
        config = uvicorn.Config(
            self.app,
            log_config=None,
            log_level="error",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=2,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [sock]},
            name="workbench-control-api",
            daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise ServingError(f"the control API did not start on {LOOPBACK}")
            time.sleep(0.01)
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """End event streams, stop serving and join the thread (idempotent)."""
        self.app.state.streams.close_all()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        if self._socket is not None:
            self._socket.close()

    def __enter__(self) -> ControlServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
