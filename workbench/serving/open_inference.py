"""The Open Inference Protocol (KServe V2) over the same scoring path as ``/invocations``.

Routes: ``GET /v2`` (server metadata), ``GET /v2/health/live``, ``GET /v2/health/ready``,
``GET /v2/models`` (what is served), ``GET /v2/models/{name}[/versions/{version}]``
(model metadata), ``GET /v2/models/{name}[/versions/{version}]/ready``, and
``POST /v2/models/{name}[/versions/{version}]/infer``. The version in a path is the
served version's number or its alias, ``production`` (the engine serves that alias), so a
client need not learn the number before it calls.

An infer request names its tensors. Two layouts are accepted:

* **one tensor per column** (what MLServer's pandas codec sends): each input is named
  after a signature column, with shape ``[n]`` or ``[n, 1]``;
* **one 2-D tensor** of shape ``[n, k]`` whose ``k`` columns are the signature's inputs
  in signature order (a numpy-style client).

``data`` may be flat (row-major) or nested. The answer has a ``predict`` output and,
for a classifier, ``predict_proba`` of shape ``[n, classes]`` whose ``parameters`` name
the classes. ``model_version`` is a string, as the protocol says. Errors carry
``"error"`` (the protocol's key) beside our ``error_code`` and ``message``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from typing import Any

import polars as pl
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from workbench import __version__
from workbench.core.signature import Signature
from workbench.serving.errors import (
    MALFORMED_REQUEST,
    UNSUPPORTED_MEDIA_TYPE,
    RequestError,
    bad_request,
    internal_error,
    quote_name,
)
from workbench.serving.loaded import LoadedModel
from workbench.serving.payloads import frame_from_columns, load_json
from workbench.serving.responses import error_response
from workbench.serving.scoring import Scored
from workbench.serving.service import ScoringService

logger = logging.getLogger(__name__)

NUMERIC_TYPES = frozenset(
    {"UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64"}
    | {"FP16", "FP32", "FP64"}
)
DATATYPES = NUMERIC_TYPES | {"BOOL", "BYTES"}
"""Tensor datatypes of the protocol accepted in JSON bodies."""
SIGNATURE_DATATYPES = {
    "int": "INT64",
    "float": "FP64",
    "bool": "BOOL",
    "string": "BYTES",
    "datetime": "BYTES",
}
"""How each signature dtype is described in model metadata (datetimes as ISO text)."""
MODEL_NOT_FOUND = "MODEL_NOT_FOUND"
"""The path names a model or version this server does not serve (404)."""
OUTPUTS = ("predict", "predict_proba")
ALIASES = ("production",)
"""Aliases that name the served version in a path (the engine serves ``production``)."""


def check_model(model: LoadedModel, name: str, version: str | None = None) -> None:
    """Refuse a path that names another model or another version than the one served.

    Raises:
        RequestError: 404 ``MODEL_NOT_FOUND`` naming what is served.
    """
    known = (str(model.version), *ALIASES)
    if name != model.name or (version is not None and version not in known):
        asked = f"model {quote_name(name)}" + (f" version {quote_name(version)}" if version else "")
        raise RequestError(
            404,
            MODEL_NOT_FOUND,
            f"this server does not serve {asked}; it serves model "
            f"{quote_name(model.name)} version {model.version}",
        )


def parse_infer(body: bytes, signature: Signature) -> tuple[pl.DataFrame, list[str], str | None]:
    """Read an infer request: the input frame, the outputs asked for, and its ``id``.

    Raises:
        RequestError: 400 naming the input tensor and the field that is wrong.
    """
    document = load_json(body)
    if not isinstance(document, dict) or not isinstance(document.get("inputs"), list):
        raise bad_request(
            MALFORMED_REQUEST, "an infer request is an object with an 'inputs' list of tensors"
        )
    request_id = document.get("id")
    if request_id is not None and not isinstance(request_id, str):
        raise bad_request(MALFORMED_REQUEST, "'id' must be a string (it is echoed back)")
    tensors = [_tensor(t, i) for i, t in enumerate(document["inputs"])]
    if not tensors:
        raise bad_request(MALFORMED_REQUEST, "'inputs' holds no tensors")
    return _frame(tensors, signature), _requested_outputs(document.get("outputs")), request_id


def _tensor(tensor: Any, index: int) -> tuple[str, list[int], list[Any]]:
    """One input tensor checked: (name, shape, flat data)."""
    where = f"inputs[{index}]"
    if not isinstance(tensor, dict):
        raise bad_request(MALFORMED_REQUEST, f"{where} must be an object")
    name, shape, datatype = tensor.get("name"), tensor.get("shape"), tensor.get("datatype")
    if not isinstance(name, str) or not name:
        raise bad_request(MALFORMED_REQUEST, f"{where}.name must be a non-empty string")
    where = f"input {quote_name(name)}"
    if not isinstance(shape, list) or not all(
        isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape
    ):
        raise bad_request(MALFORMED_REQUEST, f"{where}: 'shape' must be a list of sizes")
    if datatype not in DATATYPES:
        raise bad_request(
            MALFORMED_REQUEST, f"{where}: 'datatype' must be one of {', '.join(sorted(DATATYPES))}"
        )
    if "data" not in tensor:
        raise bad_request(MALFORMED_REQUEST, f"{where}: 'data' is missing")
    data = list(_flatten(tensor["data"]))
    if len(data) != math.prod(shape):
        raise bad_request(
            MALFORMED_REQUEST,
            f"{where}: shape {shape} holds {math.prod(shape)} values but 'data' has {len(data)}",
        )
    for position, value in enumerate(data):
        if value is not None and not _fits(value, datatype):
            raise bad_request(
                MALFORMED_REQUEST,
                f"{where}: value {position + 1} is not of datatype {datatype}",
            )
    return name, shape, data


def _flatten(data: Any) -> Iterator[Any]:
    if isinstance(data, list):
        for item in data:
            yield from _flatten(item)
    else:
        yield data


def _fits(value: Any, datatype: str) -> bool:
    if datatype == "BOOL":
        return isinstance(value, bool)
    if datatype == "BYTES":
        return isinstance(value, str)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return datatype.startswith("FP") or isinstance(value, int)


def _frame(tensors: list[tuple[str, list[int], list[Any]]], signature: Signature) -> pl.DataFrame:
    """Columns from per-column tensors, or from one ``[n, k]`` tensor in signature order."""
    names = [spec.name for spec in signature.inputs]
    if len(tensors) == 1 and tensors[0][0] not in names and len(tensors[0][1]) == 2:
        name, (_rows, width), data = tensors[0]
        if width != len(names):
            raise bad_request(
                MALFORMED_REQUEST,
                f"input {quote_name(name)} has {width} columns but the model takes "
                f"{len(names)}: {', '.join(names)}",
            )
        return frame_from_columns({n: data[j::width] for j, n in enumerate(names)})
    columns: dict[str, list[Any]] = {}
    lengths: set[int] = set()
    for name, shape, data in tensors:
        if len(shape) not in (1, 2) or (len(shape) == 2 and shape[1] != 1):
            raise bad_request(
                MALFORMED_REQUEST,
                f"input {quote_name(name)} must have shape [n] or [n, 1] (one column), not {shape}",
            )
        if name in columns:
            raise bad_request(MALFORMED_REQUEST, f"input {quote_name(name)} is given twice")
        columns[name] = data
        lengths.add(len(data))
    if len(lengths) > 1:
        raise bad_request(MALFORMED_REQUEST, "the input tensors differ in length")
    return frame_from_columns(columns)


def _requested_outputs(outputs: Any) -> list[str]:
    if outputs is None:
        return list(OUTPUTS)
    if not isinstance(outputs, list) or not all(
        isinstance(o, dict) and o.get("name") in OUTPUTS for o in outputs
    ):
        raise bad_request(
            MALFORMED_REQUEST,
            "'outputs' must be a list of {'name': ...} naming "
            + " or ".join(repr(o) for o in OUTPUTS),
        )
    return [o["name"] for o in outputs]


def infer_response(
    scored: Scored, model_name: str, wanted: list[str], request_id: str | None
) -> dict[str, Any]:
    """The infer response body for a scored request."""
    prediction = scored.prediction
    rows = len(prediction.predictions)
    outputs: list[dict[str, Any]] = []
    if "predict" in wanted:
        outputs.append(
            {
                "name": "predict",
                "datatype": _datatype(prediction.predictions),
                "shape": [rows],
                "data": prediction.predictions,
            }
        )
    if "predict_proba" in wanted and prediction.probabilities is not None:
        classes = prediction.classes or []
        outputs.append(
            {
                "name": "predict_proba",
                "datatype": "FP64",
                "shape": [rows, len(classes)],
                "data": [p for row in prediction.probabilities for p in row],
                "parameters": {"classes": classes},
            }
        )
    body: dict[str, Any] = {
        "model_name": model_name,
        "model_version": str(scored.model_version),
        "outputs": outputs,
    }
    if request_id is not None:
        body["id"] = request_id
    return body


def _datatype(values: list[Any]) -> str:
    kinds = {type(v) for v in values if v is not None}
    if kinds == {bool}:
        return "BOOL"
    if kinds == {int}:
        return "INT64"
    if kinds and kinds <= {int, float}:
        return "FP64"
    return "BYTES"


def model_metadata(model: LoadedModel) -> dict[str, Any]:
    """``GET /v2/models/{name}``: the served version, its inputs and outputs."""
    signature = model.signature
    outputs: list[dict[str, Any]] = [
        {"name": "predict", "datatype": _label_datatype(signature), "shape": [-1]}
    ]
    if signature.task != "regression" and hasattr(model.estimator, "predict_proba"):
        width = len(signature.classes) or -1
        outputs.append({"name": "predict_proba", "datatype": "FP64", "shape": [-1, width]})
    return {
        "name": model.name,
        "versions": [str(model.version)],
        "platform": "sklearn",
        "inputs": [
            {"name": spec.name, "datatype": SIGNATURE_DATATYPES[spec.dtype], "shape": [-1]}
            for spec in signature.inputs
        ],
        "outputs": outputs,
        "parameters": {"task": signature.task, "sha256": model.sha256},
    }


def _label_datatype(signature: Signature) -> str:
    if signature.task == "regression":
        return "FP64"
    return _datatype(list(signature.classes)) if signature.classes else "BYTES"


def v2_routes(service: ScoringService) -> list[Route]:
    """The V2 routes over ``service`` (health, metadata, infer)."""
    holder = service.holder

    async def server_metadata(request: Request) -> Response:
        return JSONResponse({"name": "workbench", "version": __version__, "extensions": []})

    async def live(request: Request) -> Response:
        return JSONResponse({"live": True})

    async def ready(request: Request) -> Response:
        return JSONResponse({"ready": True})

    async def models(request: Request) -> Response:
        model = holder.current
        served = {
            "name": model.name,
            "versions": [str(model.version)],
            "aliases": list(ALIASES),
            "ready": True,
        }
        return JSONResponse({"models": [served]}, headers=_version(model))

    async def model_ready(request: Request) -> Response:
        model = holder.current
        try:
            check_model(model, request.path_params["name"], request.path_params.get("version"))
        except RequestError as exc:
            return error_response(exc, v2=True)
        return JSONResponse({"name": model.name, "ready": True}, headers=_version(model))

    async def metadata(request: Request) -> Response:
        model = holder.current
        try:
            check_model(model, request.path_params["name"], request.path_params.get("version"))
        except RequestError as exc:
            return error_response(exc, v2=True)
        return JSONResponse(model_metadata(model), headers=_version(model))

    async def infer(request: Request) -> Response:
        asked: dict[str, Any] = {}

        def parse(body: bytes, model: LoadedModel) -> pl.DataFrame:
            check_model(model, request.path_params["name"], request.path_params.get("version"))
            frame, asked["outputs"], asked["id"] = parse_infer(body, model.signature)
            asked["name"] = model.name
            return frame

        try:
            _require_json(request.headers.get("content-type"))
            answer = await service.score(request, parse)
        except RequestError as exc:
            return error_response(exc, v2=True)
        except Exception:
            logger.exception("unexpected error answering a V2 infer request")
            return error_response(internal_error(), v2=True)
        body = infer_response(answer.scored, asked["name"], asked["outputs"], asked["id"])
        return JSONResponse(body, headers=answer.headers())

    return [
        Route("/v2", server_metadata, methods=["GET"]),
        Route("/v2/health/live", live, methods=["GET"]),
        Route("/v2/health/ready", ready, methods=["GET"]),
        Route("/v2/models", models, methods=["GET"]),
        Route("/v2/models/{name}", metadata, methods=["GET"]),
        Route("/v2/models/{name}/ready", model_ready, methods=["GET"]),
        Route("/v2/models/{name}/versions/{version}", metadata, methods=["GET"]),
        Route("/v2/models/{name}/versions/{version}/ready", model_ready, methods=["GET"]),
        Route("/v2/models/{name}/infer", infer, methods=["POST"]),
        Route("/v2/models/{name}/versions/{version}/infer", infer, methods=["POST"]),
    ]


def _require_json(content_type: str | None) -> None:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media != "application/json":
        raise RequestError(415, UNSUPPORTED_MEDIA_TYPE, "send Content-Type application/json")


def _version(model: LoadedModel) -> dict[str, str]:
    return {"X-Model-Version": str(model.version)}
