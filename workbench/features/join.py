"""The point-in-time join: the one function that puts stored features beside rows.

Training (label rows against the offline store) and serving (a request against the
online snapshot) both call :func:`join_features`, so a served row gets its features by
the same code, with the same ttl and the same defaults, as the rows the model learnt from.

For each row and view it takes the latest feature row of the row's entity whose event
time is *before* the row's time (``inclusive = True``: at or before), and no older than
the view's ttl; never a value computed from later rows. "Before" is the default because
the datasets are the history: a labelled transaction is itself an event of its
customer, and the feature row it produced already counts it, which a request for a new
transaction can never see. Missing values (an unknown entity, an expired value) get the
plan's defaults, and the join says which features of which rows were defaulted.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import polars as pl

from workbench.core.errors import FeatureError
from workbench.features.plan import JoinedView, JoinPlan

_ROW = "__workbench_row"
_AT = "__workbench_at"
_FEATURE_TS = "__workbench_feature_ts"


def join_features(
    rows: pl.DataFrame,
    tables: Mapping[str, pl.DataFrame],
    plan: JoinPlan,
    *,
    now: datetime | None = None,
) -> tuple[pl.DataFrame, list[tuple[str, ...]]]:
    """``rows`` with every planned view's features joined point-in-time and defaulted.

    Args:
        rows: Label rows or request rows: the entity key of each view and, unless
            ``now`` stands in for it, the plan's timestamp column.
        tables: View name to its feature rows (key, event timestamp, features).
        plan: Which views, columns, ttl and defaults.
        now: The time of rows that carry no timestamp column (a request).

    Returns:
        The rows with the feature columns appended (replacing same-named columns of the
        rows: stored features win), and per row the features that were defaulted.

    Raises:
        FeatureError: A row lacks an entity key, or the timestamp when ``now`` is None.
    """
    single = rows.height <= 1  # a one-row request: already in order, nothing to restore
    frame = rows if single else rows.with_row_index(_ROW)
    frame = frame.with_columns(_at_column(rows, plan.timestamp, now))
    feature_columns = [c for view in plan.views for c in view.columns]
    replaced = [c for c in feature_columns if c in frame.columns]
    if replaced:
        frame = frame.drop(replaced)
    for view in plan.views:
        if view.key not in frame.columns:
            raise FeatureError(f"rows carry no entity key '{view.key}' for view '{view.name}'")
        table = tables.get(view.name)
        if table is None:
            raise FeatureError(f"no stored features for view '{view.name}'")
        frame = _as_of(frame, table, view, plan.inclusive, ordered=single)
    frame = frame.drop(_AT) if single else frame.sort(_ROW).drop(_ROW, _AT)
    if not any(frame.get_column(c).has_nulls() for c in feature_columns):
        return frame, [()] * frame.height  # every row found fresh values: nothing to fill
    missing = frame.select(pl.col(c).is_null() for c in feature_columns)
    return apply_defaults(frame, plan), _defaulted(missing)


def apply_defaults(frame: pl.DataFrame, plan: JoinPlan) -> pl.DataFrame:
    """Missing feature values replaced by the plan's defaults (where it has one)."""
    fills = [
        pl.col(c).fill_null(pl.lit(plan.defaults[c]).cast(frame.schema[c]))
        for c in plan.columns
        if plan.defaults.get(c) is not None and c in frame.columns
    ]
    return frame.with_columns(fills) if fills else frame


def _at_column(rows: pl.DataFrame, column: str, now: datetime | None) -> pl.Expr:
    if column in rows.columns:
        dtype = rows.schema[column]
        if dtype == pl.String:
            return pl.col(column).str.to_datetime(time_unit="us", strict=False).alias(_AT)
        if isinstance(dtype, pl.Datetime) and dtype.time_zone is not None:
            return pl.col(column).dt.convert_time_zone("UTC").dt.replace_time_zone(None).alias(_AT)
        return pl.col(column).cast(pl.Datetime("us")).alias(_AT)
    if now is None:
        raise FeatureError(f"rows carry no timestamp column '{column}' to join features as of")
    return pl.lit(now.replace(tzinfo=None), dtype=pl.Datetime("us")).alias(_AT)


def _as_of(
    frame: pl.DataFrame,
    table: pl.DataFrame,
    view: JoinedView,
    inclusive: bool,
    *,
    ordered: bool = False,
) -> pl.DataFrame:
    """One view's as-of join on the row time, by entity key, within the ttl.

    Polars' as-of join by key needs each key's rows in time order, not the whole frame:
    the rows are sorted by key and time (1M rows), and the feature rows are used as the
    store returns them, already by key and time (10M rows need no sort; a table that is
    not is sorted here). ``ordered``: the rows are already in order, as one row is.
    """
    key_type = frame.schema[view.key]
    right = table.select(
        pl.col(view.key).cast(key_type, strict=False),
        pl.col(view.timestamp).cast(pl.Datetime("us")).alias(_FEATURE_TS),
        *view.columns,
    )
    if right.height > 1 and not _by_key_and_time(right, view.key):
        right = right.sort(view.key, _FEATURE_TS)
    left = frame if ordered else frame.sort(view.key, _AT)
    joined = left.join_asof(
        right,
        left_on=_AT,
        right_on=_FEATURE_TS,
        by=view.key,
        strategy="backward",
        tolerance=view.ttl,
        allow_exact_matches=inclusive,
        check_sortedness=False,
    )
    return joined.drop(_FEATURE_TS)


def _by_key_and_time(table: pl.DataFrame, key: str) -> bool:
    """Whether ``table`` is sorted by key, then by time within a key (one cheap pass)."""
    previous_key, previous_ts = pl.col(key).shift(1), pl.col(_FEATURE_TS).shift(1)
    in_order = (pl.col(key) > previous_key) | (
        (pl.col(key) == previous_key) & (pl.col(_FEATURE_TS) >= previous_ts)
    )
    return bool(table.select(in_order.fill_null(True).all()).item())


def _defaulted(missing: pl.DataFrame) -> list[tuple[str, ...]]:
    """Per row, the names of the columns that were null before defaults were applied
    (only rows with a gap are visited in Python: a million joined rows cost nothing)."""
    out: list[tuple[str, ...]] = [()] * missing.height
    if missing.width == 0:
        return out
    gaps = missing.select(pl.any_horizontal(pl.all())).to_series().arg_true()
    names = missing.columns
    for index, row in zip(gaps.to_list(), missing[gaps].rows(), strict=True):
        out[index] = tuple(n for n, hit in zip(names, row, strict=True) if hit)
    return out


def training_defaults(
    frame: pl.DataFrame, columns: tuple[str, ...], declared: Mapping[str, Any]
) -> dict[str, Any]:
    """Per feature, what a missing value becomes: the view's declared default, else the
    median (numbers) or the most frequent value (anything else) of the training rows.

    Recorded with the model, so serving fills an unknown entity with the values training
    filled its missing rows with.
    """
    defaults: dict[str, Any] = {}
    for column in columns:
        if column in declared:
            defaults[column] = declared[column]
            continue
        values = frame.get_column(column).drop_nulls()
        if values.is_empty():
            defaults[column] = None
        elif values.dtype.is_numeric():
            median = float(values.median())  # type: ignore[arg-type]
            defaults[column] = median if values.dtype.is_float() else round(median)
        elif values.dtype in (pl.String, pl.Boolean):
            defaults[column] = values.mode().sort().first()
        else:
            defaults[column] = None  # no JSON form to record it in: stays missing
    return defaults
