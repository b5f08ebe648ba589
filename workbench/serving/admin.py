"""``POST /admin/swap``: serve another model version without dropping a request.

The engine moves the ``production`` alias (a promotion or a rollback, the same
operation) and posts the new version's :class:`ServingManifest` here, with
``Authorization: Bearer <token>`` where the token is the server's
``WORKBENCH_SERVING_TOKEN``. The new model is loaded, verified and warmed in a worker
thread while the old one keeps answering; only then does one assignment in
:meth:`ModelHolder.swap` make it current. A request reads the holder once, so it is
answered wholly by the old or wholly by the new version, never by a half-loaded one.

``POST /admin/features`` (same token) takes ``{VIEW: {"path", "sha256"}}``, the newest
feature snapshots the engine published after a materialisation: they are read and
verified in a worker thread, then swapped in with the served model in one assignment.

Answers: 200 ``{"model_version": N, "previous_version": M}``; 401 for a missing or wrong
token; 400 ``BAD_MANIFEST``; 422 ``MODEL_REFUSED`` when the artifact is missing, fails
its hash or cannot predict (the old model keeps serving). Without a token the route
does not exist (404). Swaps are serialised, so two at once cannot race.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from dataclasses import replace
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from workbench.core.errors import ServingError, WorkbenchError
from workbench.features import OnlineFeatures
from workbench.serving.errors import RequestError
from workbench.serving.loaded import LoadedModel, ModelHolder, load_features
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


def admin_routes(holder: ModelHolder, token: str, metrics: ServingMetrics) -> list[Route]:
    """The admin routes, guarded by ``token``."""
    lock = asyncio.Lock()

    async def swap(request: Request) -> Response:
        if not _authorized(request, token):
            return error_response(
                RequestError(401, UNAUTHORIZED, "send Authorization: Bearer <admin token>"),
                headers={"WWW-Authenticate": "Bearer"},
            )
        try:
            manifest = _manifest(await read_body(request, MAX_MANIFEST_BYTES))
            async with lock:
                new = await run_in_threadpool(_load, manifest)
                old = holder.swap(new)
        except RequestError as exc:
            metrics.swaps.labels("refused").inc()
            return error_response(exc)
        metrics.swaps.labels("swapped").inc()
        return JSONResponse(
            {"model_version": new.version, "previous_version": old.version},
            headers={"X-Model-Version": str(new.version)},
        )

    async def features(request: Request) -> Response:
        if not _authorized(request, token):
            return error_response(
                RequestError(401, UNAUTHORIZED, "send Authorization: Bearer <admin token>"),
                headers={"WWW-Authenticate": "Bearer"},
            )
        try:
            snapshots = _snapshots(await read_body(request, MAX_MANIFEST_BYTES))
            async with lock:
                current = holder.current
                online = await run_in_threadpool(_load_snapshots, current, snapshots)
                holder.swap(replace(current, features=online))
        except RequestError as exc:
            return error_response(exc)
        return JSONResponse(
            {
                "model_version": current.version,
                "snapshots": {k: v.sha256 for k, v in online.snapshots.items()},
            },
            headers={"X-Model-Version": str(current.version)},
        )

    return [
        Route("/admin/swap", swap, methods=["POST"]),
        Route("/admin/features", features, methods=["POST"]),
    ]


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


def _snapshots(body: bytes) -> dict[str, dict[str, str]]:
    """The body of ``POST /admin/features``: view name to ``{"path", "sha256"}``."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise RequestError(400, BAD_MANIFEST, f"the snapshot body is not JSON: {exc}") from exc
    if not isinstance(data, dict) or not all(
        isinstance(v, dict) and isinstance(v.get("path"), str) and isinstance(v.get("sha256"), str)
        for v in data.values()
    ):
        raise RequestError(
            400, BAD_MANIFEST, 'the snapshot body must map view names to {"path", "sha256"}'
        )
    for entry in data.values():
        if not Path(entry["path"]).is_absolute() or not Path(entry["path"]).is_file():
            raise RequestError(400, BAD_MANIFEST, "a snapshot path must be an absolute file path")
    return data


def _load_snapshots(model: LoadedModel, snapshots: dict[str, dict[str, str]]) -> OnlineFeatures:
    """The served model's online features from new snapshot files (in a worker thread)."""
    if not model.signature.features:
        raise RequestError(
            409, MODEL_REFUSED, f"version {model.version} was not trained with feature views"
        )
    try:
        features = load_features(model.signature, snapshots)
    except WorkbenchError as exc:
        raise RequestError(422, MODEL_REFUSED, f"feature snapshot refused: {exc}") from exc
    assert features is not None
    return features


def _load(manifest: ServingManifest) -> LoadedModel:
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
