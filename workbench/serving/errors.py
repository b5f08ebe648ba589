"""The one error a scoring request can fail with, carrying its HTTP status and code.

Everything that is wrong with a request (its body, its columns, its values) is raised as a
:class:`RequestError` deep in parsing or conforming, and turned into the JSON body
``{"error_code": ..., "message": ...}`` only at the HTTP edge in ``app.py``. Messages
name the field, column and row that were wrong but never repeat the submitted values, so
an error body cannot leak data into a log or a proxy.
"""

from __future__ import annotations

from collections.abc import Iterable

from workbench.core.errors import ServingError

MALFORMED_REQUEST = "MALFORMED_REQUEST"
"""The body is not valid JSON/CSV or does not have one of the accepted shapes (400)."""
EMPTY_INPUT = "EMPTY_INPUT"
"""The body holds no rows to score (400)."""
UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
"""The Content-Type is neither ``application/json`` nor ``text/csv`` (415)."""
PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
"""The body is larger than the server's ``max_body_bytes`` (413)."""
MISSING_COLUMNS = "MISSING_COLUMNS"
"""A column of the model signature is absent from the request (400)."""
UNEXPECTED_COLUMNS = "UNEXPECTED_COLUMNS"
"""Strict mode only: the request has columns the model does not use (400)."""
INVALID_VALUE = "INVALID_VALUE"
"""A value cannot be read as its column's dtype, or is NaN/infinite (400)."""
PREDICTION_FAILED = "PREDICTION_FAILED"
"""The estimator refused the (well-typed) input, e.g. a null it cannot impute (400)."""
NOT_FOUND = "NOT_FOUND"
"""No route at this path (404)."""
METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
"""The route exists but not for this HTTP method (405)."""
INTERNAL_ERROR = "INTERNAL_ERROR"
"""A bug or an unexpected failure; details are in the server log, not the body (500)."""

_MAX_NAME_CHARS = 64
_MAX_NAMES = 10


class RequestError(ServingError):
    """A scoring request the server refuses, answered as a 4xx JSON error.

    Attributes mirror the response: ``status`` is the HTTP status, ``error_code`` one of
    the constants in this module, ``message`` the sentence a person reads.
    """

    def __init__(self, status: int, error_code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error_code = error_code
        self.message = message

    def to_dict(self) -> dict[str, str]:
        """The JSON error body."""
        return {"error_code": self.error_code, "message": self.message}


def bad_request(error_code: str, message: str) -> RequestError:
    """A 400 error: the most common refusal, named so call sites stay short."""
    return RequestError(400, error_code, message)


def internal_error() -> RequestError:
    """The 500 for a bug: no details in the body (they go to the log)."""
    return RequestError(500, INTERNAL_ERROR, "internal error; see the server log")


def quote_name(name: str) -> str:
    """A column or field name as it appears in a message: quoted and cut to a sane length.

    Names come from the request, so a name is shortened rather than trusted to be small.
    """
    if len(name) > _MAX_NAME_CHARS:
        name = name[:_MAX_NAME_CHARS] + "..."
    return repr(name)


def name_list(names: Iterable[str]) -> str:
    """Several names for one message, capped so a 10,000-column request stays readable."""
    names = list(names)
    shown = ", ".join(quote_name(n) for n in names[:_MAX_NAMES])
    hidden = len(names) - _MAX_NAMES
    return f"{shown} and {hidden} more" if hidden > 0 else shown
