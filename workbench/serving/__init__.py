"""The scoring server block: serve one model version over HTTP, in its own process.

It never opens the DuckDB store; it learns what to serve from a
:class:`ServingManifest` the engine writes, loads the artifact by hash
(:class:`LoadedModel`), checks every request against the model signature, and answers
MLflow-compatible ``/invocations`` requests. See ``app.py`` for the HTTP contract and
``python -m workbench.serving --help`` for the process the engine supervises.
"""

from workbench.serving.app import create_app
from workbench.serving.conform import DTYPES, ConformedFrame, conform
from workbench.serving.errors import RequestError
from workbench.serving.loaded import LoadedModel, ModelHolder
from workbench.serving.manifest import ServingManifest, read_manifest, write_manifest
from workbench.serving.payloads import JSON_FORMATS, parse_payload, payload_kind
from workbench.serving.server import ScoringServer, build_server, check_host, serve

__all__ = [
    "DTYPES",
    "JSON_FORMATS",
    "ConformedFrame",
    "LoadedModel",
    "ModelHolder",
    "RequestError",
    "ScoringServer",
    "ServingManifest",
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
