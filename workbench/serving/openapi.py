"""``GET /openapi.json``: an OpenAPI 3.1 document of the routes this server has.

Starlette's schema generator lists the app's routes (so a route added later shows up,
and the admin route appears only when it exists); the operations are described here in
Python rather than as YAML in docstrings, so the document needs no YAML parser and the
request bodies are real JSON Schemas a client generator can use.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.routing import BaseRoute
from starlette.schemas import BaseSchemaGenerator

from workbench import __version__
from workbench.serving.payloads import JSON_FORMATS

_PARAM = re.compile(r"{(\w+)}")
_ERROR = {"$ref": "#/components/schemas/Error"}
_ROWS = {"type": "array", "items": {"type": "object"}}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error_code", "message"],
        "properties": {
            "error_code": {"type": "string"},
            "message": {"type": "string"},
            "error": {"type": "string", "description": "V2 routes only: the message again"},
        },
    },
    "InvocationRequest": {
        "type": "object",
        "description": "Exactly one of the keys, as MLflow's scoring server accepts.",
        "minProperties": 1,
        "maxProperties": 1,
        "properties": {
            "dataframe_split": {
                "type": "object",
                "required": ["columns", "data"],
                "properties": {
                    "columns": {"type": "array", "items": {"type": "string"}},
                    "data": {"type": "array", "items": {"type": "array"}},
                    "index": {"type": "array"},
                },
            },
            "dataframe_records": _ROWS,
            "instances": {"oneOf": [_ROWS, {"type": "object"}]},
            "inputs": {"oneOf": [_ROWS, {"type": "object"}]},
        },
        "additionalProperties": False,
    },
    "InvocationResponse": {
        "type": "object",
        "required": ["predictions", "model_version"],
        "properties": {
            "predictions": {"type": "array"},
            "model_version": {"type": "integer"},
            "probabilities": {"type": "array", "items": {"type": "array"}},
            "classes": {"type": "array"},
        },
    },
    "Tensor": {
        "type": "object",
        "required": ["name", "shape", "datatype", "data"],
        "properties": {
            "name": {"type": "string"},
            "shape": {"type": "array", "items": {"type": "integer", "minimum": 0}},
            "datatype": {"type": "string"},
            "data": {"type": "array"},
            "parameters": {"type": "object"},
        },
    },
    "InferRequest": {
        "type": "object",
        "required": ["inputs"],
        "properties": {
            "id": {"type": "string"},
            "inputs": {"type": "array", "items": {"$ref": "#/components/schemas/Tensor"}},
            "outputs": {
                "type": "array",
                "items": {"type": "object", "properties": {"name": {"type": "string"}}},
            },
            "parameters": {"type": "object"},
        },
    },
    "InferResponse": {
        "type": "object",
        "required": ["model_name", "model_version", "outputs"],
        "properties": {
            "model_name": {"type": "string"},
            "model_version": {"type": "string"},
            "id": {"type": "string"},
            "outputs": {"type": "array", "items": {"$ref": "#/components/schemas/Tensor"}},
        },
    },
    "ServingManifest": {
        "type": "object",
        "required": ["model_name", "version", "artifact_path", "sha256", "signature"],
        "properties": {
            "model_name": {"type": "string"},
            "version": {"type": "integer", "minimum": 1},
            "artifact_path": {"type": "string"},
            "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "signature": {"type": "object"},
            "metrics": {"type": "object"},
        },
        "additionalProperties": False,
    },
    "SwapResponse": {
        "type": "object",
        "properties": {
            "model_version": {"type": "integer"},
            "previous_version": {"type": "integer"},
        },
    },
}


def _json(schema: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}


def _answer(description: str, schema: str | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {"description": description}
    if schema is not None:
        answer["content"] = _json(schema)
    return answer


_SCORING_ERRORS = {
    "400": _answer("the body, a column or a value is wrong", "Error"),
    "413": _answer("the body is larger than the cap", "Error"),
    "415": _answer("unsupported Content-Type", "Error"),
    "503": _answer("too many requests in progress; retry after Retry-After", "Error"),
    "504": _answer("the request took longer than the timeout", "Error"),
}
_INFER = {
    "summary": "Open Inference Protocol (V2) inference",
    "requestBody": {"required": True, "content": _json("InferRequest")},
    "responses": {
        "200": _answer("predictions as output tensors", "InferResponse"),
        "404": _answer("another model or version is served", "Error"),
        **_SCORING_ERRORS,
    },
}
OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("/invocations", "post"): {
        "summary": "Score rows (MLflow scoring server format)",
        "description": "JSON with one of " + ", ".join(JSON_FORMATS) + ", or CSV with a header.",
        "requestBody": {
            "required": True,
            "content": {
                **_json("InvocationRequest"),
                "text/csv": {"schema": {"type": "string"}},
            },
        },
        "responses": {"200": _answer("predictions", "InvocationResponse"), **_SCORING_ERRORS},
    },
    ("/v2/models/{name}/infer", "post"): _INFER,
    ("/v2/models/{name}/versions/{version}/infer", "post"): _INFER,
    ("/admin/swap", "post"): {
        "summary": "Load, warm and switch to another model version (bearer token)",
        "security": [{"bearer": []}],
        "requestBody": {"required": True, "content": _json("ServingManifest")},
        "responses": {
            "200": _answer("now serving the new version", "SwapResponse"),
            "400": _answer("the body is not a valid manifest", "Error"),
            "401": _answer("missing or wrong token", "Error"),
            "422": _answer("the model cannot be served; the old one keeps serving", "Error"),
        },
    },
    ("/metrics", "get"): {
        "summary": "Prometheus metrics (text exposition format)",
        "responses": {"200": {"description": "metrics", "content": {"text/plain": {}}}},
    },
}
SUMMARIES = {
    "/ping": "Liveness (empty 200)",
    "/health": "Served model name and version",
    "/version": "Workbench and model versions, artifact hash",
    "/openapi.json": "This document",
    "/v2": "V2 server metadata",
    "/v2/health/live": "V2 liveness",
    "/v2/health/ready": "V2 readiness",
    "/v2/models/{name}": "V2 model metadata",
    "/v2/models/{name}/ready": "V2 model readiness",
}


class OpenAPIGenerator(BaseSchemaGenerator):
    """Builds the document from the app's routes and the operations above."""

    def get_schema(self, routes: list[BaseRoute]) -> dict[str, Any]:
        paths: dict[str, dict[str, Any]] = {}
        for endpoint in self.get_endpoints(routes):
            operation = OPERATIONS.get((endpoint.path, endpoint.http_method)) or {
                "summary": SUMMARIES.get(endpoint.path, endpoint.path),
                "responses": {"200": {"description": "OK"}},
            }
            operation = dict(operation)
            names = _PARAM.findall(endpoint.path)
            if names:
                operation["parameters"] = [
                    {"name": n, "in": "path", "required": True, "schema": {"type": "string"}}
                    for n in names
                ]
            paths.setdefault(endpoint.path, {})[endpoint.http_method] = operation
        return {
            "openapi": "3.1.0",
            "info": {"title": "Workbench scoring server", "version": __version__},
            "paths": paths,
            "components": {
                "schemas": SCHEMAS,
                "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            },
        }
