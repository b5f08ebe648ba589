"""Wide files: the separate, linear queries give the same numbers as the per-column ones.

Past :data:`WIDE_QUANTILES` numeric columns the exact quantiles, and past
:data:`WIDE_DISTINCT` counted columns the distinct counts, come from an unpivot query
instead of one aggregation per column (which polars plans in quadratic time). These tests
compare both paths on the same data.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from workbench.validation import QUANTILES, infer_contract, profile_frame, validate
from workbench.validation.infer import WIDE_DISTINCT
from workbench.validation.profile import WIDE_QUANTILES


def _wide_frame(columns: int, rows: int = 30, seed: int = 3) -> pl.DataFrame:
    rng = random.Random(seed)
    data: dict[str, list[object]] = {}
    for i in range(columns):
        if i % 3 == 0:
            data[f"f{i}"] = [
                None if rng.random() < 0.1 else rng.uniform(-5, 5) for _ in range(rows)
            ]
        elif i % 3 == 1:
            data[f"i{i}"] = [rng.randint(0, 4) for _ in range(rows)]
        else:
            data[f"s{i}"] = [rng.choice("abcde") for _ in range(rows)]
    frame = pl.DataFrame(data)
    # one float column with a NaN and an infinity: its quantiles are over finite values
    return frame.with_columns(
        pl.when(pl.int_range(pl.len()) == 0)
        .then(float("nan"))
        .when(pl.int_range(pl.len()) == 1)
        .then(float("inf"))
        .otherwise(pl.col("f0"))
        .alias("f0")
    )


def test_wide_profile_quantiles_match_numpy() -> None:
    frame = _wide_frame(3 * WIDE_QUANTILES)
    for profile in profile_frame(frame):
        if profile.dtype not in ("int", "float"):
            continue
        values = np.array([v for v in frame[profile.name].to_list() if v is not None], float)
        finite = values[np.isfinite(values)]
        expected = np.quantile(finite, QUANTILES)
        assert [v for _, v in profile.quantiles] == pytest.approx(list(expected)), profile.name
        assert profile.sample_size == len(finite)
    assert next(p for p in profile_frame(frame) if p.name == "f0").non_finite == 2


def test_wide_file_validates_with_the_same_profile_as_a_narrow_one(tmp_path: Path) -> None:
    frame = _wide_frame(3 * WIDE_QUANTILES).with_columns(pl.col("f0").fill_nan(0.0))
    frame = frame.with_columns(pl.when(pl.col("f0").is_infinite()).then(0.0).otherwise("f0"))
    path = tmp_path / "wide.csv"
    frame.write_csv(path)
    contract = infer_contract(pl.scan_csv(path))
    wide = {p.name: p for p in validate(path, contract).profile}
    narrow_cols = frame.columns[:6]  # under both thresholds: the per-column path
    (tmp_path / "narrow.csv").write_text(frame.select(narrow_cols).write_csv())
    narrow_contract = infer_contract(pl.scan_csv(tmp_path / "narrow.csv"))
    narrow = validate(tmp_path / "narrow.csv", narrow_contract).profile
    for profile in narrow:
        got = [v for _, v in wide[profile.name].quantiles]
        assert got == pytest.approx([v for _, v in profile.quantiles]), profile.name
        assert wide[profile.name].count == profile.count


def test_wide_inference_counts_distinct_values_as_the_narrow_path_does() -> None:
    frame = _wide_frame(3 * WIDE_DISTINCT).with_columns(pl.Series("key", range(30)))
    wide = {c.name: c for c in infer_contract(frame).columns}
    for name in ("i1", "s2", "key"):
        narrow = infer_contract(frame.select(name)).columns[0]
        assert wide[name] == narrow
    assert wide["s2"].allowed  # few distinct values: an allowed set, as in the narrow path
    assert len(wide) == frame.width
