"""Benchmark: what wide files and newline bombs cost (issue 20).

* ``wide``: ``infer_contract`` + ``validate`` of a CSV of ``--rows`` rows and 500, 1,000,
  2,000 and 10,000 integer columns (median of ``--repeat``), with the time per column, so
  linear cost shows as a flat ``ms_per_column``. Before issue 20 the cost was quadratic:
  1,000 columns 15 s, 2,000 columns 54 s.
* ``limits``: the pre-parse limit scan (``check_limits``) over a gzip of only newlines
  (the worst case for a per-line loop) and over a plain CSV, in MiB/s of expanded bytes,
  beside ``gzip`` decompression alone as the floor. Before: 0.55 s of CPU per MiB of
  newlines.

One JSON object is printed.

    python benchmarks/hostile_inputs.py --repeat 3
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl

from workbench.core.config import WatchConfig
from workbench.engine.intake.limits import check_limits
from workbench.validation import infer_contract, validate

MIB = 1 << 20


def _median(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _wide(folder: Path, columns: int, rows: int) -> Path:
    rng = random.Random(columns)
    path = folder / f"wide{columns}.csv"
    with path.open("w", encoding="ascii") as out:
        out.write(",".join(f"c{i}" for i in range(columns)) + "\n")
        for _ in range(rows):
            out.write(",".join(str(rng.randint(0, 9)) for _ in range(columns)) + "\n")
    return path


def wide(folder: Path, rows: int, repeat: int) -> list[dict[str, float]]:
    figures = []
    for columns in (500, 1000, 2000, 10_000):
        path = _wide(folder, columns, rows)
        infer_s = _median(lambda p=path: infer_contract(pl.scan_csv(p)), repeat)
        contract = infer_contract(pl.scan_csv(path))
        validate_s = _median(lambda p=path, c=contract: validate(p, c), repeat)
        figures.append(
            {
                "columns": columns,
                "infer_s": round(infer_s, 3),
                "validate_s": round(validate_s, 3),
                "ms_per_column": round((infer_s + validate_s) / columns * 1000, 3),
            }
        )
    return figures


def limits(folder: Path, mib: int, repeat: int) -> dict[str, float]:
    newlines = folder / "newlines.csv.gz"
    newlines.write_bytes(gzip.compress(b"a\n" + b"\n" * (mib * MIB), compresslevel=9))
    plain = folder / "plain.csv"
    line = b"1,2.5,abc,2026-01-01,0\n"
    plain.write_bytes(b"a,b,c,d,e\n" + line * (mib * MIB // len(line)))
    settings = WatchConfig(max_expanded_mb=4 * mib, max_file_mb=4 * mib)

    def decompress() -> None:
        with gzip.open(newlines, "rb") as stream:
            while stream.read(MIB):
                pass

    scan_gz = _median(lambda: check_limits(newlines, settings), repeat)
    floor_gz = _median(decompress, repeat)
    scan_plain = _median(lambda: check_limits(plain, settings), repeat)
    return {
        "expanded_mib": mib,
        "gzip_newlines_scan_mib_s": round(mib / scan_gz, 1),
        "gzip_decompress_floor_mib_s": round(mib / floor_gz, 1),
        "plain_csv_scan_mib_s": round(plain.stat().st_size / MIB / scan_plain, 1),
        "compressed_kib": round(newlines.stat().st_size / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=20)
    parser.add_argument("--mib", type=int, default=256, help="expanded MiB for the scans")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        result = {
            "wide": wide(folder, args.rows, args.repeat),
            "limits": limits(folder, args.mib, args.repeat),
        }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
