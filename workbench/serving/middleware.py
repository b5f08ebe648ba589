"""The one ASGI middleware around every route: Host check, metrics, version header.

* **Host allowlist.** A browser page from another site can make its DNS name resolve to
  127.0.0.1 (DNS rebinding) and then call a local server as if same-origin; the Host
  header still carries the attacker's name, so anything not on the allowlist (loopback
  names by default) gets a JSON 400 before any route runs.
* **Metrics.** Every answered request is counted with its route template (never the raw
  path, so a scan of random URLs cannot grow the label set) and timed.
* **Model version.** Every response carries ``X-Model-Version``. A scoring route sets
  it to the version that produced the answer; for the others it is the version being
  served when the response starts.

It is a plain ASGI middleware, not ``BaseHTTPMiddleware``, which would add a task and a
stream copy to every request.
"""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from workbench.serving.errors import RequestError
from workbench.serving.hosts import host_allowed, host_name
from workbench.serving.loaded import ModelHolder
from workbench.serving.metrics import ServingMetrics
from workbench.serving.responses import error_response

INVALID_HOST = "INVALID_HOST"
"""The Host header names a server this one does not answer for (400)."""
VERSION_HEADER = b"x-model-version"
UNMATCHED = "unmatched"
"""The route label for a request no route matched."""


class ServingMiddleware:
    """Host allowlist, request metrics and the model version header, for every request."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        holder: ModelHolder,
        metrics: ServingMetrics,
        allowed_hosts: tuple[str, ...],
    ) -> None:
        self.app = app
        self.holder = holder
        self.metrics = metrics
        self.allowed_hosts = allowed_hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        header = _header(scope, b"host")

        async def send_with_version(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = message.setdefault("headers", [])
                if not any(name.lower() == VERSION_HEADER for name, _ in headers):
                    version = str(self.holder.current.version).encode()
                    message["headers"] = [*headers, (VERSION_HEADER, version)]
            await send(message)

        try:
            if host_allowed(header, self.allowed_hosts):
                await self.app(scope, receive, send_with_version)
            else:
                shown = host_name(header) if header else "(none)"
                refusal = RequestError(
                    400,
                    INVALID_HOST,
                    f"this server does not answer for host {shown[:100]!r}; "
                    "call it by a loopback name such as 127.0.0.1 or localhost",
                )
                await error_response(refusal)(scope, receive, send_with_version)
        finally:
            route = scope.get("route")
            endpoint = getattr(route, "path", UNMATCHED) if route is not None else UNMATCHED
            elapsed = time.perf_counter() - started
            self.metrics.observe_request(endpoint, scope["method"], status, elapsed)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value).decode("latin-1")
    return None
