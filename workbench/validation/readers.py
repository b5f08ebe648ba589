"""Open a data file as a polars LazyFrame, refusing what polars would silently accept.

Polars is forgiving in ways a data contract cannot be: it renames duplicate header names,
decodes a non-UTF-8 header lossily, returns zero rows for a header-only file and reads a
semicolon-separated file as one wide column. The raw-bytes checks here catch those before
scanning; problems polars only meets while reading (a ragged row, a bad byte deep in the
file) are explained by :mod:`workbench.validation.diagnose` when the query fails.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import struct
import zlib
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl

from workbench.core.errors import DataError
from workbench.validation.dates import SAMPLE_ROWS, DateColumn, detect_dates
from workbench.validation.diagnose import (
    explain_read_error,
    find_ragged_row,
    invalid_utf8_message,
)

SUFFIXES: dict[str, str] = {
    ".csv": "csv",
    ".csv.gz": "csv",
    ".parquet": "parquet",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
    ".json": "ndjson",
}
"""File suffixes Workbench reads, and the format each is read as (``.json`` holding an
array of objects is read as ``json``)."""

INFER_SCHEMA_ROWS = 10_000
"""Rows polars looks at to guess CSV/NDJSON column types; a later value that does not fit
the guess is reported by row (see :mod:`workbench.validation.diagnose`)."""

HEAD_BYTES = 1 << 20
"""Bytes read from the start of a file for the raw checks and the row estimate."""

_OTHER_SEPARATORS = (";", "\t", "|")


@dataclass(frozen=True)
class DatasetFile:
    """A data file that passed the raw checks, and how to scan it."""

    path: Path
    """The file."""
    format: str
    """``"csv"``, ``"parquet"``, ``"ndjson"`` or ``"json"`` (a JSON array of objects)."""
    separator: str = ","
    """CSV field separator."""
    header: tuple[str, ...] = ()
    """Column names as written in the file (CSV header, first NDJSON object's keys)."""
    estimated_rows: int = 0
    """A cheap guess of the row count, used to size the profile's sample."""
    dates: tuple[DateColumn, ...] = ()
    """Text columns read as dates or datetimes (see :mod:`workbench.validation.dates`)."""

    def scan(self, schema_overrides: dict[str, pl.DataType] | None = None) -> pl.LazyFrame:
        """A fresh lazy scan of the file (``schema_overrides`` pins column types; a column
        pinned to text is not parsed as dates)."""
        lf = self._scan_raw(schema_overrides)
        pinned = schema_overrides or {}
        parsed = [d.parse(strict=True) for d in self.dates if d.name not in pinned]
        return lf.with_columns(parsed) if parsed else lf

    def _scan_raw(self, schema_overrides: dict[str, pl.DataType] | None) -> pl.LazyFrame:
        path = str(self.path)
        if self.format == "csv":
            return pl.scan_csv(
                path,
                separator=self.separator,
                infer_schema_length=INFER_SCHEMA_ROWS,
                schema_overrides=schema_overrides,
                raise_if_empty=True,
                truncate_ragged_lines=False,
                glob=False,
            )
        if self.format == "parquet":
            return pl.scan_parquet(path, glob=False)
        if self.format == "ndjson":
            return pl.scan_ndjson(
                path, infer_schema_length=INFER_SCHEMA_ROWS, schema_overrides=schema_overrides
            )
        return pl.read_json(path, infer_schema_length=INFER_SCHEMA_ROWS).lazy()


def dataset_format(path: Path) -> str:
    """The format a file is read as, from its suffix.

    Raises:
        DataError: The suffix is not one Workbench reads.
    """
    name = path.name.lower()
    for suffix, fmt in sorted(SUFFIXES.items(), key=lambda kv: -len(kv[0])):
        if name.endswith(suffix):
            return fmt
    raise DataError(
        f"{path}: cannot read files named *{path.suffix or path.name}; "
        f"Workbench reads {', '.join(SUFFIXES)}"
    )


def open_dataset(path: Path | str, *, separator: str = ",") -> tuple[DatasetFile, pl.LazyFrame]:
    """Check a file's raw bytes, then scan it lazily and resolve its schema.

    Args:
        path: The data file; its suffix picks the reader.
        separator: CSV field separator.

    Returns:
        What was learned about the file, and a LazyFrame over it.

    Raises:
        DataError: The file is missing, empty, header-only, not UTF-8 in its header, has
            duplicate or empty column names, looks like it uses another separator, or
            cannot be scanned. The message names the file and, where known, the line,
            column or byte offset.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    fmt = dataset_format(path)
    if path.stat().st_size == 0:
        raise DataError(f"{path}: the file is empty (0 bytes)")
    head = b""
    if fmt == "parquet":
        file = _check_parquet(path)
    else:
        head, whole = _read_head(path)
        if fmt == "csv":
            file = _check_csv(path, head, whole, separator)
        else:
            file = _check_json(path, head, whole)
    try:
        if file.format != "parquet":
            file = replace(file, dates=detect_dates(_sample(file, head)))
        lf = file.scan()
        lf.collect_schema()
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        raise explain_read_error(file, exc) from exc
    return file, lf


def scan_dataset(path: Path | str, *, separator: str = ",") -> pl.LazyFrame:
    """A LazyFrame over a data file, after the raw checks (see :func:`open_dataset`)."""
    return open_dataset(path, separator=separator)[1]


def read_dataset(path: Path | str, *, separator: str = ",") -> pl.DataFrame:
    """Read a whole data file into memory, with the same checks and error messages.

    Raises:
        DataError: As :func:`open_dataset`, or when a row cannot be read or is short of
            fields; the message names the file and the row, line or byte where known.
    """
    file, lf = open_dataset(path, separator=separator)
    try:
        frame = lf.collect(engine="streaming")
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise explain_read_error(file, exc) from exc
    if file.format == "csv" and frame.height:
        empty_last = frame.get_column(file.header[-1]).null_count()
        ragged = find_ragged_row(file, empty_last) if empty_last else None
        if ragged:
            raise DataError(ragged)
    return frame


def _sample(file: DatasetFile, head: bytes) -> pl.DataFrame:
    """The first rows, parsed from the bytes already read (re-scanning the file would
    re-run polars' type inference over its whole window)."""
    data = io.BytesIO(head[: head.rfind(b"\n") + 1] or head)
    try:
        if file.format == "csv":
            return pl.read_csv(
                data,
                separator=file.separator,
                infer_schema_length=SAMPLE_ROWS,
                n_rows=SAMPLE_ROWS,
            )
        if file.format == "ndjson":
            return pl.read_ndjson(data, infer_schema_length=SAMPLE_ROWS, n_rows=SAMPLE_ROWS)
    except pl.exceptions.PolarsError:
        pass  # e.g. a quoted field cut at the end of the head: read the file itself
    return file.scan().head(SAMPLE_ROWS).collect()


def _read_head(path: Path) -> tuple[bytes, bool]:
    """The first :data:`HEAD_BYTES` (decompressed) and whether that is the whole file."""
    try:
        if path.name.lower().endswith(".gz"):
            with gzip.open(path, "rb") as fh:
                head = fh.read(HEAD_BYTES + 1)
        else:
            with path.open("rb") as fh:
                head = fh.read(HEAD_BYTES + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise DataError(f"{path}: cannot read the file: {exc}") from exc
    return head[:HEAD_BYTES], len(head) <= HEAD_BYTES


def _check_csv(path: Path, head: bytes, whole: bool, separator: str) -> DatasetFile:
    bom = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    if not head[bom:].strip():
        raise DataError(f"{path}: the file holds no header and no rows (only blank lines)")
    end = head.find(b"\n", bom)
    raw_line = head[bom:] if end < 0 else head[bom:end]
    try:
        line = raw_line.decode("utf-8").rstrip("\r")
    except UnicodeDecodeError as exc:
        offset = bom + exc.start
        raise DataError(invalid_utf8_message(path, offset, head[: offset + 1])) from exc
    try:
        names = next(csv.reader([line], delimiter=separator))
    except csv.Error as exc:  # e.g. a bare carriage return inside the header line
        raise DataError(f"{path}: line 1 (the header) cannot be read as CSV: {exc}") from exc
    _check_separator(path, line, names, separator)
    _check_names(path, names)
    if whole and (end < 0 or not head[end + 1 :].strip()):
        raise DataError(f"{path}: the file has a header ({len(names)} columns) but no data rows")
    return DatasetFile(path, "csv", separator, tuple(names), _estimate_rows(path, head, whole))


def _check_separator(path: Path, line: str, names: list[str], separator: str) -> None:
    if len(names) != 1:
        return
    for other in _OTHER_SEPARATORS:
        if other != separator and other in line:
            shown = "tab" if other == "\t" else repr(other)
            raise DataError(
                f"{path}: line 1 (the header) has a single column {line[:60]!r}; the file "
                f"looks {shown}-separated but is read as {separator!r}-separated. Save it "
                f"with {separator!r} as separator or pass separator={other!r}."
            )


def _check_names(path: Path, names: list[str]) -> None:
    first_seen: dict[str, int] = {}
    for number, name in enumerate(names, start=1):
        if not name.strip():
            raise DataError(f"{path}: line 1 (the header): column {number} has no name")
        if name in first_seen:
            raise DataError(
                f"{path}: line 1 (the header): column name {name!r} appears twice "
                f"(columns {first_seen[name]} and {number}); rename one of them"
            )
        first_seen[name] = number


def _check_json(path: Path, head: bytes, whole: bool) -> DatasetFile:
    text = head.lstrip()
    if not text:
        raise DataError(f"{path}: the file holds only whitespace, no records")
    if text.startswith(b"["):
        return DatasetFile(path, "json", estimated_rows=_estimate_rows(path, head, whole))
    end = text.find(b"\n")
    first = text if end < 0 else text[:end]
    try:
        record = json.loads(first, object_pairs_hook=_no_repeats)
    except UnicodeDecodeError as exc:
        offset = len(head) - len(text) + exc.start
        raise DataError(invalid_utf8_message(path, offset, head[: offset + 1])) from exc
    except ValueError as exc:
        raise DataError(f"{path}: line 1: {exc}") from exc
    if not isinstance(record, dict):
        raise DataError(f"{path}: line 1 is a JSON {type(record).__name__}, not an object")
    return DatasetFile(
        path, "ndjson", header=tuple(record), estimated_rows=_estimate_rows(path, head, whole)
    )


def _no_repeats(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """Refuse an object with a repeated key: JSON readers silently keep one of them."""
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise ValueError(f"key {key!r} appears twice in one object (readers silently keep one)")
        seen.add(key)
    return dict(pairs)


def _check_parquet(path: Path) -> DatasetFile:
    start = end = b""
    if path.stat().st_size >= 12:
        with path.open("rb") as fh:
            start = fh.read(4)
            fh.seek(-4, 2)
            end = fh.read(4)
    if start != b"PAR1" or end != b"PAR1":
        raise DataError(f"{path}: not a Parquet file (it lacks the PAR1 marker at both ends)")
    try:
        rows = pl.scan_parquet(path, glob=False).select(pl.len()).collect().item()
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise DataError(f"{path}: cannot read the Parquet footer: {exc}") from exc
    return DatasetFile(path, "parquet", estimated_rows=int(rows))


def _estimate_rows(path: Path, head: bytes, whole: bool) -> int:
    """Rows in the file, counted if the head is the whole file, else extrapolated."""
    lines = head.count(b"\n")
    if whole or not lines:
        return lines
    size = path.stat().st_size
    if path.name.lower().endswith(".gz"):
        with path.open("rb") as fh:
            fh.seek(-4, 2)
            size = struct.unpack("<I", fh.read(4))[0] or size * 4
    return int(size / len(head) * lines)
