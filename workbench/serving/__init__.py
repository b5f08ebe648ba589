"""The scoring server block: serve one model version over HTTP, in its own process.

It never opens the DuckDB store; it learns what to serve from a
:class:`ServingManifest` the engine writes, loads the artifact by hash
(:class:`LoadedModel`), checks every request against the model signature, and answers
MLflow-compatible ``/invocations`` and Open Inference Protocol ``/v2`` requests, with
hot swap (``/admin/swap``), Prometheus ``/metrics``, an OpenAPI document, a sampled
Parquet prediction log, micro-batching, and limits on concurrency, time and Host.
See ``app.py`` for the HTTP contract and ``python -m workbench.serving --help`` for the
process the engine supervises.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "create_app": "app",
    "DTYPES": "conform",
    "ConformedFrame": "conform",
    "conform": "conform",
    "RequestError": "errors",
    "LoadedModel": "loaded",
    "ModelHolder": "loaded",
    "ServingManifest": "manifest",
    "BatchingOptions": "options",
    "PredictionLogOptions": "options",
    "ServingOptions": "options",
    "TOKEN_ENV": "options",
    "PredictionLog": "prediction_log",
    "MicroBatcher": "batching",
    "read_manifest": "manifest",
    "write_manifest": "manifest",
    "JSON_FORMATS": "payloads",
    "parse_payload": "payloads",
    "payload_kind": "payloads",
    "ScoringServer": "server",
    "build_server": "server",
    "check_host": "hosts",
    "serve": "server",
}


def __getattr__(name: str) -> Any:
    """Load exports on first use: the engine needs the manifest, not starlette."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'workbench.serving' has no attribute {name!r}")
    return getattr(importlib.import_module(f"workbench.serving.{_EXPORTS[name]}"), name)


__all__ = [
    "DTYPES",
    "JSON_FORMATS",
    "TOKEN_ENV",
    "BatchingOptions",
    "ConformedFrame",
    "LoadedModel",
    "MicroBatcher",
    "ModelHolder",
    "PredictionLog",
    "PredictionLogOptions",
    "RequestError",
    "ScoringServer",
    "ServingManifest",
    "ServingOptions",
    "build_server",
    "check_host",
    "conform",
    "create_app",
    "parse_payload",
    "payload_kind",
    "read_manifest",
    "serve",
    "write_manifest",
]
