"""``GET /openapi.json``: an OpenAPI 3.1 document of the routes this server has.

Starlette's schema generator lists the app's routes (so a route added later shows up,
and the admin route appears only when it exists); the operations are described here in
Python rather than as YAML in docstrings, so the document needs no YAML parser and the
request bodies are real JSON Schemas a client generator can use. Every status a route
can answer is declared with its body (the schemas are in ``openapi_schemas``; a test
runs schemathesis against this document), and a row is typed by the served model's
signature, with examples that model answers.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.routing import BaseRoute
from starlette.schemas import BaseSchemaGenerator

from workbench import __version__
from workbench.core.signature import Signature
from workbench.serving.loaded import LoadedModel
from workbench.serving.open_inference import SIGNATURE_DATATYPES
from workbench.serving.openapi_schemas import SCHEMAS, row_schema
from workbench.serving.payloads import JSON_FORMATS

_PARAM = re.compile(r"{(\w+)}")
_ERROR = {"$ref": "#/components/schemas/Error"}
_EXAMPLE_VALUES: dict[str, Any] = {
    "int": 0,
    "float": 0.0,
    "bool": False,
    "string": "",
    "datetime": "1970-01-01T00:00:00",
}
"""A value of each signature dtype for the examples (the model's warm-up values)."""


def _json(schema: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}


def _answer(description: str, schema: str | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {"description": description}
    if schema is not None:
        answer["content"] = _json(schema)
    return answer


_HOST = {"400": _answer("the Host header is not one this server answers for", "Error")}
"""Every route: the DNS-rebinding guard answers before any route runs."""
_SCORING_ERRORS = {
    "400": _answer("the body, a column or a value is wrong (or the Host header)", "Error"),
    "408": _answer("the body stopped short of its end within the timeout", "Error"),
    "413": _answer("the body is larger than the cap", "Error"),
    "415": _answer("unsupported Content-Type or a charset other than UTF-8", "Error"),
    "503": _answer("too many requests in progress; retry after Retry-After", "Error"),
    "504": _answer("the request took longer than the timeout", "Error"),
}
_MODEL_NOT_FOUND = {"404": _answer("another model or version is served", "Error")}
_INFER = {
    "summary": "Open Inference Protocol (V2) inference",
    "requestBody": {"required": True, "content": _json("InferRequest")},
    "responses": {
        "200": _answer("predictions as output tensors", "InferResponse"),
        **_MODEL_NOT_FOUND,
        **_SCORING_ERRORS,
    },
}


def _get(summary: str, answer: dict[str, Any], **errors: dict[str, Any]) -> dict[str, Any]:
    """A GET operation: its 200, the Host refusal and any other error it can answer."""
    return {"summary": summary, "responses": {"200": answer, **_HOST, **errors}}


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
            "400": _answer("the body is not a valid manifest (or the Host header)", "Error"),
            "401": _answer("missing or wrong token", "Error"),
            "413": _answer("the body is larger than the cap", "Error"),
            "422": _answer("the model cannot be served; the old one keeps serving", "Error"),
        },
    },
    ("/metrics", "get"): _get(
        "Prometheus metrics (text exposition format)",
        {"description": "metrics", "content": {"text/plain": {"schema": {"type": "string"}}}},
    ),
    ("/ping", "get"): _get("Liveness", {"description": "alive (empty body)"}),
    ("/health", "get"): _get("Served model name and version", _answer("serving", "Health")),
    ("/version", "get"): _get(
        "Workbench and model versions, artifact hash", _answer("versions", "VersionInfo")
    ),
    ("/openapi.json", "get"): _get("This document", _answer("OpenAPI 3.1", "OpenAPI")),
    ("/v2", "get"): _get("V2 server metadata", _answer("server metadata", "ServerMetadata")),
    ("/v2/health/live", "get"): _get("V2 liveness", _answer("live", "Live")),
    ("/v2/health/ready", "get"): _get("V2 readiness", _answer("ready", "Ready")),
    ("/v2/models", "get"): _get("V2 models served", _answer("served models", "ModelList")),
    ("/v2/models/{name}", "get"): _get(
        "V2 model metadata", _answer("model metadata", "ModelMetadata"), **_MODEL_NOT_FOUND
    ),
    ("/v2/models/{name}/ready", "get"): _get(
        "V2 model readiness", _answer("model readiness", "ModelReady"), **_MODEL_NOT_FOUND
    ),
    ("/v2/models/{name}/versions/{version}", "get"): _get(
        "V2 model version metadata (version: its number or 'production')",
        _answer("model metadata", "ModelMetadata"),
        **_MODEL_NOT_FOUND,
    ),
    ("/v2/models/{name}/versions/{version}/ready", "get"): _get(
        "V2 model version readiness (version: its number or 'production')",
        _answer("model readiness", "ModelReady"),
        **_MODEL_NOT_FOUND,
    ),
}
"""Every route's operation; a route missing here is still listed, with a bare 200."""


class OpenAPIGenerator(BaseSchemaGenerator):
    """Builds the document from the app's routes and the operations above."""

    def get_schema(self, routes: list[BaseRoute]) -> dict[str, Any]:
        return self.document(routes)

    def document(self, routes: list[BaseRoute], model: LoadedModel | None = None) -> dict[str, Any]:
        """The document, describing the served ``model``'s rows when one is given.

        With a model, a row is typed by its signature (columns, JSON types) and the
        request bodies and path parameters carry examples the model answers, so a reader
        or a generated client can try them as they are.
        """
        paths: dict[str, dict[str, Any]] = {}
        for endpoint in self.get_endpoints(routes):
            operation = OPERATIONS.get((endpoint.path, endpoint.http_method)) or {
                "summary": endpoint.path,
                "responses": {"200": {"description": "OK"}, **_HOST},
            }
            operation = _with_examples(dict(operation), model)
            names = _PARAM.findall(endpoint.path)
            if names:
                operation["parameters"] = [_path_parameter(n, model) for n in names]
            paths.setdefault(endpoint.path, {})[endpoint.http_method] = operation
        schemas = dict(SCHEMAS)
        if model is not None:
            schemas["Row"] = row_schema(model.signature)
        return {
            "openapi": "3.1.0",
            "info": {"title": "Workbench scoring server", "version": __version__},
            "paths": paths,
            "components": {
                "schemas": schemas,
                "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            },
        }


def _example_row(signature: Signature) -> dict[str, Any]:
    return {spec.name: _EXAMPLE_VALUES[spec.dtype] for spec in signature.inputs}


def _example_tensors(signature: Signature) -> dict[str, Any]:
    return {
        "inputs": [
            {
                "name": spec.name,
                "shape": [1],
                "datatype": SIGNATURE_DATATYPES[spec.dtype],
                "data": [_EXAMPLE_VALUES[spec.dtype]],
            }
            for spec in signature.inputs
        ]
    }


def _with_examples(operation: dict[str, Any], model: LoadedModel | None) -> dict[str, Any]:
    """``operation`` with a request body example the served model answers."""
    body = operation.get("requestBody")
    if model is None or body is None or "application/json" not in body["content"]:
        return operation
    media = dict(body["content"]["application/json"])
    ref = media["schema"].get("$ref", "")
    if ref.endswith("/InvocationRequest"):
        media["example"] = {"dataframe_records": [_example_row(model.signature)]}
    elif ref.endswith("/InferRequest"):
        media["example"] = _example_tensors(model.signature)
    else:
        return operation
    content = {**body["content"], "application/json": media}
    return {**operation, "requestBody": {**body, "content": content}}


def _path_parameter(name: str, model: LoadedModel | None) -> dict[str, Any]:
    parameter: dict[str, Any] = {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
    }
    if model is not None and name in ("name", "version"):
        parameter["example"] = model.name if name == "name" else str(model.version)
    return parameter
