"""The JSON Schemas of the scoring server's bodies, for its OpenAPI document.

Each schema says what the server really accepts or answers (a schemathesis test checks
the live server against them); ``row_schema`` types a row by the served model's
signature, so the document of a running server describes that model's input.
"""

from __future__ import annotations

from typing import Any

from workbench.core.signature import Signature

_ROWS = {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/Row"}}
_SCALAR = {"type": ["string", "number", "integer", "boolean", "null"]}
"""A cell: the server refuses a list or an object in any column, used or not."""
JSON_TYPES: dict[str, dict[str, str]] = {
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "bool": {"type": "boolean"},
    "string": {"type": "string"},
    "datetime": {"type": "string", "format": "date-time"},
}
"""How a value of each signature dtype is written in JSON."""
SCHEMAS: dict[str, Any] = {
    "Row": {
        "type": "object",
        "description": "One row: column name -> value.",
        "additionalProperties": _SCALAR,
    },
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
        "description": "Exactly one input key, as MLflow's scoring server accepts, and "
        "optionally MLflow's 'params' (a scikit-learn model takes none: they are ignored and "
        "named in X-Workbench-Ignored-Params).",
        "minProperties": 1,
        "maxProperties": 2,
        "properties": {
            "params": {"type": "object"},
            "dataframe_split": {
                "type": "object",
                "required": ["columns", "data"],
                "properties": {
                    "columns": {"type": "array", "items": {"type": "string"}},
                    "data": {"type": "array", "minItems": 1, "items": {"type": "array"}},
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
            "threshold": {
                "type": "number",
                "description": "Binary: P(positive) from which a row is labelled positive.",
            },
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
            "model_name": {"type": "string", "minLength": 1},
            "version": {"type": "integer", "minimum": 1},
            "artifact_path": {
                "type": "string",
                "pattern": "^/",
                "description": "absolute path of the skops file",
            },
            "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "signature": {"$ref": "#/components/schemas/Signature"},
            "metrics": {"type": "object", "additionalProperties": {"type": "number"}},
        },
        "additionalProperties": False,
    },
    "Signature": {
        "type": "object",
        "required": ["inputs", "target", "task"],
        "properties": {
            "inputs": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["name", "dtype"],
                    "properties": {
                        "name": {"type": "string", "minLength": 1},
                        "dtype": {"enum": list(JSON_TYPES)},
                    },
                },
            },
            "target": {"type": "string"},
            "task": {"enum": ["binary", "multiclass", "regression"]},
            "classes": {"type": "array"},
        },
    },
    "SwapResponse": {
        "type": "object",
        "required": ["model_version", "previous_version"],
        "properties": {
            "model_version": {"type": "integer"},
            "previous_version": {"type": "integer"},
        },
    },
    "Health": {
        "type": "object",
        "required": ["status", "model_version", "model_name"],
        "properties": {
            "status": {"const": "ok"},
            "model_version": {"type": "integer"},
            "model_name": {"type": "string"},
        },
    },
    "VersionInfo": {
        "type": "object",
        "required": ["workbench_version", "model_name", "model_version", "model_sha256"],
        "properties": {
            "workbench_version": {"type": "string"},
            "model_name": {"type": "string"},
            "model_version": {"type": "integer"},
            "model_sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        },
    },
    "ServerMetadata": {
        "type": "object",
        "required": ["name", "version", "extensions"],
        "properties": {
            "name": {"type": "string"},
            "version": {"type": "string"},
            "extensions": {"type": "array", "items": {"type": "string"}},
        },
    },
    "Live": {
        "type": "object",
        "required": ["live"],
        "properties": {"live": {"type": "boolean"}},
    },
    "Ready": {
        "type": "object",
        "required": ["ready"],
        "properties": {"ready": {"type": "boolean"}},
    },
    "ModelList": {
        "type": "object",
        "required": ["models"],
        "properties": {
            "models": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["name", "versions", "aliases", "ready"],
                    "properties": {
                        "name": {"type": "string"},
                        "versions": {"type": "array", "items": {"type": "string"}},
                        "aliases": {"type": "array", "items": {"type": "string"}},
                        "ready": {"type": "boolean"},
                    },
                },
            }
        },
    },
    "ModelReady": {
        "type": "object",
        "required": ["name", "ready"],
        "properties": {"name": {"type": "string"}, "ready": {"type": "boolean"}},
    },
    "TensorMetadata": {
        "type": "object",
        "required": ["name", "datatype", "shape"],
        "properties": {
            "name": {"type": "string"},
            "datatype": {"type": "string"},
            "shape": {"type": "array", "items": {"type": "integer", "minimum": -1}},
        },
    },
    "ModelMetadata": {
        "type": "object",
        "required": ["name", "versions", "platform", "inputs", "outputs"],
        "properties": {
            "name": {"type": "string"},
            "versions": {"type": "array", "items": {"type": "string"}},
            "platform": {"type": "string"},
            "inputs": {"type": "array", "items": {"$ref": "#/components/schemas/TensorMetadata"}},
            "outputs": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/TensorMetadata"},
            },
            "parameters": {"type": "object"},
        },
    },
    "OpenAPI": {
        "type": "object",
        "required": ["openapi", "info", "paths"],
        "properties": {
            "openapi": {"type": "string"},
            "info": {"type": "object"},
            "paths": {"type": "object"},
        },
    },
}


def row_schema(signature: Signature) -> dict[str, Any]:
    """One row of the model's input: every signature column, typed; others are allowed."""
    return {
        "type": "object",
        "description": "One row: every input column of the served model (others are "
        "ignored, or refused by a strict server).",
        "required": [spec.name for spec in signature.inputs],
        "properties": {spec.name: dict(JSON_TYPES[spec.dtype]) for spec in signature.inputs},
        "additionalProperties": _SCALAR,
    }
