"""Stored features joined into a request before it is conformed and predicted.

A model trained with the feature store carries its join plan in its signature, and the
server holds the latest feature row per entity of each planned view
(:class:`workbench.features.OnlineFeatures`). A request then needs only the entity key
and the request-time fields: the stored features are joined in by
:func:`workbench.features.join_features`, the function that built the training frame,
and an entity with no (fresh) features gets the training-time defaults, reported back
per row so the caller knows.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from workbench.core.errors import FeatureError
from workbench.features import OnlineFeatures
from workbench.serving.errors import MISSING_COLUMNS, bad_request


@dataclass(frozen=True)
class Enriched:
    """A request with its features joined in."""

    frame: pl.DataFrame
    """The request's columns plus the feature columns, entity keys the model does not
    read removed (they are how the features were found, not inputs)."""
    defaulted: tuple[tuple[str, ...], ...]
    """Per row, the features that got the training-time default (unknown entity or a
    value older than the view's ttl)."""
    keys: pl.DataFrame
    """The request's entity key columns, logged beside the served features so the engine
    can compare them with the offline store (the skew check)."""


def enrich(features: OnlineFeatures, frame: pl.DataFrame, inputs: tuple[str, ...]) -> Enriched:
    """Join the stored features of each row's entity into ``frame``.

    Raises:
        RequestError: 400 ``MISSING_COLUMNS`` when a row set has no entity key column.
    """
    try:
        joined, defaulted = features.enrich(frame)
    except FeatureError as exc:
        raise bad_request(MISSING_COLUMNS, str(exc)) from exc
    unused = [k for k in features.plan.keys if k not in inputs]
    return Enriched(joined.drop(unused), tuple(defaulted), joined.select(unused))
