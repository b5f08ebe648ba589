"""Read a scoring request body into a polars DataFrame, accepting MLflow's formats.

A person who has called an MLflow model server can call ours with the same body:

* ``application/json`` with exactly one of
  ``{"dataframe_split": {"columns": [...], "data": [[...], ...]}}``,
  ``{"dataframe_records": [{...}, ...]}``,
  ``{"instances": ...}`` or ``{"inputs": ...}``, where ``instances``/``inputs`` hold a list
  of records, an object of equal-length column lists, or one record of scalars;
* ``text/csv`` with a header row;
* ``application/vnd.apache.parquet``, a Parquet file (MLflow 3's binary body).

A JSON body may carry MLflow's ``params`` object beside its input key (inference
parameters). A scikit-learn estimator's ``predict`` takes none, so they are returned
apart (:class:`ParsedBody`) for the response to name as ignored, instead of a 400.

Parsing only shapes the data; it does not know the model. Column dtypes are inferred
loosely here (a column mixing numbers and strings becomes strings) so that
``conform.py`` can cast against the signature and name the exact row that fails.
Row numbers in messages count data rows from 1 (the CSV header is not a row).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from workbench.serving.errors import (
    EMPTY_INPUT,
    MALFORMED_REQUEST,
    UNSUPPORTED_MEDIA_TYPE,
    RequestError,
    bad_request,
    name_list,
    quote_name,
)

JSON_FORMATS: tuple[str, ...] = ("dataframe_split", "dataframe_records", "instances", "inputs")
"""Top-level keys accepted in a JSON body, as in MLflow's scoring server."""

JSON = "json"
CSV = "csv"
PARQUET = "parquet"
PARAMS = "params"
"""MLflow's optional key beside the input key: inference parameters for ``predict``."""
MAX_PARQUET_BYTES = 512 * 1024 * 1024
"""Largest uncompressed size a Parquet body may declare (its footer is read first, so a
small body that would decompress to gigabytes is refused before it is)."""
_MEDIA_TYPES = {
    "application/json": JSON,
    "text/csv": CSV,
    "application/vnd.apache.parquet": PARQUET,
}
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
"""A ``\\ud800``..``\\udfff`` escape: half of a pair, or a lone surrogate."""


def payload_kind(content_type: str | None) -> str:
    """Which parser a Content-Type selects (``"json"`` or ``"csv"``), checked before reading.

    Parameters after ``;`` (MLflow's ``format=pandas-split``) are ignored, except a
    ``charset`` other than UTF-8, which is refused as MLflow's server does: decoding the
    body as UTF-8 anyway would score the wrong text.

    Raises:
        RequestError: 415 when the media type is missing or not accepted.
    """
    media, *parameters = (content_type or "").split(";")
    kind = _MEDIA_TYPES.get(media.strip().lower())
    if kind is None:
        raise RequestError(
            415,
            UNSUPPORTED_MEDIA_TYPE,
            "send Content-Type application/json, text/csv or application/vnd.apache.parquet",
        )
    for parameter in parameters:
        key, _, value = parameter.partition("=")
        charset = value.strip().strip('"').lower()
        if key.strip().lower() == "charset" and charset not in ("utf-8", "utf8"):
            raise RequestError(
                415,
                UNSUPPORTED_MEDIA_TYPE,
                f"charset {charset[:40]!r} is not supported; send the body as UTF-8 "
                "(charset=utf-8, or no charset)",
            )
    return kind


@dataclass(frozen=True)
class ParsedBody:
    """A request body's rows and the inference parameters sent beside them."""

    frame: pl.DataFrame
    """The rows to score, at least one."""
    params: tuple[str, ...] = ()
    """Names in MLflow's ``params`` object, in request order (none taken by the model)."""


def parse_payload(body: bytes, kind: str) -> pl.DataFrame:
    """Parse a request body of the given kind into a frame with at least one row.

    Raises:
        RequestError: 400 with ``MALFORMED_REQUEST`` or ``EMPTY_INPUT``.
    """
    return parse_body(body, kind).frame


def parse_body(body: bytes, kind: str) -> ParsedBody:
    """Parse a request body into its rows and the names of any ``params`` sent with them.

    Raises:
        RequestError: 400 with ``MALFORMED_REQUEST`` or ``EMPTY_INPUT``.
    """
    if not body.strip():
        raise bad_request(EMPTY_INPUT, "the request body is empty")
    params: tuple[str, ...] = ()
    if kind == CSV:
        frame = parse_csv(body)
    elif kind == PARQUET:
        frame = parse_parquet(body)
    else:
        frame, params = parse_json_with_params(body)
    if frame.height == 0:
        raise bad_request(EMPTY_INPUT, "the request holds no rows to score")
    return ParsedBody(frame, params)


def load_json(body: bytes) -> Any:
    """The JSON document in ``body`` (UTF-8, -16 or -32, as JSON allows).

    A ``\\ud800`` escape without its other half decodes to a lone surrogate, which is
    not text: polars, Arrow and our own JSON answers cannot encode it, so such a body is
    refused here rather than failing deep in scoring.

    Raises:
        RequestError: 400 ``MALFORMED_REQUEST`` for invalid JSON, nesting too deep to
            parse, or a lone surrogate.
    """
    try:
        text = body.decode(json.detect_encoding(body))
        document = json.loads(text)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError
        raise bad_request(MALFORMED_REQUEST, "the request body is not valid JSON") from exc
    if _SURROGATE_ESCAPE.search(text) and not _is_text(document):
        raise bad_request(
            MALFORMED_REQUEST,
            "the request body holds a lone surrogate escape (\\ud800 to \\udfff without "
            "its pair), which is not text; send valid Unicode",
        )
    return document


def _is_text(document: Any) -> bool:
    """True when every string in ``document`` can be written as UTF-8."""
    try:
        json.dumps(document, ensure_ascii=False).encode("utf-8")
    except (UnicodeEncodeError, RecursionError):
        return False
    return True


def parse_json(body: bytes) -> pl.DataFrame:
    """Parse a JSON body in one of :data:`JSON_FORMATS`."""
    return parse_json_with_params(body)[0]


def parse_json_with_params(body: bytes) -> tuple[pl.DataFrame, tuple[str, ...]]:
    """Parse a JSON body in one of :data:`JSON_FORMATS`, and name its ``params``."""
    document = load_json(body)
    accepted = ", ".join(repr(k) for k in JSON_FORMATS)
    if not isinstance(document, dict):
        raise bad_request(
            MALFORMED_REQUEST, f"the JSON body must be an object with one key: {accepted}"
        )
    params = _params(document.get(PARAMS, {}))
    document = {k: v for k, v in document.items() if k != PARAMS}
    return _parse_document(document, accepted), params


def _params(params: Any) -> tuple[str, ...]:
    """The names in MLflow's ``params``, which must be an object."""
    if not isinstance(params, dict):
        raise bad_request(
            MALFORMED_REQUEST, "'params' must be an object of parameter names to values"
        )
    return tuple(str(name) for name in params)


def _parse_document(document: dict[str, Any], accepted: str) -> pl.DataFrame:
    unknown = [k for k in document if k not in JSON_FORMATS]
    if unknown:
        raise bad_request(
            MALFORMED_REQUEST,
            f"unknown top-level key {name_list(unknown)}; accepted keys are {accepted}",
        )
    if len(document) != 1:
        raise bad_request(MALFORMED_REQUEST, f"send exactly one of {accepted}")
    key, content = next(iter(document.items()))
    if key == "dataframe_split":
        return _from_split(content)
    if key == "dataframe_records":
        return _from_records(content, key)
    return _from_tf_serving(content, key)


def parse_parquet(body: bytes) -> pl.DataFrame:
    """Parse a Parquet body: its columns must hold single values (no lists or structs).

    Raises:
        RequestError: 400 when the body is not Parquet, would decompress past
            :data:`MAX_PARQUET_BYTES`, or has a nested column.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(pa.BufferReader(body))
        metadata = parquet.metadata
        declared = sum(
            metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups)
        )
        if declared > MAX_PARQUET_BYTES:
            raise bad_request(
                MALFORMED_REQUEST,
                f"the Parquet body would decompress to {declared} bytes, more than "
                f"{MAX_PARQUET_BYTES}; send fewer rows per request",
            )
        frame = pl.from_arrow(parquet.read())
    except (pa.ArrowException, OSError, ValueError, pl.exceptions.PolarsError) as exc:
        raise bad_request(
            MALFORMED_REQUEST, "the request body is not a readable Parquet file"
        ) from exc
    assert isinstance(frame, pl.DataFrame)
    nested = [name for name, dtype in frame.schema.items() if dtype.is_nested()]
    if nested:
        raise bad_request(
            MALFORMED_REQUEST,
            f"Parquet column {name_list(nested)} holds lists or structs; "
            "cells must be single values",
        )
    _refuse_duplicates(frame.columns, "the Parquet body")
    return frame


def parse_csv(body: bytes) -> pl.DataFrame:
    """Parse a CSV body whose first row is the header; empty cells are nulls."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise bad_request(MALFORMED_REQUEST, "the CSV body is not valid UTF-8") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        rows = [row for row in reader if row]
    except csv.Error as exc:
        raise bad_request(
            MALFORMED_REQUEST, f"the CSV body is malformed at line {reader.line_num}"
        ) from exc
    if not rows:
        raise bad_request(EMPTY_INPUT, "the CSV body has no header row")
    header, data = rows[0], rows[1:]
    if any(not name for name in header):
        raise bad_request(MALFORMED_REQUEST, "the CSV header has a blank column name")
    _refuse_duplicates(header, "the CSV header")
    for number, row in enumerate(data, start=1):
        if len(row) != len(header):
            raise bad_request(
                MALFORMED_REQUEST,
                f"CSV row {number} has {len(row)} fields but the header has {len(header)}",
            )
    columns = {
        name: pl.Series(name, [row[i] or None for row in data], dtype=pl.String)
        for i, name in enumerate(header)
    }
    return pl.DataFrame(list(columns.values()))


def _from_split(content: Any) -> pl.DataFrame:
    """``dataframe_split``: pandas' split orient; an ``index`` key is accepted and ignored."""
    if not isinstance(content, dict) or "columns" not in content or "data" not in content:
        raise bad_request(
            MALFORMED_REQUEST,
            "'dataframe_split' must be an object with 'columns' (names) and 'data' (rows)",
        )
    extra = [k for k in content if k not in ("columns", "data", "index")]
    if extra:
        raise bad_request(
            MALFORMED_REQUEST,
            f"unknown key {name_list(extra)} in 'dataframe_split'; "
            "accepted keys are 'columns', 'data', 'index'",
        )
    names, rows = content["columns"], content["data"]
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise bad_request(MALFORMED_REQUEST, "'dataframe_split.columns' must be a list of names")
    if not isinstance(rows, list):
        raise bad_request(MALFORMED_REQUEST, "'dataframe_split.data' must be a list of rows")
    _refuse_duplicates(names, "'dataframe_split.columns'")
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, list):
            raise bad_request(
                MALFORMED_REQUEST, f"'dataframe_split.data' row {number} is not a list"
            )
        if len(row) != len(names):
            raise bad_request(
                MALFORMED_REQUEST,
                f"'dataframe_split.data' row {number} has {len(row)} values "
                f"but there are {len(names)} columns",
            )
    schema = _uniform_schema(names, [[row[i] for row in rows] for i in range(len(names))])
    if schema is not None:  # the common case, built in one call
        return pl.DataFrame(rows, schema=schema, orient="row")
    return frame_from_columns({n: [row[i] for row in rows] for i, n in enumerate(names)})


def _from_records(content: Any, key: str) -> pl.DataFrame:
    """A list of ``{column: value}`` objects; a key absent from a record is a null."""
    if not isinstance(content, list):
        raise bad_request(MALFORMED_REQUEST, f"'{key}' must be a list of records (objects)")
    names: dict[str, None] = {}
    for number, record in enumerate(content, start=1):
        if not isinstance(record, dict):
            raise bad_request(
                MALFORMED_REQUEST,
                f"'{key}' item {number} is not a record; send objects keyed by column name",
            )
        names.update(dict.fromkeys(record))
    columns = {n: [record.get(n) for record in content] for n in names}
    schema = _uniform_schema(list(columns), list(columns.values()))
    if schema is not None:  # the common case, built in one call
        return pl.from_dicts(content, schema=schema) if content else pl.DataFrame()
    return frame_from_columns(columns)


def _from_tf_serving(content: Any, key: str) -> pl.DataFrame:
    """``instances``/``inputs``: records, an object of column lists, or one record."""
    if isinstance(content, list):
        if content and not all(isinstance(item, dict) for item in content):
            raise bad_request(
                MALFORMED_REQUEST,
                f"'{key}' must hold named columns: a list of records or an object of columns",
            )
        return _from_records(content, key)
    if not isinstance(content, dict):
        raise bad_request(
            MALFORMED_REQUEST, f"'{key}' must be a list of records or an object of columns"
        )
    listed = [isinstance(v, list) for v in content.values()]
    if listed and not any(listed):  # one record of scalars
        return _from_records([content], key)
    if not all(listed):
        raise bad_request(
            MALFORMED_REQUEST,
            f"'{key}' as an object of columns needs a list of values for every column",
        )
    lengths = {len(v) for v in content.values()}
    if len(lengths) > 1:
        raise bad_request(MALFORMED_REQUEST, f"the columns in '{key}' differ in length")
    return frame_from_columns(content)


_UNIFORM: dict[frozenset[type], pl.DataType] = {
    frozenset(): pl.Null(),
    frozenset({bool}): pl.Boolean(),
    frozenset({int}): pl.Int64(),
    frozenset({float}): pl.Float64(),
    frozenset({int, float}): pl.Float64(),
    frozenset({str}): pl.String(),
}
"""Column kinds that :func:`frame_from_columns` would type exactly so; anything else
(mixed kinds, lists in cells, huge ints) takes the column-by-column path."""


def _uniform_schema(names: list[str], columns: list[list[Any]]) -> dict[str, pl.DataType] | None:
    """The dtypes of columns whose JSON values are uniform, or None if any is not.

    Building a frame from rows with a known schema is one polars call instead of one
    per column, which is most of the parsing cost of a single-row request.
    """
    schema: dict[str, pl.DataType] = {}
    for name, values in zip(names, columns, strict=True):
        kinds = frozenset(type(v) for v in values if v is not None)
        dtype = _UNIFORM.get(kinds)
        if dtype is None or (int in kinds and not _fits_int64(values)):
            return None
        schema[name] = dtype
    return schema


def frame_from_columns(columns: dict[str, list[Any]]) -> pl.DataFrame:
    """Build a frame from JSON column lists, inferring each column's dtype loosely.

    Raises:
        RequestError: 400 when a cell holds a list or object instead of a scalar.
    """
    return pl.DataFrame([_json_column(name, values) for name, values in columns.items()])


def _json_column(name: str, values: list[Any]) -> pl.Series:
    """One column: uniform JSON scalars keep their type, anything mixed becomes strings.

    Mixed columns are not an error here: a string ``"42"`` beside ``41`` in an int column
    is fine, and ``conform`` decides per row what cannot be cast.
    """
    kinds: set[type] = set()
    for number, value in enumerate(values, start=1):
        if isinstance(value, list | dict):
            raise bad_request(
                MALFORMED_REQUEST,
                f"column {quote_name(name)} row {number} holds a list or object; "
                "cells must be single values",
            )
        if value is not None:
            kinds.add(type(value))
    if not kinds:
        return pl.Series(name, values, dtype=pl.Null)
    if kinds == {bool}:
        return pl.Series(name, values, dtype=pl.Boolean)
    if kinds == {int} and _fits_int64(values):
        return pl.Series(name, values, dtype=pl.Int64)
    if kinds <= {int, float}:  # ints beside floats, or ints too large for Int64
        return pl.Series(name, [_as_float(v) for v in values], dtype=pl.Float64)
    if kinds == {str}:
        return pl.Series(name, values, dtype=pl.String)
    return pl.Series(name, [_as_text(v) for v in values], dtype=pl.String)


def _fits_int64(values: Sequence[Any]) -> bool:
    return all(v is None or _INT64_MIN <= v <= _INT64_MAX for v in values)


def _as_float(value: Any) -> float | None:
    """An int beside floats as a float; an int too large for a float becomes infinity."""
    if value is None:
        return None
    try:
        return float(value)
    except OverflowError:
        return float("inf")


def _as_text(value: Any) -> str | None:
    """A scalar as the text a CSV would hold (JSON spelling for booleans)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _refuse_duplicates(names: list[str], where: str) -> None:
    seen: set[str] = set()
    duplicated: list[str] = []
    for name in names:
        if name in seen and name not in duplicated:
            duplicated.append(name)
        seen.add(name)
    if duplicated:
        raise bad_request(
            MALFORMED_REQUEST, f"{where} names a column twice: {name_list(duplicated)}"
        )
