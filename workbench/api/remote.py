"""The interface over the control API of an engine in another process.

Every operation of :class:`WorkbenchApi` is generated here from :func:`operations`, not
written by hand: a method added to the interface is callable remotely at once, with the
same signature, the same result types (decoded by :mod:`codec`) and the same error
classes. ``serve()`` and ``watch()`` ask the owning engine to serve or watch: what they
start belongs to that process and stops with it, not with this client.
"""

from __future__ import annotations

import abc
import functools
import json
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from workbench.api import codec
from workbench.api.interface import WorkbenchApi, data_path, operations
from workbench.api.stream import EventStream
from workbench.core.errors import WorkbenchError
from workbench.core.records import EventRecord, WorkspaceStatus

PATH_PARAMETERS = frozenset({"path", "data"})
"""Parameters naming a local file: made absolute here, since the engine has another cwd."""

QUERY_TIMEOUT_S = 60.0
"""How long a query may take before the client gives up (actions such as ``run`` wait)."""


class ControlApiError(WorkbenchError):
    """The engine's control API could not be reached or answered something unreadable."""


_Api = TypeVar("_Api", bound="RemoteApi")


def _remote_operation(name: str) -> Callable[..., Any]:
    """A method calling operation ``name`` remotely, with the interface's signature."""
    template = getattr(WorkbenchApi, name)

    @functools.wraps(template)
    def call(self: RemoteApi, *args: Any, **kwargs: Any) -> Any:
        return self.call(name, *args, **kwargs)

    call.__isabstractmethod__ = False  # type: ignore[attr-defined]  # wraps copied True
    return call


def _generate_operations(cls: type[_Api]) -> type[_Api]:
    """Give ``cls`` one generated method per interface operation it does not define."""
    for name in operations():
        if name not in vars(cls):
            setattr(cls, name, _remote_operation(name))
    abc.update_abstractmethods(cls)
    return cls


@_generate_operations
class RemoteApi(WorkbenchApi):
    """Talks to the engine that owns a workspace, over its control API on 127.0.0.1."""

    def __init__(self, url: str, token: str) -> None:
        """Prepare a keep-alive client (no request is made).

        Args:
            url: ``http://127.0.0.1:PORT`` from ``.workbench/engine.json``.
            token: The bearer token from the same file.
        """
        self.url = url.rstrip("/")
        self._token = token
        self._client = httpx.Client(
            base_url=self.url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=httpx.Timeout(QUERY_TIMEOUT_S, connect=5.0),
        )
        self._streams: set[EventStream] = set()
        self._lock = threading.Lock()
        self._closed = False

    @classmethod
    def attach(cls, url: str, token: str) -> RemoteApi:
        """A client for the engine at ``url`` (the typed way to build one)."""
        return cls(url, token)

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Call operation ``name`` with the interface's arguments and decode its result.

        Raises:
            TypeError: The arguments do not fit the operation (as locally).
            WorkbenchError: The engine raised one (the same class is raised here).
            ControlApiError: The engine cannot be reached.
        """
        verb = operations()[name]
        arguments = codec.bind_arguments(name, args, kwargs)
        for key in PATH_PARAMETERS & arguments.keys():
            if isinstance(arguments[key], str):
                arguments[key] = str(data_path(arguments[key]))
        if verb == "GET":
            request = self._client.build_request(
                "GET", f"/api/{name}", params=codec.query_arguments(name, arguments)
            )
        else:
            request = self._client.build_request(
                "POST",
                f"/api/{name}",
                content=json.dumps(codec.encode_arguments(name, arguments)),
                headers={"Content-Type": "application/json"},
                timeout=httpx.Timeout(QUERY_TIMEOUT_S, connect=5.0, read=None),
            )
        return codec.decode_result(name, self._send(name, request))

    def _send(self, name: str, request: httpx.Request) -> Any:
        if self._closed:
            raise ControlApiError(f"{name}: this client of {self.url} is closed")
        try:
            response = self._client.send(request)
        except httpx.HTTPError as exc:
            raise ControlApiError(
                f"the engine at {self.url} did not answer {name}: {exc}; "
                "is the process that owns the workspace still running?"
            ) from exc
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code == 200:
            return body
        raise codec.error_from_body(
            body, f"the engine at {self.url} answered {name} with HTTP {response.status_code}"
        )

    def probe(self, timeout: float = 5.0) -> WorkspaceStatus | None:
        """The engine's status if it answers with our token within ``timeout``, else None.

        How :func:`connect` tells a live engine from a stale engine.json.
        """
        try:
            response = self._client.get("/api/status", timeout=timeout)
            if response.status_code != 200:
                return None
            status: WorkspaceStatus = codec.decode_result("status", response.json())
        except (httpx.HTTPError, ValueError, WorkbenchError):
            return None
        return status

    def subscribe(self, callback: Callable[[EventRecord], None]) -> Callable[[], None]:
        """Follow the engine's events from now on; returns the unsubscribe function.

        Returns once the engine has subscribed this client, so any event after the call
        is delivered (in id order, across reconnects).

        Raises:
            WorkbenchError: The engine refused or did not open the stream.
        """
        stream = EventStream(self.url, self._token, callback).start()
        with self._lock:
            self._streams.add(stream)

        def unsubscribe() -> None:
            stream.stop()
            with self._lock:
                self._streams.discard(stream)

        return unsubscribe

    def close(self) -> None:
        """Stop every subscription and the connection pool (the engine keeps running)."""
        with self._lock:
            streams, self._streams = list(self._streams), set()
            self._closed = True
        for stream in streams:
            stream.stop()
        self._client.close()

    def __repr__(self) -> str:
        return f"RemoteApi({self.url!r})"
