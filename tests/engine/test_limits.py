"""The chunked limit scan finds the same first over-long line as a line-by-line reference.

Files span several 1 MiB chunks, so lines cross chunk boundaries; the line limit is
small, so the in-chunk measurement runs too.
"""

from __future__ import annotations

import gzip
import random
from pathlib import Path

import pytest

from workbench.core.config import WatchConfig
from workbench.core.errors import DataError
from workbench.engine.intake.limits import CHUNK, check_limits, header_columns

LIMIT_KB = 0.5
MAX_LINE = int(LIMIT_KB * 1024)


def _reference(data: bytes) -> int | None:
    """Offset of the first line longer than MAX_LINE (newline excluded), by a plain loop."""
    start = 0
    for line in data.split(b"\n"):
        if len(line) > MAX_LINE:
            return start
        start += len(line) + 1
    return None


def _case(rng: random.Random) -> bytes:
    lines = []
    size = 0
    long_at = rng.choice([None, rng.randint(0, 3 * CHUNK)])
    while size < 2.5 * CHUNK:
        length = rng.randint(0, MAX_LINE)
        if long_at is not None and size >= long_at:
            length = rng.randint(MAX_LINE + 1, 3 * MAX_LINE)
            long_at = None
        lines.append(b"x" * length)
        size += length + 1
    return b"\n".join(lines)


@pytest.mark.parametrize("seed", range(8))
def test_the_chunked_scan_agrees_with_a_line_by_line_one(tmp_path: Path, seed: int) -> None:
    data = _case(random.Random(seed))
    path = tmp_path / "data.csv"
    path.write_bytes(data)
    expected = _reference(data)
    settings = WatchConfig(max_line_kb=LIMIT_KB)
    if expected is None:
        check_limits(path, settings)
        return
    with pytest.raises(DataError, match=f"starting at byte {expected:,} is longer"):
        check_limits(path, settings)


def test_a_line_crossing_a_chunk_boundary_is_measured_whole(tmp_path: Path) -> None:
    data = b"a\n" + b"y" * (CHUNK - 100) + b"\n" + b"z" * 300 + b"\n" + b"q" * 1000
    path = tmp_path / "edge.csv"
    path.write_bytes(data)
    with pytest.raises(DataError, match=f"byte {2:,} is longer"):
        check_limits(path, WatchConfig(max_line_kb=1024 - 1))
    data = b"a\n" + b"b" * 10 + b"\n" + b"c" * (CHUNK + 50)  # the long one starts in chunk 1
    path.write_bytes(data)
    with pytest.raises(DataError, match=f"byte {13:,} is longer"):
        check_limits(path, WatchConfig(max_line_kb=1024))


def test_the_expansion_cap_defaults_to_max_file_mb_and_refuses_a_bomb(tmp_path: Path) -> None:
    defaults = WatchConfig()
    assert defaults.max_expanded_mb == defaults.max_file_mb == 1024  # a 1.2 GB bomb is refused
    bomb = tmp_path / "bomb.csv.gz"
    bomb.write_bytes(gzip.compress(b"a\n" + b"\n" * (3 << 20), compresslevel=9))
    assert bomb.stat().st_size < 16 << 10
    with pytest.raises(DataError, match=r"expands past watch\.max_expanded_mb"):
        check_limits(bomb, WatchConfig(max_expanded_mb=2.0))


def test_columns_are_counted_from_the_header_alone(tmp_path: Path) -> None:
    csv = tmp_path / "w.csv"
    csv.write_text(",".join(f'"c,{i}"' for i in range(30)) + "\n" + "broken row" * 1000)
    assert header_columns(csv, WatchConfig()) == 30  # quoted commas are not separators
    ndjson = tmp_path / "w.ndjson"
    ndjson.write_text('{"a": 1, "b": 2}\n{"a": 3}\n')
    assert header_columns(ndjson, WatchConfig()) == 2
    gz = tmp_path / "w.csv.gz"
    gz.write_bytes(gzip.compress(b"x,y,z\n1,2,3\n"))
    assert header_columns(gz, WatchConfig()) == 3


def test_a_parquet_file_is_counted_from_its_footer_and_a_broken_one_is_not_counted(
    tmp_path: Path,
) -> None:
    import polars as pl

    good = tmp_path / "w.parquet"
    pl.DataFrame({f"c{i}": [i] for i in range(12)}).write_parquet(good)
    assert header_columns(good, WatchConfig()) == 12
    broken = tmp_path / "b.parquet"
    broken.write_bytes(b"PAR1 not really parquet")
    assert header_columns(broken, WatchConfig()) is None  # the reader explains it
