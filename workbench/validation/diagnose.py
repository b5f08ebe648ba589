"""Turn a polars read failure into a message that says where the file is broken.

Polars stops at the first problem with a message that rarely names the row ("invalid
utf-8 sequence", "found more fields than defined in 'Schema'"). When a read fails, the
functions here look at the file again, slowly but only on this error path, to find the
line, row, column or byte offset a person needs to fix it. Nothing is decoded lossily:
a byte that is not UTF-8 is reported, never replaced.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from workbench.core.errors import DataError
from workbench.validation.dtypes import conversion, logical_dtype

if TYPE_CHECKING:
    from workbench.validation.readers import DatasetFile

_CHUNK = 1 << 22
_PARSE_FAILURE = re.compile(
    r"could not parse `.*?` as dtype `.+?` at column '(.*?)'|failed in column '(.*?)'", re.S
)


def explain_read_error(file: DatasetFile, exc: BaseException) -> DataError:
    """Find out what in ``file`` made polars fail with ``exc``.

    Args:
        file: The file being read.
        exc: What polars raised.

    Returns:
        A :class:`DataError` naming the file and the line, row, column or byte offset of
        the first problem found; the polars message when nothing more precise is found.
    """
    message = str(exc)
    if file.format != "parquet" and "utf" in message.lower():
        found = find_invalid_utf8(file.path)
        if found:
            return DataError(found)
    if file.format == "csv":
        found = _locate_unparsable_value(file, message) or find_csv_problem(file)
    elif file.format == "ndjson":
        found = find_invalid_utf8(file.path) or find_ndjson_problem(file)
    else:
        found = None
    if found:
        return DataError(found)
    reason = message.strip().split("\n\n")[0].replace("\n", " ")
    return DataError(f"{file.path}: cannot read the {file.format} file: {reason}")


def invalid_utf8_message(path: Path, offset: int, before: bytes) -> str:
    """The message for a byte that is not UTF-8.

    Args:
        path: The file.
        offset: Byte offset of the bad byte from the start of the (decompressed) file.
        before: The file's bytes from a line start (or the file start) up to and
            including the bad byte; only the tail after the last newline is needed for
            the position, the whole prefix for the line number.
    """
    line = before.count(b"\n") + 1
    position = len(before) - (before.rfind(b"\n") + 1)
    return _utf8_text(path, offset, before[-1], line, position)


def find_invalid_utf8(path: Path) -> str | None:
    """The first byte of ``path`` that is not UTF-8, described, or ``None``."""
    offset = lines = 0
    line_tail = b""
    carry = b""
    with _open_binary(path) as fh:
        while True:
            chunk = fh.read(_CHUNK)
            data = carry + chunk
            if not data:
                return None
            try:
                data.decode("utf-8")
                good, carry = data, b""
            except UnicodeDecodeError as exc:
                truncated = exc.reason == "unexpected end of data" and exc.end == len(data)
                if not (truncated and chunk):
                    before = line_tail + data[: exc.start + 1]
                    line = lines + before.count(b"\n") + 1
                    position = len(before) - (before.rfind(b"\n") + 1)
                    return _utf8_text(path, offset + exc.start, data[exc.start], line, position)
                good, carry = data[: exc.start], data[exc.start :]
            lines += good.count(b"\n")
            cut = good.rfind(b"\n")
            line_tail = good[cut + 1 :] if cut >= 0 else line_tail + good
            offset += len(good)


def find_csv_problem(file: DatasetFile) -> str | None:
    """The first blank, ragged or unterminated-quote record of a CSV file, described.

    Uses the standard ``csv`` module, which follows quoting exactly but is slow: this is
    only called once a read has failed or a short row is suspected.
    """
    expected = len(file.header)
    with _open_text(file.path) as fh:
        reader = csv.reader(fh, delimiter=file.separator, strict=True)
        row = 0
        start = 2
        try:
            next(reader)
            for record in reader:
                row += 1
                if not record:
                    return _blank_line(file.path, start, row)
                if len(record) != expected:
                    return (
                        f"{file.path}: line {start} (data row {row}) has {len(record)} "
                        f"fields; the header has {expected}"
                    )
                start = reader.line_num + 1
        except csv.Error as exc:
            return (
                f"{file.path}: line {start} (data row {row + 1}): {exc}; a field that opens "
                'a quote (") must close it before the end of the record'
            )
    return find_stray_quote(file)


def find_stray_quote(file: DatasetFile) -> str | None:
    """The first quote character inside an unquoted CSV field, described.

    The ``csv`` module accepts ``ab"c`` as a value; polars refuses it with a message that
    names no line. Only lines holding a quote are tokenised, so this stays cheap.
    """
    sep = file.separator
    in_quotes = False
    with _open_text(file.path) as fh:
        for number, text in enumerate(fh, start=1):
            if '"' not in text and not in_quotes:
                continue
            at_field_start = not in_quotes
            i = 0
            while i < len(text):
                char = text[i]
                if in_quotes:
                    if char == '"' and text[i + 1 : i + 2] == '"':
                        i += 1
                    elif char == '"':
                        in_quotes = False
                elif char == '"' and at_field_start:
                    in_quotes = True
                elif char == '"' and number > 1:
                    return (
                        f'{file.path}: line {number}, position {i + 1}: a quote (") inside '
                        'an unquoted field; quote the whole field and double the quote ("")'
                    )
                at_field_start = char == sep and not in_quotes
                i += 1
    return None


def find_ragged_row(file: DatasetFile, empty_last: int) -> str | None:
    """Look for a CSV line with fewer fields than the header.

    Polars fills the missing trailing fields of a short line with nulls instead of
    failing, so a short line shows up only as a null in the last column. The engine calls
    this when the last column has ``empty_last`` nulls. A cheap line scan first tries to
    account for every one of them as a complete line ending in an empty field; only if
    that fails is the file searched line by line.

    Args:
        file: The CSV file.
        empty_last: Rows whose last column polars read as null.

    Returns:
        A message naming the first short (or blank) line, or ``None`` if there is none.
    """
    if _nulls_explained(file, empty_last):
        return None
    return _locate_short_row(file)


def _nulls_explained(file: DatasetFile, empty_last: int) -> bool:
    """Whether exactly ``empty_last`` lines are complete and end in an empty field.

    Separators inside quoted fields are not counted; a record spanning lines is not
    recognised, which only sends such files to the slow, exact search. (The header never
    ends in a separator: an empty column name is refused when the file is opened.)
    """
    line = pl.col("line")
    quoted = line.str.contains('"', literal=True)
    unquoted = pl.when(quoted).then(line.str.replace_all(r'"(?:[^"]|"")*"', "")).otherwise(line)
    separators = unquoted.str.count_matches(file.separator, literal=True)
    complete = (
        pl.scan_lines(str(file.path))
        .filter(line.str.ends_with(file.separator))
        .select((separators == len(file.header) - 1).sum())
        .collect(engine="streaming")
        .item()
    )
    return int(complete or 0) == empty_last


def _locate_short_row(file: DatasetFile) -> str | None:
    """The first line with too few fields: by counting separators with polars when the
    file has no quote characters, else field by field with :func:`find_csv_problem`."""
    line = pl.col("line")
    misfit = line.str.count_matches(file.separator, literal=True) != len(file.header) - 1
    found = (
        pl.scan_lines(str(file.path), row_index_name="n", row_index_offset=1)
        .select(
            line.str.contains('"', literal=True).any().alias("quoted"),
            pl.col("n").filter(misfit & (pl.col("n") > 1)).first().alias("line_no"),
            line.filter(misfit & (pl.col("n") > 1)).first().alias("text"),
        )
        .collect(engine="streaming")
        .row(0, named=True)
    )
    if found["quoted"]:
        return find_csv_problem(file)
    if found["line_no"] is None:
        return None
    line_no, text = found["line_no"], found["text"].rstrip("\r")
    if not text.strip():
        return _blank_line(file.path, line_no, line_no - 1)
    fields = text.count(file.separator) + 1
    return (
        f"{file.path}: line {line_no} (data row {line_no - 1}) has {fields} fields; "
        f"the header has {len(file.header)}"
    )


def find_ndjson_problem(file: DatasetFile) -> str | None:
    """The first NDJSON line that is not a JSON object or mistypes a key, described."""
    try:
        schema = file.scan().collect_schema()
    except pl.exceptions.PolarsError:
        schema = pl.Schema()
    expected = {name: logical_dtype(dtype) for name, dtype in schema.items()}
    with _open_text(file.path) as fh:
        for number, text in enumerate(fh, start=1):
            if not text.strip():
                continue
            try:
                record = json.loads(text.rstrip())
            except json.JSONDecodeError as exc:
                return (
                    f"{file.path}: line {number}, position {exc.pos + 1} is not valid JSON: "
                    f"{exc.msg}"
                )
            if not isinstance(record, dict):
                kind = type(record).__name__
                return f"{file.path}: line {number} is a JSON {kind}, not an object"
            for key, value in record.items():
                found = _json_kind(value)
                if found and key in expected and not _json_fits(found, expected[key]):
                    return (
                        f"{file.path}: line {number}: key {key!r} holds {value!r} ({found}) "
                        f"where earlier lines hold {expected[key]} values"
                    )
    return None


def _locate_unparsable_value(file: DatasetFile, message: str) -> str | None:
    """Find the row behind polars' "could not parse `x` as dtype `T` at column 'c'" (a
    value that does not fit the type inferred from the first rows) or "conversion ...
    failed in column 'c'" (a timestamp that does not fit the column's format)."""
    match = _PARSE_FAILURE.search(message)
    if not match:
        return None
    column = match.group(1) or match.group(2)
    dates = {d.name: d for d in file.dates}
    try:
        expected = logical_dtype(file.scan().collect_schema()[column])
        if column in dates:
            parse: pl.Expr | None = dates[column].parse(strict=False)
        else:
            parse = conversion(expected, pl.String(), column)
        if parse is None:
            return None
        bad = (
            file.scan({column: pl.String()})
            .with_row_index("__wb_row", offset=1)
            .filter(pl.col(column).is_not_null() & parse.is_null())
            .select("__wb_row", column)
            .head(1)
            .collect()
        )
    except (pl.exceptions.PolarsError, KeyError, ValueError):
        return None
    if bad.is_empty():
        return None
    row, value = bad.row(0)
    return (
        f"{file.path}: column {column!r} reads as {expected} in its first rows, but data "
        f"row {row} holds {value!r}; fix the value or make the whole column text"
    )


def _json_kind(value: object) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    return "string"


def _json_fits(found: str, expected: str) -> bool:
    if expected in ("datetime", "date", "string"):
        return found == "string"
    return found == expected or (found == "int" and expected == "float")


def _blank_line(path: Path, line: int, row: int) -> str:
    return (
        f"{path}: line {line} (data row {row}) is blank; polars would read it as a row of "
        "empty values, so delete blank lines"
    )


def _utf8_text(path: Path, offset: int, byte: int, line: int, position: int) -> str:
    where = "decompressed byte offset" if path.name.lower().endswith(".gz") else "byte offset"
    return (
        f"{path}: byte 0x{byte:02X} at {where} {offset} (line {line}, position {position}) "
        "is not valid UTF-8; Workbench reads text files as UTF-8 and does not guess the "
        "encoding, so re-save the file as UTF-8"
    )


def _open_binary(path: Path) -> gzip.GzipFile | io.BufferedReader:
    if path.name.lower().endswith(".gz"):
        return gzip.GzipFile(path, "rb")
    return path.open("rb")


def _open_text(path: Path) -> io.TextIOWrapper:
    return io.TextIOWrapper(_open_binary(path), encoding="utf-8-sig", newline="")
