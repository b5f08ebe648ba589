"""The training join: a run's rows with ``[features] views`` joined point-in-time.

The defaults a missing value gets are measured on the joined rows (or declared by the
view) and recorded in the plan, which the model's signature carries to serving; the run
records the views' code hashes as params and lineage links them to the run.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from workbench.core.errors import FeatureError

if TYPE_CHECKING:
    import polars as pl

    from workbench.core.config import WorkbenchConfig
    from workbench.features import FeatureSet, JoinPlan
    from workbench.store import Store


def training_join(
    store: Store,
    feature_set: FeatureSet,
    run_id: int,
    frame: pl.DataFrame,
    config: WorkbenchConfig,
) -> tuple[pl.DataFrame, JoinPlan | None]:
    """The run's rows with the views joined, and the plan; every named view must be
    materialised in its current version already (the stage builds missing ones first).

    Raises:
        FeatureError: A named view does not exist, or the rows lack its entity key or
            the timestamp.
    """
    names = list(config.features.views)
    if not names:
        return frame, None
    from workbench.features import JoinedView, JoinPlan, training_defaults
    from workbench.features.join import apply_defaults, join_features

    features = store.features
    views, tables = [], {}
    for name in names:
        view = feature_set.view(name)
        code_hash = feature_set.hashes[name]
        record = features.get(name, code_hash)
        assert record is not None
        key = view.entity.key
        if key not in frame.columns:
            raise FeatureError(f"view '{name}' is joined by '{key}', which the data lacks")
        entities = frame.get_column(key).unique().drop_nulls().to_list()
        tables[name] = features.view_rows(name, code_hash, entities)
        views.append(JoinedView(name, code_hash, key, view.timestamp, record.columns, view.ttl))
        store.lineage.link(("feature_view", f"{name}@{code_hash}"), ("run", run_id), "features")
    plan = JoinPlan(tuple(views), config.features.timestamp, config.features.inclusive, defaults={})
    joined, missing = join_features(frame, tables, plan)
    declared = {k: v for n in names for k, v in feature_set.view(n).defaults.items()}
    plan = dataclasses.replace(plan, defaults=training_defaults(joined, plan.columns, declared))
    joined = apply_defaults(joined, plan)
    params: dict[str, Any] = {"features.views": ",".join(names)}
    params |= {f"features.{v.name}.code_hash": v.code_hash for v in views}
    params["features.defaulted_rows"] = sum(1 for m in missing if m)
    store.runs.log_params(run_id, params)
    return joined, plan
