"""The scoring server's HTTP surface: a Starlette app over a :class:`ModelHolder`.

Routes follow MLflow's scoring server so existing clients work unchanged:

* ``POST /invocations`` -> ``{"predictions": [...], "model_version": N}`` plus, for a
  classifier with ``predict_proba``, ``"probabilities"`` (one list per row, columns in
  the order of ``"classes"``). Headers: ``X-Model-Version``, and
  ``X-Workbench-Ignored-Columns`` (percent-encoded names, comma-separated, at most
  :data:`MAX_HEADER_NAMES`) with ``X-Workbench-Ignored-Column-Count`` when the request
  had columns the model does not use.
* ``GET /ping`` (200, empty), ``GET /health``, ``GET /version``.

Every error is JSON ``{"error_code": ..., "message": ...}``: 4xx for anything about the
request, 500 only for a bug, never with a traceback (that goes to the log).
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from workbench import __version__
from workbench.serving.errors import (
    INTERNAL_ERROR,
    MALFORMED_REQUEST,
    METHOD_NOT_ALLOWED,
    NOT_FOUND,
    PAYLOAD_TOO_LARGE,
    RequestError,
)
from workbench.serving.loaded import ModelHolder
from workbench.serving.payloads import payload_kind
from workbench.serving.scoring import Scored, score_request

logger = logging.getLogger(__name__)

DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024
"""Largest request body accepted by default (10 MiB); larger bodies get a 413."""
MAX_HEADER_NAMES = 50
"""Most ignored column names listed in the response header (the count header is exact)."""


def create_app(
    holder: ModelHolder, *, strict: bool = False, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
) -> Starlette:
    """Build the scoring app for the model in ``holder``.

    Args:
        holder: Holds the served model; swapping it changes the model from the next
            request on. Also kept on ``app.state.holder`` for routes added later.
        strict: Refuse requests with columns the model does not use (400) instead of
            ignoring them.
        max_body_bytes: Body size cap, enforced while the body streams in (413).
    """

    async def invocations(request: Request) -> Response:
        model = holder.current  # read once: this request is answered by this version
        try:
            kind = payload_kind(request.headers.get("content-type"))
            body = await read_body(request, max_body_bytes)
            scored = await run_in_threadpool(score_request, model, body, kind, strict=strict)
        except RequestError as exc:
            return error_response(exc)
        except Exception:
            logger.exception("unexpected error scoring a request with version %d", model.version)
            return error_response(
                RequestError(500, INTERNAL_ERROR, "internal error; see the server log")
            )
        return _prediction_response(scored)

    async def ping(request: Request) -> Response:
        return Response(status_code=200)

    async def health(request: Request) -> Response:
        model = holder.current
        return JSONResponse(
            {"status": "ok", "model_version": model.version, "model_name": model.name}
        )

    async def version(request: Request) -> Response:
        model = holder.current
        return JSONResponse(
            {
                "workbench_version": __version__,
                "model_name": model.name,
                "model_version": model.version,
                "model_sha256": model.sha256,
            }
        )

    app = Starlette(
        routes=[
            Route("/invocations", invocations, methods=["POST"]),
            Route("/ping", ping, methods=["GET"]),
            Route("/health", health, methods=["GET"]),
            Route("/version", version, methods=["GET"]),
        ],
        exception_handlers={HTTPException: _http_error, Exception: _unexpected_error},
    )
    app.state.holder = holder
    return app


async def read_body(request: Request, max_body_bytes: int) -> bytes:
    """Read the body chunk by chunk, stopping with a 413 as soon as it passes the cap.

    A declared ``Content-Length`` over the cap is refused before reading anything; a
    chunked body is counted as it arrives, so at most one chunk past the cap is held.
    """
    too_large = RequestError(
        413, PAYLOAD_TOO_LARGE, f"the request body is larger than {max_body_bytes} bytes"
    )
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_body_bytes:
        raise too_large
    body = bytearray()
    try:
        async for chunk in request.stream():
            body += chunk
            if len(body) > max_body_bytes:
                raise too_large
    except ClientDisconnect as exc:
        raise RequestError(400, MALFORMED_REQUEST, "the client disconnected mid-body") from exc
    return bytes(body)


def error_response(error: RequestError) -> JSONResponse:
    """The JSON body every error shares."""
    return JSONResponse(error.to_dict(), status_code=error.status)


def _prediction_response(scored: Scored) -> JSONResponse:
    headers = {"X-Model-Version": str(scored.model_version)}
    ignored = scored.ignored_columns
    if ignored:
        headers["X-Workbench-Ignored-Columns"] = ",".join(
            quote(name, safe="") for name in ignored[:MAX_HEADER_NAMES]
        )
        headers["X-Workbench-Ignored-Column-Count"] = str(len(ignored))
    return JSONResponse(scored.body, headers=headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own 404/405 (and any other HTTPException) as our JSON error."""
    assert isinstance(exc, HTTPException)
    codes = {404: NOT_FOUND, 405: METHOD_NOT_ALLOWED}
    code = codes.get(exc.status_code, MALFORMED_REQUEST)
    message = {
        404: "no such route; the routes are POST /invocations, GET /ping, /health, /version",
        405: f"method {request.method} is not allowed on this route",
    }.get(exc.status_code, str(exc.detail))
    response = error_response(RequestError(exc.status_code, code, message))
    response.headers.update(exc.headers or {})
    return response


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    """Backstop for a bug outside a route's own handling: JSON 500, details in the log."""
    logger.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(RequestError(500, INTERNAL_ERROR, "internal error; see the server log"))
