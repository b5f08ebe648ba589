"""Small scikit-learn transformers the default preprocessor needs and sklearn lacks.

Both are stored inside model files, so they keep only plain attributes (strings, ints,
numpy arrays) that skops can rebuild; their dotted names are on the skops allowlist in
``workbench.modelfile.skops_io.TRUSTED_TYPES``. Both accept polars DataFrames (what the
pipeline and the scoring server pass) and numpy arrays.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
from sklearn.base import BaseEstimator, TransformerMixin

DATETIME_PARTS: tuple[str, ...] = ("hour", "day_of_week", "day_of_month", "month")
"""The numeric features drawn from each datetime column, in output order."""


def parse_datetimes(column: pl.Series) -> pl.Series:
    """Turn a datetime, date or datetime-like string column into a datetime column.

    Strings are parsed with polars' format inference; values that do not parse become
    null. A column that cannot be read as datetimes at all comes back all null, which
    the preprocessor's imputer then fills, so one odd request never fails scoring.
    """
    dtype = column.dtype
    if isinstance(dtype, pl.Datetime):
        return column
    if dtype == pl.Date:
        return column.cast(pl.Datetime("us"))
    if dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum):
        try:
            return column.cast(pl.String).str.to_datetime(strict=False)
        except pl.exceptions.PolarsError:
            pass
    return pl.Series(column.name, [None] * len(column), dtype=pl.Datetime("us"))


def _as_frame(X: Any, names: list[str]) -> pl.DataFrame:
    """Accept a polars DataFrame as is, or name the columns of anything array-like."""
    if isinstance(X, pl.DataFrame):
        return X
    array = np.asarray(X, dtype=object)
    if array.ndim == 1:
        array = array.reshape(-1, 1)
    return pl.DataFrame(
        {name: pl.Series(name, array[:, i].tolist(), strict=False) for i, name in enumerate(names)}
    )


def _input_names(X: Any) -> list[str]:
    """Column names of ``X`` (polars) or ``x0, x1, ...`` for a bare array."""
    if isinstance(X, pl.DataFrame):
        return list(X.columns)
    width = 1 if np.ndim(X) == 1 else np.shape(X)[1]
    return [f"x{i}" for i in range(width)]


class DatetimeFeatures(TransformerMixin, BaseEstimator):
    """Expand each datetime column into hour, day of week, day of month and month.

    Models cannot use a timestamp directly, but fraud and demand follow the clock and
    the calendar. Nulls (and strings that do not parse) become NaN so a later imputer
    decides what they mean. Day of week is 1 (Monday) to 7 (Sunday), as in ISO 8601.
    """

    def fit(self, X: Any, y: Any = None) -> DatetimeFeatures:
        """Remember the input columns; there is nothing to learn."""
        names = _input_names(X)
        self.feature_names_in_ = np.asarray(names, dtype=object)
        self.n_features_in_ = len(names)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Return a float array with four columns per input column, NaN for missing."""
        names = [str(n) for n in self.feature_names_in_]
        frame = _as_frame(X, names)
        missing = [n for n in names if n not in frame.columns]
        if missing:
            raise ValueError(f"datetime columns missing from input: {', '.join(missing)}")
        parts: list[pl.Series] = []
        for name in names:
            stamps = parse_datetimes(frame[name])
            parts.extend(
                [
                    stamps.dt.hour(),
                    stamps.dt.weekday(),
                    stamps.dt.day(),
                    stamps.dt.month(),
                ]
            )
        if not parts:
            return np.empty((frame.height, 0), dtype=np.float64)
        columns = [part.cast(pl.Float64).to_numpy() for part in parts]
        return np.column_stack(columns).astype(np.float64)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """``<column>_hour``, ``<column>_day_of_week``, ... for each input column."""
        names = self.feature_names_in_ if input_features is None else input_features
        return np.asarray(
            [f"{name}_{part}" for name in names for part in DATETIME_PARTS], dtype=object
        )


class CategoryStrings(TransformerMixin, BaseEstimator):
    """Cast categorical columns to strings, with every kind of missing value as ``None``.

    Polars hands scikit-learn strings, booleans, categoricals and all-null columns as
    different numpy arrays (an all-null column of a one-row scoring request arrives as
    float NaN). Casting them all to strings here gives the imputer and the one-hot
    encoder one consistent input at training and at scoring time.
    """

    def fit(self, X: Any, y: Any = None) -> CategoryStrings:
        """Remember the input columns; there is nothing to learn."""
        names = _input_names(X)
        self.feature_names_in_ = np.asarray(names, dtype=object)
        self.n_features_in_ = len(names)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Return an object array of ``str`` values and ``None`` for missing."""
        names = [str(n) for n in self.feature_names_in_]
        frame = _as_frame(X, names)
        missing = [n for n in names if n not in frame.columns]
        if missing:
            raise ValueError(f"categorical columns missing from input: {', '.join(missing)}")
        out = np.empty((frame.height, len(names)), dtype=object)
        for i, name in enumerate(names):
            column = frame[name]
            if column.dtype.is_float():
                column = column.fill_nan(None)
            out[:, i] = column.cast(pl.String).to_list()
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """The input column names, unchanged."""
        names = self.feature_names_in_ if input_features is None else input_features
        return np.asarray(list(names), dtype=object)


class NativeColumns(TransformerMixin, BaseEstimator):
    """Hand histogram gradient boosting its columns as they are: categories and gaps.

    Boosted trees split on categories natively (``categorical_features="from_dtype"``)
    and learn where missing values go, so one-hot encoding, imputing and scaling only
    cost them information. Numbers stay numbers with nulls as NaN, categoricals become a
    polars ``Categorical`` column, datetimes become their calendar parts.
    """

    def __init__(
        self,
        numeric: tuple[str, ...] = (),
        categorical: tuple[str, ...] = (),
        datetime: tuple[str, ...] = (),
    ) -> None:
        self.numeric = numeric
        self.categorical = categorical
        self.datetime = datetime

    def fit(self, X: Any, y: Any = None) -> NativeColumns:
        """Remember the input columns; there is nothing to learn."""
        names = [*self.numeric, *self.categorical, *self.datetime]
        self.feature_names_in_ = np.asarray(names, dtype=object)
        self.n_features_in_ = len(names)
        return self

    def transform(self, X: Any) -> pl.DataFrame:
        """A polars frame of floats (NaN for missing) and ``Categorical`` columns."""
        names = [str(n) for n in self.feature_names_in_]
        frame = _as_frame(X, names)
        missing = [n for n in names if n not in frame.columns]
        if missing:
            raise ValueError(f"columns missing from input: {', '.join(missing)}")
        out: list[pl.Series] = []
        for name in self.numeric:
            column = frame[name].cast(pl.Float64, strict=False)
            out.append(column.fill_null(float("nan")))
        for name in self.categorical:
            column = frame[name]
            if column.dtype.is_float():
                column = column.fill_nan(None)
            out.append(column.cast(pl.String).cast(pl.Categorical))
        for name in self.datetime:
            stamps = parse_datetimes(frame[name])
            for part, values in zip(
                DATETIME_PARTS,
                (stamps.dt.hour(), stamps.dt.weekday(), stamps.dt.day(), stamps.dt.month()),
                strict=True,
            ):
                out.append(values.cast(pl.Float64).fill_null(float("nan")).alias(f"{name}_{part}"))
        return pl.DataFrame(out)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Numeric and categorical names unchanged, then ``<column>_<part>`` per datetime."""
        parts = [f"{name}_{part}" for name in self.datetime for part in DATETIME_PARTS]
        return np.asarray([*self.numeric, *self.categorical, *parts], dtype=object)
