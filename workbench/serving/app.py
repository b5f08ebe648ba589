"""The scoring server's HTTP surface: a Starlette app over a :class:`ModelHolder`.

Routes follow MLflow's scoring server so existing clients work unchanged:

* ``POST /invocations`` -> ``{"predictions": [...], "model_version": N}`` plus, for a
  classifier with ``predict_proba``, ``"probabilities"`` (one list per row, columns in
  the order of ``"classes"``). Headers: ``X-Model-Version``, ``X-Request-Id``, and
  ``X-Workbench-Ignored-Columns`` (percent-encoded names, comma-separated, at most
  :data:`MAX_HEADER_NAMES`) with ``X-Workbench-Ignored-Column-Count`` when the request
  had columns the model does not use.
  MLflow's ``params`` beside the input key are accepted; a scikit-learn model takes none,
  so their names come back in ``X-Workbench-Ignored-Params`` (percent-encoded,
  comma-separated). Bodies: JSON, CSV, or Parquet (``application/vnd.apache.parquet``).
* ``GET /ping`` (200, empty), ``GET /health``, ``GET /version``.
* ``GET /metrics`` (Prometheus), ``GET /openapi.json``.
* The Open Inference Protocol V2 under ``/v2`` (see ``open_inference.py``).
* ``POST /admin/swap`` when an admin token is set (see ``admin.py``).

Every response carries ``X-Model-Version``. Every error is JSON
``{"error_code": ..., "message": ...}``: 4xx for anything about the request, 503/504
for load and time limits, 500 only for a bug, never with a traceback (that goes to the
log).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from urllib.parse import quote

import polars as pl
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from workbench import __version__
from workbench.serving.admin import Swapper, admin_routes
from workbench.serving.errors import (
    MALFORMED_REQUEST,
    METHOD_NOT_ALLOWED,
    NOT_FOUND,
    RequestError,
    internal_error,
)
from workbench.serving.loaded import LoadedModel, ModelHolder
from workbench.serving.metrics import CONTENT_TYPE, PoolSeat
from workbench.serving.middleware import ServingMiddleware
from workbench.serving.open_inference import v2_routes
from workbench.serving.openapi import OpenAPIGenerator
from workbench.serving.options import DEFAULT_MAX_BODY_BYTES, ServingOptions
from workbench.serving.payloads import parse_body, payload_kind
from workbench.serving.responses import error_response
from workbench.serving.service import MAX_HEADER_NAMES, ScoringService, read_body

logger = logging.getLogger(__name__)

IGNORED_PARAMS_HEADER = "X-Workbench-Ignored-Params"
"""Names of MLflow ``params`` the model did not take (a scikit-learn ``predict`` takes none)."""

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "MAX_HEADER_NAMES",
    "create_app",
    "error_response",
    "read_body",
]


def create_app(
    holder: ModelHolder,
    options: ServingOptions | None = None,
    *,
    strict: bool | None = None,
    max_body_bytes: int | None = None,
    swapper: Swapper | None = None,
    seat: PoolSeat | None = None,
) -> Starlette:
    """Build the scoring app for the model in ``holder``.

    Run it with uvicorn's lifespan on (``build_server`` does): startup starts the
    prediction log and batching threads, shutdown flushes the log.

    Args:
        holder: Holds the served model; swapping it changes the model from the next
            request on. Also kept on ``app.state.holder``.
        options: Limits, logging, batching and access; defaults when omitted.
        strict: Shorthand overriding ``options.strict``.
        max_body_bytes: Shorthand overriding ``options.max_body_bytes``.
        swapper: How ``/admin/swap`` changes the model; by default in this process.
            A pool worker passes one that swaps every worker (``worker.py``).
        seat: A pool worker's row in the shared scoreboard, so ``/metrics`` reports
            the whole pool.
    """
    options = _with_shorthands(options or ServingOptions(), strict, max_body_bytes)
    service = ScoringService(holder, options, seat)
    routes = scoring_routes(service) + v2_routes(service)
    if options.admin_token is not None:
        routes += admin_routes(holder, options.admin_token, service.metrics, swapper)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        service.start()
        try:
            yield
        finally:
            service.close()

    middleware = [
        Middleware(
            ServingMiddleware,
            holder=holder,
            metrics=service.metrics,
            allowed_hosts=options.allowed_hosts,
        )
    ]
    if options.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(options.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Content-Type", "X-Request-Id"],
                expose_headers=["X-Model-Version", "X-Request-Id"],
            )
        )
    app = Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={HTTPException: _http_error, Exception: _unexpected_error},
        lifespan=lifespan,
    )
    app.state.holder = holder
    app.state.service = service
    return app


def scoring_routes(service: ScoringService) -> list[BaseRoute]:
    """MLflow's routes, health and version, metrics and the OpenAPI document."""
    holder = service.holder
    schema = OpenAPIGenerator()

    async def invocations(request: Request) -> Response:
        params: list[str] = []

        def parse(body: bytes, model: LoadedModel) -> pl.DataFrame:
            parsed = parse_body(body, kind)
            params.extend(parsed.params)
            return parsed.frame

        try:
            kind = payload_kind(request.headers.get("content-type"))
            answer = await service.score(request, parse)
        except RequestError as exc:
            return error_response(exc)
        except Exception:
            logger.exception("unexpected error scoring a request")
            return error_response(internal_error())
        headers = answer.headers()
        if params:
            names = params[:MAX_HEADER_NAMES]
            headers[IGNORED_PARAMS_HEADER] = ",".join(quote(n, safe="") for n in names)
        return JSONResponse(answer.scored.body, headers=headers)

    async def ping(request: Request) -> Response:
        return Response(status_code=200)

    async def health(request: Request) -> Response:
        model = holder.current
        return JSONResponse(
            {"status": "ok", "model_version": model.version, "model_name": model.name},
            headers=_version_header(model),
        )

    async def version(request: Request) -> Response:
        model = holder.current
        return JSONResponse(
            {
                "workbench_version": __version__,
                "model_name": model.name,
                "model_version": model.version,
                "model_sha256": model.sha256,
            },
            headers=_version_header(model),
        )

    async def metrics(request: Request) -> Response:
        return Response(service.metrics.render(), media_type=CONTENT_TYPE)

    async def openapi(request: Request) -> Response:
        return JSONResponse(schema.document(request.app.routes, holder.current))

    return [
        Route("/invocations", invocations, methods=["POST"]),
        Route("/ping", ping, methods=["GET"]),
        Route("/health", health, methods=["GET"]),
        Route("/version", version, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
        Route("/openapi.json", openapi, methods=["GET"]),
    ]


def _with_shorthands(
    options: ServingOptions, strict: bool | None, max_body_bytes: int | None
) -> ServingOptions:
    if strict is not None:
        options = replace(options, strict=strict)
    if max_body_bytes is not None:
        options = replace(options, max_body_bytes=max_body_bytes)
    return options


def _version_header(model: LoadedModel) -> dict[str, str]:
    return {"X-Model-Version": str(model.version)}


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own 404/405 (and any other HTTPException) as our JSON error."""
    assert isinstance(exc, HTTPException)
    codes = {404: NOT_FOUND, 405: METHOD_NOT_ALLOWED}
    code = codes.get(exc.status_code, MALFORMED_REQUEST)
    message = {
        404: "no such route; GET /openapi.json lists the routes",
        405: f"method {request.method} is not allowed on this route",
    }.get(exc.status_code, str(exc.detail))
    response = error_response(RequestError(exc.status_code, code, message))
    response.headers.update(exc.headers or {})
    return response


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    """Backstop for a bug outside a route's own handling: JSON 500, details in the log."""
    logger.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(internal_error())
