"""Size limits checked before a data file is parsed: no file can exhaust the machine.

A file larger than ``watch.max_file_mb``, a compressed file that expands past
``watch.max_expanded_mb`` (a decompression bomb), or a single line longer than
``watch.max_line_kb`` is refused with a reason that names the limit and the offset,
before polars reads it. Everything is streamed in chunks: memory stays bounded.
"""

from __future__ import annotations

import gzip
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
        DataError: Too large, expands too far, or has an over-long line.
    """
    size = path.stat().st_size
    if size > settings.max_file_mb * MIB:
        raise DataError(
            f"{path.name}: {size / MIB:,.1f} MiB is larger than watch.max_file_mb "
            f"({settings.max_file_mb:g} MiB)"
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


def _scan(path: Path, stream: _Readable, settings: WatchConfig, *, compressed: bool) -> None:
    """Stream the bytes once: total expanded size and the longest line."""
    max_total = settings.max_expanded_mb * MIB
    max_line = settings.max_line_kb * 1024
    total = 0
    line_start = 0
    while chunk := stream.read(CHUNK):
        start = 0
        while (newline := chunk.find(b"\n", start)) != -1:
            if total + newline - line_start > max_line:
                _too_long(path, line_start, settings)
            line_start = total + newline + 1
            start = newline + 1
        total += len(chunk)
        if total - line_start > max_line:
            _too_long(path, line_start, settings)
        if compressed and total > max_total:
            raise DataError(
                f"{path.name}: expands past watch.max_expanded_mb "
                f"({settings.max_expanded_mb:g} MiB); refused as a possible decompression bomb"
            )


def _too_long(path: Path, offset: int, settings: WatchConfig) -> None:
    raise DataError(
        f"{path.name}: a line starting at byte {offset:,} is longer than watch.max_line_kb "
        f"({settings.max_line_kb:g} KiB)"
    )
