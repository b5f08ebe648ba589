"""The JSON error body every route shares, and the Open Inference Protocol's variant.

Every error is ``{"error_code": ..., "message": ...}``; routes of the Open Inference
Protocol (``/v2/...``) add ``"error"`` with the same message, which is the key V2
clients read. A 503 carries ``Retry-After``.
"""

from __future__ import annotations

from starlette.responses import JSONResponse

from workbench.serving.errors import RequestError
from workbench.serving.limits import RETRY_AFTER_SECONDS


def error_response(
    error: RequestError, *, v2: bool = False, headers: dict[str, str] | None = None
) -> JSONResponse:
    """The JSON response for a refused request."""
    body: dict[str, str] = error.to_dict()
    if v2:
        body = {"error": error.message, **body}
    extra = dict(headers or {})
    if error.status == 503:
        extra.setdefault("Retry-After", str(RETRY_AFTER_SECONDS))
    return JSONResponse(body, status_code=error.status, headers=extra)
