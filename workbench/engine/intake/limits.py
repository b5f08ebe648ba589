"""Size limits checked before a data file is parsed: no file can exhaust the machine.

A file larger than ``watch.max_file_mb``, one whose header names more than
``watch.max_columns`` columns, a compressed file that expands past
``watch.max_expanded_mb`` (a decompression bomb), or a single line longer than
``watch.max_line_kb`` is refused with a reason that names the limit and the offset,
before polars reads it. Everything is streamed in chunks: memory stays bounded, and the
line scan runs at I/O speed (bytes methods over whole chunks, no Python loop per line).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import zlib
from pathlib import Path
from typing import Protocol

from workbench.core.config import WatchConfig
from workbench.core.errors import DataError


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


CHUNK = 1 << 20
MIB = 1 << 20


def check_limits(path: Path, settings: WatchConfig) -> None:
    """Refuse ``path`` if it breaks a size limit.

    Raises:
        DataError: Too large, too wide, expands too far, or has an over-long line.
    """
    size = path.stat().st_size
    if size > settings.max_file_mb * MIB:
        raise DataError(
            f"{path.name}: {size / MIB:,.1f} MiB is larger than watch.max_file_mb "
            f"({settings.max_file_mb:g} MiB)"
        )
    columns = header_columns(path, settings)
    if columns is not None and columns > settings.max_columns:
        raise DataError(
            f"{path.name}: {columns:,} columns is more than watch.max_columns "
            f"({settings.max_columns:,}); refused before reading the data"
        )
    if path.suffix == ".gz":
        try:
            with gzip.open(path, "rb") as stream:
                _scan(path, stream, settings, compressed=True)
        except (OSError, EOFError, zlib.error) as exc:
            raise DataError(f"{path.name}: not a readable gzip file ({exc})") from exc
    elif path.suffix.lower() in (".csv", ".json", ".ndjson", ".jsonl"):
        with path.open("rb") as stream:
            _scan(path, stream, settings, compressed=False)


def header_columns(path: Path, settings: WatchConfig) -> int | None:
    """The number of columns the file's header names, read without reading the data.

    A CSV's first line, an NDJSON file's first object, a Parquet file's footer; ``None``
    when it cannot be told cheaply (a JSON array, an unreadable header: the readers
    explain those). The first line is read up to ``watch.max_line_kb`` only.
    """
    name = path.name.lower()
    limit = int(settings.max_line_kb * 1024) + 1
    try:
        if name.endswith(".parquet"):
            return _parquet_columns(path)
        if name.endswith((".csv", ".csv.gz")):
            opener = gzip.open if name.endswith(".gz") else open
            with opener(path, "rb") as stream:
                first = stream.readline(limit)
            text = first.decode("utf-8", errors="replace")
            row = next(csv.reader(io.StringIO(text)), [])
            return len(row)
        if name.endswith((".ndjson", ".jsonl")):
            with path.open("rb") as stream:
                first = stream.readline(limit)
            value = json.loads(first)
            return len(value) if isinstance(value, dict) else None
    except (OSError, EOFError, zlib.error, ValueError, csv.Error):
        return None
    return None


def _parquet_columns(path: Path) -> int | None:
    import pyarrow as pa  # the footer only; a dependency already (the prediction log)
    import pyarrow.parquet as pq

    try:
        return int(pq.read_metadata(path).num_columns)
    except (OSError, ValueError, pa.ArrowException):
        return None


def _scan(path: Path, stream: _Readable, settings: WatchConfig, *, compressed: bool) -> None:
    """Stream the bytes once: total expanded size and the longest line.

    Per chunk only the first and last newline are looked for (``find``/``rfind``, in C);
    the lines between them are measured only when a chunk is longer than the line limit
    (``split`` and ``max`` of their lengths, also in C).
    """
    max_total = settings.max_expanded_mb * MIB
    max_line = int(settings.max_line_kb * 1024)
    total = 0
    line_start = 0
    while chunk := stream.read(CHUNK):
        first = chunk.find(b"\n")
        if first == -1:
            if total + len(chunk) - line_start > max_line:
                _too_long(path, line_start, settings)
        else:
            if total + first - line_start > max_line:
                _too_long(path, line_start, settings)
            last = chunk.rfind(b"\n")
            if len(chunk) > max_line and last > first:
                inner = chunk[first + 1 : last]
                if max(map(len, inner.split(b"\n"))) > max_line:
                    _too_long(path, total + first + 1 + _long_line(inner, max_line), settings)
            line_start = total + last + 1
        total += len(chunk)
        if compressed and total > max_total:
            raise DataError(
                f"{path.name}: expands past watch.max_expanded_mb "
                f"({settings.max_expanded_mb:g} MiB); refused as a possible decompression bomb"
            )


def _long_line(block: bytes, max_line: int) -> int:
    """Offset in ``block`` of the first line longer than ``max_line`` (known to exist)."""
    start = 0
    for line in block.split(b"\n"):
        if len(line) > max_line:
            return start
        start += len(line) + 1
    return start


def _too_long(path: Path, offset: int, settings: WatchConfig) -> None:
    raise DataError(
        f"{path.name}: a line starting at byte {offset:,} is longer than watch.max_line_kb "
        f"({settings.max_line_kb:g} KiB)"
    )
