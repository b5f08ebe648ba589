"""Profiles agree with numpy, survive JSON, and sample large columns."""

from __future__ import annotations

import datetime as dt
import json
import math
import random

import numpy as np
import polars as pl
import pytest

from workbench.validation import QUANTILES, ColumnProfile, profile_frame
from workbench.validation.profile import (
    EXACT_ROWS,
    QUANTILE_ERROR,
    SAMPLE_TARGET,
    sample_stride,
)

from .generators import random_cases


@random_cases(count=40)
def test_numeric_statistics_match_numpy(rng: random.Random) -> None:
    rows = rng.randint(2, 200)
    ints = [None if rng.random() < 0.1 else rng.randint(-50, 50) for _ in range(rows)]
    floats = [None if rng.random() < 0.1 else rng.uniform(-1e3, 1e3) for _ in range(rows)]
    frame = pl.DataFrame({"i": ints, "f": floats}, schema={"i": pl.Int64, "f": pl.Float64})
    for profile, values in zip(profile_frame(frame), (ints, floats), strict=True):
        present = np.array([v for v in values if v is not None], dtype=float)
        assert (profile.count, profile.nulls) == (len(present), rows - len(present))
        if len(present) == 0:
            continue
        assert profile.min == pytest.approx(present.min())
        assert profile.max == pytest.approx(present.max())
        assert profile.mean == pytest.approx(present.mean())
        if len(present) > 1:
            assert profile.std == pytest.approx(present.std(ddof=1))
        expected = np.quantile(present, QUANTILES)
        assert [v for _, v in profile.quantiles] == pytest.approx(list(expected))
        assert profile.sample_size == len(present)


def test_float_statistics_leave_out_nan_and_infinity() -> None:
    values = [1.0, math.nan, 2.0, math.inf, 4.0, -math.inf, None]
    (profile,) = profile_frame(pl.DataFrame({"x": values}))
    finite = np.array([1.0, 2.0, 4.0])
    assert (profile.count, profile.nulls, profile.non_finite) == (6, 1, 3)
    assert (profile.min, profile.max) == (1.0, 4.0)
    assert profile.mean == pytest.approx(finite.mean())
    assert profile.std == pytest.approx(finite.std(ddof=1))
    assert [v for _, v in profile.quantiles] == pytest.approx(list(np.quantile(finite, QUANTILES)))


def test_string_and_bool_columns_get_top_values_with_shares() -> None:
    frame = pl.DataFrame(
        {
            "s": ["b", "a", "b", None, "c", "a", "b"],
            "flag": [True, False, True, True, None, False, True],
        }
    )
    strings, flags = profile_frame(frame)
    assert strings.top == (("b", 3 / 6), ("a", 2 / 6), ("c", 1 / 6))
    assert flags.top == ((True, 4 / 6), (False, 2 / 6))
    assert flags.mean == pytest.approx(4 / 6)


def test_dates_and_datetimes_record_their_range_as_iso_text() -> None:
    frame = pl.DataFrame(
        {
            "d": [dt.date(2026, 1, 3), dt.date(2026, 1, 1), None],
            "t": [dt.datetime(2026, 1, 1, 9), None, dt.datetime(2026, 2, 1, 17, 30)],
        }
    )
    day, when = profile_frame(frame)
    assert (day.min, day.max, day.nulls) == ("2026-01-01", "2026-01-03", 1)
    assert (when.min, when.max) == ("2026-01-01T09:00:00", "2026-02-01T17:30:00")


def test_sampling_stride_is_a_prime_above_the_exact_limit() -> None:
    assert sample_stride(EXACT_ROWS) == 1
    assert sample_stride(EXACT_ROWS + 1) == 11
    assert sample_stride(12 * SAMPLE_TARGET) == 13
    assert sample_stride(1_000_000) == 53


def test_large_columns_are_profiled_from_a_systematic_sample() -> None:
    rows = 13 * SAMPLE_TARGET
    values = np.random.default_rng(1).normal(50.0, 5.0, rows)
    (profile,) = profile_frame(pl.DataFrame({"x": values}))
    assert profile.sample_size == len(values[:: sample_stride(rows)]) == SAMPLE_TARGET
    assert profile.mean == pytest.approx(values.mean())
    for q, estimate in profile.quantiles:
        # judged in rank, as the guarantee is: the sketch's error (it is randomised) plus
        # three standard errors of a quantile of the sample
        rank = float(np.mean(values < estimate))
        allowed = QUANTILE_ERROR + 3 * math.sqrt(q * (1 - q) / profile.sample_size)
        assert abs(rank - q) < allowed, (q, rank, allowed)


def test_profile_round_trips_through_strict_json() -> None:
    frame = pl.DataFrame({"x": [1.5, math.nan, None], "s": ["a", None, "a"]})
    for profile in profile_frame(frame):
        text = json.dumps(profile.to_dict(), allow_nan=False)
        assert ColumnProfile.from_dict(json.loads(text)) == profile
