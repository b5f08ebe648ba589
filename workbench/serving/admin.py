"""``POST /admin/swap``: serve another model version without dropping a request.

The engine moves the ``production`` alias (a promotion or a rollback, the same
operation) and posts the new version's :class:`ServingManifest` here, with
``Authorization: Bearer <token>`` where the token is the server's
``WORKBENCH_SERVING_TOKEN``. The new model is loaded, verified and warmed in a worker
thread while the old one keeps answering; only then does one assignment in
:meth:`ModelHolder.swap` make it current. A request reads the holder once, so it is
answered wholly by the old or wholly by the new version, never by a half-loaded one.

Answers: 200 ``{"model_version": N, "previous_version": M}``; 401 for a missing or wrong
token; 400 ``BAD_MANIFEST``; 422 ``MODEL_REFUSED`` when the artifact is missing, fails
its hash or cannot predict (the old model keeps serving). Without a token the route
does not exist (404). Swaps are serialised, so two at once cannot race.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from workbench.core.errors import ServingError, WorkbenchError
from workbench.serving.errors import RequestError
from workbench.serving.loaded import LoadedModel, ModelHolder
from workbench.serving.manifest import ServingManifest
from workbench.serving.metrics import ServingMetrics
from workbench.serving.responses import error_response
from workbench.serving.service import read_body

logger = logging.getLogger(__name__)

UNAUTHORIZED = "UNAUTHORIZED"
"""The admin request has no bearer token or the wrong one (401)."""
BAD_MANIFEST = "BAD_MANIFEST"
"""The swap body is not a valid serving manifest (400)."""
MODEL_REFUSED = "MODEL_REFUSED"
"""The manifest is valid but its model cannot be served: missing or changed artifact,
untrusted types, or a failed warm-up (422)."""
MAX_MANIFEST_BYTES = 1024 * 1024

Swapper = Callable[[ServingManifest], Awaitable[tuple[int, int]]]
"""Serves a validated manifest's model from now on; returns (new, previous) version.

Raises ``RequestError`` (422 when the model is refused). In one process it loads and
swaps the holder (:func:`local_swapper`); in a pool of workers it asks the pool, which
loads the model into every worker before any answers with it (``worker.py``)."""


def local_swapper(holder: ModelHolder) -> Swapper:
    """Load, warm and swap in this process; swaps are serialised, so two cannot race."""
    lock = asyncio.Lock()

    async def swap(manifest: ServingManifest) -> tuple[int, int]:
        async with lock:
            new = await run_in_threadpool(load_for_swap, manifest)
            old = holder.swap(new)
        return new.version, old.version

    return swap


def admin_routes(
    holder: ModelHolder, token: str, metrics: ServingMetrics, swapper: Swapper | None = None
) -> list[Route]:
    """The admin routes, guarded by ``token``; ``swapper`` defaults to this process."""
    swap_model = swapper or local_swapper(holder)

    async def swap(request: Request) -> Response:
        if not _authorized(request, token):
            return error_response(
                RequestError(401, UNAUTHORIZED, "send Authorization: Bearer <admin token>"),
                headers={"WWW-Authenticate": "Bearer"},
            )
        try:
            manifest = _manifest(await read_body(request, MAX_MANIFEST_BYTES))
            new, old = await swap_model(manifest)
        except RequestError as exc:
            metrics.swaps.labels("refused").inc()
            return error_response(exc)
        metrics.swaps.labels("swapped").inc()
        return JSONResponse(
            {"model_version": new, "previous_version": old},
            headers={"X-Model-Version": str(new)},
        )

    return [Route("/admin/swap", swap, methods=["POST"])]


def _authorized(request: Request, token: str) -> bool:
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )


def _manifest(body: bytes) -> ServingManifest:
    try:
        manifest = ServingManifest.from_json(body.decode("utf-8"))
    except (ServingError, UnicodeDecodeError, TypeError) as exc:
        raise RequestError(400, BAD_MANIFEST, f"the swap body is not a manifest: {exc}") from exc
    if not Path(manifest.artifact_path).is_absolute():
        raise RequestError(400, BAD_MANIFEST, "the manifest's artifact_path must be absolute")
    return manifest


def load_for_swap(manifest: ServingManifest) -> LoadedModel:
    """Load and warm the new version (in a worker thread); refusals become a 422.

    Only a regular file is read: a device or a FIFO named by the manifest (``/dev/zero``)
    would block or fill the worker thread instead of failing.
    """
    if not Path(manifest.artifact_path).is_file():
        raise RequestError(
            422,
            MODEL_REFUSED,
            f"version {manifest.version} cannot be served: {manifest.artifact_path} is "
            "missing or not a regular file",
        )
    try:
        return LoadedModel.load(manifest)
    except WorkbenchError as exc:
        logger.warning("refused to swap to version %d: %s", manifest.version, exc)
        raise RequestError(
            422, MODEL_REFUSED, f"version {manifest.version} cannot be served: {exc}"
        ) from exc
